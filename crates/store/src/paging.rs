//! Keyset paging shared by every list: `WHERE (key, id) > (last key, last id)`, and the next cursor taken from the extra row fetched.

use crate::conn::DbError;
use crate::sql::Sql;
use castellan_domain::paging::{Cursor, KeyValue, Sort};

/// The type of a list's sort column. A cursor's key must have it: a client can hand back a
/// cursor of its own making, and a text bound against an integer column (or the reverse)
/// is an error on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An integer column (levels, scores, sequence numbers).
    Int,
    /// A text column (names, codes, timestamps in their stored text form).
    Text,
}

/// The longest text key a cursor may carry: far above any stored sort value.
const MAX_TEXT_KEY: usize = 4096;

/// Whether `key` can stand for a value of a column of type `kind`. Text keys must also be
/// text both engines accept as a parameter (PostgreSQL refuses NUL characters).
fn fits(key: &KeyValue, kind: Kind) -> bool {
    match (key, kind) {
        (KeyValue::Int(_), Kind::Int) => true,
        (KeyValue::Text(s), Kind::Text) => s.len() <= MAX_TEXT_KEY && !s.contains('\0'),
        _ => false,
    }
}

/// Appends the keyset condition for `after` and the ORDER BY for `column` (of type `kind`),
/// id. A cursor whose keys do not fit (not one key of `kind` followed by an integer id) is
/// [`DbError::BadCursor`], which the caller's client is told about as a bad request.
pub(crate) fn keyset(
    q: &mut Sql,
    column: &str,
    kind: Kind,
    sort: Sort,
    after: Option<&Cursor>,
) -> Result<(), DbError> {
    let (cmp, dir) = if sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(cursor) = after {
        let [key, KeyValue::Int(id)] = cursor.keys.as_slice() else {
            return Err(DbError::BadCursor);
        };
        if !fits(key, kind) {
            return Err(DbError::BadCursor);
        }
        // A row-value comparison: both engines turn it into an index range scan.
        q.push(&format!(" AND ({column}, id) {cmp} ("));
        match key {
            KeyValue::Int(i) => q.bind(*i),
            KeyValue::Text(s) => q.bind(s.clone()),
        };
        q.push(", ").bind(*id).push(")");
    }
    q.push(&format!(" ORDER BY {column} {dir}, id {dir}"));
    Ok(())
}

/// Cuts the extra row off `items` and returns the cursor after the last kept row.
pub(crate) fn next_cursor<T>(
    items: &mut Vec<T>,
    limit: u32,
    sort: Sort,
    keys: impl Fn(&T) -> Vec<KeyValue>,
) -> Option<Cursor> {
    let limit = limit as usize;
    if items.len() <= limit {
        return None;
    }
    items.truncate(limit);
    items.last().map(|last| Cursor {
        sort: sort.code(),
        keys: keys(last),
    })
}
