//! Issue 12, classes 4 and 5: file surfaces judge what a path really
//! names, the hook never fails open, and the daemon cannot be answered by
//! the asker. Every attack fails with "gate bypassed: …" when it works,
//! and each has a control showing the legitimate call still works.

#![allow(
    clippy::many_single_char_names,
    clippy::too_many_lines,
    reason = "scenario tests: w(orld), d(aemon), s(ocket), t(ime), o(utput)"
)]

use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::fixture::{stderr, stdout, World, BASE_CONFIG};

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
    use std::io::Write;
    let call = json!({"session_id": "s", "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": input});
    let mut c = w.cmd(["hook", "claude-code"]);
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(call.to_string().as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "the hook must exit 0 with an answer: {}",
        stderr(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("hook output is not JSON ({e}): {}", stdout(&o)));
    let h = &v["hookSpecificOutput"];
    (
        h["permissionDecision"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        h["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
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
