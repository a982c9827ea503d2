//! Launching a command: the supervisor (rampart itself), the sandbox's init
//! process (PID 1 of the new namespaces) and the command.
//!
//! ```text
//! rampart (supervisor) ── clone(NEWUSER|NEWNS|NEWPID|NEWIPC|NEWUTS[|NEWNET]) ──► init (pid 1)
//!   writes uid/gid maps, cgroups, "go"                 mounts, drops caps, Landlock, seccomp
//!   forwards signals, enforces the timeout             └─ fork ──► command: rlimits, execve
//! ```
//!
//! Init is a fork of rampart: once the id maps are written it makes itself
//! non-dumpable and zeroes its argument and environment strings, so nothing
//! inside can read rampart's environment, arguments or memory through
//! `/proc/1` (docs/SANDBOX.md, "A clean init"). The terminal's modes are
//! saved before the clone and restored when the command ends.
//!
//! When init exits the kernel kills every process left in the PID namespace,
//! so a timeout (SIGKILL to init) takes the whole tree down, grandchildren
//! included. Init dies with the supervisor (PR_SET_PDEATHSIG).

use std::ffi::{CString, OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::resource::{setrlimit, Resource};
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{Gid, Pid, Uid};

use crate::cgroup::{self, Controller, Placement, RunCgroups};
use crate::git;
use crate::landlock_rules::{self, LandlockPlan};
use crate::mounts::{self, MountPlan};
use crate::protect;
use crate::seccomp::{self, SeccompPolicy};
use crate::terminal::Terminals;
use crate::{
    nested, sys, Confinement, Isolation, Limits, Outcome, RunError, Termination, WriteScope,
};

/// A command ready to run: an absolute program path, argv, environment and
/// working directory.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Command {
    /// Absolute path of the program.
    pub program: PathBuf,
    /// Arguments, `argv[0]` first.
    pub argv: Vec<OsString>,
    /// The complete environment the command sees.
    pub env: Vec<(OsString, OsString)>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Copy the command's stderr through rampart and keep its tail in
    /// [`Outcome::stderr_tail`] (for telling a sandbox denial from a failure).
    pub tee_stderr: bool,
}

/// How much of the command's stderr [`Outcome::stderr_tail`] keeps.
const STDERR_TAIL: usize = 16 * 1024;

/// The pipes between the supervisor and the sandbox.
struct Pipes {
    go_read: OwnedFd,
    go_write: OwnedFd,
    err_read: OwnedFd,
    err_write: OwnedFd,
    tee: Option<(OwnedFd, OwnedFd)>,
}

const SI_KERNEL: i32 = 0x80;
const FORWARDED: [Signal; 6] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

fn signal_set() -> SigSet {
    let mut set = SigSet::empty();
    set.add(Signal::SIGCHLD);
    for s in FORWARDED {
        set.add(s);
    }
    set
}

fn cstring(s: &OsStr) -> Result<CString, RunError> {
    CString::new(s.as_bytes())
        .map_err(|_| RunError::Invalid(format!("`{}` contains a NUL byte", s.to_string_lossy())))
}

/// Everything the child side needs, prepared before the clone so that the
/// child only makes syscalls.
struct Prepared {
    program: CString,
    argv: Vec<CString>,
    envp: Vec<CString>,
    cwd: PathBuf,
    confined: Option<ConfinedPlan>,
    rlimits: Vec<(Resource, u64)>,
}

struct ConfinedPlan {
    mounts: MountPlan,
    /// Protected paths no mount can hold, checked after the run.
    watched: Vec<(PathBuf, Option<(u64, u64)>)>,
    /// Writable git directories and the symlinks in them before the run.
    git_links: (Vec<PathBuf>, Vec<protect::Link>),
    /// What the check after the run looks for below the writable places
    /// (see `nested.rs`).
    nested: nested::Plan,
    /// In `"commits"` mode, each root and the submodule checkouts its
    /// index recorded before the run.
    gitlinks: Vec<(PathBuf, Vec<PathBuf>)>,
    /// The replace refs of the writable git directories before the run.
    replace_refs: Vec<(PathBuf, Vec<String>)>,
    /// For each writable git directory, its loose objects before the run.
    objects: Vec<(PathBuf, Vec<git::ObjectStamp>)>,
    /// What the resumable git states (`rebase-merge`, `sequencer`) of those
    /// directories would run before the run.
    resumable: Vec<(PathBuf, String)>,
    landlock: LandlockPlan,
    seccomp: seccompiler::BpfProgram,
    abi: i32,
    last_cap: u32,
}

fn canonical(p: &Path) -> Result<PathBuf, RunError> {
    fs::canonicalize(p)
        .map_err(|e| RunError::Invalid(format!("cannot resolve `{}`: {e}", p.display())))
}

#[expect(
    clippy::too_many_lines,
    reason = "one linear plan reads best in one place"
)]
fn plan_confined(c: &Confinement, cwd: &Path) -> Result<ConfinedPlan, RunError> {
    let abi = sys::landlock_abi();
    if abi < landlock_rules::MIN_ABI {
        return Err(RunError::Unavailable {
            what: "Landlock",
            why: if abi == 0 {
                "the kernel does not offer Landlock (needs Linux 6.2+ with `lsm=landlock,...`)"
                    .into()
            } else {
                format!(
                    "the kernel offers Landlock ABI {abi}, rampart needs ABI {} (Linux 6.2+)",
                    landlock_rules::MIN_ABI
                )
            },
        });
    }
    let mut mounts = MountPlan::default();
    let mut protected = c.protected.clone();
    let mut writable = Vec::new();
    let mut git_scan: Vec<PathBuf> = Vec::new();
    let mut gitlinks_before: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    let mut nested = nested::Plan::default();
    let git_mode = match &c.write {
        WriteScope::Workspace { git, .. } => Some(*git),
        WriteScope::ReadOnly => None,
    };
    match &c.write {
        WriteScope::ReadOnly => {
            mounts.private_tmp = true;
            let cwd = canonical(cwd)?;
            if cwd.starts_with("/tmp") && cwd != Path::new("/tmp") {
                mounts.keep_in_tmp.push(cwd);
            }
            writable.push(PathBuf::from("/tmp"));
        }
        WriteScope::Workspace {
            root,
            writable_roots,
            slash_tmp,
            tmpdir,
            git,
        } => {
            // The workspace, each writable root, and the shared temporary
            // directories the command may write: every repository in them
            // gets its git plan (a clone in `/tmp/other` beside a workspace
            // keeps its hooks and config read-only like the workspace's).
            let tmp_roots: Vec<PathBuf> = slash_tmp
                .then(|| PathBuf::from("/tmp"))
                .into_iter()
                .chain(tmpdir.as_ref().and_then(|t| fs::canonicalize(t).ok()))
                .collect();
            let mut roots = Vec::new();
            for r in std::iter::once(root).chain(writable_roots) {
                roots.push(canonical(r)?);
            }
            // Before any git runs: never one the command could write.
            crate::host_git::resolve(&roots.iter().chain(&tmp_roots).cloned().collect::<Vec<_>>());
            for r in roots.iter().chain(&tmp_roots) {
                let g = git::plan(r, *git).map_err(|e| {
                    RunError::Invalid(format!(
                        "cannot read the git layout of `{}`: {e}",
                        r.display()
                    ))
                })?;
                // A shared temporary directory holds other people's (and
                // other runs') clones: one the bounded search did not reach
                // would have writable hooks, and a command can fill the
                // directory to push a clone out of reach for the next run.
                // The workspace and writable roots are the user's project
                // and keep the bound (see docs/SANDBOX.md, red team round 7).
                if g.search_cut && tmp_roots.contains(r) && !roots.contains(r) {
                    let key = if slash_tmp.then(|| Path::new("/tmp")) == Some(r.as_path()) {
                        "exclude_slash_tmp"
                    } else {
                        "exclude_tmpdir_env_var"
                    };
                    return Err(RunError::Invalid(format!(
                        "`{}` holds more directories than rampart searches for git repositories (4096 within 3 levels), so a clone there could get its hooks written; remove what is not needed there, or set `{key} = true` in `[sandbox_workspace_write]` so that commands cannot write it",
                        r.display()
                    )));
                }
                nested.planned_git_dirs.extend(g.scan.iter().cloned());
                nested.planned_git_dirs.extend(g.read_only.iter().cloned());
                if !nested.roots.iter().any(|(x, _)| x == r) {
                    nested.roots.push((r.clone(), roots.contains(r)));
                }
                // A linked worktree's git directories outside the roots are
                // writable too: a git directory made inside them is looked
                // for like anywhere else.
                for w in &g.writable {
                    if !nested.roots.iter().any(|(x, _)| x == w) {
                        nested.roots.push((w.clone(), false));
                    }
                }
                writable.extend(g.writable);
                // The git dir's guarded entries are protected paths: their
                // ancestors get pinned like every other's.
                protected.extend(g.read_only);
                protected.extend(g.missing);
                git_scan.extend(g.scan);
                mounts.pinned.extend(g.pinned);
                mounts.read_only.extend(g.frozen);
                if *git == git::GitWrites::Commits {
                    gitlinks_before.push((r.clone(), git::new_gitlink_checkouts(r, &[])));
                }
                if !writable.contains(r) {
                    writable.push(r.clone());
                }
            }
        }
    }
    // Many tools read their config from every parent of the current
    // directory too (cargo merges each `.cargo/config.toml` up to `/`,
    // yarn looks for `.yarnrc.yml`, direnv and mise walk up): the
    // agent-config names protected at the top of a root are watched in
    // each ancestor the command can write (`/tmp/.cargo/config.toml`
    // above a workspace under a writable `/tmp`).
    if let WriteScope::Workspace {
        root,
        writable_roots,
        ..
    } = &c.write
    {
        let roots = std::iter::once(root)
            .chain(writable_roots)
            .map(|r| canonical(r))
            .collect::<Result<Vec<_>, _>>()?;
        let mut mirrored = Vec::new();
        for r in &roots {
            let names: Vec<PathBuf> = protected
                .iter()
                .filter_map(|p| p.strip_prefix(r).ok())
                .filter(|rel| {
                    rel.components()
                        .next()
                        .is_some_and(|c| c.as_os_str() != ".git")
                })
                .map(Path::to_path_buf)
                .collect();
            for a in r.ancestors().skip(1) {
                if !writable.iter().any(|w| a.starts_with(w)) {
                    break;
                }
                for n in &names {
                    let p = a.join(n);
                    if !protected.contains(&p) && !mirrored.contains(&p) {
                        mirrored.push(p);
                    }
                }
            }
        }
        protected.extend(mirrored);
        // The same names any number of levels down (`sub/.envrc`,
        // `a/b/c/d/.git` with an fsmonitor, a bare repository,
        // `node_modules/x/.vscode/tasks.json`): host programs honour them
        // when run in that folder. The check after the run finds what
        // changed there (see `nested.rs`).
        nested.names.clone_from(&c.nested);
        nested.limit = c.walk_limit.map(|l| l.min(nested::MAX_ENTRIES));
        nested.cache_dir = c
            .quarantine
            .as_ref()
            .and_then(|q| q.parent())
            .map(|state| state.join("walk"));
        nested.git = git_mode != Some(git::GitWrites::Allow);
    }
    // Git looks for a repository in the current directory and then in each
    // parent. Above a root that is not a repository, every ancestor the
    // command can write (a workspace under a writable `/tmp`, a project
    // deep inside a writable root) could get a `.git` (or be made a git
    // dir by a `HEAD`) that the next git command in the root would honour,
    // hooks and config included: watch those. The first existing `.git`
    // up there is the repository git uses in the root: it is held
    // read-only like the workspace's own in `false` mode.
    if let WriteScope::Workspace {
        root,
        writable_roots,
        git,
        ..
    } = &c.write
    {
        if *git != git::GitWrites::Allow {
            let roots = std::iter::once(root)
                .chain(writable_roots)
                .map(|r| canonical(r))
                .collect::<Result<Vec<_>, _>>()?;
            for r in &roots {
                if fs::symlink_metadata(r.join(".git")).is_ok() {
                    continue;
                }
                for a in r.ancestors().skip(1) {
                    if !writable.iter().any(|w| a.starts_with(w)) {
                        break;
                    }
                    let dot_git = a.join(".git");
                    let exists = fs::symlink_metadata(&dot_git).is_ok();
                    // A root's own repository has its git plan already.
                    if exists && roots.iter().any(|x| x == a) {
                        break;
                    }
                    for p in [dot_git, a.join("HEAD")] {
                        if !protected.contains(&p) {
                            protected.push(p);
                        }
                    }
                    if exists {
                        break;
                    }
                }
            }
        }
    }
    for h in &c.hidden {
        for w in &writable {
            if w.starts_with(h) {
                return Err(RunError::Invalid(format!(
                    "writable path `{}` lies inside the deny_read path `{}`",
                    w.display(),
                    h.display()
                )));
            }
        }
    }
    // Protected paths stay protected when their parents move: existing ones
    // read-only, their ancestors pinned, missing ones watched. In read-only
    // mode nothing the command writes outlives it (a private /tmp).
    let protection = if matches!(c.write, WriteScope::ReadOnly) {
        protect::plan(&protected, &[])?
    } else {
        protect::plan(&protected, &writable)?
    };
    mounts.read_only.extend(protection.read_only);
    for p in protection.pinned {
        if !mounts.pinned.contains(&p) {
            mounts.pinned.push(p);
        }
    }
    mounts.pinned.sort_by_key(|p| p.components().count());
    mounts.read_only.sort_by_key(|p| p.components().count());
    // deny_read: Landlock where it can say it, a mount mask where it cannot.
    let reads = landlock_rules::plan_reads(&c.hidden, &writable)?;
    mounts.hidden = reads.masked;
    mounts.writable.clone_from(&writable);
    // The private /dev/shm (see mounts::private_dev).
    writable.push(PathBuf::from("/dev/shm"));
    let devices = [
        "/dev/null",
        "/dev/zero",
        "/dev/full",
        "/dev/random",
        "/dev/urandom",
        "/dev/tty",
        "/dev/ptmx",
        "/dev/pts",
    ]
    .iter()
    .map(PathBuf::from)
    .filter(|p| p.exists())
    .collect();
    let seccomp = seccomp::build(SeccompPolicy {
        network: c.network,
        unix_sockets: c.unix_sockets,
    })
    .map_err(|e| RunError::Setup(e.to_string()))?;
    let last_cap = fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(63);
    Ok(ConfinedPlan {
        mounts,
        watched: protection.watched,
        resumable: git_scan
            .iter()
            .flat_map(|d| git::resumable_programs(d))
            .collect(),
        replace_refs: git_scan
            .iter()
            .map(|d| (d.clone(), git::replace_refs(d)))
            .collect(),
        objects: if git_scan.is_empty() {
            Vec::new()
        } else {
            git_scan
                .iter()
                .map(|d| (d.clone(), git::loose_objects(d)))
                .collect()
        },
        gitlinks: gitlinks_before,
        nested,
        git_links: {
            let before = protect::symlinks_below(&git_scan);
            (git_scan, before)
        },
        landlock: LandlockPlan {
            readable: reads.readable,
            writable,
            devices,
            network: c.network,
        },
        seccomp,
        abi,
        last_cap,
    })
}

fn prepare(
    cmd: &Command,
    isolation: &Isolation,
    limits: &Limits,
    have_memory_cgroup: bool,
) -> Result<Prepared, RunError> {
    let mut rlimits = vec![(Resource::RLIMIT_CORE, 0)];
    if let Some(n) = limits.max_processes {
        rlimits.push((Resource::RLIMIT_NPROC, n));
    }
    if let Some(n) = limits.cpu_secs {
        rlimits.push((Resource::RLIMIT_CPU, n));
    }
    if let Some(n) = limits.file_size_bytes {
        rlimits.push((Resource::RLIMIT_FSIZE, n));
    }
    if let (Some(n), false) = (limits.memory_bytes, have_memory_cgroup) {
        rlimits.push((Resource::RLIMIT_DATA, n));
    }
    Ok(Prepared {
        program: cstring(cmd.program.as_os_str())?,
        argv: cmd
            .argv
            .iter()
            .map(|a| cstring(a))
            .collect::<Result<_, _>>()?,
        envp: cmd
            .env
            .iter()
            .map(|(k, v)| {
                let mut kv = k.clone();
                kv.push("=");
                kv.push(v);
                cstring(&kv)
            })
            .collect::<Result<_, _>>()?,
        cwd: cmd.cwd.clone(),
        confined: match isolation {
            Isolation::FullAccess => None,
            Isolation::Confined(c) => Some(plan_confined(c, &cmd.cwd)?),
        },
        rlimits,
    })
}

/// Cgroups for the limits, and which limits they carry. A cgroup that
/// cannot be created counts as absent, so the limit falls back to rlimits
/// (or to a limit the caller's own cgroup already imposes); only a process
/// limit that nothing can enforce is an error.
fn setup_cgroups(limits: &Limits) -> Result<(RunCgroups, bool), RunError> {
    let mut groups = RunCgroups::default();
    let mut memory = false;
    if let Some(n) = limits.max_processes {
        let placed = cgroup::placement(Controller::Pids).is_some_and(|p| {
            groups
                .add(&p, &[("pids.max", n.to_string())])
                .map_err(|e| tracing::debug!("pids cgroup: {e}"))
                .is_ok()
        });
        let inherited = cgroup::inherited_pids_max().is_some_and(|m| m <= n);
        if !placed && !inherited && Uid::effective().is_root() {
            return Err(RunError::Unavailable {
                what: "process limit",
                why: "rampart runs as root, RLIMIT_NPROC does not bind root, and no writable cgroup `pids` controller was found; mount one, run as a regular user, or set `max_processes = 0` to run without a process limit".into(),
            });
        }
    }
    if let Some(n) = limits.memory_bytes {
        if let Some(p) = cgroup::placement(Controller::Memory) {
            let settings: Vec<(&str, String)> = match p {
                Placement::V1(_) => vec![
                    ("memory.limit_in_bytes", n.to_string()),
                    ("memory.memsw.limit_in_bytes", n.to_string()),
                ],
                Placement::V2(_) => vec![
                    ("memory.max", n.to_string()),
                    ("memory.swap.max", "0".into()),
                ],
            };
            memory = groups
                .add(&p, &settings)
                .map_err(|e| tracing::debug!("memory cgroup: {e}"))
                .is_ok();
        }
    }
    Ok((groups, memory))
}

/// The uid and gid a confined command has inside its user namespace: the
/// caller's own when it is not root; when rampart runs as root, 65534
/// (`nobody`/`nogroup`, present in every Debian-family `/etc/passwd`), mapped
/// to outside uid and gid 0 so the workspace stays writable and root's files
/// appear owned by the command. Never 0: programs that behave differently
/// for root (package managers, `sudo`-aware scripts, tools that skip
/// permission checks) see an ordinary user, and the command has no
/// capability in any case.
pub fn inside_ids() -> (u32, u32) {
    let (uid, gid) = (Uid::effective().as_raw(), Gid::effective().as_raw());
    (
        if uid == 0 { NOBODY } else { uid },
        if gid == 0 { NOBODY } else { gid },
    )
}

/// `nobody` and `nogroup`.
const NOBODY: u32 = 65534;

fn write_id_maps(pid: Pid) -> Result<(), RunError> {
    let uid = Uid::effective();
    let gid = Gid::effective();
    let dir = PathBuf::from(format!("/proc/{pid}"));
    let w = |file: &str, text: String| {
        fs::write(dir.join(file), text)
            .map_err(|e| RunError::Setup(format!("cannot write /proc/{pid}/{file}: {e}")))
    };
    let (inside_uid, inside_gid) = inside_ids();
    w("setgroups", "deny".into())?;
    w("uid_map", format!("{inside_uid} {uid} 1\n"))?;
    w("gid_map", format!("{inside_gid} {gid} 1\n"))
}

/// Runs `cmd` under `isolation` and `limits`, passing stdio through and
/// forwarding signals, and waits for it.
///
/// The calling process must be single-threaded: the sandbox is made with
/// `clone(2)`.
pub fn run(cmd: &Command, isolation: &Isolation, limits: &Limits) -> Result<Outcome, RunError> {
    match sys::thread_count() {
        Ok(1) => {}
        Ok(n) => {
            return Err(RunError::Setup(format!(
                "the supervisor has {n} threads; it must have one to clone a sandbox"
            )))
        }
        Err(e) => return Err(RunError::Setup(format!("cannot count threads: {e}"))),
    }
    let (cgroups, memory_cgroup) = setup_cgroups(limits)?;
    let prepared = prepare(cmd, isolation, limits, memory_cgroup)?;
    let started = run_start(&prepared);

    let (go_read, go_write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| RunError::Setup(format!("pipe: {e}")))?;
    let (err_read, err_write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| RunError::Setup(format!("pipe: {e}")))?;
    let tee = if cmd.tee_stderr {
        Some(
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
                .map_err(|e| RunError::Setup(format!("pipe: {e}")))?,
        )
    } else {
        None
    };
    let pipes = Pipes {
        go_read,
        go_write,
        err_read,
        err_write,
        tee,
    };

    let mut old_mask = SigSet::empty();
    nix::sys::signal::sigprocmask(
        SigmaskHow::SIG_BLOCK,
        Some(&signal_set()),
        Some(&mut old_mask),
    )
    .map_err(|e| RunError::Setup(format!("sigprocmask: {e}")))?;
    let watched = prepared
        .confined
        .as_ref()
        .map(|c| c.watched.as_slice())
        .unwrap_or_default();
    let quarantine = match isolation {
        Isolation::Confined(c) => c.quarantine.clone(),
        Isolation::FullAccess => None,
    };
    // Without the pending record only a killed supervisor goes unnoticed;
    // the check after the run still happens.
    let git_dirs = prepared
        .confined
        .as_ref()
        .map(|c| c.git_links.0.as_slice())
        .unwrap_or_default();
    let pending = match (&quarantine, watched.is_empty() && git_dirs.is_empty()) {
        (Some(q), false) => protect::write_pending(q, watched, git_dirs)
            .map_err(|e| tracing::warn!("cannot record the watched protected paths: {e}"))
            .ok(),
        _ => None,
    };
    let terminals = Terminals::save();
    let mut live = None;
    let watch = quarantine.as_deref().map(|q| (watched, q));
    let result = supervise(
        &prepared,
        limits,
        &cgroups,
        pipes,
        &old_mask,
        (watch, &mut live),
        started,
    );
    terminals.restore();
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old_mask), None);
    // The PID namespace is gone: nothing inside can race this check.
    let fallback = PathBuf::from("/nonexistent/rampart-quarantine");
    let into = quarantine.as_deref().unwrap_or(&fallback);
    let mut found = live.map(|l| l.found).unwrap_or_default();
    for q in protect::check(watched, into) {
        if !found.iter().any(|f| f.path == q.path) {
            found.push(q);
        }
    }
    let mut unchecked = Vec::new();
    if let Some(c) = &prepared.confined {
        let below = git_after_run(c, into, started);
        found.extend(below.found);
        unchecked = below.unchecked;
    }
    if let Some(p) = pending {
        let _ = fs::remove_file(p);
    }
    if result.is_err() && !found.is_empty() {
        tracing::warn!(
            ?found,
            "protected paths created during a failed run were quarantined"
        );
    }
    result.map(|mut o| {
        o.quarantined = found;
        o.unchecked = unchecked;
        o
    })
}

/// What the command changes is told by change times later than this (see
/// `nested.rs`); the command starts only once the clock is past it. The
/// check after the run is recorded as owed from then on, so a supervisor
/// killed before it finishes leaves it to the next run.
fn run_start(p: &Prepared) -> nested::Stamp {
    let started = nested::Stamp::start_of_run(
        p.confined
            .iter()
            .flat_map(|c| c.nested.roots.iter().map(|(r, _)| r.as_path())),
    );
    if let Some(c) = &p.confined {
        c.nested.owe(started);
    }
    started
}

/// What the command left in the writable git directories that would make
/// host git run or show something it chose: new symlinks (and FIFOs),
/// `exec` lines in a stopped rebase, new gitlink checkouts, new replace
/// refs; and what changed below the writable places (see `nested.rs`).
/// Each is quarantined (or taken out) and returned, with what could not
/// be checked.
fn git_after_run(c: &ConfinedPlan, into: &Path, started: nested::Stamp) -> nested::Checked {
    protect::unlock_tree(&c.git_links.0);
    let mut found = protect::new_symlinks(&c.git_links.0, &c.git_links.1, into);
    found.extend(protect::quarantine_resumable(
        &git::new_resumable_programs(&c.git_links.0, &c.resumable),
        into,
    ));
    for (root, before) in &c.gitlinks {
        found.extend(protect::quarantine_new(
            git::new_gitlink_checkouts(root, before),
            into,
        ));
    }
    for (dir, before) in &c.replace_refs {
        found.extend(protect::drop_replace_refs(dir, before, into));
    }
    for (dir, before) in &c.objects {
        for path in git::rewritten_objects(dir, before) {
            let (path, moved_to) = protect::quarantine_path(&path, into);
            found.push(crate::Quarantined {
                path,
                moved_to,
                why: Some(
                    "a git object rewritten in place: its content no longer matches its name, so git would show and check out other content for the commits that hold it (`git fsck` names them)"
                        .to_string(),
                ),
                routine: false,
            });
        }
    }
    // Everything below the tops of the writable places (see `nested.rs`).
    let mut below = c.nested.check(started, into);
    found.append(&mut below.found);
    below.found = found;
    below
}

/// How many protected paths the live watch quarantines in one run before
/// the command is stopped.
const LIVE_QUARANTINE_LIMIT: usize = 16;

#[expect(
    clippy::too_many_lines,
    reason = "the supervisor loop is one state machine"
)]
fn supervise(
    p: &Prepared,
    limits: &Limits,
    cgroups: &RunCgroups,
    pipes: Pipes,
    old_mask: &SigSet,
    (watch, live): (
        Option<(&[protect::Watched], &Path)>,
        &mut Option<protect::Live>,
    ),
    started: nested::Stamp,
) -> Result<Outcome, RunError> {
    let Pipes {
        go_read,
        go_write,
        err_read,
        err_write,
        tee,
    } = pipes;
    let (tee_read, tee_write) = match tee {
        Some((r, w)) => (Some(r), Some(w)),
        None => (None, None),
    };
    let flags = if let Some(c) = &p.confined {
        let mut f = libc::CLONE_NEWUSER
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS;
        if !c.landlock.network {
            f |= libc::CLONE_NEWNET;
        }
        f
    } else {
        0
    };
    let child = match sys::clone_process(flags) {
        Ok(Some(pid)) => pid,
        Ok(None) => {
            drop(go_write);
            drop(err_read);
            drop(tee_read);
            child_main(p, &go_read, err_write, tee_write, old_mask)
        }
        Err(e) if flags & sys::CLONE_NEWUSER != 0 => {
            return Err(RunError::Unavailable {
                what: "user namespaces",
                why: format!(
                    "clone(CLONE_NEWUSER) failed: {e}; enable them (`sysctl -w user.max_user_namespaces=10000`, and on Debian/Ubuntu `kernel.unprivileged_userns_clone=1` or `kernel.apparmor_restrict_unprivileged_userns=0`), or run outside an already-confined sandbox"
                ),
            });
        }
        Err(e) => return Err(RunError::Setup(format!("cannot start the command: {e}"))),
    };
    drop(go_read);
    drop(err_write);
    drop(tee_write);
    // Made after the clone so that no process inside holds its descriptor,
    // and before the go bytes so that it watches from the command's start.
    *live = watch.and_then(|(w, q)| protect::Live::new(w, q));
    let mut tee = tee_read.map(fs::File::from);
    if let Some(t) = &tee {
        let _ = nix::fcntl::fcntl(
            t.as_raw_fd(),
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        );
    }
    let mut tail: Vec<u8> = Vec::new();

    // Two bytes: the first lets the child set up its namespaces once the
    // id maps exist; the second, sent after the migration into the run's
    // cgroups (slow on cgroup v1: an RCU grace period), lets it start the
    // command. The two overlap.
    let mut go_file = fs::File::from(go_write);
    let mut start = || -> Result<(), RunError> {
        let go = |f: &mut fs::File| {
            f.write_all(b"g")
                .map_err(|e| RunError::Setup(format!("cannot start the sandbox: {e}")))
        };
        if p.confined.is_some() {
            write_id_maps(child)?;
        }
        go(&mut go_file)?;
        cgroups
            .enter(child.as_raw())
            .map_err(|e| RunError::Setup(e.to_string()))?;
        nested::wait_past(started);
        go(&mut go_file)
    };
    let mut err_pipe = fs::File::from(err_read);
    if let Err(e) = start() {
        // The child may have failed first: its own message says why.
        let _ = kill(child, Signal::SIGKILL);
        let _ = waitpid(child, None);
        drop(go_file);
        let mut message = Vec::new();
        let _ = err_pipe.read_to_end(&mut message);
        return Err(decode_child_message(&message, &p.program).unwrap_or(e));
    }
    drop(go_file);

    let sfd = SignalFd::with_flags(
        &signal_set(),
        SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK,
    )
    .map_err(|e| RunError::Setup(format!("signalfd: {e}")))?;
    let deadline = limits.timeout.map(|t| Instant::now() + t);
    let mut message = Vec::new();
    let mut err_open = true;
    let mut timed_out = false;
    let status = loop {
        if let Ok(s) = waitpid(child, Some(WaitPidFlag::WNOHANG)) {
            if !matches!(s, WaitStatus::StillAlive) {
                break s;
            }
        }
        let timeout = match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    timed_out = true;
                    let _ = kill(child, Signal::SIGKILL);
                    cgroups.kill_all();
                    break waitpid(child, None).unwrap_or(WaitStatus::StillAlive);
                }
                PollTimeout::try_from(left.as_millis().min(60_000) as i32 + 1)
                    .unwrap_or(PollTimeout::MAX)
            }
            None => PollTimeout::NONE,
        };
        let mut fds = vec![PollFd::new(sfd.as_fd(), PollFlags::POLLIN)];
        if err_open {
            fds.push(PollFd::new(err_pipe.as_fd(), PollFlags::POLLIN));
        }
        let tee_index = fds.len();
        if let Some(t) = &tee {
            fds.push(PollFd::new(t.as_fd(), PollFlags::POLLIN));
        }
        let live_index = fds.len();
        if let Some(l) = live.as_ref() {
            fds.push(PollFd::new(l.fd(), PollFlags::POLLIN));
        }
        match poll(&mut fds, timeout) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(RunError::Setup(format!("poll: {e}"))),
        }
        let err_ready = err_open
            && fds
                .get(1)
                .and_then(|f| f.revents())
                .is_some_and(|r| !r.is_empty());
        let sig_ready = fds
            .first()
            .and_then(|f| f.revents())
            .is_some_and(|r| r.contains(PollFlags::POLLIN));
        let tee_ready = fds
            .get(tee_index)
            .and_then(|f| f.revents())
            .is_some_and(|r| !r.is_empty());
        let live_ready = fds
            .get(live_index)
            .and_then(|f| f.revents())
            .is_some_and(|r| !r.is_empty());
        drop(fds);
        if live_ready {
            if let Some(l) = live.as_mut() {
                l.on_ready();
                // A command that keeps re-creating protected paths (`while
                // :; do echo x > .envrc; done`) would fill the quarantine
                // and the report with thousands of entries: it is stopped.
                if l.found.len() >= LIVE_QUARANTINE_LIMIT {
                    tracing::warn!(
                        "the command created protected paths {} times while it ran; stopped",
                        l.found.len()
                    );
                    let _ = kill(child, Signal::SIGKILL);
                    cgroups.kill_all();
                    break waitpid(child, None).unwrap_or(WaitStatus::StillAlive);
                }
            }
        }
        if tee_ready && !copy_tee(&mut tee, &mut tail) {
            tee = None;
        }
        if err_ready {
            let mut buf = [0u8; 4096];
            match err_pipe.read(&mut buf) {
                Ok(0) | Err(_) => err_open = false,
                Ok(n) => message.extend_from_slice(buf.get(..n).unwrap_or_default()),
            }
        }
        if sig_ready {
            while let Ok(Some(info)) = sfd.read_signal() {
                let Ok(sig) = Signal::try_from(i32::try_from(info.ssi_signo).unwrap_or(0)) else {
                    continue;
                };
                if sig != Signal::SIGCHLD && info.ssi_code != SI_KERNEL {
                    let _ = kill(child, sig);
                }
            }
        }
    };
    if err_open {
        let _ = err_pipe.read_to_end(&mut message);
    }
    // What the command wrote just before it ended.
    while copy_tee(&mut tee, &mut tail) {
        let mut probe = [PollFd::new(
            tee.as_ref().map_or(sfd.as_fd(), |t| t.as_fd()),
            PollFlags::POLLIN,
        )];
        if !matches!(poll(&mut probe, PollTimeout::ZERO), Ok(n) if n > 0) {
            break;
        }
    }
    let oom = cgroups.oom_killed();
    if let Some(err) = decode_child_message(&message, &p.program) {
        return Err(err);
    }
    let termination = if timed_out {
        Termination::TimedOut
    } else {
        match status {
            WaitStatus::Exited(_, code) => Termination::Exited(code),
            WaitStatus::Signaled(_, sig, _) => Termination::Signaled(sig as i32),
            _ => Termination::Signaled(libc::SIGKILL),
        }
    };
    Ok(Outcome {
        termination,
        oom_killed: oom,
        stderr_tail: tail,
        quarantined: Vec::new(),
        unchecked: Vec::new(),
        pid: u32::try_from(child.as_raw()).ok(),
    })
}

/// Copies what is ready on the tee pipe to rampart's stderr and keeps the
/// last [`STDERR_TAIL`] bytes. Returns false at end of file.
fn copy_tee(tee: &mut Option<fs::File>, tail: &mut Vec<u8>) -> bool {
    let Some(t) = tee else { return false };
    let mut buf = [0u8; 8192];
    match t.read(&mut buf) {
        Ok(0) => false,
        Ok(n) => {
            let chunk = buf.get(..n).unwrap_or_default();
            let _ = std::io::stderr().write_all(chunk);
            tail.extend_from_slice(chunk);
            if tail.len() > STDERR_TAIL {
                let cut = tail.len() - STDERR_TAIL;
                tail.drain(..cut);
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => true,
        Err(_) => false,
    }
}

fn decode_child_message(message: &[u8], program: &CString) -> Option<RunError> {
    let (&kind, rest) = message.split_first()?;
    let text = String::from_utf8_lossy(rest).into_owned();
    let program = program.to_string_lossy().into_owned();
    Some(match kind {
        b'X' => {
            let errno = text.trim().parse::<i32>().unwrap_or(libc::EIO);
            let err = std::io::Error::from_raw_os_error(errno);
            if errno == libc::ENOENT {
                RunError::NotFound(program)
            } else {
                RunError::CannotExecute {
                    program,
                    reason: err.to_string(),
                }
            }
        }
        _ => RunError::Setup(text),
    })
}

// ---- child side: everything below runs in the cloned process -------------

fn report(err: &OwnedFd, kind: u8, text: &str) {
    let mut msg = Vec::with_capacity(text.len() + 1);
    msg.push(kind);
    msg.extend_from_slice(text.as_bytes());
    let _ = nix::unistd::write(err, &msg);
}

fn child_main(
    p: &Prepared,
    go: &OwnedFd,
    err: OwnedFd,
    tee: Option<OwnedFd>,
    old_mask: &SigSet,
) -> ! {
    // Wait for the supervisor: id maps and cgroups first.
    let mut byte = [0u8; 1];
    if !matches!(nix::unistd::read(go.as_raw_fd(), &mut byte), Ok(1)) {
        sys::exit_now(125);
    }
    if let Err(e) = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL) {
        report(&err, b'S', &format!("PR_SET_PDEATHSIG: {e}"));
        sys::exit_now(125);
    }
    match &p.confined {
        None => {
            await_go(go, &err);
            exec_command(p, &err, tee.as_ref(), old_mask)
        }
        Some(c) => {
            // The id maps are written: from here on nothing inside may read
            // what rampart's own process holds (its environment, its
            // arguments, its memory).
            if let Err(e) = sys::make_undumpable().and_then(|()| sys::scrub_args_and_environ()) {
                report(
                    &err,
                    b'S',
                    &format!("cannot clear the sandbox's init process: {e}"),
                );
                sys::exit_now(125);
            }
            if let Err(e) = confine(c, &p.cwd) {
                report(&err, b'S', &e.to_string());
                sys::exit_now(125);
            }
            await_go(go, &err);
            init_process(p, err, tee, old_mask)
        }
    }
}

/// Waits for the supervisor's second byte: the child is in its cgroups.
fn await_go(go: &OwnedFd, err: &OwnedFd) {
    let mut byte = [0u8; 1];
    if !matches!(nix::unistd::read(go.as_raw_fd(), &mut byte), Ok(1)) {
        report(
            err,
            b'S',
            "the supervisor went away before the command started",
        );
        sys::exit_now(125);
    }
}

/// Why the sandbox's init process could not confine itself (reported to
/// the supervisor, which refuses the run).
#[derive(Debug, thiserror::Error)]
enum ConfineError {
    #[error("{0}")]
    Mounts(mounts::MountError),
    #[error("cannot enter the workspace `{}`: {source}", path.display())]
    Workspace { path: PathBuf, source: nix::Error },
    #[error("cannot set no_new_privs: {0}")]
    NoNewPrivs(nix::Error),
    #[error("cannot drop capabilities: {0}")]
    Capabilities(std::io::Error),
    #[error("{0}")]
    Landlock(landlock_rules::LandlockError),
    #[error("{0}")]
    Seccomp(seccomp::BuildFilterError),
}

fn confine(c: &ConfinedPlan, cwd: &Path) -> Result<(), ConfineError> {
    mounts::apply(&c.mounts).map_err(ConfineError::Mounts)?;
    nix::unistd::chdir(cwd).map_err(|source| ConfineError::Workspace {
        path: cwd.to_path_buf(),
        source,
    })?;
    nix::sys::prctl::set_no_new_privs().map_err(ConfineError::NoNewPrivs)?;
    sys::drop_all_capabilities(c.last_cap).map_err(ConfineError::Capabilities)?;
    landlock_rules::restrict(&c.landlock, c.abi).map_err(ConfineError::Landlock)?;
    seccomp::install(&c.seccomp).map_err(ConfineError::Seccomp)?;
    Ok(())
}

/// PID 1 of the sandbox: starts the command, reaps orphans, relays signals
/// the supervisor forwards, and exits with the command's status.
fn init_process(p: &Prepared, err: OwnedFd, tee: Option<OwnedFd>, old_mask: &SigSet) -> ! {
    let sfd = match SignalFd::with_flags(&signal_set(), SfdFlags::SFD_CLOEXEC) {
        Ok(s) => s,
        Err(e) => {
            report(&err, b'S', &format!("signalfd: {e}"));
            sys::exit_now(125);
        }
    };
    let command = match sys::fork_process() {
        Ok(Some(pid)) => pid,
        Ok(None) => {
            drop(sfd);
            exec_command(p, &err, tee.as_ref(), old_mask)
        }
        Err(e) => {
            report(&err, b'S', &format!("cannot fork the command: {e}"));
            sys::exit_now(125);
        }
    };
    drop(err);
    drop(tee);
    loop {
        if let Ok(Some(info)) = sfd.read_signal() {
            let Ok(sig) = Signal::try_from(i32::try_from(info.ssi_signo).unwrap_or(0)) else {
                continue;
            };
            if sig != Signal::SIGCHLD {
                if info.ssi_code != SI_KERNEL {
                    let _ = kill(command, sig);
                }
                continue;
            }
        }
        loop {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::Exited(pid, code)) if pid == command => sys::exit_now(code),
                Ok(WaitStatus::Signaled(pid, sig, _)) if pid == command => {
                    sys::exit_now(128 + sig as i32)
                }
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
}

fn exec_command(p: &Prepared, err: &OwnedFd, tee: Option<&OwnedFd>, old_mask: &SigSet) -> ! {
    if let Some(t) = tee {
        if let Err(e) = nix::unistd::dup2(t.as_raw_fd(), 2) {
            report(err, b'S', &format!("cannot pass stderr through: {e}"));
            sys::exit_now(125);
        }
    }
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(old_mask), None);
    for (res, value) in &p.rlimits {
        if let Err(e) = setrlimit(*res, *value, *value) {
            report(err, b'S', &format!("cannot set {res:?}: {e}"));
            sys::exit_now(125);
        }
    }
    if p.confined.is_some() {
        // Descriptors the caller left open would be usable without a path
        // lookup, so Landlock would never see them: none cross into the
        // sandbox but stdin, stdout and stderr.
        if let Err(e) = sys::close_on_exec_from(3) {
            report(
                err,
                b'S',
                &format!("cannot close inherited descriptors: {e}"),
            );
            sys::exit_now(125);
        }
    } else if let Err(e) = nix::unistd::chdir(&p.cwd) {
        report(
            err,
            b'S',
            &format!("cannot enter `{}`: {e}", p.cwd.display()),
        );
        sys::exit_now(125);
    }
    let Err(e) = nix::unistd::execve(&p.program, &p.argv, &p.envp);
    report(err, b'X', &(e as i32).to_string());
    sys::exit_now(if e == nix::errno::Errno::ENOENT {
        127
    } else {
        126
    })
}
