//! `rampart hook claude-code`: a Claude Code `PreToolUse` hook.
//!
//! Reads one tool call (at most 4 MiB) on stdin, and judges it through
//! the gate ([`rampart_gate::Gate::judge_with`]) with the config in force
//! for the call's `cwd`: the paths it really names, then the last step
//! that can still refuse (the sandboxed rewrite of a `Bash` command and
//! its approval ticket), then the record. It prints exactly the decision
//! recorded, in the answer Claude Code documents. An answer given
//! without a decision (input it cannot read, an unknown tool, an invalid
//! action, a config with errors, the decision deadline, a crash) is
//! recorded too ([`rampart_gate::Gate::record_answer`]), and a record that
//! fails turns it into `deny`; only the `deny` on the record deadline (the
//! trail is stuck) goes unrecorded. Always exits 0 with a JSON answer, so
//! a problem becomes a visible `ask` or `deny` rather than a hook error.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use rampart_gate::audit::AuditRecorder;
use rampart_gate::{Gate, GateError, NoApprover, Unjudged, Verdict};
use rampart_policy::Config;
use rampart_server::hook::{self, HookInput, Plan};
use serde_json::Value;

use crate::approve::HookTicket;
use crate::args::Global;
use crate::exit::Exit;
use crate::{load, record};

// The most stdin the hook reads.
use rampart_guard::limits::MAX_HOOK_INPUT as MAX_INPUT;

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
    /// The decision (or an answer given without one) is made; the last
    /// step and the record follow.
    Decided,
    /// The answer, as recorded.
    Answer(Value),
}

/// The worker's side of the two deadlines: once the hook has answered on
/// the decision deadline (and recorded that answer), the worker records
/// nothing more, so the trail keeps the one answer given.
struct Turn {
    /// Set by the hook when it answered on the decision deadline.
    closed: Arc<Mutex<bool>>,
    say: Sender<Said>,
}

impl Turn {
    /// The record is next: tells the hook (which now waits up to the
    /// record deadline), or, if the hook has answered already, stops this
    /// worker for good (the process is exiting).
    fn claim(&self) {
        let closed = self.closed.lock().unwrap_or_else(PoisonError::into_inner);
        if *closed {
            drop(closed);
            loop {
                std::thread::park();
            }
        }
        // Sent under the lock: the hook sees it, or this worker sees
        // `closed`.
        let _ = self.say.send(Said::Decided);
    }

    fn answer(&self, a: Value) {
        let _ = self.say.send(Said::Answer(a));
    }
}

/// Records an answer given without a decision (see
/// [`rampart_gate::Unjudged`]) in `config`'s trail, then gives it; a record
/// that fails (fail-closed audit) turns it into `deny`. Returns the
/// recorder, to flush after answering.
fn unjudged(
    config: &Config,
    session: Option<String>,
    tool: Option<&str>,
    (verdict, reason): (Verdict, &str),
    turn: &Turn,
) -> AuditRecorder {
    // `never` holds here too: nothing may ask, whatever answered.
    let never = rampart_policy::never_asks(config.approval_policy, verdict)
        .map(|why| format!("{reason}; {why}"));
    let (verdict, reason) = match &never {
        Some(why) => (Verdict::Deny, why.as_str()),
        None => (verdict, reason),
    };
    let mut recorder = record::recorder(config, session);
    recorder.surface = Some("hook:claude-code".into());
    let mut gate = Gate::new(config, NoApprover, recorder);
    turn.claim();
    let answer = match gate.record_answer(&Unjudged {
        verdict,
        reason,
        tool,
    }) {
        Ok(()) => hook::answer(verdict.as_str(), reason, None),
        Err(e) => deny(&format!(
            "rampart cannot record this call, so it is refused: {e} (run `rampart doctor`); without the record it would have answered `{verdict}`: {reason}"
        )),
    };
    turn.answer(answer);
    gate.into_recorder()
}

/// The config an answer without a decision is recorded with, when the
/// config in force has errors: the defaults, whose trail is the default
/// one (`$XDG_STATE_HOME/rampart`), since the configured one is not known.
fn defaults() -> Config {
    Config::defaults(&load::host_env())
}

fn deny(why: &str) -> Value {
    hook::answer("deny", why, None)
}

/// Loads the config for the call's `cwd`, resolves the paths and judges
/// through the gate; claims the record once the decision is made and
/// gives the answer it recorded. An answer given without a decision
/// (input it cannot read, a tool it does not know, a config with errors,
/// an action the gate finds invalid) is recorded too. Returns the
/// recorder, to flush after answering.
#[expect(
    clippy::panic,
    reason = "the test-only fault `RAMPART_TEST_HOOK_FAULT=panic` proves a crash is answered `deny`"
)]
fn work(
    (config_flag, profile): (Option<&Path>, Option<&str>),
    globals: &[String],
    input: &Result<HookInput, String>,
    turn: &Turn,
) -> AuditRecorder {
    match std::env::var(crate::env::RAMPART_TEST_HOOK_FAULT).as_deref() {
        // Test-only faults: both can only turn an answer into `deny`.
        Ok("stall") => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        Ok("panic") => std::panic::panic_any("RAMPART_TEST_HOOK_FAULT=panic"),
        _ => {}
    }
    let input = match input {
        Ok(i) => i,
        Err(why) => {
            // No `cwd` to read: the user's config (or `--config`) says
            // where the trail is.
            let loaded = load::load(config_flag, None, profile);
            let config = if loaded.errors.is_empty() {
                loaded.config
            } else {
                defaults()
            };
            // A call rampart cannot read is refused, never asked: a yes to
            // an unread `Bash` call would run it unjudged and unsandboxed.
            return unjudged(&config, None, None, (Verdict::Deny, why), turn);
        }
    };
    let session = || input.session_id.clone();
    let tool = Some(input.tool_name.as_str());
    let cwd = std::fs::canonicalize(&input.cwd).unwrap_or_else(|_| input.cwd.clone());
    let loaded = load::load(config_flag, Some(&cwd), profile);
    if let Some(first) = loaded.errors.first() {
        let why = format!(
            "rampart's config has errors, so it refuses every tool call until they are fixed: {first}"
        );
        return unjudged(&defaults(), session(), tool, (Verdict::Deny, &why), turn);
    }
    let mut config = loaded.config;
    hook::resolve_deny_read(&mut config);
    let (action, mut resolved, bash) =
        match hook::plan(input, config.agents.unknown_tool, config.home.as_deref()) {
            Plan::Answer { decision, reason } => {
                let verdict = match decision {
                    "allow" => Verdict::Allow,
                    "deny" => Verdict::Deny,
                    _ => Verdict::Ask,
                };
                return unjudged(&config, session(), tool, (verdict, &reason), turn);
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
    match hook::hidden_in_search(&config, input, &searched) {
        Ok(hidden) => resolved.extend(hidden),
        Err(e) => {
            let why = format!("rampart cannot judge this search: {e}");
            return unjudged(&config, session(), tool, (Verdict::Deny, &why), turn);
        }
    }
    let mut recorder = record::recorder(&config, session());
    recorder.surface = Some("hook:claude-code".into());
    let mut updated = None;
    let mut gate = Gate::new(&config, NoApprover, recorder);
    let judged = gate.judge_with(&action, &resolved, |last| {
        turn.claim();
        // The rewrite (and, for an ask, its ticket) can still fail: then
        // the answer, and so the record, is `deny`.
        let verdict = last.decision().verdict;
        if let (Some(cmd), Verdict::Allow | Verdict::Ask) = (&bash, verdict) {
            if config.agents.rewrite_bash {
                // The sandboxed command cannot do what its sandbox will
                // not grant: a question whose yes cannot work is not asked.
                if verdict == Verdict::Ask {
                    let why = rampart_server::exec_plan::isolation(&config, &cwd)
                        .ok()
                        .and_then(|iso| {
                            rampart_server::exec_plan::cannot_grant(&iso, last.decision())
                        });
                    if let Some(why) = why {
                        last.deny(why);
                        return;
                    }
                }
                match sandboxed(globals, &config, &cwd, cmd, verdict, &input.tool_input) {
                    Ok(u) => updated = Some(u),
                    Err(why) => last.deny(format!("{why:#}")),
                }
            }
        }
    });
    match judged {
        Ok(j) => turn.answer(to_answer(&j.decision, updated)),
        Err(e @ GateError::Record(_)) => turn.answer(deny(&format!(
            "rampart cannot record this action, so it is refused: {e} (run `rampart doctor`)"
        ))),
        Err(e) => {
            // Invalid before any decision: answered, and recorded, `deny`.
            let why = format!("rampart refused this call: {e}");
            return unjudged(&config, session(), tool, (Verdict::Deny, &why), turn);
        }
    }
    gate.into_recorder()
}

/// Records the `deny` the hook gave on its own (the decision deadline, a
/// crashed decision) with the config for the call's `cwd` (the default
/// trail when it has errors or the call could not be read), on a thread of
/// its own, waiting at most the record deadline; returns the answer to
/// give (`deny` either way).
fn record_own_deny(
    (config_flag, profile): (Option<PathBuf>, Option<String>),
    call: Option<(PathBuf, String, Option<String>)>,
    why: String,
) -> Value {
    let (tx, rx) = std::sync::mpsc::channel();
    let answer = deny(&why);
    let spawned = std::thread::Builder::new()
        .name("hook-record".into())
        .spawn(move || {
            let cwd = call
                .as_ref()
                .map(|(cwd, _, _)| std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.clone()));
            let loaded = load::load(config_flag.as_deref(), cwd.as_deref(), profile.as_deref());
            let config = if loaded.errors.is_empty() {
                loaded.config
            } else {
                defaults()
            };
            let (tool, session) = call.map_or((None, None), |(_, t, s)| (Some(t), s));
            let turn = Turn {
                closed: Arc::new(Mutex::new(false)),
                say: tx,
            };
            let r = unjudged(
                &config,
                session,
                tool.as_deref(),
                (Verdict::Deny, &why),
                &turn,
            );
            record::after_action(&r);
        });
    if spawned.is_err() {
        return answer;
    }
    // `Decided`, then the answer as recorded (or a `deny` saying the record
    // failed); on the record deadline, the `deny` unrecorded.
    let t = std::time::Instant::now();
    while let Some(left) = RECORD_DEADLINE.checked_sub(t.elapsed()) {
        match rx.recv_timeout(left) {
            Ok(Said::Answer(a)) => return a,
            Ok(Said::Decided) => {}
            Err(_) => break,
        }
    }
    answer
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
    let input = read_input().map_err(|why| format!("{why:#}"));
    // What the hook itself needs to record an answer it gives on its own.
    let call = input
        .as_ref()
        .ok()
        .map(|i| (i.cwd.clone(), i.tool_name.clone(), i.session_id.clone()));
    let flags = (global.config.clone(), global.profile.clone());
    // The decision runs on a worker under two deadlines: a decision that
    // stalls or panics, or a trail that cannot be written in time, is
    // answered `deny`, never left to Claude Code.
    let (tx, rx) = std::sync::mpsc::channel();
    let (flushed_tx, flushed) = std::sync::mpsc::channel();
    let closed = Arc::new(Mutex::new(false));
    let turn = Turn {
        closed: Arc::clone(&closed),
        say: tx,
    };
    let globals = super::agents::global_flags(global);
    let (config, profile) = flags.clone();
    let spawned = std::thread::Builder::new()
        .name("hook-decision".into())
        .spawn(move || {
            let flags = (config.as_deref(), profile.as_deref());
            let recorder = work(flags, &globals, &input, &turn);
            record::after_action(&recorder);
            let _ = flushed_tx.send(());
        });
    if let Err(e) = spawned {
        return say(&deny(&format!(
            "rampart could not start its decision ({e}), so this call is refused"
        )));
    }
    let failed =
        "rampart's decision failed unexpectedly (a bug: please report it), so this call is refused";
    let after_decided = |rx: &Receiver<Said>| match rx.recv_timeout(RECORD_DEADLINE) {
        Ok(Said::Answer(a)) => Some(a),
        Err(RecvTimeoutError::Timeout) => None,
        Ok(Said::Decided) | Err(RecvTimeoutError::Disconnected) => Some(deny(failed)),
    };
    let record_stuck = || {
        deny(&format!(
            "rampart decided but could not finish recording this call within {}s (masking secrets in a very large or deeply nested command, or an audit trail locked by a stuck process), so it is refused; `rampart check` shows the decision, `rampart doctor` checks the trail",
            RECORD_DEADLINE.as_secs()
        ))
    };
    let answer = match rx.recv_timeout(DECISION_DEADLINE) {
        Ok(Said::Answer(a)) => a,
        Ok(Said::Decided) => match after_decided(&rx) {
            Some(a) => a,
            None => return say(&record_stuck()),
        },
        Err(e) => {
            // No decision in time (or the worker died before one): the
            // worker may record nothing from now on, and the `deny` given
            // is recorded here.
            let mut shut = closed.lock().unwrap_or_else(PoisonError::into_inner);
            match rx.try_recv() {
                Ok(Said::Decided) => {
                    drop(shut);
                    match after_decided(&rx) {
                        Some(a) => a,
                        None => return say(&record_stuck()),
                    }
                }
                Ok(Said::Answer(a)) => a,
                Err(_) => {
                    *shut = true;
                    drop(shut);
                    let why = match e {
                        RecvTimeoutError::Timeout => format!(
                            "rampart could not decide within {}s (a pathological config or a stalled file system?), so this call is refused; `rampart check` or `rampart doctor` shows what is slow",
                            DECISION_DEADLINE.as_secs()
                        ),
                        RecvTimeoutError::Disconnected => failed.to_owned(),
                    };
                    return say(&record_own_deny(flags, call, why));
                }
            }
        }
    };
    let exit = say(&answer);
    // The answer is in the trail; flushing and forwarding it may take a
    // moment more, but never holds the answer back.
    let _ = flushed.recv_timeout(FLUSH_DEADLINE);
    exit
}
