//! The staged files and the history, read through the `git` program.
//!
//! Git is only asked for machine formats: `--raw -z` lists (fields split by
//! NUL, paths never quoted) and `cat-file --batch` for the contents of
//! blobs (a header with the exact size, then the bytes). No path and no
//! line of content can be taken for structure, whatever it holds. A blob
//! is scanned whole, so findings carry their real line in that version of
//! the file; a commit is credited with a finding when the secret is in the
//! file's new version and in none of its old ones (the parents' versions,
//! or the source of a rename).
//!
//! Git runs without the repository's means of running commands on a read:
//! no external diff, no textconv, no fsmonitor, no pager, no signature
//! check, no lazy fetch, and replace refs ignored (the real objects are
//! scanned).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::ffi::OsStringExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::rc::Rc;

use crate::{Commits, Finding, Progress, Report, ScanError, Scanner, MAX_FILE};

/// The mode of a submodule entry: its "blob" is a commit elsewhere.
const GITLINK: &str = "160000";
/// How many scanned blobs are remembered (a commit's old version is
/// usually the next older commit's new one).
const CACHE: usize = 4096;

/// `git` with the configuration that could run commands or hide objects
/// overridden, in `dir`.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args([
            "--no-pager",
            "--no-replace-objects",
            "-c",
            "core.quotePath=false",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "log.showSignature=false",
            "-c",
            "log.follow=false",
            "-c",
            "diff.external=",
        ])
        .env_remove("GIT_EXTERNAL_DIFF")
        .env_remove("GIT_PAGER")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_NO_LAZY_FETCH", "1")
        .stdin(Stdio::null());
    c
}

fn require_repository(dir: &Path) -> Result<(), ScanError> {
    let ok = git(dir)
        .args(["rev-parse", "--git-dir"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(ScanError::NotARepository)
    }
}

/// The top of the work tree that holds `dir`, if any.
pub(crate) fn toplevel(dir: &Path) -> Option<PathBuf> {
    let o = git(dir)
        .args(["rev-parse", "--show-toplevel"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(o.stdout).ok()?;
    let top = text.strip_suffix('\n').unwrap_or(&text);
    (o.status.success() && !top.is_empty()).then(|| PathBuf::from(top))
}

fn has_head(dir: &Path) -> bool {
    git(dir)
        .args(["rev-parse", "--verify", "-q", "HEAD^{commit}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// One entry of `--raw` output (`:mode.. oid.. status`, one mode and one
/// oid per parent then the result's; `-c` merges have one colon per
/// parent).
struct RawEntry {
    old_modes: Vec<String>,
    new_mode: String,
    old_oids: Vec<String>,
    new_oid: String,
    /// Path fields that follow: two for a rename or copy.
    paths: usize,
}

impl RawEntry {
    fn parse(field: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(field).ok()?;
        let parents = text.bytes().take_while(|b| *b == b':').count();
        if parents == 0 {
            return None;
        }
        let rest = text.get(parents..)?;
        let parts: Vec<&str> = rest.split(' ').collect();
        if parts.len() != 2 * (parents + 1) + 1 {
            return None;
        }
        let owned = |s: &[&str]| s.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
        let status = parts.get(2 * parents + 2)?;
        let paths = if parents == 1 && (status.starts_with('R') || status.starts_with('C')) {
            2
        } else {
            1
        };
        Some(Self {
            old_modes: owned(parts.get(..parents)?),
            new_mode: (*parts.get(parents)?).to_owned(),
            old_oids: owned(parts.get(parents + 1..2 * parents + 1)?),
            new_oid: (*parts.get(2 * parents + 1)?).to_owned(),
            paths,
        })
    }
}

fn is_null(oid: &str) -> bool {
    oid.bytes().all(|b| b == b'0')
}

/// What `cat-file --batch` answered for one object.
enum Blob {
    Data(Vec<u8>),
    TooBig(u64),
    Missing,
}

/// One `git cat-file --batch` for a whole scan.
struct CatFile {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl CatFile {
    fn spawn(dir: &Path) -> Result<Self, ScanError> {
        let mut child = git(dir)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| ScanError::Git(format!("cannot run git: {e}")))?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| ScanError::Git("`git cat-file` gave no output".into()))?;
        Ok(Self {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    fn read(&mut self, oid: &str) -> Result<Blob, ScanError> {
        let broken = |e: std::io::Error| ScanError::Git(format!("`git cat-file --batch`: {e}"));
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| ScanError::Git("`git cat-file --batch` is closed".into()))?;
        stdin
            .write_all(format!("{oid}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(broken)?;
        let mut header = Vec::new();
        self.stdout.read_until(b'\n', &mut header).map_err(broken)?;
        let header = String::from_utf8_lossy(&header).trim_end().to_owned();
        let mut fields = header.split(' ');
        let (Some(_), Some(kind), size) = (fields.next(), fields.next(), fields.next()) else {
            return Err(ScanError::Git(format!(
                "`git cat-file --batch` answered `{header}` for `{oid}`"
            )));
        };
        if kind == "missing" || kind == "ambiguous" {
            return Ok(Blob::Missing);
        }
        let size: u64 = size.and_then(|s| s.parse().ok()).ok_or_else(|| {
            ScanError::Git(format!(
                "`git cat-file --batch` answered `{header}` for `{oid}`"
            ))
        })?;
        // The contents and one newline follow.
        if size > MAX_FILE || kind != "blob" {
            let skipped =
                std::io::copy(&mut (&mut self.stdout).take(size + 1), &mut std::io::sink())
                    .map_err(broken)?;
            if skipped != size + 1 {
                return Err(broken(std::io::ErrorKind::UnexpectedEof.into()));
            }
            return Ok(if kind == "blob" {
                Blob::TooBig(size)
            } else {
                Blob::Missing
            });
        }
        let len =
            usize::try_from(size).map_err(|_| broken(std::io::ErrorKind::InvalidData.into()))?;
        let mut data = vec![0; len + 1];
        self.stdout.read_exact(&mut data).map_err(broken)?;
        data.truncate(len);
        Ok(Blob::Data(data))
    }

    fn finish(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// Blob scans by object id, so that each version is read once.
struct Blobs<'a> {
    scanner: &'a Scanner,
    cat: CatFile,
    seen: HashMap<String, Rc<Vec<Finding>>>,
}

impl Blobs<'_> {
    /// The findings in `oid` (paths left empty), and the bytes read the
    /// first time.
    fn scan(
        &mut self,
        oid: &str,
        path: &Path,
        progress: &dyn Progress,
    ) -> Result<(Rc<Vec<Finding>>, u64), ScanError> {
        if let Some(found) = self.seen.get(oid) {
            return Ok((Rc::clone(found), 0));
        }
        let mut found = Vec::new();
        let bytes = match self.cat.read(oid)? {
            Blob::Data(data) => self.scanner.bytes(Path::new(""), &data, &mut found),
            Blob::TooBig(size) => {
                progress.warn(&format!(
                    "skipped `{}` (blob {oid}): {} MB is over the {} MB limit for one file",
                    path.display(),
                    size / (1024 * 1024),
                    MAX_FILE / (1024 * 1024)
                ));
                0
            }
            Blob::Missing => {
                progress.warn(&format!(
                    "skipped `{}`: blob {oid} is not in this clone (shallow or partial)",
                    path.display()
                ));
                0
            }
        };
        progress.scanned(bytes);
        if self.seen.len() >= CACHE {
            self.seen.clear();
        }
        let found = Rc::new(found);
        self.seen.insert(oid.to_owned(), Rc::clone(&found));
        Ok((found, bytes))
    }

    /// The findings of `entry`'s new version that none of its old versions
    /// holds, placed at `path` in `commit`.
    fn added(
        &mut self,
        entry: &RawEntry,
        path: &Path,
        commit: Option<&str>,
        progress: &dyn Progress,
        report: &mut Report,
    ) -> Result<(), ScanError> {
        if is_null(&entry.new_oid) || entry.new_mode == GITLINK || self.scanner.excluded(path) {
            return Ok(());
        }
        let (new, bytes) = self.scan(&entry.new_oid, path, progress)?;
        report.bytes += bytes;
        if commit.is_none() {
            report.files += 1;
        }
        if new.is_empty() {
            return Ok(());
        }
        let mut old: HashSet<String> = HashSet::new();
        // Staged files (no commit) are reported whole.
        let olds = if commit.is_some() {
            entry.old_oids.as_slice()
        } else {
            &[]
        };
        for (oid, mode) in olds.iter().zip(&entry.old_modes) {
            if !is_null(oid) && mode != GITLINK {
                let (found, _) = self.scan(oid, path, progress)?;
                old.extend(found.iter().map(|f| f.fingerprint.clone()));
            }
        }
        for f in new.iter().filter(|f| !old.contains(&f.fingerprint)) {
            let mut f = f.clone();
            path.clone_into(&mut f.path);
            f.commit = commit.map(str::to_owned);
            report.findings.push(f);
        }
        Ok(())
    }
}

/// Reads NUL-separated fields of `--raw -z` output and scans each entry;
/// `commit ` fields (history) name the commit the entries that follow
/// belong to.
fn scan_raw(
    scanner: &Scanner,
    raw: impl Read,
    progress: &dyn Progress,
) -> Result<Report, ScanError> {
    let mut blobs = Blobs {
        scanner,
        cat: CatFile::spawn(&scanner.base)?,
        seen: HashMap::new(),
    };
    let mut report = Report::default();
    let mut commit: Option<String> = None;
    let mut fields = BufReader::new(raw).split(0);
    let bad = |what: &[u8]| {
        ScanError::Git(format!(
            "unexpected `git` output `{}`",
            String::from_utf8_lossy(what)
        ))
    };
    let result = (|| {
        while let Some(field) = fields.next() {
            let field = field.map_err(|e| ScanError::Git(format!("reading git: {e}")))?;
            // The format line starts a record; it may follow a newline.
            let head = field.strip_prefix(b"\n").unwrap_or(&field);
            if head.is_empty() {
                continue;
            }
            if let Some(sha) = head.strip_prefix(b"commit ") {
                commit = Some(String::from_utf8_lossy(sha).into_owned());
                report.files += 1;
                continue;
            }
            let entry = RawEntry::parse(head).ok_or_else(|| bad(head))?;
            let mut path = Vec::new();
            for _ in 0..entry.paths {
                path = fields
                    .next()
                    .ok_or_else(|| bad(head))?
                    .map_err(|e| ScanError::Git(format!("reading git: {e}")))?;
            }
            let path = PathBuf::from(std::ffi::OsString::from_vec(path));
            blobs.added(&entry, &path, commit.as_deref(), progress, &mut report)?;
        }
        Ok(())
    })();
    blobs.cat.finish();
    result.map(|()| report)
}

/// The staged version of every added, copied, modified or renamed file.
pub(crate) fn staged(scanner: &Scanner, progress: &dyn Progress) -> Result<Report, ScanError> {
    require_repository(&scanner.base)?;
    let o = git(&scanner.base)
        .args([
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--diff-filter=ACMRT",
        ])
        .output()
        .map_err(|e| ScanError::Git(format!("cannot run git: {e}")))?;
    if !o.status.success() {
        return Err(ScanError::Git(format!(
            "`git diff --cached` failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )));
    }
    let mut report = scan_raw(scanner, o.stdout.as_slice(), progress)?;
    // The whole staged file is the subject, not what it adds.
    report.findings.sort_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then(a.line.cmp(&b.line))
            .then(a.column.cmp(&b.column))
    });
    Ok(report)
}

/// What each commit of `commits` added; findings in log order.
pub(crate) fn history(
    scanner: &Scanner,
    commits: &Commits,
    progress: &dyn Progress,
) -> Result<Report, ScanError> {
    require_repository(&scanner.base)?;
    if commits.is_default() && !has_head(&scanner.base) {
        // A repository without commits has no history to scan.
        return Ok(Report::default());
    }
    let mut child = git(&scanner.base)
        .args([
            "log",
            "--raw",
            "-z",
            "-c",
            "-M",
            "--root",
            "--no-abbrev",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--format=%x00commit %H",
        ])
        .args(commits.git_args())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ScanError::Git(format!("cannot run git: {e}")))?;
    let stderr = child.stderr.take();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut e) = stderr {
            let _ = e.read_to_string(&mut text);
        }
        text
    });
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| ScanError::Git("`git log` gave no output".into()))?;
    let scanned = scan_raw(scanner, stdout, progress);
    if scanned.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| ScanError::Git(e.to_string()))?;
    let err = errors.join().unwrap_or_default();
    let report = scanned?;
    if !status.success() {
        return Err(ScanError::Git(format!("`git log` failed: {}", err.trim())));
    }
    Ok(report)
}
