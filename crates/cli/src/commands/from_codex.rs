//! `rampart init --from-codex`: a rampart config from the sandbox keys of
//! a Codex `config.toml`. Pure: text in, text and notes out; `init` reads,
//! checks and writes.
//!
//! Mapped (same meaning, same name): `sandbox_mode`, `approval_policy`
//! (the four words), `sandbox_workspace_write.{writable_roots,
//! network_access, exclude_tmpdir_env_var, exclude_slash_tmp}`,
//! `shell_environment_policy.{inherit, ignore_default_excludes, exclude,
//! set, include_only}`, `profile`, and the same keys in `profiles.NAME`.
//! Model, provider, UI and MCP settings are ignored; sandbox settings
//! rampart has no equivalent for are reported as not mapped.

use rampart_policy::{EnvPattern, EnvPolicy, Inherit};

/// What came of a Codex config.
#[derive(Debug, Default)]
pub(crate) struct Imported {
    /// The rampart config (TOML).
    pub(crate) text: String,
    /// Keys left out because they are not about the sandbox.
    pub(crate) ignored: Vec<String>,
    /// Sandbox keys (or values) that have no rampart equivalent, with why.
    pub(crate) unmapped: Vec<(String, String)>,
}

/// Sandbox-related Codex keys rampart cannot take, with why.
const UNMAPPABLE: &[(&str, &str)] = &[
    ("projects", "Codex's per-project trust has no direct equivalent; list a project in `trusted_projects` to let its rampart.toml loosen your policy"),
    ("default_permissions", "Codex permission profiles are not read; use `sandbox_mode` and `[sandbox_workspace_write]`"),
    ("permissions", "Codex permission profiles are not read; use `sandbox_mode` and `[sandbox_workspace_write]`"),
    ("sandbox", "not a Codex config key rampart knows; see docs/CODEX.md"),
];

const MODES: &[&str] = &["read-only", "workspace-write", "danger-full-access"];
const APPROVALS: &[&str] = &["untrusted", "on-failure", "on-request", "never"];

/// Converts the text of a Codex `config.toml`.
///
/// # Errors
///
/// When the text is not TOML.
pub(crate) fn import(text: &str) -> Result<Imported, toml::de::Error> {
    let codex: toml::Table = toml::from_str(text)?;
    let mut out = Imported::default();
    let mut top = section(&codex, "", &mut out);
    if let Some(profiles) = codex.get("profiles") {
        match profiles.as_table() {
            Some(profiles) => {
                let mut tables = toml::Table::new();
                for (name, p) in profiles {
                    let key = format!("profiles.{name}");
                    match p.as_table() {
                        Some(p) => {
                            let t = section(p, &format!("{key}."), &mut out);
                            tables.insert(name.clone(), toml::Value::Table(t));
                        }
                        None => out.unmapped.push((key, "not a table".into())),
                    }
                }
                if !tables.is_empty() {
                    top.insert("profiles".into(), toml::Value::Table(tables));
                }
            }
            None => out.unmapped.push(("profiles".into(), "not a table".into())),
        }
    }
    if let Some(p) = codex.get("profile") {
        let defined = p.as_str().is_some_and(|name| {
            top.get("profiles")
                .and_then(toml::Value::as_table)
                .is_some_and(|t| t.contains_key(name))
        });
        if defined {
            top.insert("profile".into(), p.clone());
        } else {
            out.unmapped.push((
                "profile".into(),
                format!("{p} names no profile of this file"),
            ));
        }
    }
    for key in codex.keys() {
        if matches!(key.as_str(), "profiles" | "profile") || handled(key) {
            continue;
        }
        match UNMAPPABLE.iter().find(|(k, _)| k == key) {
            Some((_, why)) => out.unmapped.push((key.clone(), (*why).to_owned())),
            None => out.ignored.push(key.clone()),
        }
    }
    out.text = format!(
        "# rampart configuration written by `rampart init --from-codex` from the\n\
         # sandbox settings of a Codex config.toml (docs/CODEX.md has the mapping).\n\
         # Every key not written here has rampart's secure default\n\
         # (`rampart init --print` lists them).\n\n{}",
        render(&top)
    );
    Ok(out)
}

/// `top` as a config file: every table gets its own header and the
/// tables inside it are written inline, since a table only implied by a
/// deeper header does not load into rampart's spanned schema.
fn render(top: &toml::Table) -> String {
    use std::fmt::Write as _;
    let key = rampart_policy::toml_key;
    let mut out = String::new();
    let body = |out: &mut String, t: &toml::Table| {
        for (k, v) in t {
            let _ = writeln!(out, "{} = {v}", key(k));
        }
    };
    for (k, v) in top {
        if !v.is_table() {
            let _ = writeln!(out, "{} = {v}", key(k));
        }
    }
    for (k, v) in top {
        let Some(t) = v.as_table() else { continue };
        if k == "profiles" {
            for (name, p) in t {
                let _ = writeln!(out, "\n[profiles.{}]", key(name));
                if let Some(p) = p.as_table() {
                    for (pk, pv) in p {
                        if !pv.is_table() {
                            let _ = writeln!(out, "{} = {pv}", key(pk));
                        }
                    }
                    for (pk, pv) in p {
                        if let Some(sub) = pv.as_table() {
                            let _ = writeln!(out, "\n[profiles.{}.{}]", key(name), key(pk));
                            body(&mut out, sub);
                        }
                    }
                }
            }
        } else {
            let _ = writeln!(out, "\n[{}]", key(k));
            body(&mut out, t);
        }
    }
    out
}

fn handled(key: &str) -> bool {
    matches!(
        key,
        "sandbox_mode" | "approval_policy" | "sandbox_workspace_write" | "shell_environment_policy"
    )
}

/// The sandbox keys of one table (the top level or a profile); `prefix`
/// names it in notes. Keys of a profile that are not about the sandbox
/// are noted as ignored here; the top level's are noted by the caller.
fn section(codex: &toml::Table, prefix: &str, out: &mut Imported) -> toml::Table {
    let mut t = toml::Table::new();
    let nested = !prefix.is_empty();
    for (key, value) in codex {
        let name = format!("{prefix}{key}");
        match key.as_str() {
            "sandbox_mode" => word(&mut t, key, value, MODES, &name, out),
            "approval_policy" => word(&mut t, key, value, APPROVALS, &name, out),
            "sandbox_workspace_write" => {
                let ws = table_of(value, &name, out, |k| {
                    matches!(
                        k,
                        "writable_roots"
                            | "network_access"
                            | "exclude_tmpdir_env_var"
                            | "exclude_slash_tmp"
                    )
                });
                let mut ws = ws;
                if let Some(roots) = ws
                    .get_mut("writable_roots")
                    .and_then(toml::Value::as_array_mut)
                {
                    roots.retain(|r| {
                        let usable = r
                            .as_str()
                            .is_some_and(|p| p.starts_with('/') || p.starts_with("~/"));
                        if !usable {
                            out.unmapped.push((
                                format!("{name}.writable_roots: {r}"),
                                "rampart takes absolute or `~/` paths only".into(),
                            ));
                        }
                        usable
                    });
                }
                if !ws.is_empty() {
                    t.insert(key.clone(), toml::Value::Table(ws));
                }
            }
            "shell_environment_policy" => {
                let env = env_policy(value, &name, out);
                if !env.is_empty() {
                    t.insert(key.clone(), toml::Value::Table(env));
                }
            }
            _ if nested => match UNMAPPABLE.iter().find(|(k, _)| k == key) {
                Some((_, why)) => out.unmapped.push((name, (*why).to_owned())),
                None => out.ignored.push(name),
            },
            _ => {}
        }
    }
    t
}

fn word(
    t: &mut toml::Table,
    key: &str,
    value: &toml::Value,
    words: &[&str],
    name: &str,
    out: &mut Imported,
) {
    match value.as_str() {
        Some(w) if words.contains(&w) => {
            t.insert(key.to_owned(), value.clone());
        }
        _ => out.unmapped.push((
            name.to_owned(),
            format!(
                "{value} has no rampart equivalent (rampart takes {}); rampart's default applies",
                words.join(", ")
            ),
        )),
    }
}

/// The keys of table `value` that `keep` accepts; the others are noted
/// as not mapped.
fn table_of(
    value: &toml::Value,
    name: &str,
    out: &mut Imported,
    keep: impl Fn(&str) -> bool,
) -> toml::Table {
    let Some(table) = value.as_table() else {
        out.unmapped.push((name.to_owned(), "not a table".into()));
        return toml::Table::new();
    };
    let mut t = toml::Table::new();
    for (k, v) in table {
        if keep(k) {
            t.insert(k.clone(), v.clone());
        } else {
            out.unmapped.push((
                format!("{name}.{k}"),
                "no rampart equivalent of this key".into(),
            ));
        }
    }
    t
}

/// `[shell_environment_policy]`: every Codex key but `set` entries the
/// policy itself keeps out (rampart refuses those rather than letting
/// `set` override a filter), which are noted.
fn env_policy(value: &toml::Value, name: &str, out: &mut Imported) -> toml::Table {
    let mut t = table_of(value, name, out, |k| {
        matches!(
            k,
            "inherit" | "ignore_default_excludes" | "exclude" | "set" | "include_only"
        )
    });
    let patterns = |key: &str| -> Vec<EnvPattern> {
        t.get(key)
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(toml::Value::as_str)
                    .filter_map(|s| EnvPattern::new(s).ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let policy = EnvPolicy {
        exclude: patterns("exclude"),
        include_only: patterns("include_only"),
        ignore_default_excludes: t
            .get("ignore_default_excludes")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false),
        ..EnvPolicy::inheriting(Inherit::Core)
    };
    if let Some(set) = t.get_mut("set").and_then(toml::Value::as_table_mut) {
        set.retain(|var, v| {
            let why = policy
                .keeps_out(var)
                .map(|w| format!("the policy keeps it out ({w})"))
                .or_else(|| {
                    v.as_str()
                        .filter(|s| rampart_policy::holds_url_password(std::ffi::OsStr::new(s)))
                        .map(|_| "its value holds a password in a URL".to_owned())
                });
            let keep = why.is_none();
            if let Some(why) = why {
                out.unmapped.push((
                    format!("{name}.set.{var}"),
                    format!("{why}; pass it from your environment with `--keep-env {var}`"),
                ));
            }
            keep
        });
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_keys_map_and_the_rest_is_listed() {
        let text = "model = \"o3\"\nsandbox_mode = \"workspace-write\"\napproval_policy = \"on-request\"\n\
                    [sandbox_workspace_write]\nnetwork_access = true\nwritable_roots = [\"/opt/x\", \"rel\"]\nfoo = 1\n\
                    [shell_environment_policy]\ninherit = \"core\"\nset = { CI = \"1\", GITHUB_TOKEN = \"x\" }\n\
                    [profiles.ro]\nmodel = \"o4-mini\"\nsandbox_mode = \"read-only\"\n\
                    [projects.\"/w\"]\ntrust_level = \"trusted\"\n";
        let got = import(text).unwrap();
        let t: toml::Table = toml::from_str(&got.text).unwrap();
        assert_eq!(t["sandbox_mode"].as_str(), Some("workspace-write"));
        assert_eq!(
            t["sandbox_workspace_write"]["network_access"].as_bool(),
            Some(true)
        );
        assert_eq!(
            t["shell_environment_policy"]["set"]["CI"].as_str(),
            Some("1")
        );
        assert!(t["shell_environment_policy"]["set"]
            .get("GITHUB_TOKEN")
            .is_none());
        assert_eq!(
            t["profiles"]["ro"]["sandbox_mode"].as_str(),
            Some("read-only")
        );
        assert_eq!(
            got.ignored,
            vec!["profiles.ro.model".to_owned(), "model".to_owned()]
        );
        let unmapped: Vec<&str> = got.unmapped.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            unmapped,
            vec![
                "sandbox_workspace_write.foo",
                "sandbox_workspace_write.writable_roots: \"rel\"",
                "shell_environment_policy.set.GITHUB_TOKEN",
                "projects"
            ]
        );
    }
}
