//! Castellan's domain: the rules of an information security management system, free of
//! I/O. Nothing here knows HTTP, JSON transport or SQL; the storage, application and web
//! crates depend on this one and never the other way round.

pub mod assessment;
pub mod asset;
pub mod audit;
pub mod error;
pub mod finding;
pub mod ids;
pub mod lang;
pub mod org;
pub mod paging;
pub mod permission;
pub mod register;
pub mod risk;
pub mod risk_register;
pub mod role;
pub mod sod;
pub mod threat;
pub mod time;
pub mod values;

pub use error::{Conflict, DomainError, FieldError, FieldErrorKind, FieldErrors};
pub use ids::{AssetId, DepartmentId, TokenId, UserId};
pub use lang::{Lang, Text};
pub use permission::{Action, DepartmentPath, Grant, Principal, Resource, Scope, Target};
pub use role::Role;
pub use time::{Day, Timestamp};
