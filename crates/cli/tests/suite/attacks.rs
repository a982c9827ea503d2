//! Each test is an attack that must fail inside the sandbox ("sandbox
//! breached: …" when it succeeds), paired with a control showing the same
//! action works where the mode allows it, so a sandbox that blocks
//! everything fails the suite too.

use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::os::unix::net::UnixListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::fixture::{assert_denied, assert_ok, root_or_skip, stderr, stdout, World, SECRET};

const FULL: &[&str] = &["--sandbox", "danger-full-access", "-q"];

fn s(p: &std::path::Path) -> String {
    p.display().to_string()
}

#[test]
fn writes_outside_the_workspace_fail() {
    let w = World::new();
    assert_ok(
        &w.probe(&[], &["write", &s(&w.ws.join("f"))]),
        "write in the workspace",
    );
    assert_denied(
        &w.probe(&[], &["write", &s(&w.sibling.join("f"))]),
        "write to a sibling directory",
    );
    assert_denied(
        &w.probe(&[], &["write", &s(&w.home.join("f"))]),
        "write to $HOME",
    );
    let etc = format!("/etc/rampart-breach-{}", std::process::id());
    let o = w.probe(&[], &["write", &etc]);
    let _ = std::fs::remove_file(&etc);
    assert_denied(&o, "write to /etc");
    assert!(!w.sibling.join("f").exists() && !w.home.join("f").exists());
}

#[test]
fn writable_root_flag_grants_exactly_that_root() {
    let w = World::new();
    let sib = s(&w.sibling);
    assert_ok(
        &w.probe(
            &["--writable-root", &sib],
            &["write", &s(&w.sibling.join("f"))],
        ),
        "write to --writable-root",
    );
    assert_denied(
        &w.probe(
            &["--writable-root", &sib],
            &["write", &s(&w.home.join("f"))],
        ),
        "write outside the extra root",
    );
}

#[test]
fn symlink_in_workspace_pointing_outside() {
    let w = World::new();
    std::os::unix::fs::symlink(&w.sibling, w.ws.join("out")).unwrap();
    std::fs::create_dir(w.ws.join("inner")).unwrap();
    std::os::unix::fs::symlink(w.ws.join("inner"), w.ws.join("in")).unwrap();
    assert_ok(
        &w.probe(&[], &["write", "in/f"]),
        "write through a symlink inside the workspace",
    );
    assert_denied(
        &w.probe(&[], &["write", "out/f"]),
        "write through a symlink pointing outside",
    );
    assert!(!w.sibling.join("f").exists());
}

#[test]
fn hard_link_to_an_outside_file() {
    let w = World::new();
    std::fs::write(w.ws.join("mine"), "x").unwrap();
    assert_ok(
        &w.probe(&[], &["link", "mine", "mine2"]),
        "hard link inside the workspace",
    );
    assert_denied(
        &w.probe(&[], &["link", &s(&w.sibling.join("file")), "stolen"]),
        "hard link to an outside file",
    );
}

#[test]
fn rename_across_the_boundary() {
    let w = World::new();
    std::fs::write(w.ws.join("a"), "x").unwrap();
    assert_ok(
        &w.probe(&[], &["rename", "a", "b"]),
        "rename inside the workspace",
    );
    assert_denied(
        &w.probe(&[], &["rename", &s(&w.sibling.join("file")), "file"]),
        "rename an outside file in",
    );
    assert_denied(
        &w.probe(&[], &["rename", "b", &s(&w.sibling.join("b"))]),
        "rename a file out",
    );
    assert!(w.sibling.join("file").exists() && w.ws.join("b").exists());
}

#[test]
fn writes_through_proc_self_root_and_fd() {
    let w = World::new();
    let via_root = format!("/proc/self/root{}", s(&w.sibling.join("f")));
    assert_denied(
        &w.probe(&[], &["write", &via_root]),
        "write through /proc/self/root",
    );
    assert_ok(
        &w.probe(
            &[],
            &["write", &format!("/proc/self/root{}", s(&w.ws.join("f")))],
        ),
        "write through /proc/self/root into the workspace",
    );
    let script = format!("exec 3<{}; echo x > /proc/self/fd/3/f", s(&w.sibling));
    let o = w.run(["exec", "--", "sh", "-c", &script]);
    assert!(
        !o.status.success() && !w.sibling.join("f").exists(),
        "sandbox breached: write through /proc/self/fd: {}",
        stderr(&o)
    );
    let script = format!("exec 3<{}; echo x > /proc/self/fd/3/g", s(&w.ws));
    assert!(
        w.run(["exec", "--", "sh", "-c", &script]).status.success(),
        "control: /proc/self/fd into the workspace"
    );
}

#[test]
fn tcp_to_host_loopback() {
    let w = World::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    assert_denied(
        &w.probe(&[], &["tcp", &addr]),
        "TCP to the host's 127.0.0.1",
    );
    assert_ok(
        &w.probe(&["--network"], &["tcp", &addr]),
        "TCP with --network",
    );
    let (mut conn, _) = listener.accept().unwrap();
    let mut buf = [0u8; 4];
    conn.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
}

#[test]
fn udp_to_host_loopback() {
    let w = World::new();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let addr = sock.local_addr().unwrap().to_string();
    let o = w.probe(&[], &["udp", &addr]);
    let mut buf = [0u8; 16];
    assert!(
        sock.recv(&mut buf).is_err(),
        "sandbox breached: a UDP datagram reached the host ({})",
        stdout(&o)
    );
    assert_denied(&o, "UDP to the host's 127.0.0.1");
    assert_ok(
        &w.probe(&["--network"], &["udp", &addr]),
        "UDP with --network",
    );
    assert_eq!(sock.recv(&mut buf).unwrap(), 4);
}

#[test]
fn host_unix_socket_file() {
    let w = World::new();
    let path = w.base.join("host.sock");
    let _listener = UnixListener::bind(&path).unwrap();
    assert_denied(
        &w.probe(&[], &["unix", &s(&path)]),
        "connect to a host Unix socket file",
    );
    assert_denied(
        &w.probe(&["--network"], &["unix", &s(&path)]),
        "connect to a host Unix socket file with --network",
    );
    assert_ok(
        &w.probe(FULL, &["unix", &s(&path)]),
        "connect outside the sandbox",
    );
    assert_ok(
        &w.probe(&[], &["socketpair"]),
        "socketpair inside the sandbox",
    );
}

#[test]
fn host_abstract_socket() {
    use std::os::linux::net::SocketAddrExt;
    let w = World::new();
    let name = format!("rampart-test-{}", std::process::id());
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let _listener = UnixListener::bind_addr(&addr).unwrap();
    assert_denied(
        &w.probe(&[], &["abstract", &name]),
        "connect to a host abstract socket",
    );
    // With the network on and Unix sockets allowed, only Landlock's scoping stands in the way.
    w.set_config(&format!(
        "{}allow_unix_sockets = true\n",
        super::fixture::BASE_CONFIG
            .replace("[limits]", "[x]")
            .split("[x]")
            .next()
            .unwrap()
    ));
    assert_denied(
        &w.probe(&["--network"], &["abstract", &name]),
        "abstract socket with --network and allow_unix_sockets",
    );
    assert_ok(
        &w.probe(&[], &["unix-listen", &s(&w.ws.join("own.sock"))]),
        "a Unix socket server inside the sandbox with allow_unix_sockets",
    );
    assert_ok(
        &w.probe(FULL, &["abstract", &name]),
        "connect outside the sandbox",
    );
}

#[test]
fn ptrace_is_refused() {
    let w = World::new();
    assert_denied(&w.probe(&[], &["ptrace"]), "ptrace of another process");
    if root_or_skip("ptrace") {
        assert_ok(&w.probe(FULL, &["ptrace"]), "ptrace outside the sandbox");
    }
}

fn host_sleeper() -> std::process::Child {
    Command::new("sleep")
        .arg("30")
        .env("RAMPART_HOST_MARK", "visible")
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn host_process_environ_is_unreadable() {
    let w = World::new();
    let mut child = host_sleeper();
    let pid = child.id().to_string();
    let o = w.probe(&[], &["environ", &pid]);
    let full = w.probe(FULL, &["environ", &pid]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_denied(&o, "reading /proc/PID/environ of a host process");
    assert_ok(&full, "reading it outside the sandbox");
}

#[test]
fn host_process_cannot_be_killed() {
    let w = World::new();
    let mut child = host_sleeper();
    let pid = child.id().to_string();
    assert_denied(&w.probe(&[], &["kill", &pid]), "kill of a host process");
    assert!(
        child.try_wait().unwrap().is_none(),
        "sandbox breached: the host process died"
    );
    assert_ok(&w.probe(FULL, &["kill", &pid]), "kill outside the sandbox");
    assert!(child.wait().unwrap().code().is_none());
}

#[test]
fn kernel_surfaces_are_refused() {
    let w = World::new();
    let mnt = s(&w.ws);
    for action in [
        vec!["mount", mnt.as_str()],
        vec!["unshare-user"],
        vec!["io-uring"],
        vec!["bpf"],
        vec!["perf"],
        vec!["keyctl"],
        vec!["tiocsti"],
    ] {
        let o = w.probe(&[], &action);
        assert_denied(&o, &action.join(" "));
        assert!(
            stdout(&o).starts_with("denied 1 "),
            "{action:?} should fail with EPERM from seccomp: {}",
            stdout(&o)
        );
        if root_or_skip(action[0]) {
            assert_ok(
                &w.probe(FULL, &action),
                &format!("{} outside the sandbox", action[0]),
            );
        }
    }
}

#[test]
fn dev_shm_is_private() {
    let w = World::new();
    let name = format!("/dev/shm/rampart-test-{}", std::process::id());
    assert_ok(
        &w.probe(&[], &["write", &name]),
        "write to /dev/shm inside the sandbox",
    );
    assert!(
        !std::path::Path::new(&name).exists(),
        "sandbox breached: a /dev/shm write is visible to the host"
    );
    assert_ok(
        &w.probe(FULL, &["write", &name]),
        "write to /dev/shm outside",
    );
    assert!(std::path::Path::new(&name).exists());
    std::fs::remove_file(&name).unwrap();
}

#[test]
fn deny_read_paths_are_hidden_in_every_confined_mode() {
    let w = World::new();
    let key = s(&w.home.join(".ssh/id_test"));
    let netrc = s(&w.home.join(".netrc"));
    for mode in ["workspace-write", "read-only"] {
        let o = w.probe(&["--sandbox", mode], &["read", &key]);
        assert!(
            !stdout(&o).contains(SECRET),
            "sandbox breached: read {key} in {mode}"
        );
        assert_denied(&o, &format!("read a file under deny_read in {mode}"));
        // Names inside a deny_read directory can be listed (Landlock grants
        // listing along the way to it; see docs/SANDBOX.md, "deny_read"),
        // nothing under it can be read, at any depth.
        let nested = w.home.join(".ssh/keys.d/nested");
        std::fs::create_dir_all(nested.parent().unwrap()).unwrap();
        std::fs::write(&nested, SECRET).unwrap();
        assert_denied(
            &w.probe(&["--sandbox", mode], &["read", &s(&nested)]),
            &format!("read a file deeper under ~/.ssh in {mode}"),
        );
        assert!(
            !stdout(&w.probe(&["--sandbox", mode], &["list", &s(&w.home.join(".ssh"))]))
                .contains(SECRET),
            "sandbox breached: listing ~/.ssh in {mode} shows content"
        );
        assert_denied(
            &w.probe(&["--sandbox", mode], &["read", &netrc]),
            &format!("read ~/.netrc in {mode}"),
        );
    }
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!(
            "grep -r FAKE-SECRET {} 2>/dev/null; cat {key} 2>/dev/null; true",
            s(&w.home)
        ),
    ]);
    assert!(
        !stdout(&o).contains(SECRET),
        "sandbox breached: grep found the secret"
    );
    assert_ok(
        &w.probe(&[], &["list", &s(&w.home)]),
        "the rest of $HOME stays readable",
    );
    let full = w.probe(FULL, &["read", &key]);
    assert_ok(&full, "read outside the sandbox");
    assert!(stdout(&full).contains(SECRET));
}

#[test]
fn no_capability_survives() {
    let w = World::new();
    let o = w.probe(&[], &["caps"]);
    assert_ok(&o, "reading /proc/self/status");
    let caps = stdout(&o);
    for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        assert!(
            caps.contains(&format!("{set}:\t0000000000000000")),
            "sandbox breached: {set} not zero in `{caps}`"
        );
    }
    assert!(
        caps.contains("NoNewPrivs:\t1"),
        "no_new_privs not set: {caps}"
    );
    if root_or_skip("caps") {
        assert!(
            !stdout(&w.probe(FULL, &["caps"])).contains("CapEff:\t0000000000000000"),
            "control: root outside keeps capabilities"
        );
    }
}

#[test]
fn secret_environment_variables_stay_out() {
    let w = World::new();
    let o = w
        .cmd([
            "exec",
            "--",
            &super::fixture::probe_bin().display().to_string(),
            "env",
            "FAKE_API_KEY",
        ])
        .env("FAKE_API_KEY", "fake-value-123")
        .output()
        .unwrap();
    assert!(
        !stdout(&o).contains("fake-value-123"),
        "sandbox breached: a *KEY* variable reached the command"
    );
    assert_eq!(stdout(&o).trim(), "ok <unset>");
    let o = w
        .cmd([
            "exec",
            "--keep-env",
            "FAKE_API_KEY",
            "--",
            &super::fixture::probe_bin().display().to_string(),
            "env",
            "FAKE_API_KEY",
        ])
        .env("FAKE_API_KEY", "fake-value-123")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&o).trim(),
        "ok fake-value-123",
        "--keep-env lets it through"
    );
}

#[test]
fn fork_bomb_beyond_the_process_limit() {
    let w = World::new();
    let o = w.probe(&["--max-procs", "20"], &["fork", "60"]);
    assert_denied(&o, "60 processes under --max-procs 20");
    assert!(
        stdout(&o).starts_with("denied 11 "),
        "fork should fail with EAGAIN: {}",
        stdout(&o)
    );
    assert_ok(
        &w.probe(&["--max-procs", "200"], &["fork", "60"]),
        "60 processes under --max-procs 200",
    );
}

#[test]
fn allocation_beyond_the_memory_limit() {
    let w = World::new();
    let o = w.probe(&["--memory", "64"], &["alloc", "256"]);
    assert!(
        !stdout(&o).starts_with("ok"),
        "sandbox breached: allocated 256 MiB under --memory 64: {}",
        stdout(&o)
    );
    assert!(
        o.status.code() == Some(137) || stdout(&o).starts_with("denied"),
        "expected an OOM kill or ENOMEM: {:?} {}",
        o.status,
        stderr(&o)
    );
    assert_ok(
        &w.probe(&["--memory", "64"], &["alloc", "16"]),
        "16 MiB under --memory 64",
    );
}

#[test]
fn timeout_kills_grandchildren() {
    let w = World::new();
    let marker = w.ws.join("marker");
    let script = format!("(sleep 2; touch {}) & sleep 30", s(&marker));
    let started = std::time::Instant::now();
    let o = w.run(["exec", "--timeout", "1", "--", "sh", "-c", &script]);
    assert_eq!(o.status.code(), Some(124), "{}", stderr(&o));
    assert!(started.elapsed() < Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        !marker.exists(),
        "sandbox breached: a grandchild outlived the timeout"
    );
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!("(sleep 0.2; touch {}) ; true", s(&marker)),
    ]);
    assert!(
        o.status.success() && marker.exists(),
        "control: the grandchild runs without a timeout"
    );
}

#[test]
fn nested_rampart_cannot_loosen_the_sandbox() {
    let w = World::new();
    let rampart = super::fixture::rampart_bin().display().to_string();
    let probe = super::fixture::probe_bin().display().to_string();
    let target = s(&w.sibling.join("nested"));
    // Inside the sandbox the audit directory is read-only, so a nested
    // rampart cannot record: it refuses (fail closed) …
    let o = w.run([
        "exec", "--", &rampart, "exec", "-q", "--", &probe, "write", &target,
    ]);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot record"), "{}", stderr(&o));
    assert!(!w.sibling.join("nested").exists());
    // … and with `fail_closed = false` (its own --config) it runs, still
    // inside the outer sandbox, which it cannot loosen.
    let nested_cfg = w.ws.join("nested.toml");
    std::fs::write(&nested_cfg, "[audit]\nfail_closed = false\n").unwrap();
    let nested_cfg = s(&nested_cfg);
    let o = w.run([
        "exec",
        "--",
        &rampart,
        "--config",
        &nested_cfg,
        "exec",
        "--sandbox",
        "danger-full-access",
        "-q",
        "--",
        &probe,
        "write",
        &target,
    ]);
    assert!(
        !w.sibling.join("nested").exists(),
        "sandbox breached: nested danger-full-access wrote outside"
    );
    assert!(
        stdout(&o).starts_with("denied"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let o = w.run([
        "exec",
        "--",
        &rampart,
        "--config",
        &nested_cfg,
        "exec",
        "--network",
        "--",
        &probe,
        "tcp",
        &addr,
    ]);
    assert!(
        !stdout(&o).starts_with("ok"),
        "sandbox breached: nested --network reached the host"
    );
    let o = w.run([
        "exec",
        "--",
        &rampart,
        "--config",
        &nested_cfg,
        "exec",
        "--sandbox",
        "danger-full-access",
        "-q",
        "--",
        &probe,
        "write",
        &s(&w.ws.join("nested-ok")),
    ]);
    assert_ok(&o, "nested rampart writing inside the workspace");
}

#[test]
fn dot_git_is_read_only_by_default() {
    let w = World::new();
    w.git(&w.ws, &["init", "-q"]);
    let o = w.run(["exec", "--", "sh", "-c", "echo '[core]' >> .git/config"]);
    assert!(!o.status.success(), "sandbox breached: wrote .git/config");
    assert_denied(
        &w.probe(&[], &["write", ".git/hooks/pre-commit"]),
        "create a git hook",
    );
    assert_denied(
        &w.probe(&[], &["rename", ".git", "moved"]),
        "rename .git away",
    );
    assert_ok(
        &w.probe(&[], &["write", "tracked.txt"]),
        "write a work-tree file",
    );
    assert_ok(
        &w.probe(&["--allow-git-writes"], &["write", ".git/hooks/pre-commit"]),
        "hooks with --allow-git-writes",
    );
}

fn sandboxed_git(
    w: &World,
    flags: &[&str],
    dir: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    let mut a: Vec<&str> = vec!["exec", "-C"];
    let d = s(dir);
    a.push(&d);
    a.extend(flags);
    a.extend([
        "--",
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.invalid",
    ]);
    a.extend(args);
    w.run(a)
}

#[test]
fn git_commits_mode_commits_but_guards_config_and_hooks() {
    let w = World::new();
    w.git(&w.ws, &["init", "-q"]);
    std::fs::write(w.ws.join("a.txt"), "a").unwrap();
    let denied = sandboxed_git(&w, &[], &w.ws, &["add", "a.txt"]);
    assert!(
        !denied.status.success(),
        "sandbox breached: git add with .git read-only"
    );
    let commits = ["--allow-git-writes=commits"];
    assert!(sandboxed_git(&w, &commits, &w.ws, &["add", "a.txt"])
        .status
        .success());
    let o = sandboxed_git(&w, &commits, &w.ws, &["commit", "-qm", "first"]);
    assert!(o.status.success(), "commit in commits mode: {}", stderr(&o));
    let o = sandboxed_git(&w, &commits, &w.ws, &["branch", "feature"]);
    assert!(o.status.success(), "branch in commits mode: {}", stderr(&o));
    let o = sandboxed_git(
        &w,
        &commits,
        &w.ws,
        &["config", "core.hooksPath", "/tmp/evil"],
    );
    assert!(
        !o.status.success(),
        "sandbox breached: git config in commits mode"
    );
    for path in [
        ".git/hooks/pre-commit",
        ".git/info/attributes",
        ".git/config",
    ] {
        assert_denied(
            &w.probe(&commits, &["write", path]),
            &format!("write {path} in commits mode"),
        );
    }
    assert_denied(
        &w.probe(&commits, &["rename", ".git/config", ".git/config.old"]),
        "rename .git/config in commits mode",
    );
    assert_denied(
        &w.probe(&commits, &["rename", ".git", "moved"]),
        "rename .git in commits mode",
    );
    let cfg = std::fs::read_to_string(w.ws.join(".git/config")).unwrap();
    assert!(!cfg.contains("hooksPath"));
}

#[test]
fn git_worktree_gitdir_elsewhere_is_protected_and_commits_work() {
    let w = World::new();
    let main = w.sibling.join("main");
    std::fs::create_dir(&main).unwrap();
    w.git(&main, &["init", "-q"]);
    std::fs::write(main.join("a"), "a").unwrap();
    w.git(&main, &["add", "a"]);
    w.git(&main, &["commit", "-qm", "init"]);
    let wt = w.ws.join("wt");
    w.git(&main, &["worktree", "add", "-q", &s(&wt), "-b", "wt"]);
    std::fs::write(wt.join("b"), "b").unwrap();
    assert!(
        !sandboxed_git(&w, &[], &wt, &["add", "b"]).status.success(),
        "sandbox breached: git add in a worktree with .git read-only"
    );
    assert_denied(
        &w.probe(&["-C", &s(&wt)], &["write", ".git"]),
        "rewrite the worktree's .git file",
    );
    let commits = ["--allow-git-writes=commits"];
    assert!(sandboxed_git(&w, &commits, &wt, &["add", "b"])
        .status
        .success());
    let o = sandboxed_git(&w, &commits, &wt, &["commit", "-qm", "in worktree"]);
    assert!(o.status.success(), "commit in a worktree: {}", stderr(&o));
    assert_denied(
        &w.probe(
            &["-C", &s(&wt), "--allow-git-writes=commits"],
            &["write", &s(&main.join(".git/config"))],
        ),
        "common config from a worktree",
    );
    assert_denied(
        &w.probe(
            &["-C", &s(&wt), "--allow-git-writes=commits"],
            &["write", &s(&main.join(".git/worktrees/wt/commondir"))],
        ),
        "redirect commondir",
    );
    assert_denied(
        &w.probe(
            &["-C", &s(&wt), "--allow-git-writes=commits"],
            &["write", ".git"],
        ),
        "rewrite the .git file in commits mode",
    );
}

#[test]
fn read_only_mode_writes_nothing_to_the_host() {
    let w = World::new();
    let ro = ["--sandbox", "read-only"];
    assert_denied(
        &w.probe(&ro, &["write", "f"]),
        "write in the workspace in read-only mode",
    );
    let tmp = format!("/tmp/rampart-ro-{}", std::process::id());
    assert_ok(&w.probe(&ro, &["write", &tmp]), "write to the private /tmp");
    assert!(
        !std::path::Path::new(&tmp).exists(),
        "sandbox breached: a read-only /tmp write reached the host"
    );
    assert_ok(
        &w.probe(&ro, &["read", &s(&w.sibling.join("file"))]),
        "read outside the workspace",
    );
    let host = tempfile::Builder::new()
        .prefix("rampart-ro-host-")
        .tempfile_in("/tmp")
        .unwrap();
    let host_path = s(host.path());
    assert_ok(
        &w.probe(&ro, &["rename", &host_path, &format!("{host_path}.moved")]),
        "move a /tmp file inside the sandbox",
    );
    assert!(
        host.path().exists(),
        "sandbox breached: a read-only sandbox moved a host /tmp file"
    );
}

#[test]
fn slash_tmp_is_writable_unless_excluded() {
    let w = World::with_config("");
    let tmp = format!("/tmp/rampart-ww-{}", std::process::id());
    assert_ok(
        &w.probe(&[], &["write", &tmp]),
        "write to /tmp in workspace-write",
    );
    assert!(std::path::Path::new(&tmp).exists());
    std::fs::remove_file(&tmp).unwrap();
    w.set_config(
        "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n",
    );
    if !w.ws.starts_with("/tmp") {
        assert_denied(
            &w.probe(&[], &["write", &tmp]),
            "write to /tmp with exclude_slash_tmp",
        );
    }
}

#[test]
fn raw_block_devices_are_unreachable() {
    use std::os::unix::fs::FileTypeExt;
    let w = World::new();
    let Some(disk) = std::fs::read_dir("/dev")
        .unwrap()
        .flatten()
        .find(|e| e.file_type().is_ok_and(|t| t.is_block_device()))
        .map(|e| e.path())
    else {
        eprintln!("SKIP raw_block_devices_are_unreachable: this host has no block device in /dev");
        return;
    };
    assert_denied(
        &w.probe(&[], &["read", &s(&disk)]),
        "read a raw block device",
    );
    let o = w.run(["exec", "--", "ls", "/dev"]);
    let listing = stdout(&o);
    assert!(
        listing.contains("null") && listing.contains("pts") && listing.contains("shm"),
        "{listing}"
    );
    assert!(
        !listing.contains(disk.file_name().unwrap().to_str().unwrap()),
        "sandbox breached: /dev lists {}",
        disk.display()
    );
    if root_or_skip("read a block device") {
        let o = w.probe(FULL, &["read", &s(&disk)]);
        // Binary data is not UTF-8: the probe reports that, not a permission error.
        assert!(
            !stdout(&o).contains("denied 13"),
            "control: root outside can open {}",
            disk.display()
        );
    }
}

#[test]
fn host_terminals_are_out_of_reach() {
    use std::io::BufRead;
    let w = World::new();
    let mut holder = Command::new(super::fixture::probe_bin())
        .args(["hold-pty", "20"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let pts = line.trim().to_owned();
    assert!(pts.starts_with("/dev/pts/"), "{pts}");
    let inside = w.probe(&[], &["write", &pts, "injected"]);
    let outside = w.probe(FULL, &["write", &pts, "control"]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_denied(&inside, "write to another terminal of the host");
    assert_ok(&outside, "write to it outside the sandbox");
}

#[test]
fn inherited_descriptors_do_not_cross() {
    let w = World::new();
    let leak = w.sibling.join("leak");
    let rampart = super::fixture::rampart_bin().display().to_string();
    let script = format!(
        "exec 3>>{}; {rampart} exec -- sh -c 'echo pwned >&3'",
        s(&leak)
    );
    let o = Command::new("sh")
        .args(["-c", &script])
        .current_dir(&w.ws)
        .env("HOME", &w.home)
        .env("XDG_CONFIG_HOME", w.base.join("xdg"))
        .output()
        .unwrap();
    assert!(
        std::fs::read_to_string(&leak)
            .unwrap_or_default()
            .is_empty(),
        "sandbox breached: wrote through an inherited descriptor ({})",
        stderr(&o)
    );
    let script = format!(
        "exec 3>>{}; {rampart} exec -q --sandbox danger-full-access -- sh -c 'echo fine >&3'",
        s(&leak)
    );
    Command::new("sh")
        .args(["-c", &script])
        .current_dir(&w.ws)
        .env("HOME", &w.home)
        .env("XDG_CONFIG_HOME", w.base.join("xdg"))
        .status()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&leak).unwrap(),
        "fine\n",
        "control: the descriptor works outside the sandbox"
    );
}

#[test]
fn rampart_config_is_read_only_inside_the_sandbox() {
    let w = World::new();
    let xdg = w.ws.join(".config");
    std::fs::create_dir_all(xdg.join("rampart")).unwrap();
    let user_cfg = xdg.join("rampart/config.toml");
    std::fs::copy(&w.config, &user_cfg).unwrap();
    std::fs::write(w.ws.join("rampart.toml"), "[limits]\ntimeout_secs = 30\n").unwrap();
    let probe = super::fixture::probe_bin().display().to_string();
    let run = |args: &[&str]| {
        let mut a = vec!["exec", "--", probe.as_str()];
        a.extend(args);
        w.cmd(a).env("XDG_CONFIG_HOME", &xdg).output().unwrap()
    };
    assert_denied(
        &run(&[
            "write",
            &s(&user_cfg),
            "sandbox_mode = \"danger-full-access\"\n",
        ]),
        "rewrite the user config from inside",
    );
    assert_denied(
        &run(&["write", &s(&xdg.join("rampart/new.toml"))]),
        "add a file to the user config directory",
    );
    assert_denied(
        &run(&[
            "write",
            "rampart.toml",
            "sandbox_mode = \"danger-full-access\"\n",
        ]),
        "rewrite the project config",
    );
    assert_ok(
        &run(&["write", &s(&xdg.join("other.toml"))]),
        "write elsewhere in the workspace's .config",
    );
}

#[test]
fn read_only_mode_keeps_a_workspace_under_tmp_visible_and_unwritable() {
    let w = World::new();
    let ws = tempfile::Builder::new()
        .prefix("rampart-ro-ws-")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::write(ws.path().join("data"), "visible").unwrap();
    let dir = s(ws.path());
    let o = w.probe(&["--sandbox", "read-only", "-C", &dir], &["read", "data"]);
    assert_ok(&o, "read the workspace under /tmp in read-only mode");
    assert_eq!(stdout(&o), "ok visible\n");
    assert_denied(
        &w.probe(&["--sandbox", "read-only", "-C", &dir], &["write", "new"]),
        "write a workspace under /tmp in read-only mode",
    );
    assert!(!ws.path().join("new").exists());
}

#[test]
fn a_path_rule_binds_the_resource_not_the_tool() {
    let rule = "[[rules]]\npath = \"**/.env*\"\naccess = [\"read\"]\ndecision = \"deny\"\nreason = \"secrets stay put\"\n";
    let w = World::with_config(&format!("{}{rule}", super::fixture::BASE_CONFIG));
    std::fs::create_dir(w.ws.join("config")).unwrap();
    std::fs::write(w.ws.join(".env"), format!("API_KEY={SECRET}\n")).unwrap();
    std::fs::write(w.ws.join("config/.env.local"), format!("TOKEN={SECRET}\n")).unwrap();
    std::fs::write(w.ws.join("notes.txt"), "API_KEY is documented here\n").unwrap();

    // The decision refuses a direct read.
    let o = w.run(["exec", "--", "cat", ".env"]);
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(stderr(&o).contains("secrets stay put"), "{}", stderr(&o));
    // So do reads inside a script, seen by the analyser.
    assert_eq!(
        w.run(["exec", "--", "sh", "-c", "ls; . ./.env"])
            .status
            .code(),
        Some(126)
    );
    // Reads it cannot see (a recursive grep, a program of its own) meet the
    // sandbox, which hides the matching files.
    let o = w.run(["exec", "--", "sh", "-c", "grep -r KEY ."]);
    let out = stdout(&o);
    assert!(
        !out.contains(SECRET),
        "sandbox breached: a path-rule file was read inside a script: {out}"
    );
    assert!(
        out.contains("notes.txt"),
        "control: other files stay readable: {out}"
    );
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "f=.en; cat ${f}v config/${f}v.local",
    ]);
    assert!(
        o.status.code() != Some(126),
        "the decision cannot see this read: {}",
        stderr(&o)
    );
    assert!(
        !stdout(&o).contains(SECRET),
        "sandbox breached: a path-rule file read through a run-time name"
    );
    // Without the rule, the same script reads them (control).
    let w2 = World::with_config(super::fixture::BASE_CONFIG);
    std::fs::write(w2.ws.join(".env"), format!("API_KEY={SECRET}\n")).unwrap();
    let o = w2.run(["exec", "--", "sh", "-c", "grep -r KEY ."]);
    assert!(
        stdout(&o).contains(SECRET),
        "control failed: {}",
        stdout(&o)
    );
}

#[test]
fn a_write_path_rule_makes_matches_read_only_inside() {
    let rule = "[[rules]]\npath = \"**/*.lock\"\naccess = [\"write\"]\ndecision = \"deny\"\nreason = \"lock files are reviewed\"\n";
    let w = World::with_config(&format!("{}{rule}", super::fixture::BASE_CONFIG));
    std::fs::write(w.ws.join("Cargo.lock"), "orig").unwrap();
    assert_eq!(
        w.run(["exec", "--", "sh", "-c", "echo changed > Cargo.lock"])
            .status
            .code(),
        Some(126),
        "the decision refuses a visible write"
    );
    assert_denied(
        &w.probe(&[], &["write", "Cargo.lock", "changed"]),
        "write a path-rule file with a program the analyser cannot see into",
    );
    assert_eq!(
        std::fs::read_to_string(w.ws.join("Cargo.lock")).unwrap(),
        "orig"
    );
    assert_ok(
        &w.probe(&[], &["read", "Cargo.lock"]),
        "a write rule leaves the file readable",
    );
    assert_ok(
        &w.probe(&[], &["write", "other.txt"]),
        "other files stay writable",
    );
}
