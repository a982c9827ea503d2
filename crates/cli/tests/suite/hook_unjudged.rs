//! Issue 13: the Claude Code hook's answers given without a decision (a
//! call it cannot read, a tool it does not know, a config with errors, a
//! decision that did not come in time, an invalid action) are recorded
//! through the gate with the verdict actually answered: for each, the
//! trail's last event says what the hook printed, or the hook bypassed
//! the gate.

use std::process::Output;

use serde_json::{json, Value};

use super::fixture::{hook_answer, trail, World, ALLOW_ALL, BASE_CONFIG};

fn call(tool: &str, w: &World, input: &Value) -> Vec<u8> {
    json!({
        "session_id": "unjudged-s1",
        "cwd": w.ws,
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": input,
    })
    .to_string()
    .into_bytes()
}

fn hook(w: &World, body: &[u8], env: &[(&str, &str)]) -> Output {
    use std::io::Write;
    let mut c = w
        .cmd(["hook", "claude-code"])
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _ = c.stdin.take().unwrap().write_all(body);
    c.wait_with_output().unwrap()
}

/// Asserts exactly one new event, answered `verdict` as printed, on the
/// hook's surface, naming the tool when it could be read.
#[track_caller]
fn assert_recorded_once(before: usize, w: &World, what: &str, printed: &str, tool: Option<&str>) {
    let all = trail(w);
    let new = &all[before..];
    assert_eq!(
        new.len(),
        1,
        "gate bypassed: {what} (answered `{printed}`) left {} events: {new:?}",
        new.len()
    );
    let e = &new[0];
    assert_eq!(
        (
            e["unmapped"]["verdict"].as_str(),
            e["unmapped"]["surface"].as_str()
        ),
        (Some(printed), Some("hook:claude-code")),
        "gate bypassed: {what} was answered `{printed}` but recorded {e}"
    );
    if let Some(t) = tool {
        assert_eq!(e["api"]["operation"], t, "{what}: {e}");
        assert_eq!(e["unmapped"]["session_id"], "unjudged-s1", "{what}: {e}");
    }
}

/// (what, body, environment, expected answer, tool named)
type Case<'a> = (
    &'a str,
    Vec<u8>,
    Vec<(&'a str, &'a str)>,
    &'a str,
    Option<&'a str>,
);

#[test]
fn answers_without_a_decision_are_recorded_as_answered() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    // Control: a judged call records once (its decision), not twice.
    let before = trail(&w).len();
    let (d, why) = hook_answer(&hook(
        &w,
        &call("Read", &w, &json!({"file_path": w.ws.join("notes.txt")})),
        &[],
    ));
    assert_eq!(d, "allow", "control failed: {why}");
    let all = trail(&w);
    assert_eq!(
        all.len(),
        before + 1,
        "a judged call records once: {:?}",
        &all[before..]
    );
    assert_eq!(all[before]["unmapped"]["stage"], "decided");
    // (what, body, env, expected answer, tool named)
    let cases: Vec<Case<'_>> = vec![
        (
            "input that is not JSON",
            b"{not json".to_vec(),
            vec![],
            "deny",
            None,
        ),
        (
            "a Bash call without a command",
            call("Bash", &w, &json!({})),
            vec![],
            "deny",
            Some("Bash"),
        ),
        (
            "an unknown tool",
            call("Frobnicate", &w, &json!({"x": 1})),
            vec![],
            "ask",
            Some("Frobnicate"),
        ),
        (
            "a decision that stalls past its deadline",
            call("Read", &w, &json!({"file_path": w.ws.join("notes.txt")})),
            vec![("RAMPART_TEST_HOOK_FAULT", "stall")],
            "deny",
            Some("Read"),
        ),
        (
            "a decision that crashed",
            call("Read", &w, &json!({"file_path": w.ws.join("notes.txt")})),
            vec![("RAMPART_TEST_HOOK_FAULT", "panic")],
            "deny",
            Some("Read"),
        ),
    ];
    for (what, body, env, want, tool) in cases {
        let before = trail(&w).len();
        let (d, why) = hook_answer(&hook(&w, &body, &env));
        assert_eq!(d, want, "control failed: {what}: {why}");
        assert_recorded_once(before, &w, what, &d, tool);
    }
    // `[agents] unknown_tool = "deny"`: recorded as the deny answered.
    w.set_config(&format!(
        "{BASE_CONFIG}[agents]\nunknown_tool = \"deny\"\n{ALLOW_ALL}"
    ));
    let before = trail(&w).len();
    let (d, why) = hook_answer(&hook(&w, &call("Frobnicate", &w, &json!({})), &[]));
    assert_eq!(d, "deny", "control failed: {why}");
    assert_recorded_once(
        before,
        &w,
        "an unknown tool refused",
        &d,
        Some("Frobnicate"),
    );
}

#[test]
fn a_config_with_errors_is_recorded_in_the_default_trail() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    let before = trail(&w).len();
    // The config moves the trail and has an error: where it meant the
    // trail to be is not known, so the answer goes to the default trail
    // (`$XDG_STATE_HOME/rampart`, the one `trail` reads).
    let moved = w.base.join("elsewhere");
    w.set_config(&format!(
        "{BASE_CONFIG}[audit]\ndir = \"{}\"\n[[rules]]\ncommand = [\"*\"]\ndecision = \"perhaps\"\n",
        moved.display()
    ));
    let (d, why) = hook_answer(&hook(
        &w,
        &call("Read", &w, &json!({"file_path": w.ws.join("notes.txt")})),
        &[],
    ));
    assert_eq!(d, "deny", "control failed: {why}");
    assert!(why.contains("config has errors"), "{why}");
    w.set_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    assert_recorded_once(before, &w, "a config with errors", &d, Some("Read"));
    assert!(!moved.join("audit.jsonl").exists());
}

#[test]
fn an_answer_without_a_decision_that_cannot_be_recorded_is_deny() {
    // The trail cannot be opened (its directory is a file) and the audit
    // is fail-closed: an unknown tool the config lets through is refused.
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let blocked = w.base.join("blocked");
    std::fs::write(&blocked, "a file, not a directory").unwrap();
    w.set_config(&format!(
        "{BASE_CONFIG}[audit]\ndir = \"{}\"\n[agents]\nunknown_tool = \"allow\"\n{ALLOW_ALL}",
        blocked.display()
    ));
    let (d, why) = hook_answer(&hook(&w, &call("Frobnicate", &w, &json!({})), &[]));
    assert_eq!(
        d, "deny",
        "gate bypassed: an unrecorded answer without a decision was `{d}`: {why}"
    );
    assert!(why.contains("cannot record"), "{why}");
    // Control: with a trail, the same call is let through as configured.
    w.set_config(&format!(
        "{BASE_CONFIG}[agents]\nunknown_tool = \"allow\"\n{ALLOW_ALL}"
    ));
    let before = trail(&w).len();
    let (d, why) = hook_answer(&hook(&w, &call("Frobnicate", &w, &json!({})), &[]));
    assert_eq!(d, "allow", "control failed: {why}");
    assert_recorded_once(
        before,
        &w,
        "an unknown tool let through",
        &d,
        Some("Frobnicate"),
    );
}
