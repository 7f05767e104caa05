//! Security goals (SPEC §6.5, seed 003): the company's goal for a year broken down into
//! department goals and those into position goals; each drafted by its owner and published
//! once the owner of the level above approves it (the committee for the company's goal), or
//! returned with a comment; progress against its target.

pub mod audit;
mod conflict;
mod model;
pub mod permissions;

pub use conflict::GoalConflict;
pub use model::*;
