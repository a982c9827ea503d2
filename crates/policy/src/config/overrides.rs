//! `-c/--config KEY=VALUE`: one setting given on the command line, as
//! Codex takes it. The key is a dotted path into the config file
//! (`sandbox_workspace_write.network_access`); the value is TOML, or a
//! plain string when it does not parse as TOML (`-c sandbox_mode=read-only`).
//! Each override is applied as a one-line file of the user's, on top of
//! every config file and in the order given, so the last one wins.

use std::path::PathBuf;

use super::error::Source;
use super::merge::{apply_layer, Layer};
use super::model::HostEnv;
use super::{Config, ConfigError};
use crate::file::ConfigFile;

/// One `KEY=VALUE` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// As typed, for messages.
    raw: String,
    /// The dotted path, split.
    path: Vec<String>,
    /// The value.
    value: toml::Value,
}

/// Why an override cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OverrideError {
    /// No `=`.
    #[error("`{0}` is not KEY=VALUE")]
    NoEquals(String),
    /// An empty part in the dotted key.
    #[error("`{0}`: the key has an empty part")]
    EmptyKey(String),
    /// A file path that holds `=`, so it reads as `KEY=VALUE`.
    #[error("`{0}` reads as KEY=VALUE because it contains `=`, but its key looks like a file path; to use that file, set RAMPART_CONFIG to it instead")]
    PathWithEquals(String),
}

impl Override {
    /// Reads `KEY=VALUE`. The value is parsed as TOML, else taken as a
    /// string, as Codex does.
    ///
    /// # Errors
    ///
    /// No `=`, or a key with an empty part (`a..b`, `=x`).
    pub fn parse(raw: &str) -> Result<Self, OverrideError> {
        let (key, value) = raw
            .split_once('=')
            .ok_or_else(|| OverrideError::NoEquals(raw.to_owned()))?;
        if key.contains(['/', '~']) {
            return Err(OverrideError::PathWithEquals(raw.to_owned()));
        }
        let path: Vec<String> = key.trim().split('.').map(str::to_owned).collect();
        if path.iter().any(|p| p.trim().is_empty()) {
            return Err(OverrideError::EmptyKey(raw.to_owned()));
        }
        let value = value.trim();
        let value = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.to_owned()));
        Ok(Self {
            raw: raw.to_owned(),
            path,
            value,
        })
    }

    /// The override as typed (`KEY=VALUE`), to hand to another `rampart`.
    pub fn as_arg(&self) -> String {
        self.raw.clone()
    }

    /// The dotted key.
    pub fn key(&self) -> String {
        self.path.join(".")
    }

    /// The value, if this override sets the top-level `profile`.
    pub fn profile(&self) -> Option<&str> {
        (self.path == ["profile"])
            .then(|| self.value.as_str())
            .flatten()
    }

    /// The override as a config file's text: one line, nested tables
    /// inline (a table only implied by a `[a.b]` header does not load
    /// into the spanned schema).
    fn as_file_text(&self) -> String {
        let mut value = self.value.clone();
        for part in self.path.iter().skip(1).rev() {
            let mut t = toml::Table::new();
            t.insert(part.clone(), value);
            value = toml::Value::Table(t);
        }
        let first = self.path.first().map_or("", String::as_str);
        format!("{} = {value}\n", toml_key(first))
    }

    /// Where messages say a problem is: the flag as typed.
    fn origin(&self) -> PathBuf {
        PathBuf::from(format!("-c {}", self.raw))
    }
}

/// Applies `overrides` in order on top of `cfg` (with `profile`, when an
/// override sets a key of it). Returns every problem, each naming its
/// override, with the closest valid key for an unknown one; and whether
/// an override defines `profile`.
pub fn apply_overrides(
    cfg: &mut Config,
    overrides: &[Override],
    profile: Option<&str>,
    env: &HostEnv,
) -> (Vec<ConfigError>, bool) {
    let mut errors = Vec::new();
    let mut found = false;
    for o in overrides {
        let text = o.as_file_text();
        let origin = o.origin();
        let source = Source {
            origin: &origin,
            text: &text,
        };
        let whole =
            |message: String, hint: Option<String>| ConfigError::whole_file(&origin, message, hint);
        match toml::from_str::<ConfigFile>(&text) {
            Ok(file) => {
                found |= profile.is_some_and(|p| super::merge::has_profile(&file, p));
                for e in apply_layer(cfg, &file, source, Layer::User, profile, env) {
                    errors.push(whole(e.message, e.hint));
                }
            }
            Err(e) => {
                let message = e.message().trim().replace('\n', " ");
                let (message, hint) = match unknown_field(&message) {
                    Some((field, expected)) => {
                        let hint = closest(&field, &expected).map_or_else(
                            || format!("valid keys here: {}", expected.join(", ")),
                            |best| {
                                let fixed: Vec<&str> = o
                                    .path
                                    .iter()
                                    .map(|p| if *p == field { best } else { p.as_str() })
                                    .collect();
                                format!("did you mean `{}`?", fixed.join("."))
                            },
                        );
                        (format!("unknown config key `{}`", o.key()), hint)
                    }
                    None => (
                        format!("bad value for `{}`: {message}", o.key()),
                        "the value is TOML: quote strings (`-c sandbox_mode='\"read-only\"'`), write lists as `[\"a\", \"b\"]`".to_owned(),
                    ),
                };
                errors.push(whole(message, Some(hint)));
            }
        }
    }
    (errors, found)
}

/// `key` as a TOML key: bare when it can be, else quoted.
pub fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_owned()
    } else {
        toml::Value::String(key.to_owned()).to_string()
    }
}

/// The field and the expected ones of serde's "unknown field `x`,
/// expected one of `a`, `b`" (or "expected `a`").
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((field.to_owned(), expected))
}

/// The candidate closest to `word` by edit distance, if close enough to
/// be a slip (at most a third of its length, and at least one edit).
pub fn closest<'a>(word: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= (word.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg_with(raw: &[&str]) -> (Config, Vec<ConfigError>) {
        let env = HostEnv {
            home: Some("/home/u".into()),
            xdg_state_home: None,
        };
        let mut cfg = Config::defaults(&env);
        let list: Vec<Override> = raw.iter().map(|r| Override::parse(r).unwrap()).collect();
        let (errors, _) = apply_overrides(&mut cfg, &list, None, &env);
        (cfg, errors)
    }

    #[test]
    fn values_are_toml_else_strings_and_the_last_wins() {
        let (cfg, errors) = cfg_with(&[
            "sandbox_mode=read-only",
            "sandbox_workspace_write.network_access=true",
            "limits.timeout_secs=5",
            "limits.timeout_secs=7",
            "sandbox_workspace_write.writable_roots=[\"/opt/x\"]",
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cfg.sandbox_mode, crate::SandboxMode::ReadOnly);
        assert!(cfg.workspace_write.network_access);
        assert_eq!(cfg.limits.timeout_secs, 7);
        assert_eq!(
            cfg.workspace_write.writable_roots,
            vec![PathBuf::from("/opt/x")]
        );
    }

    #[test]
    fn nested_tables_load() {
        let (cfg, errors) = cfg_with(&[
            "shell_environment_policy.set.CI=\"1\"",
            "shell_environment_policy.set={MODE=\"x\"}",
            "profiles.ci.shell_environment_policy.inherit=none",
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cfg.env.set.get("MODE").map(String::as_str), Some("x"));
    }

    #[test]
    fn an_unknown_key_names_the_closest() {
        let (_, errors) = cfg_with(&["sandbox_workspace_write.netwrok_access=true"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].message,
            "unknown config key `sandbox_workspace_write.netwrok_access`"
        );
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("did you mean `sandbox_workspace_write.network_access`?")
        );
        let (_, errors) = cfg_with(&["sandbox_mod=read-only"]);
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("did you mean `sandbox_mode`?")
        );
    }

    #[test]
    fn a_bad_value_names_the_key() {
        let (_, errors) = cfg_with(&["sandbox_mode=readonly"]);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .message
                .starts_with("bad value for `sandbox_mode`"),
            "{errors:?}"
        );
        assert_eq!(errors[0].origin, PathBuf::from("-c sandbox_mode=readonly"));
    }

    #[test]
    fn parse_refuses_what_is_not_key_value() {
        assert!(Override::parse("sandbox_mode").is_err());
        assert!(Override::parse("a..b=1").is_err());
        assert!(Override::parse("=1").is_err());
        assert!(matches!(
            Override::parse("/etc/a=b.toml"),
            Err(OverrideError::PathWithEquals(_))
        ));
        assert_eq!(Override::parse("profile=ci").unwrap().profile(), Some("ci"));
    }
}
