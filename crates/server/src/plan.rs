//! The sealed plan that `rampart sandbox-run` refuses to run without.
//!
//! `sandbox-run` is the enforcement half of `rampart exec` for rampart's
//! own servers ([`crate::runner`]): it runs a command that its caller
//! already decided and recorded, so it must not be usable as a way around
//! the decision. The caller hands it a plan:
//!
//! - the plan is the exact argument list of the `sandbox-run` invocation
//!   and the caller's pid, as JSON, in a memfd that the caller seals
//!   (`F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL`) before the
//!   child starts, and hands over as the child's standard input;
//! - `sandbox-run` checks that its stdin is such a sealed memfd, that the
//!   plan names exactly its own arguments, that the plan's pid is its
//!   parent, and that its parent runs the same rampart binary as itself
//!   (`/proc/PPID/exe` and `/proc/self/exe` are the same file); only then
//!   does it replace stdin with `/dev/null` and run the command.
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

use nix::fcntl::{fcntl, FcntlArg, SealFlag};
use nix::sys::memfd::{memfd_create, MemFdCreateFlag};

/// The largest plan read.
const MAX_PLAN: u64 = 1 << 20;

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

fn plan_json(pid: u32, args: &[OsString]) -> Vec<u8> {
    // Arguments as byte arrays: exact, whatever their encoding.
    let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    serde_json::json!({ "v": 1, "parent": pid, "args": args })
        .to_string()
        .into_bytes()
}

/// Seals a plan for `sandbox-run ARGS…` (`args` starts with
/// `sandbox-run`), issued by this process; the returned memfd is to be the
/// child's stdin.
///
/// # Errors
///
/// When the memfd cannot be made, written or sealed.
pub fn seal(args: &[OsString]) -> Result<OwnedFd, PlanError> {
    let fd = memfd_create(
        c"rampart-plan",
        MemFdCreateFlag::MFD_CLOEXEC | MemFdCreateFlag::MFD_ALLOW_SEALING,
    )
    .map_err(|e| PlanError::Make(e.to_string()))?;
    let mut file = File::from(fd);
    file.write_all(&plan_json(std::process::id(), args))
        .map_err(|e| PlanError::Make(e.to_string()))?;
    fcntl(file.as_raw_fd(), FcntlArg::F_ADD_SEALS(seals()))
        .map_err(|e| PlanError::Make(e.to_string()))?;
    Ok(OwnedFd::from(file))
}

/// Checks the plan on this process's stdin against its own arguments
/// (`args`, starting with `sandbox-run`) and its parent.
///
/// # Errors
///
/// Every way the plan can be missing, changed, for another command line or
/// from another issuer.
pub fn verify_stdin(args: &[OsString]) -> Result<(), PlanError> {
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
    let parent = nix::unistd::getppid().as_raw();
    let want_parent = u32::try_from(parent).unwrap_or(0);
    let plan: serde_json::Value =
        serde_json::from_slice(&buf).map_err(|e| PlanError::Unreadable(e.to_string()))?;
    if plan_json(
        plan["parent"]
            .as_u64()
            .map_or(0, |p| u32::try_from(p).unwrap_or(0)),
        args,
    ) != buf
    {
        return Err(PlanError::OtherArguments);
    }
    if plan["parent"].as_u64() != Some(u64::from(want_parent)) {
        return Err(PlanError::OtherIssuer(format!(
            "issued by pid {}, parent is {parent}",
            plan["parent"]
        )));
    }
    let same = |a: &str, b: &str| -> Result<bool, String> {
        let x = std::fs::metadata(a).map_err(|e| format!("{a}: {e}"))?;
        let y = std::fs::metadata(b).map_err(|e| format!("{b}: {e}"))?;
        Ok(x.dev() == y.dev() && x.ino() == y.ino())
    };
    match same("/proc/self/exe", &format!("/proc/{parent}/exe")) {
        Ok(true) => {}
        Ok(false) => {
            return Err(PlanError::OtherIssuer(
                "the parent is not this rampart binary".into(),
            ))
        }
        Err(e) => return Err(PlanError::OtherIssuer(e)),
    }
    // The command gets no stdin (the plan is not its business).
    let null = File::open("/dev/null").map_err(|e| PlanError::Unreadable(e.to_string()))?;
    nix::unistd::dup2(null.as_raw_fd(), 0).map_err(|e| PlanError::Unreadable(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_is_sealed_and_exact() {
        let args: Vec<OsString> = vec!["sandbox-run".into(), "--".into(), "ls".into()];
        let fd = seal(&args).expect("seal");
        let got = fcntl(fd.as_raw_fd(), FcntlArg::F_GET_SEALS).expect("seals");
        assert!(SealFlag::from_bits_truncate(got).contains(seals()));
        // Sealed: the issuer itself cannot change it any more.
        let f = File::from(fd);
        assert!(
            f.write_at(b"x", 0).is_err(),
            "gate bypassed: a sealed plan could be rewritten"
        );
        let mut buf = vec![0u8; 200];
        let n = f.read_at(&mut buf, 0).expect("read");
        assert_eq!(
            buf.get(..n).expect("n"),
            plan_json(std::process::id(), &args).as_slice()
        );
    }
}
