//! Issue 12, classes 2 and 3, red team: attacks on the protected paths'
//! quarantine (the supervisor, running as the user outside the sandbox,
//! moves what appeared at a watched path). Each fails with
//! "sandbox breached: …" when the attack works and comes with a control.

use std::path::Path;
use std::process::Output;

use super::fixture::{stderr, stdout, World, ALLOW_ALL, BASE_CONFIG};

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[track_caller]
fn breached_if(cond: bool, what: &str, o: &Output) {
    assert!(
        !cond,
        "sandbox breached: {what} (exit {:?}, stdout `{}`, stderr `{}`)",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

/// `.cargo/config.toml` is watched while `.cargo` does not exist. A
/// command that makes `.cargo` a symlink to a directory it cannot write
/// (`~/.ssh`) must not get the supervisor to follow it and move that
/// directory's `config` or `config.toml` into the quarantine: the symlink
/// itself is what appeared, and it is what gets quarantined.
#[test]
fn a_symlinked_parent_does_not_make_the_supervisor_move_a_host_file() {
    let w = World::new();
    let ssh = w.home.join(".ssh");
    std::fs::write(ssh.join("config"), "Host *\n").unwrap();
    std::fs::write(ssh.join("config.toml"), "keep = true\n").unwrap();
    // From inside, the files cannot be touched.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!(
            "mv '{d}/config' x 2>/dev/null; rm -f '{d}/config.toml' 2>/dev/null; ln -s '{d}' .cargo; exit 0",
            d = s(&ssh)
        ),
    ]);
    for name in ["config", "config.toml"] {
        breached_if(
            !ssh.join(name).exists(),
            &format!(
                "the supervisor followed the planted symlink `.cargo` and moved `~/.ssh/{name}`"
            ),
            &o,
        );
    }
    breached_if(
        std::fs::symlink_metadata(w.ws.join(".cargo")).is_ok(),
        "the planted symlink `.cargo` survived the run",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}`", s(&w.ws.join(".cargo")))),
        "{}",
        stderr(&o)
    );
    // Control: a real `.cargo/config.toml` made by the command is still
    // quarantined, and an ordinary symlink elsewhere stays.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!(
            "mkdir .cargo && echo x > .cargo/config.toml && ln -s '{d}' link; exit 0",
            d = s(&ssh)
        ),
    ]);
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(!w.ws.join(".cargo/config.toml").exists(), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(w.ws.join("link")).is_ok());
    assert!(ssh.join("config").exists() && ssh.join("config.toml").exists());
}

/// In `allow_git_writes = "commits"` mode the top of `.git` is writable.
/// Host git opens some of its files following symlinks: it appends to
/// `logs/HEAD` and rewrites `COMMIT_EDITMSG`. A command that plants
/// `.git/logs/HEAD -> ~/.bashrc` must not get the user's next `git commit`
/// to write the shell start-up file (with a message it can steer).
#[test]
fn a_symlink_planted_in_dot_git_does_not_make_host_git_write_a_host_file() {
    let w = World::with_config(
        &format!("{BASE_CONFIG}{ALLOW_ALL}")
            .replace("[limits]", "allow_git_writes = \"commits\"\n[limits]"),
    );
    let rc = w.home.join(".bashrc");
    std::fs::write(&rc, "# rc\n").unwrap();
    w.git(&w.ws, &["init", "-q"]);
    w.git(&w.ws, &["commit", "-q", "--allow-empty", "-m", "one"]);
    // A layout some tools make (`repo` links parts of .git): a symlink
    // that was there before the run is left alone.
    std::fs::create_dir_all(w.sibling.join("rr")).unwrap();
    std::os::unix::fs::symlink(w.sibling.join("rr"), w.ws.join(".git/rr-cache")).unwrap();
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!(
            "rm -f .git/logs/HEAD && ln -s '{rc}' .git/logs/HEAD && ln -sf '{rc}' .git/COMMIT_EDITMSG && ln -s '{rc}' .git/FETCH_HEAD && rm .git/index && mkfifo .git/index; exit 0",
            rc = s(&rc)
        ),
    ]);
    breached_if(
        std::fs::symlink_metadata(w.ws.join(".git/index"))
            .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_fifo(&m.file_type())),
        "a FIFO planted at `.git/index` stayed (every host `git status` hangs on it)",
        &o,
    );
    // The user commits on the host after the run.
    w.git(
        &w.ws,
        &["commit", "-q", "--allow-empty", "-m", "two;touch /tmp/x"],
    );
    breached_if(
        std::fs::read_to_string(&rc).unwrap() != "# rc\n",
        "a symlink planted in `.git` made host git write `~/.bashrc`",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}`", s(&w.ws.join(".git/logs/HEAD")))),
        "{}",
        stderr(&o)
    );
    // Controls: the symlink from before stays, and a commit in the
    // sandbox still works.
    assert!(std::fs::symlink_metadata(w.ws.join(".git/rr-cache"))
        .is_ok_and(|m| m.file_type().is_symlink()));
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo x > f && git add f && git -c user.name=t -c user.email=t@example.invalid commit -qm three",
    ]);
    assert!(
        o.status.success(),
        "control failed: a commit in commits mode: {}",
        stderr(&o)
    );
}

/// The names of what is quarantined come from the command (any new
/// symlink in `.git`). Printed raw, an escape sequence in one would erase
/// the "sandbox breach attempt" line on the user's terminal.
#[test]
fn a_quarantined_name_cannot_drive_the_terminal() {
    let w = World::with_config(
        &format!("{BASE_CONFIG}{ALLOW_ALL}")
            .replace("[limits]", "allow_git_writes = \"commits\"\n[limits]"),
    );
    w.git(&w.ws, &["init", "-q"]);
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "ln -s x \"$(printf '.git/a\\033[2K\\rb')\"; exit 0",
    ]);
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    breached_if(
        stderr(&o).contains(['\u{1b}', '\r']),
        "a quarantined name reached the terminal with its escape sequence",
        &o,
    );
    assert!(
        stderr(&o).contains("sandbox breach attempt"),
        "{}",
        stderr(&o)
    );
}

/// Git takes a directory holding `HEAD`, `objects/` and `refs/` for a git
/// directory itself. A workspace that is not a repository has its `.git`
/// watched, but a command that turns the workspace itself into a git dir
/// (with a `config` naming `core.fsmonitor` and `core.worktree = .`) made
/// the user's next `git status` there run its program.
#[test]
fn the_workspace_cannot_be_turned_into_a_git_dir() {
    let w = World::new();
    let marker = w.base.join("PWNED");
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        &format!(
            "mkdir -p objects refs/heads && echo 'ref: refs/heads/main' > HEAD && printf '[core]\\n\\trepositoryformatversion = 0\\n\\tbare = false\\n\\tworktree = .\\n\\tfsmonitor = \"touch {m}; false\"\\n' > config; exit 0",
            m = s(&marker)
        ),
    ]);
    // The user looks at what the agent did.
    let _ = std::process::Command::new("git")
        .arg("status")
        .current_dir(&w.ws)
        .env("HOME", &w.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    breached_if(
        marker.exists(),
        "the workspace became a git dir and host `git status` ran its `core.fsmonitor`",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Control: a project's own `config/` and `objects/` directories are
    // fine; only `HEAD` makes a git dir.
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "rm -f config && mkdir -p config objects refs && echo x > config/app.toml",
    ]);
    assert!(o.status.success(), "control failed: {}", stderr(&o));
}

/// Git looks for a repository in each parent of the current directory. A
/// project that is not a repository, deep in a writable root, has parents
/// the command can write: a `.git` it creates in one (with a
/// `core.fsmonitor`) was honoured by the user's next `git status` in the
/// project.
#[test]
fn a_repository_created_above_the_workspace_is_quarantined() {
    let w = World::new();
    let cfg = format!("{BASE_CONFIG}{ALLOW_ALL}").replace(
        "[sandbox_workspace_write]\n",
        &format!(
            "[sandbox_workspace_write]\nwritable_roots = [\"{}\"]\n",
            s(&w.sibling)
        ),
    );
    w.set_config(&cfg);
    let proj = w.sibling.join("a/proj");
    std::fs::create_dir_all(&proj).unwrap();
    let marker = w.base.join("PWNED");
    let o = w.run([
        "exec",
        "-C",
        &s(&proj),
        "--",
        "sh",
        "-c",
        &format!(
            "cd .. && git init -q . && git config core.fsmonitor 'touch {m}; false'; exit 0",
            m = s(&marker)
        ),
    ]);
    let _ = std::process::Command::new("git")
        .arg("status")
        .current_dir(&proj)
        .env("HOME", &w.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    breached_if(
        marker.exists(),
        "a repository created above the workspace ran its `core.fsmonitor` in host `git status`",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Control: the workspace's parent is still writable for other files.
    let o = w.run([
        "exec",
        "-C",
        &s(&proj),
        "--",
        "sh",
        "-c",
        "echo ok > ../notes.txt",
    ]);
    assert!(o.status.success(), "control failed: {}", stderr(&o));
    assert!(w.sibling.join("a/notes.txt").exists());
}

/// A workspace in a subfolder of a repository whose top the command can
/// write (a writable root holding the clone): git in the workspace uses
/// that repository, so its hooks must not be writable.
#[test]
fn the_repository_enclosing_the_workspace_keeps_its_hooks() {
    let w = World::new();
    let cfg = format!("{BASE_CONFIG}{ALLOW_ALL}").replace(
        "[sandbox_workspace_write]\n",
        &format!(
            "[sandbox_workspace_write]\nwritable_roots = [\"{}\"]\n",
            s(&w.sibling)
        ),
    );
    w.set_config(&cfg);
    let repo = w.sibling.join("repo");
    std::fs::create_dir_all(repo.join("sub")).unwrap();
    w.git(&repo, &["init", "-q"]);
    let hook = repo.join(".git/hooks/pre-commit");
    let o = w.run([
        "exec",
        "-C",
        &s(&repo.join("sub")),
        "--",
        "sh",
        "-c",
        "printf '#!/bin/sh\\ntouch pwned\\n' > ../.git/hooks/pre-commit; git config core.hooksPath /tmp; exit 0",
    ]);
    breached_if(
        hook.exists(),
        "the command wrote a hook of the repository enclosing the workspace",
        &o,
    );
    let config = std::fs::read_to_string(repo.join(".git/config")).unwrap();
    breached_if(
        config.contains("hooksPath"),
        "the command changed the config of the repository enclosing the workspace",
        &o,
    );
    // Control: the workspace's files are still writable.
    let o = w.run([
        "exec",
        "-C",
        &s(&repo.join("sub")),
        "--",
        "sh",
        "-c",
        "echo ok > notes.txt",
    ]);
    assert!(o.status.success(), "control failed: {}", stderr(&o));
}

/// cargo merges the `.cargo/config.toml` of every parent of the current
/// directory (yarn, mise and direnv walk up too). A command that can write
/// a parent of the workspace (a writable root holding the project, a
/// writable `/tmp`) must not leave a `[build] rustc-wrapper` there for the
/// user's next `cargo build`.
#[test]
fn agent_config_created_above_the_workspace_is_quarantined() {
    let w = World::new();
    let cfg = format!("{BASE_CONFIG}{ALLOW_ALL}").replace(
        "[sandbox_workspace_write]\n",
        &format!(
            "[sandbox_workspace_write]\nwritable_roots = [\"{}\"]\n",
            s(&w.sibling)
        ),
    );
    w.set_config(&cfg);
    let proj = w.sibling.join("a/proj");
    std::fs::create_dir_all(&proj).unwrap();
    let o = w.run([
        "exec",
        "-C",
        &s(&proj),
        "--",
        "sh",
        "-c",
        "mkdir -p ../.cargo && printf '[build]\\nrustc-wrapper = \"/tmp/evil\"\\n' > ../.cargo/config.toml && echo '{}' > ../.mcp.json; exit 0",
    ]);
    for name in [".cargo/config.toml", ".mcp.json"] {
        breached_if(
            w.sibling.join("a").join(name).exists(),
            &format!("`{name}` created in a parent of the workspace survived the run"),
            &o,
        );
    }
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
}
