use std::fs;

use rampart_detect::fake::{expand, Gen};
use rampart_detect::{Options, RuleSet};

use super::*;

fn scanner(base: &Path, exclude: &[&str]) -> Scanner {
    Scanner::new(
        RuleSet::builtin().unwrap(),
        &exclude.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        base.to_path_buf(),
        Options::default(),
    )
    .unwrap()
}

fn token() -> String {
    expand(&mut Gen(7), "ghp_{Aa:30}{ghcrc}").unwrap()
}

#[test]
fn a_tree_scan_finds_places_and_excludes() {
    let t = tempfile::tempdir().unwrap();
    let base = t.path();
    fs::create_dir_all(base.join("src")).unwrap();
    fs::create_dir_all(base.join("fixtures")).unwrap();
    fs::write(
        base.join("src/a.txt"),
        format!("one\n  t = \"{}\"\n", token()),
    )
    .unwrap();
    fs::write(base.join("fixtures/b.txt"), token()).unwrap();
    fs::write(base.join("bin.dat"), [0u8, 1, 2]).unwrap();
    let report = scanner(base, &["fixtures/**"]).tree(&[base.to_path_buf()], &Quiet);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.path, base.join("src/a.txt"));
    assert_eq!((f.line, f.column), (2, 8));
    assert_eq!(f.redacted, format!("{}********", &token()[..4]));
    assert_eq!(report.files, 2);
}

#[test]
fn a_bad_exclusion_names_the_glob() {
    let e = Scanner::new(
        RuleSet::builtin().unwrap(),
        &["src/[".to_owned()],
        PathBuf::from("."),
        Options::default(),
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("`src/[`"), "{e}");
}

#[test]
fn baseline_round_trip_suppresses_known_findings() {
    let t = tempfile::tempdir().unwrap();
    let base = t.path();
    fs::write(base.join("a.txt"), token()).unwrap();
    let report = scanner(base, &[]).tree(&[base.to_path_buf()], &Quiet);
    let file = base.join("baseline.json");
    baseline::write(&file, &report.findings).unwrap();
    let text = fs::read_to_string(&file).unwrap();
    assert!(!text.contains(&token()), "the baseline holds no secret");
    let known = baseline::read(&file).unwrap();
    let mut findings = report.findings.clone();
    assert_eq!(baseline::suppress(&mut findings, &known), 1);
    assert!(findings.is_empty());
    fs::write(&file, "[]").unwrap();
    let e = baseline::read(&file).unwrap_err();
    assert!(e.to_string().contains("has no `findings` list"), "{e}");
}

/// What GitHub code scanning needs of a rule, and the result's level.
fn assert_code_scanning_rule(rule: &serde_json::Value, r: &serde_json::Value) {
    assert_eq!(rule["id"], r["ruleId"]);
    assert_eq!(r["level"], rule["defaultConfiguration"]["level"], "{r}");
    for key in ["fullDescription", "shortDescription"] {
        assert!(!rule[key]["text"].as_str().unwrap().is_empty(), "{key}");
    }
    assert!(rule["help"]["text"].is_string() && rule["help"]["markdown"].is_string());
    let tags = rule["properties"]["tags"].as_array().unwrap();
    assert!(tags.contains(&"security".into()), "{tags:?}");
    let sev: f64 = rule["properties"]["security-severity"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.0..=10.0).contains(&sev));
    assert!(rule["properties"]["precision"].is_string());
}

#[test]
fn sinks_carry_the_same_findings() {
    let t = tempfile::tempdir().unwrap();
    let base = t.path();
    fs::create_dir(base.join("a dir")).unwrap();
    fs::write(base.join("a dir/ü.txt"), token()).unwrap();
    fs::write(base.join("people.txt"), "mail jane.doe@corp-mail.com\n").unwrap();
    let s = Scanner::new(
        RuleSet::builtin().unwrap(),
        &[],
        base.to_path_buf(),
        Options { pii: true },
    )
    .unwrap();
    let report = s.tree(&[base.to_path_buf()], &Quiet);
    assert_eq!(report.findings.len(), 2, "{:?}", report.findings);
    let json = sink::json(&report.findings, report.files, report.bytes, 0.0);
    assert_eq!(json["findings"][0]["line"], 1);
    assert!(json["findings"][0].get("commit").is_none());
    assert!(sink::text(&report.findings).contains(":1:1: "));

    // Scanned from a subdirectory of the root: URIs still start at the root.
    let sub = base.join("a dir");
    let rel: Vec<Finding> = report
        .findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.path = Path::new("..").join(f.path.strip_prefix(base).unwrap());
            f
        })
        .collect();
    let paths = sink::SarifPaths {
        root: base,
        from: &sub,
    };
    let sarif = sink::sarif(s.rules(), &rel, paths);
    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    let root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root_uri.starts_with("file:///") && root_uri.ends_with('/'),
        "{root_uri}"
    );
    let results = run["results"].as_array().unwrap();
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let mut uris = Vec::new();
    for r in results {
        let rule = &rules[usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap()];
        assert_code_scanning_rule(rule, r);
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        uris.push((
            r["ruleId"].as_str().unwrap().to_owned(),
            r["level"].clone(),
            loc["uri"].clone(),
        ));
        assert!(r.get("properties").is_none(), "no commit in a tree scan");
    }
    uris.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        uris,
        [
            (
                "github-pat".to_owned(),
                "error".into(),
                "a%20dir/%C3%BC.txt".into()
            ),
            (
                "pii-email".to_owned(),
                "warning".into(),
                "people.txt".into()
            ),
        ]
    );
    // History findings carry their commit.
    let mut f = report.findings[0].clone();
    f.commit = Some("0123456789abcdef0123456789abcdef01234567".into());
    let sarif = sink::sarif(
        s.rules(),
        &[f],
        sink::SarifPaths {
            root: base,
            from: base,
        },
    );
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(
        r["properties"]["commit"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(
        r["partialFingerprints"]["commitSha"],
        r["properties"]["commit"]
    );
}

fn tok(seed: u64) -> String {
    expand(&mut Gen(seed), "ghp_{Aa:30}{ghcrc}").unwrap()
}

/// Runs git in `dir` with a fixed identity; stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let o = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success() || args.first() == Some(&"merge"),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

fn commit_all(dir: &Path, msg: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

/// Where each planted token was reported: (commit, path, line).
fn places(report: &Report, token: &str) -> Vec<(String, String, usize)> {
    let fp = fingerprint("github-pat", token.as_bytes());
    report
        .findings
        .iter()
        .filter(|f| f.fingerprint == fp)
        .map(|f| {
            (
                f.commit.clone().unwrap_or_default(),
                f.path.to_string_lossy().into_owned(),
                f.line,
            )
        })
        .collect()
}

#[test]
fn history_finds_every_committed_secret_once_with_its_commit() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    git(d, &["init", "-q"]);
    fs::write(d.join("README"), "hello\n").unwrap();
    commit_all(d, "root");

    // A non-ASCII path (git quotes it in `log -p` unless told not to).
    fs::create_dir(d.join("señor")).unwrap();
    fs::write(d.join("señor/clé ü.txt"), format!("k = {}\n", tok(1))).unwrap();
    let c_utf8 = commit_all(d, "utf8 path");

    // Lines that look like diff structure.
    let tricky = format!(
        "intro\n++x = {}\n+++ y {}\n--- z {}\ndiff --git a/q b/q\n@@ -1 +1 @@\n",
        tok(2),
        tok(3),
        tok(4)
    );
    fs::write(d.join("tricky.txt"), tricky).unwrap();
    // A binary blob full of diff-like text, beside a text file.
    let mut bin = b"\0\x01\n+++ b/evil\n@@ -0,0 +1 @@\n+".to_vec();
    bin.extend_from_slice(tok(9).as_bytes());
    fs::write(d.join("blob.bin"), bin).unwrap();
    let c_tricky = commit_all(d, "tricky lines and a binary file");

    // A secret in a file deleted later.
    fs::write(d.join("gone.env"), format!("T={}\n", tok(5))).unwrap();
    let c_gone = commit_all(d, "leak");
    fs::remove_file(d.join("gone.env")).unwrap();
    commit_all(d, "delete the leak");

    // A rename keeps the secret's first commit; a rename with an edit
    // that adds one is credited with it.
    git(d, &["mv", "tricky.txt", "moved.txt"]);
    commit_all(d, "pure rename");
    git(d, &["mv", "moved.txt", "moved2.txt"]);
    let mut moved = fs::read_to_string(d.join("moved2.txt")).unwrap();
    moved = format!("{moved}new = {}\n", tok(6));
    fs::write(d.join("moved2.txt"), moved).unwrap();
    let c_rename = commit_all(d, "rename and edit");

    // A side branch's secret is credited to its commit, not the merge; a
    // secret written while resolving the merge is credited to the merge.
    git(d, &["checkout", "-qb", "side"]);
    fs::write(d.join("side.txt"), format!("s = {}\n", tok(7))).unwrap();
    fs::write(d.join("both.txt"), "side\n").unwrap();
    let c_side = commit_all(d, "side");
    git(d, &["checkout", "-q", "main"]);
    fs::write(d.join("both.txt"), "main\n").unwrap();
    commit_all(d, "main");
    git(d, &["merge", "-q", "--no-edit", "side"]);
    fs::write(d.join("both.txt"), format!("resolved {}\n", tok(8))).unwrap();
    let c_merge = commit_all(d, "merge");

    let report = scanner(d, &[]).history(&Commits::head(), &Quiet).unwrap();
    let s = |x: &str| x.to_owned();
    assert_eq!(
        places(&report, &tok(1)),
        [(c_utf8, s("señor/clé ü.txt"), 1)]
    );
    assert_eq!(
        places(&report, &tok(2)),
        [(c_tricky.clone(), s("tricky.txt"), 2)]
    );
    assert_eq!(
        places(&report, &tok(3)),
        [(c_tricky.clone(), s("tricky.txt"), 3)]
    );
    assert_eq!(places(&report, &tok(4)), [(c_tricky, s("tricky.txt"), 4)]);
    assert_eq!(places(&report, &tok(5)), [(c_gone, s("gone.env"), 1)]);
    assert_eq!(places(&report, &tok(6)), [(c_rename, s("moved2.txt"), 7)]);
    assert_eq!(places(&report, &tok(7)), [(c_side, s("side.txt"), 1)]);
    assert_eq!(places(&report, &tok(8)), [(c_merge, s("both.txt"), 1)]);
    // Binary blobs are counted, not searched, as in tree scans.
    assert_eq!(places(&report, &tok(9)), []);
    assert_eq!(report.findings.len(), 8, "{:#?}", report.findings);
    assert_eq!(report.files, 10, "commits");

    // A range: only what came after the rename.
    let since = Commits::head()
        .since(&git(d, &["rev-parse", "HEAD~3"]))
        .unwrap();
    let report = scanner(d, &[]).history(&since, &Quiet).unwrap();
    let mut rules: Vec<_> = report.findings.iter().map(|f| f.path.clone()).collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            PathBuf::from("both.txt"),
            PathBuf::from("moved2.txt"),
            PathBuf::from("side.txt")
        ]
    );
    // A revision that does not exist is an error, not a clean scan.
    let bad = Commits::head().since("no-such-rev").unwrap();
    assert!(scanner(d, &[]).history(&bad, &Quiet).is_err());
}

#[test]
fn staged_reads_odd_paths_from_the_index() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    git(d, &["init", "-q"]);
    fs::write(d.join("tab\there ü.env"), format!("T={}\n", tok(11))).unwrap();
    git(d, &["add", "-A"]);
    fs::write(d.join("tab\there ü.env"), "T=\n").unwrap();
    let report = scanner(d, &[]).staged(&Quiet).unwrap();
    assert_eq!(
        places(&report, &tok(11)),
        [(String::new(), "tab\there ü.env".to_owned(), 1)]
    );
    assert_eq!(report.files, 1);
}

#[test]
fn pragma_allowlist_nextline_allows_only_the_next_line() {
    let t = tempfile::tempdir().unwrap();
    let base = t.path();
    let text = format!(
        "# pragma: allowlist nextline secret\na = \"{}\"\nb = \"{}\"\nc = \"{}\"  # pragma: allowlist secret\n\
         # PRAGMA: Allowlist Nextline Secret\n\nd = \"{}\"\n",
        tok(21),
        tok(22),
        tok(23),
        tok(24)
    );
    fs::write(base.join("f.py"), text).unwrap();
    let report = scanner(base, &[]).tree(&[base.to_path_buf()], &Quiet);
    let lines: Vec<usize> = report.findings.iter().map(|f| f.line).collect();
    // Line 2 is allowed by line 1, line 4 by its own comment; line 3 is
    // not allowed, nor is line 7 (the pragma is two lines up).
    assert_eq!(lines, [3, 7], "{:?}", report.findings);
}
