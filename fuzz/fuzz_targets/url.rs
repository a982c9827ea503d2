//! Any text as a URL: the parser never panics, and a host it yields is in
//! the one normal spelling (lowercase, no trailing dot, stable when
//! normalised again) that an exact host pattern of it matches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_guard::host::{destination, normalise_host};
use rampart_policy::HostPattern;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(d) = destination(text) else { return };
    let host = d.host;
    assert!(!host.is_empty() && !host.ends_with('.'), "{text:?} gave {host:?}");
    assert!(!host.bytes().any(|b| b.is_ascii_uppercase()), "{text:?} gave {host:?}");
    assert_eq!(normalise_host(&host).as_deref(), Ok(host.as_str()), "{text:?}");
    // Hosts may hold `*`, `{` and the like (the WHATWG standard allows
    // them); a pattern holding them is a glob, so only plain hosts here.
    if host.len() <= 1000 && !host.contains(['*', '?', '[', ']', '{', '}', '\\']) {
        let p = HostPattern::new(&host).unwrap_or_else(|e| panic!("{host:?}: {e}"));
        assert!(p.matches(&host), "{host:?}");
    }
});
