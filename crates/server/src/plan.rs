//! The sealed plan that `rampart sandbox-run` refuses to run without.
//!
//! `sandbox-run` is the enforcement half of `rampart exec` for rampart's
//! own servers ([`crate::runner`]): it runs a command that its caller
//! already decided and recorded, so it must not be usable as a way around
//! the decision. The caller hands it a plan:
//!
//! - the plan is the [`ExecPlan`] the caller resolved from the config it
//!   decided with (the sandbox, the environment, the limits, the audit
//!   settings: everything `sandbox-run` needs, so that it loads no config
//!   and reads no policy flag), together with the exact argument list of
//!   the `sandbox-run` invocation and the caller's pid, as JSON, in a memfd
//!   that the caller seals
//!   (`F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL`) before the
//!   child starts, and hands over as the child's standard input;
//! - `sandbox-run` checks that its stdin is such a sealed memfd, that the
//!   plan names exactly its own arguments, that the plan's pid is its
//!   parent, and that its parent runs the same rampart binary as itself
//!   (`/proc/PPID/exe` and `/proc/self/exe` are the same file); only then
//!   does it replace stdin with `/dev/null` and run the plan's command in
//!   the plan's sandbox (its arguments only name the command, for `ps`).
//!
//! "Sealed" therefore means: immutable after the parent wrote it (nobody,
//! not even the parent, can change it), bound to one argument list, and
//! issued by a rampart process that is the direct parent. A shell cannot
//! make a sealed memfd (`<file`, a pipe or a here-string are refused), so
//! `rampart sandbox-run -- CMD` typed by an agent runs nothing.
//!
//! What an attacker with the same uid can still do: one able to run
//! arbitrary code (not just shell) can create a sealed memfd, fork, and
//! `exec` rampart in the parent so that the parent check passes, or ptrace
//! a rampart server (where `kernel.yama.ptrace_scope` allows). That gains
//! nothing: `sandbox-run` refuses `danger-full-access`, it can only add
//! confinement to a command that such an attacker could run directly, and
//! the decision already judged the code that did it. The plan keeps
//! `sandbox-run` from being a decision-free door for shell commands; the
//! decision layer judges `rampart sandbox-run …` as what it would run.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, MetadataExt};
#[cfg(test)]
use std::path::PathBuf;

use nix::fcntl::{fcntl, FcntlArg, SealFlag};
use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use serde::{Deserialize, Serialize};

use rampart_guard::limits::MAX_PLAN;

use crate::exec_plan::ExecPlan;

/// The version of the sealed form.
const VERSION: u32 = 4;

/// Why `sandbox-run` refused.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// No sealed memfd on stdin.
    #[error("its standard input is not a sealed plan ({0})")]
    NotSealed(String),
    /// The plan cannot be read or parsed.
    #[error("the plan cannot be read: {0}")]
    Unreadable(String),
    /// The plan is for another command line.
    #[error("the plan names other arguments than the ones given")]
    OtherArguments,
    /// The plan's issuer is not the parent, or the parent is not rampart.
    #[error("the plan was not issued by its parent rampart process ({0})")]
    OtherIssuer(String),
    /// Making the plan failed.
    #[error("cannot make the plan: {0}")]
    Make(String),
}

fn seals() -> SealFlag {
    SealFlag::F_SEAL_WRITE | SealFlag::F_SEAL_SHRINK | SealFlag::F_SEAL_GROW | SealFlag::F_SEAL_SEAL
}

/// What is sealed.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    v: u32,
    parent: u32,
    /// Arguments as byte arrays: exact, whatever their encoding.
    args: Vec<Vec<u8>>,
    plan: ExecPlan,
    /// Where `sandbox-run` reports how the run ended
    /// ([`crate::status`]).
    status: Option<crate::status::StatusChannel>,
}

fn arg_bytes(args: &[OsString]) -> Vec<Vec<u8>> {
    args.iter().map(|a| a.as_bytes().to_vec()).collect()
}

/// Seals `plan` for `sandbox-run ARGS…` (`args` starts with
/// `sandbox-run`), issued by this process, with the channel the child
/// reports its status on; the returned memfd is to be the child's stdin.
///
/// # Errors
///
/// When the plan cannot be serialised (a path that is not UTF-8), or the
/// memfd cannot be made, written or sealed.
pub fn seal(
    args: &[OsString],
    plan: &ExecPlan,
    status: Option<&crate::status::StatusChannel>,
) -> Result<OwnedFd, PlanError> {
    let sealed = Sealed {
        v: VERSION,
        parent: std::process::id(),
        args: arg_bytes(args),
        plan: plan.clone(),
        status: status.cloned(),
    };
    let bytes = serde_json::to_vec(&sealed).map_err(|e| PlanError::Make(e.to_string()))?;
    let fd = memfd_create(
        c"rampart-plan",
        MemFdCreateFlag::MFD_CLOEXEC | MemFdCreateFlag::MFD_ALLOW_SEALING,
    )
    .map_err(|e| PlanError::Make(e.to_string()))?;
    let mut file = File::from(fd);
    file.write_all(&bytes)
        .map_err(|e| PlanError::Make(e.to_string()))?;
    fcntl(file.as_raw_fd(), FcntlArg::F_ADD_SEALS(seals()))
        .map_err(|e| PlanError::Make(e.to_string()))?;
    Ok(OwnedFd::from(file))
}

/// Checks the plan on this process's stdin against its own arguments
/// (`args`, starting with `sandbox-run`) and its parent, and returns it
/// with the channel to report the run's status on.
///
/// # Errors
///
/// Every way the plan can be missing, changed, for another command line or
/// from another issuer.
pub fn verify_stdin(
    args: &[OsString],
) -> Result<(ExecPlan, Option<crate::status::StatusChannel>), PlanError> {
    let stdin = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| PlanError::NotSealed(e.to_string()))?;
    let have = fcntl(stdin.as_raw_fd(), FcntlArg::F_GET_SEALS)
        .map_err(|e| PlanError::NotSealed(format!("not a memfd: {e}")))?;
    let have = SealFlag::from_bits_truncate(have);
    if !have.contains(seals()) {
        return Err(PlanError::NotSealed(format!(
            "seals {have:?}, want {:?}",
            seals()
        )));
    }
    let file = File::from(stdin);
    let len = file
        .metadata()
        .map_err(|e| PlanError::Unreadable(e.to_string()))?
        .len();
    if len > MAX_PLAN {
        return Err(PlanError::Unreadable(format!("{len} bytes")));
    }
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
    file.read_exact_at(&mut buf, 0)
        .map_err(|e| PlanError::Unreadable(e.to_string()))?;
    let sealed: Sealed =
        serde_json::from_slice(&buf).map_err(|e| PlanError::Unreadable(e.to_string()))?;
    if sealed.v != VERSION {
        return Err(PlanError::Unreadable(format!(
            "version {}, want {VERSION}",
            sealed.v
        )));
    }
    if sealed.args != arg_bytes(args) {
        return Err(PlanError::OtherArguments);
    }
    let parent = nix::unistd::getppid().as_raw();
    if Some(sealed.parent) != u32::try_from(parent).ok() {
        return Err(PlanError::OtherIssuer(format!(
            "issued by pid {}, parent is {parent}",
            sealed.parent
        )));
    }
    // fs-err: the error names the file.
    let same = |a: &str, b: &str| -> std::io::Result<bool> {
        let x = fs_err::metadata(a)?;
        let y = fs_err::metadata(b)?;
        Ok(x.dev() == y.dev() && x.ino() == y.ino())
    };
    match same("/proc/self/exe", &format!("/proc/{parent}/exe")) {
        Ok(true) => {}
        Ok(false) => {
            return Err(PlanError::OtherIssuer(
                "the parent is not this rampart binary".into(),
            ))
        }
        Err(e) => return Err(PlanError::OtherIssuer(e.to_string())),
    }
    // The command gets no stdin (the plan is not its business).
    let null = File::open("/dev/null").map_err(|e| PlanError::Unreadable(e.to_string()))?;
    nix::unistd::dup2(null.as_raw_fd(), 0).map_err(|e| PlanError::Unreadable(e.to_string()))?;
    Ok((sealed.plan, sealed.status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec_plan::AuditPlan;
    use rampart_sandbox::{Command, Confinement, Isolation, Limits, WriteScope};

    fn plan() -> ExecPlan {
        let cfg = rampart_policy::Config::defaults(&rampart_policy::HostEnv::default());
        ExecPlan {
            sandbox_mode: rampart_policy::SandboxMode::ReadOnly,
            approval_policy: cfg.approval_policy,
            workspace: "/w".into(),
            command: Command {
                program: "/bin/ls".into(),
                argv: vec!["ls".into()],
                env: vec![("RAMPART_SANDBOX".into(), "read-only".into())],
                cwd: "/w/sub".into(),
                tee_stderr: false,
            },
            isolation: Isolation::Confined(Confinement {
                write: WriteScope::ReadOnly,
                network: false,
                unix_sockets: false,
                hidden: vec!["/home/u/.ssh".into()],
                protected: vec!["/w/rampart.toml".into()],
                nested: vec![".envrc".into()],
                walk_limit: None,
                quarantine: None,
            }),
            limits: Limits::default(),
            audit: AuditPlan::of(&cfg),
            decision: Some(crate::exec_plan::PlanDecision {
                verdict: rampart_policy::Verdict::Allow,
                risk: rampart_policy::Risk::Low,
                rule: None,
                reasons: vec!["`ls` only reads".into()],
                approved_by: None,
                granted: Vec::new(),
            }),
        }
    }

    #[test]
    fn a_plan_is_sealed_and_exact() {
        let args: Vec<OsString> = vec!["sandbox-run".into(), "--".into(), "ls".into()];
        let fd = seal(&args, &plan(), None).expect("seal");
        let got = fcntl(fd.as_raw_fd(), FcntlArg::F_GET_SEALS).expect("seals");
        assert!(SealFlag::from_bits_truncate(got).contains(seals()));
        // Sealed: the issuer itself cannot change it any more.
        let f = File::from(fd);
        assert!(
            f.write_at(b"x", 0).is_err(),
            "gate bypassed: a sealed plan could be rewritten"
        );
        let len = usize::try_from(f.metadata().expect("len").len()).expect("size");
        let mut buf = vec![0u8; len];
        f.read_exact_at(&mut buf, 0).expect("read");
        let back: Sealed = serde_json::from_slice(&buf).expect("parse");
        assert_eq!(
            (back.v, back.parent, back.args),
            (VERSION, std::process::id(), arg_bytes(&args))
        );
        // The plan crosses whole: mode, sandbox, command.
        assert_eq!(
            back.plan.sandbox_mode,
            rampart_policy::SandboxMode::ReadOnly
        );
        assert_eq!(back.plan.command.cwd, PathBuf::from("/w/sub"));
        assert!(matches!(
            back.plan.isolation,
            Isolation::Confined(Confinement {
                write: WriteScope::ReadOnly,
                ..
            })
        ));
        assert_eq!(back.plan.audit, plan().audit);
    }
}
