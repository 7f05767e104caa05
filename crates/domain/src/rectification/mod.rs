//! Rectification tasks (SPEC §6.3): what must be put right after an incident (and, later,
//! a failed inspection item, a drill or an audit), by whom and by when; done by the
//! responsible person, then verified — or reopened — by someone else.

pub mod audit;
mod conflict;
mod model;
pub mod permissions;

pub use conflict::RectificationConflict;
pub use model::*;
