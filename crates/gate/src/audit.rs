//! The recorder every surface uses: gate events as OCSF events in the
//! audit trail (redacted by the trail before they are serialised).

use std::sync::Arc;

use rampart_audit::now_ms;
use rampart_audit::ocsf::{self, Crud, NetworkActivity, Outcome, ProcessActivity};
use rampart_audit::AuditLog;
use serde_json::Value;

use crate::{Action, Approval, Event, RecordError, Recorder, Stage, Status, Verdict};

/// Why the audit trail could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenTrailError {
    /// The detection rules that mask secrets in events do not build.
    #[error("detection rules for redaction: {0}")]
    Rules(rampart_detect::RulesError),
    /// The trail's directory or files.
    #[error("{0}")]
    Trail(rampart_audit::AuditError),
}

/// Who the recorded actions are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user id.
    pub uid: u32,
    /// The user name (the uid in decimal when there is none).
    pub name: String,
}

/// Writes each gate event to an [`AuditLog`].
#[derive(Debug)]
pub struct AuditRecorder {
    /// `None`: auditing is off; `Err`: the trail could not be opened (each
    /// record fails with this, so a fail-closed gate stops).
    log: Option<Result<AuditLog, Arc<OpenTrailError>>>,
    fail_closed: bool,
    actor: Value,
    /// Sandbox mode in force (`read-only`, `workspace-write`,
    /// `danger-full-access`); a surface changes it for a re-run outside.
    pub sandbox_mode: String,
    /// The session, when there is one.
    pub session_id: Option<String>,
    /// Which door the action came through (`exec`, `mcp`, `hook:claude-code`,
    /// `daemon`), under `unmapped.surface`.
    pub surface: Option<String>,
    /// Events that could not be written while the action went on.
    pub unrecorded: usize,
    /// Actions recorded so far, for [`AuditRecorder::action_uid`].
    actions: u64,
    /// The id of the action being recorded (OCSF `process.uid`): its
    /// Launch and Terminate events carry the same.
    action_uid: String,
    /// More facts the surface knows about the call, each under
    /// `unmapped.<key>` (the hook's `tool_use_id` and `permission_mode`):
    /// plain strings, redacted by the trail like the rest of the event.
    pub call_facts: Vec<(&'static str, String)>,
}

impl AuditRecorder {
    /// A recorder for `actor` (the user rampart runs for, looked up by the
    /// caller: the gate does no I/O of its own); `log` is `None` when
    /// auditing is off, an error when the trail could not be opened.
    pub fn new(
        log: Option<Result<AuditLog, OpenTrailError>>,
        fail_closed: bool,
        sandbox_mode: &str,
        actor: &Actor,
    ) -> Self {
        Self {
            log: log.map(|l| l.map_err(Arc::new)),
            fail_closed,
            actor: ocsf::actor(actor.uid, &actor.name),
            sandbox_mode: sandbox_mode.to_owned(),
            session_id: None,
            surface: None,
            unrecorded: 0,
            actions: 0,
            action_uid: String::new(),
            call_facts: Vec::new(),
        }
    }

    fn add_call_facts(&self, event: &mut Value) {
        for (key, value) in &self.call_facts {
            event["unmapped"][*key] = Value::String(value.clone());
        }
    }

    /// The log, to sync or forward after the action.
    pub fn log(&self) -> Option<&AuditLog> {
        self.log.as_ref()?.as_ref().ok()
    }
}

/// argv as one line a human can read (quoted where needed; for display,
/// never for running), with every secret it carries masked by its role
/// (see [`crate::argv_mask`]).
pub fn display_argv(argv: &[String]) -> String {
    crate::argv_mask::mask_argv(argv)
        .iter()
        .map(|a| rampart_policy::shell::quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The OCSF event for a gate event; `action_uid` is rampart's id for the
/// action (`process.uid` of a command), the same in both its events.
pub fn to_ocsf(
    e: &Event<'_>,
    action_uid: &str,
    actor: &Value,
    sandbox_mode: &str,
    session_id: Option<&str>,
    surface: Option<&str>,
) -> Value {
    let d = e.decision;
    let approver = e.approval.map(|a| match a {
        Approval::Approved { by } => by.clone(),
        Approval::Denied(_) => "refused".to_owned(),
    });
    let o = Outcome {
        verdict: d.verdict.as_str().to_owned(),
        risk: d.risk.as_str().to_owned(),
        reasons: d
            .reasons
            .iter()
            .map(|r| crate::argv_mask::mask_reason(r))
            .collect(),
        rule: d.rule.clone(),
        sandbox_mode: sandbox_mode.to_owned(),
        approver,
        duration_ms: e.ran.as_ref().map(|r| r.duration_ms),
        exit_code: e.ran.as_ref().and_then(|r| r.exit_code),
        session_id: session_id.map(str::to_owned),
    };
    let activity = match e.stage {
        Stage::Decided => ProcessActivity::Launch,
        Stage::Enforced => ProcessActivity::Terminate,
    };
    let how = e.status();
    let status = match how {
        Status::Succeeded => ocsf::Status::Success,
        Status::Asked => ocsf::Status::Unknown,
        _ => ocsf::Status::Failure,
    };
    let mut event = match e.action {
        Action::Exec { argv, cwd } => ocsf::process(
            activity,
            now_ms(),
            status,
            &ocsf::Process {
                name: argv.first().map_or("", String::as_str),
                cmd_line: &display_argv(argv),
                cwd: &cwd.to_string_lossy(),
                uid: action_uid,
                pid: e.ran.as_ref().and_then(|r| r.pid),
            },
            actor,
            &o,
        ),
        Action::ReadFile { path, .. }
        | Action::ListDir { path, .. }
        | Action::WriteFile { path, .. } => {
            let write = matches!(e.action, Action::WriteFile { .. });
            ocsf::file(
                if write { Crud::Update } else { Crud::Read },
                now_ms(),
                status,
                &path.to_string_lossy(),
                matches!(e.action, Action::ListDir { .. }),
                actor,
                &o,
            )
        }
        Action::Connect { host, port } => ocsf::network(
            if d.verdict == Verdict::Allow {
                NetworkActivity::Open
            } else {
                NetworkActivity::Refuse
            },
            now_ms(),
            status,
            host,
            *port,
            actor,
            &o,
        ),
    };
    event["unmapped"]["status"] = Value::String(how.as_str().into());
    event["unmapped"]["stage"] = Value::String(
        match e.stage {
            Stage::Decided => "decided",
            Stage::Enforced => "enforced",
        }
        .into(),
    );
    if let Some(s) = surface {
        event["unmapped"]["surface"] = Value::String(s.to_owned());
    }
    if let Some(err) = e.ran.as_ref().and_then(|r| r.error.as_ref()) {
        event["status_detail"] = Value::String(err.clone());
    }
    event
}

/// The OCSF event for an answer given without a decision: API Activity
/// (6003), activity Other (99), `api.operation` the tool (`unknown` when
/// the call could not be read), `unmapped.stage` `answered`, and the
/// status of the verdict answered.
pub fn unjudged_to_ocsf(
    a: &crate::Unjudged<'_>,
    actor: &Value,
    sandbox_mode: &str,
    session_id: Option<&str>,
    surface: Option<&str>,
) -> Value {
    let how = Status::of_verdict(a.verdict);
    let o = Outcome {
        verdict: a.verdict.as_str().to_owned(),
        // Nothing judged the call: its risk is not known to be lower.
        risk: "high".to_owned(),
        reasons: vec![crate::argv_mask::mask_reason(a.reason)],
        rule: a.rule.map(str::to_owned),
        sandbox_mode: sandbox_mode.to_owned(),
        session_id: session_id.map(str::to_owned),
        ..Outcome::default()
    };
    let status = match how {
        Status::Succeeded => ocsf::Status::Success,
        Status::Asked => ocsf::Status::Unknown,
        _ => ocsf::Status::Failure,
    };
    let mut event = ocsf::api(
        Crud::Other,
        now_ms(),
        status,
        a.tool.unwrap_or("unknown"),
        surface.unwrap_or("rampart"),
        surface.unwrap_or("rampart"),
        actor,
        &o,
    );
    event["unmapped"]["status"] = Value::String(how.as_str().into());
    event["unmapped"]["stage"] = Value::String("answered".into());
    if let Some(s) = surface {
        event["unmapped"]["surface"] = Value::String(s.to_owned());
    }
    event
}

impl Recorder for AuditRecorder {
    fn record(&mut self, e: &Event<'_>) -> Result<(), RecordError> {
        let log = match &self.log {
            None => return Ok(()),
            Some(Err(why)) => return Err(RecordError::Unopened(Arc::clone(why))),
            Some(Ok(log)) => log,
        };
        if e.stage == Stage::Decided || self.action_uid.is_empty() {
            self.actions += 1;
            self.action_uid = format!("{}-{}-{}", std::process::id(), now_ms(), self.actions);
        }
        let mut event = to_ocsf(
            e,
            &self.action_uid,
            &self.actor,
            &self.sandbox_mode,
            self.session_id.as_deref(),
            self.surface.as_deref(),
        );
        self.add_call_facts(&mut event);
        log.record(event).map(drop).map_err(RecordError::Write)
    }

    fn record_unjudged(&mut self, a: &crate::Unjudged<'_>) -> Result<(), RecordError> {
        let log = match &self.log {
            None => return Ok(()),
            Some(Err(why)) => return Err(RecordError::Unopened(Arc::clone(why))),
            Some(Ok(log)) => log,
        };
        let mut event = unjudged_to_ocsf(
            a,
            &self.actor,
            &self.sandbox_mode,
            self.session_id.as_deref(),
            self.surface.as_deref(),
        );
        self.add_call_facts(&mut event);
        log.record(event).map(drop).map_err(RecordError::Write)
    }

    fn fail_closed(&self) -> bool {
        self.fail_closed
    }

    fn unrecorded(&mut self, error: &RecordError) {
        self.unrecorded += 1;
        tracing::error!(error = %error, "THIS ACTION WAS NOT RECORDED in the audit trail");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Decision, Risk};

    #[test]
    fn argv_is_shown_quoted_where_needed() {
        let argv: Vec<String> = ["sh", "-c", "echo 'hi' > x", ""].map(String::from).to_vec();
        assert_eq!(display_argv(&argv), r"sh -c 'echo '\''hi'\'' > x' ''");
    }

    #[test]
    fn launch_and_terminate_events() {
        let action = Action::Exec {
            argv: vec!["make".into()],
            cwd: "/w".into(),
        };
        let d = Decision {
            verdict: Verdict::Allow,
            risk: Risk::Medium,
            reasons: vec!["asked".into()],
            rule: Some("rampart.toml:3".into()),
            commands: vec![],
            approvals: vec![],
            needs_network: false,
            writes: Vec::new(),
        };
        let approval = Approval::Approved {
            by: "terminal".into(),
        };
        let actor = ocsf::actor(1000, "dev");
        let mut e = Event {
            stage: Stage::Decided,
            action: &action,
            decision: &d,
            approval: Some(&approval),
            result: None,
            ran: None,
        };
        let launch = to_ocsf(&e, "a1", &actor, "workspace-write", Some("s1"), Some("mcp"));
        assert_eq!(launch["type_uid"], 100_701);
        assert_eq!(launch["status_id"], 1);
        assert_eq!(launch["unmapped"]["approver"], "terminal");
        assert_eq!(launch["unmapped"]["rule"], "rampart.toml:3");
        assert_eq!(launch["unmapped"]["session_id"], "s1");
        assert_eq!(launch["unmapped"]["surface"], "mcp");
        assert_eq!(launch["unmapped"]["stage"], "decided");
        assert_eq!(launch["process"]["cmd_line"], "make");
        assert_eq!(launch["process"]["name"], "make");
        assert_eq!(launch["process"]["uid"], "a1");
        assert_eq!(launch["action_id"], 1);
        assert_eq!(launch["metadata"]["profiles"][0], "security_control");
        assert!(launch.get("exit_code").is_none());
        e.stage = Stage::Enforced;
        e.ran = Some(crate::Ran {
            status: Status::Failed,
            exit_code: Some(2),
            duration_ms: 7,
            error: None,
            pid: Some(4242),
        });
        let end = to_ocsf(&e, "a1", &actor, "workspace-write", None, None);
        assert_eq!(end["type_uid"], 100_702);
        assert_eq!(end["status_id"], 2);
        assert_eq!(end["status"], "Failure");
        assert_eq!(end["unmapped"]["status"], "failed");
        assert_eq!(end["unmapped"]["exit_code"], 2);
        assert_eq!(end["exit_code"], 2);
        assert_eq!(end["process"]["uid"], "a1");
        assert_eq!(end["process"]["pid"], 4242);
        assert!(launch["process"].get("pid").is_none());
        assert_eq!(end["unmapped"]["duration_ms"], 7);
    }
}
