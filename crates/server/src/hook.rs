//! The Claude Code `PreToolUse` hook: the tool call Claude Code is about to
//! make, as JSON on stdin, becomes an [`Action`]; the gate's decision
//! becomes the hook answer Claude Code documents:
//!
//! ```json
//! {"hookSpecificOutput":{"hookEventName":"PreToolUse",
//!   "permissionDecision":"allow"|"deny"|"ask",
//!   "permissionDecisionReason":"…","updatedInput":{…}}}
//! ```
//!
//! Tools: `Bash` (the command, seen through `bash -c`), `Read`, `Write`,
//! `Edit`, `MultiEdit`, `NotebookEdit`, `Glob`, `Grep`, `WebFetch`. An
//! allowed (or asked) `Bash` command can be rewritten to run under
//! `rampart exec`, so it is sandboxed as well as judged. A tool this
//! module does not know (an MCP tool) gets the strictest `[[rules]] tool`
//! rule naming it, else `[agents] unknown_tool` (`ask` by default); a
//! malformed input gets `deny`, with a reason naming what was wrong: never a
//! crash, never a silent allow. Only `PreToolUse` is a tool call
//! ([`event_of`]); the new content a file tool writes ([`new_content`]) is
//! scanned for secrets ([`secret_rules`]).
//!
//! File paths (and `Glob`'s pattern base) are judged as written and as
//! [`rampart_guard::resolve`] finds them (`~`, `cwd`, `..`, symlinks in every
//! component): the stricter answer wins (`rampart_gate::Gate::judge_with`
//! judges the action with each resolved form).

use std::path::{Path, PathBuf};

use rampart_guard::host::destination;
use rampart_guard::resolve;
use rampart_policy::shell::quote;
use rampart_policy::{lexical_path, Action, Config, UnknownTool, Verdict};

use serde::Deserialize;
use serde_json::{json, Value};

/// The part of the hook input rampart reads.
#[derive(Debug, Clone, Deserialize)]
pub struct HookInput {
    /// Claude Code's session.
    #[serde(default)]
    pub session_id: Option<String>,
    /// Claude Code's id for this tool call (recorded as
    /// `unmapped.tool_use_id`, so the trail can be joined with Claude
    /// Code's transcript).
    #[serde(default)]
    pub tool_use_id: Option<String>,
    /// Claude Code's permission mode (`default`, `acceptEdits`, `plan`,
    /// `bypassPermissions`, …), recorded as `unmapped.permission_mode`.
    #[serde(default)]
    pub permission_mode: Option<String>,
    /// Claude Code's working directory (the project).
    pub cwd: PathBuf,
    /// `PreToolUse`.
    pub hook_event_name: String,
    /// The tool.
    pub tool_name: String,
    /// Its input, by tool.
    pub tool_input: Value,
}

/// What to do with a hook call.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Judge this action with the gate.
    Judge {
        /// The action, with its path as written (lexically normal).
        action: Action,
        /// The same action on the path the tool will really touch
        /// (symlinks in every component followed), when that differs.
        resolved: Vec<Action>,
        /// For `Bash`: the command, so an allowed one can be rewritten.
        bash_command: Option<String>,
    },
    /// Answer without judging (an unknown tool, a malformed input).
    Answer {
        /// `allow`, `deny` or `ask`.
        decision: &'static str,
        /// Why.
        reason: String,
        /// The `[[rules]] tool` rule that gave the answer (`file:line`).
        rule: Option<String>,
    },
}

/// The event a hook input is for, read before anything else: only a
/// `PreToolUse` call is judged. Every other event Claude Code can send a
/// hook (`PostToolUse`, `UserPromptSubmit`, `Stop`, `SessionStart`,
/// `Notification`, `PermissionRequest`, …) has nothing for rampart to
/// decide, and the neutral answer to each is no output and exit 0 (for
/// `UserPromptSubmit` and `SessionStart` anything printed would even be
/// added to the model's context); the hook gives that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookEvent {
    /// A tool call about to run: judged.
    PreToolUse,
    /// Any other event, by name: answered with nothing.
    Other(String),
}

/// The event `raw` (a hook input) names. An input that names none (or
/// not as a string) is taken as a `PreToolUse` call, so that it is
/// judged, and refused when it cannot be: never waved through.
pub fn event_of(raw: &Value) -> HookEvent {
    match raw.get("hook_event_name").and_then(Value::as_str) {
        Some(name) if name != "PreToolUse" => HookEvent::Other(name.to_owned()),
        _ => HookEvent::PreToolUse,
    }
}

/// The new text a file tool call writes: `Write`'s `content`, `Edit`'s
/// `new_string`, each of `MultiEdit`'s `edits[].new_string`,
/// `NotebookEdit`'s `new_source`. Empty for any other tool.
pub fn new_content(input: &HookInput) -> Vec<&str> {
    let t = &input.tool_input;
    match input.tool_name.as_str() {
        "Write" => t
            .get("content")
            .and_then(Value::as_str)
            .into_iter()
            .collect(),
        "Edit" => t
            .get("new_string")
            .and_then(Value::as_str)
            .into_iter()
            .collect(),
        "MultiEdit" => t
            .get("edits")
            .and_then(Value::as_array)
            .map(|edits| {
                edits
                    .iter()
                    .filter_map(|e| e.get("new_string").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default(),
        "NotebookEdit" => t
            .get("new_source")
            .and_then(Value::as_str)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The ids of the detection rules (secrets only, as `rampart scan` finds
/// them) that match anything in `texts`, each once, in order of first
/// appearance. Never the secrets themselves.
pub fn secret_rules(rules: &rampart_detect::RuleSet, texts: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for text in texts {
        for m in rules.find(text.as_bytes(), rampart_detect::Options { pii: false }) {
            if !ids.contains(&m.rule_id) {
                ids.push(m.rule_id);
            }
        }
    }
    ids
}

/// Why a tool call's input cannot be judged (the hook then asks).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolInputError {
    /// A string field that is empty.
    #[error("`tool_input.{0}` is empty")]
    Empty(String),
    /// A field that is not a string.
    #[error("`tool_input.{0}` is not a string")]
    NotAString(String),
    /// A field that is missing.
    #[error("`tool_input.{0}` is missing")]
    Missing(String),
    /// A path that cannot be resolved.
    #[error("{0}")]
    Path(#[from] resolve::ResolveError),
    /// A URL that cannot be judged.
    #[error("{0}")]
    Url(#[from] UrlHostError),
}

/// Why a URL names no host and port the hook can judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlHostError {
    /// Not a URL with a host.
    #[error("{0}")]
    Url(#[from] rampart_guard::host::UrlError),
    /// Not http or https.
    #[error("URL scheme `{0}` is not http or https")]
    Scheme(String),
    /// No port known for it.
    #[error("`{0}` has no port rampart can judge")]
    NoPort(String),
}

fn text<'a>(input: &'a Value, key: &str) -> Result<&'a str, ToolInputError> {
    match input.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(ToolInputError::Empty(key.to_owned())),
        Some(_) => Err(ToolInputError::NotAString(key.to_owned())),
        None => Err(ToolInputError::Missing(key.to_owned())),
    }
}

/// The host and port an `http(s)` URL connects to, read as a browser
/// reads it ([`rampart_guard::host::destination`]: WHATWG parsing, then one
/// normal spelling of the host).
pub fn url_host(url: &str) -> Result<(String, u16), UrlHostError> {
    let d = destination(url)?;
    if !matches!(d.scheme.as_str(), "http" | "https") {
        return Err(UrlHostError::Scheme(d.scheme));
    }
    let port = d.port.ok_or_else(|| UrlHostError::NoPort(url.to_owned()))?;
    Ok((d.host, port))
}

/// What to do with `input` (already parsed as a `PreToolUse` hook input)
/// under `config`: `config.home` expands `~`; file paths are judged as
/// written and as resolved ([`Plan::Judge::resolved`]); a tool rampart does
/// not know gets the strictest `[[rules]] tool` rule that names it
/// ([`rampart_policy::tool_rule`]), else `[agents] unknown_tool`.
pub fn plan(input: &HookInput, config: &Config) -> Plan {
    let home = config.home.as_deref();
    // A call rampart cannot judge is refused, never asked: a yes to it
    // would run the tool unjudged (a `Bash` command unsandboxed).
    let malformed = |why: String| Plan::Answer {
        decision: "deny",
        reason: format!(
            "rampart could not judge this {} call: {why}",
            input.tool_name
        ),
        rule: None,
    };
    if input.hook_event_name != "PreToolUse" {
        return malformed(format!(
            "`hook_event_name` is `{}`; configure `rampart hook claude-code` as a PreToolUse hook",
            input.hook_event_name
        ));
    }
    if !input.cwd.is_absolute() {
        return malformed(format!("`cwd` `{}` is not absolute", input.cwd.display()));
    }
    let ws = input.cwd.clone();
    let t = &input.tool_input;
    let path = |key: &str| -> Result<PathBuf, ToolInputError> {
        Ok(resolve::expand_tilde(text(t, key)?, home)?)
    };
    let optional_dir = |key: &str| -> Result<PathBuf, ToolInputError> {
        match t.get(key) {
            None | Some(Value::Null) => Ok(ws.clone()),
            Some(_) => path(key),
        }
    };
    let (kind, target) = match input.tool_name.as_str() {
        "Bash" => {
            return match text(t, "command") {
                Ok(cmd) => Plan::Judge {
                    action: Action::Exec {
                        argv: vec!["bash".into(), "-c".into(), cmd.to_owned()],
                        cwd: ws.clone(),
                    },
                    resolved: Vec::new(),
                    bash_command: Some(cmd.to_owned()),
                },
                Err(e) => malformed(e.to_string()),
            }
        }
        "Read" => (FileKind::Read, path("file_path")),
        "Write" | "Edit" | "MultiEdit" => {
            let bytes = new_content(input).iter().map(|s| s.len() as u64).sum();
            (FileKind::Write(bytes), path("file_path"))
        }
        "NotebookEdit" => (FileKind::Write(0), path("notebook_path")),
        // An absolute (or `~`, or `..`) pattern lists from its own
        // leading directories, not from `path`.
        "Glob" => (
            FileKind::List,
            optional_dir("path").and_then(|dir| {
                let pattern = resolve::expand_tilde(text(t, "pattern")?, home)?;
                // A pattern that can climb out of its base is judged as a
                // listing of `/`: outside the workspace, never allowed.
                Ok(resolve::glob_base(&pattern.to_string_lossy())
                    .map_or_else(|| PathBuf::from("/"), |b| dir.join(b)))
            }),
        ),
        "Grep" => (FileKind::Read, optional_dir("path")),
        "WebFetch" => {
            return match text(t, "url").and_then(|u| Ok(url_host(u)?)) {
                Ok((host, port)) => Plan::Judge {
                    action: Action::Connect { host, port },
                    resolved: Vec::new(),
                    bash_command: None,
                },
                Err(e) => malformed(e.to_string()),
            }
        }
        other => return unknown_tool(config, other),
    };
    match target {
        Ok(target) => file_plan(&ws, kind, &target).unwrap_or_else(|e| malformed(e.to_string())),
        Err(e) => malformed(e.to_string()),
    }
}

/// The answer for a tool rampart does not know: the strictest
/// `[[rules]] tool` rule that names it, else `[agents] unknown_tool`.
fn unknown_tool(config: &Config, tool: &str) -> Plan {
    if let Some(rule) = rampart_policy::tool_rule(config, tool) {
        let decision = match rule.decision {
            Verdict::Allow => "allow",
            Verdict::Ask => "ask",
            Verdict::Deny => "deny",
        };
        return Plan::Answer {
            decision,
            reason: rule.reason.clone(),
            rule: Some(rule.origin.clone()),
        };
    }
    let (decision, what) = match config.agents.unknown_tool {
        UnknownTool::Ask => ("ask", "asks about"),
        UnknownTool::Deny => ("deny", "refuses"),
        UnknownTool::Allow => ("allow", "lets through"),
    };
    Plan::Answer {
        decision,
        reason: format!(
            "rampart does not know the tool `{tool}` and {what} it (`[agents] unknown_tool = \"{decision}\"`; a `[[rules]] tool = \"…\"` rule can decide it)"
        ),
        rule: None,
    }
}

/// A file tool's action on `target` as written (lexically) and as the
/// kernel will walk it: the stricter of the two answers wins.
fn file_plan(ws: &Path, kind: FileKind, target: &Path) -> Result<Plan, resolve::ResolveError> {
    let lexical = lexical_path(ws, target);
    let action = kind.action(lexical.clone(), ws.to_path_buf());
    let real_ws = resolve::real_path(Path::new("/"), ws)?;
    // The kernel's walk of the path as written, and its walk of the path
    // after a lexical clean-up (`a/../s` becomes `s`, as Node's
    // `path.resolve` makes it before the tool opens it): the two differ
    // when `a` is a symlink, and either may be what is opened.
    let mut resolved: Vec<Action> = Vec::new();
    for p in [target, lexical.as_path()] {
        let real = resolve::real_path(ws, p)?;
        let again = kind.action(real, real_ws.clone());
        if again != action && !resolved.contains(&again) {
            resolved.push(again);
        }
    }
    Ok(Plan::Judge {
        action,
        resolved,
        bash_command: None,
    })
}

/// What a file tool does with its path.
#[derive(Debug, Clone, Copy)]
enum FileKind {
    Read,
    Write(u64),
    List,
}

impl FileKind {
    fn action(self, path: PathBuf, workspace: PathBuf) -> Action {
        match self {
            Self::Read => Action::ReadFile { path, workspace },
            Self::Write(bytes) => Action::WriteFile {
                path,
                workspace,
                bytes,
            },
            Self::List => Action::ListDir { path, workspace },
        }
    }
}

/// `config` with the real path of every `deny_read` entry added (a
/// `~/.ssh` that is itself a symlink to `~/dotfiles/ssh` hides both), so
/// that a resolved path is held against resolved rules. Only adds.
pub fn resolve_deny_read(config: &mut rampart_policy::Config) {
    let extra: Vec<PathBuf> = config
        .deny_read
        .iter()
        .filter_map(|d| resolve::real_path(Path::new("/"), d).ok())
        .filter(|r| !config.deny_read.contains(r))
        .collect();
    config.deny_read.extend(extra);
}

/// For a tool that searches a tree (`Grep` reads every file beneath its
/// path; `Glob` lists names down to its pattern's depth, or without end
/// for `**`): a read of each existing `deny_read` entry with something
/// in it the search can reach beneath a
/// searched directory (as written or resolved), so a search of a
/// directory that holds `~/.ssh` gets `~/.ssh`'s answer. rampart's state
/// and audit directory (`[audit] dir`) counts as such an entry. `config.deny_read`
/// should already be resolved ([`resolve_deny_read`]).
///
/// A `Grep` reads contents: the files a read-deny path rule matches beneath
/// the searched folder are judged too (the sandbox hides them from
/// `grep -r`; the hook's answer must not differ).
///
/// # Errors
///
/// A path rule too wide to find its files: the search cannot be judged.
pub fn hidden_in_search(
    config: &rampart_policy::Config,
    input: &HookInput,
    searched: &[Action],
) -> Result<Vec<Action>, String> {
    let reach = match input.tool_name.as_str() {
        "Grep" => None,
        "Glob" => {
            let pattern = input.tool_input.get("pattern").and_then(Value::as_str);
            let pattern = pattern
                .and_then(|p| resolve::expand_tilde(p, config.home.as_deref()).ok())
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            resolve::glob_reach(&pattern)
        }
        _ => return Ok(Vec::new()),
    };
    let mut out: Vec<Action> = Vec::new();
    if reach.is_none() {
        for a in searched {
            let (Some(dir), Some(workspace)) = (file_path(a), workspace_of(a)) else {
                continue;
            };
            let denied = crate::exec_plan::read_denied_by_path_rules(config, workspace)
                .map_err(|e| e.to_string())?;
            for file in denied.into_iter().filter(|f| f.starts_with(dir)) {
                let again = Action::ReadFile {
                    path: file,
                    workspace: workspace.to_path_buf(),
                };
                if !out.contains(&again) {
                    out.push(again);
                }
            }
        }
    }
    // rampart's state and audit directory is hidden like a `deny_read`
    // entry (as given and resolved).
    let state = &config.audit.dir;
    let state_real = std::fs::canonicalize(state).ok();
    let hidden_dirs: Vec<&PathBuf> = config
        .deny_read
        .iter()
        .chain(std::iter::once(state))
        .chain(state_real.as_ref())
        .collect();
    for a in searched {
        let (Some(dir), Some(workspace)) = (file_path(a), workspace_of(a)) else {
            continue;
        };
        for hidden in hidden_dirs.iter().copied() {
            let Ok(depth) = hidden.strip_prefix(dir).map(|r| r.components().count()) else {
                continue;
            };
            // A `Glob` that only reaches the entry's own name (`*` in
            // `~`) shows no more than `ls ~` does; one deeper lists inside.
            let reachable = depth > 0 && reach.is_none_or(|r| depth < r);
            let again = Action::ReadFile {
                path: hidden.clone(),
                workspace: workspace.to_path_buf(),
            };
            if reachable && std::fs::symlink_metadata(hidden).is_ok() && !out.contains(&again) {
                out.push(again);
            }
        }
    }
    Ok(out)
}

fn file_path(a: &Action) -> Option<&Path> {
    match a {
        Action::ReadFile { path, .. }
        | Action::WriteFile { path, .. }
        | Action::ListDir { path, .. } => Some(path),
        _ => None,
    }
}

fn workspace_of(a: &Action) -> Option<&Path> {
    match a {
        Action::ReadFile { workspace, .. }
        | Action::WriteFile { workspace, .. }
        | Action::ListDir { workspace, .. } => Some(workspace),
        _ => None,
    }
}

/// The `Bash` command rewritten to run under `rampart exec` in `cwd`.
/// `rampart` is the absolute path of this binary; `globals` are the
/// `--config`/`--profile` flags the hook itself was given.
pub fn rewrite_bash(rampart: &Path, globals: &[String], cwd: &Path, command: &str) -> String {
    let mut words = vec![quote(&rampart.to_string_lossy())];
    words.extend(globals.iter().map(|g| quote(g)));
    words.push("exec".into());
    words.push("-C".into());
    words.push(quote(&cwd.to_string_lossy()));
    words.push("--".into());
    words.push("bash".into());
    words.push("-c".into());
    words.push(quote(command));
    words.join(" ")
}

/// `text` with every control and invisible character written as a
/// `\u{…}` escape: Claude Code shows the reason in its terminal UI, in the
/// very prompt where the user approves an `ask`, and the reason quotes
/// paths and commands the agent chose (an `ESC [2K` in a file name must
/// not rewrite that prompt).
fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || rampart_detect::is_invisible(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// The hook's answer.
pub fn answer(decision: &str, reason: &str, updated_input: Option<Value>) -> Value {
    let mut out = json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision,
            "permissionDecisionReason": shown(reason),
        }
    });
    if let Some(u) = updated_input {
        out["hookSpecificOutput"]["updatedInput"] = u;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(tool: &str, tool_input: Value) -> HookInput {
        HookInput {
            session_id: Some("s".into()),
            tool_use_id: Some("toolu_1".into()),
            permission_mode: Some("default".into()),
            cwd: "/w".into(),
            hook_event_name: "PreToolUse".into(),
            tool_name: tool.into(),
            tool_input,
        }
    }

    fn cfg(unknown: UnknownTool) -> Config {
        let mut c = Config::defaults(&rampart_policy::HostEnv::default());
        c.agents.unknown_tool = unknown;
        c
    }

    #[test]
    fn other_events_are_not_tool_calls() {
        assert_eq!(
            event_of(&json!({"hook_event_name": "PostToolUse"})),
            HookEvent::Other("PostToolUse".into())
        );
        assert_eq!(
            event_of(&json!({"hook_event_name": "PreToolUse"})),
            HookEvent::PreToolUse
        );
        // Naming no event is no way around the judgement.
        assert_eq!(
            event_of(&json!({"tool_name": "Bash"})),
            HookEvent::PreToolUse
        );
        assert_eq!(
            event_of(&json!({"hook_event_name": 5})),
            HookEvent::PreToolUse
        );
    }

    #[test]
    fn new_content_of_each_file_tool() {
        let i = input(
            "MultiEdit",
            json!({"file_path": "/w/a", "edits": [{"old_string": "x", "new_string": "one"}, {"new_string": "two"}]}),
        );
        assert_eq!(new_content(&i), vec!["one", "two"]);
        let i = input(
            "NotebookEdit",
            json!({"notebook_path": "/w/n.ipynb", "new_source": "s"}),
        );
        assert_eq!(new_content(&i), vec!["s"]);
        let i = input(
            "Edit",
            json!({"file_path": "/w/a", "old_string": "o", "new_string": "n"}),
        );
        assert_eq!(new_content(&i), vec!["n"]);
        assert!(new_content(&input("Read", json!({"file_path": "/w/a"}))).is_empty());
    }

    #[test]
    fn tools_map_to_actions() {
        let p = plan(
            &input("Read", json!({"file_path": "/w/a/../b"})),
            &cfg(UnknownTool::Ask),
        );
        assert_eq!(
            p,
            Plan::Judge {
                action: Action::ReadFile {
                    path: "/w/b".into(),
                    workspace: "/w".into()
                },
                resolved: vec![],
                bash_command: None
            }
        );
        let p = plan(
            &input("Glob", json!({"pattern": "**/*.rs"})),
            &cfg(UnknownTool::Ask),
        );
        assert!(
            matches!(p, Plan::Judge { action: Action::ListDir { ref path, .. }, .. } if path == Path::new("/w"))
        );
        let p = plan(
            &input(
                "WebFetch",
                json!({"url": "https://u:p@Docs.rs:8443/x", "prompt": "?"}),
            ),
            &cfg(UnknownTool::Ask),
        );
        assert!(
            matches!(p, Plan::Judge { action: Action::Connect { ref host, port: 8443 }, .. } if host == "docs.rs")
        );
        let p = plan(
            &input("Bash", json!({"command": "ls -la"})),
            &cfg(UnknownTool::Ask),
        );
        assert!(matches!(p, Plan::Judge { bash_command: Some(ref c), .. } if c == "ls -la"));
    }

    #[test]
    fn unknown_and_malformed_get_a_clear_answer() {
        let p = plan(&input("Frobnicate", json!({})), &cfg(UnknownTool::Ask));
        assert!(
            matches!(p, Plan::Answer { decision: "ask", ref reason, .. } if reason.contains("Frobnicate"))
        );
        let p = plan(&input("Frobnicate", json!({})), &cfg(UnknownTool::Deny));
        assert!(matches!(
            p,
            Plan::Answer {
                decision: "deny",
                ..
            }
        ));
        let p = plan(
            &input("Bash", json!({"command": 5})),
            &cfg(UnknownTool::Allow),
        );
        assert!(
            matches!(p, Plan::Answer { decision: "deny", ref reason, .. } if reason.contains("not a string"))
        );
        let p = plan(
            &input("WebFetch", json!({"url": "file:///etc/passwd"})),
            &cfg(UnknownTool::Allow),
        );
        assert!(matches!(
            p,
            Plan::Answer {
                decision: "deny",
                ..
            }
        ));
    }

    #[test]
    fn tool_rules_decide_unknown_tools() {
        let mut c = cfg(UnknownTool::Deny);
        c.rules.push(rampart_policy::Rule {
            matcher: rampart_policy::RuleMatch::Tool(
                rampart_policy::ToolPattern::new("mcp__github__*").unwrap(),
            ),
            decision: Verdict::Allow,
            reason: "github is fine".into(),
            origin: "user.toml:3".into(),
        });
        let p = plan(&input("mcp__github__list_issues", json!({})), &c);
        assert_eq!(
            p,
            Plan::Answer {
                decision: "allow",
                reason: "github is fine".into(),
                rule: Some("user.toml:3".into())
            }
        );
        let p = plan(&input("mcp__slack__post", json!({})), &c);
        assert!(matches!(
            p,
            Plan::Answer {
                decision: "deny",
                rule: None,
                ..
            }
        ));
    }

    #[test]
    fn urls_are_judged_by_the_host_node_connects_to() {
        // WHATWG (Node, browsers): `\\` is `/`, tabs and newlines vanish,
        // `%xx` in a host is decoded.
        for (u, host) in [
            ("https://evil.example\\@docs.rs/", "evil.example"),
            ("https://evil.example\t@docs.rs/", "docs.rs"),
            ("https://%65vil.example/", "evil.example"),
            ("http://2852039166/", "169.254.169.254"),
        ] {
            assert_eq!(url_host(u).map(|h| h.0), Ok(host.to_owned()), "{u}");
        }
        assert!(url_host("https://docs.rs /x").is_err());
        assert_eq!(url_host("https://docs.rs/x?q=%20").unwrap().0, "docs.rs");
    }

    #[test]
    fn rewrite_quotes_everything() {
        let r = rewrite_bash(
            Path::new("/usr/bin/rampart"),
            &[],
            Path::new("/w x"),
            "echo 'a' && rm b",
        );
        assert_eq!(
            r,
            r"/usr/bin/rampart exec -C '/w x' -- bash -c 'echo '\''a'\'' && rm b'"
        );
    }
}
