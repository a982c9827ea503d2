//! Issue 14, secret scanning as gitleaks and detect-secrets users expect:
//! SARIF that code scanning places correctly, commit ranges whose
//! `git log` arguments cannot run or write anything, `--exit-code`, and
//! the detect-secrets next-line pragma (honoured by scans, never by
//! masking).

use std::path::Path;

use rampart_detect::fake::{expand, Gen};

use super::fixture::{stderr, stdout, World};

/// A GitHub token with a valid checksum, made now.
fn token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    #[expect(clippy::cast_possible_truncation, reason = "any seed will do")]
    let seed = nanos as u64 ^ u64::from(std::process::id()) << 40;
    expand(&mut Gen(seed), "ghp_{Aa:30}{ghcrc}").unwrap()
}

fn head(dir: &Path, rev: &str) -> String {
    let o = std::process::Command::new("git")
        .args(["rev-parse", rev])
        .current_dir(dir)
        .output()
        .unwrap();
    stdout(&o).trim().to_owned()
}

/// A repository with a clean first commit and a token added by the second.
fn repo(w: &World) -> String {
    let t = token();
    w.git(&w.ws, &["init", "-q"]);
    std::fs::create_dir(w.ws.join("src")).unwrap();
    std::fs::write(w.ws.join("src/app.py"), "x = 1\n").unwrap();
    w.git(&w.ws, &["add", "-A"]);
    w.git(&w.ws, &["commit", "-qm", "first"]);
    std::fs::write(
        w.ws.join("src/config.py"),
        format!("# settings\nGH = \"{t}\"\n"),
    )
    .unwrap();
    w.git(&w.ws, &["add", "-A"]);
    w.git(&w.ws, &["commit", "-qm", "leak"]);
    t
}

fn validate(w: &World, name: &str, sarif: &[u8]) {
    let Some(schema) = std::env::var_os("RAMPART_SARIF_SCHEMA") else {
        eprintln!("SKIP schema check: RAMPART_SARIF_SCHEMA is not set (scripts/test.sh sets it)");
        return;
    };
    let out = w.base.join(name);
    std::fs::write(&out, sarif).unwrap();
    let check = std::process::Command::new("python3")
        .args(["-c", "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))"])
        .arg(&out)
        .arg(&schema)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "SARIF does not validate: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn sarif_uris_start_at_the_repository_root_and_history_results_name_their_commit() {
    let w = World::new();
    let secret = repo(&w);
    let src = w.ws.join("src");
    for (args, name) in [
        (&["scan", "--format", "sarif", "."][..], "tree.sarif"),
        (
            &["scan", "--history", "--format", "sarif"][..],
            "history.sarif",
        ),
    ] {
        let o = w.cmd(args).current_dir(&src).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(!stdout(&o).contains(&secret), "a full secret was printed");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let run = &v["runs"][0];
        let root = url_of(&w.ws);
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], root.as_str());
        let result = &run["results"][0];
        let loc = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            (
                &loc["artifactLocation"]["uri"],
                &loc["artifactLocation"]["uriBaseId"]
            ),
            (&"src/config.py".into(), &"%SRCROOT%".into()),
            "{args:?}: scanned from src/, the URI must still start at the root"
        );
        assert_eq!(loc["region"]["startLine"], 2);
        let rule = &run["tool"]["driver"]["rules"]
            [usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap()];
        assert_eq!(rule["id"], "github-pat");
        assert_eq!(result["level"], rule["defaultConfiguration"]["level"]);
        assert_eq!(rule["properties"]["security-severity"], "8.0");
        assert_eq!(rule["properties"]["precision"], "high");
        assert!(rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&"security".into()));
        assert!(rule["fullDescription"]["text"].as_str().unwrap().len() > 20);
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("Revoke"));
        if name == "history.sarif" {
            let leak = head(&w.ws, "HEAD");
            assert_eq!(result["properties"]["commit"].as_str(), Some(leak.as_str()));
            assert_eq!(
                result["partialFingerprints"]["commitSha"].as_str(),
                Some(leak.as_str())
            );
        } else {
            assert!(result.get("properties").is_none());
        }
        validate(&w, name, &o.stdout);
    }
}

fn url_of(dir: &Path) -> String {
    let canonical = std::fs::canonicalize(dir).unwrap();
    format!("file://{}/", canonical.display())
}

#[test]
fn gate_bypassed_unless_log_opts_that_run_or_write_are_refused() {
    let w = World::new();
    repo(&w);
    let pwned = w.base.join("pwned");
    let hook = w.base.join("hook.sh");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch {}\n", pwned.display())).unwrap();
    let out = format!("--output={}", pwned.display());
    let order = format!("-O{}", pwned.display());
    let ext = format!("--ext-diff -c diff.external={}", hook.display());
    for opts in [
        out.as_str(),
        order.as_str(),
        ext.as_str(),
        "--textconv",
        "-p",
        "--format=%H",
        "--stdin",
        "HEAD --output=x",
    ] {
        let o = w.run(["scan", "--history", "--log-opts", opts]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "gate bypassed: `--log-opts {opts}` was accepted: {}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("--log-opts"), "{}", stderr(&o));
        assert!(
            !pwned.exists(),
            "gate bypassed: `--log-opts {opts}` wrote a file"
        );
    }
    let o = w.run(["scan", "--history", "--since-commit", &out]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "gate bypassed: --since-commit {out}"
    );
    assert!(!pwned.exists());
    // Controls: a range, and `--since-commit`, choose commits.
    let first = head(&w.ws, "HEAD~1");
    for (args, found) in [
        (vec!["--log-opts", "HEAD~1..HEAD"], 1),
        (
            vec!["--log-opts", "--no-merges --since=2000-01-01 -- src"],
            1,
        ),
        (vec!["--since-commit", first.as_str()], 1),
        (vec!["--since-commit", "HEAD"], 0),
        (vec!["--log-opts", "HEAD~1"], 0),
    ] {
        let mut a = vec!["scan", "--history", "--json"];
        a.extend(&args);
        let o = w.run(&a);
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim())
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stderr(&o)));
        assert_eq!(
            v["findings"].as_array().unwrap().len(),
            found,
            "{args:?}: {v}"
        );
        assert_eq!(o.status.code(), Some(i32::from(found > 0)), "{args:?}");
    }
    // A revision that does not exist is an error, never a clean scan.
    let o = w.run(["scan", "--history", "--since-commit", "no-such-branch"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn exit_code_n_is_the_status_when_something_is_found() {
    let w = World::new();
    let t = token();
    std::fs::write(w.ws.join("a.env"), format!("T={t}\n")).unwrap();
    assert_eq!(
        w.run(["scan", "--exit-code", "3", "."]).status.code(),
        Some(3)
    );
    let o = w.run(["scan", "--exit-code", "0", "--json", "."]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("github-pat"),
        "still reported: {}",
        stdout(&o)
    );
    assert_eq!(w.run(["scan", "."]).status.code(), Some(1), "default 1");
    std::fs::remove_file(w.ws.join("a.env")).unwrap();
    assert_eq!(
        w.run(["scan", "--exit-code", "3", "."]).status.code(),
        Some(0)
    );
    // An error stays 2, whatever N is.
    assert_eq!(
        w.run(["scan", "--exit-code", "0", "missing"]).status.code(),
        Some(2)
    );
}

#[test]
fn gate_bypassed_unless_a_nextline_pragma_never_unmasks_output() {
    let w = World::new();
    let t = token();
    let text = format!("# pragma: allowlist nextline secret\nT={t}\n");
    // Control: a scan honours it, as detect-secrets does.
    std::fs::write(w.ws.join("fixture.env"), &text).unwrap();
    assert_eq!(w.run(["scan", "."]).status.code(), Some(0));
    std::fs::write(w.ws.join("fixture.env"), format!("#\nT={t}\n")).unwrap();
    assert_eq!(w.run(["scan", "."]).status.code(), Some(1));
    // Masking does not: a program cannot print its way past it.
    let o = w.run_with_stdin(["redact"], text.as_bytes());
    assert_eq!(o.status.code(), Some(0));
    assert!(
        !stdout(&o).contains(&t),
        "gate bypassed: a nextline pragma unmasked a secret in output: {}",
        stdout(&o)
    );
}
