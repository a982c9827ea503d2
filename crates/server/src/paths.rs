//! Where the daemon's socket lives, and the checks on its directory.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The longest socket path `sun_path` holds (108 bytes with the NUL).
pub const SUN_PATH_MAX: usize = 107;

/// The socket's directory: `$XDG_RUNTIME_DIR/rampart`, or else
/// `<state dir>/run` (a per-user directory under the state dir).
pub fn socket_dir(xdg_runtime_dir: Option<&Path>, state_dir: &Path) -> PathBuf {
    match xdg_runtime_dir {
        Some(r) if r.is_absolute() => r.join("rampart"),
        _ => state_dir.join("run"),
    }
}

/// This user's socket directory, from the environment:
/// `$XDG_RUNTIME_DIR/rampart`, else `$XDG_STATE_HOME/rampart/run` (the
/// state home as [`crate::exec_plan::config_files::host_env`] finds it).
pub fn user_socket_dir() -> PathBuf {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let state = crate::exec_plan::config_files::host_env()
        .xdg_state_home
        .unwrap_or_else(|| PathBuf::from("."))
        .join("rampart");
    socket_dir(runtime.as_deref(), &state)
}

/// The socket in `dir`.
pub fn socket_path(dir: &Path) -> PathBuf {
    dir.join("rampart.sock")
}

/// Why the socket's directory or path is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SocketDirError {
    /// Cannot be created or read.
    #[error("socket directory `{}`: {source}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Owned by someone else.
    #[error("socket directory `{}` is owned by uid {owner}, not by you (uid {me}); refusing to serve there", path.display())]
    Owner {
        /// The directory.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// This user.
        me: u32,
    },
    /// Group or others can enter it.
    #[error("socket directory `{}` has mode {mode:o}; it must be 700 (fix: chmod 700 {})", path.display(), path.display())]
    Mode {
        /// The directory.
        path: PathBuf,
        /// Its mode.
        mode: u32,
    },
    /// Not a directory (or a symlink).
    #[error("`{}` is not a directory (a symlink or a file is in the way)", path.display())]
    NotDir {
        /// The path.
        path: PathBuf,
    },
    /// Longer than `sun_path`.
    #[error("socket path `{}` is {len} bytes, longer than the {SUN_PATH_MAX} a Unix socket address holds; set XDG_RUNTIME_DIR to a shorter directory", path.display())]
    TooLong {
        /// The path.
        path: PathBuf,
        /// Its length.
        len: usize,
    },
}

/// Creates `dir` (0700) if needed and checks it is ours, a real directory
/// and closed to others; checks the socket path fits `sun_path`.
pub fn prepare(dir: &Path, uid: u32) -> Result<PathBuf, SocketDirError> {
    let io = |source| SocketDirError::Io {
        path: dir.to_path_buf(),
        source,
    };
    if let Err(e) = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        return Err(io(e));
    }
    let md = std::fs::symlink_metadata(dir).map_err(io)?;
    if !md.file_type().is_dir() {
        return Err(SocketDirError::NotDir {
            path: dir.to_path_buf(),
        });
    }
    if md.uid() != uid {
        return Err(SocketDirError::Owner {
            path: dir.to_path_buf(),
            owner: md.uid(),
            me: uid,
        });
    }
    let mode = md.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(SocketDirError::Mode {
            path: dir.to_path_buf(),
            mode,
        });
    }
    let sock = socket_path(dir);
    let len = sock.as_os_str().len();
    if len > SUN_PATH_MAX {
        return Err(SocketDirError::TooLong { path: sock, len });
    }
    Ok(sock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_loose_foreign_and_long() {
        let d = tempfile::tempdir().unwrap();
        let me = nix::unistd::getuid().as_raw();
        let dir = d.path().join("rampart");
        let sock = prepare(&dir, me).unwrap();
        assert_eq!(sock, dir.join("rampart.sock"));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(
            prepare(&dir, me),
            Err(SocketDirError::Mode { mode: 0o755, .. })
        ));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(matches!(
            prepare(&dir, me + 1),
            Err(SocketDirError::Owner { .. })
        ));
        let long = d.path().join("x".repeat(120));
        assert!(matches!(
            prepare(&long, me),
            Err(SocketDirError::TooLong { .. })
        ));
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert!(matches!(
            prepare(&link, me),
            Err(SocketDirError::NotDir { .. })
        ));
        assert_eq!(socket_dir(None, Path::new("/s")), PathBuf::from("/s/run"));
        assert_eq!(
            socket_dir(Some(Path::new("/run/user/1")), Path::new("/s")),
            PathBuf::from("/run/user/1/rampart")
        );
    }
}
