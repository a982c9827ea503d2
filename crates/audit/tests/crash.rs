//! `kill -9` in the middle of heavy writing, with real processes: this
//! test binary re-runs itself as the writers (`writer` below, which only
//! works when `RAMPART_AUDIT_CRASH_DIR` is set).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use rampart_audit::{ocsf, AuditLog, Filter, NoRedaction, Options};
use serde_json::json;

const DIR_VAR: &str = "RAMPART_AUDIT_CRASH_DIR";
const ID_VAR: &str = "RAMPART_AUDIT_CRASH_ID";

fn options(dir: &std::path::Path) -> Options {
    let mut o = Options::new(dir.to_path_buf());
    o.max_file_mb = 1;
    o.max_files = 3;
    o.durable = false;
    o
}

/// The writer: appends single events and small batches until killed,
/// printing `<n>` after event n of this writer is stored.
#[test]
fn writer() {
    let (Some(dir), Some(id)) = (std::env::var_os(DIR_VAR), std::env::var(ID_VAR).ok()) else {
        return;
    };
    let log = AuditLog::open(&options(dir.as_ref()), Box::new(NoRedaction)).unwrap();
    let o = ocsf::Outcome {
        verdict: "allow".into(),
        risk: "low".into(),
        ..Default::default()
    };
    let actor = ocsf::actor(1000, "dev");
    let mut n: u64 = 0;
    loop {
        let batch = if n.is_multiple_of(7) { 5 } else { 1 };
        let events = (0..batch)
            .map(|i| {
                let mut e = ocsf::process(
                    ocsf::ProcessActivity::Launch,
                    n + i,
                    ocsf::Status::Success,
                    &ocsf::Process {
                        name: "make",
                        cmd_line: &format!("make target-{}-padding-{}", n + i, "x".repeat(300)),
                        cwd: "/w",
                        uid: "crash",
                        pid: None,
                    },
                    &actor,
                    &o,
                );
                e["unmapped"]["writer"] = json!(format!("{id}:{}", n + i));
                e
            })
            .collect();
        log.record_all(events).unwrap();
        n += batch;
        println!("{n}");
    }
}

/// One round: four writers started on `dir`, killed with SIGKILL
/// mid-stream once enough is written; what each reported stored.
#[expect(
    clippy::unwrap_used,
    reason = "a test's helper: a failure is the test's failure"
)]
fn kill_writers_mid_stream(
    me: &std::path::Path,
    dir: &std::path::Path,
    round: u64,
) -> Vec<(String, u64)> {
    let mut committed = Vec::new();
    let mut children: Vec<_> = (0..4)
        .map(|w| {
            let id = format!("r{round}w{w}");
            let child = Command::new(me)
                .args(["--exact", "writer", "--nocapture", "--test-threads=1"])
                .env(DIR_VAR, dir)
                .env(ID_VAR, &id)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            (id, child)
        })
        .collect();
    // Each writer's progress is read as it goes, so that a loaded
    // machine gets more time (the kill must land mid-stream, after
    // enough was written to test anything), not a thinner test.
    let progress: Vec<_> = children
        .iter_mut()
        .map(|(_, child)| {
            let out = BufReader::new(child.stdout.take().unwrap());
            let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let s = std::sync::Arc::clone(&seen);
            let reader = std::thread::spawn(move || {
                // The first number shares its line with libtest's
                // `test writer ... `: take each line's last word.
                for l in out.lines().map_while(Result::ok) {
                    if let Some(n) = l.split_whitespace().last().and_then(|w| w.parse().ok()) {
                        s.store(n, std::sync::atomic::Ordering::SeqCst);
                    }
                }
            });
            (seen, reader)
        })
        .collect();
    let started = std::time::Instant::now();
    let least = Duration::from_millis(150 + 70 * round);
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let written: u64 = progress
            .iter()
            .map(|(s, _)| s.load(std::sync::atomic::Ordering::SeqCst))
            .sum();
        if (started.elapsed() >= least && written >= 250)
            || started.elapsed() > Duration::from_secs(20)
        {
            break;
        }
    }
    for ((id, child), (seen, reader)) in children.iter_mut().zip(progress) {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap()),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        committed.push((id.clone(), seen.load(std::sync::atomic::Ordering::SeqCst)));
    }
    committed
}

#[test]
fn kill_9_during_heavy_writing_loses_nothing_stored_and_verifies() {
    if std::env::var_os(DIR_VAR).is_some() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("audit");
    let me = std::env::current_exe().unwrap();
    let mut committed: Vec<(String, u64)> = Vec::new();
    for round in 0..6 {
        committed.extend(kill_writers_mid_stream(&me, &dir, round));
        // Killed mid-write or not, the trail verifies (a torn line is a
        // note, never part of the chain).
        let report = rampart_audit::verify(&dir).unwrap();
        assert!(
            report.is_intact(),
            "round {round}: {:?}",
            report.first_problem()
        );
    }
    // The next writer repairs whatever the last kill left and goes on.
    let log = AuditLog::open(&options(&dir), Box::new(NoRedaction)).unwrap();
    let o = ocsf::Outcome::default();
    log.record(ocsf::process(
        ocsf::ProcessActivity::Launch,
        0,
        ocsf::Status::Success,
        &ocsf::Process {
            name: "after",
            cmd_line: "after",
            cwd: "/w",
            uid: "after",
            pid: None,
        },
        &ocsf::actor(0, "root"),
        &o,
    ))
    .unwrap();
    let report = rampart_audit::verify(&dir).unwrap();
    assert!(report.is_intact(), "{:?}", report.first_problem());
    assert!(
        report.jsonl.as_ref().unwrap().notes.is_empty(),
        "{report:?}"
    );
    assert!(report.notes.is_empty(), "{report:?}");
    // Every event a writer reported as stored is in SQLite, which keeps
    // everything, exactly once and in that writer's order.
    let all = rampart_audit::query(&dir, &Filter::default()).unwrap();
    let mut seen = std::collections::HashMap::<String, Vec<u64>>::new();
    for r in &all {
        if let Some(w) = r["event"]["unmapped"]["writer"].as_str() {
            let (id, n) = w.split_once(':').unwrap();
            seen.entry(id.to_owned())
                .or_default()
                .push(n.parse().unwrap());
        }
    }
    let total: u64 = committed.iter().map(|c| c.1).sum();
    assert!(
        total > 1000,
        "the writers wrote too little to test anything: {total}"
    );
    for (id, last) in &committed {
        let got = seen.get(id).cloned().unwrap_or_default();
        let want: Vec<u64> = (0..*last).collect();
        assert!(
            got.len() as u64 >= *last,
            "{id}: {} stored, {last} reported",
            got.len()
        );
        assert_eq!(&got[..want.len()], &want[..], "{id}: lost or reordered");
        // At most the batch being written when it died went in unreported.
        assert!(
            got.len() as u64 <= last + 5,
            "{id}: {} > {last} + 5",
            got.len()
        );
    }
}
