//! One plan, sealed: config files, command-line flags and the workspace
//! resolve here, once, into an [`ExecPlan`] — the sandbox mode, the
//! isolation (writable, hidden and protected paths, network), the
//! environment, the limits and the audit settings a run is made under.
//!
//! Every surface that runs a command builds its plan here and hands it to
//! the enforcer: `rampart exec` runs it in-process; `rampart mcp` and
//! `rampart serve` build it from the config they decided with and seal it
//! into the `rampart sandbox-run` child ([`crate::plan`]), which never
//! loads a config or reads a policy flag. The recorder takes its sandbox
//! mode from the plan ([`ExecPlan::sandbox_mode`]).
//!
//! This module does the I/O of resolution (reading config files, making
//! paths canonical, walking the workspace for path rules, reading the
//! environment) so that `rampart-gate` and `rampart-policy` need none.

pub mod config_files;
mod pathrules;
pub use pathrules::TooWide;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rampart_policy::{filter_env, ApprovalPolicy, Config, ConfigError, GitWrites, SandboxMode};
use rampart_sandbox::{Command, Confinement, Isolation, Limits, WriteScope};
use serde::{Deserialize, Serialize};

/// Temp directory, writable in workspace-write unless excluded.
pub const TMPDIR: &str = "TMPDIR";
/// Program search path.
pub const PATH: &str = "PATH";
/// Set inside the sandbox to the mode the command runs in.
pub const RAMPART_SANDBOX: &str = "RAMPART_SANDBOX";
/// The built-in name of the variable holding the audit database URL; it is
/// never handed to a command, even when `audit.postgres_url_env` names
/// another one.
pub const RAMPART_AUDIT_PG_URL: &str = "RAMPART_AUDIT_PG_URL";
/// Test-only: a lower bound on the entries the sandbox's check after the
/// run reads (`Confinement::walk_limit`). It can only make a run "not
/// known to be clean" sooner, never skip a check.
pub const RAMPART_TEST_WALK_LIMIT: &str = "RAMPART_TEST_WALK_LIMIT";

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The current directory cannot be read.
    #[error("cannot read the current directory: {0}")]
    CurrentDir(std::io::Error),
    /// The workspace does not exist or cannot be made canonical.
    #[error("workspace `{}`: {source}", path.display())]
    Workspace {
        /// As given.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The workspace is not a directory.
    #[error("workspace `{}` is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// The config files have errors (each with its file and line).
    #[error("the config has {} error(s)", .0.len())]
    Config(Vec<ConfigError>),
    /// A `--writable-root` that does not exist.
    #[error("--writable-root `{}`: {source}", path.display())]
    WritableRoot {
        /// As given.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A `--allow-host` that is not a host pattern.
    #[error("--allow-host: {0}")]
    AllowHost(rampart_policy::PatternError),
    /// A host allowlist, which needs a proxy this version does not have.
    #[error("a host allowlist ({0}) needs rampart's network proxy, which this version does not have; rampart will not turn the whole network on instead")]
    HostAllowlist(String),
    /// A deny path rule too wide to hand to the sandbox.
    #[error(transparent)]
    PathRules(pathrules::TooWide),
    /// No program to run.
    #[error("no program given")]
    NoProgram,
    /// A `$TMPDIR` that would make far more than a temporary directory
    /// writable.
    #[error("`TMPDIR={}` would make {why} writable to the command; point TMPDIR at a temporary directory of its own, or set `exclude_tmpdir_env_var = true`", path.display())]
    WideTmpdir {
        /// The directory.
        path: PathBuf,
        /// What it would open.
        why: &'static str,
    },
}

/// Accepts a `$TMPDIR` only where temporary files belong: below `/tmp`,
/// `/var/tmp`, `/dev/shm` or `/run/user`, or below a visible directory of
/// `$HOME` (`~/tmp`, `~/work/tmp`; not `~` itself nor `~/.ssh`, `~/.config`).
/// Anything else (`/`, `/etc/ssh`, `/usr/local/bin`) would be made writable
/// to the command, so the run is refused. A `$TMPDIR` that does not exist
/// is left to the sandbox, which ignores it.
fn checked_tmpdir(raw: PathBuf, home: Option<&Path>) -> Result<PathBuf, ResolveError> {
    const TEMP_ROOTS: &[&str] = &["/tmp", "/var/tmp", "/dev/shm", "/run/user"];
    let Ok(real) = std::fs::canonicalize(&raw) else {
        return Ok(raw);
    };
    // `/run/user` itself holds every user's runtime directory.
    let temp = TEMP_ROOTS
        .iter()
        .any(|t| real.starts_with(t) && (real != Path::new(t) || *t != "/run/user"));
    let in_home = home.is_some_and(|h| {
        real.strip_prefix(h)
            .ok()
            .and_then(|rel| rel.components().next())
            .is_some_and(|c| !c.as_os_str().to_string_lossy().starts_with('.'))
    });
    if temp || in_home {
        return Ok(raw);
    }
    let why = if home.is_some_and(|h| h.starts_with(&real) || real.starts_with(h)) {
        "your home directory (or a hidden directory in it)"
    } else {
        "a directory that is not a temporary one"
    };
    Err(ResolveError::WideTmpdir { path: raw, why })
}

/// Where the config comes from: `--config` (else the user config) and
/// `--profile`.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// `--profile NAME`.
    pub profile: Option<String>,
    /// `-c KEY=VALUE`, in order.
    pub overrides: Vec<rampart_policy::Override>,
}

/// The policy flags of `exec`, `check`, `mcp` and `serve`: the top layer.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--sandbox`.
    pub sandbox: Option<SandboxMode>,
    /// `--approval`.
    pub approval: Option<ApprovalPolicy>,
    /// `-C DIR`: the workspace (default: the current directory).
    pub workspace: Option<PathBuf>,
    /// `--writable-root`.
    pub writable_root: Vec<PathBuf>,
    /// `--allow-host`.
    pub allow_host: Vec<String>,
    /// `--network`.
    pub network: bool,
    /// `--allow-git-writes`.
    pub allow_git_writes: Option<GitWrites>,
    /// `--timeout`.
    pub timeout: Option<u64>,
    /// `--memory`.
    pub memory: Option<u64>,
    /// `--max-procs`.
    pub max_procs: Option<u64>,
    /// `--keep-env`.
    pub keep_env: Vec<String>,
}

/// The workspace and the config in force there, flags applied: what every
/// decision and every plan of one invocation (or one server) is made from.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The workspace, canonical.
    pub workspace: PathBuf,
    /// The config, every layer and the flags applied.
    pub config: Config,
    /// Variables passed through despite the environment policy.
    pub keep_env: Vec<String>,
}

/// Resolves the workspace: `dir` or the current directory, canonical.
///
/// # Errors
///
/// When it does not exist or is not a directory.
pub fn workspace(dir: Option<&Path>) -> Result<PathBuf, ResolveError> {
    let raw = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir().map_err(ResolveError::CurrentDir)?,
    };
    let canonical = std::fs::canonicalize(&raw).map_err(|source| ResolveError::Workspace {
        path: raw.clone(),
        source,
    })?;
    if !canonical.is_dir() {
        return Err(ResolveError::NotADirectory(raw));
    }
    Ok(canonical)
}

/// Config files, profile and flags, for the workspace the flags name.
///
/// # Errors
///
/// A bad workspace, every config error, or a bad flag.
pub fn resolve(sources: &Sources, flags: &Flags) -> Result<Resolved, ResolveError> {
    let ws = workspace(flags.workspace.as_deref())?;
    let loaded = config_files::load_with(
        sources.config.as_deref(),
        &sources.overrides,
        Some(&ws),
        sources.profile.as_deref(),
    );
    if !loaded.errors.is_empty() {
        return Err(ResolveError::Config(loaded.errors));
    }
    let mut config = loaded.config;
    apply_flags(&mut config, flags)?;
    Ok(Resolved {
        workspace: ws,
        config,
        keep_env: flags.keep_env.clone(),
    })
}

/// Applies command-line flags, the top layer.
///
/// # Errors
///
/// A `--writable-root` that does not exist or a bad `--allow-host`.
pub fn apply_flags(cfg: &mut Config, flags: &Flags) -> Result<(), ResolveError> {
    if let Some(m) = flags.sandbox {
        cfg.sandbox_mode = m;
    }
    if let Some(a) = flags.approval {
        cfg.approval_policy = a;
    }
    for root in &flags.writable_root {
        let p = std::fs::canonicalize(root).map_err(|source| ResolveError::WritableRoot {
            path: root.clone(),
            source,
        })?;
        cfg.workspace_write.writable_roots.push(p);
    }
    if flags.network {
        cfg.workspace_write.network_access = true;
    }
    if !flags.allow_host.is_empty() {
        cfg.workspace_write.network_access = true;
        for h in &flags.allow_host {
            let pattern = rampart_policy::HostPattern::new(h).map_err(ResolveError::AllowHost)?;
            cfg.workspace_write.allowed_hosts.push(pattern);
        }
    }
    if let Some(g) = flags.allow_git_writes {
        cfg.workspace_write.allow_git_writes = g;
    }
    if let Some(t) = flags.timeout {
        cfg.limits.timeout_secs = t;
    }
    if let Some(m) = flags.memory {
        cfg.limits.memory_mb = m;
    }
    if let Some(n) = flags.max_procs {
        cfg.limits.max_processes = n;
    }
    Ok(())
}
/// Every protected path the sandbox guards (see
/// [`rampart_policy::ProtectedSet`]): rampart's user config (its directory,
/// created 0700 when missing so that it can be bound read-only, or the
/// `--config` file) and state directory (session approvals, hook tickets,
/// the audit trail), and the agent-config files at the top of the
/// workspace and of each writable root, existing or not. Git internals are
/// the sandbox's own business (it reads the repository layout).
pub fn protected_paths(config: &Config, workspace: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let mut dirs: Vec<PathBuf> = vec![config.audit.dir.clone()];
    // The default user config directory (never a `--config` file).
    let user_dir = config_files::user_config_path().and_then(|p| p.parent().map(Path::to_path_buf));
    dirs.extend(
        config
            .protect
            .rampart_paths
            .iter()
            .filter(|p| user_dir.as_ref() == Some(*p))
            .cloned(),
    );
    for dir in &dirs {
        let _ = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir);
    }
    // The daemon's socket directory: a command that could replace the
    // socket (or the directory) could pose as the daemon and answer asks.
    // Created (0700, as the daemon would) when its parent exists, so that
    // it is held read-only rather than only watched.
    let sockets = crate::paths::user_socket_dir();
    if sockets.parent().is_some_and(Path::is_dir) {
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&sockets);
    }
    let mut roots: Vec<PathBuf> = vec![workspace.to_path_buf()];
    roots.extend(config.workspace_write.writable_roots.iter().cloned());
    let roots: Vec<PathBuf> = roots
        .into_iter()
        .map(|r| std::fs::canonicalize(&r).unwrap_or(r))
        .collect();
    let refs: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let set = rampart_policy::ProtectedSet::new(config);
    let mut out = set.literal_paths(&refs);
    if !out.contains(&sockets) {
        out.push(sockets);
    }
    // A root that is not a repository gets none from the sandbox's git
    // layout: a `.git` created there would be honoured by the next git
    // command run in it (hooks included), so its creation is watched. So
    // is its `HEAD`: with `objects/` and `refs/` beside it, git takes the
    // root itself for a git dir (and `core.worktree = .` in a `config`
    // there makes `git status` run its `core.fsmonitor`).
    if config.workspace_write.allow_git_writes != rampart_policy::GitWrites::Allow {
        for root in &roots {
            let dot_git = root.join(".git");
            if std::fs::symlink_metadata(&dot_git).is_err() {
                out.push(dot_git);
                out.push(root.join("HEAD"));
            }
        }
    }
    // Entries with wildcards: what exists at the top of each root.
    for root in &roots {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name() == ".git" || out.contains(&path) {
                continue;
            }
            if set.protection_by_pattern(&path, &refs).is_some() {
                out.push(path);
            }
        }
    }
    out
}

/// Where the sandbox moves protected paths that appeared during a run.
pub fn quarantine_dir(config: &Config) -> PathBuf {
    config.audit.dir.join("quarantine")
}

/// The files below `workspace` a read-deny path rule of `cfg` matches: what
/// the sandbox hides, so that a surface reading a whole folder (the hook's
/// `Grep`) can judge those files too.
///
/// # Errors
///
/// A path rule too wide to enforce.
pub fn read_denied_by_path_rules(
    cfg: &Config,
    workspace: &Path,
) -> Result<Vec<PathBuf>, ResolveError> {
    pathrules::mounts(cfg, workspace)
        .map(|m| m.hidden)
        .map_err(ResolveError::PathRules)
}

/// The sandbox settings `cfg` asks for, for a run in `workspace`: the
/// protected paths and what the deny path rules match are found now.
/// Fails closed on what cannot be enforced.
///
/// # Errors
///
/// A host allowlist (no proxy yet) or a path rule too wide to enforce.
pub fn isolation(cfg: &Config, workspace: &Path) -> Result<Isolation, ResolveError> {
    let rules = pathrules::mounts(cfg, workspace).map_err(ResolveError::PathRules)?;
    let mut protected = protected_paths(cfg, workspace);
    let ws = &cfg.workspace_write;
    if ws.network_access
        && !ws.allowed_hosts.is_empty()
        && cfg.sandbox_mode != SandboxMode::DangerFullAccess
    {
        return Err(ResolveError::HostAllowlist(
            ws.allowed_hosts
                .iter()
                .map(rampart_policy::HostPattern::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    // The built-in "if present" entries that do not exist hold nothing to
    // hide, and would make a workspace at `$HOME` refuse to start.
    let env = rampart_policy::HostEnv {
        home: cfg.home.clone(),
        xdg_state_home: None,
    };
    let if_present: Vec<PathBuf> = rampart_policy::DEFAULT_DENY_READ_IF_PRESENT
        .iter()
        .filter_map(|p| rampart_policy::expand_path(p, &env).ok())
        .collect();
    let mut hidden: Vec<PathBuf> = cfg
        .deny_read
        .iter()
        .filter(|p| !(if_present.contains(p) && std::fs::symlink_metadata(p).is_err()))
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    hidden.extend(rules.hidden);
    // rampart's state and audit directory: a command that could read it
    // would read the trail, and one that could open `audit.lock` could
    // `flock` it and stall every recording. Hidden, not only read-only
    // (it was created 0700 by `protected_paths`, so it exists).
    let state = std::fs::canonicalize(&cfg.audit.dir).unwrap_or_else(|_| cfg.audit.dir.clone());
    if !hidden.contains(&state) {
        hidden.push(state);
    }
    protected.extend(rules.read_only);
    let write = match cfg.sandbox_mode {
        SandboxMode::DangerFullAccess => return Ok(Isolation::FullAccess),
        SandboxMode::ReadOnly => WriteScope::ReadOnly,
        SandboxMode::WorkspaceWrite => WriteScope::Workspace {
            root: workspace.to_path_buf(),
            writable_roots: ws.writable_roots.clone(),
            slash_tmp: !ws.exclude_slash_tmp,
            tmpdir: if ws.exclude_tmpdir_env_var {
                None
            } else {
                std::env::var_os(TMPDIR)
                    .filter(|t| !t.is_empty())
                    .map(|t| checked_tmpdir(PathBuf::from(t), cfg.home.as_deref()))
                    .transpose()?
            },
            git: match ws.allow_git_writes {
                GitWrites::Deny => rampart_sandbox::GitWrites::Deny,
                GitWrites::Commits => rampart_sandbox::GitWrites::Commits,
                GitWrites::Allow => rampart_sandbox::GitWrites::Allow,
            },
        },
    };
    Ok(Isolation::Confined(Confinement {
        protected,
        nested: rampart_policy::ProtectedSet::new(cfg).nested_names(),
        walk_limit: std::env::var(RAMPART_TEST_WALK_LIMIT)
            .ok()
            .and_then(|v| v.parse().ok()),
        quarantine: Some(quarantine_dir(cfg)),
        write,
        network: ws.network_access,
        unix_sockets: ws.allow_unix_sockets,
        hidden,
    }))
}

/// The resource limits `cfg` asks for.
pub fn limits(cfg: &Config) -> Limits {
    let nz = |v: u64| (v != 0).then_some(v);
    Limits {
        timeout: nz(cfg.limits.timeout_secs).map(Duration::from_secs),
        memory_bytes: nz(cfg.limits.memory_mb).map(|m| m.saturating_mul(1 << 20)),
        max_processes: nz(cfg.limits.max_processes),
        cpu_secs: nz(cfg.limits.cpu_secs),
        file_size_bytes: nz(cfg.limits.file_size_mb).map(|m| m.saturating_mul(1 << 20)),
    }
}

/// The environment a command gets: the policy's filter over this
/// process's environment, never the audit database URL, and
/// `RAMPART_SANDBOX` set to the mode.
fn environment(cfg: &Config, keep_env: &[String]) -> Vec<(OsString, OsString)> {
    let mut env_vars = filter_env(&cfg.env, std::env::vars_os(), keep_env);
    // The audit database URL may hold a password: never hand it on, by the
    // configured name or the built-in one (set in the environment for an
    // earlier setup, it would otherwise pass as an ordinary variable).
    env_vars.retain(|(k, _)| {
        k != RAMPART_SANDBOX && k != RAMPART_AUDIT_PG_URL && *k != *cfg.audit.postgres_url_env
    });
    if cfg.sandbox_mode == SandboxMode::ReadOnly {
        env_vars.retain(|(k, _)| k != TMPDIR);
        env_vars.push((TMPDIR.into(), "/tmp".into()));
    }
    env_vars.push((RAMPART_SANDBOX.into(), cfg.sandbox_mode.as_str().into()));
    env_vars
}

/// The audit settings a run records under, for a process that has no
/// config of its own (`sandbox-run` records what it quarantined).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPlan {
    /// `[audit]` as the config resolved it (the `PostgreSQL` URL is never
    /// in it, only the name of the variable holding it).
    pub settings: rampart_policy::AuditConfig,
    /// The detection rules added for masking (`[[detect.rules]]`).
    pub mask_rules: Vec<rampart_detect::RuleSpec>,
    /// Rule ids turned off for masking (the user's only).
    pub mask_disabled: Vec<String>,
    /// Patterns never masked (the user's only).
    pub mask_allowed: Vec<String>,
}

impl AuditPlan {
    /// The audit settings of `cfg`; masking as `cfg.detect.rule_set(Mask)`
    /// builds it (an untrusted project's scan-only allowances left out).
    pub fn of(cfg: &Config) -> Self {
        let a = &cfg.audit;
        let user = |list: &[rampart_policy::DetectAllowance]| -> Vec<String> {
            list.iter()
                .filter(|x| !x.scan_only)
                .map(|x| x.value.clone())
                .collect()
        };
        Self {
            settings: a.clone(),
            mask_rules: cfg.detect.rules.iter().map(|r| r.spec.clone()).collect(),
            mask_disabled: user(&cfg.detect.disable),
            mask_allowed: user(&cfg.detect.allow),
        }
    }

    /// The trail's options; the `PostgreSQL` URL only ever comes from the
    /// environment variable the config names.
    pub fn options(&self) -> rampart_audit::Options {
        let a = &self.settings;
        rampart_audit::Options {
            dir: a.dir.clone(),
            max_file_mb: a.max_file_mb,
            max_files: a.max_files,
            sqlite: a.sqlite,
            durable: a.durable,
            postgres: std::env::var(&a.postgres_url_env)
                .ok()
                .filter(|u| !u.is_empty())
                .map(rampart_audit::pg::Target::new),
        }
    }

    /// The rule set that masks what is recorded.
    ///
    /// # Errors
    ///
    /// A rule that does not compile.
    pub fn mask(&self) -> Result<rampart_detect::RuleSet, rampart_detect::RulesError> {
        rampart_detect::RuleSet::builtin_with(self.mask_rules.clone(), &self.mask_disabled)?
            .with_allowed(&self.mask_allowed)
    }
}

/// Everything a run is made under, resolved once: what the enforcer
/// carries out and the recorder records. Serialisable, so that it can be
/// sealed and handed to `rampart sandbox-run` ([`crate::plan`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExecPlan {
    /// The mode the command runs in (`danger-full-access` exactly when
    /// [`ExecPlan::isolation`] is full access).
    pub sandbox_mode: SandboxMode,
    /// The approval policy in force (`on-failure` offers a re-run outside).
    pub approval_policy: ApprovalPolicy,
    /// The workspace, canonical.
    pub workspace: PathBuf,
    /// The program (resolved on the plan's `PATH`; empty when not found),
    /// its arguments, environment and working directory.
    pub command: Command,
    /// Namespaces, writable / hidden / protected paths, network.
    pub isolation: Isolation,
    /// Resource limits.
    pub limits: Limits,
    /// Where and how the run is recorded.
    pub audit: AuditPlan,
    /// The decision the run was allowed under (set by the enforcer the
    /// gate hands it to; `None` only while the plan is being built).
    /// `sandbox-run` refuses a plan without an `allow` here.
    pub decision: Option<PlanDecision>,
}

/// Why a "yes" to `decision` could not make it work in a sandbox confined
/// by `isolation`: a path it writes that the sandbox does not let it write
/// (approval grants the network for a run, never a path). `None` when a
/// yes would be enough.
pub fn cannot_grant(isolation: &Isolation, decision: &rampart_policy::Decision) -> Option<String> {
    let Isolation::Confined(c) = isolation else {
        return None;
    };
    let writable = |p: &Path| -> bool {
        // `/tmp` is writable in every sandbox (the host's or a private
        // one), and device nodes like `/dev/null` are bound in.
        if p.starts_with("/tmp") || p.starts_with("/dev") {
            return true;
        }
        match &c.write {
            WriteScope::ReadOnly => false,
            WriteScope::Workspace {
                root,
                writable_roots,
                tmpdir,
                ..
            } => {
                p.starts_with(root)
                    || writable_roots.iter().any(|r| p.starts_with(r))
                    || tmpdir.as_ref().is_some_and(|t| p.starts_with(t))
            }
        }
    };
    let out: Vec<&Path> = decision
        .writes
        .iter()
        .map(PathBuf::as_path)
        .filter(|p| !writable(p))
        .collect();
    let first = out.first()?;
    let (how, dir) = match &c.write {
        WriteScope::ReadOnly => (
            "the sandbox is read-only; run it with `--sandbox workspace-write` and `--writable-root DIR` (or `sandbox_mode`)",
            None,
        ),
        WriteScope::Workspace { .. } => (
            "add the directory with `--writable-root DIR` (`[sandbox_workspace_write] writable_roots`), or run it with `--sandbox danger-full-access`",
            first.parent(),
        ),
    };
    Some(format!(
        "a yes would not be enough: the sandbox cannot write `{}`{}; {how}",
        first.display(),
        dir.map(|d| format!(
            " (outside the workspace and the writable roots; e.g. `--writable-root {}`)",
            d.display()
        ))
        .unwrap_or_default()
    ))
}

/// Why a plan may not run: it was not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAllowed {
    /// No decision came with the plan.
    #[error("the plan carries no decision")]
    NoDecision,
    /// The decision that came with it is not `allow`.
    #[error("the plan's decision is `{0}`, not `allow`")]
    Verdict(rampart_policy::Verdict),
}

/// The decision a plan was made under, as it travels with the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDecision {
    /// The verdict: `allow` for every plan that runs.
    pub verdict: rampart_policy::Verdict,
    /// The risk the analysis found.
    pub risk: rampart_policy::Risk,
    /// The rule that decided, if one did.
    pub rule: Option<String>,
    /// Why, most important first.
    pub reasons: Vec<String>,
    /// Who approved it, when a human was asked.
    pub approved_by: Option<String>,
    /// What the approval granted this run beyond the config (`network`),
    /// so that a "yes" makes the action possible.
    #[serde(default)]
    pub granted: Vec<String>,
}

impl PlanDecision {
    /// The decision and approval of `mandate`.
    pub fn of(mandate: &rampart_gate::Mandate<'_>) -> Self {
        let d = mandate.decision;
        Self {
            verdict: d.verdict,
            risk: d.risk,
            rule: d.rule.clone(),
            reasons: d.reasons.clone(),
            approved_by: mandate.approved_by().map(str::to_owned),
            granted: Vec::new(),
        }
    }

    /// Back into a policy decision (for an enforcer on the far side of the
    /// seal).
    pub fn to_decision(&self) -> rampart_policy::Decision {
        rampart_policy::Decision {
            verdict: self.verdict,
            risk: self.risk,
            reasons: self.reasons.clone(),
            rule: self.rule.clone(),
            commands: Vec::new(),
            approvals: Vec::new(),
            needs_network: false,
            writes: Vec::new(),
        }
    }
}

impl Resolved {
    /// The plan for running `argv` in `cwd` (inside the workspace) under
    /// this config.
    ///
    /// # Errors
    ///
    /// No program, or a sandbox setting that cannot be enforced.
    pub fn plan(&self, argv: &[OsString], cwd: &Path) -> Result<ExecPlan, ResolveError> {
        ExecPlan::build(&self.config, &self.workspace, argv, cwd, &self.keep_env)
    }
}

impl ExecPlan {
    /// The plan for running `argv` in `cwd` under `cfg`, with `workspace`
    /// as the workspace (what is writable and protected).
    ///
    /// # Errors
    ///
    /// No program, or a sandbox setting that cannot be enforced.
    pub fn build(
        cfg: &Config,
        workspace: &Path,
        argv: &[OsString],
        cwd: &Path,
        keep_env: &[String],
    ) -> Result<Self, ResolveError> {
        let Some(program) = argv.first() else {
            return Err(ResolveError::NoProgram);
        };
        let isolation = isolation(cfg, workspace)?;
        let env = environment(cfg, keep_env);
        let path_var = env.iter().find(|(k, _)| k == PATH).map(|(_, v)| v.clone());
        let resolved =
            rampart_sandbox::resolve_program(program, path_var.as_deref(), cwd).unwrap_or_default();
        let sandbox_mode = if matches!(isolation, Isolation::FullAccess) {
            SandboxMode::DangerFullAccess
        } else {
            cfg.sandbox_mode
        };
        Ok(Self {
            sandbox_mode,
            approval_policy: cfg.approval_policy,
            workspace: workspace.to_path_buf(),
            command: Command {
                program: resolved,
                argv: argv.to_vec(),
                env,
                cwd: cwd.to_path_buf(),
                tee_stderr: false,
            },
            isolation,
            decision: None,
            limits: limits(cfg),
            audit: AuditPlan::of(cfg),
        })
    }

    /// Whether the command runs confined (anything but full access).
    pub fn confined(&self) -> bool {
        !matches!(self.isolation, Isolation::FullAccess)
    }

    /// The program as asked for (`argv[0]`).
    pub fn program_name(&self) -> String {
        self.command
            .argv
            .first()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The same run with a shorter timeout (an agent may shorten it, never
    /// lengthen it past the plan's).
    #[must_use]
    pub fn with_timeout(mut self, secs: Option<u64>) -> Self {
        if let Some(t) = secs {
            let asked = Duration::from_secs(t);
            self.limits.timeout = Some(self.limits.timeout.map_or(asked, |l| l.min(asked)));
        }
        self
    }

    /// The plan, carrying the decision (and approval) it runs under.
    #[must_use]
    ///
    /// An approved ask for a command that needs the network (a network
    /// client, `git push`) gets the network for this run: a "yes" must
    /// make the action possible. Nothing else is widened: a write the
    /// sandbox cannot grant is refused before anyone is asked
    /// ([`cannot_grant`]).
    pub fn under(mut self, mandate: &rampart_gate::Mandate<'_>) -> Self {
        let mut decision = PlanDecision::of(mandate);
        if let Isolation::Confined(c) = &mut self.isolation {
            if mandate.approved_by().is_some() && mandate.decision.needs_network && !c.network {
                c.network = true;
                decision.granted.push("network".into());
            }
        }
        self.decision = Some(decision);
        self
    }

    /// The decision (and approval) the plan says it may run under: an
    /// enforcer on the far side of a seal runs nothing else.
    ///
    /// # Errors
    ///
    /// The plan carries no decision, or one that is not `allow`.
    pub fn allowed_under(
        &self,
    ) -> Result<(rampart_policy::Decision, Option<rampart_gate::Approval>), NotAllowed> {
        match &self.decision {
            Some(d) if d.verdict == rampart_policy::Verdict::Allow => Ok((
                d.to_decision(),
                d.approved_by
                    .clone()
                    .map(|by| rampart_gate::Approval::Approved { by }),
            )),
            Some(d) => Err(NotAllowed::Verdict(d.verdict)),
            None => Err(NotAllowed::NoDecision),
        }
    }

    /// The same run outside the sandbox (a re-run a human approved at the
    /// terminal): a new plan, so that what is recorded says so.
    #[must_use]
    pub fn outside(mut self) -> Self {
        self.isolation = Isolation::FullAccess;
        self.sandbox_mode = SandboxMode::DangerFullAccess;
        self.command.tee_stderr = false;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> (tempfile::TempDir, PathBuf, Config) {
        let t = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(t.path()).expect("canonical");
        let ws = base.join("ws");
        std::fs::create_dir_all(ws.join("sub")).expect("mkdir");
        let host = rampart_policy::HostEnv {
            home: Some(base.join("home")),
            xdg_state_home: Some(base.join("state")),
        };
        (t, ws, Config::defaults(&host))
    }

    fn var<'a>(plan: &'a ExecPlan, name: &str) -> Option<&'a OsString> {
        plan.command
            .env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    #[test]
    fn the_plan_carries_the_mode_everywhere_it_matters() {
        let (_t, ws, mut cfg) = world();
        cfg.sandbox_mode = SandboxMode::ReadOnly;
        let argv = [OsString::from("sh")];
        let plan = ExecPlan::build(&cfg, &ws, &argv, &ws.join("sub"), &[]).expect("plan");
        assert_eq!(plan.sandbox_mode, SandboxMode::ReadOnly);
        assert_eq!(
            var(&plan, RAMPART_SANDBOX),
            Some(&OsString::from("read-only"))
        );
        assert_eq!(var(&plan, TMPDIR), Some(&OsString::from("/tmp")));
        assert!(var(&plan, RAMPART_AUDIT_PG_URL).is_none());
        assert_eq!(plan.workspace, ws);
        assert_eq!(plan.command.cwd, ws.join("sub"));
        assert!(matches!(
            plan.isolation,
            Isolation::Confined(Confinement {
                write: WriteScope::ReadOnly,
                ..
            })
        ));
        // Full access is a mode of its own, never a confined plan.
        cfg.sandbox_mode = SandboxMode::DangerFullAccess;
        let plan = ExecPlan::build(&cfg, &ws, &argv, &ws, &[]).expect("plan");
        assert!(!plan.confined());
        assert_eq!(plan.sandbox_mode, SandboxMode::DangerFullAccess);
        // Re-running outside is a new plan that says so.
        cfg.sandbox_mode = SandboxMode::WorkspaceWrite;
        let plan = ExecPlan::build(&cfg, &ws, &argv, &ws, &[]).expect("plan");
        assert!(plan.confined());
        let outside = plan.outside();
        assert!(!outside.confined());
        assert_eq!(outside.sandbox_mode, SandboxMode::DangerFullAccess);
    }

    #[test]
    fn an_agent_can_only_shorten_the_timeout() {
        let (_t, ws, mut cfg) = world();
        cfg.limits.timeout_secs = 60;
        let argv = [OsString::from("true")];
        let plan = ExecPlan::build(&cfg, &ws, &argv, &ws, &[]).expect("plan");
        let secs = |p: &ExecPlan| p.limits.timeout.map(|t| t.as_secs());
        assert_eq!(secs(&plan.clone().with_timeout(Some(5))), Some(5));
        assert_eq!(secs(&plan.clone().with_timeout(Some(600))), Some(60));
        assert_eq!(secs(&plan.with_timeout(None)), Some(60));
        cfg.limits.timeout_secs = 0;
        let plan = ExecPlan::build(&cfg, &ws, &argv, &ws, &[]).expect("plan");
        assert_eq!(secs(&plan.with_timeout(Some(7))), Some(7));
    }

    #[test]
    fn a_plan_runs_only_under_an_allow_it_carries() {
        let (_t, ws, cfg) = world();
        let argv: Vec<OsString> = vec!["true".into()];
        let plan = ExecPlan::build(&cfg, &ws, &argv, &ws, &[]).expect("plan");
        assert_eq!(plan.allowed_under().unwrap_err(), NotAllowed::NoDecision);
        let mut d = rampart_policy::decide(
            &cfg,
            &rampart_policy::Action::Exec {
                argv: vec!["true".into()],
                cwd: ws.clone(),
            },
        );
        d.verdict = rampart_policy::Verdict::Ask;
        let asked = plan.clone().under(&rampart_gate::Mandate {
            decision: &d,
            approval: None,
        });
        assert_eq!(
            asked.allowed_under().unwrap_err(),
            NotAllowed::Verdict(rampart_policy::Verdict::Ask)
        );
        d.verdict = rampart_policy::Verdict::Allow;
        let yes = rampart_gate::Approval::Approved {
            by: "terminal".into(),
        };
        let allowed = plan.under(&rampart_gate::Mandate {
            decision: &d,
            approval: Some(&yes),
        });
        let (decision, approval) = allowed.allowed_under().expect("allowed");
        assert_eq!(decision.verdict, rampart_policy::Verdict::Allow);
        assert_eq!(decision.reasons, d.reasons);
        assert_eq!(approval, Some(yes));
    }

    #[test]
    fn no_program_and_a_host_allowlist_are_refused() {
        let (_t, ws, mut cfg) = world();
        assert!(matches!(
            ExecPlan::build(&cfg, &ws, &[], &ws, &[]),
            Err(ResolveError::NoProgram)
        ));
        apply_flags(
            &mut cfg,
            &Flags {
                allow_host: vec!["example.com".into()],
                ..Flags::default()
            },
        )
        .expect("flags");
        assert!(matches!(
            ExecPlan::build(&cfg, &ws, &[OsString::from("curl")], &ws, &[]),
            Err(ResolveError::HostAllowlist(_))
        ));
    }
}
