//! Globs: path rules and environment patterns, compiled once at load by
//! one engine (`globset`, whose matchers run in time linear in the input:
//! no pattern, however hostile, makes a decision backtrack).
//!
//! Syntax, everywhere: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, `{a,b}`, and a
//! `\` escapes the next character. What `*` spans depends on what is
//! matched:
//!
//! - paths ([`PathGlob`]): `/` separates; `*` and `?` stay within one
//!   component, `**` (a whole component) spans any number of components,
//!   and a glob ending in `/**` also matches the directory itself. Case
//!   matters.
//! - environment variable names ([`EnvPattern`]): names are not paths, so
//!   `*` spans any characters; case does not matter.
//!
//! Host patterns, which also use this engine, are in [`crate::host`].

use std::fmt;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Longest glob accepted (a path is at most 4096 bytes on Linux).
const MAX_GLOB: usize = 4096;

/// Characters that make a path component a pattern rather than a name.
const META: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];

/// Where a path glob is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// `/…` or `~/…`: matched against the absolute path.
    Absolute,
    /// Anything else: matched against the path relative to the workspace
    /// (and, when it starts with `**`, against paths outside it too).
    Workspace,
}

/// Why a pattern of the config (a path glob, a name pattern, a host
/// pattern, a protected-path entry) was refused: the pattern and what is
/// wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PatternError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it (naming it), for the user.
    pub message: String,
}

impl From<PatternError> for String {
    fn from(e: PatternError) -> Self {
        e.message
    }
}

impl PatternError {
    pub(crate) fn new(pattern: &str, message: impl Into<String>) -> Self {
        Self {
            pattern: pattern.to_owned(),
            message: message.into(),
        }
    }
}

/// Why a path glob is refused (the message of its [`PatternError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum PathGlobError {
    #[error("an empty path glob matches nothing")]
    Empty,
    #[error("a path glob longer than {MAX_GLOB} characters is refused")]
    TooLong,
    #[error("`{0}` needs $HOME, which is not set")]
    NoHome(String),
    #[error("`{0}` has a `.` or `..` component, which never matches a normalised path")]
    DotComponent(String),
    #[error("`{text}` has `**` inside the component `{component}`; `**` must be a whole component (`a/**/b`), `*` matches within one")]
    DoubleStarInside { text: String, component: String },
    #[error("`{text}` is not a valid path glob: {why}")]
    Invalid {
        text: String,
        why: globset::ErrorKind,
    },
}

/// Why an environment-name pattern is refused (the message of its
/// [`PatternError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum NamePatternError {
    #[error("an empty exclude pattern matches nothing")]
    Empty,
    #[error("a name pattern longer than {MAX_GLOB} characters is refused")]
    TooLong,
    #[error("`{text}` is not a valid name pattern: {why}")]
    Invalid {
        text: String,
        why: globset::ErrorKind,
    },
}

/// A path rule's glob, compiled at load.
#[derive(Clone)]
pub struct PathGlob {
    text: String,
    expanded: String,
    anchor: Anchor,
    set: GlobSet,
    /// What lies beneath a match (`{expanded}/**`); none for `/`.
    beneath: Option<GlobSet>,
}

impl PathGlob {
    /// Compiles `text`; `~/` is expanded with `home`. The error says what
    /// is wrong with it.
    pub fn new(text: &str, home: Option<&Path>) -> Result<Self, PatternError> {
        Self::compile(text, home).map_err(|e| PatternError::new(text, e.to_string()))
    }

    fn compile(text: &str, home: Option<&Path>) -> Result<Self, PathGlobError> {
        if text.trim().is_empty() {
            return Err(PathGlobError::Empty);
        }
        if text.len() > MAX_GLOB {
            return Err(PathGlobError::TooLong);
        }
        let (anchor, full) = if let Some(rest) = text.strip_prefix("~/") {
            let home = home.ok_or_else(|| PathGlobError::NoHome(text.to_owned()))?;
            let home = globset::escape(&home.to_string_lossy());
            (Anchor::Absolute, format!("{home}/{rest}"))
        } else if text.starts_with('/') {
            (Anchor::Absolute, text.to_owned())
        } else {
            (Anchor::Workspace, text.to_owned())
        };
        let parts: Vec<&str> = full.split('/').filter(|s| !s.is_empty()).collect();
        if parts.iter().any(|p| *p == "." || *p == "..") {
            return Err(PathGlobError::DotComponent(text.to_owned()));
        }
        if let Some(p) = parts.iter().find(|p| p.contains("**") && **p != "**") {
            return Err(PathGlobError::DoubleStarInside {
                text: text.to_owned(),
                component: (*p).to_owned(),
            });
        }
        let lead = if anchor == Anchor::Absolute { "/" } else { "" };
        let expanded = format!("{lead}{}", parts.join("/"));
        let mut globs = vec![expanded.clone()];
        if let Some(dir) = expanded.strip_suffix("/**") {
            globs.push(if dir.is_empty() {
                "/".into()
            } else {
                dir.into()
            });
        }
        let build = |globs: &[String]| {
            let mut set = GlobSetBuilder::new();
            for g in globs {
                let glob = GlobBuilder::new(g)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .build()
                    .map_err(|e| PathGlobError::Invalid {
                        text: text.to_owned(),
                        why: e.kind().clone(),
                    })?;
                set.add(glob);
            }
            set.build().map_err(|e| PathGlobError::Invalid {
                text: text.to_owned(),
                why: e.kind().clone(),
            })
        };
        let set = build(&globs)?;
        let beneath = if expanded == "/" {
            None
        } else {
            Some(build(&[format!("{expanded}/**")])?)
        };
        Ok(Self {
            text: text.to_owned(),
            expanded,
            anchor,
            set,
            beneath,
        })
    }

    /// Whether the glob matches `path` (absolute, lexically normal): an
    /// absolute or `~/` glob against the absolute path, another against
    /// the path relative to `workspace`, and, when it starts with `**`,
    /// against a path outside the workspace too.
    pub fn matches(&self, path: &Path, workspace: &Path) -> bool {
        match self.anchor {
            Anchor::Absolute => self.set.is_match(path),
            Anchor::Workspace => match path.strip_prefix(workspace) {
                Ok(rel) => self.set.is_match(rel),
                Err(_) => self.expanded.starts_with("**") && self.set.is_match(path),
            },
        }
    }

    /// Whether the glob matches `path` or a directory above it, short of
    /// `/` (and, for a workspace glob, of the workspace itself): a rule
    /// on a directory covers everything beneath it, as the sandbox
    /// enforces it (it hides or binds read-only the matching directory
    /// whole).
    /// One match of `{glob}/**`, not one per ancestor: a path thousands
    /// of components deep is judged in linear time.
    pub fn covers(&self, path: &Path, workspace: &Path) -> bool {
        if self.matches(path, workspace) {
            return true;
        }
        let Some(beneath) = &self.beneath else {
            return false;
        };
        match self.anchor {
            Anchor::Absolute => beneath.is_match(path),
            Anchor::Workspace => match path.strip_prefix(workspace) {
                Ok(rel) => beneath.is_match(rel),
                Err(_) => self.expanded.starts_with("**") && beneath.is_match(path),
            },
        }
    }

    /// The directory below which every match lies: the glob's literal
    /// leading components (the parent, for a fully literal glob).
    pub fn walk_root(&self, workspace: &Path) -> PathBuf {
        let base = match self.anchor {
            Anchor::Absolute => PathBuf::from("/"),
            Anchor::Workspace => workspace.to_path_buf(),
        };
        let parts: Vec<&str> = self.expanded.split('/').filter(|s| !s.is_empty()).collect();
        let literal = parts.iter().take_while(|s| !s.contains(META)).count();
        let dirs = if literal < parts.len() {
            literal
        } else {
            literal.saturating_sub(1)
        };
        parts.iter().take(dirs).fold(base, |p, s| p.join(s))
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// An environment variable name pattern, compiled at load.
/// Case-insensitive; `*` spans any characters.
#[derive(Clone)]
pub struct EnvPattern {
    text: String,
    matcher: globset::GlobMatcher,
}

impl EnvPattern {
    /// Compiles `text`; the error says what is wrong with it.
    pub fn new(text: &str) -> Result<Self, PatternError> {
        Self::compile(text).map_err(|e| PatternError::new(text, e.to_string()))
    }

    fn compile(text: &str) -> Result<Self, NamePatternError> {
        if text.trim().is_empty() {
            return Err(NamePatternError::Empty);
        }
        if text.len() > MAX_GLOB {
            return Err(NamePatternError::TooLong);
        }
        let glob = GlobBuilder::new(text)
            .case_insensitive(true)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| NamePatternError::Invalid {
                text: text.to_owned(),
                why: e.kind().clone(),
            })?;
        Ok(Self {
            text: text.to_owned(),
            matcher: glob.compile_matcher(),
        })
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

macro_rules! by_text {
    ($t:ty) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($t), self.text)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.text)
            }
        }
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.text == other.text
            }
        }
        impl Eq for $t {}
    };
}

by_text!(PathGlob);
by_text!(EnvPattern);

#[cfg(test)]
mod tests;
