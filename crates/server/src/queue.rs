//! The approval queue: asks from every surface wait here until a human
//! answers (`rampart approvals approve ID` / `deny ID`), the ask times out
//! (a deny), or the daemon shuts down (a deny).

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rampart_gate::Approval;
use serde::Serialize;

use crate::peer::AskedBy;
use crate::rpc::AskParams;

/// A pending ask, as `approvals.list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Pending {
    /// Its id.
    pub id: u64,
    /// What would happen.
    pub summary: String,
    /// Risk.
    pub risk: rampart_policy::Risk,
    /// Why it asks.
    pub reasons: Vec<String>,
    /// The rule that asked.
    pub rule: Option<String>,
    /// Which door.
    pub surface: String,
    /// The asker's session.
    pub session: Option<String>,
    /// Seconds it has waited.
    pub waited_secs: u64,
    /// Seconds left before it is denied.
    pub expires_in_secs: u64,
    #[serde(skip)]
    prefix: Vec<String>,
    #[serde(skip)]
    asked: Instant,
    #[serde(skip)]
    asked_by: AskedBy,
}

/// A yes "for this session": [`rampart_gate::Grant`] (the one rule of
/// what it covers), for one asker session.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SessionGrant {
    session: String,
    grant: rampart_gate::Grant,
}

#[derive(Debug, Default)]
struct State {
    next: u64,
    pending: BTreeMap<u64, Pending>,
    answers: BTreeMap<u64, Approval>,
    grants: Vec<SessionGrant>,
    closed: bool,
}

/// The queue.
#[derive(Debug)]
pub struct Queue {
    state: Mutex<State>,
    changed: Condvar,
    timeout: Duration,
}

/// Why an answer was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no pending ask with id {0}; `rampart approvals list` shows the pending ones")]
pub struct NoSuchAsk(pub u64);

impl Queue {
    /// A queue whose asks wait at most `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                next: 1,
                ..State::default()
            }),
            changed: Condvar::new(),
            timeout,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `ask` and waits for its answer (blocking).
    pub fn ask(&self, ask: AskParams) -> Approval {
        self.ask_as(ask, AskedBy::default())
    }

    /// Who asked `id`, while it is pending: they may not answer it.
    pub fn asked_by(&self, id: u64) -> Result<AskedBy, NoSuchAsk> {
        self.lock()
            .pending
            .get(&id)
            .map(|p| p.asked_by.clone())
            .ok_or(NoSuchAsk(id))
    }

    /// [`Queue::ask`], remembering who asked.
    pub fn ask_as(&self, mut ask: AskParams, asked_by: AskedBy) -> Approval {
        // An ask that names only the rule that asked is keyed on that rule
        // (the key the policy gives a rule); one with neither keys nor a
        // rule is never covered by an earlier answer.
        if ask.prefix.is_empty() {
            if let Some(rule) = &ask.rule {
                ask.prefix = vec![format!("rule: {rule}")];
            }
        }
        let mut st = self.lock();
        if st.closed {
            return Approval::Denied("the approval daemon is shutting down".into());
        }
        if ask.risk != rampart_policy::Risk::Critical {
            if let Some(session) = &ask.session {
                // Every key of this ask must have been granted: a script
                // that adds a new risky command asks again.
                let wanted = rampart_gate::Grant {
                    keys: ask.prefix.clone(),
                };
                let covered = wanted.covered_by(
                    st.grants
                        .iter()
                        .filter(|g| &g.session == session)
                        .map(|g| &g.grant),
                );
                if covered {
                    return Approval::Approved {
                        by: "approvals queue (earlier answer for this session)".into(),
                    };
                }
            }
        }
        let id = st.next;
        st.next += 1;
        let asked = Instant::now();
        st.pending.insert(
            id,
            Pending {
                id,
                summary: ask.summary,
                risk: ask.risk,
                reasons: ask.reasons,
                rule: ask.rule,
                surface: ask.surface,
                session: ask.session,
                waited_secs: 0,
                expires_in_secs: self.timeout.as_secs(),
                prefix: ask.prefix,
                asked,
                asked_by,
            },
        );
        self.changed.notify_all();
        loop {
            if let Some(a) = st.answers.remove(&id) {
                return a;
            }
            let left = self.timeout.saturating_sub(asked.elapsed());
            if left.is_zero() || st.closed {
                st.pending.remove(&id);
                return Approval::Denied(if st.closed {
                    "the approval daemon shut down before anyone answered".into()
                } else {
                    format!(
                        "nobody answered within {}s (`[agents] approval_timeout_secs`), so it is denied",
                        self.timeout.as_secs()
                    )
                });
            }
            st = self
                .changed
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// How many asks are waiting.
    pub fn pending(&self) -> usize {
        self.lock().pending.len()
    }

    /// The pending asks, oldest first.
    pub fn list(&self) -> Vec<Pending> {
        let st = self.lock();
        st.pending
            .values()
            .map(|p| {
                let mut p = p.clone();
                p.waited_secs = p.asked.elapsed().as_secs();
                p.expires_in_secs = self.timeout.saturating_sub(p.asked.elapsed()).as_secs();
                p
            })
            .collect()
    }

    /// Answers ask `id`; `by` says who, for the record. Returns the ask.
    pub fn answer(
        &self,
        id: u64,
        approve: bool,
        for_session: bool,
        by: &str,
    ) -> Result<Pending, NoSuchAsk> {
        let mut st = self.lock();
        let p = st.pending.remove(&id).ok_or(NoSuchAsk(id))?;
        let grant = rampart_gate::Grant {
            keys: p.prefix.clone(),
        };
        // A part not known before it runs is approved this once, whatever
        // was asked for: the same text may be another command next time.
        let for_session = for_session && grant.sessionable();
        if approve && for_session && p.risk != rampart_policy::Risk::Critical {
            if let Some(session) = &p.session {
                st.grants.push(SessionGrant {
                    session: session.clone(),
                    grant,
                });
            }
        }
        let a = if approve {
            Approval::Approved {
                by: if for_session {
                    format!("{by} (for this session)")
                } else {
                    by.to_owned()
                },
            }
        } else {
            Approval::Denied(format!("denied by {by}"))
        };
        st.answers.insert(id, a);
        self.changed.notify_all();
        Ok(p)
    }

    /// Denies everything pending and refuses new asks.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ask(session: &str) -> AskParams {
        AskParams {
            summary: "git push".into(),
            risk: rampart_policy::Risk::High,
            reasons: vec!["code leaves the machine".into()],
            rule: Some("built-in".into()),
            prefix: vec!["rule: built-in".into()],
            surface: "mcp".into(),
            session: Some(session.into()),
        }
    }

    fn wait_pending(q: &Queue) -> u64 {
        for _ in 0..500 {
            if let Some(p) = q.list().first() {
                return p.id;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("nothing queued");
    }

    #[test]
    fn answered_timed_out_session_and_closed() {
        let q = Arc::new(Queue::new(Duration::from_secs(10)));
        let q2 = Arc::clone(&q);
        let t = std::thread::spawn(move || q2.ask(ask("s1")));
        let id = wait_pending(&q);
        assert_eq!(
            q.answer(id + 100, true, false, "x").map(|p| p.id),
            Err(NoSuchAsk(id + 100))
        );
        q.answer(id, true, true, "uid 1000").unwrap();
        assert!(
            matches!(t.join().unwrap(), Approval::Approved { by } if by.contains("for this session"))
        );
        // Same session, same rule: no second ask. Another session: asks.
        assert!(matches!(q.ask(ask("s1")), Approval::Approved { .. }));
        let short = Queue::new(Duration::from_millis(50));
        assert!(
            matches!(short.ask(ask("s2")), Approval::Denied(w) if w.contains("nobody answered"))
        );
        assert!(short.list().is_empty());
        let q2 = Arc::clone(&q);
        let t = std::thread::spawn(move || q2.ask(ask("s3")));
        wait_pending(&q);
        q.close();
        assert!(matches!(t.join().unwrap(), Approval::Denied(w) if w.contains("shut down")));
    }

    #[test]
    fn a_session_grant_covers_only_what_was_approved() {
        let q = Arc::new(Queue::new(Duration::from_millis(200)));
        let with = |keys: &[&str]| AskParams {
            prefix: keys.iter().map(|k| (*k).to_owned()).collect(),
            ..ask("s1")
        };
        let q2 = Arc::clone(&q);
        let first = with(&["git: `git push`", "curl: `curl` is a network client"]);
        let t = std::thread::spawn(move || q2.ask(first));
        let id = wait_pending(&q);
        q.answer(id, true, true, "uid 1000").unwrap();
        assert!(matches!(t.join().unwrap(), Approval::Approved { .. }));
        // The same risky commands again, or fewer: covered.
        assert!(matches!(
            q.ask(with(&["curl: `curl` is a network client"])),
            Approval::Approved { .. }
        ));
        // A script whose first command was approved but that adds a new
        // risky one asks again (here: nobody answers, so it is denied).
        assert!(
            matches!(
                q.ask(with(&["git: `git push`", "rm: deletes `/home/u/x`"])),
                Approval::Denied(_)
            ),
            "gate bypassed: a session grant covered a risky command nobody approved"
        );
        assert!(matches!(q.ask(with(&[])), Approval::Denied(_)));
    }
}
