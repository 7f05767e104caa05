//! The one domain error type. Each variant has a stable code; the web crate maps it once to
//! problem+json and once to an HTML message, and translates by code.

use crate::lang::Text;
use crate::macros::coded_enum;
use crate::permission::{Action, Resource};

/// Why a single input field was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// The field is missing or blank.
    Required,
    /// Shorter than `min` characters.
    TooShort {
        /// Minimum length in characters.
        min: usize,
    },
    /// Longer than `max` characters.
    TooLong {
        /// Maximum length in characters.
        max: usize,
    },
    /// Not in the expected format (the hint says which).
    Invalid {
        /// The expected format in both languages: the API's messages show the English, the
        /// pages the reader's language. Declared where the rule is, so none can lack a
        /// translation.
        hint: Text,
    },
    /// Not one of the allowed codes.
    UnknownValue {
        /// The codes that are accepted.
        allowed: Vec<&'static str>,
    },
    /// A number outside its range.
    OutOfRange {
        /// Lowest allowed value.
        min: i64,
        /// Highest allowed value.
        max: i64,
    },
    /// Another record already uses this value.
    Taken,
    /// Refers to a record that does not exist.
    NoSuchRecord,
    /// The password contains the username.
    PasswordContainsUsername,
    /// The current password given to confirm a change is wrong.
    WrongPassword,
    /// A value appears twice in a list.
    Duplicate,
    /// The person named does not hold a role the field needs (organization-wide, where
    /// `organization_wide`: a department-limited grant does not reach organization-wide
    /// work such as an assessment).
    RoleRequired {
        /// The roles that qualify.
        roles: &'static [crate::role::Role],
        /// Whether only grants without a department limit count.
        organization_wide: bool,
    },
}

impl FieldErrorKind {
    /// Not in the expected format, described in English and Chinese.
    pub const fn invalid(en: &'static str, zh: &'static str) -> FieldErrorKind {
        FieldErrorKind::Invalid {
            hint: Text { en, zh },
        }
    }

    /// Stable machine-readable code (API clients and translations key on it).
    pub fn code(&self) -> &'static str {
        match self {
            FieldErrorKind::Required => "required",
            FieldErrorKind::TooShort { .. } => "too_short",
            FieldErrorKind::TooLong { .. } => "too_long",
            FieldErrorKind::Invalid { .. } => "invalid",
            FieldErrorKind::UnknownValue { .. } => "unknown_value",
            FieldErrorKind::OutOfRange { .. } => "out_of_range",
            FieldErrorKind::Taken => "taken",
            FieldErrorKind::NoSuchRecord => "no_such_record",
            FieldErrorKind::PasswordContainsUsername => "password_contains_username",
            FieldErrorKind::WrongPassword => "wrong_password",
            FieldErrorKind::Duplicate => "duplicate",
            FieldErrorKind::RoleRequired { .. } => "role_required",
        }
    }
}

impl std::fmt::Display for FieldErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldErrorKind::Required => f.write_str("is required"),
            FieldErrorKind::TooShort { min } => write!(f, "must be at least {min} characters"),
            FieldErrorKind::TooLong { max } => write!(f, "must be at most {max} characters"),
            FieldErrorKind::Invalid { hint } => write!(f, "is not valid: {}", hint.en),
            FieldErrorKind::UnknownValue { allowed } => {
                write!(f, "must be one of: {}", allowed.join(", "))
            }
            FieldErrorKind::OutOfRange { min, max } => {
                write!(f, "must be between {min} and {max}")
            }
            FieldErrorKind::Taken => f.write_str("is already in use"),
            FieldErrorKind::NoSuchRecord => f.write_str("refers to a record that does not exist"),
            FieldErrorKind::PasswordContainsUsername => {
                f.write_str("must not contain the username")
            }
            FieldErrorKind::WrongPassword => f.write_str("is not the current password"),
            FieldErrorKind::Duplicate => f.write_str("contains the same entry twice"),
            FieldErrorKind::RoleRequired {
                roles,
                organization_wide,
            } => {
                let names: Vec<&str> = roles.iter().map(|r| r.code()).collect();
                write!(
                    f,
                    "must name someone holding {}{}",
                    names.join(" or "),
                    if *organization_wide {
                        " without a department limit"
                    } else {
                        ""
                    }
                )
            }
        }
    }
}

/// One refused field: its API name and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's API name (`username`, `roles[1].role`, …).
    pub field: String,
    /// Why it was refused.
    pub kind: FieldErrorKind,
}

/// All refused fields of one input, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        FieldErrors(Vec::new())
    }

    /// Records that `field` was refused for `kind`.
    pub fn add(&mut self, field: impl Into<String>, kind: FieldErrorKind) {
        self.0.push(FieldError {
            field: field.into(),
            kind,
        });
    }

    /// Records the error of a parse result and returns its value, if any.
    pub fn check<T>(&mut self, field: &str, result: Result<T, FieldErrorKind>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(kind) => {
                self.add(field, kind);
                None
            }
        }
    }

    /// Adds every error of `other`.
    pub fn merge(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    /// True when nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The refused fields.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// The first error recorded for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&FieldErrorKind> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.kind)
    }

    /// `Ok(())` when empty, else the validation error carrying every refused field.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self))
        }
    }

    /// A validation error for a single field.
    pub fn single(field: impl Into<String>, kind: FieldErrorKind) -> DomainError {
        let mut errors = FieldErrors::new();
        errors.add(field, kind);
        DomainError::Validation(errors)
    }
}

coded_enum! {
    /// The kernel's conflicts: the workflow engine's and storage's. Each reads
    /// `Variant => ("code", "English message", "中文说明")`.
    pub enum KernelConflict {

    /// Nobody approves what they created or submitted (separation of duties).
        SelfApproval => ("self_approval", "Separation of duties: you cannot approve something you created or submitted.", "职责分离：不能审批自己创建或提交的事项。"),

    /// A value that must be unique is already used (a race the field check did not see).
        Duplicate => ("duplicate", "A record with the same unique value already exists.", "已存在具有相同唯一值的记录。"),

    /// The record is used elsewhere and cannot be removed.
        InUse => ("in_use", "The record is in use elsewhere and cannot be removed.", "该记录仍被其他数据引用，不能删除。"),

    /// The decision is already recorded; it cannot be made again or changed.
        AlreadyDecided => ("already_decided", "This decision is already recorded; it cannot be made again or changed.", "该决定已经记录，不能重复作出或更改。"),

    /// The assessment workflow has no such move from the current phase.
        PhaseMove => ("phase_move_not_allowed", "This move is not possible from the state the item is in now.", "当前状态下不能进行该流转。"),

    /// No approval chain applies to this kind of item and impact.
        NoChain => ("no_approval_chain", "No approval chain applies to this kind of request and impact. Ask an administrator or the security officer to set one up.", "没有适用于该类申请和影响程度的审批流程，请联系系统管理员或安全管理负责人配置。"),
    }
}

/// A state that forbids the requested change (HTTP 409): a conflict the kernel or an area
/// declares (`<area>::…Conflict`), each with its stable code and its message in both
/// languages, so none can lack a translation. A new area adds its own line here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The kernel's.
    Kernel(KernelConflict),
    /// The organization area's.
    Org(crate::org::OrgConflict),
    /// The asset area's.
    Asset(crate::asset::AssetConflict),
    /// The risk area's.
    Risk(crate::risk::RiskConflict),
    /// The incident area's.
    Incident(crate::incident::IncidentConflict),
    /// The rectification area's.
    Rectification(crate::rectification::RectificationConflict),
    /// The document area's.
    Document(crate::document::DocumentConflict),
    /// The training area's.
    Training(crate::training::TrainingConflict),
    /// The inspection area's.
    Inspection(crate::inspection::InspectionConflict),
    /// The goal area's.
    Goal(crate::goal::GoalConflict),
    /// The custody area's.
    Custody(crate::custody::CustodyConflict),
    /// The continuity area's.
    Continuity(crate::continuity::ContinuityConflict),
}

macro_rules! conflicts {
    ($($variant:ident($t:ty)),+ $(,)?) => {
        impl Conflict {
            /// Stable machine-readable code.
            pub fn code(self) -> &'static str {
                match self {
                    $(Conflict::$variant(c) => c.code(),)+
                }
            }

            /// The explanation in both languages (the API's problem detail is the English).
            pub fn message(self) -> Text {
                match self {
                    $(Conflict::$variant(c) => c.label(),)+
                }
            }

            /// Every conflict any area declares.
            pub fn all() -> Vec<Conflict> {
                let mut all = Vec::new();
                $(all.extend(<$t>::ALL.into_iter().map(Conflict::$variant));)+
                all
            }
        }
        $(
            impl From<$t> for Conflict {
                fn from(c: $t) -> Self {
                    Conflict::$variant(c)
                }
            }
            impl From<$t> for DomainError {
                fn from(c: $t) -> Self {
                    DomainError::Conflict(Conflict::$variant(c))
                }
            }
        )+
    };
}

conflicts!(
    Kernel(KernelConflict),
    Org(crate::org::OrgConflict),
    Asset(crate::asset::AssetConflict),
    Risk(crate::risk::RiskConflict),
    Incident(crate::incident::IncidentConflict),
    Rectification(crate::rectification::RectificationConflict),
    Document(crate::document::DocumentConflict),
    Training(crate::training::TrainingConflict),
    Inspection(crate::inspection::InspectionConflict),
    Goal(crate::goal::GoalConflict),
    Custody(crate::custody::CustodyConflict),
    Continuity(crate::continuity::ContinuityConflict),
);

/// Everything the domain can refuse. Infrastructure failures are not here: they are the
/// application layer's `Internal` errors and never reach a user in detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Some fields are invalid (HTTP 422).
    #[error("the input is not valid")]
    Validation(FieldErrors),
    /// The request itself is malformed (HTTP 400): bad JSON, a bad cursor, a bad header.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No such record (HTTP 404).
    #[error("{entity} not found")]
    NotFound {
        /// The kind of record (`department`, `user`, …).
        entity: &'static str,
    },
    /// The current state forbids the change (HTTP 409).
    #[error("{}", .0.message().en)]
    Conflict(Conflict),
    /// The record changed since the client read it (HTTP 412).
    #[error("the record was changed by someone else (current version {current})")]
    StaleVersion {
        /// The version now stored.
        current: i64,
    },
    /// An update was sent without `If-Match` (HTTP 428).
    #[error("this update needs an If-Match header with the version you read")]
    PreconditionRequired,
    /// No valid credentials (HTTP 401).
    #[error("authentication required")]
    Unauthenticated,
    /// Login refused: unknown user, wrong password or disabled account, deliberately
    /// indistinguishable (HTTP 401).
    #[error("invalid username or password")]
    InvalidCredentials,
    /// The caller lacks the permission (HTTP 403).
    #[error("you are not allowed to {action} {resource}")]
    Forbidden {
        /// The resource that was refused.
        resource: Resource,
        /// The action that was refused.
        action: Action,
    },
    /// Too many failed attempts; try again after some seconds (HTTP 429).
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// The request body is larger than allowed (HTTP 413).
    #[error("the request body exceeds the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl DomainError {
    /// Stable machine-readable code, used in problem `type` URIs and for translation.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Validation(_) => "validation",
            DomainError::BadRequest(_) => "bad_request",
            DomainError::NotFound { .. } => "not_found",
            DomainError::Conflict(c) => c.code(),
            DomainError::StaleVersion { .. } => "stale_version",
            DomainError::PreconditionRequired => "precondition_required",
            DomainError::Unauthenticated => "unauthenticated",
            DomainError::InvalidCredentials => "invalid_credentials",
            DomainError::Forbidden { .. } => "forbidden",
            DomainError::Throttled { .. } => "throttled",
            DomainError::PayloadTooLarge { .. } => "payload_too_large",
        }
    }

    /// Shorthand for a missing record.
    pub fn not_found(entity: &'static str) -> Self {
        DomainError::NotFound { entity }
    }
}

impl From<Conflict> for DomainError {
    fn from(c: Conflict) -> Self {
        DomainError::Conflict(c)
    }
}

#[cfg(test)]
mod conflict_tests {
    use super::*;

    #[test]
    fn every_conflict_has_a_unique_code_and_a_message_in_both_languages() {
        let all = Conflict::all();
        let mut codes: Vec<&str> = all.iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "two conflicts share a code");
        for c in all {
            let m = c.message();
            assert!(m.en.ends_with('.'), "{}: {}", c.code(), m.en);
            assert!(
                m.zh.chars()
                    .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                "{}: {}",
                c.code(),
                m.zh
            );
        }
        // Codes the API has always answered with stay as they were.
        assert_eq!(
            Conflict::from(KernelConflict::PhaseMove).code(),
            "phase_move_not_allowed"
        );
        assert_eq!(
            Conflict::from(crate::asset::AssetConflict::LifecycleMove).code(),
            "lifecycle_not_allowed"
        );
    }
}
