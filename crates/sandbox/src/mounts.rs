//! The sandbox's private view of the filesystem, set up by its init process
//! inside the new mount namespace: nothing here reaches the host's mounts.

use std::fs;
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;
use nix::mount::{mount, MsFlags};
use nix::sys::statvfs::{statvfs, FsFlags};

use crate::sys;

/// Mounts made inside the sandbox, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct MountPlan {
    /// Where the command may write: the whole tree is made read-only first
    /// (so that what Landlock cannot stop, `chmod`, `utimes` and `setxattr`
    /// on files the command owns, cannot reach the host outside these), then
    /// each of these is bound back writable.
    pub(crate) writable: Vec<PathBuf>,
    /// Bound read-only over themselves (`.git` and its guarded entries).
    pub(crate) read_only: Vec<PathBuf>,
    /// Bound over themselves so they cannot be renamed or replaced.
    pub(crate) pinned: Vec<PathBuf>,
    /// Hidden: an empty, unreadable directory or file is mounted over each.
    pub(crate) hidden: Vec<PathBuf>,
    /// A private, empty `/tmp` (read-only mode).
    pub(crate) private_tmp: bool,
    /// Paths under `/tmp` that stay visible (read-only) inside the private
    /// `/tmp`: the workspace when it lives there.
    pub(crate) keep_in_tmp: Vec<PathBuf>,
}

/// Device nodes the private `/dev` keeps from the host.
pub(crate) const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom", "tty"];

/// Why a mount failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot {what} `{}`: {source}", path.display())]
pub(crate) struct MountError {
    what: &'static str,
    path: PathBuf,
    source: io::Error,
}

fn err<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(nix::Error) -> MountError + 'a {
    move |e| MountError {
        what,
        path: path.to_path_buf(),
        source: io::Error::from(e),
    }
}

const NONE: Option<&str> = None;

/// Flags of the mount holding `path` that an unprivileged remount must keep:
/// the kernel refuses to clear them from inside a user namespace.
fn locked_flags(path: &Path) -> MsFlags {
    let Ok(st) = statvfs(path) else {
        return MsFlags::empty();
    };
    let f = st.flags();
    let mut out = MsFlags::empty();
    for (fs_flag, ms_flag) in [
        (FsFlags::ST_NOSUID, MsFlags::MS_NOSUID),
        (FsFlags::ST_NODEV, MsFlags::MS_NODEV),
        (FsFlags::ST_NOEXEC, MsFlags::MS_NOEXEC),
        (FsFlags::ST_NOATIME, MsFlags::MS_NOATIME),
        (FsFlags::ST_NODIRATIME, MsFlags::MS_NODIRATIME),
        (FsFlags::ST_RELATIME, MsFlags::MS_RELATIME),
    ] {
        if f.contains(fs_flag) {
            out |= ms_flag;
        }
    }
    out
}

fn bind(path: &Path, read_only: bool) -> Result<(), MountError> {
    mount(
        Some(path),
        path,
        NONE,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        NONE,
    )
    .map_err(err("bind", path))?;
    if read_only {
        let flags =
            MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | locked_flags(path);
        mount(NONE, path, NONE, flags, NONE).map_err(err("make read-only", path))?;
    }
    Ok(())
}

/// Binds `path` over itself and makes the bind writable again, with the
/// mounts beneath it; one of those the host mounted read-only stays so.
fn writable_again(path: &Path) -> Result<(), MountError> {
    mount(
        Some(path),
        path,
        NONE,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        NONE,
    )
    .map_err(err("bind", path))?;
    sys::mount_setattr(path, true, 0, sys::MOUNT_ATTR_RDONLY)
        .or_else(|_| sys::mount_setattr(path, false, 0, sys::MOUNT_ATTR_RDONLY))
        .or_else(|e| {
            // The host mounted the root itself read-only (the kernel keeps
            // that lock inside a user namespace): it stays read-only, the
            // safe side, as it was before the sandbox.
            if e.raw_os_error() == Some(libc::EPERM) {
                Ok(())
            } else {
                Err(e)
            }
        })
        .map_err(|source| MountError {
            what: "make writable",
            path: path.to_path_buf(),
            source,
        })
}

fn tmpfs(path: &Path, flags: MsFlags, options: &str) -> Result<(), MountError> {
    mount(
        Some("tmpfs"),
        path,
        Some("tmpfs"),
        flags | MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(options),
    )
    .map_err(err("mount a tmpfs on", path))
}

fn io_err<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> MountError + 'a {
    move |source| MountError {
        what,
        path: path.to_path_buf(),
        source,
    }
}

fn private_dev() -> Result<(), MountError> {
    let dev = Path::new("/dev");
    // Hold the host nodes by O_PATH descriptors before /dev is covered.
    let mut nodes = Vec::new();
    for name in DEVICES {
        let path = dev.join(name);
        match nix::fcntl::open(
            &path,
            OFlag::O_PATH | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        ) {
            Ok(fd) => nodes.push((path, fd)),
            Err(nix::errno::Errno::ENOENT) => {}
            Err(e) => return Err(err("open", &path)(e)),
        }
    }
    tmpfs(dev, MsFlags::MS_NOEXEC, "mode=0755")?;
    for (path, fd) in &nodes {
        let fd: &std::os::fd::RawFd = fd;
        fs::File::create(path).map_err(io_err("create", path))?;
        let source = PathBuf::from(format!("/proc/self/fd/{fd}"));
        mount(Some(&source), path.as_path(), NONE, MsFlags::MS_BIND, NONE)
            .map_err(err("bind a device onto", path))?;
        let _ = nix::unistd::close(*fd);
    }
    for (link, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("ptmx", "pts/ptmx"),
    ] {
        let path = dev.join(link);
        std::os::unix::fs::symlink(target, &path).map_err(io_err("link", &path))?;
    }
    let pts = dev.join("pts");
    fs::create_dir(&pts).map_err(io_err("create", &pts))?;
    mount(
        Some("devpts"),
        pts.as_path(),
        Some("devpts"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
        Some("newinstance,ptmxmode=0666,mode=0620"),
    )
    .map_err(err("mount a devpts instance on", &pts))?;
    let shm = dev.join("shm");
    fs::create_dir(&shm).map_err(io_err("create", &shm))?;
    tmpfs(&shm, MsFlags::empty(), "mode=1777")?;
    Ok(())
}

/// A private `/tmp`: an overlay whose lower layer is the host's `/tmp`
/// (readable, so programs and workspaces kept there still work) and whose
/// upper layer lives in the private `/dev/shm`, so every write or deletion
/// stays inside the sandbox and vanishes with it. Each of `keep` (the
/// workspace, when it lives under `/tmp`) is then bound read-only on top.
/// Without overlayfs, an empty tmpfs with `keep` bound back is the fallback.
fn private_tmp(keep: &[PathBuf]) -> Result<(), MountError> {
    let tmp = Path::new("/tmp");
    let layers = Path::new("/dev/shm/.rampart-tmp");
    let (upper, work) = (layers.join("upper"), layers.join("work"));
    for d in [&upper, &work] {
        fs::create_dir_all(d).map_err(io_err("create", d))?;
    }
    let options = format!(
        "lowerdir=/tmp,upperdir={},workdir={},userxattr",
        upper.display(),
        work.display()
    );
    if mount(
        Some("overlay"),
        tmp,
        Some("overlay"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(options.as_str()),
    )
    .is_ok()
    {
        for path in keep {
            bind(path, true)?;
        }
        return Ok(());
    }
    let mut held = Vec::new();
    for path in keep {
        let fd = nix::fcntl::open(
            path,
            OFlag::O_PATH | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(err("open", path))?;
        held.push((path, fd));
    }
    tmpfs(tmp, MsFlags::empty(), "mode=1777")?;
    for (path, fd) in held {
        fs::create_dir_all(path).map_err(io_err("create", path))?;
        let source = PathBuf::from(format!("/proc/self/fd/{fd}"));
        mount(
            Some(&source),
            path.as_path(),
            NONE,
            MsFlags::MS_BIND | MsFlags::MS_REC,
            NONE,
        )
        .map_err(err("keep visible", path))?;
        let flags =
            MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | locked_flags(path);
        mount(NONE, path.as_path(), NONE, flags, NONE).map_err(err("make read-only", path))?;
        let _ = nix::unistd::close(fd);
    }
    Ok(())
}

/// Applies `plan` in the calling process's (new) mount namespace. The caller
/// is the init process of a new PID namespace.
pub(crate) fn apply(plan: &MountPlan) -> Result<(), MountError> {
    // Nothing below propagates back to the host.
    mount(NONE, "/", NONE, MsFlags::MS_REC | MsFlags::MS_SLAVE, NONE)
        .map_err(err("make private", Path::new("/")))?;
    // Every mount read-only: Landlock has no right for changing a file's
    // mode, times or extended attributes, and the command owns every file
    // its outside uid owns (root's, when rampart runs as root). The fresh
    // mounts below (/proc, /dev, /tmp) and the writable roots are the only
    // writable places.
    sys::mount_setattr(Path::new("/"), true, sys::MOUNT_ATTR_RDONLY, 0).map_err(|source| {
        MountError {
            what: "make read-only",
            path: PathBuf::from("/"),
            source,
        }
    })?;

    // A /proc that shows only the sandbox's own processes.
    let proc_path = Path::new("/proc");
    mount(
        Some("proc"),
        proc_path,
        Some("proc"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        NONE,
    )
    .map_err(err("mount a fresh proc on", proc_path))?;

    // A private /dev: the harmless devices bound from the host, a devpts
    // instance of its own (the host's terminals stay out of reach), and
    // shared memory the host cannot see. No disks: a sandbox started by root
    // could otherwise read raw blocks past every hidden path.
    private_dev()?;
    if plan.private_tmp {
        private_tmp(&plan.keep_in_tmp)?;
    }

    for w in &plan.writable {
        let fresh = (plan.private_tmp && w.starts_with("/tmp")) || w.starts_with("/dev");
        if fresh || fs::symlink_metadata(w).is_err() {
            continue;
        }
        writable_again(w)?;
    }
    for p in &plan.pinned {
        bind(p, false)?;
    }
    for p in &plan.read_only {
        // A path the private /tmp now covers no longer exists: nothing to
        // protect there.
        if plan.private_tmp && p.starts_with("/tmp") && fs::symlink_metadata(p).is_err() {
            continue;
        }
        bind(p, true)?;
    }

    // Hidden paths: an unreadable empty directory, or an unreadable empty
    // file bound over a file. The file is staged in the private /dev/shm
    // and unlinked once bound.
    let mut staged: Option<PathBuf> = None;
    for p in &plan.hidden {
        let Ok(meta) = fs::metadata(p) else { continue };
        if meta.is_dir() {
            tmpfs(
                p,
                MsFlags::MS_RDONLY | MsFlags::MS_NOEXEC,
                "mode=000,size=4k",
            )?;
        } else {
            let source = if let Some(s) = &staged {
                s.clone()
            } else {
                let s = PathBuf::from("/dev/shm/.rampart-hidden");
                fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o000)
                    .open(&s)
                    .map_err(io_err("create", &s))?;
                fs::set_permissions(&s, fs::Permissions::from_mode(0o000))
                    .map_err(io_err("chmod", &s))?;
                staged = Some(s.clone());
                s
            };
            mount(Some(&source), p.as_path(), NONE, MsFlags::MS_BIND, NONE)
                .map_err(err("hide", p))?;
            let flags =
                MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | locked_flags(p);
            mount(NONE, p.as_path(), NONE, flags, NONE).map_err(err("make read-only", p))?;
        }
    }
    if let Some(s) = staged {
        fs::remove_file(&s).map_err(|source| MountError {
            what: "remove",
            path: s.clone(),
            source,
        })?;
    }
    Ok(())
}
