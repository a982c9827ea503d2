//! OCSF 1.3.0 events, built from already-redacted text.
//!
//! Every event validates against the OCSF 1.3.0 schema of its class (see
//! `scripts/ocsf-validate.py` and docs/AUDIT.md): the base attributes
//! (`class_uid`, `category_uid`, `activity_id`, `type_uid = class_uid *
//! 100 + activity_id`, `time`, `severity_id`, `status_id`,
//! `metadata.product` and `metadata.version`), the objects each class
//! requires (`device` for the System Activity classes, `process`, `file`,
//! `api`...), the decision in the `security_control` profile where the
//! class takes it (`action_id`, `disposition_id`, declared in
//! `metadata.profiles`), and rampart's own fields under `unmapped`.

use std::sync::OnceLock;

use serde_json::{json, Value};

/// The OCSF schema version every event names in `metadata.version`.
pub const SCHEMA_VERSION: &str = "1.3.0";

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

    /// The profiles the event declares in `metadata.profiles`: the
    /// decision (`security_control`) where the class takes it, and
    /// `host` where `device` comes with that profile.
    fn profiles(self) -> &'static [&'static str] {
        match self {
            Self::FileSystemActivity | Self::ProcessActivity => &["security_control"],
            Self::NetworkActivity => &["security_control", "host"],
            Self::Authentication => &["host"],
            Self::ApiActivity => &[],
        }
    }

    /// Whether the class carries `device` (required in System Activity,
    /// from the `host` profile elsewhere).
    fn has_device(self) -> bool {
        self.profiles().contains(&"host") || self.category() == 1
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

/// `severity_id` and its caption `severity` for a risk.
fn severity(risk: &str) -> (u8, &'static str) {
    match risk {
        "low" => (1, "Informational"),
        "medium" => (2, "Low"),
        "high" => (4, "High"),
        "critical" => (5, "Critical"),
        _ => (0, "Unknown"),
    }
}

/// The decision in the `security_control` profile: (`action_id`,
/// `action`, `disposition_id`, `disposition`). An `ask` handed to someone
/// else is neither allowed nor denied by rampart: Other (99).
fn control(verdict: &str) -> (u8, &'static str, u8, &'static str) {
    match verdict {
        "allow" => (1, "Allowed", 1, "Allowed"),
        "deny" => (2, "Denied", 2, "Blocked"),
        "ask" => (99, "Ask", 99, "Ask"),
        _ => (0, "Unknown", 0, "Unknown"),
    }
}

/// The host rampart runs on (`device`), read once: its hostname, kind
/// (`type_id` 0, Unknown: rampart cannot tell a server from a laptop)
/// and operating system.
pub fn device() -> Value {
    static DEVICE: OnceLock<Value> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            let hostname = nix::unistd::gethostname()
                .ok()
                .and_then(|h| h.into_string().ok())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "localhost".to_owned());
            let (os_name, os_type_id) = match std::env::consts::OS {
                "linux" => ("Linux", 200),
                "macos" => ("macOS", 300),
                other => (other, 99),
            };
            let mut os = json!({ "name": os_name, "type_id": os_type_id });
            if os_type_id != 99 {
                os["type"] = os_name.into();
            }
            if let Ok(release) = std::fs::read_to_string("/proc/sys/kernel/osrelease") {
                os["version"] = release.trim().into();
            }
            json!({ "hostname": hostname, "type_id": 0, "type": "Unknown", "os": os })
        })
        .clone()
}

/// The common part of every event.
fn base(
    class: Class,
    (activity_id, activity_name): (u8, &str),
    time_ms: u64,
    status: Status,
    o: &Outcome,
    actor: &Value,
) -> Value {
    let (severity_id, severity) = severity(&o.risk);
    let profiles = class.profiles();
    let mut e = json!({
        "class_uid": class.uid(),
        "category_uid": class.category(),
        "activity_id": activity_id,
        "activity_name": activity_name,
        "type_uid": u64::from(class.uid()) * 100 + u64::from(activity_id),
        "time": time_ms,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status.id(),
        "status": status.caption(),
        "metadata": {
            "version": SCHEMA_VERSION,
            "product": { "name": "rampart", "vendor_name": "rampart", "version": env!("CARGO_PKG_VERSION") },
            "profiles": profiles,
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
    });
    if profiles.contains(&"security_control") {
        let (action_id, action, disposition_id, disposition) = control(&o.verdict);
        e["action_id"] = action_id.into();
        e["action"] = action.into();
        e["disposition_id"] = disposition_id.into();
        e["disposition"] = disposition.into();
    }
    if class.has_device() {
        e["device"] = device();
    }
    e
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

impl ProcessActivity {
    fn id(self) -> (u8, &'static str) {
        match self {
            Self::Launch => (1, "Launch"),
            Self::Terminate => (2, "Terminate"),
        }
    }
}

/// The process a Process Activity event is about.
#[derive(Debug, Clone, Copy)]
pub struct Process<'a> {
    /// The program's name (argv\[0\]).
    pub name: &'a str,
    /// The whole command line (redacted by the log before it is
    /// serialised).
    pub cmd_line: &'a str,
    /// Its working directory: OCSF 1.3.0 has no attribute for it
    /// (`process.working_directory` came in 1.4.0), so it goes to
    /// `unmapped.working_directory`.
    pub cwd: &'a str,
    /// rampart's id for the action (`process.uid`), the same in its
    /// Launch and Terminate events: a refused command never had a pid.
    pub uid: &'a str,
    /// Its pid, when it ran and the enforcer knows it.
    pub pid: Option<u32>,
}

/// Process Activity (1007): `process.user` is the actor's user (rampart
/// runs commands as the user it runs for), `exit_code` the program's when
/// it ended.
pub fn process(
    activity: ProcessActivity,
    time_ms: u64,
    status: Status,
    p: &Process<'_>,
    actor: &Value,
    o: &Outcome,
) -> Value {
    let mut e = base(
        Class::ProcessActivity,
        activity.id(),
        time_ms,
        status,
        o,
        actor,
    );
    let mut process = json!({
        "name": p.name,
        "cmd_line": p.cmd_line,
        "uid": p.uid,
        "user": actor["user"],
    });
    if let Some(pid) = p.pid {
        process["pid"] = pid.into();
    }
    e["process"] = process;
    if let Some(code) = o.exit_code {
        e["exit_code"] = code.into();
    }
    e["unmapped"]["working_directory"] = p.cwd.into();
    e
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

impl Crud {
    fn id(self) -> (u8, &'static str) {
        match self {
            Self::Create => (1, "Create"),
            Self::Read => (2, "Read"),
            Self::Update => (3, "Update"),
            Self::Delete => (4, "Delete"),
            Self::Other => (99, "Other"),
        }
    }
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
        activity.id(),
        time_ms,
        status,
        o,
        actor,
    );
    with(
        e,
        json!({ "file": {
            "path": path,
            "name": name,
            "type_id": if is_dir { 2 } else { 1 },
            "type": if is_dir { "Folder" } else { "Regular File" },
        } }),
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

impl NetworkActivity {
    fn id(self) -> (u8, &'static str) {
        match self {
            Self::Open => (1, "Open"),
            Self::Refuse => (5, "Refuse"),
        }
    }
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
        activity.id(),
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
    let e = base(Class::ApiActivity, activity.id(), time_ms, status, o, actor);
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
    let e = base(
        Class::Authentication,
        (1, "Logon"),
        time_ms,
        status,
        o,
        actor,
    );
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
        let profiles = e["metadata"]["profiles"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if profiles.contains(&json!("security_control")) {
            assert!(
                e["action_id"].is_u64() && e["disposition_id"].is_u64(),
                "{e}"
            );
        } else {
            assert!(e.get("action_id").is_none(), "{e}");
        }
        if facts.category == 1 || profiles.contains(&json!("host")) {
            assert!(e["device"]["hostname"].is_string(), "{e}");
            assert!(e["device"]["os"]["type_id"].is_u64(), "{e}");
        }
        assert!(e["actor"]["user"]["uid"].is_string() && e["actor"]["user"]["name"].is_string());
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
                &Process {
                    name: "rm",
                    cmd_line: "rm -rf /",
                    cwd: "/w",
                    uid: "1",
                    pid: None,
                },
                &a,
                &o,
            ),
            process(
                ProcessActivity::Terminate,
                1,
                Status::Success,
                &Process {
                    name: "ls",
                    cmd_line: "ls",
                    cwd: "/w",
                    uid: "2",
                    pid: Some(42),
                },
                &a,
                &Outcome {
                    exit_code: Some(3),
                    ..o.clone()
                },
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
        assert_eq!(events[0]["action_id"], 2, "deny is Denied");
        assert_eq!(events[0]["disposition_id"], 2, "deny is Blocked");
        assert!(events[0].get("exit_code").is_none());
        assert!(events[0]["process"].get("pid").is_none());
        assert_eq!(events[0]["process"]["user"], a["user"]);
        assert_eq!(events[0]["unmapped"]["working_directory"], "/w");
        assert_eq!(events[1]["exit_code"], 3);
        assert_eq!(events[1]["process"]["pid"], 42);
        assert_eq!(events[4]["type_uid"], 400_105);
        let classes: std::collections::BTreeSet<u64> = events
            .iter()
            .filter_map(|e| e["class_uid"].as_u64())
            .collect();
        assert_eq!(classes.len(), FACTS.len(), "every class is built");
    }
}
