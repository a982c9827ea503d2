//! `rampart doctor`: what this host can enforce, what the config asks for,
//! and whether the two meet.

use rampart_policy::{Config, SandboxMode};
use rampart_sandbox::{Command, HostReport, Isolation, Limits, MIN_LANDLOCK_ABI};
use serde_json::{json, Value};

use crate::args::{DoctorArgs, Global};
use crate::exit::Exit;
use crate::load::{self, Loaded};
use crate::ui;
use rampart_server::exec_plan;

struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
    /// A missing protection only counts as a problem when the config needs it.
    needed: bool,
}

fn landlock_features(abi: i32) -> Vec<(&'static str, i32)> {
    vec![
        ("filesystem rules", 1),
        ("rename/link across directories", 2),
        ("truncate", 3),
        ("TCP bind/connect", 4),
        ("device ioctls", 5),
        ("abstract Unix socket and signal scoping", 6),
        ("Unix socket connect by path", 9),
    ]
    .into_iter()
    .filter(|(_, v)| *v <= abi.max(9))
    .collect()
}

fn checks(host: &HostReport, cfg: &Config) -> Vec<Check> {
    let confined = cfg.sandbox_mode != SandboxMode::DangerFullAccess;
    let mut out = vec![
        Check {
            name: "user namespaces",
            ok: host.user_namespaces.is_ok(),
            detail: match &host.user_namespaces {
                Ok(()) => "user, mount, PID, IPC, UTS and network namespaces can be created".into(),
                Err(e) => format!("cannot create them: {e}"),
            },
            needed: confined,
        },
        Check {
            name: "landlock",
            ok: host.landlock_abi >= MIN_LANDLOCK_ABI,
            detail: format!(
                "ABI {} (rampart needs {MIN_LANDLOCK_ABI}); {}",
                host.landlock_abi,
                landlock_features(host.landlock_abi)
                    .iter()
                    .map(|(f, v)| format!(
                        "{f}: {}",
                        if host.landlock_abi >= *v { "yes" } else { "no" }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            needed: confined,
        },
        Check {
            name: "seccomp",
            ok: host.seccomp,
            detail: if host.seccomp {
                "filters can be installed".into()
            } else {
                "not available".into()
            },
            needed: confined,
        },
    ];
    if host.landlock_abi < 9 {
        out.push(Check {
            name: "unix sockets",
            ok: true,
            detail: if cfg.workspace_write.allow_unix_sockets {
                "allow_unix_sockets = true: commands can reach host socket files by path (Landlock < ABI 9 cannot stop it)".into()
            } else {
                "socket(AF_UNIX) refused by seccomp, since Landlock < ABI 9 cannot stop connects to host socket files; socketpair stream pairs work".into()
            },
            needed: false,
        });
    }
    let procs = cfg.limits.max_processes;
    out.push(Check {
        name: "process limit",
        ok: procs == 0 || host.pids_cgroup.is_some() || !host.root,
        detail: match (&host.pids_cgroup, procs) {
            (_, 0) => "none configured (max_processes = 0)".into(),
            (Some(p), n) => format!("{n} processes, by {}", p.describe()),
            (None, n) if !host.root => format!("{n} processes, by RLIMIT_NPROC (counted in the sandbox's user namespace)"),
            (None, n) => format!("{n} asked, but rampart runs as root, RLIMIT_NPROC does not bind root and no writable pids cgroup exists: exec refuses"),
        },
        needed: true,
    });
    let mem = cfg.limits.memory_mb;
    out.push(Check {
        name: "memory limit",
        ok: true,
        detail: match (&host.memory_cgroup, mem) {
            (_, 0) => "none configured (memory_mb = 0)".into(),
            (Some(p), n) => format!("{n} MiB for the whole tree, by {}", p.describe()),
            (None, n) => format!("{n} MiB per process, by RLIMIT_DATA (no writable memory cgroup)"),
        },
        needed: false,
    });
    out.push(Check {
        name: "timeout",
        ok: true,
        detail: match cfg.limits.timeout_secs {
            0 => "none configured".into(),
            n if confined => format!("{n}s, kills the whole PID namespace"),
            n => format!("{n}s, kills the command (and its cgroup when one is in use)"),
        },
        needed: false,
    });
    out
}

/// Whether the user's git takes a folder without `.git` (a bare
/// repository) for a repository. rampart quarantines a config naming a
/// program that a sandboxed command leaves in one (see docs/SANDBOX.md);
/// `safe.bareRepository = explicit` closes the class in git itself.
fn bare_repositories() -> Check {
    let value = rampart_sandbox::host_git().and_then(|mut git| {
        for var in ["HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL"] {
            if let Some(v) = std::env::var_os(var) {
                git.env(var, v);
            }
        }
        git.args(["config", "--global", "--get", "safe.bareRepository"])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .trim()
                    .to_ascii_lowercase()
            })
    });
    let ok = value.as_deref() == Some("explicit");
    Check {
        name: "git bare repositories",
        ok,
        detail: if ok {
            "safe.bareRepository = explicit: git never takes a folder without `.git` for a repository".into()
        } else {
            "git takes any folder with `HEAD`, `objects/` and `refs/` for a bare repository and honours its config when run there; rampart quarantines such a config when a sandboxed command leaves one naming a program, and `git config --global safe.bareRepository explicit` closes this in git itself".into()
        },
        needed: false,
    }
}

fn trial(cfg: &Config, ws: &std::path::Path) -> anyhow::Result<()> {
    let isolation = exec_plan::isolation(cfg, ws)?;
    if matches!(isolation, Isolation::FullAccess) {
        return Ok(());
    }
    let program =
        rampart_sandbox::resolve_program("true".as_ref(), Some("/usr/bin:/bin".as_ref()), ws)
            .ok_or_else(|| anyhow::anyhow!("no `true` program in /usr/bin or /bin"))?;
    let cmd = Command {
        tee_stderr: false,
        program,
        argv: vec!["true".into()],
        env: vec![],
        cwd: ws.to_path_buf(),
    };
    let limits = Limits {
        timeout: Some(std::time::Duration::from_secs(10)),
        ..exec_plan::limits(cfg)
    };
    match rampart_sandbox::run(&cmd, &isolation, &limits) {
        Ok(o) if o.exit_code() == 0 => Ok(()),
        Ok(o) => Err(anyhow::anyhow!("`true` exited {}", o.exit_code())),
        Err(e) => Err(e.into()),
    }
}

#[expect(clippy::too_many_lines, reason = "text and JSON reports side by side")]
pub(crate) fn run(global: &Global, args: &DoctorArgs) -> anyhow::Result<Exit> {
    let ws = exec_plan::workspace(args.workspace.as_deref())?;
    let Loaded {
        config,
        files,
        errors,
    } = load::load_with(
        global.config.as_deref(),
        &global.overrides,
        Some(&ws),
        global.profile.as_deref(),
    );
    let host = HostReport::probe();
    let inside = rampart_sandbox::inside_ids();
    let mut checks = checks(&host, &config);
    checks.push(bare_repositories());
    let trial = if args.no_trial || !errors.is_empty() {
        None
    } else {
        Some(trial(&config, &ws))
    };
    let protected = rampart_policy::ProtectedSet::new(&config).entries();
    let origin = |o: rampart_policy::ProtectOrigin| match o {
        rampart_policy::ProtectOrigin::BuiltIn => "built-in",
        rampart_policy::ProtectOrigin::Config => "config",
        rampart_policy::ProtectOrigin::Rampart => "rampart",
    };
    let problems = !errors.is_empty()
        || checks.iter().any(|c| c.needed && !c.ok)
        || trial.as_ref().is_some_and(Result::is_err);

    if global.json {
        let v: Value = json!({
            "ok": !problems,
            "protections": checks.iter().map(|c| json!({"name": c.name, "available": c.ok, "needed": c.needed, "detail": c.detail})).collect::<Vec<_>>(),
            "landlock_abi": host.landlock_abi,
            "root": host.root,
            "inside_uid": inside.0,
            "inside_gid": inside.1,
            "config": {
                "files": files.iter().map(|(p, layer)| json!({"path": p, "layer": layer})).collect::<Vec<_>>(),
                "errors": errors.iter().map(|e| json!({"path": e.origin, "line": e.line, "column": e.column, "message": e.message, "hint": e.hint})).collect::<Vec<_>>(),
                "sandbox_mode": config.sandbox_mode,
                "approval_policy": config.approval_policy,
                "network_access": config.workspace_write.network_access,
                "allow_git_writes": config.workspace_write.allow_git_writes.to_string(),
                "deny_read": config.deny_read,
                "protected": protected.iter().map(|e| json!({"pattern": e.pattern, "origin": origin(e.origin), "why": e.why})).collect::<Vec<_>>(),
                "unprotected": config.protect.removed,
                "limits": {"timeout_secs": config.limits.timeout_secs, "memory_mb": config.limits.memory_mb, "max_processes": config.limits.max_processes, "cpu_secs": config.limits.cpu_secs, "file_size_mb": config.limits.file_size_mb},
            },
            "trial": trial.as_ref().map(|t| match t { Ok(()) => json!({"ok": true}), Err(e) => json!({"ok": false, "error": format!("{e:#}")}) }),
        });
        crate::ui::outln!("{v}");
    } else {
        crate::ui::outln!("host protections:");
        for c in &checks {
            let mark = if c.ok {
                ui::ok_word(true)
            } else if c.needed {
                ui::ok_word(false)
            } else {
                "no".into()
            };
            crate::ui::outln!("  {:<16} {mark:<7} {}", c.name, c.detail);
        }
        crate::ui::outln!(
            "  {:<16} {:<7} uid {} gid {} inside the sandbox{}",
            "inside user",
            ui::ok_word(inside.0 != 0),
            inside.0,
            inside.1,
            if host.root {
                " (rampart runs as root: mapped to outside uid 0, with no capability)"
            } else {
                " (the same as outside)"
            }
        );
        crate::ui::outln!("config in force:");
        if files.is_empty() {
            crate::ui::outln!("  files            none (built-in defaults)");
        }
        for (p, layer) in &files {
            crate::ui::outln!("  file             {} ({layer})", p.display());
        }
        crate::ui::outln!("  sandbox_mode     {}", config.sandbox_mode);
        crate::ui::outln!("  approval_policy  {}", config.approval_policy);
        crate::ui::outln!(
            "  network_access   {}",
            config.workspace_write.network_access
        );
        crate::ui::outln!(
            "  allow_git_writes {}",
            config.workspace_write.allow_git_writes
        );
        crate::ui::outln!(
            "  deny_read        {}",
            config
                .deny_read
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        crate::ui::outln!(
            "  protected        (refused to file tools, read-only or watched in the sandbox)"
        );
        for e in &protected {
            crate::ui::outln!("    {:<32} {:<9} {}", e.pattern, origin(e.origin), e.why);
        }
        match &trial {
            Some(Ok(())) => crate::ui::outln!(
                "trial run:         {} (`true` ran in the configured sandbox)",
                ui::ok_word(true)
            ),
            Some(Err(e)) => crate::ui::outln!("trial run:         {} {e:#}", ui::ok_word(false)),
            None => {}
        }
        ui::config_errors(&errors);
        // The hint names what is actually wrong, each cause its own line.
        let missing: Vec<&str> = checks
            .iter()
            .filter(|c| c.needed && !c.ok)
            .map(|c| c.name)
            .collect();
        if !missing.is_empty() {
            ui::hint(&format!(
                "fix the items marked MISSING ({}), or choose a mode this host can enforce (`--sandbox`, `sandbox_mode`)",
                missing.join(", ")
            ));
        }
        if !errors.is_empty() {
            ui::hint("fix the config errors above; `rampart init --print` shows a valid config");
        }
        if trial.as_ref().is_some_and(Result::is_err) && missing.is_empty() {
            ui::hint("the trial run failed though every needed protection is available: run `rampart -v exec -- true` to see where");
        }
    }
    if problems {
        Ok(Exit::Problems)
    } else {
        Ok(Exit::Ok)
    }
}
