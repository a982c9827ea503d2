//! `rampart hook claude-code`: a Claude Code `PreToolUse` hook.
//!
//! Reads one tool call (at most 4 MiB) on stdin, decides with the config
//! in force for the call's `cwd`, records the decision, and prints the
//! answer Claude Code documents. Always exits 0 with a JSON answer, so a
//! problem becomes a visible `ask` or `deny` rather than a hook error.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

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
    globals: &[String],
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
    updated["command"] = Value::String(hook::rewrite_bash(&me, globals, cwd, cmd));
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

/// How long loading the config, resolving paths and deciding may take
/// before the hook answers `deny` itself. Claude Code treats a hook that
/// times out (or crashes) as a non-blocking error and runs the tool: the
/// hook must answer first.
const DECISION_DEADLINE: Duration = Duration::from_secs(5);

/// How long recording the decision may take before the hook answers
/// `deny` itself (the two deadlines stay well under Claude Code's default
/// 60 s hook timeout).
const RECORD_DEADLINE: Duration = Duration::from_secs(10);

/// What the worker decided.
struct Judged {
    config: rampart_policy::Config,
    cwd: PathBuf,
    action: rampart_gate::Action,
    decision: rampart_policy::Decision,
    bash: Option<String>,
}

/// Loads the config for the call's `cwd`, resolves the paths and decides;
/// `Err` is an answer given without a decision.
#[expect(
    clippy::panic,
    reason = "the test-only fault `RAMPART_TEST_HOOK_FAULT=panic` proves a crash is answered `deny`"
)]
fn judge(config: Option<&Path>, profile: Option<&str>, input: &HookInput) -> Result<Judged, Value> {
    match std::env::var(crate::env::RAMPART_TEST_HOOK_FAULT).as_deref() {
        // Test-only faults: both can only turn an answer into `deny`.
        Ok("stall") => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        Ok("panic") => std::panic::panic_any("RAMPART_TEST_HOOK_FAULT=panic"),
        _ => {}
    }
    let cwd = std::fs::canonicalize(&input.cwd).unwrap_or_else(|_| input.cwd.clone());
    let loaded = load::load(config, Some(&cwd), profile);
    if !loaded.errors.is_empty() {
        let first = loaded
            .errors
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(hook::answer(
            "deny",
            &format!("rampart's config has errors, so it refuses every tool call until they are fixed: {first}"),
            None,
        ));
    }
    let mut config = loaded.config;
    hook::resolve_deny_read(&mut config);
    let (action, resolved, bash) =
        match hook::plan(input, config.agents.unknown_tool, config.home.as_deref()) {
            Plan::Answer { decision, reason } => return Err(hook::answer(decision, &reason, None)),
            Plan::Judge {
                action,
                resolved,
                bash_command,
            } => (action, resolved, bash_command),
        };
    // A search of a directory that holds a `deny_read` entry reads it too.
    let mut resolved = resolved;
    let searched: Vec<rampart_gate::Action> =
        std::iter::once(&action).chain(&resolved).cloned().collect();
    resolved.extend(hook::hidden_in_search(&config, input, &searched));
    let (action, decision) = hook::decide_resolved(&config, &action, &resolved);
    Ok(Judged {
        config,
        cwd,
        action,
        decision,
        bash,
    })
}

/// [`judge`] on a worker thread, under [`DECISION_DEADLINE`]: a decision
/// that stalls or panics is answered `deny`, never left to Claude Code.
fn judge_in_time(global: &Global, input: &HookInput) -> Result<Judged, Value> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (config, profile, input2) = (global.config.clone(), global.profile.clone(), input.clone());
    let spawned = std::thread::Builder::new()
        .name("hook-decision".into())
        .spawn(move || {
            let _ = tx.send(judge(config.as_deref(), profile.as_deref(), &input2));
        });
    if let Err(e) = spawned {
        return Err(hook::answer(
            "deny",
            &format!("rampart could not start its decision ({e}), so this call is refused"),
            None,
        ));
    }
    match rx.recv_timeout(DECISION_DEADLINE) {
        Ok(r) => r,
        Err(RecvTimeoutError::Timeout) => Err(hook::answer(
            "deny",
            &format!(
                "rampart could not decide within {}s (a pathological config or a stalled file system?), so this call is refused; `rampart check` or `rampart doctor` shows what is slow",
                DECISION_DEADLINE.as_secs()
            ),
            None,
        )),
        Err(RecvTimeoutError::Disconnected) => Err(hook::answer(
            "deny",
            "rampart's decision failed unexpectedly (a bug: please report it), so this call is refused",
            None,
        )),
    }
}

pub(crate) fn claude_code(global: &Global) -> Exit {
    let input = match read_input() {
        Ok(i) => i,
        Err(why) => return say(&hook::answer("ask", &why, None)),
    };
    let judged = match judge_in_time(global, &input) {
        Ok(j) => j,
        Err(answer) => return say(&answer),
    };
    // Recording waits on the trail's lock (and may forward to
    // PostgreSQL): it gets its own deadline, so a stuck trail is a `deny`,
    // never a hook that Claude Code gives up on.
    let globals = super::agents::global_flags(global);
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("hook-record".into())
        .spawn(move || {
            let _ = tx.send(finish(&globals, &input, judged));
        });
    if let Err(e) = spawned {
        return say(&hook::answer(
            "deny",
            &format!("rampart could not start recording this call ({e}), so it is refused"),
            None,
        ));
    }
    let answer = match rx.recv_timeout(RECORD_DEADLINE) {
        Ok(a) => a,
        Err(RecvTimeoutError::Timeout) => hook::answer(
            "deny",
            &format!(
                "rampart could not record this call within {}s (is the audit trail locked by a stuck process?), so it is refused; `rampart doctor` checks the trail",
                RECORD_DEADLINE.as_secs()
            ),
            None,
        ),
        Err(RecvTimeoutError::Disconnected) => hook::answer(
            "deny",
            "rampart failed unexpectedly while recording this call (a bug: please report it), so it is refused",
            None,
        ),
    };
    say(&answer)
}

/// Records the decision and builds the answer (with the sandboxed Bash
/// command and its ticket).
fn finish(globals: &[String], input: &HookInput, judged: Judged) -> Value {
    let Judged {
        config,
        cwd,
        action,
        decision,
        bash,
    } = judged;
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
            return hook::answer(
                "deny",
                &format!("rampart cannot record this action, so it is refused: {e} (run `rampart doctor`)"),
                None,
            );
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
                globals,
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
                Err(why) => return hook::answer("deny", &why, None),
            }
        }
        _ => None,
    };
    if reason.is_empty() {
        reason = format!("rampart: {word}");
    }
    hook::answer(word, &reason, updated)
}
