//! Command bodies.

pub(crate) mod agents;
pub(crate) mod audit;
pub(crate) mod check;
pub(crate) mod docs;
pub(crate) mod doctor;
pub(crate) mod exec;
pub(crate) mod from_codex;
pub(crate) mod hook;
pub(crate) mod init;
pub(crate) mod redact;
pub(crate) mod scan;
