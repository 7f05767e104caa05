//! The continuity area's conflicts (HTTP 409), each with its stable code and its message in
//! both languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change to a backup plan, a DR plan or a drill.
    pub enum ContinuityConflict {
        /// Retired assets are not backed up.
        AssetRetired => ("backup_asset_retired", "The asset is retired; a retired asset gets no new backup plan.", "该资产已报废，不能为已报废资产新建备份计划。"),
        /// A drill's problems open their tasks once.
        ProblemHasTask => ("drill_problem_has_task", "This problem already has its rectification task.", "该问题已有整改任务。"),
    }
}
