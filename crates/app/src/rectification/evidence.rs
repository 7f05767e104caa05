//! Evidence files of rectification tasks (what was changed: screenshots, sign-in sheets,
//! configuration exports), on the attachments kernel (SPEC §6.0).

use super::tasks::{forbidden, load, may_edit, writes};
use crate::attachments::{self, Attachment, Owner};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::rectification::RectificationConflict;

/// The attachments of a task belong to it under this kind.
const ATTACHMENT_OWNER: &str = "rectification";

fn owner(id: i64) -> Owner {
    Owner {
        kind: ATTACHMENT_OWNER,
        id,
    }
}

/// Attaches a file to a task until it is verified: its responsible person, its verifier,
/// and whoever may change its plan. Stored with its SHA-256; over the limit it is refused
/// (413) and nothing is stored.
pub async fn attach<S, E>(
    app: &App,
    ctx: &Ctx,
    id: i64,
    name: &str,
    media_type: Option<&str>,
    body: S,
) -> Result<Attachment>
where
    S: futures_util::Stream<Item = std::result::Result<bytes::Bytes, E>>,
    E: Into<crate::Error>,
{
    if !writes(ctx) {
        return Err(forbidden());
    }
    {
        let mut conn = app.db().read().await?;
        let t = load(&mut conn, ctx, id).await?;
        if t.status.is_finished() {
            return Err(RectificationConflict::TaskVerified.into());
        }
        let me = ctx.principal.user_id;
        if t.responsible_id != me && t.verifier_id != me && !may_edit(&mut conn, ctx, &t).await? {
            return Err(forbidden());
        }
    }
    let limit = app.settings().attachment_limit_bytes;
    attachments::save(app, ctx, owner(id), name, media_type, body, limit).await
}

/// A task's attachments, oldest first, for whoever reads the task.
pub async fn list(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<Attachment>> {
    {
        let mut conn = app.db().read().await?;
        load(&mut conn, ctx, id).await?;
    }
    attachments::list(app, owner(id)).await
}

/// One attachment of a task and its content, for whoever reads the task (404 for an
/// attachment of another record).
pub async fn open(
    app: &App,
    ctx: &Ctx,
    id: i64,
    attachment: i64,
) -> Result<(
    Attachment,
    impl futures_util::Stream<Item = Result<bytes::Bytes>> + Send + 'static + use<>,
)> {
    {
        let mut conn = app.db().read().await?;
        load(&mut conn, ctx, id).await?;
    }
    attachments::open(app, owner(id), attachment).await
}
