//! Files attached to records (`attachments`, `attachment_chunks`): a header per file and its
//! content in numbered chunks, written and read one chunk per statement so no call holds a
//! whole file. Owners are named by a kind code and an id; the kernel does not know their
//! tables.

use crate::conn::{Conn, DbError, Row};
use crate::rows;
use crate::sql::Sql;
use castellan_domain::{Timestamp, UserId};

/// An attachment's header (everything but the content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    /// Id.
    pub id: i64,
    /// The kind of record it is attached to.
    pub owner_kind: String,
    /// That record's id.
    pub owner_id: i64,
    /// The file name.
    pub name: String,
    /// The media type.
    pub media_type: String,
    /// Size in bytes (0 until finished).
    pub size: i64,
    /// SHA-256 of the content, lower-case hex (empty until finished).
    pub sha256: String,
    /// Who attached it (`None` for the system).
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: Timestamp,
}

/// A new attachment's header.
#[derive(Debug, Clone, Copy)]
pub struct NewAttachment<'a> {
    /// The kind of record it is attached to.
    pub owner_kind: &'a str,
    /// That record's id.
    pub owner_id: i64,
    /// The file name.
    pub name: &'a str,
    /// The media type.
    pub media_type: &'a str,
    /// Who attaches it.
    pub created_by: Option<UserId>,
}

const COLUMNS: &str =
    "id, owner_kind, owner_id, name, media_type, size, sha256, created_by, created_at";

fn from_row(mut r: Row) -> Result<AttachmentRow, DbError> {
    Ok(AttachmentRow {
        id: r.take("id")?,
        owner_kind: r.take("owner_kind")?,
        owner_id: r.take("owner_id")?,
        name: r.take("name")?,
        media_type: r.take("media_type")?,
        size: r.take("size")?,
        sha256: r.take("sha256")?,
        created_by: r.take::<Option<i64>, _>("created_by")?.map(UserId),
        created_at: rows::ts(&mut r, "created_at")?,
    })
}

/// Inserts the header of a file about to be written (size 0, no hash yet); returns its id.
/// Call [`append_chunk`] for the content and [`finish`] in the same transaction.
pub async fn insert(
    conn: &mut Conn,
    new: &NewAttachment<'_>,
    now: Timestamp,
) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO attachments (owner_kind, owner_id, name, media_type, size, sha256, created_by, created_at) VALUES (",
    );
    q.bind(new.owner_kind)
        .push(", ")
        .bind(new.owner_id)
        .push(", ")
        .bind(new.name)
        .push(", ")
        .bind(new.media_type)
        .push(", 0, '', ")
        .bind(new.created_by.map(|u| u.0))
        .push(", ")
        .bind(now.to_db())
        .push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// The page cache (KiB) of SQLite's writer while an attachment is written, and the one it
/// has otherwise (`db.rs`). A 50 MiB file would otherwise fill the writer's whole cache with
/// pages nobody reads again; with a small cache SQLite spills them to the write-ahead log as
/// it goes, and the server's memory stays flat.
const ATTACHMENT_CACHE_KIB: i64 = 2_000;

/// Shrinks (`small`) or restores SQLite's page cache for the writing of an attachment; does
/// nothing on PostgreSQL, whose server holds its own cache.
pub async fn attachment_cache(conn: &mut Conn, small: bool) -> Result<(), DbError> {
    if conn.backend() != crate::Backend::Sqlite {
        return Ok(());
    }
    let kib = if small {
        ATTACHMENT_CACHE_KIB
    } else {
        crate::db::CACHE_KIB
    };
    conn.execute(&format!("PRAGMA cache_size = -{kib}"), &[])
        .await?;
    Ok(())
}

/// Stores chunk `seq` (0, 1, 2, …) of an attachment's content.
pub async fn append_chunk(
    conn: &mut Conn,
    attachment_id: i64,
    seq: i64,
    data: Vec<u8>,
) -> Result<(), DbError> {
    let mut q = Sql::new("INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (");
    q.bind(attachment_id)
        .push(", ")
        .bind(seq)
        .push(", ")
        .bind(data)
        .push(")");
    q.execute(conn).await.map(|_| ())
}

/// Records the size and hash of an attachment whose chunks are all written.
pub async fn finish(
    conn: &mut Conn,
    attachment_id: i64,
    size: i64,
    sha256: &str,
) -> Result<(), DbError> {
    let mut q = Sql::new("UPDATE attachments SET size = ");
    q.bind(size)
        .push(", sha256 = ")
        .bind(sha256)
        .push(" WHERE id = ")
        .bind(attachment_id);
    match q.execute(conn).await? {
        1 => Ok(()),
        _ => Err(DbError::RowNotFound),
    }
}

/// The attachments of one owner, oldest first (the newest last), without their content.
pub async fn list_by_owner(
    conn: &mut Conn,
    owner_kind: &str,
    owner_id: i64,
) -> Result<Vec<AttachmentRow>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM attachments WHERE owner_kind = "
    ));
    q.bind(owner_kind)
        .push(" AND owner_id = ")
        .bind(owner_id)
        .push(" ORDER BY id");
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// One attachment's header.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<AttachmentRow>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM attachments WHERE id = "));
    q.bind(id);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Chunk `seq` of an attachment's content, if there is one.
pub async fn chunk(
    conn: &mut Conn,
    attachment_id: i64,
    seq: i64,
) -> Result<Option<Vec<u8>>, DbError> {
    let mut q = Sql::new("SELECT data FROM attachment_chunks WHERE attachment_id = ");
    q.bind(attachment_id).push(" AND seq = ").bind(seq);
    match q.fetch_optional(conn).await? {
        Some(mut row) => Ok(Some(row.take("data")?)),
        None => Ok(None),
    }
}

/// How many files an owner has and their total size in bytes.
pub async fn usage_by_owner(
    conn: &mut Conn,
    owner_kind: &str,
    owner_id: i64,
) -> Result<(i64, i64), DbError> {
    let mut q = Sql::new(
        // PostgreSQL sums BIGINTs as NUMERIC: cast back (a no-op on SQLite).
        "SELECT COUNT(*) AS files, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM attachments WHERE owner_kind = ",
    );
    q.bind(owner_kind).push(" AND owner_id = ").bind(owner_id);
    let mut row = q.fetch_one(conn).await?;
    Ok((row.take("files")?, row.take("bytes")?))
}
