//! Every environment variable the binary reads or sets, in one place;
//! those that resolving a run's plan reads or sets (`HOME`, `XDG_CONFIG_HOME`,
//! `XDG_STATE_HOME`, `TMPDIR`, `PATH`, `RAMPART_SANDBOX`,
//! `RAMPART_AUDIT_PG_URL`) are in `rampart_server::exec_plan`.

/// Overrides the user config path (same as `--config`).
pub(crate) const RAMPART_CONFIG: &str = "RAMPART_CONFIG";
/// Codex's home directory (default `~/.codex`): `rampart init
/// --from-codex` reads `config.toml` there.
pub(crate) const CODEX_HOME: &str = "CODEX_HOME";
/// Log filter (tracing `EnvFilter` syntax), overrides -v.
pub(crate) const RAMPART_LOG: &str = "RAMPART_LOG";
/// Disables colour.
pub(crate) const NO_COLOR: &str = "NO_COLOR";
/// `dumb` disables colour.
pub(crate) const TERM: &str = "TERM";
/// Test-only fault for `rampart hook claude-code`: `stall` makes the
/// decision hang, `panic` makes it crash. Either way the hook answers
/// `deny` (its deadline, its panic guard), so setting it can only make
/// answers stricter, never weaker.
pub(crate) const RAMPART_TEST_HOOK_FAULT: &str = "RAMPART_TEST_HOOK_FAULT";
