//! What the asset area writes to the audit trail: lifecycle events are recorded under their
//! own kind (`purchase`, `deploy`, …).

use super::EventKind;
use crate::audit::audit_code;
use crate::macros::coded_enum;

coded_enum! {
    /// The area's records.
    pub enum AssetRecord {
        /// An asset of the register.
        Asset => ("asset", "Asset", "资产"),
    }
}

audit_code!(AssetRecord, EventKind);

/// The area's actions: the lifecycle events.
pub const ACTIONS: &[EventKind] = &EventKind::ALL;
/// The area's records.
pub const RECORDS: &[AssetRecord] = &AssetRecord::ALL;
