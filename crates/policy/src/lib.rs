//! rampart's policy: the config schema and how layers combine, the
//! environment filter, and decisions. Pure: text and data in, data out; the
//! binary reads the files.
//!
//! Main types: [`Config`] (resolved from [`ConfigFile`] layers with
//! [`apply_layer`]), [`Action`], and [`decide`], which turns a config and an
//! action into a [`Decision`]. [`ProtectedSet`] is the one list of paths
//! no surface may write (agent-config files, git internals, rc files,
//! rampart's own config and state).
//! action into a [`Decision`]. Patterns are compiled at load into
//! [`PathGlob`], [`EnvPattern`] and [`HostPattern`] (one glob engine,
//! linear-time matching); every URL is read by
//! [`rampart_guard::host::destination`] (the WHATWG parser, then one normal
//! spelling of the host).
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
//! Decisions see what an action names: the paths a command line mentions,
//! a file tool's path, a fetch's host. A path the command computes at run
//! time, or a symlink's target, is the enforcer's business (the sandbox, or
//! the file tools' `openat2` and re-check of the real path).
//!
//! # Test strategy
//!
//! Unit tests beside the code compare whole values: every config error with
//! its line and column, every tightening rule, the environment filter.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

mod config;
mod decide;
mod env;
mod file;
mod glob;
mod host;
pub mod inline;
mod knowledge;
mod protect;
pub mod risk;
pub mod shell;
mod tool;

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

pub use config::{
    apply_layer, expand_path, has_profile, line_col, parse, AuditConfig, Config, ConfigError,
    DetectAllowance, DetectConfig, DetectRule, DetectUse, EnvPolicy, GitWrites, HostEnv, Layer,
    LimitsConfig, Rule, RuleMatch, Source, WorkspaceWrite, DEFAULT_DENY_READ,
    DEFAULT_DENY_READ_IF_PRESENT, DEFAULT_ENV_EXCLUDE,
};
pub use config::{apply_overrides, closest, toml_key, Override, OverrideError};
pub use config::{AgentsConfig, PathAccess, UnknownTool};
pub use decide::{decide, never_asks, Decision, BUILTIN_RULES};
pub use env::{filter_env, holds_url_password, is_excluded, CORE_VARS};
pub use file::ConfigFile;
pub use glob::{EnvPattern, PathGlob, PatternError};
pub use host::HostPattern;
pub use protect::{
    check_protect_entry, check_unprotect_entry, BuiltinProtect, ProtectConfig, ProtectEntry,
    ProtectOrigin, ProtectedSet, Protection, BUILTIN_PROTECTED,
};
/// The one lexical path normaliser, from the guard (kept here: the policy's
/// own analysis and every surface's `Action` paths use it).
pub use rampart_guard::path::lexical_path;
pub use tool::{tool_rule, ToolPattern};

/// A word of the config or command line that is not one of the spellings
/// it may take (`sandbox_mode = "readonly"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not one of {}", expected.join(", "))]
pub struct UnknownWord {
    /// The word as given.
    pub given: String,
    /// The spellings it may take.
    pub expected: &'static [&'static str],
}

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
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
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, UnknownWord> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(UnknownWord { given: s.to_owned(), expected: &[$($text),+] }),
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
    /// Read a file's contents (or search in it).
    ReadFile {
        /// Absolute, lexically normal ([`lexical_path`]).
        path: PathBuf,
        /// The workspace the surface confines to.
        workspace: PathBuf,
    },
    /// Create or replace a file.
    WriteFile {
        /// Absolute, lexically normal ([`lexical_path`]).
        path: PathBuf,
        /// The workspace the surface confines to.
        workspace: PathBuf,
        /// How many bytes would be written.
        bytes: u64,
    },
    /// List a directory (or match names under it).
    ListDir {
        /// Absolute, lexically normal ([`lexical_path`]).
        path: PathBuf,
        /// The workspace the surface confines to.
        workspace: PathBuf,
    },
    /// Open a network connection (an agent's web fetch).
    Connect {
        /// Host name or address, lowercase.
        host: String,
        /// Port.
        port: u16,
    },
}

impl Action {
    /// A short, human description (not redacted: callers redact).
    pub fn summary(&self) -> String {
        match self {
            Self::Exec { argv, .. } => argv.join(" "),
            Self::ReadFile { path, .. } => format!("read {}", path.display()),
            Self::WriteFile { path, bytes, .. } => {
                format!("write {} ({bytes} bytes)", path.display())
            }
            Self::ListDir { path, .. } => format!("list {}", path.display()),
            Self::Connect { host, port } => format!("connect {host}:{port}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for m in SandboxMode::ALL {
            assert_eq!(m.as_str().parse::<SandboxMode>(), Ok(*m));
        }
        assert!("full".parse::<SandboxMode>().is_err());
        assert!(Risk::Low < Risk::Critical && Verdict::Allow < Verdict::Deny);
    }
}
