//! Security training (SPEC §6.4): the year's plan on the workflow engine, its trainings,
//! attendance marked on the page or imported from a file, completion per department, and
//! every person's own trainings.

pub mod attendance;
pub mod plans;
pub mod trainings;
