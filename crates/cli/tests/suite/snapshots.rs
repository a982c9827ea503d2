//! Snapshots of what other programs and people read from rampart: the
//! `--help` of every command (found by walking each help's "Commands:"
//! list, so a new command cannot go unsnapshotted) and the shape of every
//! `--json` document (keys and value types; values that depend on the host
//! or the clock are not part of a shape). A change to either shows up in
//! review as a snapshot diff: accept it with `cargo insta review` (or
//! `INSTA_UPDATE=always`) only when the change is meant.

use serde_json::{json, Value};

use super::fixture::*;

/// The subcommands listed in a help text's "Commands:" section.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn help_of_every_command() {
    let w = World::new();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = 0;
    while let Some(path) = queue.pop() {
        let mut args = path.clone();
        args.push("--help".into());
        let o = w.cmd(&args).env("COLUMNS", "100").output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let help = stdout(&o);
        let name = if path.is_empty() {
            "help".to_owned()
        } else {
            format!("help-{}", path.join("-"))
        };
        insta::assert_snapshot!(name, help);
        seen += 1;
        for sub in subcommands(&help) {
            let mut next = path.clone();
            next.push(sub);
            queue.push(next);
        }
    }
    assert!(seen > 15, "only {seen} commands found");
}

/// Keys whose value is a string on a host that has a terminal session and
/// null where it has none (a CI runner's session leader can be outside the
/// process's view of `/proc`): their shape is "string or null" either way.
const HOST_OPTIONAL: &[&str] = &["session_id"];

/// Keys and value types of a JSON document; an array is the shape of its
/// elements (all of them, merged), an empty one `[]`.
fn shape(v: &Value) -> Value {
    match v {
        Value::Null => json!("null"),
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(items) if items.is_empty() => json!([]),
        Value::Array(items) => {
            let mut merged = Value::Null;
            for item in items {
                merged = merge(merged, shape(item));
            }
            json!([merged])
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let s = if HOST_OPTIONAL.contains(&k.as_str()) && (v.is_null() || v.is_string())
                    {
                        json!("string or null")
                    } else {
                        shape(v)
                    };
                    (k.clone(), s)
                })
                .collect(),
        ),
    }
}

fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Null, b) => b,
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                let old = a.remove(&k).unwrap_or(Value::Null);
                a.insert(k, merge(old, v));
            }
            Value::Object(a)
        }
        (a, _) => a,
    }
}

fn json_of(w: &World, args: &[&str]) -> Value {
    let o = w.run(args);
    serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {} {}", stdout(&o), stderr(&o)))
}

#[test]
fn shape_of_every_json_document() {
    let w = World::new();
    w.git(&w.ws, &["init", "-q"]);
    let mut g = rampart_detect::fake::Gen(11);
    let token = rampart_detect::fake::expand(&mut g, "ghp_{Aa:30}{ghcrc}").unwrap();
    std::fs::write(w.ws.join("leak.txt"), format!("t = {token}\n")).unwrap();
    let baseline = w.base.join("baseline.json");
    let b = baseline.display().to_string();
    // Something in the trail for the audit commands.
    let _ = w.run(["exec", "--", "true"]);
    for (name, args) in [
        (
            "check",
            &[
                "--json", "check", "--", "git", "push", "--force", "origin", "main",
            ][..],
        ),
        ("scan", &["--json", "scan", "."][..]),
        ("scan-sarif", &["scan", "--format", "sarif", "."][..]),
        ("scan-list-rules", &["--json", "scan", "--list-rules"][..]),
        ("doctor", &["--json", "doctor"][..]),
        (
            "audit-query",
            &["--json", "audit", "query", "--limit", "5"][..],
        ),
        ("audit-tail", &["--json", "audit", "tail", "-n", "1"][..]),
        ("audit-verify", &["--json", "audit", "verify"][..]),
    ] {
        let v = if name == "audit-tail" {
            // One event per line.
            let o = w.run(args);
            serde_json::from_str(stdout(&o).lines().next().unwrap_or_default()).unwrap()
        } else {
            json_of(&w, args)
        };
        insta::assert_json_snapshot!(format!("json-{name}"), shape(&v));
    }
    let _ = w.run(["scan", "--baseline", &b, "--update-baseline", "."]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    insta::assert_json_snapshot!("json-scan-baseline", shape(&v));
}
