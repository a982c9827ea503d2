//! `rampart init`: a commented, secure default config, written 0600.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use fs_err::os::unix::fs::OpenOptionsExt as _;
use serde_json::json;

use crate::args::{Global, InitArgs};
use crate::exit::Exit;
use crate::report::with_hint;
use crate::{load, ui};

/// The default config, every key with its default and a comment.
pub(crate) const DEFAULT_CONFIG: &str = r#"# rampart configuration. Every key below is shown with its built-in default.
# Precedence: command-line flags > project rampart.toml > this file > defaults.
# A project's rampart.toml can only tighten this policy unless the project
# is listed in `trusted_projects` here.

# read-only | workspace-write | danger-full-access
sandbox_mode = "workspace-write"
# untrusted | on-request | on-failure | never
approval_policy = "on-request"
# Projects whose rampart.toml may loosen this policy (absolute or ~/ paths).
trusted_projects = []

[sandbox_workspace_write]
# Network for sandboxed commands (the --network flag). Host allowlists
# (allowed_hosts) need the network proxy and are refused until it exists.
network_access = false
allowed_hosts = []
# false: .git is read-only. "commits": objects, refs, index, logs and HEAD
# are writable; config, hooks/ and info/ stay read-only. true: all of .git.
allow_git_writes = false
# More writable directories, e.g. ["~/.cache/cargo"].
writable_roots = []
# Keep $TMPDIR / /tmp read-only too.
exclude_tmpdir_env_var = false
exclude_slash_tmp = false
# Let commands create Unix sockets. Off, because a socket file of the host
# (ssh-agent, D-Bus, Docker) could otherwise be reached by path.
allow_unix_sockets = false

[filesystem]
# Neither readable nor listable by sandboxed commands (any mode but
# danger-full-access). The first six must exist when they lie in a
# writable root (a workspace at $HOME); the others, credential stores and
# shell histories, are hidden when they exist.
deny_read = [
  "~/.ssh", "~/.aws", "~/.gnupg", "~/.netrc", "~/.config/gh", "~/.docker/config.json",
  "~/.git-credentials", "~/.config/git/credentials", "~/.kube/config", "~/.pgpass",
  "~/.my.cnf", "~/.config/gcloud", "~/.azure", "~/.vault-token", "~/.password-store",
  "~/.local/share/keyrings", "~/.cargo/credentials", "~/.cargo/credentials.toml",
  "~/.bash_history", "~/.zsh_history", "~/.python_history", "~/.psql_history",
  "~/.mysql_history", "~/.node_repl_history", "~/.npmrc", "~/.pypirc",
  "~/.gem/credentials", "~/.terraform.d/credentials.tfrc.json", "~/.config/hub",
  "~/.config/glab-cli", "~/.zhistory", "~/.histfile", "~/.sh_history",
  "~/.local/share/fish/fish_history", "~/.sqlite_history", "~/.rediscli_history",
  "~/.mongosh", "~/.dbshell", "~/.irb_history", "~/.pry_history",
  "~/.local/share/psql_history",
]

[shell_environment_policy]
# all | core | none: which variables start out inherited.
inherit = "core"
# Names matching *KEY*, *SECRET*, *TOKEN*, *PASSWORD* or *CREDENTIAL* never
# reach the command, unless ignore_default_excludes = true (as in Codex).
ignore_default_excludes = false
# More names kept out (case-insensitive globs: *, ?, [ab], {a,b});
# `rampart exec --keep-env NAME` lets one through.
exclude = []
# When not empty, only names matching one of these reach the command.
include_only = []
# Variables set for every command, e.g. { CI = "1" }; a name the filters
# above keep out is refused (never put a secret here).
set = {}

[limits]
# 0 means no limit.
timeout_secs = 600
memory_mb = 4096
max_processes = 512
cpu_secs = 0
file_size_mb = 0

# Rules: deny rules always win, then the first matching allow/ask rule.
# [[rules]]
# command = ["git", "push"]
# decision = "ask"
# reason = "code leaves the machine"
# Tool rules judge an agent's tool calls by name (a glob): they decide the
# tools rampart does not know (MCP tools) and only tighten the ones it does.
# [[rules]]
# tool = "mcp__github__*"
# decision = "ask"
# reason = "the GitHub MCP server acts on my account"

[audit]
dir = "$XDG_STATE_HOME/rampart"
max_file_mb = 10
max_files = 5
sqlite = true
# The URL itself only ever comes from the environment.
postgres_url_env = "RAMPART_AUDIT_PG_URL"
fail_closed = true
durable = false       # true: fsync each event before the action runs
enabled = true        # false: record nothing (every action warns)

# How rampart faces agents: `rampart hook claude-code`, `rampart mcp`,
# `rampart serve` (docs/AGENTS.md). User config only.
[agents]
rewrite_bash = true          # the hook runs allowed Bash commands under `rampart exec`
unknown_tool = "ask"         # the hook's answer for tools it does not know: ask | deny | allow
defer_allow = false          # true: where rampart allows, the hook answers nothing (Claude Code's own prompts apply)
approval_timeout_secs = 120  # an unanswered ask in the daemon's queue is denied after this
max_file_kb = 1024           # largest file the MCP file tools read or write
max_output_kb = 64           # stdout (and stderr) `run_command` hands back
redact_file_reads = true     # mask secrets and PII in what `read_file` returns
max_connections = 64         # connections the daemon serves at once

# Secret and PII detection (`rampart scan`, `rampart redact`, everything
# rampart masks). `rampart scan --list-rules` prints every rule id.
[detect]
disable = []          # built-in rule ids to turn off
allow = []            # regexes over a whole value that is never a finding
exclude_paths = []    # globs `rampart scan` skips, e.g. "tests/fixtures/**"
# [[detect.rules]]
# id = "acme-api-key"
# description = "ACME API key"
# regex = '\b(acme_[A-Za-z0-9]{32})\b'   # group 1 is the secret
# keywords = ["acme_"]                   # lower-case literals that must occur
# confidence = "high"                    # low | medium | high
# min_entropy = 3.5                      # optional, bits per character

# [profiles.ci]
# approval_policy = "never"
"#;

/// Project files may only tighten, so the template says so and sets little.
const PROJECT_CONFIG: &str = r#"# rampart project policy. It can only tighten the user's policy (unless the
# user lists this project in `trusted_projects`): stricter modes, fewer
# writable paths, more hidden paths, lower limits, deny and ask rules.

# sandbox_mode = "read-only"

[filesystem]
deny_read = []

# [[rules]]
# command = ["git", "push"]
# decision = "ask"
# reason = "code leaves the machine"
"#;

/// Writes `text` to `path` with mode 0600: a temporary file in the same
/// directory, fsync, then rename, so a crash never leaves half a config.
fn write_atomic(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        // fs-err has no DirBuilder: the path is named here.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
    }
    if !force && fs_err::symlink_metadata(path).is_ok() {
        return Err(with_hint(
            anyhow::anyhow!("`{}` already exists", path.display()),
            "pass --force to replace it, or --print to see the default",
        ));
    }
    let tmp = dir.join(format!(
        ".{}.rampart-tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("config"),
        std::process::id()
    ));
    let result = (|| {
        let mut f = fs_err::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if force {
            fs_err::rename(&tmp, path)
        } else {
            // hard_link fails if the target appeared meanwhile: no overwrite.
            fs_err::hard_link(&tmp, path).and_then(|()| fs_err::remove_file(&tmp))
        }
    })();
    if result.is_err() {
        let _ = fs_err::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write `{}`", path.display()))
}

/// `$CODEX_HOME/config.toml`, else `~/.codex/config.toml`.
fn codex_config_path() -> Option<PathBuf> {
    std::env::var_os(crate::env::CODEX_HOME)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".codex"))
        })
        .map(|d| d.join("config.toml"))
}

/// The rampart config made from a Codex config, checked: it must load as
/// a user config (with each of its profiles) before it is written.
fn from_codex(path: Option<&Path>) -> anyhow::Result<String> {
    let path = path
        .map(Path::to_path_buf)
        .or_else(codex_config_path)
        .ok_or_else(|| {
            with_hint(
                anyhow::anyhow!(
                    "cannot tell where Codex's config is: neither CODEX_HOME nor HOME is set"
                ),
                "pass its path: `rampart init --from-codex PATH`",
            )
        })?;
    let text = fs_err::read_to_string(&path).map_err(|e| {
        with_hint(
            anyhow::anyhow!(
                "cannot read Codex config `{}`: {}",
                path.display(),
                e.kind()
            ),
            "pass its path: `rampart init --from-codex PATH`",
        )
    })?;
    let imported = super::from_codex::import(&text).map_err(|e| {
        with_hint(
            anyhow::anyhow!(
                "`{}` is not valid TOML: {}",
                path.display(),
                e.message().trim()
            ),
            "fix the file, or pass another with `rampart init --from-codex PATH`",
        )
    })?;
    for key in &imported.ignored {
        ui::info(&format!("ignored `{key}` (not a sandbox setting)"));
    }
    for (key, why) in &imported.unmapped {
        ui::warning(&format!("not mapped `{key}`: {why}"));
    }
    let origin = PathBuf::from("the converted config");
    let source = rampart_policy::Source {
        origin: &origin,
        text: &imported.text,
    };
    let file = rampart_policy::parse(source).map_err(|e| anyhow::anyhow!("{e}"))?;
    let host = load::host_env();
    let mut errors = Vec::new();
    let mut names: Vec<Option<String>> = vec![None];
    if let Some(t) = toml::from_str::<toml::Table>(&imported.text)
        .ok()
        .and_then(|t| t.get("profiles").and_then(toml::Value::as_table).cloned())
    {
        names.extend(t.keys().cloned().map(Some));
    }
    for name in &names {
        let mut cfg = rampart_policy::Config::defaults(&host);
        errors.extend(rampart_policy::apply_layer(
            &mut cfg,
            &file,
            source,
            rampart_policy::Layer::User,
            name.as_deref(),
            &host,
        ));
    }
    if !errors.is_empty() {
        ui::config_errors(&errors);
        return Err(with_hint(
            anyhow::anyhow!("the config made from `{}` does not load, so it was not written", path.display()),
            "fix the keys named above in the Codex config, or write the rampart config by hand (`rampart init --print`)",
        ));
    }
    Ok(imported.text)
}

pub(crate) fn run(global: &Global, args: &InitArgs) -> anyhow::Result<Exit> {
    let converted = match &args.from_codex {
        Some(p) => Some(from_codex(p.as_deref())?),
        None => None,
    };
    let user_text: &str = converted.as_deref().unwrap_or(DEFAULT_CONFIG);
    if args.print {
        crate::ui::out!("{user_text}");
        return Ok(Exit::Ok);
    }
    let (path, text): (PathBuf, &str) = if args.project {
        (PathBuf::from("rampart.toml"), PROJECT_CONFIG)
    } else if let Some(o) = args.output.clone().or_else(|| global.config.clone()) {
        (o, user_text)
    } else if let Some(p) = load::user_config_path() {
        (p, user_text)
    } else {
        return Err(with_hint(
            anyhow::anyhow!(
                "cannot tell where the user config goes: neither XDG_CONFIG_HOME nor HOME is set"
            ),
            "pass --output FILE",
        ));
    };
    write_atomic(&path, text, args.force)?;
    if global.json {
        crate::ui::outln!("{}", json!({"path": path, "mode": "0600", "written": true}));
    } else {
        ui::info(&format!("wrote {} (mode 0600)", path.display()));
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_policy::{apply_layer, parse, Config, HostEnv, Layer, Source};

    #[test]
    fn default_config_parses_to_the_defaults() {
        let env = HostEnv {
            home: Some("/h".into()),
            xdg_state_home: Some("/h/.local/state".into()),
        };
        let source = Source {
            origin: Path::new("init.toml"),
            text: DEFAULT_CONFIG,
        };
        let file = parse(source).unwrap();
        let mut cfg = Config::defaults(&env);
        assert!(apply_layer(&mut cfg, &file, source, Layer::User, None, &env).is_empty());
        assert_eq!(cfg, Config::defaults(&env));
    }

    #[test]
    fn project_template_is_valid_as_a_project_file() {
        let env = HostEnv::default();
        let source = Source {
            origin: Path::new("rampart.toml"),
            text: PROJECT_CONFIG,
        };
        let file = parse(source).unwrap();
        let mut cfg = Config::defaults(&env);
        assert!(apply_layer(
            &mut cfg,
            &file,
            source,
            Layer::Project { trusted: false },
            None,
            &env
        )
        .is_empty());
    }
}
