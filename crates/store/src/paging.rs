//! Keyset paging shared by every list: `WHERE (key, id) > (last key, last id)`, and the next cursor taken from the extra row fetched.

use crate::conn::DbError;
use crate::sql::Sql;
use castellan_domain::paging::{Cursor, KeyValue, Sort};

/// Appends the keyset condition for `after` and the ORDER BY for `column`, id.
pub(crate) fn keyset(
    q: &mut Sql,
    column: &str,
    sort: Sort,
    after: Option<&Cursor>,
) -> Result<(), DbError> {
    let (cmp, dir) = if sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(cursor) = after {
        let mut keys = cursor.keys.iter();
        let (Some(key), Some(KeyValue::Int(id))) = (keys.next(), keys.next()) else {
            return Err(DbError::decode("cursor", "does not match the sort"));
        };
        // A row-value comparison: both engines turn it into an index range scan.
        q.push(&format!(" AND ({column}, id) {cmp} ("));
        bind_key(q, key);
        q.push(", ").bind(*id).push(")");
    }
    q.push(&format!(" ORDER BY {column} {dir}, id {dir}"));
    Ok(())
}

fn bind_key(q: &mut Sql, key: &KeyValue) {
    match key {
        KeyValue::Int(i) => q.bind(*i),
        KeyValue::Text(s) => q.bind(s.clone()),
        KeyValue::Null => q.bind(Option::<String>::None),
    };
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
