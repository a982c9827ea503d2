//! The actions agents ask for, each through the gate: what the MCP tools
//! and the daemon's methods call. One place decides, asks, records and
//! enforces; the surfaces only translate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rampart_gate::audit::AuditRecorder;
use rampart_gate::{
    Action, Approval, Approver, Config, Decision, Enforcer, Event, Gate, GateError, InvalidAction,
    Mandate, NoApprover, NoopRecorder, RecordError, Recorder, Status, Verdict,
};
use rampart_guard::path::Confinement;
use rampart_policy::{lexical_path, ApprovalPolicy};
use serde::Serialize;

use crate::files::{FileError, Listing, Workspace};
use crate::peer::AskedBy;
use crate::queue::Queue;
use crate::rpc::AskParams;
use crate::runner::{RunOutput, Runner};

/// A recorder shared by concurrent requests (each event is written under
/// the lock; the trail's own file lock orders it with other processes).
#[derive(Debug, Clone)]
pub struct SharedRecorder(pub Arc<Mutex<AuditRecorder>>);

impl SharedRecorder {
    fn with<T>(&self, f: impl FnOnce(&mut AuditRecorder) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Recorder for SharedRecorder {
    fn record(&mut self, e: &Event<'_>) -> Result<(), RecordError> {
        self.with(|r| r.record(e))
    }
    fn fail_closed(&self) -> bool {
        self.with(|r| r.fail_closed())
    }
    fn unrecorded(&mut self, error: &RecordError) {
        self.with(|r| r.unrecorded(error));
    }
}

/// Where an ask goes.
#[derive(Debug, Clone)]
pub enum Asker {
    /// The daemon's own queue (inside `rampart serve`), and who asks
    /// (who may therefore not answer).
    Queue(Arc<Queue>, AskedBy),
    /// A daemon over its socket (from `rampart mcp`), if one runs.
    Socket(PathBuf, Duration),
}

/// Turns an `ask` into an answer through the queue; no queue, no yes.
#[derive(Debug, Clone)]
pub struct AgentApprover {
    /// Where asks go.
    pub asker: Asker,
    /// `mcp`, `daemon`, ….
    pub surface: String,
    /// The session "for this session" answers cover.
    pub session: Option<String>,
    /// The approval policy (`never` asks nobody).
    pub policy: ApprovalPolicy,
    /// Masks secrets in what the human is shown.
    pub masker: Arc<rampart_detect::RuleSet>,
}

impl Approver for AgentApprover {
    fn approve(&mut self, action: &Action, decision: &Decision) -> Approval {
        if let Some(why) = rampart_policy::never_asks(self.policy, rampart_policy::Verdict::Ask) {
            return Approval::Denied(why.into());
        }
        let summary = self.masker.redact(
            action.summary().as_bytes(),
            rampart_detect::Options { pii: true },
        );
        let ask = AskParams {
            summary: String::from_utf8_lossy(&summary).into_owned(),
            risk: decision.risk,
            reasons: decision.reasons.clone(),
            rule: decision.rule.clone(),
            prefix: rampart_gate::approval_prefix(action, decision),
            surface: self.surface.clone(),
            session: self.session.clone(),
        };
        match &self.asker {
            Asker::Queue(q, by) => q.ask_as(ask, by.clone()),
            Asker::Socket(path, timeout) => {
                let params = match serde_json::to_value(&ask) {
                    Ok(p) => p,
                    Err(e) => return Approval::Denied(format!("cannot build the ask: {e}")),
                };
                let answer = crate::client::Client::connect_verified(
                    path,
                    *timeout + Duration::from_secs(5),
                )
                .and_then(|mut c| c.call("approvals.request", &params));
                match answer {
                    Ok(v) if v.get("approved").and_then(serde_json::Value::as_bool) == Some(true) => {
                        Approval::Approved {
                            by: v
                                .get("by")
                                .and_then(serde_json::Value::as_str)
                                .unwrap_or("approvals queue")
                                .to_owned(),
                        }
                    }
                    Ok(v) => Approval::Denied(
                        v.get("reason")
                            .and_then(serde_json::Value::as_str)
                            .unwrap_or("not approved")
                            .to_owned(),
                    ),
                    Err(crate::client::ClientError::NotRunning { .. }) => Approval::Denied(
                        "this needs a human's approval and no approver is running: start `rampart serve` and answer with `rampart approvals`, or add an `allow` rule for it".into(),
                    ),
                    Err(e @ crate::client::ClientError::Untrusted { .. }) => {
                        Approval::Denied(format!("not approved: {e}"))
                    }
                    Err(e) => Approval::Denied(format!("the approval could not be asked: {e}")),
                }
            }
        }
    }
}

/// What a file tool did.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum FileOutcome {
    /// `read_file`.
    Text {
        /// The contents (masked when `[agents] redact_file_reads`).
        content: String,
        /// Whether anything was masked.
        redacted: bool,
        /// The real path read.
        path: String,
    },
    /// `write_file`.
    Written {
        /// Bytes written.
        bytes: u64,
        /// The real path written.
        path: String,
    },
    /// `list_directory`.
    Listed {
        /// The real path listed.
        path: String,
        /// What is in it.
        #[serde(flatten)]
        listing: Listing,
    },
}

/// Carries out file actions beneath the workspace, judging the path it
/// really opened as well as the one asked for.
struct FileEnforcer<'a> {
    service: &'a Service,
    content: Option<&'a str>,
    /// The decision on the real path when it differs from the one asked
    /// for and is allowed: recorded by the gate as the final decision
    /// ([`Enforcer::allowed_late`]).
    allowed: Option<Decision>,
}

impl FileEnforcer<'_> {
    /// A symlink inside the workspace may lead to a path the policy
    /// refuses (a denied `.env`): the real path must be allowed too.
    fn recheck(&mut self, asked: &Action, real: &Path) -> Result<(), FileError> {
        let (path, again) = match asked {
            Action::ReadFile { path, workspace } => (
                path,
                Action::ReadFile {
                    path: real.to_path_buf(),
                    workspace: workspace.clone(),
                },
            ),
            Action::ListDir { path, workspace } => (
                path,
                Action::ListDir {
                    path: real.to_path_buf(),
                    workspace: workspace.clone(),
                },
            ),
            Action::WriteFile {
                path,
                workspace,
                bytes,
            } => (
                path,
                Action::WriteFile {
                    path: real.to_path_buf(),
                    workspace: workspace.clone(),
                    bytes: *bytes,
                },
            ),
            _ => return Ok(()),
        };
        if real == path {
            return Ok(());
        }
        // A decision like any other: made with the gate's own procedure
        // and, when it refuses, recorded by the gate as the final one
        // ([`Enforcer::refusal`]).
        let mut d = rampart_gate::decide(&self.service.config, &again);
        let (path, real) = (path.display().to_string(), real.display().to_string());
        if d.verdict == Verdict::Allow {
            d.reasons.insert(
                0,
                format!("`{path}` resolves to `{real}` (symlinks followed), which is allowed"),
            );
            self.allowed = Some(d);
            return Ok(());
        }
        let why = d.reasons.join("; ");
        let mut late = d;
        late.verdict = Verdict::Deny;
        late.reasons.insert(
            0,
            format!("`{path}` resolves to `{real}` (symlinks followed), which is refused"),
        );
        Err(FileError::Resolved {
            path,
            real,
            why,
            decision: Box::new(late),
        })
    }
}

impl Enforcer for FileEnforcer<'_> {
    type Outcome = FileOutcome;
    type Error = FileError;
    fn status(_: &FileOutcome) -> Status {
        // An outcome exists only when the read, write or listing was done.
        Status::Succeeded
    }
    fn allowed_late(&mut self) -> Option<Decision> {
        self.allowed.take()
    }
    fn refusal(e: &FileError) -> Option<Decision> {
        match e {
            FileError::Resolved { decision, .. } => Some(Decision::clone(decision)),
            // The kernel's confinement refused the lookup (a symlink out
            // of the workspace, a magic link): the same refusal as a path
            // outside it, answered and recorded as one.
            FileError::Escapes(_) | FileError::Link(_) => Some(Decision {
                verdict: Verdict::Deny,
                risk: rampart_policy::Risk::High,
                reasons: vec![e.to_string()],
                rule: None,
                approvals: Vec::new(),
                needs_network: false,
                writes: Vec::new(),
                commands: Vec::new(),
            }),
            _ => None,
        }
    }
    fn enforce(&mut self, action: &Action, _: &Mandate<'_>) -> Result<FileOutcome, FileError> {
        let s = self.service;
        let limit = s.config.agents.max_file_kb.saturating_mul(1024);
        match action {
            Action::ReadFile { path, .. } => {
                let (fd, real) = s.workspace.open_read(path)?;
                self.recheck(action, &real)?;
                let text = s.workspace.read_text(fd, path, limit)?;
                let (content, redacted) = if s.config.agents.redact_file_reads {
                    let m = s
                        .masker
                        .redact(text.as_bytes(), rampart_detect::Options { pii: true });
                    let m = String::from_utf8_lossy(&m).into_owned();
                    let changed = m != text;
                    (m, changed)
                } else {
                    (text, false)
                };
                Ok(FileOutcome::Text {
                    content,
                    redacted,
                    path: real.display().to_string(),
                })
            }
            Action::WriteFile { path, .. } => {
                let content = self.content.unwrap_or_default();
                if content.len() as u64 > limit {
                    return Err(FileError::TooLarge {
                        path: path.display().to_string(),
                        size: content.len() as u64,
                        limit,
                    });
                }
                let (dir, real) = s.workspace.open_parent(path)?;
                self.recheck(action, &real)?;
                s.workspace.write_in(&dir, path, content.as_bytes())?;
                Ok(FileOutcome::Written {
                    bytes: content.len() as u64,
                    path: real.display().to_string(),
                })
            }
            Action::ListDir { path, .. } => {
                let (fd, real) = s.workspace.open_dir(path)?;
                self.recheck(action, &real)?;
                let listing = s.workspace.list_in(&fd, path, 1000)?;
                Ok(FileOutcome::Listed {
                    path: real.display().to_string(),
                    listing,
                })
            }
            other => Err(FileError::Io {
                path: other.summary(),
                source: std::io::Error::other("not a file action"),
            }),
        }
    }
}

/// The result of an action an agent asked for.
#[derive(Debug)]
pub enum Done<T> {
    /// It was carried out.
    Ran {
        /// The decision (after approval).
        decision: Decision,
        /// Who approved, if someone did.
        approved_by: Option<String>,
        /// What came of it.
        outcome: T,
    },
    /// The gate refused it.
    Refused(Decision),
}

/// Everything the agent-facing surfaces share.
#[derive(Debug)]
pub struct Service {
    /// The config in force.
    pub config: Config,
    /// The workspace, opened.
    pub workspace: Workspace,
    /// Runs commands.
    pub runner: Runner,
    /// Writes the trail.
    pub recorder: SharedRecorder,
    /// Masks output, file contents and asks.
    pub masker: Arc<rampart_detect::RuleSet>,
}

/// Why a `cwd` an agent asked for is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CwdError {
    /// Outside the workspace as written.
    #[error("`cwd` `{cwd}` is outside the workspace `{}`", workspace.display())]
    Outside {
        /// As given.
        cwd: String,
        /// The workspace.
        workspace: PathBuf,
    },
    /// It cannot be made canonical (missing, unreadable).
    #[error("`cwd` `{cwd}`: {source}")]
    Unusable {
        /// As given.
        cwd: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a directory inside the workspace once resolved.
    #[error("`cwd` `{0}` is not a directory inside the workspace")]
    NotInside(String),
}

impl Service {
    /// `path` (relative to the workspace, or absolute) made absolute and
    /// lexically normal.
    pub fn path(&self, path: &str) -> PathBuf {
        lexical_path(self.workspace.root(), Path::new(path))
    }

    /// A working directory inside the workspace.
    pub fn cwd(&self, cwd: Option<&str>) -> Result<PathBuf, CwdError> {
        let Some(c) = cwd else {
            return Ok(self.workspace.root().to_path_buf());
        };
        let p = self.path(c);
        if !p.starts_with(self.workspace.root()) {
            return Err(CwdError::Outside {
                cwd: c.to_owned(),
                workspace: self.workspace.root().to_path_buf(),
            });
        }
        let real = std::fs::canonicalize(&p).map_err(|source| CwdError::Unusable {
            cwd: c.to_owned(),
            source,
        })?;
        if !real.starts_with(self.workspace.root()) || !real.is_dir() {
            return Err(CwdError::NotInside(c.to_owned()));
        }
        Ok(real)
    }

    /// Records an event that is not a gate stage (a refused peer, an
    /// approval answer), synced at once; `what` names it in the error log.
    pub fn record_event(&self, event: serde_json::Value, what: &str) {
        self.recorder.with(|r| {
            if let Some(log) = r.log() {
                if let Err(e) = log.record(event).and_then(|_| log.sync()) {
                    tracing::error!(error = %e, "{what} could not be recorded in the audit trail");
                }
            }
        });
    }

    fn sync(&self) {
        self.recorder.with(|r| {
            if let Some(log) = r.log() {
                if let Err(e) = log.sync() {
                    tracing::warn!(error = %e, "the audit trail could not be flushed");
                }
            }
        });
    }

    fn through<E: Enforcer>(
        &self,
        action: &Action,
        approver: AgentApprover,
        enforcer: &mut E,
    ) -> Result<Done<E::Outcome>, GateError<E::Error>> {
        // The file tools reach only beneath the workspace: the gate refuses
        // (and records) anything else before deciding.
        let confinement = Confinement::new(self.workspace.root())
            .map_err(|e| GateError::Invalid(InvalidAction::Path(e)))?;
        let r = Gate::new(&self.config, approver, self.recorder.clone())
            .confine(confinement)
            .run(action, enforcer);
        self.sync();
        match r {
            Ok(res) => {
                let approved_by = match &res.approval {
                    Some(Approval::Approved { by }) => Some(by.clone()),
                    _ => None,
                };
                Ok(match res.outcome {
                    Some(outcome) => Done::Ran {
                        decision: res.decision,
                        approved_by,
                        outcome,
                    },
                    None => Done::Refused(res.decision),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The decision alone, through the gate, recording nothing.
    pub fn check(
        &self,
        argv: Vec<String>,
        cwd: PathBuf,
    ) -> Result<Decision, GateError<std::convert::Infallible>> {
        Gate::new(&self.config, NoApprover, NoopRecorder).judge(&Action::Exec { argv, cwd })
    }

    /// Runs a command through the gate; `timeout_secs` is capped at the
    /// configured limit.
    pub fn exec(
        &self,
        argv: Vec<String>,
        cwd: PathBuf,
        timeout_secs: Option<u64>,
        approver: AgentApprover,
    ) -> Result<Done<RunOutput>, GateError<crate::runner::RunnerError>> {
        let mut runner = self.runner.clone();
        // An agent may shorten the timeout, never lengthen it past the
        // user's `[limits] timeout_secs` (0: no limit configured).
        let limit = self.config.limits.timeout_secs;
        runner.timeout_secs = timeout_secs.map(|t| if limit == 0 { t } else { t.min(limit) });
        self.through(&Action::Exec { argv, cwd }, approver, &mut runner)
    }

    /// A file action through the gate (`content` for a write).
    fn file(
        &self,
        action: &Action,
        content: Option<&str>,
        approver: AgentApprover,
    ) -> Result<Done<FileOutcome>, GateError<FileError>> {
        let mut e = FileEnforcer {
            service: self,
            content,
            allowed: None,
        };
        self.through(action, approver, &mut e)
    }

    /// Reads a text file through the gate.
    pub fn read_file(
        &self,
        path: &str,
        approver: AgentApprover,
    ) -> Result<Done<FileOutcome>, GateError<FileError>> {
        let (path, workspace) = (self.path(path), self.workspace.root().to_path_buf());
        self.file(&Action::ReadFile { path, workspace }, None, approver)
    }

    /// Writes a text file through the gate.
    pub fn write_file(
        &self,
        path: &str,
        content: &str,
        approver: AgentApprover,
    ) -> Result<Done<FileOutcome>, GateError<FileError>> {
        let (path, workspace) = (self.path(path), self.workspace.root().to_path_buf());
        let bytes = content.len() as u64;
        let action = Action::WriteFile {
            path,
            workspace,
            bytes,
        };
        self.file(&action, Some(content), approver)
    }

    /// Lists a directory through the gate.
    pub fn list_directory(
        &self,
        path: &str,
        approver: AgentApprover,
    ) -> Result<Done<FileOutcome>, GateError<FileError>> {
        let (path, workspace) = (self.path(path), self.workspace.root().to_path_buf());
        self.file(&Action::ListDir { path, workspace }, None, approver)
    }
}

/// A refusal in words a model can act on.
pub fn refusal_text(d: &Decision) -> String {
    let mut s = format!(
        "rampart denied this ({} risk): {}",
        d.risk,
        d.reasons.join("; ")
    );
    if let Some(rule) = &d.rule {
        let _ = write!(s, " [rule: {rule}]");
    }
    s
}
