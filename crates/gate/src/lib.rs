//! The one gate every rampart action goes through:
//! validate → decide → approve → enforce → record.
//!
//! Surfaces (the CLI's `exec`, the MCP server, the daemon, agent hooks) build an
//! [`Action`], pick an [`Approver`], a [`Recorder`] and an [`Enforcer`], and
//! call [`Gate::run`]. Nothing enforces or records on its own.
//!
//! ```
//! use rampart_gate::{Action, Approval, Approver, Decision, Enforcer, Gate, NoopRecorder, Verdict};
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
//!     fn enforce(&mut self, _: &Action) -> Result<i32, Self::Error> { Ok(0) }
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
//! the action before [`Enforcer::enforce`] is called.
//!
//! # Limitations
//!
//! `decide` is the plain decision of `rampart-policy`. [`audit::AuditRecorder`]
//! writes each stage as an OCSF event: for a command, Process Activity
//! Launch (the decision, before anything runs: allowed, refused or
//! approved) and, for an action that ran, Terminate (exit code, duration);
//! for a file tool, File System Activity; for a fetch, Network Activity.
//! `unmapped.stage` says which stage, `unmapped.surface` which door.
//!
//! # Test strategy
//!
//! Unit tests drive the pipeline with scripted approvers, recorders and
//! enforcers and check which stages ran.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod argv_mask;
pub mod audit;

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

/// What an "always, for this session" answer covers: a set of keys, and a
/// grant covers a later ask only when the session's granted keys include
/// every key of that ask ([`grant_covers`]). For a command, one key per
/// part that asked ([`Decision::approvals`]: the rule, or the program and
/// what made it risky), never just the script's first command; for a file
/// or a connection, the kind of access and the exact path or host.
pub fn approval_prefix(action: &Action, decision: &Decision) -> Vec<String> {
    match action {
        Action::Exec { argv, .. } if decision.approvals.is_empty() => {
            // Nothing recorded what asked: the whole command line, exactly.
            vec![format!("exact: {}", argv.join("\u{0}"))]
        }
        Action::Exec { .. } => decision.approvals.clone(),
        Action::ReadFile { path, .. } => vec![format!("read {}", path.display())],
        Action::ListDir { path, .. } => vec![format!("list {}", path.display())],
        Action::WriteFile { path, .. } => vec![format!("write {}", path.display())],
        Action::Connect { host, port } => vec![format!("connect {host}:{port}")],
    }
}

/// Whether the keys granted so far (`granted`, every grant of the session)
/// cover all of `wanted` (an ask's [`approval_prefix`]).
pub fn grant_covers<'a>(granted: impl IntoIterator<Item = &'a String>, wanted: &[String]) -> bool {
    let granted: std::collections::BTreeSet<&String> = granted.into_iter().collect();
    !wanted.is_empty() && wanted.iter().all(|w| granted.contains(w))
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

/// How an enforced action went, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// The program's exit code (`None`: killed by a signal, or it never
    /// started).
    pub exit_code: Option<i32>,
    /// From the start of enforcement to its end.
    pub duration_ms: u64,
    /// Why it could not run, when it could not.
    pub error: Option<String>,
}

/// Why the audit trail could not take an event.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RecordError(pub String);

/// Writes audit events.
pub trait Recorder {
    /// Records `event`.
    fn record(&mut self, event: &Event<'_>) -> Result<(), RecordError>;
    /// Whether a failed write must stop the action.
    fn fail_closed(&self) -> bool {
        true
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
}

/// Carries out an allowed action.
pub trait Enforcer {
    /// The result of running it.
    type Outcome;
    /// Why it could not run.
    type Error: std::error::Error;
    /// Runs `action`.
    fn enforce(&mut self, action: &Action) -> Result<Self::Outcome, Self::Error>;
    /// The exit code in `outcome`, for the record.
    fn exit_code(_outcome: &Self::Outcome) -> Option<i32> {
        None
    }
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
    Invalid(String),
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
}

fn validate(action: &Action) -> Result<(), String> {
    match action {
        Action::Exec { argv, cwd } => {
            if argv.first().is_none_or(String::is_empty) {
                return Err("no program given".into());
            }
            if !cwd.is_absolute() {
                return Err(format!(
                    "working directory `{}` is not absolute",
                    cwd.display()
                ));
            }
            if argv.iter().any(|a| a.contains('\0')) {
                return Err("an argument contains a NUL byte".into());
            }
            Ok(())
        }
        Action::ReadFile { path, workspace }
        | Action::ListDir { path, workspace }
        | Action::WriteFile {
            path, workspace, ..
        } => {
            for p in [path, workspace] {
                if !p.is_absolute() {
                    return Err(format!("path `{}` is not absolute", p.display()));
                }
                if p.as_os_str().as_encoded_bytes().contains(&0) {
                    return Err("a path contains a NUL byte".into());
                }
            }
            if rampart_policy::lexical_path(workspace, path) != *path {
                return Err(format!(
                    "path `{}` is not in normal form (`.` or `..` left in it)",
                    path.display()
                ));
            }
            Ok(())
        }
        // The one normal spelling of a host (`rampart_policy::destination`
        // yields it), so that what is judged and recorded is what connects.
        Action::Connect { host, .. } => match rampart_policy::normalise_host(host) {
            Ok(normal) if normal == *host => Ok(()),
            Ok(normal) => Err(format!("host `{host}` is not in normal form (`{normal}`)")),
            Err(e) => Err(format!("`{host}` is not a host name or address: {}", e.why)),
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
        }
    }

    /// The recorder (a surface tells it, say, the sandbox mode in force).
    pub fn recorder_mut(&mut self) -> &mut R {
        &mut self.recorder
    }

    /// Runs `action` through every stage.
    pub fn run<E: Enforcer>(
        &mut self,
        action: &Action,
        enforcer: &mut E,
    ) -> Result<GateResult<E::Outcome>, GateError<E::Error>> {
        validate(action).map_err(GateError::Invalid)?;
        let mut decision = decide(self.config, action);
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
        let outcome = enforcer.enforce(action);
        let ran = Ran {
            exit_code: outcome.as_ref().ok().and_then(E::exit_code),
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            error: outcome.as_ref().err().map(ToString::to_string),
        };
        let result = match &outcome {
            Ok(_) => "ran".to_owned(),
            Err(e) => format!("failed: {e}"),
        };
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
    struct Log(Vec<(Stage, Verdict)>, bool);
    impl Recorder for &mut Log {
        fn record(&mut self, e: &Event<'_>) -> Result<(), RecordError> {
            if self.1 {
                return Err(RecordError("disk full".into()));
            }
            self.0.push((e.stage, e.decision.verdict));
            Ok(())
        }
    }

    struct Count(usize);
    impl Enforcer for Count {
        type Outcome = usize;
        type Error = std::io::Error;
        fn enforce(&mut self, _: &Action) -> Result<usize, std::io::Error> {
            self.0 += 1;
            Ok(self.0)
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
        let mut log = Log(Vec::new(), true);
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
}
