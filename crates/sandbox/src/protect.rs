//! Protected paths that stay protected when their parents move.
//!
//! A read-only bind mount follows the inode, not the path: a command that
//! may write a protected path's parent could rename the parent away and put
//! a writable look-alike at the old path. So every ancestor of a protected
//! path whose own parent the command can write is bound onto itself: a
//! mount point cannot be renamed or removed (`EBUSY`), and without
//! capabilities it cannot be unmounted.
//!
//! A protected path that does not exist when the command starts (or is a
//! symlink, whose name a bind mount does not hold) cannot be held by a
//! mount, and Landlock grants rights per directory, not per name. Those are
//! watched instead: their identity is recorded before the run (and written
//! to a pending file, so a supervisor killed mid-run is caught by the next
//! start), compared after it, and whatever appeared is moved to the
//! quarantine directory.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, WatchDescriptor};
use rustix::fs::{Mode, OFlags, ResolveFlags};

use crate::{QuarantineError, Quarantined, RunError};

/// A path no mount can hold, with its identity (device, inode) when the
/// run started, if it existed.
pub(crate) type Watched = (PathBuf, Option<(u64, u64)>);

/// What the sandbox does for the protected paths.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ProtectPlan {
    /// Existing protected paths, bound read-only.
    pub(crate) read_only: Vec<PathBuf>,
    /// Ancestors bound onto themselves so they cannot be renamed.
    pub(crate) pinned: Vec<PathBuf>,
    /// Paths no mount can hold, with their identity at the start.
    pub(crate) watched: Vec<(PathBuf, Option<(u64, u64)>)>,
}

/// `path` with its longest existing prefix resolved (symlinks and all), so
/// that a missing path is named under the same canonical parent.
fn resolve_missing(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut cur = path;
    loop {
        if let Ok(c) = fs::canonicalize(cur) {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                cur = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// The identity of `path`, `None` when it is not there; an error when
/// that cannot be told (a directory on the way cannot be searched).
fn present(path: &Path) -> io::Result<Option<(u64, u64)>> {
    match fs::symlink_metadata(path) {
        Ok(m) => Ok(Some((m.dev(), m.ino()))),
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Plans the protection of `protected` (absolute, existing or not) for a
/// command that may write below each of `writable`.
pub(crate) fn plan(protected: &[PathBuf], writable: &[PathBuf]) -> Result<ProtectPlan, RunError> {
    let can_write = |p: &Path| writable.iter().any(|w| p.starts_with(w));
    let mut out = ProtectPlan::default();
    for raw in protected {
        // A symlink on the way (`~/.config -> /data/config`) can be
        // replaced by a real directory where its parent is writable: the
        // mounts below hold the target, so the link itself is watched.
        for a in raw.ancestors().skip(1) {
            let is_link = fs::symlink_metadata(a).is_ok_and(|m| m.file_type().is_symlink());
            let parent_writable = a
                .parent()
                .and_then(|p| fs::canonicalize(p).ok())
                .is_some_and(|p| can_write(&p));
            // Named under its canonical parent: every ancestor of a watched
            // path is then a real directory when the run starts, and a
            // symlink found there afterwards was planted (see `check`).
            let a = match (
                a.parent().and_then(|p| fs::canonicalize(p).ok()),
                a.file_name(),
            ) {
                (Some(p), Some(n)) => p.join(n),
                _ => a.to_path_buf(),
            };
            if is_link && parent_writable && !out.watched.iter().any(|(w, _)| *w == a) {
                let id = identity(&a);
                out.watched.push((a, id));
            }
        }
        let lexical = resolve_missing(raw);
        let meta = fs::symlink_metadata(&lexical);
        let inside = can_write(&lexical);
        match &meta {
            Ok(m) if m.file_type().is_symlink() => {
                if inside {
                    out.watched.push((lexical.clone(), identity(&lexical)));
                }
                if let Ok(target) = fs::canonicalize(&lexical) {
                    if !out.read_only.contains(&target) {
                        out.read_only.push(target);
                    }
                }
            }
            Ok(m) => {
                if m.is_file() && m.nlink() > 1 && inside {
                    return Err(RunError::Invalid(format!(
                        "protected file `{}` has {} hard links, so a write through another link would change it; replace it with a copy of itself (`cp --remove-destination`)",
                        lexical.display(),
                        m.nlink()
                    )));
                }
                if !out.read_only.contains(&lexical) {
                    out.read_only.push(lexical.clone());
                }
            }
            Err(_) => {
                if inside {
                    out.watched.push((lexical.clone(), None));
                }
            }
        }
        // Pin every existing ancestor whose parent the command can write.
        for a in lexical.ancestors().skip(1) {
            let Some(parent) = a.parent() else { break };
            if can_write(parent)
                && fs::symlink_metadata(a).is_ok_and(|m| m.is_dir())
                && !out.pinned.iter().any(|p| p == a)
            {
                out.pinned.push(a.to_path_buf());
            }
        }
    }
    out.pinned.retain(|p| !out.read_only.contains(p));
    out.pinned.sort_by_key(|p| p.components().count());
    out.read_only.sort_by_key(|p| p.components().count());
    Ok(out)
}

/// Version 2: every path in a record is named under its canonical parent,
/// so a symlink above one was planted (see `check`). Records of version 1
/// could name a path below a legitimate symlink (`/home -> /data/home`)
/// and are not read.
const PENDING_PREFIX: &str = "pending2-";

fn encode(watched: &[(PathBuf, Option<(u64, u64)>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, id) in watched {
        match id {
            Some((dev, ino)) => out.extend_from_slice(format!("{dev}:{ino}").as_bytes()),
            None => out.push(b'-'),
        }
        out.push(0);
        out.extend_from_slice(path.as_os_str().as_bytes());
        out.push(0);
    }
    out
}

/// A stable digest of what the resumable git states of a git directory
/// would run (see [`crate::git::resumable_programs`]).
fn resumable_digest(git_dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut items = crate::git::resumable_programs(git_dir);
    items.sort();
    let mut h = std::hash::DefaultHasher::new();
    items.hash(&mut h);
    h.finish()
}

/// The pending record's entries for writable git directories: `r<digest>`
/// and the directory.
fn encode_resumable(git_dirs: &[PathBuf]) -> Vec<u8> {
    let mut out = Vec::new();
    for dir in git_dirs {
        out.extend_from_slice(format!("r{:016x}", resumable_digest(dir)).as_bytes());
        out.push(0);
        out.extend_from_slice(dir.as_os_str().as_bytes());
        out.push(0);
    }
    out
}

/// The git directories of a pending record whose resumable states changed
/// since it was written.
fn decode_resumable(bytes: &[u8]) -> Vec<PathBuf> {
    let mut parts = bytes.split(|&b| b == 0);
    let mut out = Vec::new();
    while let (Some(id), Some(path)) = (parts.next(), parts.next()) {
        let Some(digest) = id
            .strip_prefix(b"r")
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u64::from_str_radix(d, 16).ok())
        else {
            continue;
        };
        let dir = PathBuf::from(std::ffi::OsStr::from_bytes(path));
        if resumable_digest(&dir) != digest {
            out.push(dir);
        }
    }
    out
}

fn decode(bytes: &[u8]) -> Vec<(PathBuf, Option<(u64, u64)>)> {
    let mut parts = bytes.split(|&b| b == 0);
    let mut out = Vec::new();
    while let (Some(id), Some(path)) = (parts.next(), parts.next()) {
        if path.is_empty() {
            break;
        }
        if id.first() == Some(&b'r') {
            continue;
        }
        let id = std::str::from_utf8(id).ok().and_then(|s| {
            let (d, i) = s.split_once(':')?;
            Some((d.parse().ok()?, i.parse().ok()?))
        });
        out.push((PathBuf::from(std::ffi::OsStr::from_bytes(path)), id));
    }
    out
}

/// The pending records live beside the quarantine directory (which is
/// made only when something is quarantined), as `<name>-pending-<pid>`.
fn pending_prefix(quarantine: &Path) -> (PathBuf, String) {
    let parent = quarantine.parent().unwrap_or(Path::new("/")).to_path_buf();
    let name = quarantine
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (parent, format!("{name}-{PENDING_PREFIX}"))
}

/// Records `watched` beside `quarantine` before the run, so that a
/// supervisor killed mid-run leaves a trace the next start checks. Returns
/// the file.
pub(crate) fn write_pending(
    quarantine: &Path,
    watched: &[(PathBuf, Option<(u64, u64)>)],
    git_dirs: &[PathBuf],
) -> io::Result<PathBuf> {
    let (dir, prefix) = pending_prefix(quarantine);
    let file = dir.join(format!("{prefix}{}", std::process::id()));
    let mut record = encode(watched);
    record.extend(encode_resumable(git_dirs));
    fs::write(&file, record)?;
    Ok(file)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Moves `path` out of the way: into `quarantine` when it can (same
/// filesystem), else beside itself under a name nothing reads.
fn quarantine_one(path: &Path, quarantine: &Path) -> io::Result<PathBuf> {
    // The random part keeps the command from guessing the fallback name
    // and planting a non-empty directory there to make the move fail.
    let random = {
        use std::hash::{BuildHasher, Hasher};
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    };
    let stamp = format!("{}-{}-{random:016x}", now_secs(), std::process::id());
    let flat: String = path
        .to_string_lossy()
        .trim_start_matches('/')
        .replace('/', "%");
    let dir = quarantine.join(&stamp);
    {
        use std::os::unix::fs::DirBuilderExt;
        let _ = fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir);
    }
    let into = dir.join(&flat);
    // The parent is opened without following any symlink, and the entry is
    // moved relative to it: a command still running (see [`Live`]) that
    // swaps a directory on the way for a symlink between the check and the
    // move gets `ELOOP`, never the supervisor moving the link's target.
    match move_out(path, &into, &stamp) {
        // The command took its own write (or search) permission off a
        // directory on the way (`chmod 555 .cargo` after writing
        // `.cargo/config.toml`), which stops this supervisor when it runs
        // as the same unprivileged user: give the owner its rights back on
        // the way, then move.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM)) => {
            unlock_chain(path);
            move_out(path, &into, &stamp)
        }
        r => r,
    }
}

/// Gives the owner read, write and search rights back on `path` (when it
/// is a directory) and every directory above it that this process owns
/// and that lacks one of them. Nothing is followed: each is opened with
/// `O_PATH` without resolving symlinks, and changed through that handle.
fn unlock_chain(path: &Path) {
    let me = nix::unistd::geteuid().as_raw();
    let mut chain: Vec<&Path> = path.ancestors().collect();
    chain.reverse();
    for a in chain {
        let Ok(fd) = rustix::fs::openat2(
            rustix::fs::CWD,
            a,
            OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
            ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
        ) else {
            return;
        };
        let Ok(st) = rustix::fs::fstat(&fd) else {
            return;
        };
        let mode = st.st_mode & 0o7777;
        let is_dir =
            rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Directory;
        if is_dir && st.st_uid == me && mode & 0o700 != 0o700 {
            use std::os::fd::AsRawFd;
            use std::os::unix::fs::PermissionsExt;
            let handle = format!("/proc/self/fd/{}", fd.as_raw_fd());
            let _ = fs::set_permissions(handle, fs::Permissions::from_mode(mode | 0o700));
        }
    }
}

/// At most how many directories [`unlock_tree`] looks at.
const UNLOCK_DIRS: usize = 65_536;

/// Gives the owner read, write and search rights back on every directory
/// below each of `dirs` (themselves included) that this process owns and
/// that lacks one of them, and read rights on every such file; symlinks
/// are not followed. Called after the
/// run, once nothing inside can race it, so that the checks of a writable
/// git directory see all of it: a supervisor running as the command's
/// user could not read a `chmod 000 .git/rebase-merge`.
pub(crate) fn unlock_tree(dirs: &[PathBuf]) {
    use std::os::unix::fs::PermissionsExt;
    let me = nix::unistd::geteuid().as_raw();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        seen += 1;
        if seen > UNLOCK_DIRS {
            return;
        }
        let Ok(m) = fs::symlink_metadata(&dir) else {
            continue;
        };
        if !m.is_dir() {
            continue;
        }
        let mode = m.mode() & 0o7777;
        if m.uid() == me && mode & 0o700 != 0o700 {
            let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(mode | 0o700));
        }
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                // A file the owner cannot read (`chmod 000 git-rebase-todo`,
                // `packed-refs`, `index`) is made readable to it.
                let Ok(m) = e.metadata() else { continue };
                let mode = m.mode() & 0o7777;
                if m.uid() == me && mode & 0o400 == 0 {
                    let _ = fs::set_permissions(e.path(), fs::Permissions::from_mode(mode | 0o400));
                }
            }
        }
    }
}

/// Moves `path` to `into`, or beside itself (see [`quarantine_one`]).
fn move_out(path: &Path, into: &Path, stamp: &str) -> io::Result<PathBuf> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(io::Error::other("a protected path has a parent and a name"));
    };
    let parent_fd = rustix::fs::openat2(
        rustix::fs::CWD,
        parent,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
    )?;
    if rustix::fs::renameat(&parent_fd, name, rustix::fs::CWD, into).is_ok() {
        return Ok(into.to_path_buf());
    }
    let mut beside = name.to_os_string();
    beside.push(format!(".rampart-quarantine-{stamp}"));
    rustix::fs::renameat(&parent_fd, name, &parent_fd, beside.as_os_str())?;
    Ok(parent.join(beside))
}

/// [`quarantine_safely`] for the other modules.
pub(crate) fn quarantine_path(
    path: &Path,
    quarantine: &Path,
) -> (PathBuf, Result<PathBuf, QuarantineError>) {
    quarantine_safely(path, quarantine)
}

/// Quarantines `path`, or the symlink planted above it if one appears
/// while the move is attempted. Returns what was moved.
fn quarantine_safely(
    path: &Path,
    quarantine: &Path,
) -> (PathBuf, Result<PathBuf, QuarantineError>) {
    let mut target = path.to_path_buf();
    for _ in 0..8 {
        match quarantine_one(&target, quarantine) {
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => match planted_link(&target) {
                Some(link) => target = link,
                None => return (target, Err(e.into())),
            },
            r => return (target, r.map_err(QuarantineError::from)),
        }
    }
    (target, Err(QuarantineError::KeptChanging))
}

/// The outermost strict ancestor of `path` that is a symlink now.
fn planted_link(path: &Path) -> Option<PathBuf> {
    let mut ancestors: Vec<&Path> = path.ancestors().skip(1).collect();
    ancestors.reverse();
    ancestors
        .into_iter()
        .find(|a| fs::symlink_metadata(a).is_ok_and(|m| m.file_type().is_symlink()))
        .map(Path::to_path_buf)
}

/// Quarantines `paths`, which appeared during the run (a symlink planted
/// above one is taken instead, as [`check`] does).
pub(crate) fn quarantine_new(paths: Vec<PathBuf>, quarantine: &Path) -> Vec<Quarantined> {
    let watched: Vec<Watched> = paths.into_iter().map(|p| (p, None)).collect();
    check(&watched, quarantine)
}

/// Compares `watched` with what is there now and quarantines every path
/// that appeared or was replaced.
pub(crate) fn check(
    watched: &[(PathBuf, Option<(u64, u64)>)],
    quarantine: &Path,
) -> Vec<Quarantined> {
    let mut out: Vec<Quarantined> = Vec::new();
    let take = |p: PathBuf, out: &mut Vec<Quarantined>| {
        if out.iter().any(|q| q.path == p) {
            return;
        }
        let (path, moved_to) = quarantine_safely(&p, quarantine);
        out.push(Quarantined {
            path,
            moved_to,
            why: None,
            routine: false,
        });
    };
    for (path, before) in watched {
        // A watched path's ancestors were real directories (or missing)
        // when the run started. A symlink there now was planted by the
        // command (`.cargo -> ~/.ssh`): following it would make this
        // supervisor, which runs outside the sandbox, move a file the
        // command could not touch (`~/.ssh/config`). The link itself is
        // what appeared, so it is what gets quarantined.
        if let Some(link) = planted_link(path) {
            take(link, &mut out);
            continue;
        }
        // What is there cannot be looked at, though the command could look
        // (it took the rights off a directory it made: `chmod 000 .cargo`
        // over `.cargo/config.toml`, to chmod it back in a later run, when
        // the file counts as the user's): give the owner its rights back
        // and look again; still unknown is taken away.
        let now = present(path).or_else(|_| {
            unlock_chain(path);
            present(path)
        });
        let Ok(now) = now else {
            take(path.clone(), &mut out);
            continue;
        };
        if now.is_none() || now == *before {
            continue;
        }
        take(path.clone(), &mut out);
    }
    out
}

/// A symlink (or FIFO, device node) found in a writable git
/// directory: where, and its identity.
pub(crate) type Link = (PathBuf, (u64, u64));

/// Every symlink, FIFO or device node below each of `dirs`, none followed.
/// Sockets are left out: `open(2)` of one fails at once, and git's own
/// fsmonitor daemon makes one in `.git`.
pub(crate) fn symlinks_below(dirs: &[PathBuf]) -> Vec<Link> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(t) = entry.file_type() else { continue };
            if t.is_symlink() || t.is_fifo() || t.is_char_device() || t.is_block_device() {
                let path = entry.path();
                if let Some(id) = identity(&path) {
                    out.push((path, id));
                }
            } else if t.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    out
}

/// Quarantines every symlink (FIFO, device node) below `dirs`
/// that is not in `before`. Host git opens some files of its git directory
/// following symlinks (it appends to `logs/HEAD`, rewrites
/// `COMMIT_EDITMSG` and `FETCH_HEAD`), so a symlink planted there
/// (`logs/HEAD -> ~/.bashrc`) would make the next `git commit` on the host
/// write a file the command could not touch; a FIFO at `index` would hang
/// every host `git status`.
pub(crate) fn new_symlinks(
    dirs: &[PathBuf],
    before: &[Link],
    quarantine: &Path,
) -> Vec<Quarantined> {
    symlinks_below(dirs)
        .into_iter()
        .filter(|link| !before.contains(link))
        .map(|(path, _)| {
            let (path, moved_to) = quarantine_safely(&path, quarantine);
            Quarantined {
                path,
                moved_to,
                why: None,
                routine: false,
            }
        })
        .collect()
}

/// Watches the directories where protected paths could appear while the
/// command runs, and quarantines them the moment they do, so that a host
/// program running at the same time (a shell prompt's `git status`, an
/// editor reading `.vscode/`, direnv) does not find them. What is left is
/// the time between the kernel's event and the move (microseconds), and
/// the check after the run still catches whatever the watch missed.
pub(crate) struct Live {
    inotify: Inotify,
    watched: Vec<Watched>,
    quarantine: PathBuf,
    /// For each watch, the names in that directory that lead to a watched
    /// path: only events about them trigger a check.
    interest: HashMap<WatchDescriptor, HashSet<OsString>>,
    pub(crate) found: Vec<Quarantined>,
}

impl Live {
    /// `None` when nothing is watched, or inotify is unavailable (the
    /// check after the run still holds; a warning says so).
    pub(crate) fn new(watched: &[Watched], quarantine: &Path) -> Option<Self> {
        if watched.is_empty() {
            return None;
        }
        let inotify = match Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC) {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(
                    "cannot watch protected paths while the command runs ({e}); they are checked after it"
                );
                return None;
            }
        };
        let mut live = Self {
            inotify,
            watched: watched.to_vec(),
            quarantine: quarantine.to_path_buf(),
            interest: HashMap::new(),
            found: Vec::new(),
        };
        live.arm();
        Some(live)
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.inotify.as_fd()
    }

    /// Watches the nearest existing directory above each watched path.
    /// Returns whether a new watch was added.
    fn arm(&mut self) -> bool {
        let flags = AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_DELETE_SELF
            | AddWatchFlags::IN_MOVE_SELF
            | AddWatchFlags::IN_ONLYDIR
            | AddWatchFlags::IN_DONT_FOLLOW;
        let mut added = false;
        for (path, _) in &self.watched {
            let mut next = path.as_path();
            for dir in path.ancestors().skip(1) {
                let is_dir = fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir());
                if is_dir {
                    if let (Ok(wd), Some(name)) =
                        (self.inotify.add_watch(dir, flags), next.file_name())
                    {
                        added |= self
                            .interest
                            .entry(wd)
                            .or_default()
                            .insert(name.to_os_string());
                    }
                    break;
                }
                next = dir;
            }
        }
        added
    }

    /// Reads what the kernel reported; checks and quarantines when an
    /// event names a path on the way to a watched one.
    pub(crate) fn on_ready(&mut self) {
        let mut relevant = false;
        while let Ok(events) = self.inotify.read_events() {
            if events.is_empty() {
                break;
            }
            for e in events {
                relevant |= e.mask.intersects(
                    AddWatchFlags::IN_Q_OVERFLOW
                        | AddWatchFlags::IN_DELETE_SELF
                        | AddWatchFlags::IN_MOVE_SELF
                        | AddWatchFlags::IN_IGNORED,
                ) || e
                    .name
                    .as_ref()
                    .is_some_and(|n| self.interest.get(&e.wd).is_some_and(|s| s.contains(n)));
            }
        }
        if relevant {
            self.sweep();
        }
    }

    /// Checks, then watches deeper where a directory on the way appeared,
    /// and checks again until no new watch was needed: a path created
    /// before its directory's watch existed is seen by the next check.
    fn sweep(&mut self) {
        for _ in 0..16 {
            let found = check(&self.watched, &self.quarantine);
            for q in found {
                if !self
                    .found
                    .iter()
                    .any(|f| f.path == q.path && f.moved_to == q.moved_to)
                {
                    self.found.push(q);
                }
            }
            if !self.arm() {
                break;
            }
        }
    }
}

/// Quarantines each resumable git state of `found` (state directory, the
/// line that would run a program), saying why.
pub(crate) fn quarantine_resumable(
    found: &[(PathBuf, String)],
    quarantine: &Path,
) -> Vec<Quarantined> {
    let mut out: Vec<Quarantined> = Vec::new();
    for (dir, line) in found {
        if out.iter().any(|q| q.path == *dir) {
            continue;
        }
        // A stopped rebase works on a detached HEAD and leaves the branch
        // as it was: name it, since git forgets it with the state.
        let branch = crate::safe_read::read_text(&dir.join("head-name"), crate::safe_read::SMALL)
            .ok()
            .map(|h| h.trim().trim_start_matches("refs/heads/").to_string())
            .filter(|b| !b.is_empty() && b != "detached HEAD");
        let back = match branch {
            Some(b) => format!(
                "the branch is as it was before the rebase: `git switch {b}` and start it again"
            ),
            None => "git no longer sees the operation in progress: start it again".to_string(),
        };
        let (path, moved_to) = quarantine_safely(dir, quarantine);
        out.push(Quarantined {
            path,
            moved_to,
            why: Some(format!(
                "git would run a program the command chose at the next `--continue` (`{line}`); {back}"
            )),
            routine: false,
        });
    }
    out
}

/// Takes out the replace refs of the git directory `dir` that are not in
/// `before` (see [`crate::git::replace_refs`]): a loose one is quarantined,
/// a line of `packed-refs` removed (the file as the command left it is
/// copied to the quarantine first). A replace ref makes host git show
/// other content for an object wherever it reads it (`git show`, `git
/// diff`, a checkout), so review sees a harmless file while a push sends
/// another.
pub(crate) fn drop_replace_refs(
    dir: &Path,
    before: &[String],
    quarantine: &Path,
) -> Vec<Quarantined> {
    let why = |name: &str| {
        Some(format!(
            "the replace ref `{name}` would make git show other content for a commit than it holds (`git --no-replace-objects` shows the truth)"
        ))
    };
    let mut out = Vec::new();
    let mut packed_names = Vec::new();
    for entry in crate::git::replace_refs(dir) {
        if before.contains(&entry) {
            continue;
        }
        let name = entry.split(' ').next().unwrap_or_default().to_owned();
        let loose = dir.join(&name);
        if fs::symlink_metadata(&loose).is_ok() {
            let (path, moved_to) = quarantine_safely(&loose, quarantine);
            out.push(Quarantined {
                path,
                moved_to,
                why: why(&name),
                routine: false,
            });
        } else {
            packed_names.push(name);
        }
    }
    if packed_names.is_empty() {
        return out;
    }
    let packed = dir.join("packed-refs");
    let result = (|| -> io::Result<PathBuf> {
        let text = crate::safe_read::read_text(&packed, 1 << 30)?;
        let mut kept = String::new();
        let mut dropping = false;
        for line in text.lines() {
            if line.starts_with('^') && dropping {
                continue;
            }
            dropping = line
                .split_once(' ')
                .is_some_and(|(_, n)| packed_names.iter().any(|p| p == n));
            if !dropping {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        let copy_dir = quarantine.join(format!("{}-{}-refs", now_secs(), std::process::id()));
        {
            use std::os::unix::fs::DirBuilderExt;
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&copy_dir)?;
        }
        let copy = copy_dir.join("packed-refs");
        fs::write(&copy, &text)?;
        let tmp = dir.join(format!("packed-refs.rampart-{}", std::process::id()));
        fs::write(&tmp, kept)?;
        fs::rename(&tmp, &packed).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })?;
        Ok(copy)
    })();
    out.push(Quarantined {
        path: packed,
        moved_to: result.map_err(QuarantineError::from),
        why: why(&packed_names.join("`, `")).map(|w| {
            format!("{w}; its line was taken out of `packed-refs`, and the file as the command left it is what the quarantine holds")
        }),
        routine: false,
    });
    out
}

/// Checks the pending files that runs whose supervisor died left in
/// `quarantine`, and quarantines what appeared since. Files of runs still
/// alive are left alone.
pub fn recover_pending(quarantine: &Path) -> Vec<Quarantined> {
    let (dir, prefix) = pending_prefix(quarantine);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix.as_str()))
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let alive = pid == i32::try_from(std::process::id()).unwrap_or(0)
            || nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
        if alive {
            continue;
        }
        let Ok(bytes) = crate::safe_read::read_regular(&entry.path(), crate::safe_read::SMALL)
        else {
            continue;
        };
        out.extend(check(&decode(&bytes), quarantine));
        for git_dir in decode_resumable(&bytes) {
            let states: Vec<(PathBuf, String)> = crate::git::resumable_programs(&git_dir);
            out.extend(quarantine_resumable(&states, quarantine));
        }
        let _ = fs::remove_file(entry.path());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarantine_errors_compare_by_what_they_say() {
        let exdev = || QuarantineError::from(std::io::Error::from_raw_os_error(libc::EXDEV));
        assert_eq!(exdev(), exdev());
        assert_ne!(exdev(), QuarantineError::KeptChanging);
        assert_eq!(
            QuarantineError::KeptChanging.to_string(),
            "the path kept changing under the move"
        );
    }

    #[test]
    fn ancestors_with_a_writable_parent_are_pinned() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        let ws = base.join("ws");
        fs::create_dir_all(ws.join(".git/hooks")).unwrap();
        fs::create_dir_all(base.join("home/.config/rampart")).unwrap();
        let p = plan(
            &[
                ws.join(".git/hooks"),
                ws.join(".mcp.json"),
                base.join("home/.config/rampart"),
            ],
            std::slice::from_ref(&base),
        )
        .unwrap();
        assert_eq!(
            p.read_only,
            vec![ws.join(".git/hooks"), base.join("home/.config/rampart")]
        );
        assert_eq!(
            p.pinned,
            vec![
                ws.clone(),
                base.join("home"),
                ws.join(".git"),
                base.join("home/.config")
            ]
        );
        assert_eq!(p.watched, vec![(ws.join(".mcp.json"), None)]);
    }

    #[test]
    fn a_symlinked_ancestor_in_a_writable_parent_is_watched() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        fs::create_dir_all(base.join("data/rampart")).unwrap();
        fs::create_dir_all(base.join("home")).unwrap();
        std::os::unix::fs::symlink(base.join("data"), base.join("home/.config")).unwrap();
        let p = plan(
            &[base.join("home/.config/rampart")],
            std::slice::from_ref(&base.join("home")),
        )
        .unwrap();
        assert_eq!(p.read_only, vec![base.join("data/rampart")]);
        let link = base.join("home/.config");
        assert_eq!(p.watched, vec![(link.clone(), identity(&link))]);
    }

    #[test]
    fn hard_linked_protected_files_are_refused() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        fs::write(base.join("a"), "x").unwrap();
        fs::hard_link(base.join("a"), base.join("rampart.toml")).unwrap();
        let e = plan(&[base.join("rampart.toml")], std::slice::from_ref(&base)).unwrap_err();
        assert!(e.to_string().contains("hard links"), "{e}");
    }

    #[test]
    fn created_paths_are_quarantined_and_pending_files_recovered() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        let q = base.join("state/q");
        fs::create_dir_all(base.join("state")).unwrap();
        let watched = vec![(base.join(".mcp.json"), None), (base.join(".envrc"), None)];
        let pending = write_pending(&q, &watched, &[]).unwrap();
        fs::write(base.join(".mcp.json"), "{}").unwrap();
        // This process is alive: its pending file is left alone.
        assert!(recover_pending(&q).is_empty());
        let found = check(&decode(&fs::read(&pending).unwrap()), &q);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, base.join(".mcp.json"));
        let moved = found[0].moved_to.as_ref().unwrap();
        assert_eq!(fs::read_to_string(moved).unwrap(), "{}");
        assert!(!base.join(".mcp.json").exists());
    }

    #[test]
    fn a_planted_symlinked_parent_is_quarantined_not_followed() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        fs::create_dir_all(base.join("ws")).unwrap();
        fs::create_dir_all(base.join("victim")).unwrap();
        fs::write(base.join("victim/config.toml"), "keep").unwrap();
        let watched = vec![
            (base.join("ws/.cargo/config.toml"), None),
            (base.join("ws/.cargo/config"), None),
        ];
        std::os::unix::fs::symlink(base.join("victim"), base.join("ws/.cargo")).unwrap();
        let found = check(&watched, &base.join("state/q"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, base.join("ws/.cargo"));
        assert!(fs::symlink_metadata(base.join("ws/.cargo")).is_err());
        assert_eq!(
            fs::read_to_string(base.join("victim/config.toml")).unwrap(),
            "keep"
        );
    }

    /// A command still running can swap a directory on the way for a
    /// symlink between the check and the move: the move must take the
    /// link, never what it points to.
    #[test]
    fn a_symlink_swapped_in_before_the_move_is_taken_not_followed() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        fs::create_dir_all(base.join("ws")).unwrap();
        fs::create_dir_all(base.join("victim")).unwrap();
        fs::write(base.join("victim/settings.json"), "keep").unwrap();
        std::os::unix::fs::symlink(base.join("victim"), base.join("ws/.claude")).unwrap();
        let q = base.join("state/q");
        let e = quarantine_one(&base.join("ws/.claude/settings.json"), &q).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ELOOP), "{e}");
        let (taken, moved) = quarantine_safely(&base.join("ws/.claude/settings.json"), &q);
        assert_eq!(taken, base.join("ws/.claude"));
        assert!(moved.is_ok(), "{moved:?}");
        assert_eq!(
            fs::read_to_string(base.join("victim/settings.json")).unwrap(),
            "keep",
            "sandbox breached: the quarantine followed a planted symlink"
        );
    }

    #[test]
    fn live_watch_quarantines_a_path_when_it_appears() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        fs::create_dir_all(base.join("ws")).unwrap();
        let q = base.join("state/q");
        let cfg = base.join("ws/.cargo/config.toml");
        let mut live =
            Live::new(&[(cfg.clone(), None), (base.join("ws/.envrc"), None)], &q).unwrap();
        // A directory on the way first, then the file in it: the watch
        // follows the directory down.
        fs::create_dir(base.join("ws/.cargo")).unwrap();
        live.on_ready();
        fs::write(&cfg, "evil").unwrap();
        live.on_ready();
        assert_eq!(live.found.len(), 1, "{:?}", live.found);
        assert!(
            !cfg.exists(),
            "sandbox breached: `.cargo/config.toml` stayed"
        );
        // Ordinary names in the same directories do not trigger anything.
        fs::write(base.join("ws/notes.txt"), "ok").unwrap();
        fs::write(base.join("ws/.cargo/other.toml"), "ok").unwrap();
        live.on_ready();
        assert_eq!(live.found.len(), 1);
        assert!(base.join("ws/notes.txt").exists());
    }

    /// Across filesystems (a workspace under a tmpfs `/tmp`, the state dir
    /// in `$HOME`) the quarantine falls back to a name beside the path. A
    /// command that guessed that name (time and supervisor pid) and made a
    /// non-empty directory there must not make the move fail and keep its
    /// `.claude/` in place.
    #[test]
    fn a_guessed_fallback_name_does_not_keep_the_created_path() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        let ws = base.join("ws");
        fs::create_dir_all(ws.join(".claude")).unwrap();
        fs::write(ws.join(".claude/settings.json"), "{}").unwrap();
        let now = now_secs();
        for secs in now..now + 3 {
            let decoy = ws.join(format!(
                ".claude.rampart-quarantine-{secs}-{}",
                std::process::id()
            ));
            fs::create_dir_all(decoy.join("full")).unwrap();
        }
        // No quarantine directory can be made under a regular file.
        fs::write(base.join("state"), "").unwrap();
        let found = check(&[(ws.join(".claude"), None)], &base.join("state/q"));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].moved_to.is_ok() && !ws.join(".claude").exists(),
            "sandbox breached: a decoy at the guessed fallback name kept `.claude` in place: {:?}",
            found[0].moved_to
        );
    }
}
