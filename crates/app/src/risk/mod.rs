//! The risk area's services: grading tables and re-rating, the threat catalog and its
//! files, findings and controls, assessments and their workflow, risks, treatment and the
//! reports.

pub mod assessments;
pub mod findings;
pub mod reports;
pub mod risk_tables;
pub mod risks;
pub mod threat_transfer;
pub mod threats;
pub mod treatment;
