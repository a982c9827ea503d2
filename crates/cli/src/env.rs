//! Every environment variable rampart reads or sets, in one place.

/// Overrides the user config path (same as `--config`).
pub(crate) const RAMPART_CONFIG: &str = "RAMPART_CONFIG";
/// Log filter (tracing `EnvFilter` syntax), overrides -v.
pub(crate) const RAMPART_LOG: &str = "RAMPART_LOG";
/// Set inside the sandbox to the mode the command runs in.
pub(crate) const RAMPART_SANDBOX: &str = "RAMPART_SANDBOX";
/// The built-in name of the variable holding the audit database URL; it is
/// never handed to a command, even when `audit.postgres_url_env` names
/// another one.
pub(crate) const RAMPART_AUDIT_PG_URL: &str = "RAMPART_AUDIT_PG_URL";
/// Home directory, for `~`.
pub(crate) const HOME: &str = "HOME";
/// Base of the user config.
pub(crate) const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// Base of the audit trail.
pub(crate) const XDG_STATE_HOME: &str = "XDG_STATE_HOME";
/// Temp directory, writable in workspace-write unless excluded.
pub(crate) const TMPDIR: &str = "TMPDIR";
/// Program search path.
pub(crate) const PATH: &str = "PATH";
/// Disables colour.
pub(crate) const NO_COLOR: &str = "NO_COLOR";
/// `dumb` disables colour.
pub(crate) const TERM: &str = "TERM";
/// Where the daemon's socket directory goes (`rampart serve`).
pub(crate) const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";
/// Test-only fault for `rampart hook claude-code`: `stall` makes the
/// decision hang, `panic` makes it crash. Either way the hook answers
/// `deny` (its deadline, its panic guard), so setting it can only make
/// answers stricter, never weaker.
pub(crate) const RAMPART_TEST_HOOK_FAULT: &str = "RAMPART_TEST_HOOK_FAULT";
