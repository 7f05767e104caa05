//! The asset register's records (SPEC §3): an asset and the events of its lifecycle. The
//! values and rules they are made of live in [`crate::asset`].

use crate::asset::{
    AssetStatus, Category, Classification, EventKind, Rating, ValueLevel, ValueScore, Zone,
};
use crate::ids::{AssetId, DepartmentId, UserId};
use crate::time::Timestamp;
use serde::Serialize;

/// An entry of the asset register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// System id.
    pub id: AssetId,
    /// The organization's own asset ID, unique.
    pub code: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// Department.
    pub department_id: Option<DepartmentId>,
    /// Responsible person.
    pub owner_id: Option<UserId>,
    /// Keeper or user (free text).
    pub custodian: Option<String>,
    /// Where it is.
    pub location: Option<String>,
    /// Security zone.
    pub zone: Option<Zone>,
    /// Data classification.
    pub classification: Option<Classification>,
    /// Confidentiality rating.
    pub confidentiality: Rating,
    /// Integrity rating.
    pub integrity: Rating,
    /// Availability rating.
    pub availability: Rating,
    /// Value by the organization's method.
    #[serde(serialize_with = "score_as_number")]
    pub value_score: ValueScore,
    /// Value level.
    #[serde(serialize_with = "level_as_number")]
    pub value_level: ValueLevel,
    /// Lifecycle status.
    pub status: AssetStatus,
    /// Tags.
    pub tags: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Optimistic-concurrency version, starting at 1.
    pub version: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn score_as_number<S: serde::Serializer>(v: &ValueScore, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(f64::from(v.tenths()) / 10.0)
}

fn level_as_number<S: serde::Serializer>(v: &ValueLevel, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(v.get())
}

/// Something that happened to an asset: who, when, what, and the status it moved between.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetEvent {
    /// Event id.
    pub id: i64,
    /// The asset.
    pub asset_id: AssetId,
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub at: Timestamp,
    /// Who (`None` for the host operator).
    pub actor_id: Option<UserId>,
    /// Who, by username.
    pub actor: String,
    /// Note.
    pub note: Option<String>,
    /// Status before.
    pub from_status: AssetStatus,
    /// Status after.
    pub to_status: AssetStatus,
    /// Other changes (department, owner, location), as `{"field": {"from", "to"}}`.
    pub details: Option<serde_json::Value>,
}
