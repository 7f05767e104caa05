//! The org area's conflicts (HTTP 409), each with its stable code and its message in both
//! languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change in the org area.
    pub enum OrgConflict {

    /// A department that still has sub-departments cannot be deleted.
        DepartmentHasChildren => ("department_has_children", "The department still has sub-departments; move or delete them first.", "该部门下还有下级部门，请先移动或删除下级部门。"),

    /// A department that still has members cannot be deleted.
        DepartmentHasMembers => ("department_has_members", "The department still has members; move them to another department first.", "该部门下还有人员，请先将其调整到其他部门。"),

    /// A department that scopes role assignments cannot be deleted.
        DepartmentScopesRoles => ("department_scopes_roles", "Some role assignments are limited to this department; change them first.", "有角色分配限定在该部门，请先调整这些角色分配。"),

    /// A department cannot be moved below itself or one of its descendants.
        DepartmentCycle => ("department_cycle", "A department cannot be placed below itself or one of its sub-departments.", "部门不能放在自身或其下级部门之下。"),

    /// The change would leave no active, unscoped administrator.
        LastAdministrator => ("last_administrator", "This would leave no active system administrator for the whole organization.", "此操作将导致没有可用的全组织范围系统管理员。"),

    /// Users cannot disable themselves or remove their own administrator role.
        SelfLockout => ("self_lockout", "You cannot disable your own account or remove your own administrator role.", "不能停用自己的账号，也不能移除自己的系统管理员角色。"),

    /// The token is already revoked.
        AlreadyRevoked => ("already_revoked", "This token is already revoked.", "该令牌已被吊销。"),
    }
}
