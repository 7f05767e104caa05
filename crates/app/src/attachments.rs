//! Files attached to records of any area (SPEC §6.0): incidents, documents, inspections,
//! drills, evidence. Stored in the database with their SHA-256, size and media type, in
//! chunks of [`CHUNK_BYTES`], so a file of any size passes through a bounded amount of
//! memory on its way in and out.
//!
//! **Authorization is not decided here.** An attachment has no permissions of its own: it is
//! part of its owner. The owning area's service checks that the caller may change the owner
//! (to attach) or read it (to list or download), then calls this kernel with the [`Owner`];
//! the kernel only keeps one owner's files apart from another's (an id that belongs to
//! another owner is "not found").

use crate::audit::{self, Event};
use crate::error::{Error, Result};
use crate::{App, Ctx};
use bytes::Bytes;
use castellan_domain::attachment::{self as rules, FileName};
use castellan_domain::audit::{KernelRecord, Verb};
use castellan_domain::{DomainError, FieldErrorKind, FieldErrors, Timestamp, UserId};
use castellan_store::Tx;
use castellan_store::attachments::{self as store, AttachmentRow, NewAttachment};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The size of a stored chunk: the most of a file held in memory at once.
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// The record an attachment belongs to: the kind, a code the owning area declares in its
/// code (never taken from input), and the record's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    /// The kind of record (`incident`, `document`, …).
    pub kind: &'static str,
    /// The record's id.
    pub id: i64,
}

/// A stored attachment (without its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// The record it belongs to.
    pub owner: Owner,
    /// The file name as the uploader's system named it.
    pub name: String,
    /// The media type (`application/octet-stream` when the client's was not acceptable).
    pub media_type: String,
    /// Size in bytes (never 0).
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Who attached it (`None`: the system).
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: Timestamp,
}

impl Attachment {
    fn from_row(owner: Owner, r: AttachmentRow) -> Attachment {
        Attachment {
            id: r.id,
            owner,
            name: r.name,
            media_type: r.media_type,
            size: u64::try_from(r.size).unwrap_or(0),
            sha256: r.sha256,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// How many files a record has and their total size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Number of files.
    pub files: u64,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// What the audit trail records of a new attachment.
#[derive(Serialize)]
struct Snapshot<'a> {
    name: &'a str,
    media_type: &'a str,
    size: u64,
    sha256: &'a str,
    owner_kind: &'a str,
    owner_id: i64,
}

fn empty_file() -> Error {
    FieldErrors::single(
        "file",
        FieldErrorKind::invalid(
            "the file is empty; choose a file with content",
            "文件是空的，请选择有内容的文件",
        ),
    )
    .into()
}

fn too_large(limit_bytes: u64) -> Error {
    DomainError::PayloadTooLarge {
        limit: usize::try_from(limit_bytes).unwrap_or(usize::MAX),
    }
    .into()
}

/// Attaches a file to `owner`, reading its content from `body` as it arrives: the SHA-256
/// is computed on the way and the content written in chunks of [`CHUNK_BYTES`], all in one
/// transaction with the audit entry, so memory stays bounded whatever the size and a
/// failure leaves nothing behind.
///
/// `media_type` is the client's declared type, kept only when it is a plain `type/subtype`
/// (otherwise `application/octet-stream`). Refused, writing nothing: a name that is empty,
/// longer than 200 characters, holds `/`, `\`, control or text-direction characters, or is
/// `.` or `..` (422 on `name`); an empty file (422 on `file`); more than `limit_bytes`
/// (`PayloadTooLarge`, 413), found while reading: nothing is read after the piece that
/// passes the limit. An error of the body stream is returned as it converts.
///
/// The caller has checked that `ctx` may change `owner` (see the module's documentation).
/// While the body is read the transaction is open, holding SQLite's one writer: feed it
/// from a local, already received copy (as the web layer does), not from a slow client.
pub async fn save<S, E>(
    app: &App,
    ctx: &Ctx,
    owner: Owner,
    name: &str,
    media_type: Option<&str>,
    body: S,
    limit_bytes: u64,
) -> Result<Attachment>
where
    S: Stream<Item = std::result::Result<Bytes, E>>,
    E: Into<Error>,
{
    let name = FileName::parse(name).map_err(|kind| FieldErrors::single("name", kind))?;
    let media_type = rules::media_type(media_type);
    let mut body = std::pin::pin!(body);
    // The first bytes are read before the transaction starts: an empty file writes nothing.
    let first = loop {
        match body.next().await {
            None => return Err(empty_file()),
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(piece)) if piece.is_empty() => continue,
            Some(Ok(piece)) => break piece,
        }
    };
    if first.len() as u64 > limit_bytes {
        return Err(too_large(limit_bytes));
    }
    let now = Timestamp::now();
    let actor = ctx.actor();
    let mut tx = app.db().begin().await?;
    store::attachment_cache(&mut tx, true).await?;
    let id = store::insert(
        &mut tx,
        &NewAttachment {
            owner_kind: owner.kind,
            owner_id: owner.id,
            name: name.as_str(),
            media_type: &media_type,
            created_by: actor.id,
        },
        now,
    )
    .await?;
    let written = match write_content(&mut tx, id, first, body, limit_bytes).await {
        Ok(written) => written,
        Err(e) => {
            // Nothing of the file stays: the header and the chunks written so far go.
            if let Err(restore) = store::attachment_cache(&mut tx, false).await {
                tracing::warn!(error = %restore, "restoring the writer's cache failed");
            }
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a refused attachment failed");
            }
            return Err(e);
        }
    };
    let size = i64::try_from(written.size).map_err(Error::internal)?;
    store::finish(&mut tx, id, size, &written.sha256).await?;
    audit::record(
        &mut tx,
        &actor,
        Event::new(Verb::Create, KernelRecord::Attachment, id).after(&Snapshot {
            name: name.as_str(),
            media_type: &media_type,
            size: written.size,
            sha256: &written.sha256,
            owner_kind: owner.kind,
            owner_id: owner.id,
        }),
    )
    .await?;
    store::attachment_cache(&mut tx, false).await?;
    tx.commit().await?;
    Ok(Attachment {
        id,
        owner,
        name: name.into_string(),
        media_type,
        size: written.size,
        sha256: written.sha256,
        created_by: actor.id,
        created_at: now,
    })
}

/// The size and hash of a written content.
struct Written {
    size: u64,
    sha256: String,
}

/// Writes `first` and the rest of `body` as the chunks of attachment `id`.
async fn write_content<S, E>(
    tx: &mut Tx,
    id: i64,
    first: Bytes,
    mut body: std::pin::Pin<&mut S>,
    limit_bytes: u64,
) -> Result<Written>
where
    S: Stream<Item = std::result::Result<Bytes, E>>,
    E: Into<Error>,
{
    let mut hasher = Sha256::new();
    let mut size = 0_u64;
    let mut seq = 0_i64;
    let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK_BYTES);
    let mut piece = first;
    loop {
        size = size.saturating_add(piece.len() as u64);
        if size > limit_bytes {
            return Err(too_large(limit_bytes));
        }
        hasher.update(&piece);
        let mut rest: &[u8] = &piece;
        while !rest.is_empty() {
            let room = CHUNK_BYTES - chunk.len();
            let (now, later) = rest.split_at(room.min(rest.len()));
            chunk.extend_from_slice(now);
            rest = later;
            if chunk.len() == CHUNK_BYTES {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES));
                store::append_chunk(tx, id, seq, full).await?;
                seq += 1;
            }
        }
        piece = match body.next().await {
            None => break,
            Some(Ok(next)) => next,
            Some(Err(e)) => return Err(e.into()),
        };
    }
    if !chunk.is_empty() {
        store::append_chunk(tx, id, seq, chunk).await?;
    }
    Ok(Written {
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// The attachments of `owner`, oldest first (the newest last). The caller has checked that
/// the user may read the owner.
pub async fn list(app: &App, owner: Owner) -> Result<Vec<Attachment>> {
    let mut conn = app.db().read().await?;
    let rows = store::list_by_owner(&mut conn, owner.kind, owner.id).await?;
    Ok(rows
        .into_iter()
        .map(|r| Attachment::from_row(owner, r))
        .collect())
}

/// How many files `owner` has and their total size. The caller has checked that the user
/// may read the owner.
/// How many files an owner holds, inside the caller's transaction.
pub(crate) async fn count(conn: &mut castellan_store::Conn, owner: Owner) -> Result<u64> {
    let (files, _) = store::usage_by_owner(conn, owner.kind, owner.id).await?;
    Ok(u64::try_from(files).unwrap_or(0))
}

/// How many files and bytes an owner holds.
pub async fn usage(app: &App, owner: Owner) -> Result<Usage> {
    let mut conn = app.db().read().await?;
    let (files, bytes) = store::usage_by_owner(&mut conn, owner.kind, owner.id).await?;
    Ok(Usage {
        files: u64::try_from(files).unwrap_or(0),
        bytes: u64::try_from(bytes).unwrap_or(0),
    })
}

/// Which record of kind `kind` an attachment belongs to (`None`: no such attachment, or
/// one of another kind of record). For owners that hold files per part (an inspection's
/// items): the area then checks that the record is one of its parts.
pub async fn owner_id(app: &App, kind: &str, id: i64) -> Result<Option<i64>> {
    let mut conn = app.db().read().await?;
    Ok(store::get(&mut conn, id)
        .await?
        .filter(|r| r.owner_kind == kind)
        .map(|r| r.owner_id))
}

/// One attachment of `owner`; not found (404) when there is no such id or it belongs to
/// another record. The caller has checked that the user may read the owner.
pub async fn get(app: &App, owner: Owner, id: i64) -> Result<Attachment> {
    let mut conn = app.db().read().await?;
    match store::get(&mut conn, id).await? {
        Some(r) if r.owner_kind == owner.kind && r.owner_id == owner.id => {
            Ok(Attachment::from_row(owner, r))
        }
        _ => Err(DomainError::not_found("attachment").into()),
    }
}

/// One attachment of `owner` (as [`get`]) and its content as a stream of chunks, each read
/// by its own query when the consumer asks for it, so neither the file nor a database
/// connection is held while a slow client downloads. The stream fails (rather than ending
/// early) if the stored content does not add up to the recorded size. The caller has
/// checked that the user may read the owner.
pub async fn open(
    app: &App,
    owner: Owner,
    id: i64,
) -> Result<(
    Attachment,
    impl Stream<Item = Result<Bytes>> + Send + 'static + use<>,
)> {
    let attachment = get(app, owner, id).await?;
    let reader = Reader {
        app: app.clone(),
        id,
        seq: 0,
        sent: 0,
        size: attachment.size,
        failed: false,
    };
    let chunks = futures_util::stream::unfold(reader, |mut r| async move {
        if r.failed || r.sent >= r.size {
            return None;
        }
        match r.next_chunk().await {
            Ok(bytes) => Some((Ok(bytes), r)),
            Err(e) => {
                r.failed = true;
                Some((Err(e), r))
            }
        }
    });
    Ok((attachment, chunks))
}

/// Where a download is.
struct Reader {
    app: App,
    id: i64,
    seq: i64,
    sent: u64,
    size: u64,
    failed: bool,
}

impl Reader {
    async fn next_chunk(&mut self) -> Result<Bytes> {
        let data = {
            let mut conn = self.app.db().read().await?;
            store::chunk(&mut conn, self.id, self.seq).await?
        };
        let Some(data) = data else {
            return Err(Error::internal(format!(
                "attachment {} has {} of its {} bytes stored",
                self.id, self.sent, self.size
            )));
        };
        self.sent = self.sent.saturating_add(data.len() as u64);
        if self.sent > self.size {
            return Err(Error::internal(format!(
                "attachment {} has more content stored than its {} bytes",
                self.id, self.size
            )));
        }
        self.seq += 1;
        Ok(Bytes::from(data))
    }
}
