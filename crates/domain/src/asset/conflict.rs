//! The asset area's conflicts (HTTP 409), each with its stable code and its message in both
//! languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change in the asset area.
    pub enum AssetConflict {

    /// The asset's lifecycle status does not allow this event (a retired asset allows none).
        LifecycleMove => ("lifecycle_not_allowed", "This lifecycle event is not allowed in the asset's current status.", "资产当前状态下不允许登记该生命周期事件。"),

    /// A retired asset keeps the record it had; it cannot be edited.
        AssetRetired => ("asset_retired", "The asset is retired; its record is kept as it was and cannot be changed.", "资产已报废，记录按原样保留，不能再修改。"),

    /// A department that still holds assets cannot be deleted.
        DepartmentHasAssets => ("department_has_assets", "The department still holds assets; transfer them to another department first.", "该部门仍有资产，请先将资产转移到其他部门。"),
    }
}
