//! Start-to-answer time of a hook-style process, for
//! `scripts/bench-agents.sh`: spawns `COMMAND...` RUNS times, writes INPUT
//! to its stdin, reads its stdout to the end and waits for it; prints one
//! JSON line with the median and p95 in milliseconds.
//!
//! `spawn-bench RUNS INPUT COMMAND [ARGS...]`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "a benchmark driver: percentiles of small counts"
)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args[1].parse().expect("RUNS");
    let input = std::fs::read(&args[2]).expect("INPUT");
    let cmd = &args[3..];
    let once = || {
        let t = Instant::now();
        let mut child = Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let mut out = Vec::new();
        child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
        assert!(child.wait().unwrap().success() && !out.is_empty());
        t.elapsed().as_secs_f64() * 1e3
    };
    for _ in 0..runs / 10 {
        once();
    }
    let mut times: Vec<f64> = (0..runs).map(|_| once()).collect();
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{{\"command\":\"{}\",\"runs\":{runs},\"median_ms\":{:.3},\"p95_ms\":{:.3}}}",
        cmd.join(" "),
        at(0.5),
        at(0.95)
    );
}
