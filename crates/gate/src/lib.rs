//! The one gate every rampart action goes through:
//! validate → decide → approve → enforce → record.
//!
//! Surfaces (the CLI's `exec`, the MCP server, the daemon, agent hooks) build an
//! [`Action`], pick an [`Approver`], a [`Recorder`] and an [`Enforcer`], and
//! call [`Gate::run`]; a door that only answers (`check`, the hook) calls
//! [`Gate::judge`] or [`Gate::judge_with`] (validate → decide → record,
//! nothing enforced). Nothing enforces or records on its own, and what a
//! surface answers is what the gate recorded. How an action ended is a
//! [`Status`] the enforcer gives ([`Enforcer::status`]), never a guess from
//! an exit code.
//!
//! ```
//! use rampart_gate::{Action, Approval, Approver, Decision, Enforcer, Gate, Mandate, NoopRecorder, Status, Verdict};
//! use rampart_policy::{Config, HostEnv};
//!
//! struct Refuse;
//! impl Approver for Refuse {
//!     fn approve(&mut self, _: &Action, _: &Decision) -> Approval { Approval::Denied("no approver".into()) }
//! }
//! struct Echo;
//! impl Enforcer for Echo {
//!     type Outcome = i32;
//!     type Error = std::convert::Infallible;
//!     fn enforce(&mut self, _: &Action, _: &Mandate<'_>) -> Result<i32, Self::Error> { Ok(0) }
//!     fn status(_: &i32) -> Status { Status::Succeeded }
//! }
//!
//! let config = Config::defaults(&HostEnv::default());
//! let mut gate = Gate::new(&config, Refuse, NoopRecorder);
//! let action = Action::Exec { argv: vec!["ls".into()], cwd: "/w".into() };
//! let result = gate.run(&action, &mut Echo).unwrap();
//! assert_eq!(result.decision.verdict, Verdict::Allow);
//! assert_eq!(result.outcome, Some(0));
//! ```
//!
//! # Security model
//!
//! Fail closed: a validation error, a denial, an approver that cannot ask,
//! or a recorder that cannot write (when the audit is fail-closed) all stop
//! the action before [`Enforcer::enforce`] is called. Validation is
//! `rampart-guard`'s: well-formed paths and hosts, and, for a gate made
//! with [`Gate::confine`] (the MCP server, the daemon), file actions
//! beneath the surface's root; one out of reach is refused before the
//! decision and recorded as a deny.
//!
//! # Limitations
//!
//! `decide` is the plain decision of `rampart-policy`. [`audit::AuditRecorder`]
//! writes each stage as an OCSF event: for a command, Process Activity
//! Launch (the decision, before anything runs: allowed, refused or
//! approved) and, for an action that ran, Terminate (exit code, duration);
//! for a file tool, File System Activity; for a fetch, Network Activity.
//! `unmapped.stage` says which stage, `unmapped.surface` which door,
//! `unmapped.status` the [`Status`] (`status_id` 1 for succeeded, 0 for an
//! ask handed on, 2 otherwise).
//!
//! # Test strategy
//!
//! Unit tests drive the pipeline with scripted approvers, recorders and
//! enforcers and check which stages ran.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod argv_mask;
pub mod audit;
pub mod grant;

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use rampart_guard::path::{self, Confinement};

pub use grant::{approval_prefix, grant_covers, Grant};
pub use rampart_policy::{decide, Action, Config, Decision, Risk, Verdict};

/// The answer to an `ask`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// Said yes, and who: `terminal` (a human just now) or
    /// `session` (a human earlier in this session, for this rule or prefix).
    Approved {
        /// Who gave it, for the record.
        by: String,
    },
    /// Refused, with the reason shown to the user.
    Denied(String),
}

/// Turns `ask` into allow or deny.
pub trait Approver {
    /// Asks about `action`; must not block forever.
    fn approve(&mut self, action: &Action, decision: &Decision) -> Approval;
}

/// A stage of the pipeline, for the audit record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The decision (after approval), before anything runs.
    Decided,
    /// The action ran.
    Enforced,
}

/// How an action ended: said by the enforcer for what it carried out,
/// by the gate for what it refused, and recorded as it is (never guessed
/// from an exit code by the recorder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Carried out as asked: a file read, written or listed, a command
    /// that exited 0; for a decision, let through.
    Succeeded,
    /// Carried out, and it failed: a command that exited non-zero, a file
    /// that was not there, a program that could not start.
    Failed,
    /// Not carried out: refused by a decision (before enforcement, or
    /// one made during it, such as a file's real path).
    Refused,
    /// Killed at its time limit.
    TimedOut,
    /// Killed by a signal (the memory limit, a kill from outside).
    Killed,
    /// Answered `ask` and handed to someone else (the hook's agent asks
    /// its user): the outcome is not rampart's to see.
    Asked,
}

impl Status {
    /// The name in the record (`unmapped.status`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Refused => "refused",
            Self::TimedOut => "timed-out",
            Self::Killed => "killed",
            Self::Asked => "asked",
        }
    }

    /// The status of a decision that was not (or not yet) carried out.
    pub fn of_verdict(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Allow => Self::Succeeded,
            Verdict::Ask => Self::Asked,
            Verdict::Deny => Self::Refused,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a recorder is handed.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Which stage.
    pub stage: Stage,
    /// The action.
    pub action: &'a Action,
    /// The final decision.
    pub decision: &'a Decision,
    /// How the approval went, if one was asked for.
    pub approval: Option<&'a Approval>,
    /// A short result (`exit 0`, `denied`, an error).
    pub result: Option<String>,
    /// For [`Stage::Enforced`]: how the run went.
    pub ran: Option<Ran>,
}

impl Event<'_> {
    /// How it ended: for [`Stage::Enforced`], what the enforcer said
    /// ([`Ran::status`]); otherwise what the decision let happen.
    pub fn status(&self) -> Status {
        self.ran
            .as_ref()
            .map_or_else(|| Status::of_verdict(self.decision.verdict), |r| r.status)
    }
}

/// How an enforced action went, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// How it ended ([`Enforcer::status`], or [`Status::Failed`] /
    /// [`Status::Refused`] when the enforcer returned an error).
    pub status: Status,
    /// The program's exit code (`None`: killed by a signal, or it never
    /// started).
    pub exit_code: Option<i32>,
    /// From the start of enforcement to its end.
    pub duration_ms: u64,
    /// Why it could not run, when it could not; or why its status is what
    /// it is, when the enforcer says ([`Enforcer::detail`]).
    pub error: Option<String>,
    /// The pid of the process the enforcer started, when it says
    /// ([`Enforcer::pid`]).
    pub pid: Option<u32>,
}

/// An answer a surface gives without a decision: the hook's answer to a
/// call it could not judge (input it cannot read, a tool it does not
/// know, a config with errors, a decision that did not come in time).
/// Recorded through [`Gate::record_answer`] with the verdict actually
/// answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unjudged<'a> {
    /// What was answered.
    pub verdict: Verdict,
    /// Why, as answered.
    pub reason: &'a str,
    /// The tool the call named, when it could be read.
    pub tool: Option<&'a str>,
    /// The rule that gave the answer (`file:line` of a `[[rules]] tool`
    /// rule), when one did.
    pub rule: Option<&'a str>,
}

/// Why the audit trail could not take an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The trail could not be opened: every event fails with this reason.
    #[error("{0}")]
    Unopened(Arc<audit::OpenTrailError>),
    /// The trail did not take this event.
    #[error("{0}")]
    Write(rampart_audit::AuditError),
    /// This recorder cannot keep an answer given without a decision.
    #[error("this recorder cannot keep an answer given without a decision")]
    Unsupported,
}

/// Writes audit events.
pub trait Recorder {
    /// Records `event`.
    fn record(&mut self, event: &Event<'_>) -> Result<(), RecordError>;
    /// Whether a failed write must stop the action.
    fn fail_closed(&self) -> bool {
        true
    }
    /// Records an answer given without a decision ([`Unjudged`]). The
    /// default refuses (a recorder that cannot keep it must not pretend
    /// it did), so a fail-closed surface answers `deny`.
    fn record_unjudged(&mut self, _answer: &Unjudged<'_>) -> Result<(), RecordError> {
        Err(RecordError::Unsupported)
    }
    /// Called when an event could not be written and the action went on
    /// anyway (the audit is not fail-closed, or the action had already
    /// run): must make that impossible to miss.
    fn unrecorded(&mut self, error: &RecordError) {
        tracing::error!(error = %error, "THIS ACTION WAS NOT RECORDED in the audit trail");
    }
}

/// A recorder that keeps nothing (tests, and `[audit] enabled = false`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopRecorder;

impl Recorder for NoopRecorder {
    fn record(&mut self, _: &Event<'_>) -> Result<(), RecordError> {
        Ok(())
    }
    fn record_unjudged(&mut self, _: &Unjudged<'_>) -> Result<(), RecordError> {
        Ok(())
    }
}

/// What an enforcer carries an action out under: the final decision (an
/// approved ask is an `allow` by then) and the human's answer, when one was
/// asked. A plan that leaves the process (`sandbox-run`'s sealed plan)
/// carries it, so the enforcing side knows what it was allowed, by whom.
#[derive(Debug, Clone, Copy)]
pub struct Mandate<'a> {
    /// The decision the action runs under.
    pub decision: &'a Decision,
    /// The approval that turned an ask into this decision, if any.
    pub approval: Option<&'a Approval>,
}

impl Mandate<'_> {
    /// Who approved, when a human did (`terminal`, `session`, …).
    pub fn approved_by(&self) -> Option<&str> {
        match self.approval {
            Some(Approval::Approved { by }) => Some(by),
            _ => None,
        }
    }
}

/// Carries out an allowed action.
pub trait Enforcer {
    /// The result of running it.
    type Outcome;
    /// Why it could not run.
    type Error: std::error::Error;
    /// Runs `action`, under `mandate` (always an `allow`).
    fn enforce(
        &mut self,
        action: &Action,
        mandate: &Mandate<'_>,
    ) -> Result<Self::Outcome, Self::Error>;
    /// How the action that produced `outcome` ended. Every enforcer says
    /// it: a successful file read is [`Status::Succeeded`] though it has
    /// no exit code, a command killed at its deadline is
    /// [`Status::TimedOut`] whatever code it left.
    fn status(outcome: &Self::Outcome) -> Status;
    /// When `error` is a decision made while enforcing (the real path a
    /// file tool opened is refused), that decision: the gate records it
    /// as the action's final decision, and the surface answers it as a
    /// refusal. `None` (the default): an ordinary failure.
    fn refusal(_error: &Self::Error) -> Option<Decision> {
        None
    }
    /// The exit code in `outcome`, for the record.
    fn exit_code(_outcome: &Self::Outcome) -> Option<i32> {
        None
    }
    /// The pid of the process that carried out the action, for the
    /// record (OCSF `process.pid`). `None` (the default): no process.
    fn pid(_outcome: &Self::Outcome) -> Option<u32> {
        None
    }
    /// Why `outcome`'s status is what it is, when that needs saying (a
    /// run taken as failed because its status report could not be
    /// trusted): recorded with the `enforced` event (`status_detail`).
    fn detail(_outcome: &Self::Outcome) -> Option<String> {
        None
    }
    /// A decision made while enforcing that let the action go on (the
    /// real path a file tool opened, judged and allowed), asked once the
    /// action is done: the gate records it as the final decision of the
    /// `enforced` event, so the trail shows what was really judged. Only
    /// an `allow` is taken (a refusal comes back through
    /// [`Enforcer::refusal`]). `None` (the default): the decision before
    /// enforcement stands.
    fn allowed_late(&mut self) -> Option<Decision> {
        None
    }
    /// Why a "yes" to `decision` (an ask) could not make `action` work
    /// under this enforcer (a write its sandbox will not allow): the gate
    /// then refuses without asking, with this reason first, since a
    /// question whose yes cannot work must not be asked. `None` (the
    /// default): a yes would be enough.
    fn cannot_grant(&mut self, _action: &Action, _decision: &Decision) -> Option<String> {
        None
    }
}

/// An approver for doors that only judge (`check`, the hook): it asks
/// nobody and approves nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoApprover;

impl Approver for NoApprover {
    fn approve(&mut self, _: &Action, _: &Decision) -> Approval {
        Approval::Denied("nobody can approve here".into())
    }
}

/// A decision made by [`Gate::judge_with`] and not yet recorded: the
/// surface's last word on it can only make it stricter.
#[derive(Debug)]
pub struct LastWord<'a> {
    action: &'a Action,
    decision: &'a mut Decision,
    policy: rampart_policy::ApprovalPolicy,
}

impl LastWord<'_> {
    /// The action the decision is about.
    pub fn action(&self) -> &Action {
        self.action
    }

    /// The decision so far.
    pub fn decision(&self) -> &Decision {
        self.decision
    }

    /// Makes the decision at least `verdict` (never looser), with `why`
    /// first among its reasons and `rule` as the rule that decided, when
    /// that raises it (when it asks or denies what is already asked or
    /// denied, `why` is added last, so the human sees it too);
    /// `approval_policy = "never"` turns an `ask` into `deny`, as it does
    /// every other.
    pub fn at_least(&mut self, verdict: Verdict, why: String, rule: Option<String>) {
        if verdict < self.decision.verdict {
            return;
        }
        if verdict == self.decision.verdict {
            if verdict != Verdict::Allow && !self.decision.reasons.contains(&why) {
                self.decision.reasons.push(why);
            }
            return;
        }
        self.decision.verdict = verdict;
        self.decision.reasons.insert(0, why);
        if rule.is_some() {
            self.decision.rule = rule;
        }
        if let Some(never) = rampart_policy::never_asks(self.policy, self.decision.verdict) {
            self.decision.verdict = Verdict::Deny;
            self.decision.reasons.push(never.into());
        }
    }

    /// Turns the decision into `deny`, with `why` first among its reasons.
    pub fn deny(&mut self, why: String) {
        self.decision.verdict = Verdict::Deny;
        self.decision.reasons.insert(0, why);
    }
}

/// The decision on `action` and on each of `also` (the same access to
/// the paths it really names): the strictest wins (verdict, then risk),
/// and its reasons say what the path really names.
fn strictest(config: &Config, action: &Action, also: &[Action]) -> (Action, Decision) {
    let mut best = (action.clone(), decide(config, action));
    for again in also {
        let d = decide(config, again);
        if (d.verdict, d.risk) > (best.1.verdict, best.1.risk) {
            let mut d = d;
            if let (Some(asked), Some(real)) = (file_path(action), file_path(again)) {
                let why = if real.starts_with(asked) && real != asked {
                    format!(
                        "a search of `{}` reaches `{}` (symlinks, `..` and `~` resolved)",
                        asked.display(),
                        real.display()
                    )
                } else {
                    format!(
                        "`{}` really names `{}` (symlinks, `..` and `~` resolved)",
                        asked.display(),
                        real.display()
                    )
                };
                d.reasons.insert(0, why);
            }
            best = (again.clone(), d);
        }
    }
    best
}

fn file_path(a: &Action) -> Option<&std::path::Path> {
    match a {
        Action::ReadFile { path, .. }
        | Action::WriteFile { path, .. }
        | Action::ListDir { path, .. } => Some(path),
        _ => None,
    }
}

/// What [`Gate::judge_with`] decided and recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The action the decision is about (one of the forms judged: the
    /// strictest).
    pub action: Action,
    /// The final decision, exactly as recorded.
    pub decision: Decision,
}

/// What came out of the gate.
#[derive(Debug)]
pub struct GateResult<O> {
    /// The decision, after approval.
    pub decision: Decision,
    /// The approval, if one was asked for.
    pub approval: Option<Approval>,
    /// The enforcer's outcome; `None` when the action was refused.
    pub outcome: Option<O>,
}

/// Why the gate stopped without a verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GateError<E: std::error::Error> {
    /// The action is malformed.
    #[error("invalid action: {0}")]
    Invalid(InvalidAction),
    /// The audit trail could not be written and the audit is fail-closed.
    #[error("cannot record the action, so it does not run: {0}")]
    Record(RecordError),
    /// The enforcer failed.
    #[error(transparent)]
    Enforce(E),
}

/// The pipeline, bound to one config.
#[derive(Debug)]
pub struct Gate<'c, A, R> {
    config: &'c Config,
    approver: A,
    recorder: R,
    confinement: Option<Confinement>,
}

/// Why an action is malformed (the surfaces build actions in normal
/// form; anything else is refused before it is judged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidAction {
    /// An exec with no program.
    #[error("no program given")]
    NoProgram,
    /// An exec whose working directory is relative.
    #[error("working directory `{}` is not absolute", .0.display())]
    RelativeCwd(PathBuf),
    /// An argument with a NUL byte (no program could receive it).
    #[error("an argument contains a NUL byte")]
    NulInArgument,
    /// A file action's path or workspace that is relative, holds a NUL
    /// byte, or is not in normal form.
    #[error(transparent)]
    Path(#[from] rampart_guard::path::PathError),
    /// A host not spelled the one normal way.
    #[error("host `{host}` is not in normal form (`{normal}`)")]
    NotNormalHost {
        /// The host as given.
        host: String,
        /// Its normal spelling.
        normal: String,
    },
    /// Not a host name or address at all.
    #[error("`{host}` is not a host name or address: {why}")]
    NotAHost {
        /// The host as given.
        host: String,
        /// What is wrong with it.
        why: String,
    },
}

fn validate(action: &Action) -> Result<(), InvalidAction> {
    match action {
        Action::Exec { argv, cwd } => {
            if argv.first().is_none_or(String::is_empty) {
                return Err(InvalidAction::NoProgram);
            }
            if !cwd.is_absolute() {
                return Err(InvalidAction::RelativeCwd(cwd.clone()));
            }
            if argv.iter().any(|a| a.contains('\0')) {
                return Err(InvalidAction::NulInArgument);
            }
            Ok(())
        }
        Action::ReadFile { path, workspace }
        | Action::ListDir { path, workspace }
        | Action::WriteFile {
            path, workspace, ..
        } => {
            path::check_absolute(workspace)?;
            path::check_normal(path)?;
            Ok(())
        }
        // The one normal spelling of a host (`rampart_guard::host::destination`
        // yields it), so that what is judged and recorded is what connects.
        Action::Connect { host, .. } => match rampart_guard::host::normalise_host(host) {
            Ok(normal) if normal == *host => Ok(()),
            Ok(normal) => Err(InvalidAction::NotNormalHost {
                host: host.clone(),
                normal,
            }),
            Err(e) => Err(InvalidAction::NotAHost {
                host: host.clone(),
                why: e.why.clone(),
            }),
        },
    }
}

impl<'c, A: Approver, R: Recorder> Gate<'c, A, R> {
    /// A gate deciding with `config`.
    pub fn new(config: &'c Config, approver: A, recorder: R) -> Self {
        Self {
            config,
            approver,
            recorder,
            confinement: None,
        }
    }

    /// Confines file actions beneath `confinement`'s root (the MCP
    /// server's and the daemon's workspace): a file action outside it, or
    /// with a malformed path, is refused before the decision, whatever the
    /// policy would say, and the refusal is recorded as a deny (no approver
    /// is asked: no human can make it reachable). Commands and connections
    /// are not file actions and are not confined here.
    #[must_use]
    pub fn confine(mut self, confinement: Confinement) -> Self {
        self.confinement = Some(confinement);
        self
    }

    /// The guard's refusal of a file action out of this gate's reach, as
    /// the deny it is recorded and answered as.
    fn out_of_reach(&self, action: &Action) -> Option<Decision> {
        let confinement = self.confinement.as_ref()?;
        let path = file_path(action)?;
        let why = confinement.check(path).err()?;
        Some(Decision {
            verdict: Verdict::Deny,
            risk: Risk::High,
            reasons: vec![why.to_string()],
            rule: None,
            approvals: Vec::new(),
            needs_network: false,
            writes: Vec::new(),
            commands: Vec::new(),
        })
    }

    /// The recorder (a surface tells it, say, the sandbox mode in force).
    pub fn recorder_mut(&mut self) -> &mut R {
        &mut self.recorder
    }

    /// The recorder back, once the gate is done (to flush the trail).
    pub fn into_recorder(self) -> R {
        self.recorder
    }

    /// Validate → decide → record the decision; nothing is approved or
    /// enforced. For a door that only answers (`check`, with a
    /// [`NoopRecorder`]; the hook, through [`Gate::judge_with`]).
    pub fn judge(&mut self, action: &Action) -> Result<Decision, GateError<Infallible>> {
        self.judge_with(action, &[], |_| {}).map(|j| j.decision)
    }

    /// Validate → decide on `action` and on each of `also` (the same
    /// access as it really lands: the strictest wins) → the surface's
    /// `last_word` (which can only make it stricter: a step that may still
    /// refuse, such as preparing a sandboxed rewrite) → record. What is
    /// returned is exactly what was recorded; a surface answers it.
    pub fn judge_with(
        &mut self,
        action: &Action,
        also: &[Action],
        last_word: impl FnOnce(&mut LastWord<'_>),
    ) -> Result<Judgement, GateError<Infallible>> {
        let (action, mut decision) = if let Some(refused) = self.out_of_reach(action) {
            (action.clone(), refused)
        } else {
            for a in std::iter::once(action).chain(also) {
                validate(a).map_err(GateError::Invalid)?;
            }
            strictest(self.config, action, also)
        };
        let before = decision.verdict;
        last_word(&mut LastWord {
            action: &action,
            decision: &mut decision,
            policy: self.config.approval_policy,
        });
        // Only ever stricter (`LastWord` cannot loosen it; kept explicit).
        decision.verdict = decision.verdict.max(before);
        let event = Event {
            stage: Stage::Decided,
            action: &action,
            decision: &decision,
            approval: None,
            result: Some(format!("answered {}", decision.verdict)),
            ran: None,
        };
        if let Err(e) = self.recorder.record(&event) {
            if self.recorder.fail_closed() {
                return Err(GateError::Record(e));
            }
            self.recorder.unrecorded(&e);
        }
        Ok(Judgement { action, decision })
    }

    /// Records an answer given without a decision (there is no
    /// [`Action`] to judge: see [`Unjudged`]). A record that fails stops a
    /// fail-closed surface like any other: it must then answer `deny`.
    pub fn record_answer(&mut self, answer: &Unjudged<'_>) -> Result<(), GateError<Infallible>> {
        if let Err(e) = self.recorder.record_unjudged(answer) {
            if self.recorder.fail_closed() {
                return Err(GateError::Record(e));
            }
            self.recorder.unrecorded(&e);
        }
        Ok(())
    }

    /// Runs `action` through every stage.
    pub fn run<E: Enforcer>(
        &mut self,
        action: &Action,
        enforcer: &mut E,
    ) -> Result<GateResult<E::Outcome>, GateError<E::Error>> {
        if let Some(refused) = self.out_of_reach(action) {
            return self.carry_out(action, refused, None, enforcer);
        }
        validate(action).map_err(GateError::Invalid)?;
        let mut decision = decide(self.config, action);
        if decision.verdict == Verdict::Ask {
            if let Some(why) = enforcer.cannot_grant(action, &decision) {
                decision.verdict = Verdict::Deny;
                decision.reasons.insert(0, why);
            }
        }
        let approval = if decision.verdict == Verdict::Ask {
            let a = self.approver.approve(action, &decision);
            match &a {
                Approval::Approved { .. } => decision.verdict = Verdict::Allow,
                Approval::Denied(why) => {
                    decision.verdict = Verdict::Deny;
                    decision.reasons.push(why.clone());
                }
            }
            Some(a)
        } else {
            None
        };
        self.carry_out(action, decision, approval, enforcer)
    }

    /// Record → enforce → record, for a decision already made: the tail of
    /// [`Gate::run`], and how a surface carries out a step a human approved
    /// outside it (a re-run outside the sandbox), so that it is recorded
    /// and fails closed exactly the same way.
    pub fn carry_out<E: Enforcer>(
        &mut self,
        action: &Action,
        decision: Decision,
        approval: Option<Approval>,
        enforcer: &mut E,
    ) -> Result<GateResult<E::Outcome>, GateError<E::Error>> {
        let event = Event {
            stage: Stage::Decided,
            action,
            decision: &decision,
            approval: approval.as_ref(),
            result: None,
            ran: None,
        };
        if let Err(e) = self.recorder.record(&event) {
            if self.recorder.fail_closed() {
                return Err(GateError::Record(e));
            }
            self.recorder.unrecorded(&e);
        }
        if decision.verdict != Verdict::Allow {
            return Ok(GateResult {
                decision,
                approval,
                outcome: None,
            });
        }
        let started = std::time::Instant::now();
        let outcome = enforcer.enforce(
            action,
            &Mandate {
                decision: &decision,
                approval: approval.as_ref(),
            },
        );
        // A decision made while enforcing replaces the one before it, in
        // the record and in the answer.
        let late = outcome.as_ref().err().and_then(E::refusal);
        let status = match (&outcome, &late) {
            (Ok(o), _) => E::status(o),
            (Err(_), Some(_)) => Status::Refused,
            (Err(_), None) => Status::Failed,
        };
        let ran = Ran {
            status,
            exit_code: outcome.as_ref().ok().and_then(E::exit_code),
            pid: outcome.as_ref().ok().and_then(E::pid),
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            error: match &outcome {
                Ok(o) => E::detail(o),
                Err(e) => Some(e.to_string()),
            },
        };
        let result = match &outcome {
            Ok(_) => status.as_str().to_owned(),
            Err(e) if late.is_some() => format!("refused: {e}"),
            Err(e) => format!("failed: {e}"),
        };
        // A decision made while enforcing that allowed (the real path a
        // file tool opened) is the one the `enforced` event records.
        let allowed = outcome
            .is_ok()
            .then(|| enforcer.allowed_late())
            .flatten()
            .filter(|d| d.verdict == Verdict::Allow);
        let decision = late.or(allowed).unwrap_or(decision);
        let event = Event {
            stage: Stage::Enforced,
            action,
            decision: &decision,
            approval: approval.as_ref(),
            result: Some(result),
            ran: Some(ran),
        };
        if let Err(e) = self.recorder.record(&event) {
            // It ran; the end of it could not be written. Say so loudly.
            self.recorder.unrecorded(&e);
        }
        if decision.verdict != Verdict::Allow {
            return Ok(GateResult {
                decision,
                approval,
                outcome: None,
            });
        }
        Ok(GateResult {
            decision,
            approval,
            outcome: Some(outcome.map_err(GateError::Enforce)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_policy::{HostEnv, Rule, RuleMatch};

    struct Scripted(Approval, usize);
    impl Approver for Scripted {
        fn approve(&mut self, _: &Action, _: &Decision) -> Approval {
            self.1 += 1;
            self.0.clone()
        }
    }

    #[derive(Default)]
    struct Log(Vec<(Stage, Verdict)>, bool, Vec<Status>);
    impl Recorder for &mut Log {
        fn record(&mut self, e: &Event<'_>) -> Result<(), RecordError> {
            if self.1 {
                return Err(RecordError::Write(rampart_audit::AuditError::Io {
                    path: "audit.jsonl".into(),
                    source: std::io::Error::other("disk full"),
                }));
            }
            self.0.push((e.stage, e.decision.verdict));
            self.2.push(e.status());
            Ok(())
        }
    }

    /// An enforcer whose run ends as scripted.
    struct Ends(Result<Status, Option<Decision>>);
    impl Enforcer for Ends {
        type Outcome = Status;
        type Error = Refusal;
        fn enforce(&mut self, _: &Action, _: &Mandate<'_>) -> Result<Status, Refusal> {
            self.0.clone().map_err(Refusal)
        }
        fn status(o: &Status) -> Status {
            *o
        }
        fn refusal(e: &Refusal) -> Option<Decision> {
            e.0.clone()
        }
    }
    #[derive(Debug, thiserror::Error)]
    #[error("refused late")]
    struct Refusal(Option<Decision>);

    fn deny(why: &str) -> Decision {
        Decision {
            verdict: Verdict::Deny,
            risk: Risk::High,
            reasons: vec![why.into()],
            rule: None,
            commands: vec![],
            approvals: vec![],
            needs_network: false,
            writes: Vec::new(),
        }
    }

    #[test]
    fn the_enforcers_status_is_recorded_not_guessed() {
        let c = config(Verdict::Allow);
        for (ends, status) in [
            (Ok(Status::Succeeded), Status::Succeeded),
            (Ok(Status::TimedOut), Status::TimedOut),
            (Err(None), Status::Failed),
        ] {
            let mut log = Log::default();
            let _ = Gate::new(&c, NoApprover, &mut log).run(&exec("x"), &mut Ends(ends));
            assert_eq!(log.2, vec![Status::Succeeded, status]);
        }
    }

    #[test]
    fn a_refusal_made_while_enforcing_is_the_recorded_and_returned_decision() {
        let c = config(Verdict::Allow);
        let mut log = Log::default();
        let r = Gate::new(&c, NoApprover, &mut log)
            .run(&exec("x"), &mut Ends(Err(Some(deny("real path")))))
            .unwrap();
        assert_eq!((r.decision.verdict, r.outcome), (Verdict::Deny, None));
        assert_eq!(r.decision.reasons, vec!["real path".to_owned()]);
        assert_eq!(
            log.0,
            vec![
                (Stage::Decided, Verdict::Allow),
                (Stage::Enforced, Verdict::Deny)
            ],
            "gate bypassed: the late refusal was not recorded as a deny"
        );
        assert_eq!(log.2, vec![Status::Succeeded, Status::Refused]);
    }

    /// An enforcer that judged something while enforcing and went on.
    struct Rechecked(Option<Decision>);
    impl Enforcer for Rechecked {
        type Outcome = Status;
        type Error = Refusal;
        fn enforce(&mut self, _: &Action, _: &Mandate<'_>) -> Result<Status, Refusal> {
            Ok(Status::Succeeded)
        }
        fn status(o: &Status) -> Status {
            *o
        }
        fn allowed_late(&mut self) -> Option<Decision> {
            self.0.take()
        }
    }

    #[test]
    fn an_allow_made_while_enforcing_is_the_recorded_decision() {
        let c = config(Verdict::Allow);
        let mut real = deny("`/w/a` resolves to `/w/b`, which is allowed");
        real.verdict = Verdict::Allow;
        real.rule = Some("real.toml:1".into());
        let mut log = Log::default();
        let r = Gate::new(&c, NoApprover, &mut log)
            .run(&exec("x"), &mut Rechecked(Some(real.clone())))
            .unwrap();
        assert_eq!(
            r.decision, real,
            "the real path's decision is the final one"
        );
        assert_eq!(r.outcome, Some(Status::Succeeded));
        // Only an allow is taken: the action ran.
        let mut log = Log::default();
        let r = Gate::new(&c, NoApprover, &mut log)
            .run(&exec("x"), &mut Rechecked(Some(deny("late"))))
            .unwrap();
        assert_eq!(
            (r.decision.verdict, r.outcome),
            (Verdict::Allow, Some(Status::Succeeded))
        );
        assert!(!r.decision.reasons.contains(&"late".to_owned()));
    }

    #[test]
    fn the_last_word_only_tightens() {
        let c = config(Verdict::Allow);
        let mut log = Log::default();
        let j = Gate::new(&c, NoApprover, &mut log)
            .judge_with(&exec("x"), &[], |last| {
                last.at_least(Verdict::Allow, "no-op".into(), Some("r0".into()));
                last.at_least(Verdict::Ask, "secret".into(), Some("r1".into()));
                last.at_least(Verdict::Allow, "looser".into(), Some("r2".into()));
                last.at_least(Verdict::Ask, "also".into(), Some("r3".into()));
            })
            .unwrap();
        assert_eq!(j.decision.verdict, Verdict::Ask);
        assert_eq!(j.decision.rule.as_deref(), Some("r1"));
        assert_eq!(
            j.decision.reasons.first().map(String::as_str),
            Some("secret")
        );
        assert!(j.decision.reasons.contains(&"also".to_owned()));
        assert!(!j
            .decision
            .reasons
            .iter()
            .any(|r| r == "no-op" || r == "looser"));
        // `never`: a raised ask is a deny.
        let mut c = config(Verdict::Allow);
        c.approval_policy = rampart_policy::ApprovalPolicy::Never;
        let j = Gate::new(&c, NoApprover, &mut Log::default())
            .judge_with(&exec("x"), &[], |last| {
                last.at_least(Verdict::Ask, "secret".into(), None);
            })
            .unwrap();
        assert_eq!(j.decision.verdict, Verdict::Deny);
    }

    #[test]
    fn an_answer_without_a_decision_is_recorded_or_refused() {
        let c = config(Verdict::Allow);
        let answer = Unjudged {
            verdict: Verdict::Allow,
            reason: "unknown tool",
            tool: Some("Frobnicate"),
            rule: None,
        };
        assert!(Gate::new(&c, NoApprover, NoopRecorder)
            .record_answer(&answer)
            .is_ok());
        // A recorder that cannot keep it: a fail-closed surface must
        // answer `deny`.
        let mut log = Log::default();
        assert!(matches!(
            Gate::new(&c, NoApprover, &mut log).record_answer(&answer),
            Err(GateError::Record(_))
        ));
    }

    #[test]
    fn the_enforcers_detail_on_a_status_is_recorded() {
        struct Untrusted;
        impl Enforcer for Untrusted {
            type Outcome = Status;
            type Error = Refusal;
            fn enforce(&mut self, _: &Action, _: &Mandate<'_>) -> Result<Status, Refusal> {
                Ok(Status::Failed)
            }
            fn status(o: &Status) -> Status {
                *o
            }
            fn detail(_: &Status) -> Option<String> {
                Some("no status report".into())
            }
        }
        #[derive(Default)]
        struct Ends(Vec<Option<Ran>>);
        impl Recorder for &mut Ends {
            fn record(&mut self, e: &Event<'_>) -> Result<(), RecordError> {
                self.0.push(e.ran.clone());
                Ok(())
            }
        }
        let c = config(Verdict::Allow);
        let mut ends = Ends::default();
        let _ = Gate::new(&c, NoApprover, &mut ends).run(&exec("x"), &mut Untrusted);
        let ran = ends.0.last().cloned().flatten().expect("an enforced event");
        assert_eq!(
            (ran.status, ran.error.as_deref()),
            (Status::Failed, Some("no status report"))
        );
    }

    #[test]
    fn judge_records_exactly_the_final_answer_and_enforces_nothing() {
        for v in [Verdict::Allow, Verdict::Ask, Verdict::Deny] {
            let c = config(v);
            let mut log = Log::default();
            let d = Gate::new(&c, NoApprover, &mut log)
                .judge(&exec("x"))
                .unwrap();
            assert_eq!(d.verdict, v);
            assert_eq!(log.0, vec![(Stage::Decided, v)]);
            assert_eq!(log.2, vec![Status::of_verdict(v)]);
        }
        // The last word turns an allow into a deny before it is recorded.
        let c = config(Verdict::Allow);
        let mut log = Log::default();
        let j = Gate::new(&c, NoApprover, &mut log)
            .judge_with(&exec("x"), &[], |w| w.deny("late".into()))
            .unwrap();
        assert_eq!(j.decision.verdict, Verdict::Deny);
        assert_eq!(j.decision.reasons.first().map(String::as_str), Some("late"));
        assert_eq!(
            log.0,
            vec![(Stage::Decided, Verdict::Deny)],
            "gate bypassed: the trail says something other than the answer"
        );
        // A trail that cannot be written: no answer but an error.
        let mut log = Log(Vec::new(), true, Vec::new());
        assert!(matches!(
            Gate::new(&c, NoApprover, &mut log).judge(&exec("x")),
            Err(GateError::Record(_))
        ));
        // Nothing recorded, and an invalid action is refused.
        assert!(Gate::new(&c, NoApprover, NoopRecorder)
            .judge(&Action::Exec {
                argv: vec![],
                cwd: "/w".into()
            })
            .is_err());
    }

    #[test]
    fn judge_with_resolved_forms_takes_the_strictest() {
        let mut c = Config::defaults(&HostEnv::default());
        c.deny_read.push("/w/secret".into());
        let read = |p: &str| Action::ReadFile {
            path: p.into(),
            workspace: "/w".into(),
        };
        let mut log = Log::default();
        let j = Gate::new(&c, NoApprover, &mut log)
            .judge_with(&read("/w/innocent"), &[read("/w/secret")], |_| {})
            .unwrap();
        assert_eq!(j.decision.verdict, Verdict::Deny, "{:?}", j.decision);
        assert_eq!(j.action, read("/w/secret"));
        assert!(j.decision.reasons[0].contains("really names"));
        assert_eq!(log.0, vec![(Stage::Decided, Verdict::Deny)]);
    }

    struct Count(usize);
    impl Enforcer for Count {
        type Outcome = usize;
        type Error = std::io::Error;
        fn enforce(&mut self, _: &Action, _: &Mandate<'_>) -> Result<usize, std::io::Error> {
            self.0 += 1;
            Ok(self.0)
        }
        fn status(_: &usize) -> Status {
            Status::Succeeded
        }
    }

    fn config(decision: Verdict) -> Config {
        let mut c = Config::defaults(&HostEnv::default());
        c.rules.push(Rule {
            matcher: RuleMatch::Command(vec!["x".into()]),
            decision,
            reason: "test".into(),
            origin: "t:1".into(),
        });
        c
    }

    fn exec(p: &str) -> Action {
        Action::Exec {
            argv: vec![p.into()],
            cwd: "/w".into(),
        }
    }

    #[test]
    fn a_confined_gate_refuses_and_records_file_actions_out_of_reach() {
        let c = Config::defaults(&HostEnv::default());
        let read = |p: &str| Action::ReadFile {
            path: p.into(),
            workspace: "/w".into(),
        };
        for (path, why) in [
            ("/etc/passwd", "outside the workspace `/w`"),
            ("/w2/x", "outside the workspace `/w`"),
            ("/w/../etc/passwd", "not in normal form"),
            ("/w/a\0b", "contains a NUL byte"),
        ] {
            let mut log = Log::default();
            let mut e = Count(0);
            let confined = Confinement::new("/w").unwrap();
            let r = Gate::new(&c, NoApprover, &mut log)
                .confine(confined.clone())
                .run(&read(path), &mut e)
                .unwrap_or_else(|err| panic!("{path:?}: {err}"));
            assert_eq!(e.0, 0, "gate bypassed: {path:?} was enforced");
            assert_eq!((r.decision.verdict, r.outcome), (Verdict::Deny, None));
            assert!(r.decision.reasons[0].contains(why), "{:?}", r.decision);
            assert_eq!(log.0, vec![(Stage::Decided, Verdict::Deny)], "{path:?}");
            assert_eq!(log.2, vec![Status::Refused], "{path:?}");
            // Judged, the same answer, recorded once.
            let mut log = Log::default();
            let j = Gate::new(&c, NoApprover, &mut log)
                .confine(confined)
                .judge(&read(path))
                .unwrap();
            assert_eq!(j.verdict, Verdict::Deny, "{path:?}");
            assert_eq!(log.0, vec![(Stage::Decided, Verdict::Deny)], "{path:?}");
        }
        // Control: inside, the policy decides and the enforcer runs; an
        // unconfined gate leaves a path outside to the policy.
        let mut e = Count(0);
        let r = Gate::new(&c, NoApprover, NoopRecorder)
            .confine(Confinement::new("/w").unwrap())
            .run(&read("/w/src/main.rs"), &mut e)
            .unwrap();
        assert_eq!((r.decision.verdict, e.0), (Verdict::Allow, 1));
        let mut e = Count(0);
        let yes = Scripted(Approval::Approved { by: "test".into() }, 0);
        let r = Gate::new(&c, yes, NoopRecorder)
            .run(&read("/usr/share/doc/x"), &mut e)
            .unwrap();
        assert_eq!((r.decision.verdict, e.0), (Verdict::Allow, 1));
        // Commands are not file actions.
        let mut e = Count(0);
        let _ = Gate::new(&config(Verdict::Allow), NoApprover, NoopRecorder)
            .confine(Confinement::new("/w").unwrap())
            .run(&exec("x"), &mut e)
            .unwrap();
        assert_eq!(e.0, 1);
    }

    #[test]
    fn a_connect_host_must_be_in_its_one_normal_spelling() {
        let conn = |h: &str| Action::Connect {
            host: h.into(),
            port: 443,
        };
        for ok in ["docs.rs", "169.254.169.254", "::1", "xn--bcher-kva.example"] {
            assert_eq!(validate(&conn(ok)), Ok(()), "{ok}");
        }
        for bad in [
            "EVIL.example",
            "evil.example.",
            "2852039166",
            "[::1]",
            "%65vil.example",
            "a b",
            "",
        ] {
            assert!(
                validate(&conn(bad)).is_err(),
                "gate bypassed: `{bad}` passed as a host"
            );
        }
    }

    #[test]
    fn allow_runs_and_records_twice() {
        let c = config(Verdict::Allow);
        let mut log = Log::default();
        let mut e = Count(0);
        let r = Gate::new(
            &c,
            Scripted(Approval::Approved { by: "test".into() }, 0),
            &mut log,
        )
        .run(&exec("x"), &mut e)
        .unwrap();
        assert_eq!(r.outcome, Some(1));
        assert_eq!(
            log.0,
            vec![
                (Stage::Decided, Verdict::Allow),
                (Stage::Enforced, Verdict::Allow)
            ]
        );
    }

    #[test]
    fn ask_denied_never_enforces() {
        let c = config(Verdict::Ask);
        let mut log = Log::default();
        let mut e = Count(0);
        let r = Gate::new(&c, Scripted(Approval::Denied("no tty".into()), 0), &mut log)
            .run(&exec("x"), &mut e)
            .unwrap();
        assert_eq!(
            (r.decision.verdict, r.outcome, e.0),
            (Verdict::Deny, None, 0)
        );
        assert!(r.decision.reasons.iter().any(|r| r == "no tty"));
        assert_eq!(log.0, vec![(Stage::Decided, Verdict::Deny)]);
    }

    #[test]
    fn ask_approved_runs() {
        let c = config(Verdict::Ask);
        let mut log = Log::default();
        let mut e = Count(0);
        let r = Gate::new(
            &c,
            Scripted(Approval::Approved { by: "test".into() }, 0),
            &mut log,
        )
        .run(&exec("x"), &mut e)
        .unwrap();
        assert_eq!((r.decision.verdict, r.outcome), (Verdict::Allow, Some(1)));
    }

    #[test]
    fn record_failure_stops_the_action() {
        let c = config(Verdict::Allow);
        let mut log = Log(Vec::new(), true, Vec::new());
        let mut e = Count(0);
        let r = Gate::new(
            &c,
            Scripted(Approval::Approved { by: "test".into() }, 0),
            &mut log,
        )
        .run(&exec("x"), &mut e);
        assert!(matches!(r, Err(GateError::Record(_))));
        assert_eq!(e.0, 0);
    }

    #[test]
    fn invalid_action_is_refused() {
        let c = config(Verdict::Allow);
        let mut log = Log::default();
        let r = Gate::new(
            &c,
            Scripted(Approval::Approved { by: "test".into() }, 0),
            &mut log,
        )
        .run(
            &Action::Exec {
                argv: vec![],
                cwd: "/w".into(),
            },
            &mut Count(0),
        );
        assert!(matches!(r, Err(GateError::Invalid(_))));
    }

    #[test]
    fn an_invalid_action_says_what_is_wrong_with_it() {
        let relative = Action::Exec {
            argv: vec!["ls".into()],
            cwd: "ws".into(),
        };
        let e = validate(&relative).unwrap_err();
        assert_eq!(e, InvalidAction::RelativeCwd("ws".into()));
        assert_eq!(
            GateError::<Infallible>::Invalid(e).to_string(),
            "invalid action: working directory `ws` is not absolute"
        );
        let dotted = Action::ReadFile {
            path: "/ws/a/../b".into(),
            workspace: "/ws".into(),
        };
        assert_eq!(
            validate(&dotted).unwrap_err().to_string(),
            "path `/ws/a/../b` is not in normal form (`.` or `..` left in it)"
        );
    }
}
