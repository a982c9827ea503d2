//! The staged files and the history, read through the `git` program.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::{Finding, Report, ScanError, Scanner};

fn require_repository() -> Result<(), ScanError> {
    run(&["rev-parse", "--git-dir"])
        .map(drop)
        .map_err(|_| ScanError::NotARepository)
}

/// Runs git with `args` in the current directory; stdout, or a message.
fn run(args: &[&str]) -> Result<Vec<u8>, ScanError> {
    let o = std::process::Command::new("git")
        .args(args)
        .output()
        .map_err(|e| ScanError::Git(format!("cannot run git: {e}")))?;
    if o.status.success() {
        Ok(o.stdout)
    } else {
        Err(ScanError::Git(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        )))
    }
}

pub(crate) fn staged(scanner: &Scanner) -> Result<Report, ScanError> {
    require_repository()?;
    let names = run(&[
        "diff",
        "--cached",
        "--name-only",
        "-z",
        "--diff-filter=ACMR",
    ])?;
    let mut report = Report::default();
    for name in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let data = run(&["show", &format!(":{name}")])?;
        report.bytes += scanner.bytes(Path::new(&name), &data, &mut report.findings);
        report.files += 1;
    }
    Ok(report)
}

/// `git log -p -U0`, each hunk's added lines scanned as one block (so
/// multi-line keys are seen), findings placed at their line in that
/// commit's version of the file.
pub(crate) fn history(scanner: &Scanner) -> Result<Report, ScanError> {
    require_repository()?;
    let mut child = std::process::Command::new("git")
        .args([
            "log",
            "-p",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "--format=%x00commit %H",
            "HEAD",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| ScanError::Git(format!("cannot run git: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| ScanError::Git("git gave no output".into()))?;
    let mut report = Report::default();
    let mut commit = String::new();
    let mut path: Option<PathBuf> = None;
    let mut hunk: Vec<u8> = Vec::new();
    let mut hunk_line = 0usize;
    let flush = |commit: &str,
                 path: &Option<PathBuf>,
                 hunk: &mut Vec<u8>,
                 first_line: usize,
                 out: &mut Vec<Finding>| {
        if let (Some(p), false) = (path, hunk.is_empty()) {
            let mut found = Vec::new();
            scanner.bytes(p, hunk, &mut found);
            for mut f in found {
                f.line += first_line - 1;
                f.commit = Some(commit.to_owned());
                out.push(f);
            }
        }
        hunk.clear();
    };
    for line in std::io::BufReader::new(stdout).split(b'\n') {
        let line = line.map_err(|e| ScanError::Git(format!("reading git log: {e}")))?;
        report.bytes += line.len() as u64 + 1;
        if let Some(sha) = line.strip_prefix(b"\0commit ") {
            flush(&commit, &path, &mut hunk, hunk_line, &mut report.findings);
            String::from_utf8_lossy(sha).trim().clone_into(&mut commit);
            path = None;
            report.files += 1;
        } else if let Some(p) = line.strip_prefix(b"+++ ") {
            flush(&commit, &path, &mut hunk, hunk_line, &mut report.findings);
            let p = String::from_utf8_lossy(p).into_owned();
            path = p.strip_prefix("b/").map(PathBuf::from);
        } else if line.starts_with(b"@@ ") {
            flush(&commit, &path, &mut hunk, hunk_line, &mut report.findings);
            // `@@ -a,b +c,d @@`: the new side starts at line c.
            let text = String::from_utf8_lossy(&line).into_owned();
            hunk_line = text
                .split_whitespace()
                .find_map(|t| t.strip_prefix('+'))
                .and_then(|t| t.split(',').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(1)
                .max(1);
        } else if let Some(added) = line.strip_prefix(b"+") {
            hunk.extend_from_slice(added);
            hunk.push(b'\n');
        }
    }
    flush(&commit, &path, &mut hunk, hunk_line, &mut report.findings);
    let status = child.wait().map_err(|e| ScanError::Git(e.to_string()))?;
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        // A repository without commits has no history to scan.
        if err.contains("does not have any commits") || err.contains("unknown revision") {
            return Ok(Report::default());
        }
        return Err(ScanError::Git(format!("`git log` failed: {}", err.trim())));
    }
    Ok(report)
}
