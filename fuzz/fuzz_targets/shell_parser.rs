//! Any bytes as a shell script: parsing and the whole decision must not
//! panic or crash, and a script judged low risk must not write, reach the
//! network, or be opaque.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_policy::risk::{analyse, Context};
use rampart_policy::{decide, Action, Config, HostEnv, Risk};

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else { return };
    let _ = rampart_policy::shell::parse_script(script);
    let ctx = Context { workspace: "/w".as_ref(), cwd: "/w".as_ref(), home: Some("/home/u".as_ref()), overrides: &[], user_homes: None };
    let a = analyse(&["bash".into(), "-lc".into(), script.to_owned()], ctx);
    if a.risk() == Risk::Low {
        assert!(a.writes.is_empty() && a.hosts.is_empty() && a.opaque.is_empty(), "low risk but {a:?}");
    }
    let cfg = Config::defaults(&HostEnv::default());
    let d = decide(&cfg, &Action::Exec { argv: vec!["sh".into(), "-c".into(), script.to_owned()], cwd: "/w".into() });
    assert!(!d.reasons.is_empty());
});
