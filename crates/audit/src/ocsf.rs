//! OCSF 1.x events, built from already-redacted text.
//!
//! Every event carries the base attributes OCSF requires (`class_uid`,
//! `category_uid`, `activity_id`, `type_uid = class_uid * 100 +
//! activity_id`, `time`, `severity_id`, `status_id`, `metadata.product`
//! and `metadata.version`) and rampart's own fields under `unmapped`.

use serde_json::{json, Value};

/// OCSF classes rampart emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 1001, category 1 (System Activity).
    FileSystemActivity,
    /// 1007, category 1.
    ProcessActivity,
    /// 3002, category 3 (Identity & Access Management).
    Authentication,
    /// 4001, category 4 (Network Activity).
    NetworkActivity,
    /// 6003, category 6 (Application Activity).
    ApiActivity,
}

impl Class {
    /// `class_uid`.
    pub fn uid(self) -> u32 {
        match self {
            Self::FileSystemActivity => 1001,
            Self::ProcessActivity => 1007,
            Self::Authentication => 3002,
            Self::NetworkActivity => 4001,
            Self::ApiActivity => 6003,
        }
    }

    /// `category_uid`.
    pub fn category(self) -> u32 {
        self.uid() / 1000
    }
}

/// Whether the action happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Ran (`status_id` 1).
    Success,
    /// Refused or failed (`status_id` 2).
    Failure,
}

/// What rampart decided and did, for `unmapped`.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// allow | ask | deny.
    pub verdict: String,
    /// low | medium | high | critical.
    pub risk: String,
    /// Why.
    pub reasons: Vec<String>,
    /// The rule that decided, if any.
    pub rule: Option<String>,
    /// Sandbox mode.
    pub sandbox_mode: String,
    /// Who approved, when someone did.
    pub approver: Option<String>,
    /// Milliseconds from decision to exit.
    pub duration_ms: Option<u64>,
    /// The program's exit code.
    pub exit_code: Option<i32>,
    /// The session.
    pub session_id: Option<String>,
}

fn severity(risk: &str) -> u8 {
    match risk {
        "low" => 1,
        "medium" => 2,
        "high" => 4,
        "critical" => 5,
        _ => 0,
    }
}

/// The common part of every event.
fn base(
    class: Class,
    activity_id: u8,
    time_ms: u64,
    status: Status,
    o: &Outcome,
    actor: &Value,
) -> Value {
    json!({
        "class_uid": class.uid(),
        "category_uid": class.category(),
        "activity_id": activity_id,
        "type_uid": u64::from(class.uid()) * 100 + u64::from(activity_id),
        "time": time_ms,
        "severity_id": severity(&o.risk),
        "status_id": match status { Status::Success => 1, Status::Failure => 2 },
        "metadata": {
            "version": "1.3.0",
            "product": { "name": "rampart", "vendor_name": "rampart", "version": env!("CARGO_PKG_VERSION") },
        },
        "actor": actor,
        "unmapped": {
            "verdict": o.verdict,
            "risk": o.risk,
            "reasons": o.reasons,
            "rule": o.rule,
            "sandbox_mode": o.sandbox_mode,
            "approver": o.approver,
            "duration_ms": o.duration_ms,
            "exit_code": o.exit_code,
            "session_id": o.session_id,
        },
    })
}

/// The acting user.
pub fn actor(uid: u32, name: &str) -> Value {
    json!({ "user": { "uid": uid.to_string(), "name": name } })
}

/// Process Activity (1007), activity Launch (1): `cmd_line` must already
/// be redacted.
pub fn process_launch(
    time_ms: u64,
    status: Status,
    cmd_line: &str,
    cwd: &str,
    actor: &Value,
    o: &Outcome,
) -> Value {
    let mut e = base(Class::ProcessActivity, 1, time_ms, status, o, actor);
    if let Some(obj) = e.as_object_mut() {
        obj.insert(
            "process".into(),
            json!({ "cmd_line": cmd_line, "file": { "path": cwd, "name": "cwd", "type_id": 2 } }),
        );
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OCSF 1.3 required attributes (schema facts kept as test data): the
    /// base event's, and Process Activity's own.
    const BASE_REQUIRED: &[&str] = &[
        "activity_id",
        "category_uid",
        "class_uid",
        "metadata",
        "severity_id",
        "time",
        "type_uid",
    ];
    const PROCESS_REQUIRED: &[&str] = &["actor", "process"];

    #[test]
    fn process_launch_has_the_required_attributes() {
        let o = Outcome {
            verdict: "deny".into(),
            risk: "critical".into(),
            ..Outcome::default()
        };
        let e = process_launch(
            1,
            Status::Failure,
            "rm -rf /",
            "/w",
            &actor(1000, "dev"),
            &o,
        );
        for k in BASE_REQUIRED.iter().chain(PROCESS_REQUIRED) {
            assert!(e.get(k).is_some(), "missing {k}");
        }
        assert_eq!(e["type_uid"], 100_701);
        assert_eq!(e["category_uid"], 1);
        assert_eq!(e["severity_id"], 5);
        assert_eq!(e["status_id"], 2);
        assert!(
            e["metadata"]["product"]["name"].is_string() && e["metadata"]["version"].is_string()
        );
        assert_eq!(e["unmapped"]["verdict"], "deny");
    }
}
