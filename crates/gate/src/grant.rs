//! What a yes covers. Every approver (the terminal, the daemon's queue, a
//! hook ticket) keys what it was asked on the same [`Grant`] and decides
//! whether an earlier answer covers a new ask with the same
//! [`Grant::covered_by`]; none has a rule of its own.

use serde::{Deserialize, Serialize};

use crate::{Action, Decision};

/// What an "always, for this session" answer covers: a set of keys
/// ([`approval_prefix`]). A grant (or several) covers a later ask only when
/// the granted keys include every key of that ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// One key per part that asked.
    pub keys: Vec<String>,
}

impl Grant {
    /// The grant a yes to `action` (decided as `decision`) gives.
    pub fn for_ask(action: &Action, decision: &Decision) -> Self {
        Self {
            keys: approval_prefix(action, decision),
        }
    }

    /// Whether a yes to this ask may be remembered for the session: not
    /// when a part that asked is not literal (`curl $U`: the same text
    /// can mean another command next time), whose key starts with
    /// [`ONCE`].
    pub fn sessionable(&self) -> bool {
        !self.keys.is_empty() && !self.keys.iter().any(|k| k.starts_with(ONCE))
    }

    /// Whether `granted` (every grant of the session) covers all of `self`.
    /// An ask with no key is never covered.
    pub fn covered_by<'a>(&self, granted: impl IntoIterator<Item = &'a Grant>) -> bool {
        grant_covers(granted.into_iter().flat_map(|g| g.keys.iter()), &self.keys)
    }
}

/// The keys of an ask: for a command, one per part that asked
/// ([`Decision::approvals`]: the rule, or the program and what made it
/// risky), never just the script's first command; for a file or a
/// connection, the kind of access and the exact path or host.
pub fn approval_prefix(action: &Action, decision: &Decision) -> Vec<String> {
    match action {
        Action::Exec { argv, .. } if decision.approvals.is_empty() => {
            // Nothing recorded what asked: the whole command line, exactly.
            vec![format!("exact: {}", argv.join("\u{0}"))]
        }
        Action::Exec { .. } => decision.approvals.clone(),
        Action::ReadFile { path, .. } => vec![format!("read {}", path.display())],
        Action::ListDir { path, .. } => vec![format!("list {}", path.display())],
        Action::WriteFile { path, .. } => vec![format!("write {}", path.display())],
        Action::Connect { host, port } => vec![format!("connect {host}:{port}")],
    }
}

/// Whether the keys granted so far (`granted`, every grant of the session)
/// cover all of `wanted` (an ask's [`approval_prefix`]).
pub fn grant_covers<'a>(granted: impl IntoIterator<Item = &'a String>, wanted: &[String]) -> bool {
    let granted: std::collections::BTreeSet<&String> = granted.into_iter().collect();
    !wanted.is_empty()
        && wanted
            .iter()
            .all(|w| !w.starts_with(ONCE) && granted.contains(w))
}

/// The prefix of an approval key that only a yes given for it, that once,
/// can cover (a part whose words are not known before it runs).
pub const ONCE: &str = "once: ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_covers_only_every_key_it_was_given() {
        let g = |k: &[&str]| Grant {
            keys: k.iter().map(|s| (*s).to_owned()).collect(),
        };
        let session = [g(&["a"]), g(&["b", "c"])];
        assert!(g(&["a", "c"]).covered_by(&session));
        assert!(!g(&["a", "d"]).covered_by(&session));
        assert!(
            !g(&[]).covered_by(&session),
            "an ask with no key is never covered"
        );
        // A key for a part not known before it runs is never covered, even
        // by a grant holding it, and such an ask cannot be kept.
        let once = g(&["once: curl: x"]);
        assert!(!once.sessionable() && g(&["a"]).sessionable());
        assert!(!once.covered_by(&[g(&["once: curl: x"])]));
    }
}
