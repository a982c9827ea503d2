//! Resolving config layers into one [`Config`].
//!
//! Precedence: flags > project `rampart.toml` > user config > built-in
//! defaults. A project file may only tighten what the user's layers allow,
//! unless the user's config lists the project in `trusted_projects`.

use std::fmt;
use std::path::{Path, PathBuf};

use toml::Spanned;

use crate::file::{ConfigFile, GitWritesFile};
use crate::{ApprovalPolicy, Inherit, SandboxMode, Verdict};
use crate::{EnvPattern, HostPattern, PathGlob};

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
    /// Name patterns (globs, case-insensitive) never passed on.
    pub exclude: Vec<EnvPattern>,
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
        /// `read`, `write`.
        access: Vec<String>,
    },
    /// A host pattern (`*.example.com`).
    Host(HostPattern),
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
            deny_read: DEFAULT_DENY_READ.iter().map(|s| expand(s)).collect(),
            env: EnvPolicy {
                inherit: Inherit::Core,
                // Every built-in pattern compiles (`default_patterns_compile`).
                exclude: DEFAULT_ENV_EXCLUDE
                    .iter()
                    .filter_map(|s| EnvPattern::new(s).ok())
                    .collect(),
            },
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
            },
            trusted_projects: Vec::new(),
            risk_overrides: Vec::new(),
            home: env.home.clone(),
            protect: crate::ProtectConfig::default(),
        }
    }
}

/// A problem in a config file, with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {}:{line}:{column}", origin.display())]
#[non_exhaustive]
pub struct ConfigError {
    /// The file.
    pub origin: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl ConfigError {
    /// A problem with a whole file (line 1, column 1), such as unsafe
    /// permissions or an unreadable file.
    pub fn whole_file(origin: &Path, message: impl Into<String>, hint: Option<String>) -> Self {
        Self {
            origin: origin.to_path_buf(),
            line: 1,
            column: 1,
            message: message.into(),
            hint,
        }
    }
}

/// A config file's text with its origin, for positions.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// File path (for messages).
    pub origin: &'a Path,
    /// Its text.
    pub text: &'a str,
}

impl Source<'_> {
    fn error(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError {
            origin: self.origin.to_path_buf(),
            line,
            column,
            message: message.into(),
            hint,
        }
    }
}

/// 1-based line and column of byte `offset`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses one config file strictly.
pub fn parse(source: Source<'_>) -> Result<ConfigFile, ConfigError> {
    toml::from_str::<ConfigFile>(source.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().replace('\n', " ");
        let hint = if message.starts_with("unknown field") {
            Some("check the spelling against `rampart init --print`, which writes every key with its default".to_owned())
        } else {
            None
        };
        source.error(span, message, hint)
    })
}

/// Expands `~`, `$HOME` and `$XDG_STATE_HOME` at the start of a path and
/// requires the result to be absolute.
pub fn expand_path(raw: &str, env: &HostEnv) -> Result<PathBuf, String> {
    let sub = |rest: &str, base: &Option<PathBuf>, name: &str| -> Result<PathBuf, String> {
        let base = base
            .as_ref()
            .ok_or_else(|| format!("`{raw}` needs {name}, which is not set"))?;
        Ok(base.join(rest.trim_start_matches('/')))
    };
    let path = if raw == "~" {
        sub("", &env.home, "$HOME")?
    } else if let Some(rest) = raw.strip_prefix("~/") {
        sub(rest, &env.home, "$HOME")?
    } else if let Some(rest) = raw.strip_prefix("$HOME") {
        sub(rest, &env.home, "$HOME")?
    } else if let Some(rest) = raw.strip_prefix("$XDG_STATE_HOME") {
        sub(rest, &env.xdg_state_home, "$XDG_STATE_HOME")?
    } else {
        PathBuf::from(raw)
    };
    if !path.is_absolute() {
        return Err(format!("`{raw}` is not an absolute path"));
    }
    if path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(format!("`{raw}` contains `..`"));
    }
    Ok(path)
}

/// Which layer a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The user's config (or `--config FILE`).
    User,
    /// A project's `rampart.toml`, which may only tighten.
    Project {
        /// Listed in the user's `trusted_projects`.
        trusted: bool,
    },
}

struct Merger<'a> {
    source: Source<'a>,
    env: &'a HostEnv,
    errors: Vec<ConfigError>,
    layer: Layer,
}

fn rank_mode(m: SandboxMode) -> u8 {
    match m {
        SandboxMode::ReadOnly => 0,
        SandboxMode::WorkspaceWrite => 1,
        SandboxMode::DangerFullAccess => 2,
    }
}

fn rank_approval(a: ApprovalPolicy) -> u8 {
    match a {
        ApprovalPolicy::Never => 0,
        ApprovalPolicy::Untrusted => 1,
        ApprovalPolicy::OnRequest => 2,
        ApprovalPolicy::OnFailure => 3,
    }
}

fn rank_inherit(i: Inherit) -> u8 {
    match i {
        Inherit::None => 0,
        Inherit::Core => 1,
        Inherit::All => 2,
    }
}

/// 0 means unlimited: the loosest.
fn limit_looser(new: u64, old: u64) -> bool {
    old != 0 && (new == 0 || new > old)
}

impl Merger<'_> {
    fn restricted(&self) -> bool {
        matches!(self.layer, Layer::Project { trusted: false })
    }

    fn loosens<T>(&mut self, key: &str, value: &Spanned<T>, was: &str, now: &str) {
        let span = value.span();
        let err = self.source.error(
            span,
            format!("`{key} = {now}` loosens the user's policy (`{was}`)"),
            Some("a project file can only tighten; remove the key, or add this project to `trusted_projects` in your user config".into()),
        );
        self.errors.push(err);
    }

    fn path_list(&mut self, list: &Spanned<Vec<Spanned<String>>>) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for item in list.get_ref() {
            match expand_path(item.get_ref(), self.env) {
                Ok(p) => out.push(p),
                Err(m) => {
                    let e = self.source.error(
                        item.span(),
                        m,
                        Some("write an absolute path, or one starting with `~/`".into()),
                    );
                    self.errors.push(e);
                }
            }
        }
        out
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per config key reads best in one place"
    )]
    fn merge(&mut self, cfg: &mut Config, file: &ConfigFile) {
        if let Some(v) = &file.sandbox_mode {
            let new = *v.get_ref();
            if self.restricted() && rank_mode(new) > rank_mode(cfg.sandbox_mode) {
                self.loosens(
                    "sandbox_mode",
                    v,
                    &format!("\"{}\"", cfg.sandbox_mode),
                    &format!("\"{new}\""),
                );
            } else {
                cfg.sandbox_mode = new;
            }
        }
        if let Some(v) = &file.approval_policy {
            let new = *v.get_ref();
            if self.restricted() && rank_approval(new) > rank_approval(cfg.approval_policy) {
                self.loosens(
                    "approval_policy",
                    v,
                    &format!("\"{}\"", cfg.approval_policy),
                    &format!("\"{new}\""),
                );
            } else {
                cfg.approval_policy = new;
            }
        }
        if let Some(ws) = &file.sandbox_workspace_write {
            let ws = ws.get_ref();
            let w = &mut cfg.workspace_write;
            let mut loosened: Vec<(String, std::ops::Range<usize>, String, String)> = Vec::new();
            let restricted = self.restricted();
            let mut flag =
                |key: &str, v: &Option<Spanned<bool>>, field: &mut bool, loose_when: bool| {
                    if let Some(v) = v {
                        if restricted && *v.get_ref() == loose_when && *field != loose_when {
                            loosened.push((
                                key.to_owned(),
                                v.span(),
                                field.to_string(),
                                v.get_ref().to_string(),
                            ));
                        } else {
                            *field = *v.get_ref();
                        }
                    }
                };
            flag(
                "sandbox_workspace_write.network_access",
                &ws.network_access,
                &mut w.network_access,
                true,
            );
            flag(
                "sandbox_workspace_write.exclude_tmpdir_env_var",
                &ws.exclude_tmpdir_env_var,
                &mut w.exclude_tmpdir_env_var,
                false,
            );
            flag(
                "sandbox_workspace_write.exclude_slash_tmp",
                &ws.exclude_slash_tmp,
                &mut w.exclude_slash_tmp,
                false,
            );
            flag(
                "sandbox_workspace_write.allow_unix_sockets",
                &ws.allow_unix_sockets,
                &mut w.allow_unix_sockets,
                true,
            );
            for (key, span, was, now) in loosened {
                let e = self.source.error(
                    span,
                    format!("`{key} = {now}` loosens the user's policy (`{was}`)"),
                    Some("a project file can only tighten; remove the key, or add this project to `trusted_projects` in your user config".into()),
                );
                self.errors.push(e);
            }
            if let Some(v) = &ws.allow_git_writes {
                let new = match v.get_ref() {
                    GitWritesFile::Bool(false) => GitWrites::Deny,
                    GitWritesFile::Bool(true) => GitWrites::Allow,
                    GitWritesFile::Word(_) => GitWrites::Commits,
                };
                if self.restricted() && new > cfg.workspace_write.allow_git_writes {
                    let was = cfg.workspace_write.allow_git_writes.to_string();
                    self.loosens(
                        "sandbox_workspace_write.allow_git_writes",
                        v,
                        &was,
                        &new.to_string(),
                    );
                } else {
                    cfg.workspace_write.allow_git_writes = new;
                }
            }
            if let Some(v) = &ws.allowed_hosts {
                let mut hosts: Vec<HostPattern> = Vec::new();
                for h in v.get_ref() {
                    match HostPattern::new(h.get_ref()) {
                        Ok(p) => hosts.push(p),
                        Err(m) => {
                            let e = self.source.error(h.span(), m, Some(HOST_HINT.into()));
                            self.errors.push(e);
                        }
                    }
                }
                let old = &cfg.workspace_write.allowed_hosts;
                let widens = !old.is_empty() && hosts.iter().any(|h| !old.contains(h));
                if self.restricted() && (widens || (hosts.is_empty() && !old.is_empty())) {
                    let was = shown_list(old);
                    self.loosens(
                        "sandbox_workspace_write.allowed_hosts",
                        v,
                        &was,
                        &shown_list(&hosts),
                    );
                } else {
                    cfg.workspace_write.allowed_hosts = hosts;
                }
            }
            if let Some(v) = &ws.writable_roots {
                let roots = self.path_list(v);
                let old = cfg.workspace_write.writable_roots.clone();
                if self.restricted() && roots.iter().any(|r| !old.iter().any(|o| r.starts_with(o)))
                {
                    self.loosens(
                        "sandbox_workspace_write.writable_roots",
                        v,
                        &format!("{old:?}"),
                        &format!("{roots:?}"),
                    );
                } else {
                    cfg.workspace_write.writable_roots = roots;
                }
            }
        }
        if let Some(fsys) = &file.filesystem {
            if let Some(v) = &fsys.get_ref().deny_read {
                let paths = self.path_list(v);
                if self.restricted() {
                    // Only additions: the user's hidden paths stay hidden.
                    for p in paths {
                        if !cfg.deny_read.contains(&p) {
                            cfg.deny_read.push(p);
                        }
                    }
                } else {
                    cfg.deny_read = paths;
                }
            }
            if let Some(v) = &fsys.get_ref().protect {
                for item in v.get_ref() {
                    match crate::protect::check_protect_entry(item.get_ref()) {
                        Ok(()) => {
                            if !cfg.protect.added.contains(item.get_ref()) {
                                cfg.protect.added.push(item.get_ref().clone());
                            }
                        }
                        Err(m) => {
                            let err = self.source.error(
                                item.span(),
                                format!("bad `[filesystem] protect` entry: {m}"),
                                Some("write a glob relative to the workspace, or starting with `~/` or `/`".into()),
                            );
                            self.errors.push(err);
                        }
                    }
                }
            }
            if let Some(v) = &fsys.get_ref().unprotect {
                if self.layer == Layer::User {
                    for item in v.get_ref() {
                        match crate::protect::check_unprotect_entry(item.get_ref()) {
                            Ok(()) => {
                                if !cfg.protect.removed.contains(item.get_ref()) {
                                    cfg.protect.removed.push(item.get_ref().clone());
                                }
                            }
                            Err(m) => {
                                let err = self.source.error(item.span(), m, None);
                                self.errors.push(err);
                            }
                        }
                    }
                } else {
                    let err = self.source.error(
                        v.span(),
                        "a project file cannot remove protected paths (`[filesystem] unprotect`)",
                        Some("only your user config may unprotect a built-in entry; a project may add entries with `[filesystem] protect`".into()),
                    );
                    self.errors.push(err);
                }
            }
        }
        if let Some(envf) = &file.shell_environment_policy {
            let envf = envf.get_ref();
            if let Some(v) = &envf.inherit {
                let new = *v.get_ref();
                if self.restricted() && rank_inherit(new) > rank_inherit(cfg.env.inherit) {
                    self.loosens(
                        "shell_environment_policy.inherit",
                        v,
                        &format!("\"{}\"", cfg.env.inherit),
                        &format!("\"{new}\""),
                    );
                } else {
                    cfg.env.inherit = new;
                }
            }
            if let Some(v) = &envf.exclude {
                let mut pats: Vec<EnvPattern> = Vec::new();
                for p in v.get_ref() {
                    match EnvPattern::new(p.get_ref()) {
                        Ok(pat) => pats.push(pat),
                        Err(m) => {
                            let e = self.source.error(p.span(), m, Some(GLOB_HINT.into()));
                            self.errors.push(e);
                        }
                    }
                }
                if self.restricted() {
                    for p in pats {
                        if !cfg.env.exclude.contains(&p) {
                            cfg.env.exclude.push(p);
                        }
                    }
                } else {
                    cfg.env.exclude = pats;
                }
            }
        }
        if let Some(l) = &file.limits {
            let l = l.get_ref();
            for (key, v, field) in [
                (
                    "limits.timeout_secs",
                    &l.timeout_secs,
                    &mut cfg.limits.timeout_secs,
                ),
                ("limits.memory_mb", &l.memory_mb, &mut cfg.limits.memory_mb),
                (
                    "limits.max_processes",
                    &l.max_processes,
                    &mut cfg.limits.max_processes,
                ),
                ("limits.cpu_secs", &l.cpu_secs, &mut cfg.limits.cpu_secs),
                (
                    "limits.file_size_mb",
                    &l.file_size_mb,
                    &mut cfg.limits.file_size_mb,
                ),
            ] {
                if let Some(v) = v {
                    let new = *v.get_ref();
                    if self.restricted() && limit_looser(new, *field) {
                        let e = self.source.error(
                            v.span(),
                            format!("`{key} = {new}` loosens the user's policy (`{}`)", *field),
                            Some("a project file can only lower limits (0 means no limit)".into()),
                        );
                        self.errors.push(e);
                    } else {
                        *field = new;
                    }
                }
            }
        }
        if let Some(rules) = &file.rules {
            for r in rules {
                if let Some(rule) = self.rule(r) {
                    if self.restricted() && rule.decision == Verdict::Allow {
                        let e = self.source.error(
                            r.span(),
                            "an `allow` rule in a project file loosens the user's policy",
                            Some("a project file can only add `deny` and `ask` rules; trust the project in your user config to let it allow".into()),
                        );
                        self.errors.push(e);
                    } else {
                        cfg.rules.push(rule);
                    }
                }
            }
        }
        if let Some(entries) = &file.risk {
            for e in entries {
                let f = e.get_ref();
                if f.command.is_empty() || f.command.iter().any(String::is_empty) {
                    let err = self.source.error(
                        e.span(),
                        "a `[[risk]]` entry needs `command` with at least one non-empty token",
                        None,
                    );
                    self.errors.push(err);
                    continue;
                }
                cfg.risk_overrides.push(crate::risk::RiskOverride {
                    command: f.command.clone(),
                    level: f.level,
                    reason: f
                        .reason
                        .clone()
                        .unwrap_or_else(|| format!("configured as {} risk", f.level)),
                    raise_only: self.restricted(),
                });
            }
        }
        if let Some(a) = &file.audit {
            if self.restricted() {
                let e = self.source.error(
                    a.span(),
                    "a project file cannot change `[audit]`",
                    Some("move the section to your user config, or trust the project".into()),
                );
                self.errors.push(e);
            } else {
                self.audit(&mut cfg.audit, a.get_ref());
            }
        }
        if let Some(a) = &file.agents {
            if self.restricted() {
                let e = self.source.error(
                    a.span(),
                    "a project file cannot change `[agents]`",
                    Some("move the section to your user config, or trust the project".into()),
                );
                self.errors.push(e);
            } else {
                self.agents(&mut cfg.agents, a.get_ref());
            }
        }
        if let Some(d) = &file.detect {
            self.detect(&mut cfg.detect, d);
        }
        if let Some(t) = &file.trusted_projects {
            if self.layer == Layer::User {
                cfg.trusted_projects = self.path_list(t);
            } else {
                let e = self.source.error(
                    t.span(),
                    "`trusted_projects` belongs in the user config",
                    Some("a project cannot trust itself; move the key to your user config".into()),
                );
                self.errors.push(e);
            }
        }
    }

    fn origin_of(&self, span: std::ops::Range<usize>) -> String {
        let (line, _) = line_col(self.source.text, span.start);
        format!("{}:{line}", self.source.origin.display())
    }

    fn detect(&mut self, d: &mut DetectConfig, f: &crate::file::DetectFile) {
        let scan_only = self.restricted();
        let allowances = |list: &Option<Vec<Spanned<String>>>, out: &mut Vec<DetectAllowance>| {
            for v in list.iter().flatten() {
                out.push(DetectAllowance {
                    value: v.get_ref().clone(),
                    origin: self.origin_of(v.span()),
                    scan_only,
                });
            }
        };
        allowances(&f.disable, &mut d.disable);
        allowances(&f.allow, &mut d.allow);
        allowances(&f.exclude_paths, &mut d.exclude_paths);
        for v in f.allow.iter().flatten() {
            if let Err(e) = rampart_detect::check_allow_pattern(v.get_ref()) {
                let e = self.source.error(
                    v.span(),
                    e.to_string(),
                    Some("write a regular expression for the whole value, e.g. `AKIA[0-9A-Z]{12}TEST`".into()),
                );
                self.errors.push(e);
            }
        }
        for v in f.exclude_paths.iter().flatten() {
            if v.get_ref().trim().is_empty() {
                let e = self.source.error(
                    v.span(),
                    "an empty glob in `detect.exclude_paths`",
                    Some("write a glob such as `tests/fixtures/**`".into()),
                );
                self.errors.push(e);
            } else if let Err(e) = globset::GlobBuilder::new(v.get_ref())
                .literal_separator(true)
                .build()
            {
                let e = self.source.error(
                    v.span(),
                    format!(
                        "`{}` in `detect.exclude_paths` is not a valid glob: {}",
                        v.get_ref(),
                        crate::host::glob_why(&e)
                    ),
                    Some(GLOB_HINT.into()),
                );
                self.errors.push(e);
            }
        }
        let builtin = rampart_detect::parse_rules(rampart_detect::BUILTIN_RULES, "built-in")
            .unwrap_or_default();
        for r in f.rules.iter().flatten() {
            let spec = r.get_ref();
            let replaces_builtin = builtin.iter().any(|b| b.id == spec.id);
            if let Err(e) = rampart_detect::RuleSet::new(vec![spec.clone()]) {
                let e = self.source.error(
                    r.span(),
                    e.to_string(),
                    Some("see `rules/builtin.toml` in rampart-detect for working rules".into()),
                );
                self.errors.push(e);
            } else if self.restricted() && replaces_builtin {
                let e = self.source.error(
                    r.span(),
                    format!("rule `{}` would replace the built-in rule of that id, so a project could blind it", spec.id),
                    Some("give the rule an id of its own, or trust the project".into()),
                );
                self.errors.push(e);
            } else if d.rules.iter().any(|x| x.spec.id == spec.id) {
                let e = self.source.error(
                    r.span(),
                    format!("rule `{}` is defined twice", spec.id),
                    Some("rule ids must be unique".into()),
                );
                self.errors.push(e);
            } else {
                d.rules.push(DetectRule {
                    spec: spec.clone(),
                    origin: self.origin_of(r.span()),
                });
            }
        }
        for v in f.disable.iter().flatten() {
            let id = v.get_ref();
            if !builtin.iter().any(|b| b.id == *id) && !d.rules.iter().any(|r| r.spec.id == *id) {
                let e = self.source.error(
                    v.span(),
                    format!("there is no detection rule `{id}` to disable"),
                    Some("`rampart scan --list-rules` prints every rule id".into()),
                );
                self.errors.push(e);
            }
        }
    }

    fn audit(&mut self, a: &mut crate::config::AuditConfig, f: &crate::file::AuditFile) {
        if let Some(v) = &f.dir {
            match expand_path(v.get_ref(), self.env) {
                Ok(p) => a.dir = p,
                Err(m) => {
                    let e = self.source.error(v.span(), m, None);
                    self.errors.push(e);
                }
            }
        }
        if let Some(v) = &f.max_file_mb {
            if *v.get_ref() == 0 {
                let e = self
                    .source
                    .error(v.span(), "`audit.max_file_mb` must be at least 1", None);
                self.errors.push(e);
            }
            a.max_file_mb = *v.get_ref();
        }
        if let Some(v) = &f.max_files {
            if *v.get_ref() == 0 {
                let e = self
                    .source
                    .error(v.span(), "`audit.max_files` must be at least 1", None);
                self.errors.push(e);
            }
            a.max_files = *v.get_ref();
        }
        if let Some(v) = &f.sqlite {
            a.sqlite = *v.get_ref();
        }
        if let Some(v) = &f.postgres_url_env {
            let name = v.get_ref();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                let e = self.source.error(
                    v.span(),
                    format!("`{name}` is not an environment variable name"),
                    Some("name the variable that holds the URL, e.g. `RAMPART_AUDIT_PG_URL`; the URL itself never goes in a file".into()),
                );
                self.errors.push(e);
            }
            a.postgres_url_env.clone_from(name);
        }
        if let Some(v) = &f.fail_closed {
            a.fail_closed = *v.get_ref();
        }
        if let Some(v) = &f.enabled {
            a.enabled = *v.get_ref();
        }
        if let Some(v) = &f.durable {
            a.durable = *v.get_ref();
        }
    }

    fn agents(&mut self, into: &mut AgentsConfig, file: &crate::file::AgentsFile) {
        let mut positive = |value: &Option<Spanned<u64>>, name: &str, max: u64| -> Option<u64> {
            let v = value.as_ref()?;
            let n = *v.get_ref();
            if n == 0 || n > max {
                let e = self.source.error(
                    v.span(),
                    format!("`agents.{name}` must be between 1 and {max}"),
                    None,
                );
                self.errors.push(e);
                return None;
            }
            Some(n)
        };
        if let Some(n) = positive(&file.approval_timeout_secs, "approval_timeout_secs", 86_400) {
            into.approval_timeout_secs = n;
        }
        if let Some(n) = positive(&file.max_file_kb, "max_file_kb", 1 << 20) {
            into.max_file_kb = n;
        }
        if let Some(n) = positive(&file.max_output_kb, "max_output_kb", 1 << 20) {
            into.max_output_kb = n;
        }
        if let Some(n) = positive(&file.max_connections, "max_connections", 4096) {
            into.max_connections = n;
        }
        if let Some(v) = &file.rewrite_bash {
            into.rewrite_bash = *v.get_ref();
        }
        if let Some(v) = &file.unknown_tool {
            into.unknown_tool = *v.get_ref();
        }
        if let Some(v) = &file.redact_file_reads {
            into.redact_file_reads = *v.get_ref();
        }
    }

    fn rule(&mut self, r: &Spanned<crate::file::RuleFile>) -> Option<Rule> {
        let f = r.get_ref();
        let (line, _) = line_col(self.source.text, r.span().start);
        let origin = format!("{}:{line}", self.source.origin.display());
        let set = [f.command.is_some(), f.path.is_some(), f.host.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if set != 1 {
            let e = self.source.error(
                r.span(),
                "a rule needs exactly one of `command`, `path` or `host`",
                Some("split it into one rule per matcher".into()),
            );
            self.errors.push(e);
            return None;
        }
        let Some(decision) = f.decision.as_ref().map(|d| *d.get_ref()) else {
            let e = self.source.error(
                r.span(),
                "a rule needs `decision = \"allow\" | \"ask\" | \"deny\"`",
                None,
            );
            self.errors.push(e);
            return None;
        };
        if f.access.is_some() && f.path.is_none() {
            let e = self
                .source
                .error(r.span(), "`access` only goes with `path`", None);
            self.errors.push(e);
        }
        let matcher = if let Some(c) = &f.command {
            if c.get_ref().is_empty() || c.get_ref().iter().any(String::is_empty) {
                let e = self.source.error(
                    c.span(),
                    "`command` needs at least one non-empty token",
                    Some("e.g. `command = [\"git\", \"push\"]`".into()),
                );
                self.errors.push(e);
                return None;
            }
            RuleMatch::Command(c.get_ref().clone())
        } else if let Some(p) = &f.path {
            let mut access = Vec::new();
            for a in f
                .access
                .as_ref()
                .map(|a| a.get_ref().as_slice())
                .unwrap_or_default()
            {
                if matches!(a.get_ref().as_str(), "read" | "write") {
                    access.push(a.get_ref().clone());
                } else {
                    let e = self.source.error(
                        a.span(),
                        format!("unknown access kind `{}`", a.get_ref()),
                        Some("use `read` and/or `write`".into()),
                    );
                    self.errors.push(e);
                }
            }
            if access.is_empty() {
                access = vec!["read".into(), "write".into()];
            }
            match PathGlob::new(p.get_ref(), self.env.home.as_deref()) {
                Ok(glob) => RuleMatch::Path { glob, access },
                Err(m) => {
                    let e = self.source.error(p.span(), m, Some(GLOB_HINT.into()));
                    self.errors.push(e);
                    return None;
                }
            }
        } else if let Some(h) = &f.host {
            match HostPattern::new(h.get_ref()) {
                Ok(p) => RuleMatch::Host(p),
                Err(m) => {
                    let e = self.source.error(h.span(), m, Some(HOST_HINT.into()));
                    self.errors.push(e);
                    return None;
                }
            }
        } else {
            return None;
        };
        let reason = f
            .reason
            .as_ref()
            .map_or_else(|| format!("rule at {origin}"), |r| r.get_ref().clone());
        Some(Rule {
            matcher,
            decision,
            reason,
            origin,
        })
    }
}

const HOST_HINT: &str = "write a host name or address such as `api.example.com`, `10.0.0.1` or `[::1]`, or a glob such as `*.example.com` (see \"Globs and hosts\" in docs/POLICY.md)";

const GLOB_HINT: &str = "globs take `*`, `?`, `[abc]`, `[!abc]`, `{a,b}` and `**` (whole path components); a `\\` escapes (see \"Globs and hosts\" in docs/POLICY.md)";

fn shown_list<T: fmt::Display>(list: &[T]) -> String {
    let items: Vec<String> = list.iter().map(|x| format!("\"{x}\"")).collect();
    format!("[{}]", items.join(", "))
}

/// Applies one parsed file (and its profile `profile`, if it has one) on
/// top of `cfg`. Returns every problem found, not only the first.
pub fn apply_layer(
    cfg: &mut Config,
    file: &ConfigFile,
    source: Source<'_>,
    layer: Layer,
    profile: Option<&str>,
    env: &HostEnv,
) -> Vec<ConfigError> {
    let mut m = Merger {
        source,
        env,
        errors: Vec::new(),
        layer,
    };
    m.merge(cfg, file);
    if let Some(profiles) = &file.profiles {
        for (name, p) in profiles {
            let inner = p.get_ref();
            if inner.profiles.is_some() || inner.trusted_projects.is_some() {
                let e = source.error(
                    p.span(),
                    format!("profile `{name}` cannot hold `profiles` or `trusted_projects`"),
                    None,
                );
                m.errors.push(e);
            }
        }
        if let Some(p) = profile.and_then(|name| profiles.get(name)) {
            m.merge(cfg, p.get_ref());
        }
    }
    m.errors
}

/// Whether `file` defines profile `name`.
pub fn has_profile(file: &ConfigFile, name: &str) -> bool {
    file.profiles.as_ref().is_some_and(|p| p.contains_key(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> HostEnv {
        HostEnv {
            home: Some("/home/u".into()),
            xdg_state_home: Some("/home/u/.local/state".into()),
        }
    }

    fn load(user: &str, project: Option<(&str, bool)>) -> Result<Config, Vec<ConfigError>> {
        let env = env();
        let mut cfg = Config::defaults(&env);
        let mut errors = Vec::new();
        let us = Source {
            origin: Path::new("user.toml"),
            text: user,
        };
        match parse(us) {
            Ok(f) => errors.extend(apply_layer(&mut cfg, &f, us, Layer::User, None, &env)),
            Err(e) => errors.push(e),
        }
        if let Some((text, trusted)) = project {
            let ps = Source {
                origin: Path::new("rampart.toml"),
                text,
            };
            match parse(ps) {
                Ok(f) => errors.extend(apply_layer(
                    &mut cfg,
                    &f,
                    ps,
                    Layer::Project { trusted },
                    None,
                    &env,
                )),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(cfg)
        } else {
            Err(errors)
        }
    }

    #[test]
    fn empty_config_is_the_secure_default() {
        let cfg = load("", None).unwrap();
        assert_eq!(cfg, Config::defaults(&env()));
        assert_eq!(cfg.sandbox_mode, SandboxMode::WorkspaceWrite);
        assert!(!cfg.workspace_write.network_access);
        assert!(cfg.deny_read.contains(&PathBuf::from("/home/u/.ssh")));
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = load(
            "sandbox_mode = \"read-only\"\n\n  sandbox_mod = \"x\"\n",
            None,
        )
        .unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!((err[0].line, err[0].column), (3, 3));
        assert!(
            err[0].message.contains("unknown field `sandbox_mod`"),
            "{}",
            err[0].message
        );
        assert_eq!(
            err[0].to_string().split(" at ").last(),
            Some("user.toml:3:3")
        );
    }

    #[test]
    fn wrong_type_names_line() {
        let err = load("[limits]\ntimeout_secs = \"ten\"\n", None).unwrap_err();
        assert_eq!(err[0].line, 2);
        assert!(
            err[0].message.contains("invalid type"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn git_writes_accepts_bool_and_commits_only() {
        assert_eq!(
            load(
                "[sandbox_workspace_write]\nallow_git_writes = \"commits\"\n",
                None
            )
            .unwrap()
            .workspace_write
            .allow_git_writes,
            GitWrites::Commits
        );
        assert_eq!(
            load("[sandbox_workspace_write]\nallow_git_writes = true\n", None)
                .unwrap()
                .workspace_write
                .allow_git_writes,
            GitWrites::Allow
        );
        assert!(load(
            "[sandbox_workspace_write]\nallow_git_writes = \"yes\"\n",
            None
        )
        .is_err());
    }

    #[test]
    fn project_cannot_loosen_and_every_problem_is_reported() {
        let project = "sandbox_mode = \"danger-full-access\"\n[sandbox_workspace_write]\nnetwork_access = true\nallow_git_writes = true\n[limits]\ntimeout_secs = 0\n[[rules]]\ncommand = [\"rm\"]\ndecision = \"allow\"\n";
        let errs = load("", Some((project, false))).unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 3, 4, 6, 7], "{errs:#?}");
        assert!(errs.iter().all(|e| e.origin == Path::new("rampart.toml")));
    }

    #[test]
    fn project_may_tighten() {
        let project = "sandbox_mode = \"read-only\"\napproval_policy = \"never\"\n[limits]\ntimeout_secs = 5\n[filesystem]\ndeny_read = [\"~/secrets\"]\n[[rules]]\ncommand = [\"git\", \"push\"]\ndecision = \"deny\"\n";
        let cfg = load("", Some((project, false))).unwrap();
        assert_eq!(cfg.sandbox_mode, SandboxMode::ReadOnly);
        assert_eq!(cfg.limits.timeout_secs, 5);
        assert!(cfg.deny_read.contains(&PathBuf::from("/home/u/secrets")));
        assert!(
            cfg.deny_read.contains(&PathBuf::from("/home/u/.ssh")),
            "user's hidden paths stay"
        );
        assert_eq!(cfg.rules.len(), 1);
    }

    #[test]
    fn trusted_project_may_loosen() {
        let cfg = load("", Some(("sandbox_mode = \"danger-full-access\"\n", true))).unwrap();
        assert_eq!(cfg.sandbox_mode, SandboxMode::DangerFullAccess);
    }

    #[test]
    fn project_cannot_trust_itself_or_touch_audit() {
        let errs = load(
            "",
            Some((
                "trusted_projects = [\"/x\"]\n[audit]\nfail_closed = false\n",
                false,
            )),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2);
    }

    #[test]
    fn protect_adds_from_any_layer_and_unprotect_is_user_only() {
        let cfg = load(
            "[filesystem]\nprotect = [\"tools/*.sh\"]\nunprotect = [\"**/.idea/**\"]\n",
            Some(("[filesystem]\nprotect = [\"Makefile\"]\n", false)),
        )
        .unwrap();
        assert_eq!(cfg.protect.added, vec!["tools/*.sh", "Makefile"]);
        assert_eq!(cfg.protect.removed, vec!["**/.idea/**"]);
        for trusted in [false, true] {
            let errs = load(
                "",
                Some(("[filesystem]\nunprotect = [\"**/.mcp.json\"]\n", trusted)),
            )
            .unwrap_err();
            assert_eq!(errs.len(), 1);
            assert!(
                errs[0].message.contains("cannot remove protected paths"),
                "{errs:?}"
            );
        }
        let errs = load(
            "[filesystem]\nprotect = [\"[\"]\nunprotect = [\"src/**\"]\n",
            None,
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!((errs[0].line, errs[0].column), (2, 12));
    }

    #[test]
    fn untrusted_project_detect_allowances_shape_scans_only() {
        let ghp = "aws-access-key-id";
        let project = format!("[detect]\ndisable = [\"{ghp}\"]\nallow = [\"x+\"]\n");
        let cfg = load("", Some((&project, false))).unwrap();
        assert!(cfg.detect.disable.iter().all(|d| d.scan_only));
        assert_eq!(cfg.detect.disable[0].origin, "rampart.toml:2");
        let has = |u: DetectUse| {
            cfg.detect
                .rule_set(u)
                .unwrap()
                .rules()
                .iter()
                .any(|r| r.spec.id == ghp)
        };
        assert!(!has(DetectUse::Scan));
        assert!(has(DetectUse::Mask));
        // Trusted, or in the user's file, the allowance applies everywhere.
        let cfg = load("", Some((&project, true))).unwrap();
        assert!(cfg.detect.disable.iter().all(|d| !d.scan_only));
        let cfg = load(&project, None).unwrap();
        assert!(!cfg
            .detect
            .rule_set(DetectUse::Mask)
            .unwrap()
            .rules()
            .iter()
            .any(|r| r.spec.id == ghp));
    }

    #[test]
    fn untrusted_project_may_add_rules_but_not_replace_builtin_ones() {
        let rule = |id: &str| {
            format!("[[detect.rules]]\nid = \"{id}\"\ndescription = \"d\"\nregex = 'acme_(x+)'\nkeywords = [\"acme_\"]\n")
        };
        let cfg = load("", Some((&rule("acme"), false))).unwrap();
        assert_eq!(cfg.detect.rules[0].spec.id, "acme");
        let errs = load("", Some((&rule("github-pat"), false))).unwrap_err();
        assert!(errs[0].message.contains("would replace the built-in rule"));
        assert_eq!(errs[0].line, 1);
        assert!(load("", Some((&rule("github-pat"), true))).is_ok());
        let errs = load(&rule("acme"), Some((&rule("acme"), false))).unwrap_err();
        assert!(errs[0].message.contains("defined twice"));
    }

    #[test]
    fn relative_paths_are_errors() {
        let errs = load(
            "[sandbox_workspace_write]\nwritable_roots = [\"cache\"]\n",
            None,
        )
        .unwrap_err();
        assert!(errs[0].message.contains("not an absolute path"));
        assert_eq!(errs[0].line, 2);
    }

    #[test]
    fn rules_need_one_matcher_and_a_decision() {
        let errs = load("[[rules]]\ncommand = [\"a\"]\nhost = \"x.com\"\ndecision = \"deny\"\n[[rules]]\ncommand = [\"b\"]\n", None).unwrap_err();
        assert_eq!(errs.len(), 2);
    }

    #[test]
    fn bad_globs_and_hosts_are_errors_at_their_place() {
        let text = "[[rules]]\npath = \"src/[ab\"\ndecision = \"deny\"\n\
                    [[rules]]\nhost = \"http://evil.example/\"\ndecision = \"deny\"\n\
                    [[rules]]\npath = \"a**b\"\ndecision = \"ask\"\n\
                    [shell_environment_policy]\nexclude = [\"*KEY*\", \"{AWS\"]\n\
                    [sandbox_workspace_write]\nallowed_hosts = [\"ok.example\", \"*.bü*.example\"]\n";
        let errs = load(
            text,
            Some(("[[rules]]\nhost = \"\"\ndecision = \"deny\"\n", false)),
        )
        .unwrap_err();
        let got: Vec<(String, usize, usize)> = errs
            .iter()
            .map(|e| (e.origin.display().to_string(), e.line, e.column))
            .collect();
        assert_eq!(
            got,
            [
                ("user.toml".into(), 13, 32),
                ("user.toml".into(), 11, 21),
                ("user.toml".into(), 2, 8),
                ("user.toml".into(), 5, 8),
                ("user.toml".into(), 8, 8),
                ("rampart.toml".into(), 2, 8),
            ]
        );
        assert!(errs[0].message.contains("xn--"), "{}", errs[0]);
        assert!(errs[1].message.contains("`{AWS`"), "{}", errs[1]);
        assert!(errs[2].message.contains("`src/[ab`"), "{}", errs[2]);
        assert!(
            errs[3].message.contains("`http://evil.example/`"),
            "{}",
            errs[3]
        );
        assert!(errs[4].message.contains("whole component"), "{}", errs[4]);
        assert!(errs[5].message.contains("empty"), "{}", errs[5]);
        assert!(errs.iter().all(|e| e.hint.is_some()));
        let errs = load(
            "[detect]\nexclude_paths = [\"ok/**\", \"fix[tures\"]\n",
            None,
        )
        .unwrap_err();
        assert_eq!((errs.len(), errs[0].line, errs[0].column), (1, 2, 27));
        assert!(errs[0].message.contains("`fix[tures`"), "{}", errs[0]);
    }

    #[test]
    fn patterns_compile_at_load_with_braces_and_classes() {
        let cfg = load(
            "[[rules]]\npath = \"**/*.{pem,key}\"\ndecision = \"deny\"\n\
             [[rules]]\nhost = \"{api,www}.Example.com.\"\ndecision = \"ask\"\n\
             [shell_environment_policy]\nexclude = [\"DB_PASS[0-9]\"]\n",
            None,
        )
        .unwrap();
        let RuleMatch::Path { glob, .. } = &cfg.rules[0].matcher else {
            panic!("{:?}", cfg.rules[0])
        };
        assert!(glob.matches(Path::new("/w/a/b.key"), Path::new("/w")));
        let RuleMatch::Host(h) = &cfg.rules[1].matcher else {
            panic!("{:?}", cfg.rules[1])
        };
        assert!(h.matches("www.example.com") && !h.matches("ftp.example.com"));
        assert!(cfg.env.exclude[0].matches("db_pass1"));
    }

    #[test]
    fn default_patterns_compile() {
        assert_eq!(
            Config::defaults(&env()).env.exclude.len(),
            DEFAULT_ENV_EXCLUDE.len()
        );
    }

    #[test]
    fn profile_overrides_base() {
        let env = env();
        let text = "approval_policy = \"on-request\"\n[profiles.ci]\napproval_policy = \"never\"\n";
        let s = Source {
            origin: Path::new("u.toml"),
            text,
        };
        let f = parse(s).unwrap();
        let mut cfg = Config::defaults(&env);
        assert!(apply_layer(&mut cfg, &f, s, Layer::User, Some("ci"), &env).is_empty());
        assert_eq!(cfg.approval_policy, ApprovalPolicy::Never);
        assert!(has_profile(&f, "ci"));
    }

    #[test]
    fn risk_entries_parse_and_projects_may_only_raise() {
        let text =
            "[[risk]]\ncommand = [\"terraform\", \"plan\"]\nlevel = \"low\"\nreason = \"reads\"\n";
        let cfg = load(text, None).unwrap();
        assert_eq!(cfg.risk_overrides.len(), 1);
        assert!(!cfg.risk_overrides[0].raise_only);
        let cfg = load("", Some((text, false))).unwrap();
        assert!(cfg.risk_overrides[0].raise_only);
        assert!(load("[[risk]]\ncommand = []\nlevel = \"low\"\n", None).is_err());
        assert!(load("[[risk]]\ncommand = [\"x\"]\nlevel = \"tiny\"\n", None).is_err());
    }

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("", 0), (1, 1));
    }
}
