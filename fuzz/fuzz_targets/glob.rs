//! Any pattern against any input, as a path glob, an environment pattern
//! and a host pattern: compiling and matching never panic, an escaped
//! literal matches itself, environment patterns ignore ASCII case, and an
//! exact host pattern matches the host it names (whatever its spelling).
//! Bytes up to the first NUL are the pattern, the rest the input.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use rampart_guard::host::normalise_host;
use rampart_policy::{EnvPattern, HostPattern, PathGlob};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (pattern, input) = text.split_once('\0').unwrap_or((text, ""));
    if let Ok(p) = EnvPattern::new(pattern) {
        assert_eq!(p.matches(input), p.matches(&input.to_ascii_uppercase()), "{pattern:?} {input:?}");
        assert_eq!(p.matches(input), p.matches(&input.to_ascii_lowercase()), "{pattern:?} {input:?}");
    }
    if !input.trim().is_empty() {
        let escaped: String = input.chars().flat_map(|c| ['\\', c]).collect();
        if let Ok(lit) = EnvPattern::new(&escaped) {
            assert!(lit.matches(input), "escaped {input:?} does not match itself");
        }
    }
    if let Ok(g) = PathGlob::new(pattern, Some(Path::new("/home/u"))) {
        let _ = g.matches(&Path::new("/w").join(input), Path::new("/w"));
        let _ = g.matches(Path::new(input), Path::new("/w"));
        let _ = g.walk_root(Path::new("/w"));
    }
    if let Ok(h) = HostPattern::new(pattern) {
        let _ = h.matches(input);
        if let (Ok(a), Ok(b)) = (normalise_host(pattern.trim()), normalise_host(input)) {
            if a == b && !pattern.contains(['*', '?', '[', '{']) {
                assert!(h.matches(&b), "{pattern:?} does not match {b:?}");
            }
        }
    }
});
