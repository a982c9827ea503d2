//! The Landlock ruleset of a confined sandbox: read and execute everywhere
//! but in `deny_read` paths, write only where the mode grants it, no TCP
//! when the network is off, and no reaching outside the sandbox with signals
//! or abstract Unix sockets.
//!
//! # How `deny_read` paths stay unreadable
//!
//! Landlock only grants, so "everything but `~/.ssh`" is said as: list
//! directories everywhere (a `READ_DIR` rule on `/`), and read files and
//! run programs beneath every entry that exists when the command starts in
//! each directory on the way to a `deny_read` path, except the entries on
//! that way and the `deny_read` paths themselves. So for `~/.ssh`, the
//! other entries of `/`, of `/home` and of `$HOME` are readable, `~/.ssh`
//! is not, whether it exists or is created while the command runs, and no
//! mount names it in `/proc/self/mountinfo`. What this costs: an entry
//! created in one of those directories while the command runs is
//! unreadable too, and the names inside a `deny_read` directory can be
//! listed (their content cannot be read).
//!
//! A `deny_read` path inside a writable root cannot be said this way (the
//! root's rule grants reading beneath it), nor one under a directory with
//! more than [`MAX_ENTRIES`] entries: an existing one is masked with a mount
//! (see `mounts.rs`), a missing one is refused, since a file the host
//! created there during the run would be readable.

use std::collections::{BTreeSet, HashMap};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use landlock::{
    Access, AccessFs, AccessNet, CompatLevel, Compatible, PathBeneath, PathFd, RestrictionStatus,
    Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope, ABI,
};

/// The lowest Landlock ABI rampart confines with: ABI 3 is the first that
/// controls truncate(2), without which a file outside the workspace could
/// be emptied.
pub const MIN_ABI: i32 = 3;

/// The newest ABI this build knows how to use.
const TARGET_ABI: ABI = ABI::V7;

/// At most this many entries in one directory on the way to a `deny_read`
/// path get a rule each; a larger directory falls back to a mount mask.
pub(crate) const MAX_ENTRIES: usize = 4096;

/// Where a confined command may read files and run programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Readable {
    /// Everywhere.
    Everywhere,
    /// Only beneath these paths (directories can be listed everywhere).
    Beneath(Vec<PathBuf>),
}

/// Paths and switches the ruleset is made from.
#[derive(Debug, Clone)]
pub(crate) struct LandlockPlan {
    pub(crate) readable: Readable,
    pub(crate) writable: Vec<PathBuf>,
    /// Device files that may be opened for writing (and terminal ioctls).
    pub(crate) devices: Vec<PathBuf>,
    pub(crate) network: bool,
}

/// Why the ruleset could not be put in force.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum LandlockError {
    /// The kernel offers an ABI older than [`MIN_ABI`].
    #[error("this kernel offers Landlock ABI {found}, rampart needs at least {MIN_ABI}")]
    TooOld {
        /// The ABI the kernel reported.
        found: i32,
    },
    /// A rule path could not be opened.
    #[error("cannot open `{}` for a Landlock rule: {source}", path.display())]
    Open {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: landlock::PathFdError,
    },
    /// The kernel refused the ruleset.
    #[error("Landlock refused the ruleset: {0}")]
    Ruleset(#[from] landlock::RulesetError),
    /// An entry to be made readable could not be opened.
    #[error("cannot open `{}` for a Landlock rule: {source}", path.display())]
    Entry {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The ruleset was not enforced at all.
    #[error("Landlock did not enforce the ruleset")]
    NotEnforced,
}

/// How the `deny_read` paths are kept unreadable: by [`Readable`], and by
/// mounts for the ones it cannot cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadPlan {
    pub(crate) readable: Readable,
    /// Existing `deny_read` paths to mask with a mount.
    pub(crate) masked: Vec<PathBuf>,
}

/// `path` with its nearest existing ancestor resolved (symlinks, `..`), so
/// that a missing path under a symlinked `$HOME` is denied where it would
/// really be created.
fn resolve(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = std::fs::canonicalize(at) {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// `path` resolved, and when that is a symlink whose target does not exist
/// (yet), the target too, hop by hop: `~/.aws -> /data/aws` must keep
/// `/data/aws` unreadable, or credentials the host writes through the link
/// during the run could be read there.
fn with_link_targets(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![resolve(path)];
    // As many hops as the kernel follows (MAXSYMLINKS).
    for _ in 0..40 {
        let Some(last) = out.last() else { break };
        let Ok(target) = std::fs::read_link(last) else {
            break;
        };
        let target = last.parent().unwrap_or(Path::new("/")).join(target);
        out.push(resolve(&target));
    }
    out
}

/// One mount of `/proc/self/mountinfo`: its device, the directory of that
/// device it shows, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MountEntry {
    pub(crate) dev: String,
    pub(crate) root: PathBuf,
    pub(crate) point: PathBuf,
}

/// A mountinfo path field: `\NNN` octal escapes (space, tab, newline,
/// backslash) decoded.
fn unescape(field: &str) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let code = b
            .get(i + 1..i + 4)
            .filter(|d| c == b'\\' && d.iter().all(|x| (b'0'..=b'7').contains(x)))
            .and_then(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 8).ok());
        if let Some(code) = code {
            out.push(code);
            i += 4;
        } else {
            out.push(c);
            i += 1;
        }
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// The calling process's mount table (empty when it cannot be read).
fn mount_table() -> Vec<MountEntry> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut f = line.split(' ').skip(2);
            let dev = f.next()?.to_owned();
            let root = unescape(f.next()?);
            let point = unescape(f.next()?);
            Some(MountEntry { dev, root, point })
        })
        .collect()
}

/// The other places `table` shows `path` at: a filesystem mounted twice
/// (a bind mount of `/home` elsewhere) would otherwise let the command read
/// a `deny_read` path by its other name, since Landlock judges paths. Also
/// every mount of a piece of the denied subtree elsewhere.
pub(crate) fn aliases(path: &Path, table: &[MountEntry]) -> Vec<PathBuf> {
    // The mount holding `path`: the deepest mount point above it, the last
    // one listed when several share it (it covers the others).
    let Some((at, holder)) = table
        .iter()
        .enumerate()
        .filter(|(_, m)| path.starts_with(&m.point))
        .max_by_key(|(_, m)| m.point.components().count())
    else {
        return Vec::new();
    };
    let Ok(rest) = path.strip_prefix(&holder.point) else {
        return Vec::new();
    };
    let inner = holder.root.join(rest);
    table
        .iter()
        .enumerate()
        .filter(|(i, m)| *i != at && m.dev == holder.dev)
        .filter_map(|(_, m)| {
            if let Ok(rest) = inner.strip_prefix(&m.root) {
                Some(m.point.join(rest))
            } else if m.root.starts_with(&inner) {
                Some(m.point.clone())
            } else {
                None
            }
        })
        .filter(|a| a != path)
        .collect()
}

/// Why a `[filesystem] deny_read` path cannot be kept unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DenyReadError {
    /// A relative path (it would depend on where the command starts).
    #[error("the deny_read path `{}` is not absolute; write it from `/` or `~/`", .0.display())]
    NotAbsolute(PathBuf),
    /// `..` after a directory that does not exist.
    #[error("the deny_read path `{}` has `..` after a directory that does not exist; write it without `..`", .0.display())]
    DotDotAfterMissing(PathBuf),
    /// A missing path that could be created where it cannot be hidden.
    #[error("the deny_read path `{}` does not exist and {why}, so a file created there while the command runs could not be hidden; create it first (`mkdir -m 700 {}` or an empty file), remove it from `[filesystem] deny_read`, or use a workspace that does not contain it", path.display(), path.display())]
    MissingAndUnhideable {
        /// The path.
        path: PathBuf,
        /// Why it could not be hidden once created.
        why: Unhideable,
    },
}

/// Why a path that appears during the run could not be hidden.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unhideable {
    /// It lies inside a root the command may write.
    #[error("lies inside the writable root `{}`", .0.display())]
    InWritableRoot(PathBuf),
    /// Its directory is too large to list entry by entry.
    #[error("lies in `{}`, which has more than {MAX_ENTRIES} entries", .0.display())]
    InLargeDirectory(PathBuf),
}

/// Plans how the `hidden` paths stay unreadable to a command that may
/// write beneath `writable`. Reads the directories on the way to each
/// hidden path (their entries become the [`Readable::Beneath`] list).
pub(crate) fn plan_reads(
    hidden: &[PathBuf],
    writable: &[PathBuf],
) -> Result<ReadPlan, DenyReadError> {
    let mut masked = Vec::new();
    let mut covered: Vec<PathBuf> = Vec::new();
    let mut sizes: HashMap<PathBuf, usize> = HashMap::new();
    let mut all = Vec::new();
    for h in hidden {
        if !h.is_absolute() {
            return Err(DenyReadError::NotAbsolute(h.clone()));
        }
        all.extend(with_link_targets(h));
    }
    let table = mount_table();
    let more: Vec<PathBuf> = all.iter().flat_map(|h| aliases(h, &table)).collect();
    all.extend(more);
    for h in all {
        // `..` left after resolving means a missing directory before it:
        // what it names depends on what gets created there, and compared
        // as text it would match no entry on the way.
        if h.components().any(|c| c == std::path::Component::ParentDir) {
            return Err(DenyReadError::DotDotAfterMissing(h));
        }
        let exists = std::fs::symlink_metadata(&h).is_ok();
        let blocker = if let Some(w) = writable.iter().find(|w| h.starts_with(w)) {
            Some(Unhideable::InWritableRoot(w.clone()))
        } else {
            h.ancestors().skip(1).find_map(|dir| {
                let n = *sizes.entry(dir.to_path_buf()).or_insert_with(|| {
                    std::fs::read_dir(dir).map_or(0, |d| d.take(MAX_ENTRIES + 1).count())
                });
                (n > MAX_ENTRIES).then(|| Unhideable::InLargeDirectory(dir.to_path_buf()))
            })
        };
        match (blocker, exists) {
            (None, _) => covered.push(h),
            (Some(_), true) => masked.push(h),
            (Some(why), false) => {
                return Err(DenyReadError::MissingAndUnhideable { path: h, why });
            }
        }
    }
    if covered.is_empty() {
        return Ok(ReadPlan {
            readable: Readable::Everywhere,
            masked,
        });
    }
    let denied: BTreeSet<&Path> = covered.iter().map(PathBuf::as_path).collect();
    let inside_denied = |p: &Path| covered.iter().any(|h| p.starts_with(h));
    // The directories on the way to a hidden path, not inside another one.
    let on_the_way: BTreeSet<&Path> = covered
        .iter()
        .flat_map(|h| h.ancestors().skip(1))
        .filter(|a| !inside_denied(a))
        .collect();
    let mut beneath = Vec::new();
    for dir in &on_the_way {
        // A directory that cannot be read (missing, or closed to this
        // user) grants nothing beneath it: the safe side.
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if on_the_way.contains(path.as_path()) || denied.contains(path.as_path()) {
                continue;
            }
            // A symlink is followed at use: what it names is covered (or
            // not) where it lies.
            if entry.file_type().is_ok_and(|t| t.is_symlink()) {
                continue;
            }
            beneath.push(path);
        }
    }
    Ok(ReadPlan {
        readable: Readable::Beneath(beneath),
        masked,
    })
}

/// Opens `path` for a rule without following a final symlink; `None` when
/// it is gone or is a symlink (it was replaced since it was planned).
fn open_entry(path: &Path) -> Result<Option<(OwnedFd, bool)>, LandlockError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => {
            return Ok(None)
        }
        Err(source) => {
            return Err(LandlockError::Entry {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let kind = file
        .metadata()
        .map_err(|source| LandlockError::Entry {
            path: path.to_path_buf(),
            source,
        })?
        .file_type();
    if kind.is_symlink() {
        return Ok(None);
    }
    Ok(Some((OwnedFd::from(file), kind.is_dir())))
}

fn open(path: &Path) -> Result<PathFd, LandlockError> {
    PathFd::new(path).map_err(|source| LandlockError::Open {
        path: path.to_path_buf(),
        source,
    })
}

/// Restricts the calling thread (and its future children) with `plan`.
pub(crate) fn restrict(
    plan: &LandlockPlan,
    abi_found: i32,
) -> Result<RestrictionStatus, LandlockError> {
    if abi_found < MIN_ABI {
        return Err(LandlockError::TooOld { found: abi_found });
    }
    let all = AccessFs::from_all(TARGET_ABI);
    let read = AccessFs::from_read(TARGET_ABI);
    let device = AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::Truncate | AccessFs::IoctlDev;

    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(all)?;
    if !plan.network {
        ruleset = ruleset.handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)?;
    }
    let mut created = ruleset
        .scope(Scope::AbstractUnixSocket | Scope::Signal)?
        .create()?;
    match &plan.readable {
        Readable::Everywhere => {
            created = created.add_rule(PathBeneath::new(open(Path::new("/"))?, read))?;
        }
        Readable::Beneath(paths) => {
            created =
                created.add_rule(PathBeneath::new(open(Path::new("/"))?, AccessFs::ReadDir))?;
            for path in paths {
                let Some((fd, is_dir)) = open_entry(path)? else {
                    continue;
                };
                let access = if is_dir {
                    read
                } else {
                    read & AccessFs::from_file(TARGET_ABI)
                };
                created = created.add_rule(PathBeneath::new(fd, access))?;
            }
        }
    }
    for path in &plan.writable {
        created = created.add_rule(PathBeneath::new(open(path)?, all))?;
    }
    for path in &plan.devices {
        let fd = open(path)?;
        let access = if path.is_dir() {
            device | AccessFs::ReadDir
        } else {
            device
        };
        created = created.add_rule(PathBeneath::new(fd, access))?;
    }
    let status = created.restrict_self()?;
    if status.ruleset == RulesetStatus::NotEnforced {
        return Err(LandlockError::NotEnforced);
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beneath(plan: &ReadPlan) -> Vec<PathBuf> {
        match &plan.readable {
            Readable::Beneath(p) => {
                let mut p = p.clone();
                p.sort();
                p
            }
            Readable::Everywhere => panic!("expected read rules, got everywhere"),
        }
    }

    #[test]
    fn deny_read_paths_get_no_read_rule_and_siblings_do() {
        let t = tempfile::tempdir().unwrap();
        let home = std::fs::canonicalize(t.path()).unwrap().join("home");
        for d in [".ssh", "docs", ".config/gh", ".config/other", "ws"] {
            std::fs::create_dir_all(home.join(d)).unwrap();
        }
        std::fs::write(home.join(".netrc"), "x").unwrap();
        std::os::unix::fs::symlink(home.join(".ssh"), home.join("link")).unwrap();
        let hidden = [".ssh", ".netrc", ".aws", ".config/gh"].map(|h| home.join(h));
        let plan = plan_reads(&hidden, &[home.join("ws")]).unwrap();
        assert!(plan.masked.is_empty());
        let rules = beneath(&plan);
        for allowed in ["docs", "ws", ".config/other"] {
            assert!(rules.contains(&home.join(allowed)), "{allowed}: {rules:?}");
        }
        for denied in [".ssh", ".netrc", ".aws", ".config", ".config/gh", "link"] {
            assert!(
                !rules.iter().any(|r| r == &home.join(denied)),
                "{denied}: {rules:?}"
            );
        }
        // Nothing that holds the home directory gets a recursive read rule.
        assert!(!rules.iter().any(|r| home.starts_with(r)), "{rules:?}");
    }

    #[test]
    fn a_dangling_symlink_keeps_its_target_unreadable() {
        let t = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(t.path()).unwrap();
        let (home, data) = (base.join("home"), base.join("data"));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(data.join("other")).unwrap();
        std::os::unix::fs::symlink(data.join("aws"), home.join(".aws")).unwrap();
        let plan = plan_reads(&[home.join(".aws")], &[]).unwrap();
        let rules = beneath(&plan);
        assert!(
            !rules.iter().any(|r| data.join("aws").starts_with(r)),
            "{rules:?}"
        );
        assert!(rules.contains(&data.join("other")), "{rules:?}");
    }

    #[test]
    fn a_filesystem_mounted_twice_is_denied_by_both_names() {
        let m = |dev: &str, root: &str, point: &str| MountEntry {
            dev: dev.into(),
            root: root.into(),
            point: point.into(),
        };
        let table = [
            m("8:1", "/", "/"),
            m("8:2", "/", "/home"),
            m("8:2", "/u", "/mnt/u"),
            m("8:2", "/u/.ssh", "/srv/keys"),
            m("8:2", "/other", "/mnt/other"),
            m("0:5", "/", "/tmp"),
        ];
        let mut got = aliases(Path::new("/home/u/.ssh"), &table);
        got.sort();
        assert_eq!(
            got,
            vec![PathBuf::from("/mnt/u/.ssh"), PathBuf::from("/srv/keys")]
        );
        assert!(aliases(Path::new("/tmp/x"), &table).is_empty());
        assert_eq!(unescape("/a\\040b"), PathBuf::from("/a b"));
    }

    #[test]
    fn nothing_denied_reads_everywhere() {
        let plan = plan_reads(&[], &[]).unwrap();
        assert_eq!(plan.readable, Readable::Everywhere);
    }

    #[test]
    fn inside_a_writable_root_existing_is_masked_missing_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let ws = std::fs::canonicalize(t.path()).unwrap();
        std::fs::write(ws.join(".env"), "x").unwrap();
        let plan = plan_reads(&[ws.join(".env")], std::slice::from_ref(&ws)).unwrap();
        assert_eq!(plan.masked, vec![ws.join(".env")]);
        assert_eq!(plan.readable, Readable::Everywhere);
        let err = plan_reads(&[ws.join("missing")], std::slice::from_ref(&ws))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("does not exist") && err.contains("mkdir -m 700"),
            "{err}"
        );
        assert!(plan_reads(&[PathBuf::from("relative")], &[]).is_err());
        // `..` after a missing directory would name nothing on the way.
        let err = plan_reads(&[ws.join("missing/../.ssh")], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`..`"), "{err}");
        // After an existing one it resolves.
        std::fs::create_dir(ws.join("there")).unwrap();
        assert!(plan_reads(&[ws.join("there/../.env")], &[]).is_ok());
    }
}
