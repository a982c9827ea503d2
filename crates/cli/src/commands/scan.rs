//! `rampart scan`: secrets (and PII) in files. The scanner, the baseline
//! and the renderings live in `rampart-scan`; this is the command line
//! around them (arguments, config, progress, exit status). The `--json`
//! shape is documented in `rampart_scan::sink`.

use std::path::PathBuf;
use std::time::Instant;

use rampart_detect::{Kind, Options, RuleSet};
use rampart_policy::DetectUse;
use rampart_scan::{baseline, sink, Commits, Progress, Report, ScanError, Scanner};
use serde_json::json;

use crate::args::{Global, ScanArgs, ScanFormat};
use crate::exit::Exit;
use crate::report::{with_hint, FailExt as _};
use crate::{load, ui};

/// The scanner for the current directory: built-in rules with the user's
/// and the project's `[detect]`.
fn setup(global: &Global, opts: Options) -> anyhow::Result<Option<Scanner>> {
    let Some((base, config, rules)) = load::detection(global, DetectUse::Scan) else {
        return Ok(None);
    };
    Scanner::new(rules, &config.detect.excluded_paths(), base, opts)
        .map(Some)
        .hint("write a glob such as `tests/fixtures/**` or `*.lock`")
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

/// A spinner with files and bytes on a terminal; warnings on stderr.
struct Spinner {
    bar: Option<indicatif::ProgressBar>,
    bytes: std::sync::atomic::AtomicU64,
}

impl Spinner {
    fn new(global: &Global) -> Self {
        use std::io::IsTerminal;
        let bar = (!global.quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} scanning: {pos} files, {msg} [{elapsed}]",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(100));
            bar
        });
        Self {
            bar,
            bytes: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Spinner {
    fn scanned(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            let total = self
                .bytes
                .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed)
                + bytes;
            bar.inc(1);
            bar.set_message(format!("{} MB", total / 1_000_000));
        }
    }

    fn warn(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| ui::warning(message)),
            None => ui::warning(message),
        }
    }
}

pub(crate) fn run(global: &Global, args: &ScanArgs) -> anyhow::Result<Exit> {
    let opts = Options { pii: args.pii };
    let Some(scanner) = setup(global, opts)? else {
        return Ok(Exit::Usage);
    };
    if args.list_rules {
        return Ok(list_rules(global, scanner.rules()));
    }
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let started = Instant::now();
    if args.staged || args.history {
        let spinner = Spinner::new(global);
        let scanned = if args.history {
            commits(args).and_then(|c| scanner.history(&c, &spinner))
        } else {
            scanner.staged(&spinner)
        };
        spinner.finish();
        let report = match scanned {
            Err(e @ ScanError::NotARepository) => {
                return Err(with_hint(e, "run it inside a git repository"))
            }
            Err(e @ ScanError::Commits(_)) => {
                return Err(with_hint(
                    e,
                    "pass revisions and ranges such as `main..HEAD`, or `--since=DATE`, `--no-merges`, `--first-parent`",
                ))
            }
            scanned => scanned?,
        };
        return finish(global, args, &scanner, report, started);
    }
    for root in &roots {
        if !root.exists() {
            anyhow::bail!("`{}` does not exist", root.display());
        }
    }
    let spinner = Spinner::new(global);
    let report = scanner.tree(&roots, &spinner);
    spinner.finish();
    finish(global, args, &scanner, report, started)
}

/// The commits `--log-opts` and `--since-commit` choose.
fn commits(args: &ScanArgs) -> Result<Commits, ScanError> {
    let mut commits = match &args.log_opts {
        Some(text) => Commits::from_log_opts(text)?,
        None => Commits::head(),
    };
    if let Some(rev) = &args.since_commit {
        commits = commits.since(rev)?;
    }
    Ok(commits)
}

/// Applies the baseline (or rewrites it), prints the findings in the chosen
/// format; the exit status says whether there were any.
fn finish(
    global: &Global,
    args: &ScanArgs,
    scanner: &Scanner,
    report: Report,
    started: Instant,
) -> anyhow::Result<Exit> {
    let Report {
        mut findings,
        files,
        bytes,
    } = report;
    if let Some(b) = &args.baseline {
        if args.update_baseline {
            baseline::write(b, &findings)?;
            ui::info(&format!(
                "wrote {} finding(s) to the baseline `{}`",
                findings.len(),
                b.display()
            ));
            return Ok(Exit::Ok);
        }
        let known = baseline::read(b)?;
        let suppressed = baseline::suppress(&mut findings, &known);
        if suppressed > 0 {
            ui::info(&format!(
                "{suppressed} finding(s) in the baseline not reported"
            ));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let format = if global.json {
        ScanFormat::Json
    } else {
        args.format
    };
    match format {
        ScanFormat::Json => crate::ui::outln!("{}", sink::json(&findings, files, bytes, seconds)),
        ScanFormat::Sarif => {
            // URIs relative to the top of the repository, whatever
            // directory was scanned; git scans name files from there.
            let base = scanner.base();
            let root = rampart_scan::repository_root(base).unwrap_or_else(|| base.to_path_buf());
            let from = if args.staged || args.history {
                root.as_path()
            } else {
                base
            };
            let paths = sink::SarifPaths { root: &root, from };
            crate::ui::outln!("{}", sink::sarif(scanner.rules(), &findings, paths));
        }
        ScanFormat::Text => {
            crate::ui::out!("{}", sink::text(&findings));
            let unit = if args.history { "commit(s)" } else { "file(s)" };
            ui::info(&format!(
                "{} finding(s) in {files} {unit}, {bytes} bytes, {seconds:.2}s",
                findings.len()
            ));
        }
    }
    Ok(match (findings.is_empty(), args.exit_code) {
        (true, _) | (false, 0) => Exit::Ok,
        (false, 1) => Exit::Problems,
        // `--exit-code N`, as gitleaks has it.
        (false, n) => Exit::Program(i32::from(n)),
    })
}
