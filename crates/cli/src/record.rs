//! Opening the audit trail for a command that acts, and the work after
//! the action (flush, forward to PostgreSQL).

use rampart_audit::{pg, AuditLog, Masker, Options};
use rampart_gate::audit::AuditRecorder;
use rampart_policy::{Config, DetectUse};

use crate::ui;

/// The trail's options from the config; the PostgreSQL URL only ever comes
/// from the environment variable the config names.
pub(crate) fn options(cfg: &Config) -> Options {
    let a = &cfg.audit;
    Options {
        dir: a.dir.clone(),
        max_file_mb: a.max_file_mb,
        max_files: a.max_files,
        sqlite: a.sqlite,
        durable: a.durable,
        postgres: std::env::var(&a.postgres_url_env)
            .ok()
            .filter(|u| !u.is_empty())
            .map(pg::Target::new),
    }
}

/// Opens the trail with the masking rule set (never the scan-only
/// allowances of an untrusted project).
pub(crate) fn open(cfg: &Config) -> Result<AuditLog, String> {
    let rules = cfg
        .detect
        .rule_set(DetectUse::Mask)
        .map_err(|e| format!("detection rules for redaction: {e}"))?;
    AuditLog::open(&options(cfg), Box::new(Masker(rules))).map_err(|e| e.to_string())
}

/// The recorder for `cfg`: off when `[audit] enabled = false`; when the
/// trail cannot be opened, a recorder whose every write fails (so a
/// fail-closed gate refuses the action with the reason).
pub(crate) fn recorder(cfg: &Config, session_id: Option<String>) -> AuditRecorder {
    let log = if cfg.audit.enabled {
        Some(open(cfg))
    } else {
        None
    };
    let mut r = AuditRecorder::new(log, cfg.audit.fail_closed, cfg.sandbox_mode.as_str());
    r.session_id = session_id;
    r
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
