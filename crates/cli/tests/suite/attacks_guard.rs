//! Issue 13, `rampart-guard`: the MCP server's and the daemon's file tools
//! reach only beneath the workspace. The gate's guard step refuses a path
//! that climbs out (`../`), an absolute path outside, and a path with a NUL
//! byte, before the decision, and records the refusal as a deny; a symlinked
//! parent that leads out is refused by `openat2(RESOLVE_BENEATH)` and
//! recorded as the final deny. A percent-encoded climb is a file name (as
//! it is to the kernel): it stays in the workspace and reaches nothing
//! outside. Each attack that works fails with "gate bypassed: …"; the
//! control reads and writes a file in the workspace.

use std::io::{BufRead, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use super::fixture::{stderr, stdout, Serve, World, ALLOW_ALL, BASE_CONFIG, SECRET};

/// The answer of one file tool call: refused (a deny), failed otherwise,
/// or the text it returned.
#[derive(Debug, PartialEq)]
enum Answer {
    Denied(String),
    Failed(String),
    Done(String),
}

/// A world with a file in the workspace and a symlink to a directory
/// outside it.
fn world() -> World {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    std::fs::write(w.ws.join("notes.txt"), "hi").unwrap();
    std::os::unix::fs::symlink(&w.sibling, w.ws.join("up")).unwrap();
    std::os::unix::fs::symlink(w.home.join(".ssh"), w.ws.join("keys")).unwrap();
    w
}

/// Every event in the trail of `surface`, oldest first.
fn trail(w: &World, surface: &str) -> Vec<Value> {
    let q = w.run(["audit", "query", "--json", "--limit", "100000"]);
    if !q.status.success() && stderr(&q).contains("no audit trail") {
        return Vec::new();
    }
    let all: Vec<Value> = serde_json::from_str(&stdout(&q))
        .unwrap_or_else(|e| panic!("audit query --json ({e}): {} {}", stdout(&q), stderr(&q)));
    all.into_iter()
        .map(|e| e["event"].clone())
        .filter(|e| e["unmapped"]["surface"] == surface)
        .collect()
}

/// The attacks: (what, tool, arguments). Write attacks name `pwned.txt`
/// outside the workspace (in the sibling directory or `~/.ssh`).
fn attacks(w: &World) -> Vec<(String, &'static str, Value)> {
    let outside = w.sibling.join("file");
    let out_new = w.sibling.join("pwned.txt");
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    let mut v = Vec::new();
    for (what, read, write) in [
        (
            "`../`",
            "../sibling/file".to_owned(),
            "../sibling/pwned.txt".to_owned(),
        ),
        (
            "`../` deep",
            "a/../../../../../../../../..".to_owned() + &s(&outside),
            "a/../../../../../../../../..".to_owned() + &s(&out_new),
        ),
        ("an absolute path outside", s(&outside), s(&out_new)),
        (
            "a NUL byte",
            "notes.txt\u{0}.png".to_owned(),
            "notes.txt\u{0}.png".to_owned(),
        ),
        (
            "a NUL byte climbing out",
            "../sibling/file\u{0}".to_owned(),
            "../sibling/pwned.txt\u{0}".to_owned(),
        ),
        (
            "a symlinked parent",
            "up/file".to_owned(),
            "up/pwned.txt".to_owned(),
        ),
        (
            "a symlinked parent to ~/.ssh",
            "keys/id_test".to_owned(),
            "keys/pwned.txt".to_owned(),
        ),
    ] {
        v.push((
            format!("read_file through {what}"),
            "read_file",
            json!({ "path": read }),
        ));
        v.push((
            format!("write_file through {what}"),
            "write_file",
            json!({ "path": write, "content": "pwned" }),
        ));
    }
    v
}

/// Nothing outside the workspace was read into an answer or written.
#[track_caller]
fn assert_untouched(w: &World, what: &str, answer: &Answer) {
    let text = format!("{answer:?}");
    assert!(
        !text.contains("outside") || !matches!(answer, Answer::Done(_)),
        "gate bypassed: {what} read a file outside the workspace: {text}"
    );
    assert!(
        !text.contains(SECRET),
        "gate bypassed: {what} read ~/.ssh: {text}"
    );
    assert_eq!(
        std::fs::read_to_string(w.sibling.join("file")).unwrap(),
        "outside",
        "gate bypassed: {what} changed a file outside the workspace"
    );
    for p in [w.sibling.join("pwned.txt"), w.home.join(".ssh/pwned.txt")] {
        assert!(
            !p.exists(),
            "gate bypassed: {what} wrote `{}` outside the workspace",
            p.display()
        );
    }
}

/// Each attack is refused, and the last event of the call is a deny.
fn assert_attacks_refused(w: &World, surface: &str, mut call: impl FnMut(&str, &Value) -> Answer) {
    let mut seen = trail(w, surface).len();
    for (what, tool, args) in attacks(w) {
        let what = format!("{surface} {what}");
        let answer = call(tool, &args);
        assert_untouched(w, &what, &answer);
        assert!(
            matches!(answer, Answer::Denied(_)),
            "gate bypassed: {what} was not refused: {answer:?}"
        );
        let events = trail(w, surface);
        let new = &events[seen..];
        seen = events.len();
        let last = new
            .last()
            .unwrap_or_else(|| panic!("gate bypassed: {what} was refused but not recorded"));
        assert_eq!(
            (
                last["unmapped"]["verdict"].as_str(),
                last["unmapped"]["status"].as_str()
            ),
            (Some("deny"), Some("refused")),
            "gate bypassed: {what} was answered deny but recorded otherwise: {last}"
        );
        assert!(
            new.iter().all(|e| e["unmapped"]["verdict"] != "allow"
                || e["unmapped"]["stage"] == "decided"),
            "gate bypassed: {what} was recorded as carried out: {new:?}"
        );
    }
    // A percent-encoded climb is a name in the workspace: nothing outside
    // is reached, whatever the answer.
    for (tool, args) in [
        ("read_file", json!({"path": "%2e%2e/sibling/file"})),
        ("read_file", json!({"path": "%2e%2e%2fsibling%2ffile"})),
        (
            "write_file",
            json!({"path": "%2e%2e%2fsibling%2fpwned.txt", "content": "pwned"}),
        ),
    ] {
        let what = format!("{surface} {tool} {args}");
        let answer = call(tool, &args);
        assert_untouched(w, &what, &answer);
    }
    seen = trail(w, surface).len();
    // Control: a file in the workspace is read and written, and recorded
    // as allowed.
    assert_eq!(
        call("read_file", &json!({"path": "notes.txt"})),
        Answer::Done("hi".into()),
        "control failed: {surface} read_file in the workspace"
    );
    assert!(
        matches!(
            call(
                "write_file",
                &json!({"path": "sub/../out.txt", "content": "ok"})
            ),
            Answer::Done(_)
        ),
        "control failed: {surface} write_file in the workspace"
    );
    assert_eq!(std::fs::read_to_string(w.ws.join("out.txt")).unwrap(), "ok");
    let events = trail(w, surface);
    assert!(
        events[seen..].len() >= 4
            && events[seen..]
                .iter()
                .all(|e| e["unmapped"]["verdict"] == "allow"),
        "control failed: {surface}: {:?}",
        &events[seen..]
    );
    std::fs::remove_file(w.ws.join("out.txt")).unwrap();
}

// -------------------------------------------------------------------- MCP

struct Mcp {
    child: Child,
    stdin: ChildStdin,
    out: std::io::BufReader<ChildStdout>,
    id: u64,
}

impl Mcp {
    fn start(w: &World) -> Self {
        let mut child = w
            .cmd(["mcp", "-C", w.ws.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut m = Self {
            child,
            stdin,
            out,
            id: 0,
        };
        m.request("initialize", &json!({"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "attacks_guard", "version": "0"}}));
        writeln!(
            m.stdin,
            "{}",
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
        )
        .unwrap();
        m
    }

    fn request(&mut self, method: &str, params: &Value) -> Value {
        self.id += 1;
        let id = self.id;
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        writeln!(self.stdin, "{body}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the MCP server closed"
            );
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["id"] == id {
                return v;
            }
        }
    }

    fn call(&mut self, tool: &str, arguments: &Value) -> Answer {
        let r = self.request("tools/call", &json!({"name": tool, "arguments": arguments}));
        let res = &r["result"];
        let sc = &res["structuredContent"];
        if res["isError"] == true {
            if sc["denied"] == true {
                Answer::Denied(sc.to_string())
            } else {
                Answer::Failed(r.to_string())
            }
        } else {
            Answer::Done(
                sc["content"]
                    .as_str()
                    .map_or_else(|| sc.to_string(), str::to_owned),
            )
        }
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn mcp_file_tools_stay_beneath_the_workspace_and_record_the_refusal() {
    let w = world();
    let mut m = Mcp::start(&w);
    assert_attacks_refused(&w, "mcp", |tool, args| m.call(tool, args));
}

// ----------------------------------------------------------------- daemon

/// The daemon's refusal code (`rampart_server::rpc::code::DENIED`).
const DENIED: i64 = -32001;

fn rpc(socket: &Path, method: &str, params: &Value) -> Answer {
    let mut s = UnixStream::connect(socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    s.write_all(&u32::try_from(body.len()).unwrap().to_be_bytes())
        .unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut head = [0u8; 4];
    s.read_exact(&mut head).unwrap();
    let mut frame = vec![0u8; u32::from_be_bytes(head) as usize];
    s.read_exact(&mut frame).unwrap();
    let r: Value = serde_json::from_slice(&frame).unwrap();
    match r["error"]["code"].as_i64() {
        Some(DENIED) => Answer::Denied(r.to_string()),
        Some(_) => Answer::Failed(r.to_string()),
        None => {
            let o = &r["result"]["outcome"];
            Answer::Done(
                o["content"]
                    .as_str()
                    .map_or_else(|| o.to_string(), str::to_owned),
            )
        }
    }
}

#[test]
fn daemon_file_tools_stay_beneath_the_workspace_and_record_the_refusal() {
    let w = world();
    let d = Serve::start(&w);
    let socket = w.socket();
    assert_attacks_refused(&w, "daemon", |method, params| rpc(&socket, method, params));
    drop(d);
}
