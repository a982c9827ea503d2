//! `[shell_environment_policy]`: which variables reach the command.

use std::ffi::{OsStr, OsString};

use crate::{EnvPolicy, Inherit};

/// Variables kept by `inherit = "core"` (plus every `LC_*`).
pub const CORE_VARS: &[&str] = &[
    "HOME",
    "LOGNAME",
    "PATH",
    "SHELL",
    "USER",
    "USERNAME",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LANG",
    "LANGUAGE",
    "TERM",
    "COLORTERM",
    "TZ",
    "NO_COLOR",
];

/// Case-insensitive glob with `*` only.
fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_uppercase().chars().collect();
    let n: Vec<char> = name.to_ascii_uppercase().chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && p.get(pi) != Some(&'*') && p.get(pi) == n.get(ni) {
            pi += 1;
            ni += 1;
        } else if p.get(pi) == Some(&'*') {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// Filters `vars` by `policy`. `keep` names pass whatever the policy says
/// (when present in `vars`).
pub fn filter_env<I>(policy: &EnvPolicy, vars: I, keep: &[String]) -> Vec<(OsString, OsString)>
where
    I: IntoIterator<Item = (OsString, OsString)>,
{
    vars.into_iter()
        .filter(|(k, _)| {
            let Some(name) = k.to_str() else { return false };
            if keep.iter().any(|kname| kname == name) {
                return true;
            }
            let inherited = match policy.inherit {
                Inherit::All => true,
                Inherit::Core => CORE_VARS.contains(&name) || name.starts_with("LC_"),
                Inherit::None => false,
            };
            inherited && !policy.exclude.iter().any(|p| glob_match(p, name))
        })
        .collect()
}

/// Whether `name` would be dropped by the exclude list.
pub fn is_excluded(policy: &EnvPolicy, name: &OsStr) -> bool {
    name.to_str()
        .is_none_or(|n| policy.exclude.iter().any(|p| glob_match(p, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(names: &[&str]) -> Vec<(OsString, OsString)> {
        names
            .iter()
            .map(|n| (OsString::from(n), OsString::from("v")))
            .collect()
    }

    fn names(v: &[(OsString, OsString)]) -> Vec<String> {
        v.iter()
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn globs() {
        assert!(glob_match("*KEY*", "OPENAI_API_KEY"));
        assert!(glob_match("*key*", "KEYRING"));
        assert!(glob_match("*TOKEN*", "token"));
        assert!(!glob_match("*TOKEN*", "TOKE"));
        assert!(glob_match("A*B*C", "AxxBxxC"));
        assert!(!glob_match("A*B", "AxxBx"));
    }

    #[test]
    fn core_drops_secrets_and_unknowns() {
        let policy = EnvPolicy {
            inherit: Inherit::Core,
            exclude: crate::DEFAULT_ENV_EXCLUDE
                .iter()
                .map(|s| (*s).into())
                .collect(),
        };
        let out = filter_env(
            &policy,
            vars(&[
                "PATH",
                "HOME",
                "LC_ALL",
                "GITHUB_TOKEN",
                "EDITOR",
                "AWS_SECRET_ACCESS_KEY",
            ]),
            &[],
        );
        assert_eq!(names(&out), ["PATH", "HOME", "LC_ALL"]);
        assert!(is_excluded(&policy, OsStr::new("MY_PASSWORD")));
    }

    #[test]
    fn all_still_excludes_and_keep_lets_one_through() {
        let policy = EnvPolicy {
            inherit: Inherit::All,
            exclude: vec!["*TOKEN*".into()],
        };
        let out = filter_env(
            &policy,
            vars(&["EDITOR", "GITHUB_TOKEN", "NPM_TOKEN"]),
            &["NPM_TOKEN".into()],
        );
        assert_eq!(names(&out), ["EDITOR", "NPM_TOKEN"]);
    }

    #[test]
    fn none_keeps_only_named() {
        let policy = EnvPolicy {
            inherit: Inherit::None,
            exclude: vec![],
        };
        assert_eq!(
            names(&filter_env(&policy, vars(&["PATH", "X"]), &["X".into()])),
            ["X"]
        );
    }
}
