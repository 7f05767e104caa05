//! The risk area's tables: the threat catalog, vulnerability findings and controls,
//! assessments (scope, team, checklist, moves), risks with their ratings, and treatment
//! items.

pub mod assessments;
pub mod findings;
pub mod risks;
pub mod threats;
pub mod treatment;
