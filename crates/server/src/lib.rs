//! The doors agents come through, each a thin adapter onto the gate:
//! an MCP server ([`mcp`]), the Claude Code hook ([`hook`]), and the
//! local daemon with its approval queue ([`daemon`], [`queue`]).
//!
//! Main types: [`service::Service`] (every action an agent asks for, each
//! through `rampart_gate::Gate`), [`files::Workspace`] (race-free file
//! access beneath a root), [`runner::Runner`] (commands in the sandbox,
//! output capped and masked), [`daemon::Daemon`], [`mcp::McpServer`],
//! and [`exec_plan::ExecPlan`]: config files, flags and the workspace
//! resolved once into what a command runs under, sealed for
//! `rampart sandbox-run` by [`plan`].
//!
//! ```
//! use rampart_server::{frame, rpc};
//! let body = br#"{"jsonrpc":"2.0","id":1,"method":"status"}"#;
//! let wire = frame::encode(body).unwrap();
//! let (got, used) = frame::decode(&wire).unwrap().unwrap();
//! assert_eq!((got, used), (&body[..], wire.len()));
//! assert_eq!(rpc::parse(got).unwrap().call, rpc::Call::Status);
//! ```
//!
//! # Security model
//!
//! Nothing here decides, asks, enforces or records on its own: every
//! command and file access is an `Action` through the gate. Files are
//! opened with `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)` from a
//! descriptor of the workspace, and the path really opened is judged
//! again. The daemon talks only to its own uid (`SO_PEERCRED`), over a
//! 0600 socket in a 0700 directory, with capped frames, strict schemas,
//! timeouts and a connection cap. An ask nobody answers is a deny. A
//! peer inside a rampart sandbox (a nested PID namespace) cannot answer
//! asks or act through the daemon, and no ask can be answered by the
//! process tree or session that asked ([`peer`]). The hook, which judges
//! paths it does not open, judges what they really name ([`rampart_guard::resolve`]).
//!
//! # Limitations
//!
//! The daemon serves one workspace (the one it started in). The hook
//! answers for Claude Code's `PreToolUse` event only. `run_command`
//! starts a `rampart sandbox-run` child per call (the sandbox needs a
//! single-threaded parent), handing it the plan built from the server's
//! own config and workspace.
//!
//! # Test strategy
//!
//! Unit tests for framing, request parsing, the queue, the socket
//! directory checks and the file confinement (symlinks, `..`, magic
//! links, FIFOs, binary and oversized files); the CLI's suite drives the
//! real binary with the Python MCP SDK, recorded hook inputs, and hostile
//! socket clients (another uid, slow frames, 64 concurrent clients).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod approval;
pub mod client;
pub mod daemon;
pub mod exec_plan;
pub mod files;
pub mod frame;
pub mod hook;
pub mod mcp;
pub mod paths;
pub mod peer;
pub mod plan;
pub mod queue;
pub mod rpc;
pub mod runner;
pub mod service;
pub mod status;
