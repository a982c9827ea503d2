//! Which commits a history scan reads: `git log` revision arguments, held
//! to an allowlist because they come from the command line of CI jobs
//! (`--log-opts "$PR_RANGE"`), where a value may be attacker-shaped.
//!
//! Allowed: revisions and ranges (`main..HEAD`, `v1.0`, `^old`), paths
//! after `--`, and options that only choose commits: `--all`,
//! `--branches`, `--tags`, `--remotes`, `--glob=`, `--exclude=`, `--not`,
//! `--first-parent`, `--no-merges`, `--merges`, `--ancestry-path`,
//! `--since=`/`--after=`, `--until=`/`--before=`, `--author=`,
//! `--committer=`, `--grep=`, `--max-count=`, `--skip=`,
//! `--min-parents=`, `--max-parents=`, `-nN`, `-N`. Everything else is
//! refused: an option that writes a file (`--output`), runs a program
//! (`--ext-diff`, `--textconv`), reads other input (`--stdin`) or changes
//! the output the scanner parses (`-p`, `--format`). Options that take a
//! value must be written `--opt=value`, so a value is never taken for an
//! option or the reverse.

/// Options allowed bare.
const FLAGS: &[&str] = &[
    "--all",
    "--branches",
    "--tags",
    "--remotes",
    "--not",
    "--first-parent",
    "--no-merges",
    "--merges",
    "--ancestry-path",
    "--topo-order",
    "--date-order",
    "--full-history",
];

/// Options allowed as `--opt=value`.
const VALUED: &[&str] = &[
    "--branches",
    "--tags",
    "--remotes",
    "--glob",
    "--exclude",
    "--since",
    "--after",
    "--until",
    "--before",
    "--author",
    "--committer",
    "--grep",
    "--max-count",
    "--skip",
    "--min-parents",
    "--max-parents",
    "--ancestry-path",
];

/// Why a commit range was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommitsError {
    /// The quoting does not parse.
    #[error("`--log-opts`: cannot split `{0}` into arguments (unbalanced quotes)")]
    Quoting(String),
    /// An option outside the allowlist.
    #[error("`--log-opts`: `{0}` is not allowed: only revisions, ranges, paths after `--` and options that choose commits (see `rampart scan --help`)")]
    Option(String),
    /// A revision that looks like an option.
    #[error("`--since-commit`: `{0}` is not a revision")]
    Revision(String),
}

/// The commits to scan; the default is everything reachable from `HEAD`.
#[derive(Debug, Clone, Default)]
pub struct Commits {
    revisions: Vec<String>,
    paths: Vec<String>,
}

impl Commits {
    /// Commits reachable from `HEAD`.
    pub fn head() -> Self {
        Self::default()
    }

    /// `--log-opts`: a shell-quoted list of `git log` arguments, checked
    /// against the allowlist above.
    pub fn from_log_opts(text: &str) -> Result<Self, CommitsError> {
        let words = shlex::split(text).ok_or_else(|| CommitsError::Quoting(text.to_owned()))?;
        let mut out = Self::default();
        let mut words = words.into_iter();
        while let Some(w) = words.next() {
            if w == "--" {
                out.paths.extend(words.by_ref());
                break;
            }
            if allowed(&w)? {
                out.revisions.push(w);
            }
        }
        Ok(out)
    }

    /// `--since-commit REV`: only commits after `rev` (`REV..HEAD`), on top
    /// of whatever else was chosen.
    pub fn since(mut self, rev: &str) -> Result<Self, CommitsError> {
        if rev.is_empty() || rev.starts_with('-') || rev.contains(char::is_whitespace) {
            return Err(CommitsError::Revision(rev.to_owned()));
        }
        // First, before any `--not` of the log options could negate it.
        self.revisions.insert(0, format!("{rev}..HEAD"));
        Ok(self)
    }

    /// Whether nothing was chosen (all of `HEAD`).
    pub fn is_default(&self) -> bool {
        self.revisions.is_empty() && self.paths.is_empty()
    }

    /// The arguments for `git log`, ending with `--` so that a revision is
    /// never read as a path or an option.
    pub(crate) fn git_args(&self) -> Vec<String> {
        let mut args = self.revisions.clone();
        // Without a commit to start from, `git log` would list nothing
        // (only exclusions) or everything (`--all` and kin decide).
        let mut negated = false;
        let mut starts = false;
        for a in &args {
            if a == "--not" {
                negated = !negated;
            } else if a == "--all"
                || ["--branches", "--tags", "--remotes", "--glob"]
                    .iter()
                    .any(|o| a == o || a.starts_with(&format!("{o}=")))
                || (!negated && !a.starts_with('-') && !a.starts_with('^'))
            {
                starts = true;
            }
        }
        if !starts {
            // First: after a `--not` it would be negated.
            args.insert(0, "HEAD".to_owned());
        }
        args.push("--".to_owned());
        args.extend(self.paths.iter().cloned());
        args
    }
}

/// Whether `w` is allowed; `false` for an empty word (nothing to pass).
fn allowed(w: &str) -> Result<bool, CommitsError> {
    let refuse = || CommitsError::Option(w.to_owned());
    if !w.starts_with('-') {
        return Ok(!w.is_empty());
    }
    if FLAGS.contains(&w) {
        return Ok(true);
    }
    if let Some((opt, _)) = w.split_once('=') {
        return if VALUED.contains(&opt) {
            Ok(true)
        } else {
            Err(refuse())
        };
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if w.strip_prefix("-n").is_some_and(digits) || w.strip_prefix('-').is_some_and(digits) {
        return Ok(true);
    }
    Err(refuse())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_commit_choosers_pass() {
        let c = Commits::from_log_opts(
            "--no-merges --since='2 weeks ago' main..feature -5 -- src 'a b'",
        )
        .unwrap();
        assert_eq!(
            c.git_args(),
            [
                "--no-merges",
                "--since=2 weeks ago",
                "main..feature",
                "-5",
                "--",
                "src",
                "a b"
            ]
        );
        let c = Commits::from_log_opts("--all").unwrap();
        assert_eq!(c.git_args(), ["--all", "--"]);
        let c = Commits::head().since("abc123").unwrap();
        assert_eq!(c.git_args(), ["abc123..HEAD", "--"]);
        assert_eq!(Commits::head().git_args(), ["HEAD", "--"]);
        assert_eq!(
            Commits::from_log_opts("--not main").unwrap().git_args(),
            ["HEAD", "--not", "main", "--"]
        );
        assert_eq!(
            Commits::from_log_opts("^old")
                .unwrap()
                .since("base")
                .unwrap()
                .git_args(),
            ["base..HEAD", "^old", "--"]
        );
        assert_eq!(
            Commits::from_log_opts("--first-parent").unwrap().git_args(),
            ["HEAD", "--first-parent", "--"]
        );
    }

    #[test]
    fn gate_bypassed_unless_options_that_run_or_write_are_refused() {
        for bad in [
            "--output=/tmp/x",
            "--output /tmp/x",
            "--ext-diff",
            "--textconv",
            "-O/tmp/order",
            "-p",
            "--format=%H",
            "--stdin",
            "--exec=sh",
            "--open-files-in-pager",
            "main --output=x",
            "-n --output=x",
            "-n 5",
            "-n",
            "--author --output=x",
            "'unbalanced",
        ] {
            assert!(
                Commits::from_log_opts(bad).is_err(),
                "gate bypassed: `--log-opts {bad}` was accepted"
            );
        }
        for bad in ["--output=x", "-x", "", "a b"] {
            assert!(
                Commits::head().since(bad).is_err(),
                "gate bypassed: `--since-commit {bad}` was accepted"
            );
        }
    }
}
