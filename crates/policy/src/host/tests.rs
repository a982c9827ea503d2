use super::*;

#[test]
fn host_patterns() {
    let p = |s: &str| HostPattern::new(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    let sub = p("*.example.com");
    assert!(sub.matches("api.example.com") && sub.matches("a.b.example.com"));
    assert!(!sub.matches("example.com") && !sub.matches("example.com.evil.org"));
    assert!(!sub.matches("evilexample.com"));
    let alt = p("{api,www}.Example.com");
    assert!(alt.matches("api.example.com") && alt.matches("www.example.com"));
    assert!(!alt.matches("ftp.example.com"));
    let class = p("api[0-9].example.com");
    assert!(class.matches("api7.example.com") && !class.matches("apix.example.com"));
    // Exact patterns normalise as URLs do.
    assert!(p("Example.COM.").matches("example.com"));
    assert!(p("2852039166").matches("169.254.169.254"));
    assert!(p("[::ffff:169.254.169.254]").matches("169.254.169.254"));
    assert!(p("::1").matches("::1") && p("[::1]").matches("::1"));
    assert!(p("bücher.example").matches("xn--bcher-kva.example"));
    assert!(!p("example.com").matches("api.example.com"));
    assert!(p("*.Bücher.example.").matches("x.xn--bcher-kva.example"));
    assert_eq!(p(" *.Docs.rs ").as_str(), "*.docs.rs");
    for bad in [
        "",
        "  ",
        "*.bü*.example",
        "http://example.com",
        "example.com/x",
        "example.com:443",
        "[ab.example.com",
        "{a,b.example.com",
        "**.example.com",
        "a b.example.com",
        "1.2.3.4.5",
        &"a".repeat(1001),
    ] {
        assert!(HostPattern::new(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn an_allow_host_rule_must_hold_every_host_a_command_names() {
    use crate::{decide, Action, Config, HostEnv, Rule, RuleMatch, Verdict};
    let mut cfg = Config::defaults(&HostEnv::default());
    cfg.rules.push(Rule {
        matcher: RuleMatch::Host(HostPattern::new("good.example").unwrap()),
        decision: Verdict::Allow,
        reason: "t".into(),
        origin: "t:1".into(),
    });
    let curl = |args: &[&str]| Action::Exec {
        argv: std::iter::once("curl")
            .chain(args.iter().copied())
            .map(String::from)
            .collect(),
        cwd: "/w".into(),
    };
    assert_eq!(
        decide(&cfg, &curl(&["https://good.example/"])).verdict,
        Verdict::Allow,
        "control"
    );
    for attack in [
        &["https://good.example/", "https://evil.example/"][..],
        &["https://good.example\\@evil.example/"][..],
    ] {
        assert_ne!(
            decide(&cfg, &curl(attack)).verdict,
            Verdict::Allow,
            "gate bypassed: {attack:?} allowed by a rule for good.example"
        );
    }
}
