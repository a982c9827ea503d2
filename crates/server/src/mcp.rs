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
//! A refused call returns a tool result with `isError: true` whose text
//! says what was refused and why, and `structuredContent.denied = true`:
//! never an empty success. Malformed arguments are refused the same way,
//! naming the argument.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
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

fn schema(v: Value) -> Arc<serde_json::Map<String, Value>> {
    match v {
        Value::Object(m) => Arc::new(m),
        _ => Arc::new(serde_json::Map::new()),
    }
}

/// The tools, with their JSON schemas.
pub fn tools() -> Vec<Tool> {
    let path = json!({ "type": "string", "minLength": 1, "description": "relative to the workspace, or absolute inside it" });
    let mut run = Tool::new(
        "run_command",
        "Run a command inside rampart's sandbox (no network unless allowed, writes only in the workspace). Give `argv` (a program and its arguments, no shell) or `command` (a shell command line, run with `bash -c`). Returns the exit code, stdout and stderr (each capped; secrets masked). Refusals say what was refused and why.",
        schema(json!({
            "type": "object",
            "properties": {
                "argv": { "type": "array", "items": { "type": "string" }, "minItems": 1, "description": "program and arguments" },
                "command": { "type": "string", "minLength": 1, "description": "a shell command line" },
                "cwd": { "type": "string", "description": "working directory inside the workspace" },
                "timeout_secs": { "type": "integer", "minimum": 1, "maximum": 86400 }
            },
            "oneOf": [ { "required": ["argv"] }, { "required": ["command"] } ],
            "additionalProperties": false
        })),
    );
    run.annotations = Some(ToolAnnotations::default());
    let read = Tool::new(
        "read_file",
        "Read a UTF-8 text file beneath the workspace (binary and oversized files are refused; secrets may be masked).",
        schema(json!({ "type": "object", "properties": { "path": path }, "required": ["path"], "additionalProperties": false })),
    );
    let write = Tool::new(
        "write_file",
        "Create or replace a UTF-8 text file beneath the workspace, atomically. The parent directory must exist.",
        schema(json!({
            "type": "object",
            "properties": { "path": path, "content": { "type": "string" } },
            "required": ["path", "content"],
            "additionalProperties": false
        })),
    );
    let list = Tool::new(
        "list_directory",
        "List a directory beneath the workspace: names, kinds (file, dir, symlink, other) and file sizes.",
        schema(json!({ "type": "object", "properties": { "path": path }, "required": ["path"], "additionalProperties": false })),
    );
    vec![run, read, write, list]
}

fn refused(text: String, structured: Value) -> CallToolResult {
    let mut r = CallToolResult::error(vec![ContentBlock::text(text)]);
    r.structured_content = Some(structured);
    r
}

fn invalid(tool: &str, e: impl std::fmt::Display) -> CallToolResult {
    refused(
        format!("invalid arguments for `{tool}`: {e}"),
        json!({ "denied": false, "error": format!("invalid arguments: {e}") }),
    )
}

fn args<T: serde::de::DeserializeOwned>(
    tool: &str,
    a: Option<serde_json::Map<String, Value>>,
) -> Result<T, CallToolResult> {
    serde_json::from_value(Value::Object(a.unwrap_or_default())).map_err(|e| invalid(tool, e))
}

fn finish<T: serde::Serialize, E: std::fmt::Display>(
    r: Result<Done<T>, E>,
    text: impl FnOnce(&T) -> String,
) -> CallToolResult {
    match r {
        Ok(Done::Ran {
            decision,
            approved_by,
            outcome,
        }) => {
            let mut structured = serde_json::to_value(&outcome).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut structured {
                m.insert("risk".into(), json!(decision.risk));
                if let Some(by) = approved_by {
                    m.insert("approved_by".into(), json!(by));
                }
            }
            let mut res = CallToolResult::success(vec![ContentBlock::text(text(&outcome))]);
            res.structured_content = Some(structured);
            res
        }
        Ok(Done::Refused(d)) => refused(
            refusal_text(&d),
            json!({ "denied": true, "verdict": d.verdict, "risk": d.risk, "reasons": d.reasons, "rule": d.rule }),
        ),
        Err(e) => refused(
            format!("rampart could not carry this out: {e}"),
            json!({ "denied": false, "error": e.to_string() }),
        ),
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
                let argv = match (a.argv, a.command) {
                    (Some(v), None) if v.first().is_some_and(|p| !p.is_empty()) => v,
                    (None, Some(c)) if !c.trim().is_empty() => vec!["bash".into(), "-c".into(), c],
                    (Some(_), Some(_)) => return Ok(invalid(name, "give `argv` or `command`, not both")),
                    _ => return Ok(invalid(name, "give a non-empty `argv` or `command`")),
                };
                if a.timeout_secs == Some(0) {
                    return Ok(invalid(name, "`timeout_secs` must be at least 1"));
                }
                let cwd = match s.cwd(a.cwd.as_deref()) {
                    Ok(c) => c,
                    Err(e) => return Ok(invalid(name, e)),
                };
                finish(s.exec(argv, cwd, a.timeout_secs, approver), |o| {
                    let mut t = format!("status: {}\nexit code: {}\n", o.status, o.exit_code);
                    if let Some(why) = &o.status_problem {
                        t.push_str(why);
                        t.push('\n');
                    }
                    if let Some(d) = o.sandbox_denied {
                        t.push_str("the sandbox apparently refused something: ");
                        t.push_str(d);
                        t.push('\n');
                    }
                    t.push_str("--- stdout ---\n");
                    t.push_str(&o.stdout);
                    if o.stdout_truncated {
                        t.push_str("\n[stdout truncated]");
                    }
                    t.push_str("\n--- stderr ---\n");
                    t.push_str(&o.stderr);
                    if o.stderr_truncated {
                        t.push_str("\n[stderr truncated]");
                    }
                    t
                })
            }
            "read_file" => match args::<PathArgs>(name, a) {
                Ok(a) => finish(s.read_file(&a.path, approver), |o| match o {
                    crate::service::FileOutcome::Text { content, .. } => content.clone(),
                    _ => String::new(),
                }),
                Err(r) => r,
            },
            "write_file" => match args::<WriteArgs>(name, a) {
                Ok(a) => finish(s.write_file(&a.path, &a.content, approver), |o| match o {
                    crate::service::FileOutcome::Written { bytes, path } => format!("wrote {bytes} bytes to {path}"),
                    _ => String::new(),
                }),
                Err(r) => r,
            },
            "list_directory" => match args::<PathArgs>(name, a) {
                Ok(a) => finish(s.list_directory(&a.path, approver), |o| match o {
                    crate::service::FileOutcome::Listed { listing, .. } => {
                        let mut t: Vec<String> = listing
                            .entries
                            .iter()
                            .map(|e| match e.kind {
                                "dir" => format!("{}/", e.name),
                                _ => e.name.clone(),
                            })
                            .collect();
                        if listing.truncated {
                            t.push("[more entries left out]".into());
                        }
                        t.join("\n")
                    }
                    _ => String::new(),
                }),
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
