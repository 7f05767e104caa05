//! Documents and their versions as stored, and the checks on what their editors give.

use super::{DocumentFamily, DocumentKind, VersionNumber, VersionStatus};
use crate::error::{DomainError, FieldErrorKind, FieldErrors};
use crate::ids::{DepartmentId, UserId};
use crate::time::{Day, Timestamp};
use crate::values::{clean_multiline, clean_text};
use crate::workflow::run::ChainRun;
use serde::Serialize;

/// The longest text of a version (Markdown), in characters.
pub const MAX_BODY_CHARS: usize = 200_000;
/// The longest change note.
pub const MAX_NOTE_CHARS: usize = 1_000;

/// A document of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Id.
    pub id: i64,
    /// Its reference (`ISMS-POL-001`, or `DOC-2026-0007` when none was given).
    pub code: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: DocumentKind,
    /// Family.
    pub family: DocumentFamily,
    /// Who answers for it (drafts its versions, reviews it on schedule).
    pub owner_id: UserId,
    /// The department it belongs to.
    pub department_id: Option<DepartmentId>,
    /// Status: retired, else effective while a version is in force, else its newest
    /// version's.
    pub status: VersionStatus,
    /// The version in force (its number).
    pub current_version: Option<String>,
    /// The version being prepared (its number), if any.
    pub pending_version: Option<String>,
    /// Since when the version in force applies.
    pub effective_at: Option<Day>,
    /// Months between reviews.
    pub review_interval_months: u8,
    /// When it is next reviewed (while in force).
    pub next_review_at: Option<Day>,
    /// When it was last reviewed without change.
    pub reviewed_at: Option<Timestamp>,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// One version of a document, with the change history the seeds keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentVersion {
    /// Id.
    pub id: i64,
    /// Its document.
    pub document_id: i64,
    /// Its number.
    #[serde(serialize_with = "as_text")]
    pub number: VersionNumber,
    /// Status.
    pub status: VersionStatus,
    /// What changed.
    pub change_note: String,
    /// The text, in Markdown.
    pub body: Option<String>,
    /// Who wrote it.
    pub author_id: UserId,
    /// When it was written (created).
    pub authored_at: Timestamp,
    /// Its approval chain.
    #[serde(skip)]
    pub run: ChainRun,
    /// Who reviewed it (the first of two or more steps).
    pub reviewer_id: Option<UserId>,
    /// When.
    pub reviewed_at: Option<Timestamp>,
    /// Who approved it (the last step).
    pub approver_id: Option<UserId>,
    /// When.
    pub approved_at: Option<Timestamp>,
    /// Since when it applies.
    pub effective_at: Option<Day>,
    /// Who made it effective.
    pub published_by: Option<UserId>,
    /// When a later version replaced it, or the document was retired.
    pub ended_at: Option<Timestamp>,
    /// Version for optimistic concurrency.
    pub version: i64,
    /// Last changed.
    pub updated_at: Timestamp,
}

fn as_text<S: serde::Serializer>(v: &VersionNumber, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl VersionStatus {
    /// Whether a version in this status is still being prepared (only one may be).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            VersionStatus::Draft | VersionStatus::InReview | VersionStatus::Approved
        )
    }

    /// Whether its text was ever in force (staff read those).
    pub fn was_in_force(self) -> bool {
        matches!(
            self,
            VersionStatus::Effective | VersionStatus::Superseded | VersionStatus::Retired
        )
    }
}

/// A document's status from its versions (newest first) and whether it is retired.
pub fn document_status(versions: &[VersionStatus], retired: bool) -> VersionStatus {
    if retired {
        return VersionStatus::Retired;
    }
    if versions.contains(&VersionStatus::Effective) {
        return VersionStatus::Effective;
    }
    versions.first().copied().unwrap_or(VersionStatus::Draft)
}

/// A document's fields as its editor gives them.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    /// Reference (optional: one is given).
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Family code.
    pub family: String,
    /// Review interval (default 12).
    pub review_interval_months: Option<i64>,
}

/// A document's checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFields {
    /// Reference, if given.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: DocumentKind,
    /// Family.
    pub family: DocumentFamily,
    /// Review interval.
    pub review_interval_months: u8,
}

/// Checks a reference: 1–40 letters, digits, `-`, `_`, `.` or `/`.
pub fn check_code(raw: &str) -> Result<String, FieldErrorKind> {
    let code = raw.trim();
    if code.is_empty() {
        return Err(FieldErrorKind::Required);
    }
    if code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        return Err(FieldErrorKind::invalid(
            "1–40 letters, digits, -, _, . or /",
            "1–40 个字母、数字或“-”“_”“.”“/”",
        ));
    }
    Ok(code.to_owned())
}

impl DocumentInput {
    /// Checks every field, reporting all errors at once (`errors` may hold others).
    pub fn check(&self, mut errors: FieldErrors) -> Result<DocumentFields, DomainError> {
        let code = match self.code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => errors.check("code", check_code(c)),
        };
        let title = errors.check("title", clean_text(&self.title, 1, 200));
        let kind = errors.check("kind", DocumentKind::from_code(self.kind.trim()));
        let family = errors.check("family", DocumentFamily::from_code(self.family.trim()));
        let months = errors.check(
            "review_interval_months",
            super::check_review_months(
                self.review_interval_months
                    .unwrap_or(i64::from(super::DEFAULT_REVIEW_MONTHS)),
            ),
        );
        errors.into_result()?;
        match (title, kind, family, months) {
            (Some(title), Some(kind), Some(family), Some(review_interval_months)) => {
                Ok(DocumentFields {
                    code,
                    title,
                    kind,
                    family,
                    review_interval_months,
                })
            }
            _ => Err(FieldErrors::single("title", FieldErrorKind::Required)),
        }
    }
}

/// A version's fields as its author gives them.
#[derive(Debug, Clone, Default)]
pub struct VersionInput {
    /// Its number (`None`: the next after the latest).
    pub version: Option<String>,
    /// What changed.
    pub change_note: String,
    /// The text in Markdown.
    pub body: Option<String>,
}

/// A version's checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFields {
    /// Number.
    pub number: VersionNumber,
    /// What changed.
    pub change_note: String,
    /// Text.
    pub body: Option<String>,
}

impl VersionInput {
    /// Checks the fields: a number above every existing one (`existing`, without the
    /// version being edited), a change note, a text of at most [`MAX_BODY_CHARS`].
    pub fn check(
        &self,
        existing: &[VersionNumber],
        keep: Option<VersionNumber>,
    ) -> Result<VersionFields, DomainError> {
        let mut errors = FieldErrors::new();
        let latest = existing.iter().max().copied();
        let number = match self.version.as_deref().map(str::trim) {
            None | Some("") => Some(
                keep.unwrap_or_else(|| latest.map_or(VersionNumber::FIRST, |v| v.next_minor())),
            ),
            Some(raw) => errors.check("version", VersionNumber::parse(raw)),
        };
        if let Some(n) = number
            && let Err(e) = n.check_after(existing.iter().copied())
        {
            errors.merge(e);
        }
        let change_note = errors.check(
            "change_note",
            clean_multiline(Some(&self.change_note), MAX_NOTE_CHARS)
                .and_then(|n| n.ok_or(FieldErrorKind::Required)),
        );
        let body = errors.check(
            "body",
            clean_multiline(self.body.as_deref(), MAX_BODY_CHARS),
        );
        errors.into_result()?;
        match (number, change_note, body) {
            (Some(number), Some(change_note), Some(body)) => Ok(VersionFields {
                number,
                change_note,
                body,
            }),
            _ => Err(FieldErrors::single("version", FieldErrorKind::Required)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> VersionNumber {
        VersionNumber::parse(s).unwrap()
    }

    #[test]
    fn a_document_is_effective_while_a_version_is_in_force() {
        use VersionStatus::*;
        assert_eq!(document_status(&[], false), Draft);
        assert_eq!(document_status(&[InReview, Effective], false), Effective);
        assert_eq!(document_status(&[Approved, Superseded], false), Approved);
        assert_eq!(document_status(&[Effective], true), Retired);
    }

    #[test]
    fn documents_need_a_title_a_kind_a_family_and_a_sane_interval() {
        let e = DocumentInput {
            code: Some("ISMS POL 1".into()),
            title: " ".into(),
            kind: "memo".into(),
            family: "network".into(),
            review_interval_months: Some(61),
        }
        .check(FieldErrors::new())
        .unwrap_err();
        let DomainError::Validation(e) = e else {
            panic!()
        };
        for f in ["code", "title", "kind", "review_interval_months"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        let ok = DocumentInput {
            code: Some(" ISMS-POL-001 ".into()),
            title: "网络安全管理制度".into(),
            kind: "policy".into(),
            family: "network".into(),
            review_interval_months: None,
        }
        .check(FieldErrors::new())
        .unwrap();
        assert_eq!(ok.code.as_deref(), Some("ISMS-POL-001"));
        assert_eq!(ok.review_interval_months, 12);
    }

    #[test]
    fn versions_number_themselves_and_must_increase() {
        let input = |version: Option<&str>| VersionInput {
            version: version.map(str::to_owned),
            change_note: "首次发布".into(),
            body: Some("# 目的".into()),
        };
        assert_eq!(input(None).check(&[], None).unwrap().number, v("1.0"));
        assert_eq!(
            input(None)
                .check(&[v("1.0"), v("1.9")], None)
                .unwrap()
                .number,
            v("1.10")
        );
        let Err(DomainError::Validation(e)) = input(Some("1.1")).check(&[v("1.1")], None) else {
            panic!()
        };
        assert!(e.get("version").is_some());
        let e = VersionInput {
            version: Some("x".into()),
            change_note: "".into(),
            body: Some("a".repeat(MAX_BODY_CHARS + 1)),
        }
        .check(&[], None)
        .unwrap_err();
        let DomainError::Validation(e) = e else {
            panic!()
        };
        for f in ["version", "change_note", "body"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }
}
