//! The raw TOML schema: every field optional and spanned, so that a later
//! problem (a loosening project file, a bad path) can still name its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::{ApprovalPolicy, Inherit, SandboxMode};

/// One config file as written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The profile used when `--profile` is not given (user config only).
    pub(crate) profile: Option<Spanned<String>>,
    pub(crate) sandbox_mode: Option<Spanned<SandboxMode>>,
    pub(crate) approval_policy: Option<Spanned<ApprovalPolicy>>,
    pub(crate) sandbox_workspace_write: Option<Spanned<WorkspaceWriteFile>>,
    pub(crate) filesystem: Option<Spanned<FilesystemFile>>,
    pub(crate) shell_environment_policy: Option<Spanned<EnvFile>>,
    pub(crate) limits: Option<Spanned<LimitsFile>>,
    pub(crate) rules: Option<Vec<Spanned<RuleFile>>>,
    pub(crate) risk: Option<Vec<Spanned<RiskFile>>>,
    pub(crate) audit: Option<Spanned<AuditFile>>,
    pub(crate) agents: Option<Spanned<AgentsFile>>,
    pub(crate) detect: Option<DetectFile>,
    pub(crate) profiles: Option<BTreeMap<String, Spanned<ConfigFile>>>,
    pub(crate) trusted_projects: Option<Spanned<Vec<Spanned<String>>>>,
}

impl ConfigFile {
    /// The top-level `profile = "NAME"`: the profile to use when none is
    /// named on the command line.
    pub fn default_profile(&self) -> Option<&str> {
        self.profile.as_ref().map(|p| p.get_ref().as_str())
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WorkspaceWriteFile {
    pub(crate) network_access: Option<Spanned<bool>>,
    pub(crate) allowed_hosts: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) allow_git_writes: Option<Spanned<GitWritesFile>>,
    pub(crate) writable_roots: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) exclude_tmpdir_env_var: Option<Spanned<bool>>,
    pub(crate) exclude_slash_tmp: Option<Spanned<bool>>,
    pub(crate) allow_unix_sockets: Option<Spanned<bool>>,
}

/// `allow_git_writes`: `false`, `true` or `"commits"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(crate) enum GitWritesFile {
    Bool(bool),
    Word(GitWord),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GitWord {
    Commits,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilesystemFile {
    pub(crate) deny_read: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) protect: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) unprotect: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvFile {
    pub(crate) inherit: Option<Spanned<Inherit>>,
    pub(crate) exclude: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) ignore_default_excludes: Option<Spanned<bool>>,
    pub(crate) include_only: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) set: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitsFile {
    pub(crate) timeout_secs: Option<Spanned<u64>>,
    pub(crate) memory_mb: Option<Spanned<u64>>,
    pub(crate) max_processes: Option<Spanned<u64>>,
    pub(crate) cpu_secs: Option<Spanned<u64>>,
    pub(crate) file_size_mb: Option<Spanned<u64>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    pub(crate) command: Option<Spanned<Vec<String>>>,
    pub(crate) path: Option<Spanned<String>>,
    pub(crate) access: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) host: Option<Spanned<String>>,
    pub(crate) tool: Option<Spanned<String>>,
    pub(crate) decision: Option<Spanned<crate::Verdict>>,
    pub(crate) reason: Option<Spanned<String>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditFile {
    pub(crate) enabled: Option<Spanned<bool>>,
    pub(crate) durable: Option<Spanned<bool>>,
    pub(crate) dir: Option<Spanned<String>>,
    pub(crate) max_file_mb: Option<Spanned<u64>>,
    pub(crate) max_files: Option<Spanned<u64>>,
    pub(crate) sqlite: Option<Spanned<bool>>,
    pub(crate) postgres_url_env: Option<Spanned<String>>,
    pub(crate) fail_closed: Option<Spanned<bool>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgentsFile {
    pub(crate) rewrite_bash: Option<Spanned<bool>>,
    pub(crate) unknown_tool: Option<Spanned<crate::UnknownTool>>,
    pub(crate) approval_timeout_secs: Option<Spanned<u64>>,
    pub(crate) max_file_kb: Option<Spanned<u64>>,
    pub(crate) max_output_kb: Option<Spanned<u64>>,
    pub(crate) redact_file_reads: Option<Spanned<bool>>,
    pub(crate) max_connections: Option<Spanned<u64>>,
    pub(crate) defer_allow: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RiskFile {
    pub(crate) command: Vec<String>,
    pub(crate) level: crate::Risk,
    pub(crate) reason: Option<String>,
}

/// `[detect]`: rules added, rules disabled, values and paths allowed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DetectFile {
    pub(crate) disable: Option<Vec<Spanned<String>>>,
    pub(crate) allow: Option<Vec<Spanned<String>>>,
    pub(crate) exclude_paths: Option<Vec<Spanned<String>>>,
    pub(crate) rules: Option<Vec<Spanned<rampart_detect::RuleSpec>>>,
}
