//! Issue 14, "Users coming from Codex": Codex's `-c KEY=VALUE`, `-s`,
//! `-a`, `--add-dir`, a top-level `profile`, Codex's
//! `[shell_environment_policy]` keys and `rampart init --from-codex`
//! work as a Codex user expects (docs/CODEX.md), and none of them lets
//! more through than it says.

use std::process::Output;

use super::fixture::{breached_if, stderr, stdout, World, ALLOW_ALL, BASE_CONFIG};

/// `rampart [GLOBAL...] exec [FLAGS...] -- sh -c SCRIPT`.
fn exec(w: &World, flags: &[&str], script: &str) -> Output {
    let mut args: Vec<&str> = flags.to_vec();
    if !args.contains(&"exec") {
        args.insert(0, "exec");
    }
    args.extend(["--", "sh", "-c", script]);
    w.run(args)
}

/// The command ran (the gate let it, the config loaded) and `path` was
/// not written: the sandbox refused the write.
#[track_caller]
fn write_refused(o: &Output, path: &std::path::Path, what: &str) {
    breached_if(path.exists(), what, o);
    assert!(
        !matches!(o.status.code(), Some(125 | 126) | None),
        "the command did not run, so the sandbox was not tested: {what} (exit {:?}, stderr `{}`)",
        o.status.code(),
        stderr(o)
    );
}

#[track_caller]
fn assert_ran(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "control failed: {what} (exit {:?}, stdout `{}`, stderr `{}`)",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

#[test]
fn c_sandbox_mode_read_only_makes_a_write_fail() {
    let w = World::new();
    let target = w.ws.join("written");
    let o = exec(
        &w,
        &["-c", "sandbox_mode=\"read-only\"", "exec"],
        "echo x > written",
    );
    write_refused(&o, &target, "a write under -c sandbox_mode=\"read-only\"");
    // The value need not be quoted: what is not TOML is a string.
    let o = exec(
        &w,
        &["exec", "-c", "sandbox_mode=read-only"],
        "echo x > written",
    );
    write_refused(&o, &target, "a write under -c sandbox_mode=read-only");
    let o = exec(&w, &[], "echo x > written");
    assert_ran(&o, "a workspace write without -c");
    assert!(target.exists(), "control: the write did not happen");
}

#[test]
fn c_with_a_bad_key_names_the_nearest_and_refuses() {
    let w = World::new();
    let o = w.run([
        "check",
        "-c",
        "sandbox_workspace_write.netwrok_access=true",
        "--",
        "ls",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("unknown config key `sandbox_workspace_write.netwrok_access`")
            && err.contains("did you mean `sandbox_workspace_write.network_access`?"),
        "{err}"
    );
    // A bad value names the key; exec refuses to run (125) and runs nothing.
    let o = exec(&w, &["-c", "sandbox_mode=readonly", "exec"], "echo x > ran");
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bad value for `sandbox_mode`"),
        "{}",
        stderr(&o)
    );
    breached_if(w.ws.join("ran").exists(), "a command ran with a bad -c", &o);
}

#[test]
fn config_file_still_works_and_takes_overrides() {
    let w = World::new();
    let other = w.base.join("other.toml");
    std::fs::write(
        &other,
        format!("sandbox_mode = \"read-only\"\n{BASE_CONFIG}{ALLOW_ALL}"),
    )
    .unwrap();
    std::fs::set_permissions(&other, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let path = other.to_str().unwrap();
    let o = exec(&w, &["--config", path, "exec"], "echo x > a");
    assert!(!stderr(&o).contains("error:"), "{}", stderr(&o));
    write_refused(
        &o,
        &w.ws.join("a"),
        "a write under --config FILE (read-only)",
    );
    // The file and an override together: the override is on top.
    let o = exec(
        &w,
        &[
            "--config",
            path,
            "-c",
            "sandbox_mode=workspace-write",
            "exec",
        ],
        "echo x > b",
    );
    assert_ran(&o, "--config FILE -c sandbox_mode=workspace-write");
    assert!(w.ws.join("b").exists());
    // Two files is an error, not a silent pick.
    let o = w.run(["--config", path, "--config", path, "check", "--", "ls"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("two config files"), "{}", stderr(&o));
}

#[test]
fn s_read_only_makes_a_write_fail() {
    let w = World::new();
    let o = exec(&w, &["exec", "-s", "read-only"], "echo x > s");
    write_refused(&o, &w.ws.join("s"), "a write under -s read-only");
    // The flag beats -c.
    let o = exec(
        &w,
        &[
            "-c",
            "sandbox_mode=workspace-write",
            "exec",
            "-s",
            "read-only",
        ],
        "echo x > s",
    );
    write_refused(&o, &w.ws.join("s"), "-c sandbox_mode won over -s read-only");
}

#[test]
fn a_never_and_ask_for_approval_are_the_approval_flag() {
    let w = World::with_config(BASE_CONFIG);
    let push = ["--", "git", "push", "origin", "main"];
    let verdict = |flags: &[&str]| -> String {
        let mut args = vec!["check", "--json"];
        args.extend(flags);
        args.extend(push);
        let o = w.run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        v["verdict"].as_str().unwrap().to_owned()
    };
    assert_eq!(verdict(&[]), "ask", "control: a push asks by default");
    assert_eq!(
        verdict(&["-a", "never"]),
        "deny",
        "gate bypassed: -a never still asks"
    );
    assert_eq!(verdict(&["--ask-for-approval", "never"]), "deny");
    assert_eq!(verdict(&["--approval", "never"]), "deny");
    assert_eq!(verdict(&["-c", "approval_policy=never"]), "deny");
}

#[test]
fn add_dir_makes_the_directory_writable() {
    let w = World::new();
    let target = w.sibling.join("added");
    let script = format!("echo x > '{}'", target.display());
    let o = exec(&w, &[], &script);
    write_refused(
        &o,
        &target,
        "a write outside the workspace without --add-dir",
    );
    let dir = w.sibling.to_str().unwrap();
    let ws = w.ws.to_str().unwrap();
    let o = exec(&w, &["exec", "--cd", ws, "--add-dir", dir], &script);
    assert_ran(&o, "a write in an --add-dir directory");
    assert!(
        target.exists(),
        "--add-dir did not make the directory writable"
    );
}

#[test]
fn a_top_level_profile_is_the_default_and_profile_wins() {
    let w = World::with_config(&format!(
        "profile = \"ro\"\n{BASE_CONFIG}{ALLOW_ALL}\
         [profiles.ro]\nsandbox_mode = \"read-only\"\n\
         [profiles.rw]\nsandbox_mode = \"workspace-write\"\n"
    ));
    let o = exec(&w, &[], "echo x > p");
    write_refused(
        &o,
        &w.ws.join("p"),
        "a write under the default profile `ro`",
    );
    let o = exec(&w, &["-p", "rw", "exec"], "echo x > p");
    assert_ran(&o, "--profile rw over the default profile");
    assert!(w.ws.join("p").exists());
    // An undefined default profile names the file and the key.
    w.set_config(&format!("profile = \"nope\"\n{BASE_CONFIG}"));
    let o = w.run(["check", "--", "ls"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("profile `nope` is not defined")
            && stderr(&o).contains("top-level `profile`"),
        "{}",
        stderr(&o)
    );
}

/// `env` run by `rampart exec` under `config`, with `vars` in rampart's
/// own environment.
fn env_under(config: &str, vars: &[(&str, &str)]) -> Output {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}{config}"));
    let mut c = w.cmd(["exec", "--", "env"]);
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn shell_environment_policy_set_is_visible_and_cannot_pass_an_excluded_name() {
    let o = env_under(
        "[shell_environment_policy]\nset = { RAMPART_TEST_MODE = \"ci\" }\n",
        &[],
    );
    assert_ran(&o, "a command with `set`");
    assert!(
        stdout(&o).lines().any(|l| l == "RAMPART_TEST_MODE=ci"),
        "`set` is not visible in the sandbox: {}",
        stdout(&o)
    );
    // A name the built-in exclusions keep out: refused, not passed.
    let value = ["fake", "value", "0"].concat();
    let o = env_under(
        &format!("[shell_environment_policy]\nset = {{ DEPLOY_TOKEN = \"{value}\" }}\n"),
        &[],
    );
    breached_if(
        stdout(&o).contains(&value),
        "`set` passed an excluded name",
        &o,
    );
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot give `DEPLOY_TOKEN`"),
        "{}",
        stderr(&o)
    );
    // Nor a name `include_only` leaves out.
    let o = env_under(
        "[shell_environment_policy]\ninclude_only = [\"PATH\"]\nset = { OTHER = \"x\" }\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot give `OTHER`"), "{}", stderr(&o));
}

#[test]
fn shell_environment_policy_ignore_default_excludes_and_exclude() {
    let value = ["fake", "key", "0"].concat();
    let var = [("MY_API_KEY", value.as_str())];
    // Codex's meaning: `exclude` adds to the built-in exclusions.
    let o = env_under(
        "[shell_environment_policy]\ninherit = \"all\"\nexclude = [\"AWS_*\"]\n",
        &var,
    );
    assert_ran(&o, "env with exclude");
    breached_if(
        stdout(&o).contains(&value),
        "a *KEY* variable passed because `exclude` was set",
        &o,
    );
    let o = env_under(
        "[shell_environment_policy]\ninherit = \"all\"\nignore_default_excludes = true\n",
        &var,
    );
    assert_ran(&o, "env with ignore_default_excludes");
    assert!(
        stdout(&o).contains(&format!("MY_API_KEY={value}")),
        "control: ignore_default_excludes = true did not pass MY_API_KEY: {}",
        stdout(&o)
    );
}

#[test]
fn shell_environment_policy_include_only_keeps_only_matches() {
    let o = env_under(
        "[shell_environment_policy]\ninherit = \"all\"\ninclude_only = [\"PATH\", \"KEEP*\"]\n",
        &[("KEEP_ME", "yes"), ("DROP_ME", "no")],
    );
    assert_ran(&o, "env with include_only");
    let out = stdout(&o);
    assert!(out.lines().any(|l| l == "KEEP_ME=yes"), "{out}");
    breached_if(
        out.contains("DROP_ME"),
        "include_only let another name through",
        &o,
    );
    breached_if(out.contains("HOME="), "include_only let HOME through", &o);
}

/// A Codex config as users have them: model and UI settings beside the
/// sandbox ones, profiles, MCP servers and per-project trust.
fn codex_config(extra: &str) -> String {
    format!(
        r#"model = "gpt-5"
model_provider = "openai"
model_reasoning_effort = "high"
approval_policy = "on-request"
sandbox_mode = "workspace-write"
profile = "review"
notify = ["notify-send", "codex"]

[sandbox_workspace_write]
writable_roots = ["{extra}"]
network_access = false
exclude_slash_tmp = true
exclude_tmpdir_env_var = true

[shell_environment_policy]
inherit = "core"
ignore_default_excludes = false
exclude = ["AWS_*", "AZURE_*"]
set = {{ CI = "1", GITHUB_TOKEN = "not-a-real-one" }}
include_only = ["PATH", "HOME", "CI", "LANG"]

[profiles.review]
model = "o3"
sandbox_mode = "read-only"
approval_policy = "never"

[profiles.full]
sandbox_mode = "danger-full-access"

[profiles.full.sandbox_workspace_write]
network_access = true

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]

[tui]
notifications = true

[projects."{extra}"]
trust_level = "trusted"
"#
    )
}

#[test]
fn init_from_codex_writes_a_config_that_loads() {
    let w = World::with_config(BASE_CONFIG);
    std::fs::remove_file(&w.config).unwrap();
    let codex_home = w.base.join("codex-home");
    std::fs::create_dir_all(&codex_home).unwrap();
    std::fs::write(
        codex_home.join("config.toml"),
        codex_config(&w.sibling.display().to_string()),
    )
    .unwrap();
    let mut c = w.cmd(["init", "--from-codex"]);
    c.env("CODEX_HOME", &codex_home);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    for ignored in [
        "`model`",
        "`mcp_servers`",
        "`tui`",
        "`notify`",
        "`profiles.review.model`",
    ] {
        assert!(
            err.contains(&format!("ignored {ignored}")),
            "{ignored} not listed: {err}"
        );
    }
    for unmapped in ["`projects`", "`shell_environment_policy.set.GITHUB_TOKEN`"] {
        assert!(
            err.contains(&format!("not mapped {unmapped}")),
            "{unmapped}: {err}"
        );
    }
    let written = std::fs::read_to_string(&w.config).unwrap();
    breached_if(
        written.contains("not-a-real-one"),
        "init --from-codex wrote an excluded `set` value",
        &o,
    );
    assert!(
        !written.contains("gpt-5") && written.contains("profile = \"review\""),
        "{written}"
    );
    // It loads, with each profile.
    for flags in [&[][..], &["--profile", "full"][..]] {
        let mut args: Vec<&str> = flags.to_vec();
        args.extend(["check", "--", "ls"]);
        let o = w.run(&args);
        assert_eq!(o.status.code(), Some(0), "{flags:?}: {}", stderr(&o));
    }
    // Its default profile is in force: review is read-only.
    let o = w.run([
        "exec",
        "-c",
        "rules=[{command=[\"*\"], decision=\"allow\"}]",
        "--",
        "sh",
        "-c",
        "echo x > r",
    ]);
    write_refused(
        &o,
        &w.ws.join("r"),
        "a write under the imported read-only profile",
    );
    // An existing config is kept without --force.
    let mut c = w.cmd(["init", "--from-codex"]);
    c.env("CODEX_HOME", &codex_home);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
}

#[test]
fn init_from_codex_without_a_codex_config_names_the_path() {
    let w = World::with_config(BASE_CONFIG);
    let codex_home = w.base.join("no-codex-here");
    let mut c = w.cmd(["init", "--from-codex", "--print"]);
    c.env("CODEX_HOME", &codex_home);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let expected = format!("`{}`", codex_home.join("config.toml").display());
    assert!(stderr(&o).contains(&expected), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    // `doctor` lists a `-c` override among the config's sources.
    let o = w.run([
        "-c",
        "limits.timeout_secs=30",
        "doctor",
        "--no-trial",
        "--json",
    ]);
    assert!(
        stdout(&o).contains("-c limits.timeout_secs=30"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_hook_refuses_c_rather_than_ignoring_it() {
    let w = World::new();
    let o = w.run_with_stdin(
        ["-c", "sandbox_mode=read-only", "hook", "claude-code"],
        b"{}",
    );
    assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).is_empty(),
        "gate bypassed: the hook answered as if -c applied: {}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("does not take `-c KEY=VALUE`"),
        "{}",
        stderr(&o)
    );
}
