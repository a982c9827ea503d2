//! `rampart hook claude-code`: a Claude Code `PreToolUse` hook.
//!
//! Reads one tool call (at most 4 MiB) on stdin, decides with the config
//! in force for the call's `cwd`, records the decision, and prints the
//! answer Claude Code documents. Always exits 0 with a JSON answer, so a
//! problem becomes a visible `ask` or `deny` rather than a hook error.

use std::io::{Read, Write};

use rampart_gate::{Event, Recorder, Stage, Verdict};
use rampart_server::hook::{self, HookInput, Plan};
use serde_json::Value;

use crate::approve::HookTicket;
use crate::args::Global;
use crate::exit::Exit;
use crate::{load, record};

/// The most stdin the hook reads.
const MAX_INPUT: u64 = 4 << 20;

fn say(answer: &Value) -> Exit {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{answer}");
    let _ = out.flush();
    Exit::Ok
}

/// The Bash tool input rewritten to run under `rampart exec`; for an ask,
/// with the one-time ticket `exec` will find if the human says yes.
fn sandboxed(
    global: &Global,
    config: &rampart_policy::Config,
    cwd: &std::path::Path,
    cmd: &str,
    verdict: Verdict,
    tool_input: &Value,
) -> Result<Value, String> {
    let me = std::env::current_exe().map_err(|e| {
        format!("rampart cannot find its own binary to sandbox this command ({e}); set `[agents] rewrite_bash = false` to only judge it")
    })?;
    if verdict == Verdict::Ask {
        let rewritten = rampart_gate::Action::Exec {
            argv: vec!["bash".into(), "-c".into(), cmd.to_owned()],
            cwd: cwd.to_path_buf(),
        };
        HookTicket::new(&config.audit.dir, &rewritten)
            .issue()
            .map_err(|e| format!("rampart could not prepare the approval for this command: {e}"))?;
    }
    let mut updated = tool_input.clone();
    updated["command"] = Value::String(hook::rewrite_bash(
        &me,
        &super::agents::global_flags(global),
        cwd,
        cmd,
    ));
    Ok(updated)
}

/// The tool call on stdin, or why it cannot be read.
fn read_input() -> Result<HookInput, String> {
    let mut raw = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("rampart could not read the hook input: {e}"))?;
    if raw.len() as u64 > MAX_INPUT {
        return Err("rampart refused the hook input: it is over 4 MiB".into());
    }
    serde_json::from_slice(&raw).map_err(|e| {
        format!("rampart could not read the hook input ({e}); is it a Claude Code PreToolUse call?")
    })
}

pub(crate) fn claude_code(global: &Global) -> Exit {
    let input = match read_input() {
        Ok(i) => i,
        Err(why) => return say(&hook::answer("ask", &why, None)),
    };
    let cwd = std::fs::canonicalize(&input.cwd).unwrap_or_else(|_| input.cwd.clone());
    let loaded = load::load(
        global.config.as_deref(),
        Some(&cwd),
        global.profile.as_deref(),
    );
    if !loaded.errors.is_empty() {
        let first = loaded
            .errors
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        return say(&hook::answer(
            "deny",
            &format!("rampart's config has errors, so it refuses every tool call until they are fixed: {first}"),
            None,
        ));
    }
    let config = loaded.config;
    let (action, bash) = match hook::plan(&input, config.agents.unknown_tool) {
        Plan::Answer { decision, reason } => return say(&hook::answer(decision, &reason, None)),
        Plan::Judge {
            action,
            bash_command,
        } => (action, bash_command),
    };
    let decision = rampart_policy::decide(&config, &action);
    let mut recorder = record::recorder(&config, input.session_id.clone());
    recorder.surface = Some("hook:claude-code".into());
    let event = Event {
        stage: Stage::Decided,
        action: &action,
        decision: &decision,
        approval: None,
        result: Some(format!("answered {}", decision.verdict)),
        ran: None,
    };
    if let Err(e) = recorder.record(&event) {
        if recorder.fail_closed() {
            return say(&hook::answer(
                "deny",
                &format!("rampart cannot record this action, so it is refused: {e} (run `rampart doctor`)"),
                None,
            ));
        }
        recorder.unrecorded(&e);
    }
    record::after_action(&recorder);
    let mut reason = decision.reasons.join("; ");
    if let Some(rule) = &decision.rule {
        reason.push_str(" [rule: ");
        reason.push_str(rule);
        reason.push(']');
    }
    let word = match decision.verdict {
        Verdict::Allow => "allow",
        Verdict::Ask => "ask",
        Verdict::Deny => "deny",
    };
    let updated = match (&bash, decision.verdict) {
        (Some(cmd), Verdict::Allow | Verdict::Ask) if config.agents.rewrite_bash => {
            match sandboxed(
                global,
                &config,
                &cwd,
                cmd,
                decision.verdict,
                &input.tool_input,
            ) {
                Ok(u) => {
                    reason = if reason.is_empty() {
                        "runs inside rampart's sandbox".into()
                    } else {
                        format!("{reason}; runs inside rampart's sandbox")
                    };
                    Some(u)
                }
                Err(why) => return say(&hook::answer("deny", &why, None)),
            }
        }
        _ => None,
    };
    if reason.is_empty() {
        reason = format!("rampart: {word}");
    }
    say(&hook::answer(word, &reason, updated))
}
