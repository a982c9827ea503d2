//! Secret and PII detection and redaction: bytes in, findings out.
//!
//! One engine serves `rampart scan` (files, staged changes, history),
//! `rampart redact` and every place rampart shows or records text. Rules
//! are data ([`RuleSet::builtin`] reads `rules/builtin.toml`); users add
//! rules and disable built-in ones by id.
//!
//! ```
//! use rampart_detect::{Options, RuleSet};
//! let rules = RuleSet::builtin().unwrap();
//! let text = b"db = postgres://app:Zq8vLm2Rt5Wx9Kp3@db.internal/app";
//! let found = rules.find(text, Options::default());
//! assert_eq!(found[0].rule_id, "postgres-url-password");
//! assert_eq!(&text[found[0].start..found[0].end], b"Zq8vLm2Rt5Wx9Kp3");
//! let masked = rules.redact(text, Options::default());
//! assert!(!String::from_utf8_lossy(&masked).contains("Zq8vLm2Rt5Wx9Kp3"));
//! ```
//!
//! # How it is fast
//!
//! One Aho-Corasick pass over every rule's keywords finds the few places
//! where a rule's own regex must run; the regex then runs on that line only
//! (on the block, for multi-line rules such as PEM keys). Rules without
//! keywords (some PII) run over the whole text, and only when asked for.
//!
//! # Security model
//!
//! Nothing here logs or prints: callers get spans and build previews with
//! [`preview`], which never shows more than a quarter of a secret (at most
//! four characters). Known example values and placeholders are never
//! findings; a line containing `rampart:allow` (or detect-secrets'
//! `pragma: allowlist secret`, or `gitleaks:allow`) is skipped.
//!
//! # Limitations
//!
//! Detection is lexical: a secret assembled at run time, or encoded, is not
//! seen. Entropy floors trade recall on low-entropy passwords for
//! precision.
//!
//! # Test strategy
//!
//! Every built-in rule carries a `sample` template; tests generate a
//! format-correct fake from it at run time (nothing real is stored), plant
//! it in its context and require the rule to fire, and run the whole set
//! over hard negatives (example keys, placeholders, hashes, UUIDs).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

// Generators of fake credentials and of the labelled corpus: for tests and
// benchmarks only, never in the shipped binary.
#[cfg(any(test, feature = "testgen"))]
pub mod corpus;
#[cfg(any(test, feature = "testgen"))]
pub mod fake;
mod normalise;
pub use normalise::is_invisible;
mod redact;
mod rules;
mod validate;

use std::collections::HashSet;
use std::fmt::Write as _;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use sha2::{Digest, Sha256};

pub use redact::StreamRedactor;
pub use rules::{parse_rules, Confidence, Kind, Rule, RuleSpec, RulesError};
pub use validate::base62;

/// The built-in rules file.
pub const BUILTIN_RULES: &str = include_str!("../rules/builtin.toml");

/// What to look for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Also personal data (off: secrets only).
    pub pii: bool,
}

/// One match: a rule and the byte span of the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The rule's id.
    pub rule_id: String,
    /// Secret or PII.
    pub kind: Kind,
    /// How sure.
    pub confidence: Confidence,
    /// Start of the secret (bytes).
    pub start: usize,
    /// End of the secret (bytes, exclusive).
    pub end: usize,
}

/// A compiled rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    ac: AhoCorasick,
    /// For each keyword pattern, the rules it triggers.
    by_pattern: Vec<Vec<usize>>,
    /// Rules with no keyword.
    unanchored: Vec<usize>,
    /// Values that are never findings (whole-match patterns from config).
    allowed: Option<regex::bytes::RegexSet>,
}

/// Marks a span that a structured rule rejected (see `run_rule`).
const VETO: usize = usize::MAX;

/// Largest window (bytes) a multi-line rule looks at after its keyword.
const MULTILINE_WINDOW: usize = 64 * 1024;
/// Longest stretch of a single line a rule looks at around its keyword.
const LINE_WINDOW: usize = 4 * 1024;

impl RuleSet {
    /// The built-in rules.
    pub fn builtin() -> Result<Self, RulesError> {
        Self::compile(parse_rules(BUILTIN_RULES, "built-in")?, true)
    }

    /// The built-in rules plus `extra`, without the ids in `disabled`.
    /// An extra rule with a built-in id replaces it; disabling an id that
    /// no rule has is an error (a typo must not pass for a change).
    pub fn builtin_with(extra: Vec<RuleSpec>, disabled: &[String]) -> Result<Self, RulesError> {
        let mut specs = parse_rules(BUILTIN_RULES, "built-in")?;
        let extra_ids: HashSet<String> = extra.iter().map(|e| e.id.clone()).collect();
        for e in extra {
            specs.retain(|s| s.id != e.id);
            specs.push(e);
        }
        if let Some(unknown) = disabled.iter().find(|d| !specs.iter().any(|s| s.id == **d)) {
            return Err(RulesError::UnknownId(unknown.clone()));
        }
        specs.retain(|s| !disabled.contains(&s.id));
        Self::build(specs, |s| !extra_ids.contains(&s.id))
    }

    /// This set, where a match whose whole text matches one of `patterns`
    /// (regular expressions) is never a finding: fixtures and known test
    /// values listed in config.
    pub fn with_allowed(mut self, patterns: &[String]) -> Result<Self, RulesError> {
        if patterns.is_empty() {
            self.allowed = None;
            return Ok(self);
        }
        for p in patterns {
            check_allow_pattern(p)?;
        }
        let set = regex::bytes::RegexSetBuilder::new(patterns.iter().map(|p| format!("^(?:{p})$")))
            .size_limit(1 << 24)
            .build()
            .map_err(|e| RulesError::Allow {
                pattern: patterns.join(" | "),
                message: e.to_string(),
            })?;
        self.allowed = Some(set);
        Ok(self)
    }

    /// Compiles `specs` (every pattern now, so that errors show).
    pub fn new(specs: Vec<RuleSpec>) -> Result<Self, RulesError> {
        Self::build(specs, |_| false)
    }

    fn compile(specs: Vec<RuleSpec>, lazy: bool) -> Result<Self, RulesError> {
        Self::build(specs, |_| lazy)
    }

    fn build(specs: Vec<RuleSpec>, lazy: impl Fn(&RuleSpec) -> bool) -> Result<Self, RulesError> {
        let mut seen = HashSet::new();
        let mut rules = Vec::with_capacity(specs.len());
        for s in specs {
            if !seen.insert(s.id.clone()) {
                return Err(RulesError::Duplicate(s.id));
            }
            let l = lazy(&s);
            rules.push(rules::compile(s, l)?);
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut by_pattern: Vec<Vec<usize>> = Vec::new();
        let mut unanchored = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.spec.keywords.is_empty() {
                unanchored.push(i);
            }
            for k in &r.spec.keywords {
                if let Some(p) = patterns.iter().position(|p| p == k) {
                    by_pattern[p].push(i);
                } else {
                    patterns.push(k.clone());
                    by_pattern.push(vec![i]);
                }
            }
        }
        // A DFA: one table lookup per byte. The overlapping search every
        // keyword needs cannot skip ahead with a prefilter, so the automaton
        // kind decides the speed (an NFA ran at half the rate).
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .map_err(|e| RulesError::Parse {
                origin: "keywords".into(),
                message: e.to_string(),
            })?;
        Ok(Self {
            rules,
            ac,
            by_pattern,
            unanchored,
            allowed: None,
        })
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every secret (and with `opts.pii`, PII) in `text`, ordered by start,
    /// overlaps resolved in favour of the more specific rule.
    pub fn find(&self, text: &[u8], opts: Options) -> Vec<Match> {
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        // The window each rule last ran on: keyword matches arrive in text
        // order, so a rule triggered twice on one line runs once.
        let mut last_window: Vec<usize> = vec![usize::MAX; self.rules.len()];
        for m in self.ac.find_overlapping_iter(text) {
            let Some(rule_ids) = self.by_pattern.get(m.pattern().as_usize()) else {
                continue;
            };
            for &ri in rule_ids {
                let Some(rule) = self.rules.get(ri) else {
                    continue;
                };
                if rule.spec.kind == Kind::Pii && !opts.pii {
                    continue;
                }
                let (ws, we) = window(text, m.start(), rule.spec.multiline);
                if let Some(last) = last_window.get_mut(ri) {
                    if *last != ws {
                        *last = ws;
                        self.run_rule(ri, text, ws, we, &mut found);
                    }
                }
            }
        }
        if opts.pii {
            for &ri in &self.unanchored {
                let mut start = 0;
                while start < text.len() {
                    let end = memchr_newline(text, start).map_or(text.len(), |n| n + 1);
                    self.run_rule(ri, text, start, end, &mut found);
                    start = end;
                }
            }
        }
        self.resolve(found)
    }

    fn run_rule(
        &self,
        ri: usize,
        text: &[u8],
        ws: usize,
        we: usize,
        out: &mut Vec<(usize, usize, usize)>,
    ) {
        let Some(rule) = self.rules.get(ri) else {
            return;
        };
        let Some(hay) = text.get(ws..we) else { return };
        for caps in rule.regex().captures_iter(hay) {
            let Some(m) = (1..caps.len())
                .find_map(|g| caps.get(g))
                .or_else(|| caps.get(0))
            else {
                continue;
            };
            let (s, e) = (ws + m.start(), ws + m.end());
            let secret = text.get(s..e).unwrap_or_default();
            let (ls, le) = line_bounds(text, s);
            let line = text.get(ls..le).unwrap_or_default();
            if ALLOW_MARKERS.iter().any(|m| contains_ci(line, m))
                // A key block is validated by decoding it; its body is
                // random base64, which holds `xxxx`, `fake` or `12345678`
                // often enough that placeholder words would let real keys
                // through (about one in a thousand).
                || (!rule.spec.multiline && is_placeholder(secret))
                || self.allowed.as_ref().is_some_and(|a| a.is_match(secret))
            {
                continue;
            }
            if let Some(min) = rule.spec.min_entropy {
                if entropy(secret) < min {
                    continue;
                }
            }
            if let Some(v) = rule.validator {
                if !v.check(secret, line) {
                    // A structured format that fails its check is a
                    // look-alike: generic rules must not report it either.
                    out.push((s, e, VETO));
                    continue;
                }
            }
            out.push((s, e, ri));
        }
    }

    fn resolve(&self, mut found: Vec<(usize, usize, usize)>) -> Vec<Match> {
        let vetoed: Vec<(usize, usize)> = found
            .iter()
            .filter(|f| f.2 == VETO)
            .map(|f| (f.0, f.1))
            .collect();
        found.retain(|f| {
            f.2 != VETO
                && !(self.rules.get(f.2).is_some_and(|r| r.generic)
                    && vetoed.iter().any(|v| f.0 < v.1 && v.0 < f.1))
        });
        let rank = |ri: usize| {
            self.rules.get(ri).map_or((0, 0, 0), |r| {
                (
                    u8::from(r.spec.kind == Kind::Secret),
                    u8::from(!r.generic),
                    r.spec.confidence as u8,
                )
            })
        };
        // Most specific first, then longest.
        found.sort_by(|a, b| {
            rank(b.2)
                .cmp(&rank(a.2))
                .then((b.1 - b.0).cmp(&(a.1 - a.0)))
                .then(a.0.cmp(&b.0))
        });
        let mut kept: Vec<(usize, usize, usize)> = Vec::new();
        for f in found {
            if !kept.iter().any(|k| f.0 < k.1 && k.0 < f.1) {
                kept.push(f);
            }
        }
        kept.sort_by_key(|k| (k.0, k.1));
        kept.into_iter()
            .filter_map(|(start, end, ri)| {
                let r = self.rules.get(ri)?;
                Some(Match {
                    rule_id: r.spec.id.clone(),
                    kind: r.spec.kind,
                    confidence: r.spec.confidence,
                    start,
                    end,
                })
            })
            .collect()
    }

    /// `text` with every finding replaced by `[REDACTED:<rule>]`; newlines
    /// inside a finding are kept, so line numbers do not move. Every other
    /// occurrence of a found secret is masked too, context or not.
    ///
    /// Separators an attacker can insert into a secret (ANSI escape
    /// sequences, zero-width characters, soft hyphens, line breaks) do not
    /// hide it: the text is matched without them, and the original bytes,
    /// separators included, are masked.
    pub fn redact(&self, text: &[u8], opts: Options) -> Vec<u8> {
        self.redact_remembering(text, opts, &mut Known::default())
    }

    /// At most the first `cap` bytes of `text`, masked, where `text` is
    /// everything kept of a longer output (`truncated`): a secret that
    /// starts before the cap and ends after it is masked whole (give `text`
    /// some bytes past the cap to see it), and when the output was cut,
    /// the word the cut falls in is dropped, so no part of a secret that
    /// runs past what was kept is ever shown.
    pub fn redact_capped(
        &self,
        text: &[u8],
        cap: usize,
        truncated: bool,
        opts: Options,
    ) -> Vec<u8> {
        let mut known = Known::default();
        let spans = self.mask_spans(text, opts, &mut known);
        let mut upto = cap.min(text.len());
        let cut_inside = (truncated || upto < text.len())
            && upto > 0
            && text.get(upto).is_none_or(|b| !b.is_ascii_whitespace())
            && text.get(upto - 1).is_some_and(|b| !b.is_ascii_whitespace());
        if cut_inside && !spans.iter().any(|s| s.0 < upto && s.1 >= upto) {
            // The cut is inside a word: drop the word (it may be a secret's
            // first part).
            upto = text
                .get(..upto)
                .and_then(|t| t.iter().rposition(u8::is_ascii_whitespace))
                .map_or(0, |p| p + 1);
        }
        render(text, &spans, upto).0
    }

    /// [`RuleSet::redact`], also masking the secrets in `known` (found
    /// earlier, say in a stream) and adding this text's secrets to it.
    pub(crate) fn redact_remembering(
        &self,
        text: &[u8],
        opts: Options,
        known: &mut Known,
    ) -> Vec<u8> {
        let spans = self.mask_spans(text, opts, known);
        render(text, &spans, text.len()).0
    }

    /// The spans to mask in `text` (original offsets, sorted by start),
    /// found through inserted separators: once in the text without its
    /// invisible characters and escape sequences, once more with its lines
    /// joined (a secret printed in pieces), and wherever a secret found
    /// before appears again.
    pub(crate) fn mask_spans(
        &self,
        text: &[u8],
        opts: Options,
        known: &mut Known,
    ) -> Vec<(usize, usize, String)> {
        let mut spans: Vec<(usize, usize, String)> = Vec::new();
        let stripped = normalise::has_separator(text).then(|| normalise::strip(text, false));
        let view: &[u8] = stripped.as_ref().map_or(text, |s| &s.text);
        let to_original = |s: usize, e: usize| match &stripped {
            Some(st) => st.original(s, e),
            None => Some((s, e)),
        };
        for m in self.find(view, opts) {
            let Some((s, e)) = to_original(m.start, m.end) else {
                continue;
            };
            known.remember(view.get(m.start..m.end).unwrap_or_default(), &m.rule_id);
            spans.push((s, e, m.rule_id));
        }
        if stripped.is_some() {
            // A separator can also end a word: `SECRET\u{200b}more` is a
            // secret with a boundary as written, and none once stripped.
            for m in self.find(text, opts) {
                known.remember(text.get(m.start..m.end).unwrap_or_default(), &m.rule_id);
                spans.push((m.start, m.end, m.rule_id));
            }
        }
        let joined = joined_regions(text);
        for j in &joined {
            self.split_ends(text, j, opts, known, &mut spans);
        }
        if let Some((ac, secrets)) = known.automaton() {
            for m in ac.find_iter(view) {
                if let (Some((_, rule)), Some((s, e))) = (
                    secrets.get(m.pattern().as_usize()),
                    to_original(m.start(), m.end()),
                ) {
                    spans.push((s, e, rule.clone()));
                }
            }
            for j in &joined {
                for m in ac.find_iter(&j.text) {
                    if let (Some((_, rule)), Some((s, e))) = (
                        secrets.get(m.pattern().as_usize()),
                        j.original(m.start(), m.end()),
                    ) {
                        spans.push((s, e, rule.clone()));
                    }
                }
            }
        }
        spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        spans
    }
}

impl RuleSet {
    /// A secret printed in pieces, one per line: near each keyword whose
    /// word a line break cuts, the text is tried with its lines joined,
    /// ending at each line break that was removed (joined lines would glue
    /// the secret's last piece to the next line, and `…XYZ` + `next` makes
    /// no word boundary). Only such keywords are tried, so ordinary text
    /// costs one more keyword pass.
    fn split_ends(
        &self,
        text: &[u8],
        j: &normalise::Stripped,
        opts: Options,
        known: &mut Known,
        spans: &mut Vec<(usize, usize, String)>,
    ) {
        /// How far after a keyword a secret's pieces may end.
        const REACH: usize = 512;
        /// Context kept before a keyword.
        const BEFORE: usize = 32;
        /// Line ends tried per keyword.
        const TRIES: usize = 16;
        // Judged on the joined text, where separators are gone already.
        let joined_at = |orig: usize| j.map.partition_point(|&m| m < orig);
        let all_token = |from: usize, to: usize| {
            j.text
                .get(joined_at(from)..joined_at(to))
                .unwrap_or_default()
                .iter()
                .all(|b| token_byte(*b))
        };
        let line_end = |from: usize| {
            memchr::memchr(b'\n', text.get(from..).unwrap_or_default())
                .map_or(text.len(), |n| from + n)
        };
        let mut done_until = 0;
        let mut line: Option<(usize, usize, bool)> = None;
        // Any keyword will do to find the candidates: no overlaps needed.
        for hit in self.ac.find_iter(&j.text) {
            let p = hit.start();
            let Some(&orig) = j.map.get(p) else { continue };
            if orig < done_until {
                continue;
            }
            // Only a word that a line break cuts (from the keyword to the
            // end of its line, nothing but characters a secret is made
            // of), continued on the next line.
            // Per line, once: where its last run of secret characters
            // starts, and whether the next line goes on with one.
            let (mut end, run_start, goes_on) = match line {
                Some(l) if orig < l.0 => l,
                _ => {
                    let e = line_end(orig);
                    let je = joined_at(e);
                    let run = j
                        .text
                        .get(..je)
                        .unwrap_or_default()
                        .iter()
                        .rposition(|b| !token_byte(*b))
                        .map_or(0, |n| n + 1);
                    let l = (e, run, j.text.get(je).is_some_and(|b| token_byte(*b)));
                    line = Some(l);
                    l
                }
            };
            if !goes_on || p < run_start {
                continue;
            }
            done_until = end;
            let ws = p.saturating_sub(BEFORE);
            for _ in 0..TRIES {
                if end >= text.len() || end - orig > REACH {
                    break;
                }
                let next = line_end(end + 1);
                // The joined text up to the end of the next line.
                let upto = j.map.partition_point(|&m| m < next);
                if let Some(hay) = j.text.get(ws..upto.min(p + REACH)) {
                    for m in self.find(hay, opts) {
                        let Some((s, e)) = j.original(ws + m.start, ws + m.end) else {
                            continue;
                        };
                        if memchr::memchr2(b'\n', b'\r', text.get(s..e).unwrap_or_default())
                            .is_none()
                        {
                            continue;
                        }
                        known.remember(hay.get(m.start..m.end).unwrap_or_default(), &m.rule_id);
                        spans.push((s, e, m.rule_id));
                    }
                }
                // The secret goes on only through lines made of its
                // characters.
                if !all_token(end + 1, next) {
                    break;
                }
                end = next;
            }
        }
    }
}

/// The stretches of `text` where a word may run across a line end (a line
/// break with no space or punctuation on either side), each with the text
/// around it, lines joined; offsets in the map are `text`'s. Ordinary code
/// has few such places, so little is copied and matched twice.
fn joined_regions(text: &[u8]) -> Vec<normalise::Stripped> {
    /// Text kept around each such line break.
    const AROUND: usize = 640;
    let may_join = |b: u8| !b.is_ascii_whitespace() && !b";,{}()<>|&!?*#".contains(&b);
    let mut regions: Vec<(usize, usize)> = Vec::new();
    for n in memchr::memchr_iter(b'\n', text) {
        let before = text
            .get(..n)
            .and_then(|t| t.iter().rposition(|b| *b != b'\r'))
            .and_then(|p| text.get(p));
        if !before.is_some_and(|b| may_join(*b) && *b != b'\n')
            || !text.get(n + 1).is_some_and(|b| may_join(*b))
        {
            continue;
        }
        let (a, b) = (n.saturating_sub(AROUND), (n + 2 * AROUND).min(text.len()));
        match regions.last_mut() {
            Some(last) if a <= last.1 => last.1 = b,
            _ => regions.push((a, b)),
        }
    }
    regions
        .into_iter()
        .map(|(a, b)| {
            let mut j = normalise::strip(text.get(a..b).unwrap_or_default(), true);
            j.map.iter_mut().for_each(|m| *m += a);
            j
        })
        .collect()
}

/// A byte a secret (or its `name=` / `name:` prefix) can be made of; any
/// byte of a multi-byte character counts, as do separators' bytes.
fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || b"+/=_-.:~'\"\x1b[;".contains(&b)
        || b >= 0x80
        || b == 0x7f
        || (b < 0x20 && !b.is_ascii_whitespace())
}

/// `text[..upto]` with `spans` masked, where a span that starts before
/// `upto` is masked whole; returns the output and how much of `text` it
/// covers (`upto`, or the end of the span that crossed it).
pub(crate) fn render(
    text: &[u8],
    spans: &[(usize, usize, String)],
    upto: usize,
) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(upto);
    // Newlines inside a masked span are kept, so lines do not move.
    let keep_newlines = |out: &mut Vec<u8>, from: usize, to: usize| {
        let n = memchr::memchr_iter(b'\n', text.get(from..to).unwrap_or_default()).count();
        out.extend(std::iter::repeat_n(b'\n', n));
    };
    let mut at = 0;
    for (start, end, rule) in spans {
        let (start, end) = (*start, *end);
        if start >= upto.max(at) {
            break;
        }
        if start < at {
            // Overlaps a span already masked: mask what sticks out.
            if end > at {
                keep_newlines(&mut out, at, end);
                at = end;
            }
            continue;
        }
        out.extend_from_slice(text.get(at..start).unwrap_or_default());
        out.extend_from_slice(format!("[REDACTED:{rule}]").as_bytes());
        keep_newlines(&mut out, start, end);
        at = end;
    }
    if at < upto {
        out.extend_from_slice(text.get(at..upto).unwrap_or_default());
        at = upto;
    }
    (out, at)
}

/// Whether `pattern` is usable in [`RuleSet::with_allowed`]: a regular
/// expression that compiles when anchored to the whole value.
pub fn check_allow_pattern(pattern: &str) -> Result<(), RulesError> {
    regex::bytes::Regex::new(&format!("^(?:{pattern})$"))
        .map(drop)
        .map_err(|e| RulesError::Allow {
            pattern: pattern.to_owned(),
            message: e.to_string(),
        })
}

/// Secrets found earlier in a stream, masked wherever they appear again,
/// with the automaton that finds them (rebuilt only when one is added).
#[derive(Debug, Default)]
pub(crate) struct Known {
    secrets: Vec<(Vec<u8>, String)>,
    ac: Option<AhoCorasick>,
    built_for: usize,
}

impl Known {
    fn remember(&mut self, secret: &[u8], rule_id: &str) {
        if secret.len() >= MIN_REMEMBERED
            && self.secrets.len() < MAX_REMEMBERED
            && !self.secrets.iter().any(|(k, _)| k == secret)
        {
            self.secrets.push((secret.to_vec(), rule_id.to_owned()));
        }
    }

    #[expect(clippy::type_complexity, reason = "a pair of borrows, used once")]
    fn automaton(&mut self) -> Option<(&AhoCorasick, &[(Vec<u8>, String)])> {
        if self.secrets.is_empty() {
            return None;
        }
        if self.built_for != self.secrets.len() || self.ac.is_none() {
            self.ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(self.secrets.iter().map(|(k, _)| k))
                .ok();
            self.built_for = self.secrets.len();
        }
        Some((self.ac.as_ref()?, &self.secrets))
    }
}

/// Inline comments that mark a deliberate test value: rampart's own, and
/// those of detect-secrets and gitleaks, so that a codebase which already
/// marks its fixtures needs no edits.
const ALLOW_MARKERS: &[&[u8]] = &[
    b"rampart:allow",
    b"pragma: allowlist secret",
    b"gitleaks:allow",
];

/// Secrets shorter than this are not hunted for elsewhere (too many
/// accidental matches).
const MIN_REMEMBERED: usize = 8;
/// How many distinct secrets a redactor remembers.
const MAX_REMEMBERED: usize = 1024;

fn memchr_newline(text: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\n', text.get(from..)?).map(|p| from + p)
}

/// The line around `at`.
fn line_bounds(text: &[u8], at: usize) -> (usize, usize) {
    let start = text
        .get(..at)
        .and_then(|t| memchr::memrchr(b'\n', t))
        .map_or(0, |p| p + 1);
    let end = memchr_newline(text, at).unwrap_or(text.len());
    (start, end)
}

/// Where a rule triggered at `at` looks.
fn window(text: &[u8], at: usize, multiline: bool) -> (usize, usize) {
    let (ls, le) = line_bounds(text, at);
    let start = ls.max(at.saturating_sub(LINE_WINDOW));
    if multiline {
        (start, (at + MULTILINE_WINDOW).min(text.len()))
    } else {
        (start, le.min(at + LINE_WINDOW))
    }
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Shannon entropy in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in s {
        counts[*b as usize] += 1;
    }
    #[expect(clippy::cast_precision_loss, reason = "lengths far below 2^52")]
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / n;
            -p * p.log2()
        })
        .sum()
}

/// AWS's documented example keys and the placeholders people write.
const PLACEHOLDERS: &[&str] = &[
    "example",
    "your_",
    "your-",
    "yourkey",
    "xxxx",
    "changeme",
    "change_me",
    "placeholder",
    "dummy",
    "redacted",
    "insert",
    "replace",
    "sample",
    "<",
    ">",
    "${",
    "{{",
    "%s",
    "%(",
    "process.env",
    "getenv",
    "os.environ",
    "env(",
    "env.",
    "secrets.",
    "vault:",
    "******",
    "...",
    "…",
    "$(",
    "foobar",
    "notreal",
    "not-a-real",
    "fake",
    "test-key",
    "abcdefgh",
    "12345678",
    "password",
    "hunter2",
];

/// Whether a match is an example value or a placeholder rather than a secret.
pub fn is_placeholder(secret: &[u8]) -> bool {
    let s = String::from_utf8_lossy(secret).to_ascii_lowercase();
    if s == "akiaiosfodnn7example" || s.contains("wjalrxutnfemi/k7mdeng/bpxrficyexamplekey") {
        return true;
    }
    if PLACEHOLDERS.iter().any(|p| s.contains(p)) {
        return true;
    }
    let first = s.chars().next();
    s.chars().all(|c| Some(c) == first)
        || matches!(
            s.as_str(),
            "pass" | "passwd" | "secret" | "pwd" | "pw" | "admin" | "root" | "user"
        )
}

/// A preview that never shows the whole secret: at most a quarter of it,
/// and never more than four characters.
pub fn preview(secret: &[u8]) -> String {
    let s = String::from_utf8_lossy(secret);
    let shown = (s.chars().count() / 4).min(4);
    let head: String = s.chars().take(shown).collect();
    format!("{head}{}", "*".repeat(8))
}

/// A stable fingerprint of a finding for baselines: the rule and a hash of
/// the secret, never the secret.
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"rampart-fingerprint-v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(secret);
    h.finalize()
        .iter()
        .take(16)
        .fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests;
