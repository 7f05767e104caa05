//! The audit trail: appending chained entries inside the caller's transaction, reading
//! them back, and walking the chain for verification.

use crate::conn::{Conn, DbError, Row};
use crate::sql::Sql;
use castellan_domain::Timestamp;
use castellan_domain::audit::{AuditEntry, ChainError, ChainVerifier};
use castellan_domain::paging::{Cursor, KeyValue, Sort};

/// An entry to append; the chain fields are filled in by [`append`].
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    /// Acting user (`None` for the system).
    pub actor_id: Option<i64>,
    /// Acting username, or `system`.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// Kind of record.
    pub entity_type: String,
    /// Record id.
    pub entity_id: Option<String>,
    /// JSON before.
    pub before: Option<String>,
    /// JSON after.
    pub after: Option<String>,
    /// Client address.
    pub client_ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
}

/// Appends an entry. Must run in the same transaction as the change it records: the head
/// row update takes a row lock (PostgreSQL) or runs under the write lock (SQLite), so
/// entries get consecutive numbers in commit order and a rolled-back change leaves no entry.
pub async fn append(conn: &mut Conn, new: NewEntry, now: Timestamp) -> Result<AuditEntry, DbError> {
    let row = Sql::new("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(DbError::RowNotFound)?;
    let seq: i64 = row.try_get(0)?;
    let prev_hash: String = row.try_get(1)?;
    let mut entry = AuditEntry {
        seq,
        at: now.to_db(),
        actor_id: new.actor_id,
        actor: new.actor,
        action: new.action,
        entity_type: new.entity_type,
        entity_id: new.entity_id,
        before: new.before,
        after: new.after,
        client_ip: new.client_ip,
        request_id: new.request_id,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    let mut q = Sql::new(
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity_type, entity_id, before_data, after_data, client_ip, request_id, prev_hash, hash) VALUES (",
    );
    q.bind(entry.seq)
        .push(", ")
        .bind(entry.at.clone())
        .push(", ")
        .bind(entry.actor_id)
        .push(", ")
        .bind(entry.actor.clone())
        .push(", ")
        .bind(entry.action.clone())
        .push(", ")
        .bind(entry.entity_type.clone())
        .push(", ")
        .bind(entry.entity_id.clone())
        .push(", ")
        .bind(entry.before.clone())
        .push(", ")
        .bind(entry.after.clone())
        .push(", ")
        .bind(entry.client_ip.clone())
        .push(", ")
        .bind(entry.request_id.clone())
        .push(", ")
        .bind(entry.prev_hash.clone())
        .push(", ")
        .bind(entry.hash.clone())
        .push(")");
    q.execute(&mut *conn).await?;
    let mut q = Sql::new("UPDATE audit_head SET hash = ");
    q.bind(entry.hash.clone()).push(" WHERE id = 1");
    q.execute(conn).await?;
    Ok(entry)
}

const COLUMNS: &str = "seq, at, actor_id, actor, action, entity_type, entity_id, before_data, after_data, client_ip, request_id, prev_hash, hash";

fn from_row(mut row: Row) -> Result<AuditEntry, DbError> {
    Ok(AuditEntry {
        seq: row.take("seq")?,
        at: row.take("at")?,
        actor_id: row.take("actor_id")?,
        actor: row.take("actor")?,
        action: row.take("action")?,
        entity_type: row.take("entity_type")?,
        entity_id: row.take("entity_id")?,
        before: row.take("before_data")?,
        after: row.take("after_data")?,
        client_ip: row.take("client_ip")?,
        request_id: row.take("request_id")?,
        prev_hash: row.take("prev_hash")?,
        hash: row.take("hash")?,
    })
}

/// Filters for reading the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Kind of record.
    pub entity_type: Option<String>,
    /// Record id (with `entity_type`).
    pub entity_id: Option<String>,
    /// Acting user.
    pub actor_id: Option<i64>,
    /// Action.
    pub action: Option<String>,
    /// From this time (inclusive).
    pub from: Option<Timestamp>,
    /// Before this time (exclusive).
    pub to: Option<Timestamp>,
}

/// The sort of the audit list: newest first by sequence number.
pub const SORT: Sort = Sort {
    field: "seq",
    descending: true,
};

/// One page of entries, newest first.
pub async fn list(
    conn: &mut Conn,
    filter: &AuditFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<AuditEntry>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1"));
    if let Some(t) = &filter.entity_type {
        q.push(" AND entity_type = ").bind(t.clone());
    }
    if let Some(id) = &filter.entity_id {
        q.push(" AND entity_id = ").bind(id.clone());
    }
    if let Some(a) = filter.actor_id {
        q.push(" AND actor_id = ").bind(a);
    }
    if let Some(a) = &filter.action {
        q.push(" AND action = ").bind(a.clone());
    }
    if let Some(f) = filter.from {
        q.push(" AND at >= ").bind(f.to_db());
    }
    if let Some(t) = filter.to {
        q.push(" AND at < ").bind(t.to_db());
    }
    if let Some(c) = after {
        let [KeyValue::Int(seq)] = c.keys.as_slice() else {
            return Err(DbError::BadCursor);
        };
        q.push(" AND seq < ").bind(*seq);
    }
    q.push(" ORDER BY seq DESC LIMIT ")
        .bind(i64::from(limit) + 1);
    let mut items: Vec<AuditEntry> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, SORT, |e| vec![KeyValue::Int(e.seq)]);
    Ok((items, next))
}

/// The result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Entries checked.
    pub checked: i64,
    /// Hash of the last entry (record it elsewhere to detect a rewrite of the whole tail).
    pub head_hash: String,
    /// The first problem, if any.
    pub error: Option<ChainError>,
}

/// Checks every entry in order, in batches, in constant memory.
pub async fn verify(conn: &mut Conn) -> Result<Verification, DbError> {
    let mut verifier = ChainVerifier::new();
    let mut after = 0_i64;
    loop {
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM audit_log WHERE seq > "));
        q.bind(after).push(" ORDER BY seq LIMIT 5000");
        let rows = q.fetch_all(&mut *conn).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let entry = from_row(row)?;
            after = entry.seq;
            if let Err(error) = verifier.check(&entry) {
                return Ok(Verification {
                    checked: verifier.checked(),
                    head_hash: verifier.last_hash().to_owned(),
                    error: Some(error),
                });
            }
        }
    }
    let row = Sql::new("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::RowNotFound)?;
    let head_seq: i64 = row.try_get(0)?;
    let head_hash: String = row.try_get(1)?;
    Ok(Verification {
        checked: verifier.checked(),
        head_hash: verifier.last_hash().to_owned(),
        error: verifier.finish(head_seq, &head_hash).err(),
    })
}
