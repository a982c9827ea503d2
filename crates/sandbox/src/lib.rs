//! Linux enforcement for rampart: runs one command in a sandbox it cannot
//! get out of.
//!
//! A confined command gets fresh user, mount, PID, IPC and UTS namespaces
//! (and a network namespace with only its own loopback when the network is
//! off), a private `/proc` and `/dev/shm`, read-only `.git` and protected
//! paths with their writable ancestors pinned (what no mount can hold is
//! quarantined after the run, see `protect.rs`), unreadable `deny_read`
//! paths, no capabilities, `no_new_privs`, a Landlock ruleset (filesystem,
//! TCP and scopes) and a seccomp filter. It never runs as uid 0 inside
//! ([`inside_ids`]). Its init process holds no readable secret, and a
//! terminal it was handed comes back with its modes as they were. Limits
//! come from cgroups where the host lets rampart use them, else from
//! rlimits.
//!
//! The main entry points are [`run`] and [`HostReport::probe`].
//!
//! ```no_run
//! use rampart_sandbox::{run, Command, Confinement, GitWrites, Isolation, Limits, WriteScope};
//! let cmd = Command {
//!     program: "/usr/bin/true".into(),
//!     argv: vec!["true".into()],
//!     env: vec![],
//!     cwd: "/tmp".into(),
//!     tee_stderr: false,
//! };
//! let isolation = Isolation::Confined(Confinement {
//!     write: WriteScope::ReadOnly,
//!     network: false,
//!     unix_sockets: false,
//!     hidden: vec![],
//!     protected: vec![],
//!     nested: vec![],
//!     walk_limit: None,
//!     quarantine: None,
//! });
//! let outcome = run(&cmd, &isolation, &Limits::default())?;
//! assert_eq!(outcome.exit_code(), 0);
//! # Ok::<(), rampart_sandbox::RunError>(())
//! ```
//!
//! # Security model
//!
//! The command is untrusted and may be actively hostile. Every layer is
//! meant to hold alone: Landlock confines writes even if a mount is missing,
//! the namespaces hide host processes and sockets even if a syscall slips
//! past seccomp, and seccomp removes kernel surfaces (io_uring, bpf,
//! ptrace, new user namespaces, TIOCSTI) that the other two do not cover.
//! If the host cannot provide a layer the mode needs, [`run`] returns
//! [`RunError::Unavailable`]; it never runs with less.
//!
//! # Limitations
//!
//! - Names inside a `deny_read` directory can be listed (their content
//!   cannot be read); a `deny_read` path inside a writable root is masked
//!   with a mount when it exists and refused when it does not.
//! - Unix sockets created with `socket(2)` are refused unless
//!   `unix_sockets` is set, because Landlock below ABI 9 cannot stop a
//!   `connect(2)` to a host socket file; `socketpair(2)` stream pairs work.
//! - Host allowlists for the network are not enforced here; the caller must
//!   refuse them rather than run with the network fully on.
//! - Without a usable `pids` cgroup, the process limit is RLIMIT_NPROC,
//!   which binds per user namespace for regular users and not at all for
//!   root (then [`run`] refuses).
//!
//! # Test strategy
//!
//! Unit tests cover the planning (git layout, seccomp build, the
//! `deny_read` read rules). The
//! attack suite in `crates/cli/tests/suite/attacks.rs` runs the real binary
//! and a probe program through every escape the design names, each paired
//! with a control that must succeed; `attacks_secrets.rs` covers what the
//! host must not leak into the sandbox (environment, mounts, uid, terminal).
#![cfg(target_os = "linux")]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

mod cgroup;
mod git;
mod host_git;
mod landlock_rules;
mod mounts;
mod nested;
mod protect;
mod run;
mod safe_read;
mod seccomp;
mod sys;
mod terminal;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use cgroup::{Controller, Placement};
pub use git::GitWrites;
pub use landlock_rules::{DenyReadError, Unhideable, MIN_ABI as MIN_LANDLOCK_ABI};
pub use protect::recover_pending;

/// The host's `git`, found only in absolute `$PATH` entries (never `.` or
/// `node_modules/.bin`), with an empty environment, run from `/`: for
/// rampart's own reads (`rampart doctor`), see `host_git.rs`.
pub fn host_git() -> Option<std::process::Command> {
    host_git::command()
}
pub use run::{inside_ids, run, Command};

/// Has the program `cmd` starts inherit `fd` (close-on-exec in this
/// process) at the same number, and no other program this process starts:
/// how a server hands `sandbox-run` the pipe it reports its status on. The
/// sandbox marks every descriptor above 2 close-on-exec before the
/// sandboxed program starts, so `fd` never reaches it.
pub fn inherit_fd(cmd: &mut std::process::Command, fd: std::os::fd::BorrowedFd<'_>) {
    use std::os::fd::AsRawFd as _;
    sys::inherit_fd(cmd, fd.as_raw_fd());
}
pub use seccomp::DENIED_SYSCALLS;

/// How a command runs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Isolation {
    /// No sandbox at all (`danger-full-access`).
    FullAccess,
    /// Namespaces, Landlock and seccomp.
    Confined(Confinement),
}

/// What a confined command may do.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Confinement {
    /// Where it may write.
    pub write: WriteScope,
    /// Whether it shares the host's network.
    pub network: bool,
    /// Whether it may create Unix sockets with `socket(2)`.
    pub unix_sockets: bool,
    /// Paths it cannot read (absolute, existing or not): nothing beneath
    /// them can be read or run, including what the host creates there while
    /// the command runs. Names inside can be listed. One inside a writable
    /// root must exist (it is then masked with a mount); a missing one is
    /// refused with [`RunError::Invalid`].
    pub hidden: Vec<PathBuf>,
    /// Protected paths (rampart's config and state, agent-config files),
    /// existing or not: existing ones are bound read-only, every ancestor
    /// whose parent is writable is pinned (cannot be renamed), and missing
    /// ones (or symlinks) are watched and quarantined if they appear.
    pub protected: Vec<PathBuf>,
    /// Agent-config paths relative to any folder (`.envrc`, `.vscode`,
    /// `.cargo/config.toml`): what the command made or changed at these
    /// names anywhere below the places it may write is quarantined after
    /// the run, as is a git config naming a program in any git directory
    /// there (see `nested.rs`).
    #[serde(default)]
    pub nested: Vec<PathBuf>,
    /// A lower bound than the built-in 4,000,000 on the entries that check
    /// reads (tests reach the bound with a few hundred); a lower bound can
    /// only make a run "not known to be clean" sooner.
    #[serde(default)]
    pub walk_limit: Option<usize>,
    /// Where watched paths that appeared during the run are moved, and
    /// where the pending record of a run lives. Without it, what appeared
    /// is renamed beside itself.
    pub quarantine: Option<PathBuf>,
}

/// Why a protected path could not be moved into the quarantine (it is
/// still where the command left it).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum QuarantineError {
    /// The rename (or the copy it needed) failed.
    #[error("{0}")]
    Io(std::sync::Arc<std::io::Error>),
    /// A symlink was planted above the path at every attempt.
    #[error("the path kept changing under the move")]
    KeptChanging,
}

impl From<std::io::Error> for QuarantineError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(std::sync::Arc::new(e))
    }
}

/// Equal when they say the same (an outcome is compared as a whole).
impl PartialEq for QuarantineError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Io(a), Self::Io(b)) => a.kind() == b.kind() && a.to_string() == b.to_string(),
            (Self::KeptChanging, Self::KeptChanging) => true,
            _ => false,
        }
    }
}

impl Eq for QuarantineError {}

/// A protected path that appeared (or was replaced) while the command ran,
/// and was moved away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// Where it appeared.
    pub path: PathBuf,
    /// Where it was moved, or why moving failed.
    pub moved_to: Result<PathBuf, QuarantineError>,
    /// Why it was taken, when it is more than "a protected path appeared".
    pub why: Option<String>,
    /// Moved aside as a precaution, not a breach attempt: an agent-config
    /// folder a package shipped into `node_modules` (no package manager
    /// runs it, but it must not be renamed out of there into a folder a
    /// host program reads later).
    pub routine: bool,
}

/// Where a confined command may write.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum WriteScope {
    /// Nowhere on the host; a private `/tmp` vanishes at exit.
    ReadOnly,
    /// The workspace and the listed roots.
    Workspace {
        /// The workspace.
        root: PathBuf,
        /// More writable directories.
        writable_roots: Vec<PathBuf>,
        /// Whether the host's `/tmp` is writable.
        slash_tmp: bool,
        /// `$TMPDIR`, when it is writable.
        tmpdir: Option<PathBuf>,
        /// How much of `.git` may change.
        git: GitWrites,
    },
}

/// Resource limits; `None` means no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Wall-clock time before the whole process tree is killed.
    pub timeout: Option<Duration>,
    /// Memory for the whole tree (cgroup) or each process (RLIMIT_DATA).
    pub memory_bytes: Option<u64>,
    /// Processes in the tree (cgroup `pids`) or RLIMIT_NPROC.
    pub max_processes: Option<u64>,
    /// CPU seconds per process.
    pub cpu_secs: Option<u64>,
    /// Largest file a process may write.
    pub file_size_bytes: Option<u64>,
}

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// It exited with this code.
    Exited(i32),
    /// It was killed by this signal.
    Signaled(i32),
    /// The timeout killed it.
    TimedOut,
}

/// The result of [`run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// How it ended.
    pub termination: Termination,
    /// Whether the memory cgroup killed a process.
    pub oom_killed: bool,
    /// The end of the command's stderr, when [`Command::tee_stderr`] asked
    /// for it.
    pub stderr_tail: Vec<u8>,
    /// Protected paths the command created or replaced, now quarantined.
    pub quarantined: Vec<Quarantined>,
    /// What the check after the run could not read, and why: the run is
    /// then not known to be clean (see `nested.rs`).
    pub unchecked: Vec<String>,
    /// The pid of the command's process as rampart saw it (in rampart's
    /// PID namespace), for the audit record.
    pub pid: Option<u32>,
}

impl Outcome {
    /// The exit code rampart reports: the program's, 124 on timeout, 128+N
    /// when killed by signal N.
    pub fn exit_code(&self) -> i32 {
        match self.termination {
            Termination::Exited(c) => c,
            Termination::Signaled(s) => 128 + s,
            Termination::TimedOut => 124,
        }
    }
}

/// Why a command could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The host lacks a protection the mode needs.
    #[error("this host cannot provide {what}: {why}")]
    Unavailable {
        /// The missing protection.
        what: &'static str,
        /// What is missing and what to do.
        why: String,
    },
    /// Setting up the sandbox failed.
    #[error("sandbox setup failed: {0}")]
    Setup(String),
    /// The request itself is unusable.
    #[error("{0}")]
    Invalid(String),
    /// A `deny_read` path that cannot be kept unreadable.
    #[error(transparent)]
    DenyRead(#[from] DenyReadError),
    /// The program does not exist (inside the sandbox's view).
    #[error("program `{0}` not found")]
    NotFound(String),
    /// The program exists but cannot be executed.
    #[error("cannot execute `{program}`: {reason}")]
    CannotExecute {
        /// The program.
        program: String,
        /// The kernel's reason.
        reason: String,
    },
}

/// Finds `name` the way `execvp(3)` would, in `path` (a `PATH` value),
/// relative to `cwd` when it contains a slash.
pub fn resolve_program(
    name: &std::ffi::OsStr,
    path: Option<&std::ffi::OsStr>,
    cwd: &Path,
) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let is_exec = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let candidate = Path::new(name);
    if name.is_empty() {
        return None;
    }
    if candidate.as_os_str().to_string_lossy().contains('/') {
        let full = cwd.join(candidate);
        return std::fs::metadata(&full).is_ok().then_some(full);
    }
    let path = path.unwrap_or(std::ffi::OsStr::new("/usr/local/bin:/usr/bin:/bin"));
    std::env::split_paths(path)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                cwd.join(dir)
            }
        })
        .map(|dir| dir.join(candidate))
        .find(|p| is_exec(p))
}

/// What this host can enforce, for `rampart doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostReport {
    /// Landlock ABI (0: none).
    pub landlock_abi: i32,
    /// Whether a user namespace could be created.
    pub user_namespaces: Result<(), UserNamespaceError>,
    /// Whether seccomp filters are available.
    pub seccomp: bool,
    /// Where the pids controller can be used.
    pub pids_cgroup: Option<Placement>,
    /// Where the memory controller can be used.
    pub memory_cgroup: Option<Placement>,
    /// Whether rampart runs as root.
    pub root: bool,
}

impl HostReport {
    /// Probes the running kernel.
    pub fn probe() -> Self {
        Self {
            landlock_abi: sys::landlock_abi(),
            user_namespaces: probe_user_namespace(),
            seccomp: std::fs::read_to_string("/proc/self/status")
                .is_ok_and(|s| s.lines().any(|l| l.starts_with("Seccomp:"))),
            pids_cgroup: cgroup::placement(Controller::Pids),
            memory_cgroup: cgroup::placement(Controller::Memory),
            root: nix::unistd::Uid::effective().is_root(),
        }
    }
}

/// Why `rampart doctor` found no usable user namespace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserNamespaceError {
    /// Only a single-threaded process can create one (and so probe).
    #[error("cannot probe from a multi-threaded process")]
    MultiThreaded,
    /// `clone(CLONE_NEWUSER|…)` failed.
    #[error("{0}")]
    Clone(nix::errno::Errno),
    /// The probe child did not exit 0.
    #[error("probe child ended with {0:?}")]
    Child(Result<nix::sys::wait::WaitStatus, nix::errno::Errno>),
}

fn probe_user_namespace() -> Result<(), UserNamespaceError> {
    match sys::thread_count() {
        Ok(1) => {}
        _ => return Err(UserNamespaceError::MultiThreaded),
    }
    match sys::clone_process(
        libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_NEWPID | libc::CLONE_NEWNET,
    ) {
        Ok(None) => sys::exit_now(0),
        Ok(Some(pid)) => match nix::sys::wait::waitpid(pid, None) {
            Ok(nix::sys::wait::WaitStatus::Exited(_, 0)) => Ok(()),
            other => Err(UserNamespaceError::Child(other)),
        },
        Err(e) => Err(UserNamespaceError::Clone(nix::errno::Errno::from_raw(
            e.raw_os_error().unwrap_or(0),
        ))),
    }
}

/// Signs that a failure came from the sandbox rather than the program:
/// what the kernel reports for a Landlock or seccomp refusal, a read-only
/// mount, or a network that is not there.
const DENIAL_SIGNATURES: &[(&str, &str)] = &[
    ("Read-only file system", "a write was refused (read-only)"),
    ("Permission denied", "a file access was refused"),
    ("Operation not permitted", "a system call was refused"),
    ("EACCES", "a file access was refused"),
    ("EROFS", "a write was refused (read-only)"),
    ("EPERM", "a system call was refused"),
    ("Could not resolve host", "the network is off"),
    ("Temporary failure in name resolution", "the network is off"),
    ("Name or service not known", "the network is off"),
    ("Network is unreachable", "the network is off"),
    ("getaddrinfo", "the network is off"),
    ("ENOTFOUND", "the network is off"),
    ("EAI_AGAIN", "the network is off"),
    ("Address family not supported", "the network is off"),
    ("Failed to connect", "the network is off"),
];

/// Why a failed run looks like a sandbox denial, if it does.
pub fn sandbox_denial(stderr_tail: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(stderr_tail);
    DENIAL_SIGNATURES
        .iter()
        .find(|(sig, _)| text.contains(sig))
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod denial_tests {
    use super::*;

    #[test]
    fn denial_signatures() {
        assert_eq!(
            sandbox_denial(b"sh: 1: cannot create /etc/x: Read-only file system"),
            Some("a write was refused (read-only)")
        );
        assert_eq!(
            sandbox_denial(b"curl: (6) Could not resolve host: example.com"),
            Some("the network is off")
        );
        assert_eq!(sandbox_denial(b"test failed: assertion"), None);
    }
}
