//! The check after a confined run for what the command left *below* the
//! tops of the places it could write.
//!
//! The protected paths at the top of the workspace and of each writable
//! root are held by mounts or watched (see `protect.rs`). The same files
//! one or many levels down are honoured too, by host programs run in that
//! folder later: `sub/.envrc` when a shell enters `sub`, `sub/.vscode/`
//! when an editor opens it, and, worst, any git directory (`sub/.git`, or a
//! bare repository: a folder with `HEAD`, `objects/` and `refs/`) whose
//! config names a `core.fsmonitor`, which the next `git status` there
//! (a shell prompt runs one on `cd`) executes. A search bounded by depth or
//! by name is talked around (put it deeper, inside `node_modules`, behind
//! 4,096 other folders, or make it bare), so this check has no such bound:
//!
//! - it reads every directory of every writable place, without following
//!   symlinks (what one points at, if the command could write it, lies in
//!   a place this walk reads too);
//! - it tells what changed during the run by the **change time** (ctime)
//!   of each entry, which the kernel sets on every create, rename, link,
//!   write and `chmod`, and which no unprivileged process can set back
//!   (`utimensat` sets the other two times, and moves ctime to now). The
//!   run's start is read from the clock file systems stamp with
//!   (`CLOCK_REALTIME_COARSE`), and the command is only let go once that
//!   clock has moved past it, so nothing the command does carries the
//!   start's stamp and nothing made before it carries a later one;
//! - an agent-config entry (`.envrc`, `.vscode/`, `.cargo/config.toml`,
//!   ... every name protected at the top) that changed is quarantined, the
//!   topmost changed entry in it when it is a folder;
//! - a git directory found by its structure, as git finds one, whose
//!   `config` or `config.worktree` changed and holds a key outside a list
//!   of keys that never name a program (read by git itself, `git config
//!   --list`, so its quoting, continuation lines and case rules cannot be
//!   told apart from ours) has that file quarantined; so has every changed
//!   hook that is not a `*.sample`. A fresh `git init` or `git clone`
//!   passes: its config holds only such keys;
//! - when the walk cannot finish (a directory it cannot read, a path too
//!   long, more than [`MAX_ENTRIES`] entries), it says so, and the run is
//!   reported as not checked rather than clean.
//!
//! What a host program changes in these files while the command runs is
//! indistinguishable from the command's own changes, and is quarantined
//! too (and reported, so it can be put back).

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{protect, Quarantined};

/// A change time, as the file system stamps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp {
    sec: i64,
    nsec: i64,
}

impl Stamp {
    /// Now, by the clock file systems stamp with.
    pub(crate) fn now() -> Self {
        match nix::time::clock_gettime(nix::time::ClockId::CLOCK_REALTIME_COARSE) {
            Ok(t) => Self {
                sec: t.tv_sec(),
                nsec: t.tv_nsec(),
            },
            // Cannot happen on Linux; the epoch makes every entry "changed"
            // (fail closed).
            Err(_) => Self { sec: 0, nsec: 0 },
        }
    }

    /// The start of a run: now by the clock file systems stamp with, or
    /// later when a file created now in one of `dirs` is stamped later
    /// (Linux 6.13+ stamps a file with fine-grained time once its times
    /// were read, and every later stamp is at least that: the "floor" can
    /// be ahead of the coarse clock). A file made before the run then never
    /// looks changed. Probed with an unnamed `O_TMPFILE` file, which adds
    /// no entry to the directory and leaves nothing behind.
    pub(crate) fn start_of_run<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Self {
        use std::os::unix::fs::OpenOptionsExt;
        let mut start = Self::now();
        for dir in dirs {
            let probe = fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_TMPFILE)
                .mode(0o600)
                .open(dir);
            if let Ok(m) = probe.and_then(|f| f.metadata()) {
                start = start.max(Self::of(&m));
            }
        }
        start
    }

    fn of(m: &fs::Metadata) -> Self {
        Self {
            sec: m.ctime(),
            nsec: m.ctime_nsec(),
        }
    }
}

/// Waits until the file-system clock has moved past `started`, so that a
/// change made from now on is stamped later than it (see the module docs).
/// A sandbox takes longer than one clock tick to set up, so this rarely
/// waits at all.
pub(crate) fn wait_past(started: Stamp) {
    for _ in 0..10_000 {
        if Stamp::now() > started {
            return;
        }
        std::thread::sleep(Duration::from_micros(250));
    }
}

/// Whether an entry with metadata `m` changed after `started`. A file
/// system that stamps whole seconds (or two, FAT) stamps nanoseconds 0:
/// those are compared at two-second granularity, so a change in the same
/// two seconds as the start counts as changed.
fn changed(m: &fs::Metadata, started: Stamp) -> bool {
    let stamp = Stamp::of(m);
    if stamp.nsec == 0 {
        return stamp.sec >= started.sec - started.sec.rem_euclid(2);
    }
    stamp > started
}

/// At most how many directory entries the check reads in one run.
pub(crate) const MAX_ENTRIES: usize = 4_000_000;

/// Where to look and for what.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Each place the command could write, and whether the entries at its
    /// top are guarded by the run's own protected paths (the workspace and
    /// the writable roots: yes; `/tmp` and `$TMPDIR`: no).
    pub(crate) roots: Vec<(PathBuf, bool)>,
    /// The agent-config paths protected at the top of a root, relative to
    /// it (`.envrc`, `.vscode`, `.cargo/config.toml`); git directories are
    /// found by structure, not by name.
    pub(crate) names: Vec<PathBuf>,
    /// Whether git directories are checked (not when the config lets the
    /// command write git internals).
    pub(crate) git: bool,
    /// The git directories the run's own plan guards (their config and
    /// hooks are read-only mounts): not checked, still walked for git
    /// directories made inside them.
    pub(crate) planned_git_dirs: Vec<PathBuf>,
    /// Where the listings of unchanged directories are kept between runs
    /// (rampart's state directory, which the command cannot write).
    pub(crate) cache_dir: Option<PathBuf>,
    /// At most how many entries to read; [`MAX_ENTRIES`] when `None`.
    pub(crate) limit: Option<usize>,
}

/// What the check found.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// What it quarantined.
    pub(crate) found: Vec<Quarantined>,
    /// What it could not check, and why.
    pub(crate) unchecked: Vec<String>,
}

impl Plan {
    /// Walks every root and quarantines, into `into`, what changed after
    /// `started` and would make a host program run code.
    pub(crate) fn check(&self, started: Stamp, into: &Path) -> Checked {
        let mut walk = Walk {
            plan: self,
            started,
            into,
            read: 0,
            out: Checked::default(),
            cache: Cache::default(),
            fresh: Cache::default(),
            routine: false,
            inside: self.roots.iter().map(|(r, _)| r.clone()).collect(),
            by_first: self.by_first(),
        };
        let key = self.names_key();
        let mut budget_left = true;
        for (root, top_guarded) in &self.roots {
            let stem = cache_stem(root);
            let file = self
                .cache_dir
                .as_ref()
                .map(|d| d.join(format!("{stem}.walk")));
            // A walk of this root that could not finish in an earlier run
            // left a debt: changes since that run's start are judged now,
            // not forgotten because they are older than this run.
            let debt = self
                .cache_dir
                .as_ref()
                .map(|d| d.join(format!("{stem}.debt")));
            let owed = debt.as_deref().and_then(load_stamp);
            walk.started = owed.map_or(started, |o| o.min(started));
            if !budget_left {
                if let Some(d) = &debt {
                    let _ = save_stamp(d, walk.started);
                }
                continue;
            }
            walk.cache = file
                .as_deref()
                .and_then(|f| Cache::load(f, key))
                .unwrap_or_default();
            walk.fresh = Cache::default();
            let unchecked_before = walk.out.unchecked.len();
            let finished = walk.root(root, *top_guarded);
            let complete = finished && walk.out.unchecked.len() == unchecked_before;
            if let Some(d) = &debt {
                if complete {
                    let _ = fs::remove_file(d);
                } else {
                    let _ = save_stamp(d, walk.started);
                }
            }
            // Unchanged when every listing came from it and none is left
            // over (a directory gone).
            let dirty = walk.fresh.dirty || !walk.cache.dirs.is_empty();
            if let (Some(f), true) = (&file, finished && dirty) {
                // A cache that cannot be written only costs the next run
                // time: it lists every directory again.
                let _ = std::mem::take(&mut walk.fresh).save(f, key);
            }
            budget_left = finished;
        }
        walk.out
    }

    /// The protected names by their first component (`.cargo` →
    /// `.cargo/config.toml`, `.cargo/config`): each directory's entries
    /// are looked up once, not compared with every name.
    fn by_first(&self) -> std::collections::HashMap<OsString, Vec<PathBuf>> {
        let mut out: std::collections::HashMap<OsString, Vec<PathBuf>> =
            std::collections::HashMap::new();
        for rel in &self.names {
            if let Some(first) = rel.components().next() {
                out.entry(first.as_os_str().to_os_string())
                    .or_default()
                    .push(rel.clone());
            }
        }
        out
    }

    /// Records, before the command starts, that each root is owed a check
    /// of what changes from `started` on: a supervisor killed before its
    /// walk finished (`SIGKILL`, an OOM kill, a hard timeout of the agent's
    /// harness) leaves it, and the next run judges everything changed
    /// since. A walk that finishes pays it (see [`Plan::check`]). An older
    /// debt is kept.
    pub(crate) fn owe(&self, started: Stamp) {
        let Some(dir) = &self.cache_dir else {
            return;
        };
        for (root, _) in &self.roots {
            let debt = dir.join(format!("{}.debt", cache_stem(root)));
            // An older debt already covers this run.
            if load_stamp(&debt).is_some_and(|o| o <= started) {
                continue;
            }
            if let Err(e) = save_stamp(&debt, started) {
                tracing::warn!("cannot record the check owed for `{}`: {e}", root.display());
            }
        }
    }

    /// What a cached listing depends on besides the directory: the names
    /// looked for.
    fn names_key(&self) -> u64 {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(CACHE_VERSION.to_le_bytes());
        for n in &self.names {
            h.update(n.as_os_str().as_encoded_bytes());
            h.update([0]);
        }
        let d = h.finalize();
        u64::from_le_bytes(d[..8].try_into().unwrap_or_default())
    }
}

/// The stamp kept in a debt file, if one is there and whole.
fn load_stamp(file: &Path) -> Option<Stamp> {
    let bytes = crate::safe_read::read_regular(file, 64).ok()?;
    let mut r = Reader(&bytes);
    let sec = r.u64()?.cast_signed();
    let nsec = r.u64()?.cast_signed();
    Some(Stamp { sec, nsec })
}

fn save_stamp(file: &Path, stamp: Stamp) -> io::Result<()> {
    let mut out = Vec::new();
    out.extend_from_slice(&stamp.sec.to_le_bytes());
    out.extend_from_slice(&stamp.nsec.to_le_bytes());
    write_atomic(file, &out)
}

/// Writes `bytes` to `file` (mode 0600, its folder 0700 and made when
/// missing) through a temporary file renamed over it.
fn write_atomic(file: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = file.parent() {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    // Not synced: a torn file after a crash fails to load and is dropped,
    // which only costs time (a lost debt file: see docs/SANDBOX.md).
    if let Err(e) = f.write_all(bytes).and_then(|()| fs::rename(&tmp, file)) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// The cache file name of a root, without extension: a hash of its path.
fn cache_stem(root: &Path) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(root.as_os_str().as_encoded_bytes());
    let hex = d[..16].iter().fold(String::new(), |mut h, b| {
        use std::fmt::Write as _;
        let _ = write!(h, "{b:02x}");
        h
    });
    hex
}

/// Bumped when the cache's format or meaning changes.
const CACHE_VERSION: u32 = 1;

/// A directory's listing, kept while the directory does not change.
#[derive(Debug, Clone)]
struct Cached {
    ino: u64,
    ctime: Stamp,
    /// Every entry (`true`), or only the subdirectories and the names the
    /// check looks at.
    all: bool,
    entries: Entries,
}

/// Listings of directories by path. A directory's entries change only with
/// its change time (every create, remove, rename and link in it moves it),
/// so a listing stays true while the directory's inode and change time
/// are those recorded. Only listings whose change time is two seconds
/// older than the moment they were read are kept: a file system that
/// stamps whole seconds could otherwise change a directory within the
/// same stamp.
#[derive(Debug, Default)]
struct Cache {
    dirs: std::collections::HashMap<PathBuf, Cached>,
    /// A listing in it was read from the disk, not from the file.
    dirty: bool,
}

impl Cache {
    fn load(file: &Path, key: u64) -> Option<Self> {
        let bytes = crate::safe_read::read_regular(file, 1 << 30).ok()?;
        let mut r = Reader(&bytes);
        if r.u64()? != key {
            return None;
        }
        let mut dirs = std::collections::HashMap::new();
        while !r.0.is_empty() {
            let path = PathBuf::from(std::ffi::OsStr::from_bytes(r.bytes()?));
            let ino = r.u64()?;
            let sec = r.u64()?.cast_signed();
            let nsec = r.u64()?.cast_signed();
            let all = r.u8()? == 1;
            let n = usize::try_from(r.u64()?).ok()?;
            let mut entries = Vec::with_capacity(n.min(4096));
            for _ in 0..n {
                let is_dir = r.u8()? == 1;
                let name = std::ffi::OsStr::from_bytes(r.bytes()?).to_os_string();
                entries.push((name, is_dir));
            }
            dirs.insert(
                path,
                Cached {
                    ino,
                    ctime: Stamp { sec, nsec },
                    all,
                    entries,
                },
            );
        }
        Some(Self { dirs, dirty: false })
    }

    fn save(self, file: &Path, key: u64) -> io::Result<()> {
        let mut out = Vec::new();
        out.extend_from_slice(&key.to_le_bytes());
        for (path, c) in &self.dirs {
            put_bytes(&mut out, path.as_os_str().as_bytes());
            out.extend_from_slice(&c.ino.to_le_bytes());
            out.extend_from_slice(&c.ctime.sec.to_le_bytes());
            out.extend_from_slice(&c.ctime.nsec.to_le_bytes());
            out.push(u8::from(c.all));
            out.extend_from_slice(&(c.entries.len() as u64).to_le_bytes());
            for (name, is_dir) in &c.entries {
                out.push(u8::from(*is_dir));
                put_bytes(&mut out, name.as_bytes());
            }
        }
        write_atomic(file, &out)
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u64).to_le_bytes());
    out.extend_from_slice(b);
}

/// Reads the cache file; `None` at any short or odd read (the cache is
/// then dropped).
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.take(n)
    }
}

struct Walk<'a> {
    plan: &'a Plan,
    started: Stamp,
    into: &'a Path,
    read: usize,
    out: Checked,
    /// The listings kept from earlier runs, and those made by this one.
    cache: Cache,
    fresh: Cache,
    /// What is taken now is moved aside quietly (below `node_modules`).
    routine: bool,
    /// The places the command could write (the roots).
    inside: Vec<PathBuf>,
    /// [`Plan::names`] by first component.
    by_first: std::collections::HashMap<OsString, Vec<PathBuf>>,
}

/// Names the check looks at in a directory besides its subdirectories.
const GIT_NAMES: &[&str] = &[
    "HEAD",
    "objects",
    "refs",
    "commondir",
    "config",
    "config.worktree",
    "hooks",
];

/// A directory's entries: name, and whether it is a real directory.
type Entries = Vec<(OsString, bool)>;

impl Walk<'_> {
    fn limit(&self) -> usize {
        self.plan.limit.unwrap_or(MAX_ENTRIES)
    }

    /// Walks one root. Returns false when the entry budget ran out.
    fn root(&mut self, root: &Path, top_guarded: bool) -> bool {
        let mut stack = vec![(root.to_path_buf(), 0_usize)];
        while let Some((dir, depth)) = stack.pop() {
            let Some(entries) = self.list(&dir, false) else {
                if self.read > self.limit() {
                    return false;
                }
                continue;
            };
            let guarded_top = depth == 0 && top_guarded;
            // Packages publish `.vscode/`, `.husky/`, `.idea/` and the
            // like, and no package manager runs them: below a
            // `node_modules` they are moved aside quietly (a later run
            // could rename the package folder out to where a host program
            // reads them), not reported as a breach of every `npm install`.
            self.routine = dir
                .strip_prefix(root)
                .is_ok_and(|rel| rel.components().any(|c| c.as_os_str() == "node_modules"));
            if !guarded_top {
                self.agent_config(&dir, &entries);
            }
            self.routine = false;
            let has = |n: &str| entries.iter().any(|(e, _)| e == n);
            // As git finds one: `HEAD` with `objects/` and `refs/` (or a
            // `commondir` holding them), and a common directory, whose
            // config and hooks a linked git directory's `commondir` makes
            // git read, which needs no `HEAD` of its own.
            let is_git_dir = dir.file_name().is_some_and(|n| n == ".git")
                || (has("HEAD") && (has("objects") || has("refs") || has("commondir")))
                || (has("objects") && has("refs"));
            // The top of a root too: made a common directory (`objects/`,
            // `refs/`, a `config`) it is where a linked git directory's
            // `commondir` sends git.
            if self.plan.git && is_git_dir {
                self.git_dir(&dir, guarded_top);
            }
            if self.plan.git && has(".git") {
                self.git_file(&dir.join(".git"));
            }
            for (name, is_dir) in entries {
                // Protected folders too: a git directory can hide inside.
                if !is_dir {
                    continue;
                }
                // A root inside this one (a workspace under `/tmp`) is
                // walked on its own, with its own top.
                let child = dir.join(name);
                if !self.plan.roots.iter().any(|(r, _)| *r == child) {
                    stack.push((child, depth + 1));
                }
            }
        }
        true
    }

    /// The entries of `dir`, or `None` (with the reason noted) when it
    /// cannot be read.
    fn list(&mut self, dir: &Path, all: bool) -> Option<Entries> {
        if self.read > self.limit() {
            return None;
        }
        let meta = match fs::symlink_metadata(dir) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            // A path longer than `PATH_MAX`, a component made unreadable:
            // said, never skipped in silence.
            Err(e) => return self.unreadable(dir, &e),
        };
        if let Some(c) = self.cache.dirs.remove(dir) {
            if c.ino == meta.ino() && c.ctime == Stamp::of(&meta) && (c.all || !all) {
                self.read += c.entries.len();
                let entries = c.entries.clone();
                self.fresh.dirs.insert(dir.to_path_buf(), c);
                return Some(entries);
            }
        }
        let entries = self.read_dir(dir)?;
        // Kept only when its change time is well in the past (see Cache).
        let stamp = Stamp::of(&meta);
        let now = Stamp::now();
        if stamp.nsec != 0 && stamp.sec + 2 < now.sec {
            let kept: Entries = if all {
                entries.clone()
            } else {
                entries
                    .iter()
                    .filter(|(n, is_dir)| *is_dir || self.interesting(n))
                    .cloned()
                    .collect()
            };
            self.fresh.dirty = true;
            self.fresh.dirs.insert(
                dir.to_path_buf(),
                Cached {
                    ino: meta.ino(),
                    ctime: stamp,
                    all,
                    entries: kept,
                },
            );
        }
        Some(entries)
    }

    /// Whether the check looks at an entry of this name (see [`GIT_NAMES`]
    /// and [`Plan::names`]).
    fn interesting(&self, name: &std::ffi::OsStr) -> bool {
        GIT_NAMES.iter().any(|g| name == *g) || self.by_first.contains_key(name)
    }

    fn read_dir(&mut self, dir: &Path) -> Option<Entries> {
        let read = match fs::read_dir(dir) {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                let meta = fs::symlink_metadata(dir).ok()?;
                // Another user's folder (in `/tmp`) this user cannot read:
                // the command, running as this user, could not write in it
                // either, unless it is writable to others (`0733`), then
                // it could have made entries by name that no one here can
                // list.
                if meta.uid() != nix::unistd::geteuid().as_raw() {
                    let writable = nix::unistd::access(
                        dir,
                        nix::unistd::AccessFlags::W_OK | nix::unistd::AccessFlags::X_OK,
                    )
                    .is_ok();
                    if !writable {
                        return None;
                    }
                    return self.unreadable(dir, &e);
                }
                // This user's folder, unreadable since before the run: the
                // command could not have listed it either, but could have
                // written below it by name.
                if !changed(&meta, self.started) {
                    return self.unreadable(dir, &e);
                }
                // This user's own folder, made unreadable: give the owner
                // its rights back, as the quarantine does.
                let mode = meta.permissions().mode();
                let _ = fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o700));
                match fs::read_dir(dir) {
                    Ok(r) => r,
                    Err(e) => return self.unreadable(dir, &e),
                }
            }
            Err(e) => return self.unreadable(dir, &e),
        };
        let mut out = Vec::new();
        for e in read {
            let e = match e {
                Ok(e) => e,
                Err(e) => return self.unreadable(dir, &e),
            };
            self.read += 1;
            if self.read > self.limit() {
                self.out.unchecked.push(format!(
                    "the writable places hold more than {} entries; the check stopped at `{}`",
                    self.limit(),
                    dir.display()
                ));
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            out.push((e.file_name(), is_dir));
        }
        Some(out)
    }

    fn unreadable(&mut self, dir: &Path, e: &io::Error) -> Option<Entries> {
        self.out
            .unchecked
            .push(format!("cannot read `{}`: {e}", dir.display()));
        None
    }

    /// The protected agent-config paths in `dir` that changed.
    fn agent_config(&mut self, dir: &Path, entries: &Entries) {
        for (name, _) in entries {
            let Some(rels) = self.by_first.get(name) else {
                continue;
            };
            for rel in rels.clone() {
                self.guard(dir, &rel);
            }
        }
    }

    /// Checks `dir/rel` component by component: a symlink on the way that
    /// changed is what gets quarantined; at the end, the entry itself when
    /// it changed, or the topmost changed entries inside it.
    fn guard(&mut self, dir: &Path, rel: &Path) {
        let mut path = dir.to_path_buf();
        let mut parts = rel.components().peekable();
        // A folder on the way that changed may have been renamed into
        // place with the file already in it (`mv c .cargo` over a staged
        // `c/config.toml`, whose own change time is old).
        let mut moved_on_the_way = false;
        while let Some(part) = parts.next() {
            path.push(part);
            let Ok(meta) = fs::symlink_metadata(&path) else {
                return;
            };
            let last = parts.peek().is_none();
            if meta.file_type().is_symlink() {
                // A link made during the run, or an older one whose target
                // changed (the target is what the host program reads).
                let target = fs::metadata(&path);
                let target_changed = target.as_ref().is_ok_and(|m| changed(m, self.started));
                if changed(&meta, self.started) || (last && target_changed) {
                    self.take(&path, None);
                    return;
                }
                // An older link on the way (`.cargo -> dir`): followed, the
                // folder it names judged like one here.
                if last || !target.as_ref().is_ok_and(fs::Metadata::is_dir) {
                    return;
                }
                moved_on_the_way |= target_changed;
                continue;
            }
            if last {
                if moved_on_the_way {
                    self.take(&path, None);
                } else {
                    self.topmost_changed(&path, None);
                }
            } else if !meta.is_dir() {
                return;
            } else if changed(&meta, self.started) {
                moved_on_the_way = true;
            }
        }
    }

    /// Quarantines `path` if it changed, else each topmost changed entry
    /// below it.
    fn topmost_changed(&mut self, path: &Path, why: Option<&str>) {
        let Ok(meta) = fs::symlink_metadata(path) else {
            return;
        };
        if changed(&meta, self.started) {
            self.take(path, why.map(str::to_owned));
            return;
        }
        if !meta.is_dir() {
            return;
        }
        let Some(entries) = self.list(path, true) else {
            return;
        };
        for (name, _) in entries {
            self.topmost_changed(&path.join(name), why);
        }
    }

    /// A git directory not guarded by the run's plan: its config files
    /// that changed and name programs, and its changed hooks.
    /// A `.git` file (`gitdir: …`) or symlink that changed: the git
    /// directory it names is judged whole, wherever it is.
    fn git_file(&mut self, dot_git: &Path) {
        let Ok(meta) = fs::symlink_metadata(dot_git) else {
            return;
        };
        if meta.is_dir() || !changed(&meta, self.started) {
            return;
        }
        let base = dot_git.parent().unwrap_or(dot_git);
        let target = if meta.file_type().is_symlink() {
            fs::canonicalize(dot_git).ok()
        } else {
            crate::safe_read::read_text(dot_git, 4096)
                .ok()
                .and_then(|t| {
                    t.lines()
                        .find_map(|l| l.strip_prefix("gitdir:"))
                        .map(|g| base.join(g.trim()))
                })
        };
        // Only inside the writable places: what lies elsewhere the command
        // could not have changed (a link to the user's own repository).
        if let Some(t) = target.and_then(|t| fs::canonicalize(t).ok()) {
            if t.is_dir() && self.inside.iter().any(|r| t.starts_with(r)) {
                self.judge(&t, true);
            }
        }
    }

    fn git_dir(&mut self, dir: &Path, top: bool) {
        if self.plan.planned_git_dirs.iter().any(|p| p == dir) {
            return;
        }
        // A git directory that changed itself (an entry added or renamed,
        // or the whole folder renamed into place) or whose `HEAD`,
        // `objects/`, `refs/` or `commondir` changed may have been put
        // together during the run from a config and hooks staged before
        // it (when it was no git directory yet): then everything in it is
        // judged, whatever its own change time. (A nested repository the
        // command commits in is judged the same way: a clean config and
        // the samples pass.)
        // (The top of a root changes with every file made there: only its
        // `HEAD`, `objects/`, `refs/` and `commondir` count for it.)
        let formed = [".", "HEAD", "objects", "refs", "commondir"]
            .iter()
            .filter(|n| !(top && **n == "."))
            .any(|n| fs::symlink_metadata(dir.join(n)).is_ok_and(|m| changed(&m, self.started)));
        self.judge(dir, formed);
        // A git directory formed during the run takes its config and
        // hooks from its common directory too: judged whole, though
        // nothing in it changed (built earlier, by the file tools).
        if formed {
            let common = crate::safe_read::read_text(&dir.join("commondir"), 4096)
                .ok()
                .and_then(|t| fs::canonicalize(dir.join(t.trim())).ok());
            let inside = |c: &PathBuf| self.inside.iter().any(|r| c.starts_with(r));
            if let Some(c) = common.filter(|c| c.is_dir() && c != dir && inside(c)) {
                self.judge(&c, true);
            }
        }
    }

    /// The config, stopped rebases and hooks of the git directory `dir`:
    /// those that changed during the run, or all of them when `whole`.
    fn judge(&mut self, dir: &Path, whole: bool) {
        if self.plan.planned_git_dirs.iter().any(|p| p == dir) {
            return;
        }
        let formed = whole;
        let started = if formed {
            Stamp { sec: 0, nsec: 0 }
        } else {
            self.started
        };
        for name in ["config", "config.worktree"] {
            let path = dir.join(name);
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            // A project's own `config/` folder: git cannot read it as a
            // config (it stops there), nothing to judge. A symlinked
            // config is judged by its target's change time too.
            let target_changed = meta.file_type().is_symlink()
                && fs::metadata(&path).is_ok_and(|m| changed(&m, started));
            if meta.is_dir() || !(changed(&meta, started) || target_changed) {
                continue;
            }
            let verdict = if meta.file_type().is_symlink() {
                Err(RiskyConfig::Symlink)
            } else if !meta.is_file() {
                Err(RiskyConfig::NotAFile)
            } else {
                risky_config(&path, meta.len(), &self.inside)
            };
            if let Err(why) = verdict {
                self.take(&path,
                    Some(format!(
                        "the config of a git directory below a writable root, made or changed during the run: {why}; git honours it when run in that folder (a shell prompt runs `git status` on `cd`)"
                    )),
                );
            }
        }
        // A stopped rebase, cherry-pick or revert whose todo gained an
        // `exec` line (or whose strategy names a program): git runs it at
        // `--continue` there.
        let mut resumable = Vec::new();
        crate::git::resumable_in(dir, &mut resumable);
        for (state, line) in resumable {
            if formed || self.changed_within(&state) {
                self.take(&state,
                    Some(format!(
                        "the stopped rebase, cherry-pick or revert of a git directory below a writable root, changed during the run, would run a program at `--continue` ({})",
                        line.escape_debug()
                    )),
                );
            }
        }
        let hooks = dir.join("hooks");
        let Ok(meta) = fs::symlink_metadata(&hooks) else {
            return;
        };
        let why = "a git hook made or changed during the run in a git directory below a writable root: git runs it on commit, checkout, merge or push there";
        if meta.file_type().is_symlink() {
            if formed || changed(&meta, self.started) {
                self.take(&hooks, Some(why.to_owned()));
            }
            return;
        }
        if !meta.is_dir() {
            return;
        }
        let Some(entries) = self.list(&hooks, true) else {
            return;
        };
        for (name, _) in entries {
            // Git never runs the samples `git init` copies.
            if name.to_string_lossy().ends_with(".sample") {
                let p = hooks.join(&name);
                if fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                    continue;
                }
            }
            let hook = hooks.join(&name);
            // A symlinked hook runs its target: judged by the target's
            // change time too.
            let target_changed = fs::symlink_metadata(&hook)
                .is_ok_and(|m| m.file_type().is_symlink())
                && fs::metadata(&hook).is_ok_and(|m| changed(&m, self.started));
            if formed || target_changed {
                self.take(&hook, Some(why.to_owned()));
            } else {
                self.topmost_changed(&hook, Some(why));
            }
        }
    }

    /// Whether `path` or anything below it changed during the run.
    fn changed_within(&mut self, path: &Path) -> bool {
        let Ok(meta) = fs::symlink_metadata(path) else {
            return false;
        };
        if changed(&meta, self.started) {
            return true;
        }
        if !meta.is_dir() {
            return false;
        }
        let Some(entries) = self.list(path, true) else {
            return false;
        };
        entries
            .into_iter()
            .any(|(name, _)| self.changed_within(&path.join(name)))
    }

    fn take(&mut self, path: &Path, why: Option<String>) {
        if self.out.found.iter().any(|q| path.starts_with(&q.path)) {
            return;
        }
        let (path, moved_to) = protect::quarantine_path(path, self.into);
        self.out.found.push(Quarantined {
            path,
            moved_to,
            why,
            routine: self.routine,
        });
    }
}

/// A git config file larger than this is not read: git configs are small.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Why a git config left by the command is taken (or could not be read,
/// which is taken the same way).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum RiskyConfig {
    #[error("it is a symlink made or pointed elsewhere during the run")]
    Symlink,
    #[error("it is not a regular file")]
    NotAFile,
    #[error("it is {0} bytes, larger than any real git config")]
    TooLarge(u64),
    #[error("no git outside the places the command could write was found to read it")]
    NoGit,
    #[error("git could not read it ({0})")]
    GitFailed(String),
    #[error("git cannot parse it ({0})")]
    Unparsable(String),
    #[error("it sets {} (a key that can name a program, or one rampart does not know)", keys(.0))]
    RiskyKeys(Vec<String>),
}

/// The first few keys, quoted for a message.
fn keys(risky: &[String]) -> String {
    risky
        .iter()
        .take(4)
        .map(|k| format!("`{}`", k.escape_debug()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Ok` when every key of the git config at `path` is one that never makes
/// git run a program; otherwise why not. Git itself reads the file (its
/// own parser, no includes followed, run from `/` with an empty
/// environment, the host's git and never one the command could have
/// written, see `host_git.rs`): what rampart sees is what git will see.
fn risky_config(path: &Path, len: u64, inside: &[PathBuf]) -> Result<(), RiskyConfig> {
    if len > MAX_CONFIG_BYTES {
        return Err(RiskyConfig::TooLarge(len));
    }
    let Some(mut git) = crate::host_git::command() else {
        return Err(RiskyConfig::NoGit);
    };
    git.args(["config", "--no-includes", "--null", "--list", "--file"])
        .arg(path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CEILING_DIRECTORIES", "/");
    let out =
        crate::host_git::output(git, &[]).map_err(|e| RiskyConfig::GitFailed(e.to_string()))?;
    if !out.status.success() {
        return Err(RiskyConfig::Unparsable(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ));
    }
    let git_dir = path.parent().unwrap_or(path);
    let risky: Vec<String> = out
        .stdout
        .split(|b| *b == 0)
        .filter(|e| !e.is_empty())
        .map(|e| String::from_utf8_lossy(e).into_owned())
        .filter_map(|e| {
            let (key, value) = e.split_once('\n').unwrap_or((e.as_str(), ""));
            // `core.worktree` names where git checks files out: harmless
            // only inside the places the command could write anyway (a
            // submodule's points at its checkout); `$HOME` would let the
            // next `git pull` write `~/.bashrc`.
            let ok = if key.eq_ignore_ascii_case("core.worktree") {
                worktree_inside(git_dir, value, inside)
            } else {
                harmless_key(key)
            };
            (!ok).then(|| key.to_owned())
        })
        .collect();
    if risky.is_empty() {
        Ok(())
    } else {
        Err(RiskyConfig::RiskyKeys(risky))
    }
}

/// Whether a `core.worktree` of `value` (relative to the git directory,
/// as git reads it) lies inside one of `inside`.
fn worktree_inside(git_dir: &Path, value: &str, inside: &[PathBuf]) -> bool {
    let joined = git_dir.join(value.trim());
    let real = fs::canonicalize(&joined).unwrap_or_else(|_| crate::git::lexical(&joined));
    inside.iter().any(|r| real.starts_with(r))
}

/// Keys without a subsection that never name a program or a file of code.
const HARMLESS: &[&str] = &[
    "core.repositoryformatversion",
    "core.filemode",
    "core.bare",
    "core.logallrefupdates",
    "core.ignorecase",
    "core.precomposeunicode",
    "core.symlinks",
    "core.autocrlf",
    "core.safecrlf",
    "core.eol",
    "core.quotepath",
    "core.compression",
    "core.loosecompression",
    "core.abbrev",
    "core.sharedrepository",
    "core.checkstat",
    "core.trustctime",
    "core.untrackedcache",
    "core.splitindex",
    "core.preloadindex",
    "core.commitgraph",
    "core.multipackindex",
    "core.warnambiguousrefs",
    "core.filesreflocktimeout",
    "core.packedreflocktimeout",
    "core.whitespace",
    "core.commentchar",
    "core.commentstring",
    "core.protectntfs",
    "core.protecthfs",
    "core.longpaths",
    "core.sparsecheckout",
    "core.sparsecheckoutcone",
    "core.bigfilethreshold",
    "user.name",
    "user.email",
    "user.signingkey",
    "user.useconfigonly",
    "author.name",
    "author.email",
    "committer.name",
    "committer.email",
    "init.defaultbranch",
    "extensions.objectformat",
    "extensions.compatobjectformat",
    "extensions.refstorage",
    "extensions.worktreeconfig",
    "extensions.preciousobjects",
    "extensions.noop",
    "gc.auto",
    "gc.autodetach",
    "gc.autopacklimit",
    "gc.reflogexpire",
    "gc.reflogexpireunreachable",
    "commit.gpgsign",
    "commit.verbose",
    "commit.cleanup",
    "tag.gpgsign",
    "tag.sort",
    "pull.rebase",
    "pull.ff",
    "push.default",
    "push.autosetupremote",
    "push.followtags",
    "fetch.prune",
    "fetch.prunetags",
    "fetch.fsckobjects",
    "fetch.writecommitgraph",
    "fetch.parallel",
    "fetch.recursesubmodules",
    "merge.ff",
    "merge.conflictstyle",
    "merge.renames",
    "rebase.autosquash",
    "rebase.autostash",
    "rebase.updaterefs",
    "status.showuntrackedfiles",
    "status.short",
    "status.branch",
    "log.date",
    "log.decorate",
    "diff.renames",
    "diff.algorithm",
    "diff.noprefix",
    "diff.mnemonicprefix",
    "diff.colormoved",
    "diff.submodule",
    "transfer.fsckobjects",
    "receive.denycurrentbranch",
    "receive.denynonfastforwards",
    "receive.denydeletes",
    "receive.fsckobjects",
    "uploadpack.allowfilter",
    "uploadpack.allowanysha1inwant",
    "uploadpack.allowreachablesha1inwant",
    "uploadpack.allowtipsha1inwant",
    "protocol.version",
    "maintenance.auto",
    "maintenance.strategy",
    "index.version",
    "index.threads",
    "index.skiphash",
    "pack.threads",
    "pack.windowmemory",
    "repack.writebitmaps",
    "repack.usedeltabaseoffset",
    "feature.manyfiles",
    "feature.experimental",
    "i18n.commitencoding",
    "i18n.logoutputencoding",
    "safe.bareRepository",
];

/// Whether a git config key (as `git config --list` prints it: section and
/// name lower-case, a subsection as written) can never make git run a
/// program. Anything not known is not harmless.
pub(crate) fn harmless_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let Some((section, rest)) = key.split_once('.') else {
        return false;
    };
    let (sub, name) = match rest.rsplit_once('.') {
        Some((s, n)) => (Some(s), n),
        None => (None, rest),
    };
    match (section, sub) {
        // Colours and advice messages only.
        ("color" | "advice", _) => true,
        ("remote", Some(_)) => matches!(
            name,
            "url"
                | "pushurl"
                | "fetch"
                | "push"
                | "tagopt"
                | "prune"
                | "prunetags"
                | "mirror"
                | "promisor"
                | "partialclonefilter"
                | "skipdefaultupdate"
                | "skipfetchall"
        ),
        ("branch", Some(_)) => matches!(
            name,
            "remote" | "merge" | "rebase" | "pushremote" | "description"
        ),
        // Not `update`: `!command` runs it.
        ("submodule", Some(_)) => matches!(
            name,
            "url" | "active" | "branch" | "fetchrecursesubmodules" | "shallow" | "ignore"
        ),
        ("url", Some(_)) => matches!(name, "insteadof" | "pushinsteadof"),
        (_, Some(_)) => false,
        (section, None) => {
            let whole = format!("{section}.{name}");
            HARMLESS.iter().any(|h| h.eq_ignore_ascii_case(&whole))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_name_programs_are_not_harmless() {
        for k in [
            "core.fsmonitor",
            "core.hooksPath",
            "core.pager",
            "core.editor",
            "core.sshCommand",
            "core.askPass",
            "include.path",
            "includeIf.gitdir:/x/.path",
            "alias.st",
            "filter.x.clean",
            "diff.x.textconv",
            "diff.external",
            "merge.x.driver",
            "submodule.x.update",
            "remote.origin.uploadpack",
            "remote.origin.receivepack",
            "protocol.ext.allow",
            "credential.helper",
            "gpg.program",
            "sequence.editor",
            "pager.log",
            "nothing",
        ] {
            assert!(!harmless_key(k), "{k} passed as harmless");
        }
        for k in [
            "core.repositoryformatversion",
            "core.bare",
            "remote.origin.url",
            "remote.my.fork.fetch",
            "branch.main.merge",
            "user.email",
            "color.diff.meta",
            "url.https://x/.insteadof",
        ] {
            assert!(harmless_key(k), "{k} refused");
        }
    }

    fn plan(root: &Path) -> Plan {
        Plan {
            roots: vec![(root.to_path_buf(), true)],
            names: vec![
                ".envrc".into(),
                ".vscode".into(),
                ".cargo/config.toml".into(),
            ],
            git: true,
            ..Plan::default()
        }
    }

    fn git(dir: &Path, args: &[&str]) -> bool {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn started() -> Stamp {
        let t = Stamp::start_of_run([std::env::temp_dir().as_path()]);
        wait_past(t);
        t
    }

    fn taken(c: &Checked, root: &Path) -> Vec<String> {
        let mut v: Vec<String> = c
            .found
            .iter()
            .map(|q| q.path.strip_prefix(root).unwrap().display().to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn what_changed_anywhere_below_is_found_and_what_did_not_is_left() {
        let d = tempfile::tempdir().unwrap();
        let (root, into) = (d.path().join("w"), d.path().join("q"));
        fs::create_dir_all(root.join("old/.vscode")).unwrap();
        fs::write(root.join("old/.vscode/tasks.json"), "{}").unwrap();
        fs::write(root.join("old/.envrc"), "x").unwrap();
        fs::create_dir_all(root.join("kept/.cargo")).unwrap();
        fs::write(root.join("kept/.cargo/config.toml"), "").unwrap();
        fs::write(root.join(".envrc"), "top, guarded elsewhere").unwrap();
        let t = started();
        let deep = root.join("a/b/c/d/e/f/g/target/.venv/.cache");
        fs::create_dir_all(&deep).unwrap();
        fs::write(deep.join(".envrc"), "new").unwrap();
        fs::write(root.join("old/.vscode/tasks.json"), "rewritten").unwrap();
        fs::write(root.join(".envrc"), "top, changed").unwrap();
        fs::write(root.join("notes.txt"), "ordinary").unwrap();
        let c = plan(&root).check(t, &into);
        assert_eq!(
            taken(&c, &root),
            [
                "a/b/c/d/e/f/g/target/.venv/.cache/.envrc",
                "old/.vscode/tasks.json"
            ]
        );
        assert!(c.unchecked.is_empty(), "{:?}", c.unchecked);
        assert!(root.join("old/.envrc").exists() && root.join("kept/.cargo/config.toml").exists());
    }

    #[test]
    fn git_directories_are_found_by_structure_and_judged_by_their_config() {
        let d = tempfile::tempdir().unwrap();
        let (root, into) = (d.path().join("w"), d.path().join("q"));
        fs::create_dir_all(root.join("clean")).unwrap();
        let t = started();
        if !git(&root.join("clean"), &["init", "-q"]) {
            return;
        }
        git(
            &root.join("clean"),
            &["remote", "add", "origin", "https://example.com/r.git"],
        );
        fs::create_dir_all(root.join("x/y")).unwrap();
        assert!(git(&root.join("x/y"), &["init", "-q", "--bare", "store"]));
        assert!(git(
            &root.join("x/y/store"),
            &["config", "core.fsmonitor", "true"]
        ));
        fs::create_dir_all(root.join("h")).unwrap();
        assert!(git(&root.join("h"), &["init", "-q"]));
        fs::write(root.join("h/.git/hooks/pre-commit"), "#!/bin/sh\n").unwrap();
        let c = plan(&root).check(t, &into);
        assert_eq!(
            taken(&c, &root),
            ["h/.git/hooks/pre-commit", "x/y/store/config"]
        );
        assert!(c.found[1]
            .why
            .as_deref()
            .unwrap_or("")
            .contains("core.fsmonitor"));
        // Git writes allowed: git directories are the command's business.
        let mut p = plan(&root);
        p.git = false;
        let t = started();
        assert!(git(&root.join("clean"), &["config", "core.pager", "less"]));
        assert!(p.check(t, &into).found.is_empty());
    }

    #[test]
    fn a_walk_cut_short_says_so() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("w");
        for i in 0..50 {
            fs::create_dir_all(root.join(format!("d{i}"))).unwrap();
        }
        let mut p = plan(&root);
        p.limit = Some(20);
        let c = p.check(started(), &d.path().join("q"));
        assert!(
            c.unchecked
                .iter()
                .any(|u| u.contains("more than 20 entries")),
            "{:?}",
            c.unchecked
        );
    }

    #[test]
    fn a_cached_listing_still_leads_to_what_changed_below_it() {
        let d = tempfile::tempdir().unwrap();
        let (root, into) = (d.path().join("w"), d.path().join("q"));
        fs::create_dir_all(root.join("a/b/c")).unwrap();
        fs::create_dir_all(root.join("a/other")).unwrap();
        // Listings are kept once two seconds old.
        std::thread::sleep(Duration::from_millis(3100));
        let mut p = plan(&root);
        p.cache_dir = Some(d.path().join("cache"));
        assert!(p.check(started(), &into).found.is_empty());
        assert!(fs::read_dir(d.path().join("cache")).unwrap().count() == 1);
        let t = started();
        fs::write(root.join("a/b/c/.envrc"), "x").unwrap();
        fs::create_dir_all(root.join("a/other/new/deeper")).unwrap();
        fs::write(root.join("a/other/new/deeper/.envrc"), "x").unwrap();
        let c = p.check(t, &into);
        assert_eq!(
            taken(&c, &root),
            ["a/b/c/.envrc", "a/other/new/deeper/.envrc"]
        );
        // A broken cache file is dropped, not trusted.
        for f in fs::read_dir(d.path().join("cache")).unwrap() {
            fs::write(f.unwrap().path(), b"\x01\x02").unwrap();
        }
        let t = started();
        fs::write(root.join("a/b/.envrc"), "x").unwrap();
        assert_eq!(taken(&p.check(t, &into), &root), ["a/b/.envrc"]);
    }

    #[test]
    fn a_fresh_init_passes_and_an_fsmonitor_does_not() {
        let d = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(d.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return;
        }
        let config = d.path().join(".git/config");
        let len = fs::metadata(&config).unwrap().len();
        assert_eq!(risky_config(&config, len, &[]), Ok(()));
        fs::write(
            &config,
            "[core]\n\tbare = false\n[CORE \"x\"]\n[Core]\n\tfsMonitor = \"touch /x\"\n",
        )
        .unwrap();
        let len = fs::metadata(&config).unwrap().len();
        let why = risky_config(&config, len, &[]).unwrap_err().to_string();
        assert!(why.contains("core.fsmonitor"), "{why}");
        fs::write(&config, "[core\n\tbroken").unwrap();
        assert!(risky_config(&config, 14, &[]).is_err());
        // `core.worktree`: inside the writable places it passes, outside
        // (`$HOME`, `/`) it does not.
        let inside = [d.path().to_path_buf()];
        fs::write(&config, "[core]\n\tworktree = ..\n").unwrap();
        assert_eq!(risky_config(&config, 30, &inside), Ok(()));
        fs::write(&config, "[core]\n\tworktree = /\n").unwrap();
        assert!(risky_config(&config, 30, &inside).is_err());
    }
}
