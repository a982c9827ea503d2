//! Turning `ask` into an answer: a prompt on the controlling terminal
//! (never on stdin, which belongs to the command), with answers yes, no
//! and always-for-this-session.
//!
//! "Always" is remembered in a 0600 file under the state directory, keyed
//! by the terminal session (its session id and the session leader's start
//! time, so a recycled id does not inherit it), scoped to every part of the
//! command that asked ([`rampart_gate::approval_prefix`]): a later command
//! is covered only when all of its risky parts were approved. It never
//! approves a critical action, and never a run outside the sandbox.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rampart_gate::{Action, Approval, Approver, Decision, Risk};
use rampart_policy::ApprovalPolicy;
use serde::{Deserialize, Serialize};

/// A remembered "always" answer: the keys of what was approved
/// ([`rampart_gate::approval_prefix`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Grant {
    /// One key per part that asked.
    keys: Vec<String>,
}

/// Grants of the current terminal session.
pub(crate) struct SessionStore {
    path: Option<PathBuf>,
}

pub(crate) fn session_key() -> Option<String> {
    let sid = nix::unistd::getsid(None).ok()?.as_raw();
    let stat = std::fs::read_to_string(format!("/proc/{sid}/stat")).ok()?;
    // Field 22 (start time) counts from after the command name's `)`.
    let after = stat.rsplit_once(')')?.1;
    let start = after.split_whitespace().nth(19)?;
    Some(format!("{sid}-{start}"))
}

impl SessionStore {
    /// The store for this session under `state_dir`, if there is a session.
    pub(crate) fn open(state_dir: &Path) -> Self {
        let path = session_key().map(|k| state_dir.join("sessions").join(format!("{k}.json")));
        Self { path }
    }

    fn load(&self) -> Vec<Grant> {
        let Some(p) = &self.path else {
            return Vec::new();
        };
        std::fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    fn save(&self, grants: &[Grant]) -> Result<(), String> {
        let Some(p) = &self.path else {
            return Err("no terminal session to remember it for".into());
        };
        let dir = p.parent().ok_or("no state directory")?;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        // Drop files of sessions that are gone.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let sid = name.split('-').next().unwrap_or_default();
                if !Path::new("/proc").join(sid).exists() {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let tmp = p.with_extension(format!("tmp{}", std::process::id()));
        let text = serde_json::to_string_pretty(grants).map_err(|e| e.to_string())?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| e.to_string())?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, p).map_err(|e| e.to_string())
    }
}

fn scope(action: &Action, decision: &Decision) -> Grant {
    Grant {
        keys: rampart_gate::approval_prefix(action, decision),
    }
}

/// A one-time approval the Claude Code hook leaves when it answers `ask`
/// for a Bash command it rewrote to run under `rampart exec`: Claude Code
/// asks the human, and only if the human says yes does the command (that
/// exact argv, in that directory) run, where `exec` finds and consumes
/// the ticket instead of asking a second time. Tickets live in a 0700
/// directory under the state dir (read-only inside the sandbox), expire
/// after [`TICKET_TTL_MS`], and are claimed by an atomic rename, so each
/// is used at most once.
pub(crate) struct HookTicket {
    path: PathBuf,
}

/// How long a hook ticket stays valid.
pub(crate) const TICKET_TTL_MS: u64 = 120_000;

impl HookTicket {
    pub(crate) fn new(state_dir: &Path, action: &Action) -> Self {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        if let Action::Exec { argv, cwd } = action {
            h.update(cwd.as_os_str().as_encoded_bytes());
            for a in argv {
                h.update([0]);
                h.update(a.as_bytes());
            }
        } else {
            h.update(action.summary().as_bytes());
        }
        let key = h.finalize().iter().fold(String::new(), |mut k, b| {
            let _ = std::fmt::Write::write_fmt(&mut k, format_args!("{b:02x}"));
            k
        });
        Self {
            path: state_dir.join("tickets").join(key),
        }
    }

    /// Leaves the ticket (the hook's side).
    pub(crate) fn issue(&self) -> Result<(), String> {
        let dir = self.path.parent().ok_or("no state directory")?;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let now = rampart_audit::now_ms();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let stale = std::fs::read_to_string(e.path())
                    .ok()
                    .and_then(|t| t.trim().parse::<u64>().ok())
                    .is_none_or(|exp| exp < now);
                if stale {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(&tmp)
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
        f.write_all((now + TICKET_TTL_MS).to_string().as_bytes())
            .map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &self.path).map_err(|e| e.to_string())
    }

    /// Claims the ticket if there is a fresh one (the `exec` side).
    fn take(&self) -> bool {
        let claimed = self
            .path
            .with_extension(format!("claimed{}", std::process::id()));
        if std::fs::rename(&self.path, &claimed).is_err() {
            return false;
        }
        let fresh = std::fs::symlink_metadata(&claimed).is_ok_and(|m| {
            m.file_type().is_file()
                && std::os::unix::fs::MetadataExt::uid(&m) == nix::unistd::getuid().as_raw()
        }) && std::fs::read_to_string(&claimed)
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .is_some_and(|exp| exp >= rampart_audit::now_ms());
        let _ = std::fs::remove_file(&claimed);
        fresh
    }
}

/// Asks on `/dev/tty`. With no terminal, or with the `never` policy, the
/// answer is no, with a message saying how to get an approver.
pub(crate) struct TtyApprover {
    pub(crate) policy: ApprovalPolicy,
    pub(crate) session: SessionStore,
    pub(crate) ticket: HookTicket,
}

/// One answer read from the terminal.
enum Answer {
    Yes,
    No,
    Always,
}

fn ask_tty(question: &str, allow_always: bool) -> Result<Answer, String> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| "there is no terminal to ask on".to_owned())?;
    let mut out = tty.try_clone().map_err(|e| e.to_string())?;
    let choices = if allow_always {
        "[y]es / [n]o / [a]lways this session"
    } else {
        "[y]es / [n]o"
    };
    let _ = write!(out, "{question}\n{choices}: ");
    let _ = out.flush();
    let mut answer = String::new();
    BufReader::new(tty)
        .take(64)
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Answer::Yes,
        "a" | "always" if allow_always => Answer::Always,
        _ => Answer::No,
    })
}

impl Approver for TtyApprover {
    fn approve(&mut self, action: &Action, decision: &Decision) -> Approval {
        if self.policy == ApprovalPolicy::Never {
            return Approval::Denied(
                "approval policy `never`: nothing may ask, so this is denied".into(),
            );
        }
        let grant = scope(action, decision);
        let critical = decision.risk == Risk::Critical;
        if !critical && self.ticket.take() {
            return Approval::Approved {
                by: "claude-code prompt (hook ticket)".into(),
            };
        }
        let grants = self.session.load();
        if !critical
            && rampart_gate::grant_covers(grants.iter().flat_map(|g| g.keys.iter()), &grant.keys)
        {
            return Approval::Approved {
                by: "session".into(),
            };
        }
        // Everything in the question comes from the command or the
        // config, so it is shown escaped: an argument holding `ESC [2K`
        // or `\r` must not erase or rewrite the line the human approves.
        let mut q = format!(
            "rampart: `{}` needs approval\n  risk: {}",
            prompt_summary(action),
            decision.risk
        );
        for r in &decision.reasons {
            q.push_str("\n  - ");
            q.push_str(&crate::ui::printable(r));
        }
        if let Some(rule) = &decision.rule {
            q.push_str("\n  rule: ");
            q.push_str(&crate::ui::printable(rule));
        }
        match ask_tty(&q, !critical) {
            Ok(Answer::Yes) => Approval::Approved {
                by: "terminal".into(),
            },
            Ok(Answer::Always) => {
                let mut grants = self.session.load();
                grants.push(grant);
                if let Err(e) = self.session.save(&grants) {
                    crate::ui::warning(&format!(
                        "cannot remember the approval for this session: {e}"
                    ));
                }
                Approval::Approved {
                    by: "terminal (always this session)".into(),
                }
            }
            Ok(Answer::No) => Approval::Denied("not approved".into()),
            Err(e) => Approval::Denied(format!(
                "approval needed but {e}: run it from a terminal, or add an `allow` rule for it"
            )),
        }
    }
}

impl TtyApprover {
    /// `on-failure`: asks whether to re-run outside the sandbox. Only a
    /// human at the terminal can say yes; nothing is remembered.
    pub(crate) fn approve_rerun(action: &Action, evidence: &str) -> Approval {
        let q = format!(
            "rampart: `{}` failed inside the sandbox, apparently because the sandbox refused it ({}).\n  Re-run it OUTSIDE the sandbox, with full access?",
            prompt_summary(action),
            crate::ui::printable(evidence)
        );
        match ask_tty(&q, false) {
            Ok(Answer::Yes) => Approval::Approved {
                by: "terminal".into(),
            },
            Ok(_) => Approval::Denied("re-run outside the sandbox not approved".into()),
            Err(e) => Approval::Denied(format!(
                "re-running it outside the sandbox needs a human at a terminal, and {e}"
            )),
        }
    }
}

/// What the human is asked about: a command as a shell would read it
/// (each argument quoted where needed, so `sh -c 'a; b'` is not shown as
/// `sh -c a; b`), everything escaped that could drive the terminal.
fn prompt_summary(action: &Action) -> String {
    match action {
        Action::Exec { argv, .. } => crate::ui::printable(
            &argv
                .iter()
                .map(|a| rampart_policy::shell::quote(a))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => crate::ui::printable(&other.summary()),
    }
}

pub(crate) use rampart_sandbox::sandbox_denial;
