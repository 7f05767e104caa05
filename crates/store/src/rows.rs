//! Reading typed values out of rows, with a decode error (not a panic) for corrupt data.

use crate::conn::{DbError, Row};
use castellan_domain::Timestamp;

pub(crate) fn corrupt(what: &str, value: &str) -> DbError {
    DbError::decode(what, format!("stored value is not valid: {value:?}"))
}

pub(crate) fn ts(row: &mut Row, col: &str) -> Result<Timestamp, DbError> {
    let s: String = row.take(col)?;
    Timestamp::parse(&s).ok_or_else(|| corrupt(col, &s))
}

pub(crate) fn ts_opt(row: &mut Row, col: &str) -> Result<Option<Timestamp>, DbError> {
    let s: Option<String> = row.take(col)?;
    s.map(|s| Timestamp::parse(&s).ok_or_else(|| corrupt(col, &s)))
        .transpose()
}
