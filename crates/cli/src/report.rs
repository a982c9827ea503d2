//! The one reporter: an error that reaches `main` is printed once, as
//! `error: …` with its causes joined by `: ` (anyhow's `{:#}`, without
//! repeating a cause the message already quotes), followed by
//! a `hint:` when some layer attached one, and mapped to the exit table
//! (`docs/DESIGN.md`): 125 for `exec` and `sandbox-run` (rampart's own error), 2
//! for the other commands (usage or config error), unless a layer named
//! another status. A reader that went away (a broken pipe anywhere in the
//! chain) ends rampart quietly with success, as `head` wanted.

use std::fmt;

use crate::exit::Exit;
use crate::ui;

/// An error with what the user can do about it, and optionally the exit
/// status it stands for. Transparent in the chain: it shows as the error
/// it wraps, so `{:#}` reads the same with or without it.
pub(crate) struct Fail {
    error: anyhow::Error,
    hint: Option<String>,
    exit: Option<Exit>,
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The wrapped error's own message; its causes come through `source`.
        fmt::Display::fmt(&self.error, f)
    }
}

impl fmt::Debug for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.error, f)
    }
}

impl std::error::Error for Fail {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

/// Attaching a hint or an exit status to an error on its way to `main`.
pub(crate) trait FailExt<T> {
    /// The error, with `hint` printed after it as `hint: …`.
    fn hint(self, hint: impl Into<String>) -> anyhow::Result<T>;
    /// The error, exiting with `exit` rather than the command's default.
    fn exit(self, exit: Exit) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> FailExt<T> for Result<T, E> {
    fn hint(self, hint: impl Into<String>) -> anyhow::Result<T> {
        self.map_err(|e| with_hint(e, hint))
    }
    fn exit(self, exit: Exit) -> anyhow::Result<T> {
        self.map_err(|e| {
            anyhow::Error::new(Fail {
                error: e.into(),
                hint: None,
                exit: Some(exit),
            })
        })
    }
}

/// `error`, with `hint` printed after it.
pub(crate) fn with_hint(error: impl Into<anyhow::Error>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Fail {
        error: error.into(),
        hint: Some(hint.into()),
        exit: None,
    })
}

/// Prints `e` once and gives the exit status: the one a layer attached,
/// else `default` (the command's "rampart's own error" status).
pub(crate) fn report(e: &anyhow::Error, default: Exit) -> Exit {
    if broken_pipe(e) {
        return Exit::Ok;
    }
    ui::error(&message(e));
    let fails = || e.chain().filter_map(|c| c.downcast_ref::<Fail>());
    if let Some(h) = fails().find_map(|f| f.hint.as_deref()) {
        ui::hint(h);
    }
    fails().find_map(|f| f.exit).unwrap_or(default)
}

/// `{e:#}`, except that a cause whose text the message already holds is
/// not repeated: many library errors name their source in their own
/// message (``cannot read `x`: permission denied``) and also expose it as
/// their `source`.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    fn missing() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")
    }

    #[test]
    fn a_hint_is_transparent_in_the_chain() {
        let e: anyhow::Error = Err::<(), _>(missing())
            .context("cannot read `x`")
            .hint("pass another file")
            .context("loading")
            .unwrap_err();
        assert_eq!(format!("{e:#}"), "loading: cannot read `x`: no such file");
        let hint = e
            .chain()
            .find_map(|c| c.downcast_ref::<Fail>())
            .and_then(|f| f.hint.clone());
        assert_eq!(hint.as_deref(), Some("pass another file"));
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        #[derive(Debug, thiserror::Error)]
        #[error("cannot read `x`: {source}")]
        struct Read {
            source: std::io::Error,
        }
        let e = anyhow::Error::new(Read { source: missing() }).context("loading");
        assert_eq!(message(&e), "loading: cannot read `x`: no such file");
        assert_eq!(
            format!("{e:#}"),
            "loading: cannot read `x`: no such file: no such file"
        );
    }

    #[test]
    fn the_exit_a_layer_names_wins_over_the_default() {
        let e = Err::<(), _>(missing()).exit(Exit::Problems).unwrap_err();
        assert_eq!(report(&e, Exit::Usage), Exit::Problems);
        let e = anyhow::Error::new(missing());
        assert_eq!(report(&e, Exit::Internal), Exit::Internal);
    }

    #[test]
    fn a_broken_pipe_anywhere_is_a_quiet_success() {
        let e = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("cannot write stdout");
        assert_eq!(report(&e, Exit::Usage), Exit::Ok);
    }
}
