//! Opening the audit trail for a command that acts, and the work after
//! the action (flush, forward to PostgreSQL).

use rampart_audit::{AuditLog, Masker, Options};
use rampart_gate::audit::{AuditRecorder, OpenTrailError};
use rampart_policy::{Config, SandboxMode};
use rampart_server::exec_plan::{AuditPlan, ExecPlan};

use crate::ui;

/// The trail's options from the config; the PostgreSQL URL only ever comes
/// from the environment variable the config names.
pub(crate) fn options(cfg: &Config) -> Options {
    AuditPlan::of(cfg).options()
}

/// Opens the trail with the masking rule set (never the scan-only
/// allowances of an untrusted project).
pub(crate) fn open(cfg: &Config) -> Result<AuditLog, OpenTrailError> {
    open_as(&AuditPlan::of(cfg))
}

fn open_as(audit: &AuditPlan) -> Result<AuditLog, OpenTrailError> {
    let rules = audit.mask().map_err(OpenTrailError::Rules)?;
    AuditLog::open(&audit.options(), Box::new(Masker(rules))).map_err(OpenTrailError::Trail)
}

/// The user rampart runs for, as the trail names them.
fn actor() -> rampart_gate::audit::Actor {
    let uid = nix::unistd::Uid::current();
    let name = nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map_or_else(|| uid.to_string(), |u| u.name);
    rampart_gate::audit::Actor {
        uid: uid.as_raw(),
        name,
    }
}

fn recorder_as(
    audit: &AuditPlan,
    sandbox_mode: SandboxMode,
    session_id: Option<String>,
) -> AuditRecorder {
    let log = if audit.settings.enabled {
        Some(open_as(audit))
    } else {
        None
    };
    let mut r = AuditRecorder::new(
        log,
        audit.settings.fail_closed,
        sandbox_mode.as_str(),
        &actor(),
    );
    r.session_id = session_id;
    r
}

/// The recorder for `cfg`: off when `[audit] enabled = false`; when the
/// trail cannot be opened, a recorder whose every write fails (so a
/// fail-closed gate refuses the action with the reason).
pub(crate) fn recorder(cfg: &Config, session_id: Option<String>) -> AuditRecorder {
    recorder_as(&AuditPlan::of(cfg), cfg.sandbox_mode, session_id)
}

/// The recorder for a run of `plan`: its trail, and its sandbox mode.
pub(crate) fn recorder_for(plan: &ExecPlan, session_id: Option<String>) -> AuditRecorder {
    recorder_as(&plan.audit, plan.sandbox_mode, session_id)
}

/// After the action: flush what was written without fsync, and forward
/// to PostgreSQL when configured (a server that is down only delays it:
/// the events wait in SQLite).
pub(crate) fn after_action(r: &AuditRecorder) {
    let Some(log) = r.log() else { return };
    if let Err(e) = log.sync() {
        ui::warning(&format!(
            "the audit trail could not be flushed to disk: {e}"
        ));
    }
    if let Some(Err(e)) = log.forward(false) {
        ui::warning(&format!(
            "{e}; the events stay in SQLite and are forwarded when it is back (`rampart audit forward`)"
        ));
    }
}
