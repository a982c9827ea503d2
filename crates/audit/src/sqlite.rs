//! The `SQLite` store: every sealed record, indexed for the query filters
//! (time, verdict, risk, class, actor), in WAL mode so that readers never
//! block the writer. Written under the trail's lock, in chain order; it
//! keeps every event (the JSON-lines files rotate, this does not), and it
//! is the durable buffer for `PostgreSQL` forwarding.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::Value;

use crate::chain::{self, Broken, Head};
use crate::jsonl::AuditError;

/// The database file in the audit directory.
pub const DB: &str = "audit.db";

/// How long a write waits for a lock held by another connection before
/// failing (and, when the audit is fail-closed, stopping the action).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    class_uid INTEGER NOT NULL,
    activity_id INTEGER NOT NULL,
    status_id INTEGER NOT NULL,
    severity_id INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    actor TEXT NOT NULL,
    subject TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    record TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS events_time ON events(time);
CREATE INDEX IF NOT EXISTS events_verdict ON events(verdict, time);
CREATE INDEX IF NOT EXISTS events_severity ON events(severity_id, time);
CREATE INDEX IF NOT EXISTS events_class ON events(class_uid, time);
CREATE INDEX IF NOT EXISTS events_actor ON events(actor, time);
";

/// What to select. Every field narrows; `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Events at or after this time (ms since the epoch).
    pub since_ms: Option<u64>,
    /// Events before this time.
    pub until_ms: Option<u64>,
    /// `allow`, `deny` or `ask`.
    pub verdict: Option<String>,
    /// This OCSF `severity_id` or higher (risk low 1, medium 2, high 4,
    /// critical 5).
    pub min_severity: Option<u8>,
    /// OCSF `class_uid`.
    pub class_uid: Option<u32>,
    /// The actor's user name.
    pub actor: Option<String>,
    /// A substring of the command line, path, URL or API operation.
    pub contains: Option<String>,
    /// Events with a larger sequence number.
    pub after_seq: Option<u64>,
    /// At most this many, the newest ones (still returned oldest first).
    pub last: Option<usize>,
}

/// The columns the filters use, taken from a sealed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Sequence number.
    pub seq: u64,
    /// ms since the epoch.
    pub time: u64,
    /// OCSF class.
    pub class_uid: u32,
    /// OCSF activity.
    pub activity_id: u32,
    /// OCSF status.
    pub status_id: u32,
    /// OCSF severity.
    pub severity_id: u32,
    /// rampart's verdict.
    pub verdict: String,
    /// The acting user's name.
    pub actor: String,
    /// Command line, path, URL or API operation.
    pub subject: String,
}

fn num(v: &Value, path: &[&str]) -> u64 {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl Columns {
    /// Reads the filter columns from a sealed record.
    pub fn of(record: &Value) -> Self {
        let e = record.get("event").unwrap_or(&Value::Null);
        let small = |p: &[&str]| u32::try_from(num(e, p)).unwrap_or(u32::MAX);
        let subject = [
            &["process", "cmd_line"][..],
            &["file", "path"],
            &["url", "url_string"],
            &["api", "operation"],
            &["dst_endpoint", "hostname"],
            &["user", "name"],
        ]
        .iter()
        .find_map(|p| text(e, p))
        .unwrap_or_default();
        Self {
            seq: num(record, &["seq"]),
            time: num(e, &["time"]),
            class_uid: small(&["class_uid"]),
            activity_id: small(&["activity_id"]),
            status_id: small(&["status_id"]),
            severity_id: small(&["severity_id"]),
            verdict: text(e, &["unmapped", "verdict"]).unwrap_or_default(),
            actor: text(e, &["actor", "user", "name"]).unwrap_or_default(),
            subject,
        }
    }
}

impl Columns {
    /// The first column whose value differs from `other`'s.
    pub fn differs_from(&self, other: &Self) -> Option<&'static str> {
        [
            ("seq", self.seq != other.seq),
            ("time", self.time != other.time),
            ("class_uid", self.class_uid != other.class_uid),
            ("activity_id", self.activity_id != other.activity_id),
            ("status_id", self.status_id != other.status_id),
            ("severity_id", self.severity_id != other.severity_id),
            ("verdict", self.verdict != other.verdict),
            ("actor", self.actor != other.actor),
            ("subject", self.subject != other.subject),
        ]
        .into_iter()
        .find_map(|(name, differs)| differs.then_some(name))
    }
}

fn small(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Filter {
    /// Whether `record` passes (the same test the SQL query makes, for
    /// reading the JSON-lines files when there is no database).
    pub fn matches(&self, record: &Value) -> bool {
        let c = Columns::of(record);
        self.since_ms.is_none_or(|t| c.time >= t)
            && self.until_ms.is_none_or(|t| c.time < t)
            && self.verdict.as_ref().is_none_or(|v| &c.verdict == v)
            && self
                .min_severity
                .is_none_or(|s| c.severity_id >= u32::from(s))
            && self.class_uid.is_none_or(|k| c.class_uid == k)
            && self.actor.as_ref().is_none_or(|a| &c.actor == a)
            && self
                .contains
                .as_ref()
                .is_none_or(|s| c.subject.contains(s.as_str()))
            && self.after_seq.is_none_or(|s| c.seq > s)
    }
}

/// The open database.
#[derive(Debug)]
pub struct Db {
    conn: Connection,
    path: PathBuf,
}

fn sql(path: &Path) -> impl FnOnce(rusqlite::Error) -> AuditError + '_ {
    move |e| AuditError::Db {
        path: path.to_path_buf(),
        what: e.to_string(),
    }
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn as_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A connection that never follows a symlink and waits [`BUSY_TIMEOUT`]
/// for a lock.
fn connect(path: &Path, mode: OpenFlags) -> Result<Connection, AuditError> {
    let conn = Connection::open_with_flags(
        path,
        mode | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )
    .map_err(sql(path))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql(path))?;
    Ok(conn)
}

impl Db {
    /// Opens (creating 0600, never through a symlink) the database in
    /// `dir`, which the caller has already checked. `durable`: every
    /// commit reaches the disk (`synchronous = FULL`); otherwise commits
    /// survive the death of the process, and the disk sees them at the
    /// next checkpoint.
    pub fn open(dir: &Path, durable: bool) -> Result<Self, AuditError> {
        let path = dir.join(DB);
        // Create it with our mode and flags first: SQLite gives its -wal
        // and -shm files the database file's mode.
        drop(crate::jsonl::open_private(&path, false)?);
        let conn = connect(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        // Switching the journal mode takes an exclusive lock, which SQLite
        // refuses at once (no busy wait) while another run holds the
        // database: switch only a database that is not in WAL mode yet.
        // Two runs creating the trail at once both see a fresh database:
        // the one that loses the switch retries (SQLite does not wait for
        // this lock itself) until BUSY_TIMEOUT.
        let started = std::time::Instant::now();
        loop {
            let mode: String = conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(sql(&path))?;
            if mode.eq_ignore_ascii_case("wal") {
                break;
            }
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Ok(()) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => return Err(sql(&path)(e)),
            }
        }
        conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })
            .map_err(sql(&path))?;
        conn.execute_batch(SCHEMA).map_err(sql(&path))?;
        Ok(Self { conn, path })
    }

    /// Opens an existing database to read.
    pub fn open_read(dir: &Path) -> Result<Option<Self>, AuditError> {
        let path = dir.join(DB);
        if !path.exists() {
            return Ok(None);
        }
        let conn = connect(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(Some(Self { conn, path }))
    }

    /// The largest sequence number stored (0 when empty).
    pub fn max_seq(&self) -> Result<u64, AuditError> {
        let n: Option<i64> = self
            .conn
            .query_row("SELECT max(seq) FROM events", [], |r| r.get(0))
            .map_err(sql(&self.path))?;
        Ok(as_u64(n.unwrap_or(0)))
    }

    /// Stores sealed `records` (in chain order) in one transaction; when
    /// the database is behind the log (a write that failed earlier, or a
    /// database that was created later), the missing records are read
    /// from the log in `dir` first.
    pub fn insert(&self, dir: &Path, records: &[Value]) -> Result<(), AuditError> {
        let Some(first) = records.first().and_then(|r| r.get("seq")?.as_u64()) else {
            return Ok(());
        };
        let have = self.max_seq()?;
        let catch_up = if have + 1 < first {
            crate::jsonl::records_from(dir, have + 1)?
                .into_iter()
                .filter(|r| {
                    r.get("seq")
                        .and_then(Value::as_u64)
                        .is_some_and(|s| s < first)
                })
                .collect()
        } else {
            Vec::new()
        };
        let tx = self.conn.unchecked_transaction().map_err(sql(&self.path))?;
        if have == 0 {
            // A database created after the log had rotated starts later.
            let start = catch_up.first().map_or(first, |r: &Value| num(r, &["seq"]));
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('first_seq', ?1)",
                [start.to_string()],
            )
            .map_err(sql(&self.path))?;
        }
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO events (seq, time, class_uid, activity_id, status_id, severity_id, verdict, actor, subject, prev_hash, hash, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(sql(&self.path))?;
            for record in catch_up.iter().chain(records) {
                let c = Columns::of(record);
                let hash = |k: &str| record.get(k).and_then(Value::as_str).unwrap_or("");
                stmt.execute(params![
                    as_i64(c.seq),
                    as_i64(c.time),
                    c.class_uid,
                    c.activity_id,
                    c.status_id,
                    c.severity_id,
                    c.verdict,
                    c.actor,
                    c.subject,
                    hash("prev_hash"),
                    hash("hash"),
                    record.to_string(),
                ])
                .map_err(|e| AuditError::Db {
                    path: self.path.clone(),
                    what: format!(
                        "event {}: {e}; the database holds events the JSON-lines trail does not, run `rampart audit verify`",
                        c.seq
                    ),
                })?;
            }
        }
        tx.commit().map_err(sql(&self.path))
    }

    /// The records `filter` selects, oldest first.
    pub fn query(&self, filter: &Filter) -> Result<Vec<Value>, AuditError> {
        use rusqlite::types::Value as V;
        let mut clauses = Vec::new();
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut bind = |clause: &str, v: rusqlite::types::Value| {
            args.push(v);
            clauses.push(clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(t) = filter.since_ms {
            bind("time >= ?", V::Integer(as_i64(t)));
        }
        if let Some(t) = filter.until_ms {
            bind("time < ?", V::Integer(as_i64(t)));
        }
        if let Some(v) = &filter.verdict {
            bind("verdict = ?", V::Text(v.clone()));
        }
        if let Some(s) = filter.min_severity {
            bind("severity_id >= ?", V::Integer(i64::from(s)));
        }
        if let Some(k) = filter.class_uid {
            bind("class_uid = ?", V::Integer(i64::from(k)));
        }
        if let Some(a) = &filter.actor {
            bind("actor = ?", V::Text(a.clone()));
        }
        if let Some(s) = &filter.contains {
            bind("instr(subject, ?) > 0", V::Text(s.clone()));
        }
        if let Some(s) = filter.after_seq {
            bind("seq > ?", V::Integer(as_i64(s)));
        }
        let mut q = String::from("SELECT seq, record FROM events");
        if !clauses.is_empty() {
            q.push_str(" WHERE ");
            q.push_str(&clauses.join(" AND "));
        }
        // The clauses above are fixed text; every value is a bound
        // parameter.
        if let Some(n) = filter.last {
            args.push(V::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
            q = format!(
                "SELECT seq, record FROM ({q} ORDER BY seq DESC LIMIT ?{}) ORDER BY seq",
                args.len()
            );
        } else {
            q.push_str(" ORDER BY seq");
        }
        let mut stmt = self.conn.prepare(&q).map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(1))
            .map_err(sql(&self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let text = row.map_err(sql(&self.path))?;
            let record: Value = serde_json::from_str(&text).map_err(|e| AuditError::Db {
                path: self.path.clone(),
                what: format!("a stored record is not JSON: {e}"),
            })?;
            // The columns only narrow the search: what is shown is what the
            // sealed record says, so an edited column cannot make an event
            // pass a filter it does not pass (`verify` names the edit).
            if filter.matches(&record) {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// Records with `seq > after`, oldest first, at most `limit`.
    pub fn after(&self, after: u64, limit: usize) -> Result<Vec<(u64, Value)>, AuditError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, record FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(
                params![as_i64(after), i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .map_err(sql(&self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, text) = row.map_err(sql(&self.path))?;
            let v = serde_json::from_str(&text).map_err(|e| AuditError::Db {
                path: self.path.clone(),
                what: format!("event {seq} is not JSON: {e}"),
            })?;
            out.push((as_u64(seq), v));
        }
        Ok(out)
    }

    /// Re-checks the whole chain stored here; the head it leads to, or the
    /// first broken event. Every indexed column (each one a query filters
    /// on) must agree with the sealed record, so that an edited column can
    /// neither hide an event from a query nor show one it should not.
    pub fn verify(&self) -> Result<Result<(Head, u64), Broken>, AuditError> {
        let first_seq = self
            .meta("first_seq")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, time, class_uid, activity_id, status_id, severity_id, verdict, actor, subject, prev_hash, hash, record FROM events ORDER BY seq",
            )
            .map_err(sql(&self.path))?;
        let mut rows = stmt.query([]).map_err(sql(&self.path))?;
        let mut head: Option<Head> = None;
        let mut checked = 0;
        while let Some(row) = rows.next().map_err(sql(&self.path))? {
            let seq = as_u64(row.get(0).map_err(sql(&self.path))?);
            let broken = |what: &str| Broken {
                seq,
                what: format!("in the SQLite database: {what}"),
            };
            let text: String = row.get(11).map_err(sql(&self.path))?;
            let Ok(record) = serde_json::from_str::<Value>(&text) else {
                return Ok(Err(broken("the record is not JSON")));
            };
            let prev = head.take().unwrap_or_else(|| Head {
                count: seq.saturating_sub(1),
                hash: record
                    .get("prev_hash")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            });
            if checked == 0 && seq != first_seq {
                return Ok(Err(broken(&format!(
                    "the first stored event is {seq}, not {first_seq}: events were removed"
                ))));
            }
            match chain::check(&prev, &record) {
                Ok(h) => head = Some(h),
                Err(b) => {
                    return Ok(Err(Broken {
                        seq: b.seq,
                        what: format!("in the SQLite database: {}", b.what),
                    }))
                }
            }
            let stored = Columns {
                seq,
                time: as_u64(row.get(1).map_err(sql(&self.path))?),
                class_uid: small(row.get(2).map_err(sql(&self.path))?),
                activity_id: small(row.get(3).map_err(sql(&self.path))?),
                status_id: small(row.get(4).map_err(sql(&self.path))?),
                severity_id: small(row.get(5).map_err(sql(&self.path))?),
                verdict: row.get(6).map_err(sql(&self.path))?,
                actor: row.get(7).map_err(sql(&self.path))?,
                subject: row.get(8).map_err(sql(&self.path))?,
            };
            let prev_hash: String = row.get(9).map_err(sql(&self.path))?;
            let hash: String = row.get(10).map_err(sql(&self.path))?;
            let sealed = Columns::of(&record);
            let differs = sealed.differs_from(&stored);
            let differs = differs.or_else(|| {
                (Some(prev_hash.as_str()) != record.get("prev_hash").and_then(Value::as_str))
                    .then_some("prev_hash")
            });
            let differs = differs.or_else(|| {
                (Some(hash.as_str()) != record.get("hash").and_then(Value::as_str))
                    .then_some("hash")
            });
            if let Some(column) = differs {
                return Ok(Err(broken(&format!(
                    "the indexed column `{column}` disagrees with the sealed record (a column was edited)"
                ))));
            }
            checked += 1;
        }
        Ok(Ok((head.unwrap_or_default(), checked)))
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, AuditError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(sql(&self.path))
    }

    /// Sets a value in the `meta` table.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), AuditError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(drop)
            .map_err(sql(&self.path))
    }

    /// Sets a value in the `meta` table unless it is already set.
    pub fn set_meta_once(&self, key: &str, value: &str) -> Result<(), AuditError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                [key, value],
            )
            .map(drop)
            .map_err(sql(&self.path))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
