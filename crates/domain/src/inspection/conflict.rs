//! The inspection area's conflicts (HTTP 409), each with its stable code and its message in
//! both languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change to a checklist, a plan or an inspection.
    pub enum InspectionConflict {
        /// A plan changes only while it is a draft.
        PlanLocked => ("inspection_plan_locked", "The plan has been submitted or approved; only a draft plan changes.", "检查计划已提交或已批准，只有草稿计划可以修改。"),
        /// Inspections are performed under an approved plan.
        PlanNotApproved => ("inspection_plan_not_approved", "Inspections are performed under an approved plan; have the plan approved first.", "检查须在计划批准后执行，请先完成计划审批。"),
        /// A plan's checklist must have items.
        ChecklistEmpty => ("checklist_empty", "The checklist has no items; an inspection needs at least one.", "检查表没有检查项，检查至少需要一项。"),
        /// The shipped checklist is kept as shipped.
        ChecklistBuiltin => ("checklist_builtin", "The checklist shipped with Castellan is not changed; copy it and change the copy.", "系统自带的检查表不可修改，请复制后修改副本。"),
        /// A completed inspection keeps its results.
        InspectionCompleted => ("inspection_completed", "The inspection is completed; its results no longer change.", "检查已完成，结果不能再修改。"),
        /// Completing needs a result on every item.
        ResultsMissing => ("inspection_results_missing", "Some items have no result yet; record pass, fail or not applicable for each before completing.", "仍有检查项没有结果，请为每一项记录通过、不通过或不适用后再完成检查。"),
        /// Completing needs a rectification task for every failed item.
        FindingWithoutTask => ("inspection_finding_without_task", "A failed item has no rectification task; open one for each finding before completing.", "有不通过的检查项尚未建立整改任务，请为每个问题建立整改任务后再完成检查。"),
        /// A finding opens one task.
        FindingHasTask => ("inspection_finding_has_task", "This finding already has its rectification task.", "该问题已有整改任务。"),
        /// Only a failed item is a finding.
        NotAFinding => ("inspection_not_a_finding", "Only a failed item opens a rectification task.", "只有不通过的检查项才建立整改任务。"),
        /// An item with a task keeps its failed result.
        ResultHasTask => ("inspection_result_has_task", "The item has a rectification task; its result stays failed.", "该检查项已有整改任务，结果保持为不通过。"),
        /// One inspection at a time per plan.
        InspectionOpen => ("inspection_open", "The plan has an inspection that is not completed yet; complete it first.", "该计划有尚未完成的检查，请先完成。"),
    }
}
