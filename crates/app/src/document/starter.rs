//! Importing the starter set: the chosen policy skeletons become documents of the register,
//! each with a draft version 1.0 in the caller's language, owned by the caller — all or
//! none.

use super::documents::snapshot;
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::document::audit::DocumentRecord;
use castellan_domain::document::starter::{STARTER_SET, Skeleton};
use castellan_domain::document::{
    DEFAULT_REVIEW_MONTHS, Document, DocumentVersion, VersionNumber, VersionStatus,
};
use castellan_domain::workflow::run::ChainRun;
use castellan_domain::{Action, FieldErrorKind, FieldErrors, Lang, Resource, Target, Timestamp};
use castellan_store::document::{documents as dstore, versions as vstore};

/// A skeleton and whether the register already holds its reference.
#[derive(Debug, Clone)]
pub struct StarterEntry {
    /// The skeleton.
    pub skeleton: &'static Skeleton,
    /// Whether a document with its reference exists.
    pub present: bool,
}

/// The starter set with what the register already holds (for those who open documents).
pub async fn entries(app: &App, ctx: &Ctx) -> Result<Vec<StarterEntry>> {
    ctx.principal
        .authorize(Resource::Document, Action::Create, Target::Global)?;
    let mut conn = app.db().read().await?;
    let mut out = Vec::new();
    for s in STARTER_SET {
        out.push(StarterEntry {
            skeleton: s,
            present: dstore::get_by_code(&mut conn, s.code).await?.is_some(),
        });
    }
    Ok(out)
}

/// Imports the skeletons named by `codes` (every one when empty) as documents with a draft
/// 1.0 in `lang`, owned by the caller. A reference already in the register or unknown is
/// refused on `codes[i]` and nothing is imported.
pub async fn import(app: &App, ctx: &Ctx, codes: &[String], lang: Lang) -> Result<Vec<Document>> {
    ctx.principal
        .authorize(Resource::Document, Action::Create, Target::Global)?;
    let chosen: Vec<&Skeleton> = if codes.is_empty() {
        STARTER_SET.iter().collect()
    } else {
        let mut errors = FieldErrors::new();
        let mut chosen = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            match STARTER_SET.iter().find(|s| s.code == c.trim()) {
                Some(s) if !chosen.iter().any(|x: &&Skeleton| x.code == s.code) => chosen.push(s),
                Some(_) => errors.add(format!("codes[{i}]"), FieldErrorKind::Duplicate),
                None => errors.add(
                    format!("codes[{i}]"),
                    FieldErrorKind::UnknownValue {
                        allowed: STARTER_SET.iter().map(|s| s.code).collect(),
                    },
                ),
            }
        }
        errors.into_result()?;
        chosen
    };
    let me = ctx.principal.user_id;
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    let mut taken = FieldErrors::new();
    let mut out = Vec::new();
    for (i, s) in chosen.iter().enumerate() {
        let mut d = Document {
            id: 0,
            code: s.code.to_owned(),
            title: s.title.get(lang).to_owned(),
            kind: s.kind,
            family: s.family,
            owner_id: me,
            department_id: None,
            status: VersionStatus::Draft,
            current_version: None,
            pending_version: Some(VersionNumber::FIRST.to_string()),
            effective_at: None,
            review_interval_months: DEFAULT_REVIEW_MONTHS,
            next_review_at: None,
            reviewed_at: None,
            created_by: Some(me),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let Some(id) = dstore::insert(&mut tx, &d).await? else {
            taken.add(format!("codes[{i}]"), FieldErrorKind::Taken);
            continue;
        };
        d.id = id;
        let v = DocumentVersion {
            id: 0,
            document_id: id,
            number: VersionNumber::FIRST,
            status: VersionStatus::Draft,
            change_note: match lang {
                Lang::En => "Drafted from the Castellan starter set".to_owned(),
                Lang::ZhCn => "依据 Castellan 制度模板起草".to_owned(),
            },
            body: Some(s.body(lang).to_owned()),
            author_id: me,
            authored_at: now,
            run: ChainRun::default(),
            reviewer_id: None,
            reviewed_at: None,
            approver_id: None,
            approved_at: None,
            effective_at: None,
            published_by: None,
            ended_at: None,
            version: 1,
            updated_at: now,
        };
        let vid = vstore::insert(&mut tx, &v)
            .await?
            .ok_or_else(|| crate::Error::internal("a new document already has a version"))?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::new(Verb::Create, DocumentRecord::Document, id).after(&snapshot(&d)),
        )
        .await?;
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::new(Verb::Create, DocumentRecord::DocumentVersion, vid).after(
                &serde_json::json!({"number": "1.0", "status": "draft", "change_note": v.change_note}),
            ),
        )
        .await?;
        out.push(d);
    }
    taken.into_result()?;
    tx.commit().await?;
    Ok(out)
}
