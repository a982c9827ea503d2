//! Issue 14, "the first hour": what a new user meets before they know
//! rampart (prompts, messages, install).

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::fixture::*;

/// An answer the approval prompt does not know is asked again, not taken
/// for a no (or a yes); the second, valid answer decides.
#[test]
fn an_unknown_answer_at_the_prompt_is_asked_again() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[[rules]]\ncommand = [\"touch\", \"asked\"]\ndecision = \"ask\"\nreason = \"first hour\"\n"
    ));
    let line = format!("{} exec -- touch asked; echo DONE", rampart_bin().display());
    let out = w.base.join("prompt.out");
    let mut child = w
        .like("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("util-linux `script` gives the prompt a terminal");
    let mut stdin = child.stdin.take().unwrap();
    let read = || std::fs::read_to_string(&out).unwrap_or_default();
    let wait_for = |what: &str| {
        let t = Instant::now();
        while !read().contains(what) {
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "`{what}` never came: `{}`",
                read()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("[y]es");
    stdin.write_all(b"maybe\n").unwrap();
    stdin.flush().unwrap();
    wait_for("is not an answer");
    assert!(
        !w.ws.join("asked").exists(),
        "an unknown answer must not approve"
    );
    stdin.write_all(b"y\n").unwrap();
    stdin.flush().unwrap();
    wait_for("DONE");
    let _ = child.wait();
    assert!(
        w.ws.join("asked").exists(),
        "the second answer (yes) must decide: {}",
        read()
    );
}

/// `doctor`'s closing hint names what is wrong: a config error is not
/// sent to look for items marked MISSING.
#[test]
fn doctors_hint_matches_its_findings() {
    let w = World::with_config(&format!("{BASE_CONFIG}sandbox_mode = \"sideways\"\n"));
    let o = w.run(["doctor", "--no-trial"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("hint: fix the config errors above"), "{err}");
    let missing = stdout(&o).contains("MISSING");
    assert_eq!(
        err.contains("items marked MISSING"),
        missing,
        "the MISSING hint must appear exactly when an item is marked MISSING: {err}"
    );
}

/// `git commit` failing on the read-only `.git` says how to allow commits;
/// with commits allowed it works (and says nothing).
#[test]
fn a_commit_refused_by_the_read_only_git_dir_hints_at_allow_git_writes() {
    let w = World::with_config(BASE_CONFIG);
    w.git(&w.ws, &["init", "-q"]);
    std::fs::write(w.ws.join("a.txt"), "a").unwrap();
    let commit = |extra: &[&str]| {
        let mut a = vec!["exec"];
        a.extend_from_slice(extra);
        a.extend([
            "--",
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-qam",
            "x",
        ]);
        w.run(&a)
    };
    w.git(&w.ws, &["add", "a.txt"]);
    let o = commit(&[]);
    assert!(
        !o.status.success(),
        "the commit must fail on the read-only .git"
    );
    assert!(
        stderr(&o)
            .contains("hint: `.git` is read-only inside the sandbox; `--allow-git-writes=commits`"),
        "{}",
        stderr(&o)
    );
    let o = commit(&["--allow-git-writes=commits"]);
    assert!(o.status.success(), "control: {}", stderr(&o));
    assert!(
        !stderr(&o).contains("read-only inside the sandbox"),
        "{}",
        stderr(&o)
    );
}

/// `rampart exec ls -la` says where the `--` goes.
#[test]
fn exec_without_the_separator_says_to_put_it_there() {
    let w = World::with_config(BASE_CONFIG);
    let o = w.run(["exec", "ls", "-la"]);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hint: put `--` before the command"),
        "{}",
        stderr(&o)
    );
}

/// `--timeout` and `--memory` take units; a bad one names the input and
/// the accepted forms.
#[test]
fn timeout_and_memory_take_units() {
    let w = World::with_config(BASE_CONFIG);
    let o = w.run(["exec", "--timeout", "10m", "--memory", "1G", "--", "true"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = w.run(["exec", "--timeout", "1s", "--", "sleep", "5"]);
    assert_eq!(o.status.code(), Some(124), "{}", stderr(&o));
    for (flag, bad, needle) in [
        ("--timeout", "10x", "`10x` is not a duration"),
        ("--memory", "4Q", "`4Q` is not a size"),
    ] {
        let o = w.run(["exec", flag, bad, "--", "true"]);
        assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
    }
}

/// Completions and the manual come from the same definition as `--help`.
#[test]
fn completions_and_the_manual_are_generated() {
    let w = World::with_config(BASE_CONFIG);
    for shell in ["bash", "zsh", "fish"] {
        let o = w.run(["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("exec") && stdout(&o).contains("--sandbox"),
            "{shell}"
        );
    }
    let o = w.run(["man"]);
    assert!(
        o.status.success() && stdout(&o).contains(".TH rampart 1"),
        "{}",
        stderr(&o)
    );
    let dir = w.base.join("man1");
    let o = w.run(["man", "--dir", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for page in [
        "rampart.1",
        "rampart-exec.1",
        "rampart-scan.1",
        "rampart-audit.1",
    ] {
        assert!(dir.join(page).exists(), "{page}");
    }
    assert!(
        !dir.join("rampart-sandbox-run.1").exists(),
        "sandbox-run is internal"
    );
}

/// A misspelt key names the nearest valid one; a missing file or an
/// undefined profile names the file, not a made-up `:1:1` position.
#[test]
fn config_mistakes_point_at_the_fix() {
    let w = World::with_config("sandbox_mod = \"read-only\"\n");
    let o = w.run(["check", "--", "ls"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hint: did you mean `sandbox_mode`?"),
        "{}",
        stderr(&o)
    );
    let w = World::with_config(BASE_CONFIG);
    let missing = w.base.join("nowhere.toml");
    let o = w.run(["--config", missing.to_str().unwrap(), "check", "--", "ls"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("(`{}`)", missing.display())) && !stderr(&o).contains(":1:1"),
        "{}",
        stderr(&o)
    );
    let o = w.run(["--profile", "nope", "check", "--", "ls"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("profile `nope` is not defined")
            && stderr(&o).contains("[profiles.nope]")
            && !stderr(&o).contains(":1:1"),
        "{}",
        stderr(&o)
    );
}
