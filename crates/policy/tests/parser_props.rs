//! Properties of the shell analysis: it never panics, and a script judged
//! low risk contains no write, no network client and no execution of
//! another program.
#![allow(missing_docs, reason = "test")]

use std::path::Path;

use proptest::prelude::*;
use rampart_policy::risk::{analyse, Context};
use rampart_policy::shell::{basename, parse_script};
use rampart_policy::Risk;

fn ctx() -> Context<'static> {
    Context {
        workspace: Path::new("/w"),
        cwd: Path::new("/w"),
        home: Some(Path::new("/home/u")),
        overrides: &[],
        user_homes: None,
    }
}

/// Words and operators agents (and attackers) use.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "ls",
        "cat",
        "README.md",
        "rm",
        "-rf",
        "/",
        "~",
        "..",
        "curl",
        "https://x.example",
        "sh",
        "bash",
        "-c",
        "'ls'",
        "\"$X\"",
        "$(id)",
        "`pwd`",
        "|",
        "&&",
        "||",
        ";",
        ">",
        ">>",
        "<",
        "out.txt",
        "/etc/passwd",
        "2>&1",
        "echo",
        "sed",
        "-i",
        "'s/a/b/'",
        "'1e id'",
        "find",
        ".",
        "-exec",
        "-delete",
        "\\;",
        "xargs",
        "env",
        "FOO=1",
        "sudo",
        "git",
        "push",
        "status",
        "awk",
        "'{system(\"id\")}'",
        "'{print $1}'",
        "eval",
        "source",
        "(",
        ")",
        "{",
        "}",
        "&",
        "$'\\x72m'",
        "r''m",
        "${IFS}",
        "<<<",
        "python3",
        "-",
        "tee",
        "nc",
        "dd",
        "of=/dev/sda",
        "cd",
        "/tmp",
        "~/.ssh/id_rsa",
        "grep",
        "-r",
        "KEY",
        "true",
        "if",
        "then",
        "fi",
        "for",
        "i",
        "in",
        "do",
        "done",
        "while",
        "\n",
    ])
}

const EXECUTORS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "env", "nice", "nohup", "timeout", "sudo", "su", "doas", "eval",
    "source", ".", "exec", "command", "python", "python3", "node", "perl", "ruby", "watch",
    "busybox",
];
const NETWORK: &[&str] = &[
    "curl", "wget", "nc", "ncat", "ssh", "scp", "socat", "telnet",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_arbitrary_text(s in ".{0,300}") {
        let _ = parse_script(&s);
        let _ = analyse(&["sh".into(), "-c".into(), s.clone()], ctx());
        let _ = analyse(&[s], ctx());
    }

    #[test]
    fn low_risk_means_no_write_network_or_execution(tokens in prop::collection::vec(token(), 1..14)) {
        let script = tokens.join(" ");
        let a = analyse(&["bash".into(), "-lc".into(), script.clone()], ctx());
        if a.risk() == Risk::Low {
            prop_assert!(a.writes.is_empty(), "{script:?} writes {:?}", a.writes);
            prop_assert!(a.hosts.is_empty(), "{script:?} contacts {:?}", a.hosts);
            prop_assert!(a.opaque.is_empty(), "{script:?} is opaque");
            for p in &a.parts {
                let Some(program) = p.argv.first() else { continue };
                let name = basename(program);
                prop_assert!(!NETWORK.contains(&name), "{script:?}: network client {name} judged low");
                let only_options = p.argv.iter().skip(1).all(|a| a.starts_with('-') || a.contains('='));
                let runs_other = EXECUTORS.contains(&name)
                    && !(name == "env" && only_options && !p.argv.iter().any(|a| a.starts_with("-S") || a.starts_with("--split")))
                    && !(name == "command" && p.argv.get(1).is_some_and(|a| a == "-v" || a == "-V"));
                // A shell part stands beside its own script's parts, which
                // were judged separately; any other executor must not be low.
                prop_assert!(!runs_other || matches!(name, "sh" | "bash" | "zsh" | "dash"), "{script:?}: {name} runs another program yet is low");
                prop_assert!(!(name == "find" && p.argv.iter().any(|w| w == "-exec" || w == "-delete")), "{script:?}: find action judged low");
                // `xargs` without a command echoes; with one, that command
                // must have been judged as a part of its own.
                if name == "xargs" {
                    prop_assert!(p.reason.contains("echoes"), "{script:?}: xargs with a command judged low");
                }
            }
        }
    }
}
