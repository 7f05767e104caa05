//! The training area's conflicts (HTTP 409), each with its stable code and its message in
//! both languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change to a plan or a training.
    pub enum TrainingConflict {
        /// A plan changes only while it is a draft.
        PlanLocked => ("training_plan_locked", "The plan has been submitted or approved; only a draft plan changes.", "计划已提交或已批准，只有草稿计划可以修改。"),
        /// Trainings are held under an approved plan.
        PlanNotApproved => ("training_plan_not_approved", "Trainings are held and attended under an approved plan; have the plan approved first.", "培训须在计划批准后举办和记录出勤，请先完成计划审批。"),
        /// One plan per year.
        YearTaken => ("training_plan_year_taken", "There is already a training plan for this year.", "该年度已有培训计划。"),
        /// A cancelled training records no attendance.
        Cancelled => ("training_cancelled", "The training was cancelled; it has no attendance.", "该培训已取消，不记录出勤。"),
    }
}
