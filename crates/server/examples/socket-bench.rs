//! Load for `scripts/bench-agents.sh`: N clients, each on its own
//! connection, send `check` requests to the daemon for D seconds; prints
//! one JSON line with requests per second and latency percentiles.
//!
//! `cargo run --release -p rampart-server --example socket-bench -- SOCKET CLIENTS SECONDS`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "a benchmark driver: percentiles of small counts"
)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let socket = args.get(1).expect("SOCKET").clone();
    let clients: usize = args.get(2).map_or(1, |a| a.parse().expect("CLIENTS"));
    let secs: u64 = args.get(3).map_or(10, |a| a.parse().expect("SECONDS"));
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"check","params":{"argv":["git","status","--short"]}}"#;
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(body);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let socket = socket.clone();
            let frame = frame.clone();
            std::thread::spawn(move || {
                let mut s = UnixStream::connect(&socket).unwrap();
                let mut lat = Vec::new();
                let mut buf = vec![0u8; 64 * 1024];
                while Instant::now() < deadline {
                    let t = Instant::now();
                    s.write_all(&frame).unwrap();
                    let mut h = [0u8; 4];
                    s.read_exact(&mut h).unwrap();
                    let n = u32::from_be_bytes(h) as usize;
                    s.read_exact(&mut buf[..n]).unwrap();
                    lat.push(t.elapsed());
                    assert!(
                        buf[..n].windows(8).any(|w| w == b"verdict\""),
                        "not an answer"
                    );
                }
                lat
            })
        })
        .collect();
    let mut all: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort();
    let pct = |p: f64| {
        let i = ((all.len() as f64 - 1.0) * p).round() as usize;
        all[i].as_secs_f64() * 1e6
    };
    println!(
        "{{\"clients\":{clients},\"requests\":{},\"rps\":{:.0},\"p50_us\":{:.1},\"p99_us\":{:.1},\"max_us\":{:.1}}}",
        all.len(),
        all.len() as f64 / secs as f64,
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}
