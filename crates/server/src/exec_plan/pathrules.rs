//! Path rules bind the resource, not the tool: a `deny` path rule is also
//! handed to the sandbox. Files that match a read-deny rule are hidden (as
//! `deny_read` paths are), files that match a write-deny rule are bound
//! read-only, so `cat .env`, `grep -r KEY .` and `source .env` inside a
//! shell meet the same refusal as a direct read.
//!
//! Matches are found when the command starts: relative globs in the
//! workspace, absolute and `~/` globs below their literal prefix. `.git`
//! directories are not entered and symlinks are not followed. A file
//! created later under a matching name is not covered.

use std::path::{Path, PathBuf};

use rampart_policy::{Config, RuleMatch, Verdict};

/// At most this many directory entries are examined for path rules.
const MAX_ENTRIES: usize = 200_000;

/// Paths to hide and paths to make read-only.
#[derive(Debug, Default)]
pub(super) struct PathRuleMounts {
    pub(super) hidden: Vec<PathBuf>,
    pub(super) read_only: Vec<PathBuf>,
}

/// A deny path rule that matches too much to hand to the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the path rule `{glob}` ({origin}) would need more than {MAX_ENTRIES} files examined to enforce in the sandbox; narrow the glob")]
pub struct TooWide {
    /// The rule's glob as written.
    pub glob: String,
    /// Where the rule was written (`file:line`).
    pub origin: String,
}

/// Finds what the deny path rules of `cfg` match below `workspace`.
pub(super) fn mounts(cfg: &Config, workspace: &Path) -> Result<PathRuleMounts, TooWide> {
    let mut out = PathRuleMounts::default();
    let mut seen = 0usize;
    for rule in cfg.rules.iter().filter(|r| r.decision == Verdict::Deny) {
        let RuleMatch::Path { glob, access } = &rule.matcher else {
            continue;
        };
        let (read, write) = (access.reads(), access.writes());
        let mut stack = vec![glob.walk_root(workspace)];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                seen += 1;
                if seen > MAX_ENTRIES {
                    return Err(TooWide {
                        glob: glob.to_string(),
                        origin: rule.origin.clone(),
                    });
                }
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if glob.matches(&path, workspace) {
                    if read {
                        out.hidden.push(path.clone());
                    } else if write {
                        out.read_only.push(path.clone());
                    }
                    if read {
                        continue;
                    }
                }
                if kind.is_dir() && !kind.is_symlink() && entry.file_name() != ".git" {
                    stack.push(path);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_policy::{HostEnv, Rule};

    #[test]
    fn finds_matches_and_skips_git() {
        let t = tempfile::tempdir().unwrap();
        let ws = std::fs::canonicalize(t.path()).unwrap();
        for d in ["config", ".git", "a/b"] {
            std::fs::create_dir_all(ws.join(d)).unwrap();
        }
        for f in [
            ".env",
            "config/.env.local",
            ".git/.env-in-git",
            "a/b/.envrc",
            "a/b/env.txt",
        ] {
            std::fs::write(ws.join(f), "x").unwrap();
        }
        let mut cfg = Config::defaults(&HostEnv::default());
        cfg.rules.push(Rule {
            matcher: RuleMatch::Path {
                glob: rampart_policy::PathGlob::new("**/.env*", None).unwrap(),
                access: rampart_policy::PathAccess::Read,
            },
            decision: Verdict::Deny,
            reason: "secrets".into(),
            origin: "t:1".into(),
        });
        let mut m = mounts(&cfg, &ws).unwrap();
        m.hidden.sort();
        assert_eq!(
            m.hidden,
            vec![
                ws.join(".env"),
                ws.join("a/b/.envrc"),
                ws.join("config/.env.local")
            ]
        );
    }
}
