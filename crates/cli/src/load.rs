//! Finding, reading and layering config files.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rampart_policy::{
    apply_layer, has_profile, parse, Config, ConfigError, HostEnv, Layer, Source,
};

use crate::env;

/// A config resolved from its files, or every problem found.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) config: Config,
    /// Files that were read, in order, with their layer.
    pub(crate) files: Vec<(PathBuf, &'static str)>,
    pub(crate) errors: Vec<ConfigError>,
}

pub(crate) fn host_env() -> HostEnv {
    let home = std::env::var_os(env::HOME)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let xdg_state_home = std::env::var_os(env::XDG_STATE_HOME)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".local/state")));
    HostEnv {
        home,
        xdg_state_home,
    }
}

/// `$XDG_CONFIG_HOME/rampart/config.toml`, else `~/.config/rampart/config.toml`.
pub(crate) fn user_config_path() -> Option<PathBuf> {
    std::env::var_os(env::XDG_CONFIG_HOME)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os(env::HOME)
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .map(|base| base.join("rampart").join("config.toml"))
}

/// Every protected path the sandbox guards (see
/// [`rampart_policy::ProtectedSet`]): rampart's user config (its directory,
/// created 0700 when missing so that it can be bound read-only, or the
/// `--config` file) and state directory (session approvals, hook tickets,
/// the audit trail), and the agent-config files at the top of the
/// workspace and of each writable root, existing or not. Git internals are
/// the sandbox's own business (it reads the repository layout).
pub(crate) fn protected_paths(config: &Config, workspace: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let mut dirs: Vec<PathBuf> = vec![config.audit.dir.clone()];
    // The default user config directory (never a `--config` file).
    let user_dir = user_config_path().and_then(|p| p.parent().map(Path::to_path_buf));
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
    let mut roots: Vec<PathBuf> = vec![workspace.to_path_buf()];
    roots.extend(config.workspace_write.writable_roots.iter().cloned());
    let roots: Vec<PathBuf> = roots
        .into_iter()
        .map(|r| std::fs::canonicalize(&r).unwrap_or(r))
        .collect();
    let refs: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let set = rampart_policy::ProtectedSet::new(config);
    let mut out = set.literal_paths(&refs);
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
            if set.protection(&path, &refs).is_some() {
                out.push(path);
            }
        }
    }
    out
}

/// Where the sandbox moves protected paths that appeared during a run.
pub(crate) fn quarantine_dir(config: &Config) -> PathBuf {
    config.audit.dir.join("quarantine")
}

fn error_at(origin: &Path, message: String, hint: Option<&str>) -> ConfigError {
    ConfigError::whole_file(origin, message, hint.map(str::to_owned))
}

/// Reads `path`; `Ok(None)` when it does not exist and `required` is false.
fn read(path: &Path, required: bool, strict_perms: bool) -> Result<Option<String>, ConfigError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
        Err(e) => return Err(error_at(path, format!("cannot read config: {e}"), None)),
    };
    let mode = meta.mode();
    let bad = if strict_perms {
        mode & 0o022 != 0
    } else {
        mode & 0o002 != 0
    };
    if bad {
        return Err(error_at(
            path,
            format!(
                "config is writable by {} (mode {:o}), so anyone could loosen your policy",
                if mode & 0o002 != 0 {
                    "everyone"
                } else {
                    "its group"
                },
                mode & 0o777
            ),
            Some(&format!("run `chmod 600 {}`", path.display())),
        ));
    }
    let uid = nix::unistd::Uid::effective().as_raw();
    if strict_perms && meta.uid() != uid && meta.uid() != 0 {
        return Err(error_at(
            path,
            format!(
                "config is owned by uid {}, not by you (uid {uid})",
                meta.uid()
            ),
            Some("use a config you own"),
        ));
    }
    std::fs::read_to_string(path)
        .map(Some)
        .map_err(|e| error_at(path, format!("cannot read config: {e}"), None))
}

/// Parses `text` and layers it onto `config`; returns whether the file
/// defines `profile`.
fn apply_file(
    config: &mut Config,
    errors: &mut Vec<ConfigError>,
    path: &Path,
    text: &str,
    layer: Layer,
    profile: Option<&str>,
    host: &HostEnv,
) -> bool {
    let source = Source { origin: path, text };
    match parse(source) {
        Ok(file) => {
            errors.extend(apply_layer(config, &file, source, layer, profile, host));
            profile.is_some_and(|p| has_profile(&file, p))
        }
        Err(e) => {
            errors.push(e);
            false
        }
    }
}

/// Loads defaults, the user config (or `explicit`), and `workspace`'s
/// `rampart.toml`, each with `profile` applied.
pub(crate) fn load(
    explicit: Option<&Path>,
    workspace: Option<&Path>,
    profile: Option<&str>,
) -> Loaded {
    let host = host_env();
    let mut config = Config::defaults(&host);
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut profile_found = profile.is_none();

    let user_path = explicit.map(Path::to_path_buf).or_else(user_config_path);
    if let Some(path) = &user_path {
        match read(path, explicit.is_some(), true) {
            Ok(Some(text)) => {
                let found = apply_file(
                    &mut config,
                    &mut errors,
                    path,
                    &text,
                    Layer::User,
                    profile,
                    &host,
                );
                profile_found |= found;
                files.push((path.clone(), "user"));
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }

    if let Some(ws) = workspace {
        let path = ws.join("rampart.toml");
        match read(&path, false, false) {
            Ok(Some(text)) => {
                let canonical_ws = std::fs::canonicalize(ws).unwrap_or_else(|_| ws.to_path_buf());
                let trusted = config
                    .trusted_projects
                    .iter()
                    .any(|t| std::fs::canonicalize(t).is_ok_and(|t| t == canonical_ws));
                let layer = Layer::Project { trusted };
                profile_found |= apply_file(
                    &mut config,
                    &mut errors,
                    &path,
                    &text,
                    layer,
                    profile,
                    &host,
                );
                files.push((
                    path,
                    if trusted {
                        "project (trusted)"
                    } else {
                        "project"
                    },
                ));
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }

    if !profile_found {
        if let Some(p) = profile {
            let origin = user_path.unwrap_or_else(|| PathBuf::from("config.toml"));
            errors.push(error_at(
                &origin,
                format!("profile `{p}` is not defined in any config file"),
                Some("add a `[profiles.NAME]` table, or drop --profile"),
            ));
        }
    }
    // rampart's own config is protected from every surface.
    config.protect.rampart_paths = match explicit {
        Some(file) => vec![file.to_path_buf()],
        None => user_config_path()
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .into_iter()
            .collect(),
    };
    Loaded {
        config,
        files,
        errors,
    }
}

/// The current directory (canonical), the config in force there (user
/// file, then its `rampart.toml`) and the detection rules that config gives
/// for `usage`; `None` after printing every problem.
/// The config in force for the current directory, or `None` after
/// printing every problem.
pub(crate) fn config_here(global: &crate::args::Global) -> Option<Config> {
    let base = match crate::commands::exec::workspace(None) {
        Ok(w) => w,
        Err(e) => {
            crate::ui::error(&e);
            return None;
        }
    };
    let loaded = load(
        global.config.as_deref(),
        Some(&base),
        global.profile.as_deref(),
    );
    if !loaded.errors.is_empty() {
        crate::ui::config_errors(&loaded.errors);
        return None;
    }
    Some(loaded.config)
}

pub(crate) fn detection(
    global: &crate::args::Global,
    usage: rampart_policy::DetectUse,
) -> Option<(PathBuf, Config, rampart_detect::RuleSet)> {
    let config = config_here(global)?;
    let base = crate::commands::exec::workspace(None).ok()?;
    match config.detect.rule_set(usage) {
        Ok(rules) => Some((base, config, rules)),
        Err(e) => {
            crate::ui::error(&format!("detection rules: {e}"));
            crate::ui::hint("fix `[detect]` in your config (`rampart doctor` lists the files)");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_errors_keep_message_and_hint() {
        let e = error_at(Path::new("/x.toml"), "boom".into(), Some("fix it"));
        assert_eq!(
            (e.line, e.column, e.message.as_str(), e.hint.as_deref()),
            (1, 1, "boom", Some("fix it"))
        );
    }
}
