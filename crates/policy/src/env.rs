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

/// Filters `vars` by `policy`, in Codex's order: what `inherit` keeps,
/// less the built-in exclusions (unless `ignore_default_excludes`) and
/// `exclude`, less values holding a URL password; then `set` is added;
/// then, when `include_only` is not empty, only matching names stay.
/// `keep` names pass whatever the policy says (when present in `vars`).
/// A `set` variable the filters would drop is dropped here too (the config
/// loader refuses such a config, so this only backs it up).
pub fn filter_env<I>(policy: &EnvPolicy, vars: I, keep: &[String]) -> Vec<(OsString, OsString)>
where
    I: IntoIterator<Item = (OsString, OsString)>,
{
    let exclusions = policy.exclusions();
    let excluded = |name: &str| exclusions.iter().any(|p| p.matches(name));
    let included = |name: &str| {
        policy.include_only.is_empty() || policy.include_only.iter().any(|p| p.matches(name))
    };
    let mut out: Vec<(OsString, OsString)> = vars
        .into_iter()
        .filter(|(k, v)| {
            let Some(name) = k.to_str() else { return false };
            if keep.iter().any(|kname| kname == name) {
                return true;
            }
            if policy.set.contains_key(name) {
                return false;
            }
            let inherited = match policy.inherit {
                Inherit::All => true,
                Inherit::Core => CORE_VARS.contains(&name) || name.starts_with("LC_"),
                Inherit::None => false,
            };
            inherited && !excluded(name) && !holds_url_password(v) && included(name)
        })
        .collect();
    for (name, value) in &policy.set {
        if !excluded(name) && included(name) && !holds_url_password(OsStr::new(value)) {
            out.retain(|(k, _)| k.to_str() != Some(name));
            out.push((name.into(), value.into()));
        }
    }
    out
}

/// Whether a variable's value carries a password in a URL
/// (`DATABASE_URL=postgres://app:PW@db/x`, `REDIS_URL`, `AMQP_URL`): such
/// variables are dropped whatever their name, since their names say
/// nothing about the secret (`--keep-env NAME` still passes one).
///
/// Every `scheme://` in the value is looked at, wherever it starts
/// (`--db=postgres://…`, `"redis://…"`, `jdbc:mysql://…`), including in
/// values that are not UTF-8. A password counts in the user info, also
/// when the URL names several hosts (`mongodb://u:PW@h1:27017,h2:27017/`,
/// which the `url` crate refuses as a whole), and as a secret-named
/// parameter (`?password=PW`, JDBC's `;password=PW`, percent-encoded keys
/// too).
pub fn holds_url_password(value: &OsStr) -> bool {
    let text = value.to_string_lossy();
    let found = url_candidates(&text)
        .any(|(scheme, rest)| userinfo_password(scheme, rest) || secret_parameter(rest));
    found
}

/// Parameter names whose value is a secret.
const SECRET_PARAMETERS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "access_token",
    "apikey",
    "api_key",
    "key",
];

/// Each `scheme://rest` in `text`: the scheme as far back as scheme
/// characters go, the rest up to whitespace, a quote or a bracket.
fn url_candidates(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.match_indices("://").filter_map(move |(at, _)| {
        let before = &text[..at];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let scheme = &before[start..];
        let after = &text[at + 3..];
        let end = after
            .find(|c: char| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(
                        c,
                        '"' | '\'' | '`' | '<' | '>' | '(' | ')' | '{' | '}' | '|'
                    )
            })
            .unwrap_or(after.len());
        (!scheme.is_empty()).then_some((scheme, &after[..end]))
    })
}

/// Whether the user info of `scheme://rest` holds a non-empty password.
/// Only the user info is handed to the URL parser (with a stand-in host),
/// so that what follows it (several hosts, an odd port) cannot make the
/// parse fail and the password pass.
fn userinfo_password(scheme: &str, rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return false;
    };
    url::Url::parse(&format!("{scheme}://{userinfo}@host.invalid/"))
        .is_ok_and(|u| u.password().is_some_and(|p| !p.is_empty()))
        || userinfo.split_once(':').is_some_and(|(_, p)| !p.is_empty())
}

/// Whether `rest` carries a secret-named parameter with a value, in a
/// query (`?password=`) or JDBC's `;key=value` list.
fn secret_parameter(rest: &str) -> bool {
    rest.split(['?', ';']).skip(1).any(|segment| {
        url::form_urlencoded::parse(segment.as_bytes()).any(|(k, v)| {
            !v.is_empty()
                && SECRET_PARAMETERS
                    .iter()
                    .any(|s| k.trim().eq_ignore_ascii_case(s))
        })
    })
}

/// Whether `name` would be dropped by the exclude list.
pub fn is_excluded(policy: &EnvPolicy, name: &OsStr) -> bool {
    let exclusions = policy.exclusions();
    name.to_str()
        .is_none_or(|n| exclusions.iter().any(|p| p.matches(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_value_is_dropped_whatever_the_name() {
        let policy = EnvPolicy {
            exclude: Vec::new(),
            ignore_default_excludes: true,
            ..EnvPolicy::inheriting(Inherit::All)
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

    #[test]
    fn url_passwords_in_other_shapes_are_dropped_too() {
        use std::os::unix::ffi::OsStringExt;
        let policy = EnvPolicy {
            exclude: Vec::new(),
            ignore_default_excludes: true,
            ..EnvPolicy::inheriting(Inherit::All)
        };
        let pw = ["fake", "pw", "123"].concat();
        let mut odd = b"\xff\xfe ".to_vec();
        odd.extend(format!("postgres://app:{pw}@db/x").bytes());
        let dropped = [
            format!("mongodb://app:{pw}@h1:27017,h2:27017/db?replicaSet=rs"),
            format!("postgres://app:{pw}@h1:5432,h2:5432/db"),
            format!("mongodb+srv://app:{pw}@cluster0.example.net/db"),
            format!("jdbc:postgresql://db:5432/x?user=app&password={pw}"),
            format!("jdbc:sqlserver://db:1433;databaseName=x;user=app;password={pw}"),
            format!("postgres://app@db/x?pass%77ord={pw}"),
            format!("--url=\"postgres://app:{pw}@db/x\""),
            format!("(redis://:{pw}@cache:99999)"),
            format!("https://a.example/|amqp://u:{pw}@mq/"),
            format!("https://api.example/v1?token={pw}"),
        ];
        let mut vars: Vec<(OsString, OsString)> = dropped
            .iter()
            .enumerate()
            .map(|(i, v)| (OsString::from(format!("V{i}")), OsString::from(v)))
            .collect();
        vars.push((OsString::from("ODD"), OsString::from_vec(odd)));
        // Controls: URLs without a secret, and a user without a password.
        for (k, v) in [
            ("PLAIN", "https://user@example.com/path?page=2"),
            ("MIRRORS", "https://a.example/,https://b.example/"),
            ("GITURL", "ssh://git@example.com:22/org/repo.git"),
            ("NOTURL", "a:b@c"),
        ] {
            vars.push((OsString::from(k), OsString::from(v)));
        }
        let kept = names(&filter_env(&policy, vars, &[]));
        assert_eq!(kept, ["PLAIN", "MIRRORS", "GITURL", "NOTURL"]);
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
            exclude: pats(crate::DEFAULT_ENV_EXCLUDE),
            ignore_default_excludes: true,
            ..EnvPolicy::inheriting(Inherit::Core)
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
            exclude: pats(&["*TOKEN*"]),
            ignore_default_excludes: true,
            ..EnvPolicy::inheriting(Inherit::All)
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
            exclude: vec![],
            ignore_default_excludes: true,
            ..EnvPolicy::inheriting(Inherit::None)
        };
        assert_eq!(
            names(&filter_env(&policy, vars(&["PATH", "X"]), &["X".into()])),
            ["X"]
        );
    }
}
