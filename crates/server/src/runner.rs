//! Running a command for an agent: the enforcer behind the MCP
//! `run_command` tool and the daemon's `exec`.
//!
//! The sandbox must be set up by a single-threaded process, and these
//! servers are not, so the command runs in a child `rampart sandbox-run`
//! (the enforcement half of `rampart exec`: no decision of its own, and it
//! refuses `danger-full-access`). The child is handed the sealed
//! [`ExecPlan`](crate::exec_plan::ExecPlan) this server built from the
//! config it decided with ([`crate::plan`]); it loads no config. Its
//! stdout and stderr come back through pipes, each kept up to a cap (the
//! rest is read and dropped, so the command never blocks on a full pipe)
//! and masked for secrets before anything is handed to a model. How the
//! run ended comes back on a status channel of its own
//! ([`crate::status`]), never inferred from the exit code.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use rampart_gate::{Action, Enforcer, Status};
use serde::Serialize;

/// How to start `rampart sandbox-run`.
#[derive(Debug, Clone)]
pub struct Runner {
    /// This binary.
    pub rampart: PathBuf,
    /// The workspace, config and `--keep-env` the server decides with:
    /// every run's plan is built from them, whatever the call's `cwd`.
    pub resolved: std::sync::Arc<crate::exec_plan::Resolved>,
    /// Cap per stream, in bytes.
    pub max_output: usize,
    /// Timeout for this run.
    pub timeout_secs: Option<u64>,
    /// Masks secrets and PII in the output.
    pub masker: std::sync::Arc<rampart_detect::RuleSet>,
}

/// What came back.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutput {
    /// The exit status (`rampart exec`'s table: 124 timeout, 126 refused,
    /// 127 not found, 128+N signal); what it means is [`Self::status`].
    pub exit_code: i32,
    /// Standard output, capped and masked.
    pub stdout: String,
    /// Standard error, capped and masked.
    pub stderr: String,
    /// Whether stdout went over the cap.
    pub stdout_truncated: bool,
    /// Whether stderr went over the cap.
    pub stderr_truncated: bool,
    /// What the sandbox apparently refused, when the failure looks like a
    /// sandbox denial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox_denied: Option<&'static str>,
    /// How it ended, as `sandbox-run` reported it on its status channel
    /// ([`crate::status`]); `failed` when the report is missing, forged
    /// or disagrees with how `sandbox-run` exited.
    #[serde(serialize_with = "status_name")]
    pub status: Status,
    /// Why the status is `failed` though the run did not say so (no
    /// report, or one that cannot be trusted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_problem: Option<String>,
    /// The pid of the `rampart sandbox-run` process that ran it, for the
    /// audit record (not part of the answer).
    #[serde(skip)]
    pub pid: Option<u32>,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "the signature serde's `serialize_with` takes"
)]
fn status_name<S: serde::Serializer>(s: &Status, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

/// Why the command could not be started at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the sandbox helper `{}`: {source}", path.display())]
pub struct RunnerError {
    path: PathBuf,
    source: std::io::Error,
}

/// Bytes kept past the cap, so that a secret across it is seen whole and
/// masked (none of it is shown).
const LOOKAHEAD: usize = 8 * 1024;

fn drain(mut r: impl Read, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut over = false;
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = (cap + LOOKAHEAD).saturating_sub(kept.len());
                kept.extend_from_slice(buf.get(..n.min(room)).unwrap_or_default());
                over |= kept.len() > cap || n > room;
            }
        }
    }
    (kept, over)
}

impl Runner {
    /// The first `max_output` bytes, masked; what was read past the cap
    /// is only look-ahead, and the word the cap cuts is not shown.
    fn mask(&self, bytes: &[u8], truncated: bool) -> String {
        let out = self.masker.redact_capped(
            bytes,
            self.max_output,
            truncated,
            rampart_detect::Options { pii: true },
        );
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Runs `argv` in `cwd` under the sandbox.
    pub fn run(
        &self,
        argv: &[String],
        cwd: &std::path::Path,
        mandate: &rampart_gate::Mandate<'_>,
    ) -> Result<RunOutput, RunnerError> {
        let argv_os: Vec<std::ffi::OsString> = argv.iter().map(Into::into).collect();
        let plan = self
            .resolved
            .plan(&argv_os, cwd)
            .map_err(|e| RunnerError {
                path: self.rampart.clone(),
                source: std::io::Error::other(e.to_string()),
            })?
            .with_timeout(self.timeout_secs)
            .under(mandate);
        // The arguments only name the command (for `ps`); `sandbox-run`
        // runs the plan, and refuses to run without it (crate::plan).
        let mut args: Vec<std::ffi::OsString> = vec!["sandbox-run".into(), "--".into()];
        args.extend(argv_os);
        // How the run ended comes back on a pipe of its own, named in the
        // plan.
        let mut listener = crate::status::Listener::open().map_err(|e| RunnerError {
            path: self.rampart.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let plan =
            crate::plan::seal(&args, &plan, Some(listener.channel())).map_err(|e| RunnerError {
                path: self.rampart.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
        let mut cmd = Command::new(&self.rampart);
        cmd.args(&args);
        if let Some(w) = listener.write_end() {
            rampart_sandbox::inherit_fd(&mut cmd, w);
        }
        cmd.stdin(Stdio::from(plan))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("NO_COLOR", "1");
        let spawned = cmd.spawn();
        listener.started();
        let mut child = spawned.map_err(|source| RunnerError {
            path: self.rampart.clone(),
            source,
        })?;
        let cap = self.max_output;
        let out = child.stdout.take();
        let err = child.stderr.take();
        let out_t = std::thread::spawn(move || out.map(|o| drain(o, cap)).unwrap_or_default());
        let (stderr, stderr_truncated) = err.map(|e| drain(e, cap)).unwrap_or_default();
        let (stdout, stdout_truncated) = out_t.join().unwrap_or_default();
        let status = child.wait().map_err(|source| RunnerError {
            path: self.rampart.clone(),
            source,
        })?;
        let exit_code = status.code().unwrap_or_else(|| {
            std::os::unix::process::ExitStatusExt::signal(&status).map_or(125, |s| 128 + s)
        });
        let (how, status_problem) = listener.status(status.code());
        if let Some(why) = &status_problem {
            tracing::warn!(%why, "sandbox-run's status report");
        }
        let sandbox_denied = if exit_code == 0 {
            None
        } else {
            rampart_sandbox::sandbox_denial(&stderr)
        };
        Ok(RunOutput {
            exit_code,
            stdout: self.mask(&stdout, stdout_truncated),
            stderr: self.mask(&stderr, stderr_truncated),
            stdout_truncated,
            stderr_truncated,
            sandbox_denied,
            status: how,
            status_problem,
            pid: Some(child.id()),
        })
    }
}

impl Enforcer for Runner {
    type Outcome = RunOutput;
    type Error = RunnerError;
    fn enforce(
        &mut self,
        action: &Action,
        mandate: &rampart_gate::Mandate<'_>,
    ) -> Result<RunOutput, RunnerError> {
        match action {
            Action::Exec { argv, cwd } => self.run(argv, cwd, mandate),
            other => Err(RunnerError {
                path: self.rampart.clone(),
                source: std::io::Error::other(format!(
                    "the command runner cannot carry out `{}`",
                    other.summary()
                )),
            }),
        }
    }
    fn cannot_grant(
        &mut self,
        action: &Action,
        decision: &rampart_gate::Decision,
    ) -> Option<String> {
        let Action::Exec { argv, cwd } = action else {
            return None;
        };
        let argv: Vec<std::ffi::OsString> = argv.iter().map(Into::into).collect();
        // A plan that cannot be built is refused when it runs, with its
        // own reason.
        let plan = self.resolved.plan(&argv, cwd).ok()?;
        crate::exec_plan::cannot_grant(&plan.isolation, decision)
    }
    fn status(o: &RunOutput) -> Status {
        o.status
    }
    fn exit_code(o: &RunOutput) -> Option<i32> {
        Some(o.exit_code)
    }
    fn pid(o: &RunOutput) -> Option<u32> {
        o.pid
    }
    fn detail(o: &RunOutput) -> Option<String> {
        o.status_problem.clone()
    }
}
