//! Issue 12, red team round 10: attacks on the check after the run
//! (`crates/sandbox/src/nested.rs`) and its neighbours. Each fails with
//! "sandbox breached: …" or "gate bypassed: …" while the attack works.

use super::fixture::*;

/// The walk never judges the top of a root as a git directory
/// (`Walk::root`: `is_git_dir && !guarded_top`), assuming the top is held
/// by the git plan and the protected list. But only `HEAD` is held there:
/// `config`, `hooks/`, `objects/` and `refs/` at the top are plain files.
/// A linked git directory `g` (`HEAD` + `commondir` = `..`) makes the
/// workspace itself its common directory, and git reads the common
/// directory's `config` and `hooks/`: a `.git` file in `sub` points at `g`.
/// `g` is judged (clean), the workspace's `config` with an fsmonitor never.
#[test]
fn rt10_the_workspace_top_as_the_common_dir_of_a_linked_git_dir_is_never_judged() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "mkdir -p objects refs/heads g sub && echo 'ref: refs/heads/main' > g/HEAD && echo .. > g/commondir && echo 'gitdir: ../g' > sub/.git && printf '[core]\\n\\trepositoryformatversion = 0\\n\\tfsmonitor = \"touch {}; false\"\\n' > config",
            marker.display()
        ),
    );
    host_git(&w, &w.ws.join("sub"), false);
    breached_if(
        marker.exists(),
        "host `git status` in `sub` ran the fsmonitor of the workspace's own top-level `config`, the common dir of `g`",
        &o,
    );
}

/// The file tools refuse `config` and `hooks/` in a folder with
/// `objects/` and `refs/` (a common directory) only strictly below a root
/// (`git_dir_by_structure` stops before the root): Claude Code's Write of
/// the workspace's own top-level `config` is allowed once a sandboxed
/// command made the top a common directory (`objects/`, `refs/`, and a
/// linked git directory `g` whose `commondir` is `..`).
#[test]
fn rt10_the_file_tool_writes_the_config_of_the_workspace_top_made_a_common_dir() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        "mkdir -p objects refs/heads g sub && echo 'ref: refs/heads/main' > g/HEAD && echo .. > g/commondir && echo 'gitdir: ../g' > sub/.git",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let config = w.ws.join("config");
    let content = format!(
        "[core]\n\trepositoryformatversion = 0\n\tfsmonitor = \"touch {}; false\"\n",
        marker.display()
    );
    let input = serde_json::json!({"file_path": config.display().to_string(), "content": content});
    let (decision, reason) = super::fixture::hook_call(&w, "Write", &input);
    if decision == "allow" {
        // What Claude Code does with an allowed Write.
        std::fs::write(&config, &content).unwrap();
    }
    host_git(&w, &w.ws.join("sub"), false);
    assert!(
        !marker.exists(),
        "gate bypassed: Claude Code's Write of the workspace's top-level `config` (the common dir of `g`) was `{decision}` ({reason}), and host `git status` in `sub` ran its fsmonitor"
    );
}

/// `core.worktree` is on the allowlist (`HARMLESS` in nested.rs), but it
/// moves a repository's work tree anywhere, outside every writable place:
/// a clone the command leaves in `sub` with `core.worktree` set to a host
/// folder (the user's home in a real attack, where Debian's `.bashrc`
/// sources a new `.bash_aliases`) and an upstream with one more commit
/// passes the check (every key is "harmless"); the user's `git pull` in
/// `sub` then writes the commit's files into that folder.
#[test]
fn rt10_core_worktree_is_harmless_yet_git_pull_writes_outside_the_sandbox() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let planted = w.sibling.join(".bash_aliases");
    let o = exec_sh(
        &w,
        &format!(
            "set -e; export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@x GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@x; git init -q -b main up; git -C up commit -q --allow-empty -m base; git clone -q up sub; echo 'echo ran' > up/.bash_aliases; git -C up add .bash_aliases; git -C up commit -q -m more; git -C sub config core.worktree {}",
            w.sibling.display()
        ),
    );
    let _ = std::process::Command::new("git")
        .args(["pull", "-q"])
        .current_dir(w.ws.join("sub"))
        .env("HOME", &w.home)
        .output();
    breached_if(
        planted.exists(),
        "host `git pull` in `sub` wrote `.bash_aliases` into a folder outside the sandbox named by the \"harmless\" `core.worktree`",
        &o,
    );
}

/// The file tools refuse `config` in a folder that already has `objects/`
/// and `refs/`, but not the other order: Claude Code's Write of `c/config`
/// (an fsmonitor), then of `c/objects/.keep` and `c/refs/.keep`, builds a
/// complete common directory no walk ever judged. The next sandboxed
/// command only adds a linked git directory `g` (`HEAD`, `commondir` =
/// `../c`) and `sub/.git`: `g` is new and judged (clean), while `c`, a git
/// directory by structure, did not change during the run (not "formed"),
/// so its config's old change time lets it pass unread.
#[test]
fn rt10_a_common_dir_built_by_the_file_tool_is_used_by_a_new_linked_git_dir_unjudged() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let writes = [
        (
            "c/config",
            format!(
                "[core]\n\trepositoryformatversion = 0\n\tfsmonitor = \"touch {}; false\"\n",
                marker.display()
            ),
        ),
        ("c/objects/.keep", String::new()),
        ("c/refs/.keep", String::new()),
    ];
    let mut answers = Vec::new();
    for (rel, content) in &writes {
        let path = w.ws.join(rel);
        let input =
            serde_json::json!({"file_path": path.display().to_string(), "content": content});
        let (decision, reason) = super::fixture::hook_call(&w, "Write", &input);
        answers.push(format!("{rel}: {decision} ({reason})"));
        if decision != "allow" {
            return;
        }
        // What Claude Code does with an allowed Write.
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let o = exec_sh(
        &w,
        "mkdir -p g sub && echo 'ref: refs/heads/main' > g/HEAD && echo ../c > g/commondir && echo 'gitdir: ../g' > sub/.git",
    );
    host_git(&w, &w.ws.join("sub"), false);
    breached_if(
        marker.exists(),
        &format!(
            "host `git status` in `sub` ran the fsmonitor of `c/config`, a common dir the file tool built ({}) and a new linked git dir points at",
            answers.join("; ")
        ),
        &o,
    );
}

/// Agent and editor configs that start programs when the tool opens the
/// folder, missing from the protected list (which names `.claude/`,
/// `.codex/`, `.cursor/`, `.gemini/`, `.zed/`): opencode's project config
/// and plugins (MCP servers, TypeScript plugins loaded at start), Kiro's
/// workspace MCP servers and agent hooks, Amazon Q's workspace MCP
/// servers, Roo Code's project MCP servers, Continue's workspace MCP
/// servers, aider's `.aider.conf.yml` (`lint-cmd`/`test-cmd`, run after
/// every edit with the default `auto-lint`), Qwen Code's project settings
/// (a Gemini CLI fork: `mcpServers`, tool discovery commands), Crush's
/// project config, Helix's workspace `languages.toml` (language server
/// commands started on opening a file). Left by a command below the
/// workspace, none is quarantined.
#[test]
fn rt10_agent_configs_missing_from_the_protected_list_are_left_in_place() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let names = [
        "opencode.json",
        ".opencode/plugin/x.ts",
        ".kiro/settings/mcp.json",
        ".kiro/hooks/x.kiro.hook",
        ".amazonq/mcp.json",
        ".roo/mcp.json",
        ".continue/mcpServers/x.yaml",
        ".aider.conf.yml",
        ".qwen/settings.json",
        "crush.json",
        ".helix/languages.toml",
    ];
    let script = names
        .iter()
        .map(|n| format!("mkdir -p \"$(dirname sub/{n})\" && echo x > sub/{n}"))
        .collect::<Vec<_>>()
        .join(" && ");
    let o = exec_sh(&w, &script);
    let left: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| w.ws.join("sub").join(n).exists())
        .collect();
    breached_if(
        !left.is_empty(),
        &format!(
            "agent configs that make their tool start programs were left below the workspace: {}",
            left.join(", ")
        ),
        &o,
    );
}

/// A walk cut short (red team 10 filled the workspace past the 4,000,000
/// entries the check reads, with hard links) reports that run as not
/// clean (exit 126), but the next run forgot it: its check judged only what
/// changed after its own start, so a `.npmrc` left where the cut walk
/// stopped outlived a clean-looking next run that only deleted the filler.
/// The bound is lowered here (`RAMPART_TEST_WALK_LIMIT`, which can only
/// lower it) so that a few hundred entries reach it.
#[test]
fn rt10_what_a_cut_walk_missed_is_never_judged_by_the_next_run() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let run = |script: &str| {
        w.cmd(["exec", "--", "sh", "-c", script])
            .env("RAMPART_TEST_WALK_LIMIT", "200")
            .output()
            .unwrap()
    };
    let first = run(
        "for d in 0 1 2; do mkdir -p b/d$d && touch b/d$d/src && for i in $(seq 100); do ln b/d$d/src b/d$d/l$i; done && echo 'script-shell=/bin/false' > b/d$d/.npmrc; done",
    );
    assert!(
        first.status.code() == Some(126) && stderr(&first).contains("could not finish"),
        "the first run's walk was not cut: exit {:?}, {}",
        first.status.code(),
        stderr(&first)
    );
    let o = run("find b -name 'l*' -delete && find b -name src -delete");
    let left: Vec<String> = (0..3)
        .map(|d| format!("b/d{d}/.npmrc"))
        .filter(|p| w.ws.join(p).exists())
        .collect();
    breached_if(
        !left.is_empty() && o.status.code() == Some(0),
        &format!(
            "after a run whose walk was cut (exit {:?}), the next run passed as clean and left {}",
            first.status.code(),
            left.join(", ")
        ),
        &o,
    );
    // Control: once a walk finishes, the debt is paid and a later
    // ordinary run is clean.
    let o = run("echo ok > notes.txt");
    assert_eq!(o.status.code(), Some(0), "control failed: {}", stderr(&o));
}
