//! What a path really names, for surfaces that judge a path but do not
//! open it themselves (the Claude Code hook): `~`, `..` and symlinks in
//! every component resolved the way the kernel walks them, and a missing
//! tail kept as written beneath the real path of its existing prefix.
//!
//! This is a check, not a use: the file can change between the hook's
//! answer and the tool's open. Surfaces that do the I/O themselves open
//! with `openat2` instead (`rampart_server::files`).
//!
//! I/O: [`real_path`] reads the file system (`lstat`, `readlink`); the rest
//! of this module is pure.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

pub use crate::limits::MAX_LINKS;

/// Why a path could not be resolved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// A symlink loop, or a chain longer than [`MAX_LINKS`].
    #[error("`{}` goes through more than {MAX_LINKS} symlinks", .0.display())]
    TooManyLinks(PathBuf),
    /// `~user/…`: another user's home is not looked up.
    #[error("`{0}` names another user's home; write the absolute path")]
    OtherHome(String),
    /// `~` with no home directory known.
    #[error("`{0}` starts with `~` and no home directory is set (`HOME`)")]
    NoHome(String),
    /// A symlink that could not be read.
    #[error("cannot read the symlink `{}`: {source}", path.display())]
    Link {
        /// The link.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// `~` and `~/…` with `home`, anything else unchanged; `~user` is an error.
pub fn expand_tilde(path: &str, home: Option<&Path>) -> Result<PathBuf, ResolveError> {
    let Some(rest) = path.strip_prefix('~') else {
        return Ok(PathBuf::from(path));
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Err(ResolveError::OtherHome(path.to_owned()));
    }
    let home = home.ok_or_else(|| ResolveError::NoHome(path.to_owned()))?;
    Ok(home.join(rest.trim_start_matches('/')))
}

/// The real path `path` (absolute, or relative to `base`) names: every
/// existing component's symlinks followed (a final one too: a write goes
/// through it), `..` applied to the real parent, and from the first
/// missing component on, the rest applied as written.
pub fn real_path(base: &Path, path: &Path) -> Result<PathBuf, ResolveError> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut todo: VecDeque<OsString> = VecDeque::new();
    push_front(&mut todo, &joined);
    let mut out = PathBuf::from("/");
    let mut exists = true;
    let mut links = 0;
    while let Some(c) = todo.pop_front() {
        if c == ".." {
            out.pop();
            continue;
        }
        let next = out.join(&c);
        if !exists {
            out = next;
            continue;
        }
        match std::fs::symlink_metadata(&next) {
            Ok(md) if md.file_type().is_symlink() => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(ResolveError::TooManyLinks(joined));
                }
                let target = std::fs::read_link(&next).map_err(|source| ResolveError::Link {
                    path: next.clone(),
                    source,
                })?;
                if target.is_absolute() {
                    out = PathBuf::from("/");
                }
                push_front(&mut todo, &target);
            }
            Ok(_) => out = next,
            // Missing (or not reachable): the tool cannot go through it
            // either; keep the rest as written.
            Err(_) => {
                exists = false;
                out = next;
            }
        }
    }
    Ok(out)
}

/// Puts `p`'s components (`..` kept, `.` and the root dropped) in front.
fn push_front(todo: &mut VecDeque<OsString>, p: &Path) {
    for c in p.components().rev() {
        match c {
            Component::Normal(n) => todo.push_front(n.to_os_string()),
            Component::ParentDir => todo.push_front("..".into()),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
}

/// The leading components of a glob pattern that hold no glob syntax:
/// the directory a `Glob` call really lists from. `None` when the rest
/// of the pattern could leave that directory (a `..` after a wildcard, a
/// brace alternative that is absolute or starts with `~`): then nothing
/// narrower than `/` is known.
pub fn glob_base(pattern: &str) -> Option<PathBuf> {
    let mut base = PathBuf::new();
    if pattern.starts_with('/') {
        base.push("/");
    }
    let parts: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let last = parts.len().saturating_sub(1);
    let mut rest = &parts[..0];
    for (i, part) in parts.iter().enumerate() {
        // The last part names what is matched, not where to look.
        if i == last || part.contains(['*', '?', '[', ']', '{', '}', '\\']) {
            rest = &parts[i..];
            break;
        }
        base.push(part);
    }
    let b = pattern.as_bytes();
    let absolute_alternative = b
        .windows(2)
        .any(|w| matches!(w[0], b'{' | b',') && matches!(w[1], b'/' | b'~'));
    let climbs = rest
        .iter()
        .any(|p| p.split(['{', '}', ',']).any(|c| c == ".."));
    (!absolute_alternative && !climbs).then_some(base)
}

/// How many components below its [`glob_base`] a glob pattern can match:
/// `None` when there is no bound (a `**`, or a pattern that can climb out
/// of its base).
pub fn glob_reach(pattern: &str) -> Option<usize> {
    if pattern.contains("**") {
        return None;
    }
    let base = glob_base(pattern)?;
    let below_root = |p: &Path| {
        p.components()
            .filter(|c| !matches!(c, Component::RootDir | Component::CurDir))
            .count()
    };
    let parts = pattern.split('/').filter(|s| !s.is_empty()).count();
    Some(parts.saturating_sub(below_root(&base)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn follows_links_in_every_component() {
        let t = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(t.path()).unwrap();
        let (ws, secret) = (root.join("ws"), root.join("home/.ssh"));
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(&secret).unwrap();
        std::fs::write(secret.join("id"), "x").unwrap();
        symlink(secret.join("id"), ws.join("file")).unwrap();
        symlink(&secret, ws.join("dir")).unwrap();
        symlink("../home", ws.join("rel")).unwrap();
        symlink("loop", ws.join("loop")).unwrap();
        symlink(secret.join("new"), ws.join("dangling")).unwrap();
        let r = |p: &str| real_path(&ws, Path::new(p)).unwrap();
        assert_eq!(r("file"), secret.join("id"));
        assert_eq!(r("dir/id"), secret.join("id"));
        assert_eq!(r("rel/.ssh/id"), secret.join("id"));
        // `..` after a link goes up from the link's target, as the kernel does.
        assert_eq!(r("dir/../.ssh/id"), secret.join("id"));
        assert_eq!(r("./a/../b"), ws.join("b"));
        assert_eq!(r("dir/missing/x"), secret.join("missing/x"));
        assert_eq!(r("dangling"), secret.join("new"));
        assert!(matches!(
            real_path(&ws, Path::new("loop")),
            Err(ResolveError::TooManyLinks(_))
        ));
    }

    #[test]
    fn a_symlinked_parent_is_inside_lexically_and_outside_really() {
        use crate::path::{lexical_path, ConfineError, Confinement};
        let t = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(t.path()).unwrap();
        let (ws, out) = (root.join("ws"), root.join("out"));
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        symlink(&out, ws.join("up")).unwrap();
        let c = Confinement::new(&ws).unwrap();
        let asked = lexical_path(&ws, Path::new("up/new.txt"));
        // The lexical check lets it through (the opener refuses it) ...
        assert_eq!(c.check(&asked), Ok(()));
        // ... and what it really names is outside, which a surface that
        // does not open the path checks with `real_path`.
        let real = real_path(&ws, &asked).unwrap();
        assert_eq!(real, out.join("new.txt"));
        assert!(matches!(c.check(&real), Err(ConfineError::Outside { .. })));
    }

    #[test]
    fn tilde_and_glob_bases() {
        let h = Some(Path::new("/home/u"));
        assert_eq!(
            expand_tilde("~/.ssh", h).unwrap(),
            PathBuf::from("/home/u/.ssh")
        );
        assert_eq!(expand_tilde("~", h).unwrap(), PathBuf::from("/home/u"));
        assert_eq!(expand_tilde("a~", h).unwrap(), PathBuf::from("a~"));
        assert!(expand_tilde("~root/x", h).is_err());
        assert!(expand_tilde("~/x", None).is_err());
        let base = |p: &str| glob_base(p).map(|b| b.display().to_string());
        assert_eq!(base("/home/u/.ssh/*").as_deref(), Some("/home/u/.ssh"));
        assert_eq!(base("**/*.rs").as_deref(), Some(""));
        assert_eq!(base("src/**/id_rsa").as_deref(), Some("src"));
        assert_eq!(base("../x/{a,b}/c").as_deref(), Some("../x"));
        assert_eq!(base("/etc/passwd").as_deref(), Some("/etc"));
        assert_eq!(base("{src,tests}/**/*.rs").as_deref(), Some(""));
        assert_eq!(base("{/home/u/.ssh,src}/*"), None);
        assert_eq!(base("{src,~/.ssh}/*"), None);
        assert_eq!(base("*/../../home/u/.ssh/*"), None);
        assert_eq!(base("src/{..,x}/y"), None);
        assert_eq!(glob_reach("*.md"), Some(1));
        assert_eq!(glob_reach("/home/u/*/id_rsa"), Some(2));
        assert_eq!(glob_reach("{a/b/c,d}"), Some(3));
        assert_eq!(glob_reach("src/**/x"), None);
        assert_eq!(glob_reach("*/../x"), None);
    }
}
