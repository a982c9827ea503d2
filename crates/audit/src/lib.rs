//! The audit trail: one OCSF event per action, redacted, sealed into a
//! SHA-256 hash chain, appended to owner-only JSON-lines files that rotate,
//! indexed in `SQLite`, and forwarded to `PostgreSQL` when configured.
//!
//! [`chain`] is pure (canonical JSON, sealing, checking); [`ocsf`] builds
//! events; [`jsonl`] is the file sink, safe for many processes at once (an
//! exclusive lock around read head → append → write head → mirror), with
//! the head (count and last hash) kept beside the log so that a cut tail is
//! found; [`sqlite`] mirrors every record under the same lock, indexed for
//! queries; [`pg`] forwards from `SQLite` to `PostgreSQL`. [`AuditLog`]
//! ties them together and masks every string of an event with a
//! [`Redactor`] before anything is serialised.
//!
//! ```
//! use rampart_audit::{ocsf, AuditLog, Options};
//! let dir = tempfile::tempdir().unwrap();
//! let opts = Options::new(dir.path().join("audit"));
//! let log = AuditLog::open(&opts, Box::new(rampart_audit::NoRedaction)).unwrap();
//! let o = ocsf::Outcome { verdict: "allow".into(), risk: "low".into(), ..Default::default() };
//! let p = ocsf::Process { name: "ls", cmd_line: "ls", cwd: "/w", uid: "1", pid: None };
//! let e = ocsf::process(ocsf::ProcessActivity::Launch, 0, ocsf::Status::Success, &p, &ocsf::actor(1000, "dev"), &o);
//! assert_eq!(log.record(e).unwrap().count, 1);
//! assert!(rampart_audit::verify(&opts.dir).unwrap().is_intact());
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod chain;
pub mod jsonl;
pub mod ocsf;
pub mod pg;
pub mod sqlite;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use chain::{Broken, Head};
pub use jsonl::{AuditError, Trail};
pub use sqlite::{Db, Filter};

/// Masks secrets and PII in text before it becomes part of an event.
pub trait Redactor: Send + Sync {
    /// `text` with every secret masked.
    fn redact(&self, text: &str) -> String;
}

/// For tests and tools that handle events already redacted.
#[derive(Debug, Clone, Copy)]
pub struct NoRedaction;

impl Redactor for NoRedaction {
    fn redact(&self, text: &str) -> String {
        text.to_owned()
    }
}

/// rampart-detect's masking: secrets and personal data.
#[derive(Debug, Clone)]
pub struct Masker(pub rampart_detect::RuleSet);

impl Redactor for Masker {
    fn redact(&self, text: &str) -> String {
        let out = self
            .0
            .redact(text.as_bytes(), rampart_detect::Options { pii: true });
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// Masks every string value in `v` (keys are rampart's own schema).
pub fn redact_value(v: &mut Value, r: &dyn Redactor) {
    match v {
        Value::String(s) => {
            let masked = r.redact(s);
            if masked != *s {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| redact_value(i, r)),
        Value::Object(map) => map.values_mut().for_each(|i| redact_value(i, r)),
        _ => {}
    }
}

/// Where and how to keep the trail.
#[derive(Debug, Clone)]
pub struct Options {
    /// The audit directory (0700).
    pub dir: PathBuf,
    /// Rotate the JSON-lines file at this size.
    pub max_file_mb: u64,
    /// JSON-lines files kept, the current one included.
    pub max_files: u64,
    /// Also keep the `SQLite` index (and buffer for `PostgreSQL`).
    pub sqlite: bool,
    /// fsync every append (otherwise: written to the kernel, which survives
    /// the death of the process; [`AuditLog::sync`] flushes).
    pub durable: bool,
    /// Forward to this server.
    pub postgres: Option<pg::Target>,
}

impl Options {
    /// The defaults of `docs/DESIGN.md` in `dir`: 10 MB × 5 files, `SQLite`,
    /// durable, no `PostgreSQL`.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            max_file_mb: 10,
            max_files: 5,
            sqlite: true,
            durable: true,
            postgres: None,
        }
    }
}

/// The audit trail, open for writing.
pub struct AuditLog {
    trail: Trail,
    db: Option<Db>,
    redactor: Box<dyn Redactor>,
    durable: bool,
    postgres: Option<pg::Target>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("dir", &self.trail.dir())
            .field("sqlite", &self.db.is_some())
            .field("postgres", &self.postgres)
            .finish_non_exhaustive()
    }
}

impl AuditLog {
    /// Opens (creating) the trail; refuses an unsafe directory, and
    /// `PostgreSQL` without `SQLite` (which is its buffer).
    pub fn open(opts: &Options, redactor: Box<dyn Redactor>) -> Result<Self, AuditError> {
        if opts.postgres.is_some() && !opts.sqlite {
            return Err(AuditError::UnsafeDir {
                dir: opts.dir.clone(),
                why: "forwarding to PostgreSQL buffers events in SQLite; set `audit.sqlite = true`"
                    .into(),
            });
        }
        let trail = Trail::open(&opts.dir, opts.max_file_mb, opts.max_files)?;
        let db = if opts.sqlite {
            Some(Db::open(&opts.dir, opts.durable)?)
        } else {
            None
        };
        Ok(Self {
            trail,
            db,
            redactor,
            durable: opts.durable,
            postgres: opts.postgres.clone(),
        })
    }

    /// Redacts, seals and stores one event; returns the new head.
    pub fn record(&self, event: Value) -> Result<Head, AuditError> {
        self.record_all(vec![event])
    }

    /// Redacts, seals and stores `events` in order, under one lock, one
    /// fsync and one `SQLite` transaction.
    pub fn record_all(&self, mut events: Vec<Value>) -> Result<Head, AuditError> {
        for e in &mut events {
            redact_value(e, self.redactor.as_ref());
        }
        let dir = self.trail.dir().to_path_buf();
        self.trail
            .append_all(events, self.durable, |records| match &self.db {
                Some(db) => db.insert(&dir, records).map(|()| true),
                None => Ok(false),
            })
    }

    /// Flushes appends made without `durable` to the disk.
    pub fn sync(&self) -> Result<(), AuditError> {
        self.trail.sync()
    }

    /// Whether events are forwarded to `PostgreSQL`.
    pub fn forwarding(&self) -> Option<&pg::Target> {
        self.postgres.as_ref()
    }

    /// One forward pass to `PostgreSQL` (see [`pg::forward`]); `None`
    /// when not configured.
    pub fn forward(&self, force: bool) -> Option<Result<pg::Forwarded, AuditError>> {
        let (db, target) = (self.db.as_ref()?, self.postgres.as_ref()?);
        Some(chain_id(db).and_then(|id| pg::forward(db, target, &id, force)))
    }

    /// Forwards with retries until `deadline`; `None` when not configured.
    pub fn forward_until(&self, deadline: std::time::Instant) -> Option<Result<u64, AuditError>> {
        let (db, target) = (self.db.as_ref()?, self.postgres.as_ref()?);
        Some(chain_id(db).and_then(|id| pg::forward_until(db, target, &id, deadline)))
    }

    /// The `SQLite` store, when kept.
    pub fn db(&self) -> Option<&Db> {
        self.db.as_ref()
    }
}

/// Now, in ms since the epoch (OCSF `time`).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// This trail's identity in a shared `PostgreSQL` (random, made once).
pub fn chain_id(db: &Db) -> Result<String, AuditError> {
    if let Some(id) = db.meta("chain_id")? {
        return Ok(id);
    }
    let mut bytes = [0u8; 16];
    let path = Path::new("/dev/urandom");
    std::io::Read::read_exact(
        &mut std::fs::File::open(path).map_err(|e| AuditError::Io {
            path: path.into(),
            source: e,
        })?,
        &mut bytes,
    )
    .map_err(|e| AuditError::Io {
        path: path.into(),
        source: e,
    })?;
    let id = bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    db.set_meta_once("chain_id", &id)?;
    // Another process may have won the race: read back what is stored.
    Ok(db.meta("chain_id")?.unwrap_or(id))
}

/// `2h` (that long ago) or an RFC 3339 time, as ms since the epoch.
pub fn parse_time(text: &str) -> Result<u64, ParseTimeError> {
    if let Ok(d) = humantime::parse_duration(text) {
        let ago = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        return Ok(now_ms().saturating_sub(ago));
    }
    humantime::parse_rfc3339_weak(text)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .ok_or_else(|| ParseTimeError(text.to_owned()))
}

/// A time given on the command line that is neither a duration nor a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is neither a duration (`90s`, `15m`, `2h`, `7d`) nor a time (`2026-11-22T10:00:00Z`)"
)]
pub struct ParseTimeError(pub String);

/// The records `filter` selects, oldest first: from `SQLite` when it
/// exists, else from the JSON-lines files.
pub fn query(dir: &Path, filter: &Filter) -> Result<Vec<Value>, AuditError> {
    if let Some(db) = Db::open_read(dir)? {
        return db.query(filter);
    }
    let mut out: Vec<Value> = jsonl::records_from(dir, filter.after_seq.map_or(0, |s| s + 1))?
        .into_iter()
        .filter(|r| filter.matches(r))
        .collect();
    if let Some(n) = filter.last {
        let cut = out.len().saturating_sub(n);
        out.drain(..cut);
    }
    Ok(out)
}

/// What `verify` found, across the JSON-lines files and the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The JSON-lines chain.
    pub jsonl: Result<jsonl::Verified, Broken>,
    /// The `SQLite` chain (`None`: no database): its head and events
    /// checked.
    pub sqlite: Option<Result<(Head, u64), Broken>>,
    /// Where the two disagree.
    pub mismatch: Option<String>,
    /// Worth saying, not tampering (the database a few events behind the
    /// log after a writer was killed).
    pub notes: Vec<String>,
}

impl Report {
    /// Nothing broken anywhere.
    pub fn is_intact(&self) -> bool {
        self.jsonl.is_ok() && !matches!(self.sqlite, Some(Err(_))) && self.mismatch.is_none()
    }

    /// The first problem, for humans.
    pub fn first_problem(&self) -> Option<String> {
        if let Err(b) = &self.jsonl {
            return Some(b.to_string());
        }
        if let Some(Err(b)) = &self.sqlite {
            return Some(b.to_string());
        }
        self.mismatch.clone()
    }
}

/// Checks the whole trail: every JSON-lines record from the oldest kept
/// file to the head, every `SQLite` record from the first, and that both
/// end at the same event with the same hash.
pub fn verify(dir: &Path) -> Result<Report, AuditError> {
    let jsonl = jsonl::verify(dir)?;
    let sqlite = match Db::open_read(dir)? {
        Some(db) => Some(db.verify()?),
        None => None,
    };
    let mut notes = Vec::new();
    let mirrored = jsonl.as_ref().ok().and_then(|j| j.db_count);
    let mismatch = match (&jsonl, &sqlite) {
        // The head file says the database held events: it was deleted.
        (Ok(_), None) if mirrored.is_some_and(|n| n > 0) => Some(format!(
            "event 1: the head file says the SQLite database held events up to {} but `{}` is missing (it was deleted)",
            mirrored.unwrap_or(0),
            dir.join(sqlite::DB).display()
        )),
        // The database lost its newest rows: a writer commits them
        // before it writes the head, so it is never behind the head.
        (Ok(_), Some(Ok((h, _)))) if mirrored.is_some_and(|n| h.count < n) => Some(format!(
            "event {}: the SQLite database ends at event {} but held events up to {} when the head was written (its newest rows were deleted)",
            h.count + 1,
            h.count,
            mirrored.unwrap_or(0)
        )),
        (Ok(j), Some(Ok((h, _)))) if h.count > 0 || j.head.count > 0 => {
            if h.count > j.head.count {
                Some(format!(
                    "event {}: the SQLite database has events up to {} but the JSON-lines trail ends at {}",
                    j.head.count + 1,
                    h.count,
                    j.head.count
                ))
            } else if h.count == j.head.count && h.hash != j.head.hash {
                Some(format!(
                    "event {}: the SQLite database and the JSON-lines trail end with different events",
                    h.count
                ))
            } else if h.count < j.head.count {
                // Behind: writers killed between their log append and
                // their database commit. Fine if the database's last event
                // is the log's event of that number.
                let at = jsonl::records_from(dir, h.count)?
                    .into_iter()
                    .find(|r| r.get("seq").and_then(Value::as_u64) == Some(h.count));
                match at {
                    Some(r) if r.get("hash").and_then(Value::as_str) != Some(h.hash.as_str()) => {
                        Some(format!(
                            "event {}: the SQLite database and the JSON-lines trail hold different events",
                            h.count
                        ))
                    }
                    _ => {
                        notes.push(format!(
                            "the SQLite database ends at event {}, the JSON-lines trail at {}: writers were killed before their database commit; the next append copies the rest",
                            h.count, j.head.count
                        ));
                        None
                    }
                }
            } else {
                None
            }
        }
        _ => None,
    };
    Ok(Report {
        jsonl,
        sqlite,
        mismatch,
        notes,
    })
}

/// How the local trail compares with the copy forwarded to `PostgreSQL`
/// (the off-host anchor a same-uid attacker cannot roll back when the
/// forwarding role may only insert and select).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteReport {
    /// The chain compared.
    pub chain_id: String,
    /// Events the server holds for this chain.
    pub remote_events: u64,
    /// Events held locally (`SQLite`, else the JSON-lines files).
    pub local_events: u64,
    /// On the server, not here (deleted or cut locally), first ones.
    pub missing_locally: Vec<u64>,
    /// Here, inside the range the server holds, but not on the server.
    pub extra_locally: Vec<u64>,
    /// Here and on the server with different hashes (rewritten locally).
    pub different: Vec<u64>,
    /// Newer than anything on the server: not forwarded yet.
    pub not_forwarded: u64,
    /// How many of each list there are (the lists keep the first 20).
    pub counts: (u64, u64, u64),
}

impl RemoteReport {
    /// The local trail holds exactly what the server holds (and maybe
    /// newer events not forwarded yet).
    pub fn agrees(&self) -> bool {
        self.counts == (0, 0, 0)
    }

    /// The first difference, for humans.
    pub fn first_problem(&self) -> Option<String> {
        let list = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        if let Some(first) = self.missing_locally.first() {
            return Some(format!(
                "event {first}: {} event(s) forwarded to PostgreSQL are missing from the local trail ({})",
                self.counts.0,
                list(&self.missing_locally)
            ));
        }
        if let Some(first) = self.different.first() {
            return Some(format!(
                "event {first}: {} event(s) differ from the copy in PostgreSQL ({})",
                self.counts.2,
                list(&self.different)
            ));
        }
        self.extra_locally.first().map(|first| {
            format!(
                "event {first}: {} local event(s) are not in PostgreSQL although later ones are ({})",
                self.counts.1,
                list(&self.extra_locally)
            )
        })
    }
}

/// Compares the local trail in `dir` with the server's copy of its chain.
/// The chain id comes from `chain_id` when given (noted down earlier, say
/// from `verify --json`), else from the local database.
pub fn verify_remote(
    dir: &Path,
    target: &pg::Target,
    chain_id: Option<&str>,
) -> Result<RemoteReport, AuditError> {
    const KEEP: usize = 20;
    let db = Db::open_read(dir)?;
    let chain_id = match (chain_id, &db) {
        (Some(id), _) => id.to_owned(),
        (None, Some(db)) => db.meta("chain_id")?.ok_or_else(|| AuditError::Db {
            path: db.path().to_path_buf(),
            what: "no chain id: nothing was ever forwarded from here; pass `--chain-id`".into(),
        })?,
        (None, None) => {
            return Err(AuditError::Db {
                path: dir.join(sqlite::DB),
                what: "missing, so the chain id is unknown; pass `--chain-id` (shown by `rampart audit verify --json`)".into(),
            })
        }
    };
    let local: Vec<Value> = match &db {
        Some(db) => db
            .after(0, usize::MAX)?
            .into_iter()
            .map(|(_, r)| r)
            .collect(),
        None => jsonl::records_from(dir, 0)?,
    };
    let local: std::collections::BTreeMap<u64, String> = local
        .iter()
        .filter_map(|r| Some((r.get("seq")?.as_u64()?, r.get("hash")?.as_str()?.to_owned())))
        .collect();
    let remote = pg::remote_chain(target, &chain_id)?;
    let remote_max = remote.last().map_or(0, |r| r.0);
    let remote_map: std::collections::BTreeMap<u64, &str> =
        remote.iter().map(|(s, h)| (*s, h.as_str())).collect();
    let mut r = RemoteReport {
        chain_id,
        remote_events: remote.len() as u64,
        local_events: local.len() as u64,
        ..RemoteReport::default()
    };
    let push = |v: &mut Vec<u64>, n: &mut u64, seq: u64| {
        *n += 1;
        if v.len() < KEEP {
            v.push(seq);
        }
    };
    for (seq, hash) in &remote {
        match local.get(seq) {
            None => push(&mut r.missing_locally, &mut r.counts.0, *seq),
            Some(h) if h != hash => push(&mut r.different, &mut r.counts.2, *seq),
            Some(_) => {}
        }
    }
    for seq in local.keys() {
        if *seq > remote_max {
            r.not_forwarded += 1;
        } else if !remote_map.contains_key(seq) {
            push(&mut r.extra_locally, &mut r.counts.1, *seq);
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests;
