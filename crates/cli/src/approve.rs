//! Turning `ask` into an answer on the terminal.

use std::io::{BufRead, BufReader, Write};

use rampart_gate::{Action, Approval, Approver, Decision};
use rampart_policy::ApprovalPolicy;

/// Asks on the controlling terminal (`/dev/tty`), never on stdin, which
/// belongs to the command. With no terminal, or with the `never` policy,
/// the answer is no.
pub(crate) struct TtyApprover {
    pub(crate) policy: ApprovalPolicy,
}

impl Approver for TtyApprover {
    fn approve(&mut self, action: &Action, decision: &Decision) -> Approval {
        if self.policy == ApprovalPolicy::Never {
            return Approval::Denied(
                "approval policy `never`: nothing may ask, so this is denied".into(),
            );
        }
        let Ok(tty) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
        else {
            return Approval::Denied(
                "approval needed but no terminal to ask on; run it interactively, or add an `allow` rule for it".into(),
            );
        };
        let Ok(mut out) = tty.try_clone() else {
            return Approval::Denied("cannot open the terminal to ask".into());
        };
        let reasons = decision.reasons.join("; ");
        let _ = write!(
            out,
            "rampart: allow `{}`? ({reasons}) [y/N] ",
            action.summary()
        );
        let _ = out.flush();
        let mut answer = String::new();
        if BufReader::new(tty).take(64).read_line(&mut answer).is_err() {
            return Approval::Denied("no answer".into());
        }
        match answer.trim() {
            "y" | "Y" | "yes" => Approval::Approved,
            _ => Approval::Denied("not approved".into()),
        }
    }
}

use std::io::Read as _;
