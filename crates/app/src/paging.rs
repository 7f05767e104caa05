//! The paging arguments every list takes: page size, sort and cursor, checked together
//! (each bad one a field error of the 400/422 answer).

use crate::error::Result;
use castellan_domain::paging::{Cursor, Sort, parse_limit};
use castellan_domain::{DomainError, FieldErrors};

/// A list's checked paging arguments.
#[derive(Debug, Clone)]
pub struct PageArgs {
    /// Rows per page.
    pub limit: u32,
    /// Sort (one of the list's keys, `-` for descending).
    pub sort: Sort,
    /// Where the page starts.
    pub after: Option<Cursor>,
}

/// Checks `limit`, `sort` (default `default`, one of `sorts`) and `cursor` (which must have
/// been made for the same sort).
pub fn args(
    limit: Option<i64>,
    sort: Option<&str>,
    default: &str,
    sorts: &[&'static str],
    cursor: Option<&str>,
) -> Result<PageArgs> {
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(limit));
    let raw = sort
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(default);
    let sort = errors.check("sort", Sort::parse(Some(raw), sorts));
    errors.into_result()?;
    let (Some(limit), Some(sort)) = (limit, sort) else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = cursor
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    Ok(PageArgs { limit, sort, after })
}
