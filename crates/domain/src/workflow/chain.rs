//! Approval chains (SPEC §6.0): who approves a submitted item, step by step. A chain applies
//! to one kind of item and one impact; each step names a role (or the pseudo-role
//! `department_head`), whether the role's grant must cover the requester's department, and
//! how many approvals the step needs. An item keeps the steps of the chain version it was
//! submitted with, so editing a chain never changes items in flight.

use crate::error::{FieldErrorKind, FieldErrors};
use crate::ids::{DepartmentId, UserId};
use crate::lang::Text;
use crate::macros::coded_enum;
use crate::permission::{DepartmentPath, Grant};
use crate::role::Role;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// How far-reaching an item is; a major one needs a longer chain.
    pub enum Impact {
        /// Everyday changes and requests.
        Normal => ("normal", "Normal", "一般"),
        /// Changes that the committee must also approve.
        Major => ("major", "Major", "重大"),
    }
}

coded_enum! {
    /// Whose grant counts for a step.
    pub enum StepScope {
        /// A holder of the role anywhere.
        Any => ("any", "Anyone holding the role", "任意持有该角色者"),
        /// A holder whose grant covers the requester's department.
        RequesterDepartment => ("requester_department", "Holder covering the requester's department", "覆盖申请人部门的角色持有者"),
    }
}

/// Who approves a step: a role, or the head of the requester's department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepRole {
    /// A holder of the role.
    Role(Role),
    /// The head (`head_id`) of the requester's department, or of the nearest department
    /// above it that names one.
    DepartmentHead,
}

impl StepRole {
    /// Stable code: the role's code or `department_head`.
    pub fn code(self) -> &'static str {
        match self {
            StepRole::Role(r) => r.code(),
            StepRole::DepartmentHead => "department_head",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Result<Self, FieldErrorKind> {
        if code == "department_head" {
            return Ok(StepRole::DepartmentHead);
        }
        Role::from_code(code)
            .map(StepRole::Role)
            .ok_or_else(|| FieldErrorKind::UnknownValue {
                allowed: std::iter::once("department_head")
                    .chain(Role::ALL.iter().map(|r| r.code()))
                    .collect(),
            })
    }

    /// Label in both languages.
    pub fn label(self) -> Text {
        match self {
            StepRole::Role(r) => r.label(),
            StepRole::DepartmentHead => Text {
                en: "Department head",
                zh: "部门负责人",
            },
        }
    }
}

impl Serialize for StepRole {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for StepRole {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        StepRole::from_code(&s).map_err(|_| serde::de::Error::custom("unknown approver role"))
    }
}

/// One step of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Its name ("部门负责人审批").
    pub name: String,
    /// Who approves.
    pub approver_role: StepRole,
    /// Whose grant counts.
    pub scope: StepScope,
    /// How many distinct approvers must approve before the item moves on.
    pub min_approvals: u32,
}

impl Step {
    /// Its name, or its approver's label in `lang` when it has none (the shipped chains).
    pub fn shown_name(&self, lang: crate::lang::Lang) -> String {
        if self.name.is_empty() {
            self.approver_role.label().get(lang).to_owned()
        } else {
            self.name.clone()
        }
    }
}

/// A chain's name, or one made of its kind and impact in `lang` when it has none.
pub fn shown_chain_name(
    name: &str,
    applies_to: &str,
    impact: Impact,
    lang: crate::lang::Lang,
) -> String {
    if !name.is_empty() {
        return name.to_owned();
    }
    match lang {
        crate::lang::Lang::ZhCn => format!("{applies_to}（{}）", impact.label().zh),
        crate::lang::Lang::En => format!("{applies_to} ({})", impact.label().en.to_lowercase()),
    }
}

/// A chain as its editor gives it, before checks.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// Name.
    pub name: String,
    /// Role code or `department_head`.
    pub approver_role: String,
    /// `any` or `requester_department`.
    pub scope: String,
    /// At least 1.
    pub min_approvals: i64,
}

/// The most steps a chain may have.
pub const MAX_STEPS: usize = 10;
/// The most approvals one step may require.
pub const MAX_APPROVALS: i64 = 10;

/// Checks a chain's steps: at least one, at most [`MAX_STEPS`], each named, with an existing
/// role and scope and 1 to [`MAX_APPROVALS`] approvals. Field errors are named
/// `steps[i].field`.
pub fn check_steps(input: &[StepInput]) -> Result<Vec<Step>, FieldErrors> {
    check_steps_into(input, FieldErrors::new())
}

/// [`check_steps`], adding to errors already found in the rest of the chain.
pub fn check_steps_into(
    input: &[StepInput],
    errors: FieldErrors,
) -> Result<Vec<Step>, FieldErrors> {
    let mut errors = errors;
    if input.is_empty() {
        errors.add("steps", FieldErrorKind::Required);
    }
    if input.len() > MAX_STEPS {
        errors.add(
            "steps",
            FieldErrorKind::OutOfRange {
                min: 1,
                max: MAX_STEPS as i64,
            },
        );
    }
    let mut steps = Vec::new();
    for (i, s) in input.iter().enumerate() {
        let name = s.name.trim();
        if name.is_empty() {
            errors.add(format!("steps[{i}].name"), FieldErrorKind::Required);
        } else if name.chars().count() > 100 {
            errors.add(
                format!("steps[{i}].name"),
                FieldErrorKind::TooLong { max: 100 },
            );
        }
        let role = errors.check(
            &format!("steps[{i}].approver_role"),
            StepRole::from_code(s.approver_role.trim()),
        );
        let scope = errors.check(
            &format!("steps[{i}].scope"),
            StepScope::from_code(s.scope.trim()),
        );
        if !(1..=MAX_APPROVALS).contains(&s.min_approvals) {
            errors.add(
                format!("steps[{i}].min_approvals"),
                FieldErrorKind::OutOfRange {
                    min: 1,
                    max: MAX_APPROVALS,
                },
            );
        }
        if let (Some(approver_role), Some(scope)) = (role, scope) {
            steps.push(Step {
                name: name.to_owned(),
                approver_role,
                scope,
                min_approvals: s.min_approvals.clamp(1, MAX_APPROVALS) as u32,
            });
        }
    }
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(errors)
    }
}

/// What the engine needs to know about an item to name its step's approvers.
#[derive(Debug, Clone, Copy)]
pub struct ItemOrigin<'a> {
    /// The requester's department, root first (empty when the requester has none).
    pub department: &'a DepartmentPath,
    /// The head of the requester's department or of the nearest department above naming one.
    pub department_head: Option<UserId>,
}

/// Whether a user holding `grants` approves `step` of an item from `origin`. Separation of
/// duties is the engine's concern, not this function's.
pub fn is_step_approver(
    step: &Step,
    user: UserId,
    grants: &[Grant],
    origin: &ItemOrigin<'_>,
) -> bool {
    match step.approver_role {
        StepRole::DepartmentHead => origin.department_head == Some(user),
        StepRole::Role(role) => {
            grants
                .iter()
                .filter(|g| g.role == role)
                .any(|g| match (step.scope, g.department_id) {
                    (_, None) => true,
                    (StepScope::Any, Some(_)) => true,
                    (StepScope::RequesterDepartment, Some(d)) => origin.department.is_within(d),
                })
        }
    }
}

/// The grant a step is stored by, so that "waiting for me" finds its items by index: the
/// role code (or `department_head`), the department whose holders count (for
/// `requester_department`), and the one user (the department head).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepKey {
    /// Role code or `department_head`.
    pub role: &'static str,
    /// The requester's department, when the step's scope is limited to it.
    pub department_id: Option<DepartmentId>,
    /// The approving user, for `department_head`.
    pub user_id: Option<UserId>,
}

/// The index key of `step` for an item from `origin`.
pub fn step_key(step: &Step, origin: &ItemOrigin<'_>) -> StepKey {
    match step.approver_role {
        StepRole::DepartmentHead => StepKey {
            role: "department_head",
            department_id: None,
            user_id: origin.department_head,
        },
        StepRole::Role(r) => StepKey {
            role: r.code(),
            department_id: match step.scope {
                StepScope::Any => None,
                StepScope::RequesterDepartment => origin.department.leaf(),
            },
            user_id: None,
        },
    }
}

/// Where an item stands in its chain after one more approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The step needs more approvals.
    SameStep,
    /// The step is complete; the next one (its index) begins.
    NextStep(usize),
    /// The last step is complete: the item is approved.
    Approved,
}

/// The progress after an approval at `step` (0-based) that brings the step's approvals to
/// `approvals`.
pub fn progress(steps: &[Step], step: usize, approvals: u32) -> Progress {
    let need = steps.get(step).map_or(1, |s| s.min_approvals.max(1));
    if approvals < need {
        Progress::SameStep
    } else if step + 1 < steps.len() {
        Progress::NextStep(step + 1)
    } else {
        Progress::Approved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: &str, scope: &str, n: i64) -> StepInput {
        StepInput {
            name: "step".into(),
            approver_role: role.into(),
            scope: scope.into(),
            min_approvals: n,
        }
    }

    #[test]
    fn chains_need_steps_with_known_roles_and_sane_counts() {
        let e = check_steps(&[]).unwrap_err();
        assert!(e.get("steps").is_some());
        let e = check_steps(&[
            input("department_head", "any", 1),
            input("wizard", "any", 1),
            input("committee", "everywhere", 0),
            StepInput {
                name: "  ".into(),
                ..input("committee", "any", 11)
            },
        ])
        .unwrap_err();
        for f in [
            "steps[1].approver_role",
            "steps[2].scope",
            "steps[2].min_approvals",
            "steps[3].name",
            "steps[3].min_approvals",
        ] {
            assert!(e.get(f).is_some(), "{f}: {e:?}");
        }
        assert!(e.get("steps[0].approver_role").is_none());
        let ok = check_steps(&[
            input("department_head", "any", 1),
            input("security_admin", "requester_department", 2),
        ])
        .unwrap();
        assert_eq!(ok[0].approver_role, StepRole::DepartmentHead);
        assert_eq!(ok[1].approver_role, StepRole::Role(Role::SecurityAdmin));
        assert_eq!(ok[1].min_approvals, 2);
        let too_many: Vec<StepInput> = (0..11).map(|_| input("committee", "any", 1)).collect();
        assert!(check_steps(&too_many).unwrap_err().get("steps").is_some());
    }

    #[test]
    fn approvers_are_named_by_role_scope_and_department_head() {
        let (a, a1, b) = (DepartmentId(1), DepartmentId(2), DepartmentId(3));
        let in_a1 = DepartmentPath(vec![a, a1]);
        let origin = ItemOrigin {
            department: &in_a1,
            department_head: Some(UserId(7)),
        };
        let scoped = Step {
            name: "x".into(),
            approver_role: StepRole::Role(Role::SecurityAdmin),
            scope: StepScope::RequesterDepartment,
            min_approvals: 1,
        };
        let g = |d: Option<DepartmentId>| {
            [Grant {
                role: Role::SecurityAdmin,
                department_id: d,
            }]
        };
        let u = UserId(9);
        assert!(is_step_approver(&scoped, u, &g(None), &origin));
        assert!(is_step_approver(&scoped, u, &g(Some(a)), &origin));
        assert!(is_step_approver(&scoped, u, &g(Some(a1)), &origin));
        assert!(!is_step_approver(&scoped, u, &g(Some(b)), &origin));
        let anywhere = Step {
            scope: StepScope::Any,
            ..scoped.clone()
        };
        assert!(is_step_approver(&anywhere, u, &g(Some(b)), &origin));
        let other_role = [Grant {
            role: Role::Committee,
            department_id: None,
        }];
        assert!(!is_step_approver(&anywhere, u, &other_role, &origin));
        let head = Step {
            approver_role: StepRole::DepartmentHead,
            ..scoped.clone()
        };
        assert!(is_step_approver(&head, UserId(7), &[], &origin));
        assert!(!is_step_approver(&head, u, &g(None), &origin));
        assert_eq!(step_key(&scoped, &origin).department_id, Some(a1));
        assert_eq!(step_key(&head, &origin).user_id, Some(UserId(7)));
        assert_eq!(step_key(&anywhere, &origin).department_id, None);
    }

    #[test]
    fn steps_complete_after_their_approvals_and_the_last_one_approves() {
        let s = |n| Step {
            name: "x".into(),
            approver_role: StepRole::DepartmentHead,
            scope: StepScope::Any,
            min_approvals: n,
        };
        let steps = [s(1), s(2)];
        assert_eq!(progress(&steps, 0, 1), Progress::NextStep(1));
        assert_eq!(progress(&steps, 1, 1), Progress::SameStep);
        assert_eq!(progress(&steps, 1, 2), Progress::Approved);
    }

    #[test]
    fn step_roles_round_trip_and_name_the_allowed_codes() {
        for r in Role::ALL {
            assert_eq!(StepRole::from_code(r.code()), Ok(StepRole::Role(r)));
        }
        assert_eq!(
            serde_json::to_string(&StepRole::DepartmentHead).unwrap(),
            "\"department_head\""
        );
        match StepRole::from_code("boss") {
            Err(FieldErrorKind::UnknownValue { allowed }) => {
                assert!(allowed.contains(&"department_head") && allowed.contains(&"committee"))
            }
            other => panic!("{other:?}"),
        }
    }
}
