//! `rampart mcp`, `rampart serve` and `rampart approvals`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use rampart_policy::DetectUse;
use rampart_server::client::Client;
use rampart_server::daemon::Daemon;
use rampart_server::files::Workspace;
use rampart_server::mcp::McpServer;
use rampart_server::queue::Queue;
use rampart_server::runner::Runner;
use rampart_server::service::{AgentApprover, Asker, Service, SharedRecorder};
use rampart_server::{paths, rpc};
use serde_json::{json, Value};

use crate::args::{ApprovalsCommand, Global, ServeArgs};
use crate::exit::Exit;
use crate::report::{with_hint, FailExt as _};
use crate::{record, ui};

/// The socket's directory for this user.
pub(crate) fn socket_dir() -> PathBuf {
    paths::user_socket_dir()
}

/// `--config` and `--profile` as this process was given them, for the
/// `rampart` it starts (`sandbox-run`, or `exec` in a rewritten command).
pub(crate) fn global_flags(global: &Global) -> Vec<String> {
    let mut f = Vec::new();
    if let Some(c) = &global.config {
        f.extend(["--config".into(), c.to_string_lossy().into_owned()]);
    }
    if let Some(pr) = &global.profile {
        f.extend(["--profile".into(), pr.clone()]);
    }
    for o in &global.overrides {
        f.extend(["--config".into(), o.as_arg()]);
    }
    f
}

fn service(
    global: &Global,
    args: &ServeArgs,
    surface: &str,
    session: Option<String>,
) -> anyhow::Result<Option<Service>> {
    let Some(resolved) = super::exec::resolved(global, &args.policy) else {
        return Ok(None);
    };
    // One resolution: the config decisions are made with is the one every
    // run's sealed plan is built from.
    let resolved = Arc::new(resolved);
    let (ws, config) = (resolved.workspace.clone(), resolved.config.clone());
    let masker = Arc::new(
        config
            .detect
            .rule_set(DetectUse::Mask)
            .context("detection rules for masking")?,
    );
    let workspace = Workspace::open(&ws)?;
    let rampart = std::env::current_exe()
        .context("cannot find rampart's own binary")
        .exit(Exit::Internal)?;
    if !config.audit.enabled {
        ui::warning("auditing is off (`[audit] enabled = false`): actions are not recorded");
    }
    let mut recorder = record::recorder(&config, session);
    recorder.surface = Some(surface.to_owned());
    let runner = Runner {
        rampart,
        resolved,
        max_output: usize::try_from(config.agents.max_output_kb.saturating_mul(1024))
            .unwrap_or(65_536),
        timeout_secs: None,
        masker: Arc::clone(&masker),
    };
    Ok(Some(Service {
        config,
        workspace,
        runner,
        recorder: SharedRecorder(Arc::new(Mutex::new(recorder))),
        masker,
    }))
}

pub(crate) fn mcp(global: &Global, args: &ServeArgs) -> anyhow::Result<Exit> {
    let session = format!("mcp-{}-{}", std::process::id(), rampart_audit::now_ms());
    let Some(service) = service(global, args, "mcp", Some(session.clone()))? else {
        return Ok(Exit::Usage);
    };
    let timeout = Duration::from_secs(service.config.agents.approval_timeout_secs);
    let approver = AgentApprover {
        asker: Asker::Socket(paths::socket_path(&socket_dir()), timeout),
        surface: "mcp".into(),
        session: Some(session),
        policy: service.config.approval_policy,
        masker: Arc::clone(&service.masker),
    };
    let server = McpServer::new(Arc::new(service), approver);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the MCP server")
        .exit(Exit::Internal)?;
    rt.block_on(server.serve_stdio()).exit(Exit::Internal)?;
    Ok(Exit::Ok)
}

pub(crate) fn serve(global: &Global, args: &ServeArgs) -> anyhow::Result<Exit> {
    let dir = socket_dir();
    let socket = paths::prepare(&dir, nix::unistd::getuid().as_raw())?;
    let session = format!("daemon-{}", std::process::id());
    let Some(service) = service(global, args, "daemon", Some(session))? else {
        return Ok(Exit::Usage);
    };
    let queue = Arc::new(Queue::new(Duration::from_secs(
        service.config.agents.approval_timeout_secs,
    )));
    let audit_dir = service.config.audit.dir.clone();
    let daemon = Daemon {
        service: Arc::new(service),
        queue,
        socket,
        audit_dir,
    };
    let quiet = global.quiet;
    match daemon.run(|s| {
        if !quiet {
            ui::plain(&format!("rampart: serving on {}", s.display()));
        }
    }) {
        Ok(()) => {
            if !quiet {
                ui::plain("rampart: stopped");
            }
            Ok(Exit::Ok)
        }
        Err(e @ rampart_server::daemon::DaemonError::AlreadyRunning { .. }) => Err(with_hint(
            e,
            "`rampart approvals list` talks to the running one",
        )),
        Err(e) => Err(e.into()),
    }
}

fn call(method: &str, params: &Value) -> anyhow::Result<Value> {
    let socket = paths::socket_path(&socket_dir());
    Ok(Client::connect(&socket, Duration::from_secs(30))
        .and_then(|mut c| c.call(method, params))?)
}

pub(crate) fn approvals(global: &Global, cmd: &ApprovalsCommand) -> anyhow::Result<Exit> {
    match cmd {
        ApprovalsCommand::List => {
            let v = call("approvals.list", &json!({}))?;
            if global.json {
                crate::ui::outln!("{v}");
                return Ok(Exit::Ok);
            }
            let pending = v
                .get("pending")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if pending.is_empty() {
                crate::ui::outln!("no pending asks");
                return Ok(Exit::Ok);
            }
            for p in pending {
                // Every field may come from a sandboxed `approvals.request`:
                // printed with its control characters escaped.
                let s =
                    |k: &str| ui::printable(p.get(k).and_then(Value::as_str).unwrap_or_default());
                let n = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or_default();
                crate::ui::outln!(
                    "{}  {}  [{} risk, from {}, expires in {}s]",
                    n("id"),
                    s("summary"),
                    s("risk"),
                    s("surface"),
                    n("expires_in_secs")
                );
                for r in p
                    .get("reasons")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    crate::ui::outln!("      - {}", ui::printable(r.as_str().unwrap_or_default()));
                }
                if let Some(rule) = p.get("rule").and_then(Value::as_str) {
                    crate::ui::outln!("      rule: {}", ui::printable(rule));
                }
            }
            Ok(Exit::Ok)
        }
        ApprovalsCommand::Approve(a) | ApprovalsCommand::Deny(a) => {
            let approve = matches!(cmd, ApprovalsCommand::Approve(_));
            let params = rpc::AnswerParams {
                id: a.id,
                approve,
                for_session: a.for_session,
            };
            let v = call(
                "approvals.answer",
                &serde_json::to_value(&params).unwrap_or_default(),
            )?;
            if global.json {
                crate::ui::outln!("{v}");
            } else {
                crate::ui::outln!(
                    "{} {}: {}",
                    if approve { "approved" } else { "denied" },
                    a.id,
                    ui::printable(v.get("summary").and_then(Value::as_str).unwrap_or_default())
                );
            }
            Ok(Exit::Ok)
        }
    }
}
