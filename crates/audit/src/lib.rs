//! The audit trail: one OCSF event per action, sealed into a SHA-256 hash
//! chain and appended to owner-only JSON-lines files that rotate.
//!
//! [`chain`] is pure (canonical JSON, sealing, checking); [`ocsf`] builds
//! events from text the caller has already redacted (the [`Redactor`]
//! trait is how the detection engine plugs in); [`jsonl`] is the file
//! sink, safe for many processes at once (an exclusive lock around read
//! head → append → fsync → write head), with the head (count and last hash)
//! kept beside the log so that a cut tail is found by [`jsonl::verify`].
#![forbid(unsafe_code)]

pub mod chain;
pub mod jsonl;
pub mod ocsf;

/// Masks secrets and PII in text before it becomes part of an event.
pub trait Redactor {
    /// `text` with every secret masked.
    fn redact(&self, text: &str) -> String;
}
