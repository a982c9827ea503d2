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

#[test]
fn sinks_carry_the_same_findings() {
    let t = tempfile::tempdir().unwrap();
    let base = t.path();
    fs::write(base.join("a.txt"), token()).unwrap();
    let s = scanner(base, &[]);
    let report = s.tree(&[base.to_path_buf()], &Quiet);
    let json = sink::json(&report.findings, report.files, report.bytes, 0.0);
    assert_eq!(json["findings"][0]["line"], 1);
    assert!(json["findings"][0].get("commit").is_none());
    let sarif = sink::sarif(s.rules(), &report.findings);
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        json["findings"][0]["rule_id"]
    );
    assert!(sink::text(&report.findings).contains(":1:1: "));
}
