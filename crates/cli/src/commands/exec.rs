//! `rampart exec`: one command through the gate, inside the sandbox.
//!
//! Config, flags and workspace resolve once, in the library
//! ([`rampart_server::exec_plan`]), into the [`ExecPlan`] this command
//! carries out and records under; `sandbox-run` carries out the plan a
//! server sealed for it and resolves nothing itself.

use std::path::PathBuf;

use anyhow::Context as _;
use rampart_gate::audit::AuditRecorder;
use rampart_gate::{Action, Enforcer, Gate, GateError, Mandate, Verdict};
use rampart_policy::{ApprovalPolicy, Config, GitWrites};
use rampart_sandbox::{Isolation, Limits, Outcome, RunError};
use rampart_server::exec_plan::{self, ExecPlan, Flags, ResolveError, Resolved, Sources};

use crate::approve::{sandbox_denial, SessionStore, TtyApprover};
use crate::args::{ExecArgs, Global, PolicyArgs, SandboxRunArgs};
use crate::exit::Exit;
use crate::report::{with_hint, FailExt as _};
use crate::{record, ui};

/// `--config` and `--profile`.
pub(crate) fn sources(global: &Global) -> Sources {
    Sources {
        config: global.config.clone(),
        profile: global.profile.clone(),
        overrides: global.overrides.clone(),
    }
}

/// The policy flags, as the library takes them.
pub(crate) fn flags(p: &PolicyArgs) -> Flags {
    Flags {
        sandbox: p.sandbox,
        approval: p.approval,
        workspace: p.workspace.clone(),
        writable_root: p.writable_root.clone(),
        allow_host: p.allow_host.clone(),
        network: p.network,
        allow_git_writes: match p.allow_git_writes.as_deref() {
            Some("true") => Some(GitWrites::Allow),
            Some("commits") => Some(GitWrites::Commits),
            Some("false") => Some(GitWrites::Deny),
            _ => None,
        },
        timeout: p.timeout,
        memory: p.memory,
        max_procs: p.max_procs,
        keep_env: p.keep_env.clone(),
    }
}

/// Prints why a plan could not be made, with the fix.
pub(crate) fn resolve_error(e: &ResolveError) {
    match e {
        ResolveError::Config(errors) => ui::config_errors(errors),
        ResolveError::CurrentDir(_)
        | ResolveError::Workspace { .. }
        | ResolveError::NotADirectory(_) => {
            ui::error(&e.to_string());
            ui::hint("pass an existing directory with -C");
        }
        ResolveError::HostAllowlist(_) => {
            ui::error(&e.to_string());
            ui::hint("use --network for the whole network, or leave it off");
        }
        ResolveError::NoProgram => {
            ui::error(&e.to_string());
            ui::hint("rampart exec -- PROGRAM [ARGS]...");
        }
        _ => ui::error(&e.to_string()),
    }
}

/// The workspace and the config in force (files, profile and flags), or
/// `None` after printing every problem.
pub(crate) fn resolved(global: &Global, flags_: &PolicyArgs) -> Option<Resolved> {
    match exec_plan::resolve(&sources(global), &flags(flags_)) {
        Ok(r) => Some(r),
        Err(e) => {
            resolve_error(&e);
            None
        }
    }
}

/// [`resolved`], as the workspace and the config.
pub(crate) fn resolve(global: &Global, flags_: &PolicyArgs) -> Option<(PathBuf, Config)> {
    resolved(global, flags_).map(|r| (r.workspace, r.config))
}

/// Carries out an [`ExecPlan`] in this process.
struct SandboxEnforcer {
    /// `command.program` is empty when it was not found on PATH: enforcing
    /// then fails (and that failure is recorded like any other).
    plan: ExecPlan,
}

impl Enforcer for SandboxEnforcer {
    type Outcome = Outcome;
    type Error = RunError;
    fn cannot_grant(&mut self, _: &Action, decision: &rampart_gate::Decision) -> Option<String> {
        exec_plan::cannot_grant(&self.plan.isolation, decision)
    }
    fn enforce(&mut self, _: &Action, mandate: &Mandate<'_>) -> Result<Outcome, RunError> {
        self.plan = self.plan.clone().under(mandate);
        if let Some(d) = &self.plan.decision {
            if !d.granted.is_empty() {
                ui::info(&format!("approved: {} for this run", d.granted.join(", ")));
            }
        }
        let p = &self.plan;
        if p.command.program.as_os_str().is_empty() {
            return Err(RunError::NotFound(p.program_name()));
        }
        rampart_sandbox::run(&p.command, &p.isolation, &p.limits)
    }
    fn status(outcome: &Outcome) -> rampart_gate::Status {
        use rampart_gate::Status;
        use rampart_sandbox::Termination;
        if outcome.quarantined.iter().any(|q| !q.routine) || !outcome.unchecked.is_empty() {
            // It made a protected path (or what it left could not all be
            // checked): `exec` answers a refusal.
            return Status::Refused;
        }
        match outcome.termination {
            Termination::Exited(0) => Status::Succeeded,
            Termination::Exited(_) => Status::Failed,
            Termination::Signaled(_) => Status::Killed,
            Termination::TimedOut => Status::TimedOut,
        }
    }
    fn exit_code(outcome: &Outcome) -> Option<i32> {
        Some(outcome.exit_code())
    }
    fn pid(outcome: &Outcome) -> Option<u32> {
        outcome.pid
    }
}

/// Where a plan moves protected paths that appear during its run.
fn quarantine_of(plan: &ExecPlan) -> Option<PathBuf> {
    match &plan.isolation {
        Isolation::Confined(c) => c.quarantine.clone(),
        Isolation::FullAccess => None,
    }
}

/// `rampart sandbox-run`: the enforcement half, for rampart's servers
/// (which decided and recorded already). It carries out the sealed plan
/// its parent hands it, loads no config and reads no policy flag, and
/// only confines.
pub(crate) fn sandbox_run(_args: &SandboxRunArgs) -> anyhow::Result<Exit> {
    // Only a rampart server that decided and recorded the command may start
    // it: it hands over a sealed plan bound to exactly these arguments.
    let own: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let (plan, channel) = rampart_server::plan::verify_stdin(&own)
        .context("sandbox-run refuses to run")
        .hint("it is internal to `rampart mcp` and `rampart serve`; use `rampart exec`, which decides and records")?;
    // The status channel is taken before anything runs, so that the
    // command never inherits it; the server takes a run without a report
    // for a failure.
    let reporter = channel
        .as_ref()
        .map(rampart_server::status::Reporter::take)
        .transpose()
        .context("sandbox-run refuses to run")?;
    // An error is reported here, not in `main`: its exit status is part
    // of the status report.
    let (exit, status) = sandbox_run_plan(plan).unwrap_or_else(|e| {
        (
            crate::report::report(&e, Exit::Internal),
            rampart_gate::Status::Failed,
        )
    });
    if let Some(r) = reporter {
        if let Err(e) = r.report(status, i32::from(exit.code())) {
            ui::error(&e.to_string());
        }
    }
    Ok(exit)
}

/// Runs a verified plan: how `sandbox-run` exits, and the status it
/// reports for that.
fn sandbox_run_plan(plan: ExecPlan) -> anyhow::Result<(Exit, rampart_gate::Status)> {
    use rampart_gate::Status;
    if !plan.confined() {
        return Err(with_hint(
            anyhow::anyhow!(
                "sandbox-run only runs commands inside the sandbox; danger-full-access is refused"
            ),
            "use `rampart exec`, which decides and records, for full access",
        ));
    }
    // The plan says what it was allowed under; nothing else runs.
    let (decision, approval) = plan.allowed_under().context("sandbox-run refuses to run")?;
    let action = Action::Exec {
        argv: plan
            .command
            .argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        cwd: plan.command.cwd.clone(),
    };
    let mut enforcer = SandboxEnforcer { plan };
    enforcer.plan.command.tee_stderr = false;
    let plan = enforcer.plan.clone();
    // The caller (a server) records the run; what was quarantined gets an
    // event of its own here, recorded as the plan says.
    let record_quarantined = |found: &[rampart_sandbox::Quarantined], unchecked: &[String]| {
        if found.is_empty() && unchecked.is_empty() {
            return false;
        }
        let mut recorder = record::recorder_for(&plan, crate::approve::session_key());
        report_quarantined(found, unchecked, Some(&mut recorder), None, &plan.workspace);
        record::after_action(&recorder);
        true
    };
    if let Some(q) = quarantine_of(&plan) {
        record_quarantined(&rampart_sandbox::recover_pending(&q), &[]);
    }
    let mandate = Mandate {
        decision: &decision,
        approval: approval.as_ref(),
    };
    match enforcer.enforce(&action, &mandate) {
        Ok(outcome) => {
            if record_quarantined(&outcome.quarantined, &outcome.unchecked) {
                let _ = finish(&outcome, &plan.limits);
                return Ok((Exit::Denied, Status::Refused));
            }
            Ok((
                finish(&outcome, &plan.limits),
                SandboxEnforcer::status(&outcome),
            ))
        }
        Err(e) => Ok((run_error(e)?, Status::Failed)),
    }
}

/// Says, loudly, which protected paths appeared while a sandboxed command
/// ran (or while an earlier run whose supervisor died ran) and where they
/// went, and records each as a refused write. Returns whether there were
/// any.
fn report_quarantined(
    found: &[rampart_sandbox::Quarantined],
    unchecked: &[String],
    recorder: Option<&mut AuditRecorder>,
    cfg: Option<&Config>,
    workspace: &std::path::Path,
) -> bool {
    use rampart_gate::Recorder as _;
    let mut recorder = recorder;
    let record = |recorder: &mut Option<&mut AuditRecorder>,
                  path: &std::path::Path,
                  reasons: Vec<String>,
                  result: &str| {
        if let Some(r) = recorder.as_deref_mut() {
            let write = Action::WriteFile {
                path: path.to_path_buf(),
                workspace: workspace.to_path_buf(),
                bytes: 0,
            };
            let decision = rampart_gate::Decision::denied(rampart_policy::Risk::Critical, reasons);
            let event = rampart_gate::Event {
                stage: rampart_gate::Stage::Enforced,
                action: &write,
                decision: &decision,
                approval: None,
                result: Some(result.into()),
                ran: None,
            };
            if let Err(e) = r.record(&event) {
                r.unrecorded(&e);
            }
        }
    };
    for why in unchecked {
        ui::error(&ui::printable(&format!(
            "the check after the run could not finish, so the run is not known to be clean: {why}"
        )));
        record(
            &mut recorder,
            workspace,
            vec![format!("not checked after a sandboxed run: {why}")],
            "unchecked",
        );
    }
    if !unchecked.is_empty() {
        ui::hint("look below the workspace and the temporary directories for agent-config files (`.envrc`, `.vscode/`, ...) and git directories whose config names a program, made during the run");
    }
    let routine: Vec<&rampart_sandbox::Quarantined> = found.iter().filter(|q| q.routine).collect();
    if !routine.is_empty() {
        ui::info(&ui::printable(&format!(
            "rampart: moved aside {} agent-config file(s) that packages put in node_modules (no package manager runs them; kept from being renamed out later): {}",
            routine.len(),
            routine
                .iter()
                .take(3)
                .map(|q| format!("`{}`", q.path.display()))
                .collect::<Vec<_>>()
                .join(", ")
        )));
        for q in &routine {
            record(
                &mut recorder,
                &q.path,
                vec![
                    "an agent-config folder a package shipped into node_modules, moved aside after a sandboxed run".into(),
                ],
                "moved aside",
            );
        }
    }
    let found: Vec<&rampart_sandbox::Quarantined> = found.iter().filter(|q| !q.routine).collect();
    for q in &found {
        let shown = q.path.display();
        let why = q.why.clone().unwrap_or_else(|| {
            cfg.and_then(|cfg| {
                rampart_policy::ProtectedSet::new(cfg)
                    .protection(&q.path, &[workspace])
                    .map(|p| p.reason(&q.path))
            })
            .unwrap_or_else(|| format!("`{shown}` is protected"))
        });
        let moved = match &q.moved_to {
            Ok(to) => format!("moved to `{}`", to.display()),
            Err(e) => format!("could NOT be moved ({e}); remove it by hand"),
        };
        // The names come from the command (a symlink it left in `.git`):
        // no escape sequence of theirs reaches the terminal.
        ui::error(&ui::printable(&format!(
            "sandbox breach attempt: the command created or replaced the protected path `{shown}`; {moved} ({why})"
        )));
        record(
            &mut recorder,
            &q.path,
            vec![format!("created during a sandboxed run; {moved}"), why],
            "quarantined",
        );
    }
    if !found.is_empty() {
        ui::hint("look at the quarantined files before restoring any: they would have made another program run code");
    }
    !found.is_empty() || !unchecked.is_empty()
}

pub(crate) fn run(global: &Global, args: &ExecArgs) -> anyhow::Result<Exit> {
    let Some(resolved) = resolved(global, &args.policy) else {
        return Ok(Exit::Internal);
    };
    let mut plan = match resolved.plan(&args.command, &resolved.workspace) {
        Ok(p) => p,
        Err(e) => {
            resolve_error(&e);
            return Ok(Exit::Internal);
        }
    };
    let config = resolved.config;
    let on_failure = plan.confined() && plan.approval_policy == ApprovalPolicy::OnFailure;
    plan.command.tee_stderr = on_failure;
    if !plan.confined() {
        ui::warning(&format!(
            "danger-full-access: `{}` runs without a sandbox",
            plan.program_name()
        ));
    }
    let action = Action::Exec {
        argv: args
            .command
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        cwd: plan.workspace.clone(),
    };
    let approver = TtyApprover {
        policy: config.approval_policy,
        session: SessionStore::open(&config.audit.dir),
        ticket: crate::approve::HookTicket::new(&config.audit.dir, &action),
    };
    // The recorder records the mode the plan runs in.
    let mut recorder = record::recorder_for(&plan, crate::approve::session_key());
    if !config.audit.enabled {
        ui::warning("auditing is off (`[audit] enabled = false`): this action is not recorded");
    }
    if let Some(q) = quarantine_of(&plan) {
        let earlier = rampart_sandbox::recover_pending(&q);
        report_quarantined(
            &earlier,
            &[],
            Some(&mut recorder),
            Some(&config),
            &plan.workspace,
        );
    }
    let mut enforcer = SandboxEnforcer { plan };
    let mut gate = Gate::new(&config, approver, recorder);
    let exit = run_gate(
        global,
        &mut gate,
        &action,
        &mut enforcer,
        &config,
        on_failure,
    );
    record::after_action(gate.recorder_mut());
    exit
}

fn run_gate<A: rampart_gate::Approver>(
    global: &Global,
    gate: &mut Gate<'_, A, AuditRecorder>,
    action: &Action,
    enforcer: &mut SandboxEnforcer,
    config: &Config,
    on_failure: bool,
) -> anyhow::Result<Exit> {
    match gate.run(action, enforcer) {
        Ok(result) => {
            if let Some(outcome) = result.outcome {
                if let Some(approval) = &result.approval {
                    tracing::info!(?approval, "approved");
                }
                if on_failure
                    && outcome.termination != rampart_sandbox::Termination::TimedOut
                    && outcome.exit_code() != 0
                {
                    if let Some(why) = sandbox_denial(&outcome.stderr_tail) {
                        return rerun_outside(
                            gate,
                            action,
                            result.decision,
                            why,
                            enforcer,
                            &outcome,
                        );
                    }
                }
                if report_quarantined(
                    &outcome.quarantined,
                    &outcome.unchecked,
                    Some(gate.recorder_mut()),
                    Some(config),
                    &enforcer.plan.workspace,
                ) {
                    let _ = finish(&outcome, &enforcer.plan.limits);
                    return Ok(Exit::Denied);
                }
                if outcome.exit_code() != 0 {
                    git_writes_hint(config, &result.decision, &enforcer.plan.workspace);
                }
                return Ok(finish(&outcome, &enforcer.plan.limits));
            }
            let d = &result.decision;
            if global.json {
                crate::ui::outln!("{}", d.to_json());
            }
            debug_assert_ne!(d.verdict, Verdict::Allow);
            ui::error(&format!("denied: {}", d.reasons.join("; ")));
            if let Some(rule) = &d.rule {
                ui::hint(&format!("decided by the rule at {rule}"));
            }
            Ok(Exit::Denied)
        }
        Err(e) => gate_error(e),
    }
}

/// A git command that writes the repository failed while `.git` is
/// read-only in the sandbox (`allow_git_writes = false`): most likely that
/// is why, and the user should hear how to allow commits.
fn git_writes_hint(
    config: &Config,
    decision: &rampart_gate::Decision,
    workspace: &std::path::Path,
) {
    const WRITES: &[&str] = &[
        "commit",
        "merge",
        "rebase",
        "cherry-pick",
        "revert",
        "am",
        "tag",
        "stash",
        "pull",
        "checkout",
        "switch",
        "reset",
        "add",
        "rm",
        "mv",
        "restore",
        "fetch",
        "branch",
        "init",
    ];
    if config.workspace_write.allow_git_writes != GitWrites::Deny
        || !workspace.join(".git").exists()
    {
        return;
    }
    // The subcommand: the first word after git's own options (`-c k=v`,
    // `-C dir` and the like take a value).
    let subcommand = |argv: &[String]| {
        let mut words = argv.iter().skip(1);
        while let Some(w) = words.next() {
            match w.as_str() {
                "-c" | "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--exec-path" => {
                    words.next();
                }
                o if o.starts_with('-') => {}
                sub => return Some(sub.to_owned()),
            }
        }
        None
    };
    let writes = decision.commands.iter().any(|argv| {
        argv.first()
            .is_some_and(|p| p == "git" || p.ends_with("/git"))
            && subcommand(argv).is_some_and(|sub| WRITES.contains(&sub.as_str()))
    });
    if writes {
        ui::hint(
            "`.git` is read-only inside the sandbox; `--allow-git-writes=commits` (or `allow_git_writes = \"commits\"`) lets git commit, never change config or hooks",
        );
    }
}

/// `on-failure`: the sandboxed run failed, apparently on a sandbox denial.
/// Only a human at the terminal can send it outside; nothing else can, and
/// nothing is remembered. The re-run is recorded like any action.
fn rerun_outside<A: rampart_gate::Approver>(
    gate: &mut Gate<'_, A, AuditRecorder>,
    action: &Action,
    decision: rampart_gate::Decision,
    why: &str,
    enforcer: &mut SandboxEnforcer,
    first: &Outcome,
) -> anyhow::Result<Exit> {
    match TtyApprover::approve_rerun(action, why) {
        approval @ rampart_gate::Approval::Approved { .. } => {
            if let rampart_gate::Approval::Approved { by } = &approval {
                ui::warning(&format!(
                    "re-running outside the sandbox, approved at the {by}"
                ));
            }
            // A new plan (outside the sandbox), and the recorder says so.
            enforcer.plan = enforcer.plan.clone().outside();
            enforcer
                .plan
                .sandbox_mode
                .as_str()
                .clone_into(&mut gate.recorder_mut().sandbox_mode);
            match gate.carry_out(action, decision, Some(approval), enforcer) {
                Ok(r) => Ok(r
                    .outcome
                    .map_or(Exit::Internal, |o| finish(&o, &enforcer.plan.limits))),
                Err(e) => gate_error(e),
            }
        }
        rampart_gate::Approval::Denied(reason) => {
            ui::hint(&format!(
                "the failure looks like a sandbox denial ({why}); {reason}"
            ));
            Ok(finish(first, &enforcer.plan.limits))
        }
    }
}

fn gate_error(e: GateError<RunError>) -> anyhow::Result<Exit> {
    match e {
        GateError::Enforce(e) => run_error(e),
        e @ GateError::Record(_) => Err(with_hint(
            e,
            "fix the audit directory (`rampart doctor`), or set `[audit] fail_closed = false` in your user config to run unrecorded",
        )),
        e => Err(e.into()),
    }
}

fn finish(outcome: &Outcome, limits: &Limits) -> Exit {
    if outcome.termination == rampart_sandbox::Termination::TimedOut {
        ui::error(&format!(
            "timed out after {}s; the whole process tree was killed",
            limits.timeout.map_or(0, |t| t.as_secs())
        ));
        ui::hint("raise it with --timeout SECS or `[limits] timeout_secs`");
        return Exit::Timeout;
    }
    if outcome.oom_killed {
        ui::warning(&format!(
            "the memory limit ({} MiB) killed a process",
            limits.memory_bytes.map_or(0, |b| b >> 20)
        ));
    }
    Exit::Program(outcome.exit_code())
}

/// Why the sandbox did not run the program, with the exit status it
/// stands for: 127 not found, 126 cannot execute, 125 rampart's own.
fn run_error(e: RunError) -> anyhow::Result<Exit> {
    match e {
        RunError::NotFound(p) => Err(anyhow::anyhow!(
            "program `{p}` not found inside the sandbox"
        ))
        .exit(Exit::NotFound),
        e @ RunError::CannotExecute { .. } => Err(e).exit(Exit::Denied),
        e @ RunError::Unavailable { .. } => Err(with_hint(
            e,
            "`rampart doctor` lists what this host can enforce",
        )),
        e => Err(e.into()),
    }
}
