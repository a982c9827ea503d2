//! The agent-command corpus (every `tests/corpus/*.txt`: `commands.txt`,
//! `inline.txt`, …): each command's expected risk and its verdict under
//! each approval policy. Every mismatch is reported, not only the first.
#![allow(missing_docs, clippy::expect_used, clippy::panic, reason = "test")]

use rampart_policy::{decide, Action, ApprovalPolicy, Config, HostEnv, Risk, Verdict};

const POLICIES: [ApprovalPolicy; 4] = [
    ApprovalPolicy::Untrusted,
    ApprovalPolicy::OnRequest,
    ApprovalPolicy::OnFailure,
    ApprovalPolicy::Never,
];

/// One corpus line.
pub struct Case {
    pub file: String,
    pub line: usize,
    pub argv: Vec<String>,
    pub risk: Risk,
    pub verdicts: [Verdict; 4],
}

/// Every `*.txt` file in `tests/corpus`, sorted by name, with its text.
fn corpus_files() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading `{}`: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("reading `{}`: {e}", p.display()));
            (name, text)
        })
        .collect();
    files.sort();
    assert!(
        files.iter().any(|(n, _)| n == "commands.txt"),
        "tests/corpus/commands.txt is missing"
    );
    files
}

/// The adversarial corpus alone (commands written the way an attacker
/// would, with controls); [`cases`] checks it with the rest.
pub fn adversarial() -> Vec<Case> {
    cases()
        .into_iter()
        .filter(|c| c.file == "adversarial.txt")
        .collect()
}

pub fn cases() -> Vec<Case> {
    corpus_files()
        .iter()
        .flat_map(|(file, text)| cases_in(file, text))
        .collect()
}

fn cases_in(file: &str, text: &str) -> Vec<Case> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            let (direct, l) = match l.strip_prefix("exec:") {
                Some(rest) => (true, rest),
                None => (false, l),
            };
            let mut it = l.splitn(3, ' ');
            let risk: Risk = it
                .next()
                .expect("risk")
                .parse()
                .unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
            let codes = it.next().expect("verdicts");
            let script = it.next().expect("script");
            let verdicts: Vec<Verdict> = codes
                .chars()
                .map(|c| match c {
                    'a' => Verdict::Allow,
                    'q' => Verdict::Ask,
                    'd' => Verdict::Deny,
                    other => panic!("{file}:{}: bad verdict code `{other}`", i + 1),
                })
                .collect();
            let argv = if direct {
                script.split_whitespace().map(str::to_owned).collect()
            } else {
                vec!["bash".to_owned(), "-lc".to_owned(), script.to_owned()]
            };
            Case {
                file: file.to_owned(),
                line: i + 1,
                argv,
                risk,
                verdicts: verdicts
                    .try_into()
                    .unwrap_or_else(|_| panic!("{file}:{}: four verdicts", i + 1)),
            }
        })
        .collect()
}

fn config(policy: ApprovalPolicy) -> Config {
    let mut c = Config::defaults(&HostEnv {
        home: Some("/home/dev".into()),
        xdg_state_home: None,
    });
    c.approval_policy = policy;
    c
}

#[test]
fn corpus_has_at_least_300_commands() {
    assert!(cases().len() >= 300, "{} cases", cases().len());
}

#[test]
fn adversarial_corpus_has_at_least_300_commands() {
    let n = adversarial().len();
    assert!(n >= 300, "{n} adversarial cases");
}

#[test]
fn every_command_gets_its_expected_risk_and_verdicts() {
    check(cases());
}

fn check(cases: Vec<Case>) {
    let configs: Vec<Config> = POLICIES.iter().map(|p| config(*p)).collect();
    let mut failures = Vec::new();
    for case in cases {
        let action = Action::Exec {
            argv: case.argv.clone(),
            cwd: "/work/proj".into(),
        };
        for (i, cfg) in configs.iter().enumerate() {
            let d = decide(cfg, &action);
            let want = case.verdicts[i];
            if d.risk != case.risk || d.verdict != want {
                failures.push(format!(
                    "{}:{}: {:?} under {}: got {} {} ({}), want {} {}",
                    case.file,
                    case.line,
                    case.argv.last().map_or("", String::as_str),
                    POLICIES[i],
                    d.risk,
                    d.verdict,
                    d.reasons.join("; "),
                    case.risk,
                    want
                ));
            }
            assert!(
                !d.reasons.is_empty(),
                "{}:{}: a verdict without reasons",
                case.file,
                case.line
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn inline_corpus_has_at_least_80_commands() {
    let n = cases().iter().filter(|c| c.file == "inline.txt").count();
    assert!(n >= 80, "tests/corpus/inline.txt has {n} cases");
}
