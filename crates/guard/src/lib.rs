//! Input validation every rampart surface shares, before anything is
//! decided: what a URL connects to, what a path names and whether it stays
//! within reach, and how much input is read at all.
//!
//! - [`host`]: every URL rampart judges goes through the WHATWG parser of
//!   the `url` crate and one normalisation of its host
//!   ([`host::destination`], [`host::hosts_of`], [`host::normalise_host`]).
//! - [`path`]: the lexical checks every file action passes (absolute,
//!   NUL-free, lexically normal: [`path::check_normal`],
//!   [`path::lexical_path`]) and a surface's [`path::Confinement`] (the
//!   MCP server's and daemon's file tools reach only beneath the
//!   workspace).
//! - [`resolve`]: what a path really names (`~`, `..` and symlinks
//!   resolved as the kernel walks them), for a surface that judges paths
//!   without opening them (the Claude Code hook).
//! - [`limits`]: the size limits on untrusted input, as named constants.
//!
//! The SQL and Cypher statement checks will join these.
//!
//! ```
//! use std::path::Path;
//! use rampart_guard::host::destination;
//! use rampart_guard::path::{lexical_path, Confinement};
//!
//! let d = destination("http://0xA9FEA9FE./latest").unwrap();
//! assert_eq!((d.host.as_str(), d.port), ("169.254.169.254", Some(80)));
//!
//! let ws = Confinement::new("/home/u/ws").unwrap();
//! let asked = lexical_path(ws.root(), Path::new("../.ssh/id_ed25519"));
//! assert!(ws.check(&asked).is_err());
//! assert!(ws.check(Path::new("/home/u/ws/src/main.rs")).is_ok());
//! ```
//!
//! # Security model
//!
//! The guard says what is malformed or out of reach; it decides nothing.
//! The gate runs it before the decision and turns a refusal into a
//! recorded deny (`rampart_gate::Gate::confine`). Its answers are one
//! normal form per input: a host in the spelling a browser connects to, a
//! path in the form the file tools open, so what is judged is what acts.
//!
//! I/O: none, except [`resolve::real_path`], which reads symlinks
//! (`lstat`, `readlink`) to say what a path really names. [`path`] is
//! lexical: a [`path::Confinement`] root must be given canonical, and a
//! symlink beneath it is the opener's to refuse (`openat2` with
//! `RESOLVE_BENEATH`).
//!
//! # Limitations
//!
//! - Confinement is lexical: a path beneath the root through a symlink
//!   that leads out passes [`path::Confinement::check`]; the file tools'
//!   `openat2(RESOLVE_BENEATH)` refuses it when they open.
//! - Percent-encoding is not decoded in paths (`%2e%2e` is a file name, as
//!   it is to the kernel); hosts are percent-decoded, as browsers do.
//! - [`resolve::real_path`] is a check, not a use: the file can change
//!   between the check and the tool's open.
//!
//! # Test strategy
//!
//! Unit tests beside the code: tricky URLs and hosts (and a differential
//! test of the host parser against Node's WHATWG `URL`), confinement and
//! malformed paths, symlink resolution in a temporary tree. The CLI's
//! `attacks_guard` suite drives the MCP server and the daemon with paths
//! that try to leave the workspace. `fuzz/fuzz_targets/url.rs` fuzzes
//! [`host::destination`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod host;
pub mod limits;
pub mod path;
pub mod resolve;
