//! Bulk loading of assets, their tags and events: imports and demo data of a million rows.
//!
//! The one place where the engines are driven differently on purpose: SQLite gets one
//! cached prepared statement executed per row on its native connection (no per-row
//! conversion layer), PostgreSQL gets `COPY … FROM STDIN` with ids reserved from the
//! sequence beforehand, so tags and events can refer to the new assets.

use crate::asset::assets::{AssetFields, search_text, tags_text};
use crate::conn::{Conn, DbError};
use crate::db::may_block;
use castellan_domain::Timestamp;
use castellan_domain::ids::AssetId;

const ASSET_COLUMNS: &str = "code, name, category, department_id, owner_id, custodian, location, zone, classification, confidentiality, integrity, availability, value_score, value_level, status, tags, notes, search_text, version, created_at, updated_at";

/// A lifecycle event for [`insert_events`].
#[derive(Debug, Clone, Copy)]
pub struct BulkEvent<'a> {
    /// The asset.
    pub asset_id: AssetId,
    /// Event code.
    pub kind: &'a str,
    /// When.
    pub at: &'a str,
    /// Who (user id).
    pub actor_id: Option<i64>,
    /// Who, by name.
    pub actor: &'a str,
    /// Note.
    pub note: Option<&'a str>,
    /// Status before.
    pub from_status: &'a str,
    /// Status after.
    pub to_status: &'a str,
}

/// Inserts `rows` (and their tags) and returns their new ids, in order. Runs inside the
/// caller's transaction.
pub async fn insert_assets(
    conn: &mut Conn,
    rows: &[AssetFields<'_>],
    now: Timestamp,
) -> Result<Vec<AssetId>, DbError> {
    let now = now.to_db();
    if let Some(c) = conn.sqlite_native() {
        return may_block(|| sqlite_insert_assets(c, rows, &now));
    }
    if let Some(pg) = conn.postgres_native() {
        return pg_insert_assets(pg, rows, &now).await;
    }
    Err(DbError::decode("connection", "no native connection"))
}

fn sqlite_insert_assets(
    c: &rusqlite::Connection,
    rows: &[AssetFields<'_>],
    now: &str,
) -> Result<Vec<AssetId>, DbError> {
    let mut insert = c.prepare_cached(&format!(
        "INSERT INTO assets ({ASSET_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, 1, ?19, ?19)"
    ))?;
    let mut tag = c.prepare_cached("INSERT INTO asset_tags (asset_id, tag) VALUES (?1, ?2)")?;
    let mut ids = Vec::with_capacity(rows.len());
    for f in rows {
        insert.execute(rusqlite::params![
            f.code,
            f.name,
            f.category.code(),
            f.department_id.map(|d| d.0),
            f.owner_id.map(|u| u.0),
            f.custodian,
            f.location,
            f.zone.map(|z| z.code()),
            f.classification.map(|c| c.code()),
            f.confidentiality.get(),
            f.integrity.get(),
            f.availability.get(),
            f.value_score.tenths(),
            f.value_level.get(),
            f.status.code(),
            tags_text(f.tags),
            f.notes,
            search_text(f),
            now,
        ])?;
        let id = c.last_insert_rowid();
        for t in f.tags {
            tag.execute(rusqlite::params![id, t.to_lowercase()])?;
        }
        ids.push(AssetId(id));
    }
    Ok(ids)
}

/// Appends `value` to a COPY text-format buffer, escaping what the format requires.
fn copy_text(buf: &mut String, value: Option<&str>) {
    match value {
        None => buf.push_str("\\N"),
        Some(v) => {
            for ch in v.chars() {
                match ch {
                    '\\' => buf.push_str("\\\\"),
                    '\t' => buf.push_str("\\t"),
                    '\n' => buf.push_str("\\n"),
                    '\r' => buf.push_str("\\r"),
                    c => buf.push(c),
                }
            }
        }
    }
}

async fn reserve_ids(
    pg: &mut sqlx::PgConnection,
    table: &str,
    n: usize,
) -> Result<Vec<i64>, DbError> {
    let sql = format!(
        "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
    );
    let ids: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(n as i64)
        .fetch_all(&mut *pg)
        .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

async fn copy_in(
    pg: &mut sqlx::PgConnection,
    statement: &str,
    data: String,
) -> Result<(), DbError> {
    let mut copy = pg.copy_in_raw(statement).await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

async fn pg_insert_assets(
    pg: &mut sqlx::PgConnection,
    rows: &[AssetFields<'_>],
    now: &str,
) -> Result<Vec<AssetId>, DbError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = reserve_ids(pg, "assets", rows.len()).await?;
    let mut data = String::with_capacity(rows.len() * 200);
    let mut tags = String::new();
    for (f, id) in rows.iter().zip(&ids) {
        let num = |v: i64| v.to_string();
        let fields: [Option<String>; 22] = [
            Some(num(*id)),
            Some(f.code.to_owned()),
            Some(f.name.to_owned()),
            Some(f.category.code().to_owned()),
            f.department_id.map(|d| num(d.0)),
            f.owner_id.map(|u| num(u.0)),
            f.custodian.map(str::to_owned),
            f.location.map(str::to_owned),
            f.zone.map(|z| z.code().to_owned()),
            f.classification.map(|c| c.code().to_owned()),
            Some(num(i64::from(f.confidentiality.get()))),
            Some(num(i64::from(f.integrity.get()))),
            Some(num(i64::from(f.availability.get()))),
            Some(num(i64::from(f.value_score.tenths()))),
            Some(num(i64::from(f.value_level.get()))),
            Some(f.status.code().to_owned()),
            Some(tags_text(f.tags)),
            f.notes.map(str::to_owned),
            Some(search_text(f)),
            Some("1".to_owned()),
            Some(now.to_owned()),
            Some(now.to_owned()),
        ];
        for (i, v) in fields.iter().enumerate() {
            if i > 0 {
                data.push('\t');
            }
            copy_text(&mut data, v.as_deref());
        }
        data.push('\n');
        for t in f.tags {
            tags.push_str(&id.to_string());
            tags.push('\t');
            copy_text(&mut tags, Some(&t.to_lowercase()));
            tags.push('\n');
        }
    }
    copy_in(
        pg,
        &format!("COPY assets (id, {ASSET_COLUMNS}) FROM STDIN"),
        data,
    )
    .await?;
    if !tags.is_empty() {
        copy_in(pg, "COPY asset_tags (asset_id, tag) FROM STDIN", tags).await?;
    }
    Ok(ids.into_iter().map(AssetId).collect())
}

/// Inserts lifecycle events in bulk.
pub async fn insert_events(conn: &mut Conn, events: &[BulkEvent<'_>]) -> Result<(), DbError> {
    if let Some(c) = conn.sqlite_native() {
        return may_block(|| {
            let mut stmt = c.prepare_cached(
                "INSERT INTO asset_events (asset_id, kind, at, actor_id, actor, note, from_status, to_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for e in events {
                stmt.execute(rusqlite::params![
                    e.asset_id.0,
                    e.kind,
                    e.at,
                    e.actor_id,
                    e.actor,
                    e.note,
                    e.from_status,
                    e.to_status
                ])?;
            }
            Ok(())
        });
    }
    if let Some(pg) = conn.postgres_native() {
        if events.is_empty() {
            return Ok(());
        }
        let mut data = String::with_capacity(events.len() * 100);
        for e in events {
            let actor_id = e.actor_id.map(|a| a.to_string());
            let fields = [
                Some(e.asset_id.0.to_string()),
                Some(e.kind.to_owned()),
                Some(e.at.to_owned()),
                actor_id,
                Some(e.actor.to_owned()),
                e.note.map(str::to_owned),
                Some(e.from_status.to_owned()),
                Some(e.to_status.to_owned()),
            ];
            for (i, v) in fields.iter().enumerate() {
                if i > 0 {
                    data.push('\t');
                }
                copy_text(&mut data, v.as_deref());
            }
            data.push('\n');
        }
        return copy_in(
            pg,
            "COPY asset_events (asset_id, kind, at, actor_id, actor, note, from_status, to_status) FROM STDIN",
            data,
        )
        .await;
    }
    Err(DbError::decode("connection", "no native connection"))
}

/// What [`defer_indexes`] set aside: the statements that make it again, whether the search
/// index is to be rebuilt at the end, or kept in step batch by batch by the caller.
#[derive(Debug, Default)]
pub struct DeferredIndexes {
    sqls: Vec<String>,
    search: SearchUpkeep,
}

/// Who keeps the search index in step during a load.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum SearchUpkeep {
    /// Its triggers, row by row (PostgreSQL, whose index follows the table itself).
    #[default]
    Triggers,
    /// Nobody until [`restore_indexes`] rebuilds it in one pass.
    Rebuild,
    /// The caller, batch by batch.
    ByBatch,
}

impl DeferredIndexes {
    /// Whether the caller keeps the search index in step: [`unindex_search`] before it
    /// changes assets, [`index_search`] after it inserts or changes them.
    pub fn search_by_batch(&self) -> bool {
        self.search == SearchUpkeep::ByBatch
    }
}

/// SQLite only, inside the import's write transaction. With `all` (a small register): drops
/// the secondary indexes of the asset tables (not the unique code index, which duplicate
/// checks use) so that a large load appends rows, and [`restore_indexes`] builds them again
/// by sorting, which is several times faster than maintaining ten B-trees row by row.
///
/// Always: drops the triggers that keep the search index in step row by row. Inside a long
/// transaction every statement that fires them makes FTS5 write its pending entries out as
/// a new segment (at each statement's savepoint), so a row-by-row load spends its time
/// merging thousands of tiny segments: 2,000 updates took 9.9 s that way and 0.14 s with
/// the search entries replaced per batch. With `all` the search index is rebuilt in one
/// pass at the end; otherwise the caller keeps it in step per batch
/// ([`DeferredIndexes::search_by_batch`]).
///
/// Readers keep their snapshot (WAL); a rollback restores everything. On PostgreSQL
/// dropping an index would lock readers out for the whole load, so nothing is done there.
pub async fn defer_indexes(conn: &mut Conn, all: bool) -> Result<DeferredIndexes, DbError> {
    let Some(c) = conn.sqlite_native() else {
        return Ok(DeferredIndexes::default());
    };
    may_block(|| {
        let mut stmt = c.prepare(
            "SELECT type, name, sql FROM sqlite_master WHERE ((?1 AND type = 'index' AND tbl_name IN ('assets', 'asset_tags', 'asset_events') AND name <> 'assets_code') OR (type = 'trigger' AND name IN ('asset_search_insert', 'asset_search_update'))) AND sql IS NOT NULL",
        )?;
        let found: Vec<(String, String, String)> = stmt
            .query_map([all], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut deferred = DeferredIndexes::default();
        for (kind, name, sql) in found {
            let name = name.replace('"', "");
            if kind == "trigger" {
                c.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
                deferred.search = if all {
                    SearchUpkeep::Rebuild
                } else {
                    SearchUpkeep::ByBatch
                };
            } else {
                c.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            }
            deferred.sqls.push(sql);
        }
        Ok(deferred)
    })
}

/// Replaces search entries of `ids` through the search table's commands, at most 500 ids
/// per statement (SQLite; nothing on PostgreSQL, whose index follows the table itself).
async fn search_entries(conn: &mut Conn, ids: &[AssetId], add: bool) -> Result<(), DbError> {
    if conn.backend() != crate::Backend::Sqlite {
        return Ok(());
    }
    let head = if add {
        "INSERT INTO asset_search (rowid, search_text) SELECT id, search_text FROM assets WHERE id IN ("
    } else {
        "INSERT INTO asset_search (asset_search, rowid, search_text) SELECT 'delete', id, search_text FROM assets WHERE id IN ("
    };
    for chunk in ids.chunks(500) {
        let mut q = crate::sql::Sql::new(head);
        q.bind_list(chunk.iter().map(|a| a.0)).push(")");
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Removes the search entries of `ids` (their current text), before they change; see
/// [`DeferredIndexes::search_by_batch`].
pub async fn unindex_search(conn: &mut Conn, ids: &[AssetId]) -> Result<(), DbError> {
    search_entries(conn, ids, false).await
}

/// Adds the search entries of `ids` (their current text), after they were inserted or
/// changed; see [`DeferredIndexes::search_by_batch`].
pub async fn index_search(conn: &mut Conn, ids: &[AssetId]) -> Result<(), DbError> {
    search_entries(conn, ids, true).await
}

/// Builds the indexes [`defer_indexes`] dropped, and the search index.
pub async fn restore_indexes(conn: &mut Conn, deferred: DeferredIndexes) -> Result<(), DbError> {
    for sql in deferred.sqls {
        conn.execute_batch(&sql).await?;
    }
    if deferred.search == SearchUpkeep::Rebuild {
        conn.execute_batch("INSERT INTO asset_search (asset_search) VALUES ('rebuild')")
            .await?;
    }
    Ok(())
}

/// How many bytes of new search-index entries SQLite collects in memory before it writes
/// them out as a segment (FTS5 `hashsize`; its default is 1 MiB). A million assets make
/// fewer, larger segments and far less merging this way: the search index of a million
/// assets builds in 6.6 s instead of 11.7 s (sqlite3 shell, same data). Memory is taken
/// only as a transaction needs it.
const SEARCH_HASH_BYTES: u32 = 32 * 1024 * 1024;

/// Settings for a bulk load. SQLite: index builds sort in temporary files instead of memory,
/// so a million rows keep the process small (sorting on two threads was a quarter faster
/// per index but took the importer past 200 MB); the search index collects more entries in
/// memory before writing them (see `SEARCH_HASH_BYTES`, kept afterwards: it only matters
/// to large transactions); `on = false` goes back to in-memory temporaries. PostgreSQL:
/// nothing. (Forcing custom plans for the whole transaction, once done here so that code
/// lookups would not use a generic plan from the empty table, re-planned every foreign-key
/// check of every copied row: 90 % of the import's time. Only the code lookup is planned
/// for its values now: `assets::ids_by_code`.)
pub async fn bulk_cache(conn: &mut Conn, on: bool) -> Result<(), DbError> {
    match conn.backend() {
        crate::Backend::Sqlite => {
            let temp = if on { "FILE" } else { "MEMORY" };
            conn.execute_batch(&format!("PRAGMA temp_store = {temp}"))
                .await?;
            if on {
                conn.execute_batch(&format!(
                    "INSERT INTO asset_search (asset_search, rank) VALUES ('hashsize', {SEARCH_HASH_BYTES})"
                ))
                .await?;
            }
        }
        crate::Backend::Postgres => {}
    }
    Ok(())
}
