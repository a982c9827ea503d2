//! `rampart audit tail|query|verify|export|forward`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::Context as _;
use rampart_audit::{Filter, RemoteReport, Report};
use serde_json::{json, Value};

use crate::args::{AuditArgs, AuditCommand, AuditFilter, ExportFormat, Global};
use crate::exit::Exit;
use crate::report::{with_hint, FailExt as _};
use crate::{load, record, ui};

pub(crate) fn run(global: &Global, args: &AuditArgs) -> anyhow::Result<Exit> {
    let Some(config) = load::config_here(global) else {
        return Ok(Exit::Usage);
    };
    let dir = config.audit.dir.clone();
    match &args.command {
        AuditCommand::Tail {
            lines,
            follow,
            filter,
        } => tail(global, &dir, filter, *lines, *follow),
        AuditCommand::Query { filter, limit } => query(global, &dir, filter, *limit),
        AuditCommand::Verify { remote, chain_id } => {
            let remote = if *remote {
                Some(verify_remote(&config, &dir, chain_id.as_deref())?)
            } else {
                None
            };
            verify(global, &dir, remote.as_ref())
        }
        AuditCommand::Export { format, filter } => export(&dir, filter, *format),
        AuditCommand::Forward { wait } => forward(global, &config, *wait),
    }
}

fn when(flag: &str, text: &str) -> anyhow::Result<u64> {
    rampart_audit::parse_time(text).map_err(|e| anyhow::anyhow!("--{flag} {e}"))
}

fn class_uid(text: &str) -> anyhow::Result<u32> {
    Ok(match text {
        "process" | "exec" => 1007,
        "file" => 1001,
        "network" => 4001,
        "api" | "ipc" | "mcp" => 6003,
        "auth" | "authentication" => 3002,
        other => other.parse().map_err(|_| {
            anyhow::anyhow!(
                "--class `{other}`: use process, file, network, api, auth, or an OCSF class_uid"
            )
        })?,
    })
}

fn filter(f: &AuditFilter) -> anyhow::Result<Filter> {
    Ok(Filter {
        since_ms: f.since.as_deref().map(|s| when("since", s)).transpose()?,
        until_ms: f.until.as_deref().map(|s| when("until", s)).transpose()?,
        verdict: f.verdict.clone(),
        min_severity: f.risk.as_deref().map(|r| match r {
            "low" => 1,
            "medium" => 2,
            "high" => 4,
            _ => 5,
        }),
        class_uid: f.class.as_deref().map(class_uid).transpose()?,
        actor: f.actor.clone(),
        contains: f.contains.clone(),
        after_seq: None,
        last: None,
    })
}

fn no_trail(dir: &std::path::Path) -> anyhow::Result<()> {
    if dir.join("audit.head").exists() || dir.join("audit.jsonl").exists() {
        return Ok(());
    }
    Err(with_hint(
        anyhow::anyhow!("no audit trail in `{}`", dir.display()),
        "events are recorded by `rampart exec`; `[audit] dir` in the config says where",
    ))
}

fn fetch(dir: &std::path::Path, f: &Filter) -> anyhow::Result<Vec<Value>> {
    Ok(rampart_audit::query(dir, f)?)
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// One line for humans.
fn human(record: &Value) -> String {
    let e = &record["event"];
    let seq = record["seq"].as_u64().unwrap_or(0);
    let time = e["time"].as_u64().map_or_else(String::new, |ms| {
        humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
    });
    let u = &e["unmapped"];
    let (kind, subject) = match e["class_uid"].as_u64() {
        Some(1007) => (
            if e["activity_id"] == 2 {
                "end   "
            } else {
                "exec  "
            },
            text(e, &["process", "cmd_line"]),
        ),
        Some(1001) => ("file  ", text(e, &["file", "path"])),
        Some(4001) => ("net   ", text(e, &["dst_endpoint", "hostname"])),
        Some(6003) => ("api   ", text(e, &["api", "operation"])),
        Some(3002) => ("auth  ", text(e, &["user", "name"])),
        _ => ("event ", ""),
    };
    let mut line = format!(
        "{time}  #{seq:<5} {kind}{:<5} {:<8} {:<10} {subject}",
        text(u, &["verdict"]),
        text(u, &["risk"]),
        text(e, &["actor", "user", "name"]),
    );
    if let Some(code) = u["exit_code"].as_i64() {
        let _ = write!(line, "  → exit {code}");
    }
    if let Some(ms) = u["duration_ms"].as_u64() {
        let _ = write!(line, " in {ms} ms");
    }
    if let Some(detail) = e["status_detail"].as_str() {
        let _ = write!(line, "  ({detail})");
    }
    if let Some(by) = u["approver"].as_str() {
        let _ = write!(line, "  [approved: {by}]");
    }
    line
}

/// Prints, and stops quietly when the reader went away.
fn out(line: &str) -> bool {
    let mut o = std::io::stdout().lock();
    writeln!(o, "{line}").and_then(|()| o.flush()).is_ok()
}

fn tail(
    global: &Global,
    dir: &std::path::Path,
    f: &AuditFilter,
    n: usize,
    follow: bool,
) -> anyhow::Result<Exit> {
    no_trail(dir)?;
    let mut fl = filter(f)?;
    fl.last = Some(n);
    let print = |r: &Value| {
        if global.json {
            out(&r.to_string())
        } else {
            out(&human(r))
        }
    };
    let first = fetch(dir, &fl)?;
    let mut last_seq = first.last().and_then(|r| r["seq"].as_u64());
    for r in &first {
        if !print(r) {
            return Ok(Exit::Ok);
        }
    }
    if !follow {
        return Ok(Exit::Ok);
    }
    // Everything already there was considered: follow from the newest
    // event, matching or not.
    if last_seq.is_none() {
        let all = fetch(
            dir,
            &Filter {
                last: Some(1),
                ..Filter::default()
            },
        );
        last_seq = all
            .ok()
            .and_then(|v| v.last().and_then(|r| r["seq"].as_u64()));
    }
    fl.last = None;
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let seen = Filter {
            after_seq: last_seq,
            ..Filter::default()
        };
        let fresh = fetch(dir, &seen)?;
        for r in &fresh {
            last_seq = r["seq"].as_u64().or(last_seq);
            if fl.matches(r) && !print(r) {
                return Ok(Exit::Ok);
            }
        }
    }
}

fn query(
    global: &Global,
    dir: &std::path::Path,
    f: &AuditFilter,
    limit: Option<usize>,
) -> anyhow::Result<Exit> {
    no_trail(dir)?;
    let mut fl = filter(f)?;
    fl.last = limit;
    let records = fetch(dir, &fl)?;
    if global.json {
        out(&Value::Array(records).to_string());
        return Ok(Exit::Ok);
    }
    if records.is_empty() {
        ui::info("no events match");
    }
    for r in &records {
        if !out(&human(r)) {
            break;
        }
    }
    Ok(Exit::Ok)
}

fn broken_json(r: &Report) -> Value {
    let first = match (&r.jsonl, &r.sqlite) {
        (Err(b), _) | (Ok(_), Some(Err(b))) => json!({ "seq": b.seq, "what": b.what }),
        _ => r
            .mismatch
            .as_ref()
            .map_or(Value::Null, |m| json!({ "seq": Value::Null, "what": m })),
    };
    first
}

/// The chain's id in a shared PostgreSQL (kept in SQLite).
fn chain_id(dir: &std::path::Path) -> Option<String> {
    rampart_audit::Db::open_read(dir)
        .ok()
        .flatten()
        .and_then(|db| db.meta("chain_id").ok().flatten())
}

fn verify(
    global: &Global,
    dir: &std::path::Path,
    remote: Option<&RemoteReport>,
) -> anyhow::Result<Exit> {
    no_trail(dir)?;
    let report = rampart_audit::verify(dir)?;
    let mut notes: Vec<String> = report.notes.clone();
    if let Ok(v) = &report.jsonl {
        notes.extend(v.notes.iter().cloned());
    }
    let (checked, head) = match &report.jsonl {
        Ok(v) => (v.checked, Some(v.head.clone())),
        Err(_) => (0, None),
    };
    let sqlite_checked = report
        .sqlite
        .as_ref()
        .and_then(|s| s.as_ref().ok())
        .map(|s| s.1);
    if global.json {
        out(&json!({
            "intact": report.is_intact(),
            "dir": dir,
            "chain_id": chain_id(dir),
            "events_checked": checked,
            "sqlite_events_checked": sqlite_checked,
            "head": head.map(|h| json!({ "count": h.count, "hash": h.hash })),
            "first_broken": broken_json(&report),
            "notes": notes,
            "remote": remote.map(remote_json),
        })
        .to_string());
    } else if let Some(problem) = report.first_problem() {
        ui::error(&format!(
            "the audit trail in `{}` was tampered with: {problem}",
            dir.display()
        ));
        ui::hint("keep a copy of the directory as evidence; PostgreSQL (if used) holds the events as forwarded");
    } else {
        let h = head.unwrap_or_default();
        let db = sqlite_checked.map_or_else(String::new, |n| format!(", {n} in SQLite"));
        ui::info(&format!(
            "intact: {checked} events in the JSON-lines files{db}; head #{} {}",
            h.count,
            &h.hash[..h.hash.len().min(16)]
        ));
    }
    if !global.json {
        for n in &notes {
            ui::warning(n);
        }
        if let Some(r) = remote {
            report_remote(dir, r);
        }
    }
    Ok(
        if report.is_intact() && remote.is_none_or(RemoteReport::agrees) {
            Exit::Ok
        } else {
            Exit::Problems
        },
    )
}

/// `verify --remote`: the local chain against PostgreSQL's copy.
fn verify_remote(
    config: &rampart_policy::Config,
    dir: &std::path::Path,
    chain_id: Option<&str>,
) -> anyhow::Result<RemoteReport> {
    no_trail(dir)?;
    let Some(target) = record::options(config).postgres else {
        return Err(with_hint(
            anyhow::anyhow!(
                "--remote: ${} is not set: there is no PostgreSQL copy to compare with",
                config.audit.postgres_url_env
            ),
            "export RAMPART_AUDIT_PG_URL=postgres://USER@HOST/DB (the server events are forwarded to)",
        ));
    };
    rampart_audit::verify_remote(dir, &target, chain_id).context("--remote")
}

fn remote_json(r: &RemoteReport) -> Value {
    json!({
        "agrees": r.agrees(),
        "chain_id": r.chain_id,
        "remote_events": r.remote_events,
        "local_events": r.local_events,
        "missing_locally": r.missing_locally,
        "extra_locally": r.extra_locally,
        "different": r.different,
        "not_forwarded": r.not_forwarded,
    })
}

fn report_remote(dir: &std::path::Path, r: &RemoteReport) {
    if let Some(problem) = r.first_problem() {
        ui::error(&format!(
            "the audit trail in `{}` does not match its copy in PostgreSQL: {problem}",
            dir.display()
        ));
        ui::hint("the PostgreSQL copy is the reference: keep the local directory as evidence");
    } else {
        ui::info(&format!(
            "PostgreSQL agrees: {} event(s) of chain {} match the local trail; {} not forwarded yet",
            r.remote_events, r.chain_id, r.not_forwarded
        ));
    }
}

fn export(dir: &std::path::Path, f: &AuditFilter, format: ExportFormat) -> anyhow::Result<Exit> {
    no_trail(dir)?;
    let fl = filter(f)?;
    let records = fetch(dir, &fl)?;
    let events = records.into_iter().map(|r| {
        let mut e = r["event"].clone();
        e["metadata"]["sequence"] = r["seq"].clone();
        e["unmapped"]["rampart_chain"] = json!({
            "seq": r["seq"], "prev_hash": r["prev_hash"], "hash": r["hash"],
        });
        e
    });
    match format {
        ExportFormat::Ocsf => {
            out(&Value::Array(events.collect()).to_string());
        }
        ExportFormat::OcsfJsonl => {
            for e in events {
                if !out(&e.to_string()) {
                    break;
                }
            }
        }
    }
    Ok(Exit::Ok)
}

fn forward(global: &Global, config: &rampart_policy::Config, wait: u64) -> anyhow::Result<Exit> {
    let opts = record::options(config);
    if opts.postgres.is_none() {
        return Err(with_hint(
            anyhow::anyhow!(
                "${} is not set: there is no PostgreSQL to forward to",
                config.audit.postgres_url_env
            ),
            "export RAMPART_AUDIT_PG_URL=postgres://USER@HOST/DB (the URL only ever comes from the environment)",
        ));
    }
    let log = record::open(config)?;
    let deadline = std::time::Instant::now() + Duration::from_secs(wait);
    match log.forward_until(deadline) {
        Some(Ok(n)) => {
            if global.json {
                out(&json!({ "sent": n }).to_string());
            } else {
                ui::info(&format!("forwarded {n} event(s) to PostgreSQL"));
            }
            Ok(Exit::Ok)
        }
        Some(Err(e)) => Err(e).hint("the events stay in SQLite; any later rampart command forwards them when the server is back").exit(Exit::Problems),
        None => Ok(Exit::Usage),
    }
}
