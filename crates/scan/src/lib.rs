//! rampart's scanner: secrets (and PII) in files, in what is staged for the
//! next commit, and in everything the history ever added.
//!
//! The pieces, in the order a scan uses them: a [`Scanner`] holds the
//! rules and the excluded paths; [`Scanner::tree`], [`Scanner::staged`] and
//! [`Scanner::history`] produce a [`Report`] (findings sorted by place,
//! with counts); [`Commits`] chooses the commits of a history scan
//! (`--since-commit`, and `--log-opts` held to an allowlist);
//! [`baseline`] reads and writes the file of accepted findings; [`sink`]
//! renders a report as text, JSON or SARIF. Nothing here prints: progress
//! and warnings go to the caller's [`Progress`].
//!
//! Git is read through machine formats only (`log --raw -z`, `cat-file
//! --batch`), with the repository's command-running settings overridden;
//! docs/SCANNING.md has what a history scan reports and what it does not
//! search.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod baseline;
mod commits;
mod git;
pub mod sink;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rampart_detect::{fingerprint, preview, Confidence, Kind, Options, RuleSet};
use serde::Serialize;

pub use commits::{Commits, CommitsError};

/// A comment that allows the finding on the next line (detect-secrets'
/// spelling). Honoured by scans only: what rampart masks in output
/// (`rampart redact`, the audit trail, what agents see) ignores it, so a
/// program cannot unmask a secret by printing it.
pub const ALLOW_NEXT_LINE: &str = "pragma: allowlist nextline secret";

/// Files larger than this are skipped (and reported).
pub const MAX_FILE: u64 = 50 * 1024 * 1024;

/// Why a scan could not run.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// An exclusion glob does not parse.
    #[error("`detect.exclude_paths`: `{glob}`: {why}")]
    Exclude {
        /// The glob as configured.
        glob: String,
        /// The parser's message.
        why: String,
    },
    /// `--staged` or `--history` outside a repository.
    #[error("not inside a git repository")]
    NotARepository,
    /// Git could not be run or failed.
    #[error("{0}")]
    Git(String),
    /// `--log-opts` or `--since-commit` refused.
    #[error(transparent)]
    Commits(#[from] CommitsError),
}

/// One secret (or PII) found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The commit that added it (history scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The rule that matched.
    pub rule_id: String,
    /// Secret or PII.
    pub kind: Kind,
    /// The file, as walked or as git names it.
    pub path: PathBuf,
    /// 1-based line of the first byte.
    pub line: usize,
    /// 1-based byte column of the first byte.
    pub column: usize,
    /// One past the last byte, on the finding's last line.
    pub end_column: usize,
    /// At most four characters of the secret.
    pub redacted: String,
    /// A hash of rule and secret (for baselines), never the secret.
    pub fingerprint: String,
    /// How sure the rule is.
    pub confidence: Confidence,
}

/// What a scan found and how much it read.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Sorted by path, line and column (history: in log order).
    pub findings: Vec<Finding>,
    /// Files (or commits, for history) scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
}

/// Where a running scan reports what it does; the default does nothing.
pub trait Progress: Sync {
    /// One file was scanned (`bytes` long).
    fn scanned(&self, _bytes: u64) {}
    /// A file was skipped, with the reason.
    fn warn(&self, _message: &str) {}
}

/// A [`Progress`] that reports nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// The rules and exclusions in force for one scan.
pub struct Scanner {
    rules: RuleSet,
    exclude: globset::GlobSet,
    base: PathBuf,
    opts: Options,
}

impl Scanner {
    /// `exclude` globs are relative to `base` (the directory the scan runs
    /// in); a glob without `/` matches at any depth, as in `.gitignore`.
    pub fn new(
        rules: RuleSet,
        exclude: &[String],
        base: PathBuf,
        opts: Options,
    ) -> Result<Self, ScanError> {
        let mut globs = globset::GlobSetBuilder::new();
        for g in exclude {
            let trimmed = g.trim_start_matches("./");
            let pattern = if trimmed.contains('/') {
                trimmed.to_owned()
            } else {
                format!("**/{trimmed}")
            };
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| ScanError::Exclude {
                    glob: g.clone(),
                    why: e.kind().to_string(),
                })?;
            globs.add(glob);
        }
        let exclude = globs.build().map_err(|e| ScanError::Exclude {
            glob: exclude.join(", "),
            why: e.to_string(),
        })?;
        Ok(Self {
            rules,
            exclude,
            base,
            opts,
        })
    }

    /// The directory the scan runs in (git runs there too).
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// The rules in force.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Whether `path` (as walked, or as git names it) is excluded.
    pub fn excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let rel = path
            .strip_prefix(&self.base)
            .or_else(|_| path.strip_prefix("."))
            .unwrap_or(path);
        self.exclude.is_match(rel)
    }

    /// Scans one file's contents, reporting findings under `path`. Binary
    /// contents (a NUL byte in the first 8 KiB) are counted, not scanned.
    pub fn bytes(&self, path: &Path, data: &[u8], out: &mut Vec<Finding>) -> u64 {
        if data.iter().take(8192).any(|b| *b == 0) {
            return data.len() as u64;
        }
        let mut line = 1;
        let mut line_start = 0;
        let mut at = 0;
        for m in self.rules.find(data, self.opts) {
            for (i, b) in data.get(at..m.start).unwrap_or_default().iter().enumerate() {
                if *b == b'\n' {
                    line += 1;
                    line_start = at + i + 1;
                }
            }
            at = m.start;
            if allowed_by_line_before(data, line_start) {
                continue;
            }
            let secret = data.get(m.start..m.end).unwrap_or_default();
            let end_line_len = secret
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(m.end - line_start, |p| m.end - (m.start + p + 1));
            out.push(Finding {
                commit: None,
                rule_id: m.rule_id.clone(),
                kind: m.kind,
                path: path.to_path_buf(),
                line,
                column: m.start - line_start + 1,
                end_column: end_line_len + 1,
                redacted: preview(secret),
                fingerprint: fingerprint(&m.rule_id, secret),
                confidence: m.confidence,
            });
        }
        data.len() as u64
    }

    fn file(
        &self,
        path: &Path,
        progress: &dyn Progress,
        out: &mut Vec<Finding>,
    ) -> std::io::Result<u64> {
        let meta = std::fs::metadata(path)?;
        if meta.len() > MAX_FILE {
            progress.warn(&format!(
                "skipped `{}`: {} MB is over the {} MB limit for one file",
                path.display(),
                meta.len() / (1024 * 1024),
                MAX_FILE / (1024 * 1024)
            ));
            return Ok(0);
        }
        let data = std::fs::read(path)?;
        Ok(self.bytes(path, &data, out))
    }

    /// Walks `roots` on every core (.gitignore honoured, hidden files
    /// included, `.git` and excluded paths skipped).
    pub fn tree(&self, roots: &[PathBuf], progress: &dyn Progress) -> Report {
        let results: Mutex<Report> = Mutex::new(Report::default());
        let mut builder =
            ignore::WalkBuilder::new(roots.first().map_or(Path::new("."), PathBuf::as_path));
        for root in roots.iter().skip(1) {
            builder.add(root);
        }
        builder
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .threads(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get));
        builder.build_parallel().run(|| {
            let results = &results;
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        progress.warn(&format!("skipped: {e}"));
                        return ignore::WalkState::Continue;
                    }
                };
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if self.excluded(entry.path()) {
                    return if is_dir {
                        ignore::WalkState::Skip
                    } else {
                        ignore::WalkState::Continue
                    };
                }
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                let mut local = Vec::new();
                match self.file(entry.path(), progress, &mut local) {
                    Ok(n) => {
                        progress.scanned(n);
                        if let Ok(mut r) = results.lock() {
                            r.findings.extend(local);
                            r.files += 1;
                            r.bytes += n;
                        }
                    }
                    Err(e) => {
                        progress.warn(&format!("cannot read `{}`: {e}", entry.path().display()));
                    }
                }
                ignore::WalkState::Continue
            })
        });
        let mut report = match results.into_inner() {
            Ok(r) => r,
            Err(p) => p.into_inner(),
        };
        report.findings.sort_by(|a, b| {
            a.path
                .cmp(&b.path)
                .then(a.line.cmp(&b.line))
                .then(a.column.cmp(&b.column))
        });
        report
    }

    /// The staged (index) version of every added, copied, modified or
    /// renamed file, in the repository of the scan's base directory; paths
    /// are relative to the top of the work tree.
    pub fn staged(&self, progress: &dyn Progress) -> Result<Report, ScanError> {
        git::staged(self, progress)
    }

    /// What each commit of `commits` added (a secret in a file's new
    /// version and in none of its old ones), each finding with its commit
    /// and its line in that version; `files` counts commits. Paths are
    /// relative to the top of the work tree.
    pub fn history(&self, commits: &Commits, progress: &dyn Progress) -> Result<Report, ScanError> {
        git::history(self, commits, progress)
    }
}

/// The top of the git work tree that holds `dir`, if it is in one.
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    git::toplevel(dir)
}

/// Whether the line before the one starting at `line_start` holds
/// [`ALLOW_NEXT_LINE`] (any case).
fn allowed_by_line_before(data: &[u8], line_start: usize) -> bool {
    let Some(before) = line_start.checked_sub(1).and_then(|end| data.get(..end)) else {
        return false;
    };
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let line = before.get(start..).unwrap_or_default();
    let needle = ALLOW_NEXT_LINE.as_bytes();
    line.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests;
