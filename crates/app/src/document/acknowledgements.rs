//! Acknowledgements (SPEC §6.2): a document's owner addresses it to departments and roles;
//! the people addressed confirm reading its version in force ("I have read it"); the
//! coverage per department shows who has not. A new version in force needs a new
//! confirmation.

use super::documents::{forbidden, load, manages, reads_register};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::workflow::{Expected, Waiting};
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::document::audit::{DocumentAction, DocumentRecord};
use castellan_domain::document::{Document, DocumentConflict, DocumentVersion, VersionStatus};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::{
    Action, DomainError, FieldErrorKind, FieldErrors, Resource, Role, Target, Timestamp,
};
use castellan_store::Conn;
use castellan_store::document::acknowledgements::{self as store, Addressees, CoverageLine};
use castellan_store::document::versions as vstore;
use castellan_store::org::{departments, users};

/// The most people one "who has not confirmed" list shows.
pub const PENDING_MAX: u32 = 1000;

async fn in_force(conn: &mut Conn, d: &Document) -> Result<Option<DocumentVersion>> {
    Ok(vstore::of_document(conn, d.id)
        .await?
        .into_iter()
        .find(|v| v.status == VersionStatus::Effective))
}

/// Whether the caller sees the coverage: those who answer for the document and those who
/// read the whole register.
pub(crate) fn sees_coverage(ctx: &Ctx, d: &Document) -> bool {
    manages(ctx, d) || d.owner_id == ctx.principal.user_id || reads_register(ctx)
}

/// A document's addressees, for whoever reads it.
pub async fn addressees(app: &App, ctx: &Ctx, id: i64) -> Result<Addressees> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(store::addressees(&mut conn, id).await?)
}

/// Addresses a document to departments (each with its subtree) and roles: its owner or a
/// publisher, until it is retired. Unknown departments are refused on
/// `department_ids[i]`, unknown roles on `roles[i]`; duplicates are kept once.
pub async fn set_addressees(
    app: &App,
    ctx: &Ctx,
    id: i64,
    department_ids: &[DepartmentId],
    roles: &[String],
) -> Result<Addressees> {
    ctx.principal
        .authorize(Resource::Document, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let (d, _) = load(&mut tx, ctx, id).await?;
    if !manages(ctx, &d) {
        return Err(forbidden());
    }
    if d.status == VersionStatus::Retired {
        return Err(DocumentConflict::Retired.into());
    }
    let mut errors = FieldErrors::new();
    let mut next = Addressees::default();
    for (i, dept) in department_ids.iter().enumerate() {
        if departments::get(&mut tx, *dept).await?.is_none() {
            errors.add(format!("department_ids[{i}]"), FieldErrorKind::NoSuchRecord);
        } else if !next.departments.contains(dept) {
            next.departments.push(*dept);
        }
    }
    for (i, r) in roles.iter().enumerate() {
        match Role::from_code(r.trim()) {
            Some(role) => {
                if !next.roles.contains(&role) {
                    next.roles.push(role);
                }
            }
            None => errors.add(
                format!("roles[{i}]"),
                FieldErrorKind::UnknownValue {
                    allowed: Role::ALL.iter().map(|r| r.code()).collect(),
                },
            ),
        }
    }
    errors.into_result()?;
    let before = store::addressees(&mut tx, id).await?;
    let now = Timestamp::now();
    store::set_addressees(&mut tx, id, &next, now).await?;
    let json = |a: &Addressees| {
        serde_json::json!({
            "department_ids": a.departments.iter().map(|d| d.0).collect::<Vec<_>>(),
            "roles": a.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
        })
    };
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, DocumentRecord::Document, id)
            .before(&json(&before))
            .after(&json(&next)),
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// The caller's standing towards a document's version in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Whether the document is addressed to the caller.
    pub addressed: bool,
    /// When they confirmed reading the version in force, if they did.
    pub acknowledged_at: Option<Timestamp>,
}

/// The caller's standing towards `d` (`None` when it is not in force).
pub(crate) async fn standing(conn: &mut Conn, ctx: &Ctx, d: &Document) -> Result<Option<Standing>> {
    if d.status != VersionStatus::Effective {
        return Ok(None);
    }
    let Some(v) = in_force(conn, d).await? else {
        return Ok(None);
    };
    let me = ctx.principal.user_id;
    Ok(Some(Standing {
        addressed: store::is_addressed(conn, d.id, me).await?,
        acknowledged_at: store::acknowledged_at(conn, v.id, me).await?,
    }))
}

/// What a confirmation recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    /// The version confirmed.
    pub version: String,
    /// Its id.
    pub version_id: i64,
    /// When (the first confirmation, if the caller confirms twice).
    pub at: Timestamp,
    /// Whether this call recorded it (false: it already was).
    pub new: bool,
}

/// The caller confirms reading the version in force of a document addressed to them
/// (409 `document_not_addressed` otherwise, `document_not_in_force` for a document not in
/// force). Confirming twice changes nothing.
pub async fn acknowledge(app: &App, ctx: &Ctx, id: i64) -> Result<Acknowledged> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    if ctx.system {
        return Err(DocumentConflict::NotAddressed.into());
    }
    let mut tx = app.db().begin().await?;
    let (d, _) = load(&mut tx, ctx, id).await?;
    if d.status != VersionStatus::Effective {
        return Err(DocumentConflict::NotInForce.into());
    }
    let v = in_force(&mut tx, &d)
        .await?
        .ok_or(DocumentConflict::NotInForce)?;
    let me = ctx.principal.user_id;
    if !store::is_addressed(&mut tx, id, me).await? {
        return Err(DocumentConflict::NotAddressed.into());
    }
    let now = Timestamp::now();
    let new = store::acknowledge(&mut tx, id, v.id, me, now).await?;
    if new {
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::new(DocumentAction::Acknowledge, DocumentRecord::Document, id)
                .after(&serde_json::json!({"acknowledged_version": v.number.to_string()})),
        )
        .await?;
    }
    let at = store::acknowledged_at(&mut tx, v.id, me)
        .await?
        .unwrap_or(now);
    tx.commit().await?;
    Ok(Acknowledged {
        version: v.number.to_string(),
        version_id: v.id,
        at,
        new,
    })
}

/// The coverage of a document's version in force.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// The version in force (`None`: the document is not in force; the lines count the
    /// people addressed, none of whom has anything to confirm yet).
    pub version: Option<String>,
    /// Who it is addressed to.
    pub addressees: Addressees,
    /// People addressed.
    pub total: i64,
    /// Of them, those who confirmed.
    pub acknowledged: i64,
    /// Per department.
    pub lines: Vec<CoverageLine>,
}

async fn coverage_version(
    conn: &mut Conn,
    ctx: &Ctx,
    id: i64,
) -> Result<(Document, Option<DocumentVersion>)> {
    // `load` already answers 404 to those who read nothing of it.
    let (d, _) = load(conn, ctx, id).await?;
    if !sees_coverage(ctx, &d) {
        return Err(DomainError::Forbidden {
            resource: Resource::DocumentRegister,
            action: Action::Read,
        }
        .into());
    }
    let v = in_force(conn, &d).await?;
    Ok((d, v))
}

/// Who has confirmed the version in force, per department (its owner, publishers and
/// those who read the whole register).
pub async fn coverage(app: &App, ctx: &Ctx, id: i64) -> Result<Coverage> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let (_, v) = coverage_version(&mut conn, ctx, id).await?;
    let addressees = store::addressees(&mut conn, id).await?;
    let lines = if addressees.is_empty() {
        Vec::new()
    } else {
        store::coverage(&mut conn, id, v.as_ref().map_or(0, |v| v.id)).await?
    };
    Ok(Coverage {
        version: v.map(|v| v.number.to_string()),
        total: lines.iter().map(|l| l.total).sum(),
        acknowledged: lines.iter().map(|l| l.acknowledged).sum(),
        addressees,
        lines,
    })
}

/// The people addressed who have not confirmed the version in force (of one department
/// when given; `Some(None)`: those without a department), by name, at most
/// [`PENDING_MAX`].
pub async fn pending(
    app: &App,
    ctx: &Ctx,
    id: i64,
    department: Option<Option<DepartmentId>>,
) -> Result<Vec<(UserId, String, Option<DepartmentId>)>> {
    ctx.principal
        .authorize(Resource::Document, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    let (_, v) = coverage_version(&mut conn, ctx, id).await?;
    Ok(store::pending(
        &mut conn,
        id,
        v.map_or(0, |v| v.id),
        department,
        PENDING_MAX,
    )
    .await?)
}

/// Documents in force addressed to the caller that they have not confirmed.
pub(crate) async fn waiting(
    conn: &mut Conn,
    ctx: &Ctx,
    limit: u32,
    out: &mut Vec<Waiting>,
) -> Result<()> {
    if ctx.system {
        return Ok(());
    }
    let me = ctx.principal.user_id;
    let Some(user) = users::get(conn, me).await? else {
        return Ok(());
    };
    let departments = match user.department_id {
        Some(d) => departments::get(conn, d)
            .await?
            .map(|d| d.path.0)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut roles: Vec<Role> = ctx.principal.grants.iter().map(|g| g.role).collect();
    roles.sort_by_key(|r| r.code());
    roles.dedup();
    for (id, code, title, _, since) in store::to_read(conn, me, &departments, &roles, limit).await?
    {
        out.push(Waiting {
            process: "document",
            id,
            code,
            title,
            state: VersionStatus::Effective.code(),
            state_label: VersionStatus::Effective.label(),
            expected: Expected::Acknowledge,
            step: None,
            since,
            due_at: None,
            overdue: false,
            pending_risks: None,
        });
    }
    Ok(())
}
