//! Controlled documents (SPEC §6.2): policies, procedures, specifications, records,
//! templates and plans, each with numbered versions that are reviewed, approved and made
//! effective on the workflow engine, reviewed again on a schedule, and acknowledged by the
//! staff they are addressed to.

pub mod audit;
mod conflict;
mod model;
pub mod permissions;
mod record;
pub mod starter;

pub use conflict::DocumentConflict;
pub use model::*;
pub use record::*;
