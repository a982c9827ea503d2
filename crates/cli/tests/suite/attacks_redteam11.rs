//! Issue 12, red team round 11: attacks on the check after the run
//! (`crates/sandbox/src/nested.rs`) and the git plan. Each fails with
//! "sandbox breached: …" while the attack works.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use super::fixture::*;

/// A repository whose hook is a symlink to a script kept in the tree
/// (`ln -s ../../scripts/pre-commit .git/hooks/pre-commit`, a common way
/// to share hooks without `core.hooksPath`). The hooks folder is held
/// read-only, but the file git really runs is an ordinary workspace file:
/// the command rewrites it, and the check after the run looks only at the
/// symlink's own change time (`Walk::judge` → `topmost_changed` uses
/// `symlink_metadata`; the workspace's own git dir is a planned one and is
/// not judged at all). Unlike `core.hooksPath` targets, which round 9
/// holds read-only, symlinked hook targets are not held. The user's next
/// `git commit` runs the command's script on the host.
fn hook_symlink_into_the_tree(w: &World, repo: &Path) -> Output {
    std::fs::create_dir_all(repo.join("scripts")).unwrap();
    let script = repo.join("scripts/pre-commit");
    std::fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(
        "../../scripts/pre-commit",
        repo.join(".git/hooks/pre-commit"),
    )
    .unwrap();
    w.git(repo, &["add", "-A"]);
    w.git(repo, &["commit", "-qm", "init"]);
    let marker = w.base.join("ran-on-the-host");
    let rel = repo.strip_prefix(&w.ws).unwrap();
    let o = exec_sh(
        w,
        &format!(
            "cd ./{} && printf '#!/bin/sh\\ntouch {}\\n' > scripts/pre-commit",
            rel.display(),
            marker.display()
        ),
    );
    std::fs::write(repo.join("f"), "x").unwrap();
    w.git(repo, &["add", "f"]);
    // What the user does next: commit (the hook runs; its outcome is not
    // the point, whether it ran is).
    let _ = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(["commit", "-qm", "next"])
        .current_dir(repo)
        .env("HOME", &w.home)
        .output();
    breached_if(
        marker.exists(),
        "the user's next `git commit` ran the hook script the command rewrote through a symlinked hook",
        &o,
    );
    o
}

#[test]
fn rt11_the_target_of_a_symlinked_hook_of_the_workspace_repo_is_writable() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    hook_symlink_into_the_tree(&w, &w.ws);
}

#[test]
fn rt11_the_target_of_a_symlinked_hook_of_a_nested_repo_is_writable() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let repo = w.ws.join("vendor/lib");
    std::fs::create_dir_all(&repo).unwrap();
    w.git(&repo, &["init", "-q"]);
    hook_symlink_into_the_tree(&w, &repo);
}

/// Claude Code's Write of the file a symlinked hook runs is allowed: the
/// file tools refuse `hooks/` in a git directory, not the file a hook
/// symlink names. Same hole as above, through the other surface.
#[test]
fn rt11_the_file_tool_writes_the_target_of_a_symlinked_hook() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    std::fs::create_dir_all(w.ws.join("scripts")).unwrap();
    let script = w.ws.join("scripts/pre-commit");
    std::fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(
        "../../scripts/pre-commit",
        w.ws.join(".git/hooks/pre-commit"),
    )
    .unwrap();
    w.git(&w.ws, &["add", "-A"]);
    w.git(&w.ws, &["commit", "-qm", "init"]);
    let marker = w.base.join("ran-on-the-host");
    let content = format!("#!/bin/sh\ntouch {}\n", marker.display());
    let input = serde_json::json!({ "file_path": script, "content": content });
    let (decision, reason) = super::fixture::hook_call(&w, "Write", &input);
    if decision == "allow" {
        // What Claude Code does with an allowed Write (keeping the mode).
        std::fs::write(&script, &content).unwrap();
    }
    std::fs::write(w.ws.join("f"), "x").unwrap();
    w.git(&w.ws, &["add", "f"]);
    let _ = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(["commit", "-qm", "next"])
        .current_dir(&w.ws)
        .env("HOME", &w.home)
        .output();
    assert!(
        !marker.exists(),
        "gate bypassed: Claude Code's Write of `scripts/pre-commit`, which `.git/hooks/pre-commit` links to, was `{decision}` ({reason}), and the user's next `git commit` ran it"
    );
    // Control: the scripts beside it are ordinary files.
    let input =
        serde_json::json!({ "file_path": w.ws.join("scripts/build.sh"), "content": "make\n" });
    let (decision, reason) = super::fixture::hook_call(&w, "Write", &input);
    assert_eq!(decision, "allow", "control failed: {reason}");
}

/// The protected list names three of lefthook's config files
/// (`lefthook.yml`, `.lefthook.yml`, `lefthook-local.yml`), but lefthook
/// reads its main config as `lefthook`/`.lefthook`/`.config/lefthook`
/// with `.yml`, `.yaml`, `.toml` or `.json`, and merges a `-local` config
/// in every one of those formats over it (its docs, "Config file name"):
/// in a project whose hooks lefthook installed, a new `lefthook-local.yaml`
/// adds a command the next `git commit` runs. Husky 1–4 (still common)
/// reads its hooks from `.huskyrc`, `.huskyrc.json`, `.huskyrc.js` or
/// `husky.config.js` the same way. None of these is protected, at the top
/// of the workspace or below it (`crates/policy/src/protect.rs`), so they
/// survive the run.
#[test]
fn rt11_lefthook_and_husky_config_names_the_list_misses_survive_the_run() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    std::fs::create_dir_all(w.ws.join("web")).unwrap();
    let names = [
        "lefthook-local.yaml",
        "lefthook-local.toml",
        "lefthook-local.json",
        ".lefthook-local.yml",
        "lefthook.yaml",
        "lefthook.toml",
        "lefthook.json",
        ".lefthook.yaml",
        ".huskyrc",
        ".huskyrc.json",
        ".huskyrc.js",
        "husky.config.js",
    ];
    let script = names
        .iter()
        .flat_map(|n| [n.to_string(), format!("web/{n}")])
        .map(|p| {
            format!("printf 'pre-commit:\\n  commands:\\n    x:\\n      run: touch pwned\\n' > {p}")
        })
        .collect::<Vec<_>>()
        .join(" && ");
    let o = exec_sh(&w, &script);
    let survived: Vec<String> = names
        .iter()
        .flat_map(|n| [n.to_string(), format!("web/{n}")])
        .filter(|p| w.ws.join(p).exists())
        .collect();
    breached_if(
        !survived.is_empty(),
        &format!(
            "hook-runner configs that lefthook or husky read on every commit survived the run: {}",
            survived.join(", ")
        ),
        &o,
    );
}

/// Maven's `.mvn/jvm.config` and wrapper properties are protected, but
/// Gradle's twins are not: `gradle.properties`'s `org.gradle.jvmargs`
/// (`-javaagent:…`) runs in the JVM of every `gradle` build and of the
/// import an IDE does when it opens the project, and
/// `gradle/wrapper/gradle-wrapper.properties`'s `distributionUrl` names
/// the Gradle that `gradlew` and the IDE download and run.
#[test]
fn rt11_gradle_twins_of_the_protected_maven_configs_survive_the_run() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    w.git(&w.ws, &["init", "-q"]);
    let o = exec_sh(
        &w,
        "mkdir -p gradle/wrapper app/gradle/wrapper && for d in . app; do echo 'org.gradle.jvmargs=-javaagent:/tmp/agent.jar' > $d/gradle.properties && echo 'distributionUrl=https\\://example.invalid/gradle.zip' > $d/gradle/wrapper/gradle-wrapper.properties; done",
    );
    let survived: Vec<&str> = [
        "gradle.properties",
        "gradle/wrapper/gradle-wrapper.properties",
        "app/gradle.properties",
        "app/gradle/wrapper/gradle-wrapper.properties",
    ]
    .into_iter()
    .filter(|p| w.ws.join(p).exists())
    .collect();
    breached_if(
        !survived.is_empty(),
        &format!(
            "Gradle configs that name JVM agents or the distribution to run survived the run: {}",
            survived.join(", ")
        ),
        &o,
    );
}
