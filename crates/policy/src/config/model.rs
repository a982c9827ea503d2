//! The resolved configuration's parts: what each section of the file
//! becomes once checked.

use std::fmt;
use std::path::PathBuf;

use crate::{EnvPattern, HostPattern, Inherit, PathGlob, Verdict};

/// Facts about the invoking user that config values refer to.
#[derive(Debug, Clone, Default)]
pub struct HostEnv {
    /// `$HOME`, for `~`.
    pub home: Option<PathBuf>,
    /// `$XDG_STATE_HOME` (or `~/.local/state`), for the audit directory.
    pub xdg_state_home: Option<PathBuf>,
}

/// How much of `.git` the sandboxed command may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GitWrites {
    /// Read-only.
    Deny,
    /// Objects, refs, index, logs and HEAD; never config, hooks or info.
    Commits,
    /// Everything.
    Allow,
}

impl fmt::Display for GitWrites {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Deny => "false",
            Self::Commits => "\"commits\"",
            Self::Allow => "true",
        })
    }
}

/// `[sandbox_workspace_write]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceWrite {
    /// Share the host network.
    pub network_access: bool,
    /// Hosts the network is limited to (empty: all, when on).
    pub allowed_hosts: Vec<HostPattern>,
    /// `.git` writes.
    pub allow_git_writes: GitWrites,
    /// More writable directories (absolute).
    pub writable_roots: Vec<PathBuf>,
    /// `$TMPDIR` is not writable.
    pub exclude_tmpdir_env_var: bool,
    /// `/tmp` is not writable.
    pub exclude_slash_tmp: bool,
    /// Unix sockets may be created (and host socket files reached).
    pub allow_unix_sockets: bool,
}

/// `[shell_environment_policy]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvPolicy {
    /// Which variables start out inherited.
    pub inherit: Inherit,
    /// Name patterns (globs, case-insensitive) never passed on, on top of
    /// the built-in ones ([`crate::DEFAULT_ENV_EXCLUDE`]).
    pub exclude: Vec<EnvPattern>,
    /// The built-in exclusions are off (Codex's `ignore_default_excludes`).
    pub ignore_default_excludes: bool,
    /// When not empty, only names matching one of these are passed on.
    pub include_only: Vec<EnvPattern>,
    /// Variables set for every command (after the filters, so they are
    /// visible in the sandbox); the config loader refuses one that the
    /// filters would keep out.
    pub set: std::collections::BTreeMap<String, String>,
}

impl EnvPolicy {
    /// Only what `inherit` says, the built-in exclusions on, nothing set.
    pub fn inheriting(inherit: Inherit) -> Self {
        Self {
            inherit,
            exclude: Vec::new(),
            ignore_default_excludes: false,
            include_only: Vec::new(),
            set: std::collections::BTreeMap::new(),
        }
    }

    /// The exclusion patterns in force: the built-in ones (unless
    /// `ignore_default_excludes`) and `exclude`.
    pub fn exclusions(&self) -> Vec<EnvPattern> {
        let mut out: Vec<EnvPattern> = if self.ignore_default_excludes {
            Vec::new()
        } else {
            crate::DEFAULT_ENV_EXCLUDE
                .iter()
                .filter_map(|s| EnvPattern::new(s).ok())
                .collect()
        };
        out.extend(self.exclude.iter().cloned());
        out
    }

    /// Why the policy keeps variable `name` out (an `exclude` or built-in
    /// pattern, or `include_only`), if it does.
    pub fn keeps_out(&self, name: &str) -> Option<String> {
        if let Some(p) = self.exclusions().iter().find(|p| p.matches(name)) {
            return Some(format!("the exclusion pattern `{}`", p.as_str()));
        }
        if !self.include_only.is_empty() && !self.include_only.iter().any(|p| p.matches(name)) {
            return Some("`include_only`, which it does not match".to_owned());
        }
        None
    }
}

/// `[limits]`; 0 means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitsConfig {
    /// Wall-clock seconds.
    pub timeout_secs: u64,
    /// Memory in MiB.
    pub memory_mb: u64,
    /// Processes.
    pub max_processes: u64,
    /// CPU seconds per process.
    pub cpu_secs: u64,
    /// Largest written file in MiB.
    pub file_size_mb: u64,
}

/// What a rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleMatch {
    /// argv prefix; `*` matches any one token.
    Command(Vec<String>),
    /// A path glob and the access kinds.
    Path {
        /// The glob.
        glob: PathGlob,
        /// What the rule is about (`access = ["read"]`, `["write"]`, or
        /// both, the default).
        access: PathAccess,
    },
    /// A host pattern (`*.example.com`).
    Host(HostPattern),
    /// A glob over an agent's tool name (`mcp__github__*`): judged by the
    /// hook ([`crate::tool_rule`]), never by [`crate::decide`].
    Tool(crate::ToolPattern),
}

/// Which accesses a path rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathAccess {
    /// `access = ["read"]`: reads and listings.
    Read,
    /// `access = ["write"]`.
    Write,
    /// Both (the default when `access` is not given).
    ReadWrite,
}

impl PathAccess {
    /// Whether reads (and listings) are covered.
    pub fn reads(self) -> bool {
        matches!(self, Self::Read | Self::ReadWrite)
    }

    /// Whether writes are covered.
    pub fn writes(self) -> bool {
        matches!(self, Self::Write | Self::ReadWrite)
    }
}

/// One `[[rules]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// What it matches.
    pub matcher: RuleMatch,
    /// What it decides.
    pub decision: Verdict,
    /// Why, for humans.
    pub reason: String,
    /// `file:line` where it was written.
    pub origin: String,
}

/// `[audit]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditConfig {
    /// Record at all (only a user config can turn it off; `rampart doctor`
    /// says so loudly).
    pub enabled: bool,
    /// fsync each event before the action runs (otherwise each event is
    /// handed to the kernel, which survives any crash of rampart or the
    /// agent but not a power cut, and flushed when the action ends).
    pub durable: bool,
    /// Directory of the trail.
    pub dir: PathBuf,
    /// Rotation size.
    pub max_file_mb: u64,
    /// Rotated files kept.
    pub max_files: u64,
    /// Also write an `SQLite` database.
    pub sqlite: bool,
    /// Environment variable holding a `PostgreSQL` URL.
    pub postgres_url_env: String,
    /// Refuse to act when the trail cannot be written.
    pub fail_closed: bool,
}

/// What the Claude Code hook answers for a tool it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownTool {
    /// Let the agent's own prompt ask the human (the default).
    Ask,
    /// Refuse it.
    Deny,
    /// Let it through (danger: a new tool is not judged at all).
    Allow,
}

/// `[agents]`: how rampart faces agents (the MCP server, agent hooks, the
/// daemon). User config only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentsConfig {
    /// The Claude Code hook rewrites an allowed Bash command to run under
    /// `rampart exec`, so it is sandboxed, not only judged.
    pub rewrite_bash: bool,
    /// The hook's answer for a tool it does not know.
    pub unknown_tool: UnknownTool,
    /// How long an ask waits in the daemon's queue before it is a deny.
    pub approval_timeout_secs: u64,
    /// Largest file the MCP file tools read or write.
    pub max_file_kb: u64,
    /// Most stdout (and, separately, stderr) `run_command` hands back.
    pub max_output_kb: u64,
    /// Mask secrets (and PII) in file contents `read_file` hands back.
    pub redact_file_reads: bool,
    /// Connections the daemon serves at once.
    pub max_connections: u64,
    /// Where rampart's verdict is `allow`, the Claude Code hook answers
    /// nothing, so Claude Code's own permission rules and prompts still
    /// apply (the decision is recorded all the same).
    pub defer_allow: bool,
}

/// A `[detect]` entry that lets something through (a disabled rule, an
/// allowed value, an excluded path), with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectAllowance {
    /// The rule id, pattern or glob.
    pub value: String,
    /// `file:line`.
    pub origin: String,
    /// Written in a project file the user does not trust: it shapes
    /// `rampart scan` of that project, never what rampart masks in output,
    /// logs and the audit trail.
    pub scan_only: bool,
}

/// A rule added in `[[detect.rules]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectRule {
    /// The rule as written.
    pub spec: rampart_detect::RuleSpec,
    /// `file:line`.
    pub origin: String,
}

/// `[detect]`: what scanning and masking look for beyond the built-in
/// rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetectConfig {
    /// Rules added (a user or trusted project may also replace a built-in
    /// rule by reusing its id).
    pub rules: Vec<DetectRule>,
    /// Rule ids turned off.
    pub disable: Vec<DetectAllowance>,
    /// Patterns (regular expressions over the whole matched value) that
    /// are never findings: fixtures and known test values.
    pub allow: Vec<DetectAllowance>,
    /// Globs of paths `rampart scan` skips.
    pub exclude_paths: Vec<DetectAllowance>,
}

/// What a rule set is for: scanning a project may honour that project's
/// own allowances; masking output honours only the user's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectUse {
    /// `rampart scan`.
    Scan,
    /// `rampart redact`, audit events, command output shown to agents.
    Mask,
}

impl DetectConfig {
    fn values(list: &[DetectAllowance], usage: DetectUse) -> Vec<String> {
        list.iter()
            .filter(|a| usage == DetectUse::Scan || !a.scan_only)
            .map(|a| a.value.clone())
            .collect()
    }

    /// The built-in rules with this config applied.
    pub fn rule_set(
        &self,
        usage: DetectUse,
    ) -> Result<rampart_detect::RuleSet, rampart_detect::RulesError> {
        rampart_detect::RuleSet::builtin_with(
            self.rules.iter().map(|r| r.spec.clone()).collect(),
            &Self::values(&self.disable, usage),
        )?
        .with_allowed(&Self::values(&self.allow, usage))
    }

    /// The globs of paths a scan skips.
    pub fn excluded_paths(&self) -> Vec<String> {
        Self::values(&self.exclude_paths, DetectUse::Scan)
    }
}
