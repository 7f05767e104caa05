//! JSON shapes of the incident area.

use crate::api::types::{double_option, non_null};
use castellan_app::incident::incidents::IncidentView;
use castellan_domain::Timestamp;
use castellan_domain::incident::Deadlines;
use castellan_store::incident::incidents::{MonthCount, TimelineEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A report of an incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// What happened, in a line (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// What was seen.
    pub description: Option<String>,
    /// Where (a room, a system, a network segment).
    pub location: Option<String>,
    /// When it happened (RFC 3339; not in the future).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub occurred_at: Option<Timestamp>,
    /// When it was noticed (between the occurrence and now).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub detected_at: Option<Timestamp>,
    /// Affected assets (ids from the register, at most 100).
    #[serde(default)]
    pub affected_asset_ids: Vec<i64>,
}

/// A change to an open incident's record; absent fields stay as they are, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatchBody {
    /// Title.
    #[serde(default, deserialize_with = "non_null")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Location.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// Affected assets.
    #[serde(default, deserialize_with = "non_null")]
    pub affected_asset_ids: Option<Vec<i64>>,
    /// Why it happened (required to close).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub root_cause: Option<Option<String>>,
    /// What the organization learns (required to close).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub lessons_learned: Option<Option<String>>,
}

/// A move; triage (`to: triaged`) also sets class, level, category and the team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentMoveBody {
    /// `triaged`, `rejected`, `investigating`, `contained`, `recovered`, `closed`.
    #[serde(default)]
    pub to: String,
    /// Why (required to reject).
    pub comment: Option<String>,
    /// Triage: `normal`, `serious`, `special`.
    pub class: Option<String>,
    /// Triage: `general`, `significant`, `major`, `critical`.
    pub level: Option<String>,
    /// Triage: the category code.
    pub category: Option<String>,
    /// Triage: the handling team (user ids).
    #[serde(default)]
    pub handler_ids: Vec<i64>,
}

/// An incident as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentOut {
    /// Id.
    pub id: i64,
    /// `INC-2026-0042`.
    pub code: String,
    /// Title.
    pub title: String,
    /// What was seen.
    pub description: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// When it happened.
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    /// When it was noticed.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub detected_at: Option<Timestamp>,
    /// When it was reported.
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: Timestamp,
    /// Who reported it.
    pub reporter_id: Option<i64>,
    /// The reporter's department.
    pub department_id: Option<i64>,
    /// Category code (after triage).
    pub category: Option<String>,
    /// Class code (after triage).
    pub class: Option<String>,
    /// Level code (after triage).
    pub level: Option<String>,
    /// `reported`, `triaged`, `investigating`, `contained`, `recovered`, `closed`, `rejected`.
    pub status: String,
    /// Affected assets.
    pub affected_asset_ids: Vec<i64>,
    /// The handling team.
    pub handler_ids: Vec<i64>,
    /// When it was triaged.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub triaged_at: Option<Timestamp>,
    /// When it must be (or had to be) triaged by.
    #[schema(value_type = String, format = DateTime)]
    pub triage_due_at: Timestamp,
    /// Whether triage is or was late.
    pub triage_overdue: bool,
    /// When the committee must note it by (major and critical).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub committee_notice_due_at: Option<Timestamp>,
    /// When a committee member noted it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub committee_noted_at: Option<Timestamp>,
    /// Who.
    pub committee_noted_by: Option<i64>,
    /// Whether the committee's notice is or was late.
    pub committee_notice_late: bool,
    /// When it stopped spreading.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub contained_at: Option<Timestamp>,
    /// When it was closed or rejected.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// Why it happened.
    pub root_cause: Option<String>,
    /// What the organization learns.
    pub lessons_learned: Option<String>,
    /// Why it is not an incident.
    pub rejection_reason: Option<String>,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<String>,
    /// Whether the caller may change the record and add timeline entries.
    pub may_handle: bool,
    /// Whether the caller may note it for the committee now.
    pub may_note: bool,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<IncidentView> for IncidentOut {
    fn from(v: IncidentView) -> Self {
        let i = v.incident;
        IncidentOut {
            id: i.id,
            code: i.code,
            title: i.title,
            description: i.description,
            location: i.location,
            occurred_at: i.occurred_at,
            detected_at: i.detected_at,
            reported_at: i.reported_at,
            reporter_id: i.reporter_id.map(|u| u.0),
            department_id: i.department_id.map(|d| d.0),
            category: i.category.map(|c| c.code().into()),
            class: i.class.map(|c| c.code().into()),
            level: i.level.map(|c| c.code().into()),
            status: i.status.code().into(),
            affected_asset_ids: i.affected_asset_ids.iter().map(|a| a.0).collect(),
            handler_ids: i.handler_ids.iter().map(|u| u.0).collect(),
            triaged_at: i.triaged_at,
            triage_due_at: v.triage_due,
            triage_overdue: v.triage_overdue,
            committee_notice_due_at: v.notice_due,
            committee_noted_at: i.committee_noted_at,
            committee_noted_by: i.committee_noted_by.map(|u| u.0),
            committee_notice_late: v.notice_late,
            contained_at: i.contained_at,
            closed_at: i.closed_at,
            root_cause: i.root_cause,
            lessons_learned: i.lessons_learned,
            rejection_reason: i.rejection_reason,
            allowed_transitions: v
                .allowed_transitions
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            may_handle: v.may_handle,
            may_note: v.may_note,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// A page of incidents.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentList {
    /// The incidents.
    pub items: Vec<IncidentOut>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
    /// How many match the filters.
    pub total: i64,
}

/// A timeline entry to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    /// When it happened (default now; not in the future, not before the incident).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<Timestamp>,
    /// What was seen or done (1–5,000 characters).
    #[serde(default)]
    pub note: String,
}

/// A timeline entry (never edited).
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    /// Id.
    pub id: i64,
    /// When it happened.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// What was seen or done.
    pub note: String,
    /// Who wrote it.
    pub author_id: Option<i64>,
    /// Their username then.
    pub author: String,
    /// When it was written.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<TimelineEntry> for EntryOut {
    fn from(e: TimelineEntry) -> Self {
        EntryOut {
            id: e.id,
            at: e.at,
            note: e.note,
            author_id: e.author_id.map(|u| u.0),
            author: e.author,
            created_at: e.created_at,
        }
    }
}

/// An incident's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryList {
    /// In order of their time.
    pub items: Vec<EntryOut>,
}

/// Incidents of one month, class and level.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    /// `2026-03`.
    pub month: String,
    /// Class code (`null`: not triaged yet).
    pub class: Option<String>,
    /// Level code (`null`: not triaged yet).
    pub level: Option<String>,
    /// How many.
    pub count: i64,
}

impl From<MonthCount> for CountOut {
    fn from(c: MonthCount) -> Self {
        CountOut {
            month: c.month,
            class: c.class.map(|x| x.code().into()),
            level: c.level.map(|x| x.code().into()),
            count: c.count,
        }
    }
}

/// The counts of a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountList {
    /// The year.
    pub year: i32,
    /// Cells with at least one incident, by month.
    pub items: Vec<CountOut>,
    /// All incidents of the year (rejected reports left out).
    pub total: i64,
}

/// The organization's incident deadlines, in minutes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlinesBody {
    /// From the report to the triage (default 240).
    pub triage_minutes: i64,
    /// From the triage of a major incident to the committee noting it (default 60).
    pub major_notice_minutes: i64,
    /// From the triage of a critical incident to the committee noting it (default 60).
    pub critical_notice_minutes: i64,
}

impl From<Deadlines> for DeadlinesBody {
    fn from(d: Deadlines) -> Self {
        DeadlinesBody {
            triage_minutes: d.triage_minutes,
            major_notice_minutes: d.major_notice_minutes,
            critical_notice_minutes: d.critical_notice_minutes,
        }
    }
}
