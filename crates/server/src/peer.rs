//! Who is on the other end of a daemon connection, beyond its uid: the
//! process behind `SO_PEERCRED`'s pid, whether it runs inside a rampart
//! sandbox (every confined mode gives the command its own PID namespace),
//! its ancestors and its session. The daemon refuses answers (and every
//! method that acts) from a confined peer, and answers to an ask from the
//! process tree or the session that asked.
//!
//! Processes are named by pid *and* start time, so a pid reused after
//! its process exited is not mistaken for it.

use std::path::Path;

/// One process, as `/proc/<pid>/stat` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proc {
    /// Its pid (in the daemon's PID namespace).
    pub pid: i32,
    /// Its parent's pid (0 for a process whose parent is not visible).
    pub ppid: i32,
    /// Its session id.
    pub session: i32,
    /// When it started, in clock ticks since boot.
    pub start: u64,
}

/// A process named so that a reused pid does not match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcId {
    /// Its pid.
    pub pid: i32,
    /// When it started, in clock ticks since boot.
    pub start: u64,
}

impl From<Proc> for ProcId {
    fn from(p: Proc) -> Self {
        Self {
            pid: p.pid,
            start: p.start,
        }
    }
}

/// Who asked: answers from these processes, their descendants, or these
/// sessions are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskedBy {
    /// The asking process (and, for a surface asking on behalf of the
    /// agent that started it, that agent).
    pub procs: Vec<ProcId>,
    /// Their sessions.
    pub sessions: Vec<i32>,
}

/// A connected peer.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The process, when it could be read.
    pub proc: Option<Proc>,
    /// Why the peer counts as confined (inside a sandbox, or not
    /// identifiable), if it does.
    pub confined: Option<String>,
}

/// Reads `/proc/<pid>/stat` (under `proc_root`, normally `/proc`).
pub fn stat(proc_root: &Path, pid: i32) -> std::io::Result<Proc> {
    let text = std::fs::read_to_string(proc_root.join(pid.to_string()).join("stat"))?;
    parse_stat(pid, &text).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("`/proc/{pid}/stat` is not in the expected format"),
        )
    })
}

/// Parses a `stat` line; the command name can hold anything, so fields
/// are counted from its closing parenthesis, the last one on the line.
fn parse_stat(pid: i32, text: &str) -> Option<Proc> {
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Field 3 (state) is f[0]: ppid is field 4, session 6, starttime 22.
    Some(Proc {
        pid,
        ppid: f.get(1)?.parse().ok()?,
        session: f.get(3)?.parse().ok()?,
        start: f.get(19)?.parse().ok()?,
    })
}

/// Clock ticks since boot now (`/proc/uptime`, in the kernel's fixed
/// `USER_HZ` of 100 that `stat`'s start time uses).
pub fn now_ticks(proc_root: &Path) -> Option<u64> {
    let up = std::fs::read_to_string(proc_root.join("uptime")).ok()?;
    let secs = up.split_whitespace().next()?;
    let (whole, frac) = secs.split_once('.').unwrap_or((secs, "0"));
    let whole: u64 = whole.parse().ok()?;
    let frac: u64 = format!("{frac:0<2}").get(..2)?.parse().ok()?;
    Some(whole * 100 + frac)
}

/// Identifies the peer `pid` (from `SO_PEERCRED`) that connected at or
/// before `connected` (ticks since boot).
pub fn identify(proc_root: &Path, pid: Option<i32>, connected: Option<u64>) -> Peer {
    let confined = |why: String| Peer {
        proc: None,
        confined: Some(why),
    };
    let Some(pid) = pid.filter(|p| *p > 0) else {
        return confined(
            "its process is not visible from the daemon's PID namespace (an outer or foreign namespace)"
                .into(),
        );
    };
    let p = match stat(proc_root, pid) {
        Ok(p) => p,
        Err(e) => {
            return confined(format!(
                "its process (pid {pid}) could not be read ({e}); it may have exited"
            ))
        }
    };
    // A process that started after the connection did not make it: the
    // pid was reused.
    if connected.is_none_or(|c| p.start > c + 1) {
        return confined(format!(
            "pid {pid} started after the connection was made (a reused pid)"
        ));
    }
    let why = nested_pid_namespace(proc_root, pid);
    Peer {
        proc: Some(p),
        confined: why,
    }
}

/// Why `pid` is in a PID namespace other than the daemon's (every rampart
/// sandbox is), or `None` if it is in the same one.
fn nested_pid_namespace(proc_root: &Path, pid: i32) -> Option<String> {
    let status = match std::fs::read_to_string(proc_root.join(pid.to_string()).join("status")) {
        Ok(s) => s,
        Err(e) => return Some(format!("its `/proc/{pid}/status` could not be read ({e})")),
    };
    let depth = status
        .lines()
        .find_map(|l| l.strip_prefix("NSpid:"))
        .map(|v| v.split_whitespace().count());
    if depth != Some(1) {
        return Some(format!(
            "it runs in a nested PID namespace (a rampart sandbox, or a container inside the daemon's): `NSpid` has {} levels",
            depth.unwrap_or(0)
        ));
    }
    // Belt and braces: the namespace links, where they can be read.
    let ns = |p: &str| std::fs::read_link(proc_root.join(p).join("ns/pid")).ok();
    match (ns("self"), ns(&pid.to_string())) {
        (Some(a), Some(b)) if a != b => Some(format!(
            "it runs in another PID namespace (`{}`, the daemon's is `{}`)",
            b.display(),
            a.display()
        )),
        _ => None,
    }
}

/// `pid` and its ancestors, nearest first (at most 4096; a process that
/// cannot be read ends the walk).
pub fn ancestry(proc_root: &Path, pid: i32) -> Vec<Proc> {
    let mut out: Vec<Proc> = Vec::new();
    let mut next = pid;
    while next > 0 && out.len() < 4096 {
        let Ok(p) = stat(proc_root, next) else { break };
        out.push(p);
        if p.ppid == next {
            break;
        }
        next = p.ppid;
    }
    out
}

/// Why the process `answerer` (with its `ancestry`) may not answer an
/// ask made by `by`, or `None` if it may.
pub fn same_tree(by: &AskedBy, ancestry: &[Proc]) -> Option<String> {
    let me = ancestry.first()?;
    if by.sessions.contains(&me.session) {
        return Some(format!(
            "it runs in the session that asked (session {}); answer from another terminal",
            me.session
        ));
    }
    ancestry.iter().find_map(|a| {
        by.procs.contains(&ProcId::from(*a)).then(|| {
            if a.pid == me.pid {
                format!("it is the process that asked (pid {})", a.pid)
            } else {
                format!(
                    "it descends from the process that asked (pid {}); answer from another terminal",
                    a.pid
                )
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_hostile_names() {
        let line = "42 (a) b) (c) S 7 42 9 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 12345 1 1";
        assert_eq!(
            parse_stat(42, line),
            Some(Proc {
                pid: 42,
                ppid: 7,
                session: 9,
                start: 12345
            })
        );
        assert_eq!(parse_stat(1, "1 (x) S 0"), None);
        assert_eq!(parse_stat(1, "no parens"), None);
    }

    #[test]
    fn this_process_is_identified_and_unconfined() {
        let root = Path::new("/proc");
        let me = i32::try_from(std::process::id()).unwrap();
        let peer = identify(root, Some(me), now_ticks(root));
        assert_eq!(peer.confined, None, "{peer:?}");
        let p = peer.proc.unwrap();
        // A connection "made" before this process started: a reused pid.
        let early = identify(root, Some(me), Some(p.start.saturating_sub(10)));
        assert!(early.confined.unwrap().contains("reused"));
        assert!(identify(root, None, now_ticks(root)).confined.is_some());
        let chain = ancestry(root, me);
        assert_eq!(chain[0], p);
        assert!(chain.len() >= 2);
        // The asker and its descendants are refused; others are not.
        let parent = ProcId::from(chain[1]);
        let by = AskedBy {
            procs: vec![parent],
            sessions: vec![],
        };
        assert!(same_tree(&by, &chain).unwrap().contains("descends"));
        let by = AskedBy {
            procs: vec![ProcId::from(p)],
            sessions: vec![],
        };
        assert!(same_tree(&by, &chain).unwrap().contains("is the process"));
        let by = AskedBy {
            procs: vec![ProcId {
                pid: parent.pid,
                start: parent.start + 1,
            }],
            sessions: vec![p.session + 1],
        };
        assert_eq!(same_tree(&by, &chain), None);
        let by = AskedBy {
            procs: vec![],
            sessions: vec![p.session],
        };
        assert!(same_tree(&by, &chain).unwrap().contains("session"));
    }
}
