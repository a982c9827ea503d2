//! `rampart mcp`: an MCP server on stdio (built on `rmcp`, the official
//! Rust SDK) whose tools go through the gate.
//!
//! | tool | arguments | does |
//! | --- | --- | --- |
//! | `run_command` | `argv: [string]` or `command: string`, `cwd?`, `timeout_secs?` | runs it in the sandbox; exit code, stdout, stderr (capped, secrets masked) |
//! | `read_file` | `path` | a text file beneath the workspace (masked when `[agents] redact_file_reads`) |
//! | `write_file` | `path`, `content` | replaces or creates a text file beneath the workspace, atomically |
//! | `list_directory` | `path` | the entries of a directory beneath the workspace |
//!
//! Every tool has a flat object input schema, a title, all four
//! annotation hints and an output schema ([`tools`]). Every result carries
//! `structuredContent` and, beside it, one text block holding the same
//! JSON. A refused call returns a result with `isError: true` and
//! `structuredContent.denied = true` with the verdict, reasons and rule
//! (and a `message` saying what was refused and why): never an empty
//! success. Malformed arguments, and calls that could not be carried out,
//! are `isError: true` with `denied: false` and an `error` naming the
//! input.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler, ServiceExt};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::service::{refusal_text, AgentApprover, Done, Service};

/// The server.
#[derive(Debug, Clone)]
pub struct McpServer {
    service: Arc<Service>,
    approver: AgentApprover,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunArgs {
    #[serde(default)]
    argv: Option<Vec<String>>,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    cwd: Option<String>,
    #[serde(default)]
    timeout_secs: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathArgs {
    path: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteArgs {
    path: String,
    content: String,
}

/// The largest `timeout_secs` a call may give (its schema's `maximum`).
const MAX_TIMEOUT_SECS: u64 = 86_400;

fn schema(v: Value) -> Arc<serde_json::Map<String, Value>> {
    match v {
        Value::Object(m) => Arc::new(m),
        _ => Arc::new(serde_json::Map::new()),
    }
}

/// A result's `structuredContent` schema: one flat object, whatever the
/// outcome. `success` are the fields of a call that was carried out,
/// `key` among them present exactly then, with `required`; a refusal by
/// the gate carries `verdict` (with `risk`, `reasons`, `rule` and
/// `message`), a call that could not be carried out carries `error`.
/// `denied` is always there: `true` only for a refusal by the gate. `dependentRequired` (not `oneOf`) ties
/// each shape's fields to its key, so the schema stays free of
/// combinators for clients that reject them.
fn output_schema(
    success: Value,
    key: &str,
    required: &[&str],
) -> Arc<serde_json::Map<String, Value>> {
    let mut properties = match success {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    let shared = json!({
        "denied": { "type": "boolean", "description": "true when rampart's policy refused the call (then `verdict`, `reasons`, `rule` and `message` say why); false otherwise" },
        "risk": { "type": "string", "enum": ["low", "medium", "high", "critical"], "description": "the risk rampart judged the call to carry" },
        "approved_by": { "type": "string", "description": "who approved the call, when it needed a human's approval" },
        "verdict": { "type": "string", "enum": ["allow", "ask", "deny"], "description": "the decision that refused the call" },
        "message": { "type": "string", "description": "what was refused and why, in a sentence" },
        "reasons": { "type": "array", "items": { "type": "string" }, "description": "why it was refused, most important first" },
        "rule": { "type": ["string", "null"], "description": "the rule that decided (`file:line` or `built-in: …`), if one did" },
        "error": { "type": "string", "description": "why the call could not be carried out (malformed arguments, a missing file, …), naming the input" }
    });
    if let Value::Object(m) = shared {
        properties.extend(m);
    }
    let mut success_required: Vec<&str> = required.to_vec();
    success_required.extend(["denied", "risk"]);
    schema(json!({
        "type": "object",
        "properties": properties,
        "required": ["denied"],
        "dependentRequired": {
            key: success_required,
            "verdict": ["denied", "risk", "reasons", "rule", "message"]
        },
        "additionalProperties": false
    }))
}

/// The tools, with their input and output schemas and annotations.
///
/// Input schemas are flat objects (no top-level `oneOf`/`anyOf`/`allOf`,
/// which the Anthropic API refuses and Claude Code drops): "exactly one of
/// `argv` or `command`" is checked by the handler, which names the fix.
///
/// Annotations are hints for the client, true of each tool, all four set
/// so that no client falls back on the spec's defaults (destructive, open
/// world); the title is given both as `title` and in the annotations (where
/// clients of the 2025-03-26 spec look for it):
/// - `read_file`, `list_directory`: read-only, idempotent, closed world
///   (the workspace only).
/// - `write_file`: not read-only, destructive (it replaces a file that is
///   there), idempotent (the same call twice leaves the same file), closed
///   world.
/// - `run_command`: not read-only, destructive, not idempotent (a command
///   can do anything its grant allows, once per call), and open world:
///   the network may be on (`network_access`, `--network`, a profile, or a
///   grant an approved ask makes for one run), and a static hint must not
///   promise a closed world that a config or an approval can open.
pub fn tools() -> Vec<Tool> {
    vec![
        run_command_tool(),
        read_file_tool(),
        write_file_tool(),
        list_directory_tool(),
    ]
}

/// `title` as the tool's title and in its annotations, with `hints`.
fn titled(tool: Tool, title: &str, mut hints: ToolAnnotations) -> Tool {
    hints.title = Some(title.to_owned());
    tool.with_title(title).with_annotations(hints)
}

/// A path argument.
fn path_arg() -> Value {
    json!({ "type": "string", "minLength": 1, "description": "relative to the workspace, or absolute inside it" })
}

/// The real path a file tool opened.
fn real_path() -> Value {
    json!({ "type": "string", "description": "the real path, absolute" })
}

fn run_command_tool() -> Tool {
    let input = schema(json!({
        "type": "object",
        "properties": {
            "argv": { "type": "array", "items": { "type": "string" }, "minItems": 1, "description": "program and arguments, run without a shell; give this or `command`, not both" },
            "command": { "type": "string", "minLength": 1, "description": "a shell command line, run with `bash -c`; give this or `argv`, not both" },
            "cwd": { "type": "string", "description": "working directory inside the workspace (default: the workspace)" },
            "timeout_secs": { "type": "integer", "minimum": 1, "maximum": MAX_TIMEOUT_SECS, "description": "a shorter time limit than the configured one (it cannot be lengthened)" }
        },
        "additionalProperties": false
    }));
    let output = output_schema(
        json!({
            "exit_code": { "type": "integer", "description": "the exit status: 124 timed out, 126 refused, 127 not found, 128+N killed by signal N" },
            "status": { "type": "string", "enum": ["succeeded", "failed", "refused", "timed-out", "killed"], "description": "how the run ended, as the sandbox reported it" },
            "status_problem": { "type": "string", "description": "why the status is `failed` though the run did not say so" },
            "stdout": { "type": "string", "description": "standard output, capped, secrets masked" },
            "stderr": { "type": "string", "description": "standard error, capped, secrets masked" },
            "stdout_truncated": { "type": "boolean", "description": "whether stdout went over the cap" },
            "stderr_truncated": { "type": "boolean", "description": "whether stderr went over the cap" },
            "sandbox_denied": { "type": "string", "description": "what the sandbox apparently refused, when the failure looks like a sandbox denial" }
        }),
        "exit_code",
        &[
            "status",
            "stdout",
            "stderr",
            "stdout_truncated",
            "stderr_truncated",
        ],
    );
    let tool = Tool::new(
        "run_command",
        "Run a command inside rampart's sandbox (no network unless allowed, writes only in the workspace). Give exactly one of `argv` (a program and its arguments, no shell) or `command` (a shell command line, run with `bash -c`). Returns the exit code, stdout and stderr (each capped; secrets masked). Refusals say what was refused and why.",
        input,
    );
    titled(
        tool.with_raw_output_schema(output),
        "Run a command in rampart's sandbox",
        ToolAnnotations::new()
            .read_only(false)
            .destructive(true)
            .idempotent(false)
            .open_world(true),
    )
}

fn read_file_tool() -> Tool {
    let input = schema(
        json!({ "type": "object", "properties": { "path": path_arg() }, "required": ["path"], "additionalProperties": false }),
    );
    let output = output_schema(
        json!({
            "content": { "type": "string", "description": "the file's text (masked when `[agents] redact_file_reads`)" },
            "redacted": { "type": "boolean", "description": "whether anything was masked" },
            "path": real_path()
        }),
        "content",
        &["redacted", "path"],
    );
    let tool = Tool::new(
        "read_file",
        "Read a UTF-8 text file beneath the workspace (binary and oversized files are refused; secrets may be masked).",
        input,
    );
    titled(
        tool.with_raw_output_schema(output),
        "Read a workspace file",
        ToolAnnotations::new()
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false),
    )
}

fn write_file_tool() -> Tool {
    let input = schema(json!({
        "type": "object",
        "properties": { "path": path_arg(), "content": { "type": "string", "description": "the whole new text of the file" } },
        "required": ["path", "content"],
        "additionalProperties": false
    }));
    let output = output_schema(
        json!({
            "bytes": { "type": "integer", "minimum": 0, "description": "bytes written" },
            "path": real_path()
        }),
        "bytes",
        &["path"],
    );
    let tool = Tool::new(
        "write_file",
        "Create or replace a UTF-8 text file beneath the workspace, atomically. The parent directory must exist.",
        input,
    );
    titled(
        tool.with_raw_output_schema(output),
        "Write a workspace file",
        ToolAnnotations::new()
            .read_only(false)
            .destructive(true)
            .idempotent(true)
            .open_world(false),
    )
}

fn list_directory_tool() -> Tool {
    let input = schema(
        json!({ "type": "object", "properties": { "path": path_arg() }, "required": ["path"], "additionalProperties": false }),
    );
    let output = output_schema(
        json!({
            "entries": {
                "type": "array",
                "description": "the entries, sorted by name",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": { "type": "string" },
                        "kind": { "type": "string", "enum": ["file", "dir", "symlink", "other"] },
                        "size": { "type": "integer", "minimum": 0, "description": "size in bytes (files only)" }
                    },
                    "required": ["name", "kind"],
                    "additionalProperties": false
                }
            },
            "truncated": { "type": "boolean", "description": "whether entries beyond the cap were left out" },
            "path": real_path()
        }),
        "entries",
        &["truncated", "path"],
    );
    let tool = Tool::new(
        "list_directory",
        "List a directory beneath the workspace: names, kinds (file, dir, symlink, other) and file sizes.",
        input,
    );
    titled(
        tool.with_raw_output_schema(output),
        "List a workspace directory",
        ToolAnnotations::new()
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false),
    )
}

/// A result whose text block is the JSON of its structured content, as
/// the MCP spec (2025-06-18) recommends for clients that read only text.
fn result(structured: Value, is_error: bool) -> CallToolResult {
    if is_error {
        CallToolResult::structured_error(structured)
    } else {
        CallToolResult::structured(structured)
    }
}

fn failed(error: &str) -> CallToolResult {
    result(json!({ "denied": false, "error": error }), true)
}

fn invalid(tool: &str, e: impl std::fmt::Display) -> CallToolResult {
    failed(&format!("invalid arguments for `{tool}`: {e}"))
}

fn args<T: serde::de::DeserializeOwned>(
    tool: &str,
    a: Option<serde_json::Map<String, Value>>,
) -> Result<T, CallToolResult> {
    serde_json::from_value(Value::Object(a.unwrap_or_default())).map_err(|e| invalid(tool, e))
}

/// `run_command`'s program: exactly one of `argv` and `command`, not
/// empty (the input schema cannot say "exactly one" without `oneOf`).
fn program(
    argv: Option<Vec<String>>,
    command: Option<String>,
) -> Result<Vec<String>, &'static str> {
    match (argv, command) {
        (Some(_), Some(_)) => Err("give `argv` or `command`, not both: `argv` runs a program without a shell, `command` runs a shell command line; drop one of them"),
        (Some(v), None) if v.first().is_some_and(|p| !p.is_empty()) => Ok(v),
        (None, Some(c)) if !c.trim().is_empty() => Ok(vec!["bash".into(), "-c".into(), c]),
        (Some(_), None) => Err("give a non-empty `argv`: a program and its arguments, such as `[\"ls\", \"-la\"]`"),
        (None, Some(_)) => Err("give a non-empty `command`: a shell command line, such as `ls -la | head`"),
        (None, None) => Err("give a non-empty `argv` (a program and its arguments, such as `[\"ls\", \"-la\"]`) or `command` (a shell command line, such as `ls -la | head`)"),
    }
}

fn finish<T: serde::Serialize, E: std::fmt::Display>(r: Result<Done<T>, E>) -> CallToolResult {
    match r {
        Ok(Done::Ran {
            decision,
            approved_by,
            outcome,
        }) => {
            let Ok(Value::Object(mut structured)) = serde_json::to_value(&outcome) else {
                return failed("rampart could not report this: its outcome is not a JSON object");
            };
            structured.insert("denied".into(), json!(false));
            structured.insert("risk".into(), json!(decision.risk));
            if let Some(by) = approved_by {
                structured.insert("approved_by".into(), json!(by));
            }
            result(Value::Object(structured), false)
        }
        Ok(Done::Refused(d)) => result(
            json!({ "denied": true, "verdict": d.verdict, "risk": d.risk, "reasons": d.reasons, "rule": d.rule, "message": refusal_text(&d) }),
            true,
        ),
        Err(e) => failed(&format!("rampart could not carry this out: {e}")),
    }
}

/// Why the MCP server on stdio ended with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeMcpError {
    /// The client and rampart did not agree on a session.
    #[error("MCP handshake failed: {0}")]
    Handshake(Box<rmcp::service::ServerInitializeError>),
    /// The session ended abnormally.
    #[error("MCP server stopped: {0}")]
    Stopped(tokio::task::JoinError),
}

impl McpServer {
    /// A server over `service`, asking through `approver`.
    pub fn new(service: Arc<Service>, approver: AgentApprover) -> Self {
        Self { service, approver }
    }

    /// Serves on stdin/stdout until the client closes it.
    pub async fn serve_stdio(self) -> Result<(), ServeMcpError> {
        let running = self
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| ServeMcpError::Handshake(Box::new(e)))?;
        running
            .waiting()
            .await
            .map(drop)
            .map_err(ServeMcpError::Stopped)
    }

    fn call(
        &self,
        name: &str,
        a: Option<serde_json::Map<String, Value>>,
    ) -> Result<CallToolResult, ErrorData> {
        let s = &self.service;
        let approver = self.approver.clone();
        Ok(match name {
            "run_command" => {
                let a: RunArgs = match args(name, a) {
                    Ok(a) => a,
                    Err(r) => return Ok(r),
                };
                let argv = match program(a.argv, a.command) {
                    Ok(v) => v,
                    Err(why) => return Ok(invalid(name, why)),
                };
                if a.timeout_secs == Some(0) {
                    return Ok(invalid(name, "`timeout_secs` must be at least 1"));
                }
                if a.timeout_secs.is_some_and(|t| t > MAX_TIMEOUT_SECS) {
                    return Ok(invalid(
                        name,
                        format!("`timeout_secs` must be at most {MAX_TIMEOUT_SECS} (a day)"),
                    ));
                }
                let cwd = match s.cwd(a.cwd.as_deref()) {
                    Ok(c) => c,
                    Err(e) => return Ok(invalid(name, e)),
                };
                finish(s.exec(argv, cwd, a.timeout_secs, approver))
            }
            "read_file" => match args::<PathArgs>(name, a) {
                Ok(a) => finish(s.read_file(&a.path, approver)),
                Err(r) => r,
            },
            "write_file" => match args::<WriteArgs>(name, a) {
                Ok(a) => finish(s.write_file(&a.path, &a.content, approver)),
                Err(r) => r,
            },
            "list_directory" => match args::<PathArgs>(name, a) {
                Ok(a) => finish(s.list_directory(&a.path, approver)),
                Err(r) => r,
            },
            other => {
                return Err(ErrorData::invalid_params(
                    format!("unknown tool `{other}`; the tools are run_command, read_file, write_file, list_directory"),
                    None,
                ))
            }
        })
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("rampart", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Every tool runs through rampart's policy: commands run in a sandbox, files stay beneath the workspace, and refusals explain themselves.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let me = self.clone();
        let name = request.name.to_string();
        tokio::task::spawn_blocking(move || me.call(&name, request.arguments))
            .await
            .map_err(|e| ErrorData::internal_error(format!("the tool call failed: {e}"), None))?
            .map(CallToolResponse::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_command_takes_exactly_one_of_argv_and_command() {
        let v = |a: &[&str]| Some(a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            program(v(&["ls", "-la"]), None),
            Ok(vec!["ls".into(), "-la".into()])
        );
        assert_eq!(
            program(None, Some("ls | head".into())),
            Ok(vec!["bash".into(), "-c".into(), "ls | head".into()])
        );
        let both = program(v(&["ls"]), Some("ls".into())).unwrap_err();
        assert!(
            both.contains("not both") && both.contains("drop one of them"),
            "{both}"
        );
        for (argv, command) in [
            (None, None),
            (v(&[]), None),
            (v(&[""]), None),
            (None, Some(" \n".to_owned())),
        ] {
            let e = program(argv.clone(), command.clone()).unwrap_err();
            assert!(e.contains("give a non-empty"), "{argv:?} {command:?}: {e}");
        }
    }

    #[test]
    fn every_tool_is_flat_titled_hinted_and_has_an_output_schema() {
        for t in tools() {
            for s in [&*t.input_schema, &**t.output_schema.as_ref().unwrap()] {
                assert_eq!(s["type"], "object", "{}", t.name);
                assert_eq!(s["additionalProperties"], false, "{}", t.name);
                for k in ["oneOf", "anyOf", "allOf", "not", "$ref", "if"] {
                    assert!(!s.contains_key(k), "{}: top-level `{k}`", t.name);
                }
            }
            let a = t.annotations.as_ref().unwrap();
            assert!(t.title.is_some() && a.title == t.title, "{}", t.name);
            assert!(
                a.read_only_hint.is_some()
                    && a.destructive_hint.is_some()
                    && a.idempotent_hint.is_some()
                    && a.open_world_hint.is_some(),
                "{}: {a:?}",
                t.name
            );
        }
    }
}
