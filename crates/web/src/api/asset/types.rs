//! JSON shapes of the asset register (SPEC §3).

use crate::api::types::{codes, double_option, non_null};
use castellan_app::asset::assets::AssetView as Viewed;
use castellan_domain::Timestamp;
use castellan_domain::asset::register::AssetEvent;
use castellan_domain::asset::{
    AssetStatus, Category, Classification, EventKind, ValuationMethod, Zone,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

codes!(CategoryCode, "Asset category.", Category::ALL, false);
codes!(ZoneCode, "Security zone, or null.", Zone::ALL, true);
codes!(
    ClassificationCode,
    "Data classification, or null.",
    Classification::ALL,
    true
);
codes!(StatusCode, "Lifecycle status.", AssetStatus::ALL, false);
codes!(EventCode, "Lifecycle event.", EventKind::ALL, false);

/// A list of lifecycle event codes.
pub struct EventCodes;
impl PartialSchema for EventCodes {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(EventCode::schema())
            .into()
    }
}
impl ToSchema for EventCodes {}

/// An asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetView {
    /// System id.
    pub id: i64,
    /// The organization's own asset ID (unique).
    pub code: String,
    /// Name.
    pub name: String,
    /// Category.
    #[schema(schema_with = CategoryCode::schema)]
    pub category: String,
    /// Department.
    pub department_id: Option<i64>,
    /// Responsible person.
    pub owner_id: Option<i64>,
    /// Keeper or user.
    pub custodian: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Security zone.
    #[schema(schema_with = ZoneCode::schema)]
    pub zone: Option<String>,
    /// Data classification.
    #[schema(schema_with = ClassificationCode::schema)]
    pub classification: Option<String>,
    /// Confidentiality, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub confidentiality: u8,
    /// Integrity, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub integrity: u8,
    /// Availability, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub availability: u8,
    /// Asset value by the organization's method, one decimal (e.g. 4.3).
    pub value_score: f64,
    /// Value level 1 (very low) – 5 (very high).
    #[schema(minimum = 1, maximum = 5)]
    pub value_level: u8,
    /// Lifecycle status.
    #[schema(schema_with = StatusCode::schema)]
    pub status: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Lifecycle events that can be recorded now.
    #[schema(schema_with = EventCodes::schema)]
    pub allowed_events: Vec<&'static str>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Viewed> for AssetView {
    fn from(v: Viewed) -> Self {
        let a = v.asset;
        AssetView {
            id: a.id.0,
            code: a.code,
            name: a.name,
            category: a.category.code().to_owned(),
            department_id: a.department_id.map(|d| d.0),
            owner_id: a.owner_id.map(|u| u.0),
            custodian: a.custodian,
            location: a.location,
            zone: a.zone.map(|z| z.code().to_owned()),
            classification: a.classification.map(|c| c.code().to_owned()),
            confidentiality: a.confidentiality.get(),
            integrity: a.integrity.get(),
            availability: a.availability.get(),
            value_score: f64::from(a.value_score.tenths()) / 10.0,
            value_level: a.value_level.get(),
            status: a.status.code().to_owned(),
            tags: a.tags,
            notes: a.notes,
            allowed_events: v.allowed_events.iter().map(|e| e.code()).collect(),
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// A page of assets.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetList {
    /// The assets.
    pub items: Vec<AssetView>,
    /// Cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// A new asset.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetCreate {
    /// The organization's asset ID, unique, 1–64 characters without spaces.
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
    /// Name, 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Category.
    #[schema(schema_with = CategoryCode::schema)]
    pub category: String,
    /// Department.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// Responsible person (user id).
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// Keeper or user.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub custodian: Option<String>,
    /// Location.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub location: Option<String>,
    /// Security zone.
    #[serde(default)]
    #[schema(schema_with = ZoneCode::schema)]
    pub zone: Option<String>,
    /// Data classification.
    #[serde(default)]
    #[schema(schema_with = ClassificationCode::schema)]
    pub classification: Option<String>,
    /// Confidentiality, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub confidentiality: i64,
    /// Integrity, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub integrity: i64,
    /// Availability, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    pub availability: i64,
    /// Initial status: `planned` (default), `in_use` or `idle`.
    #[serde(default)]
    #[schema(schema_with = StatusCode::schema)]
    pub status: Option<String>,
    /// Tags (at most 20, each 1–32 characters without `;` or `,`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Notes.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

/// Changes to an asset; absent fields stay, `null` clears. The status changes only through
/// lifecycle events; a new department or owner is recorded as a transfer.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AssetUpdate {
    /// Asset ID.
    #[serde(default, deserialize_with = "non_null")]
    pub code: Option<String>,
    /// Name.
    #[serde(default, deserialize_with = "non_null")]
    pub name: Option<String>,
    /// Category.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = CategoryCode::schema)]
    pub category: Option<String>,
    /// Department.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    /// Responsible person.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_id: Option<Option<i64>>,
    /// Keeper.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub custodian: Option<Option<String>>,
    /// Location.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// Security zone.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = ZoneCode::schema)]
    pub zone: Option<Option<String>>,
    /// Data classification.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = ClassificationCode::schema)]
    pub classification: Option<Option<String>>,
    /// Confidentiality, 1–5.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(minimum = 1, maximum = 5)]
    pub confidentiality: Option<i64>,
    /// Integrity, 1–5.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(minimum = 1, maximum = 5)]
    pub integrity: Option<i64>,
    /// Availability, 1–5.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(minimum = 1, maximum = 5)]
    pub availability: Option<i64>,
    /// Tags (the complete new list).
    #[serde(default, deserialize_with = "non_null")]
    pub tags: Option<Vec<String>>,
    /// Notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// A lifecycle event to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventCreate {
    /// What happened.
    #[schema(schema_with = EventCode::schema)]
    pub kind: String,
    /// Note.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// For `change`: `idle` (out of service) or `in_use` (back in service).
    #[serde(default)]
    #[schema(schema_with = StatusCode::schema)]
    pub status: Option<String>,
    /// For `transfer`: the new department (`null`: none).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    /// For `transfer`: the new responsible person (`null`: none).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_id: Option<Option<i64>>,
    /// For `transfer` or `change`: the new location.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
}

/// A lifecycle event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Event id.
    pub id: i64,
    /// The asset.
    pub asset_id: i64,
    /// What happened.
    #[schema(schema_with = EventCode::schema)]
    pub kind: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Who (user id; `null` for the host operator).
    pub actor_id: Option<i64>,
    /// Who, by username.
    pub actor: String,
    /// Note.
    pub note: Option<String>,
    /// Status before.
    #[schema(schema_with = StatusCode::schema)]
    pub from_status: String,
    /// Status after.
    #[schema(schema_with = StatusCode::schema)]
    pub to_status: String,
    /// What else changed (department, owner, location: `{"from", "to"}`).
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl From<AssetEvent> for EventView {
    fn from(e: AssetEvent) -> Self {
        EventView {
            id: e.id,
            asset_id: e.asset_id.0,
            kind: e.kind.code().to_owned(),
            at: e.at,
            actor_id: e.actor_id.map(|u| u.0),
            actor: e.actor,
            note: e.note,
            from_status: e.from_status.code().to_owned(),
            to_status: e.to_status.code().to_owned(),
            details: e.details,
        }
    }
}

/// The lifecycle of an asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    /// Events, oldest first.
    pub items: Vec<EventView>,
}

/// The result of recording an event: the event and the asset after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventRecorded {
    /// The event.
    pub event: EventView,
    /// The asset now.
    pub asset: AssetView,
}

/// The organization's asset valuation method (SPEC §3.1).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuationSetting {
    /// `weighted_mean` (default), `max` or `gbt20984`.
    #[schema(schema_with = MethodCode::schema)]
    pub method: String,
    /// Weights of C, I and A for `weighted_mean`, each 1–10.
    #[serde(default = "default_weights")]
    pub weights: [i64; 3],
}

fn default_weights() -> [i64; 3] {
    [1, 1, 1]
}

/// A valuation method code.
pub struct MethodCode;
impl PartialSchema for MethodCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["weighted_mean", "max", "gbt20984"]))
            .into()
    }
}
impl ToSchema for MethodCode {}

impl From<ValuationMethod> for ValuationSetting {
    fn from(m: ValuationMethod) -> Self {
        let weights = match m {
            ValuationMethod::WeightedMean { weights } => weights.map(i64::from),
            _ => default_weights(),
        };
        ValuationSetting {
            method: m.code().to_owned(),
            weights,
        }
    }
}

/// The valuation method after a change, with the number of assets revalued.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValuationChanged {
    /// `weighted_mean`, `max` or `gbt20984`.
    #[schema(schema_with = MethodCode::schema)]
    pub method: String,
    /// Weights of C, I and A.
    pub weights: [i64; 3],
    /// Version for `If-Match`.
    pub version: i64,
    /// Assets whose value changed.
    pub revalued_assets: u64,
}
