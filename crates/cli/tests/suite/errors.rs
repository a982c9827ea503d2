//! Errors at the edges: a file the user named that cannot be read or
//! written is reported once, as one `error:` line naming it (and a
//! `hint:` when there is a fix), with the exit status of the DESIGN table.

use std::process::Output;

use super::fixture::{stderr, stdout, World};

/// The `error:` lines of `o`'s stderr.
fn error_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(str::to_owned)
        .collect()
}

/// Exactly one `error:` line, naming `path` in backticks; exit `code`.
fn one_error_naming(o: &Output, path: &std::path::Path, code: i32) {
    let errors = error_lines(o);
    assert_eq!(errors.len(), 1, "one error line expected:\n{}", stderr(o));
    assert!(
        errors[0].contains(&format!("`{}`", path.display())),
        "the error does not name `{}`:\n{}",
        path.display(),
        stderr(o)
    );
    assert_eq!(o.status.code(), Some(code), "{}", stderr(o));
}

#[test]
fn an_unreadable_baseline_is_one_error_naming_it() {
    let w = World::new();
    // A directory where the baseline file should be: it exists, and
    // reading it fails.
    let baseline = w.ws.join("baseline-dir");
    std::fs::create_dir(&baseline).unwrap();
    let o = w.run(["scan", "--baseline", baseline.to_str().unwrap(), "."]);
    one_error_naming(&o, &baseline, 2);
    assert!(stdout(&o).is_empty(), "no findings printed: {}", stdout(&o));
}

#[test]
fn a_baseline_that_cannot_be_written_is_one_error_naming_it() {
    let w = World::new();
    let baseline = w.ws.join("missing-dir/baseline.json");
    let o = w.run([
        "scan",
        "--update-baseline",
        "--baseline",
        baseline.to_str().unwrap(),
        ".",
    ]);
    one_error_naming(&o, &baseline, 2);
    assert!(!baseline.exists());
}

#[test]
fn init_into_an_existing_file_names_it_and_hints_at_force() {
    let w = World::new();
    let out = w.ws.join("rampart-user.toml");
    std::fs::write(&out, "# mine\n").unwrap();
    let o = w.run(["init", "--output", out.to_str().unwrap()]);
    one_error_naming(&o, &out, 2);
    assert!(
        stderr(&o).contains("hint: pass --force"),
        "the fix is shown: {}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# mine\n");
}

#[test]
fn init_below_a_file_names_the_file_it_cannot_write() {
    let w = World::new();
    // The parent is a regular file: the config cannot be written there.
    let parent = w.ws.join("not-a-dir");
    std::fs::write(&parent, "x").unwrap();
    let out = parent.join("config.toml");
    let o = w.run(["init", "--output", out.to_str().unwrap()]);
    one_error_naming(&o, &out, 2);
}

#[test]
fn a_bad_time_is_one_usage_error() {
    let w = World::new();
    // A trail, so that the time is what is wrong.
    assert_eq!(w.run(["exec", "--", "true"]).status.code(), Some(0));
    let o = w.run(["audit", "query", "--since", "yesterday-ish"]);
    let errors = error_lines(&o);
    assert_eq!(errors.len(), 1, "{}", stderr(&o));
    assert!(errors[0].contains("`yesterday-ish`"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn exec_reports_its_own_errors_once_with_125() {
    let w = World::new();
    let missing = w.base.join("no-such-workspace");
    let o = w.run(["exec", "-C", missing.to_str().unwrap(), "--", "true"]);
    one_error_naming(&o, &missing, 125);
    assert!(stderr(&o).contains("hint:"), "{}", stderr(&o));
}

#[test]
fn redact_into_a_closed_pipe_is_a_quiet_success() {
    use std::io::Write as _;
    let w = World::new();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = w
        .cmd(["redact"])
        .stdin(std::process::Stdio::piped())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The reader is gone before the first write: the write fails with
    // EPIPE, which the reporter treats as the reader's wish.
    let _ = stdin.write_all(b"plain text\n");
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert!(error_lines(&o).is_empty(), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
