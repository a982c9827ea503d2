use super::*;

fn pg(s: &str) -> PathGlob {
    PathGlob::new(s, Some(Path::new("/home/u"))).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn rel(glob: &str, path: &str) -> bool {
    pg(glob).matches(&Path::new("/w").join(path), Path::new("/w"))
}

#[test]
fn path_globs() {
    assert!(rel("**/.env*", "a/b/.env.local"));
    assert!(rel("**/.env*", ".env"));
    assert!(!rel("**/.env*", "a/env"));
    assert!(rel("src/*.rs", "src/main.rs"));
    assert!(
        !rel("src/*.rs", "src/a/main.rs"),
        "`*` stays in one component"
    );
    assert!(rel("src/**/*.rs", "src/a/b/main.rs"));
    assert!(rel("src/?.rs", "src/a.rs") && !rel("src/?.rs", "src/ab.rs"));
    assert!(rel("*.{pem,key}", "x.key") && rel("*.{pem,key}", "x.pem"));
    assert!(!rel("*.{pem,key}", "x.txt"));
    assert!(rel("id_[re]*", "id_rsa") && rel("id_[re]*", "id_ed25519"));
    assert!(!rel("id_[!r]*", "id_rsa"));
    assert!(rel("a\\*b", "a*b") && !rel("a\\*b", "axb"));
    assert!(!rel("SRC/*.rs", "src/main.rs"), "paths are case-sensitive");
    // `dir/**` covers the directory itself.
    assert!(rel("docs/**", "docs") && rel("docs/**", "docs/a/b"));
    assert!(!rel("docs/**", "docsx"));
    // Empty components and a trailing slash do not matter.
    assert!(rel("a//b/", "a/b"));
    // Anchors.
    let ws = Path::new("/w");
    assert!(pg("/etc/*").matches(Path::new("/etc/hosts"), ws));
    assert!(pg("~/.ssh/**").matches(Path::new("/home/u/.ssh/id"), ws));
    assert!(!pg("~/.ssh/**").matches(Path::new("/w/.ssh/id"), ws));
    assert!(pg("**/.env").matches(Path::new("/elsewhere/.env"), ws));
    assert!(!pg("src/*.rs").matches(Path::new("/elsewhere/src/a.rs"), ws));
}

#[test]
fn home_is_a_literal_in_a_path_glob() {
    let home = Path::new("/home/a[1]*");
    let g = PathGlob::new("~/.ssh/*", Some(home)).unwrap();
    let ws = Path::new("/w");
    assert!(g.matches(Path::new("/home/a[1]*/.ssh/id"), ws));
    assert!(!g.matches(Path::new("/home/a1x/.ssh/id"), ws));
}

#[test]
fn bad_path_globs_are_errors_naming_the_glob() {
    for bad in ["", " ", "[ab", "{a,b", "a**b/x", "./x", "a/../b", "~/../x"] {
        let e = PathGlob::new(bad, Some(Path::new("/h")))
            .err()
            .unwrap_or_else(|| panic!("{bad:?} was accepted: {:?}", PathGlob::new(bad, None)));
        assert!(
            bad.trim().is_empty() || e.message.contains(&format!("`{bad}`")),
            "{e}"
        );
    }
    assert!(PathGlob::new("~/.ssh", None)
        .unwrap_err()
        .message
        .contains("$HOME"));
    assert!(PathGlob::new(&"a".repeat(5000), None).is_err());
}

#[test]
fn walk_roots() {
    let ws = Path::new("/w");
    assert_eq!(
        pg("/etc/ssl/*.pem").walk_root(ws),
        PathBuf::from("/etc/ssl")
    );
    assert_eq!(pg("secrets/**").walk_root(ws), ws.join("secrets"));
    assert_eq!(pg("config/prod.key").walk_root(ws), ws.join("config"));
    assert_eq!(pg("{a,b}/x").walk_root(ws), ws.to_path_buf());
    assert_eq!(pg("a/[bc]/x").walk_root(ws), ws.join("a"));
    assert_eq!(pg("~/.aws/*").walk_root(ws), PathBuf::from("/home/u/.aws"));
}

/// Patterns that make a backtracking matcher take exponential time, and
/// inputs long enough for that to show: each finishes. The old recursive
/// path matcher did not finish these in any reasonable time (`*a*a*…*b`
/// against 64 KiB of `a` is a combinatorial search for it);
/// the bound below is hundreds of times what a linear matcher needs even
/// in a debug build, so it does not flake, yet it fails at once on a
/// backtracking engine.
#[test]
fn hostile_patterns_cannot_stall_a_match() {
    let long = "a".repeat(64 * 1024);
    let pathy = format!("{}/b", "a/".repeat(2000));
    let stars = format!("{}b", "*a".repeat(40));
    let deep = format!("{}b", "**/a/".repeat(40));
    let alts = format!("{{{}}}b", vec!["a*a*a"; 40].join(","));
    let start = std::time::Instant::now();
    for pat in [&stars, &alts, &format!("{}?", "*?".repeat(40))] {
        let env = EnvPattern::new(pat).unwrap();
        assert!(!env.matches(&long) || pat.ends_with('?'));
        let host = crate::HostPattern::new(pat).unwrap();
        assert!(!host.matches(&long) || pat.ends_with('?'));
    }
    for pat in [&stars, &deep, &alts] {
        let g = pg(pat);
        assert!(!g.matches(&Path::new("/w").join(&long), Path::new("/w")));
        assert!(!g.matches(&Path::new("/w").join(&pathy), Path::new("/w")) || pat == &deep);
    }
    let took = start.elapsed();
    assert!(
        took < std::time::Duration::from_secs(20),
        "gate bypassed: hostile globs took {took:?} to match; a project's rules could stall every decision"
    );
}

/// A project's `rampart.toml` full of hostile patterns, and actions built
/// to make a backtracking matcher explode: every decision still comes
/// back, quickly, with the project's deny rules applied.
#[test]
fn a_hostile_project_cannot_stall_a_decision() {
    use crate::{apply_layer, decide, parse, Action, Config, HostEnv, Layer, Source, Verdict};
    use std::fmt::Write as _;
    let stars = format!("{}b", "*a".repeat(30));
    let mut text = String::new();
    for i in 0..50 {
        write!(
            text,
            "[[rules]]\npath = \"{stars}{i}\"\ndecision = \"deny\"\n\
             [[rules]]\npath = \"**/{stars}/**/{stars}{i}\"\ndecision = \"ask\"\n\
             [[rules]]\nhost = \"{stars}{i}.example\"\ndecision = \"deny\"\n"
        )
        .unwrap();
    }
    text.push_str("[[rules]]\npath = \"**/*.{pem,key}\"\ndecision = \"deny\"\n");
    let env = HostEnv {
        home: Some("/home/u".into()),
        xdg_state_home: None,
    };
    let source = Source {
        origin: Path::new("rampart.toml"),
        text: &text,
    };
    let mut cfg = Config::defaults(&env);
    let file = parse(source).unwrap();
    let errs = apply_layer(
        &mut cfg,
        &file,
        source,
        Layer::Project { trusted: false },
        None,
        &env,
    );
    assert!(errs.is_empty(), "{errs:?}");
    let long = "a".repeat(60 * 1024);
    let ws = PathBuf::from("/w");
    let start = std::time::Instant::now();
    let read = |p: &str| Action::ReadFile {
        path: ws.join(p),
        workspace: ws.clone(),
    };
    assert_ne!(decide(&cfg, &read(&long)).verdict, Verdict::Deny);
    assert_eq!(decide(&cfg, &read("x/id.key")).verdict, Verdict::Deny);
    let deep = format!("{}/x", "a/".repeat(4000));
    assert_ne!(decide(&cfg, &read(&deep)).verdict, Verdict::Deny);
    let exec = Action::Exec {
        argv: vec!["cat".into(), long.clone(), deep.clone()],
        cwd: ws.clone(),
    };
    decide(&cfg, &exec);
    let connect = |host: String| Action::Connect { host, port: 443 };
    let host = format!("{}.example", "a.".repeat(100));
    assert_ne!(decide(&cfg, &connect(host)).verdict, Verdict::Deny);
    let hit = format!("{}b7.example", "a".repeat(40));
    assert_eq!(decide(&cfg, &connect(hit)).verdict, Verdict::Deny);
    let took = start.elapsed();
    eprintln!("7 decisions under 151 hostile rules: {took:?}");
    assert!(
        took < std::time::Duration::from_secs(20),
        "gate bypassed: a hostile project's rules took {took:?} to decide"
    );
}

/// A rule on a directory covers everything beneath it (as the sandbox
/// hides or binds the directory whole), never a neighbour, the workspace
/// itself, or everything beneath `/`.
#[test]
fn a_glob_on_a_directory_covers_what_is_beneath_it() {
    let ws = Path::new("/w");
    let g = pg("secrets");
    assert!(g.covers(Path::new("/w/secrets"), ws));
    assert!(g.covers(Path::new("/w/secrets/b.txt"), ws));
    assert!(g.covers(Path::new("/w/secrets/sub/c.txt"), ws));
    assert!(!g.matches(Path::new("/w/secrets/b.txt"), ws));
    assert!(!g.covers(Path::new("/w/secrets.txt"), ws));
    assert!(!g.covers(Path::new("/w/secretsx/b.txt"), ws));
    assert!(!g.covers(Path::new("/w/a/secrets/b.txt"), ws));
    assert!(!g.covers(Path::new("/other/secrets/b.txt"), ws));
    assert!(!g.covers(ws, ws));
    let env = pg("**/.env*");
    assert!(env.covers(Path::new("/w/a/.env.d/x"), ws));
    assert!(env.covers(Path::new("/elsewhere/.env.d/x"), ws));
    assert!(!env.covers(Path::new("/w/a/env/x"), ws));
    let abs = pg("/srv/keys");
    assert!(abs.covers(Path::new("/srv/keys/a/b"), ws));
    assert!(!abs.covers(Path::new("/srv/keysx"), ws));
    assert!(!pg("/").covers(Path::new("/etc/hosts"), ws));
    assert!(pg("/**").covers(Path::new("/etc/hosts"), ws));
    // Linear, not one match per ancestor: a path 4000 deep is quick.
    let deep = Path::new("/w").join(format!("{}x", "a/".repeat(4000)));
    let start = std::time::Instant::now();
    assert!(!g.covers(&deep, ws));
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}
