//! `rampart hook claude-code`: a Claude Code `PreToolUse` hook.
//!
//! Reads one tool call (at most 4 MiB) on stdin, and judges it through
//! the gate ([`rampart_gate::Gate::judge_with`]) with the config in force
//! for the call's `cwd`: the paths it really names, then the last step
//! that can still refuse (the sandboxed rewrite of a `Bash` command and
//! its approval ticket), then the record. It prints exactly the decision
//! recorded, in the answer Claude Code documents. Always exits 0 with a
//! JSON answer, so a problem becomes a visible `ask` or `deny` rather
//! than a hook error.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use anyhow::Context as _;
use rampart_gate::{Gate, GateError, NoApprover, Verdict};
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
) -> anyhow::Result<Value> {
    let me = std::env::current_exe().map_err(|e| {
        anyhow::anyhow!("rampart cannot find its own binary to sandbox this command ({e}); set `[agents] rewrite_bash = false` to only judge it")
    })?;
    if verdict == Verdict::Ask {
        let rewritten = rampart_gate::Action::Exec {
            argv: vec!["bash".into(), "-c".into(), cmd.to_owned()],
            cwd: cwd.to_path_buf(),
        };
        HookTicket::new(&config.audit.dir, &rewritten)
            .issue()
            .context("rampart could not prepare the approval for this command")?;
    }
    let mut updated = tool_input.clone();
    updated["command"] = Value::String(hook::rewrite_bash(&me, globals, cwd, cmd));
    Ok(updated)
}

/// The tool call on stdin, or why it cannot be read.
fn read_input() -> anyhow::Result<HookInput> {
    let mut raw = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut raw)
        .context("rampart could not read the hook input")?;
    if raw.len() as u64 > MAX_INPUT {
        anyhow::bail!("rampart refused the hook input: it is over 4 MiB");
    }
    serde_json::from_slice(&raw).map_err(|e| {
        anyhow::anyhow!(
            "rampart could not read the hook input ({e}); is it a Claude Code PreToolUse call?"
        )
    })
}

/// How long loading the config, resolving paths and deciding may take
/// before the hook answers `deny` itself. Claude Code treats a hook that
/// times out (or crashes) as a non-blocking error and runs the tool: the
/// hook must answer first.
const DECISION_DEADLINE: Duration = Duration::from_secs(5);

/// How long the last step and recording the decision may take before
/// the hook answers `deny` itself (the two deadlines stay well under
/// Claude Code's default 60 s hook timeout). On this deadline nothing was
/// recorded (the trail is what is stuck), and the process exits at once,
/// taking the stuck write with it.
const RECORD_DEADLINE: Duration = Duration::from_secs(10);

/// How long the hook waits, after answering, for the trail to be flushed
/// and forwarded.
const FLUSH_DEADLINE: Duration = Duration::from_secs(5);

/// What the worker tells the hook.
enum Said {
    /// The decision is made; the last step and the record follow.
    Decided,
    /// The answer: recorded when it came from a decision.
    Answer(Value),
}

fn deny(why: &str) -> Value {
    hook::answer("deny", why, None)
}

/// Loads the config for the call's `cwd`, resolves the paths and judges
/// through the gate; says [`Said::Decided`] once the decision is made and
/// [`Said::Answer`] with the answer it recorded (or an answer given
/// without a decision). Returns the recorder, to flush after answering.
#[expect(
    clippy::panic,
    reason = "the test-only fault `RAMPART_TEST_HOOK_FAULT=panic` proves a crash is answered `deny`"
)]
fn work(
    (config_flag, profile): (Option<&Path>, Option<&str>),
    globals: &[String],
    input: &HookInput,
    say: &std::sync::mpsc::Sender<Said>,
) -> Option<rampart_gate::audit::AuditRecorder> {
    let answer = |a: Value| {
        let _ = say.send(Said::Answer(a));
    };
    match std::env::var(crate::env::RAMPART_TEST_HOOK_FAULT).as_deref() {
        // Test-only faults: both can only turn an answer into `deny`.
        Ok("stall") => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        Ok("panic") => std::panic::panic_any("RAMPART_TEST_HOOK_FAULT=panic"),
        _ => {}
    }
    let cwd = std::fs::canonicalize(&input.cwd).unwrap_or_else(|_| input.cwd.clone());
    let loaded = load::load(config_flag, Some(&cwd), profile);
    if let Some(first) = loaded.errors.first() {
        answer(deny(&format!(
            "rampart's config has errors, so it refuses every tool call until they are fixed: {first}"
        )));
        return None;
    }
    let mut config = loaded.config;
    hook::resolve_deny_read(&mut config);
    let (action, mut resolved, bash) =
        match hook::plan(input, config.agents.unknown_tool, config.home.as_deref()) {
            Plan::Answer { decision, reason } => {
                answer(hook::answer(decision, &reason, None));
                return None;
            }
            Plan::Judge {
                action,
                resolved,
                bash_command,
            } => (action, resolved, bash_command),
        };
    // A search of a directory that holds a `deny_read` entry reads it too.
    let searched: Vec<rampart_gate::Action> =
        std::iter::once(&action).chain(&resolved).cloned().collect();
    resolved.extend(hook::hidden_in_search(&config, input, &searched));
    let mut recorder = record::recorder(&config, input.session_id.clone());
    recorder.surface = Some("hook:claude-code".into());
    let mut updated = None;
    let mut gate = Gate::new(&config, NoApprover, recorder);
    let judged = gate.judge_with(&action, &resolved, |last| {
        let _ = say.send(Said::Decided);
        // The rewrite (and, for an ask, its ticket) can still fail: then
        // the answer, and so the record, is `deny`.
        let verdict = last.decision().verdict;
        if let (Some(cmd), Verdict::Allow | Verdict::Ask) = (&bash, verdict) {
            if config.agents.rewrite_bash {
                match sandboxed(globals, &config, &cwd, cmd, verdict, &input.tool_input) {
                    Ok(u) => updated = Some(u),
                    Err(why) => last.deny(format!("{why:#}")),
                }
            }
        }
    });
    match judged {
        Ok(j) => answer(to_answer(&j.decision, updated)),
        Err(e @ GateError::Record(_)) => answer(deny(&format!(
            "rampart cannot record this action, so it is refused: {e} (run `rampart doctor`)"
        ))),
        Err(e) => answer(deny(&format!("rampart refused this call: {e}"))),
    }
    Some(gate.into_recorder())
}

/// The hook's answer for a recorded decision (with the sandboxed `Bash`
/// command, when there is one).
fn to_answer(decision: &rampart_policy::Decision, updated: Option<Value>) -> Value {
    let mut reason = decision.reasons.join("; ");
    if let Some(rule) = &decision.rule {
        reason.push_str(" [rule: ");
        reason.push_str(rule);
        reason.push(']');
    }
    let word = decision.verdict.as_str();
    if updated.is_some() {
        reason = if reason.is_empty() {
            "runs inside rampart's sandbox".into()
        } else {
            format!("{reason}; runs inside rampart's sandbox")
        };
    }
    if reason.is_empty() {
        reason = format!("rampart: {word}");
    }
    hook::answer(word, &reason, updated)
}

pub(crate) fn claude_code(global: &Global) -> Exit {
    let input = match read_input() {
        Ok(i) => i,
        Err(why) => return say(&hook::answer("ask", &format!("{why:#}"), None)),
    };
    // The decision runs on a worker under two deadlines: a decision that
    // stalls or panics, or a trail that cannot be written in time, is
    // answered `deny`, never left to Claude Code.
    let (tx, rx) = std::sync::mpsc::channel();
    let (flushed_tx, flushed) = std::sync::mpsc::channel();
    let globals = super::agents::global_flags(global);
    let (config, profile) = (global.config.clone(), global.profile.clone());
    let spawned = std::thread::Builder::new()
        .name("hook-decision".into())
        .spawn(move || {
            let flags = (config.as_deref(), profile.as_deref());
            if let Some(recorder) = work(flags, &globals, &input, &tx) {
                record::after_action(&recorder);
            }
            let _ = flushed_tx.send(());
        });
    if let Err(e) = spawned {
        return say(&deny(&format!(
            "rampart could not start its decision ({e}), so this call is refused"
        )));
    }
    let failed = || {
        deny("rampart's decision failed unexpectedly (a bug: please report it), so this call is refused")
    };
    let answer = match rx.recv_timeout(DECISION_DEADLINE) {
        Ok(Said::Answer(a)) => a,
        Ok(Said::Decided) => match rx.recv_timeout(RECORD_DEADLINE) {
            Ok(Said::Answer(a)) => a,
            Err(RecvTimeoutError::Timeout) => {
                return say(&deny(&format!(
                    "rampart decided but could not finish recording this call within {}s (masking secrets in a very large or deeply nested command, or an audit trail locked by a stuck process), so it is refused; `rampart check` shows the decision, `rampart doctor` checks the trail",
                    RECORD_DEADLINE.as_secs()
                )))
            }
            Ok(Said::Decided) | Err(RecvTimeoutError::Disconnected) => return say(&failed()),
        },
        Err(RecvTimeoutError::Timeout) => {
            return say(&deny(&format!(
                "rampart could not decide within {}s (a pathological config or a stalled file system?), so this call is refused; `rampart check` or `rampart doctor` shows what is slow",
                DECISION_DEADLINE.as_secs()
            )))
        }
        Err(RecvTimeoutError::Disconnected) => return say(&failed()),
    };
    let exit = say(&answer);
    // The answer is in the trail; flushing and forwarding it may take a
    // moment more, but never holds the answer back.
    let _ = flushed.recv_timeout(FLUSH_DEADLINE);
    exit
}
