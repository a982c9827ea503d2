//! The host's `git`, as the supervisor runs it to read what a command left
//! (`ls-files`, `cat-file`, `config --list`).
//!
//! The supervisor runs outside the sandbox. Found through `$PATH` like a
//! shell finds it, `git` could be a program the command wrote: a relative
//! entry (`.`, `node_modules/.bin`) or an entry inside a place the command
//! may write (an activated `.venv/bin`, direnv's `PATH_add bin`) would make
//! the supervisor run it, on the host, after the run. So `git` is looked
//! up once, before the run, in the absolute `$PATH` entries outside every
//! writable place, and its resolved file must lie outside them too.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The resolved `git` and the `PATH` its children get.
static GIT: OnceLock<Option<(PathBuf, OsString)>> = OnceLock::new();

/// Looks `git` up, skipping what lies in `writable`. Only the first call
/// of the process counts (one sandbox per process).
pub(crate) fn resolve(writable: &[PathBuf]) {
    let _ = GIT.set(lookup(writable));
}

fn lookup(writable: &[PathBuf]) -> Option<(PathBuf, OsString)> {
    let path = std::env::var_os("PATH")?;
    let git = find_in(&path, writable)?;
    Some((git, safe_path(&path, writable)))
}

fn inside(p: &Path, writable: &[PathBuf]) -> bool {
    writable.iter().any(|w| p.starts_with(w))
}

/// The first `git` in `path`'s absolute entries outside `writable` whose
/// resolved file lies outside them too.
fn find_in(path: &OsStr, writable: &[PathBuf]) -> Option<PathBuf> {
    for dir in std::env::split_paths(path) {
        if !dir.is_absolute() || inside(&dir, writable) {
            continue;
        }
        let Ok(real) = std::fs::canonicalize(dir.join("git")) else {
            continue;
        };
        if !inside(&real, writable) && is_executable(&real) {
            return Some(real);
        }
    }
    None
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The `PATH` git's own children get: the absolute entries outside every
/// writable place.
fn safe_path(path: &OsStr, writable: &[PathBuf]) -> OsString {
    let dirs = std::env::split_paths(path).filter(|d| d.is_absolute() && !inside(d, writable));
    std::env::join_paths(dirs).unwrap_or_default()
}

/// A `git` command with an empty environment (but that `PATH`), run from
/// `/`; `None` when no safe `git` was found (the caller fails closed).
pub(crate) fn command() -> Option<Command> {
    let (git, path) = GIT.get_or_init(|| lookup(&[])).as_ref()?;
    let mut c = Command::new(git);
    c.env_clear()
        .env("PATH", path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .current_dir("/");
    Some(c)
}

/// How long one of the supervisor's git reads may take before it is
/// killed (a FIFO where git expects a file blocks it for good).
pub(crate) const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Runs `cmd` with `input` on its standard input and returns what it
/// wrote, killing it after [`TIMEOUT`] (then an error: the caller fails
/// closed). Every thread it starts has ended when it returns, so a sandbox
/// can still be cloned after it.
pub(crate) fn output(mut cmd: Command, input: &[u8]) -> std::io::Result<std::process::Output> {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let timed_out = matches!(
            wait.recv_timeout(TIMEOUT),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        );
        if timed_out {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        }
        timed_out
    });
    let writer = child.stdin.take().map(|mut stdin| {
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        })
    });
    let out = child.wait_with_output();
    let _ = done.send(());
    let timed_out = watchdog.join().unwrap_or(true);
    if let Some(w) = writer {
        let _ = w.join();
    }
    if timed_out {
        return Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("git did not finish within {}s", TIMEOUT.as_secs()),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_in_a_writable_place_or_a_relative_entry_is_never_chosen() {
        let d = tempfile::tempdir().unwrap();
        let ws = d.path().join("ws");
        let bin = ws.join(".venv/bin");
        std::fs::create_dir_all(&bin).unwrap();
        let fake = bin.join("git");
        std::fs::write(&fake, "#!/bin/sh\necho planted\n").unwrap();
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        // Also reached through a symlink from outside.
        let outside = d.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&fake, outside.join("git")).unwrap();
        let path = OsString::from(format!(
            ".:node_modules/.bin:{}:{}",
            bin.display(),
            outside.display()
        ));
        let writable = [ws.canonicalize().unwrap()];
        assert_eq!(
            find_in(&path, &writable),
            None,
            "sandbox breached: a git the command could write was chosen"
        );
        let safe = safe_path(&path, &writable);
        assert_eq!(safe, OsString::from(outside.display().to_string()));
        // Control: outside every writable place it is found.
        assert_eq!(find_in(&path, &[]), Some(fake.canonicalize().unwrap()));
    }
}
