//! The permission table (resource × action × role) and the one function that applies it.
//!
//! This is the only place in Castellan that decides who may do what. Services call
//! [`Principal::authorize`] (or [`Principal::read_scope`] for lists) before they touch the
//! database; `castellan roles` and the roles page print [`rules`] as they are.

use crate::error::DomainError;
use crate::ids::{DepartmentId, UserId};
use crate::lang::Text;
use crate::macros::coded_enum;
use crate::role::Role;
use serde::Serialize;

coded_enum! {
    /// What a permission is about: one line per resource, grouped by the area that owns it
    /// (a new area adds its lines here), in the order the permission table shows them.
    pub enum Resource {
        // org
        /// The department tree.
        Department => ("department", "Departments", "部门"),
        /// User accounts.
        User => ("user", "Users", "用户"),
        // asset
        /// The asset register (assets, their lifecycle events, imports and exports).
        Asset => ("asset", "Assets", "资产"),
        // risk
        /// The threat catalog.
        Threat => ("threat", "Threat catalog", "威胁库"),
        /// Vulnerability findings against assets.
        Vulnerability => ("vulnerability", "Vulnerabilities", "脆弱性"),
        /// Existing security controls and their effectiveness.
        Control => ("control", "Existing controls", "已有安全措施"),
        /// Risk assessments with their risks, treatment plans and residual ratings.
        Assessment => ("assessment", "Risk assessments", "风险评估"),
        // incident
        /// Security incidents: one's own reports and those one handles.
        Incident => ("incident", "Own incident reports and those one handles", "本人报告及参与处置的安全事件"),
        /// Every incident of a department's subtree, for those who oversee them.
        IncidentRegister => ("incident_register", "All incidents", "全部安全事件"),
        /// The organization's incident deadlines.
        IncidentDeadlines => ("incident_deadlines", "Incident deadlines", "事件处置时限"),
        // document
        /// Documents: those in force, one's own, and those waiting for one's approval.
        Document => ("document", "Documents in force and one's own", "现行文件及本人负责的文件"),
        /// Every document of the register, drafts included.
        DocumentRegister => ("document_register", "All documents, drafts included", "全部文件（含草稿）"),
        // training
        /// Training plans and trainings: everyone's own, the managers' all.
        Training => ("training", "Training plans and own trainings", "培训计划及本人培训"),
        /// Everyone's attendance and the completion per department.
        TrainingRecords => ("training_records", "Everyone's training records", "全员培训记录"),
        // goal
        /// Security goals: the goal tree, one's own goals and those one approves.
        Goal => ("goal", "Security goals", "安全目标"),
        /// The company's goal for a year.
        CompanyGoal => ("company_goal", "The company's security goal", "公司安全目标"),
        // inspection
        /// Checklists, inspection plans, inspections and their reports.
        Inspection => ("inspection", "Inspections one performs, checklists and plans", "本人参与的检查、检查表及检查计划"),
        /// Every inspection plan, inspection and report.
        InspectionRegister => ("inspection_register", "All inspection plans, inspections and reports", "全部检查计划、检查及报告"),
        // custody
        /// Privileged-password custody: the records one holds, backs up or witnessed.
        Custody => ("custody", "Password custody one takes part in", "本人参与的特权密码保管"),
        /// Every custody record, handover and warning.
        CustodyRegister => ("custody_register", "All password custody records and warnings", "全部特权密码保管记录及预警"),
        // continuity
        /// Backup plans, disaster-recovery plans and their drills.
        Continuity => ("continuity", "Backup plans, DR plans and drills", "备份计划、灾难恢复预案及演练"),
        // rectification
        /// Rectification tasks: one's own (responsible, verifier, opener) and those of the
        /// records one reads.
        Rectification => ("rectification", "Own rectification tasks and those of records one reads", "本人及可查看记录的整改任务"),
        /// Every rectification task of a department's subtree, for those who oversee them.
        RectificationRegister => ("rectification_register", "All rectification tasks", "全部整改任务"),
        // request
        /// Approval requests: changes, access, important operations (one's own, and those
        /// one decides on).
        Request => ("request", "Own approval requests and decisions", "本人的申请与审批"),
        /// Every approval request of a department's subtree, for those who oversee them.
        RequestRegister => ("request_register", "All approval requests", "全部审批申请"),
        /// Approval chains.
        ApprovalChain => ("approval_chain", "Approval chains", "审批流程"),
        /// The working-day calendar.
        Calendar => ("calendar", "Working-day calendar", "工作日历"),
        // kernel
        /// Finding colleagues by name in forms (the people picker).
        People => ("people", "Finding colleagues in forms", "在表单中查找人员"),
        /// Organization-wide settings (such as the asset valuation method).
        Setting => ("setting", "Organization settings", "组织设置"),
        /// The role catalog and this permission table.
        Role => ("role", "Roles and permissions", "角色与权限"),
        /// The audit trail.
        AuditLog => ("audit_log", "Audit log", "审计日志"),
        /// The caller's own profile, password and API tokens.
        OwnAccount => ("own_account", "Own account and API tokens", "本人账号与 API 令牌"),
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What is done to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See records.
    Read,
    /// Create records.
    Create,
    /// Change records.
    Update,
    /// Delete records (only where the domain allows deletion at all).
    Delete,
    /// Grant or withdraw roles.
    AssignRoles,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 5] = [
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::AssignRoles,
    ];

    /// Stable code (`read`, `assign_roles`, …).
    pub fn code(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::AssignRoles => "assign_roles",
        }
    }

    /// Name in both languages.
    pub fn label(self) -> Text {
        let (en, zh) = match self {
            Action::Read => ("View", "查看"),
            Action::Create => ("Create", "新建"),
            Action::Update => ("Edit", "编辑"),
            Action::Delete => ("Delete", "删除"),
            Action::AssignRoles => ("Assign roles", "分配角色"),
        };
        Text { en, zh }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Who a rule admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Every signed-in user, with or without roles (self-service).
    AnyUser,
    /// Holders of one of these roles.
    Roles(&'static [Role]),
}

/// One line of the permission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The resource.
    pub resource: Resource,
    /// The action.
    pub action: Action,
    /// Who may do it.
    pub who: Who,
}

/// Every role.
pub(crate) const EVERY_ROLE: &[Role] = &Role::ALL;
/// Every role but `staff`.
pub(crate) const ALL_BUT_STAFF: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::NetworkAdmin,
    Role::ApplicationAdmin,
    Role::DataAdmin,
    Role::ComplianceAdmin,
    Role::Assessor,
    Role::Auditor,
];
/// Every role but `auditor`, who writes nothing (auditors act as the employees they also are
/// through `staff`).
pub(crate) const ALL_BUT_AUDITOR: &[Role] = &[
    Role::Admin,
    Role::Committee,
    Role::SecurityOfficer,
    Role::SecurityAdmin,
    Role::NetworkAdmin,
    Role::ApplicationAdmin,
    Role::DataAdmin,
    Role::ComplianceAdmin,
    Role::Assessor,
    Role::Staff,
];
/// The system administrator.
pub(crate) const ADMIN: &[Role] = &[Role::Admin];

/// The kernel's rows: settings, the role catalog, the audit log, one's own account.
const KERNEL: &[Rule] = &[
    rule(Resource::Setting, Action::Read, Who::AnyUser),
    rule(
        Resource::Setting,
        Action::Update,
        Who::Roles(&[Role::Admin, Role::SecurityOfficer]),
    ),
    rule(Resource::Role, Action::Read, Who::AnyUser),
    rule(
        Resource::AuditLog,
        Action::Read,
        Who::Roles(&[Role::Admin, Role::Auditor]),
    ),
    rule(Resource::OwnAccount, Action::Read, Who::AnyUser),
    rule(Resource::OwnAccount, Action::Update, Who::AnyUser),
];

/// The permission table: each area's rows (in its `permissions` module), then the kernel's,
/// in the order they are printed. A (resource, action) pair that is not listed is allowed to
/// nobody.
const TABLE: &[&[Rule]] = &[
    crate::org::permissions::PERMISSIONS,
    crate::asset::permissions::PERMISSIONS,
    crate::risk::permissions::PERMISSIONS,
    crate::request::permissions::PERMISSIONS,
    crate::incident::permissions::PERMISSIONS,
    crate::rectification::permissions::PERMISSIONS,
    crate::document::permissions::PERMISSIONS,
    crate::training::permissions::PERMISSIONS,
    crate::inspection::permissions::PERMISSIONS,
    crate::goal::permissions::PERMISSIONS,
    crate::custody::permissions::PERMISSIONS,
    crate::continuity::permissions::PERMISSIONS,
    KERNEL,
];

/// Every row of the permission table, in display order.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    TABLE.iter().flat_map(|rows| rows.iter())
}

/// A row of the table.
pub(crate) const fn rule(resource: Resource, action: Action, who: Who) -> Rule {
    Rule {
        resource,
        action,
        who,
    }
}

/// The rule for a (resource, action) pair, if the table has one.
pub fn rule_for(resource: Resource, action: Action) -> Option<&'static Rule> {
    rules().find(|r| r.resource == resource && r.action == action)
}

/// Whether holding `role` (without a department limit) is enough for the action.
pub fn role_allows(role: Role, resource: Resource, action: Action) -> bool {
    match rule_for(resource, action).map(|r| r.who) {
        Some(Who::AnyUser) => true,
        Some(Who::Roles(roles)) => roles.contains(&role),
        None => false,
    }
}

/// A role held by a user, optionally limited to a department and its sub-departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The department the role is limited to; `None` means the whole organization.
    pub department_id: Option<DepartmentId>,
}

/// The path of a department from the root down to itself (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DepartmentPath(pub Vec<DepartmentId>);

impl DepartmentPath {
    /// True when `dept` is this department or one of its ancestors.
    pub fn is_within(&self, dept: DepartmentId) -> bool {
        self.0.contains(&dept)
    }

    /// The department itself (the last element).
    pub fn leaf(&self) -> Option<DepartmentId> {
        self.0.last().copied()
    }

    /// The stored form, `/1/4/9/`, which makes subtree queries a prefix match.
    pub fn to_db(&self) -> String {
        let mut s = String::from("/");
        for id in &self.0 {
            s.push_str(&id.0.to_string());
            s.push('/');
        }
        s
    }

    /// Parses the stored form; `None` when it is malformed.
    pub fn from_db(s: &str) -> Option<Self> {
        if s == "/" {
            return Some(DepartmentPath(Vec::new()));
        }
        let inner = s.strip_prefix('/')?.strip_suffix('/')?;
        inner
            .split('/')
            .map(|p| p.parse::<i64>().ok().map(DepartmentId))
            .collect::<Option<Vec<_>>>()
            .map(DepartmentPath)
    }
}

/// What an action is aimed at, for scope checks.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Something organization-wide (the audit log, the role catalog, a root department,
    /// a user without a department): only grants without a department limit count.
    Global,
    /// Something that belongs to a department with this path.
    Department(&'a DepartmentPath),
}

/// Which part of the organization a caller may see in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// Records of these departments and their sub-departments only.
    Departments(Vec<DepartmentId>),
}

/// The signed-in caller, as every service receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user's id.
    pub user_id: UserId,
    /// The user's login name.
    pub username: String,
    /// The name shown to others.
    pub display_name: String,
    /// The roles the user holds.
    pub grants: Vec<Grant>,
}

impl Principal {
    /// The roles whose grants reach `path`: organization-wide ones, and those limited to a
    /// department containing it (`None`: an item of no department, which only
    /// organization-wide grants reach).
    pub fn roles_over(&self, path: Option<&DepartmentPath>) -> Vec<Role> {
        self.grants
            .iter()
            .filter(|g| match (g.department_id, path) {
                (None, _) => true,
                (Some(d), Some(p)) => p.is_within(d),
                (Some(_), None) => false,
            })
            .map(|g| g.role)
            .collect()
    }

    /// Allows the action on the target or explains the refusal.
    pub fn authorize(
        &self,
        resource: Resource,
        action: Action,
        target: Target<'_>,
    ) -> Result<(), DomainError> {
        if self.is_allowed(resource, action, target) {
            Ok(())
        } else {
            Err(DomainError::Forbidden { resource, action })
        }
    }

    /// Whether the action on the target is allowed (for showing or hiding buttons).
    pub fn is_allowed(&self, resource: Resource, action: Action, target: Target<'_>) -> bool {
        let Some(rule) = rule_for(resource, action) else {
            return false;
        };
        let roles = match rule.who {
            Who::AnyUser => return true,
            Who::Roles(roles) => roles,
        };
        self.grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .any(|g| match (g.department_id, target) {
                (None, _) => true,
                (Some(scope), Target::Department(path)) => path.is_within(scope),
                (Some(_), Target::Global) => false,
            })
    }

    /// Whether any grant (scoped or not) allows the action somewhere: enough to show a
    /// menu entry or a "new" button whose target is chosen later.
    pub fn may_somewhere(&self, resource: Resource, action: Action) -> bool {
        self.read_scope(resource, action).is_ok()
    }

    /// The part of the organization in which the action is allowed, or the refusal when it
    /// is allowed nowhere. Lists filter by this.
    pub fn read_scope(&self, resource: Resource, action: Action) -> Result<Scope, DomainError> {
        let forbidden = DomainError::Forbidden { resource, action };
        let rule = rule_for(resource, action).ok_or(forbidden.clone())?;
        let roles = match rule.who {
            Who::AnyUser => return Ok(Scope::All),
            Who::Roles(roles) => roles,
        };
        let mut departments = Vec::new();
        for grant in self.grants.iter().filter(|g| roles.contains(&g.role)) {
            match grant.department_id {
                None => return Ok(Scope::All),
                Some(d) if !departments.contains(&d) => departments.push(d),
                Some(_) => {}
            }
        }
        if departments.is_empty() {
            Err(forbidden)
        } else {
            Ok(Scope::Departments(departments))
        }
    }

    /// Whether the caller may `action` a user account (edit, disable, reset the password,
    /// change roles, end sessions): the action must be allowed over the user's home
    /// department **and** over the scope of every grant the user holds (SPEC §1), so a
    /// department-limited administrator never acts on someone with wider rights.
    /// `grant_scopes` are the targets of the user's grants (`Target::Global` for a grant
    /// without a department limit).
    pub fn may_act_on_user(
        &self,
        action: Action,
        home: Target<'_>,
        grant_scopes: &[Target<'_>],
    ) -> bool {
        self.is_allowed(Resource::User, action, home)
            && grant_scopes
                .iter()
                .all(|scope| self.is_allowed(Resource::User, action, *scope))
    }

    /// [`Principal::may_act_on_user`], or the refusal.
    pub fn authorize_on_user(
        &self,
        action: Action,
        home: Target<'_>,
        grant_scopes: &[Target<'_>],
    ) -> Result<(), DomainError> {
        if self.may_act_on_user(action, home, grant_scopes) {
            Ok(())
        } else {
            Err(DomainError::Forbidden {
                resource: Resource::User,
                action,
            })
        }
    }

    /// True when the user holds `role` in any scope.
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(grants: &[(Role, Option<i64>)]) -> Principal {
        Principal {
            user_id: UserId(1),
            username: "u".into(),
            display_name: "U".into(),
            grants: grants
                .iter()
                .map(|(role, d)| Grant {
                    role: *role,
                    department_id: d.map(DepartmentId),
                })
                .collect(),
        }
    }

    #[test]
    fn no_pair_is_listed_twice() {
        for (i, a) in rules().enumerate() {
            for b in rules().skip(i + 1) {
                assert!(
                    !(a.resource == b.resource && a.action == b.action),
                    "{} {} listed twice",
                    a.resource,
                    a.action
                );
            }
        }
    }

    #[test]
    fn unlisted_pairs_are_denied_to_everyone() {
        let admin = principal(&[(Role::Admin, None)]);
        assert!(!admin.is_allowed(Resource::AuditLog, Action::Delete, Target::Global));
        assert!(!admin.is_allowed(Resource::Role, Action::Update, Target::Global));
    }

    #[test]
    fn a_user_without_roles_only_has_self_service() {
        let nobody = principal(&[]);
        for resource in Resource::ALL {
            for action in Action::ALL {
                let expected =
                    matches!(rule_for(resource, action), Some(r) if r.who == Who::AnyUser);
                assert_eq!(
                    nobody.is_allowed(resource, action, Target::Global),
                    expected,
                    "{resource} {action}"
                );
            }
        }
    }

    #[test]
    fn auditor_reads_audit_log_but_changes_nothing() {
        let auditor = principal(&[(Role::Auditor, None)]);
        assert!(auditor.is_allowed(Resource::AuditLog, Action::Read, Target::Global));
        for rule in rules() {
            if rule.action != Action::Read && rule.who != Who::AnyUser {
                assert!(
                    !auditor.is_allowed(rule.resource, rule.action, Target::Global),
                    "auditor may {} {}",
                    rule.action,
                    rule.resource
                );
            }
        }
    }

    #[test]
    fn scoped_grants_only_reach_their_subtree() {
        let scoped = principal(&[(Role::Admin, Some(4))]);
        let inside = DepartmentPath(vec![DepartmentId(1), DepartmentId(4), DepartmentId(9)]);
        let outside = DepartmentPath(vec![DepartmentId(1), DepartmentId(5)]);
        assert!(scoped.is_allowed(Resource::User, Action::Update, Target::Department(&inside)));
        assert!(!scoped.is_allowed(Resource::User, Action::Update, Target::Department(&outside)));
        assert!(!scoped.is_allowed(Resource::User, Action::Update, Target::Global));
        assert_eq!(
            scoped.read_scope(Resource::User, Action::Read),
            Ok(Scope::Departments(vec![DepartmentId(4)]))
        );
        let both = principal(&[(Role::Admin, Some(4)), (Role::Auditor, None)]);
        assert_eq!(
            both.read_scope(Resource::User, Action::Read),
            Ok(Scope::All)
        );
        let staff = principal(&[(Role::Staff, None)]);
        assert!(staff.read_scope(Resource::User, Action::Read).is_err());
    }

    #[test]
    fn scoped_grants_act_only_on_users_whose_every_grant_is_inside() {
        let a = DepartmentPath(vec![DepartmentId(1)]);
        let a1 = DepartmentPath(vec![DepartmentId(1), DepartmentId(2)]);
        let b = DepartmentPath(vec![DepartmentId(3)]);
        let in_a = Target::Department(&a1);
        let scoped = principal(&[(Role::Admin, Some(1))]);
        let global = principal(&[(Role::Admin, None)]);
        // A user homed in A1 with no grants, or grants inside A: yes.
        assert!(scoped.may_act_on_user(Action::Update, in_a, &[]));
        assert!(scoped.may_act_on_user(Action::Update, in_a, &[Target::Department(&a)]));
        // Any grant outside A, or organization-wide: no, whatever the home department.
        for outside in [Target::Global, Target::Department(&b)] {
            assert!(!scoped.may_act_on_user(Action::Update, in_a, &[outside]));
            assert!(!scoped.may_act_on_user(
                Action::Update,
                in_a,
                &[Target::Department(&a), outside]
            ));
            assert!(global.may_act_on_user(Action::Update, in_a, &[outside]));
        }
        assert!(
            scoped
                .authorize_on_user(Action::Update, in_a, &[Target::Global])
                .is_err()
        );
        // The home department still counts.
        assert!(!scoped.may_act_on_user(Action::Update, Target::Department(&b), &[]));
    }

    #[test]
    fn department_paths_round_trip() {
        let path = DepartmentPath(vec![DepartmentId(1), DepartmentId(42)]);
        assert_eq!(path.to_db(), "/1/42/");
        assert_eq!(DepartmentPath::from_db("/1/42/"), Some(path));
        assert_eq!(DepartmentPath::from_db("/"), Some(DepartmentPath(vec![])));
        assert_eq!(DepartmentPath::from_db("1/42"), None);
        assert_eq!(DepartmentPath::from_db("/1/x/"), None);
    }
}
