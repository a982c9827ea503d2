//! File paths: the lexical checks every file action passes (absolute,
//! NUL-free, lexically normal) and the confinement of a path to a
//! surface's root. Pure: nothing here touches the file system; symlinks
//! are the business of whoever opens the path (`openat2` with
//! `RESOLVE_BENEATH` in the file tools) or of [`crate::resolve::real_path`]
//! for a surface that judges a path without opening it.

use std::path::{Component, Path, PathBuf};

/// Why a path is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// Relative, where an absolute path is needed.
    #[error("path `{}` is not absolute", shown(.0))]
    NotAbsolute(PathBuf),
    /// Holds a NUL byte, which no system call takes.
    #[error("path `{}` contains a NUL byte", shown(.0))]
    Nul(PathBuf),
    /// `.` or `..` left in it: what is judged must be what is opened.
    #[error("path `{}` is not in normal form (`.` or `..` left in it)", shown(.0))]
    NotNormal(PathBuf),
}

/// Why a path is out of a [`Confinement`]'s reach.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfineError {
    /// The path is malformed.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The path is not beneath the root.
    #[error("`{}` is outside the workspace `{}`; the file tools only reach beneath it", shown(.path), shown(.root))]
    Outside {
        /// The path.
        path: PathBuf,
        /// The root it had to stay beneath.
        root: PathBuf,
    },
}

/// `path` made absolute against `base` and lexically normal: `.` dropped,
/// `..` taking off one component (never above `/`). No file system access:
/// symlinks are the enforcer's business (it opens beneath the workspace and
/// checks what it really opened).
pub fn lexical_path(base: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    for c in joined.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// `path` is absolute and holds no NUL byte.
pub fn check_absolute(path: &Path) -> Result<(), PathError> {
    if !path.is_absolute() {
        return Err(PathError::NotAbsolute(path.to_path_buf()));
    }
    if path.as_os_str().as_encoded_bytes().contains(&0) {
        return Err(PathError::Nul(path.to_path_buf()));
    }
    Ok(())
}

/// `path` is absolute, NUL-free and lexically normal (what
/// [`lexical_path`] makes of it is itself).
pub fn check_normal(path: &Path) -> Result<(), PathError> {
    check_absolute(path)?;
    if lexical_path(Path::new("/"), path) != path {
        return Err(PathError::NotNormal(path.to_path_buf()));
    }
    Ok(())
}

/// The root a surface's file actions must stay beneath (the MCP server's
/// and the daemon's workspace): a path outside it is refused whatever the
/// policy would say, since no approval can make it reachable.
///
/// The check is lexical; give the root in its canonical form (the
/// surfaces resolve their workspace with `canonicalize` once, at start).
/// A symlink beneath the root that leads out of it is caught by the
/// opener (`openat2` with `RESOLVE_BENEATH`), not here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confinement {
    root: PathBuf,
}

impl Confinement {
    /// Confinement beneath `root`, which must be absolute, NUL-free and
    /// lexically normal.
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, PathError> {
        let root = root.into();
        check_normal(&root)?;
        Ok(Self { root })
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `path` is well formed ([`check_normal`]) and is the root or beneath
    /// it, compared component by component (`/w2` is not beneath `/w`).
    pub fn check(&self, path: &Path) -> Result<(), ConfineError> {
        check_normal(path)?;
        if !path.starts_with(&self.root) {
            return Err(ConfineError::Outside {
                path: path.to_path_buf(),
                root: self.root.clone(),
            });
        }
        Ok(())
    }
}

/// A path for a message: control characters (a NUL) escaped, so the text
/// stays on one line and shows what was sent.
fn shown(p: &Path) -> String {
    p.to_string_lossy().escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outside(c: &Confinement, p: &str) -> bool {
        matches!(c.check(Path::new(p)), Err(ConfineError::Outside { .. }))
    }

    #[test]
    fn lexical_paths() {
        let w = Path::new("/w/p");
        let l = |p: &str| lexical_path(w, Path::new(p));
        assert_eq!(l("a/./b"), PathBuf::from("/w/p/a/b"));
        assert_eq!(l("../../../../etc/passwd"), PathBuf::from("/etc/passwd"));
        assert_eq!(l("/x/../y"), PathBuf::from("/y"));
        assert_eq!(l(""), PathBuf::from("/w/p"));
    }

    #[test]
    fn malformed_paths_are_named() {
        assert_eq!(
            check_normal(Path::new("a/b")),
            Err(PathError::NotAbsolute("a/b".into()))
        );
        assert_eq!(
            check_normal(Path::new("/w/a\0b")),
            Err(PathError::Nul("/w/a\0b".into()))
        );
        for p in ["/w/../etc", "/w/a/..", "/.."] {
            assert_eq!(
                check_normal(Path::new(p)),
                Err(PathError::NotNormal(p.into())),
                "{p}"
            );
        }
        assert_eq!(check_normal(Path::new("/w/a/b")), Ok(()));
        // Trailing and doubled slashes and an inner `.` are spellings of
        // the same path (to the kernel too), compared by component.
        for same in ["/w//a/", "/w/./a", "/w/a/."] {
            assert_eq!(check_normal(Path::new(same)), Ok(()), "{same}");
        }
        let nul = PathError::Nul("/w/a\0b".into()).to_string();
        assert_eq!(nul, "path `/w/a\\0b` contains a NUL byte");
    }

    #[test]
    fn confinement_keeps_paths_beneath_the_root() {
        let c = Confinement::new("/home/u/ws").unwrap();
        assert_eq!(c.root(), Path::new("/home/u/ws"));
        for ok in ["/home/u/ws", "/home/u/ws/a", "/home/u/ws/a/%2e%2e/b"] {
            assert_eq!(c.check(Path::new(ok)), Ok(()), "{ok}");
        }
        // Outside: a sibling that shares a prefix, a parent, another tree,
        // and what a relative `../` becomes once made absolute.
        for bad in [
            "/home/u/ws2",
            "/home/u/ws-other/x",
            "/home/u",
            "/etc/passwd",
            "/",
        ] {
            assert!(outside(&c, bad), "{bad} was let through");
        }
        let climbed = lexical_path(c.root(), Path::new("../../../etc/passwd"));
        assert!(outside(&c, &climbed.to_string_lossy()));
        // Malformed paths never reach the comparison.
        assert!(matches!(
            c.check(Path::new("/home/u/ws/../../../etc/passwd")),
            Err(ConfineError::Path(PathError::NotNormal(_)))
        ));
        assert!(matches!(
            c.check(Path::new("/home/u/ws/a\0/../../x")),
            Err(ConfineError::Path(PathError::Nul(_)))
        ));
        assert!(matches!(
            c.check(Path::new("ws/a")),
            Err(ConfineError::Path(PathError::NotAbsolute(_)))
        ));
        let msg = c.check(Path::new("/etc/passwd")).unwrap_err().to_string();
        assert_eq!(
            msg,
            "`/etc/passwd` is outside the workspace `/home/u/ws`; the file tools only reach beneath it"
        );
    }

    #[test]
    fn a_confinement_root_must_be_normal() {
        assert!(Confinement::new("ws").is_err());
        assert!(Confinement::new("/w/../x").is_err());
        assert!(Confinement::new("/w\0").is_err());
        assert!(Confinement::new("/").is_ok());
    }
}
