//! How `rampart sandbox-run` tells the server that started it how the run
//! ended, so that the server records a [`Status`] it was told rather than
//! one it guessed from an exit code.
//!
//! The server ([`crate::runner`]) makes a pipe (both ends close-on-exec),
//! has `sandbox-run` inherit the write end at the same number
//! ([`rampart_sandbox::inherit_fd`]), and names that number and a fresh
//! random token in the sealed plan ([`crate::plan`]). `sandbox-run` takes
//! the write end before it does anything else ([`Reporter::take`]: it
//! reopens it close-on-exec and closes the inherited number, so the
//! sandboxed command never inherits it; the sandbox marks every descriptor
//! above 2 close-on-exec as well), and as it exits writes one line of
//! JSON: the token, the status and its own exit code. The server reads
//! that line once the child has exited ([`Listener::status`]) and checks
//! it: no line, more than one, a wrong token, an unknown status, or a
//! status or exit code that disagrees with the child's wait status, and
//! the run is `failed` (never `succeeded`), with the reason.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::fcntl::{fcntl, FcntlArg, FdFlag, OFlag};
use rampart_gate::Status;
use serde::{Deserialize, Serialize};

/// The most a status report may be.
const MAX_LINE: usize = 4096;

/// Where `sandbox-run` reports: part of the sealed plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChannel {
    /// The inherited descriptor's number.
    pub fd: i32,
    /// Echoed in the report: only the holder of the sealed plan knows it.
    pub token: String,
}

/// The one line `sandbox-run` writes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    token: String,
    status: String,
    exit_code: i32,
}

/// Why a status channel could not be made or used.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The pipe or the token could not be made.
    #[error("cannot make the status channel: {0}")]
    Make(std::io::Error),
    /// The inherited descriptor is not the status pipe.
    #[error("descriptor {fd} is not the status channel: {why}")]
    NotAChannel {
        /// The number the plan named.
        fd: i32,
        /// What is wrong with it.
        why: String,
    },
    /// The report could not be written.
    #[error("cannot write the status report: {0}")]
    Write(std::io::Error),
}

fn status_name(s: Status) -> &'static str {
    s.as_str()
}

fn parse_status(s: &str) -> Option<Status> {
    [
        Status::Succeeded,
        Status::Failed,
        Status::Refused,
        Status::TimedOut,
        Status::Killed,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
}

/// Whether `status` can be the end of a `sandbox-run` that exited with
/// `exit` (`None`: killed by a signal itself), by `rampart exec`'s exit
/// table.
fn agrees(status: Status, exit: Option<i32>) -> bool {
    match (status, exit) {
        (Status::Succeeded, Some(0))
        | (Status::Refused, Some(126))
        | (Status::TimedOut, Some(124)) => true,
        (Status::Failed, Some(c)) => c != 0,
        (Status::Killed, Some(c)) => c > 128,
        _ => false,
    }
}

/// The server's end, before the child starts.
#[derive(Debug)]
pub struct Listener {
    read: OwnedFd,
    write: Option<OwnedFd>,
    channel: StatusChannel,
}

impl Listener {
    /// A new pipe and token.
    ///
    /// # Errors
    ///
    /// When the pipe cannot be made or no random token can be read.
    pub fn open() -> Result<Self, StatusError> {
        let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)
            .map_err(|e| StatusError::Make(std::io::Error::from(e)))?;
        let mut raw = [0u8; 16];
        File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut raw))
            .map_err(StatusError::Make)?;
        let token = raw.iter().fold(String::new(), |mut t, b| {
            let _ = write!(t, "{b:02x}");
            t
        });
        let fd = write.as_raw_fd();
        Ok(Self {
            read,
            write: Some(write),
            channel: StatusChannel { fd, token },
        })
    }

    /// What goes into the sealed plan.
    pub fn channel(&self) -> &StatusChannel {
        &self.channel
    }

    /// The write end, for the child to inherit
    /// ([`rampart_sandbox::inherit_fd`]); `None` once [`Self::started`].
    pub fn write_end(&self) -> Option<BorrowedFd<'_>> {
        self.write.as_ref().map(AsFd::as_fd)
    }

    /// The child has started (or failed to): this process lets go of the
    /// write end, so that only the child holds it.
    pub fn started(&mut self) {
        self.write = None;
    }

    /// How the run ended, read once the child has exited with `exit`
    /// (its exit code; `None` when a signal killed it): the reported
    /// status when the report is whole, genuine and agrees with `exit`,
    /// otherwise [`Status::Failed`] and why.
    pub fn status(mut self, exit: Option<i32>) -> (Status, Option<String>) {
        self.started();
        match self.read_report().and_then(|r| self.check(&r, exit)) {
            Ok(s) => (s, None),
            Err(why) => (
                Status::Failed,
                Some(format!("the run is taken as failed: {why}")),
            ),
        }
    }

    fn read_report(&self) -> Result<Report, String> {
        // The child has exited: what it wrote is in the pipe. Anything
        // else still holding the write end cannot make this wait.
        let fd = self.read.as_raw_fd();
        let flags = fcntl(fd, FcntlArg::F_GETFL).map_err(|e| e.to_string())?;
        let flags = OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK;
        fcntl(fd, FcntlArg::F_SETFL(flags)).map_err(|e| e.to_string())?;
        let mut file = File::from(self.read.try_clone().map_err(|e| e.to_string())?);
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    got.extend_from_slice(buf.get(..n).unwrap_or_default());
                    if got.len() > MAX_LINE {
                        return Err(format!("its status report is over {MAX_LINE} bytes"));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("its status report cannot be read: {e}")),
            }
        }
        if got.is_empty() {
            return Err("`sandbox-run` reported no status".into());
        }
        let text = std::str::from_utf8(&got).map_err(|_| "its status report is not UTF-8")?;
        let Some(line) = text.strip_suffix('\n').filter(|l| !l.contains('\n')) else {
            return Err("its status report is not exactly one line".into());
        };
        serde_json::from_str(line).map_err(|e| format!("its status report is malformed ({e})"))
    }

    fn check(&self, r: &Report, exit: Option<i32>) -> Result<Status, String> {
        if r.token != self.channel.token {
            return Err("its status report does not carry the plan's token".into());
        }
        let status = parse_status(&r.status)
            .ok_or_else(|| format!("its status report names an unknown status `{}`", r.status))?;
        if Some(r.exit_code) != exit || !agrees(status, exit) {
            return Err(format!(
                "it reported `{}` with exit {} but exited {}",
                r.status,
                r.exit_code,
                exit.map_or_else(|| "on a signal".to_owned(), |c| c.to_string())
            ));
        }
        Ok(status)
    }
}

/// `sandbox-run`'s end.
#[derive(Debug)]
pub struct Reporter {
    file: File,
    token: String,
}

impl Reporter {
    /// Takes the inherited write end named by `channel`: reopened
    /// close-on-exec, the inherited number closed.
    ///
    /// # Errors
    ///
    /// When that descriptor is not open, or not a pipe.
    pub fn take(channel: &StatusChannel) -> Result<Self, StatusError> {
        let fd = channel.fd;
        let not = |why: String| StatusError::NotAChannel { fd, why };
        if fd <= 2 {
            return Err(not("it is a standard stream".into()));
        }
        // Close-on-exec first: whatever happens next, it reaches no program.
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).map_err(|e| not(e.to_string()))?;
        let st = nix::sys::stat::fstat(fd).map_err(|e| not(e.to_string()))?;
        if st.st_mode & nix::libc::S_IFMT != nix::libc::S_IFIFO {
            return Err(not("it is not a pipe".into()));
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(format!("/proc/self/fd/{fd}"))
            .map_err(|e| not(e.to_string()))?;
        nix::unistd::close(fd).map_err(|e| not(e.to_string()))?;
        Ok(Self {
            file,
            token: channel.token.clone(),
        })
    }

    /// Writes the one report: `status`, and the exit code this process is
    /// about to exit with.
    ///
    /// # Errors
    ///
    /// When it cannot be written.
    pub fn report(mut self, status: Status, exit_code: i32) -> Result<(), StatusError> {
        let r = Report {
            token: self.token.clone(),
            status: status_name(status).to_owned(),
            exit_code,
        };
        let mut line =
            serde_json::to_vec(&r).map_err(|e| StatusError::Write(std::io::Error::other(e)))?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(StatusError::Write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(token: &str, status: &str, exit: i32) -> Vec<u8> {
        let mut v = serde_json::to_vec(&serde_json::json!({
            "token": token, "status": status, "exit_code": exit
        }))
        .expect("json");
        v.push(b'\n');
        v
    }

    #[test]
    fn a_genuine_report_that_agrees_is_taken() {
        for (status, exit, want) in [
            ("succeeded", 0, Status::Succeeded),
            ("failed", 3, Status::Failed),
            ("failed", 124, Status::Failed),
            ("timed-out", 124, Status::TimedOut),
            ("killed", 137, Status::Killed),
            ("refused", 126, Status::Refused),
        ] {
            let l = Listener::open().expect("open");
            let token = l.channel().token.clone();
            let mut w = File::from(
                l.write_end()
                    .expect("write end")
                    .try_clone_to_owned()
                    .expect("dup"),
            );
            w.write_all(&report(&token, status, exit)).expect("write");
            drop(w);
            assert_eq!(l.status(Some(exit)), (want, None), "{status} {exit}");
        }
    }

    #[test]
    fn anything_else_is_a_failure_never_a_success() {
        type Line = Box<dyn Fn(&str) -> Vec<u8>>;
        let cases: Vec<(Line, Option<i32>, &str)> = vec![
            (Box::new(|_| Vec::new()), Some(0), "no status"),
            (Box::new(|_| b"garbage\n".to_vec()), Some(0), "malformed"),
            (
                Box::new(|_| report("0000", "succeeded", 0)),
                Some(0),
                "token",
            ),
            (
                Box::new(|t| report(t, "succeeded", 0).repeat(2)),
                Some(0),
                "one line",
            ),
            (
                Box::new(|t| report(t, "asked", 0)),
                Some(0),
                "unknown status",
            ),
            (Box::new(|t| report(t, "succeeded", 0)), Some(3), "exited 3"),
            (
                Box::new(|t| report(t, "timed-out", 124)),
                Some(0),
                "exited 0",
            ),
            (Box::new(|t| report(t, "succeeded", 0)), None, "on a signal"),
            (Box::new(|t| report(t, "timed-out", 3)), Some(3), "exited 3"),
        ];
        for (line, exit, why) in cases {
            let l = Listener::open().expect("open");
            let token = l.channel().token.clone();
            let mut w = File::from(
                l.write_end()
                    .expect("write end")
                    .try_clone_to_owned()
                    .expect("dup"),
            );
            w.write_all(&line(&token)).expect("write");
            drop(w);
            let (status, note) = l.status(exit);
            assert_eq!(
                status,
                Status::Failed,
                "gate bypassed: a bad status report ({why}) was taken"
            );
            let note = note.expect("a reason");
            assert!(note.contains(why), "{why}: {note}");
        }
    }
}
