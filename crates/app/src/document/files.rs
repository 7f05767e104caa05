//! Files of document versions (the signed PDF, the Word original, forms), on the
//! attachments kernel (SPEC §6.0): attached to a draft by whoever may edit it, read by
//! whoever reads the version.

use super::documents::forbidden;
use super::versions::{load_version, may_edit, owner};
use crate::attachments::{self, Attachment};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::document::{DocumentConflict, VersionStatus};

/// Attaches a file to a draft version: its owner, author or a publisher. Stored with its
/// SHA-256; over the limit it is refused (413) and nothing is stored.
pub async fn attach<S, E>(
    app: &App,
    ctx: &Ctx,
    document_id: i64,
    id: i64,
    name: &str,
    media_type: Option<&str>,
    body: S,
) -> Result<Attachment>
where
    S: futures_util::Stream<Item = std::result::Result<bytes::Bytes, E>>,
    E: Into<crate::Error>,
{
    {
        let mut conn = app.db().read().await?;
        let (d, _, v) = load_version(&mut conn, ctx, document_id, id).await?;
        if v.status != VersionStatus::Draft {
            return Err(DocumentConflict::VersionLocked.into());
        }
        if !may_edit(ctx, &d, &v) {
            return Err(forbidden());
        }
    }
    let limit = app.settings().attachment_limit_bytes;
    attachments::save(app, ctx, owner(id), name, media_type, body, limit).await
}

/// A version's files, oldest first, for whoever reads the version.
pub async fn list(app: &App, ctx: &Ctx, document_id: i64, id: i64) -> Result<Vec<Attachment>> {
    {
        let mut conn = app.db().read().await?;
        load_version(&mut conn, ctx, document_id, id).await?;
    }
    attachments::list(app, owner(id)).await
}

/// One file of a version and its content, for whoever reads the version (404 for a file
/// of another record).
pub async fn open(
    app: &App,
    ctx: &Ctx,
    document_id: i64,
    id: i64,
    attachment: i64,
) -> Result<(
    Attachment,
    impl futures_util::Stream<Item = Result<bytes::Bytes>> + Send + 'static + use<>,
)> {
    {
        let mut conn = app.db().read().await?;
        load_version(&mut conn, ctx, document_id, id).await?;
    }
    attachments::open(app, owner(id), attachment).await
}
