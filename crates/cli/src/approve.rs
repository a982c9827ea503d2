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

use anyhow::Context as _;
use rampart_gate::{Action, Approval, Approver, Decision, Grant, Risk};
use rampart_policy::ApprovalPolicy;
pub(crate) use rampart_server::approval::{session_key, HookTicket, SessionStore};

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

fn ask_tty(question: &str, allow_always: bool) -> anyhow::Result<Answer> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| anyhow::anyhow!("there is no terminal to ask on"))?;
    let mut out = tty.try_clone()?;
    let choices = if allow_always {
        "[y]es / [n]o / [a]lways this session"
    } else {
        "[y]es / [n]o"
    };
    let _ = write!(out, "{question}\n{choices}: ");
    let _ = out.flush();
    let mut reader = BufReader::new(tty);
    // An answer it does not know is asked again (a typo must not become a
    // silent no, nor a yes); an empty line, the end of input or a third
    // unknown answer is no.
    for _ in 0..3 {
        let mut answer = String::new();
        let n = reader
            .by_ref()
            .take(64)
            .read_line(&mut answer)
            .context("cannot read the answer from the terminal")?;
        match answer.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Ok(Answer::Yes),
            "a" | "always" if allow_always => return Ok(Answer::Always),
            "n" | "no" | "" => return Ok(Answer::No),
            _ if n == 0 => return Ok(Answer::No),
            other => {
                let _ = write!(
                    out,
                    "`{}` is not an answer; {choices}: ",
                    crate::ui::printable(other)
                );
                let _ = out.flush();
            }
        }
    }
    Ok(Answer::No)
}

impl Approver for TtyApprover {
    fn approve(&mut self, action: &Action, decision: &Decision) -> Approval {
        if let Some(why) = rampart_policy::never_asks(self.policy, rampart_policy::Verdict::Ask) {
            return Approval::Denied(why.into());
        }
        let grant = Grant::for_ask(action, decision);
        let critical = decision.risk == Risk::Critical;
        if !critical && self.ticket.take() {
            return Approval::Approved {
                by: "claude-code prompt (hook ticket)".into(),
            };
        }
        if !critical && self.session.covers(&grant) {
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
        match ask_tty(&q, !critical && grant.sessionable()) {
            Ok(Answer::Yes) => Approval::Approved {
                by: "terminal".into(),
            },
            Ok(Answer::Always) => {
                if let Err(e) = self.session.remember(grant) {
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
                "approval needed but {e:#}: run it from a terminal, or add an `allow` rule for it"
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
                "re-running it outside the sandbox needs a human at a terminal, and {e:#}"
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
