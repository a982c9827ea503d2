//! Issue 13, "the gate is the only door": for each surface, the event the
//! trail keeps says what the surface answered and what happened: the
//! verdict, the outcome status (OCSF `status_id`, and rampart's name in
//! `unmapped.status`) and the class. A surface that answers one thing
//! and records another fails with "gate bypassed: …".

use std::io::{BufRead, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use super::fixture::{hook_answer, stderr, stdout, trail, World, ALLOW_ALL, BASE_CONFIG};

const PROCESS: u64 = 1007;
const FILE: u64 = 1001;

/// `git push` asks, `rm` is refused, everything else is allowed.
const POLICY: &str = "[[rules]]\ncommand = [\"git\", \"push\"]\ndecision = \"ask\"\nreason = \"code leaves the machine\"\n[[rules]]\ncommand = [\"rm\"]\ndecision = \"deny\"\nreason = \"no deleting here\"\n";

fn world() -> World {
    World::with_config(&format!(
        "{BASE_CONFIG}[agents]\napproval_timeout_secs = 1\n{POLICY}{ALLOW_ALL}"
    ))
}

/// The events written since the last call.
struct Seen(usize);

impl Seen {
    fn new(w: &World) -> Self {
        Self(trail(w).len())
    }

    fn since(&mut self, w: &World) -> Vec<Value> {
        let all = trail(w);
        let new = all[self.0..].to_vec();
        self.0 = all.len();
        new
    }
}

/// Asserts `event` has this verdict, status and class.
#[track_caller]
fn assert_recorded(event: &Value, what: &str, verdict: &str, status: &str, class: u64) {
    let status_id = match status {
        "succeeded" => 1,
        "asked" => 0,
        _ => 2,
    };
    let u = &event["unmapped"];
    assert_eq!(
        (
            u["verdict"].as_str(),
            u["status"].as_str(),
            event["status_id"].as_u64(),
            event["class_uid"].as_u64()
        ),
        (Some(verdict), Some(status), Some(status_id), Some(class)),
        "gate bypassed: {what} was answered `{verdict}` ({status}) but recorded otherwise: {event}"
    );
}

/// The one event of `stage` among `events`.
#[track_caller]
fn stage<'a>(events: &'a [Value], stage: &str, what: &str) -> &'a Value {
    let found: Vec<&Value> = events
        .iter()
        .filter(|e| e["unmapped"]["stage"] == stage)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "gate bypassed: {what} left {} `{stage}` events: {events:?}",
        found.len()
    );
    found[0]
}

// ------------------------------------------------------------------ exec

#[test]
fn exec_records_the_decision_and_how_the_run_ended() {
    let w = world();
    let mut seen = Seen::new(&w);
    for (argv, code, status) in [
        (&["true"][..], 0, "succeeded"),
        (&["sh", "-c", "exit 3"][..], 3, "failed"),
    ] {
        let mut args = vec!["exec", "--"];
        args.extend(argv);
        let o = w.run(&args);
        assert_eq!(o.status.code(), Some(code), "{argv:?}: {}", stderr(&o));
        let events = seen.since(&w);
        let what = format!("exec {argv:?}");
        assert_recorded(
            stage(&events, "decided", &what),
            &what,
            "allow",
            "succeeded",
            PROCESS,
        );
        let end = stage(&events, "enforced", &what);
        assert_recorded(end, &what, "allow", status, PROCESS);
        assert_eq!(end["unmapped"]["exit_code"], code, "{end}");
    }
    // A timeout is said by the enforcer, not guessed from 124.
    let o = w.run(["exec", "--timeout", "1", "--", "sleep", "30"]);
    assert_eq!(o.status.code(), Some(124), "{}", stderr(&o));
    let events = seen.since(&w);
    assert_recorded(
        stage(&events, "enforced", "a timed-out exec"),
        "a timed-out exec",
        "allow",
        "timed-out",
        PROCESS,
    );
    // A program that exits 124 by itself did not time out.
    let o = w.run(["exec", "--", "sh", "-c", "exit 124"]);
    assert_eq!(o.status.code(), Some(124));
    let events = seen.since(&w);
    assert_recorded(
        stage(&events, "enforced", "exit 124"),
        "exit 124",
        "allow",
        "failed",
        PROCESS,
    );
    // Refused: one event, and nothing ran.
    let o = w.run(["exec", "--", "rm", "-f", "x"]);
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    let events = seen.since(&w);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_recorded(&events[0], "a refused exec", "deny", "refused", PROCESS);
}

// ----------------------------------------------------------------- check

#[test]
fn check_judges_through_the_gate_and_records_nothing() {
    let w = world();
    let o = w.run(["exec", "--", "true"]);
    assert!(o.status.success(), "control failed: {}", stderr(&o));
    let mut seen = Seen::new(&w);
    for (argv, verdict) in [
        (&["ls"][..], "allow"),
        (&["git", "push"][..], "ask"),
        (&["rm", "x"][..], "deny"),
    ] {
        let mut args = vec!["--json", "check", "--"];
        args.extend(argv);
        let o = w.run(&args);
        let d: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        assert_eq!(d["verdict"], verdict, "{argv:?}: {}", stdout(&o));
        let events = seen.since(&w);
        assert!(
            events.is_empty(),
            "gate bypassed: `rampart check` recorded {events:?}"
        );
    }
}

// ------------------------------------------------------------------ hook

fn hook(w: &World, tool: &str, input: &Value) -> (String, String) {
    let call = json!({
        "session_id": "surfaces",
        "cwd": w.ws,
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": input,
    });
    hook_answer(&w.run_with_stdin(["hook", "claude-code"], call.to_string().as_bytes()))
}

#[test]
fn hook_records_exactly_the_answer_it_gives() {
    let w = world();
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    let mut seen = Seen::new(&w);
    let calls = [
        (
            "Read",
            json!({"file_path": w.ws.join("notes.txt")}),
            "allow",
            "succeeded",
            FILE,
        ),
        (
            "Read",
            json!({"file_path": w.home.join(".ssh/id_test")}),
            "deny",
            "refused",
            FILE,
        ),
        (
            "Bash",
            json!({"command": "ls"}),
            "allow",
            "succeeded",
            PROCESS,
        ),
        (
            "Bash",
            json!({"command": "git push"}),
            "ask",
            "asked",
            PROCESS,
        ),
        (
            "Bash",
            json!({"command": "rm -f x"}),
            "deny",
            "refused",
            PROCESS,
        ),
    ];
    for (tool, input, verdict, status, class) in &calls {
        let (answered, why) = hook(&w, tool, input);
        assert_eq!(answered, *verdict, "control failed: {tool} {input}: {why}");
        let events = seen.since(&w);
        let what = format!("the hook's {tool} {input}");
        assert_eq!(events.len(), 1, "{what}: {events:?}");
        assert_eq!(events[0]["unmapped"]["surface"], "hook:claude-code");
        assert_recorded(&events[0], &what, verdict, status, *class);
    }
    // The last step (an ask's approval ticket) fails after the decision:
    // the answer is `deny`, and so is the record.
    let tickets = w.base.join("state/rampart/tickets");
    let _ = std::fs::remove_dir_all(&tickets);
    std::fs::write(&tickets, "not a directory").unwrap();
    let (answered, why) = hook(&w, "Bash", &json!({"command": "git push"}));
    assert_eq!(
        answered, "deny",
        "gate bypassed: an ask whose ticket could not be issued was answered `{answered}`: {why}"
    );
    assert!(why.contains("could not prepare the approval"), "{why}");
    let events = seen.since(&w);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_recorded(
        &events[0],
        "an ask refused by the hook's last step",
        "deny",
        "refused",
        PROCESS,
    );
    assert!(
        events[0]["unmapped"]["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("could not prepare the approval")),
        "the record says why: {}",
        events[0]
    );
}

// ------------------------------------------------------------------- MCP

/// `rampart mcp` over stdio, one call at a time.
struct Mcp {
    child: Child,
    stdin: std::process::ChildStdin,
    out: std::io::BufReader<std::process::ChildStdout>,
    id: u64,
}

impl Mcp {
    fn start(w: &World) -> Self {
        let mut child = w
            .cmd(["mcp", "-C", w.ws.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut m = Self {
            child,
            stdin,
            out,
            id: 0,
        };
        m.request("initialize", &json!({"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "surfaces", "version": "0"}}));
        writeln!(
            m.stdin,
            "{}",
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
        )
        .unwrap();
        m
    }

    fn request(&mut self, method: &str, params: &Value) -> Value {
        self.id += 1;
        let id = self.id;
        writeln!(
            self.stdin,
            "{}",
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        )
        .unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the MCP server closed"
            );
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["id"] == id {
                return v;
            }
        }
    }

    /// A tool call's result: (refused, structured content).
    fn call(&mut self, tool: &str, arguments: &Value) -> (bool, Value) {
        let r = self.request("tools/call", &json!({"name": tool, "arguments": arguments}));
        let res = &r["result"];
        (res["isError"] == true, res["structuredContent"].clone())
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A workspace with a text file, a denied `.env`, and a symlink to it.
fn mcp_world() -> World {
    let w = world();
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    std::fs::write(w.ws.join(".env"), "DB=x\n").unwrap();
    std::fs::write(
        w.ws.join("rampart.toml"),
        "[[rules]]\npath = \"**/.env*\"\naccess = [\"read\"]\ndecision = \"deny\"\nreason = \"environment files hold credentials\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(".env", w.ws.join("innocent.txt")).unwrap();
    std::os::unix::fs::symlink(w.sibling.join("file"), w.ws.join("link-out")).unwrap();
    std::os::unix::fs::symlink(&w.sibling, w.ws.join("dir-out")).unwrap();
    w
}

#[test]
fn mcp_tools_record_what_they_answered_and_what_happened() {
    let w = mcp_world();
    let mut m = Mcp::start(&w);
    let mut seen = Seen::new(&w);
    // (tool, arguments, refused, final verdict, final status, class)
    let calls = [
        (
            "run_command",
            json!({"argv": ["true"]}),
            false,
            "allow",
            "succeeded",
            PROCESS,
        ),
        (
            "run_command",
            json!({"command": "exit 3"}),
            false,
            "allow",
            "failed",
            PROCESS,
        ),
        (
            "run_command",
            json!({"argv": ["sleep", "30"], "timeout_secs": 1}),
            false,
            "allow",
            "timed-out",
            PROCESS,
        ),
        (
            "read_file",
            json!({"path": "notes.txt"}),
            false,
            "allow",
            "succeeded",
            FILE,
        ),
        (
            "write_file",
            json!({"path": "out.txt", "content": "x"}),
            false,
            "allow",
            "succeeded",
            FILE,
        ),
        (
            "list_directory",
            json!({"path": "."}),
            false,
            "allow",
            "succeeded",
            FILE,
        ),
        (
            "read_file",
            json!({"path": "missing.txt"}),
            true,
            "allow",
            "failed",
            FILE,
        ),
    ];
    for (tool, args, refused, verdict, status, class) in &calls {
        let (is_error, sc) = m.call(tool, args);
        assert_eq!(is_error, *refused, "control failed: {tool} {args}: {sc}");
        let events = seen.since(&w);
        let what = format!("MCP {tool} {args}");
        assert!(events.iter().all(|e| e["unmapped"]["surface"] == "mcp"));
        assert_recorded(
            stage(&events, "decided", &what),
            &what,
            "allow",
            "succeeded",
            *class,
        );
        assert_recorded(
            stage(&events, "enforced", &what),
            &what,
            verdict,
            status,
            *class,
        );
    }
}

#[test]
fn mcp_refusals_are_recorded_as_the_deny_that_was_answered() {
    let w = mcp_world();
    let mut m = Mcp::start(&w);
    let mut seen = Seen::new(&w);
    // Refused before anything is opened: one event, a deny.
    for (tool, args) in [
        ("run_command", json!({"argv": ["rm", "-f", "notes.txt"]})),
        ("read_file", json!({"path": ".env"})),
        ("read_file", json!({"path": "../sibling/file"})),
    ] {
        let (is_error, sc) = m.call(tool, &args);
        assert!(
            is_error && sc["denied"] == true,
            "gate bypassed: {tool} {args} was not refused: {sc}"
        );
        let events = seen.since(&w);
        assert_eq!(events.len(), 1, "{tool} {args}: {events:?}");
        let class = if tool == "run_command" { PROCESS } else { FILE };
        assert_recorded(
            &events[0],
            &format!("MCP {tool} {args}"),
            "deny",
            "refused",
            class,
        );
    }
    // A symlink out of the workspace, refused by `openat2` itself.
    for (tool, args) in [
        ("read_file", json!({"path": "link-out"})),
        ("list_directory", json!({"path": "dir-out"})),
        (
            "write_file",
            json!({"path": "dir-out/new.txt", "content": "x"}),
        ),
    ] {
        let (is_error, sc) = m.call(tool, &args);
        assert!(
            is_error && sc["denied"] == true,
            "gate bypassed: {tool} through a symlink out of the workspace was not refused: {sc}"
        );
        let events = seen.since(&w);
        let what = format!("MCP {tool} through a symlink out of the workspace");
        let end = stage(&events, "enforced", &what);
        assert_recorded(end, &what, "deny", "refused", FILE);
        assert!(
            end["unmapped"]["reasons"][0]
                .as_str()
                .is_some_and(|r| r.contains("outside the workspace")),
            "the record says why: {end}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(w.sibling.join("file")).unwrap(),
        "outside"
    );
    // The real path, refused after `openat2`: the answer is a refusal and
    // the record's final decision a deny with its reason.
    let (is_error, sc) = m.call("read_file", &json!({"path": "innocent.txt"}));
    assert!(
        is_error && sc["denied"] == true && sc["verdict"] == "deny",
        "gate bypassed: a symlink to a denied file was not refused: {sc}"
    );
    let events = seen.since(&w);
    let what = "MCP read_file through a symlink to a denied file";
    assert_recorded(
        stage(&events, "decided", what),
        what,
        "allow",
        "succeeded",
        FILE,
    );
    let end = stage(&events, "enforced", what);
    assert_recorded(end, what, "deny", "refused", FILE);
    assert!(
        end["unmapped"]["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("resolves to") && r.contains(".env")),
        "the record says why: {end}"
    );
}

// ---------------------------------------------------------------- daemon

use super::fixture::Serve;

fn rpc(socket: &Path, method: &str, params: &Value) -> Value {
    let mut s = UnixStream::connect(socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    s.write_all(&u32::try_from(body.len()).unwrap().to_be_bytes())
        .unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut h = [0u8; 4];
    s.read_exact(&mut h).unwrap();
    let mut b = vec![0u8; u32::from_be_bytes(h) as usize];
    s.read_exact(&mut b).unwrap();
    serde_json::from_slice(&b).unwrap()
}

#[test]
fn daemon_calls_record_what_they_answered_and_what_happened() {
    let w = world();
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    let d = Serve::start(&w);
    let socket = w.socket();
    let mut seen = Seen::new(&w);
    let calls = [
        ("exec", json!({"argv": ["true"]}), "succeeded", PROCESS),
        (
            "exec",
            json!({"argv": ["sh", "-c", "exit 3"]}),
            "failed",
            PROCESS,
        ),
        ("read_file", json!({"path": "notes.txt"}), "succeeded", FILE),
        (
            "write_file",
            json!({"path": "out.txt", "content": "x"}),
            "succeeded",
            FILE,
        ),
    ];
    for (method, params, status, class) in &calls {
        let r = rpc(&socket, method, params);
        assert!(
            r.get("result").is_some(),
            "control failed: {method} {params}: {r}"
        );
        let events: Vec<Value> = seen
            .since(&w)
            .into_iter()
            .filter(|e| e["unmapped"]["surface"] == "daemon")
            .collect();
        let what = format!("daemon {method} {params}");
        assert_recorded(
            stage(&events, "decided", &what),
            &what,
            "allow",
            "succeeded",
            *class,
        );
        assert_recorded(
            stage(&events, "enforced", &what),
            &what,
            "allow",
            status,
            *class,
        );
    }
    let r = rpc(&socket, "exec", &json!({"argv": ["rm", "-f", "notes.txt"]}));
    assert!(
        r.get("error").is_some(),
        "gate bypassed: the daemon ran a denied command: {r}"
    );
    let events: Vec<Value> = seen
        .since(&w)
        .into_iter()
        .filter(|e| e["unmapped"]["surface"] == "daemon")
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_recorded(
        &events[0],
        "a refused daemon exec",
        "deny",
        "refused",
        PROCESS,
    );
    drop(d);
}

#[test]
fn mcp_records_the_real_path_it_judged_and_allowed() {
    let w = mcp_world();
    std::os::unix::fs::symlink("notes.txt", w.ws.join("alias.txt")).unwrap();
    let mut m = Mcp::start(&w);
    let mut seen = Seen::new(&w);
    let real = w.ws.join("notes.txt").display().to_string();
    // Through an in-workspace symlink: the real path was judged (and
    // allowed) after `openat2`, and the `enforced` event says so.
    let (is_error, sc) = m.call("read_file", &json!({"path": "alias.txt"}));
    assert!(!is_error, "control failed: read through a symlink: {sc}");
    let events = seen.since(&w);
    let what = "MCP read_file through an in-workspace symlink";
    assert_eq!(events.len(), 2, "{what}: {events:?}");
    let end = stage(&events, "enforced", what);
    assert_recorded(end, what, "allow", "succeeded", FILE);
    assert!(
        end["unmapped"]["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("resolves to") && r.contains(&real)),
        "gate bypassed: the real path judged after `openat2` is not in the record: {end}"
    );
    // Control: the path itself, judged once; no real-path decision.
    let (is_error, sc) = m.call("read_file", &json!({"path": "notes.txt"}));
    assert!(!is_error, "control failed: {sc}");
    let events = seen.since(&w);
    assert_eq!(events.len(), 2, "{events:?}");
    let end = stage(&events, "enforced", "MCP read_file notes.txt");
    assert!(
        !end.to_string().contains("resolves to"),
        "a direct read records no real-path decision: {end}"
    );
}
