//! Any bytes as inline interpreter code (the first byte picks the
//! language): the parsers and the analysis must not panic or hang, the
//! verdict is never below medium and never without a reason, anything
//! opaque is at least high, and the whole decision of `INTERPRETER -c CODE`
//! agrees.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_policy::inline::{analyse, code_in_argv, Lang};
use rampart_policy::risk::Context;
use rampart_policy::{decide, Action, Config, HostEnv, Risk};

const LANGS: [(Lang, &str, &str); 8] = [
    (Lang::Python, "python3", "-c"),
    (Lang::JavaScript, "node", "-e"),
    (Lang::Awk, "awk", "--"),
    (Lang::Vim, "vim", "-c"),
    (Lang::Perl, "perl", "-e"),
    (Lang::Ruby, "ruby", "-e"),
    (Lang::Php, "php", "-r"),
    (Lang::Lua, "lua", "-e"),
];

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let Ok(code) = std::str::from_utf8(rest) else { return };
    let (lang, program, flag) = LANGS[usize::from(*first) % LANGS.len()];
    let ctx = Context { workspace: "/w".as_ref(), cwd: "/w".as_ref(), home: Some("/home/u".as_ref()), overrides: &[], user_homes: None };
    let v = analyse(lang, code, ctx);
    assert!(v.risk >= Risk::Medium, "{v:?}");
    assert!(!v.reasons.is_empty(), "{v:?}");
    if !v.opaque.is_empty() {
        assert!(v.risk >= Risk::High, "opaque but {v:?}");
    }
    let argv: Vec<String> = vec![program.into(), flag.into(), code.into()];
    let found = code_in_argv(program, &argv[1..]);
    if lang != Lang::Vim {
        assert_eq!(found.as_ref().map(|f| f.0), Some(lang), "{argv:?}");
    }
    // Arbitrary argv shapes never panic either.
    let words: Vec<String> = code.split(' ').map(str::to_owned).collect();
    let _ = code_in_argv(program, &words);
    let cfg = Config::defaults(&HostEnv::default());
    let d = decide(&cfg, &Action::Exec { argv, cwd: "/w".into() });
    assert!(!d.reasons.is_empty());
    if lang != Lang::Vim && lang != Lang::Awk {
        assert!(d.risk >= v.risk, "decide {d:?} vs inline {v:?}");
    }
});
