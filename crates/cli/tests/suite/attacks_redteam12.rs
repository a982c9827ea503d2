//! Issue 12, red team round 12: attacks on the check after the run
//! (`crates/sandbox/src/nested.rs`) and the protected list
//! (`crates/policy/src/protect.rs`). Each fails with "sandbox breached: …"
//! while the attack works.

use super::fixture::*;

/// Mercurial's per-repository config `.hg/hgrc` is git's `.git/config`
/// for hg: its `[hooks]` (`pre-status = …`) and `[extensions]`
/// (`x = /path/evil.py`, loaded by every `hg` command, including the
/// `hg root`/`hg status` that shell prompts run on entering the folder)
/// run code on the host. `.hg` is not in the protected list and no
/// structure check knows an hg repository, so a command in a default
/// project (allow-all or not) writes it and the run ends clean.
#[test]
fn rt12_a_mercurial_repository_config_with_hooks_survives_the_run() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let marker = w.base.join("ran-on-the-host");
    let o = exec_sh(
        &w,
        &format!(
            "mkdir -p .hg/store sub/.hg && printf 'revlogv1\\nstore\\n' > .hg/requires \
             && printf '[hooks]\\npre-status = touch {m}\\n[extensions]\\nevil = ./evil.py\\n' > .hg/hgrc \
             && printf '[hooks]\\npre-status = touch {m}\\n' > sub/.hg/hgrc",
            m = marker.display()
        ),
    );
    breached_if(
        w.ws.join(".hg/hgrc").exists(),
        "the command wrote `.hg/hgrc` (Mercurial hooks and extensions run on the user's next `hg status`)",
        &o,
    );
    breached_if(
        w.ws.join("sub/.hg/hgrc").exists(),
        "the command wrote a nested `sub/.hg/hgrc`",
        &o,
    );
}

/// Jujutsu (before it moved repository config out of the tree) reads
/// `.jj/repo/config.toml`: `ui.pager`, `aliases`, `fix.tools`,
/// `ui.diff.tool` name programs `jj log`/`jj diff` run. Not protected.
#[test]
fn rt12_a_jujutsu_repository_config_survives_the_run() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let o = exec_sh(
        &w,
        "mkdir -p .jj/repo && printf '[ui]\\npager = [\"sh\", \"-c\", \"id > pwned\"]\\n' > .jj/repo/config.toml",
    );
    breached_if(
        w.ws.join(".jj/repo/config.toml").exists(),
        "the command wrote `.jj/repo/config.toml` (jj runs its `ui.pager` on the user's next `jj log`)",
        &o,
    );
}

/// mise reads a project's config from `mise/config.toml` and
/// `.mise/config.toml` (and their `config.local.toml`) as well as the
/// protected `mise.toml`, `.mise.toml` and `.config/mise/**`: the same
/// `[hooks] enter = …`, `[env] _.source = …` and tool pins run or install
/// programs when a shell with `mise activate` enters the folder. The list
/// has the other spellings, not these.
#[test]
fn rt12_mise_configs_in_a_mise_folder_survive_the_run() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let o = exec_sh(
        &w,
        "for d in mise .mise sub/mise sub/.mise; do mkdir -p $d \
         && printf '[hooks]\\nenter = \"id > pwned\"\\n' > $d/config.toml \
         && cp $d/config.toml $d/config.local.toml; done",
    );
    for p in [
        "mise/config.toml",
        ".mise/config.toml",
        ".mise/config.local.toml",
        "sub/mise/config.toml",
        "sub/.mise/config.toml",
    ] {
        breached_if(
            w.ws.join(p).exists(),
            &format!("the command wrote `{p}` (mise runs its `hooks.enter` when the user's shell enters the folder)"),
            &o,
        );
    }
}

/// A supervisor killed with SIGKILL (an agent harness's hard timeout or
/// interrupt, `timeout -s KILL`, an OOM kill) never walks the workspace.
/// It leaves a pending record (`quarantine-pending2-<pid>`), but that
/// record only lists the watched top-level paths and git directories: the
/// next run takes a top-level `.envrc` from it, yet never judges what the
/// killed run made deeper (`sub/.envrc`, `pkg/.vscode/`, a nested repo's
/// hooks). Unlike a walk cut short (which leaves a debt, round 10), the
/// killed run leaves no debt, so the next run ends clean (exit 0) and the
/// nested `.envrc` stays for direnv.
#[test]
fn rt12_a_killed_supervisor_leaves_no_debt_for_nested_agent_configs() {
    use std::time::{Duration, Instant};
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let planted = w.ws.join("sub/.envrc");
    let mut child = w
        .cmd([
            "exec",
            "--",
            "sh",
            "-c",
            "mkdir -p sub && echo 'touch pwned' > sub/.envrc && sleep 30",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(8);
    while !planted.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // The supervisor is killed the way a hard timeout kills it.
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        planted.exists(),
        "the command did not get to plant `sub/.envrc`"
    );
    // The next confined run in the same workspace.
    let o = exec_sh(&w, "true");
    breached_if(
        planted.exists(),
        "`sub/.envrc` made by a run whose supervisor was SIGKILLed survives the next run (no debt is left)",
        &o,
    );
}
