//! Appends events as fast as the trail takes them, and prints events per
//! second for three ways of writing: batches of 1000 (one lock, one fsync,
//! one SQLite transaction each), one at a time with an fsync each
//! (durable), and one at a time handed to the kernel (the default).
//!
//! `cargo run --release -p rampart-audit --example append-bench -- [N]`

use std::time::Instant;

use rampart_audit::{ocsf, AuditLog, Masker, Options};

fn event(i: u64) -> serde_json::Value {
    let o = ocsf::Outcome {
        verdict: "allow".into(),
        risk: "low".into(),
        reasons: vec!["`cargo` builds".into()],
        sandbox_mode: "workspace-write".into(),
        ..Default::default()
    };
    ocsf::process(
        ocsf::ProcessActivity::Launch,
        1_795_000_000_000 + i,
        ocsf::Status::Success,
        &ocsf::Process {
            name: "cargo",
            cmd_line: &format!("cargo test --workspace -- case_{i}"),
            cwd: "/home/dev/project",
            uid: &i.to_string(),
            pid: None,
        },
        &ocsf::actor(1000, "dev"),
        &o,
    )
}

fn run(name: &str, n: u64, durable: bool, batch: u64) -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let mut opts = Options::new(tmp.path().join("audit"));
    opts.durable = durable;
    let rules = rampart_detect::RuleSet::builtin()?;
    let log = AuditLog::open(&opts, Box::new(Masker(rules)))?;
    let start = Instant::now();
    let mut i = 0;
    while i < n {
        let events: Vec<_> = (i..(i + batch).min(n)).map(event).collect();
        i += events.len() as u64;
        log.record_all(events)?;
    }
    log.sync()?;
    let secs = start.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "a rate")]
    let rate = n as f64 / secs;
    println!("{name:<32} {n:>7} events in {secs:>7.3} s = {rate:>9.0} events/s");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args().nth(1).map_or(Ok(100_000), |a| a.parse())?;
    run("batched x1000, durable", n, true, 1000)?;
    run("batched x1000, to the kernel", n, false, 1000)?;
    run("one at a time, durable (fsync)", (n / 20).max(100), true, 1)?;
    run("one at a time, to the kernel", (n / 5).max(100), false, 1)?;
    Ok(())
}
