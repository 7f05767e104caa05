//! Privileged-password custody (SPEC §6.6): records, handovers and the facts their
//! warnings are computed from.

pub mod records;
