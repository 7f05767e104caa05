//! JSON shapes of the document area.

use crate::api::request::types::{ApprovalOut, StepBody};
use crate::api::types::non_null;
use castellan_app::document::documents::DocumentView;
use castellan_app::document::versions::VersionView;
use castellan_domain::Timestamp;
use castellan_domain::document::{Document, DocumentVersion};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new document, or its details as changed (PATCH: every field is sent again, except the
/// reference, which stays when absent).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentBody {
    /// Reference (`ISMS-POL-001`; 1–40 letters, digits, `-`, `_`, `.`, `/`). One is given
    /// (`DOC-2026-0007`) when absent.
    #[serde(default, deserialize_with = "non_null")]
    pub code: Option<String>,
    /// Title (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// `policy`, `procedure`, `specification`, `record`, `template`, `plan`.
    #[serde(default)]
    pub kind: String,
    /// `physical`, `network`, `data`, `software`, `system`, `continuity`, `general`.
    #[serde(default)]
    pub family: String,
    /// Who answers for it (an active user; default: the caller).
    pub owner_id: Option<i64>,
    /// Its department.
    pub department_id: Option<i64>,
    /// Months between reviews, 1–60 (default 12).
    pub review_interval_months: Option<i64>,
}

/// A document as returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    /// Id.
    pub id: i64,
    /// Reference.
    pub code: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// Family.
    pub family: String,
    /// Owner.
    pub owner_id: i64,
    /// Department.
    pub department_id: Option<i64>,
    /// `draft`, `in_review`, `approved`, `effective`, `superseded`, `retired`: retired, else
    /// effective while a version is in force, else its newest version's.
    pub status: String,
    /// The version in force (`1.1`).
    pub current_version: Option<String>,
    /// The version being prepared.
    pub pending_version: Option<String>,
    /// Since when the version in force applies.
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_at: Option<String>,
    /// Months between reviews.
    pub review_interval_months: i64,
    /// When it is next reviewed (while in force).
    #[schema(value_type = Option<String>, format = Date)]
    pub next_review_at: Option<String>,
    /// `later`, `due_soon` (within 30 days) or `overdue`, while in force.
    pub review: Option<String>,
    /// When it was last reviewed without change.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reviewed_at: Option<Timestamp>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

fn review_code(r: castellan_domain::document::ReviewState) -> String {
    use castellan_domain::document::ReviewState::*;
    match r {
        Later => "later",
        DueSoon => "due_soon",
        Overdue => "overdue",
    }
    .into()
}

impl DocumentOut {
    /// From the record and how its review stands.
    pub fn new(d: Document, review: Option<castellan_domain::document::ReviewState>) -> Self {
        DocumentOut {
            id: d.id,
            code: d.code,
            title: d.title,
            kind: d.kind.code().into(),
            family: d.family.code().into(),
            owner_id: d.owner_id.0,
            department_id: d.department_id.map(|x| x.0),
            status: d.status.code().into(),
            current_version: d.current_version,
            pending_version: d.pending_version,
            effective_at: d.effective_at.map(|x| x.to_string()),
            review_interval_months: i64::from(d.review_interval_months),
            next_review_at: d.next_review_at.map(|x| x.to_string()),
            review: review.map(review_code),
            reviewed_at: d.reviewed_at,
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A document with its versions, as its page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDetail {
    /// The document.
    #[serde(flatten)]
    pub document: DocumentOut,
    /// Its versions the caller reads, newest first (without their texts).
    pub versions: Vec<VersionOut>,
    /// Whether the caller may change its details and draft versions.
    pub may_manage: bool,
    /// Whether the caller may start a new version now.
    pub may_draft: bool,
    /// Whether the caller may confirm its scheduled review now.
    pub may_review: bool,
    /// Whether it is addressed to the caller (while in force).
    pub addressed_to_me: bool,
    /// When the caller confirmed reading the version in force.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<Timestamp>,
}

impl From<DocumentView> for DocumentDetail {
    fn from(v: DocumentView) -> Self {
        DocumentDetail {
            versions: v.versions.into_iter().map(VersionOut::from).collect(),
            may_manage: v.may_manage,
            may_draft: v.may_draft,
            may_review: v.may_review,
            addressed_to_me: v.standing.is_some_and(|s| s.addressed),
            acknowledged_at: v.standing.and_then(|s| s.acknowledged_at),
            document: DocumentOut::new(v.document, v.review),
        }
    }
}

/// A page of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    /// The documents.
    pub items: Vec<DocumentOut>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
    /// How many documents match the filters.
    pub total: i64,
}

/// A scheduled review confirmed without change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// What the review found.
    pub comment: Option<String>,
}

/// A new version, or a draft as changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    /// Its number (`1.1`, `V2.0`); by default the next minor after the latest. It must be
    /// higher than every other version's.
    #[serde(default, deserialize_with = "non_null")]
    pub version: Option<String>,
    /// What changed (1–1,000 characters).
    #[serde(default)]
    pub change_note: String,
    /// The text in Markdown (at most 200,000 characters; raw HTML is shown as text, links
    /// only http, https and mailto).
    pub body: Option<String>,
}

/// A version as returned, with the change history the seeds keep.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionOut {
    /// Id.
    pub id: i64,
    /// Its document.
    pub document_id: i64,
    /// Number (`1.0`).
    pub version: String,
    /// `draft`, `in_review`, `approved`, `effective`, `superseded`, `retired`.
    pub status: String,
    /// What changed.
    pub change_note: String,
    /// The text in Markdown (given by the single-version operations).
    pub body: Option<String>,
    /// Who wrote it.
    pub author_id: i64,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub authored_at: Timestamp,
    /// Who reviewed it (the first of two or more approval steps).
    pub reviewer_id: Option<i64>,
    /// When.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reviewed_at: Option<Timestamp>,
    /// Who approved it (the last step).
    pub approver_id: Option<i64>,
    /// When.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub approved_at: Option<Timestamp>,
    /// Since when it applies.
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_at: Option<String>,
    /// Who published it.
    pub published_by: Option<i64>,
    /// When a later version replaced it or the document was retired.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<Timestamp>,
    /// The chain step waiting (0-based), while in review.
    pub current_step: Option<i64>,
    /// The chain's steps it was submitted with.
    pub steps: Vec<StepBody>,
    /// Submissions so far.
    pub round: i64,
    /// The record's revision, for `If-Match` (the number is `version`).
    pub revision: i64,
    /// Changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<DocumentVersion> for VersionOut {
    fn from(v: DocumentVersion) -> Self {
        VersionOut {
            id: v.id,
            document_id: v.document_id,
            version: v.number.to_string(),
            status: v.status.code().into(),
            change_note: v.change_note,
            body: v.body,
            author_id: v.author_id.0,
            authored_at: v.authored_at,
            reviewer_id: v.reviewer_id.map(|u| u.0),
            reviewed_at: v.reviewed_at,
            approver_id: v.approver_id.map(|u| u.0),
            approved_at: v.approved_at,
            effective_at: v.effective_at.map(|d| d.to_string()),
            published_by: v.published_by.map(|u| u.0),
            ended_at: v.ended_at,
            current_step: v.run.current_step,
            steps: v.run.steps.iter().map(StepBody::from).collect(),
            round: v.run.round,
            revision: v.version,
            updated_at: v.updated_at,
        }
    }
}

/// A version with what the caller may do with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDetail {
    /// The version.
    #[serde(flatten)]
    pub version: VersionOut,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<String>,
    /// Whether the caller may edit it (a draft).
    pub may_edit: bool,
    /// The decisions on it, oldest first.
    pub approvals: Vec<ApprovalOut>,
}

impl From<VersionView> for VersionDetail {
    fn from(v: VersionView) -> Self {
        VersionDetail {
            allowed_transitions: v
                .allowed_transitions
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            may_edit: v.may_edit,
            approvals: v.approvals.into_iter().map(ApprovalOut::from).collect(),
            version: VersionOut::from(v.version),
        }
    }
}

/// A document's versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    /// Newest first.
    pub items: Vec<VersionOut>,
}

/// A move of a version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionMoveBody {
    /// `in_review` (submit a draft), `approved` or `draft` (an approver of the current step
    /// approves or returns it; returning needs a `comment`), `effective` (publish an
    /// approved version), `retired` (retire the document with its version in force).
    #[serde(default)]
    pub to: String,
    /// Why.
    pub comment: Option<String>,
    /// Publishing: the day it applies from (`2027-01-01`; from its approval up to today;
    /// default today).
    pub effective_at: Option<String>,
}

/// A skeleton of the starter set.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkeletonOut {
    /// The reference it is imported under.
    pub code: String,
    /// Kind.
    pub kind: String,
    /// Family.
    pub family: String,
    /// Title in English.
    pub title_en: String,
    /// Title in Chinese.
    pub title_zh: String,
    /// Whether the register already holds a document with this reference.
    pub present: bool,
}

/// The starter set.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkeletonList {
    /// The skeletons.
    pub items: Vec<SkeletonOut>,
}

/// Skeletons to import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    /// The references to import (every skeleton when empty or absent).
    #[serde(default)]
    pub codes: Vec<String>,
    /// The language of the titles and texts: `zh-CN` (default) or `en`.
    pub language: Option<String>,
}

/// Imported documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedList {
    /// The new documents, each with a draft 1.0.
    pub items: Vec<DocumentOut>,
}

/// Who a document is addressed to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddresseesBody {
    /// Departments (each with everything below it).
    #[serde(default)]
    pub department_ids: Vec<i64>,
    /// Role codes (`staff`, `network_admin`, …).
    #[serde(default)]
    pub roles: Vec<String>,
}

impl From<castellan_store::document::acknowledgements::Addressees> for AddresseesBody {
    fn from(a: castellan_store::document::acknowledgements::Addressees) -> Self {
        AddresseesBody {
            department_ids: a.departments.iter().map(|d| d.0).collect(),
            roles: a.roles.iter().map(|r| r.code().to_owned()).collect(),
        }
    }
}

/// A confirmation of reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementOut {
    /// The version confirmed (`1.1`).
    pub version: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

/// One department's line of the coverage.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageLineOut {
    /// The department (`null`: people without one).
    pub department_id: Option<i64>,
    /// People addressed.
    pub total: i64,
    /// Of them, those who confirmed.
    pub acknowledged: i64,
}

/// Who confirmed the version in force, per department.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageOut {
    /// The version in force (`null` when the document is not in force).
    pub version: Option<String>,
    /// Who it is addressed to.
    pub addressees: AddresseesBody,
    /// People addressed.
    pub total: i64,
    /// Of them, those who confirmed.
    pub acknowledged: i64,
    /// Per department.
    pub departments: Vec<CoverageLineOut>,
}

/// Someone who has not confirmed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingOut {
    /// User id.
    pub user_id: i64,
    /// Name.
    pub display_name: String,
    /// Department.
    pub department_id: Option<i64>,
}

/// People who have not confirmed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingList {
    /// By name (at most 1,000).
    pub items: Vec<PendingOut>,
}
