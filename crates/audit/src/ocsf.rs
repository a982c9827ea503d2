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
    /// Not known to rampart (`status_id` 0): an `ask` handed to someone
    /// else, whose answer rampart does not see.
    Unknown,
}

impl Status {
    /// `status_id`.
    pub fn id(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Success => 1,
            Self::Failure => 2,
        }
    }

    /// `status`: the caption of `status_id`.
    pub fn caption(self) -> &'static str {
        match self {
            Self::Unknown => "Unknown",
            Self::Success => "Success",
            Self::Failure => "Failure",
        }
    }
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
        "status_id": status.id(),
        "status": status.caption(),
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

fn with(mut e: Value, objects: Value) -> Value {
    if let (Some(obj), Value::Object(add)) = (e.as_object_mut(), objects) {
        obj.extend(add);
    }
    e
}

/// Process Activity `activity_id`s rampart uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessActivity {
    /// 1: the decision to start it (allowed, or refused).
    Launch = 1,
    /// 2: it ended (exit code and duration).
    Terminate = 2,
}

/// Process Activity (1007): `cmd_line` is redacted by the log before it is
/// serialised.
pub fn process(
    activity: ProcessActivity,
    time_ms: u64,
    status: Status,
    cmd_line: &str,
    cwd: &str,
    actor: &Value,
    o: &Outcome,
) -> Value {
    let e = base(
        Class::ProcessActivity,
        activity as u8,
        time_ms,
        status,
        o,
        actor,
    );
    with(
        e,
        json!({ "process": { "cmd_line": cmd_line, "cwd": cwd, "file": { "path": cwd, "name": "cwd", "type_id": 2 } } }),
    )
}

/// The CRUD `activity_id`s File System Activity and API Activity share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crud {
    /// 1.
    Create = 1,
    /// 2 (for a file: its contents, or a directory's listing).
    Read = 2,
    /// 3.
    Update = 3,
    /// 4.
    Delete = 4,
    /// 99: none of these (a tool call answered without being judged).
    Other = 99,
}

/// File System Activity (1001) on `path`.
pub fn file(
    activity: Crud,
    time_ms: u64,
    status: Status,
    path: &str,
    is_dir: bool,
    actor: &Value,
    o: &Outcome,
) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    let e = base(
        Class::FileSystemActivity,
        activity as u8,
        time_ms,
        status,
        o,
        actor,
    );
    with(
        e,
        json!({ "file": { "path": path, "name": name, "type_id": if is_dir { 2 } else { 1 } } }),
    )
}

/// Network Activity `activity_id`s rampart uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkActivity {
    /// 1: a connection was let through.
    Open = 1,
    /// 5: a connection was refused.
    Refuse = 5,
}

/// Network Activity (4001) to `host:port`.
pub fn network(
    activity: NetworkActivity,
    time_ms: u64,
    status: Status,
    host: &str,
    port: u16,
    actor: &Value,
    o: &Outcome,
) -> Value {
    let e = base(
        Class::NetworkActivity,
        activity as u8,
        time_ms,
        status,
        o,
        actor,
    );
    with(
        e,
        json!({ "dst_endpoint": { "hostname": host, "port": port } }),
    )
}

/// API Activity (6003): an IPC or MCP call `operation` on `service`
/// (`rampart-mcp`, `rampart-daemon`) from `source` (a peer description,
/// e.g. `uid 1000 pid 4242`).
#[expect(clippy::too_many_arguments, reason = "one per OCSF object")]
pub fn api(
    activity: Crud,
    time_ms: u64,
    status: Status,
    operation: &str,
    service: &str,
    source: &str,
    actor: &Value,
    o: &Outcome,
) -> Value {
    let e = base(
        Class::ApiActivity,
        activity as u8,
        time_ms,
        status,
        o,
        actor,
    );
    with(
        e,
        json!({
            "api": { "operation": operation, "service": { "name": service } },
            "src_endpoint": { "name": source },
        }),
    )
}

/// Authentication (3002), activity Logon (1): `user` presented a
/// credential to `service` (a peer connecting to the daemon, an approval
/// given).
pub fn authentication(
    time_ms: u64,
    status: Status,
    user: &Value,
    service: &str,
    actor: &Value,
    o: &Outcome,
) -> Value {
    let e = base(Class::Authentication, 1, time_ms, status, o, actor);
    with(e, json!({ "user": user, "service": { "name": service } }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OCSF 1.3 required attributes, kept as test data: the base event's,
    /// each class's own, and the `at_least_one` constraints.
    const BASE_REQUIRED: &[&str] = &[
        "activity_id",
        "category_uid",
        "class_uid",
        "metadata",
        "severity_id",
        "time",
        "type_uid",
    ];
    struct ClassFacts {
        uid: u64,
        category: u64,
        required: &'static [&'static str],
        at_least_one: &'static [&'static str],
        activities: &'static [u64],
    }
    const FACTS: &[ClassFacts] = &[
        ClassFacts {
            uid: 1001,
            category: 1,
            required: &["actor", "file"],
            at_least_one: &[],
            activities: &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 99],
        },
        ClassFacts {
            uid: 1007,
            category: 1,
            required: &["actor", "process"],
            at_least_one: &[],
            activities: &[1, 2, 3, 4, 5, 99],
        },
        ClassFacts {
            uid: 3002,
            category: 3,
            required: &["user"],
            at_least_one: &["service", "dst_endpoint"],
            activities: &[1, 2, 3, 4, 5, 99],
        },
        ClassFacts {
            uid: 4001,
            category: 4,
            required: &[],
            at_least_one: &["dst_endpoint", "src_endpoint"],
            activities: &[1, 2, 3, 4, 5, 6, 99],
        },
        ClassFacts {
            uid: 6003,
            category: 6,
            required: &["actor", "api", "src_endpoint"],
            at_least_one: &[],
            activities: &[1, 2, 3, 4, 99],
        },
    ];
    /// `metadata` requires `product` and `version`; `product` requires
    /// `vendor_name`; `user` and `actor` are objects.
    fn check(e: &Value) {
        let uid = e["class_uid"].as_u64().unwrap_or(0);
        let facts = FACTS
            .iter()
            .find(|f| f.uid == uid)
            .unwrap_or_else(|| unreachable!("class {uid} has no facts"));
        for k in BASE_REQUIRED.iter().chain(facts.required) {
            assert!(
                e.get(k).is_some_and(|v| !v.is_null()),
                "class {uid}: missing {k}"
            );
        }
        if !facts.at_least_one.is_empty() {
            assert!(
                facts.at_least_one.iter().any(|k| e.get(k).is_some()),
                "class {uid}: none of {:?}",
                facts.at_least_one
            );
        }
        assert_eq!(e["category_uid"].as_u64(), Some(facts.category));
        let activity = e["activity_id"].as_u64().unwrap_or(0);
        assert!(
            facts.activities.contains(&activity),
            "class {uid}: activity {activity}"
        );
        assert_eq!(e["type_uid"].as_u64(), Some(uid * 100 + activity));
        assert!(e["metadata"]["version"].is_string());
        assert!(e["metadata"]["product"]["vendor_name"].is_string());
        assert!(e["metadata"]["product"]["name"].is_string());
        assert!([0, 1, 2, 3, 4, 5, 6, 99].contains(&e["severity_id"].as_u64().unwrap_or(100)));
        assert!([0, 1, 2, 99].contains(&e["status_id"].as_u64().unwrap_or(100)));
        assert!(e["time"].is_u64());
        assert!(e["unmapped"]["verdict"].is_string());
    }

    #[test]
    fn every_class_has_the_required_attributes() {
        let o = Outcome {
            verdict: "deny".into(),
            risk: "critical".into(),
            ..Outcome::default()
        };
        let a = actor(1000, "dev");
        let events = [
            process(
                ProcessActivity::Launch,
                1,
                Status::Failure,
                "rm -rf /",
                "/w",
                &a,
                &o,
            ),
            process(
                ProcessActivity::Terminate,
                1,
                Status::Success,
                "ls",
                "/w",
                &a,
                &o,
            ),
            file(Crud::Read, 1, Status::Success, "/w/a.txt", false, &a, &o),
            file(Crud::Update, 1, Status::Failure, "/w", true, &a, &o),
            network(
                NetworkActivity::Refuse,
                1,
                Status::Failure,
                "example.org",
                443,
                &a,
                &o,
            ),
            api(
                Crud::Read,
                1,
                Status::Success,
                "read_file",
                "rampart-mcp",
                "stdio",
                &a,
                &o,
            ),
            authentication(
                1,
                Status::Failure,
                &json!({"uid": "1001"}),
                "rampart-daemon",
                &a,
                &o,
            ),
        ];
        for e in &events {
            check(e);
        }
        assert_eq!(events[0]["type_uid"], 100_701);
        assert_eq!(events[1]["type_uid"], 100_702);
        assert_eq!(events[0]["severity_id"], 5);
        assert_eq!(events[0]["status_id"], 2);
        assert_eq!(events[2]["file"]["name"], "a.txt");
        assert_eq!(events[4]["type_uid"], 400_105);
        let classes: std::collections::BTreeSet<u64> = events
            .iter()
            .filter_map(|e| e["class_uid"].as_u64())
            .collect();
        assert_eq!(classes.len(), FACTS.len(), "every class is built");
    }
}
