//! Security goals (SPEC §6.5): the breakdown from the company's goal to departments and
//! positions, each approved by the owner of the goal above, and their progress.

pub mod goals;
