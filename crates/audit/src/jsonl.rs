//! The JSON-lines trail: `audit.jsonl` and its rotations
//! (`audit.jsonl.1` newest … `audit.jsonl.{max_files-1}` oldest), the head
//! (`audit.head`: count, last hash, first kept sequence number, size of the
//! current file) and a lock file. Directory 0700, files 0600 whatever the
//! umask, every open with `O_NOFOLLOW`.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg, OFlag};
use serde_json::{json, Value};

use crate::chain::{self, Broken, Head};

const LOG: &str = "audit.jsonl";
const HEAD: &str = "audit.head";
const LOCK: &str = "audit.lock";

/// Why the trail cannot be written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The directory is not safe to write to.
    #[error("audit directory `{dir}`: {why}")]
    UnsafeDir {
        /// The directory.
        dir: PathBuf,
        /// What is wrong, and the fix.
        why: String,
    },
    /// An I/O error on a file.
    #[error("audit file `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The `SQLite` database failed.
    #[error("audit database `{path}`: {what}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// What went wrong.
        what: String,
    },
    /// `PostgreSQL` failed (the URL shown has no password).
    #[error("PostgreSQL audit store {url}: {what}")]
    Postgres {
        /// The server, without its password.
        url: String,
        /// What went wrong.
        what: String,
    },
    /// The head file is unreadable.
    #[error("audit head `{0}` is damaged; run `rampart audit verify`")]
    Head(PathBuf),
    /// The head file is gone while the trail holds events: it was deleted
    /// (rampart writes it before the first event). Nothing is appended, so
    /// that the evidence stays as it is.
    #[error("audit head `{0}` is missing but the trail holds events (it was deleted); run `rampart audit verify`, keep the directory as evidence and start a new one")]
    HeadMissing(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The head as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    head: Head,
    first_seq: u64,
    size: u64,
    /// How many events the `SQLite` mirror had committed when the head was
    /// last written (`None`: no mirror): the database may be ahead of
    /// this, never behind it.
    db_count: Option<u64>,
}

impl Default for Stored {
    fn default() -> Self {
        Self {
            head: Head::default(),
            first_seq: 1,
            size: 0,
            db_count: None,
        }
    }
}

/// An open trail.
#[derive(Debug, Clone)]
pub struct Trail {
    dir: PathBuf,
    max_bytes: u64,
    max_files: u64,
}

pub(crate) fn open_private(path: &Path, append: bool) -> Result<File, AuditError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .append(append)
        .create(true)
        .mode(0o600)
        .custom_flags(OFlag::O_NOFOLLOW.bits() | OFlag::O_CLOEXEC.bits())
        .open(path)
        .map_err(io(path))
}

fn open_read(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(OFlag::O_NOFOLLOW.bits() | OFlag::O_CLOEXEC.bits())
        .open(path)
}

impl Trail {
    /// Opens (creating, 0700) the trail in `dir`; refuses a directory owned
    /// by someone else or open to group or others.
    pub fn open(dir: &Path, max_file_mb: u64, max_files: u64) -> Result<Self, AuditError> {
        let unsafe_dir = |why: String| AuditError::UnsafeDir {
            dir: dir.to_path_buf(),
            why,
        };
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io(dir))?;
        let meta = std::fs::symlink_metadata(dir).map_err(io(dir))?;
        if meta.file_type().is_symlink() || !meta.is_dir() {
            return Err(unsafe_dir("is not a directory (a symlink?)".into()));
        }
        let uid = nix::unistd::Uid::effective().as_raw();
        if meta.uid() != uid {
            return Err(unsafe_dir(format!(
                "owned by uid {}, not by you (uid {uid}); use a directory of your own",
                meta.uid()
            )));
        }
        if meta.mode() & 0o077 != 0 {
            return Err(unsafe_dir(format!(
                "mode {:o} lets others in; run `chmod 700 {}`",
                meta.mode() & 0o777,
                dir.display()
            )));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            max_bytes: max_file_mb.max(1) * 1024 * 1024,
            max_files: max_files.max(1),
        })
    }

    /// For tests: rotate at `bytes` rather than whole megabytes.
    #[cfg(test)]
    fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn rotated(&self, n: u64) -> PathBuf {
        self.dir.join(format!("{LOG}.{n}"))
    }

    fn write_head(&self, s: &Stored, sync: bool) -> Result<(), AuditError> {
        let tmp = self.path("audit.head.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut f = open_private(&tmp, false)?;
        let mut v = json!({
            "count": s.head.count, "hash": s.head.hash, "first_seq": s.first_seq, "size": s.size,
        });
        if let Some(n) = s.db_count {
            v["db_count"] = n.into();
        }
        let text = v.to_string();
        f.write_all(text.as_bytes())
            .and_then(|()| if sync { f.sync_data() } else { Ok(()) })
            .map_err(io(&tmp))?;
        std::fs::rename(&tmp, self.path(HEAD)).map_err(io(&tmp))
    }

    /// Seals `event` onto the chain and appends it durably (fsync before
    /// returning); returns the new head. Safe with many processes
    /// appending at once.
    pub fn append(&self, event: Value) -> Result<Head, AuditError> {
        self.append_all(vec![event], true, |_| Ok(false))
    }

    /// Seals `events` in order and appends them under one lock. With
    /// `sync`, the data reaches the disk before this returns; without, it
    /// is in the kernel (it survives the death of this process, not a
    /// power cut) until [`Trail::sync`]. `mirror` is handed the sealed
    /// records while the lock is still held, so that another store (the
    /// `SQLite` index) sees them in the same order, before the head is
    /// written (it answers whether it mirrored them: the head then records
    /// how far the mirror goes); if it fails, the records stay in the log
    /// and the error is returned.
    pub fn append_all(
        &self,
        events: Vec<Value>,
        sync: bool,
        mirror: impl FnOnce(&[Value]) -> Result<bool, AuditError>,
    ) -> Result<Head, AuditError> {
        let lock_path = self.path(LOCK);
        let lock = open_private(&lock_path, false)?;
        let _guard = Flock::lock(lock, FlockArg::LockExclusive)
            .map_err(|(_, e)| io(&lock_path)(std::io::Error::from(e)))?;
        let mut stored = match read_head_opt(&self.dir)? {
            Some(s) => s,
            None if existing_files(&self.dir).is_empty() => {
                // A new trail: the head exists before the first event, so
                // that a missing head always means a deleted one.
                let s = Stored::default();
                self.write_head(&s, true)?;
                s
            }
            None => return Err(AuditError::HeadMissing(self.path(HEAD))),
        };
        let log = self.path(LOG);
        let mut file = open_private(&log, true)?;
        let len = file.metadata().map_err(io(&log))?.len();
        if len != stored.size {
            self.recover(&mut file, &mut stored, len)?;
        }
        let mut records = Vec::with_capacity(events.len());
        let mut pending = Vec::new();
        let mut head = stored.head.clone();
        for event in events {
            let (record, next) = chain::seal(&head, event);
            let line = record.to_string();
            let add = line.len() as u64 + 1;
            let size = stored.size + pending.len() as u64;
            if size > 0 && size + add > self.max_bytes {
                write_out(&mut file, &log, &pending, sync)?;
                stored.size += pending.len() as u64;
                stored.head = head.clone();
                pending.clear();
                drop(file);
                self.rotate(&mut stored, sync)?;
                file = open_private(&log, true)?;
            }
            pending.extend_from_slice(line.as_bytes());
            pending.push(b'\n');
            records.push(record);
            head = next;
        }
        write_out(&mut file, &log, &pending, sync)?;
        stored.size += pending.len() as u64;
        stored.head = head.clone();
        let mirrored = mirror(&records);
        if let Ok(true) = mirrored {
            stored.db_count = Some(head.count);
        }
        self.write_head(&stored, sync)?;
        mirrored?;
        Ok(head)
    }

    /// Flushes what [`Trail::append_all`] wrote without `sync` to the disk.
    pub fn sync(&self) -> Result<(), AuditError> {
        let log = self.path(LOG);
        match open_read(&log) {
            Ok(f) => f.sync_data().map_err(io(&log)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&log)(e)),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The log is longer than the head says: a writer died between its
    /// append and its head update (adopt the complete record that chains
    /// on), or in the middle of its append (cut the torn line off).
    fn recover(&self, file: &mut File, stored: &mut Stored, len: u64) -> Result<(), AuditError> {
        let log = self.path(LOG);
        if len < stored.size {
            // A writer died after rotating the log and before writing the
            // head: the newest rotated file is exactly what the head
            // describes, and the new file is empty.
            let rotated_len = std::fs::symlink_metadata(self.rotated(1)).map(|m| m.len());
            if len == 0 && rotated_len.is_ok_and(|l| l == stored.size) {
                stored.size = 0;
                return Ok(());
            }
            return Err(AuditError::Head(self.path(HEAD)));
        }
        let mut tail = Vec::new();
        file.seek(SeekFrom::Start(stored.size))
            .and_then(|_| file.read_to_end(&mut tail))
            .map_err(io(&log))?;
        let mut keep = stored.size;
        for line in tail.split_inclusive(|b| *b == b'\n') {
            if !line.ends_with(b"\n") {
                break;
            }
            let Ok(record) = serde_json::from_slice::<Value>(line) else {
                break;
            };
            let Ok(head) = chain::check(&stored.head, &record) else {
                break;
            };
            stored.head = head;
            keep += line.len() as u64;
        }
        file.set_len(keep).map_err(io(&log))?;
        stored.size = keep;
        Ok(())
    }

    /// Rotates the log. The head learns the new oldest event before any
    /// file goes, so a writer killed half-way leaves a trail that still
    /// verifies (an older file left behind is noted, not an error) and
    /// that the next append finishes.
    fn rotate(&self, stored: &mut Stored, sync: bool) -> Result<(), AuditError> {
        let keep = self.max_files - 1;
        let log = self.path(LOG);
        let survivors: Vec<PathBuf> = existing_files(&self.dir)
            .into_iter()
            .filter(|f| *f == log || rotation_number(f).is_some_and(|n| n < keep))
            .collect();
        stored.first_seq = survivors
            .first()
            .filter(|_| keep > 0)
            .and_then(|f| first_seq(f))
            .unwrap_or(stored.head.count + 1);
        self.write_head(stored, sync)?;
        if keep == 0 {
            std::fs::remove_file(&log).map_err(io(&log))?;
        } else {
            for f in existing_files(&self.dir) {
                if rotation_number(&f).is_some_and(|n| n >= keep) {
                    std::fs::remove_file(&f).map_err(io(&f))?;
                }
            }
            for n in (1..keep).rev() {
                let from = self.rotated(n);
                if from.exists() {
                    std::fs::rename(&from, self.rotated(n + 1)).map_err(io(&from))?;
                }
            }
            std::fs::rename(&log, self.rotated(1)).map_err(io(&log))?;
        }
        stored.size = 0;
        self.write_head(stored, sync)
    }
}

fn rotation_number(path: &Path) -> Option<u64> {
    path.file_name()?
        .to_str()?
        .strip_prefix(&format!("{LOG}."))?
        .parse()
        .ok()
}

fn write_out(file: &mut File, path: &Path, bytes: &[u8], sync: bool) -> Result<(), AuditError> {
    file.write_all(bytes)
        .and_then(|()| if sync { file.sync_data() } else { Ok(()) })
        .map_err(io(path))
}

/// Every kept record with `seq >= from`, oldest first (for the stores that
/// mirror the log, and for reading when there is no `SQLite` index). A
/// torn last line is skipped.
pub fn records_from(dir: &Path, from: u64) -> Result<Vec<Value>, AuditError> {
    let mut out = Vec::new();
    for path in existing_files(dir) {
        let f = open_read(&path).map_err(io(&path))?;
        for line in BufReader::new(f).split(b'\n') {
            let line = line.map_err(io(&path))?;
            let Ok(record) = serde_json::from_slice::<Value>(&line) else {
                continue;
            };
            if record
                .get("seq")
                .and_then(Value::as_u64)
                .is_some_and(|s| s >= from)
            {
                out.push(record);
            }
        }
    }
    Ok(out)
}

/// The head file, `None` when there is none.
fn read_head_opt(dir: &Path) -> Result<Option<Stored>, AuditError> {
    let path = dir.join(HEAD);
    let mut text = String::new();
    match open_read(&path) {
        Ok(mut f) => {
            f.read_to_string(&mut text).map_err(io(&path))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&path)(e)),
    }
    let v: Value = serde_json::from_str(&text).map_err(|_| AuditError::Head(path.clone()))?;
    let num = |k: &str| v.get(k).and_then(Value::as_u64);
    match (
        num("count"),
        v.get("hash").and_then(Value::as_str),
        num("first_seq"),
        num("size"),
    ) {
        (Some(count), Some(hash), Some(first_seq), Some(size)) => Ok(Some(Stored {
            head: Head {
                count,
                hash: hash.to_owned(),
            },
            first_seq,
            size,
            db_count: num("db_count"),
        })),
        _ => Err(AuditError::Head(path)),
    }
}

/// Log files present, oldest first.
fn existing_files(dir: &Path) -> Vec<PathBuf> {
    let mut rotated: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name.strip_prefix(&format!("{LOG}."))?.parse().ok()?;
            Some((n, e.path()))
        })
        .collect();
    rotated.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
    let log = dir.join(LOG);
    if log.exists() {
        out.push(log);
    }
    out
}

fn first_seq(path: &Path) -> Option<u64> {
    let f = open_read(path).ok()?;
    let mut line = String::new();
    BufReader::new(f).read_line(&mut line).ok()?;
    serde_json::from_str::<Value>(&line)
        .ok()?
        .get("seq")?
        .as_u64()
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The head the records lead to.
    pub head: Head,
    /// Events checked.
    pub checked: u64,
    /// Something worth saying that is not tampering (a torn last line from
    /// a writer that was killed).
    pub notes: Vec<String>,
    /// How many events the head file says the `SQLite` mirror had when it
    /// was written (`None`: no mirror, or a trail older than this field).
    pub db_count: Option<u64>,
}

/// Checks every kept record from the oldest file to the head: a changed
/// field, an inserted, removed or reordered event, a cut tail and a missing
/// rotated file are each reported at the first event that shows them.
#[expect(
    clippy::too_many_lines,
    reason = "one pass over every file, every case named"
)]
pub fn verify(dir: &Path) -> Result<Result<Verified, Broken>, AuditError> {
    let files = existing_files(dir);
    let stored = match read_head_opt(dir)? {
        Some(s) => s,
        None if files.is_empty() => Stored::default(),
        None => {
            // rampart writes the head before the first event: a trail
            // without one had it deleted (to hide a cut tail).
            return Ok(Err(Broken {
                seq: 1,
                what: format!(
                    "the head file `{}` is missing but the trail holds events: it was deleted (events may have been cut off the end)",
                    dir.join(HEAD).display()
                ),
            }));
        }
    };
    let mut head: Option<Head> = None;
    let mut checked = 0;
    let mut notes = Vec::new();
    // Whether the chain goes through the event the head names.
    let mut passes_head: Option<bool> = None;
    let last_file = files.len().saturating_sub(1);
    for (fi, path) in files.iter().enumerate() {
        let f = open_read(path).map_err(io(path))?;
        let mut reader = BufReader::new(f);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(io(path))?;
            if n == 0 {
                break;
            }
            if !buf.ends_with(b"\n") {
                if fi == last_file {
                    notes.push(format!(
                        "`{}` ends with a torn line ({n} bytes): an event being written when its writer was killed; it was never part of the chain",
                        path.display()
                    ));
                    break;
                }
                return Ok(Err(Broken {
                    seq: head.as_ref().map_or(stored.first_seq, |h| h.count + 1),
                    what: format!("a torn line inside `{}`", path.display()),
                }));
            }
            let Ok(record) = serde_json::from_slice::<Value>(&buf) else {
                return Ok(Err(Broken {
                    seq: head.as_ref().map_or(stored.first_seq, |h| h.count + 1),
                    what: format!("a line of `{}` is not JSON", path.display()),
                }));
            };
            let prev = if let Some(h) = head.take() {
                h
            } else {
                // The first kept record anchors the chain.
                let seq = record.get("seq").and_then(Value::as_u64).unwrap_or(0);
                if seq < stored.first_seq {
                    // A file a rotation was about to delete when its
                    // writer died: older than the anchor, not checked.
                    if !notes.iter().any(|n: &String| n.contains("older than")) {
                        notes.push(format!(
                            "`{}` holds events older than the oldest kept one ({}): a rotation was interrupted; the next one removes it",
                            path.display(),
                            stored.first_seq
                        ));
                    }
                    continue;
                }
                if seq != stored.first_seq {
                    return Ok(Err(Broken {
                        seq: stored.first_seq,
                        what: format!(
                            "the oldest kept event is {seq}, not {}: a log file is missing",
                            stored.first_seq
                        ),
                    }));
                }
                Head {
                    count: seq - 1,
                    hash: record
                        .get("prev_hash")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                }
            };
            if prev.count == stored.head.count {
                passes_head = Some(prev.hash == stored.head.hash);
            }
            match chain::check(&prev, &record) {
                Ok(h) => {
                    if h.count == stored.head.count {
                        passes_head = Some(h.hash == stored.head.hash);
                    }
                    head = Some(h);
                }
                Err(b) => return Ok(Err(b)),
            }
            checked += 1;
        }
    }
    let head = head.unwrap_or_else(|| Head {
        count: stored.first_seq - 1,
        hash: stored.head.hash.clone(),
    });
    if head.count < stored.head.count {
        return Ok(Err(Broken {
            seq: head.count + 1,
            what: format!(
                "the trail ends at event {} but the head says {}: events were cut off the end",
                head.count, stored.head.count
            ),
        }));
    }
    if head.count > stored.head.count && passes_head == Some(true) {
        notes.push(format!(
            "{} event(s) were written but their writer died before updating the head; the next append adopts them",
            head.count - stored.head.count
        ));
    } else if head.count > stored.head.count
        || head.hash != stored.head.hash && head.count == stored.head.count
    {
        return Ok(Err(Broken {
            seq: stored.head.count,
            what: "the trail does not end where the head says (events were replaced)".into(),
        }));
    }
    Ok(Ok(Verified {
        head,
        checked,
        notes,
        db_count: stored.db_count,
    }))
}

#[cfg(test)]
mod tests;
