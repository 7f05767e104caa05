//! The one domain error type. Each variant has a stable code; the web crate maps it once to
//! problem+json and once to an HTML message, and translates by code.

use crate::lang::Text;
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

/// A state that forbids the requested change (HTTP 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// A department that still has sub-departments cannot be deleted.
    DepartmentHasChildren,
    /// A department that still has members cannot be deleted.
    DepartmentHasMembers,
    /// A department that scopes role assignments cannot be deleted.
    DepartmentScopesRoles,
    /// A department cannot be moved below itself or one of its descendants.
    DepartmentCycle,
    /// The change would leave no active, unscoped administrator.
    LastAdministrator,
    /// Users cannot disable themselves or remove their own administrator role.
    SelfLockout,
    /// Nobody approves what they created or submitted (separation of duties).
    SelfApproval,
    /// A value that must be unique is already used (a race the field check did not see).
    Duplicate,
    /// The token is already revoked.
    AlreadyRevoked,
    /// The asset's lifecycle status does not allow this event (a retired asset allows none).
    LifecycleMove,
    /// A retired asset keeps the record it had; it cannot be edited.
    AssetRetired,
    /// A department that still holds assets cannot be deleted.
    DepartmentHasAssets,
    /// The assessment workflow has no such move from the current phase.
    PhaseMove,
    /// The change is not possible in the assessment's current phase.
    AssessmentPhase,
    /// Some risks are not rated yet.
    RisksUnrated,
    /// Some risks have no treatment option yet.
    RisksUntreated,
    /// A risk at or above the acceptance threshold is kept or accepted without the
    /// committee's approval.
    CommitteeApprovalMissing,
    /// Some residual risks are not rated yet.
    ResidualUnrated,
    /// Residual risks at or above the threshold are neither treated again nor accepted.
    ResidualAboveThreshold,
    /// The risk is below the acceptance threshold; the committee's approval is not needed.
    ApprovalNotNeeded,
    /// The same asset, threat and vulnerability are already a risk of this assessment.
    RiskExists,
    /// The record is used elsewhere and cannot be removed.
    InUse,
    /// The decision is already recorded; it cannot be made again or changed.
    AlreadyDecided,
    /// No approval chain applies to this kind of item and impact.
    NoChain,
}

impl Conflict {
    /// Stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            Conflict::DepartmentHasChildren => "department_has_children",
            Conflict::DepartmentHasMembers => "department_has_members",
            Conflict::DepartmentScopesRoles => "department_scopes_roles",
            Conflict::DepartmentCycle => "department_cycle",
            Conflict::LastAdministrator => "last_administrator",
            Conflict::SelfLockout => "self_lockout",
            Conflict::SelfApproval => "self_approval",
            Conflict::Duplicate => "duplicate",
            Conflict::AlreadyRevoked => "already_revoked",
            Conflict::LifecycleMove => "lifecycle_not_allowed",
            Conflict::AssetRetired => "asset_retired",
            Conflict::DepartmentHasAssets => "department_has_assets",
            Conflict::PhaseMove => "phase_move_not_allowed",
            Conflict::AssessmentPhase => "assessment_phase",
            Conflict::RisksUnrated => "risks_unrated",
            Conflict::RisksUntreated => "risks_untreated",
            Conflict::CommitteeApprovalMissing => "committee_approval_missing",
            Conflict::ResidualUnrated => "residual_unrated",
            Conflict::ResidualAboveThreshold => "residual_above_threshold",
            Conflict::ApprovalNotNeeded => "approval_not_needed",
            Conflict::RiskExists => "risk_exists",
            Conflict::InUse => "in_use",
            Conflict::AlreadyDecided => "already_decided",
            Conflict::NoChain => "no_approval_chain",
        }
    }

    /// English explanation (the UI translates by code).
    pub fn message(self) -> &'static str {
        match self {
            Conflict::DepartmentHasChildren => {
                "The department still has sub-departments; move or delete them first."
            }
            Conflict::DepartmentHasMembers => {
                "The department still has members; move them to another department first."
            }
            Conflict::DepartmentScopesRoles => {
                "Role assignments are limited to this department; change them first."
            }
            Conflict::DepartmentCycle => {
                "A department cannot be placed below itself or one of its sub-departments."
            }
            Conflict::LastAdministrator => {
                "This would leave no active system administrator without a department limit."
            }
            Conflict::SelfLockout => {
                "You cannot disable your own account or remove your own administrator role."
            }
            Conflict::SelfApproval => {
                "Separation of duties: you cannot approve an item you created or submitted."
            }
            Conflict::Duplicate => "A record with the same unique value already exists.",
            Conflict::AlreadyRevoked => "The token has already been revoked.",
            Conflict::LifecycleMove => {
                "This lifecycle event is not allowed in the asset's current status."
            }
            Conflict::AssetRetired => {
                "The asset is retired; its record is kept as it was and cannot be changed."
            }
            Conflict::DepartmentHasAssets => {
                "The department still holds assets; transfer them to another department first."
            }
            Conflict::PhaseMove => {
                "The assessment cannot move to that phase from the phase it is in now."
            }
            Conflict::AssessmentPhase => {
                "This change is not possible in the assessment's current phase."
            }
            Conflict::RisksUnrated => {
                "Every risk needs its threat frequency and vulnerability severity first."
            }
            Conflict::RisksUntreated => "Every risk needs a treatment option first.",
            Conflict::CommitteeApprovalMissing => {
                "A risk at or above the acceptance threshold is kept or accepted without the committee's approval."
            }
            Conflict::ResidualUnrated => "Every risk needs its residual rating first.",
            Conflict::ResidualAboveThreshold => {
                "Residual risks at or above the acceptance threshold must be treated again or accepted by the committee."
            }
            Conflict::ApprovalNotNeeded => {
                "The risk is below the acceptance threshold; it needs no committee approval."
            }
            Conflict::RiskExists => {
                "This asset, threat and vulnerability are already a risk of the assessment."
            }
            Conflict::InUse => "The record is in use elsewhere and cannot be removed.",
            Conflict::AlreadyDecided => {
                "This decision is already recorded; it cannot be made again or changed."
            }
            Conflict::NoChain => {
                "No approval chain applies to this kind of item and impact; an administrator or security officer must set one up."
            }
        }
    }
}

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
    #[error("{}", .0.message())]
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
