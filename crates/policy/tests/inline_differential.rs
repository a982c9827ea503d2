//! Where rampart and the interpreter could disagree about which word is
//! the program: each argv shape runs through the real interpreter, and the
//! word it executes must be the word `code_in_argv` analyses. Skips (with
//! the reason printed) where an interpreter is not installed.
#![allow(missing_docs, clippy::expect_used, clippy::panic, reason = "test")]

use std::process::Command;

use rampart_policy::inline::code_in_argv;

const MARK: &str = "rampart-inline-mark";

fn runs_mark(program: &str, args: &[String]) -> Option<bool> {
    let out = Command::new(program).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).contains(MARK))
}

fn check(program: &str, shapes: &[&[&str]], code: &str) {
    if Command::new(program).arg("--version").output().is_err() {
        println!("skipped: `{program}` is not installed");
        return;
    }
    for shape in shapes {
        let args: Vec<String> = shape.iter().map(|a| a.replace("CODE", code)).collect();
        let ran = runs_mark(program, &args).expect("ran");
        let found = code_in_argv(program, &args).map(|(_, c)| c);
        if ran {
            assert!(
                found.as_deref().is_some_and(|f| f.contains(code)),
                "gate bypassed: `{program} {}` runs the inline code but rampart found {found:?}",
                args.join(" ")
            );
        }
        assert!(
            ran || found.is_none() || found.as_deref() != Some(code),
            "{shape:?}"
        );
    }
}

#[test]
fn python_runs_the_code_rampart_analyses() {
    let code = format!("print('{MARK}')");
    check(
        "python3",
        &[
            &["-c", "CODE"],
            &["-Ic", "CODE"],
            &["-cCODE"],
            &["-W", "ignore", "-c", "CODE"],
            &["-Wignore", "-c", "CODE"],
            &["-X", "dev", "-c", "CODE"],
            &["-E", "-s", "-B", "-c", "CODE"],
            &["-OO", "-u", "-c", "CODE"],
            &["--check-hash-based-pycs", "never", "-c", "CODE"],
        ],
        &code,
    );
}

#[test]
fn node_runs_the_code_rampart_analyses() {
    let code = format!("console.log('{MARK}')");
    check(
        "node",
        &[
            &["-e", "CODE"],
            &["--eval", "CODE"],
            &["--eval=CODE"],
            &["-p", "CODE"],
            &["-pe", "CODE"],
            &["--no-warnings", "-e", "CODE"],
            &["--title", "x", "-e", "CODE"],
            &["--input-type=module", "-e", "CODE"],
            &["--stack-size=2000", "-e", "CODE"],
        ],
        &code,
    );
}

#[test]
fn awk_runs_the_program_rampart_analyses() {
    let code = format!("BEGIN {{ print \"{MARK}\" }}");
    check(
        "awk",
        &[
            &["CODE"],
            &["-F", ":", "CODE"],
            &["-F:", "CODE"],
            &["-v", "x=1", "CODE"],
            &["--", "CODE"],
        ],
        &code,
    );
}

#[test]
fn perl_runs_the_code_rampart_analyses() {
    let code = format!("print \"{MARK}\\n\"");
    check(
        "perl",
        &[
            &["-e", "CODE"],
            &["-we", "CODE"],
            &["-Mstrict", "-e", "CODE"],
            &["-E", "CODE"],
        ],
        &code,
    );
}
