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
//! a problem becomes a visible `ask` or `deny` rather than a hook error;
//! the two answers that are silence (Claude Code's neutral answer) are an
//! event other than `PreToolUse` (nothing to decide, nothing recorded) and,
//! under `[agents] defer_allow`, an `allow` (recorded, with
//! `unmapped.hook_mode = "defer_allow"`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use rampart_gate::audit::AuditRecorder;
use rampart_gate::{Gate, GateError, NoApprover, Unjudged, Verdict};
use rampart_policy::{Config, DetectUse};
use rampart_server::hook::{self, HookInput, Plan};
use serde_json::Value;

use crate::approve::HookTicket;
use crate::args::Global;
use crate::exit::Exit;
use crate::{load, record};

// The most stdin the hook reads.
use rampart_guard::limits::MAX_HOOK_INPUT as MAX_INPUT;

/// Prints `answer`; `None` (an `allow` under `[agents] defer_allow`, or
/// an event that is not a tool call) prints nothing, Claude Code's neutral
/// answer.
fn say(answer: Option<&Value>) -> Exit {
    if let Some(answer) = answer {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{answer}");
        let _ = out.flush();
    }
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

/// What arrived on stdin.
enum Input {
    /// A `PreToolUse` call: judged.
    Call(HookInput),
    /// Another hook event, by name: nothing to decide.
    Other(String),
}

/// The hook input on stdin, or why it cannot be read.
fn read_input() -> anyhow::Result<Input> {
    let mut raw = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut raw)
        .context("rampart could not read the hook input")?;
    if raw.len() as u64 > MAX_INPUT {
        anyhow::bail!("rampart refused the hook input: it is over 4 MiB");
    }
    let unreadable = |e: serde_json::Error| {
        anyhow::anyhow!(
            "rampart could not read the hook input ({e}); is it a Claude Code PreToolUse call?"
        )
    };
    let value: Value = serde_json::from_slice(&raw).map_err(unreadable)?;
    if let hook::HookEvent::Other(name) = hook::event_of(&value) {
        return Ok(Input::Other(name));
    }
    serde_json::from_value(value)
        .map(Input::Call)
        .map_err(unreadable)
}

/// What the record of an answer says about the call it answers.
#[derive(Debug, Clone, Default)]
struct Call {
    session: Option<String>,
    tool: Option<String>,
    /// `unmapped` facts: `tool_use_id`, `permission_mode`, `hook_mode`.
    facts: Vec<(&'static str, String)>,
}

impl Call {
    fn of(input: &HookInput) -> Self {
        let mut facts = Vec::new();
        if let Some(id) = &input.tool_use_id {
            facts.push(("tool_use_id", id.clone()));
        }
        if let Some(mode) = &input.permission_mode {
            facts.push(("permission_mode", mode.clone()));
        }
        Self {
            session: input.session_id.clone(),
            tool: Some(input.tool_name.clone()),
            facts,
        }
    }

    fn recorder(&self, config: &Config) -> AuditRecorder {
        let mut recorder = record::recorder(config, self.session.clone());
        recorder.surface = Some("hook:claude-code".into());
        recorder.call_facts.clone_from(&self.facts);
        if config.agents.defer_allow {
            recorder
                .call_facts
                .push(("hook_mode", "defer_allow".into()));
        }
        recorder
    }
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
    /// The answer, as recorded (`None`: say nothing).
    Answer(Option<Value>),
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

    fn answer(&self, a: Option<Value>) {
        let _ = self.say.send(Said::Answer(a));
    }
}

/// Records an answer given without a decision (see
/// [`rampart_gate::Unjudged`]) in `config`'s trail, then gives it; a record
/// that fails (fail-closed audit) turns it into `deny`. Returns the
/// recorder, to flush after answering.
fn unjudged(
    config: &Config,
    call: &Call,
    (verdict, reason, rule): (Verdict, &str, Option<&str>),
    turn: &Turn,
) -> AuditRecorder {
    // `never` holds here too: nothing may ask, whatever answered.
    let never = rampart_policy::never_asks(config.approval_policy, verdict)
        .map(|why| format!("{reason}; {why}"));
    let (verdict, reason) = match &never {
        Some(why) => (Verdict::Deny, why.as_str()),
        None => (verdict, reason),
    };
    let mut gate = Gate::new(config, NoApprover, call.recorder(config));
    turn.claim();
    let answer = match gate.record_answer(&Unjudged {
        verdict,
        reason,
        tool: call.tool.as_deref(),
        rule,
    }) {
        Ok(()) if verdict == Verdict::Allow && config.agents.defer_allow => None,
        Ok(()) => {
            let shown = match rule {
                Some(r) => format!("{reason} [rule: {r}]"),
                None => reason.to_owned(),
            };
            Some(hook::answer(verdict.as_str(), &shown, None))
        }
        Err(e) => Some(deny(&format!(
            "rampart cannot record this call, so it is refused: {e} (run `rampart doctor`); without the record it would have answered `{verdict}`: {reason}"
        ))),
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
            return unjudged(&config, &Call::default(), (Verdict::Deny, why, None), turn);
        }
    };
    let call = Call::of(input);
    let cwd = std::fs::canonicalize(&input.cwd).unwrap_or_else(|_| input.cwd.clone());
    let loaded = load::load(config_flag, Some(&cwd), profile);
    if let Some(first) = loaded.errors.first() {
        let why = format!(
            "rampart's config has errors, so it refuses every tool call until they are fixed: {first}"
        );
        return unjudged(&defaults(), &call, (Verdict::Deny, &why, None), turn);
    }
    let mut config = loaded.config;
    hook::resolve_deny_read(&mut config);
    let (action, mut resolved, bash) = match hook::plan(input, &config) {
        Plan::Answer {
            decision,
            reason,
            rule,
        } => {
            let verdict = match decision {
                "allow" => Verdict::Allow,
                "deny" => Verdict::Deny,
                _ => Verdict::Ask,
            };
            return unjudged(&config, &call, (verdict, &reason, rule.as_deref()), turn);
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
            return unjudged(&config, &call, (Verdict::Deny, &why, None), turn);
        }
    }
    // A secret in what a file tool writes: the same rules as `rampart
    // scan`, with only the user's allowances (a project file cannot turn
    // this off).
    let secrets = match config.detect.rule_set(DetectUse::Mask) {
        Ok(rules) => Ok(hook::secret_rules(&rules, &hook::new_content(input))),
        Err(e) => Err(format!("detection rules: {e}")),
    };
    let mut updated = None;
    let mut gate = Gate::new(&config, NoApprover, call.recorder(&config));
    let judged = gate.judge_with(&action, &resolved, |last| {
        turn.claim();
        tighten(last, &config, input, &secrets, bash.is_some());
        // The rewrite (and, for an ask, its ticket) can still fail: then
        // the answer, and so the record, is `deny`.
        let verdict = last.decision().verdict;
        if let (Some(cmd), Verdict::Allow | Verdict::Ask) = (&bash, verdict) {
            if config.agents.rewrite_bash {
                updated = bash_rewrite(last, (globals, &config, &cwd), cmd, &input.tool_input);
            }
        }
    });
    match judged {
        Ok(j) if j.decision.verdict == Verdict::Allow && config.agents.defer_allow => {
            turn.answer(None);
        }
        Ok(j) => turn.answer(Some(to_answer(&j.decision, updated))),
        Err(e @ GateError::Record(_)) => turn.answer(Some(deny(&format!(
            "rampart cannot record this action, so it is refused: {e} (run `rampart doctor`)"
        )))),
        Err(e) => {
            // Invalid before any decision: answered, and recorded, `deny`.
            let why = format!("rampart refused this call: {e}");
            return unjudged(&config, &call, (Verdict::Deny, &why, None), turn);
        }
    }
    gate.into_recorder()
}

/// The last word on a `Bash` call that is allowed or asked: its rewrite
/// under `rampart exec` (and, for an ask, its ticket), or a `deny` when
/// that fails or when a yes could not make it work in its sandbox (a
/// question whose yes cannot work is not asked).
fn bash_rewrite(
    last: &mut rampart_gate::LastWord<'_>,
    (globals, config, cwd): (&[String], &Config, &Path),
    cmd: &str,
    tool_input: &Value,
) -> Option<Value> {
    let verdict = last.decision().verdict;
    if verdict == Verdict::Ask {
        let why = rampart_server::exec_plan::isolation(config, cwd)
            .ok()
            .and_then(|iso| rampart_server::exec_plan::cannot_grant(&iso, last.decision()));
        if let Some(why) = why {
            last.deny(why);
            return None;
        }
    }
    match sandboxed(globals, config, cwd, cmd, verdict, tool_input) {
        Ok(u) => Some(u),
        Err(why) => {
            last.deny(format!("{why:#}"));
            None
        }
    }
}

/// The hook's own reasons to be stricter than the policy, applied to the
/// decision before it is recorded: a `[[rules]] tool` rule for this tool
/// (never looser than rampart's own decision), a secret in what a file
/// tool writes (at least `ask`; `secrets` are the detection rule ids, or
/// why they could not be looked for), and under `[agents] defer_allow` an
/// allowed `Bash` command that will be rewritten (an `ask`: the rewrite can
/// only be handed over with an answer, and an `allow` would skip Claude
/// Code's own prompt).
fn tighten(
    last: &mut rampart_gate::LastWord<'_>,
    config: &Config,
    input: &HookInput,
    secrets: &Result<Vec<String>, String>,
    bash: bool,
) {
    if let Some(rule) = rampart_policy::tool_rule(config, &input.tool_name) {
        last.at_least(
            rule.decision,
            rule.reason.clone(),
            Some(rule.origin.clone()),
        );
    }
    match secrets {
        Ok(ids) if ids.is_empty() => {}
        Ok(ids) => last.at_least(
            Verdict::Ask,
            format!(
                "the content {} writes holds what looks like a secret (detection rule {})",
                input.tool_name,
                ids.iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(format!("detect: {}", ids.join(", "))),
        ),
        Err(why) => last.deny(format!(
            "rampart cannot look for secrets in this write ({why}), so it is refused"
        )),
    }
    let a = &config.agents;
    if bash && a.rewrite_bash && a.defer_allow && last.decision().verdict == Verdict::Allow {
        last.at_least(
            Verdict::Ask,
            "rampart allows this command; with `[agents] defer_allow` the choice is yours (it runs inside rampart's sandbox)".into(),
            None,
        );
    }
}

/// Records the `deny` the hook gave on its own (the decision deadline, a
/// crashed decision) with the config for the call's `cwd` (the default
/// trail when it has errors or the call could not be read), on a thread of
/// its own, waiting at most the record deadline; returns the answer to
/// give (`deny` either way).
fn record_own_deny(
    (config_flag, profile): (Option<PathBuf>, Option<String>),
    call: Option<(PathBuf, Call)>,
    why: String,
) -> Option<Value> {
    let (tx, rx) = std::sync::mpsc::channel();
    let answer = Some(deny(&why));
    let spawned = std::thread::Builder::new()
        .name("hook-record".into())
        .spawn(move || {
            let cwd = call
                .as_ref()
                .map(|(cwd, _)| std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.clone()));
            let loaded = load::load(config_flag.as_deref(), cwd.as_deref(), profile.as_deref());
            let config = if loaded.errors.is_empty() {
                loaded.config
            } else {
                defaults()
            };
            let call = call.map(|(_, c)| c).unwrap_or_default();
            let turn = Turn {
                closed: Arc::new(Mutex::new(false)),
                say: tx,
            };
            let r = unjudged(&config, &call, (Verdict::Deny, &why, None), &turn);
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
    let input = match read_input() {
        Ok(Input::Other(event)) => {
            // Not a tool call: nothing to decide, and the neutral answer
            // to every other event is silence (exit 0, no output).
            crate::ui::info(&format!(
                "`{event}` is not a tool call: rampart judges `PreToolUse` calls and answers nothing here"
            ));
            return Exit::Ok;
        }
        Ok(Input::Call(i)) => Ok(i),
        Err(why) => Err(format!("{why:#}")),
    };
    // What the hook itself needs to record an answer it gives on its own.
    let call = input.as_ref().ok().map(|i| (i.cwd.clone(), Call::of(i)));
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
        return say(Some(&deny(&format!(
            "rampart could not start its decision ({e}), so this call is refused"
        ))));
    }
    let failed =
        "rampart's decision failed unexpectedly (a bug: please report it), so this call is refused";
    let after_decided = |rx: &Receiver<Said>| match rx.recv_timeout(RECORD_DEADLINE) {
        Ok(Said::Answer(a)) => Some(a),
        Err(RecvTimeoutError::Timeout) => None,
        Ok(Said::Decided) | Err(RecvTimeoutError::Disconnected) => Some(Some(deny(failed))),
    };
    let record_stuck = || {
        Some(deny(&format!(
            "rampart decided but could not finish recording this call within {}s (masking secrets in a very large or deeply nested command, or an audit trail locked by a stuck process), so it is refused; `rampart check` shows the decision, `rampart doctor` checks the trail",
            RECORD_DEADLINE.as_secs()
        )))
    };
    let answer = match rx.recv_timeout(DECISION_DEADLINE) {
        Ok(Said::Answer(a)) => a,
        Ok(Said::Decided) => match after_decided(&rx) {
            Some(a) => a,
            None => return say(record_stuck().as_ref()),
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
                        None => return say(record_stuck().as_ref()),
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
                    return say(record_own_deny(flags, call, why).as_ref());
                }
            }
        }
    };
    let exit = say(answer.as_ref());
    // The answer is in the trail; flushing and forwarding it may take a
    // moment more, but never holds the answer back.
    let _ = flushed.recv_timeout(FLUSH_DEADLINE);
    exit
}
