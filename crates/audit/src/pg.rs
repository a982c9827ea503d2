//! Forwarding to `PostgreSQL`: the `SQLite` store is the durable buffer,
//! and a forward pass copies every event `PostgreSQL` does not have yet, in
//! chain order, in batched transactions. Each pass asks the server where
//! this chain ends (`max(seq)`), holds a per-chain advisory lock, checks
//! that the first event it sends chains onto the server's last one, and
//! inserts with `ON CONFLICT DO NOTHING`: two forwarders at once, a crash
//! between commit and bookkeeping, or a retry never duplicate or reorder
//! anything. While the server is down, passes are skipped on an
//! exponential backoff kept in the `SQLite` `meta` table, so every
//! rampart process shares it.

use std::str::FromStr;
use std::time::Duration;

use crate::now_ms;
use postgres::{Client, NoTls};
use serde_json::Value;

use crate::jsonl::AuditError;
use crate::sqlite::{Columns, Db};

/// Events per `INSERT` (13 parameters each, well under the 65 535 limit).
const BATCH: usize = 500;
/// Longest wait between two attempts while the server is down.
const MAX_BACKOFF_MS: u64 = 30_000;
const FIRST_BACKOFF_MS: u64 = 250;

/// The schema, one step per version; applied in order, once, under an
/// advisory lock.
const MIGRATIONS: &[&str] = &["
CREATE TABLE rampart_audit_events (
    chain_id text NOT NULL,
    seq bigint NOT NULL,
    time_ms bigint NOT NULL,
    class_uid integer NOT NULL,
    activity_id integer NOT NULL,
    status_id integer NOT NULL,
    severity_id integer NOT NULL,
    verdict text NOT NULL,
    actor text NOT NULL,
    subject text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    record text NOT NULL,
    event jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain_id, seq)
);
CREATE INDEX rampart_audit_events_time ON rampart_audit_events (time_ms);
CREATE INDEX rampart_audit_events_verdict ON rampart_audit_events (verdict, time_ms);
CREATE INDEX rampart_audit_events_actor ON rampart_audit_events (actor, time_ms);
"];

/// Arbitrary, fixed: the advisory lock key for migrations.
const MIGRATION_LOCK: i64 = 0x7261_6d70_6172_7401;

/// `url` with its password replaced by `***`, for messages. Handles
/// `postgres://user:pass@host/db` and `key=value` strings
/// (`password=...`).
pub fn redacted_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        // Everything between the user name and the last `@` is the
        // password, whatever it contains (over-masking is harmless).
        let (userinfo, after) = match rest.rsplit_once('@') {
            Some((userinfo, after)) => match userinfo.split_once(':') {
                Some((user, _)) => (format!("{user}:***@"), after),
                None => (format!("{userinfo}@"), after),
            },
            None => (String::new(), rest),
        };
        let after = match after.split_once('?') {
            Some((path, query)) => {
                let query = query
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                        _ => kv.to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join("&");
                format!("{path}?{query}")
            }
            None => after.to_owned(),
        };
        return format!("{scheme}://{userinfo}{after}");
    }
    mask_conninfo_password(url)
}

/// libpq's `key = value` form: the value of every `password` key masked,
/// whether it is bare, quoted (`'a b'`, with `\'` escapes) or written
/// with spaces around `=`. What cannot be read (an unterminated quote) is
/// masked to the end.
fn mask_conninfo_password(info: &str) -> String {
    let b = info.as_bytes();
    let mut out = String::with_capacity(info.len());
    let mut i = 0;
    while i < b.len() {
        // A key: a run of non-space, non-`=` bytes.
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let key = info.get(start..i).unwrap_or_default();
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if key.is_empty() || j >= b.len() || b[j] != b'=' {
            // Not `key=`: copy up to here and go on.
            out.push_str(
                info.get(start..j.max(start + 1).min(b.len()))
                    .unwrap_or_default(),
            );
            i = j.max(start + 1);
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        // The value: quoted or bare.
        let mut closed = true;
        if j < b.len() && b[j] == b'\'' {
            j += 1;
            closed = false;
            while j < b.len() {
                match b[j] {
                    b'\\' => j += 2,
                    b'\'' => {
                        j += 1;
                        closed = true;
                        break;
                    }
                    _ => j += 1,
                }
            }
            j = j.min(b.len());
        } else {
            while j < b.len() && !b[j].is_ascii_whitespace() {
                j += 1;
            }
        }
        if key.eq_ignore_ascii_case("password") {
            out.push_str(key);
            out.push_str("=***");
            if !closed {
                return out;
            }
        } else {
            out.push_str(info.get(start..j).unwrap_or_default());
        }
        // Keep the space that separated this pair from the next.
        let sep = j;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        out.push_str(info.get(sep..j).unwrap_or_default());
        i = j;
    }
    out
}

/// Where to forward, from the environment variable named in the config.
#[derive(Clone)]
pub struct Target {
    url: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("url", &redacted_url(&self.url))
            .finish()
    }
}

impl Target {
    /// A target; the URL is never printed with its password.
    pub fn new(url: String) -> Self {
        Self { url }
    }

    /// The URL without its password.
    pub fn shown(&self) -> String {
        redacted_url(&self.url)
    }

    fn error(&self, what: impl std::fmt::Display) -> AuditError {
        AuditError::Postgres {
            url: self.shown(),
            what: what.to_string(),
        }
    }

    fn connect(&self) -> Result<Client, AuditError> {
        let mut config = postgres::Config::from_str(&self.url).map_err(|e| {
            self.error(format!(
                "not a valid PostgreSQL URL ({e}); use postgres://USER[:PASSWORD]@HOST[:PORT]/DB"
            ))
        })?;
        config.connect_timeout(Duration::from_secs(3));
        config.application_name("rampart");
        config.connect(NoTls).map_err(|e| self.error(pg_error(&e)))
    }
}

fn pg_error(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.code().code(), db.message());
    }
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// What a forward pass did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forwarded {
    /// Sent this many events; the server now has everything.
    Sent(u64),
    /// The server was down recently; the next attempt is not due yet.
    Waiting {
        /// ms until the next attempt.
        retry_in_ms: u64,
    },
}

fn migrate(client: &mut Client, t: &Target) -> Result<(), AuditError> {
    let mut tx = client.transaction().map_err(|e| t.error(pg_error(&e)))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(|e| t.error(pg_error(&e)))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS rampart_schema (version integer NOT NULL)")
        .map_err(|e| t.error(pg_error(&e)))?;
    let version: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM rampart_schema", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| t.error(pg_error(&e)))?;
    let have = usize::try_from(version).unwrap_or(usize::MAX);
    if have > MIGRATIONS.len() {
        return Err(t.error(format!(
            "the schema is at version {have}, newer than this rampart knows ({}); upgrade rampart",
            MIGRATIONS.len()
        )));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(have) {
        tx.batch_execute(step).map_err(|e| t.error(pg_error(&e)))?;
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO rampart_schema (version) VALUES ($1)", &[&v])
            .map_err(|e| t.error(pg_error(&e)))?;
    }
    tx.commit().map_err(|e| t.error(pg_error(&e)))
}

/// Whether a pass is due, from the shared backoff state.
fn due(db: &Db, now: u64) -> Result<Option<u64>, AuditError> {
    let next: u64 = db
        .meta("pg_next_try_ms")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok((now < next).then(|| next - now))
}

fn note_failure(db: &Db, now: u64) -> Result<(), AuditError> {
    let failures: u32 = db
        .meta("pg_failures")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let wait = FIRST_BACKOFF_MS
        .saturating_mul(1 << failures.min(16))
        .min(MAX_BACKOFF_MS);
    db.set_meta("pg_failures", &(failures + 1).to_string())?;
    db.set_meta("pg_next_try_ms", &(now + wait).to_string())
}

/// One forward pass. `force` ignores the backoff (an explicit
/// `rampart audit forward`). A failure is recorded for the backoff and
/// returned; the events stay buffered.
pub fn forward(
    db: &Db,
    target: &Target,
    chain_id: &str,
    force: bool,
) -> Result<Forwarded, AuditError> {
    let now = now_ms();
    if !force {
        if let Some(retry_in_ms) = due(db, now)? {
            return Ok(Forwarded::Waiting { retry_in_ms });
        }
    }
    match send(db, target, chain_id) {
        Ok(n) => {
            db.set_meta("pg_failures", "0")?;
            db.set_meta("pg_next_try_ms", "0")?;
            Ok(Forwarded::Sent(n))
        }
        Err(e) => {
            note_failure(db, now)?;
            Err(e)
        }
    }
}

/// Retries [`forward`] with exponential backoff until it succeeds or
/// `deadline` passes.
pub fn forward_until(
    db: &Db,
    target: &Target,
    chain_id: &str,
    deadline: std::time::Instant,
) -> Result<u64, AuditError> {
    let mut wait = Duration::from_millis(100);
    loop {
        match forward(db, target, chain_id, true) {
            Ok(Forwarded::Sent(n)) => return Ok(n),
            Ok(Forwarded::Waiting { .. }) => {}
            Err(e) if std::time::Instant::now() + wait >= deadline => return Err(e),
            Err(_) => {}
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_secs(5));
    }
}

fn send(db: &Db, target: &Target, chain_id: &str) -> Result<u64, AuditError> {
    let mut client = target.connect()?;
    migrate(&mut client, target)?;
    let t = target;
    let mut sent = 0;
    loop {
        let mut tx = client.transaction().map_err(|e| t.error(pg_error(&e)))?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&chain_id],
        )
        .map_err(|e| t.error(pg_error(&e)))?;
        let last = tx
            .query_opt(
                "SELECT seq, hash FROM rampart_audit_events WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1",
                &[&chain_id],
            )
            .map_err(|e| t.error(pg_error(&e)))?;
        let (have, last_hash): (i64, Option<String>) = match last {
            Some(r) => (
                r.try_get(0).map_err(|e| t.error(pg_error(&e)))?,
                Some(r.try_get(1).map_err(|e| t.error(pg_error(&e)))?),
            ),
            None => (0, None),
        };
        let rows = db.after(u64::try_from(have).unwrap_or(0), BATCH)?;
        let Some((first_seq, first)) = rows.first() else {
            return Ok(sent);
        };
        if *first_seq != u64::try_from(have).unwrap_or(0) + 1 && have != 0 {
            return Err(t.error(format!(
                "the server has this chain up to event {have}, the local store continues at {first_seq}"
            )));
        }
        if let Some(h) = &last_hash {
            if first.get("prev_hash").and_then(Value::as_str) != Some(h.as_str()) {
                return Err(t.error(format!(
                    "event {first_seq} does not chain onto the server's event {have}: the local trail was replaced; run `rampart audit verify`"
                )));
            }
        }
        insert(&mut tx, t, chain_id, &rows)?;
        tx.commit().map_err(|e| t.error(pg_error(&e)))?;
        sent += rows.len() as u64;
    }
}

/// Every `(seq, hash)` the server holds for `chain_id`, in order.
pub fn remote_chain(target: &Target, chain_id: &str) -> Result<Vec<(u64, String)>, AuditError> {
    let t = target;
    let mut client = t.connect()?;
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('rampart_audit_events') IS NOT NULL",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(|e| t.error(pg_error(&e)))?;
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT seq, hash FROM rampart_audit_events WHERE chain_id = $1 ORDER BY seq",
            &[&chain_id],
        )
        .map_err(|e| t.error(pg_error(&e)))?;
    rows.iter()
        .map(|r| {
            let seq: i64 = r.try_get(0).map_err(|e| t.error(pg_error(&e)))?;
            let hash: String = r.try_get(1).map_err(|e| t.error(pg_error(&e)))?;
            Ok((u64::try_from(seq).unwrap_or(0), hash))
        })
        .collect()
}

/// One event's columns, owned for the parameter list.
struct Row {
    seq: i64,
    time: i64,
    class_uid: i32,
    activity_id: i32,
    status_id: i32,
    severity_id: i32,
    verdict: String,
    actor: String,
    subject: String,
    prev_hash: String,
    hash: String,
    record: String,
    event: Value,
}

fn insert(
    tx: &mut postgres::Transaction<'_>,
    t: &Target,
    chain_id: &str,
    rows: &[(u64, Value)],
) -> Result<(), AuditError> {
    const COLS: usize = 14;
    let mut sql = String::from(
        "INSERT INTO rampart_audit_events (chain_id, seq, time_ms, class_uid, activity_id, status_id, severity_id, verdict, actor, subject, prev_hash, hash, record, event) VALUES ",
    );
    let small = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let data: Vec<Row> = rows
        .iter()
        .map(|(seq, r)| {
            let c = Columns::of(r);
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            Row {
                seq: i64::try_from(*seq).unwrap_or(i64::MAX),
                time: i64::try_from(c.time).unwrap_or(i64::MAX),
                class_uid: small(c.class_uid),
                activity_id: small(c.activity_id),
                status_id: small(c.status_id),
                severity_id: small(c.severity_id),
                verdict: c.verdict,
                actor: c.actor,
                subject: c.subject,
                prev_hash: s("prev_hash"),
                hash: s("hash"),
                record: r.to_string(),
                event: r.get("event").cloned().unwrap_or(Value::Null),
            }
        })
        .collect();
    let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> =
        Vec::with_capacity(data.len() * COLS);
    // Placeholders only: every value is a bound parameter.
    for (i, row) in data.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..COLS {
            if c > 0 {
                sql.push(',');
            }
            sql.push('$');
            sql.push_str(&(i * COLS + c + 1).to_string());
        }
        sql.push(')');
        params.extend_from_slice(&[
            &chain_id as &(dyn postgres::types::ToSql + Sync),
            &row.seq,
            &row.time,
            &row.class_uid,
            &row.activity_id,
            &row.status_id,
            &row.severity_id,
            &row.verdict,
            &row.actor,
            &row.subject,
            &row.prev_hash,
            &row.hash,
            &row.record,
            &row.event,
        ]);
    }
    sql.push_str(" ON CONFLICT (chain_id, seq) DO NOTHING");
    tx.execute(sql.as_str(), &params)
        .map(drop)
        .map_err(|e| t.error(pg_error(&e)))
}

#[cfg(test)]
mod tests {
    use super::redacted_url;

    #[test]
    fn urls_are_shown_without_their_password() {
        let pw = ["hunter", "2x"].concat();
        assert_eq!(
            redacted_url(&format!("postgres://audit:{pw}@db.internal:5432/rampart")),
            "postgres://audit:***@db.internal:5432/rampart"
        );
        assert_eq!(
            redacted_url(&format!("postgresql://db/rampart?user=a&password={pw}")),
            "postgresql://db/rampart?user=a&password=***"
        );
        assert_eq!(
            redacted_url(&format!("host=/tmp user=a password={pw} dbname=r")),
            "host=/tmp user=a password=*** dbname=r"
        );
        for (info, want) in [
            (
                format!("host=h password = {pw} dbname=r"),
                "host=h password=*** dbname=r",
            ),
            (
                format!("host=h password='{pw} more' dbname=r"),
                "host=h password=*** dbname=r",
            ),
            (
                format!("host=h PASSWORD= '{pw}\\' x' dbname=r"),
                "host=h PASSWORD=*** dbname=r",
            ),
            (format!("password='{pw} unterminated"), "password=***"),
            (format!("host=h password={pw}"), "host=h password=***"),
        ] {
            assert_eq!(redacted_url(&info), want, "{info}");
        }
        assert_eq!(redacted_url("host=h  user=a"), "host=h  user=a");
        assert_eq!(redacted_url("postgres://a@h/d"), "postgres://a@h/d");
        assert_eq!(
            redacted_url(&format!("postgres://u:p/w?{pw}@h/d")),
            "postgres://u:***@h/d"
        );
        for shown in [
            redacted_url(&format!("postgres://a:{pw}@h/d")),
            redacted_url(&format!("postgres://h/d?password={pw}")),
        ] {
            assert!(!shown.contains(&pw), "{shown}");
        }
    }
}
