//! Resolving config layers into one [`Config`].
//!
//! Precedence: flags > project `rampart.toml` > user config > built-in
//! defaults. A project file may only tighten what the user's layers allow,
//! unless the user's config lists the project in `trusted_projects`.
//!
//! The parts: [`model`] (what each section becomes), [`error`] (problems
//! with their place, parsing one file), [`merge`] (applying one file on top
//! of the others, tightening only for an untrusted project).

mod error;
mod merge;
mod model;
mod overrides;

use std::path::PathBuf;

pub use error::{line_col, parse, ConfigError, Source};
pub use merge::{apply_layer, expand_path, has_profile, Layer};
pub use model::*;
pub use overrides::{apply_overrides, closest, toml_key, Override, OverrideError};

use crate::{ApprovalPolicy, Inherit, SandboxMode};

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Sandbox mode.
    pub sandbox_mode: SandboxMode,
    /// Approval policy.
    pub approval_policy: ApprovalPolicy,
    /// Workspace-write settings (network settings apply to read-only too).
    pub workspace_write: WorkspaceWrite,
    /// Hidden paths (absolute, `~` expanded).
    pub deny_read: Vec<PathBuf>,
    /// Environment policy.
    pub env: EnvPolicy,
    /// Limits.
    pub limits: LimitsConfig,
    /// Rules, user's first.
    pub rules: Vec<Rule>,
    /// Audit trail settings.
    pub audit: AuditConfig,
    /// Secret and PII detection settings.
    pub detect: DetectConfig,
    /// How rampart faces agents.
    pub agents: AgentsConfig,
    /// Projects (absolute paths) whose `rampart.toml` may loosen the policy.
    pub trusted_projects: Vec<PathBuf>,
    /// `[[risk]]` entries: levels for commands the table does not know or
    /// judges differently.
    pub risk_overrides: Vec<crate::risk::RiskOverride>,
    /// `$HOME`, for `~` in commands.
    pub home: Option<PathBuf>,
    /// Where `~user` in commands points: set by the surfaces from the user
    /// database (the policy reads nothing from the system).
    pub user_homes: crate::risk::UserHomesHandle,
    /// `[filesystem] protect` / `unprotect`: see [`crate::ProtectedSet`].
    pub protect: crate::ProtectConfig,
}

/// Default `deny_read` paths.
pub const DEFAULT_DENY_READ: &[&str] = &[
    "~/.ssh",
    "~/.aws",
    "~/.gnupg",
    "~/.netrc",
    "~/.config/gh",
    "~/.docker/config.json",
];

/// Default `deny_read` paths hidden when they exist: other credential
/// stores and shell histories. Unlike [`DEFAULT_DENY_READ`], a missing one
/// is not an error when it lies in a writable root (a workspace at
/// `$HOME`): it holds no secret, and making every one exist first would be
/// a chore. One the host creates while a command runs is not hidden from
/// that run.
pub const DEFAULT_DENY_READ_IF_PRESENT: &[&str] = &[
    "~/.git-credentials",
    "~/.config/git/credentials",
    "~/.kube/config",
    "~/.pgpass",
    "~/.my.cnf",
    "~/.config/gcloud",
    "~/.azure",
    "~/.vault-token",
    "~/.password-store",
    "~/.local/share/keyrings",
    "~/.cargo/credentials",
    "~/.cargo/credentials.toml",
    "~/.bash_history",
    "~/.zsh_history",
    "~/.python_history",
    "~/.psql_history",
    "~/.mysql_history",
    "~/.node_repl_history",
    // Red team round 7: the package-registry tokens and the other shells'
    // and REPLs' histories.
    "~/.npmrc",
    "~/.pypirc",
    "~/.gem/credentials",
    "~/.terraform.d/credentials.tfrc.json",
    "~/.config/hub",
    "~/.config/glab-cli",
    "~/.zhistory",
    "~/.histfile",
    "~/.sh_history",
    "~/.local/share/fish/fish_history",
    "~/.sqlite_history",
    "~/.rediscli_history",
    "~/.mongosh",
    "~/.dbshell",
    "~/.irb_history",
    "~/.pry_history",
    "~/.local/share/psql_history",
];

/// Default environment exclusions.
pub const DEFAULT_ENV_EXCLUDE: &[&str] =
    &["*KEY*", "*SECRET*", "*TOKEN*", "*PASSWORD*", "*CREDENTIAL*"];

impl Config {
    /// The built-in secure defaults.
    pub fn defaults(env: &HostEnv) -> Self {
        let expand = |s: &str| expand_path(s, env).unwrap_or_else(|_| PathBuf::from(s));
        Self {
            sandbox_mode: SandboxMode::WorkspaceWrite,
            approval_policy: ApprovalPolicy::OnRequest,
            workspace_write: WorkspaceWrite {
                network_access: false,
                allowed_hosts: Vec::new(),
                allow_git_writes: GitWrites::Deny,
                writable_roots: Vec::new(),
                exclude_tmpdir_env_var: false,
                exclude_slash_tmp: false,
                allow_unix_sockets: false,
            },
            deny_read: DEFAULT_DENY_READ
                .iter()
                .chain(DEFAULT_DENY_READ_IF_PRESENT)
                .map(|s| expand(s))
                .collect(),
            // The built-in exclusions apply unless `ignore_default_excludes`
            // (every built-in pattern compiles: `default_patterns_compile`).
            env: EnvPolicy::inheriting(Inherit::Core),
            limits: LimitsConfig {
                timeout_secs: 600,
                memory_mb: 4096,
                max_processes: 512,
                cpu_secs: 0,
                file_size_mb: 0,
            },
            rules: Vec::new(),
            audit: AuditConfig {
                enabled: true,
                durable: false,
                dir: env
                    .xdg_state_home
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join("rampart"),
                max_file_mb: 10,
                max_files: 5,
                sqlite: true,
                postgres_url_env: "RAMPART_AUDIT_PG_URL".into(),
                fail_closed: true,
            },
            detect: DetectConfig::default(),
            agents: AgentsConfig {
                rewrite_bash: true,
                unknown_tool: UnknownTool::Ask,
                approval_timeout_secs: 120,
                max_file_kb: 1024,
                max_output_kb: 64,
                redact_file_reads: true,
                max_connections: 64,
                defer_allow: false,
            },
            trusted_projects: Vec::new(),
            risk_overrides: Vec::new(),
            home: env.home.clone(),
            user_homes: crate::risk::UserHomesHandle::default(),
            protect: crate::ProtectConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests;
