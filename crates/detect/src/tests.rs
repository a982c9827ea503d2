//! Every built-in rule finds a fake generated from its own template; hard
//! negatives find nothing; redaction keeps lines and survives any split.

#![allow(clippy::cast_possible_truncation, reason = "test generator")]

use base64::Engine;

use super::*;

/// A small deterministic generator, seeded per run (printed on failure).
struct Gen(u64);

impl Gen {
    fn seeded() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64)
            | 1;
        Self(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick(&mut self, set: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(set[(self.next() % set.len() as u64) as usize]))
            .collect()
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() & 0xff) as u8).collect()
    }
}

const UPPER_NUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER_NUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64U: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn pem_block(g: &mut Gen, label: &str, escaped: bool) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(g.bytes(600));
    let nl = if escaped { "\\n" } else { "\n" };
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----{nl}{}{nl}-----END {label}-----",
        lines.join(nl)
    )
}

fn luhn_digit(partial: &[u32]) -> u32 {
    let sum: u32 = partial
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                *d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// Expands a rule's sample template.
fn expand(g: &mut Gen, template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("closed placeholder");
        let spec = &rest[open + 1..close];
        let (name, arg) = spec.split_once(':').unwrap_or((spec, ""));
        let n: usize = arg.parse().unwrap_or(0);
        let piece = match name {
            "A" => g.pick(UPPER_NUM, n),
            "a" => g.pick(LOWER_NUM, n),
            "Aa" => g.pick(BASE62, n),
            "hex" => g.pick(b"0123456789abcdef", n),
            "HEX" => g.pick(b"0123456789ABCDEF", n),
            "b32" => g.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n),
            "b64" => g.pick(B64, n),
            "b64u" => g.pick(B64U, n),
            "d" => g.pick(b"123456789", 1) + &g.pick(b"0123456789", n.saturating_sub(1)),
            "l" => g.pick(b"abcdefghijklmnopqrstuvwxyz", n),
            "U" => g.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", n),
            "bech" => g.pick(b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", n),
            "ghcrc" => {
                let random = &out[out.len() - 30..];
                base62(crc32fast::hash(random.as_bytes()), 6)
            }
            "jwt" => {
                let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
                format!(
                    "{}.{}.{}",
                    e(r#"{"alg":"HS256","typ":"JWT"}"#),
                    e(&format!(
                        r#"{{"sub":"{}","iat":1700000000}}"#,
                        g.pick(LOWER_NUM, 12)
                    )),
                    g.pick(B64U, 43)
                )
            }
            "pem" => pem_block(g, arg, false),
            "pemjson" => format!("{}\\n", pem_block(g, arg, true)),
            "basicauth" => base64::engine::general_purpose::STANDARD
                .encode(format!("deploy:{}", g.pick(BASE62, 20))),
            "card" => {
                let mut d: Vec<u32> = vec![4];
                for _ in 0..14 {
                    d.push((g.next() % 10) as u32);
                }
                let c = luhn_digit(&d);
                d.push(c);
                d.chunks(4)
                    .map(|c| {
                        c.iter()
                            .map(std::string::ToString::to_string)
                            .collect::<String>()
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "iban" => {
                let bban = format!("WEST{}", g.pick(b"0123456789", 14));
                (2..=98)
                    .map(|cd| format!("GB{cd:02}{bban}"))
                    .find(|i| crate::validate::iban(i))
                    .expect("some check digits fit")
            }
            "ssn" => format!(
                "{}-{:02}-{:04}",
                100 + g.next() % 500,
                1 + g.next() % 98,
                1 + g.next() % 9998
            ),
            other => panic!("unknown template `{other}`"),
        };
        out.push_str(&piece);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

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
