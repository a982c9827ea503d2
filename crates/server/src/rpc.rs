//! The daemon's JSON-RPC 2.0 messages: one request per frame, an explicit
//! list of methods, and parameters that reject unknown fields and wrong
//! types. Parsing is pure, so the fuzz target drives it directly.
//!
//! Wire format (each line is one frame's body):
//!
//! ```text
//! → {"jsonrpc":"2.0","id":1,"method":"check","params":{"argv":["git","push"]}}
//! ← {"jsonrpc":"2.0","id":1,"result":{"verdict":"ask","risk":"high",…}}
//! → {"jsonrpc":"2.0","id":2,"method":"nope"}
//! ← {"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"unknown method `nope`; …"}}
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// JSON-RPC error codes.
pub mod code {
    /// Not JSON.
    pub const PARSE: i64 = -32700;
    /// JSON, but not a request.
    pub const INVALID_REQUEST: i64 = -32600;
    /// No such method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Bad parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// The daemon failed.
    pub const INTERNAL: i64 = -32603;
    /// The gate refused the action (the data says why).
    pub const DENIED: i64 = -32001;
    /// Too many connections, or shutting down.
    pub const BUSY: i64 = -32002;
}

/// The methods, by name.
pub const METHODS: &[&str] = &[
    "status",
    "check",
    "exec",
    "read_file",
    "write_file",
    "approvals.list",
    "approvals.answer",
    "approvals.request",
    "audit.query",
];

/// `check` and `exec`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommandParams {
    /// argv, program first.
    pub argv: Vec<String>,
    /// Working directory, inside the daemon's workspace (default: it).
    #[serde(default)]
    pub cwd: Option<String>,
    /// `exec` only: seconds before the command is killed.
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// `read_file`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PathParams {
    /// Relative to the workspace, or absolute inside it.
    pub path: String,
}

/// `write_file`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WriteParams {
    /// Relative to the workspace, or absolute inside it.
    pub path: String,
    /// UTF-8 text.
    pub content: String,
}

/// `approvals.answer`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerParams {
    /// The ask's id.
    pub id: u64,
    /// Yes or no.
    pub approve: bool,
    /// Also approve the same rule or command prefix for the rest of the
    /// asker's session.
    #[serde(default)]
    pub for_session: bool,
}

/// `approvals.request`: another surface (an MCP server, `rampart exec`)
/// hands an ask to the queue and waits for the answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AskParams {
    /// What would happen (redacted by the asker).
    pub summary: String,
    /// `low` .. `critical`.
    pub risk: rampart_policy::Risk,
    /// Why it asks.
    pub reasons: Vec<String>,
    /// The rule that asked.
    #[serde(default)]
    pub rule: Option<String>,
    /// What "for this session" covers when no rule asked.
    #[serde(default)]
    pub prefix: Vec<String>,
    /// Which door (`mcp`, `exec`, …).
    pub surface: String,
    /// The asker's session, for "for this session" answers.
    #[serde(default)]
    pub session: Option<String>,
}

/// `audit.query`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QueryParams {
    /// `2h`, `30m` or RFC 3339.
    #[serde(default)]
    pub since: Option<String>,
    /// `allow`, `ask` or `deny`.
    #[serde(default)]
    pub verdict: Option<String>,
    /// Text anywhere in the event.
    #[serde(default)]
    pub text: Option<String>,
    /// At most this many (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// No parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// A parsed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// Daemon state.
    Status,
    /// A decision, nothing runs.
    Check(CommandParams),
    /// Run a command through the gate.
    Exec(CommandParams),
    /// Read a file through the gate.
    ReadFile(PathParams),
    /// Write a file through the gate.
    WriteFile(WriteParams),
    /// Pending asks.
    ApprovalsList,
    /// Answer one.
    ApprovalsAnswer(AnswerParams),
    /// Queue one and wait.
    ApprovalsRequest(AskParams),
    /// Search the audit trail.
    AuditQuery(QueryParams),
}

impl Call {
    /// Its method name, as on the wire.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Check(_) => "check",
            Self::Exec(_) => "exec",
            Self::ReadFile(_) => "read_file",
            Self::WriteFile(_) => "write_file",
            Self::ApprovalsList => "approvals.list",
            Self::ApprovalsAnswer(_) => "approvals.answer",
            Self::ApprovalsRequest(_) => "approvals.request",
            Self::AuditQuery(_) => "audit.query",
        }
    }
}

/// A request id: a string or an integer (never null: notifications are
/// not accepted).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Id {
    /// Integer id.
    Num(i64),
    /// String id.
    Str(String),
}

/// A request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Its id.
    pub id: Id,
    /// What it asks.
    pub call: Call,
}

/// A refused request, ready to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    /// The request's id when it could be read.
    pub id: Option<Id>,
    /// JSON-RPC code.
    pub code: i64,
    /// What is wrong and how to fix it.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    jsonrpc: String,
    #[serde(default)]
    id: Option<Value>,
    method: String,
    #[serde(default)]
    params: Option<Value>,
}

/// Why a request's params are unusable (its message is the JSON-RPC
/// error's).
#[derive(Debug, thiserror::Error)]
enum ParamsError {
    #[error("`{0}` needs params")]
    Missing(String),
    #[error("params for `{0}` must be an object")]
    NotAnObject(String),
    #[error("bad params for `{method}`: {source}")]
    Bad {
        method: String,
        source: serde_json::Error,
    },
}

fn decode<T: serde::de::DeserializeOwned>(method: &str, v: Value) -> Result<T, ParamsError> {
    serde_json::from_value(v).map_err(|source| ParamsError::Bad {
        method: method.to_owned(),
        source,
    })
}

fn params<T: serde::de::DeserializeOwned + Default>(
    method: &str,
    p: Option<Value>,
    required: bool,
) -> Result<T, ParamsError> {
    match p {
        None | Some(Value::Null) if !required => Ok(T::default()),
        None | Some(Value::Null) => Err(ParamsError::Missing(method.to_owned())),
        Some(v @ Value::Object(_)) => decode(method, v),
        Some(_) => Err(ParamsError::NotAnObject(method.to_owned())),
    }
}

fn required<T: serde::de::DeserializeOwned>(
    method: &str,
    p: Option<Value>,
) -> Result<T, ParamsError> {
    match p {
        Some(v @ Value::Object(_)) => decode(method, v),
        Some(_) => Err(ParamsError::NotAnObject(method.to_owned())),
        None => Err(ParamsError::Missing(method.to_owned())),
    }
}

/// Parses one frame body into a request.
pub fn parse(body: &[u8]) -> Result<Request, RpcError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| RpcError {
        id: None,
        code: code::PARSE,
        message: format!("not JSON: {e}"),
    })?;
    let id_of = |v: &Value| {
        v.get("id")
            .and_then(|i| serde_json::from_value::<Id>(i.clone()).ok())
    };
    let id = id_of(&value);
    let invalid = |message: String| RpcError {
        id: id.clone(),
        code: code::INVALID_REQUEST,
        message,
    };
    let env: Envelope = serde_json::from_value(value)
        .map_err(|e| invalid(format!("not a JSON-RPC 2.0 request: {e}")))?;
    if env.jsonrpc != "2.0" {
        return Err(invalid("`jsonrpc` must be \"2.0\"".into()));
    }
    let Some(id) = env
        .id
        .as_ref()
        .and_then(|i| serde_json::from_value::<Id>(i.clone()).ok())
    else {
        return Err(invalid(
            "`id` must be a string or an integer (notifications are not accepted)".into(),
        ));
    };
    let bad = |message: String| RpcError {
        id: Some(id.clone()),
        code: code::INVALID_PARAMS,
        message,
    };
    let m = env.method.as_str();
    let p = env.params;
    let call = match m {
        "status" => params::<NoParams>(m, p, false).map(|_| Call::Status),
        "check" => required(m, p).map(Call::Check),
        "exec" => required(m, p).map(Call::Exec),
        "read_file" => required(m, p).map(Call::ReadFile),
        "write_file" => required(m, p).map(Call::WriteFile),
        "approvals.list" => params::<NoParams>(m, p, false).map(|_| Call::ApprovalsList),
        "approvals.answer" => required(m, p).map(Call::ApprovalsAnswer),
        "approvals.request" => required(m, p).map(Call::ApprovalsRequest),
        "audit.query" => params(m, p, false).map(Call::AuditQuery),
        _ => {
            return Err(RpcError {
                id: Some(id),
                code: code::METHOD_NOT_FOUND,
                message: format!(
                    "unknown method `{m}`; the methods are {}",
                    METHODS.join(", ")
                ),
            })
        }
    }
    .map_err(|e| bad(e.to_string()))?;
    match &call {
        Call::Check(c) | Call::Exec(c) if c.argv.first().is_none_or(String::is_empty) => {
            return Err(bad(format!("`{m}` needs a non-empty `argv`")));
        }
        _ => {}
    }
    Ok(Request { id, call })
}

/// A success response's body.
pub fn response(id: &Id, result: &Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "jsonrpc": "2.0", "id": id, "result": result }))
        .unwrap_or_default()
}

/// An error response's body.
pub fn error_response(e: &RpcError, data: Option<Value>) -> Vec<u8> {
    let mut err = serde_json::json!({ "code": e.code, "message": e.message });
    if let Some(d) = data {
        err["data"] = d;
    }
    serde_json::to_vec(&serde_json::json!({ "jsonrpc": "2.0", "id": e.id, "error": err }))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(s: &str) -> i64 {
        parse(s.as_bytes()).unwrap_err().code
    }

    #[test]
    fn good_requests() {
        let r = parse(br#"{"jsonrpc":"2.0","id":1,"method":"check","params":{"argv":["ls"]}}"#)
            .unwrap();
        assert_eq!(r.id, Id::Num(1));
        assert!(matches!(r.call, Call::Check(ref c) if c.argv == ["ls"]));
        let r = parse(br#"{"jsonrpc":"2.0","id":"a","method":"status"}"#).unwrap();
        assert_eq!(r.call, Call::Status);
        let r = parse(
            br#"{"jsonrpc":"2.0","id":2,"method":"approvals.answer","params":{"id":3,"approve":true}}"#,
        )
        .unwrap();
        assert!(matches!(
            r.call,
            Call::ApprovalsAnswer(AnswerParams {
                id: 3,
                approve: true,
                for_session: false
            })
        ));
    }

    #[test]
    fn bad_requests_get_the_right_code() {
        assert_eq!(code_of("{"), code::PARSE);
        assert_eq!(code_of("[]"), code::INVALID_REQUEST);
        assert_eq!(
            code_of(r#"{"jsonrpc":"1.0","id":1,"method":"status"}"#),
            code::INVALID_REQUEST
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","method":"status"}"#),
            code::INVALID_REQUEST
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":null,"method":"status"}"#),
            code::INVALID_REQUEST
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1,"method":"status","x":1}"#),
            code::INVALID_REQUEST
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1,"method":"rm"}"#),
            code::METHOD_NOT_FOUND
        );
        assert_eq!(
            code_of(
                r#"{"jsonrpc":"2.0","id":1,"method":"check","params":{"argv":["ls"],"sudo":true}}"#
            ),
            code::INVALID_PARAMS
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1,"method":"check","params":{"argv":"ls"}}"#),
            code::INVALID_PARAMS
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1,"method":"check","params":{"argv":[]}}"#),
            code::INVALID_PARAMS
        );
        assert_eq!(
            code_of(r#"{"jsonrpc":"2.0","id":1,"method":"status","params":{"a":1}}"#),
            code::INVALID_PARAMS
        );
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(code_of(&deep), code::PARSE);
    }
}
