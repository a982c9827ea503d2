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

/// Filters `vars` by `policy`. `keep` names pass whatever the policy says
/// (when present in `vars`).
pub fn filter_env<I>(policy: &EnvPolicy, vars: I, keep: &[String]) -> Vec<(OsString, OsString)>
where
    I: IntoIterator<Item = (OsString, OsString)>,
{
    vars.into_iter()
        .filter(|(k, v)| {
            let Some(name) = k.to_str() else { return false };
            if keep.iter().any(|kname| kname == name) {
                return true;
            }
            let inherited = match policy.inherit {
                Inherit::All => true,
                Inherit::Core => CORE_VARS.contains(&name) || name.starts_with("LC_"),
                Inherit::None => false,
            };
            inherited && !policy.exclude.iter().any(|p| p.matches(name)) && !holds_url_password(v)
        })
        .collect()
}

/// Whether a variable's value carries a password in a URL
/// (`DATABASE_URL=postgres://app:PW@db/x`, `REDIS_URL`, `AMQP_URL`): such
/// variables are dropped whatever their name, since their names say
/// nothing about the secret (`--keep-env NAME` still passes one).
fn holds_url_password(value: &OsStr) -> bool {
    let Some(text) = value.to_str() else {
        return false;
    };
    text.split([' ', ',', ';'])
        .filter(|part| part.contains("://") && part.contains('@'))
        .any(|part| {
            url::Url::parse(part.trim()).is_ok_and(|u| u.password().is_some_and(|p| !p.is_empty()))
        })
}

/// Whether `name` would be dropped by the exclude list.
pub fn is_excluded(policy: &EnvPolicy, name: &OsStr) -> bool {
    name.to_str()
        .is_none_or(|n| policy.exclude.iter().any(|p| p.matches(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_value_is_dropped_whatever_the_name() {
        let policy = EnvPolicy {
            inherit: Inherit::All,
            exclude: Vec::new(),
        };
        let pw = ["fake", "pw", "123"].concat();
        let vars = vec![
            (
                OsString::from("DATABASE_URL"),
                OsString::from(format!("postgres://app:{pw}@db/x")),
            ),
            (
                OsString::from("MIRRORS"),
                OsString::from(format!("https://a.example/ redis://:{pw}@cache:6379")),
            ),
            (
                OsString::from("KEPT_URL"),
                OsString::from(format!("amqp://u:{pw}@mq/")),
            ),
            (
                OsString::from("PLAIN_URL"),
                OsString::from("https://user@example.com/path"),
            ),
            (
                OsString::from("HOMEPAGE"),
                OsString::from("https://example.com/"),
            ),
        ];
        let kept = names(&filter_env(&policy, vars, &["KEPT_URL".into()]));
        assert_eq!(kept, ["KEPT_URL", "PLAIN_URL", "HOMEPAGE"]);
    }

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

    fn pats(list: &[&str]) -> Vec<crate::EnvPattern> {
        list.iter()
            .map(|p| crate::EnvPattern::new(p).unwrap())
            .collect()
    }

    #[test]
    fn globs() {
        let m = |p: &str, n: &str| crate::EnvPattern::new(p).unwrap().matches(n);
        assert!(m("*KEY*", "OPENAI_API_KEY"));
        assert!(m("*key*", "KEYRING"));
        assert!(m("*TOKEN*", "token"));
        assert!(!m("*TOKEN*", "TOKE"));
        assert!(m("A*B*C", "AxxBxxC"));
        assert!(!m("A*B", "AxxBx"));
        assert!(m("{AWS,GCP}_*", "gcp_project"));
        assert!(!m("{AWS,GCP}_*", "AZURE_X"));
        assert!(m("DB_PASS[0-9]", "db_pass7"));
        assert!(!m("DB_PASS[0-9]", "DB_PASSX"));
        assert!(m("A?C", "a/c"), "names are not paths: `?` and `*` span `/`");
        for bad in ["", "  ", "[AB", "{A,B"] {
            assert!(crate::EnvPattern::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn core_drops_secrets_and_unknowns() {
        let policy = EnvPolicy {
            inherit: Inherit::Core,
            exclude: pats(crate::DEFAULT_ENV_EXCLUDE),
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
            exclude: pats(&["*TOKEN*"]),
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
