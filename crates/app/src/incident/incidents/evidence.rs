//! Evidence files of incidents, on the attachments kernel (SPEC §6.0).

use super::*;

/// The attachments of an incident belong to it under this kind.
const ATTACHMENT_OWNER: &str = "incident";

pub(super) fn owner(id: i64) -> crate::attachments::Owner {
    crate::attachments::Owner {
        kind: ATTACHMENT_OWNER,
        id,
    }
}

/// Attaches a file (evidence, a screenshot) to an open incident: its reporter, its team and
/// the triagers who reach it. The file is stored with its SHA-256 (SPEC §6.0); over the
/// attachment limit it is refused (413) and nothing is stored.
pub async fn attach<S, E>(
    app: &App,
    ctx: &Ctx,
    id: i64,
    name: &str,
    media_type: Option<&str>,
    body: S,
) -> Result<crate::attachments::Attachment>
where
    S: futures_util::Stream<Item = std::result::Result<bytes::Bytes, E>>,
    E: Into<crate::Error>,
{
    if !writes(ctx) {
        return Err(forbidden());
    }
    {
        let mut conn = app.db().read().await?;
        let i = load(&mut conn, ctx, id).await?;
        let path = path_of(&mut conn, &i).await?;
        let roles = ctx.principal.roles_over(path.as_ref());
        if i.reporter_id != Some(ctx.principal.user_id) && !handles(ctx, &i, &roles) {
            return Err(forbidden());
        }
        if i.status.is_finished() {
            return Err(IncidentConflict::IncidentFinished.into());
        }
    }
    let limit = app.settings().attachment_limit_bytes;
    crate::attachments::save(app, ctx, owner(id), name, media_type, body, limit).await
}

/// An incident's attachments, oldest first, for whoever may read it.
pub async fn attachments(
    app: &App,
    ctx: &Ctx,
    id: i64,
) -> Result<Vec<crate::attachments::Attachment>> {
    {
        let mut conn = app.db().read().await?;
        load(&mut conn, ctx, id).await?;
    }
    crate::attachments::list(app, owner(id)).await
}

/// One attachment of an incident and its content, for whoever may read the incident (404
/// for an attachment of another record).
pub async fn open_attachment(
    app: &App,
    ctx: &Ctx,
    id: i64,
    attachment: i64,
) -> Result<(
    crate::attachments::Attachment,
    impl futures_util::Stream<Item = Result<bytes::Bytes>> + Send + 'static + use<>,
)> {
    {
        let mut conn = app.db().read().await?;
        load(&mut conn, ctx, id).await?;
    }
    crate::attachments::open(app, owner(id), attachment).await
}
