//! Finding, reading and layering config files: the defaults, the user
//! config (or `--config`), then the workspace's `rampart.toml`, each with
//! the profile applied. The files are checked before they are read (a
//! config anyone else can write is refused).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rampart_policy::{
    apply_layer, has_profile, parse, Config, ConfigError, HostEnv, Layer, Source,
};

/// Home directory, for `~`.
pub const HOME: &str = "HOME";
/// Base of the user config.
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// Base of the audit trail.
pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";

/// A config resolved from its files, or every problem found.
#[derive(Debug)]
pub struct Loaded {
    /// The config, every layer applied.
    pub config: Config,
    /// Files that were read, in order, with their layer.
    pub files: Vec<(PathBuf, &'static str)>,
    /// Every problem found (the config is not to be used when any).
    pub errors: Vec<ConfigError>,
}

/// `$HOME` and `$XDG_STATE_HOME` (else `~/.local/state`), for `~` and the
/// default audit directory.
pub fn host_env() -> HostEnv {
    let home = std::env::var_os(HOME)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let xdg_state_home = std::env::var_os(XDG_STATE_HOME)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".local/state")));
    HostEnv {
        home,
        xdg_state_home,
    }
}

/// `~user` answered from the user database (`getpwnam`), as bash expands
/// it: the policy reads nothing from the system, the surfaces give it
/// this (every config [`load`] returns carries it).
#[derive(Debug)]
pub struct SystemUserHomes;

impl rampart_policy::risk::UserHomes for SystemUserHomes {
    fn home_of(&self, user: &str) -> Option<PathBuf> {
        match nix::unistd::User::from_name(user) {
            Ok(Some(u)) => Some(u.dir),
            _ => None,
        }
    }
}

/// `$XDG_CONFIG_HOME/rampart/config.toml`, else `~/.config/rampart/config.toml`.
pub fn user_config_path() -> Option<PathBuf> {
    std::env::var_os(XDG_CONFIG_HOME)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os(HOME)
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .map(|base| base.join("rampart").join("config.toml"))
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
pub fn load(explicit: Option<&Path>, workspace: Option<&Path>, profile: Option<&str>) -> Loaded {
    load_with(explicit, &[], workspace, profile)
}

/// Like [`load`], then the `-c KEY=VALUE` `overrides` in order, on top of
/// every file (the flags of `exec` and the like come after them). The
/// profile is `profile` (`--profile`), else the last `-c profile=NAME`,
/// else the user config's top-level `profile`.
#[expect(
    clippy::too_many_lines,
    reason = "the layers in order, each with its profile, read best in one place"
)]
pub fn load_with(
    explicit: Option<&Path>,
    overrides: &[rampart_policy::Override],
    workspace: Option<&Path>,
    profile: Option<&str>,
) -> Loaded {
    let host = host_env();
    let mut config = Config::defaults(&host);
    config.user_homes =
        rampart_policy::risk::UserHomesHandle::new(std::sync::Arc::new(SystemUserHomes));
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut profile: Option<String> = profile.map(str::to_owned).or_else(|| {
        overrides
            .iter()
            .rev()
            .find_map(|o| o.profile().map(str::to_owned))
    });
    // Where the profile was chosen, for the message when it is undefined.
    let mut chosen_in: Option<PathBuf> = None;
    let mut profile_found = false;

    let user_path = explicit.map(Path::to_path_buf).or_else(user_config_path);
    if let Some(path) = &user_path {
        match read(path, explicit.is_some(), true) {
            Ok(Some(text)) => {
                let source = Source {
                    origin: path,
                    text: &text,
                };
                match parse(source) {
                    Ok(file) => {
                        if profile.is_none() {
                            if let Some(p) = file.default_profile() {
                                profile = Some(p.to_owned());
                                chosen_in = Some(path.clone());
                            }
                        }
                        let p = profile.as_deref();
                        errors.extend(apply_layer(
                            &mut config,
                            &file,
                            source,
                            Layer::User,
                            p,
                            &host,
                        ));
                        profile_found |= p.is_some_and(|p| has_profile(&file, p));
                    }
                    Err(e) => errors.push(e),
                }
                files.push((path.clone(), "user"));
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    let profile = profile.as_deref();

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

    let (override_errors, in_overrides) =
        rampart_policy::apply_overrides(&mut config, overrides, profile, &host);
    for o in overrides {
        files.push((PathBuf::from(format!("-c {}", o.as_arg())), "override"));
    }
    errors.extend(override_errors);
    profile_found |= in_overrides;

    if !profile_found {
        if let Some(p) = profile {
            let (origin, fix) = match chosen_in {
                Some(file) => (
                    file,
                    "add a `[profiles.NAME]` table, or change the top-level `profile` key",
                ),
                None => (
                    user_path.unwrap_or_else(|| PathBuf::from("config.toml")),
                    "add a `[profiles.NAME]` table to it (`rampart init` writes one if it does not exist), or drop --profile",
                ),
            };
            errors.push(error_at(
                &origin,
                format!("profile `{p}` is not defined in any config file"),
                Some(&fix.replace("NAME", p)),
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
