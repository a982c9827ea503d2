//! Where approvals live between runs, in one place: the grants a human
//! gave "for this session" at a terminal ([`SessionStore`]) and the
//! one-time tickets the Claude Code hook leaves for the `rampart exec` it
//! rewrote a command into ([`HookTicket`]). What a grant covers is
//! [`rampart_gate::Grant`]'s rule, shared with the daemon's queue; every
//! file here is written with [`write_private_atomic`] (0600, never through
//! a symlink, renamed into place so a reader never sees half of it).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rampart_gate::{Action, Grant};

/// Writes `bytes` to `path` atomically: a new 0600 file beside it (created
/// exclusively, never through a symlink), synced, then renamed over it.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Why a grant or a hook ticket could not be stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreApprovalError {
    /// No terminal session to keep a session grant for.
    #[error("no terminal session to remember it for")]
    NoSession,
    /// The store's path has no parent directory.
    #[error("no state directory")]
    NoStateDir,
    /// A file or directory of the store.
    #[error("`{}`: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The grants could not be serialised.
    #[error("cannot encode the grants: {0}")]
    Encode(serde_json::Error),
}

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> StoreApprovalError + '_ {
    move |source| StoreApprovalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn private_dir(dir: &Path) -> Result<(), StoreApprovalError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_at(dir))
}

/// Grants of the current terminal session.
pub struct SessionStore {
    path: Option<PathBuf>,
}

/// The terminal session this process belongs to: its session id and the
/// session leader's start time, so a recycled id does not inherit grants.
pub fn session_key() -> Option<String> {
    let sid = nix::unistd::getsid(None).ok()?.as_raw();
    let stat = std::fs::read_to_string(format!("/proc/{sid}/stat")).ok()?;
    // Field 22 (start time) counts from after the command name's `)`.
    let after = stat.rsplit_once(')')?.1;
    let start = after.split_whitespace().nth(19)?;
    Some(format!("{sid}-{start}"))
}

impl SessionStore {
    /// The store for this session under `state_dir`, if there is a session.
    pub fn open(state_dir: &Path) -> Self {
        let path = session_key().map(|k| state_dir.join("sessions").join(format!("{k}.json")));
        Self { path }
    }

    fn load(&self) -> Vec<Grant> {
        let Some(p) = &self.path else {
            return Vec::new();
        };
        std::fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Adds `grant` to the session's grants.
    pub fn remember(&self, grant: Grant) -> Result<(), StoreApprovalError> {
        let mut grants = self.load();
        grants.push(grant);
        self.save(&grants)
    }

    /// Whether the session's grants cover `wanted`.
    pub fn covers(&self, wanted: &Grant) -> bool {
        wanted.covered_by(&self.load())
    }

    fn save(&self, grants: &[Grant]) -> Result<(), StoreApprovalError> {
        let Some(p) = &self.path else {
            return Err(StoreApprovalError::NoSession);
        };
        let dir = p.parent().ok_or(StoreApprovalError::NoStateDir)?;
        private_dir(dir)?;
        // Drop files of sessions that are gone.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let sid = name.split('-').next().unwrap_or_default();
                if !Path::new("/proc").join(sid).exists() {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let text = serde_json::to_string_pretty(grants).map_err(StoreApprovalError::Encode)?;
        write_private_atomic(p, text.as_bytes()).map_err(io_at(p))
    }
}

/// A one-time approval the Claude Code hook leaves when it answers `ask`
/// for a Bash command it rewrote to run under `rampart exec`: Claude Code
/// asks the human, and only if the human says yes does the command (that
/// exact argv, in that directory) run, where `exec` finds and consumes
/// the ticket instead of asking a second time. Tickets live in a 0700
/// directory under the state dir (read-only inside the sandbox), expire
/// after [`TICKET_TTL_MS`], and are claimed by an atomic rename, so each
/// is used at most once.
pub struct HookTicket {
    path: PathBuf,
}

/// How long a hook ticket stays valid.
pub const TICKET_TTL_MS: u64 = 120_000;

impl HookTicket {
    /// The ticket for `action` under `state_dir`.
    pub fn new(state_dir: &Path, action: &Action) -> Self {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        if let Action::Exec { argv, cwd } = action {
            h.update(cwd.as_os_str().as_encoded_bytes());
            for a in argv {
                h.update([0]);
                h.update(a.as_bytes());
            }
        } else {
            h.update(action.summary().as_bytes());
        }
        let key = h.finalize().iter().fold(String::new(), |mut k, b| {
            let _ = std::fmt::Write::write_fmt(&mut k, format_args!("{b:02x}"));
            k
        });
        Self {
            path: state_dir.join("tickets").join(key),
        }
    }

    /// Leaves the ticket (the hook's side).
    pub fn issue(&self) -> Result<(), StoreApprovalError> {
        let dir = self.path.parent().ok_or(StoreApprovalError::NoStateDir)?;
        private_dir(dir)?;
        let now = rampart_audit::now_ms();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let stale = std::fs::read_to_string(e.path())
                    .ok()
                    .and_then(|t| t.trim().parse::<u64>().ok())
                    .is_none_or(|exp| exp < now);
                if stale {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        write_private_atomic(&self.path, (now + TICKET_TTL_MS).to_string().as_bytes())
            .map_err(io_at(&self.path))
    }

    /// Claims the ticket if there is a fresh one (the `exec` side).
    pub fn take(&self) -> bool {
        let claimed = self
            .path
            .with_extension(format!("claimed{}", std::process::id()));
        if std::fs::rename(&self.path, &claimed).is_err() {
            return false;
        }
        let fresh = std::fs::symlink_metadata(&claimed).is_ok_and(|m| {
            m.file_type().is_file()
                && std::os::unix::fs::MetadataExt::uid(&m) == nix::unistd::getuid().as_raw()
        }) && std::fs::read_to_string(&claimed)
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .is_some_and(|exp| exp >= rampart_audit::now_ms());
        let _ = std::fs::remove_file(&claimed);
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_that_cannot_be_stored_names_the_directory() {
        let t = tempfile::tempdir().unwrap();
        // The state directory is a file: `tickets/` cannot be made in it.
        let state = t.path().join("state");
        std::fs::write(&state, "x").unwrap();
        let action = Action::Exec {
            argv: vec!["ls".into()],
            cwd: "/".into(),
        };
        let e = HookTicket::new(&state, &action).issue().unwrap_err();
        assert!(matches!(e, StoreApprovalError::Io { .. }), "{e:?}");
        let dir = state.join("tickets");
        assert!(
            e.to_string().starts_with(&format!("`{}`: ", dir.display())),
            "{e}"
        );
    }
}
