//! Issue 12, red team round 9: attacks on the check after the run
//! (`crates/sandbox/src/nested.rs`). Each fails with "sandbox breached: …"
//! while the attack works.

use super::fixture::*;

/// A folder with a protected name (`.vscode`, `.husky`, `.idea`, ...)
/// below a `node_modules` is neither checked as agent config (packages
/// publish those) nor walked (`Walk::root` skips every folder whose name is
/// protected, "checked as a whole above"), so a git directory inside it is
/// never seen. A `.git` file elsewhere points git at it.
#[test]
fn rt9_git_dir_inside_a_protected_folder_below_node_modules_is_never_checked() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "mkdir -p node_modules/p/.vscode sub && cd node_modules/p/.vscode && git init -q --bare g && git -C g config core.bare false && git -C g config core.fsmonitor 'touch {}; false' && cd ../../../sub && printf 'gitdir: ../node_modules/p/.vscode/g\\n' > .git",
            marker.display()
        ),
    );
    host_git(&w, &w.ws.join("sub"), false);
    breached_if(
        marker.exists(),
        "host `git status` in `sub` ran the fsmonitor of a git directory hidden in `node_modules/p/.vscode/g`",
        &o,
    );
}

/// The check tells a change by the ctime of `config`, the hooks and the
/// last component of a protected path. Renaming a folder moves the
/// folder's ctime only: a folder staged in an earlier run (not a git
/// directory then: no `HEAD`, so nothing was checked) and renamed to
/// `.git` in the next keeps its fsmonitor and hook; a folder holding
/// `config.toml` renamed to `.cargo` keeps a cargo config.
#[test]
fn rt9_a_folder_staged_in_an_earlier_run_and_renamed_in_keeps_its_config_and_hooks() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let hooked = w.base.join("hook-ran-on-the-host");
    let first = exec_sh(
        &w,
        &format!(
            "mkdir -p sub/g/hooks sub/c && printf '[core]\\n\\tbare = false\\n\\tfsmonitor = \"touch {}; false\"\\n' > sub/g/config && printf '#!/bin/sh\\ntouch {}\\n' > sub/g/hooks/pre-commit && chmod +x sub/g/hooks/pre-commit && printf '[build]\\nrustc-wrapper = \"/bin/false\"\\n' > sub/c/config.toml",
            marker.display(),
            hooked.display()
        ),
    );
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    // A later run (the next command of the same agent).
    std::thread::sleep(std::time::Duration::from_millis(50));
    let o = exec_sh(
        &w,
        "cd sub && mkdir g/objects g/refs && echo 'ref: refs/heads/main' > g/HEAD && mv g .git && mv c .cargo",
    );
    host_git(&w, &w.ws.join("sub"), false);
    breached_if(
        marker.exists(),
        "host `git status` in `sub` ran the fsmonitor of a folder renamed to `.git`",
        &o,
    );
    host_git(&w, &w.ws.join("sub"), true);
    breached_if(
        hooked.exists(),
        "host `git commit` in `sub` ran a hook of a folder renamed to `.git`",
        &o,
    );
    breached_if(
        w.ws.join("sub/.cargo/config.toml").exists(),
        "a `.cargo/config.toml` renamed in (`mv c .cargo`) was left in place",
        &o,
    );
}

/// In `allow_git_writes = "commits"` mode a linked worktree's common dir
/// (`main/.git`, outside the workspace) is writable, but the check after
/// the run walks only the workspace, the writable roots and the temporary
/// directories: a git directory made inside `main/.git/objects/` is never
/// seen, and a `.git` file in the workspace points git at it.
#[test]
fn rt9_git_dir_made_in_the_common_dir_of_a_linked_worktree_is_never_checked() {
    let w = World::with_config(&format!(
        "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\nallow_git_writes = \"commits\"\n[limits]\ntimeout_secs = 60\n{ALLOW_ALL}"
    ));
    let main = w.base.join("main");
    std::fs::create_dir_all(&main).unwrap();
    w.git(&main, &["init", "-q"]);
    w.git(&main, &["commit", "-q", "--allow-empty", "-m", "init"]);
    w.git(
        &main,
        &["worktree", "add", "-q", &w.ws.display().to_string()],
    );
    let marker = w.base.join("ran-on-the-host");
    let evil = main.join(".git/objects/evil");
    let o = exec_sh(
        &w,
        &format!(
            "E={e} && mkdir -p $E/objects $E/refs && echo 'ref: refs/heads/main' > $E/HEAD && printf '[core]\\n\\tbare = false\\n\\tfsmonitor = \"touch {m}; false\"\\n' > $E/config && mkdir sub && printf 'gitdir: {e}\\n' > sub/.git",
            e = evil.display(),
            m = marker.display()
        ),
    );
    host_git(&w, &w.ws.join("sub"), false);
    breached_if(
        marker.exists(),
        "host `git status` in `sub` ran the fsmonitor of a git directory made in the linked worktree's common dir (`main/.git/objects/evil`)",
        &o,
    );
}

/// The check runs `git config --file` on every changed `config` of a git
/// directory. A FIFO there blocks git's `open` for ever: `rampart exec`
/// never returns, and when the user interrupts it the repository with an
/// fsmonitor beside it (walked after it) is never quarantined.
#[test]
fn rt9_a_fifo_named_config_hangs_the_check_and_leaves_what_follows() {
    use std::os::unix::process::CommandExt;
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let mut c = w.cmd([
        "exec",
        "--",
        "sh",
        "-c",
        &format!(
            "mkdir -p x/objects x/refs && echo 'ref: refs/heads/main' > x/HEAD && mkfifo x/config && mkdir -p x/sub && cd x/sub && git init -q && git config core.fsmonitor 'touch {}; false'",
            marker.display()
        ),
    ]);
    let mut child = c
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut hung = false;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            hung = true;
            // The user's Ctrl-C, to the whole process group.
            let _ = std::process::Command::new("kill")
                .args(["-INT", "--", &format!("-{}", child.id())])
                .status();
            std::thread::sleep(std::time::Duration::from_secs(2));
            let _ = child.kill();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let o = child.wait_with_output().unwrap();
    host_git(&w, &w.ws.join("x/sub"), false);
    breached_if(
        marker.exists(),
        &format!(
            "a FIFO at `x/config` (x: a git directory by structure) {} the check after the run, and host `git status` in `x/sub` then ran the fsmonitor left there",
            if hung { "hung" } else { "did not stop" }
        ),
        &o,
    );
    assert!(
        !hung,
        "sandbox breached: `rampart exec` hung for 30 s after the command ended (a FIFO named `config` in a git directory)"
    );
}

/// The workspace's own repository names a hooks folder in the workspace
/// (`core.hooksPath = githooks`, a common setup; only `.githooks`,
/// `.git-hooks` and `.husky` are protected names). The config is held
/// read-only, but what it points at is not: the command rewrites the hook
/// and the user's next commit runs it.
#[test]
fn rt9_hooks_in_the_folder_named_by_core_hookspath_can_be_rewritten() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    w.git(&w.ws, &["config", "core.hooksPath", "githooks"]);
    std::fs::create_dir_all(w.ws.join("githooks")).unwrap();
    w.git(&w.ws, &["commit", "-q", "--allow-empty", "-m", "init"]);
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "printf '#!/bin/sh\\ntouch {}\\n' > githooks/pre-commit; chmod +x githooks/pre-commit; echo ok > notes.txt",
            marker.display()
        ),
    );
    // Control: the rest of the worktree stays writable.
    assert!(
        w.ws.join("notes.txt").exists(),
        "control failed: {}",
        stderr(&o)
    );
    host_git(&w, &w.ws, true);
    breached_if(
        marker.exists(),
        "host `git commit` ran a pre-commit hook the command wrote in the folder `core.hooksPath` names",
        &o,
    );
}

/// The workspace's own repository includes a tracked file
/// (`include.path = ../.gitconfig`, a common way to share settings). The
/// command appends an fsmonitor to it; `.gitconfig` below the workspace is
/// no protected name and the file is not in a git directory.
#[test]
fn rt9_a_config_file_included_by_the_workspace_repository_can_be_rewritten() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    w.git(&w.ws, &["config", "include.path", "../.gitconfig"]);
    std::fs::write(w.ws.join(".gitconfig"), "[pull]\n\trebase = true\n").unwrap();
    w.git(&w.ws, &["add", "-A"]);
    w.git(&w.ws, &["commit", "-q", "-m", "init"]);
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "printf '[core]\\n\\tfsmonitor = \"touch {}; false\"\\n' >> .gitconfig",
            marker.display()
        ),
    );
    host_git(&w, &w.ws, false);
    breached_if(
        marker.exists(),
        "host `git status` ran an fsmonitor the command added to the `.gitconfig` the repository includes",
        &o,
    );
}

/// `rust-toolchain.toml` is no protected name, at the top or below, yet
/// rustup honours it in the folder and its parents on every `cargo` and
/// `rustc` (shell prompts such as starship run `rustc --version` on `cd`
/// into a crate): `[toolchain] path` names the directory whose `bin/rustc`
/// and `bin/cargo` it runs.
#[test]
fn rt9_rust_toolchain_toml_names_the_program_rustup_runs() {
    let has_rustup = std::process::Command::new("rustup")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_rustup {
        eprintln!("SKIP: rustup is not installed");
        return;
    }
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "mkdir -p tc/bin && printf '#!/bin/sh\\ntouch {m}\\necho rustc 1.0\\n' > tc/bin/rustc && chmod +x tc/bin/rustc && printf '[toolchain]\\npath = \"{t}\"\\n' > rust-toolchain.toml",
            m = marker.display(),
            t = w.ws.join("tc").display()
        ),
    );
    // The user's own rustup (their HOME), in the folder, from a shell
    // (not from cargo, which pins the toolchain in `RUSTUP_TOOLCHAIN`).
    let _ = std::process::Command::new("rustc")
        .arg("--version")
        .current_dir(&w.ws)
        .env_remove("RUSTUP_TOOLCHAIN")
        .output();
    breached_if(
        marker.exists(),
        "host `rustc --version` in the workspace ran the program a `rust-toolchain.toml` the command wrote names",
        &o,
    );
}

/// A directory whose path is longer than `PATH_MAX` is skipped in silence
/// (`Walk::list` returns `None` when `symlink_metadata` fails with
/// `ENAMETOOLONG`, and nothing is noted): a git directory with an
/// fsmonitor below it is neither quarantined nor reported, and the run
/// exits 0 as clean, though the docs promise "a path too long" makes it
/// "not known to be clean" (exit 126).
#[test]
fn rt9_a_git_dir_below_a_path_longer_than_path_max_is_skipped_in_silence() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    // bash: dash's `cd` gives up past PATH_MAX.
    let o = w.run([
        "exec",
        "--",
        "bash",
        "-c",
        "N=$(printf 'n%.0s' $(seq 200)) && mkdir deep && cd deep && for i in $(seq 25); do mkdir $N && cd $N || exit 9; done && mkdir -p g/objects g/refs && echo 'ref: refs/heads/main' > g/HEAD && printf '[core]\\n\\tbare = false\\n\\tfsmonitor = \"touch /x; false\"\\n' > g/config",
    ]);
    let left = std::process::Command::new("bash")
        .args([
            "-c",
            "N=$(printf 'n%.0s' $(seq 200)) && cd deep && for i in $(seq 25); do cd $N || exit 9; done && grep -q fsmonitor g/config",
        ])
        .current_dir(&w.ws)
        .status()
        .unwrap()
        .success();
    breached_if(
        left && o.status.code() != Some(126),
        "a git directory with an fsmonitor below a path longer than PATH_MAX was neither quarantined nor reported (the run passed as clean)",
        &o,
    );
}

/// The same staging with the file tool and one sandboxed run: Claude
/// Code's Write of `sub/g/config` (no `HEAD` beside it yet, so not a git
/// directory by structure) is allowed, and the next Bash command makes the
/// folder the `.git` of `sub` by a rename, which leaves the config's ctime
/// as the Write set it.
#[test]
fn rt9_a_config_written_by_the_file_tool_then_renamed_to_git_runs_on_the_host() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let config = w.ws.join("sub/g/config");
    let content = format!(
        "[core]\n\tbare = false\n\tfsmonitor = \"touch {}; false\"\n",
        marker.display()
    );
    let input = serde_json::json!({"file_path": config.display().to_string(), "content": content});
    let (decision, reason) = super::fixture::hook_call(&w, "Write", &input);
    if decision != "allow" {
        return;
    }
    eprintln!("hook Write of `sub/g/config`: {decision} ({reason})");
    // What Claude Code does with an allowed Write.
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, content).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let o = exec_sh(
        &w,
        "cd sub && mkdir g/objects g/refs && echo 'ref: refs/heads/main' > g/HEAD && mv g .git",
    );
    host_git(&w, &w.ws.join("sub"), false);
    assert!(
        !marker.exists(),
        "gate bypassed: a git config the Write tool was allowed to write, made a `.git` by one sandboxed rename, ran its fsmonitor on host `git status` (exit {:?}, stderr `{}`)",
        o.status.code(),
        stderr(&o)
    );
}
