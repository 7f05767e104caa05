//! Controlled documents (SPEC §6.2): the register, each document's versions on the
//! workflow engine, scheduled reviews, and what waits for whom.

pub mod acknowledgements;
pub mod documents;
pub mod files;
pub mod starter;
pub mod versions;
