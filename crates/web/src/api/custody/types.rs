//! JSON shapes of the custody area. None carries a password.

use castellan_app::custody::records::CustodyView;
use castellan_app::custody::register::CustodyLine;
use castellan_domain::Timestamp;
use castellan_domain::custody::Handover;
use castellan_store::custody::records::PersonNow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new custody record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustodyBody {
    /// The system (an asset).
    pub asset_id: Option<i64>,
    /// The account (`root`, `sa`, `admin`; 1–100 characters).
    #[serde(default)]
    pub account: String,
    /// Who holds the password (an active user).
    pub holder_id: Option<i64>,
    /// The trained second (an active user other than the holder).
    pub backup_holder_id: Option<i64>,
    /// When the password was last changed (date or RFC 3339 time; not in the future).
    pub last_changed_at: Option<String>,
    /// How often it must be changed, 1–3,650 days (default 90).
    pub change_interval_days: Option<i64>,
    /// Where the sealed copy is kept, how the backup was trained, … (never the password).
    pub note: Option<String>,
}

/// A change of a custody record; what is left out stays. The holder changes by a handover.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustodyPatchBody {
    /// The account.
    #[serde(default, deserialize_with = "crate::api::types::non_null")]
    pub account: Option<String>,
    /// The backup holder (`null` removes them).
    #[serde(default, deserialize_with = "crate::api::types::double_option")]
    #[schema(value_type = Option<i64>)]
    pub backup_holder_id: Option<Option<i64>>,
    /// A routine password change (date or RFC 3339 time; not before the one recorded).
    #[serde(default, deserialize_with = "crate::api::types::non_null")]
    pub last_changed_at: Option<String>,
    /// How often it must be changed, 1–3,650 days.
    #[serde(default, deserialize_with = "crate::api::types::non_null")]
    pub change_interval_days: Option<i64>,
    /// The note (`null` clears it).
    #[serde(default, deserialize_with = "crate::api::types::double_option")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
    /// `false` retires the record (the account is no longer used), `true` reactivates it.
    #[serde(default, deserialize_with = "crate::api::types::non_null")]
    pub active: Option<bool>,
    /// Take the holder's and backup holder's present departments as theirs (clears the
    /// "moved" warnings after review).
    #[serde(default)]
    pub confirm_departments: bool,
}

/// A handover of the password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverBody {
    /// The holder handing over (default and only allowed value: the current holder).
    pub from_id: Option<i64>,
    /// The new holder: an active user other than the current holder.
    pub to_id: Option<i64>,
    /// When (date or RFC 3339 time; default now; not before the last handover).
    pub at: Option<String>,
    /// The witness: an active user other than the two.
    pub witness_id: Option<i64>,
    /// Why (1–500 characters).
    #[serde(default)]
    pub reason: String,
    /// When the password was changed afterwards, if already done.
    pub password_changed_at: Option<String>,
    /// A new backup holder (needed when the backup holder takes over, else the place
    /// stays empty).
    pub backup_holder_id: Option<i64>,
}

/// The date the password was changed after a handover.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeBody {
    /// When the password was changed (date or RFC 3339 time; after the handover, not in
    /// the future).
    pub password_changed_at: Option<String>,
}

/// A person named on a record, as they are now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyPersonOut {
    /// User id.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Whether the account is active.
    pub active: bool,
    /// Their department now.
    pub department_id: Option<i64>,
}

impl From<&PersonNow> for CustodyPersonOut {
    fn from(p: &PersonNow) -> Self {
        CustodyPersonOut {
            id: p.id.0,
            username: p.username.clone(),
            display_name: p.display_name.clone(),
            active: p.active,
            department_id: p.department_id.map(|d| d.0),
        }
    }
}

/// A custody record with its warnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyOut {
    /// Id.
    pub id: i64,
    /// The system.
    pub asset_id: i64,
    /// The system's code.
    pub asset_code: String,
    /// The system's name.
    pub asset_name: String,
    /// The account.
    pub account: String,
    /// The holder.
    pub holder: CustodyPersonOut,
    /// The holder's department when they took the password.
    pub holder_department_id: Option<i64>,
    /// The backup holder.
    pub backup_holder: Option<CustodyPersonOut>,
    /// The backup holder's department when named.
    pub backup_department_id: Option<i64>,
    /// When the password was last changed.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_changed_at: Option<Timestamp>,
    /// The change interval in days.
    pub change_interval_days: i64,
    /// When the next change is due.
    #[schema(value_type = String, format = DateTime)]
    pub change_due_at: Timestamp,
    /// The deadline of the password change after the last handover, while not entered.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub handover_deadline: Option<Timestamp>,
    /// Warning codes: `no_backup`, `holder_disabled`, `holder_moved`, `backup_disabled`,
    /// `backup_moved`, `change_overdue`, `handover_unchanged`.
    pub warnings: Vec<String>,
    /// The note.
    pub note: Option<String>,
    /// Whether the account is in use.
    pub active: bool,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<&CustodyLine> for CustodyOut {
    fn from(l: &CustodyLine) -> Self {
        let c = &l.facts.custody;
        CustodyOut {
            id: c.id,
            asset_id: c.asset_id.0,
            asset_code: l.facts.asset_code.clone(),
            asset_name: l.facts.asset_name.clone(),
            account: c.account.clone(),
            holder: CustodyPersonOut::from(&l.facts.holder),
            holder_department_id: c.holder_department_id.map(|d| d.0),
            backup_holder: l.facts.backup.as_ref().map(CustodyPersonOut::from),
            backup_department_id: c.backup_department_id.map(|d| d.0),
            last_changed_at: c.last_changed_at,
            change_interval_days: c.change_interval_days,
            change_due_at: l.change_due_at,
            handover_deadline: l.handover_deadline,
            warnings: l.warnings.iter().map(|w| w.code().to_owned()).collect(),
            note: c.note.clone(),
            active: c.active,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A handover as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverOut {
    /// Id.
    pub id: i64,
    /// The custody record.
    pub custody_id: i64,
    /// From.
    pub from_id: i64,
    /// To.
    pub to_id: i64,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Witness.
    pub witness_id: i64,
    /// Why.
    pub reason: String,
    /// When the password was changed afterwards.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub password_changed_at: Option<Timestamp>,
    /// Who recorded it.
    pub created_by: Option<i64>,
    /// Version for `If-Match` on the password change.
    pub version: i64,
}

impl From<&Handover> for HandoverOut {
    fn from(h: &Handover) -> Self {
        HandoverOut {
            id: h.id,
            custody_id: h.custody_id,
            from_id: h.from_id.0,
            to_id: h.to_id.0,
            at: h.at,
            witness_id: h.witness_id.0,
            reason: h.reason.clone(),
            password_changed_at: h.password_changed_at,
            created_by: h.created_by.map(|u| u.0),
            version: h.version,
        }
    }
}

/// A custody record with its handovers and what the caller may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyDetail {
    /// The record.
    #[serde(flatten)]
    pub custody: CustodyOut,
    /// Its handovers, latest first.
    pub handovers: Vec<HandoverOut>,
    /// Whether the caller records changes and handovers.
    pub may_keep: bool,
    /// The handover whose password change the caller may enter now.
    pub may_enter_change: Option<i64>,
}

impl From<CustodyView> for CustodyDetail {
    fn from(v: CustodyView) -> Self {
        CustodyDetail {
            custody: CustodyOut::from(&v.line),
            handovers: v.handovers.iter().map(HandoverOut::from).collect(),
            may_keep: v.may_keep,
            may_enter_change: v.may_enter_change,
        }
    }
}

/// A page of custody records.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyList {
    /// By system and account unless sorted otherwise.
    pub items: Vec<CustodyOut>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
    /// How many match.
    pub total: i64,
}

/// The handovers of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverList {
    /// Latest first.
    pub items: Vec<HandoverOut>,
}

/// How many active records raise one warning.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyWarningCount {
    /// The warning's code.
    pub warning: String,
    /// Its label in English.
    pub label_en: String,
    /// Its label in Chinese.
    pub label_zh: String,
    /// How many active records raise it.
    pub count: i64,
}

/// The warnings over the records the caller sees.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyWarningsOut {
    /// One line per warning, in a fixed order.
    pub items: Vec<CustodyWarningCount>,
}
