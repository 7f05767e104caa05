//! The goal area's conflicts (HTTP 409), each with its stable code and its message in both
//! languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change to a goal.
    pub enum GoalConflict {
        /// A goal's text changes while it is a draft or returned.
        Locked => ("goal_locked", "The goal has been submitted or published; it changes only as a draft or when returned.", "目标已提交或已发布，只有草稿或被退回的目标可以修改。"),
        /// Goals below are set under a published goal.
        ParentNotPublished => ("goal_parent_not_published", "The goal above is not published yet; goals are broken down from a published goal.", "上级目标尚未发布，请在上级目标发布后再分解。"),
        /// Progress is reported on published goals.
        NotPublished => ("goal_not_published", "Progress is reported once the goal is published.", "目标发布后方可报告进展。"),
        /// A goal with goals below stays.
        HasChildren => ("goal_has_children", "Goals are broken down from this one; it cannot be withdrawn.", "该目标已被分解，不能撤回。"),
    }
}
