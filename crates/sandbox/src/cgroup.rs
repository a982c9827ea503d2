//! Process-tree limits with cgroup controllers: they bind every process of
//! the sandbox, root included, where rlimits do not (RLIMIT_NPROC does not
//! bind root, and counts every process of a uid).
//!
//! Each run gets `rampart-<pid>` below the caller's own cgroup, in the
//! unified (v2) hierarchy when it offers the controller, else in the v1
//! `pids` and `memory` hierarchies. Nothing here is fatal by itself: the
//! caller decides whether a limit it asked for can be left to rlimits.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

const ROOT: &str = "/sys/fs/cgroup";

/// A cgroup controller rampart uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Controller {
    /// Number of tasks.
    Pids,
    /// Memory use.
    Memory,
}

impl Controller {
    fn name(self) -> &'static str {
        match self {
            Self::Pids => "pids",
            Self::Memory => "memory",
        }
    }
}

/// Where a controller's cgroups can be made for this process, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// A v2 cgroup directory under which children get the controller.
    V2(PathBuf),
    /// A v1 hierarchy directory (the caller's own cgroup in it).
    V1(PathBuf),
}

impl Placement {
    /// Human name for `doctor`.
    pub fn describe(&self) -> String {
        match self {
            Self::V2(p) => format!("cgroup v2 at {}", p.display()),
            Self::V1(p) => format!("cgroup v1 at {}", p.display()),
        }
    }
}

fn own_cgroups() -> Vec<(String, String)> {
    // Lines are `id:controllers:path`; v2 is `0::path`.
    fs::read_to_string("/proc/self/cgroup")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, ':');
            let _id = it.next()?;
            Some((it.next()?.to_owned(), it.next()?.to_owned()))
        })
        .collect()
}

fn writable_dir(p: &Path) -> bool {
    nix::unistd::access(
        p,
        nix::unistd::AccessFlags::W_OK | nix::unistd::AccessFlags::X_OK,
    )
    .is_ok()
}

/// Finds where `controller` can be used by this process.
pub(crate) fn placement(controller: Controller) -> Option<Placement> {
    let name = controller.name();
    let own = own_cgroups();
    // v1: a hierarchy mounted for this controller.
    if let Some((_, path)) = own.iter().find(|(c, _)| c.split(',').any(|c| c == name)) {
        let dir = Path::new(ROOT)
            .join(name)
            .join(path.trim_start_matches('/'));
        if dir.join("cgroup.procs").exists() && writable_dir(&dir) {
            return Some(Placement::V1(dir));
        }
    }
    // v2: the unified hierarchy, where our cgroup lets children have it.
    if let Some((_, path)) = own.iter().find(|(c, _)| c.is_empty()) {
        for mount in [PathBuf::from(ROOT), Path::new(ROOT).join("unified")] {
            let dir = mount.join(path.trim_start_matches('/'));
            let subtree =
                fs::read_to_string(dir.join("cgroup.subtree_control")).unwrap_or_default();
            if subtree.split_whitespace().any(|c| c == name) && writable_dir(&dir) {
                return Some(Placement::V2(dir));
            }
        }
    }
    None
}

/// The tightest `pids.max` (v1 or v2) of the cgroups this process is
/// already in, walking up to the root: a limit that binds every process
/// this one starts, for instance when rampart runs inside another
/// rampart sandbox.
pub(crate) fn inherited_pids_max() -> Option<u64> {
    let mut best: Option<u64> = None;
    for (controllers, path) in own_cgroups() {
        let bases: Vec<PathBuf> = if controllers.split(',').any(|c| c == "pids") {
            vec![Path::new(ROOT).join("pids")]
        } else if controllers.is_empty() {
            vec![PathBuf::from(ROOT), Path::new(ROOT).join("unified")]
        } else {
            continue;
        };
        for base in bases {
            let mut dir = base.join(path.trim_start_matches('/'));
            loop {
                if let Ok(v) = fs::read_to_string(dir.join("pids.max")) {
                    if let Ok(n) = v.trim().parse::<u64>() {
                        best = Some(best.map_or(n, |b| b.min(n)));
                    }
                }
                if dir == base || !dir.pop() {
                    break;
                }
            }
        }
    }
    best
}

/// One run's cgroups, removed on drop.
#[derive(Debug, Default)]
pub(crate) struct RunCgroups {
    dirs: Vec<PathBuf>,
}

fn write(path: &Path, value: &str) -> io::Result<()> {
    fs::write(path, value).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot write `{value}` to `{}`: {e}", path.display()),
        )
    })
}

fn cleanup_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("rampart-"))
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = fs::remove_dir(e.path());
        }
    }
}

impl RunCgroups {
    /// Creates a cgroup for `controller` with `settings` (file, value).
    pub(crate) fn add(
        &mut self,
        placement: &Placement,
        settings: &[(&str, String)],
    ) -> io::Result<()> {
        let parent = match placement {
            Placement::V1(p) | Placement::V2(p) => p,
        };
        cleanup_stale(parent);
        let dir = parent.join(format!("rampart-{}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot create cgroup `{}`: {e}", dir.display()),
                ))
            }
        }
        let configure = || -> io::Result<()> {
            for (file, value) in settings {
                let path = dir.join(file);
                if path.exists() {
                    write(&path, value)?;
                } else if !file.contains("memsw") && !file.contains("swap") {
                    return Err(io::Error::other(format!(
                        "cgroup file `{}` is missing",
                        path.display()
                    )));
                }
            }
            Ok(())
        };
        match configure() {
            Ok(()) => {
                if !self.dirs.contains(&dir) {
                    self.dirs.push(dir);
                }
                Ok(())
            }
            Err(e) => {
                if !self.dirs.contains(&dir) {
                    let _ = fs::remove_dir(&dir);
                }
                Err(e)
            }
        }
    }

    /// Moves `pid` into every cgroup of this run.
    pub(crate) fn enter(&self, pid: i32) -> io::Result<()> {
        for dir in &self.dirs {
            write(&dir.join("cgroup.procs"), &pid.to_string())?;
        }
        Ok(())
    }

    /// Whether the memory cgroup recorded an OOM kill.
    pub(crate) fn oom_killed(&self) -> bool {
        self.dirs.iter().any(|d| {
            let v1 = fs::read_to_string(d.join("memory.oom_control")).unwrap_or_default();
            let v2 = fs::read_to_string(d.join("memory.events")).unwrap_or_default();
            v1.lines().chain(v2.lines()).any(|l| {
                l.strip_prefix("oom_kill ")
                    .is_some_and(|n| n.trim().parse::<u64>().is_ok_and(|n| n > 0))
            })
        })
    }

    /// Kills every process left in this run's cgroups.
    pub(crate) fn kill_all(&self) {
        for dir in &self.dirs {
            if write(&dir.join("cgroup.kill"), "1").is_ok() {
                continue;
            }
            for _ in 0..50 {
                let procs = fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
                let pids: Vec<i32> = procs
                    .lines()
                    .filter_map(|l| l.trim().parse().ok())
                    .collect();
                if pids.is_empty() {
                    break;
                }
                for pid in pids {
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }
}

impl Drop for RunCgroups {
    fn drop(&mut self) {
        // The PID namespace is torn down asynchronously, so the cgroup may
        // still hold exiting tasks. Do not wait for them: a cgroup left
        // behind is removed by the next run's sweep (`cleanup_stale`),
        // which only touches `rampart-<pid>` of dead rampart processes.
        for dir in &self.dirs {
            let _ = fs::remove_dir(dir);
        }
    }
}
