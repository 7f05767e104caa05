//! Import files waiting for their commit (`pending_uploads`).

use crate::conn::{Conn, DbError};
use crate::sql::Sql;
use castellan_domain::{Timestamp, UserId};

/// Stores a file for `user` under the hash of its token.
pub async fn insert(
    conn: &mut Conn,
    user: UserId,
    token_hash: &str,
    file_name: &str,
    content: Vec<u8>,
    now: Timestamp,
) -> Result<(), DbError> {
    let mut q = Sql::new(
        "INSERT INTO pending_uploads (user_id, token_hash, file_name, created_at, content) VALUES (",
    );
    q.bind(user.0)
        .push(", ")
        .bind(token_hash)
        .push(", ")
        .bind(file_name)
        .push(", ")
        .bind(now.to_db())
        .push(", ")
        .bind(content)
        .push(")");
    q.execute(conn).await.map(|_| ())
}

/// Removes and returns (file name, content) of the file `user` stored under `token_hash`,
/// if it is there and not older than `not_before`.
pub async fn take(
    conn: &mut Conn,
    user: UserId,
    token_hash: &str,
    not_before: Timestamp,
) -> Result<Option<(String, Vec<u8>)>, DbError> {
    let mut q = Sql::new("SELECT id, file_name, content FROM pending_uploads WHERE user_id = ");
    q.bind(user.0)
        .push(" AND token_hash = ")
        .bind(token_hash)
        .push(" AND created_at >= ")
        .bind(not_before.to_db());
    let Some(mut row) = q.fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let id: i64 = row.take("id")?;
    let found = (row.take("file_name")?, row.take("content")?);
    let mut q = Sql::new("DELETE FROM pending_uploads WHERE id = ");
    q.bind(id);
    q.execute(conn).await?;
    Ok(Some(found))
}

/// Removes files stored before `before`; returns how many.
pub async fn sweep(conn: &mut Conn, before: Timestamp) -> Result<u64, DbError> {
    let mut q = Sql::new("DELETE FROM pending_uploads WHERE created_at < ");
    q.bind(before.to_db());
    q.execute(conn).await
}
