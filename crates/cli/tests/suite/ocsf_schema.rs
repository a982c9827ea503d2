//! Issue 14, "the audit trail as a SIEM reads it": every class and
//! activity rampart records, produced by real commands (exec, a refused
//! exec, the Claude Code hook's answers including one given without a
//! decision, the MCP server's file and command tools) and exported with
//! `rampart audit export`, validates against the OCSF 1.3.0 schema with
//! `scripts/ocsf-validate.py` (the schema the PyPI package
//! `ocsf-json-schema` ships, checked by `jsonschema`; scripts/test.sh
//! installs both). The daemon's two events (a refused peer, an approval
//! answered) are built by the functions daemon.rs records with.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use super::fixture::{hook_call, stderr, stdout, World, ALLOW_ALL, BASE_CONFIG};

/// The Python that has the validator's packages, or `None` (skip) when
/// it is missing and nothing requires it.
fn python() -> Option<PathBuf> {
    let py = std::env::var_os("RAMPART_TEST_PYTHON")
        .map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let ok = Command::new(&py)
        .args(["-c", "import jsonschema, ocsf_json_schema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(py);
    }
    assert!(
        std::env::var_os("RAMPART_REQUIRE_OCSF").is_none(),
        "the OCSF validator is required (RAMPART_REQUIRE_OCSF is set) but `{} -c 'import jsonschema, ocsf_json_schema'` fails; `pip install ocsf-json-schema==1.2.0 jsonschema`",
        py.display()
    );
    eprintln!("SKIP: the OCSF validator's packages are not installed (`pip install ocsf-json-schema==1.2.0 jsonschema`; scripts/test.sh does)");
    None
}

/// Runs the validator on `events`: (valid, its report).
fn validate(py: &PathBuf, w: &World, events: &[Value]) -> (bool, String) {
    let file = w.base.join("events.json");
    std::fs::write(&file, Value::Array(events.to_vec()).to_string()).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/ocsf-validate.py");
    let o = Command::new(py).arg(&script).arg(&file).output().unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "the validator could not run: {} {}",
        stdout(&o),
        stderr(&o)
    );
    (o.status.success(), format!("{}{}", stdout(&o), stderr(&o)))
}

/// `rm` is refused, `git push` asks, everything else is allowed; with
/// `network`, connections reach docs.rs only.
fn config(network: bool) -> String {
    let base = if network {
        BASE_CONFIG.replace(
            "[sandbox_workspace_write]\n",
            "[sandbox_workspace_write]\nnetwork_access = true\nallowed_hosts = [\"docs.rs\"]\n",
        )
    } else {
        BASE_CONFIG.to_owned()
    };
    format!(
        "{base}[agents]\napproval_timeout_secs = 1\n[[rules]]\ncommand = [\"rm\"]\ndecision = \"deny\"\nreason = \"no deleting here\"\n[[rules]]\ncommand = [\"git\", \"push\"]\ndecision = \"ask\"\nreason = \"code leaves the machine\"\n{ALLOW_ALL}"
    )
}

/// [`config`] without the network; `.env` may not be read.
fn world() -> World {
    let w = World::with_config(&config(false));
    std::fs::write(w.ws.join("notes.txt"), "hi\n").unwrap();
    std::fs::write(w.ws.join(".env"), "DB=x\n").unwrap();
    std::fs::write(
        w.ws.join("rampart.toml"),
        "[[rules]]\npath = \"**/.env*\"\naccess = [\"read\"]\ndecision = \"deny\"\nreason = \"environment files hold credentials\"\n",
    )
    .unwrap();
    w
}

/// The MCP server over stdio, every call sent at once: the answers.
fn mcp(w: &World, calls: &[(&str, Value)]) -> String {
    let mut input = vec![
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "ocsf", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    ];
    for (i, (tool, args)) in calls.iter().enumerate() {
        input.push(json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": {"name": tool, "arguments": args}}));
    }
    let text = input
        .iter()
        .map(|v| format!("{v}\n"))
        .collect::<Vec<_>>()
        .concat();
    let o = w.run_with_stdin(["mcp", "-C", w.ws.to_str().unwrap()], text.as_bytes());
    stdout(&o)
}

/// The daemon's events, built by the functions daemon.rs records with.
fn daemon_events() -> Vec<Value> {
    use rampart_server::daemon::{answer_event, refusal_event};
    vec![
        refusal_event(
            1001,
            "a process of uid 1001 (pid 42) connected to the daemon of uid 1000; only the same user may".into(),
            "workspace-write",
        ),
        answer_event("git push", true, "uid 1000 pid 42", 1000, "workspace-write"),
        answer_event("git push", false, "uid 1000 pid 42", 1000, "workspace-write"),
    ]
}

/// Every kind of event, from real commands, as exported (and the
/// daemon's).
fn sample(w: &World) -> Vec<Value> {
    // exec: allowed and ended (0 and 3), refused.
    assert!(w.run(["exec", "--", "true"]).status.success());
    assert_eq!(
        w.run(["exec", "--", "sh", "-c", "exit 3"]).status.code(),
        Some(3)
    );
    let o = w.run(["exec", "--", "rm", "-f", "notes.txt"]);
    assert!(!o.status.success(), "rm was not refused: {}", stderr(&o));
    // The hook: commands (allow, deny, ask), files (read, denied read,
    // write, list), the network (docs.rs let through), and a tool it
    // does not know.
    w.set_config(&config(true));
    let hook = [
        ("Bash", json!({"command": "ls"}), "allow"),
        ("Bash", json!({"command": "rm -rf build"}), "deny"),
        ("Bash", json!({"command": "git push origin main"}), "ask"),
        (
            "Read",
            json!({"file_path": w.ws.join("notes.txt")}),
            "allow",
        ),
        ("Read", json!({"file_path": w.ws.join(".env")}), "deny"),
        (
            "Write",
            json!({"file_path": w.ws.join("new.txt"), "content": "x"}),
            "allow",
        ),
        ("Glob", json!({"pattern": "*.txt"}), "allow"),
        (
            "WebFetch",
            json!({"url": "https://docs.rs/serde", "prompt": "p"}),
            "allow",
        ),
        (
            "WebFetch",
            json!({"url": "https://example.org/", "prompt": "p"}),
            "",
        ),
        ("NoSuchTool", json!({}), ""),
    ];
    for (tool, input, want) in &hook {
        let (got, why) = hook_call(w, tool, input);
        assert!(
            want.is_empty() || got == *want,
            "{tool} {input}: {got} ({why})"
        );
    }
    w.set_config(&config(false));
    // The MCP server's tools.
    let answers = mcp(
        w,
        &[
            ("read_file", json!({"path": "notes.txt"})),
            ("read_file", json!({"path": ".env"})),
            ("write_file", json!({"path": "out.txt", "content": "x"})),
            ("list_directory", json!({"path": "."})),
            ("run_command", json!({"argv": ["sh", "-c", "exit 2"]})),
        ],
    );
    assert!(
        answers.contains("\"id\":5"),
        "the MCP server did not answer every call: {answers}"
    );
    // What a SIEM ingests: the export.
    let o = w.run(["audit", "export", "--format", "ocsf-jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut events: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    events.extend(daemon_events());
    events
}

#[test]
fn every_event_rampart_records_validates_against_ocsf_1_3_0() {
    let Some(py) = python() else { return };
    let w = world();
    let events = sample(&w);
    // Every class and activity rampart emits is in the sample.
    let kinds: std::collections::BTreeSet<(u64, u64)> = events
        .iter()
        .map(|e| {
            (
                e["class_uid"].as_u64().unwrap(),
                e["activity_id"].as_u64().unwrap(),
            )
        })
        .collect();
    for want in [
        (1007, 1),
        (1007, 2),
        (1001, 2),
        (1001, 3),
        (4001, 1),
        (4001, 5),
        (6003, 99),
        (6003, 3),
        (3002, 1),
    ] {
        assert!(
            kinds.contains(&want),
            "no event of class/activity {want:?} in the sample: {kinds:?}"
        );
    }
    for v in ["allow", "deny", "ask"] {
        assert!(
            events.iter().any(|e| e["unmapped"]["verdict"] == v),
            "no `{v}` decision in the sample"
        );
    }
    let (ok, report) = validate(&py, &w, &events);
    assert!(
        ok,
        "rampart's events do not validate against OCSF 1.3.0:\n{report}"
    );
    eprintln!("{report}");
    named_attributes(&events);
    controls(&py, &w, &events);
}

/// The attributes the issue names, on the events that must carry them.
fn named_attributes(events: &[Value]) {
    for e in events {
        let class = e["class_uid"].as_u64().unwrap();
        assert!(
            e["actor"]["user"]["uid"].is_string() && e["actor"]["user"]["name"].is_string(),
            "{e}"
        );
        if [1001, 1007, 4001].contains(&class) {
            assert!(
                e["metadata"]["profiles"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("security_control"))
                    && e["action_id"].is_u64()
                    && e["disposition_id"].is_u64(),
                "{e}"
            );
        }
        if [1001, 1007].contains(&class) {
            assert!(
                e["device"]["hostname"].is_string() && e["device"]["os"]["name"].is_string(),
                "{e}"
            );
        }
        if class == 1007 {
            let p = &e["process"];
            assert!(
                p["cmd_line"].is_string()
                    && p["user"]["uid"].is_string()
                    && p.get("file").is_none(),
                "{e}"
            );
            assert!(e["unmapped"]["working_directory"].is_string(), "{e}");
            if e["activity_id"] == 2 && e["unmapped"]["exit_code"].is_i64() {
                assert_eq!(e["exit_code"], e["unmapped"]["exit_code"], "{e}");
                assert!(p["pid"].as_u64().is_some_and(|p| p > 1), "no pid: {e}");
            }
        }
    }
}

/// The validator rejects what the schema does not allow (a control: a
/// validator that passes everything proves nothing).
fn controls(py: &PathBuf, w: &World, events: &[Value]) {
    let process = events.iter().find(|e| e["class_uid"] == 1007).unwrap();
    let mut wrong = Vec::new();
    let mut e = process.clone();
    e["process"]["cwd"] = json!("/w");
    wrong.push(("an attribute the object does not have", e));
    let mut e = process.clone();
    e["action_id"] = json!(7);
    wrong.push(("an action_id outside its enum", e));
    let mut e = process.clone();
    e.as_object_mut().unwrap().remove("device");
    wrong.push(("no device", e));
    let mut e = process.clone();
    e["metadata"]["profiles"] = json!([]);
    wrong.push(("action_id without the security_control profile", e));
    let mut e = process.clone();
    e["status"] = json!("Succeeded");
    wrong.push(("a caption that is not its id's", e));
    let mut e = process.clone();
    e["type_uid"] = json!(100_799);
    wrong.push(("a type_uid that is not class_uid * 100 + activity_id", e));
    for (what, e) in wrong {
        let (ok, report) = validate(py, w, &[e]);
        assert!(!ok, "the validator passed {what}:\n{report}");
        eprintln!("{what}: {report}");
    }
}
