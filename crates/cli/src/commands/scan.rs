//! `rampart scan`: secrets (and PII) in files.
//!
//! `--json` prints `{"findings":[{"rule_id","kind","path","line","column",
//! "end_column","redacted","fingerprint","confidence"}],"stats":{"files",
//! "bytes","seconds"}}`. Lines and columns are 1-based and count bytes;
//! `end_column` is one past the last byte (on the finding's last line).
//! `redacted` never holds more than four characters of the secret.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rampart_detect::{fingerprint, preview, Kind, Options, RuleSet};
use rampart_policy::DetectUse;
use serde_json::json;

use crate::args::{Global, ScanArgs, ScanFormat};
use crate::exit::Exit;
use crate::{load, ui};

/// Files larger than this are skipped (and counted).
const MAX_FILE: u64 = 50 * 1024 * 1024;

#[derive(Clone)]
struct Finding {
    /// The commit that added it (`--history`).
    commit: Option<String>,
    rule_id: String,
    kind: Kind,
    path: PathBuf,
    line: usize,
    column: usize,
    end_column: usize,
    redacted: String,
    fingerprint: String,
    confidence: rampart_detect::Confidence,
}

fn scan_file(
    rules: &RuleSet,
    path: &Path,
    opts: Options,
    out: &mut Vec<Finding>,
) -> std::io::Result<u64> {
    let meta = std::fs::metadata(path)?;
    if meta.len() > MAX_FILE {
        ui::warning(&format!(
            "skipped `{}`: {} MB is over the {} MB limit for one file",
            path.display(),
            meta.len() / (1024 * 1024),
            MAX_FILE / (1024 * 1024)
        ));
        return Ok(0);
    }
    let data = std::fs::read(path)?;
    Ok(scan_bytes(rules, path, &data, opts, out))
}

/// Scans one file's contents, reporting findings under `path`.
fn scan_bytes(
    rules: &RuleSet,
    path: &Path,
    data: &[u8],
    opts: Options,
    out: &mut Vec<Finding>,
) -> u64 {
    // Binary files: a NUL byte near the start.
    if data.iter().take(8192).any(|b| *b == 0) {
        return data.len() as u64;
    }
    let mut line = 1;
    let mut line_start = 0;
    let mut at = 0;
    for m in rules.find(data, opts) {
        for (i, b) in data.get(at..m.start).unwrap_or_default().iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = at + i + 1;
            }
        }
        at = m.start;
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

/// What every commit reachable from HEAD added: `git log -p -U0`, each
/// hunk's added lines scanned as one block (so multi-line keys are seen),
/// findings placed at their line in that commit's version of the file.
fn scan_history(
    rules: &RuleSet,
    opts: Options,
    out: &mut Vec<Finding>,
) -> Result<(u64, u64), String> {
    use std::io::BufRead;
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
        .map_err(|e| format!("cannot run git: {e}"))?;
    let stdout = child.stdout.take().ok_or("git gave no output")?;
    let (mut commits, mut bytes) = (0u64, 0u64);
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
            scan_bytes(rules, p, hunk, opts, &mut found);
            for mut f in found {
                f.line += first_line - 1;
                f.commit = Some(commit.to_owned());
                out.push(f);
            }
        }
        hunk.clear();
    };
    for line in std::io::BufReader::new(stdout).split(b'\n') {
        let line = line.map_err(|e| format!("reading git log: {e}"))?;
        bytes += line.len() as u64 + 1;
        if let Some(sha) = line.strip_prefix(b"\0commit ") {
            flush(&commit, &path, &mut hunk, hunk_line, out);
            String::from_utf8_lossy(sha).trim().clone_into(&mut commit);
            path = None;
            commits += 1;
        } else if let Some(p) = line.strip_prefix(b"+++ ") {
            flush(&commit, &path, &mut hunk, hunk_line, out);
            let p = String::from_utf8_lossy(p).into_owned();
            path = p.strip_prefix("b/").map(PathBuf::from);
        } else if line.starts_with(b"@@ ") {
            flush(&commit, &path, &mut hunk, hunk_line, out);
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
    flush(&commit, &path, &mut hunk, hunk_line, out);
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        // A repository without commits has no history to scan.
        if err.contains("does not have any commits") || err.contains("unknown revision") {
            return Ok((0, 0));
        }
        return Err(format!("`git log` failed: {}", err.trim()));
    }
    Ok((commits, bytes))
}

fn require_repository() -> Result<(), String> {
    git(&["rev-parse", "--git-dir"])
        .map(drop)
        .map_err(|_| "not inside a git repository".into())
}

/// Runs git with `args` in the current directory; stdout, or a message.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let o = std::process::Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if o.status.success() {
        Ok(o.stdout)
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

/// The staged (index) version of every added, copied, modified or renamed
/// file.
fn scan_staged(
    rules: &RuleSet,
    opts: Options,
    out: &mut Vec<Finding>,
) -> Result<(u64, u64), String> {
    require_repository()?;
    let names = git(&[
        "diff",
        "--cached",
        "--name-only",
        "-z",
        "--diff-filter=ACMR",
    ])?;
    let (mut files, mut bytes) = (0, 0);
    for name in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let data = git(&["show", &format!(":{name}")])?;
        bytes += scan_bytes(rules, Path::new(&name), &data, opts, out);
        files += 1;
    }
    Ok((files, bytes))
}

/// A SARIF 2.1.0 log: one run, the rules that fired, one result per
/// finding with its region and a partial fingerprint (never the secret).
fn sarif(rules: &RuleSet, findings: &[Finding]) -> serde_json::Value {
    let mut fired: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    fired.sort_unstable();
    fired.dedup();
    let rule_entries: Vec<_> = fired
        .iter()
        .map(|id| {
            let description = rules
                .rules()
                .iter()
                .find(|r| r.spec.id == *id)
                .map_or("", |r| r.spec.description.as_str());
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": description},
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let uri = f.path.to_string_lossy().trim_start_matches("./").replace('\\', "/");
            json!({
                "ruleId": f.rule_id,
                "ruleIndex": fired.iter().position(|r| *r == f.rule_id).unwrap_or(0),
                "level": if f.kind == Kind::Secret { "error" } else { "warning" },
                "message": {"text": format!("{} found ({})", f.rule_id, f.redacted)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": f.line, "startColumn": f.column, "endColumn": f.end_column},
                }}],
                "partialFingerprints": {"rampart/v1": f.fingerprint},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rampart",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/rampart-sec/rampart",
                "rules": rule_entries,
            }},
            "results": results,
        }],
    })
}

/// The rules and path exclusions in force for a scan of the current
/// directory: built-in rules with the user's and the project's `[detect]`.
struct Setup {
    rules: RuleSet,
    exclude: globset::GlobSet,
    base: PathBuf,
}

impl Setup {
    fn load(global: &Global) -> Option<Self> {
        let (base, config, rules) = load::detection(global, DetectUse::Scan)?;
        let detect = &config.detect;
        let mut globs = globset::GlobSetBuilder::new();
        for g in detect.excluded_paths() {
            // A glob without `/` matches at any depth, as in .gitignore.
            let g = g.trim_start_matches("./");
            let pattern = if g.contains('/') {
                g.to_owned()
            } else {
                format!("**/{g}")
            };
            match globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
            {
                Ok(glob) => {
                    globs.add(glob);
                }
                Err(e) => {
                    ui::error(&format!("`detect.exclude_paths`: {e}"));
                    ui::hint("write a glob such as `tests/fixtures/**` or `*.lock`");
                    return None;
                }
            }
        }
        let exclude = match globs.build() {
            Ok(g) => g,
            Err(e) => {
                ui::error(&format!("`detect.exclude_paths`: {e}"));
                return None;
            }
        };
        Some(Self {
            rules,
            exclude,
            base,
        })
    }

    /// Whether `path` (as walked, or as git names it) is excluded by config;
    /// globs are relative to the directory the scan runs in.
    fn excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let rel = path
            .strip_prefix(&self.base)
            .or_else(|_| path.strip_prefix("."))
            .unwrap_or(path);
        self.exclude.is_match(rel)
    }
}

fn list_rules(global: &Global, rules: &RuleSet) -> Exit {
    if global.json {
        let list: Vec<_> = rules
            .rules()
            .iter()
            .map(|r| {
                json!({
                    "id": r.spec.id, "kind": r.spec.kind, "confidence": r.spec.confidence,
                    "description": r.spec.description, "keywords": r.spec.keywords,
                    "validate": r.spec.validate,
                })
            })
            .collect();
        crate::ui::outln!("{}", json!({ "rules": list }));
    } else {
        for r in rules.rules() {
            let kind = if r.spec.kind == Kind::Pii {
                "pii"
            } else {
                "secret"
            };
            crate::ui::outln!("{:<36} {kind:<6} {}", r.spec.id, r.spec.description);
        }
        ui::info(&format!("{} rule(s)", rules.rules().len()));
    }
    Exit::Ok
}

/// A spinner with files and bytes on a terminal; nothing otherwise.
fn progress(global: &Global) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if global.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} scanning: {pos} files, {msg} [{elapsed}]",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}

pub(crate) fn run(global: &Global, args: &ScanArgs) -> Exit {
    let Some(setup) = Setup::load(global) else {
        return Exit::Usage;
    };
    if args.list_rules {
        return list_rules(global, &setup.rules);
    }
    let rules = &setup.rules;
    let opts = Options { pii: args.pii };
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let started = Instant::now();
    if args.staged || args.history {
        let mut findings = Vec::new();
        let scanned = if args.history {
            scan_history(rules, opts, &mut findings)
        } else {
            scan_staged(rules, opts, &mut findings)
        };
        findings.retain(|f| !setup.excluded(&f.path));
        return match scanned {
            Ok((files, bytes)) => report(
                global,
                args,
                rules,
                &findings,
                files,
                bytes,
                started.elapsed().as_secs_f64(),
            ),
            Err(e) => {
                ui::error(&e);
                ui::hint("run it inside a git repository");
                Exit::Usage
            }
        };
    }
    for root in &roots {
        if !root.exists() {
            ui::error(&format!("`{}` does not exist", root.display()));
            return Exit::Usage;
        }
    }
    let (findings, files, bytes) = scan_tree(global, &setup, &roots, opts);
    let seconds = started.elapsed().as_secs_f64();
    report(global, args, rules, &findings, files, bytes, seconds)
}

/// Walks `roots` on every core (.gitignore honoured, hidden files
/// included, `.git` and excluded paths skipped); findings sorted by place.
fn scan_tree(
    global: &Global,
    setup: &Setup,
    roots: &[PathBuf],
    opts: Options,
) -> (Vec<Finding>, u64, u64) {
    // Files are walked and scanned on every core; findings are sorted after.
    let results: Mutex<(Vec<Finding>, u64, u64)> = Mutex::new((Vec::new(), 0, 0));
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
    let bar = progress(global);
    let scanned_bytes = std::sync::atomic::AtomicU64::new(0);
    builder.build_parallel().run(|| {
        let results = &results;
        let setup = &setup;
        let bar = bar.as_ref();
        let scanned_bytes = &scanned_bytes;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    ui::warning(&format!("skipped: {e}"));
                    return ignore::WalkState::Continue;
                }
            };
            if setup.excluded(entry.path()) {
                return if entry.file_type().is_some_and(|t| t.is_dir()) {
                    ignore::WalkState::Skip
                } else {
                    ignore::WalkState::Continue
                };
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let mut local = Vec::new();
            match scan_file(&setup.rules, entry.path(), opts, &mut local) {
                Ok(n) => {
                    if let Some(bar) = bar {
                        let total =
                            scanned_bytes.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
                        bar.inc(1);
                        bar.set_message(format!("{} MB", total / 1_000_000));
                    }
                    if let Ok(mut r) = results.lock() {
                        r.0.extend(local);
                        r.1 += 1;
                        r.2 += n;
                    }
                }
                Err(e) => ui::warning(&format!("cannot read `{}`: {e}", entry.path().display())),
            }
            ignore::WalkState::Continue
        })
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (mut findings, files, bytes) = match results.into_inner() {
        Ok(r) => r,
        Err(p) => p.into_inner(),
    };
    findings.sort_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then(a.line.cmp(&b.line))
            .then(a.column.cmp(&b.column))
    });
    (findings, files, bytes)
}

/// The baseline file: fingerprints (hashes, never secrets) of accepted
/// findings, with rule and path for the humans who review it.
fn read_baseline(path: &Path) -> Result<Vec<String>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(format!(
                "cannot read the baseline `{}`: {e}",
                path.display()
            ))
        }
    };
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("baseline `{}` is not valid JSON: {e}", path.display()))?;
    let list = v["findings"]
        .as_array()
        .ok_or_else(|| format!("baseline `{}` has no `findings` list", path.display()))?;
    Ok(list
        .iter()
        .filter_map(|f| f["fingerprint"].as_str().map(str::to_owned))
        .collect())
}

fn write_baseline(path: &Path, findings: &[Finding]) -> Result<(), String> {
    use std::io::Write;
    let mut entries: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| json!({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path}))
        .collect();
    entries.sort_by(|a, b| {
        a["path"]
            .as_str()
            .cmp(&b["path"].as_str())
            .then(a["fingerprint"].as_str().cmp(&b["fingerprint"].as_str()))
    });
    entries.dedup();
    let text = serde_json::to_string_pretty(&json!({"version": 1, "findings": entries}))
        .map_err(|e| e.to_string())?
        + "\n";
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".rampart-baseline.tmp{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| format!("cannot write the baseline `{}`: {e}", path.display()))
}

/// Prints the findings in the chosen format; the exit status says whether
/// there were any.
fn report(
    global: &Global,
    args: &ScanArgs,
    rules: &RuleSet,
    findings: &[Finding],
    files: u64,
    bytes: u64,
    seconds: f64,
) -> Exit {
    if let Some(b) = &args.baseline {
        if args.update_baseline {
            return match write_baseline(b, findings) {
                Ok(()) => {
                    ui::info(&format!(
                        "wrote {} finding(s) to the baseline `{}`",
                        findings.len(),
                        b.display()
                    ));
                    Exit::Ok
                }
                Err(e) => {
                    ui::error(&e);
                    Exit::Usage
                }
            };
        }
    }
    let known = match args.baseline.as_deref().map(read_baseline).transpose() {
        Ok(k) => k.unwrap_or_default(),
        Err(e) => {
            ui::error(&e);
            return Exit::Usage;
        }
    };
    let kept: Vec<&Finding> = findings
        .iter()
        .filter(|f| !known.contains(&f.fingerprint))
        .collect();
    let suppressed = findings.len() - kept.len();
    let findings: Vec<Finding> = kept.into_iter().cloned().collect();
    let findings = findings.as_slice();
    if suppressed > 0 {
        ui::info(&format!(
            "{suppressed} finding(s) in the baseline not reported"
        ));
    }
    let format = if global.json {
        ScanFormat::Json
    } else {
        args.format
    };
    match format {
        ScanFormat::Json => {
            let list: Vec<_> = findings
                .iter()
                .map(|f| {
                    let mut v = json!({
                        "rule_id": f.rule_id, "kind": f.kind, "path": f.path, "line": f.line, "column": f.column,
                        "end_column": f.end_column, "redacted": f.redacted, "fingerprint": f.fingerprint, "confidence": f.confidence,
                    });
                    if let (Some(c), Some(obj)) = (&f.commit, v.as_object_mut()) {
                        obj.insert("commit".into(), json!(c));
                    }
                    v
                })
                .collect();
            crate::ui::outln!(
                "{}",
                json!({"findings": list, "stats": {"files": files, "bytes": bytes, "seconds": seconds}})
            );
        }
        ScanFormat::Sarif => crate::ui::outln!("{}", sarif(rules, findings)),
        ScanFormat::Text => {
            for f in findings {
                let confidence = serde_json::to_value(f.confidence)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let commit = f
                    .commit
                    .as_deref()
                    .map(|c| format!(" (commit {})", c.get(..12).unwrap_or(c)))
                    .unwrap_or_default();
                crate::ui::outln!(
                    "{}:{}:{}: {} ({confidence}) {}{commit}",
                    f.path.display(),
                    f.line,
                    f.column,
                    f.rule_id,
                    f.redacted
                );
            }
            ui::info(&format!(
                "{} finding(s) in {files} file(s), {bytes} bytes, {seconds:.2}s",
                findings.len()
            ));
        }
    }
    if findings.is_empty() {
        Exit::Ok
    } else {
        Exit::Problems
    }
}
