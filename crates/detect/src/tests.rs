//! Every built-in rule finds a fake generated from its own template; hard
//! negatives find nothing; redaction keeps lines and survives any split.

use super::*;
use crate::fake::{expand_or_panic as expand, pem_block, Gen, B64, BASE62};

fn all() -> RuleSet {
    RuleSet::builtin().expect("built-in rules compile")
}

#[test]
fn builtin_rules_compile_and_cover_120_credential_types() {
    let rules = all();
    let secrets = rules
        .rules()
        .iter()
        .filter(|r| r.spec.kind == Kind::Secret)
        .count();
    assert!(secrets >= 120, "{secrets} secret rules");
    for r in rules.rules() {
        assert!(
            r.spec.sample.is_some(),
            "rule `{}` has no sample",
            r.spec.id
        );
    }
}

#[test]
fn every_rule_finds_a_fake_made_from_its_template() {
    let rules = all();
    let mut g = Gen::seeded();
    let seed = g.0;
    let mut misses = Vec::new();
    for r in rules.rules() {
        let template = r.spec.sample.as_deref().unwrap_or_default();
        let mut value = expand(&mut g, template);
        while is_placeholder(value.as_bytes()) {
            value = expand(&mut g, template);
        }
        let context = r.spec.context.as_deref().unwrap_or("value = \"$SECRET\"");
        let text = format!(
            "// config\n{}\nnext_line = 1\n",
            context.replace("$SECRET", &value)
        );
        let found = rules.find(text.as_bytes(), Options { pii: true });
        let hit = found.iter().find(|m| m.rule_id == r.spec.id);
        match hit {
            Some(m)
                if text.get(m.start..m.end) == Some(value.as_str())
                    || text[m.start..m.end].contains(&value) => {}
            Some(m) => misses.push(format!(
                "{}: span `{}` is not the planted value",
                r.spec.id,
                &text[m.start..m.end]
            )),
            None => misses.push(format!(
                "{}: not found in {text:?} (found {:?})",
                r.spec.id,
                found.iter().map(|m| &m.rule_id).collect::<Vec<_>>()
            )),
        }
    }
    assert!(
        misses.is_empty(),
        "seed {seed}: {} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn hard_negatives_are_not_secrets() {
    let rules = all();
    let mut g = Gen::seeded();
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        g.pick(b"0123456789abcdef", 8),
        g.pick(b"0123456789abcdef", 4),
        g.pick(b"0123456789abcdef", 4),
        g.pick(b"0123456789abcdef", 4),
        g.pick(b"0123456789abcdef", 12)
    );
    let sha = g.pick(b"0123456789abcdef", 64);
    let commit = g.pick(b"0123456789abcdef", 40);
    let integrity = format!("sha512-{}==", g.pick(B64, 86));
    let bad_gh = format!("ghp_{}", g.pick(BASE62, 36));
    let cases = [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE".to_owned(),
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_owned(),
        "OPENAI_API_KEY=sk-...".to_owned(),
        "api_key = \"YOUR_API_KEY\"".to_owned(),
        "token: <token>".to_owned(),
        "password = \"${DB_PASSWORD}\"".to_owned(),
        "secret = os.getenv(\"APP_SECRET\")".to_owned(),
        "const apiKey = process.env.API_KEY;".to_owned(),
        "api_key = \"xxxxxxxxxxxxxxxxxxxxxxxx\"".to_owned(),
        "DATABASE_URL=postgres://user:password@localhost:5432/db".to_owned(),
        format!("request_id = \"{uuid}\""),
        format!("checksum = \"sha256:{sha}\""),
        format!("commit {commit}"),
        format!("\"integrity\": \"{integrity}\""),
        format!("token = {bad_gh}"),
        "password_hint = \"see the wiki\"".to_owned(),
        "let token_count = tokens.len();".to_owned(),
        "# the secret sauce is documented in README.md".to_owned(),
        "-----BEGIN PUBLIC KEY-----".to_owned(),
        "api_key = \"abc123\"  # rampart:allow".to_owned(),
        format!(
            "token = \"{}\"  # pragma: allowlist secret",
            expand(&mut g, "ghp_{Aa:30}{ghcrc}")
        ),
        format!(
            "token = \"{}\" // gitleaks:allow",
            expand(&mut g, "ghp_{Aa:30}{ghcrc}")
        ),
    ];
    for c in &cases {
        let found: Vec<&str> = rules
            .find(c.as_bytes(), Options::default())
            .iter()
            .map(|m| m.rule_id.as_str())
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .leak()
            .iter()
            .map(String::as_str)
            .collect();
        assert!(found.is_empty(), "false positive {found:?} in {c:?}");
    }
    // PII negatives: versions, localhost, hashes.
    for c in [
        "version 1.2.3.4",
        "listening on 127.0.0.1:8080",
        "requires python>=3.11.2",
        "ts 12:30:45",
    ] {
        let found = rules.find(c.as_bytes(), Options { pii: true });
        assert!(found.is_empty(), "false positive {found:?} in {c:?}");
    }
}

#[test]
fn pii_only_when_asked() {
    let rules = all();
    let text = b"mail jane.doe@corp-mail.com card 4111 1111 1111 1111";
    assert!(rules.find(text, Options::default()).is_empty());
    let ids: Vec<String> = rules
        .find(text, Options { pii: true })
        .into_iter()
        .map(|m| m.rule_id)
        .collect();
    assert_eq!(ids, ["pii-email", "pii-credit-card"]);
}

#[test]
fn redaction_keeps_lines_and_never_echoes_the_secret() {
    let rules = all();
    let mut g = Gen::seeded();
    let key = pem_block(&mut g, "RSA PRIVATE KEY", false);
    let token = expand(&mut g, "ghp_{Aa:30}{ghcrc}");
    let text = format!("a\n{key}\ntoken={token}\nend\n");
    let out = String::from_utf8(rules.redact(text.as_bytes(), Options::default())).unwrap();
    assert_eq!(out.lines().count(), text.lines().count());
    assert!(!out.contains(&token) && !out.contains(&key[40..80]));
    assert!(out.contains("[REDACTED:github-pat]") && out.contains("[REDACTED:rsa-private-key]"));
}

#[test]
fn a_secret_split_across_reads_is_still_masked() {
    let rules = all();
    let mut g = Gen::seeded();
    let token = expand(&mut g, "ghp_{Aa:30}{ghcrc}");
    let key = pem_block(&mut g, "OPENSSH PRIVATE KEY", false);
    let text = format!("line one\nexport GITHUB_TOKEN={token}\n{key}\nlast line\n");
    for cut in 1..text.len() {
        let mut r = StreamRedactor::new(&rules, Options::default());
        let mut out = r.feed(&text.as_bytes()[..cut]);
        out.extend(r.feed(&text.as_bytes()[cut..]));
        out.extend(r.finish());
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains(&token), "cut at {cut} leaked the token");
        assert!(!out.contains(&key[40..100]), "cut at {cut} leaked the key");
        assert_eq!(out.lines().count(), text.lines().count(), "cut at {cut}");
    }
}

#[test]
fn a_found_secret_is_masked_everywhere_even_later_in_a_stream() {
    let rules = all();
    let text = b"url = postgres://app:Zq8vLm2Rt5Wx9Kp3@db/app\nlater the bare value Zq8vLm2Rt5Wx9Kp3 shows up\n";
    let out = String::from_utf8(rules.redact(text, Options::default())).unwrap();
    assert!(!out.contains("Zq8vLm2Rt5Wx9Kp3"), "{out}");
    let mut s = StreamRedactor::new(&rules, Options::default());
    let mut out = s.feed(b"url = postgres://app:Zq8vLm2Rt5Wx9Kp3@db/app\n");
    out.extend(s.feed(b"echo Zq8vLm2Rt5Wx9Kp3\n"));
    out.extend(s.finish());
    assert_eq!(String::from_utf8(out).unwrap(), "url = postgres://app:[REDACTED:postgres-url-password]@db/app\necho [REDACTED:postgres-url-password]\n");
}

#[test]
fn previews_show_at_most_a_quarter_and_four_characters() {
    assert_eq!(preview(b"ghp_abcdefghijklmnop"), "ghp_********");
    assert_eq!(preview(b"abc"), "********");
    let p = preview(b"0123456789");
    assert_eq!(p, "01********");
    assert_ne!(fingerprint("r", b"a"), fingerprint("r", b"b"));
    assert_eq!(fingerprint("r", b"a").len(), 32);
}

#[test]
fn accuracy_on_the_generated_corpus_is_at_least_0_98() {
    let rules = all();
    let seed = Gen::seeded().0;
    let corpus = crate::corpus::generate(&rules, seed, 3, false).expect("corpus");
    let mut findings = Vec::new();
    for (path, text) in &corpus.files {
        let bytes = text.as_bytes();
        for m in rules.find(bytes, Options::default()) {
            let line = crate::corpus::line_of(bytes, m.start);
            findings.push((path.clone(), line));
        }
    }
    let s = crate::corpus::score(&corpus, &findings);
    let missed: Vec<String> = corpus
        .planted
        .iter()
        .filter(|p| {
            !findings
                .iter()
                .any(|(f, l)| *f == p.path && (p.line..=p.end_line).contains(l))
        })
        .map(|p| format!("{}:{} {}", p.path, p.line, p.rule_id))
        .collect();
    let wrong: Vec<String> = findings
        .iter()
        .filter(|(f, l)| {
            !corpus
                .planted
                .iter()
                .any(|p| p.path == *f && (p.line..=p.end_line).contains(l))
        })
        .map(|(f, l)| {
            let text = &corpus.files.iter().find(|(p, _)| p == f).unwrap().1;
            format!("{f}:{l}: {}", text.lines().nth(l - 1).unwrap_or(""))
        })
        .collect();
    assert!(
        corpus.planted.len() >= 360 && corpus.negatives >= 700,
        "{} planted, {} negatives",
        corpus.planted.len(),
        corpus.negatives
    );
    assert!(
        s.recall >= 0.98 && s.precision >= 0.98,
        "seed {seed}: {s:?}\nmissed:\n{}\nfalse positives:\n{}",
        missed.join("\n"),
        wrong.join("\n")
    );
}

#[test]
fn corpus_scoring_counts_each_plant_once_and_each_wrong_line_once() {
    use crate::corpus::{line_of, score, Corpus, Planted};
    assert_eq!(
        (line_of(b"a", 0), line_of(b"a\nb", 2), line_of(b"a\n", 9)),
        (1, 2, 2)
    );
    let plant = |path: &str, line, end_line| Planted {
        path: path.into(),
        line,
        end_line,
        rule_id: "r".into(),
    };
    let corpus = Corpus {
        files: Vec::new(),
        planted: vec![plant("a", 3, 3), plant("a", 10, 14), plant("b", 1, 1)],
        negatives: 0,
    };
    let f = |p: &str, l| (p.to_owned(), l);
    // Two hits inside the block count once; b:1 is missed; a:4 twice is one FP.
    let s = score(
        &corpus,
        &[
            f("a", 3),
            f("a", 11),
            f("a", 14),
            f("a", 4),
            f("a", 4),
            f("b", 2),
        ],
    );
    assert_eq!(
        (s.true_positives, s.false_positives, s.false_negatives),
        (2, 2, 1)
    );
    assert!((s.recall - 2.0 / 3.0).abs() < 1e-9 && (s.precision - 0.5).abs() < 1e-9);
}

/// What an attacker can put inside a secret without changing what a
/// terminal or a model reads.
const SEPARATORS: &[&str] = &[
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[1;32;40m",
    "\x1b]0;title\x07",
    "\x1b(B",
    "\u{200b}",
    "\u{200c}",
    "\u{200d}",
    "\u{2060}",
    "\u{feff}",
    "\u{ad}",
    "\n",
    "\r\n",
];

/// The secret with `seps` inserted at `cuts` (positions inside it).
fn spliced(secret: &str, cuts: &[(usize, usize)]) -> String {
    let mut cuts: Vec<(usize, usize)> = cuts
        .iter()
        .map(|(at, s)| (1 + at % (secret.len() - 1), s % SEPARATORS.len()))
        .collect();
    cuts.sort_unstable();
    let mut out = String::new();
    let mut last = 0;
    for (at, s) in cuts {
        out.push_str(&secret[last..at]);
        out.push_str(SEPARATORS[s]);
        last = at;
    }
    out.push_str(&secret[last..]);
    out
}

/// `text` as a reader sees it: separators gone, lines joined.
fn as_read(text: &[u8]) -> String {
    String::from_utf8_lossy(&crate::normalise::strip(text, true).text).into_owned()
}

#[test]
fn separators_inside_a_secret_do_not_hide_it() {
    let rules = all();
    let mut g = Gen::seeded();
    for template in [
        "ghp_{Aa:30}{ghcrc}",
        "AKIA{b32:16}",
        "xoxb-{d:12}-{d:12}-{Aa:24}",
    ] {
        let secret = expand(&mut g, template);
        for (i, sep) in SEPARATORS.iter().enumerate() {
            let hidden = spliced(secret.as_str(), &[(5 + i, i), (11, i)]);
            let text = format!("out: {hidden} done\n");
            let _ = sep;
            let out = rules.redact(text.as_bytes(), Options::default());
            assert!(
                !as_read(&out).contains(&secret),
                "separator {sep:?} let {template} through: {}",
                String::from_utf8_lossy(&out)
            );
            assert!(String::from_utf8_lossy(&out).contains("[REDACTED:"));
            // The same through a stream, cut anywhere.
            for cut in [3, text.len() / 2, text.len() - 3] {
                let mut s = StreamRedactor::new(&rules, Options::default());
                let mut out = s.feed(&text.as_bytes()[..cut]);
                out.extend(s.feed(&text.as_bytes()[cut..]));
                out.extend(s.finish());
                assert!(
                    !as_read(&out).contains(&secret),
                    "stream cut at {cut}, {sep:?}"
                );
            }
        }
    }
    // A separator that ends the secret's word is still a boundary.
    let secret = expand(&mut g, "ghp_{Aa:30}{ghcrc}");
    let text = format!("t {secret}\u{200b}more\n");
    let out = rules.redact(text.as_bytes(), Options::default());
    assert!(!String::from_utf8_lossy(&out).contains(&secret));
    // Control: ordinary coloured output and line structure survive.
    let plain = "\x1b[32mok\x1b[0m: 3 tests\nzero\u{200b}width\n";
    assert_eq!(
        rules.redact(plain.as_bytes(), Options::default()),
        plain.as_bytes()
    );
}

#[test]
fn a_secret_across_the_output_cap_shows_no_part_of_it() {
    let rules = all();
    let mut g = Gen::seeded();
    let secret = expand(&mut g, "ghp_{Aa:30}{ghcrc}");
    let text = format!("build log line\ntoken={secret} and more text after it\n");
    let start = text.find(&secret).unwrap();
    for cap in start..=start + secret.len() + 1 {
        // The whole text is there (look-ahead past the cap).
        let out = rules.redact_capped(text.as_bytes(), cap, true, Options::default());
        let shown = String::from_utf8_lossy(&out);
        // Without look-ahead (only the kept bytes).
        let out2 = rules.redact_capped(&text.as_bytes()[..cap], cap, true, Options::default());
        let shown2 = String::from_utf8_lossy(&out2);
        for w in secret.as_bytes()[4..].windows(6) {
            let w = std::str::from_utf8(w).unwrap();
            assert!(!shown.contains(w), "cap {cap} showed `{w}`: {shown}");
            assert!(
                !shown2.contains(w),
                "cap {cap} without look-ahead showed `{w}`: {shown2}"
            );
        }
        assert!(shown.starts_with("build log line\n"), "control: {shown}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn inserting_separators_never_lets_a_secret_through(
        seed in proptest::prelude::any::<u64>(),
        cuts in proptest::collection::vec((0usize..64, 0usize..64), 1..6),
        which in 0usize..3,
    ) {
        let rules = all();
        let mut g = Gen::with_seed(seed);
        let template = ["ghp_{Aa:30}{ghcrc}", "AKIA{b32:16}", "xoxb-{d:12}-{d:12}-{Aa:24}"][which];
        let secret = expand(&mut g, template);
        let text = format!("result: {}\nnext\n", spliced(&secret, &cuts));
        let out = rules.redact(text.as_bytes(), Options::default());
        proptest::prop_assert!(!as_read(&out).contains(&secret), "{:?}", String::from_utf8_lossy(&out));
    }
}

#[test]
fn a_key_block_whose_body_holds_a_placeholder_word_is_still_masked() {
    // Seed 184 makes a body with `xXxX` in it: that is not a placeholder.
    let rules = all();
    for seed in [184, 1, 2, 3] {
        let mut g = Gen::with_seed(seed);
        let key = pem_block(&mut g, "RSA PRIVATE KEY", false);
        let out = String::from_utf8(rules.redact(key.as_bytes(), Options::default())).unwrap();
        assert!(!out.contains(&key[40..80]), "seed {seed}: {out}");
    }
}
