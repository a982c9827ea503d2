//! Issue 14: the Claude Code hook speaks the whole protocol. Only a
//! `PreToolUse` call is judged, and every other event gets its own
//! neutral answer (silence), never a `PreToolUse` one; `tool_use_id` and
//! `permission_mode` reach the trail; `[[rules]] tool = "…"` decides the
//! tools rampart does not know (MCP tools) and only tightens the ones it
//! does; a secret in what a file tool writes is asked about; and
//! `[agents] defer_allow` leaves an allow to Claude Code's own prompts.

use std::process::Output;

use serde_json::{json, Value};

use super::fixture::{hook_answer, hook_call, stderr, stdout, World, BASE_CONFIG};

/// The trail's last event.
fn last_event(w: &World) -> Value {
    let q = w.run(["audit", "query", "--json", "--limit", "1"]);
    let all: Vec<Value> = serde_json::from_str(&stdout(&q))
        .unwrap_or_else(|e| panic!("audit query --json ({e}): {} {}", stdout(&q), stderr(&q)));
    all.last().map(|e| e["event"].clone()).unwrap_or_default()
}

fn hook_raw(w: &World, body: &Value) -> Output {
    w.run_with_stdin(["hook", "claude-code"], body.to_string().as_bytes())
}

/// A fake GitHub token, built at run time.
fn fake_token() -> String {
    let mut g = rampart_detect::fake::Gen(14);
    rampart_detect::fake::expand(&mut g, "ghp_{Aa:30}{ghcrc}").unwrap()
}

#[test]
fn other_events_get_their_own_neutral_answer() {
    let w = World::with_config(BASE_CONFIG);
    let common = |event: &str| {
        json!({
            "session_id": "s1", "transcript_path": w.home.join(".claude/t.jsonl"),
            "cwd": w.ws, "permission_mode": "default", "hook_event_name": event,
        })
    };
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut post = common("PostToolUse");
    post["tool_name"] = json!("Bash");
    post["tool_input"] = json!({"command": "ls"});
    post["tool_response"] = json!({"stdout": "a\n", "stderr": ""});
    post["tool_use_id"] = json!("toolu_9");
    cases.push(("PostToolUse", post));
    let mut prompt = common("UserPromptSubmit");
    prompt["prompt"] = json!("fix the build");
    cases.push(("UserPromptSubmit", prompt));
    let mut stop = common("Stop");
    stop["stop_hook_active"] = json!(false);
    cases.push(("Stop", stop));
    let mut start = common("SessionStart");
    start["source"] = json!("startup");
    cases.push(("SessionStart", start));
    let mut note = common("Notification");
    note["message"] = json!("Claude needs your permission");
    cases.push(("Notification", note));
    let mut perm = common("PermissionRequest");
    perm["tool_name"] = json!("Bash");
    perm["tool_input"] = json!({"command": "ls"});
    cases.push(("PermissionRequest", perm));
    for (event, body) in cases {
        let o = hook_raw(&w, &body);
        assert_eq!(o.status.code(), Some(0), "{event}: {}", stderr(&o));
        assert!(
            !stdout(&o).contains("PreToolUse") && !stdout(&o).contains("permissionDecision"),
            "gate bypassed: a {event} event was answered as a PreToolUse call: {}",
            stdout(&o)
        );
        assert!(
            stdout(&o).trim().is_empty(),
            "a {event} event's neutral answer is no output: {}",
            stdout(&o)
        );
    }
    // Control: a call that names no event is still judged, and refused
    // when it cannot be read (fail-closed, in the PreToolUse shape).
    let o = hook_raw(
        &w,
        &json!({"cwd": w.ws, "tool_name": "Bash", "tool_input": {"command": "ls"}}),
    );
    let (d, why) = hook_answer(&o);
    assert_eq!(
        d, "deny",
        "gate bypassed: a call without an event name: {why}"
    );
}

#[test]
fn tool_use_id_and_permission_mode_are_recorded() {
    let w = World::with_config(BASE_CONFIG);
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    let (d, why) = hook_call(&w, "Read", &json!({"file_path": w.ws.join("notes.txt")}));
    assert_eq!(d, "allow", "control failed: {why}");
    let e = last_event(&w);
    assert_eq!(e["unmapped"]["tool_use_id"], "toolu_1", "{e}");
    assert_eq!(e["unmapped"]["permission_mode"], "default", "{e}");
    // An answer given without a decision (an unknown tool) carries them too.
    let (d, _) = hook_call(&w, "Frobnicate", &json!({}));
    assert_eq!(d, "ask");
    let e = last_event(&w);
    assert_eq!(e["unmapped"]["tool_use_id"], "toolu_1", "{e}");
}

const TOOL_RULES: &str = "[agents]\nunknown_tool = \"deny\"\n\
[[rules]]\ntool = \"mcp__github__*\"\ndecision = \"allow\"\nreason = \"the GitHub server is trusted\"\n\
[[rules]]\ntool = \"mcp__github__delete_*\"\ndecision = \"deny\"\nreason = \"no deleting on GitHub\"\n\
[[rules]]\ntool = \"Bash\"\ndecision = \"deny\"\nreason = \"no shell here\"\n\
[[rules]]\ntool = \"Read\"\ndecision = \"allow\"\nreason = \"reads are fine\"\n\
[[rules]]\ntool = \"mcp__jira__*\"\ndecision = \"ask\"\nreason = \"jira writes to the tracker\"\n";

#[test]
fn tool_rules_decide_mcp_tools_and_only_tighten_known_ones() {
    let w = World::with_config(&format!("{BASE_CONFIG}{TOOL_RULES}"));
    // Control: an MCP tool with an allow rule is allowed, and recorded
    // with the rule that allowed it.
    let (d, why) = hook_call(&w, "mcp__github__list_issues", &json!({"repo": "a/b"}));
    assert_eq!(d, "allow", "control failed: {why}");
    assert!(why.contains("the GitHub server is trusted"), "{why}");
    let e = last_event(&w);
    assert_eq!(e["api"]["operation"], "mcp__github__list_issues", "{e}");
    assert_eq!(e["unmapped"]["verdict"], "allow", "{e}");
    let rule = e["unmapped"]["rule"].as_str().unwrap_or_default();
    assert!(rule.ends_with("config.toml:8"), "recorded rule: {e}");
    // A deny rule for part of the server holds whatever allow precedes it.
    let (d, why) = hook_call(&w, "mcp__github__delete_repo", &json!({"repo": "a/b"}));
    assert_eq!(
        d, "deny",
        "gate bypassed: a deny tool rule lost to an earlier allow: {why}"
    );
    let (d, why) = hook_call(&w, "mcp__jira__create", &json!({}));
    assert_eq!(d, "ask", "{why}");
    // A tool no rule names gets `[agents] unknown_tool`.
    let (d, why) = hook_call(&w, "mcp__slack__post", &json!({}));
    assert_eq!(
        d, "deny",
        "gate bypassed: unknown_tool = deny not applied: {why}"
    );
    // A deny rule for a known tool denies it.
    let (d, why) = hook_call(&w, "Bash", &json!({"command": "ls"}));
    assert_eq!(
        d, "deny",
        "gate bypassed: a deny tool rule for Bash let it through: {why}"
    );
    assert!(why.contains("no shell here"), "{why}");
    // An allow rule never loosens rampart's own judgement of a known tool.
    let (d, why) = hook_call(
        &w,
        "Read",
        &json!({"file_path": w.home.join(".ssh/id_test")}),
    );
    assert_eq!(
        d, "deny",
        "gate bypassed: an allow tool rule loosened the deny of ~/.ssh: {why}"
    );
    // Control: the allowed read still works.
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    let (d, why) = hook_call(&w, "Read", &json!({"file_path": w.ws.join("notes.txt")}));
    assert_eq!(d, "allow", "control failed: {why}");
    // `approval_policy = "never"`: an ask rule is a deny.
    w.set_config(&format!(
        "approval_policy = \"never\"\n{BASE_CONFIG}{TOOL_RULES}"
    ));
    let (d, why) = hook_call(&w, "mcp__jira__create", &json!({}));
    assert_eq!(
        d, "deny",
        "gate bypassed: approval_policy never asked: {why}"
    );
}

#[test]
fn a_secret_in_new_file_content_is_asked_about() {
    let w = World::with_config(BASE_CONFIG);
    let token = fake_token();
    let file = w.ws.join("config.py");
    // Control: a clean write is allowed.
    let (d, why) = hook_call(
        &w,
        "Write",
        &json!({"file_path": file, "content": "x = 1\n"}),
    );
    assert_eq!(d, "allow", "control failed: {why}");
    let cases = [
        (
            "Write",
            json!({"file_path": file, "content": format!("TOKEN = \"{token}\"\n")}),
        ),
        (
            "Edit",
            json!({"file_path": file, "old_string": "x = 1", "new_string": format!("x = \"{token}\"")}),
        ),
        (
            "MultiEdit",
            json!({"file_path": file, "edits": [
                {"old_string": "a", "new_string": "b"},
                {"old_string": "x = 1", "new_string": format!("x = \"{token}\"")}
            ]}),
        ),
        (
            "NotebookEdit",
            json!({"notebook_path": w.ws.join("n.ipynb"), "new_source": format!("t = '{token}'")}),
        ),
    ];
    for (tool, input) in cases {
        let (d, why) = hook_call(&w, tool, &input);
        assert_eq!(
            d, "ask",
            "gate bypassed: a secret in {tool} content was not asked about: {why}"
        );
        assert!(
            why.contains("detection rule `"),
            "{tool}: the reason names the rule: {why}"
        );
        assert!(
            !why.contains(&token),
            "{tool}: the reason shows the secret: {why}"
        );
        let e = last_event(&w);
        assert_eq!(e["unmapped"]["verdict"], "ask", "{tool}: recorded {e}");
        assert!(
            !e.to_string().contains(&token),
            "{tool}: the trail holds the secret"
        );
    }
    // `approval_policy = "never"`: the ask is a deny.
    w.set_config(&format!("approval_policy = \"never\"\n{BASE_CONFIG}"));
    let (d, why) = hook_call(
        &w,
        "Write",
        &json!({"file_path": file, "content": format!("TOKEN = \"{token}\"\n")}),
    );
    assert_eq!(
        d, "deny",
        "gate bypassed: approval_policy never asked: {why}"
    );
}

#[test]
fn defer_allow_answers_nothing_where_rampart_allows() {
    let w = World::with_config(&format!("{BASE_CONFIG}[agents]\ndefer_allow = true\n"));
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    let call = |tool: &str, input: Value| {
        json!({
            "session_id": "s1", "cwd": w.ws, "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": input,
            "tool_use_id": "toolu_7",
        })
    };
    // An allow: no output, exit 0, and the decision is recorded.
    let out = hook_raw(
        &w,
        &call("Read", json!({"file_path": w.ws.join("notes.txt")})),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).trim().is_empty(),
        "an allow under defer_allow says nothing: {}",
        stdout(&out)
    );
    let event = last_event(&w);
    assert_eq!(
        (
            event["unmapped"]["verdict"].as_str(),
            event["unmapped"]["hook_mode"].as_str()
        ),
        (Some("allow"), Some("defer_allow")),
        "the deferred allow is recorded: {event}"
    );
    assert_eq!(event["unmapped"]["tool_use_id"], "toolu_7", "{event}");
    // A deny is still answered.
    let (d, why) = hook_answer(&hook_raw(
        &w,
        &call("Read", json!({"file_path": w.home.join(".ssh/id_test")})),
    ));
    assert_eq!(
        d, "deny",
        "gate bypassed: defer_allow silenced a deny: {why}"
    );
    // A Bash command rampart allows is still handed over sandboxed: an ask
    // with the rewrite, so the human decides and it runs under `rampart exec`.
    let bash = hook_raw(&w, &call("Bash", json!({"command": "ls"})));
    let (d, why) = hook_answer(&bash);
    assert_eq!(d, "ask", "{why}");
    let v: Value = serde_json::from_slice(&bash.stdout).unwrap();
    let cmd = v["hookSpecificOutput"]["updatedInput"]["command"]
        .as_str()
        .unwrap_or_default();
    assert!(
        cmd.contains(" exec ") && cmd.ends_with("bash -c ls"),
        "gate bypassed: defer_allow dropped the sandboxed rewrite: {v}"
    );
    assert_eq!(last_event(&w)["unmapped"]["verdict"], "ask");
}

#[test]
fn a_project_file_cannot_switch_off_the_secret_check() {
    let w = World::with_config(BASE_CONFIG);
    let token = fake_token();
    let write = json!({"file_path": w.ws.join("app.py"), "content": format!("T = \"{token}\"\n")});
    let (d, why) = hook_call(&w, "Write", &write);
    assert_eq!(d, "ask", "{why}");
    // The rule id the reason names, as the project would disable it.
    let id = why
        .split("detection rule `")
        .nth(1)
        .and_then(|r| r.split('`').next())
        .unwrap_or_default()
        .to_owned();
    assert!(!id.is_empty(), "{why}");
    std::fs::write(
        w.ws.join("rampart.toml"),
        format!("[detect]\ndisable = [\"{id}\"]\nallow = [\".*\"]\n"),
    )
    .unwrap();
    let (d, why) = hook_call(&w, "Write", &write);
    assert_eq!(
        d, "ask",
        "gate bypassed: the project's own [detect] turned off the secret check on writes: {why}"
    );
}
