//! Issue 12, class 1: nothing of the host's secrets inside the sandbox.
//! Each test is an attack that fails with "sandbox breached: …" when it
//! works, paired with a control that shows the same probe does see what it
//! may see.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::fixture::{
    assert_denied, assert_ok, is_root, probe_bin, rampart_bin, stderr, stdout, World, SECRET,
};

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// A value no other test or process holds.
fn random_token(tag: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.write_u32(std::process::id());
    format!("{tag}{:016x}", h.finish())
}

const MARKER: &str = "rampart-canary-";

#[test]
fn no_process_inside_holds_a_stripped_variable() {
    let w = World::new();
    let key = random_token(MARKER);
    let token = random_token(MARKER);
    let pg_password = random_token(MARKER);
    let visible = random_token(MARKER);
    let o = w
        .cmd([
            "exec",
            "--keep-env",
            "VISIBLE_CANARY",
            "--",
            &s(&probe_bin()),
            "scan-proc",
            MARKER,
        ])
        .env("FAKE_API_KEY", &key)
        .env("MY_SECRET_TOKEN", &token)
        .env(
            "RAMPART_AUDIT_PG_URL",
            format!("postgres://u:{pg_password}@127.0.0.1/x"),
        )
        .env("VISIBLE_CANARY", &visible)
        .output()
        .unwrap();
    let out = stdout(&o);
    assert_ok(&o, "scanning /proc inside the sandbox");
    for (name, value) in [
        ("FAKE_API_KEY", &key),
        ("MY_SECRET_TOKEN", &token),
        ("RAMPART_AUDIT_PG_URL", &pg_password),
    ] {
        assert!(
            !out.contains(value.as_str()),
            "sandbox breached: the value of {name} is readable inside the sandbox:\n{out}"
        );
    }
    // The sandbox's init (PID 1) is rampart's own process: its memory is
    // closed and its command line empty.
    assert!(
        out.lines().any(|l| l.starts_with("1 mem: denied")),
        "sandbox breached: the memory of the sandbox's init is readable:\n{out}"
    );
    assert!(
        !out.lines()
            .any(|l| l.starts_with("1 ") && !l.starts_with("1 mem: denied")),
        "sandbox breached: the init's environ or cmdline shows a marker:\n{out}"
    );
    // Control: a variable the policy keeps is found, in environ and in the
    // memory of a process the probe may read.
    assert!(
        out.lines()
            .any(|l| l.contains(" environ: ") && l.contains(&visible)),
        "control failed: the kept variable is not seen in /proc/N/environ:\n{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains(" mem: ") && l.contains(&visible)),
        "control failed: the kept variable is not seen in /proc/N/mem:\n{out}"
    );
}

/// The paths of the world's default deny_read list: `~/.ssh` (a directory)
/// and `~/.netrc` (a file) exist, `~/.aws` and `~/.gnupg` do not.
#[test]
fn mountinfo_names_no_deny_read_path() {
    let w = World::new();
    assert!(!w.home.join(".aws").exists());
    for table in ["/proc/self/mountinfo", "/proc/mounts"] {
        let o = w.probe(&[], &["read", table]);
        assert_ok(&o, &format!("read {table}"));
        let text = stdout(&o);
        for name in [".ssh", ".netrc", ".aws", ".gnupg", ".config/gh"] {
            let path = s(&w.home.join(name));
            assert!(
                !text.contains(&path),
                "sandbox breached: {table} names the deny_read path {path}:\n{text}"
            );
        }
        // Control: the table is the sandbox's own (its private /proc).
        assert!(text.contains("proc"), "{table} looks empty: {text}");
    }
    // And the paths are still unreadable.
    assert_denied(
        &w.probe(&[], &["read", &s(&w.home.join(".ssh/id_test"))]),
        "read ~/.ssh/id_test",
    );
    assert_denied(
        &w.probe(&[], &["read", &s(&w.home.join(".netrc"))]),
        "read ~/.netrc",
    );
}

/// Starts `rampart exec -- rampart-probe await-read PATH` in the background.
fn await_read(w: &World, path: &Path) -> std::process::Child {
    w.cmd(["exec", "--", &s(&probe_bin()), "await-read", &s(path)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn deny_read_path_created_during_the_run_stays_unreadable() {
    let w = World::new();
    std::fs::create_dir_all(w.home.join("docs")).unwrap();
    let aws = w.home.join(".aws");
    let credentials = aws.join("credentials");
    let netrc_file = w.home.join("docs/new-notes");
    let denied = await_read(&w, &credentials);
    let allowed = await_read(&w, &netrc_file);
    std::thread::sleep(Duration::from_millis(700));
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(&credentials, SECRET).unwrap();
    std::fs::write(&netrc_file, "notes written during the run").unwrap();
    let o = denied.wait_with_output().unwrap();
    assert!(
        !stdout(&o).contains(SECRET),
        "sandbox breached: read {} created during the run",
        s(&credentials)
    );
    assert_denied(&o, "read a deny_read file the host created during the run");
    // Control: a file the host creates meanwhile elsewhere is readable.
    let o = allowed.wait_with_output().unwrap();
    assert_ok(&o, "read a file the host created during the run");
    assert!(stdout(&o).contains("notes written during the run"));
}

#[test]
fn missing_deny_read_path_in_a_writable_root_is_refused() {
    let w = World::new();
    let inside = w.ws.join("private");
    w.set_config(&format!(
        "{}[filesystem]\ndeny_read = [\"{}\"]\n",
        super::fixture::BASE_CONFIG.to_owned() + super::fixture::ALLOW_ALL,
        s(&inside)
    ));
    let o = w.probe(&[], &["read", &s(&inside.join("key"))]);
    let err = stderr(&o);
    assert!(
        o.status.code() != Some(0) && err.contains("does not exist") && err.contains(&s(&inside)),
        "gate bypassed: a missing deny_read path in the workspace was not refused (exit {:?}): {err}",
        o.status.code()
    );
    assert!(
        err.contains("mkdir -m 700"),
        "the refusal names no fix: {err}"
    );
    // Control: once it exists it is masked, and the run goes ahead.
    std::fs::create_dir_all(&inside).unwrap();
    std::fs::write(inside.join("key"), SECRET).unwrap();
    let o = w.probe(&[], &["read", &s(&inside.join("key"))]);
    assert!(!stdout(&o).contains(SECRET), "sandbox breached: read it");
    assert_denied(&o, "read a deny_read file inside the workspace");
    assert_ok(
        &w.probe(&[], &["write", &s(&w.ws.join("out"))]),
        "write in the workspace",
    );
}

#[test]
fn the_command_is_never_root_inside() {
    let w = World::new();
    for mode in ["workspace-write", "read-only"] {
        let o = w.run(["exec", "--sandbox", mode, "--", "id", "-u"]);
        assert!(o.status.success(), "id -u failed: {}", stderr(&o));
        let uid = stdout(&o).trim().to_owned();
        assert_ne!(uid, "0", "sandbox breached: uid 0 inside in {mode}");
        if is_root() {
            assert_eq!(uid, "65534", "root runs the command as nobody inside");
        }
    }
    // Control: workspace writes still work, files land owned by the
    // invoking uid outside and appear owned by the inside user.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo hi > made-inside && stat -c %u made-inside && id -u",
    ]);
    assert!(o.status.success(), "write failed: {}", stderr(&o));
    let lines: Vec<String> = stdout(&o).lines().map(str::to_owned).collect();
    assert_eq!(lines.first(), lines.get(1), "owner inside = inside uid");
    let outside = std::fs::metadata(w.ws.join("made-inside")).unwrap().uid();
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    assert_eq!(outside, me, "owned by the invoking uid outside");
    // doctor shows the inside uid.
    let o = w.run(["--json", "doctor", "--no-trial"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["inside_uid"].to_string(), lines[1]);
}

const PTY_SCRIPT: &str = r#"
import os, pty, subprocess, sys, termios
master, slave = pty.openpty()
before = termios.tcgetattr(slave)
subprocess.run(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave, timeout=60)
after = termios.tcgetattr(slave)
echo = bool(after[3] & termios.ECHO)
intr = after[6][termios.VINTR]
print("same" if after == before else "changed", "echo" if echo else "noecho", "intr", intr != b"\x00" and intr != 0)
"#;

#[test]
fn the_terminal_comes_back_as_it_was_lent() {
    let Ok(python) = which("python3") else {
        eprintln!("SKIP the_terminal_comes_back_as_it_was_lent: no python3 for the pty");
        return;
    };
    let w = World::new();
    let script = "stty -echo; stty intr undef";
    let run = |args: &[&str]| {
        let mut c = Command::new(&python);
        c.arg("-c").arg(PTY_SCRIPT).arg(rampart_bin()).args(args);
        for (k, v) in w.cmd(["x"]).get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        c.current_dir(&w.ws);
        let out = c.output().unwrap();
        assert!(out.status.success(), "pty script: {}", stderr(&out));
        stdout(&out).trim().to_owned()
    };
    for mode in ["workspace-write", "read-only", "danger-full-access"] {
        assert_eq!(
            run(&["exec", "-q", "--sandbox", mode, "--", "sh", "-c", script]),
            "same echo intr True",
            "sandbox breached: the command changed the terminal for good in {mode}"
        );
    }
    // Killed by the timeout while the terminal is changed.
    assert_eq!(
        run(&[
            "exec",
            "-q",
            "--timeout",
            "1",
            "--",
            "sh",
            "-c",
            "stty -echo; stty intr undef; sleep 30"
        ]),
        "same echo intr True",
        "sandbox breached: a command killed by the timeout changed the terminal for good"
    );
    // Control: the same command outside rampart does change it, so the
    // script can tell.
    let o = Command::new(&python)
        .arg("-c")
        .arg(PTY_SCRIPT)
        .args(["sh", "-c", script])
        .output()
        .unwrap();
    assert_eq!(stdout(&o).trim(), "changed noecho intr False");
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn deny_read_content_cannot_be_reached_another_way() {
    let w = World::new();
    let key = w.home.join(".ssh/id_test");
    let stolen = w.ws.join("stolen");
    assert_denied(
        &w.probe(&[], &["link", &s(&key), &s(&stolen)]),
        "hard-link a deny_read file into the workspace",
    );
    assert_denied(
        &w.probe(&[], &["rename", &s(&key), &s(&stolen)]),
        "move a deny_read file into the workspace",
    );
    let link = w.ws.join("link-to-key");
    std::os::unix::fs::symlink(&key, &link).unwrap();
    for path in [
        s(&link),
        format!("/proc/self/root{}", s(&key)),
        format!("{}/../home/.ssh/id_test", s(&w.ws)),
    ] {
        let o = w.probe(&[], &["read", &path]);
        assert!(
            !stdout(&o).contains(SECRET),
            "sandbox breached: read {path}"
        );
        assert_denied(&o, &format!("read {path}"));
    }
    assert!(key.exists() && !stolen.exists());
    // Control: the same ways work for a file outside deny_read.
    let notes = w.home.join("notes");
    std::fs::write(&notes, "plain").unwrap();
    assert_ok(
        &w.probe(&[], &["read", &format!("/proc/self/root{}", s(&notes))]),
        "read an ordinary file through /proc/self/root",
    );
}

/// Under `inherit = "all"` a variable whose name says nothing
/// (`DATABASE_URL`, `REDIS_URL`) but whose value holds a password in a URL
/// does not reach the command; `--keep-env` still passes it on purpose.
#[test]
fn a_password_in_a_url_variable_never_reaches_the_command() {
    use super::fixture::{ALLOW_ALL, BASE_CONFIG};
    let w = World::with_config(&format!(
        "{BASE_CONFIG}{ALLOW_ALL}[shell_environment_policy]\ninherit = \"all\"\n"
    ));
    let probe = s(&probe_bin());
    let pw = random_token(MARKER);
    let url = format!("postgres://app:{pw}@db.internal:5432/app");
    let o = w
        .cmd(["exec", "--", &probe, "env", "DATABASE_URL"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        !stdout(&o).contains(&pw),
        "sandbox breached: a database password in DATABASE_URL reached the command: {}",
        stdout(&o)
    );
    // Controls: a URL without a password passes; `--keep-env` is obeyed.
    let o = w
        .cmd(["exec", "--", &probe, "env", "PLAIN_URL"])
        .env("PLAIN_URL", "https://docs.example/x")
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("https://docs.example/x"),
        "control failed: {}",
        stderr(&o)
    );
    let o = w
        .cmd([
            "exec",
            "--keep-env",
            "DATABASE_URL",
            "--",
            &probe,
            "env",
            "DATABASE_URL",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(stdout(&o).contains(&pw), "control failed: {}", stderr(&o));
}

/// Other credential stores and shell histories are hidden by default when
/// they exist (`~/.git-credentials`, `~/.kube/config`, `~/.bash_history`,
/// …), in the sandbox and to the file tools alike; a missing one does not
/// stop a workspace at `$HOME` from starting.
#[test]
fn credential_stores_and_histories_are_hidden_when_present() {
    use super::fixture::{hook_call, make_default_deny_paths};
    let w = World::new();
    let secret = random_token(MARKER);
    for f in [".git-credentials", ".bash_history", ".pgpass"] {
        std::fs::write(w.home.join(f), format!("{secret}\n")).unwrap();
    }
    for f in [".git-credentials", ".bash_history", ".pgpass"] {
        let p = w.home.join(f);
        let o = w.run(["exec", "--", "cat", &s(&p)]);
        assert!(
            !stdout(&o).contains(&secret),
            "sandbox breached: `~/{f}` was readable: {}",
            stdout(&o)
        );
        let (decision, _) = hook_call(&w, "Read", &serde_json::json!({"file_path": p}));
        assert_eq!(
            decision, "deny",
            "gate bypassed: the hook let Read open `~/{f}`"
        );
    }
    // Control: a workspace at `$HOME` without `~/.kube` or the histories
    // starts, and reads its own files.
    make_default_deny_paths(&w.home);
    for f in [".git-credentials", ".bash_history", ".pgpass"] {
        std::fs::remove_file(w.home.join(f)).unwrap();
    }
    std::fs::write(w.home.join("notes.txt"), "mine\n").unwrap();
    let o = w
        .cmd(["exec", "--", "cat", "notes.txt"])
        .current_dir(&w.home)
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "mine\n", "control failed: {}", stderr(&o));
}
