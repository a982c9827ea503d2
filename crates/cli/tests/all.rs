//! Integration tests of the `rampart` binary: the CLI contract and the
//! sandbox attack suite.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]
#![allow(missing_docs, unreachable_pub, reason = "tests")]

mod suite;
