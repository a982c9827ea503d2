//! rampart's policy: the config schema and how layers combine, the
//! environment filter, and decisions. Pure: text and data in, data out; the
//! binary reads the files.
//!
//! Main types: [`Config`] (resolved from [`ConfigFile`] layers with
//! [`apply_layer`]), [`Action`], and [`decide`], which turns a config and an
//! action into a [`Decision`].
//!
//! ```
//! use rampart_policy::{decide, Action, Config, HostEnv, Verdict};
//! let cfg = Config::defaults(&HostEnv::default());
//! let action = Action::Exec { argv: vec!["ls".into()], cwd: "/w".into() };
//! assert_eq!(decide(&cfg, &action).verdict, Verdict::Allow);
//! ```
//!
//! # Security model
//!
//! Config files are privileged input. A project's `rampart.toml` comes with
//! a cloned repository, so it may only tighten the user's policy
//! ([`Layer::Project`]); every loosening key is an error that names its line.
//! Unknown keys and wrong types are errors, never ignored.
//!
//! # Limitations
//!
//! The decision here is the plain one: argv-prefix rules, then the approval
//! policy. Path and host rules are parsed and validated but not yet matched,
//! so [`decide`] denies while any is configured rather than pretend to
//! enforce them.
//!
//! # Test strategy
//!
//! Unit tests beside the code compare whole values: every config error with
//! its line and column, every tightening rule, the environment filter.
#![forbid(unsafe_code)]

mod config;
mod env;
mod file;

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

pub use config::{
    apply_layer, expand_path, has_profile, line_col, parse, AuditConfig, Config, ConfigError,
    EnvPolicy, GitWrites, HostEnv, Layer, LimitsConfig, Rule, RuleMatch, Source, WorkspaceWrite,
    DEFAULT_DENY_READ, DEFAULT_ENV_EXCLUDE,
};
pub use env::{filter_env, is_excluded, CORE_VARS};
pub use file::ConfigFile;

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
        }
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// The config spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(format!("`{s}` is not one of {}", [$($text),+].join(", "))),
                }
            }
        }
    };
}

word_enum!(
    /// How much a command may touch.
    SandboxMode {
        /// No write reaches the host.
        ReadOnly = "read-only",
        /// Writes in the workspace and writable roots only.
        WorkspaceWrite = "workspace-write",
        /// No sandbox.
        DangerFullAccess = "danger-full-access",
    }
);

word_enum!(
    /// When a human is asked.
    ApprovalPolicy {
        /// Only known read-only commands run without asking.
        Untrusted = "untrusted",
        /// Asks for what the sandbox would not grant, or high risk.
        OnRequest = "on-request",
        /// Asks to re-run outside the sandbox after a sandbox denial.
        OnFailure = "on-failure",
        /// Never asks: what would ask is denied.
        Never = "never",
    }
);

word_enum!(
    /// Which environment variables start out inherited.
    Inherit {
        /// All of them.
        All = "all",
        /// A small core set (PATH, HOME, USER, locale, terminal, temp dirs).
        Core = "core",
        /// None.
        None = "none",
    }
);

word_enum!(
    /// A decision's verdict.
    Verdict {
        /// Run it.
        Allow = "allow",
        /// Ask a human first.
        Ask = "ask",
        /// Refuse.
        Deny = "deny",
    }
);

word_enum!(
    /// How much harm an action could do.
    Risk {
        /// Read-only inspection.
        Low = "low",
        /// Builds, tests, workspace changes.
        Medium = "medium",
        /// Network, publishing, changes outside the workspace.
        High = "high",
        /// Destructive or escalating.
        Critical = "critical",
    }
);

/// Something an agent asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run a program.
    Exec {
        /// argv, program first.
        argv: Vec<String>,
        /// Working directory.
        cwd: PathBuf,
    },
}

impl Action {
    /// A short, human description (not redacted: callers redact).
    pub fn summary(&self) -> String {
        match self {
            Self::Exec { argv, .. } => argv.join(" "),
        }
    }
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// allow / ask / deny.
    pub verdict: Verdict,
    /// low .. critical.
    pub risk: Risk,
    /// Why, for humans.
    pub reasons: Vec<String>,
    /// The rule that decided, as `file:line`.
    pub rule: Option<String>,
}

fn command_matches(pattern: &[String], argv: &[String]) -> bool {
    pattern.len() <= argv.len()
        && pattern.iter().zip(argv).enumerate().all(|(i, (p, a))| {
            if p == "*" {
                true
            } else if i == 0 {
                // The program matches by name whatever its directory.
                p == a || a.rsplit('/').next() == Some(p.as_str())
            } else {
                p == a
            }
        })
}

/// Decides `action` under `cfg`: deny rules first, then the first matching
/// allow or ask rule, then the approval policy. Pure and allocation-light.
pub fn decide(cfg: &Config, action: &Action) -> Decision {
    let Action::Exec { argv, .. } = action;
    let command_rules = || {
        cfg.rules
            .iter()
            .filter(|r| matches!(&r.matcher, RuleMatch::Command(p) if command_matches(p, argv)))
    };
    if let Some(r) = command_rules().find(|r| r.decision == Verdict::Deny) {
        return Decision {
            verdict: Verdict::Deny,
            risk: Risk::High,
            reasons: vec![r.reason.clone()],
            rule: Some(r.origin.clone()),
        };
    }
    if let Some(r) = cfg
        .rules
        .iter()
        .find(|r| !matches!(r.matcher, RuleMatch::Command(_)) && r.decision != Verdict::Allow)
    {
        return Decision {
            verdict: Verdict::Deny,
            risk: Risk::High,
            reasons: vec![format!(
                "the path/host rule at {} cannot be enforced by this version of rampart, so nothing runs while it is configured",
                r.origin
            )],
            rule: Some(r.origin.clone()),
        };
    }
    if let Some(r) = command_rules().next() {
        return Decision {
            verdict: r.decision,
            risk: Risk::Medium,
            reasons: vec![r.reason.clone()],
            rule: Some(r.origin.clone()),
        };
    }
    let (verdict, reason) = match (cfg.approval_policy, cfg.sandbox_mode) {
        (ApprovalPolicy::Untrusted, _) => (
            Verdict::Ask,
            "approval policy `untrusted`: commands not known to be read-only ask first",
        ),
        (_, SandboxMode::DangerFullAccess) => {
            (Verdict::Allow, "danger-full-access: runs without a sandbox")
        }
        _ => (Verdict::Allow, "runs inside the sandbox"),
    };
    Decision {
        verdict,
        risk: Risk::Medium,
        reasons: vec![reason.to_owned()],
        rule: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg_with(rules: Vec<(RuleMatch, Verdict)>) -> Config {
        let mut cfg = Config::defaults(&HostEnv::default());
        cfg.rules = rules
            .into_iter()
            .enumerate()
            .map(|(i, (matcher, decision))| Rule {
                matcher,
                decision,
                reason: format!("r{i}"),
                origin: format!("f:{i}"),
            })
            .collect();
        cfg
    }

    fn exec(argv: &[&str]) -> Action {
        Action::Exec {
            argv: argv.iter().map(|s| (*s).to_owned()).collect(),
            cwd: "/w".into(),
        }
    }

    fn cmd(p: &[&str]) -> RuleMatch {
        RuleMatch::Command(p.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn deny_wins_over_an_earlier_allow() {
        let cfg = cfg_with(vec![
            (cmd(&["git"]), Verdict::Allow),
            (cmd(&["git", "push"]), Verdict::Deny),
        ]);
        let d = decide(&cfg, &exec(&["/usr/bin/git", "push", "origin"]));
        assert_eq!((d.verdict, d.rule.as_deref()), (Verdict::Deny, Some("f:1")));
    }

    #[test]
    fn first_allow_or_ask_wins_and_wildcards_match_one_token() {
        let cfg = cfg_with(vec![
            (cmd(&["git", "*", "main"]), Verdict::Ask),
            (cmd(&["git"]), Verdict::Allow),
        ]);
        assert_eq!(
            decide(&cfg, &exec(&["git", "push", "main"])).verdict,
            Verdict::Ask
        );
        assert_eq!(
            decide(&cfg, &exec(&["git", "status"])).verdict,
            Verdict::Allow
        );
    }

    #[test]
    fn untrusted_asks_by_default() {
        let mut cfg = cfg_with(vec![]);
        cfg.approval_policy = ApprovalPolicy::Untrusted;
        assert_eq!(decide(&cfg, &exec(&["ls"])).verdict, Verdict::Ask);
    }

    #[test]
    fn unenforceable_path_rule_denies_rather_than_pretends() {
        let cfg = cfg_with(vec![(
            RuleMatch::Path {
                glob: "**/.env*".into(),
                access: vec!["read".into()],
            },
            Verdict::Deny,
        )]);
        assert_eq!(decide(&cfg, &exec(&["cat", ".env"])).verdict, Verdict::Deny);
    }

    #[test]
    fn words_round_trip() {
        for m in SandboxMode::ALL {
            assert_eq!(m.as_str().parse::<SandboxMode>(), Ok(*m));
        }
        assert!("full".parse::<SandboxMode>().is_err());
    }
}
