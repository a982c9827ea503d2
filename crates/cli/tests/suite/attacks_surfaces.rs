//! Issue 12, classes 4 and 5: file surfaces judge what a path really
//! names, the hook never fails open, and the daemon cannot be answered by
//! the asker. Every attack fails with "gate bypassed: …" when it works,
//! and each has a control showing the legitimate call still works.

#![allow(
    clippy::many_single_char_names,
    clippy::too_many_lines,
    reason = "scenario tests: w(orld), d(aemon), s(ocket), t(ime), o(utput)"
)]

use std::io::{Read, Write};
use std::os::unix::fs::symlink;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::fixture::{hook_answer, run_orphaned, stderr, stdout, World, BASE_CONFIG};

// ------------------------------------------------------- class 4: the hook

/// A world whose fake HOME holds a fake `.ssh/id_rsa` (made now, obviously
/// fake) and whose workspace has links into it.
fn linked_world() -> World {
    let w = World::with_config(BASE_CONFIG);
    let ssh = w.home.join(".ssh");
    std::fs::write(
        ssh.join("id_rsa"),
        format!("FAKE KEY {} made at run time", std::process::id()),
    )
    .unwrap();
    std::fs::create_dir_all(ssh.join("sub")).unwrap();
    std::fs::write(w.ws.join("ok.txt"), "fine").unwrap();
    std::fs::create_dir_all(w.ws.join("src")).unwrap();
    std::fs::write(w.ws.join("src/main.rs"), "fn main() {}").unwrap();
    symlink(ssh.join("id_rsa"), w.ws.join("key")).unwrap();
    symlink(&ssh, w.ws.join("keys")).unwrap();
    symlink(&w.home, w.ws.join("h")).unwrap();
    symlink(ssh.join("sub"), w.ws.join("deep")).unwrap();
    symlink(ssh.join("planted"), w.ws.join("dangling")).unwrap();
    symlink("ok.txt", w.ws.join("alias.txt")).unwrap();
    symlink(&w.ws, w.base.join("wslink")).unwrap();
    // `~/.aws` (deny_read) is itself a symlink into a dotfiles checkout.
    let dot = w.home.join("dotfiles/aws");
    std::fs::create_dir_all(&dot).unwrap();
    std::fs::write(dot.join("credentials"), "FAKE made at run time").unwrap();
    symlink(&dot, w.home.join(".aws")).unwrap();
    symlink(dot.join("credentials"), w.ws.join("creds")).unwrap();
    w
}

/// The hook's answer to `tool` with `input`, run from `cwd`.
fn ask_hook(w: &World, cwd: &Path, tool: &str, input: &Value) -> (String, String) {
    ask_hook_env(w, cwd, tool, input, &[])
}

fn ask_hook_env(
    w: &World,
    cwd: &Path,
    tool: &str,
    input: &Value,
    env: &[(&str, &str)],
) -> (String, String) {
    hook_answer(
        &spawn_hook(w, cwd, tool, input, env)
            .wait_with_output()
            .unwrap(),
    )
}

/// The hook, started with the call on its stdin.
fn spawn_hook(
    w: &World,
    cwd: &Path,
    tool: &str,
    input: &Value,
    env: &[(&str, &str)],
) -> std::process::Child {
    let call = json!({"session_id": "s", "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": input});
    let mut c = w.cmd(["hook", "claude-code"]);
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(call.to_string().as_bytes())
        .unwrap();
    child
}

#[test]
fn hook_reads_through_links_get_the_targets_answer() {
    let w = linked_world();
    let ws = w.ws.clone();
    let home = w.home.display().to_string();
    let reads: &[(&str, Value, &str)] = &[
        (
            "Read",
            json!({"file_path": ws.join("key")}),
            "a file symlink to ~/.ssh/id_rsa",
        ),
        (
            "Read",
            json!({"file_path": ws.join("keys/id_rsa")}),
            "a directory symlink into ~/.ssh",
        ),
        (
            "Read",
            json!({"file_path": ws.join("h/.ssh/id_rsa")}),
            "a symlinked parent",
        ),
        (
            "Read",
            json!({"file_path": "key"}),
            "a relative path to a link, against cwd",
        ),
        ("Read", json!({"file_path": "~/.ssh/id_rsa"}), "a `~` path"),
        (
            "Read",
            json!({"file_path": ws.join("deep/../id_rsa")}),
            "`..` after a symlink (the kernel goes up from the target)",
        ),
        (
            "Read",
            json!({"file_path": "src/../../home/.ssh/id_rsa"}),
            "a relative `..` path",
        ),
        (
            "Read",
            json!({"file_path": ws.join("creds")}),
            "a symlink to the file behind a symlinked deny_read entry (~/.aws)",
        ),
        (
            "Read",
            json!({"file_path": "~/.aws/credentials"}),
            "a path through a symlinked deny_read entry",
        ),
        (
            "Read",
            json!({"file_path": format!("/proc/self/root{home}/.ssh/id_rsa")}),
            "a `/proc/self/root` magic link",
        ),
        (
            "Glob",
            json!({"pattern": format!("{home}/.ssh/*")}),
            "an absolute Glob pattern",
        ),
        ("Glob", json!({"pattern": "~/.ssh/*"}), "a `~` Glob pattern"),
        (
            "Glob",
            json!({"pattern": "**/id_rsa", "path": ws.join("keys")}),
            "a Glob under a symlinked dir",
        ),
        (
            "Glob",
            json!({"pattern": "keys/*"}),
            "a relative Glob pattern into a symlinked dir",
        ),
        (
            "Grep",
            json!({"pattern": "KEY", "path": ws.join("keys")}),
            "a Grep of a symlinked dir",
        ),
        (
            "Grep",
            json!({"pattern": "KEY", "path": "key"}),
            "a Grep of a symlinked file",
        ),
        (
            "Grep",
            json!({"pattern": "KEY", "path": "~/.ssh"}),
            "a Grep of `~/.ssh`",
        ),
    ];
    // Glob patterns that climb out of their base are never allowed.
    for pattern in [
        format!("{{{home}/.ssh,src}}/*"),
        "{src,~/.ssh}/*".to_owned(),
        "*/../../home/.ssh/*".to_owned(),
    ] {
        let (d, why) = ask_hook(&w, &ws, "Glob", &json!({ "pattern": pattern }));
        assert_ne!(
            d, "allow",
            "gate bypassed: Glob `{pattern}` (climbs out of its base) was allowed: {why}"
        );
    }
    for (tool, input, what) in reads {
        let (d, why) = ask_hook(&w, &ws, tool, input);
        assert_eq!(
            d, "deny",
            "gate bypassed: {tool} through {what} ({input}) was answered `{d}`: {why}"
        );
        assert!(
            why.contains("deny_read"),
            "the refusal of {what} must name the rule it met: {why}"
        );
    }
    // The reason says what the path really names.
    let (_, why) = ask_hook(&w, &ws, "Read", &json!({"file_path": ws.join("key")}));
    assert!(
        why.contains("really names") && why.contains(".ssh/id_rsa"),
        "{why}"
    );
    // Controls: ordinary workspace reads, a link inside the workspace,
    // a cwd reached through a symlink, and searches of the workspace.
    let controls: &[(&Path, &str, Value)] = &[
        (&ws, "Read", json!({"file_path": ws.join("ok.txt")})),
        (&ws, "Read", json!({"file_path": "src/main.rs"})),
        (&ws, "Read", json!({"file_path": ws.join("alias.txt")})),
        (
            &w.base.join("wslink"),
            "Read",
            json!({"file_path": "ok.txt"}),
        ),
        (&ws, "Glob", json!({"pattern": "**/*.rs"})),
        (&ws, "Glob", json!({"pattern": "src/*.rs"})),
        (&ws, "Glob", json!({"pattern": "{src,tests}/**/*.rs"})),
        (&ws, "Grep", json!({"pattern": "main"})),
        (&ws, "Grep", json!({"pattern": "main", "path": "src"})),
    ];
    for (cwd, tool, input) in controls {
        let (d, why) = ask_hook(&w, cwd, tool, input);
        assert_eq!(
            d,
            "allow",
            "control failed: {tool} {input} from {} should be allowed: {why}",
            cwd.display()
        );
    }
}

#[test]
fn hook_writes_through_links_get_the_targets_answer() {
    let w = linked_world();
    let ws = w.ws.clone();
    let writes: &[(&str, Value, &str)] = &[
        (
            "Write",
            json!({"file_path": ws.join("key"), "content": "x"}),
            "a Write through a file symlink",
        ),
        (
            "Write",
            json!({"file_path": ws.join("keys/authorized_keys"), "content": "x"}),
            "a Write of a new file under a directory symlink",
        ),
        (
            "Write",
            json!({"file_path": ws.join("dangling"), "content": "x"}),
            "a Write through a dangling symlink (creates its target)",
        ),
        (
            "Write",
            json!({"file_path": "h/.bashrc", "content": "x"}),
            "a relative Write through a symlinked parent",
        ),
        (
            "Edit",
            json!({"file_path": ws.join("key"), "old_string": "a", "new_string": "b"}),
            "an Edit through a symlink",
        ),
        (
            "MultiEdit",
            json!({"file_path": ws.join("keys/id_rsa"), "edits": []}),
            "a MultiEdit through a directory symlink",
        ),
        (
            "NotebookEdit",
            json!({"notebook_path": ws.join("h/x.ipynb"), "new_source": "x"}),
            "a NotebookEdit through a symlinked parent",
        ),
    ];
    for (tool, input, what) in writes {
        let (d, why) = ask_hook(&w, &ws, tool, input);
        assert_ne!(
            d, "allow",
            "gate bypassed: {what} ({input}) was allowed: {why}"
        );
        assert!(
            why.contains("really names"),
            "the answer to {what} must say where the path leads: {why}"
        );
    }
    for (tool, input) in [
        (
            "Write",
            json!({"file_path": ws.join("new.txt"), "content": "x"}),
        ),
        ("Write", json!({"file_path": "src/lib.rs", "content": "x"})),
        (
            "Edit",
            json!({"file_path": ws.join("alias.txt"), "old_string": "f", "new_string": "g"}),
        ),
    ] {
        let (d, why) = ask_hook(&w, &ws, tool, &input);
        assert_eq!(
            d, "allow",
            "control failed: {tool} {input} should be allowed: {why}"
        );
    }
}

#[test]
fn hook_never_fails_open_on_a_stalled_or_crashed_decision() {
    let w = linked_world();
    let input = json!({"file_path": w.ws.join("ok.txt")});
    let (d, why) = ask_hook(&w, &w.ws, "Read", &input);
    assert_eq!(d, "allow", "control failed: {why}");
    let t = Instant::now();
    let (d, why) = ask_hook_env(
        &w,
        &w.ws,
        "Read",
        &input,
        &[("RAMPART_TEST_HOOK_FAULT", "stall")],
    );
    assert_eq!(
        d, "deny",
        "gate bypassed: a stalled decision was answered `{d}`: {why}"
    );
    assert!(why.contains("could not decide within"), "{why}");
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "the hook waited {:?} for a stalled decision",
        t.elapsed()
    );
    let (d, why) = ask_hook_env(
        &w,
        &w.ws,
        "Read",
        &input,
        &[("RAMPART_TEST_HOOK_FAULT", "panic")],
    );
    assert_eq!(
        d, "deny",
        "gate bypassed: a crashed decision was answered `{d}`: {why}"
    );
    assert!(why.contains("failed unexpectedly"), "{why}");
    // The knob cannot make anything weaker: an unknown value is ignored.
    let (d, _) = ask_hook_env(
        &w,
        &w.ws,
        "Read",
        &json!({"file_path": w.ws.join("key")}),
        &[("RAMPART_TEST_HOOK_FAULT", "allow")],
    );
    assert_eq!(
        d, "deny",
        "gate bypassed: the test knob weakened a decision"
    );
}

#[test]
fn hook_never_fails_open_on_a_stuck_audit_trail() {
    let w = linked_world();
    let input = json!({"file_path": w.ws.join("ok.txt")});
    let (d, why) = ask_hook(&w, &w.ws, "Read", &input);
    assert_eq!(d, "allow", "control failed: {why}");
    // A stuck process holds the trail's lock: recording cannot finish.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(w.base.join("state/rampart/audit.lock"))
        .expect("the first call created the trail's lock");
    let held = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive).unwrap();
    let t = Instant::now();
    let child = spawn_hook(&w, &w.ws, "Read", &input, &[]);
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output().unwrap());
    });
    let Ok(o) = rx.recv_timeout(Duration::from_secs(45)) else {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        panic!("gate bypassed: the hook hung on a stuck audit trail (Claude Code gives up on a hung hook and runs the tool)");
    };
    let (d, why) = hook_answer(&o);
    assert_eq!(
        d, "deny",
        "gate bypassed: a call that could not be recorded was answered `{d}`: {why}"
    );
    assert!(
        why.contains("could not finish recording this call within"),
        "{why}"
    );
    assert!(
        t.elapsed() < Duration::from_secs(40),
        "the hook waited {:?} for a stuck trail",
        t.elapsed()
    );
    drop(held);
    let (d, why) = ask_hook(&w, &w.ws, "Read", &input);
    assert_eq!(d, "allow", "control failed once the lock is free: {why}");
}

// ------------------------------------------------- class 5: the daemon

/// `git push` asks; everything else is allowed, so the sandboxed
/// attacker's own command runs and meets the daemon, not the policy.
const ASKING: &str = "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\nallow_unix_sockets = true\n[limits]\ntimeout_secs = 60\n[agents]\napproval_timeout_secs = 60\n[[rules]]\ncommand = [\"git\", \"push\"]\ndecision = \"ask\"\nreason = \"code leaves the machine\"\n[[rules]]\ncommand = [\"*\"]\ndecision = \"allow\"\nreason = \"the attacks meet the daemon, not the policy\"\n";

use super::fixture::Serve;

fn rpc(s: &mut UnixStream, method: &str, params: &Value) -> Value {
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

/// Asks (an `exec` of `git push`) from this test process, and waits until
/// the ask is pending; returns its id and the thread with the answer.
fn ask_push(w: &World) -> (u64, std::thread::JoinHandle<Value>) {
    w.git(&w.ws, &["init", "-q"]);
    let socket = w.socket();
    let t = std::thread::spawn(move || {
        let mut s = UnixStream::connect(&socket).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(90))).unwrap();
        rpc(
            &mut s,
            "exec",
            &json!({"argv": ["git", "push", "origin", "main"]}),
        )
    });
    for _ in 0..400 {
        let o = w.run(["approvals", "list", "--json"]);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
        if let Some(id) = v["pending"][0]["id"].as_u64() {
            return (id, t);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("no ask reached the queue");
}

fn assert_still_pending(w: &World, id: u64, what: &str) {
    let o = w.run(["approvals", "list", "--json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v["pending"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id),
        "gate bypassed: {what} answered ask {id}: {v}"
    );
}

/// The human approves from another terminal, and the asker hears it.
fn human_approves(w: &World, id: u64, asker: std::thread::JoinHandle<Value>) {
    let (out, err) = w.answer_from_another_terminal(&["approve", &id.to_string()]);
    assert!(
        out.contains(&format!("approved {id}")),
        "control failed: the human's `rampart approvals approve {id}` from another terminal: {out} {err}"
    );
    let r = asker.join().unwrap();
    assert!(
        r["result"]["approved_by"]
            .as_str()
            .is_some_and(|b| b.contains("through rampart approvals")),
        "control failed: the asker did not get the human's approval: {r}"
    );
}

const PY_CLIENT: &str = r#"
import json, socket, struct, sys
def call(method, params):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    s.sendall(struct.pack(">I", len(body)) + body)
    n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
    print(s.recv(n, socket.MSG_WAITALL).decode())
call("approvals.answer", {"id": int(sys.argv[2]), "approve": True, "for_session": True})
call("exec", {"argv": ["touch", sys.argv[3]]})
call("write_file", {"path": "made-by-daemon", "content": "x"})
"#;

#[test]
fn daemon_refuses_answers_and_actions_from_inside_a_sandbox() {
    let w = World::with_config(ASKING);
    let _d = Serve::start(&w);
    let (id, asker) = ask_push(&w);
    let socket = w.socket();
    let env_run = format!("XDG_RUNTIME_DIR={}", w.runtime_dir().display());
    // The sandboxed command (unix sockets allowed) runs `rampart approvals`.
    let rampart = super::fixture::rampart_bin();
    for verb in ["approve", "deny"] {
        let o = w.run([
            "exec".as_ref(),
            "--".as_ref(),
            "env".as_ref(),
            env_run.as_ref(),
            rampart.as_os_str(),
            "approvals".as_ref(),
            verb.as_ref(),
            id.to_string().as_ref(),
        ] as [&std::ffi::OsStr; 8]);
        assert!(
            !stdout(&o).contains("approved") && !stdout(&o).contains("denied"),
            "gate bypassed: a sandboxed `rampart approvals {verb} {id}` was accepted: {}",
            stdout(&o)
        );
        assert!(
            stderr(&o).contains("inside a rampart sandbox"),
            "the sandboxed answer must reach the daemon and be refused by it (is the socket reachable with allow_unix_sockets?): {}",
            stderr(&o)
        );
        assert_still_pending(&w, id, &format!("a sandboxed `rampart approvals {verb}`"));
    }
    // A raw client inside the sandbox: answer, then act through the daemon.
    let marker = w.sibling.join("made-through-daemon");
    let o = w.run([
        "exec".as_ref(),
        "--".as_ref(),
        "python3".as_ref(),
        "-c".as_ref(),
        PY_CLIENT.as_ref(),
        socket.as_os_str(),
        id.to_string().as_ref(),
        marker.as_os_str(),
    ] as [&std::ffi::OsStr; 8]);
    let replies: Vec<Value> = stdout(&o)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(
        replies.len(),
        3,
        "the raw client must reach the daemon: {} {}",
        stdout(&o),
        stderr(&o)
    );
    for r in &replies {
        assert!(
            r["result"].is_null() && r["error"]["code"] == -32001,
            "gate bypassed: a sandboxed raw client was served: {r}"
        );
    }
    assert!(
        !marker.exists() && !w.ws.join("made-by-daemon").exists(),
        "gate bypassed: a sandboxed client acted through the daemon"
    );
    assert_still_pending(&w, id, "a sandboxed raw socket client");
    // Every refusal is in the trail.
    let q = w.run(["audit", "query", "--json"]);
    assert!(
        stdout(&q).matches("inside a rampart sandbox").count() >= 5,
        "the refusals must be recorded: {}",
        stdout(&q)
    );
    // Control: the human's answer from outside still works.
    human_approves(&w, id, asker);
}

#[test]
fn daemon_refuses_answers_from_the_asking_tree_and_session() {
    let w = World::with_config(ASKING);
    let _d = Serve::start(&w);
    let (id, asker) = ask_push(&w);
    let rampart = super::fixture::rampart_bin();
    let sid = id.to_string();
    // A child of the asker, in its session.
    let o = w.run(["approvals", "approve", &sid]);
    assert!(
        !o.status.success() && stderr(&o).contains("session that asked"),
        "gate bypassed: the asker's child answered its ask: {} {}",
        stdout(&o),
        stderr(&o)
    );
    // A child of the asker in a new session (`setsid`).
    let o = w
        .like("setsid")
        .arg(&rampart)
        .args(["approvals", "approve", &sid])
        .output()
        .unwrap();
    assert!(
        !o.status.success() && stderr(&o).contains("descends from the process that asked"),
        "gate bypassed: the asker's child in a new session answered: {} {}",
        stdout(&o),
        stderr(&o)
    );
    // An orphan in the asker's session (a double fork through a shell).
    let mut c = w.like("bash");
    c.arg("-c").arg(format!(
        "{} approvals approve {sid} & exit 0",
        rampart.display()
    ));
    let (out, err) = run_orphaned(c, &w.base.join("orphan.out"), &w.base.join("orphan.err"));
    assert!(
        !out.contains("approved") && err.contains("session that asked"),
        "gate bypassed: an orphan in the asker's session answered: {out} {err}"
    );
    assert_still_pending(&w, id, "the asking tree");
    let q = w.run(["audit", "query", "--json"]);
    assert!(
        stdout(&q).matches("refused the answer to ask").count() >= 3,
        "the refusals must be recorded: {}",
        stdout(&q)
    );
    // Control: the human, from another terminal.
    human_approves(&w, id, asker);
}

const PY_SURFACE: &str = r#"
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
ask = {"summary": "git push origin main", "risk": "medium", "reasons": ["code leaves the machine"], "surface": "mcp", "session": "s"}
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "approvals.request", "params": ask}).encode()
s.sendall(struct.pack(">I", len(body)) + body)
n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
print(s.recv(n, socket.MSG_WAITALL).decode())
"#;

#[test]
fn daemon_refuses_answers_from_the_agent_behind_an_asking_surface() {
    // A surface (here a Python stand-in for `rampart mcp`) asks for the
    // agent that started it (this test process): the agent's other
    // children, its Bash tool's commands, may not answer.
    let w = World::with_config(ASKING);
    let _d = Serve::start(&w);
    let surface = w
        .like("python3")
        .args(["-c", PY_SURFACE])
        .arg(w.socket())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut id = None;
    for _ in 0..400 {
        let o = w.run(["approvals", "list", "--json"]);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
        id = v["pending"][0]["id"].as_u64();
        if id.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let id = id
        .expect("the surface's ask did not reach the queue")
        .to_string();
    let o = w
        .like("setsid")
        .arg(super::fixture::rampart_bin())
        .args(["approvals", "approve", &id])
        .output()
        .unwrap();
    assert!(
        !o.status.success() && stderr(&o).contains("descends from"),
        "gate bypassed: the agent's own command answered its surface's ask: {} {}",
        stdout(&o),
        stderr(&o)
    );
    let (out, err) = w.answer_from_another_terminal(&["approve", &id]);
    assert!(out.contains("approved"), "control failed: {out} {err}");
    let o = surface.wait_with_output().unwrap();
    assert!(
        stdout(&o).contains("\"approved\":true"),
        "control failed: the surface did not hear the human's approval: {} {}",
        stdout(&o),
        stderr(&o)
    );
}

/// Masking re-parsed scripts inside scripts at every level, so a command
/// nesting `$(…)` fifty deep made `rampart exec` hang before running it
/// and the hook answer with its record deadline instead of the decision.
/// Both now answer with the decision itself.
#[test]
fn a_deeply_nested_command_gets_its_decision_not_a_stall() {
    let w = World::new();
    let nested = format!("{}true{}", "echo $(".repeat(50), ")".repeat(50));
    let o = w.run(["exec", "--", "bash", "-c", &nested]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (decision, why) =
        super::fixture::hook_call(&w, "Bash", &serde_json::json!({"command": nested}));
    assert!(
        !why.contains("could not finish recording") && !why.contains("could not decide"),
        "gate bypassed: the hook answered {decision} from a deadline, not the decision: {why}"
    );
}
