//! The audit trail through the real binary: every outcome of `exec`
//! recorded, 16 processes on one chain, fail closed, tamper found by
//! `verify`, secrets kept out of every sink, PostgreSQL down and back.

use std::process::Output;

use serde_json::Value;

use super::fixture::{World, ALLOW_ALL, BASE_CONFIG};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    })
}

fn audit_dir(w: &World) -> std::path::PathBuf {
    w.base.join("state/rampart")
}

fn events(w: &World, args: &[&str]) -> Vec<Value> {
    let mut a = vec!["--json", "audit", "query"];
    a.extend_from_slice(args);
    let o = w.run(a);
    assert!(o.status.success(), "{}", stderr(&o));
    json(&o).as_array().unwrap().clone()
}

fn verify(w: &World) -> (Option<i32>, Value) {
    let o = w.run(["--json", "audit", "verify"]);
    (o.status.code(), json(&o))
}

#[test]
fn every_outcome_of_exec_is_recorded_and_queryable() {
    let w = World::with_config(BASE_CONFIG);
    assert!(w.run(["exec", "--", "true"]).status.success());
    assert_eq!(
        w.run(["exec", "--", "sh", "-c", "exit 3"]).status.code(),
        Some(3)
    );
    assert_eq!(
        w.run(["exec", "--", "no-such-program"]).status.code(),
        Some(127)
    );
    assert_eq!(
        w.run(["exec", "--", "rm", "-rf", "/"]).status.code(),
        Some(126)
    );
    let all = events(&w, &[]);
    let summary: Vec<(u64, u64, String, Option<i64>)> = all
        .iter()
        .map(|r| {
            let e = &r["event"];
            (
                r["seq"].as_u64().unwrap(),
                e["type_uid"].as_u64().unwrap(),
                e["unmapped"]["verdict"].as_str().unwrap().to_owned(),
                e["unmapped"]["exit_code"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, 100_701, "allow".into(), None),
            (2, 100_702, "allow".into(), Some(0)),
            (3, 100_701, "allow".into(), None),
            (4, 100_702, "allow".into(), Some(3)),
            (5, 100_701, "allow".into(), None),
            (6, 100_702, "allow".into(), None),
            (7, 100_701, "deny".into(), None),
        ]
    );
    assert!(all[5]["event"]["status_detail"]
        .as_str()
        .unwrap()
        .contains("not found"));
    let denied = events(&w, &["--verdict", "deny", "--since", "1h"]);
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["event"]["process"]["cmd_line"], "rm -rf /");
    assert_eq!(events(&w, &["--risk", "critical"]).len(), 1);
    assert_eq!(events(&w, &["exit 3"]).len(), 2);
    assert_eq!(events(&w, &["--class", "file"]).len(), 0);
    assert_eq!(events(&w, &["--since", "2030-01-01T00:00:00Z"]).len(), 0);
    let bad = w.run(["audit", "query", "--since", "yesterday-ish"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--since `yesterday-ish`"));

    let tail = w.run(["audit", "tail", "-n", "2"]);
    let text = String::from_utf8_lossy(&tail.stdout);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("rm -rf /") && text.contains("deny"), "{text}");

    let export = w.run(["audit", "export", "--format", "ocsf"]);
    let arr = json(&export);
    let arr = arr.as_array().unwrap();
    assert_eq!(arr.len(), 7);
    assert_eq!(arr[6]["metadata"]["sequence"], 7);
    assert_eq!(arr[6]["unmapped"]["rampart_chain"]["hash"], all[6]["hash"]);
    assert_eq!(arr[0]["class_uid"], 1007);

    let (code, v) = verify(&w);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["events_checked"], 7);
    assert_eq!(v["sqlite_events_checked"], 7);
}

#[test]
fn sixteen_parallel_execs_make_one_chain() {
    let w = World::with_config(BASE_CONFIG);
    let children: Vec<_> = (0..16)
        .map(|i| {
            w.cmd(["exec", "--", "sh", "-c", &format!("echo {i} > /dev/null")])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let (code, v) = verify(&w);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["events_checked"], 32);
    let all = events(&w, &[]);
    let seqs: Vec<u64> = all.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=32).collect::<Vec<_>>());
    for i in 0..16 {
        let cmd = format!("sh -c 'echo {i} > /dev/null'");
        let mine: Vec<u64> = all
            .iter()
            .filter(|r| r["event"]["process"]["cmd_line"] == cmd.as_str())
            .map(|r| r["event"]["activity_id"].as_u64().unwrap())
            .collect();
        assert_eq!(mine, [1, 2], "{cmd}: one launch, then one end");
    }
}

#[test]
fn a_trail_that_cannot_be_written_stops_the_action() {
    let w = World::with_config(BASE_CONFIG);
    let blocker = w.base.join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let marker = w.ws.join("ran");
    let dir_line = format!("[audit]\ndir = \"{}\"\n", blocker.join("audit").display());
    w.set_config(&format!("{BASE_CONFIG}{dir_line}"));
    let o = w.run(["exec", "--", "touch", marker.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot record the action"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("not-a-dir"), "{}", stderr(&o));
    assert!(!marker.exists(), "the action ran unrecorded");

    // A directory others may write to is refused the same way.
    let loose = w.base.join("loose");
    std::fs::create_dir(&loose).unwrap();
    std::fs::set_permissions(&loose, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    w.set_config(&format!(
        "{BASE_CONFIG}[audit]\ndir = \"{}\"\n",
        loose.display()
    ));
    let o = w.run(["exec", "--", "touch", marker.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("chmod 700"), "{}", stderr(&o));
    assert!(!marker.exists());

    // fail_closed = false: it runs, and says loudly it was not recorded.
    w.set_config(&format!("{BASE_CONFIG}{dir_line}fail_closed = false\n"));
    let o = w.run(["exec", "--", "touch", marker.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("NOT RECORDED"), "{}", stderr(&o));
    assert!(marker.exists());
}

#[test]
fn verify_names_the_first_broken_event() {
    let w = World::with_config(BASE_CONFIG);
    let o = w.run(["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2), "no trail yet");
    assert!(stderr(&o).contains("no audit trail"), "{}", stderr(&o));
    for _ in 0..3 {
        assert!(w.run(["exec", "--", "true"]).status.success());
    }
    let log = audit_dir(&w).join("audit.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[3] = lines[3].replace("\"true\"", "\"tru3\"");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let (code, v) = verify(&w);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["first_broken"]["seq"], 4, "{v}");
    let o = w.run(["audit", "verify"]);
    assert!(stderr(&o).contains("event 4"), "{}", stderr(&o));
    // Cutting the tail off is found too.
    let text: String = text.lines().take(5).flat_map(|l| [l, "\n"]).collect();
    std::fs::write(&log, text).unwrap();
    let (code, v) = verify(&w);
    assert_eq!(code, Some(1), "{v}");
    assert!(
        v["first_broken"]["what"]
            .as_str()
            .unwrap()
            .contains("cut off"),
        "{v}"
    );
}

/// Fake credentials, made at run time.
fn fakes() -> (String, String, String) {
    (
        format!("AKIA{}", "QX7ZT4KD2WMNB3VM"),
        format!(
            "{}.{}",
            "eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWZha2UtZm9yLXRlc3Rz"
        ),
        format!("pw{}", "Zq81vXk3"),
    )
}

fn assert_clean(hay: &str, what: &str) {
    let (aws, bearer, pw) = fakes();
    for s in [&aws, &bearer, &pw] {
        assert!(!hay.contains(s.as_str()), "{s} reached {what}");
    }
}

#[test]
fn secrets_in_a_command_line_never_reach_the_trail() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let (aws, bearer, pw) = fakes();
    let o = w.run([
        "exec",
        "--",
        "echo",
        &format!("--key={aws}"),
        &format!("Authorization: Bearer {bearer}"),
        &format!("https://admin:{pw}@db.internal/x"),
        // A secret with no role (the three above are masked by theirs):
        // only its shape finds it.
        &aws,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Every file below the audit directory, the sandbox's `walk/` cache
    // and debts included.
    let mut hay = String::new();
    let mut dirs = vec![audit_dir(&w)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                hay.push_str(&String::from_utf8_lossy(&std::fs::read(path).unwrap()));
            }
        }
    }
    assert_clean(&hay, "the audit directory");
    let out = w.run(["audit", "export"]);
    assert_clean(&String::from_utf8_lossy(&out.stdout), "the export");
    assert!(String::from_utf8_lossy(&out.stdout).contains("[REDACTED:"));
}

/// A real PostgreSQL started by scripts/test.sh: `RAMPART_TEST_PG_URL` to
/// connect, `RAMPART_TEST_PG_CTL` a script taking `stop` or `start`.
#[test]
fn postgres_gets_every_event_in_order_even_across_an_outage() {
    let (Ok(url), Ok(ctl)) = (
        std::env::var("RAMPART_TEST_PG_URL"),
        std::env::var("RAMPART_TEST_PG_CTL"),
    ) else {
        assert!(
            std::env::var_os("RAMPART_REQUIRE_PG").is_none(),
            "RAMPART_REQUIRE_PG is set but RAMPART_TEST_PG_URL / RAMPART_TEST_PG_CTL are not"
        );
        eprintln!("skipped: no PostgreSQL (scripts/test.sh starts one)");
        return;
    };
    let pg = |what: &str| {
        let s = std::process::Command::new(&ctl).arg(what).status().unwrap();
        assert!(s.success(), "{ctl} {what}");
    };
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let (aws, bearer, pw) = fakes();
    let exec = |args: &[&str]| {
        let mut c = w.cmd(["exec", "--"]);
        c.args(args).env("RAMPART_AUDIT_PG_URL", &url);
        c.output().unwrap()
    };
    let o = exec(&["echo", &format!("{aws} Bearer {bearer} https://u:{pw}@h/")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("PostgreSQL"), "{}", stderr(&o));
    // The server goes away mid-stream: actions still run, events wait.
    pg("stop");
    for i in 0..5 {
        let o = exec(&["sh", "-c", &format!("exit {i}")]);
        assert_eq!(o.status.code(), Some(i), "{}", stderr(&o));
        assert!(!stderr(&o).contains(&url), "the URL leaked: {}", stderr(&o));
    }
    pg("start");
    let mut c = w.cmd(["--json", "audit", "forward", "--wait", "30"]);
    c.env("RAMPART_AUDIT_PG_URL", &url);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = exec(&["true"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let local = events(&w, &[]);
    assert_eq!(local.len(), 14);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let (_, v) = verify(&w);
    let chain = v["chain_id"].as_str().unwrap().to_owned();
    let rows = client
        .query(
            "SELECT seq, hash, record FROM rampart_audit_events WHERE chain_id = $1 ORDER BY seq",
            &[&chain],
        )
        .unwrap();
    let remote: Vec<(i64, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let want: Vec<(i64, String)> = local
        .iter()
        .map(|r| {
            (
                r["seq"].as_i64().unwrap(),
                r["hash"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(remote, want, "PostgreSQL differs from the local chain");
    let all_text: String = rows.iter().map(|r| r.get::<_, String>(2)).collect();
    assert_clean(&all_text, "PostgreSQL");
}
