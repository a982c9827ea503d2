//! Red team 13b: a file tool's read, listing or write is judged no less
//! strictly than the same access by a sandboxed command. A path rule on a
//! directory covers what is beneath it, rampart's state directory is never
//! read, and a credential file read directly is judged as `cat` of it.
#![allow(clippy::unwrap_used, reason = "test")]

use std::path::{Path, PathBuf};

use rampart_policy::{
    decide, Action, ApprovalPolicy, Config, HostEnv, PathAccess, PathGlob, Risk, Rule, RuleMatch,
    Verdict,
};

fn cfg(policy: ApprovalPolicy, rules: &[(&str, PathAccess, Verdict)]) -> Config {
    let mut c = Config::defaults(&HostEnv {
        home: Some("/home/u".into()),
        xdg_state_home: None,
    });
    c.approval_policy = policy;
    c.rules = rules
        .iter()
        .enumerate()
        .map(|(i, (glob, access, decision))| Rule {
            matcher: RuleMatch::Path {
                glob: PathGlob::new(glob, Some(Path::new("/home/u"))).unwrap(),
                access: *access,
            },
            decision: *decision,
            reason: format!("r{i}"),
            origin: format!("f:{i}"),
        })
        .collect();
    c
}

fn file(kind: &str, p: &str) -> Action {
    let (path, workspace) = (PathBuf::from(p), PathBuf::from("/w"));
    match kind {
        "read" => Action::ReadFile { path, workspace },
        "list" => Action::ListDir { path, workspace },
        _ => Action::WriteFile {
            path,
            workspace,
            bytes: 1,
        },
    }
}

fn exec(argv: &[&str]) -> Action {
    Action::Exec {
        argv: argv.iter().map(|s| (*s).to_owned()).collect(),
        cwd: "/w".into(),
    }
}

#[test]
fn a_deny_rule_on_a_directory_covers_everything_beneath_it() {
    let c = cfg(
        ApprovalPolicy::OnRequest,
        &[
            ("secrets", PathAccess::Read, Verdict::Deny),
            ("conf", PathAccess::Write, Verdict::Deny),
        ],
    );
    let v = |k, p| decide(&c, &file(k, p)).verdict;
    for (kind, path) in [
        ("read", "/w/secrets"),
        ("read", "/w/secrets/b.txt"),
        ("read", "/w/secrets/sub/c.txt"),
        ("list", "/w/secrets/sub"),
        ("write", "/w/conf/y.toml"),
        ("write", "/w/conf/a/b.toml"),
    ] {
        assert_eq!(
            v(kind, path),
            Verdict::Deny,
            "gate bypassed: a {kind} of `{path}` beneath a denied directory"
        );
    }
    // The same through a command.
    for argv in [
        &["cat", "secrets/b.txt"][..],
        &["grep", "-r", "x", "secrets/sub"],
    ] {
        assert_eq!(
            decide(&c, &exec(argv)).verdict,
            Verdict::Deny,
            "gate bypassed: `{}`",
            argv.join(" ")
        );
    }
    assert_eq!(
        decide(&c, &exec(&["cp", "a.toml", "conf/y.toml"])).verdict,
        Verdict::Deny,
        "gate bypassed: `cp a.toml conf/y.toml`"
    );
    // Controls: neighbours, and the access the rule does not name.
    assert_eq!(v("read", "/w/secrets.txt"), Verdict::Allow);
    assert_eq!(v("read", "/w/src/secrets/b.txt"), Verdict::Allow);
    assert_eq!(v("write", "/w/secrets2/b.txt"), Verdict::Allow);
    assert_eq!(v("read", "/w/conf/y.toml"), Verdict::Allow);
    assert_eq!(v("write", "/w/confs/y.toml"), Verdict::Allow);
    assert_eq!(v("list", "/w"), Verdict::Allow);
    assert_eq!(
        decide(&c, &exec(&["cat", "src/b.txt"])).verdict,
        Verdict::Allow
    );
}

#[test]
fn an_allow_rule_on_a_directory_names_only_the_directory() {
    // An allow rule never widens to what is beneath it: `~` does not
    // allow `~/.ssh/id_rsa` (critical, `deny_read`).
    let c = cfg(
        ApprovalPolicy::OnRequest,
        &[("~", PathAccess::Read, Verdict::Allow)],
    );
    let d = decide(&c, &file("read", "/home/u/.ssh/id_rsa"));
    assert_eq!(d.verdict, Verdict::Deny, "gate bypassed: {:?}", d.reasons);
}

#[test]
fn the_state_directory_is_never_read_by_a_file_tool() {
    let mut c = cfg(
        ApprovalPolicy::OnRequest,
        &[("**", PathAccess::Read, Verdict::Allow)],
    );
    c.audit.dir = PathBuf::from("/w/.rampart");
    for (kind, path) in [
        ("read", "/w/.rampart/audit.jsonl"),
        ("list", "/w/.rampart"),
        ("list", "/w/.rampart/tickets"),
    ] {
        let d = decide(&c, &file(kind, path));
        assert_eq!(
            (d.verdict, d.risk),
            (Verdict::Deny, Risk::Critical),
            "gate bypassed: a {kind} of `{path}`: {:?}",
            d.reasons
        );
        assert!(
            d.reasons[0].contains("state and audit directory"),
            "{:?}",
            d.reasons
        );
    }
    // Controls: a neighbour, and the workspace that holds it.
    assert_eq!(
        decide(&c, &file("read", "/w/.rampartrc")).verdict,
        Verdict::Allow
    );
    assert_eq!(decide(&c, &file("list", "/w")).verdict, Verdict::Allow);
}

#[test]
fn a_credential_file_read_directly_is_judged_as_cat_of_it() {
    for policy in [ApprovalPolicy::OnRequest, ApprovalPolicy::Never] {
        let c = cfg(policy, &[]);
        for name in [".env", ".env.local", "deploy/id_rsa", "tls/server.pem"] {
            let by_cat = decide(&c, &exec(&["cat", name]));
            let direct = decide(&c, &file("read", &format!("/w/{name}")));
            assert!(
                direct.risk >= by_cat.risk && by_cat.risk >= Risk::High,
                "gate bypassed: `cat {name}` is {:?}, a direct read {:?} ({:?})",
                by_cat.risk,
                direct.risk,
                direct.reasons
            );
            assert_eq!(
                direct.verdict, by_cat.verdict,
                "gate bypassed: `{name}` under {policy:?}"
            );
        }
    }
    // Controls: an ordinary file and a public key stay low.
    let c = cfg(ApprovalPolicy::Never, &[]);
    for name in ["src/main.rs", "deploy/id_rsa.pub", "docs/env.md"] {
        let d = decide(&c, &file("read", &format!("/w/{name}")));
        assert_eq!(d.verdict, Verdict::Allow, "{name}: {:?}", d.reasons);
    }
}
