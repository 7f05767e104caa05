//! The application error: a domain refusal (shown to the caller) or an internal failure
//! (logged with its cause, shown as an opaque 500).

use castellan_domain::error::KernelConflict;
use castellan_domain::{Conflict, DomainError};

/// What a service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request was refused by a rule; safe to show.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Something broke (database down, corrupt row). Never shown in detail.
    #[error("internal error: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl From<castellan_store::DbError> for Error {
    fn from(e: castellan_store::DbError) -> Self {
        // A unique index caught what the field checks missed (two requests racing).
        if e.is_unique_violation() {
            return Error::Domain(KernelConflict::Duplicate.into());
        }
        if matches!(e, castellan_store::DbError::BadCursor) {
            return castellan_domain::paging::Cursor::invalid().into();
        }
        Error::Internal(Box::new(e))
    }
}

impl From<castellan_domain::FieldErrors> for Error {
    fn from(e: castellan_domain::FieldErrors) -> Self {
        Error::Domain(DomainError::Validation(e))
    }
}

/// Conflicts convert into errors, the kernel's and every area's.
macro_rules! from_conflicts {
    ($($t:ty),+ $(,)?) => {
        $(impl From<$t> for Error {
            fn from(c: $t) -> Self {
                Error::Domain(DomainError::Conflict(c.into()))
            }
        })+
    };
}

from_conflicts!(
    Conflict,
    castellan_domain::error::KernelConflict,
    castellan_domain::org::OrgConflict,
    castellan_domain::asset::AssetConflict,
    castellan_domain::risk::RiskConflict,
    castellan_domain::incident::IncidentConflict,
    castellan_domain::rectification::RectificationConflict,
    castellan_domain::document::DocumentConflict,
    castellan_domain::training::TrainingConflict,
    castellan_domain::inspection::InspectionConflict,
    castellan_domain::goal::GoalConflict,
    castellan_domain::custody::CustodyConflict,
    castellan_domain::continuity::ContinuityConflict,
);

impl Error {
    /// An internal error from any cause.
    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Internal(e.into())
    }

    /// The domain error, if this is one.
    pub fn domain(&self) -> Option<&DomainError> {
        match self {
            Error::Domain(d) => Some(d),
            Error::Internal(_) => None,
        }
    }
}

/// Result of a service call.
pub type Result<T, E = Error> = std::result::Result<T, E>;
