//! Castellan's domain: the rules of an information security management system, free of
//! I/O. Nothing here knows HTTP, JSON transport or SQL; the storage, application and web
//! crates depend on this one and never the other way round.

// The kernel, shared by every area.
pub mod attachment;
pub mod audit;
pub mod error;
pub mod history;
pub mod ids;
pub mod lang;
mod macros;
pub mod paging;
pub mod permission;
pub mod role;
pub mod sod;
pub mod time;
pub mod values;
pub mod workflow;

// The areas, one folder each.
pub mod asset;
pub mod continuity;
pub mod custody;
pub mod document;
pub mod goal;
pub mod incident;
pub mod inspection;
pub mod org;
pub mod rectification;
pub mod request;
pub mod risk;
pub mod training;

pub use error::{Conflict, DomainError, FieldError, FieldErrorKind, FieldErrors};
pub use ids::{AssetId, DepartmentId, TokenId, UserId};
pub use lang::{Lang, Text};
pub use permission::{Action, DepartmentPath, Grant, Principal, Resource, Scope, Target};
pub use role::Role;
pub use time::{Day, Timestamp};
