//! Issue 12, class 1, red team: attacks on the clean sandbox (secrets,
//! `deny_read`, the inside uid, the terminal) that the first round of tests
//! did not try. Each fails with "sandbox breached: …" when the attack works
//! and comes with a control.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::fixture::{stderr, World};

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().mode() & 0o7777
}

/// Landlock has no right for a file's mode, times or extended attributes,
/// and the command owns every file its outside uid owns (all of root's
/// when rampart runs as root). Outside the writable roots it must change
/// none of them: no `chmod 644 ~/.ssh/id_*`, no `chmod u+s` on a host
/// program, no back-dated times.
#[test]
fn the_command_cannot_change_host_file_modes_or_times() {
    let w = World::new();
    let outside = w.sibling.join("file");
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o600)).unwrap();
    let key = w.home.join(".ssh/id_test");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mtime = std::fs::metadata(&outside).unwrap().mtime();
    for mode_mode in ["workspace-write", "read-only"] {
        for (what, path) in [
            ("a file outside the workspace", &outside),
            ("a deny_read file", &key),
        ] {
            let o = w.run([
                "exec",
                "--sandbox",
                mode_mode,
                "--",
                "sh",
                "-c",
                &format!("chmod 4777 '{p}'; touch -d 2001-01-01 '{p}'", p = s(path)),
            ]);
            assert_eq!(
                mode(path),
                0o600,
                "sandbox breached: {mode_mode}: the command changed the mode of {what} {} ({})",
                s(path),
                stderr(&o)
            );
        }
        assert_eq!(
            std::fs::metadata(&outside).unwrap().mtime(),
            mtime,
            "sandbox breached: {mode_mode}: the command changed the times of a file outside the workspace"
        );
    }
    // Control: in the workspace the command still sets modes (chmod +x on
    // a script it wrote).
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo 'echo ran' > script.sh && chmod 755 script.sh && ./script.sh",
    ]);
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("ran"),
        "control failed: chmod in the workspace: {}",
        stderr(&o)
    );
    assert_eq!(mode(&w.ws.join("script.sh")), 0o755);
}

/// rampart in a session of its own whose controlling terminal is a fresh
/// pty, with stdin, stdout and stderr on /dev/null (an agent's tool call,
/// a script with redirections): prints whether the pty's modes are the same
/// afterwards.
const CTTY_SCRIPT: &str = r#"
import os, pty, sys, termios
master, slave = pty.openpty()
name = os.ttyname(slave)
before = termios.tcgetattr(slave)
pid = os.fork()
if pid == 0:
    os.setsid()
    os.open(name, os.O_RDWR)
    null = os.open("/dev/null", os.O_RDWR)
    for i in (0, 1, 2):
        os.dup2(null, i)
    os.execv(sys.argv[1], sys.argv[1:])
os.waitpid(pid, 0)
after = termios.tcgetattr(slave)
print("same" if after == before else "changed", "echo" if after[3] & termios.ECHO else "noecho")
"#;

fn python3() -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("python3"))
        .find(|p| p.is_file())
}

/// With no terminal on stdio the command still reaches the controlling
/// terminal as `/dev/tty`; its modes come back too.
#[test]
fn the_controlling_terminal_comes_back_too() {
    let Some(python) = python3() else {
        eprintln!("SKIP the_controlling_terminal_comes_back_too: no python3 for the pty");
        return;
    };
    let w = World::new();
    let script = "stty -echo < /dev/tty";
    let run = |program: &Path, args: &[&str]| {
        let mut c = std::process::Command::new(&python);
        c.arg("-c").arg(CTTY_SCRIPT).arg(program).args(args);
        for (k, v) in w.cmd(["x"]).get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        c.current_dir(&w.ws);
        let out = c.output().unwrap();
        assert!(out.status.success(), "pty script: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let rampart = super::fixture::rampart_bin();
    for mode in ["workspace-write", "read-only"] {
        assert_eq!(
            run(&rampart, &["exec", "-q", "--sandbox", mode, "--", "sh", "-c", script]),
            "same echo",
            "sandbox breached: {mode}: the command changed the controlling terminal through /dev/tty for good"
        );
    }
    assert_eq!(
        run(
            &rampart,
            &["exec", "-q", "--timeout", "1", "--", "sh", "-c", &format!("{script}; sleep 30")]
        ),
        "same echo",
        "sandbox breached: a command killed by the timeout changed the controlling terminal for good"
    );
    // Control: the same command outside rampart does change it.
    assert_eq!(run(Path::new("/bin/sh"), &["-c", script]), "changed noecho");
}

/// `~/.aws` is a symlink to a directory that does not exist yet (a dotfiles
/// setup): what the host writes through the link during the run (`aws
/// configure`) must stay unreadable at the link's target too.
#[test]
fn a_dangling_deny_read_symlink_keeps_its_target_unreadable() {
    use super::fixture::{assert_denied, assert_ok, probe_bin, SECRET};
    let w = World::new();
    let target = w.sibling.join("aws");
    std::os::unix::fs::symlink(&target, w.home.join(".aws")).unwrap();
    let credentials = target.join("credentials");
    let spawn = |path: &Path| {
        w.cmd(["exec", "--", &s(&probe_bin()), "await-read", &s(path)])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let direct = spawn(&credentials);
    let through_link = spawn(&w.home.join(".aws/credentials"));
    std::thread::sleep(std::time::Duration::from_millis(700));
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(&credentials, SECRET).unwrap();
    for (how, child) in [("at the target", direct), ("through ~/.aws", through_link)] {
        let o = child.wait_with_output().unwrap();
        assert!(
            !String::from_utf8_lossy(&o.stdout).contains(SECRET),
            "sandbox breached: read credentials written through a dangling ~/.aws {how}"
        );
        assert_denied(&o, &format!("read credentials {how}"));
    }
    // Control: a file beside the target stays readable.
    assert_ok(
        &w.probe(&[], &["read", &s(&w.sibling.join("file"))]),
        "read a file beside the link's target",
    );
}

/// `TIOCSETD` replaces a terminal's line discipline: `N_NULL` on the user's
/// terminal leaves their shell deaf after the command ends, and rampart
/// restores modes, not disciplines. Refused by seccomp like `TIOCSTI`.
#[test]
fn the_command_cannot_change_a_terminal_line_discipline() {
    use super::fixture::{assert_denied, assert_ok, root_or_skip, stdout};
    let w = World::new();
    let o = w.probe(&[], &["tiocsetd"]);
    assert_denied(&o, "TIOCSETD on a terminal");
    assert!(
        stdout(&o).starts_with("denied 1 "),
        "sandbox breached: TIOCSETD should fail with EPERM from seccomp: {}",
        stdout(&o)
    );
    // Control: the probe's ioctl works outside the sandbox.
    if root_or_skip("tiocsetd") {
        assert_ok(
            &w.probe(&["--sandbox", "danger-full-access"], &["tiocsetd"]),
            "TIOCSETD outside the sandbox",
        );
    }
}

/// The host shows the home directory a second time (a bind mount, as
/// container and VM setups do): `~/.ssh` must stay unreadable by that name
/// too. Runs rampart in a mount namespace of its own (`unshare -m`), so the
/// host's mounts are not touched.
#[test]
fn a_deny_read_path_is_unreadable_through_a_bind_mount_of_its_parent() {
    use super::fixture::{assert_denied, assert_ok, probe_bin, root_or_skip, SECRET};
    if !root_or_skip("bind-mount alias") || !Path::new("/usr/bin/unshare").exists() {
        return;
    }
    let w = World::new();
    let alias = w.base.join("alias");
    std::fs::create_dir(&alias).unwrap();
    let run = |path: &Path| {
        let mut c = std::process::Command::new("/usr/bin/unshare");
        c.args(["-m", "--propagation", "private", "sh", "-c"])
            .arg(r#"mount --bind "$1" "$2" && shift 2 && exec "$@""#)
            .arg("sh")
            .arg(&w.home)
            .arg(&alias)
            .arg(super::fixture::rampart_bin())
            .args(["exec", "--", &s(&probe_bin()), "read", &s(path)]);
        for (k, v) in w.cmd(["x"]).get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        c.current_dir(&w.ws).output().unwrap()
    };
    let o = run(&alias.join(".ssh/id_test"));
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains(SECRET),
        "sandbox breached: read ~/.ssh/id_test through a bind mount of the home directory"
    );
    assert_denied(&o, "read ~/.ssh through a bind mount of the home directory");
    // Control: other files are readable by the second name.
    std::fs::write(w.home.join("notes"), "plain").unwrap();
    assert_ok(
        &run(&alias.join("notes")),
        "read a plain file through the bind mount",
    );
}

const PERM_SCRIPT: &str = r#"
import os, pty, subprocess, sys
master, slave = pty.openpty()
before = os.stat(os.ttyname(slave)).st_mode
subprocess.run(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave, timeout=60)
after = os.stat(os.ttyname(slave)).st_mode
print("same" if after == before else "changed %o" % after)
"#;

/// The command owns the terminal it was handed and can `chmod 666` it
/// through `/proc/self/fd/0`, which would let every local user read the
/// user's keystrokes after it ends. The permission comes back.
#[test]
fn the_terminal_permission_comes_back() {
    let Some(python) = python3() else {
        eprintln!("SKIP the_terminal_permission_comes_back: no python3 for the pty");
        return;
    };
    let w = World::new();
    let script = "chmod 666 /proc/self/fd/0";
    let run = |program: &Path, args: &[&str]| {
        let mut c = std::process::Command::new(&python);
        c.arg("-c").arg(PERM_SCRIPT).arg(program).args(args);
        for (k, v) in w.cmd(["x"]).get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        let out = c.current_dir(&w.ws).output().unwrap();
        assert!(out.status.success(), "pty script: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let rampart = super::fixture::rampart_bin();
    for mode in ["workspace-write", "read-only"] {
        assert_eq!(
            run(
                &rampart,
                &["exec", "-q", "--sandbox", mode, "--", "sh", "-c", script]
            ),
            "same",
            "sandbox breached: {mode}: the command left the user's terminal open to every user"
        );
    }
    // Control: the same command outside rampart does change it.
    assert_eq!(run(Path::new("/bin/sh"), &["-c", script]), "changed 20666");
}

/// `audit.postgres_url_env` names another variable and every variable is
/// inherited; a URL (with its password) still in `RAMPART_AUDIT_PG_URL`
/// must not pass as an ordinary variable, which no `*KEY*`-style pattern
/// matches.
#[test]
fn the_builtin_audit_url_variable_never_reaches_the_command() {
    use super::fixture::{probe_bin, stdout, ALLOW_ALL, BASE_CONFIG};
    let w = World::with_config(&format!(
        "{BASE_CONFIG}{ALLOW_ALL}[audit]\npostgres_url_env = \"OTHER_AUDIT_URL\"\n[shell_environment_policy]\ninherit = \"all\"\n"
    ));
    let probe = s(&probe_bin());
    let o = w
        .cmd(["exec", "--", &probe, "env", "RAMPART_AUDIT_PG_URL"])
        .env(
            "RAMPART_AUDIT_PG_URL",
            "postgres://u:pw-canary@127.0.0.1:1/x",
        )
        .output()
        .unwrap();
    assert!(
        !stdout(&o).contains("pw-canary"),
        "sandbox breached: RAMPART_AUDIT_PG_URL reached the command: {}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("<unset>"), "{}", stderr(&o));
    // Control: an ordinary variable passes.
    let o = w
        .cmd(["exec", "--", &probe, "env", "PLAIN_SETTING"])
        .env("PLAIN_SETTING", "plain-value")
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("plain-value"),
        "control failed: {}",
        stderr(&o)
    );
}
