//! The terminal a command borrows comes back as it was lent: the modes
//! (`termios`) of every terminal on stdin, stdout and stderr, and the
//! terminal's foreground process group, are saved before the command starts
//! and put back when [`crate::run`] returns, however the command ended
//! (exit, signal, timeout). A command that turns echo off or unsets the
//! interrupt character cannot leave the user's shell that way. The
//! controlling terminal counts too, when none of the three is a terminal:
//! the command can open it as `/dev/tty`. So does the permission of the
//! terminal's device node, which the command owns and could open to every
//! local user.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::termios::{tcgetattr, tcsetattr, SetArg, Termios};
use nix::unistd::{tcgetpgrp, tcsetpgrp, Pid};

/// What was saved of one terminal descriptor.
struct Saved {
    /// 0, 1 or 2; -1 for the controlling terminal in `tty`.
    fd: i32,
    /// The controlling terminal, opened as `/dev/tty`.
    tty: Option<OwnedFd>,
    modes: Termios,
    foreground: Option<Pid>,
    /// The permission bits of the terminal's device node: a command can
    /// `fchmod` the terminal it was handed (it owns it), and `0666` would
    /// let every local user read the user's keystrokes.
    perm: Option<u32>,
}

/// The permission bits of the file open on `fd`.
fn permissions(fd: BorrowedFd<'_>) -> Option<u32> {
    nix::sys::stat::fstat(fd.as_raw_fd())
        .ok()
        .map(|st| st.st_mode & 0o7777)
}

/// The saved state of the terminals on descriptors 0, 1 and 2.
pub(crate) struct Terminals {
    saved: Vec<Saved>,
}

/// Runs `f` on descriptor `fd` (0, 1 or 2) borrowed from the standard
/// library's handle.
fn on_stdio<R>(fd: i32, f: impl FnOnce(BorrowedFd<'_>) -> R) -> R {
    match fd {
        0 => f(std::io::stdin().as_fd()),
        1 => f(std::io::stdout().as_fd()),
        _ => f(std::io::stderr().as_fd()),
    }
}

impl Terminals {
    /// Saves the state of whichever of stdin, stdout and stderr is a
    /// terminal; when none is, of the controlling terminal if there is one
    /// (else nothing to restore).
    pub(crate) fn save() -> Self {
        let mut saved: Vec<Saved> = (0..3)
            .filter_map(|fd| {
                on_stdio(fd, |f| {
                    let modes = tcgetattr(f).ok()?;
                    Some(Saved {
                        fd,
                        tty: None,
                        modes,
                        foreground: tcgetpgrp(f).ok(),
                        perm: permissions(f),
                    })
                })
            })
            .collect();
        // No terminal on stdio, but one is the controlling terminal: the
        // command reaches it through `/dev/tty`.
        if saved.is_empty() {
            use std::os::unix::fs::OpenOptionsExt;
            if let Ok(tty) = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
                .open("/dev/tty")
            {
                let tty = OwnedFd::from(tty);
                if let Ok(modes) = tcgetattr(tty.as_fd()) {
                    saved.push(Saved {
                        fd: -1,
                        foreground: tcgetpgrp(tty.as_fd()).ok(),
                        perm: permissions(tty.as_fd()),
                        tty: Some(tty),
                        modes,
                    });
                }
            }
        }
        Self { saved }
    }

    /// Puts every saved terminal back. `SIGTTOU` is blocked meanwhile: if
    /// the command left another process group in the foreground, rampart is
    /// in the background and would otherwise be stopped by its own
    /// `tcsetattr`/`tcsetpgrp`.
    pub(crate) fn restore(&self) {
        if self.saved.is_empty() {
            return;
        }
        let mut ttou = SigSet::empty();
        ttou.add(Signal::SIGTTOU);
        let mut old = SigSet::empty();
        let blocked =
            nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&ttou), Some(&mut old))
                .is_ok();
        let own_group = nix::unistd::getpgrp();
        for s in &self.saved {
            match &s.tty {
                Some(tty) => s.put_back(tty.as_fd(), own_group),
                None => on_stdio(s.fd, |fd| s.put_back(fd, own_group)),
            }
        }
        if blocked {
            let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
        }
    }
}

impl Saved {
    fn put_back(&self, fd: BorrowedFd<'_>, own_group: Pid) {
        // Only a terminal rampart held in the foreground is taken back.
        if let Some(pgrp) = self.foreground.filter(|p| *p == own_group) {
            if tcgetpgrp(fd).ok() != Some(pgrp) {
                if let Err(e) = tcsetpgrp(fd, pgrp) {
                    tracing::debug!("cannot give the terminal on fd {} back: {e}", self.fd);
                }
            }
        }
        if let Some(perm) = self.perm.filter(|p| permissions(fd) != Some(*p)) {
            if let Err(e) = nix::sys::stat::fchmod(
                fd.as_raw_fd(),
                nix::sys::stat::Mode::from_bits_truncate(perm),
            ) {
                tracing::debug!(
                    "cannot restore the terminal's permissions on fd {}: {e}",
                    self.fd
                );
            }
        }
        if tcgetattr(fd).is_ok_and(|now| now == self.modes) {
            return;
        }
        if let Err(e) = tcsetattr(fd, SetArg::TCSANOW, &self.modes) {
            tracing::debug!("cannot restore the terminal modes on fd {}: {e}", self.fd);
        }
    }
}
