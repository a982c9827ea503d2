//! `rampart exec`: one command through the gate, inside the sandbox.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rampart_gate::audit::AuditRecorder;
use rampart_gate::{Action, Enforcer, Gate, GateError, Verdict};
use rampart_policy::{filter_env, ApprovalPolicy, Config, GitWrites, SandboxMode};
use rampart_sandbox::{Command, Confinement, Isolation, Limits, Outcome, RunError, WriteScope};

use crate::approve::{sandbox_denial, SessionStore, TtyApprover};
use crate::args::{ExecArgs, Global, PolicyArgs};
use crate::exit::Exit;
use crate::load::{self, Loaded};
use crate::{env, record, ui};

/// Resolves the workspace: `-C DIR` or the current directory, canonical.
pub(crate) fn workspace(dir: Option<&Path>) -> Result<PathBuf, String> {
    let raw = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?,
    };
    let canonical =
        std::fs::canonicalize(&raw).map_err(|e| format!("workspace `{}`: {e}", raw.display()))?;
    if !canonical.is_dir() {
        return Err(format!("workspace `{}` is not a directory", raw.display()));
    }
    Ok(canonical)
}

/// The workspace and the config in force (files, profile and flags), or
/// `None` after printing every problem.
pub(crate) fn resolve(global: &Global, flags: &PolicyArgs) -> Option<(PathBuf, Config)> {
    let ws = match workspace(flags.workspace.as_deref()) {
        Ok(w) => w,
        Err(e) => {
            ui::error(&e);
            ui::hint("pass an existing directory with -C");
            return None;
        }
    };
    let Loaded {
        mut config, errors, ..
    } = load::load(
        global.config.as_deref(),
        Some(&ws),
        global.profile.as_deref(),
    );
    if !errors.is_empty() {
        ui::config_errors(&errors);
        return None;
    }
    if let Err(e) = apply_flags(&mut config, flags) {
        ui::error(&e);
        return None;
    }
    Some((ws, config))
}

/// Applies command-line flags, the top layer.
pub(crate) fn apply_flags(cfg: &mut Config, flags: &PolicyArgs) -> Result<(), String> {
    if let Some(m) = flags.sandbox {
        cfg.sandbox_mode = m;
    }
    if let Some(a) = flags.approval {
        cfg.approval_policy = a;
    }
    for root in &flags.writable_root {
        let p = std::fs::canonicalize(root)
            .map_err(|e| format!("--writable-root `{}`: {e}", root.display()))?;
        cfg.workspace_write.writable_roots.push(p);
    }
    if flags.network {
        cfg.workspace_write.network_access = true;
    }
    if !flags.allow_host.is_empty() {
        cfg.workspace_write.network_access = true;
        for h in &flags.allow_host {
            let pattern =
                rampart_policy::HostPattern::new(h).map_err(|e| format!("--allow-host: {e}"))?;
            cfg.workspace_write.allowed_hosts.push(pattern);
        }
    }
    match flags.allow_git_writes.as_deref() {
        Some("true") => cfg.workspace_write.allow_git_writes = GitWrites::Allow,
        Some("commits") => cfg.workspace_write.allow_git_writes = GitWrites::Commits,
        Some("false") => cfg.workspace_write.allow_git_writes = GitWrites::Deny,
        _ => {}
    }
    if let Some(t) = flags.timeout {
        cfg.limits.timeout_secs = t;
    }
    if let Some(m) = flags.memory {
        cfg.limits.memory_mb = m;
    }
    if let Some(n) = flags.max_procs {
        cfg.limits.max_processes = n;
    }
    Ok(())
}

/// The sandbox settings the config asks for. Fails closed on what cannot
/// be enforced.
pub(crate) fn isolation(
    cfg: &Config,
    workspace: &Path,
    mut protected: Vec<PathBuf>,
    rules: crate::pathrules::PathRuleMounts,
) -> Result<Isolation, String> {
    let ws = &cfg.workspace_write;
    if ws.network_access
        && !ws.allowed_hosts.is_empty()
        && cfg.sandbox_mode != SandboxMode::DangerFullAccess
    {
        return Err(format!(
            "a host allowlist ({}) needs rampart's network proxy, which this version does not have; rampart will not turn the whole network on instead",
            ws.allowed_hosts
                .iter()
                .map(rampart_policy::HostPattern::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut hidden: Vec<PathBuf> = cfg
        .deny_read
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    hidden.extend(rules.hidden);
    protected.extend(rules.read_only);
    let write = match cfg.sandbox_mode {
        SandboxMode::DangerFullAccess => return Ok(Isolation::FullAccess),
        SandboxMode::ReadOnly => WriteScope::ReadOnly,
        SandboxMode::WorkspaceWrite => WriteScope::Workspace {
            root: workspace.to_path_buf(),
            writable_roots: ws.writable_roots.clone(),
            slash_tmp: !ws.exclude_slash_tmp,
            tmpdir: if ws.exclude_tmpdir_env_var {
                None
            } else {
                std::env::var_os(env::TMPDIR).map(PathBuf::from)
            },
            git: match ws.allow_git_writes {
                GitWrites::Deny => rampart_sandbox::GitWrites::Deny,
                GitWrites::Commits => rampart_sandbox::GitWrites::Commits,
                GitWrites::Allow => rampart_sandbox::GitWrites::Allow,
            },
        },
    };
    Ok(Isolation::Confined(Confinement {
        protected,
        quarantine: Some(load::quarantine_dir(cfg)),
        write,
        network: ws.network_access,
        unix_sockets: ws.allow_unix_sockets,
        hidden,
    }))
}

pub(crate) fn limits(cfg: &Config) -> Limits {
    let nz = |v: u64| (v != 0).then_some(v);
    Limits {
        timeout: nz(cfg.limits.timeout_secs).map(Duration::from_secs),
        memory_bytes: nz(cfg.limits.memory_mb).map(|m| m.saturating_mul(1 << 20)),
        max_processes: nz(cfg.limits.max_processes),
        cpu_secs: nz(cfg.limits.cpu_secs),
        file_size_bytes: nz(cfg.limits.file_size_mb).map(|m| m.saturating_mul(1 << 20)),
    }
}

struct SandboxEnforcer {
    /// `program` is empty when it was not found on PATH: enforcing then
    /// fails (and that failure is recorded like any other).
    command: Command,
    isolation: Isolation,
    limits: Limits,
    name: String,
}

impl Enforcer for SandboxEnforcer {
    type Outcome = Outcome;
    type Error = RunError;
    fn enforce(&mut self, _: &Action) -> Result<Outcome, RunError> {
        if self.command.program.as_os_str().is_empty() {
            return Err(RunError::NotFound(self.name.clone()));
        }
        rampart_sandbox::run(&self.command, &self.isolation, &self.limits)
    }
    fn status(outcome: &Outcome) -> rampart_gate::Status {
        use rampart_gate::Status;
        use rampart_sandbox::Termination;
        if !outcome.quarantined.is_empty() {
            // It made a protected path: `exec` answers a refusal.
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
}

fn fail(msg: &str, hint: Option<&str>) -> Exit {
    ui::error(msg);
    if let Some(h) = hint {
        ui::hint(h);
    }
    Exit::Internal
}

/// Everything `exec` needs before the gate: the config, the action, and
/// the sandbox ready to carry it out.
struct Prepared {
    config: Config,
    action: Action,
    enforcer: SandboxEnforcer,
    confined: bool,
    on_failure: bool,
}

fn prepare(global: &Global, args: &ExecArgs) -> Result<Prepared, Exit> {
    let Some((ws, config)) = resolve(global, &args.policy) else {
        return Err(Exit::Internal);
    };
    let protected = load::protected_paths(&config, &ws);
    let rule_mounts = match crate::pathrules::mounts(&config, &ws) {
        Ok(m) => m,
        Err(e) => return Err(fail(&e, None)),
    };
    let isolation = match isolation(&config, &ws, protected, rule_mounts) {
        Ok(i) => i,
        Err(e) => {
            return Err(fail(
                &e,
                Some("use --network for the whole network, or leave it off"),
            ))
        }
    };

    let mut env_vars = filter_env(&config.env, std::env::vars_os(), &args.policy.keep_env);
    // The audit database URL may hold a password: never hand it on, by the
    // configured name or the built-in one (set in the environment for an
    // earlier setup, it would otherwise pass as an ordinary variable).
    env_vars.retain(|(k, _)| {
        k != env::RAMPART_SANDBOX
            && k != env::RAMPART_AUDIT_PG_URL
            && *k != *config.audit.postgres_url_env
    });
    if config.sandbox_mode == SandboxMode::ReadOnly {
        env_vars.retain(|(k, _)| k != env::TMPDIR);
        env_vars.push((env::TMPDIR.into(), "/tmp".into()));
    }
    env_vars.push((
        env::RAMPART_SANDBOX.into(),
        config.sandbox_mode.as_str().into(),
    ));

    let Some((program, _)) = args.command.split_first() else {
        return Err(fail(
            "no program given",
            Some("rampart exec -- PROGRAM [ARGS]..."),
        ));
    };
    let path_var = env_vars
        .iter()
        .find(|(k, _)| k == env::PATH)
        .map(|(_, v)| v.clone());
    let resolved =
        rampart_sandbox::resolve_program(program, path_var.as_deref(), &ws).unwrap_or_default();
    let words: Vec<String> = args
        .command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let action = Action::Exec {
        argv: words,
        cwd: ws.clone(),
    };

    let limits = limits(&config);
    let confined = !matches!(isolation, Isolation::FullAccess);
    let on_failure = confined && config.approval_policy == ApprovalPolicy::OnFailure;
    let enforcer = SandboxEnforcer {
        command: Command {
            program: resolved,
            argv: args.command.clone(),
            env: env_vars,
            cwd: ws,
            tee_stderr: on_failure,
        },
        isolation,
        limits,
        name: program.to_string_lossy().into_owned(),
    };
    Ok(Prepared {
        config,
        action,
        enforcer,
        confined,
        on_failure,
    })
}

/// `rampart sandbox-run`: the enforcement half, for rampart's servers
/// (which decided and recorded already). It only confines.
pub(crate) fn sandbox_run(global: &Global, args: &ExecArgs) -> Exit {
    // Only a rampart server that decided and recorded the command may start
    // it: it hands over a sealed plan of exactly these arguments.
    let own: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if let Err(e) = rampart_server::plan::verify_stdin(&own) {
        return fail(
            &format!("sandbox-run refuses to run: {e}"),
            Some("it is internal to `rampart mcp` and `rampart serve`; use `rampart exec`, which decides and records"),
        );
    }
    let Prepared {
        config,
        action,
        mut enforcer,
        confined,
        ..
    } = match prepare(global, args) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if !confined {
        return fail(
            "sandbox-run only runs commands inside the sandbox; danger-full-access is refused",
            Some("use `rampart exec`, which decides and records, for full access"),
        );
    }
    enforcer.command.tee_stderr = false;
    // The caller (a server) records the run; what was quarantined gets an
    // event of its own here.
    let record_quarantined = |found: &[rampart_sandbox::Quarantined]| {
        if found.is_empty() {
            return false;
        }
        let mut recorder = record::recorder(&config, crate::approve::session_key());
        report_quarantined(found, Some(&mut recorder), &config, &action);
        record::after_action(&recorder);
        true
    };
    record_quarantined(&rampart_sandbox::recover_pending(&load::quarantine_dir(
        &config,
    )));
    match enforcer.enforce(&action) {
        Ok(outcome) => {
            if record_quarantined(&outcome.quarantined) {
                let _ = finish(&outcome, &config);
                return Exit::Denied;
            }
            finish(&outcome, &config)
        }
        Err(e) => run_error(&e),
    }
}

/// Says, loudly, which protected paths appeared while a sandboxed command
/// ran (or while an earlier run whose supervisor died ran) and where they
/// went, and records each as a refused write. Returns whether there were
/// any.
fn report_quarantined(
    found: &[rampart_sandbox::Quarantined],
    recorder: Option<&mut AuditRecorder>,
    cfg: &Config,
    action: &Action,
) -> bool {
    use rampart_gate::Recorder as _;
    let workspace = match action {
        Action::Exec { cwd, .. } => cwd.clone(),
        _ => PathBuf::from("/"),
    };
    let mut recorder = recorder;
    for q in found {
        let shown = q.path.display();
        let why = q.why.clone().unwrap_or_else(|| {
            rampart_policy::ProtectedSet::new(cfg)
                .protection(&q.path, &[workspace.as_path()])
                .map_or_else(|| format!("`{shown}` is protected"), |p| p.reason(&q.path))
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
        if let Some(r) = recorder.as_deref_mut() {
            let write = Action::WriteFile {
                path: q.path.clone(),
                workspace: workspace.clone(),
                bytes: 0,
            };
            let decision = rampart_gate::Decision {
                verdict: Verdict::Deny,
                risk: rampart_policy::Risk::Critical,
                reasons: vec![format!("created during a sandboxed run; {moved}"), why],
                rule: None,
                commands: Vec::new(),
                approvals: Vec::new(),
            };
            let event = rampart_gate::Event {
                stage: rampart_gate::Stage::Enforced,
                action: &write,
                decision: &decision,
                approval: None,
                result: Some("quarantined".into()),
                ran: None,
            };
            if let Err(e) = r.record(&event) {
                r.unrecorded(&e);
            }
        }
    }
    if !found.is_empty() {
        ui::hint("look at the quarantined files before restoring any: they would have made another program run code");
    }
    !found.is_empty()
}

pub(crate) fn run(global: &Global, args: &ExecArgs) -> Exit {
    let Prepared {
        config,
        action,
        mut enforcer,
        confined,
        on_failure,
    } = match prepare(global, args) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if !confined {
        ui::warning(&format!(
            "danger-full-access: `{}` runs without a sandbox",
            args.command
                .first()
                .map(|p| p.to_string_lossy())
                .unwrap_or_default()
        ));
    }
    let approver = TtyApprover {
        policy: config.approval_policy,
        session: SessionStore::open(&config.audit.dir),
        ticket: crate::approve::HookTicket::new(&config.audit.dir, &action),
    };
    let mut recorder = record::recorder(&config, crate::approve::session_key());
    if !config.audit.enabled {
        ui::warning("auditing is off (`[audit] enabled = false`): this action is not recorded");
    }
    recorder.sandbox_mode = if confined {
        config.sandbox_mode.as_str().to_owned()
    } else {
        SandboxMode::DangerFullAccess.as_str().to_owned()
    };
    let earlier = rampart_sandbox::recover_pending(&load::quarantine_dir(&config));
    report_quarantined(&earlier, Some(&mut recorder), &config, &action);
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
) -> Exit {
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
                            config,
                        );
                    }
                }
                if report_quarantined(
                    &outcome.quarantined,
                    Some(gate.recorder_mut()),
                    config,
                    action,
                ) {
                    let _ = finish(&outcome, config);
                    return Exit::Denied;
                }
                return finish(&outcome, config);
            }
            let d = &result.decision;
            if global.json {
                println!("{}", d.to_json());
            }
            debug_assert_ne!(d.verdict, Verdict::Allow);
            ui::error(&format!("denied: {}", d.reasons.join("; ")));
            if let Some(rule) = &d.rule {
                ui::hint(&format!("decided by the rule at {rule}"));
            }
            Exit::Denied
        }
        Err(e) => gate_error(e),
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
    cfg: &Config,
) -> Exit {
    match TtyApprover::approve_rerun(action, why) {
        approval @ rampart_gate::Approval::Approved { .. } => {
            if let rampart_gate::Approval::Approved { by } = &approval {
                ui::warning(&format!(
                    "re-running outside the sandbox, approved at the {by}"
                ));
            }
            SandboxMode::DangerFullAccess
                .as_str()
                .clone_into(&mut gate.recorder_mut().sandbox_mode);
            enforcer.isolation = Isolation::FullAccess;
            enforcer.command.tee_stderr = false;
            match gate.carry_out(action, decision, Some(approval), enforcer) {
                Ok(r) => r.outcome.map_or(Exit::Internal, |o| finish(&o, cfg)),
                Err(e) => gate_error(e),
            }
        }
        rampart_gate::Approval::Denied(reason) => {
            ui::hint(&format!(
                "the failure looks like a sandbox denial ({why}); {reason}"
            ));
            finish(first, cfg)
        }
    }
}

fn gate_error(e: GateError<RunError>) -> Exit {
    match e {
        GateError::Enforce(e) => run_error(&e),
        e @ GateError::Record(_) => fail(
            &e.to_string(),
            Some("fix the audit directory (`rampart doctor`), or set `[audit] fail_closed = false` in your user config to run unrecorded"),
        ),
        e => fail(&e.to_string(), None),
    }
}

fn finish(outcome: &Outcome, cfg: &Config) -> Exit {
    if outcome.termination == rampart_sandbox::Termination::TimedOut {
        ui::error(&format!(
            "timed out after {}s; the whole process tree was killed",
            cfg.limits.timeout_secs
        ));
        ui::hint("raise it with --timeout SECS or `[limits] timeout_secs`");
        return Exit::Timeout;
    }
    if outcome.oom_killed {
        ui::warning(&format!(
            "the memory limit ({} MiB) killed a process",
            cfg.limits.memory_mb
        ));
    }
    Exit::Program(outcome.exit_code())
}

fn run_error(e: &RunError) -> Exit {
    match e {
        RunError::NotFound(p) => {
            ui::error(&format!("program `{p}` not found inside the sandbox"));
            Exit::NotFound
        }
        RunError::CannotExecute { .. } => {
            ui::error(&e.to_string());
            Exit::Denied
        }
        RunError::Unavailable { .. } => fail(
            &e.to_string(),
            Some("`rampart doctor` lists what this host can enforce"),
        ),
        _ => fail(&e.to_string(), None),
    }
}
