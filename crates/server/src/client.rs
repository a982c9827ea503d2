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
    /// Something listens there that is not this user's unconfined daemon
    /// (or could not be shown to be): its answers are not trusted.
    #[error("the process listening on `{}` is not your rampart daemon: {why}; nothing it answers is trusted (stop it, then start `rampart serve` outside any sandbox)", path.display())]
    Untrusted {
        /// The socket.
        path: PathBuf,
        /// Why it is not trusted.
        why: String,
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

/// Where processes are read.
const PROC: &str = "/proc";

/// Why the listener on `stream` is not this user's unconfined daemon, or
/// `Ok` if it is. Fails closed: a peer whose credentials, process or
/// namespaces cannot be read is not trusted.
///
/// A sandboxed command that can write the socket's directory could bind
/// its own listener there and answer every ask with a yes; every rampart
/// sandbox runs its command in a PID namespace of its own, so the peer's
/// pid (seen from here) must be in ours (`NSpid` of one level, the same
/// `ns/pid`), its user namespace ours, its uid ours, and it must have
/// started before the connection (not a reused pid).
///
/// # Errors
///
/// The reason, for the message.
pub fn verify_daemon(
    stream: &UnixStream,
    proc_root: &Path,
    connected: Option<u64>,
) -> Result<(), String> {
    let cred = nix::sys::socket::getsockopt(stream, nix::sys::socket::sockopt::PeerCredentials)
        .map_err(|e| format!("its credentials (`SO_PEERCRED`) could not be read ({e})"))?;
    let me = nix::unistd::getuid().as_raw();
    if cred.uid() != me {
        return Err(format!(
            "it runs as uid {}, not as you (uid {me})",
            cred.uid()
        ));
    }
    if cred.pid() <= 0 {
        // The kernel gives pid 0 for a peer outside our PID namespace: we
        // are the inner side, typically inside a rampart sandbox.
        return Err(
            "its process is not visible from here: this client runs inside a rampart sandbox (or another PID namespace), where asks cannot be answered".into(),
        );
    }
    let peer = crate::peer::identify(proc_root, Some(cred.pid()), connected);
    if let Some(why) = peer.confined {
        return Err(why);
    }
    let ns = |pid: &str| {
        std::fs::read_link(proc_root.join(pid).join("ns/user"))
            .map_err(|e| format!("`/proc/{pid}/ns/user` could not be read ({e})"))
    };
    let (mine, theirs) = (ns("self")?, ns(&cred.pid().to_string())?);
    if mine != theirs {
        return Err(format!(
            "it runs in another user namespace (`{}`, yours is `{}`): a sandbox or a container",
            theirs.display(),
            mine.display()
        ));
    }
    Ok(())
}

/// One connection.
#[derive(Debug)]
pub struct Client {
    stream: UnixStream,
    next_id: i64,
}

impl Client {
    /// Connects to the daemon at `socket`; every later read waits at most
    /// `timeout`. Nothing is checked about the listener: for the
    /// `rampart approvals` commands, whose answers the daemon itself
    /// judges. A surface that trusts the answer uses
    /// [`Client::connect_verified`].
    ///
    /// # Errors
    ///
    /// No daemon listens there.
    pub fn connect(socket: &Path, timeout: Duration) -> Result<Self, ClientError> {
        Self::open(socket, timeout, false)
    }

    /// [`Client::connect`], after checking that the process listening
    /// there is this user's and runs outside any sandbox
    /// ([`verify_daemon`]): for a surface that acts on the answer (an
    /// ask's yes).
    ///
    /// # Errors
    ///
    /// No daemon listens there, or the listener is not trusted.
    pub fn connect_verified(socket: &Path, timeout: Duration) -> Result<Self, ClientError> {
        Self::open(socket, timeout, true)
    }

    fn open(socket: &Path, timeout: Duration, verify: bool) -> Result<Self, ClientError> {
        let stream = UnixStream::connect(socket).map_err(|source| ClientError::NotRunning {
            path: socket.to_path_buf(),
            source,
        })?;
        if verify {
            let connected = crate::peer::now_ticks(Path::new(PROC));
            verify_daemon(&stream, Path::new(PROC), connected).map_err(|why| {
                ClientError::Untrusted {
                    path: socket.to_path_buf(),
                    why,
                }
            })?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_in_this_process_is_trusted() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.sock");
        let _l = std::os::unix::net::UnixListener::bind(&p).unwrap();
        let s = UnixStream::connect(&p).unwrap();
        let proc_root = Path::new(PROC);
        verify_daemon(&s, proc_root, crate::peer::now_ticks(proc_root)).unwrap();
        // A connection "made" long before this process started: refused.
        let why = verify_daemon(&s, proc_root, Some(0)).unwrap_err();
        assert!(why.contains("reused"), "{why}");
    }
}
