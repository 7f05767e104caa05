//! Reading typed values out of rows, with a decode error (not a panic) for corrupt data.

use castellan_domain::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) fn corrupt(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored {what} is not valid: {value:?}").into())
}

pub(crate) fn ts(row: &AnyRow, col: &str) -> Result<Timestamp, sqlx::Error> {
    let s: String = row.try_get(col)?;
    Timestamp::parse(&s).ok_or_else(|| corrupt(col, &s))
}

pub(crate) fn ts_opt(row: &AnyRow, col: &str) -> Result<Option<Timestamp>, sqlx::Error> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| Timestamp::parse(&s).ok_or_else(|| corrupt(col, &s)))
        .transpose()
}
