//! Any bytes through the detection engine and the redactors: no panic, a
//! found secret never survives redaction, and streaming in two pieces masks
//! every finding (copies released before a secret was first found may remain).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rampart_detect::{Options, RuleSet, StreamRedactor};

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("built-in rules compile"))
}

fuzz_target!(|data: &[u8]| {
    let rules = rules();
    let opts = Options { pii: true };
    let found = rules.find(data, opts);
    let redacted = rules.redact(data, opts);
    for m in &found {
        let secret = &data[m.start..m.end];
        if secret.len() >= 12 && !secret.contains(&b'\n') {
            assert!(!redacted.windows(secret.len()).any(|w| w == secret), "{} survived redaction", m.rule_id);
        }
    }
    let cut = data.first().map_or(0, |b| usize::from(*b) % (data.len() + 1));
    let mut s = StreamRedactor::new(rules, opts);
    let mut out = s.feed(&data[..cut]);
    out.extend(s.feed(&data[cut..]));
    out.extend(s.finish());
    // A stream cannot take back what it already released: only copies of a
    // secret that came before its first finding may survive.
    let count = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).filter(|w| *w == needle).count();
    for m in &found {
        let secret = &data[m.start..m.end];
        if secret.len() >= 12 && !secret.contains(&b'\n') {
            let first = found.iter().filter(|o| &data[o.start..o.end] == secret).map(|o| o.start).min().unwrap_or(m.start);
            let earlier = count(&data[..first], secret);
            assert!(count(&out, secret) <= earlier, "{} survived stream redaction", m.rule_id);
        }
    }
});
