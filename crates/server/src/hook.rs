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
//! `rampart exec`, so it is sandboxed as well as judged. Anything this
//! module cannot map (an unknown tool, a malformed input) gets the
//! configured answer, `ask` by default, with a reason naming what was
//! wrong: never a crash, never a silent allow.

use std::path::{Path, PathBuf};

use rampart_policy::shell::quote;
use rampart_policy::{destination, lexical_path, Action, UnknownTool};
use serde::Deserialize;
use serde_json::{json, Value};

/// The part of the hook input rampart reads.
#[derive(Debug, Clone, Deserialize)]
pub struct HookInput {
    /// Claude Code's session.
    #[serde(default)]
    pub session_id: Option<String>,
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
        /// The action.
        action: Action,
        /// For `Bash`: the command, so an allowed one can be rewritten.
        bash_command: Option<String>,
    },
    /// Answer without judging (an unknown tool, a malformed input).
    Answer {
        /// `allow`, `deny` or `ask`.
        decision: &'static str,
        /// Why.
        reason: String,
    },
}

fn text<'a>(input: &'a Value, key: &str) -> Result<&'a str, String> {
    match input.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(format!("`tool_input.{key}` is empty")),
        Some(_) => Err(format!("`tool_input.{key}` is not a string")),
        None => Err(format!("`tool_input.{key}` is missing")),
    }
}

/// The host and port an `http(s)` URL connects to, read as a browser
/// reads it ([`rampart_policy::destination`]: WHATWG parsing, then one
/// normal spelling of the host).
pub fn url_host(url: &str) -> Result<(String, u16), String> {
    let d = destination(url).map_err(|e| e.to_string())?;
    if !matches!(d.scheme.as_str(), "http" | "https") {
        return Err(format!("URL scheme `{}` is not http or https", d.scheme));
    }
    let port = d
        .port
        .ok_or_else(|| format!("`{url}` has no port rampart can judge"))?;
    Ok((d.host, port))
}

/// What to do with `input` (already parsed as a hook input).
pub fn plan(input: &HookInput, unknown: UnknownTool) -> Plan {
    let malformed = |why: String| Plan::Answer {
        decision: "ask",
        reason: format!(
            "rampart could not judge this {} call: {why}",
            input.tool_name
        ),
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
    let path = |key: &str| -> Result<PathBuf, String> {
        Ok(lexical_path(&ws, Path::new(text(&input.tool_input, key)?)))
    };
    let optional_dir = |key: &str| -> Result<PathBuf, String> {
        match input.tool_input.get(key) {
            None | Some(Value::Null) => Ok(ws.clone()),
            Some(_) => path(key),
        }
    };
    let t = &input.tool_input;
    let action = match input.tool_name.as_str() {
        "Bash" => {
            return match text(t, "command") {
                Ok(cmd) => Plan::Judge {
                    action: Action::Exec {
                        argv: vec!["bash".into(), "-c".into(), cmd.to_owned()],
                        cwd: ws.clone(),
                    },
                    bash_command: Some(cmd.to_owned()),
                },
                Err(e) => malformed(e),
            }
        }
        "Read" => path("file_path").map(|p| Action::ReadFile {
            path: p,
            workspace: ws.clone(),
        }),
        "Write" | "Edit" | "MultiEdit" => path("file_path").map(|p| {
            let bytes = t
                .get("content")
                .or_else(|| t.get("new_string"))
                .and_then(Value::as_str)
                .map_or(0, |s| s.len() as u64);
            Action::WriteFile {
                path: p,
                workspace: ws.clone(),
                bytes,
            }
        }),
        "NotebookEdit" => path("notebook_path").map(|p| Action::WriteFile {
            path: p,
            workspace: ws.clone(),
            bytes: 0,
        }),
        "Glob" => optional_dir("path").map(|p| Action::ListDir {
            path: p,
            workspace: ws.clone(),
        }),
        "Grep" => optional_dir("path").map(|p| Action::ReadFile {
            path: p,
            workspace: ws.clone(),
        }),
        "WebFetch" => text(t, "url")
            .and_then(url_host)
            .map(|(host, port)| Action::Connect { host, port }),
        other => {
            let (decision, what) = match unknown {
                UnknownTool::Ask => ("ask", "asks about"),
                UnknownTool::Deny => ("deny", "refuses"),
                UnknownTool::Allow => ("allow", "lets through"),
            };
            return Plan::Answer {
                decision,
                reason: format!(
                    "rampart does not know the tool `{other}` and {what} it (`[agents] unknown_tool = \"{decision}\"`)"
                ),
            };
        }
    };
    match action {
        Ok(action) => Plan::Judge {
            action,
            bash_command: None,
        },
        Err(e) => malformed(e),
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

/// The hook's answer.
pub fn answer(decision: &str, reason: &str, updated_input: Option<Value>) -> Value {
    let mut out = json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision,
            "permissionDecisionReason": reason,
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
            cwd: "/w".into(),
            hook_event_name: "PreToolUse".into(),
            tool_name: tool.into(),
            tool_input,
        }
    }

    #[test]
    fn tools_map_to_actions() {
        let p = plan(
            &input("Read", json!({"file_path": "/w/a/../b"})),
            UnknownTool::Ask,
        );
        assert_eq!(
            p,
            Plan::Judge {
                action: Action::ReadFile {
                    path: "/w/b".into(),
                    workspace: "/w".into()
                },
                bash_command: None
            }
        );
        let p = plan(
            &input("Glob", json!({"pattern": "**/*.rs"})),
            UnknownTool::Ask,
        );
        assert!(
            matches!(p, Plan::Judge { action: Action::ListDir { ref path, .. }, .. } if path == Path::new("/w"))
        );
        let p = plan(
            &input(
                "WebFetch",
                json!({"url": "https://u:p@Docs.rs:8443/x", "prompt": "?"}),
            ),
            UnknownTool::Ask,
        );
        assert!(
            matches!(p, Plan::Judge { action: Action::Connect { ref host, port: 8443 }, .. } if host == "docs.rs")
        );
        let p = plan(
            &input("Bash", json!({"command": "ls -la"})),
            UnknownTool::Ask,
        );
        assert!(matches!(p, Plan::Judge { bash_command: Some(ref c), .. } if c == "ls -la"));
    }

    #[test]
    fn unknown_and_malformed_get_a_clear_answer() {
        let p = plan(&input("Frobnicate", json!({})), UnknownTool::Ask);
        assert!(
            matches!(p, Plan::Answer { decision: "ask", ref reason } if reason.contains("Frobnicate"))
        );
        let p = plan(&input("Frobnicate", json!({})), UnknownTool::Deny);
        assert!(matches!(
            p,
            Plan::Answer {
                decision: "deny",
                ..
            }
        ));
        let p = plan(&input("Bash", json!({"command": 5})), UnknownTool::Allow);
        assert!(
            matches!(p, Plan::Answer { decision: "ask", ref reason } if reason.contains("not a string"))
        );
        let p = plan(
            &input("WebFetch", json!({"url": "file:///etc/passwd"})),
            UnknownTool::Allow,
        );
        assert!(matches!(
            p,
            Plan::Answer {
                decision: "ask",
                ..
            }
        ));
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
