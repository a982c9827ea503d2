//! A throwaway world for one test: a HOME with fake secrets, a workspace,
//! a sibling directory outside it, and a user config.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn rampart_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rampart"))
}

pub fn probe_bin() -> PathBuf {
    let p = rampart_bin().with_file_name("rampart-probe");
    assert!(
        p.exists(),
        "{} is missing: build it with `cargo build -p rampart-probe` (scripts/test.sh does)",
        p.display()
    );
    if !in_temp_dir(&p) {
        return p;
    }
    // A checkout under /tmp: a program run from a temporary directory is
    // unknown code to the policy (high), so the probe is run from a copy
    // kept outside (made atomically; every test process may make it).
    let dir = worlds_root().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("rampart-probe");
    let fresh = |c: &Path| {
        std::fs::metadata(c)
            .and_then(|m| m.modified())
            .ok()
            .zip(std::fs::metadata(&p).and_then(|m| m.modified()).ok())
            .is_some_and(|(c, p)| c >= p)
    };
    if !fresh(&copy) {
        let tmp = dir.join(format!("rampart-probe.{}", std::process::id()));
        std::fs::copy(&p, &tmp).unwrap();
        std::fs::rename(&tmp, &copy).unwrap();
    }
    copy
}

/// Whether `p` lies in a directory the policy and sandbox treat as
/// temporary (writable by default, programs there unknown code).
fn in_temp_dir(p: &Path) -> bool {
    ["/tmp", "/var/tmp", "/dev/shm", "/run/user"]
        .iter()
        .any(|t| p.starts_with(t))
}

/// Where test worlds live: the target's temp dir, unless the checkout is
/// itself under /tmp (which the sandbox makes writable by default, so every
/// `deny_read` path of a world there would have to exist): then under
/// `$HOME/.cache`.
pub fn worlds_root() -> PathBuf {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    if !in_temp_dir(&target) {
        return target;
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty() && !in_temp_dir(Path::new(h)))
        .map_or_else(|| PathBuf::from("/var/lib"), PathBuf::from);
    home.join(".cache/rampart-test-worlds")
}

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .is_some_and(|u| u.split_whitespace().nth(1) == Some("0"))
}

/// Skips (with a printed reason) a control that needs root.
pub fn root_or_skip(what: &str) -> bool {
    if is_root() {
        true
    } else {
        eprintln!("SKIP control `{what}`: needs root to succeed outside the sandbox");
        false
    }
}

pub struct World {
    _dir: tempfile::TempDir,
    pub base: PathBuf,
    pub home: PathBuf,
    pub ws: PathBuf,
    pub sibling: PathBuf,
    pub config: PathBuf,
}

pub const SECRET: &str = "FAKE-SECRET-MATERIAL-rampart-test";

/// A rule that lets every command through the decision.
pub const ALLOW_ALL: &str = "[[rules]]\ncommand = [\"*\"]\ndecision = \"allow\"\nreason = \"attack tests exercise the sandbox, not the policy\"\n";

/// The user config every test starts from: /tmp and $TMPDIR excluded so a
/// checkout under /tmp cannot make "outside the workspace" writable.
pub const BASE_CONFIG: &str = "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n[limits]\ntimeout_secs = 60\n";

impl World {
    /// A world whose policy allows everything, so that attacks meet the
    /// sandbox rather than the decision.
    pub fn new() -> Self {
        Self::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"))
    }

    pub fn with_config(config_text: &str) -> Self {
        let root = worlds_root();
        std::fs::create_dir_all(&root).unwrap();
        let dir = tempfile::Builder::new()
            .prefix("world-")
            .tempdir_in(&root)
            .unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        let home = base.join("home");
        let ws = base.join("ws");
        let sibling = base.join("sibling");
        for d in [
            &home,
            &ws,
            &sibling,
            &home.join(".ssh"),
            &base.join("xdg/rampart"),
        ] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(home.join(".ssh/id_test"), SECRET).unwrap();
        std::fs::write(home.join(".netrc"), SECRET).unwrap();
        std::fs::write(sibling.join("file"), "outside").unwrap();
        let config = base.join("xdg/rampart/config.toml");
        write_private(&config, config_text);
        Self {
            _dir: dir,
            base,
            home,
            ws,
            sibling,
            config,
        }
    }

    pub fn set_config(&self, text: &str) {
        write_private(&self.config, text);
    }

    /// `rampart ARGS` with a clean environment pointing at this world.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = Command::new(rampart_bin());
        c.args(args)
            .current_dir(&self.ws)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.base.join("xdg"))
            .env("XDG_STATE_HOME", self.base.join("state"))
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .stdin(Stdio::null());
        c
    }

    /// `$XDG_RUNTIME_DIR` of this world (0700), where the daemon's socket
    /// directory goes.
    pub fn runtime_dir(&self) -> PathBuf {
        use std::os::unix::fs::DirBuilderExt;
        let d = self.base.join("run");
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&d);
        d
    }

    /// The daemon's socket in this world.
    pub fn socket(&self) -> PathBuf {
        self.runtime_dir().join("rampart/rampart.sock")
    }

    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd(args).output().unwrap()
    }

    /// `rampart ARGS` with `input` on stdin.
    pub fn run_with_stdin<I, S>(&self, args: I, input: &[u8]) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        use std::io::Write;
        let mut c = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // rampart may refuse and exit before it reads its input: a broken
        // pipe is then part of the answer, not a test failure.
        if let Err(e) = c.stdin.take().unwrap().write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
        c.wait_with_output().unwrap()
    }

    /// `rampart exec [FLAGS] -- rampart-probe ACTION...`
    pub fn probe(&self, flags: &[&str], action: &[&str]) -> Output {
        let mut args: Vec<String> = vec!["exec".into()];
        args.extend(flags.iter().map(|s| (*s).to_owned()));
        args.push("--".into());
        args.push(probe_bin().display().to_string());
        args.extend(action.iter().map(|s| (*s).to_owned()));
        self.run(args)
    }

    pub fn git(&self, dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.invalid",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .env("HOME", &self.home)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the probe reported a refusal.
#[track_caller]
pub fn assert_denied(o: &Output, what: &str) {
    let out = stdout(o);
    assert!(
        out.starts_with("denied") && o.status.code() == Some(1),
        "sandbox breached: {what} succeeded (exit {:?}, stdout `{out}`, stderr `{}`)",
        o.status.code(),
        stderr(o)
    );
}

/// Asserts the probe reported success (a control).
#[track_caller]
pub fn assert_ok(o: &Output, what: &str) {
    let out = stdout(o);
    assert!(
        out.starts_with("ok") && o.status.success(),
        "control failed: {what} should work here (exit {:?}, stdout `{out}`, stderr `{}`)",
        o.status.code(),
        stderr(o)
    );
}

// ---- issue 12 class 5: processes outside the test's own tree

impl World {
    /// `program` with this world's environment.
    pub fn like(&self, program: impl AsRef<OsStr>) -> Command {
        let base = self.cmd(Vec::<String>::new());
        let mut c = Command::new(program);
        c.env_clear().current_dir(&self.ws).stdin(Stdio::null());
        for (k, v) in base.get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        c
    }

    /// `rampart approvals ARGS` as the human types it in another terminal:
    /// another session, not a descendant of the asker.
    pub fn answer_from_another_terminal(&self, args: &[&str]) -> (String, String) {
        let mut c = self.like("setsid");
        c.arg("-f").arg(rampart_bin()).arg("approvals").args(args);
        run_orphaned(
            c,
            &self.base.join("human.out"),
            &self.base.join("human.err"),
        )
    }
}

/// Runs `command` (already set up to write `out`/`err`) so that it ends
/// up outside this process's tree; waits for it to write something.
pub fn run_orphaned(mut command: Command, out: &Path, err: &Path) -> (String, String) {
    let status = command
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(std::fs::File::create(err).unwrap())
        .status()
        .unwrap();
    assert!(status.success(), "could not start the orphaned command");
    let t = Instant::now();
    loop {
        let (o, e) = (
            std::fs::read_to_string(out).unwrap_or_default(),
            std::fs::read_to_string(err).unwrap_or_default(),
        );
        if !o.is_empty() || !e.is_empty() {
            std::thread::sleep(Duration::from_millis(200));
            return (
                std::fs::read_to_string(out).unwrap_or_default(),
                std::fs::read_to_string(err).unwrap_or_default(),
            );
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the orphaned command said nothing"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

impl World {
    /// Like [`World::with_config`], but the world lives under `root` (for
    /// example `/tmp`, to test a workspace there).
    pub fn with_config_under(root: &Path, config_text: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("world-")
            .tempdir_in(root)
            .unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        let (home, ws, sibling) = (base.join("home"), base.join("ws"), base.join("sibling"));
        for d in [&home, &ws, &sibling, &base.join("xdg/rampart")] {
            std::fs::create_dir_all(d).unwrap();
        }
        // Under a writable root (/tmp), every deny_read path must exist.
        make_default_deny_paths(&home);
        let config = base.join("xdg/rampart/config.toml");
        write_private(&config, config_text);
        Self {
            _dir: dir,
            base,
            home,
            ws,
            sibling,
            config,
        }
    }
}

/// Creates rampart's default `deny_read` paths under `home` (empty, owner
/// only). A deny path inside a writable root must exist, or rampart
/// refuses to run (it could not hide what appears there later).
pub fn make_default_deny_paths(home: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for d in [".ssh", ".aws", ".gnupg", ".config/gh", ".docker"] {
        let p = home.join(d);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    for f in [".netrc", ".docker/config.json"] {
        let p = home.join(f);
        if !p.exists() {
            std::fs::write(&p, "").unwrap();
        }
    }
}

/// The decision and reason of a `rampart hook claude-code` answer; the
/// hook must exit 0 with JSON whatever it decides.
pub fn hook_answer(o: &Output) -> (String, String) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "the hook must exit 0 with an answer: {}",
        stderr(o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("hook output is not JSON ({e}): {}", stdout(o)));
    let h = &v["hookSpecificOutput"];
    let s = |k: &str| h[k].as_str().unwrap_or_default().to_owned();
    (s("permissionDecision"), s("permissionDecisionReason"))
}

/// Claude Code's hook asked about one tool call made from the workspace:
/// the decision and its reason.
pub fn hook_call(w: &World, tool: &str, input: &serde_json::Value) -> (String, String) {
    let body = serde_json::json!({
        "session_id": "s1",
        "transcript_path": w.home.join(".claude/t.jsonl"),
        "cwd": w.ws,
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": input,
        "tool_use_id": "toolu_1",
    });
    hook_answer(&w.run_with_stdin(["hook", "claude-code"], body.to_string().as_bytes()))
}

/// `rampart serve` for a world, running until dropped; `start` returns once
/// its socket answers.
pub struct Serve(std::process::Child);

impl Serve {
    pub fn start(w: &World) -> Self {
        let child = w
            .cmd(["serve"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let t = std::time::Instant::now();
        while std::os::unix::net::UnixStream::connect(w.socket()).is_err() {
            assert!(
                t.elapsed() < std::time::Duration::from_secs(20),
                "the daemon did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Self(child)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `rampart exec -- sh -c SCRIPT` in `w`'s workspace.
pub fn exec_sh(w: &World, script: &str) -> Output {
    w.run(["exec", "--", "sh", "-c", script])
}

/// Fails with "sandbox breached: …" when `cond` holds.
#[track_caller]
pub fn breached_if(cond: bool, what: &str, o: &Output) {
    assert!(
        !cond,
        "sandbox breached: {what} (exit {:?}, stdout `{}`, stderr `{}`)",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

/// What a user (or a shell prompt on `cd`) runs in `dir` on the host after
/// a run: `git status`, or an empty commit when `commit`.
pub fn host_git(w: &World, dir: &Path, commit: bool) {
    let args: &[&str] = if commit {
        &[
            "-c",
            "user.name=u",
            "-c",
            "user.email=u@x",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ]
    } else {
        &["status", "--short"]
    };
    let _ = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", &w.home)
        .output();
}

// ------------------------------------------- the trail and MCP, for tests

/// Every event in the trail, oldest first (none when there is no trail).
pub fn trail(w: &World) -> Vec<serde_json::Value> {
    let q = w.run(["audit", "query", "--json", "--limit", "100000"]);
    if !q.status.success() && stderr(&q).contains("no audit trail") {
        return Vec::new();
    }
    let all: Vec<serde_json::Value> = serde_json::from_str(&stdout(&q))
        .unwrap_or_else(|e| panic!("audit query --json ({e}): {} {}", stdout(&q), stderr(&q)));
    all.into_iter().map(|e| e["event"].clone()).collect()
}

/// `rampart mcp -C ws`: one `tools/call` of `tool` with `arguments`; the
/// call's whole JSON-RPC answer.
pub fn mcp_call(w: &World, tool: &str, arguments: &serde_json::Value) -> serde_json::Value {
    use std::io::{BufRead as _, Write as _};
    let mut child = w
        .cmd(["mcp", "-C"])
        .arg(&w.ws)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for m in [
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "fixture", "version": "1"}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": tool, "arguments": arguments}}),
    ] {
        writeln!(stdin, "{m}").unwrap();
    }
    stdin.flush().unwrap();
    let mut answer = serde_json::Value::Null;
    for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
        let v: serde_json::Value =
            serde_json::from_str(&line.unwrap()).unwrap_or(serde_json::Value::Null);
        if v["id"] == 2 {
            answer = v;
            break;
        }
    }
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    assert!(answer["result"].is_object(), "no {tool} answer: {answer}");
    answer
}

/// The text an MCP tool answered.
pub fn mcp_text(answer: &serde_json::Value) -> String {
    answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
