//! Issue 12, class 8: the audit trail keeps what matters and hides what it
//! must. An attacker with the user's uid edits indexed SQLite columns,
//! deletes the newest events, cuts the JSON-lines tail and deletes the
//! head; passwords on command lines and secrets hidden in output by
//! inserted separators must reach neither the trail nor the agent.

use std::path::{Path, PathBuf};
use std::process::Output;

use rampart_detect::fake::{Gen, BASE62};
use serde_json::Value;

use super::fixture::{World, ALLOW_ALL, BASE_CONFIG};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn audit_dir(w: &World) -> PathBuf {
    w.base.join("state/rampart")
}

fn db(w: &World) -> rusqlite::Connection {
    rusqlite::Connection::open(audit_dir(w).join("audit.db")).unwrap()
}

/// `verify` exit code and what it printed.
fn verify(w: &World) -> (Option<i32>, String) {
    let o = w.run(["audit", "verify"]);
    (o.status.code(), stderr(&o))
}

#[track_caller]
fn assert_tamper_found(w: &World, what: &str, event: u64) {
    let (code, err) = verify(w);
    assert!(
        code == Some(1) && err.contains(&format!("event {event}")),
        "gate bypassed: {what} went unnoticed by `audit verify` (exit {code:?}): {err}"
    );
}

#[track_caller]
fn assert_intact(w: &World, what: &str) {
    let (code, err) = verify(w);
    assert_eq!(code, Some(0), "control failed: {what}: {err}");
}

/// A trail of six events: three allowed commands and a denied one.
fn trail() -> World {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[[rules]]\ncommand = [\"rm\", \"-rf\", \"/\"]\ndecision = \"deny\"\nreason = \"test\"\n{ALLOW_ALL}"
    ));
    for argv in [&["true"][..], &["echo", "hi"], &["rm", "-rf", "/"]] {
        let mut a = vec!["exec", "--"];
        a.extend_from_slice(argv);
        w.run(a);
    }
    assert_intact(&w, "a fresh trail verifies");
    w
}

#[test]
fn every_indexed_sqlite_column_is_checked_by_verify() {
    let w = trail();
    let c = db(&w);
    let columns: [(&str, &str); 10] = [
        ("time", "time + 1"),
        ("class_uid", "4001"),
        ("activity_id", "activity_id + 1"),
        ("status_id", "status_id + 1"),
        ("severity_id", "5"),
        ("verdict", "'deny'"),
        ("actor", "'someone-else'"),
        ("subject", "'innocent'"),
        ("prev_hash", "'00'"),
        ("hash", "'00'"),
    ];
    for (col, new) in columns {
        let old: rusqlite::types::Value = c
            .query_row(
                &format!("SELECT {col} FROM events WHERE seq = 3"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        c.execute(
            &format!("UPDATE events SET {col} = {new} WHERE seq = 3"),
            [],
        )
        .unwrap();
        assert_tamper_found(&w, &format!("editing SQLite column `{col}`"), 3);
        let (_, err) = verify(&w);
        assert!(
            err.contains(col),
            "verify does not name column `{col}`: {err}"
        );
        c.execute(
            &format!("UPDATE events SET {col} = ?1 WHERE seq = 3"),
            [old],
        )
        .unwrap();
        assert_intact(&w, &format!("column `{col}` restored"));
    }
}

#[test]
fn an_edited_column_cannot_change_what_query_shows() {
    let w = trail();
    // Event 1 is a low-risk launch of `true`: make the index call it
    // critical and the query must still go by the sealed record.
    db(&w)
        .execute(
            "UPDATE events SET severity_id = 5, subject = 'planted' WHERE seq = 1",
            [],
        )
        .unwrap();
    for args in [&["--risk", "critical"][..], &["planted"]] {
        let mut a = vec!["--json", "audit", "query"];
        a.extend_from_slice(args);
        let o = w.run(a);
        let got: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("`audit query {args:?}`: {e}: {}", stderr(&o)));
        assert!(
            !got.as_array().unwrap().iter().any(|r| r["seq"] == 1),
            "gate bypassed: an edited SQLite column made `audit query {args:?}` show event 1"
        );
    }
    // Control: an event whose columns are intact is still selected (an
    // edited column can hide its event from a query; `verify` names it).
    let o = w.run(["--json", "audit", "query", "hi"]);
    let got: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        got.as_array().unwrap().iter().any(|r| r["seq"] == 3),
        "control failed: {got}"
    );
    assert_tamper_found(&w, "editing severity_id and subject", 1);
}

fn head_file(w: &World) -> Value {
    serde_json::from_slice(&std::fs::read(audit_dir(w).join("audit.head")).unwrap()).unwrap()
}

/// The JSON-lines file cut after `keep` events; returns the new size and
/// the last kept line.
fn cut_jsonl(w: &World, keep: usize) -> (u64, Value) {
    let path = audit_dir(w).join("audit.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().take(keep).collect();
    let kept: String = lines.iter().flat_map(|l| [*l, "\n"]).collect();
    std::fs::write(&path, &kept).unwrap();
    (
        kept.len() as u64,
        serde_json::from_str(lines[keep - 1]).unwrap(),
    )
}

#[test]
fn deleting_the_newest_sqlite_rows_is_found() {
    let w = trail();
    db(&w)
        .execute("DELETE FROM events WHERE seq >= 5", [])
        .unwrap();
    assert_tamper_found(&w, "deleting the newest SQLite rows", 5);
}

#[test]
fn deleting_the_database_is_found() {
    let w = trail();
    for f in ["audit.db", "audit.db-wal", "audit.db-shm"] {
        let _ = std::fs::remove_file(audit_dir(&w).join(f));
    }
    assert_tamper_found(&w, "deleting audit.db", 1);
}

#[test]
fn cutting_the_jsonl_tail_and_deleting_or_rewriting_the_head_is_found() {
    // Cut and delete the head.
    let w = trail();
    cut_jsonl(&w, 4);
    std::fs::remove_file(audit_dir(&w).join("audit.head")).unwrap();
    assert_tamper_found(&w, "cutting the tail and deleting audit.head", 1);
    // Appending onto it is refused (the evidence stays as it is).
    let o = w.run(["exec", "--", "true"]);
    assert!(
        !o.status.success() && stderr(&o).contains("audit.head"),
        "gate bypassed: an action was recorded onto a trail whose head was deleted: {}",
        stderr(&o)
    );

    // Cut and rewrite the head to match the cut: SQLite still has more.
    let w = trail();
    let (size, last) = cut_jsonl(&w, 4);
    let mut h = head_file(&w);
    h["count"] = last["seq"].clone();
    h["hash"] = last["hash"].clone();
    h["size"] = size.into();
    std::fs::write(audit_dir(&w).join("audit.head"), h.to_string()).unwrap();
    assert_tamper_found(&w, "cutting the tail and rewriting audit.head", 5);

    // Also delete the same SQLite rows but keep the head's mirror count.
    db(&w)
        .execute("DELETE FROM events WHERE seq > 4", [])
        .unwrap();
    assert_tamper_found(&w, "cutting both stores and rewriting the head's count", 5);
}

#[test]
fn a_consistent_local_rollback_is_caught_only_by_the_remote_copy() {
    let Some(url) = std::env::var("RAMPART_TEST_PG_URL").ok() else {
        assert!(
            std::env::var_os("RAMPART_REQUIRE_PG").is_none(),
            "RAMPART_REQUIRE_PG is set but RAMPART_TEST_PG_URL is not"
        );
        eprintln!("skipped: no PostgreSQL (scripts/test.sh starts one)");
        return;
    };
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let run = |args: &[&str]| {
        let mut c = w.cmd(args);
        c.env("RAMPART_AUDIT_PG_URL", &url);
        c.output().unwrap()
    };
    for cmd in ["true", "false", "true"] {
        run(&["exec", "--", cmd]);
    }
    let o = run(&["audit", "forward", "--wait", "20"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Control: local and remote agree.
    let o = run(&["audit", "verify", "--remote"]);
    assert_eq!(o.status.code(), Some(0), "control failed: {}", stderr(&o));
    // The attacker rolls every local store back to event 4, consistently.
    let (size, last) = cut_jsonl(&w, 4);
    db(&w)
        .execute("DELETE FROM events WHERE seq > 4", [])
        .unwrap();
    let mut h = head_file(&w);
    h["count"] = last["seq"].clone();
    h["hash"] = last["hash"].clone();
    h["size"] = size.into();
    h["db_count"] = last["seq"].clone();
    std::fs::write(audit_dir(&w).join("audit.head"), h.to_string()).unwrap();
    // What remains possible locally (documented in docs/AUDIT.md)...
    let o = run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // ...and what catches it.
    let o = run(&["--json", "audit", "verify", "--remote"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        o.status.code() == Some(1) && v["remote"]["missing_locally"] == serde_json::json!([5, 6]),
        "gate bypassed: a consistent local rollback passed `verify --remote`: {v} {}",
        stderr(&o)
    );

    // The attacker rewrites event 2 and re-seals the chain after it, in
    // every local store: the chain checks locally, not against the server.
    let path = audit_dir(&w).join("audit.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut head = rampart_audit::Head {
        count: 1,
        hash: records[0]["hash"].as_str().unwrap().to_owned(),
    };
    records[1]["event"]["process"]["cmd_line"] = "innocent".into();
    let conn = db(&w);
    for r in records.iter_mut().skip(1) {
        let (sealed, next) = rampart_audit::chain::seal(&head, r["event"].clone());
        *r = sealed;
        head = next;
        let cols = rampart_audit::sqlite::Columns::of(r);
        conn.execute(
            "UPDATE events SET subject = ?1, prev_hash = ?2, hash = ?3, record = ?4 WHERE seq = ?5",
            rusqlite::params![
                cols.subject,
                r["prev_hash"].as_str(),
                r["hash"].as_str(),
                r.to_string(),
                r["seq"].as_i64()
            ],
        )
        .unwrap();
    }
    let lines: String = records.iter().map(|r| r.to_string() + "\n").collect();
    std::fs::write(&path, &lines).unwrap();
    let mut stored = head_file(&w);
    stored["hash"] = head.hash.clone().into();
    stored["size"] = lines.len().into();
    std::fs::write(audit_dir(&w).join("audit.head"), stored.to_string()).unwrap();
    let o = run(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["--json", "audit", "verify", "--remote"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        o.status.code() == Some(1) && v["remote"]["different"] == serde_json::json!([2, 3, 4]),
        "gate bypassed: a re-sealed local rewrite passed `verify --remote`: {v} {}",
        stderr(&o)
    );
}

/// Every byte of every file in `dir`.
fn all_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn passwords_on_command_lines_never_reach_the_trail() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[[rules]]\ncommand = [\"mysql\", \"*\"]\ndecision = \"deny\"\nreason = \"test\"\n{ALLOW_ALL}"
    ));
    let mut g = Gen::seeded();
    let mut secrets = Vec::new();
    let mut pw = || {
        // Short, low-entropy-looking values: detection by shape would miss
        // them; the role must catch them.
        let s = format!("q{}", g.pick(BASE62, 9));
        secrets.push(s.clone());
        s
    };
    let forms: Vec<Vec<String>> = vec![
        vec!["mysql".into(), format!("-p{}", pw()), "db".into()],
        vec!["mysqldump".into(), "-u".into(), "root".into(), format!("-p{}", pw())],
        vec!["psql".into(), format!("--password={}", pw())],
        vec!["some-tool".into(), "--password".into(), pw()],
        vec!["curl".into(), "-u".into(), format!("me:{}", pw()), "http://127.0.0.1:9/".into()],
        vec!["sshpass".into(), "-p".into(), pw(), "ssh".into(), "h".into()],
        vec!["env".into(), format!("API_TOKEN={}", pw()), "true".into()],
        vec!["env".into(), format!("PGPASSWORD={}", pw()), "true".into()],
        vec!["curl".into(), "-H".into(), format!("Authorization: Bearer {}", pw()), "http://127.0.0.1:9/".into()],
        vec!["bash".into(), "-c".into(), format!("export DB_PASSWORD={}; true", pw())],
        vec!["bash".into(), "-c".into(), format!("PGPASSWORD={} psql -h db; true", pw())],
        vec!["sh".into(), "-c".into(), format!("mysql -p{} db || curl -H 'Authorization: token {}' -u u:{} http://127.0.0.1:9/; sshpass -p {} true", pw(), pw(), pw(), pw())],
        vec!["sh".into(), "-c".into(), format!("env SECRET_KEY={} MY_TOKEN=\"{}\" true", pw(), pw())],
    ];
    for argv in &forms {
        let mut a: Vec<String> = vec!["exec".into(), "--".into()];
        a.extend(argv.iter().cloned());
        w.run(&a);
    }
    let mut hay: Vec<(String, Vec<u8>)> = all_bytes(&audit_dir(&w))
        .into_iter()
        .map(|(p, b)| (p.display().to_string(), b))
        .collect();
    for args in [&["audit", "export"][..], &["--json", "audit", "query"]] {
        hay.push((args.join(" "), w.run(args).stdout));
    }
    let joined: String = hay
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        joined.contains("mysql -p***"),
        "control failed: the commands were not recorded"
    );
    for s in &secrets {
        for (name, bytes) in &hay {
            assert!(
                !bytes.windows(s.len()).any(|x| x == s.as_bytes()),
                "secret reached the trail: `{s}` in {name}"
            );
        }
    }
}

/// Separators an attacker can print inside a secret.
const SEPARATORS: &[&str] = &[
    "\x1b[31m",
    "\x1b[0m",
    "\x1b]0;t\x07",
    "\u{200b}",
    "\u{200c}",
    "\u{200d}",
    "\u{2060}",
    "\u{feff}",
    "\u{ad}",
    "\n",
    "\r\n",
];

/// What a reader sees: the separators gone, lines joined.
fn as_read(text: &str) -> String {
    let mut t = text.to_owned();
    for s in SEPARATORS {
        t = t.replace(s, "");
    }
    t.replace('\n', "")
}

/// A fake GitHub token and copies of it with each separator inside.
fn hidden_tokens(g: &mut Gen) -> (String, Vec<String>) {
    let token = rampart_detect::fake::expand(g, "ghp_{Aa:30}{ghcrc}").unwrap();
    let hidden = SEPARATORS
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "{}{s}{}{s}{}",
                &token[..3 + i],
                &token[3 + i..20],
                &token[20..]
            )
        })
        .collect();
    (token, hidden)
}

#[test]
fn redact_sees_through_separators_inserted_into_a_secret() {
    let w = World::new();
    let mut g = Gen::seeded();
    let (token, hidden) = hidden_tokens(&mut g);
    for h in &hidden {
        let input = format!("build ok\ntoken {h} end\nmore\n");
        let o = w.run_with_stdin(["redact"], input.as_bytes());
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            !as_read(&out).contains(&token) && out.contains("[REDACTED:"),
            "gate bypassed: `rampart redact` let a secret with {h:?} through: {out:?}"
        );
    }
    // Control: coloured output without secrets comes back as it was.
    let plain = "\x1b[32mok\x1b[0m 3 passed\nzero\u{200b}width\n";
    let o = w.run_with_stdin(["redact"], plain.as_bytes());
    assert_eq!(String::from_utf8_lossy(&o.stdout), plain, "control failed");
}

/// Every string in `v`, JSON inside strings opened too.
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                if inner.is_object() || inner.is_array() {
                    strings(&inner, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// `rampart mcp` over stdio: initialize, then one `run_command`; the
/// response's text, with JSON inside strings opened too.
fn mcp_run(w: &World, argv: &[&str]) -> String {
    use std::io::{BufRead, Write};
    let mut child = w
        .cmd(["mcp", "-C", w.ws.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let msgs = [
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "attacks", "version": "0"}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "run_command", "arguments": {"argv": argv}}}),
    ];
    for m in &msgs {
        writeln!(stdin, "{m}").unwrap();
    }
    stdin.flush().unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut answer = Value::Null;
    while reader.read_line(&mut line).unwrap() > 0 {
        let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if v["id"] == 2 {
            answer = v;
            break;
        }
        line.clear();
    }
    drop(stdin);
    let _ = child.wait();
    let mut out = String::new();
    strings(&answer["result"], &mut out);
    assert!(!out.is_empty(), "no run_command answer: {answer}");
    out
}

#[test]
fn mcp_run_command_output_masking_survives_separators_and_the_cap() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}{ALLOW_ALL}[agents]\nmax_output_kb = 1\n"
    ));
    let mut g = Gen::seeded();
    let (token, hidden) = hidden_tokens(&mut g);
    let mut text = String::from("listing\n");
    for h in &hidden[..6] {
        text += &["key ", h, " ok\n"].concat();
    }
    std::fs::write(w.ws.join("out.txt"), &text).unwrap();
    let shown = mcp_run(&w, &["cat", "out.txt"]);
    assert!(shown.contains("listing"), "control failed: {shown}");
    assert!(
        !as_read(&shown).contains(&token),
        "gate bypassed: run_command output showed a secret hidden by separators: {shown:?}"
    );
    // A secret across the 1 KiB cap: no part of it may show.
    for pad in [1000usize, 1010, 1020, 1023] {
        let text = format!("{}\n{token} tail\n", "x".repeat(pad - 1));
        std::fs::write(w.ws.join("cap.txt"), &text).unwrap();
        let shown = mcp_run(&w, &["cat", "cap.txt"]);
        for part in token.as_bytes()[4..].windows(5) {
            let part = std::str::from_utf8(part).unwrap();
            assert!(
                !shown.contains(part),
                "gate bypassed: the output cap (pad {pad}) showed `{part}` of a secret: {shown:?}"
            );
        }
        assert!(shown.contains("xxxx"), "control failed: {shown}");
    }
}
