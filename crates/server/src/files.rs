//! Race-free file access confined to a workspace.
//!
//! Every path is opened relative to a descriptor of the workspace root
//! with `openat2(2)` and `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS`: the
//! kernel refuses, during the lookup itself, any `..`, absolute symlink or
//! relative symlink that would leave the workspace, and any
//! `/proc/*/fd`-style magic link. There is no check-then-open window for a
//! symlink swap to slip through. What was really opened is read back from
//! the descriptor ([`real_path`]) so the caller can judge that path too.
//!
//! Writes go to a new temporary file beside the target (created with
//! `O_EXCL | O_NOFOLLOW` in the already-opened parent directory), which is
//! synced and renamed over the target: a reader sees the old or the new
//! contents, never half of either, and a crash leaves the old file.

use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// Why a file operation was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The path leaves the workspace (through `..`, an absolute path or a
    /// symlink).
    #[error("`{0}` is outside the workspace (paths, `..` and symlinks must stay beneath it)")]
    Escapes(String),
    /// A `/proc` magic link or a symlink loop was in the way.
    #[error("`{0}` goes through a magic link or a symlink loop, which are refused")]
    Link(String),
    /// Nothing there.
    #[error("`{0}` does not exist")]
    NotFound(String),
    /// Not what the operation needs.
    #[error("`{path}` is {what}")]
    WrongType {
        /// The path.
        path: String,
        /// What it is, and what was wanted.
        what: &'static str,
    },
    /// Over the size limit.
    #[error("`{path}` is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// The path.
        path: String,
        /// Its size.
        size: u64,
        /// The limit (`[agents] max_file_kb`).
        limit: u64,
    },
    /// Binary contents (a NUL byte, or not UTF-8).
    #[error("`{0}` is a binary file (it is not UTF-8 text); only text files can be read")]
    Binary(String),
    /// The real path of what was opened is refused by the policy.
    #[error("`{path}` resolves to `{real}`, which is refused: {why}")]
    Resolved {
        /// As asked.
        path: String,
        /// As opened.
        real: String,
        /// The decision's reason.
        why: String,
        /// The decision on the real path, as the gate records it.
        decision: Box<rampart_policy::Decision>,
    },
    /// Any other system error.
    #[error("`{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// One directory entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// The name.
    pub name: String,
    /// `file`, `dir`, `symlink` or `other`.
    pub kind: &'static str,
    /// Size in bytes (files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// A directory listing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listing {
    /// Entries, sorted by name.
    pub entries: Vec<Entry>,
    /// Whether entries beyond the cap were left out.
    pub truncated: bool,
}

/// The root every path is opened beneath.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    dir: OwnedFd,
}

/// The path a descriptor really refers to (from `/proc/self/fd`).
pub fn real_path(fd: impl AsFd) -> Option<PathBuf> {
    let link = format!(
        "/proc/self/fd/{}",
        std::os::fd::AsRawFd::as_raw_fd(&fd.as_fd())
    );
    std::fs::read_link(link).ok()
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

impl Workspace {
    /// Opens `root` (which must be an absolute, canonical directory).
    pub fn open(root: &Path) -> Result<Self, FileError> {
        let dir = rustix::fs::open(
            root,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| FileError::Io {
            path: shown(root),
            source: e.into(),
        })?;
        Ok(Self {
            root: root.to_path_buf(),
            dir,
        })
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `path` (absolute and lexically normal) relative to the root; `.`
    /// for the root itself.
    fn relative(&self, path: &Path) -> Result<PathBuf, FileError> {
        let rel = path
            .strip_prefix(&self.root)
            .map_err(|_| FileError::Escapes(shown(path)))?;
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(FileError::Escapes(shown(path)));
        }
        Ok(if rel.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            rel.to_path_buf()
        })
    }

    fn open_beneath(&self, path: &Path, flags: OFlags) -> Result<OwnedFd, FileError> {
        let rel = self.relative(path)?;
        rustix::fs::openat2(
            &self.dir,
            &rel,
            flags | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
        )
        .map_err(|e| Self::error(path, e))
    }

    fn error(path: &Path, e: Errno) -> FileError {
        match e {
            Errno::XDEV => FileError::Escapes(shown(path)),
            Errno::LOOP => FileError::Link(shown(path)),
            Errno::NOENT => FileError::NotFound(shown(path)),
            Errno::NOTDIR => FileError::WrongType {
                path: shown(path),
                what: "not under a directory",
            },
            Errno::ISDIR => FileError::WrongType {
                path: shown(path),
                what: "a directory, not a file",
            },
            e => FileError::Io {
                path: shown(path),
                source: e.into(),
            },
        }
    }

    /// Opens `path` for reading and says where it really is, without
    /// reading it yet: the caller judges the real path first.
    pub fn open_read(&self, path: &Path) -> Result<(OwnedFd, PathBuf), FileError> {
        // O_NONBLOCK: a FIFO planted in the workspace must not hang us.
        let fd = self.open_beneath(path, OFlags::RDONLY | OFlags::NONBLOCK)?;
        let real = real_path(&fd).unwrap_or_else(|| path.to_path_buf());
        Ok((fd, real))
    }

    /// Reads an opened regular file of at most `limit` bytes as UTF-8 text.
    pub fn read_text(&self, fd: OwnedFd, path: &Path, limit: u64) -> Result<String, FileError> {
        let io = |source: std::io::Error| FileError::Io {
            path: shown(path),
            source,
        };
        let st = rustix::fs::fstat(&fd).map_err(|e| io(e.into()))?;
        match FileType::from_raw_mode(st.st_mode) {
            FileType::RegularFile => {}
            FileType::Directory => {
                return Err(FileError::WrongType {
                    path: shown(path),
                    what: "a directory; use list_directory",
                })
            }
            _ => {
                return Err(FileError::WrongType {
                    path: shown(path),
                    what: "not a regular file (a device, FIFO or socket)",
                })
            }
        }
        let size = u64::try_from(st.st_size).unwrap_or(u64::MAX);
        if size > limit {
            return Err(FileError::TooLarge {
                path: shown(path),
                size,
                limit,
            });
        }
        let mut bytes = Vec::new();
        std::fs::File::from(fd)
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > limit {
            return Err(FileError::TooLarge {
                path: shown(path),
                size: bytes.len() as u64,
                limit,
            });
        }
        if bytes.contains(&0) {
            return Err(FileError::Binary(shown(path)));
        }
        String::from_utf8(bytes).map_err(|_| FileError::Binary(shown(path)))
    }

    /// Opens the directory that would hold `path` and says where the file
    /// would really be.
    pub fn open_parent(&self, path: &Path) -> Result<(OwnedFd, PathBuf), FileError> {
        let parent = path
            .parent()
            .ok_or_else(|| FileError::Escapes(shown(path)))?;
        if path == self.root {
            return Err(FileError::WrongType {
                path: shown(path),
                what: "the workspace itself",
            });
        }
        let dir = self.open_beneath(parent, OFlags::RDONLY | OFlags::DIRECTORY)?;
        let name = path.file_name().unwrap_or_default();
        let real = real_path(&dir).map_or_else(|| path.to_path_buf(), |d| d.join(name));
        Ok((dir, real))
    }

    /// Replaces (or creates) `path`, a name in the opened `dir`, with
    /// `bytes`, atomically.
    pub fn write_in(&self, dir: &OwnedFd, path: &Path, bytes: &[u8]) -> Result<(), FileError> {
        let io = |source: std::io::Error| FileError::Io {
            path: shown(path),
            source,
        };
        let name = path
            .file_name()
            .ok_or_else(|| FileError::Escapes(shown(path)))?;
        let mode = match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => match FileType::from_raw_mode(st.st_mode) {
                FileType::RegularFile => Mode::from_raw_mode(st.st_mode & 0o777),
                FileType::Symlink => {
                    return Err(FileError::WrongType {
                        path: shown(path),
                        what: "a symlink; write to the file it points to instead",
                    })
                }
                FileType::Directory => {
                    return Err(FileError::WrongType {
                        path: shown(path),
                        what: "a directory, not a file",
                    })
                }
                _ => {
                    return Err(FileError::WrongType {
                        path: shown(path),
                        what: "not a regular file",
                    })
                }
            },
            Err(Errno::NOENT) => Mode::from_raw_mode(0o644),
            Err(e) => return Err(io(e.into())),
        };
        let tmp_name = format!(
            ".{}.rampart-{}-{}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            rampart_audit::now_ms()
        );
        let tmp = rustix::fs::openat(
            dir,
            tmp_name.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            mode,
        )
        .map_err(|e| io(e.into()))?;
        let cleanup = |e: std::io::Error| {
            let _ = rustix::fs::unlinkat(dir, tmp_name.as_str(), AtFlags::empty());
            io(e)
        };
        let mut f = std::fs::File::from(tmp);
        f.write_all(bytes).map_err(cleanup)?;
        f.sync_all().map_err(cleanup)?;
        drop(f);
        rustix::fs::renameat(dir, tmp_name.as_str(), dir, name).map_err(|e| cleanup(e.into()))?;
        let _ = rustix::fs::fsync(dir);
        Ok(())
    }

    /// Opens `path` as a directory and says where it really is.
    pub fn open_dir(&self, path: &Path) -> Result<(OwnedFd, PathBuf), FileError> {
        let fd = self.open_beneath(path, OFlags::RDONLY | OFlags::DIRECTORY)?;
        let real = real_path(&fd).unwrap_or_else(|| path.to_path_buf());
        Ok((fd, real))
    }

    /// Lists an opened directory, at most `cap` entries.
    pub fn list_in(&self, fd: &OwnedFd, path: &Path, cap: usize) -> Result<Listing, FileError> {
        let mut dir = rustix::fs::Dir::read_from(fd).map_err(|e| Self::error(path, e))?;
        let mut entries = Vec::new();
        let mut truncated = false;
        while let Some(e) = dir.read() {
            let e = e.map_err(|e| Self::error(path, e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name == "." || name == ".." {
                continue;
            }
            if entries.len() >= cap {
                truncated = true;
                break;
            }
            let st = rustix::fs::statat(fd, e.file_name(), AtFlags::SYMLINK_NOFOLLOW).ok();
            let kind = match st.map(|s| FileType::from_raw_mode(s.st_mode)) {
                Some(FileType::RegularFile) => "file",
                Some(FileType::Directory) => "dir",
                Some(FileType::Symlink) => "symlink",
                _ => "other",
            };
            let size = st
                .filter(|_| kind == "file")
                .map(|s| u64::try_from(s.st_size).unwrap_or(0));
            entries.push(Entry { name, kind, size });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Listing { entries, truncated })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn ws() -> (tempfile::TempDir, Workspace) {
        let d = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(d.path()).unwrap();
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/a.txt"), "hello").unwrap();
        let w = Workspace::open(&root).unwrap();
        (d, w)
    }

    fn read(w: &Workspace, rel: &str) -> Result<String, FileError> {
        let p = rampart_policy::lexical_path(w.root(), Path::new(rel));
        let (fd, _) = w.open_read(&p)?;
        w.read_text(fd, &p, 1024)
    }

    #[test]
    fn reads_inside_and_refuses_escapes() {
        let (_d, w) = ws();
        assert_eq!(read(&w, "src/a.txt").unwrap(), "hello");
        assert!(matches!(
            read(&w, "../../etc/passwd"),
            Err(FileError::Escapes(_))
        ));
        assert!(matches!(
            read(&w, "/etc/passwd"),
            Err(FileError::Escapes(_))
        ));
        symlink("/etc/passwd", w.root().join("abs")).unwrap();
        assert!(matches!(read(&w, "abs"), Err(FileError::Escapes(_))));
        symlink("../../../../../../etc/passwd", w.root().join("rel")).unwrap();
        assert!(matches!(read(&w, "rel"), Err(FileError::Escapes(_))));
        symlink("/proc/self/root", w.root().join("procroot")).unwrap();
        assert!(read(&w, "procroot/etc/passwd").is_err());
        symlink("src/a.txt", w.root().join("ok")).unwrap();
        assert_eq!(read(&w, "ok").unwrap(), "hello");
    }

    #[test]
    fn binary_large_and_special_files_are_refused() {
        let (_d, w) = ws();
        std::fs::write(w.root().join("bin"), b"\x7fELF\0\0").unwrap();
        assert!(matches!(read(&w, "bin"), Err(FileError::Binary(_))));
        std::fs::write(w.root().join("latin1"), b"caf\xe9").unwrap();
        assert!(matches!(read(&w, "latin1"), Err(FileError::Binary(_))));
        std::fs::write(w.root().join("big"), vec![b'a'; 2000]).unwrap();
        assert!(matches!(
            read(&w, "big"),
            Err(FileError::TooLarge { size: 2000, .. })
        ));
        nix::unistd::mkfifo(&w.root().join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        assert!(matches!(read(&w, "fifo"), Err(FileError::WrongType { .. })));
        assert!(matches!(read(&w, "src"), Err(FileError::WrongType { .. })));
    }

    #[test]
    fn writes_replace_atomically_and_never_follow_a_final_symlink() {
        let (_d, w) = ws();
        let p = w.root().join("src/a.txt");
        let (dir, real) = w.open_parent(&p).unwrap();
        assert_eq!(real, p);
        w.write_in(&dir, &p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let leftovers: Vec<_> = std::fs::read_dir(w.root().join("src")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        symlink("/tmp/rampart-should-not-exist", w.root().join("link")).unwrap();
        let l = w.root().join("link");
        let (dir, _) = w.open_parent(&l).unwrap();
        assert!(matches!(
            w.write_in(&dir, &l, b"x"),
            Err(FileError::WrongType { .. })
        ));
        assert!(!Path::new("/tmp/rampart-should-not-exist").exists());
        let out = rampart_policy::lexical_path(w.root(), Path::new("../x"));
        assert!(matches!(w.open_parent(&out), Err(FileError::Escapes(_))));
    }

    #[test]
    fn lists_sorted_with_kinds_and_a_cap() {
        let (_d, w) = ws();
        std::fs::write(w.root().join("b"), "12").unwrap();
        let (fd, _) = w.open_dir(w.root()).unwrap();
        let l = w.list_in(&fd, w.root(), 10).unwrap();
        let names: Vec<_> = l
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.kind))
            .collect();
        assert_eq!(names, vec![("b", "file"), ("src", "dir")]);
        assert_eq!(l.entries[0].size, Some(2));
        let (fd, _) = w.open_dir(w.root()).unwrap();
        assert!(w.list_in(&fd, w.root(), 1).unwrap().truncated);
    }
}
