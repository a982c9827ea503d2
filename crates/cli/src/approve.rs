//! Turning `ask` into an answer: a prompt on the controlling terminal
//! (never on stdin, which belongs to the command), with answers yes, no
//! and always-for-this-session.
//!
//! "Always" is remembered in a 0600 file under the state directory, keyed
//! by the terminal session (its session id and the session leader's start
//! time, so a recycled id does not inherit it), scoped to the rule that
//! asked or else to the command's first two words. It never approves a
//! critical action, and never a run outside the sandbox.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rampart_gate::{Action, Approval, Approver, Decision, Risk};
use rampart_policy::ApprovalPolicy;
use serde::{Deserialize, Serialize};

/// A remembered "always" answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Grant {
    /// The rule that asked (`file:line` or `built-in: …`), if any.
    rule: Option<String>,
    /// Otherwise the command's first words.
    prefix: Vec<String>,
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
    let Action::Exec { argv, .. } = action;
    let first = decision.commands.first().unwrap_or(argv);
    Grant {
        rule: decision.rule.clone(),
        prefix: if decision.rule.is_some() {
            Vec::new()
        } else {
            first.iter().take(2).cloned().collect()
        },
    }
}

/// Asks on `/dev/tty`. With no terminal, or with the `never` policy, the
/// answer is no, with a message saying how to get an approver.
pub(crate) struct TtyApprover {
    pub(crate) policy: ApprovalPolicy,
    pub(crate) session: SessionStore,
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
        if !critical && self.session.load().contains(&grant) {
            return Approval::Approved {
                by: "session".into(),
            };
        }
        let mut q = format!(
            "rampart: `{}` needs approval\n  risk: {}",
            action.summary(),
            decision.risk
        );
        for r in &decision.reasons {
            q.push_str("\n  - ");
            q.push_str(r);
        }
        if let Some(rule) = &decision.rule {
            q.push_str("\n  rule: ");
            q.push_str(rule);
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
            "rampart: `{}` failed inside the sandbox, apparently because the sandbox refused it ({evidence}).\n  Re-run it OUTSIDE the sandbox, with full access?",
            action.summary()
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

/// Signs that a failure came from the sandbox rather than the program:
/// what the kernel reports for a Landlock or seccomp refusal, a read-only
/// mount, or a network that is not there.
const DENIAL_SIGNATURES: &[(&str, &str)] = &[
    ("Read-only file system", "a write was refused (read-only)"),
    ("Permission denied", "a file access was refused"),
    ("Operation not permitted", "a system call was refused"),
    ("EACCES", "a file access was refused"),
    ("EROFS", "a write was refused (read-only)"),
    ("EPERM", "a system call was refused"),
    ("Could not resolve host", "the network is off"),
    ("Temporary failure in name resolution", "the network is off"),
    ("Name or service not known", "the network is off"),
    ("Network is unreachable", "the network is off"),
    ("getaddrinfo", "the network is off"),
    ("ENOTFOUND", "the network is off"),
    ("EAI_AGAIN", "the network is off"),
    ("Address family not supported", "the network is off"),
    ("Failed to connect", "the network is off"),
];

/// Why a failed run looks like a sandbox denial, if it does.
pub(crate) fn sandbox_denial(stderr_tail: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(stderr_tail);
    DENIAL_SIGNATURES
        .iter()
        .find(|(sig, _)| text.contains(sig))
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denial_signatures() {
        assert_eq!(
            sandbox_denial(b"sh: 1: cannot create /etc/x: Read-only file system"),
            Some("a write was refused (read-only)")
        );
        assert_eq!(
            sandbox_denial(b"curl: (6) Could not resolve host: example.com"),
            Some("the network is off")
        );
        assert_eq!(sandbox_denial(b"test failed: assertion"), None);
    }
}
