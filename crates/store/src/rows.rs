//! Reading typed values out of rows, with a decode error (not a panic) for corrupt data.

use crate::conn::{DbError, Row};
use castellan_domain::asset::Rating;
use castellan_domain::{Day, FieldErrorKind, Timestamp};

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

pub(crate) fn rating(row: &Row, col: &str) -> Result<Rating, DbError> {
    let v: i64 = row.try_get(col)?;
    Rating::new(v).map_err(|_| corrupt(col, &v.to_string()))
}

pub(crate) fn rating_opt(row: &Row, col: &str) -> Result<Option<Rating>, DbError> {
    let v: Option<i64> = row.try_get(col)?;
    v.map(|v| Rating::new(v).map_err(|_| corrupt(col, &v.to_string())))
        .transpose()
}

pub(crate) fn code_of<T>(
    row: &mut Row,
    col: &str,
    parse: impl Fn(&str) -> Result<T, FieldErrorKind>,
) -> Result<T, DbError> {
    let s: String = row.take(col)?;
    parse(&s).map_err(|_| corrupt(col, &s))
}

pub(crate) fn optional_code<T>(
    row: &mut Row,
    col: &str,
    parse: impl Fn(&str) -> Result<T, FieldErrorKind>,
) -> Result<Option<T>, DbError> {
    let s: Option<String> = row.take(col)?;
    s.map(|s| parse(&s).map_err(|_| corrupt(col, &s)))
        .transpose()
}

pub(crate) fn day_opt(row: &mut Row, col: &str) -> Result<Option<Day>, DbError> {
    optional_code(row, col, Day::parse)
}
