//! The continuity area's storage: backup plans with their restore tests, DR plans with their
//! assets, drills with their participants and problems.

pub mod backup_plans;
pub mod dr_plans;
pub mod drills;

use crate::conn::{DbError, Row};
use castellan_domain::Day;

pub(crate) fn day(row: &mut Row, col: &str) -> Result<Day, DbError> {
    crate::rows::day_opt(row, col)?.ok_or_else(|| crate::rows::corrupt(col, "NULL"))
}
