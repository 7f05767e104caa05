//! The risk area (SPEC §4): risk analysis by the GB/T 20984 methods (`analysis`, re-exported
//! here), the assessment workflow (`assessment`), the threat catalog (`threat`), findings and
//! controls (`finding`), and the records of risk assessment (`register`).

mod analysis;
pub mod assessment;
pub mod audit;
mod conflict;
pub mod finding;
pub mod permissions;
pub mod register;
pub mod threat;

pub use analysis::*;
pub use conflict::RiskConflict;
