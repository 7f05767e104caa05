//! Writing and reading the audit trail.

use crate::error::Result;
use crate::{App, Ctx, RequestMeta};
use castellan_domain::audit::{AuditCode, AuditEntry};
use castellan_domain::paging::{Cursor, Page};
use castellan_domain::permission::Target;
use castellan_domain::{Action, Resource, Timestamp, UserId};
use castellan_store::Conn;
use castellan_store::audit::{self as store, AuditFilter, NewEntry, Verification};
use serde::Serialize;

/// Who an entry is attributed to.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    /// The user, `None` for the system itself.
    pub id: Option<UserId>,
    /// Their username, or `system`.
    pub name: &'a str,
    /// Request facts.
    pub meta: &'a RequestMeta,
}

impl Ctx {
    /// The caller as an audit actor.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            id: (!self.system).then_some(self.principal.user_id),
            name: &self.principal.username,
            meta: &self.meta,
        }
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Event {
    /// What was done (`create`, `update`, `delete`, `login`, …).
    pub action: &'static str,
    /// Kind of record.
    pub entity_type: &'static str,
    /// Record id.
    pub entity_id: Option<String>,
    /// Snapshot before.
    pub before: Option<serde_json::Value>,
    /// Snapshot after.
    pub after: Option<serde_json::Value>,
}

impl Event {
    /// An event about one record: what was done (`Verb` or an area's action) to which kind
    /// of record (an area's record type).
    pub fn new(action: impl AuditCode, entity_type: impl AuditCode, id: impl ToString) -> Self {
        Event {
            action: action.code(),
            entity_type: entity_type.code(),
            entity_id: Some(id.to_string()),
            before: None,
            after: None,
        }
    }

    /// Adds the snapshot before the change.
    pub fn before(mut self, value: &impl Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    /// Adds the snapshot after the change.
    pub fn after(mut self, value: &impl Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// Appends an entry in the caller's transaction.
pub async fn record(conn: &mut Conn, actor: &Actor<'_>, event: Event) -> Result<AuditEntry> {
    let entry = NewEntry {
        actor_id: actor.id.map(|u| u.0),
        actor: actor.name.to_owned(),
        action: event.action.to_owned(),
        entity_type: event.entity_type.to_owned(),
        entity_id: event.entity_id,
        before: event.before.map(|v| v.to_string()),
        after: event.after.map(|v| v.to_string()),
        client_ip: actor.meta.client_ip.clone(),
        request_id: actor.meta.request_id.clone(),
    };
    Ok(store::append(conn, entry, Timestamp::now()).await?)
}

/// Filters and position of an audit-log page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// The filters.
    pub filter: AuditFilter,
    /// Where the page starts.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: u32,
}

/// One page of the audit log, newest first (auditors and administrators).
pub async fn list(app: &App, ctx: &Ctx, query: &AuditQuery) -> Result<Page<AuditEntry>> {
    ctx.principal
        .authorize(Resource::AuditLog, Action::Read, Target::Global)?;
    let cursor = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &store::SORT.code(), 1))
        .transpose()?;
    let mut conn = app.db().read().await?;
    let (items, next) = store::list(&mut conn, &query.filter, cursor.as_ref(), query.limit).await?;
    Ok(Page {
        items,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// Walks the whole chain (the CLI's `audit verify`, and the audit page for auditors).
pub async fn verify(app: &App) -> Result<Verification> {
    let mut conn = app.db().read().await?;
    Ok(store::verify(&mut conn).await?)
}

/// Walks the whole chain on behalf of a signed-in auditor or administrator.
pub async fn verify_as(app: &App, ctx: &Ctx) -> Result<Verification> {
    ctx.principal
        .authorize(Resource::AuditLog, Action::Read, Target::Global)?;
    verify(app).await
}

/// The latest entries about one record, newest first (for its page). The caller has
/// already checked that the user may read the record.
pub(crate) async fn history_of(
    app: &App,
    entity_type: impl AuditCode,
    entity_id: &str,
) -> Result<Vec<AuditEntry>> {
    let filter = AuditFilter {
        entity_type: Some(entity_type.code().to_owned()),
        entity_id: Some(entity_id.to_owned()),
        ..AuditFilter::default()
    };
    let mut conn = app.db().read().await?;
    let (items, _) = store::list(&mut conn, &filter, None, 100).await?;
    Ok(items)
}
