//! The inspection area's storage: checklists (the shipped one inserted by the migration),
//! plans with their inspectors (approvals and moves are the workflow engine's), and
//! inspections with their items' results.

pub mod checklists;
pub mod inspections;
pub mod plans;

use crate::conn::{DbError, Row};
use castellan_domain::Day;

pub(crate) fn day(row: &mut Row, col: &str) -> Result<Day, DbError> {
    crate::rows::day_opt(row, col)?.ok_or_else(|| crate::rows::corrupt(col, "NULL"))
}
