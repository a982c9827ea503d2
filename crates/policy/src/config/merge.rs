//! Layering: one parsed file applied on top of the configuration so far. A
//! project file may only tighten (see [`Merger::tighten`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use toml::Spanned;

use super::error::{line_col, Source};
use super::model::{
    AgentsConfig, DetectAllowance, DetectConfig, DetectRule, GitWrites, HostEnv, Rule, RuleMatch,
};
use super::{Config, ConfigError};
use crate::file::{ConfigFile, GitWritesFile};
use crate::{
    ApprovalPolicy, EnvPattern, HostPattern, Inherit, PathAccess, PathGlob, SandboxMode, Verdict,
};

/// Expands `~`, `$HOME` and `$XDG_STATE_HOME` at the start of a path and
/// requires the result to be absolute.
pub fn expand_path(raw: &str, env: &HostEnv) -> Result<PathBuf, crate::PatternError> {
    expand(raw, env).map_err(|e| crate::PatternError::new(raw, e.to_string()))
}

/// Why a path of the config cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ExpandPathError {
    /// It starts with a variable that is not set.
    #[error("`{raw}` needs {var}, which is not set")]
    Unset {
        /// The path as written.
        raw: String,
        /// `$HOME` or `$XDG_STATE_HOME`.
        var: &'static str,
    },
    /// It is relative after expansion.
    #[error("`{0}` is not an absolute path")]
    NotAbsolute(String),
    /// It has a `..` component.
    #[error("`{0}` contains `..`")]
    DotDot(String),
}

fn expand(raw: &str, env: &HostEnv) -> Result<PathBuf, ExpandPathError> {
    let sub = |rest: &str,
               base: &Option<PathBuf>,
               var: &'static str|
     -> Result<PathBuf, ExpandPathError> {
        let base = base.as_ref().ok_or_else(|| ExpandPathError::Unset {
            raw: raw.to_owned(),
            var,
        })?;
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
        return Err(ExpandPathError::NotAbsolute(raw.to_owned()));
    }
    if path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(ExpandPathError::DotDot(raw.to_owned()));
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
        self.loosens_because(key, value, was, now, LOOSENS_HINT);
    }

    fn loosens_because<T>(
        &mut self,
        key: &str,
        value: &Spanned<T>,
        was: &str,
        now: &str,
        hint: &str,
    ) {
        let err = self.source.error(
            value.span(),
            format!("`{key} = {now}` loosens the user's policy (`{was}`)"),
            Some(hint.into()),
        );
        self.errors.push(err);
    }

    /// The one rule for a single-valued key: an untrusted project's value
    /// that `looser` than what the layers below set is an error (and the
    /// setting stays); any other value replaces it.
    fn tighten<T: Shown>(
        &mut self,
        key: &str,
        value: Option<&Spanned<T>>,
        field: &mut T,
        looser: impl Fn(T, T) -> bool,
        hint: &str,
    ) {
        let Some(v) = value else { return };
        let new = *v.get_ref();
        if self.restricted() && looser(new, *field) {
            self.loosens_because(key, v, &field.shown(), &new.shown(), hint);
        } else {
            *field = new;
        }
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
        self.tighten(
            "sandbox_mode",
            file.sandbox_mode.as_ref(),
            &mut cfg.sandbox_mode,
            |new, old| rank_mode(new) > rank_mode(old),
            LOOSENS_HINT,
        );
        self.tighten(
            "approval_policy",
            file.approval_policy.as_ref(),
            &mut cfg.approval_policy,
            |new, old| rank_approval(new) > rank_approval(old),
            LOOSENS_HINT,
        );
        if let Some(ws) = &file.sandbox_workspace_write {
            let ws = ws.get_ref();
            let w = &mut cfg.workspace_write;
            // Each flag with the value that loosens.
            for (key, value, field, loose) in [
                (
                    "sandbox_workspace_write.network_access",
                    &ws.network_access,
                    &mut w.network_access,
                    true,
                ),
                (
                    "sandbox_workspace_write.exclude_tmpdir_env_var",
                    &ws.exclude_tmpdir_env_var,
                    &mut w.exclude_tmpdir_env_var,
                    false,
                ),
                (
                    "sandbox_workspace_write.exclude_slash_tmp",
                    &ws.exclude_slash_tmp,
                    &mut w.exclude_slash_tmp,
                    false,
                ),
                (
                    "sandbox_workspace_write.allow_unix_sockets",
                    &ws.allow_unix_sockets,
                    &mut w.allow_unix_sockets,
                    true,
                ),
            ] {
                self.tighten(
                    key,
                    value.as_ref(),
                    field,
                    |new, old| new == loose && old != loose,
                    LOOSENS_HINT,
                );
            }
            if let Some(v) = &ws.allow_git_writes {
                let new = match v.get_ref() {
                    GitWritesFile::Bool(false) => GitWrites::Deny,
                    GitWritesFile::Bool(true) => GitWrites::Allow,
                    GitWritesFile::Word(_) => GitWrites::Commits,
                };
                let v = Spanned::new(v.span(), new);
                self.tighten(
                    "sandbox_workspace_write.allow_git_writes",
                    Some(&v),
                    &mut cfg.workspace_write.allow_git_writes,
                    |new, old| new > old,
                    LOOSENS_HINT,
                );
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
            let envf_span = envf.span();
            let envf = envf.get_ref();
            self.tighten(
                "shell_environment_policy.inherit",
                envf.inherit.as_ref(),
                &mut cfg.env.inherit,
                |new, old| rank_inherit(new) > rank_inherit(old),
                LOOSENS_HINT,
            );
            if let Some(v) = &envf.exclude {
                let pats = self.env_patterns(v);
                if self.restricted() {
                    for p in pats {
                        if !cfg.env.exclude.contains(&p) {
                            cfg.env.exclude.push(p);
                        }
                    }
                } else {
                    cfg.env.exclude = pats;
                }
                self.set_still_passes(cfg, "shell_environment_policy.exclude", v.span());
            }
            self.tighten(
                "shell_environment_policy.ignore_default_excludes",
                envf.ignore_default_excludes.as_ref(),
                &mut cfg.env.ignore_default_excludes,
                |new, old| new && !old,
                LOOSENS_HINT,
            );
            if let Some(v) = &envf.ignore_default_excludes {
                self.set_still_passes(
                    cfg,
                    "shell_environment_policy.ignore_default_excludes",
                    v.span(),
                );
            }
            if let Some(v) = &envf.include_only {
                let pats = self.env_patterns(v);
                let old = &cfg.env.include_only;
                let widens = pats.is_empty() || pats.iter().any(|p| !old.contains(p));
                if self.restricted() && !old.is_empty() && widens {
                    let was = shown_list(&old.iter().map(EnvPattern::as_str).collect::<Vec<_>>());
                    let now = shown_list(&pats.iter().map(EnvPattern::as_str).collect::<Vec<_>>());
                    self.loosens("shell_environment_policy.include_only", v, &was, &now);
                } else {
                    cfg.env.include_only = pats;
                }
                self.set_still_passes(cfg, "shell_environment_policy.include_only", v.span());
            }
            if let Some(v) = &envf.set {
                let span = v
                    .values()
                    .next()
                    .map_or_else(|| envf_span.clone(), Spanned::span);
                self.env_set(cfg, v, span);
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
                self.tighten(
                    key,
                    v.as_ref(),
                    field,
                    limit_looser,
                    "a project file can only lower limits (0 means no limit)",
                );
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
                let url_env = &cfg.audit.postgres_url_env;
                if cfg.env.set.contains_key(url_env) {
                    let e = self.source.error(
                        a.span(),
                        format!("`shell_environment_policy.set` gives `{url_env}`, which `audit.postgres_url_env` names, and rampart never hands that variable to a command"),
                        Some(SET_HINT.into()),
                    );
                    self.errors.push(e);
                }
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
        if let Some(p) = &file.profile {
            if self.layer != Layer::User {
                let e = self.source.error(
                    p.span(),
                    "`profile` belongs in the user config",
                    Some("a project cannot pick the user's profile; pass --profile, or move the key to your user config".into()),
                );
                self.errors.push(e);
            }
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

    fn env_patterns(&mut self, list: &Spanned<Vec<Spanned<String>>>) -> Vec<EnvPattern> {
        let mut pats: Vec<EnvPattern> = Vec::new();
        for p in list.get_ref() {
            match EnvPattern::new(p.get_ref()) {
                Ok(pat) => pats.push(pat),
                Err(m) => {
                    let e = self.source.error(p.span(), m, Some(GLOB_HINT.into()));
                    self.errors.push(e);
                }
            }
        }
        pats
    }

    /// `[shell_environment_policy] set`: each variable must be one the
    /// policy lets through, so that `set` never passes (nor silently loses)
    /// what the filters keep out; an untrusted project sets nothing.
    fn env_set(
        &mut self,
        cfg: &mut Config,
        v: &BTreeMap<String, Spanned<String>>,
        span: std::ops::Range<usize>,
    ) {
        if self.restricted() {
            let e = self.source.error(
                span,
                "a project file cannot set environment variables (`shell_environment_policy.set`)",
                Some(LOOSENS_HINT.into()),
            );
            self.errors.push(e);
            return;
        }
        for (name, value) in v {
            let why = if name.is_empty()
                || name.contains(['=', '\0'])
                || name.chars().any(char::is_whitespace)
            {
                Some("it is not an environment variable name".to_owned())
            } else if RESERVED_ENV.contains(&name.as_str()) || *name == cfg.audit.postgres_url_env {
                Some("rampart sets or withholds it itself".to_owned())
            } else if let Some(why) = cfg.env.keeps_out(name) {
                Some(format!("the policy keeps it out ({why})"))
            } else if crate::holds_url_password(std::ffi::OsStr::new(value.get_ref())) {
                Some("its value holds a password in a URL".to_owned())
            } else {
                None
            };
            match why {
                Some(why) => {
                    let e = self.source.error(
                        value.span(),
                        format!("`shell_environment_policy.set` cannot give `{name}`: {why}"),
                        Some(SET_HINT.into()),
                    );
                    self.errors.push(e);
                }
                None => {
                    cfg.env.set.insert(name.clone(), value.get_ref().clone());
                }
            }
        }
    }

    /// After a filter key changed: a variable `set` gives that the filters
    /// now keep out is an error at that key, not a silent drop.
    fn set_still_passes(&mut self, cfg: &Config, key: &str, span: std::ops::Range<usize>) {
        for name in cfg.env.set.keys() {
            if let Some(why) = cfg.env.keeps_out(name) {
                let e = self.source.error(
                    span.clone(),
                    format!("`{key}` keeps out `{name}`, which `shell_environment_policy.set` gives ({why})"),
                    Some(SET_HINT.into()),
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
        if let Some(v) = &file.defer_allow {
            into.defer_allow = *v.get_ref();
        }
    }

    /// A `path` rule's matcher, with its `access` kinds.
    fn path_rule(
        &mut self,
        p: &Spanned<String>,
        access: Option<&Spanned<Vec<Spanned<String>>>>,
    ) -> Option<RuleMatch> {
        let (mut read, mut write) = (false, false);
        for a in access.map(|a| a.get_ref().as_slice()).unwrap_or_default() {
            match a.get_ref().as_str() {
                "read" => read = true,
                "write" => write = true,
                other => {
                    let e = self.source.error(
                        a.span(),
                        format!("unknown access kind `{other}`"),
                        Some("use `read` and/or `write`".into()),
                    );
                    self.errors.push(e);
                }
            }
        }
        let access = match (read, write) {
            (true, false) => PathAccess::Read,
            (false, true) => PathAccess::Write,
            _ => PathAccess::ReadWrite,
        };
        match PathGlob::new(p.get_ref(), self.env.home.as_deref()) {
            Ok(glob) => Some(RuleMatch::Path { glob, access }),
            Err(m) => {
                let e = self.source.error(p.span(), m, Some(GLOB_HINT.into()));
                self.errors.push(e);
                None
            }
        }
    }

    fn rule(&mut self, r: &Spanned<crate::file::RuleFile>) -> Option<Rule> {
        let f = r.get_ref();
        let (line, _) = line_col(self.source.text, r.span().start);
        let origin = format!("{}:{line}", self.source.origin.display());
        let set = [
            f.command.is_some(),
            f.path.is_some(),
            f.host.is_some(),
            f.tool.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if set != 1 {
            let e = self.source.error(
                r.span(),
                "a rule needs exactly one of `command`, `path`, `host` or `tool`",
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
            self.path_rule(p, f.access.as_ref())?
        } else if let Some(h) = &f.host {
            match HostPattern::new(h.get_ref()) {
                Ok(p) => RuleMatch::Host(p),
                Err(m) => {
                    let e = self.source.error(h.span(), m, Some(HOST_HINT.into()));
                    self.errors.push(e);
                    return None;
                }
            }
        } else if let Some(t) = &f.tool {
            match crate::ToolPattern::new(t.get_ref()) {
                Ok(p) => RuleMatch::Tool(p),
                Err(m) => {
                    let e = self.source.error(t.span(), m, Some(TOOL_HINT.into()));
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

/// A single-valued key's value as the config file spells it.
trait Shown: Copy {
    fn shown(self) -> String;
}

macro_rules! shown {
    (quoted: $($t:ty),*; plain: $($p:ty),*) => {
        $(impl Shown for $t {
            fn shown(self) -> String {
                format!("\"{self}\"")
            }
        })*
        $(impl Shown for $p {
            fn shown(self) -> String {
                self.to_string()
            }
        })*
    };
}
shown!(quoted: SandboxMode, ApprovalPolicy, Inherit; plain: GitWrites, bool, u64);

/// Names `set` may not give: rampart sets or withholds them itself.
const RESERVED_ENV: &[&str] = &["RAMPART_SANDBOX", "RAMPART_AUDIT_PG_URL"];

const SET_HINT: &str = "remove the variable from `set`, or change `exclude` / `include_only` / `ignore_default_excludes`; pass a secret from your environment with `--keep-env NAME`, never in a file";

const LOOSENS_HINT: &str = "a project file can only tighten; remove the key, or add this project to `trusted_projects` in your user config";

const HOST_HINT: &str = "write a host name or address such as `api.example.com`, `10.0.0.1` or `[::1]`, or a glob such as `*.example.com` (see \"Globs and hosts\" in docs/POLICY.md)";

const TOOL_HINT: &str = "write a tool name such as `Bash` or `mcp__github__create_issue`, or a glob such as `mcp__github__*` (see \"Tool rules\" in docs/AGENTS.md)";

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
            if inner.profiles.is_some()
                || inner.trusted_projects.is_some()
                || inner.profile.is_some()
            {
                let e = source.error(
                    p.span(),
                    format!(
                        "profile `{name}` cannot hold `profiles`, `profile` or `trusted_projects`"
                    ),
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
