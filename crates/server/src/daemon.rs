//! `rampart serve`: the Unix-socket daemon and its approval queue.
//!
//! - The socket lives in a 0700 directory the user owns; the socket is
//!   0600; a lock file held for the daemon's life makes "another daemon
//!   already serves it" certain, and lets a stale socket be removed safely.
//! - Every connection's peer credentials (`SO_PEERCRED`) are checked: only
//!   the daemon's own uid may talk to it. Others are refused, logged and
//!   recorded (an OCSF Authentication failure).
//! - The peer's process is identified too ([`crate::peer`]): one inside a
//!   rampart sandbox (a nested PID namespace), or one that cannot be
//!   identified, may only call `status`, `check` and `approvals.request`;
//!   and no ask can be answered by the process tree or session that asked.
//!   Each refusal is logged, counted and recorded.
//! - One JSON-RPC 2.0 request per length-prefixed frame ([`crate::frame`],
//!   [`crate::rpc`]). A frame must arrive whole within
//!   [`FRAME_TIMEOUT`] of its first byte; a connection idle for
//!   [`IDLE_TIMEOUT`] is closed; at most `[agents] max_connections` are
//!   served at once and the next is told so and closed.
//! - SIGTERM/SIGINT: stop accepting, deny every pending ask, let in-flight
//!   requests finish (up to [`DRAIN_TIMEOUT`]), refuse new ones, remove
//!   the socket.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rampart_audit::ocsf::{self, Crud, Outcome, Status};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{watch, Semaphore};

use crate::peer::{self, ProcId};
use crate::queue::Queue;
use crate::rpc::{self, code, Call, Id, RpcError};
use crate::service::{refusal_text, AgentApprover, Asker, Done, Service};

/// How long a frame may take to arrive once it has started.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may sit idle between requests.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Where the daemon reads other processes.
const PROC: &str = "/proc";

/// How long shutdown waits for in-flight requests.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the daemon could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DaemonError {
    /// Another daemon holds the lock.
    #[error("another rampart daemon already serves `{}` (pid {pid})", socket.display())]
    AlreadyRunning {
        /// The socket.
        socket: PathBuf,
        /// Its pid, as written in the lock file.
        pid: String,
    },
    /// Something not ours is at the socket path.
    #[error("`{}` exists and is not a socket this user owns; remove it yourself if it is safe", .0.display())]
    NotOurSocket(PathBuf),
    /// Any other setup failure.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> DaemonError {
    let what = what.into();
    move |source| DaemonError::Io { what, source }
}

/// The daemon.
#[derive(Debug)]
pub struct Daemon {
    /// The actions.
    pub service: Arc<Service>,
    /// The asks.
    pub queue: Arc<Queue>,
    /// Where to listen.
    pub socket: PathBuf,
    /// The audit directory (`audit.query`).
    pub audit_dir: PathBuf,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    rejected: AtomicU64,
    refused_peers: AtomicU64,
    connections: AtomicU64,
}

struct Shared {
    daemon: Daemon,
    uid: u32,
    started: Instant,
    counters: Counters,
    stopping: watch::Receiver<bool>,
    /// The share of `max_connections` confined peers may hold at once
    /// ([`confined_share`]), so a sandboxed command cannot take every
    /// connection and lock the human's `rampart approvals` out.
    confined: Arc<Semaphore>,
}

/// How many connections confined peers may hold at once: a quarter of
/// `max`, at least one.
pub fn confined_share(max: usize) -> usize {
    (max / 4).max(1)
}

/// Takes the lock beside `socket`, removes a stale socket, binds.
fn bind(
    socket: &Path,
) -> Result<
    (
        std::os::unix::net::UnixListener,
        nix::fcntl::Flock<std::fs::File>,
    ),
    DaemonError,
> {
    use std::io::{Read, Seek, Write};
    use std::os::unix::fs::OpenOptionsExt;
    let lock_path = socket.with_extension("lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_CLOEXEC)
        .open(&lock_path)
        .map_err(io(format!("lock file `{}`", lock_path.display())))?;
    let mut lock = match nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock)
    {
        Ok(l) => l,
        Err((mut f, _)) => {
            let mut pid = String::new();
            let _ = f.read_to_string(&mut pid);
            return Err(DaemonError::AlreadyRunning {
                socket: socket.to_path_buf(),
                pid: pid.trim().to_owned(),
            });
        }
    };
    let _ = lock.set_len(0);
    let _ = lock.rewind();
    let _ = write!(lock, "{}", std::process::id());
    // We hold the lock: whatever is at the socket path is stale.
    match std::fs::symlink_metadata(socket) {
        Ok(md) => {
            if !md.file_type().is_socket() || md.uid() != nix::unistd::getuid().as_raw() {
                return Err(DaemonError::NotOurSocket(socket.to_path_buf()));
            }
            std::fs::remove_file(socket).map_err(io("removing the stale socket"))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("socket path")(e)),
    }
    let listener = std::os::unix::net::UnixListener::bind(socket)
        .map_err(io(format!("binding `{}`", socket.display())))?;
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o600))
        .map_err(io("chmod 600 on the socket"))?;
    listener.set_nonblocking(true).map_err(io("socket"))?;
    Ok((listener, lock))
}

impl Daemon {
    /// Serves until SIGTERM or SIGINT. `ready` is called once the socket
    /// accepts connections.
    pub fn run(self, ready: impl FnOnce(&Path)) -> Result<(), DaemonError> {
        let (std_listener, lock) = bind(&self.socket)?;
        let socket = self.socket.clone();
        let max = usize::try_from(self.service.config.agents.max_connections).unwrap_or(64);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(max + 16)
            .enable_all()
            .build()
            .map_err(io("starting the runtime"))?;
        let result = rt.block_on(async move {
            let listener = UnixListener::from_std(std_listener).map_err(io("socket"))?;
            let (stop_tx, stop_rx) = watch::channel(false);
            let shared = Arc::new(Shared {
                daemon: self,
                uid: nix::unistd::getuid().as_raw(),
                started: Instant::now(),
                counters: Counters::default(),
                stopping: stop_rx,
                confined: Arc::new(Semaphore::new(confined_share(max))),
            });
            let permits = Arc::new(Semaphore::new(max));
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(io("SIGTERM handler"))?;
            let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(io("SIGINT handler"))?;
            ready(&shared.daemon.socket);
            tracing::info!(socket = %shared.daemon.socket.display(), max_connections = max, "serving");
            let mut tasks = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    _ = term.recv() => break,
                    _ = int.recv() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        // The peer connected before now: a process that
                        // started later only reuses its pid.
                        let connected = peer::now_ticks(Path::new(PROC));
                        let shared = Arc::clone(&shared);
                        let permit = Arc::clone(&permits).try_acquire_owned();
                        tasks.spawn(async move {
                            match permit {
                                Ok(p) => {
                                    connection(stream, &shared, connected).await;
                                    drop(p);
                                }
                                Err(_) => busy(stream, max).await,
                            }
                        });
                        while tasks.try_join_next().is_some() {}
                    }
                }
            }
            tracing::info!("shutting down: no new connections; pending asks are denied");
            let _ = stop_tx.send(true);
            drop(listener);
            shared.daemon.queue.close();
            let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
                while tasks.join_next().await.is_some() {}
            })
            .await;
            tasks.abort_all();
            Ok::<(), DaemonError>(())
        });
        let _ = std::fs::remove_file(&socket);
        drop(lock);
        rt.shutdown_timeout(Duration::from_secs(1));
        result
    }
}

async fn send(stream: &mut UnixStream, body: &[u8]) -> bool {
    let Ok(f) = crate::frame::encode(body) else {
        return false;
    };
    tokio::time::timeout(FRAME_TIMEOUT, stream.write_all(&f))
        .await
        .is_ok_and(|r| r.is_ok())
}

async fn busy(mut stream: UnixStream, max: usize) {
    let e = RpcError {
        id: None,
        code: code::BUSY,
        message: format!(
            "the daemon is serving {max} connections (`[agents] max_connections`); try again"
        ),
    };
    let _ = send(&mut stream, &rpc::error_response(&e, None)).await;
}

fn record_refused_peer(shared: &Shared, uid: u32, pid: Option<i32>) {
    let why = format!(
        "a process of uid {uid} (pid {}) connected to the daemon of uid {}; only the same user may",
        pid.map_or_else(|| "?".into(), |p| p.to_string()),
        shared.uid
    );
    record_refusal(shared, uid, why);
}

/// Records a refused peer or request (an OCSF Authentication failure).
fn record_refusal(shared: &Shared, uid: u32, why: String) {
    let event = refusal_event(uid, why, shared.daemon.service.config.sandbox_mode.as_str());
    shared
        .daemon
        .service
        .record_event(event, "the refused connection");
}

/// The event for a refused peer or request from `uid`: OCSF
/// Authentication (3002), Logon, failure.
pub fn refusal_event(uid: u32, why: String, sandbox_mode: &str) -> serde_json::Value {
    let o = Outcome {
        verdict: "deny".into(),
        risk: "high".into(),
        reasons: vec![why],
        sandbox_mode: sandbox_mode.into(),
        ..Outcome::default()
    };
    let user = json!({ "uid": uid.to_string() });
    ocsf::authentication(
        rampart_audit::now_ms(),
        Status::Failure,
        &user,
        "rampart daemon",
        &ocsf::actor(uid, &uid.to_string()),
        &o,
    )
}

/// A confined peer's permit, or `None` (and a busy answer sent) when
/// confined peers already hold their share of the connections.
async fn confined_permit(
    stream: &mut UnixStream,
    shared: &Arc<Shared>,
) -> Option<tokio::sync::OwnedSemaphorePermit> {
    if let Ok(p) = Arc::clone(&shared.confined).try_acquire_owned() {
        return Some(p);
    }
    let n = confined_share(
        usize::try_from(shared.daemon.service.config.agents.max_connections).unwrap_or(64),
    );
    let e = RpcError {
        id: None,
        code: code::BUSY,
        message: format!(
            "confined peers (inside a rampart sandbox) already hold {n} connections, their share of `[agents] max_connections`; try again"
        ),
    };
    tracing::warn!("refused a connection from a confined peer: their {n} connections are in use");
    let _ = send(stream, &rpc::error_response(&e, None)).await;
    None
}

async fn connection(mut stream: UnixStream, shared: &Arc<Shared>, connected: Option<u64>) {
    let cred = match stream.peer_cred() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the peer's credentials; closing");
            return;
        }
    };
    if cred.uid() != shared.uid {
        shared
            .counters
            .refused_peers
            .fetch_add(1, Ordering::Relaxed);
        tracing::warn!(uid = cred.uid(), pid = ?cred.pid(), "refused a connection from another user");
        let s = Arc::clone(shared);
        let (uid, pid) = (cred.uid(), cred.pid());
        let _ = tokio::task::spawn_blocking(move || record_refused_peer(&s, uid, pid)).await;
        return;
    }
    let who = peer::identify(Path::new(PROC), cred.pid(), connected);
    // Held for the connection's life.
    let mut _confined_permit = None;
    if let Some(why) = &who.confined {
        tracing::info!(pid = ?cred.pid(), "a confined peer connected: {why}; it may only use status, check and approvals.request");
        let Some(p) = confined_permit(&mut stream, shared).await else {
            return;
        };
        _confined_permit = Some(p);
    }
    let peer = format!("uid {} (pid {})", cred.uid(), cred.pid().unwrap_or(0));
    shared.counters.connections.fetch_add(1, Ordering::Relaxed);
    let mut stopping = shared.stopping.clone();
    loop {
        let mut header = [0u8; 4];
        tokio::select! {
            r = tokio::time::timeout(IDLE_TIMEOUT, stream.read_exact(&mut header)) => {
                match r {
                    Ok(Ok(_)) => {}
                    Ok(Err(_)) => break,
                    Err(_) => {
                        tracing::debug!(%peer, "idle connection closed");
                        break;
                    }
                }
            }
            _ = stopping.changed() => break,
        }
        let n = match crate::frame::body_len(header) {
            Ok(n) => n,
            Err(e) => {
                shared.counters.rejected.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%peer, error = %e, "rejected a frame; closing");
                let err = RpcError {
                    id: None,
                    code: code::INVALID_REQUEST,
                    message: e.to_string(),
                };
                let _ = send(&mut stream, &rpc::error_response(&err, None)).await;
                break;
            }
        };
        let mut body = vec![0u8; n];
        match tokio::time::timeout(FRAME_TIMEOUT, stream.read_exact(&mut body)).await {
            Ok(Ok(_)) => {}
            Ok(Err(_)) => break,
            Err(_) => {
                shared.counters.rejected.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%peer, "a frame did not arrive whole within {}s; closing", FRAME_TIMEOUT.as_secs());
                break;
            }
        }
        shared.counters.requests.fetch_add(1, Ordering::Relaxed);
        let reply = match rpc::parse(&body) {
            Err(e) => {
                shared.counters.rejected.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%peer, code = e.code, message = %e.message, "rejected a request");
                rpc::error_response(&e, None)
            }
            Ok(_) if *shared.stopping.borrow() => {
                let e = RpcError {
                    id: None,
                    code: code::BUSY,
                    message: "the daemon is shutting down".into(),
                };
                rpc::error_response(&e, None)
            }
            Ok(req) => match refuse_confined(&req, &who, shared, &peer).await {
                Some(refused) => refused,
                None => dispatch(req, shared, &peer, &who).await,
            },
        };
        if !send(&mut stream, &reply).await {
            break;
        }
    }
}

fn done_json<T: serde::Serialize, E: std::fmt::Display>(id: &Id, r: Result<Done<T>, E>) -> Vec<u8> {
    match r {
        Ok(Done::Ran {
            decision,
            approved_by,
            outcome,
        }) => rpc::response(
            id,
            &json!({ "decision": decision.to_json(), "approved_by": approved_by, "outcome": outcome }),
        ),
        Ok(Done::Refused(d)) => rpc::error_response(
            &RpcError {
                id: Some(id.clone()),
                code: code::DENIED,
                message: refusal_text(&d),
            },
            Some(d.to_json()),
        ),
        Err(e) => rpc::error_response(
            &RpcError {
                id: Some(id.clone()),
                code: code::INTERNAL,
                message: e.to_string(),
            },
            None,
        ),
    }
}

async fn blocking<F: FnOnce() -> Vec<u8> + Send + 'static>(id: &Id, f: F) -> Vec<u8> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        rpc::error_response(
            &RpcError {
                id: Some(id.clone()),
                code: code::INTERNAL,
                message: format!("the request failed: {e}"),
            },
            None,
        )
    })
}

#[expect(
    clippy::too_many_lines,
    reason = "one arm per method, each a few lines"
)]
async fn dispatch(
    req: rpc::Request,
    shared: &Arc<Shared>,
    peer: &str,
    who: &peer::Peer,
) -> Vec<u8> {
    let id = req.id;
    let pid = who.proc.map(|p| p.pid);
    let asked_by = peer::AskedBy {
        procs: who.proc.map(ProcId::from).into_iter().collect(),
        sessions: who.proc.map(|p| p.session).into_iter().collect(),
    };
    let service = Arc::clone(&shared.daemon.service);
    // Only the methods that act need an approver.
    let approver = || AgentApprover {
        asker: Asker::Queue(Arc::clone(&shared.daemon.queue), asked_by.clone()),
        surface: "daemon".into(),
        // pid and start time: a reused pid does not inherit the grants.
        session: Some(format!(
            "daemon-peer-{}-{}",
            pid.unwrap_or(0),
            who.proc.map_or(0, |p| p.start)
        )),
        policy: service.config.approval_policy,
        masker: Arc::clone(&service.masker),
    };
    let bad = |id: &Id, message: String| {
        rpc::error_response(
            &RpcError {
                id: Some(id.clone()),
                code: code::INVALID_PARAMS,
                message,
            },
            None,
        )
    };
    match req.call {
        Call::Status => rpc::response(
            &id,
            &json!({
                "version": env!("CARGO_PKG_VERSION"),
                "pid": std::process::id(),
                "workspace": service.workspace.root(),
                "uptime_secs": shared.started.elapsed().as_secs(),
                "pending_approvals": shared.daemon.queue.pending(),
                "requests": shared.counters.requests.load(Ordering::Relaxed),
                "rejected": shared.counters.rejected.load(Ordering::Relaxed),
                "refused_peers": shared.counters.refused_peers.load(Ordering::Relaxed),
                "connections": shared.counters.connections.load(Ordering::Relaxed),
            }),
        ),
        Call::Check(p) => match service.cwd(p.cwd.as_deref()) {
            Ok(cwd) => match service.check(p.argv, cwd) {
                Ok(d) => rpc::response(&id, &d.to_json()),
                Err(e) => bad(&id, e.to_string()),
            },
            Err(e) => bad(&id, e.to_string()),
        },
        Call::Exec(p) => match service.cwd(p.cwd.as_deref()) {
            Ok(cwd) => {
                let (id2, approver) = (id.clone(), approver());
                blocking(&id, move || {
                    done_json(&id2, service.exec(p.argv, cwd, p.timeout_secs, approver))
                })
                .await
            }
            Err(e) => bad(&id, e.to_string()),
        },
        Call::ReadFile(p) => {
            let (id2, approver) = (id.clone(), approver());
            blocking(&id, move || {
                done_json(&id2, service.read_file(&p.path, approver))
            })
            .await
        }
        Call::WriteFile(p) => {
            let (id2, approver) = (id.clone(), approver());
            blocking(&id, move || {
                done_json(&id2, service.write_file(&p.path, &p.content, approver))
            })
            .await
        }
        Call::ApprovalsList => {
            rpc::response(&id, &json!({ "pending": shared.daemon.queue.list() }))
        }
        Call::ApprovalsAnswer(a) => {
            let by = format!("{peer} through rampart approvals");
            if let Some(refused) = refuse_asker(&id, a.id, shared, peer, who).await {
                return refused;
            }
            match shared
                .daemon
                .queue
                .answer(a.id, a.approve, a.for_session, &by)
            {
                Ok(p) => {
                    let s = Arc::clone(shared);
                    let by2 = by.clone();
                    let summary = p.summary.clone();
                    let _ = tokio::task::spawn_blocking(move || {
                        record_answer(&s, &summary, a.approve, &by2);
                    })
                    .await;
                    rpc::response(
                        &id,
                        &json!({ "id": a.id, "approved": a.approve, "for_session": a.for_session, "by": by, "summary": p.summary }),
                    )
                }
                Err(e) => bad(&id, e.to_string()),
            }
        }
        Call::ApprovalsRequest(mut ask) => {
            // The human sees that a confined process is asking (its
            // approval grants nothing but an answer to that process).
            if who.confined.is_some() {
                ask.surface = format!("{} (from inside a sandbox)", ask.surface);
            }
            // The session a "for this session" answer covers is the
            // asker's own: named after its process, so a peer cannot
            // plant a grant in another surface's session (the daemon's
            // `daemon-peer-…` or an MCP server's) by naming it. A peer
            // the daemon cannot identify gets no session at all.
            ask.session = match (ask.session.take(), who.proc) {
                (Some(s), Some(p)) => Some(format!("asked-by-{}-{}/{s}", p.pid, p.start)),
                _ => None,
            };
            let q = Arc::clone(&shared.daemon.queue);
            let id2 = id.clone();
            // A surface asks for the agent that started it (`rampart mcp`
            // is the agent's child): the agent's tree and session may not
            // answer either.
            let mut asked_by = asked_by;
            if let Some(parent) = who
                .proc
                .and_then(|p| peer::stat(Path::new(PROC), p.ppid).ok())
            {
                asked_by.procs.push(ProcId::from(parent));
                asked_by.sessions.push(parent.session);
            }
            blocking(&id, move || {
                let v = match q.ask_as(ask, asked_by) {
                    rampart_gate::Approval::Approved { by } => {
                        json!({ "approved": true, "by": by })
                    }
                    rampart_gate::Approval::Denied(reason) => {
                        json!({ "approved": false, "reason": reason })
                    }
                };
                rpc::response(&id2, &v)
            })
            .await
        }
        Call::AuditQuery(q) => {
            let dir = shared.daemon.audit_dir.clone();
            let id2 = id.clone();
            blocking(&id, move || {
                let since = match q
                    .since
                    .as_deref()
                    .map(rampart_audit::parse_time)
                    .transpose()
                {
                    Ok(s) => s,
                    Err(e) => return bad(&id2, format!("`since` {e}")),
                };
                if let Some(v) = &q.verdict {
                    if !["allow", "ask", "deny"].contains(&v.as_str()) {
                        return bad(&id2, format!("`verdict` `{v}` is not allow, ask or deny"));
                    }
                }
                let filter = rampart_audit::Filter {
                    since_ms: since,
                    verdict: q.verdict,
                    contains: q.text,
                    last: Some(q.limit.unwrap_or(100).min(1000)),
                    ..rampart_audit::Filter::default()
                };
                match rampart_audit::query(&dir, &filter) {
                    Ok(events) => rpc::response(&id2, &json!({ "events": events })),
                    Err(e) => rpc::error_response(
                        &RpcError {
                            id: Some(id2.clone()),
                            code: code::INTERNAL,
                            message: e.to_string(),
                        },
                        None,
                    ),
                }
            })
            .await
        }
    }
}

fn record_answer(shared: &Shared, summary: &str, approve: bool, by: &str) {
    let event = answer_event(
        summary,
        approve,
        by,
        shared.uid,
        shared.daemon.service.config.sandbox_mode.as_str(),
    );
    shared
        .daemon
        .service
        .record_event(event, "the approval answer");
}

/// The event for an ask answered by `by` (a peer description) for the
/// daemon of `uid`: OCSF API Activity (6003), Update, `approvals.answer`.
pub fn answer_event(
    summary: &str,
    approve: bool,
    by: &str,
    uid: u32,
    sandbox_mode: &str,
) -> serde_json::Value {
    let o = Outcome {
        verdict: if approve { "allow" } else { "deny" }.into(),
        risk: "low".into(),
        reasons: vec![format!(
            "an ask was {} by {by}: {summary}",
            if approve { "approved" } else { "denied" }
        )],
        sandbox_mode: sandbox_mode.into(),
        approver: Some(by.to_owned()),
        ..Outcome::default()
    };
    ocsf::api(
        Crud::Update,
        rampart_audit::now_ms(),
        Status::Success,
        "approvals.answer",
        "rampart daemon",
        by,
        &ocsf::actor(uid, &uid.to_string()),
        &o,
    )
}

/// The methods a peer inside a rampart sandbox (or one the daemon cannot
/// identify) may call: they only describe or ask, never act or answer.
fn open_to_confined(call: &Call) -> bool {
    matches!(
        call,
        Call::Status | Call::Check(_) | Call::ApprovalsRequest(_)
    )
}

fn refusal(id: &Id, message: String) -> Vec<u8> {
    rpc::error_response(
        &RpcError {
            id: Some(id.clone()),
            code: code::DENIED,
            message,
        },
        None,
    )
}

/// Refuses (and records) a request that acts or answers from a confined
/// peer: a sandboxed command must not approve its own ask, nor act
/// through the daemon outside its sandbox.
async fn refuse_confined(
    req: &rpc::Request,
    who: &peer::Peer,
    shared: &Arc<Shared>,
    peer: &str,
) -> Option<Vec<u8>> {
    let why = who.confined.as_ref()?;
    if open_to_confined(&req.call) {
        return None;
    }
    let method = req.call.method();
    let why = format!(
        "refused `{method}` from {peer}: {why}; a process inside a rampart sandbox may not answer asks or act through the daemon"
    );
    Some(refuse(&req.id, shared, why).await)
}

/// Refuses (and records) an answer from the process tree or session that
/// asked.
async fn refuse_asker(
    id: &Id,
    ask: u64,
    shared: &Arc<Shared>,
    peer: &str,
    who: &peer::Peer,
) -> Option<Vec<u8>> {
    let by = match shared.daemon.queue.asked_by(ask) {
        Ok(by) => by,
        Err(e) => {
            return Some(rpc::error_response(
                &RpcError {
                    id: Some(id.clone()),
                    code: code::INVALID_PARAMS,
                    message: e.to_string(),
                },
                None,
            ))
        }
    };
    let chain = who
        .proc
        .map(|p| peer::ancestry(Path::new(PROC), p.pid))
        .unwrap_or_default();
    let why = if chain.is_empty() {
        Some("its process could not be read".to_owned())
    } else {
        peer::same_tree(&by, &chain)
    }?;
    let why = format!("refused the answer to ask {ask} from {peer}: {why}");
    Some(refuse(id, shared, why).await)
}

async fn refuse(id: &Id, shared: &Arc<Shared>, why: String) -> Vec<u8> {
    shared
        .counters
        .refused_peers
        .fetch_add(1, Ordering::Relaxed);
    tracing::warn!("{why}");
    let (s, w) = (Arc::clone(shared), why.clone());
    let _ = tokio::task::spawn_blocking(move || record_refusal(&s, s.uid, w)).await;
    refusal(id, why)
}
