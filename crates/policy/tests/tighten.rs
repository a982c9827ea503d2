//! Property: whatever an untrusted project file says, the resolved config
//! is never looser than the user's in any dimension. Either the project's
//! key is applied (and tightens) or it is reported as an error.
#![allow(
    missing_docs,
    clippy::format_push_string,
    clippy::expect_used,
    reason = "test generator"
)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rampart_policy::{
    apply_layer, parse, ApprovalPolicy as A, Config, GitWrites, HostEnv, Inherit, Layer,
    SandboxMode as M, Source, Verdict,
};

fn env() -> HostEnv {
    HostEnv {
        home: Some("/home/u".into()),
        xdg_state_home: Some("/home/u/.local/state".into()),
    }
}

fn mode() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["read-only", "workspace-write", "danger-full-access"])
}
fn approval() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["untrusted", "on-request", "on-failure", "never"])
}
fn git() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["false", "true", "\"commits\""])
}
fn inherit() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["all", "core", "none"])
}
fn roots() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(
        prop::sample::select(vec!["/a", "/a/b", "/c", "~/cache"]),
        0..3,
    )
}
fn decision() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["allow", "ask", "deny"])
}

prop_compose! {
    /// A config file with a random subset of keys set to random values.
    fn config_text()(
        m in prop::option::of(mode()),
        a in prop::option::of(approval()),
        net in prop::option::of(any::<bool>()),
        g in prop::option::of(git()),
        wr in prop::option::of(roots()),
        xt in prop::option::of(any::<bool>()),
        unix in prop::option::of(any::<bool>()),
        inh in prop::option::of(inherit()),
        ignore in prop::option::of(any::<bool>()),
        only in prop::option::of(prop::sample::select(vec![
            "[\"CI*\"]", "[\"PATH\", \"CI*\"]", "[\"PATH\", \"HOME\", \"CI*\"]",
        ])),
        set in prop::option::of(prop::sample::select(vec!["{ CI = \"1\" }", "{ CI_MODE = \"x\" }"])),
        t in prop::option::of(0u64..1000),
        mem in prop::option::of(0u64..8192),
        procs in prop::option::of(0u64..1024),
        deny in prop::option::of(roots()),
        rules in prop::collection::vec(decision(), 0..3),
    ) -> String {
        let mut s = String::new();
        if let Some(m) = m { s += &format!("sandbox_mode = \"{m}\"\n"); }
        if let Some(a) = a { s += &format!("approval_policy = \"{a}\"\n"); }
        s += "[sandbox_workspace_write]\n";
        if let Some(n) = net { s += &format!("network_access = {n}\n"); }
        if let Some(g) = g { s += &format!("allow_git_writes = {g}\n"); }
        if let Some(r) = wr { s += &format!("writable_roots = {r:?}\n"); }
        if let Some(x) = xt { s += &format!("exclude_slash_tmp = {x}\n"); }
        if let Some(u) = unix { s += &format!("allow_unix_sockets = {u}\n"); }
        s += "[shell_environment_policy]\n";
        if let Some(i) = inh { s += &format!("inherit = \"{i}\"\n"); }
        if let Some(i) = ignore { s += &format!("ignore_default_excludes = {i}\n"); }
        if let Some(o) = only { s += &format!("include_only = {o}\n"); }
        if let Some(v) = set { s += &format!("set = {v}\n"); }
        s += "[filesystem]\n";
        if let Some(d) = deny { s += &format!("deny_read = {d:?}\n"); }
        s += "[limits]\n";
        if let Some(t) = t { s += &format!("timeout_secs = {t}\n"); }
        if let Some(m) = mem { s += &format!("memory_mb = {m}\n"); }
        if let Some(p) = procs { s += &format!("max_processes = {p}\n"); }
        for d in rules { s += &format!("[[rules]]\ncommand = [\"x\"]\ndecision = \"{d}\"\n"); }
        s
    }
}

fn load(text: &str, base: &Config, layer: Layer) -> (Config, usize) {
    let source = Source {
        origin: Path::new("f.toml"),
        text,
    };
    let file = parse(source).expect("generated configs are valid TOML");
    let mut cfg = base.clone();
    let errors = apply_layer(&mut cfg, &file, source, layer, None, &env());
    (cfg, errors.len())
}

fn rank<T: PartialEq>(order: &[T], v: &T) -> usize {
    order.iter().position(|x| x == v).unwrap_or(usize::MAX)
}

/// 0 means unlimited.
fn limit_le(new: u64, old: u64) -> bool {
    old == 0 || (new != 0 && new <= old)
}

fn subset(a: &[PathBuf], b: &[PathBuf]) -> bool {
    a.iter().all(|p| b.iter().any(|q| p.starts_with(q)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_untrusted_project_never_loosens(user in config_text(), project in config_text()) {
        let (u, _) = load(&user, &Config::defaults(&env()), Layer::User);
        let (p, _) = load(&project, &u, Layer::Project { trusted: false });
        let modes = [M::ReadOnly, M::WorkspaceWrite, M::DangerFullAccess];
        prop_assert!(rank(&modes, &p.sandbox_mode) <= rank(&modes, &u.sandbox_mode));
        let approvals = [A::Never, A::Untrusted, A::OnRequest, A::OnFailure];
        prop_assert!(rank(&approvals, &p.approval_policy) <= rank(&approvals, &u.approval_policy));
        let (pw, uw) = (&p.workspace_write, &u.workspace_write);
        prop_assert!(!pw.network_access || uw.network_access);
        prop_assert!(!pw.allow_unix_sockets || uw.allow_unix_sockets);
        prop_assert!(pw.exclude_slash_tmp || !uw.exclude_slash_tmp);
        let gits = [GitWrites::Deny, GitWrites::Commits, GitWrites::Allow];
        prop_assert!(rank(&gits, &pw.allow_git_writes) <= rank(&gits, &uw.allow_git_writes));
        prop_assert!(subset(&pw.writable_roots, &uw.writable_roots));
        prop_assert!(u.deny_read.iter().all(|d| p.deny_read.contains(d)), "hidden paths only grow");
        let inherits = [Inherit::None, Inherit::Core, Inherit::All];
        prop_assert!(rank(&inherits, &p.env.inherit) <= rank(&inherits, &u.env.inherit));
        prop_assert!(!p.env.ignore_default_excludes || u.env.ignore_default_excludes);
        prop_assert!(u.env.exclude.iter().all(|x| p.env.exclude.contains(x)), "exclusions only grow");
        prop_assert!(
            u.env.include_only.is_empty()
                || (!p.env.include_only.is_empty()
                    && p.env.include_only.iter().all(|x| u.env.include_only.contains(x))),
            "include_only only narrows"
        );
        prop_assert_eq!(&p.env.set, &u.env.set, "a project sets no variable");
        prop_assert!(limit_le(p.limits.timeout_secs, u.limits.timeout_secs));
        prop_assert!(limit_le(p.limits.memory_mb, u.limits.memory_mb));
        prop_assert!(limit_le(p.limits.max_processes, u.limits.max_processes));
        let allows = |c: &Config| c.rules.iter().filter(|r| r.decision == Verdict::Allow).count();
        prop_assert_eq!(allows(&p), allows(&u), "a project adds no allow rule");
        prop_assert_eq!(p.audit.clone(), u.audit.clone());
        prop_assert_eq!(p.trusted_projects.clone(), u.trusted_projects.clone());
    }

    #[test]
    fn a_trusted_project_applies_without_errors(project in config_text()) {
        let (_, errors) = load(&project, &Config::defaults(&env()), Layer::Project { trusted: true });
        prop_assert_eq!(errors, 0);
    }
}
