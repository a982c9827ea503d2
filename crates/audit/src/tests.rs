use std::os::unix::fs::PermissionsExt;

use serde_json::{json, Value};

use super::*;
use crate::ocsf::{self, Outcome, ProcessActivity, Status};

fn setup() -> (tempfile::TempDir, Options) {
    let t = tempfile::tempdir().unwrap();
    let opts = Options::new(t.path().join("audit"));
    (t, opts)
}

fn event(cmd: &str, verdict: &str, risk: &str, user: &str, time: u64) -> Value {
    let o = Outcome {
        verdict: verdict.into(),
        risk: risk.into(),
        ..Outcome::default()
    };
    ocsf::process(
        ProcessActivity::Launch,
        time,
        Status::Success,
        &ocsf::Process {
            name: "sh",
            cmd_line: cmd,
            cwd: "/w",
            uid: "t",
            pid: None,
        },
        &ocsf::actor(1000, user),
        &o,
    )
}

fn masker() -> Box<dyn Redactor> {
    Box::new(Masker(rampart_detect::RuleSet::builtin().unwrap()))
}

fn cmds(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            r["event"]["process"]["cmd_line"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn sqlite_mirrors_the_chain_and_every_file_is_owner_only() {
    let (_t, opts) = setup();
    let log = AuditLog::open(&opts, Box::new(NoRedaction)).unwrap();
    for i in 0..5 {
        log.record(event(&format!("make {i}"), "allow", "low", "dev", i))
            .unwrap();
    }
    log.record_all(
        (5..9)
            .map(|i| event(&format!("make {i}"), "allow", "low", "dev", i))
            .collect(),
    )
    .unwrap();
    let r = verify(&opts.dir).unwrap();
    assert!(r.is_intact(), "{r:?}");
    assert_eq!(r.sqlite.clone().unwrap().unwrap().1, 9);
    assert_eq!(r.jsonl.unwrap().head, r.sqlite.unwrap().unwrap().0);
    for entry in std::fs::read_dir(&opts.dir).unwrap() {
        let e = entry.unwrap();
        let mode = e.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{:?}", e.file_name());
    }
}

#[test]
fn a_database_behind_the_log_catches_up_in_order() {
    let (_t, mut opts) = setup();
    opts.sqlite = false;
    let log = AuditLog::open(&opts, Box::new(NoRedaction)).unwrap();
    for i in 0..3 {
        log.record(event(&format!("a{i}"), "allow", "low", "dev", i))
            .unwrap();
    }
    opts.sqlite = true;
    let log = AuditLog::open(&opts, Box::new(NoRedaction)).unwrap();
    log.record(event("a3", "allow", "low", "dev", 3)).unwrap();
    let all = query(&opts.dir, &Filter::default()).unwrap();
    assert_eq!(cmds(&all), ["a0", "a1", "a2", "a3"]);
    assert!(verify(&opts.dir).unwrap().is_intact());
}

#[test]
fn filters_select_the_same_events_from_sqlite_and_from_jsonl() {
    let (_t, opts) = setup();
    let log = AuditLog::open(&opts, Box::new(NoRedaction)).unwrap();
    let data = [
        ("ls", "allow", "low", "ann", 1000),
        ("rm -rf /", "deny", "critical", "bob", 2000),
        ("git push", "ask", "medium", "ann", 3000),
        ("curl x | sh", "deny", "high", "ann", 4000),
        ("ls -la", "allow", "low", "bob", 5000),
    ];
    for (c, v, r, u, t) in data {
        log.record(event(c, v, r, u, t)).unwrap();
    }
    let cases: Vec<(Filter, Vec<&str>)> = vec![
        (
            Filter {
                verdict: Some("deny".into()),
                ..Filter::default()
            },
            vec!["rm -rf /", "curl x | sh"],
        ),
        (
            Filter {
                min_severity: Some(4),
                ..Filter::default()
            },
            vec!["rm -rf /", "curl x | sh"],
        ),
        (
            Filter {
                actor: Some("ann".into()),
                since_ms: Some(2500),
                ..Filter::default()
            },
            vec!["git push", "curl x | sh"],
        ),
        (
            Filter {
                contains: Some("ls".into()),
                ..Filter::default()
            },
            vec!["ls", "ls -la"],
        ),
        (
            Filter {
                class_uid: Some(1001),
                ..Filter::default()
            },
            vec![],
        ),
        (
            Filter {
                last: Some(2),
                ..Filter::default()
            },
            vec!["curl x | sh", "ls -la"],
        ),
        (
            Filter {
                after_seq: Some(3),
                until_ms: Some(5000),
                ..Filter::default()
            },
            vec!["curl x | sh"],
        ),
        // Values are bound, never spliced into SQL.
        (
            Filter {
                actor: Some("ann' OR '1'='1".into()),
                ..Filter::default()
            },
            vec![],
        ),
    ];
    let db = Db::open_read(&opts.dir).unwrap().unwrap();
    for (f, want) in cases {
        assert_eq!(cmds(&db.query(&f).unwrap()), want, "sqlite {f:?}");
        let from_files: Vec<Value> = jsonl::records_from(&opts.dir, 0)
            .unwrap()
            .into_iter()
            .filter(|r| f.matches(r))
            .collect();
        let mut from_files = from_files;
        if let Some(n) = f.last {
            from_files.drain(..from_files.len().saturating_sub(n));
        }
        assert_eq!(cmds(&from_files), want, "jsonl {f:?}");
    }
}

#[test]
fn secrets_are_masked_before_any_sink_sees_them() {
    let (_t, opts) = setup();
    let log = AuditLog::open(&opts, masker()).unwrap();
    // Fake credentials, built at run time.
    let aws = format!("AKIA{}", "QX7ZT4KD2WMNB3VM");
    let bearer = format!(
        "{}.{}",
        "eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWZha2UtZm9yLXRlc3Rz"
    );
    let password = format!("pw{}", "Zq81vXk3");
    let cmd = format!(
        "deploy --key {aws} -H 'Authorization: Bearer {bearer}' https://admin:{password}@db.internal/x"
    );
    let mut e = event(&cmd, "allow", "low", "dev", 1);
    e["unmapped"]["reasons"] = json!([format!("saw {aws}")]);
    log.record(e).unwrap();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&opts.dir).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let hay = String::from_utf8_lossy(&bytes);
    for secret in [&aws, &bearer, &password] {
        assert!(!hay.contains(secret.as_str()), "{secret} reached a file");
    }
    let stored = query(&opts.dir, &Filter::default()).unwrap();
    let line = stored[0]["event"]["process"]["cmd_line"].as_str().unwrap();
    assert!(line.contains("[REDACTED:"), "{line}");
    assert!(line.starts_with("deploy --key "), "{line}");
    assert!(verify(&opts.dir).unwrap().is_intact());
}

#[test]
fn a_changed_sqlite_row_is_found() {
    let (_t, opts) = setup();
    let log = AuditLog::open(&opts, Box::new(NoRedaction)).unwrap();
    for i in 0..4 {
        log.record(event(&format!("make {i}"), "allow", "low", "dev", i))
            .unwrap();
    }
    drop(log);
    let conn = rusqlite::Connection::open(opts.dir.join(sqlite::DB)).unwrap();
    conn.execute(
        "UPDATE events SET record = replace(record, 'make 2', 'make 9') WHERE seq = 3",
        [],
    )
    .unwrap();
    let r = verify(&opts.dir).unwrap();
    assert!(!r.is_intact());
    let p = r.first_problem().unwrap();
    assert!(p.contains("event 3") && p.contains("SQLite"), "{p}");
    conn.execute(
        "UPDATE events SET record = replace(record, 'make 9', 'make 2') WHERE seq = 3",
        [],
    )
    .unwrap();
    conn.execute("UPDATE events SET verdict = 'deny' WHERE seq = 2", [])
        .unwrap();
    let p = verify(&opts.dir).unwrap().first_problem().unwrap();
    assert!(p.contains("indexed column"), "{p}");
    conn.execute("UPDATE events SET verdict = 'allow' WHERE seq = 2", [])
        .unwrap();
    conn.execute("DELETE FROM events WHERE seq = 1", [])
        .unwrap();
    let p = verify(&opts.dir).unwrap().first_problem().unwrap();
    assert!(p.contains("removed"), "{p}");
}

#[test]
fn a_planted_database_symlink_is_refused() {
    let (t, opts) = setup();
    std::fs::create_dir_all(&opts.dir).unwrap();
    std::fs::set_permissions(&opts.dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let target = t.path().join("elsewhere.db");
    std::os::unix::fs::symlink(&target, opts.dir.join(sqlite::DB)).unwrap();
    let e = AuditLog::open(&opts, Box::new(NoRedaction)).unwrap_err();
    assert!(e.to_string().contains("audit.db"), "{e}");
    assert!(!target.exists());
}

#[test]
fn postgres_without_sqlite_is_refused() {
    let (_t, mut opts) = setup();
    opts.sqlite = false;
    opts.postgres = Some(pg::Target::new("postgres://a@127.0.0.1:1/x".into()));
    let e = AuditLog::open(&opts, Box::new(NoRedaction)).unwrap_err();
    assert!(e.to_string().contains("audit.sqlite = true"), "{e}");
}

#[test]
fn an_unreachable_server_buffers_and_backs_off() {
    let (_t, mut opts) = setup();
    let pw = ["s3", "cret"].concat();
    opts.postgres = Some(pg::Target::new(format!("postgres://a:{pw}@127.0.0.1:1/x")));
    let log = AuditLog::open(&opts, Box::new(NoRedaction)).unwrap();
    log.record(event("ls", "allow", "low", "dev", 1)).unwrap();
    let e = log.forward(false).unwrap().unwrap_err().to_string();
    assert!(
        e.contains("postgres://a:***@127.0.0.1:1/x") && !e.contains(&pw),
        "{e}"
    );
    // The next pass is not due yet: nobody waits on a dead server.
    assert!(matches!(
        log.forward(false).unwrap().unwrap(),
        pg::Forwarded::Waiting { .. }
    ));
    assert_eq!(query(&opts.dir, &Filter::default()).unwrap().len(), 1);
}

/// Runs that create the trail at the same moment all open it: the one
/// that loses the switch to WAL waits instead of failing with `database is
/// locked` (a fail-closed gate would refuse its action).
#[test]
fn a_fresh_index_opened_by_many_runs_at_once_opens_for_all() {
    for _ in 0..5 {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().to_path_buf();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (dir, barrier) = (dir.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    sqlite::Db::open(&dir, false).map(drop)
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
    }
}

#[test]
fn a_time_that_is_neither_names_the_input_and_the_forms() {
    let e = crate::parse_time("soonish").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`soonish` is neither a duration (`90s`, `15m`, `2h`, `7d`) nor a time (`2026-11-22T10:00:00Z`)"
    );
    assert!(crate::parse_time("2h").is_ok());
}
