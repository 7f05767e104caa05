//! Privileged-password custody (SPEC §6.6): who holds the administrative password of each
//! key system and who backs them up, handovers before a witness followed by a password
//! change, and the warnings a security officer acts on. Never a password.

pub mod records;
pub mod register;
