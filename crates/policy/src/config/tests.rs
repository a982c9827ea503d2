use std::path::Path;

use super::*;

fn env() -> HostEnv {
    HostEnv {
        home: Some("/home/u".into()),
        xdg_state_home: Some("/home/u/.local/state".into()),
    }
}

fn load(user: &str, project: Option<(&str, bool)>) -> Result<Config, Vec<ConfigError>> {
    let env = env();
    let mut cfg = Config::defaults(&env);
    let mut errors = Vec::new();
    let us = Source {
        origin: Path::new("user.toml"),
        text: user,
    };
    match parse(us) {
        Ok(f) => errors.extend(apply_layer(&mut cfg, &f, us, Layer::User, None, &env)),
        Err(e) => errors.push(e),
    }
    if let Some((text, trusted)) = project {
        let ps = Source {
            origin: Path::new("rampart.toml"),
            text,
        };
        match parse(ps) {
            Ok(f) => errors.extend(apply_layer(
                &mut cfg,
                &f,
                ps,
                Layer::Project { trusted },
                None,
                &env,
            )),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(cfg)
    } else {
        Err(errors)
    }
}

#[test]
fn empty_config_is_the_secure_default() {
    let cfg = load("", None).unwrap();
    assert_eq!(cfg, Config::defaults(&env()));
    assert_eq!(cfg.sandbox_mode, SandboxMode::WorkspaceWrite);
    assert!(!cfg.workspace_write.network_access);
    assert!(cfg.deny_read.contains(&PathBuf::from("/home/u/.ssh")));
}

#[test]
fn unknown_key_names_line_and_column() {
    let err = load(
        "sandbox_mode = \"read-only\"\n\n  sandbox_mod = \"x\"\n",
        None,
    )
    .unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!((err[0].line, err[0].column), (3, 3));
    assert!(
        err[0].message.contains("unknown field `sandbox_mod`"),
        "{}",
        err[0].message
    );
    assert_eq!(
        err[0].to_string().split(" at ").last(),
        Some("user.toml:3:3")
    );
}

#[test]
fn wrong_type_names_line() {
    let err = load("[limits]\ntimeout_secs = \"ten\"\n", None).unwrap_err();
    assert_eq!(err[0].line, 2);
    assert!(
        err[0].message.contains("invalid type"),
        "{}",
        err[0].message
    );
}

#[test]
fn git_writes_accepts_bool_and_commits_only() {
    assert_eq!(
        load(
            "[sandbox_workspace_write]\nallow_git_writes = \"commits\"\n",
            None
        )
        .unwrap()
        .workspace_write
        .allow_git_writes,
        GitWrites::Commits
    );
    assert_eq!(
        load("[sandbox_workspace_write]\nallow_git_writes = true\n", None)
            .unwrap()
            .workspace_write
            .allow_git_writes,
        GitWrites::Allow
    );
    assert!(load(
        "[sandbox_workspace_write]\nallow_git_writes = \"yes\"\n",
        None
    )
    .is_err());
}

#[test]
fn project_cannot_loosen_and_every_problem_is_reported() {
    let project = "sandbox_mode = \"danger-full-access\"\n[sandbox_workspace_write]\nnetwork_access = true\nallow_git_writes = true\n[limits]\ntimeout_secs = 0\n[[rules]]\ncommand = [\"rm\"]\ndecision = \"allow\"\n";
    let errs = load("", Some((project, false))).unwrap_err();
    let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 3, 4, 6, 7], "{errs:#?}");
    assert!(errs.iter().all(|e| e.origin == Path::new("rampart.toml")));
}

#[test]
fn project_may_tighten() {
    let project = "sandbox_mode = \"read-only\"\napproval_policy = \"never\"\n[limits]\ntimeout_secs = 5\n[filesystem]\ndeny_read = [\"~/secrets\"]\n[[rules]]\ncommand = [\"git\", \"push\"]\ndecision = \"deny\"\n";
    let cfg = load("", Some((project, false))).unwrap();
    assert_eq!(cfg.sandbox_mode, SandboxMode::ReadOnly);
    assert_eq!(cfg.limits.timeout_secs, 5);
    assert!(cfg.deny_read.contains(&PathBuf::from("/home/u/secrets")));
    assert!(
        cfg.deny_read.contains(&PathBuf::from("/home/u/.ssh")),
        "user's hidden paths stay"
    );
    assert_eq!(cfg.rules.len(), 1);
}

#[test]
fn trusted_project_may_loosen() {
    let cfg = load("", Some(("sandbox_mode = \"danger-full-access\"\n", true))).unwrap();
    assert_eq!(cfg.sandbox_mode, SandboxMode::DangerFullAccess);
}

#[test]
fn project_cannot_trust_itself_or_touch_audit() {
    let errs = load(
        "",
        Some((
            "trusted_projects = [\"/x\"]\n[audit]\nfail_closed = false\n",
            false,
        )),
    )
    .unwrap_err();
    assert_eq!(errs.len(), 2);
}

#[test]
fn protect_adds_from_any_layer_and_unprotect_is_user_only() {
    let cfg = load(
        "[filesystem]\nprotect = [\"tools/*.sh\"]\nunprotect = [\"**/.idea/**\"]\n",
        Some(("[filesystem]\nprotect = [\"Makefile\"]\n", false)),
    )
    .unwrap();
    assert_eq!(cfg.protect.added, vec!["tools/*.sh", "Makefile"]);
    assert_eq!(cfg.protect.removed, vec!["**/.idea/**"]);
    for trusted in [false, true] {
        let errs = load(
            "",
            Some(("[filesystem]\nunprotect = [\"**/.mcp.json\"]\n", trusted)),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].message.contains("cannot remove protected paths"),
            "{errs:?}"
        );
    }
    let errs = load(
        "[filesystem]\nprotect = [\"[\"]\nunprotect = [\"src/**\"]\n",
        None,
    )
    .unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!((errs[0].line, errs[0].column), (2, 12));
}

#[test]
fn untrusted_project_detect_allowances_shape_scans_only() {
    let ghp = "aws-access-key-id";
    let project = format!("[detect]\ndisable = [\"{ghp}\"]\nallow = [\"x+\"]\n");
    let cfg = load("", Some((&project, false))).unwrap();
    assert!(cfg.detect.disable.iter().all(|d| d.scan_only));
    assert_eq!(cfg.detect.disable[0].origin, "rampart.toml:2");
    let has = |u: DetectUse| {
        cfg.detect
            .rule_set(u)
            .unwrap()
            .rules()
            .iter()
            .any(|r| r.spec.id == ghp)
    };
    assert!(!has(DetectUse::Scan));
    assert!(has(DetectUse::Mask));
    // Trusted, or in the user's file, the allowance applies everywhere.
    let cfg = load("", Some((&project, true))).unwrap();
    assert!(cfg.detect.disable.iter().all(|d| !d.scan_only));
    let cfg = load(&project, None).unwrap();
    assert!(!cfg
        .detect
        .rule_set(DetectUse::Mask)
        .unwrap()
        .rules()
        .iter()
        .any(|r| r.spec.id == ghp));
}

#[test]
fn untrusted_project_may_add_rules_but_not_replace_builtin_ones() {
    let rule = |id: &str| {
        format!("[[detect.rules]]\nid = \"{id}\"\ndescription = \"d\"\nregex = 'acme_(x+)'\nkeywords = [\"acme_\"]\n")
    };
    let cfg = load("", Some((&rule("acme"), false))).unwrap();
    assert_eq!(cfg.detect.rules[0].spec.id, "acme");
    let errs = load("", Some((&rule("github-pat"), false))).unwrap_err();
    assert!(errs[0].message.contains("would replace the built-in rule"));
    assert_eq!(errs[0].line, 1);
    assert!(load("", Some((&rule("github-pat"), true))).is_ok());
    let errs = load(&rule("acme"), Some((&rule("acme"), false))).unwrap_err();
    assert!(errs[0].message.contains("defined twice"));
}

#[test]
fn relative_paths_are_errors() {
    let errs = load(
        "[sandbox_workspace_write]\nwritable_roots = [\"cache\"]\n",
        None,
    )
    .unwrap_err();
    assert!(errs[0].message.contains("not an absolute path"));
    assert_eq!(errs[0].line, 2);
}

#[test]
fn rules_need_one_matcher_and_a_decision() {
    let errs = load("[[rules]]\ncommand = [\"a\"]\nhost = \"x.com\"\ndecision = \"deny\"\n[[rules]]\ncommand = [\"b\"]\n", None).unwrap_err();
    assert_eq!(errs.len(), 2);
}

#[test]
fn bad_globs_and_hosts_are_errors_at_their_place() {
    let text = "[[rules]]\npath = \"src/[ab\"\ndecision = \"deny\"\n\
                [[rules]]\nhost = \"http://evil.example/\"\ndecision = \"deny\"\n\
                [[rules]]\npath = \"a**b\"\ndecision = \"ask\"\n\
                [shell_environment_policy]\nexclude = [\"*KEY*\", \"{AWS\"]\n\
                [sandbox_workspace_write]\nallowed_hosts = [\"ok.example\", \"*.bü*.example\"]\n";
    let errs = load(
        text,
        Some(("[[rules]]\nhost = \"\"\ndecision = \"deny\"\n", false)),
    )
    .unwrap_err();
    let got: Vec<(String, usize, usize)> = errs
        .iter()
        .map(|e| (e.origin.display().to_string(), e.line, e.column))
        .collect();
    assert_eq!(
        got,
        [
            ("user.toml".into(), 13, 32),
            ("user.toml".into(), 11, 21),
            ("user.toml".into(), 2, 8),
            ("user.toml".into(), 5, 8),
            ("user.toml".into(), 8, 8),
            ("rampart.toml".into(), 2, 8),
        ]
    );
    assert!(errs[0].message.contains("xn--"), "{}", errs[0]);
    assert!(errs[1].message.contains("`{AWS`"), "{}", errs[1]);
    assert!(errs[2].message.contains("`src/[ab`"), "{}", errs[2]);
    assert!(
        errs[3].message.contains("`http://evil.example/`"),
        "{}",
        errs[3]
    );
    assert!(errs[4].message.contains("whole component"), "{}", errs[4]);
    assert!(errs[5].message.contains("empty"), "{}", errs[5]);
    assert!(errs.iter().all(|e| e.hint.is_some()));
    let errs = load(
        "[detect]\nexclude_paths = [\"ok/**\", \"fix[tures\"]\n",
        None,
    )
    .unwrap_err();
    assert_eq!((errs.len(), errs[0].line, errs[0].column), (1, 2, 27));
    assert!(errs[0].message.contains("`fix[tures`"), "{}", errs[0]);
}

#[test]
fn patterns_compile_at_load_with_braces_and_classes() {
    let cfg = load(
        "[[rules]]\npath = \"**/*.{pem,key}\"\ndecision = \"deny\"\n\
         [[rules]]\nhost = \"{api,www}.Example.com.\"\ndecision = \"ask\"\n\
         [shell_environment_policy]\nexclude = [\"DB_PASS[0-9]\"]\n",
        None,
    )
    .unwrap();
    let RuleMatch::Path { glob, .. } = &cfg.rules[0].matcher else {
        panic!("{:?}", cfg.rules[0])
    };
    assert!(glob.matches(Path::new("/w/a/b.key"), Path::new("/w")));
    let RuleMatch::Host(h) = &cfg.rules[1].matcher else {
        panic!("{:?}", cfg.rules[1])
    };
    assert!(h.matches("www.example.com") && !h.matches("ftp.example.com"));
    assert!(cfg.env.exclude[0].matches("db_pass1"));
}

#[test]
fn default_patterns_compile() {
    let policy = Config::defaults(&env()).env;
    assert!(policy.exclude.is_empty() && !policy.ignore_default_excludes);
    assert_eq!(policy.exclusions().len(), DEFAULT_ENV_EXCLUDE.len());
}

#[test]
fn profile_overrides_base() {
    let env = env();
    let text = "approval_policy = \"on-request\"\n[profiles.ci]\napproval_policy = \"never\"\n";
    let s = Source {
        origin: Path::new("u.toml"),
        text,
    };
    let f = parse(s).unwrap();
    let mut cfg = Config::defaults(&env);
    assert!(apply_layer(&mut cfg, &f, s, Layer::User, Some("ci"), &env).is_empty());
    assert_eq!(cfg.approval_policy, ApprovalPolicy::Never);
    assert!(has_profile(&f, "ci"));
}

#[test]
fn risk_entries_parse_and_projects_may_only_raise() {
    let text =
        "[[risk]]\ncommand = [\"terraform\", \"plan\"]\nlevel = \"low\"\nreason = \"reads\"\n";
    let cfg = load(text, None).unwrap();
    assert_eq!(cfg.risk_overrides.len(), 1);
    assert!(!cfg.risk_overrides[0].raise_only);
    let cfg = load("", Some((text, false))).unwrap();
    assert!(cfg.risk_overrides[0].raise_only);
    assert!(load("[[risk]]\ncommand = []\nlevel = \"low\"\n", None).is_err());
    assert!(load("[[risk]]\ncommand = [\"x\"]\nlevel = \"tiny\"\n", None).is_err());
}

#[test]
fn line_col_counts_chars() {
    assert_eq!(line_col("ab\ncd", 4), (2, 2));
    assert_eq!(line_col("", 0), (1, 1));
}

/// The messages of `load`'s errors (none: an empty list).
fn messages(user: &str, project: Option<(&str, bool)>) -> Vec<String> {
    load(user, project).map_or_else(
        |errs| errs.into_iter().map(|e| e.message).collect(),
        |_| Vec::new(),
    )
}

#[test]
fn set_never_passes_what_the_filters_keep_out() {
    let env = "[shell_environment_policy]\n";
    let ok = load(&format!("{env}set = {{ CI = \"1\" }}\n"), None).unwrap();
    assert_eq!(ok.env.set.get("CI").map(String::as_str), Some("1"));
    for (text, needle) in [
        ("set = { GH_TOKEN = \"x\" }", "cannot give `GH_TOKEN`"),
        (
            "set = { RAMPART_SANDBOX = \"none\" }",
            "cannot give `RAMPART_SANDBOX`",
        ),
        (
            "set = { DB = \"postgres://u:pw@h/d\" }",
            "password in a URL",
        ),
        (
            "include_only = [\"PATH\"]\nset = { CI = \"1\" }",
            "cannot give `CI`",
        ),
        (
            "set = { CI = \"1\" }\nexclude = [\"C*\"]",
            "cannot give `CI`",
        ),
    ] {
        let m = messages(&format!("{env}{text}\n"), None);
        assert!(m.iter().any(|m| m.contains(needle)), "{text}: {m:?}");
    }
    // A later layer that would drop a `set` variable is an error at its key.
    let m = messages(
        &format!("{env}set = {{ CI = \"1\" }}\n"),
        Some((&format!("{env}exclude = [\"C*\"]\n"), false)),
    );
    assert!(
        m.iter()
            .any(|m| m.contains("`shell_environment_policy.exclude` keeps out `CI`")),
        "{m:?}"
    );
    let m = messages(
        &format!("{env}set = {{ AUDIT_DB = \"x\" }}\n[audit]\npostgres_url_env = \"AUDIT_DB\"\n"),
        None,
    );
    assert!(m.iter().any(|m| m.contains("gives `AUDIT_DB`")), "{m:?}");
    // With the built-in patterns off, a *TOKEN* name may be set.
    assert!(load(
        &format!("{env}ignore_default_excludes = true\nset = {{ GH_TOKEN = \"x\" }}\n"),
        None
    )
    .is_ok());
}

#[test]
fn an_untrusted_project_cannot_set_widen_or_pick_a_profile() {
    let user = "[shell_environment_policy]\ninclude_only = [\"PATH\", \"HOME\"]\n";
    for (project, needle) in [
        (
            "[shell_environment_policy]\nset = { CI = \"1\" }\n",
            "cannot set environment variables",
        ),
        (
            "[shell_environment_policy]\nignore_default_excludes = true\n",
            "loosens",
        ),
        (
            "[shell_environment_policy]\ninclude_only = [\"PATH\", \"CI\"]\n",
            "loosens",
        ),
        ("profile = \"x\"\n", "`profile` belongs in the user config"),
    ] {
        let m = messages(user, Some((project, false)));
        assert!(m.iter().any(|m| m.contains(needle)), "{project}: {m:?}");
    }
    let narrowed = load(
        user,
        Some((
            "[shell_environment_policy]\ninclude_only = [\"PATH\"]\n",
            false,
        )),
    )
    .unwrap();
    assert_eq!(narrowed.env.include_only.len(), 1);
    let m = messages("[profiles.a]\nprofile = \"b\"\n", None);
    assert!(m.iter().any(|m| m.contains("cannot hold")), "{m:?}");
}

#[test]
fn tool_rules_load_and_refuse_conflicts() {
    let cfg = load(
        "[agents]\ndefer_allow = true\n\
         [[rules]]\ntool = \"mcp__github__*\"\ndecision = \"allow\"\nreason = \"github\"\n",
        Some((
            "[[rules]]\ntool = \"mcp__github__delete_*\"\ndecision = \"deny\"\n",
            false,
        )),
    )
    .unwrap();
    assert!(cfg.agents.defer_allow);
    let r = crate::tool_rule(&cfg, "mcp__github__delete_repo").unwrap();
    assert_eq!(
        (r.decision, r.origin.as_str()),
        (crate::Verdict::Deny, "rampart.toml:1")
    );
    let r = crate::tool_rule(&cfg, "mcp__github__list_issues").unwrap();
    assert_eq!(
        (r.decision, r.reason.as_str()),
        (crate::Verdict::Allow, "github")
    );
    // A tool rule with another matcher, a bad pattern, an unknown key, and
    // a project `allow`: each a clear error.
    let errs = load(
        "[[rules]]\ntool = \"Bash\"\ncommand = [\"ls\"]\ndecision = \"deny\"\n\
         [[rules]]\ntool = \"mcp__[\"\ndecision = \"deny\"\n",
        None,
    )
    .unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].message.contains("exactly one of"), "{}", errs[0]);
    assert!(errs[1].message.contains("`mcp__[`"), "{}", errs[1]);
    let errs = load("[[rules]]\ntools = \"Bash\"\ndecision = \"deny\"\n", None).unwrap_err();
    assert!(errs[0].message.contains("tools"), "{}", errs[0]);
    let errs = load(
        "",
        Some((
            "[[rules]]\ntool = \"mcp__*\"\ndecision = \"allow\"\n",
            false,
        )),
    )
    .unwrap_err();
    assert!(errs[0].message.contains("loosens"), "{}", errs[0]);
}
