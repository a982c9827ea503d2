//! Issue 12, class 7: a denied host written in any spelling a browser or
//! `curl` accepts still meets the deny rule, through the hook's `WebFetch`
//! and through `rampart check` of a `curl` command; globs with `{a,b}` and
//! `[ab]` bind; a project file with broken or hostile patterns is refused
//! or decided quickly. Each attack has a control that the legitimate action
//! still passes.

use std::fmt::Write as _;

use serde_json::Value;

use super::fixture::{hook_answer, stderr, stdout, World};

const CONFIG: &str = "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\nnetwork_access = true\n[limits]\ntimeout_secs = 60\n\
[[rules]]\nhost = \"evil.example\"\ndecision = \"deny\"\nreason = \"exfiltration host\"\n\
[[rules]]\nhost = \"169.254.169.254\"\ndecision = \"deny\"\nreason = \"cloud metadata\"\n\
[[rules]]\nhost = \"*.bücher.example\"\ndecision = \"deny\"\n";

/// Spellings of `evil.example` and of the metadata address.
const DENIED: &[&str] = &[
    "https://evil.example/",
    "https://EVIL.Example./x",
    "https://%65vil.example/",
    "https://evil.example\\.docs.rs/",
    "https://evil.example\\@docs.rs/",
    "https://user@docs.rs@evil.example/",
    "https:/\\evil.example/",
    "  https://evi\tl.example/\n",
    "https://ＥＶＩＬ．example/",
    "http://2852039166/latest/meta-data/",
    "http://0xA9FEA9FE/",
    "http://0251.0376.0251.0376/",
    "http://169.254.43518/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]:80/",
    "https://x.xn--bcher-kva.example/",
];

const ALLOWED: &[&str] = &[
    "https://docs.rs/regex",
    "https://evil.example.docs.rs/",
    "https://docs.rs/?u=evil.example",
    "http://169.254.169.253/",
];

fn hook_decision(w: &World, url: &str) -> (String, String) {
    let input = serde_json::json!({
        "session_id": "s", "cwd": w.ws, "hook_event_name": "PreToolUse",
        "tool_name": "WebFetch", "tool_input": {"url": url, "prompt": "?"},
    });
    hook_answer(&w.run_with_stdin(["hook", "claude-code"], input.to_string().as_bytes()))
}

fn check_verdict(w: &World, argv: &[&str]) -> String {
    let mut a = vec!["check", "--json", "--"];
    a.extend(argv);
    let o = w.run(a);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    v["verdict"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_denied_host_in_any_spelling_is_denied_by_the_hook() {
    let w = World::with_config(CONFIG);
    for url in DENIED {
        let (decision, reason) = hook_decision(&w, url);
        assert_eq!(
            decision, "deny",
            "gate bypassed: WebFetch of {url:?} was answered `{decision}` ({reason})"
        );
    }
    for url in ALLOWED {
        let (decision, reason) = hook_decision(&w, url);
        assert_eq!(decision, "allow", "control: WebFetch of {url:?}: {reason}");
    }
}

#[test]
fn a_denied_host_in_any_spelling_is_denied_in_a_curl_command() {
    let w = World::with_config(CONFIG);
    // `curl` reads `\` as an ordinary character: it connects to
    // `evil.example` here, where a browser would go to `docs.rs`.
    let curl_only = ["https://docs.rs\\@evil.example/"];
    for url in DENIED.iter().chain(&curl_only) {
        for argv in [vec!["curl", "-s", url], vec!["wget", "-q", url]] {
            let verdict = check_verdict(&w, &argv);
            assert_eq!(
                verdict, "deny",
                "gate bypassed: `{argv:?}` was judged `{verdict}`"
            );
        }
    }
    for url in ALLOWED {
        let verdict = check_verdict(&w, &["curl", "-s", url]);
        assert_ne!(verdict, "deny", "control: `curl {url}` was denied");
    }
}

#[test]
fn path_globs_with_braces_and_classes_bind_file_reads() {
    let w = World::with_config(&format!(
        "{CONFIG}[[rules]]\npath = \"**/*.{{pem,key}}\"\ndecision = \"deny\"\n\
         [[rules]]\npath = \"**/id_[re]*\"\ndecision = \"deny\"\n"
    ));
    for name in ["a/server.key", "cert.pem", "keys/id_rsa", "id_ed25519"] {
        let verdict = check_verdict(&w, &["cat", name]);
        assert_eq!(
            verdict, "deny",
            "gate bypassed: `cat {name}` was judged `{verdict}`"
        );
    }
    for name in ["server.txt", "keys/id.pub"] {
        assert_ne!(
            check_verdict(&w, &["cat", name]),
            "deny",
            "control: `cat {name}`"
        );
    }
}

#[test]
fn a_project_with_a_broken_or_hostile_pattern_is_refused_or_decided_quickly() {
    let w = World::with_config(CONFIG);
    std::fs::write(
        w.ws.join("rampart.toml"),
        "[[rules]]\npath = \"src/[ab\"\ndecision = \"deny\"\n",
    )
    .unwrap();
    let o = w.run(["check", "--", "ls"]);
    assert_ne!(o.status.code(), Some(0), "a broken glob was ignored");
    assert!(
        stderr(&o).contains("rampart.toml:2:8") && stderr(&o).contains("`src/[ab`"),
        "{}",
        stderr(&o)
    );
    let stars = format!("{}b", "*a".repeat(40));
    let mut text = String::new();
    for i in 0..40 {
        writeln!(
            text,
            "[[rules]]\npath = \"**/{stars}{i}\"\ndecision = \"deny\""
        )
        .unwrap();
        writeln!(
            text,
            "[[rules]]\nhost = \"{stars}{i}\"\ndecision = \"deny\""
        )
        .unwrap();
    }
    std::fs::write(w.ws.join("rampart.toml"), text).unwrap();
    let long = "a".repeat(100_000);
    let start = std::time::Instant::now();
    let verdict = check_verdict(
        &w,
        &[
            "curl",
            &format!("https://{}.example/{long}", &long[..200]),
            &long,
        ],
    );
    let took = start.elapsed();
    assert_ne!(verdict, "deny", "control: nothing here matches");
    assert!(
        took < std::time::Duration::from_secs(30),
        "gate bypassed: a project's hostile globs stalled the decision for {took:?}"
    );
}
