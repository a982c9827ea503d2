//! The doors agents come through, driven as agents drive them: the MCP
//! server by the official Python SDK, the Claude Code hook with recorded
//! inputs, and the daemon by hostile socket clients.
#![allow(
    clippy::many_single_char_names,
    clippy::too_many_lines,
    reason = "scenario tests: w(orld), d(aemon), s(ocket), t(hread), r(esponse), o(utput)"
)]

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::fixture::{is_root, rampart_bin, stderr, stdout, World, BASE_CONFIG};

// ---------------------------------------------------------------- MCP

fn python() -> Option<PathBuf> {
    let py = std::env::var_os("RAMPART_TEST_PYTHON")
        .map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let ok = Command::new(&py)
        .args(["-c", "import mcp"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(py);
    }
    assert!(
        std::env::var_os("RAMPART_REQUIRE_MCP").is_none(),
        "the Python MCP SDK is required (RAMPART_REQUIRE_MCP is set) but `{} -c 'import mcp'` fails; `pip install mcp`",
        py.display()
    );
    eprintln!(
        "SKIP: the Python MCP SDK is not installed (`pip install mcp`; scripts/test.sh does)"
    );
    None
}

#[test]
fn mcp_server_passes_the_python_sdk_client_suite() {
    let Some(py) = python() else { return };
    let w = World::with_config(&BASE_CONFIG.replace("timeout_secs = 60", "timeout_secs = 3"));
    w.git(&w.ws, &["init", "-q"]);
    std::fs::write(w.ws.join("README.md"), "readme\n").unwrap();
    std::fs::write(w.ws.join(".env"), "DB=db-password\n").unwrap();
    std::os::unix::fs::symlink(".env", w.ws.join("innocent.txt")).unwrap();
    std::fs::write(
        w.ws.join("rampart.toml"),
        "[[rules]]\npath = \"**/.env*\"\naccess = [\"read\"]\ndecision = \"deny\"\nreason = \"environment files hold credentials\"\n",
    )
    .unwrap();
    std::fs::write(w.ws.join("big.txt"), vec![b'a'; 2 << 20]).unwrap();
    std::fs::write(w.ws.join("blob.bin"), b"\x7fELF\x02\x01\x01\0\0\0").unwrap();
    nix::unistd::mkfifo(&w.ws.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    let outside = w.sibling.join("outside.txt");
    std::fs::write(&outside, "SECRET-OUTSIDE\n").unwrap();
    std::os::unix::fs::symlink(&outside, w.ws.join("link-out")).unwrap();
    std::os::unix::fs::symlink("/proc/self/root", w.ws.join("link-proc")).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client_test.py");
    let mut c = Command::new(&py);
    c.arg(&script)
        .arg(rampart_bin())
        .arg(&w.ws)
        .arg(&outside)
        .current_dir(&w.ws)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &w.home)
        .env("XDG_CONFIG_HOME", w.base.join("xdg"))
        .env("XDG_STATE_HOME", w.base.join("state"))
        .env("XDG_RUNTIME_DIR", w.runtime_dir());
    let o = c.output().unwrap();
    assert!(
        o.status.success(),
        "the MCP client suite failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    // Every tool call left a record, marked as coming through MCP.
    let q = w.run(["audit", "query", "--json", "--limit", "1000"]);
    let events: Vec<Value> = serde_json::from_str(&stdout(&q)).unwrap();
    let mcp = events
        .iter()
        .filter(|e| e["event"]["unmapped"]["surface"] == "mcp")
        .count();
    assert!(
        mcp >= 30,
        "only {mcp} MCP events in the trail: {}",
        stdout(&q)
    );
    let all = stdout(&q);
    assert!(
        !all.contains("db-password"),
        "sandbox breached: .env contents in the trail"
    );
}

// ---------------------------------------------------------------- hook

fn hook(w: &World, input: &str) -> Value {
    let o = w.run_with_stdin(["hook", "claude-code"], input.as_bytes());
    assert_eq!(
        o.status.code(),
        Some(0),
        "the hook must exit 0: {}",
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("hook output is not JSON ({e}): {}", stdout(&o)))
}

fn fixture(w: &World, name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hook")
        .join(format!("{name}.json"));
    std::fs::read_to_string(p)
        .unwrap()
        .replace("{WS}", &w.ws.display().to_string())
        .replace("{HOME}", &w.home.display().to_string())
}

#[test]
fn hook_answers_every_recorded_tool_call() {
    let w = World::with_config(BASE_CONFIG);
    w.git(&w.ws, &["init", "-q"]);
    std::fs::create_dir_all(w.ws.join("src")).unwrap();
    // (fixture, decision, a word the reason must contain, rewritten?)
    let cases: &[(&str, &str, &str, bool)] = &[
        ("bash_allowed", "allow", "sandbox", true),
        ("bash_push", "ask", "code leaves the machine", true),
        (
            "bash_pipe_to_shell",
            "deny",
            "downloads and runs code",
            false,
        ),
        ("read_project", "allow", "", false),
        ("read_ssh_key", "deny", "deny_read", false),
        ("write_project", "allow", "writes", false),
        ("write_git_hook", "deny", "hook", false),
        ("edit_outside", "ask", "outside the workspace", false),
        ("multiedit_project", "allow", "writes", false),
        ("glob_project", "allow", "", false),
        ("grep_ssh", "deny", "deny_read", false),
        ("webfetch", "ask", "network is off", false),
        ("unknown_tool", "ask", "mcp__github__create_issue", false),
        (
            "bash_no_command",
            "deny",
            "`tool_input.command` is missing",
            false,
        ),
        ("not_json", "deny", "could not read the hook input", false),
    ];
    for (name, decision, needle, rewritten) in cases {
        let out = hook(&w, &fixture(&w, name));
        let h = &out["hookSpecificOutput"];
        assert_eq!(h["hookEventName"], "PreToolUse", "{name}: {out}");
        assert_eq!(h["permissionDecision"], *decision, "{name}: {out}");
        let reason = h["permissionDecisionReason"].as_str().unwrap();
        assert!(
            !reason.is_empty() && reason.contains(needle),
            "{name}: reason `{reason}` lacks `{needle}`"
        );
        assert_eq!(h.get("updatedInput").is_some(), *rewritten, "{name}: {out}");
    }
    // Issue 14: a `PostToolUse` event (not a tool call to judge) gets its
    // own neutral answer, silence, never a `PreToolUse` answer; it is not
    // a decision, so it is not recorded.
    let o = w.run_with_stdin(
        ["hook", "claude-code"],
        fixture(&w, "wrong_event").as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).trim().is_empty(),
        "gate bypassed: a PostToolUse event was answered as a PreToolUse call: {}",
        stdout(&o)
    );
    // Every call, judged or answered without a decision (the last three),
    // was recorded as coming from the hook.
    let q = w.run(["audit", "query", "--json"]);
    let events: Vec<Value> = serde_json::from_str(&stdout(&q)).unwrap();
    let n = events
        .iter()
        .filter(|e| e["event"]["unmapped"]["surface"] == "hook:claude-code")
        .count();
    assert_eq!(n, cases.len(), "{}", stdout(&q));
}

#[test]
fn hook_config_switches_unknown_tools_and_rewriting() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[agents]\nunknown_tool = \"deny\"\nrewrite_bash = false\n"
    ));
    let out = hook(&w, &fixture(&w, "unknown_tool"));
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny");
    let out = hook(&w, &fixture(&w, "bash_allowed"));
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "allow");
    assert!(
        out["hookSpecificOutput"].get("updatedInput").is_none(),
        "{out}"
    );
    // A broken config refuses everything, saying why.
    w.set_config("[agents]\nunknown_tool = \"maybe\"\n");
    let out = hook(&w, &fixture(&w, "bash_allowed"));
    assert_eq!(
        out["hookSpecificOutput"]["permissionDecision"], "deny",
        "{out}"
    );
    assert!(out.to_string().contains("config has errors"), "{out}");
}

fn run_rewritten(w: &World, command: &str) -> std::process::Output {
    // As Claude Code runs a Bash command: `bash -c COMMAND`, no terminal.
    Command::new("setsid")
        .args(["bash", "-c", command])
        .current_dir(&w.ws)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &w.home)
        .env("XDG_CONFIG_HOME", w.base.join("xdg"))
        .env("XDG_STATE_HOME", w.base.join("state"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn rewritten_bash_runs_sandboxed_and_an_ask_is_approved_once() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[[rules]]\ncommand = [\"touch\"]\ndecision = \"ask\"\nreason = \"touch needs a yes\"\n"
    ));
    let input = |cmd: &str| {
        json!({"session_id": "s", "cwd": w.ws, "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": cmd}})
            .to_string()
    };
    let escape = w.home.join("escaped");
    // A write the sandbox cannot grant is refused up front: a yes to it
    // could not make it work (issue 14).
    let out = hook(&w, &input(&format!("echo hi > {}", escape.display())));
    assert_eq!(
        out["hookSpecificOutput"]["permissionDecision"], "deny",
        "{out}"
    );
    assert!(
        out["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .contains("a yes would not be enough"),
        "{out}"
    );
    // One the analysis cannot see runs sandboxed, and the sandbox holds.
    let hidden = format!("eval \"$(printf 'echo hi > %s' {})\"", escape.display());
    let out = hook(&w, &input(&hidden));
    if let Some(cmd) = out["hookSpecificOutput"]["updatedInput"]["command"].as_str() {
        let o = run_rewritten(&w, cmd);
        assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert!(
        !escape.exists(),
        "sandbox breached: the rewritten command wrote outside the workspace"
    );
    // An ask: Claude Code asks the human; if they say yes the command runs,
    // once. The same command again, with no new hook call, is refused.
    let out = hook(&w, &input("touch made-by-ask"));
    assert_eq!(
        out["hookSpecificOutput"]["permissionDecision"], "ask",
        "{out}"
    );
    let cmd = out["hookSpecificOutput"]["updatedInput"]["command"]
        .as_str()
        .unwrap()
        .to_owned();
    let o = run_rewritten(&w, &cmd);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(w.ws.join("made-by-ask").exists());
    std::fs::remove_file(w.ws.join("made-by-ask")).unwrap();
    let o = run_rewritten(&w, &cmd);
    assert_eq!(
        o.status.code(),
        Some(126),
        "sandbox breached: a hook ticket was used twice: {}",
        stderr(&o)
    );
    assert!(!w.ws.join("made-by-ask").exists());
}

// ---------------------------------------------------------------- daemon

struct Daemon {
    child: Child,
    socket: PathBuf,
}

impl Daemon {
    fn start(w: &World) -> Self {
        let child = w
            .cmd(["serve"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let socket = w.socket();
        let started = Instant::now();
        while UnixStream::connect(&socket).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the daemon did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, socket }
    }

    fn connect(&self) -> UnixStream {
        let s = UnixStream::connect(&self.socket).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s
    }

    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }

    fn stop(mut self) -> (Option<i32>, String) {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap()),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = self.child.wait().unwrap();
        (status.code(), err)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn send_frame(s: &mut UnixStream, body: &[u8]) {
    s.write_all(&u32::try_from(body.len()).unwrap().to_be_bytes())
        .unwrap();
    s.write_all(body).unwrap();
}

fn read_frame(s: &mut UnixStream) -> Option<Value> {
    let mut h = [0u8; 4];
    s.read_exact(&mut h).ok()?;
    let mut b = vec![0u8; u32::from_be_bytes(h) as usize];
    s.read_exact(&mut b).ok()?;
    Some(serde_json::from_slice(&b).unwrap())
}

fn rpc(s: &mut UnixStream, id: u64, method: &str, params: &Value) -> Value {
    send_frame(
        s,
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
            .to_string()
            .as_bytes(),
    );
    read_frame(s).expect("the daemon closed the connection")
}

fn closed(s: &mut UnixStream) -> bool {
    let mut b = [0u8; 1];
    matches!(s.read(&mut b), Ok(0) | Err(_))
}

#[test]
fn daemon_survives_hostile_clients_and_keeps_answering() {
    let w = World::with_config(BASE_CONFIG);
    let d = Daemon::start(&w);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&d.socket), 0o600);
    assert_eq!(mode(d.socket.parent().unwrap()), 0o700);
    let mut s = d.connect();
    let bad: &[(&[u8], i64)] = &[
        (b"{not json", -32700),
        (b"[1,2]", -32600),
        (br#"{"jsonrpc":"2.0","id":1,"method":"status","extra":1}"#, -32600),
        (br#"{"jsonrpc":"2.0","method":"status"}"#, -32600),
        (br#"{"jsonrpc":"2.0","id":1,"method":"shell","params":{}}"#, -32601),
        (br#"{"jsonrpc":"2.0","id":1,"method":"check","params":{"argv":["ls"],"as_root":true}}"#, -32602),
        (br#"{"jsonrpc":"2.0","id":1,"method":"check","params":{"argv":"ls"}}"#, -32602),
        (br#"{"jsonrpc":"2.0","id":1,"method":"read_file","params":{"path":"../../etc/shadow"}}"#, -32001),
    ];
    for (body, code) in bad {
        send_frame(&mut s, body);
        let r = read_frame(&mut s).unwrap();
        assert_eq!(
            r["error"]["code"],
            *code,
            "{} -> {r}",
            String::from_utf8_lossy(body)
        );
    }
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    send_frame(&mut s, deep.as_bytes());
    assert_eq!(read_frame(&mut s).unwrap()["error"]["code"], -32700);
    // Still answering on the same connection.
    let r = rpc(&mut s, 7, "check", &json!({"argv": ["git", "push"]}));
    assert_eq!(
        (r["id"].clone(), r["result"]["verdict"].clone()),
        (json!(7), json!("ask")),
        "{r}"
    );
    // An oversized frame is refused from its header, and the connection closed.
    let mut big = d.connect();
    big.write_all(&(64u32 << 20).to_be_bytes()).unwrap();
    assert_eq!(read_frame(&mut big).unwrap()["error"]["code"], -32600);
    assert!(closed(&mut big));
    // A truncated frame (the client gives up): the daemon just drops it.
    let mut cut = d.connect();
    cut.write_all(&100u32.to_be_bytes()).unwrap();
    cut.write_all(b"{\"jsonrpc\"").unwrap();
    drop(cut);
    // A client that never finishes its frame is cut off, not waited for.
    let mut slow = d.connect();
    slow.write_all(&100u32.to_be_bytes()).unwrap();
    slow.write_all(b"{").unwrap();
    let t = Instant::now();
    assert!(closed(&mut slow));
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "a stalled frame held the connection {:?}",
        t.elapsed()
    );
    let r = rpc(&mut s, 8, "status", &json!({}));
    assert!(r["result"]["rejected"].as_u64().unwrap() >= 10, "{r}");
    let (code, log) = d.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("rejected a request") && log.contains("did not arrive whole"),
        "every rejection is logged: {log}"
    );
    assert!(
        !w.socket().exists(),
        "the socket file is removed on SIGTERM"
    );
}

#[test]
fn daemon_refuses_a_second_instance_loose_dirs_and_long_paths() {
    let w = World::with_config(BASE_CONFIG);
    let d = Daemon::start(&w);
    let o = w.run(["serve"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("another rampart daemon already serves"),
        "{}",
        stderr(&o)
    );
    drop(d);
    // Killed with SIGKILL: a stale socket is left, and the next start cleans it.
    assert!(w.socket().exists());
    let d = Daemon::start(&w);
    drop(d);
    let dir = w.runtime_dir().join("rampart");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = w.run(["serve"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("chmod 700"), "{}", stderr(&o));
    let long = w.base.join("r".repeat(110));
    std::fs::create_dir(&long).unwrap();
    std::fs::set_permissions(&long, std::fs::Permissions::from_mode(0o700)).unwrap();
    let o = w
        .cmd(["serve"])
        .env("XDG_RUNTIME_DIR", &long)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("longer than the 107"), "{}", stderr(&o));
}

#[test]
fn approvals_queue_answers_times_out_and_remembers_for_the_session() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[agents]\napproval_timeout_secs = 8\n"
    ));
    let d = Daemon::start(&w);
    let socket = d.socket.clone();
    let ask = |id: u64, argv: Value| {
        let socket = socket.clone();
        std::thread::spawn(move || {
            let mut s = UnixStream::connect(&socket).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            rpc(&mut s, id, "exec", &json!({ "argv": argv }))
        })
    };
    let push = || json!(["git", "push", "origin", "main"]);
    let pending = |w: &World| -> Vec<Value> {
        let o = w.run(["approvals", "list", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<Value>(&stdout(&o)).unwrap()["pending"]
            .as_array()
            .unwrap()
            .clone()
    };
    let wait_one = |w: &World| -> u64 {
        for _ in 0..300 {
            if let Some(p) = pending(w).first() {
                return p["id"].as_u64().unwrap();
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let o = w.run(["approvals", "list", "--json"]);
        panic!("no ask reached the queue: {} {}", stdout(&o), stderr(&o));
    };
    // Denied by a human.
    let t = ask(1, push());
    std::thread::sleep(Duration::from_millis(500));
    assert!(!t.is_finished(), "the ask did not wait");
    let id = wait_one(&w);
    // The human answers from another terminal: the asker's own tree and
    // session may not (issue 12 class 5).
    let (out, err) = w.answer_from_another_terminal(&["deny", &id.to_string()]);
    assert!(out.contains("denied"), "{out} {err}");
    let r = t.join().unwrap();
    assert_eq!(r["error"]["code"], -32001, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("denied by uid"),
        "{r}"
    );
    // Nobody answers: denied after the timeout.
    let t = ask(2, push());
    let r = t.join().unwrap();
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nobody answered within 8s"),
        "{r}"
    );
    // Approved for the session: it runs (git fails: no remote), and the
    // same ask from the same client does not wait again.
    w.git(&w.ws, &["init", "-q"]);
    let t = {
        let socket = socket.clone();
        std::thread::spawn(move || {
            let mut s = UnixStream::connect(&socket).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let a = rpc(
                &mut s,
                3,
                "exec",
                &json!({"argv": ["git", "push", "origin", "main"]}),
            );
            let b = rpc(
                &mut s,
                4,
                "exec",
                &json!({"argv": ["git", "push", "origin", "main"]}),
            );
            (a, b)
        })
    };
    let id = wait_one(&w);
    let (out, err) = w.answer_from_another_terminal(&["approve", &id.to_string(), "--for-session"]);
    assert!(out.contains("approved"), "{out} {err}");
    let (a, b) = t.join().unwrap();
    assert!(
        a["result"]["approved_by"]
            .as_str()
            .unwrap()
            .contains("for this session"),
        "{a}"
    );
    assert!(
        b["result"]["approved_by"]
            .as_str()
            .unwrap()
            .contains("earlier answer"),
        "{b}"
    );
    let o = w.run(["approvals", "approve", "999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no pending ask with id 999"),
        "{}",
        stderr(&o)
    );
    // Every answer is recorded with who gave it.
    let q = w.run(["audit", "query", "--class", "api", "--json"]);
    let events: Vec<Value> = serde_json::from_str(&stdout(&q)).unwrap();
    let answers: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"]["api"]["operation"] == "approvals.answer")
        .collect();
    assert_eq!(answers.len(), 2, "{}", stdout(&q));
    assert!(answers.iter().all(|e| e["event"]["unmapped"]["approver"]
        .as_str()
        .unwrap()
        .contains("through rampart approvals")));
    // Shutdown while an ask waits: it is denied, and the daemon exits 0.
    // (Another rule: this process's session already covers `git push`.)
    let t = ask(5, json!(["npm", "publish"]));
    wait_one(&w);
    let (code, log) = d.stop();
    assert_eq!(code, Some(0), "{log}");
    let r = t.join().unwrap();
    assert!(r.to_string().contains("shut"), "{r}");
    let o = w.run(["approvals", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("start one with `rampart serve`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn daemon_serves_64_clients_at_once_without_growing() {
    let secs: u64 = std::env::var("RAMPART_TEST_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let w = World::with_config(&format!("{BASE_CONFIG}[agents]\nmax_connections = 64\n"));
    let d = Daemon::start(&w);
    // Warm up, then measure.
    let mut s = d.connect();
    for i in 0..200 {
        rpc(&mut s, i, "check", &json!({"argv": ["ls"]}));
    }
    drop(s);
    let before = d.rss_kb();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let threads: Vec<_> = (0..64u64)
        .map(|t| {
            let socket = d.socket.clone();
            std::thread::spawn(move || {
                let mut s = UnixStream::connect(&socket).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let argv = if n.is_multiple_of(2) {
                        json!(["git", "push"])
                    } else {
                        json!(["ls", "-la"])
                    };
                    let r = rpc(&mut s, n, "check", &json!({"argv": argv}));
                    let want = if n.is_multiple_of(2) { "ask" } else { "allow" };
                    assert_eq!(
                        (r["id"].as_u64(), r["result"]["verdict"].as_str()),
                        (Some(n), Some(want)),
                        "client {t}: {r}"
                    );
                    n += 1;
                }
                n
            })
        })
        .collect();
    // The 65th connection is told the daemon is full, and closed.
    std::thread::sleep(Duration::from_millis(300));
    let mut extra = d.connect();
    let r = read_frame(&mut extra).unwrap();
    assert_eq!(r["error"]["code"], -32002, "{r}");
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let after = d.rss_kb();
    eprintln!("64 clients, {secs}s: {total} checks, RSS {before} kB -> {after} kB");
    assert!(total > 64 * secs, "only {total} answers in {secs}s");
    assert!(
        after < before + 16 * 1024,
        "RSS grew from {before} kB to {after} kB"
    );
    let (code, log) = d.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn daemon_refuses_and_records_a_client_of_another_uid() {
    if !is_root() {
        eprintln!("SKIP: switching users for this test needs root");
        return;
    }
    // The daemon runs as an unprivileged user; root (uid 0, which the
    // socket's modes cannot keep out) is the other user. Its binary and
    // directories live under /tmp, which that user can reach wherever the
    // checkout is (a clone in a 0700 directory is out of its reach).
    let dir = tempfile::Builder::new()
        .prefix("rampart-uid-")
        .tempdir_in("/tmp")
        .unwrap();
    let base = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o711)).unwrap();
    let bin = base.join("rampart");
    std::fs::copy(rampart_bin(), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let nobody = 65534u32;
    let own = base.join("nobody");
    for d in ["home", "state", "run", "cfg/rampart"] {
        std::fs::create_dir_all(own.join(d)).unwrap();
    }
    std::fs::write(own.join("cfg/rampart/config.toml"), BASE_CONFIG).unwrap();
    Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&own)
        .status()
        .unwrap();
    Command::new("chmod")
        .args(["-R", "go-rwx"])
        .arg(&own)
        .status()
        .unwrap();
    let as_nobody = |args: &[&str]| {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin)
            .args(args)
            .current_dir(own.join("home"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", own.join("home"))
            .env("XDG_CONFIG_HOME", own.join("cfg"))
            .env("XDG_STATE_HOME", own.join("state"))
            .env("XDG_RUNTIME_DIR", own.join("run"));
        c
    };
    let mut child = as_nobody(&["serve", "-C", &own.join("home").display().to_string()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let socket = own.join("run/rampart/rampart.sock");
    let t = Instant::now();
    while !socket.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the daemon exited ({status}) before serving: {err}");
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the daemon did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    // Root connects (its privileges get it past the file modes) and is refused.
    let mut s = UnixStream::connect(&socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(&[0, 0, 0, 2, b'{', b'}']);
    assert!(
        closed(&mut s),
        "sandbox breached: the daemon answered another uid"
    );
    // The same user is served, and sees the refusal counted and recorded.
    let o = as_nobody(&["approvals", "list"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = as_nobody(&["audit", "query", "--class", "auth", "--json"])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("uid 0") && stdout(&o).contains("only the same user may"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert_eq!(
        std::fs::metadata(&socket)
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
            .unwrap(),
        nobody
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0), "{err}");
    assert!(
        err.contains("refused a connection from another user"),
        "{err}"
    );
}
