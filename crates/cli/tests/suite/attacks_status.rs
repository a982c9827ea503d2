//! Issue 13: `run_command` and the daemon's `exec` record the status
//! `sandbox-run` reports on its own channel (a pipe named in the sealed
//! plan), never one inferred from an exit code. The command inside the
//! sandbox must not reach that channel: if it could write a status line
//! of its own, the recorded status would not be the real one ("gate
//! bypassed: the command forged its status").

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use super::fixture::{stderr, stdout, Serve, World, ALLOW_ALL, BASE_CONFIG};

fn rpc(socket: &Path, method: &str, params: &Value) -> Value {
    let mut s = UnixStream::connect(socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    s.write_all(&u32::try_from(body.len()).unwrap().to_be_bytes())
        .unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut h = [0u8; 4];
    s.read_exact(&mut h).unwrap();
    let mut b = vec![0u8; u32::from_be_bytes(h) as usize];
    s.read_exact(&mut b).unwrap();
    serde_json::from_slice(&b).unwrap()
}

/// The last `enforced` event of the daemon in the trail.
fn last_enforced(w: &World) -> Value {
    let q = w.run(["audit", "query", "--json", "--limit", "100000"]);
    let all: Vec<Value> = serde_json::from_str(&stdout(&q))
        .unwrap_or_else(|e| panic!("audit query --json ({e}): {} {}", stdout(&q), stderr(&q)));
    all.into_iter()
        .map(|e| e["event"].clone())
        .rfind(|e| e["unmapped"]["stage"] == "enforced" && e["unmapped"]["surface"] == "daemon")
        .expect("an enforced event")
}

/// Writes `LINE` (a status report naming `STATUS`, with every token it
/// could guess) to every descriptor it may hold, to every `/proc/*/fd/*`
/// it can open (each under `timeout`: opening a pipe nobody reads
/// blocks), then exits `CODE`.
fn forger(status: &str, code: i32) -> String {
    let line = format!(
        r#"{{"token":"00000000000000000000000000000000","status":"{status}","exit_code":{code}}}"#
    );
    let script = format!(
        r#"L='{line}'
n=3; while [ $n -lt 256 ]; do ( eval "printf '%s\n' \"\$L\" >&$n" ) 2>/dev/null; n=$((n+1)); done
for f in /proc/self/fd/* /proc/[0-9]*/fd/*; do
  timeout 1 sh -c 'printf "%s\n" "$1" >"$2"; printf "garbage\n" >"$2"' - "$L" "$f" 2>/dev/null
done
exit {code}"#
    );
    script
}

#[test]
fn the_command_cannot_forge_its_status() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let _d = Serve::start(&w);
    let socket = w.socket();
    // (what the command forges, how it really exits, the real status)
    for (forged, code, real) in [
        ("timed-out", 0, "succeeded"),
        ("succeeded", 3, "failed"),
        ("timed-out", 124, "failed"),
    ] {
        // A workspace script: judged (and allowed) as one, so that the
        // attack meets the channel, not the decision.
        std::fs::write(w.ws.join("forge.sh"), forger(forged, code)).unwrap();
        let r = rpc(
            &socket,
            "exec",
            &json!({"argv": ["sh", "forge.sh"], "timeout_secs": 50}),
        );
        let outcome = &r["result"]["outcome"];
        assert_eq!(outcome["exit_code"], code, "control failed: {r}");
        let end = last_enforced(&w);
        assert_eq!(
            (
                end["unmapped"]["status"].as_str(),
                outcome["status"].as_str()
            ),
            (Some(real), Some(real)),
            "gate bypassed: the command forged its status (forged `{forged}`, exited {code}): recorded {end}, answered {r}"
        );
    }
}

#[test]
fn a_real_timeout_is_reported_as_one() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let _d = Serve::start(&w);
    let r = rpc(
        &w.socket(),
        "exec",
        &json!({"argv": ["sleep", "30"], "timeout_secs": 1}),
    );
    let outcome = &r["result"]["outcome"];
    assert_eq!(
        (outcome["status"].as_str(), outcome["exit_code"].as_i64()),
        (Some("timed-out"), Some(124)),
        "control failed: {r}"
    );
    assert_eq!(
        last_enforced(&w)["unmapped"]["status"],
        "timed-out",
        "control failed"
    );
}
