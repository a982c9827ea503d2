//! Red-team attacks on the Claude Code hook (issue 12, class 4): a path
//! whose lexical clean-up and kernel walk name different files, and
//! searches of a directory that holds a `deny_read` entry. Each fails with
//! "gate bypassed: …" when it works, with a control that the legitimate
//! call is still allowed.

#![allow(
    clippy::many_single_char_names,
    reason = "scenario tests: w(orld), d(ecision), o(utput), h(ook answer)"
)]

use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Stdio;

use serde_json::{json, Value};

use super::fixture::{stderr, World, BASE_CONFIG};

/// The hook's decision and reason for `tool` with `input`, from `cwd`.
fn hook(w: &World, cwd: &Path, tool: &str, input: &Value) -> (String, String) {
    let call = json!({"session_id": "s", "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": input});
    let mut child = w
        .cmd(["hook", "claude-code"])
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
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "the hook failed: {}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let h = &v["hookSpecificOutput"];
    let s = |k: &str| h[k].as_str().unwrap_or_default().to_owned();
    (s("permissionDecision"), s("permissionDecisionReason"))
}

/// `ws/a/../s/config`: the kernel walks `a` (a symlink to `ws/sub/inner`)
/// then `..` to `ws/sub/s/config`, a harmless file; Node's `path.resolve`
/// (what Claude Code's tools do first) cleans it to `ws/s/config`, and
/// `ws/s` is a symlink to `~/.ssh`. Both readings must be judged.
#[test]
fn hook_judges_the_lexically_cleaned_path_too() {
    let w = World::with_config(BASE_CONFIG);
    let ws = w.ws.clone();
    std::fs::write(w.home.join(".ssh/config"), "FAKE made at run time").unwrap();
    std::fs::create_dir_all(ws.join("sub/inner")).unwrap();
    std::fs::create_dir_all(ws.join("sub/s")).unwrap();
    std::fs::write(ws.join("sub/s/config"), "harmless").unwrap();
    symlink(ws.join("sub/inner"), ws.join("a")).unwrap();
    symlink(w.home.join(".ssh"), ws.join("s")).unwrap();
    for (tool, key) in [("Read", "file_path"), ("Write", "file_path")] {
        let input = json!({ key: ws.join("a/../s/config"), "content": "x" });
        let (d, why) = hook(&w, &ws, tool, &input);
        assert_ne!(
            d, "allow",
            "gate bypassed: {tool} `a/../s/config` (cleaned to a path through a symlink to ~/.ssh) was allowed: {why}"
        );
    }
    let (d, why) = hook(
        &w,
        &ws,
        "Read",
        &json!({"file_path": ws.join("a/../s/config")}),
    );
    assert_eq!(d, "deny", "gate bypassed: answered `{d}`: {why}");
    assert!(why.contains("deny_read"), "{why}");
    // Control: the same file reached without the symlink, and a `..` that
    // stays in the workspace, are allowed.
    for p in ["sub/s/config", "sub/inner/../s/config"] {
        let (d, why) = hook(&w, &ws, "Read", &json!({ "file_path": p }));
        assert_eq!(d, "allow", "control failed: Read `{p}`: {why}");
    }
}

/// A `Grep` (which reads every file beneath its path) or a deep `Glob`
/// of a directory that holds `~/.ssh` reads or lists what `deny_read`
/// hides: it gets `~/.ssh`'s answer, whether the directory is the
/// workspace (Claude Code started in `~`) or a path given to the tool.
#[test]
fn hook_searches_over_a_hidden_directory_get_its_answer() {
    let w = World::with_config(BASE_CONFIG);
    let (ws, home) = (w.ws.clone(), w.home.clone());
    std::fs::write(home.join("notes.md"), "plain").unwrap();
    symlink(&home, ws.join("h")).unwrap();
    let attacks: &[(&Path, &str, Value)] = &[
        (&home, "Grep", json!({"pattern": "FAKE"})),
        (&home, "Grep", json!({"pattern": "FAKE", "glob": ".ssh/*"})),
        (&home, "Grep", json!({"pattern": "FAKE", "path": "."})),
        (&home, "Glob", json!({"pattern": "**/id_*"})),
        (&home, "Glob", json!({"pattern": "*/id_*"})),
        (&ws, "Grep", json!({"pattern": "FAKE", "path": "~"})),
        (&ws, "Grep", json!({"pattern": "FAKE", "path": "h"})),
        (&ws, "Glob", json!({"pattern": "h/**"})),
    ];
    for (cwd, tool, input) in attacks {
        let (d, why) = hook(&w, cwd, tool, input);
        assert_eq!(
            d,
            "deny",
            "gate bypassed: {tool} {input} from {} (a tree holding ~/.ssh) was answered `{d}`: {why}",
            cwd.display()
        );
        assert!(why.contains("deny_read"), "{why}");
    }
    // Controls: a shallow Glob in `~`, a search of a file beside `.ssh`,
    // and searches of the workspace are allowed.
    let controls: &[(&Path, &str, Value)] = &[
        (&home, "Glob", json!({"pattern": "*.md"})),
        (
            &home,
            "Grep",
            json!({"pattern": "plain", "path": "notes.md"}),
        ),
        (&ws, "Grep", json!({"pattern": "x"})),
        (&ws, "Glob", json!({"pattern": "**/*.rs"})),
    ];
    for (cwd, tool, input) in controls {
        let (d, why) = hook(&w, cwd, tool, input);
        assert_eq!(d, "allow", "control failed: {tool} {input}: {why}");
    }
}
