//! A blocking client for the daemon's socket (the `rampart approvals`
//! commands, and surfaces that hand an ask to the queue).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::frame;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// No daemon listens there.
    #[error("no rampart daemon at `{}` ({source}); start one with `rampart serve`", path.display())]
    NotRunning {
        /// The socket.
        path: PathBuf,
        /// Why connecting failed.
        source: std::io::Error,
    },
    /// The connection broke or timed out.
    #[error("talking to the daemon: {0}")]
    Io(#[from] std::io::Error),
    /// The daemon's answer was not a JSON-RPC response.
    #[error("the daemon sent something that is not a JSON-RPC response: {0}")]
    Protocol(String),
    /// The daemon refused the call.
    #[error("{message}")]
    Rpc {
        /// JSON-RPC code.
        code: i64,
        /// Its message.
        message: String,
        /// Its data.
        data: Option<Value>,
    },
}

/// One connection.
#[derive(Debug)]
pub struct Client {
    stream: UnixStream,
    next_id: i64,
}

impl Client {
    /// Connects to the daemon at `socket`; every later read waits at most
    /// `timeout`.
    pub fn connect(socket: &Path, timeout: Duration) -> Result<Self, ClientError> {
        let stream = UnixStream::connect(socket).map_err(|source| ClientError::NotRunning {
            path: socket.to_path_buf(),
            source,
        })?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(Duration::from_secs(10)))?;
        Ok(Self { stream, next_id: 1 })
    }

    /// Calls `method` and returns its result.
    pub fn call(&mut self, method: &str, params: &Value) -> Result<Value, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        let body = serde_json::to_vec(
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        )
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let f = frame::encode(&body).map_err(|e| ClientError::Protocol(e.to_string()))?;
        self.stream.write_all(&f)?;
        let mut header = [0u8; 4];
        self.stream.read_exact(&mut header)?;
        let n = frame::body_len(header).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let mut body = vec![0u8; n];
        self.stream.read_exact(&mut body)?;
        let v: Value =
            serde_json::from_slice(&body).map_err(|e| ClientError::Protocol(e.to_string()))?;
        if v.get("id") != Some(&json!(id)) {
            return Err(ClientError::Protocol(format!(
                "response for another request: {v}"
            )));
        }
        if let Some(e) = v.get("error") {
            return Err(ClientError::Rpc {
                code: e.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: e
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("error")
                    .to_owned(),
                data: e.get("data").cloned(),
            });
        }
        v.get("result")
            .cloned()
            .ok_or_else(|| ClientError::Protocol(format!("no result: {v}")))
    }
}
