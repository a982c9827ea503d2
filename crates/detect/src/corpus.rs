//! A labeled accuracy corpus: realistic source and config files with
//! format-correct fake credentials of every built-in secret type planted
//! at known lines, among hard negatives (documented example keys,
//! placeholders, UUIDs, hashes, base64 data, lockfile integrity strings,
//! public keys, secret *references*, look-alikes that fail their format's
//! checksum). Values are generated from a seed when the corpus is made;
//! nothing is stored.
//!
//! Scoring is per line (every scanner reports lines): a finding on a
//! planted line (or inside a planted multi-line block) is a true positive,
//! once per planted secret; a finding anywhere else is a false positive.
//!
//! The planted values come from the rules' own `sample` templates, so the
//! corpus tests what the rules claim; the hard negatives and the variety
//! of files are what keep that honest.

use std::fmt::Write as _;

use crate::fake::{self, Gen, B64, BASE62, HEX, LOWER_NUM};
use crate::{is_placeholder, Kind, RuleSet};

/// One planted secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Planted {
    /// File, relative to the corpus root.
    pub path: String,
    /// First line (1-based).
    pub line: usize,
    /// Last line (the same as `line` unless the secret spans lines).
    pub end_line: usize,
    /// The rule whose type it is.
    pub rule_id: String,
}

/// The corpus: files and what is planted in them.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// `(relative path, contents)`.
    pub files: Vec<(String, String)>,
    /// The planted secrets.
    pub planted: Vec<Planted>,
    /// How many hard-negative lines were written.
    pub negatives: usize,
}

/// A file type: its extension and how it writes `name = value`.
#[derive(Clone, Copy)]
struct Lang {
    ext: &'static str,
    assign: fn(&str, &str) -> String,
    filler: &'static [&'static str],
}

const WORDS: &[&str] = &[
    "user", "order", "cache", "session", "invoice", "report", "queue", "worker", "config",
    "client", "payload", "request", "handler", "metrics", "account", "profile", "event",
];

const LANGS: &[Lang] = &[
    Lang {
        ext: "py",
        assign: |n, v| format!("{} = \"{v}\"", n.to_ascii_uppercase()),
        filler: &[
            "import {w}",
            "def handle_{w}(request):",
            "    return {w}_service.get(request.{w}_id)",
            "logger.info(\"{w} %s done\", {w}.id)",
            "class {W}Repository(BaseRepository):",
            "    timeout = 30",
        ],
    },
    Lang {
        ext: "js",
        assign: |n, v| format!("const {n} = '{v}';"),
        filler: &[
            "import {{ {w} }} from './{w}.js';",
            "export function load{W}(id) {{",
            "  return fetch(`/api/{w}/${{id}}`).then((r) => r.json());",
            "}}",
            "const {w}Count = items.filter(Boolean).length;",
        ],
    },
    Lang {
        ext: "go",
        assign: |n, v| format!("\t{n} := \"{v}\""),
        filler: &[
            "package {w}",
            "func New{W}(ctx context.Context) (*{W}, error) {{",
            "\tif err != nil {{ return nil, fmt.Errorf(\"{w}: %w\", err) }}",
            "\treturn &{W}{{}}, nil",
        ],
    },
    Lang {
        ext: "yaml",
        assign: |n, v| format!("  {n}: {v}"),
        filler: &[
            "{w}:",
            "  replicas: 3",
            "  image: registry.internal/{w}:1.4.2",
            "  port: 8080",
        ],
    },
    Lang {
        ext: "env",
        assign: |n, v| format!("{}={v}", n.to_ascii_uppercase()),
        filler: &[
            "{W}_HOST=localhost",
            "{W}_PORT=5432",
            "LOG_LEVEL=info",
            "# {w} settings",
        ],
    },
    Lang {
        ext: "json",
        assign: |n, v| format!("  \"{n}\": \"{v}\","),
        filler: &[
            "  \"{w}\": {{ \"enabled\": true, \"retries\": 3 }},",
            "  \"name\": \"{w}-service\",",
        ],
    },
    Lang {
        ext: "sh",
        assign: |n, v| format!("export {}=\"{v}\"", n.to_ascii_uppercase()),
        filler: &[
            "set -euo pipefail",
            "cd \"$(dirname \"$0\")/{w}\"",
            "echo \"building {w}\"",
            "make -j4 {w}",
        ],
    },
    Lang {
        ext: "toml",
        assign: |n, v| format!("{n} = \"{v}\""),
        filler: &["[{w}]", "enabled = true", "retries = 3", "name = \"{w}\""],
    },
    Lang {
        ext: "rs",
        assign: |n, v| format!("    let {n} = \"{v}\";"),
        filler: &[
            "use crate::{w}::{W};",
            "pub fn {w}_count(items: &[{W}]) -> usize {{",
            "    items.iter().filter(|i| i.active).count()",
            "}}",
        ],
    },
    Lang {
        ext: "Dockerfile",
        assign: |n, v| format!("ENV {}={v}", n.to_ascii_uppercase()),
        filler: &[
            "FROM debian:12-slim",
            "RUN apt-get update && apt-get install -y {w}",
            "WORKDIR /srv/{w}",
        ],
    },
];

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn filler(g: &mut Gen, lang: &Lang) -> String {
    let t = g.choose(lang.filler).copied().unwrap_or("");
    let w = g.choose(WORDS).copied().unwrap_or("item");
    t.replace("{W}", &capitalize(w))
        .replace("{w}", w)
        .replace("{{", "{")
        .replace("}}", "}")
}

/// A variable name a developer would give a credential of rule `id`.
fn var_name(g: &mut Gen, id: &str) -> String {
    let provider = id.split('-').next().unwrap_or("service");
    let suffix = g
        .choose(&["api_key", "token", "secret", "key", "access_token"])
        .copied()
        .unwrap_or("key");
    format!("{provider}_{suffix}")
}

/// A line (or block) that holds no secret but looks like one to a naive
/// scanner.
fn hard_negative(g: &mut Gen) -> String {
    let uuid = format!(
        "{}-{}-4{}-a{}-{}",
        g.pick(HEX, 8),
        g.pick(HEX, 4),
        g.pick(HEX, 3),
        g.pick(HEX, 3),
        g.pick(HEX, 12)
    );
    let n = g.below(24);
    match n {
        0 => "aws_access_key_id = AKIAIOSFODNN7EXAMPLE".into(),
        1 => "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        2 => "OPENAI_API_KEY=sk-...".into(),
        3 => "api_key = \"YOUR_API_KEY\"".into(),
        4 => "token: <token>".into(),
        5 => "password = \"${DB_PASSWORD}\"".into(),
        6 => "secret = os.getenv(\"APP_SECRET\")".into(),
        7 => "const apiKey = process.env.API_KEY;".into(),
        8 => format!("api_key = \"{}\"", "x".repeat(32)),
        9 => format!("request_id = \"{uuid}\""),
        10 => format!("checksum = \"{}\"", g.pick(HEX, 64)),
        11 => format!("  \"resolved\": \"https://registry.npmjs.org/{0}/-/{0}-1.2.3.tgz\",\n  \"integrity\": \"sha512-{1}==\"", g.choose(WORDS).copied().unwrap_or("x"), g.pick(B64, 86)),
        12 => format!("commit = \"{}\"", g.pick(HEX, 40)),
        13 => format!(
            "logo = \"data:image/png;base64,{}\"",
            g.pick(B64, 160)
        ),
        14 => {
            let body: Vec<String> = (0..5).map(|_| g.pick(B64, 64)).collect();
            format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----", body.join("\n"))
        }
        15 => format!(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} deploy@ci",
            g.pick(B64, 43)
        ),
        16 => "secret_name = \"prod/payments/db-password\"".into(),
        17 => "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}".into(),
        18 => format!("etag = \"W/\\\"{}\\\"\"", g.pick(HEX, 32)),
        19 => "let token_count = tokens.len();".into(),
        // A GitHub-shaped token whose checksum does not match.
        20 => format!("token = \"ghp_{}\"", g.pick(BASE62, 36)),
        21 => format!("nonce = \"{}\"", g.pick(LOWER_NUM, 24)),
        22 => format!(
            "source = \"git+https://github.com/org/{}?rev={}#{}\"",
            g.choose(WORDS).copied().unwrap_or("x"),
            g.pick(HEX, 7),
            g.pick(HEX, 40)
        ),
        _ => "password: changeme".into(),
    }
}

/// How a planted value sits in a file.
enum Placement {
    /// The rule's own context line (it carries the keyword the format needs).
    Context(String),
    /// `name = value` in the file's own syntax.
    Assign(String),
    /// In an HTTP header of a curl line.
    Bearer,
    /// As it is (a PEM block in a key file).
    Block,
}

/// Makes a corpus: `per_rule` planted values of every built-in secret type
/// (and, with `pii`, of every PII type), spread over files of ten kinds,
/// with about two hard negatives per planted value.
pub fn generate(rules: &RuleSet, seed: u64, per_rule: usize, pii: bool) -> Result<Corpus, String> {
    let mut g = Gen::with_seed(seed);
    let mut corpus = Corpus::default();
    // Files fill up round-robin; each holds a few planted values.
    let mut files: Vec<(Lang, Vec<String>)> = Vec::new();
    let mut planted_in: Vec<Vec<(usize, usize, String)>> = Vec::new();
    let mut slot = 0usize;
    for rule in rules.rules() {
        if rule.spec.kind == Kind::Pii && !pii {
            continue;
        }
        let Some(template) = rule.spec.sample.as_deref() else {
            continue;
        };
        for k in 0..per_rule {
            let mut value = fake::expand(&mut g, template)?;
            while is_placeholder(value.as_bytes()) {
                value = fake::expand(&mut g, template)?;
            }
            let prefixed = template.find('{').unwrap_or(0) >= 3;
            let placement = match (&rule.spec.context, k % 3) {
                (Some(c), _) => Placement::Context(c.clone()),
                (None, _) if template.starts_with("{pem:") => Placement::Block,
                (None, 2) if prefixed => Placement::Bearer,
                (None, _) => Placement::Assign(var_name(&mut g, &rule.spec.id)),
            };
            if slot.is_multiple_of(4) || files.is_empty() {
                let lang = LANGS
                    .get(files.len() % LANGS.len())
                    .copied()
                    .unwrap_or(LANGS[0]);
                files.push((lang, Vec::new()));
                planted_in.push(Vec::new());
            }
            slot += 1;
            let fi = files.len() - 1;
            let (lang, lines) = files.last_mut().ok_or("no file")?;
            for _ in 0..g.below(6) + 2 {
                let f = filler(&mut g, lang);
                lines.push(f);
            }
            for _ in 0..2 {
                let neg = hard_negative(&mut g);
                corpus.negatives += 1;
                lines.extend(neg.lines().map(str::to_owned));
                let f = filler(&mut g, lang);
                lines.push(f);
            }
            let text = match placement {
                Placement::Context(c) => c.replace("$SECRET", &value),
                Placement::Assign(name) => (lang.assign)(&name, &value),
                Placement::Block => value,
                Placement::Bearer => format!(
                    "curl -sS -H \"Authorization: Bearer {value}\" https://api.internal/v1/{}",
                    g.choose(WORDS).copied().unwrap_or("x")
                ),
            };
            let first = lines.len() + 1;
            lines.extend(text.lines().map(str::to_owned));
            let last = lines.len();
            if let Some(p) = planted_in.get_mut(fi) {
                p.push((first, last, rule.spec.id.clone()));
            }
        }
    }
    for (i, ((lang, lines), planted)) in files.into_iter().zip(planted_in).enumerate() {
        let dir = WORDS.get(i % WORDS.len()).copied().unwrap_or("src");
        let path = if lang.ext == "Dockerfile" {
            format!("{dir}/{i:04}/Dockerfile")
        } else if lang.ext == "env" {
            format!("{dir}/{i:04}/.env")
        } else {
            format!("{dir}/file_{i:04}.{}", lang.ext)
        };
        let mut text = String::new();
        for l in &lines {
            let _ = writeln!(text, "{l}");
        }
        for (line, end_line, rule_id) in planted {
            corpus.planted.push(Planted {
                path: path.clone(),
                line,
                end_line,
                rule_id,
            });
        }
        corpus.files.push((path, text));
    }
    Ok(corpus)
}

/// The 1-based line of byte offset `at` in `text`.
pub fn line_of(text: &[u8], at: usize) -> usize {
    text.get(..at)
        .unwrap_or(text)
        .split(|b| *b == b'\n')
        .count()
}

/// Recall and precision of `findings` (`(path, line)`) against `corpus`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Score {
    /// Planted secrets found.
    pub true_positives: usize,
    /// Findings on lines with nothing planted (distinct lines).
    pub false_positives: usize,
    /// Planted secrets missed.
    pub false_negatives: usize,
    /// TP / (TP + FN).
    pub recall: f64,
    /// TP / (TP + FP).
    pub precision: f64,
}

/// Scores findings given as `(path relative to the corpus root, line)`.
pub fn score(corpus: &Corpus, findings: &[(String, usize)]) -> Score {
    let mut hit = vec![false; corpus.planted.len()];
    let mut fp_lines: Vec<(&str, usize)> = Vec::new();
    for (path, line) in findings {
        let mut matched = false;
        for (i, p) in corpus.planted.iter().enumerate() {
            if p.path == *path && (p.line..=p.end_line).contains(line) {
                if let Some(h) = hit.get_mut(i) {
                    *h = true;
                }
                matched = true;
            }
        }
        if !matched && !fp_lines.contains(&(path.as_str(), *line)) {
            fp_lines.push((path, *line));
        }
    }
    let tp = hit.iter().filter(|h| **h).count();
    let fn_ = hit.len() - tp;
    let fp = fp_lines.len();
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Score {
        true_positives: tp,
        false_positives: fp,
        false_negatives: fn_,
        recall: ratio(tp, tp + fn_),
        precision: ratio(tp, tp + fp),
    }
}
