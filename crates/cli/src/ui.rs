//! Messages on stderr: `error:`, `warning:`, `hint:`, coloured only on a
//! terminal and never with NO_COLOR or TERM=dumb.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use rampart_policy::ConfigError;

use crate::args::ColorChoice;
use crate::env;

static COLOR: AtomicBool = AtomicBool::new(false);
static QUIET: AtomicU8 = AtomicU8::new(0);

pub(crate) fn init(choice: ColorChoice, quiet: bool) {
    let auto = std::io::stderr().is_terminal()
        && std::env::var_os(env::NO_COLOR).is_none_or(|v| v.is_empty())
        && std::env::var_os(env::TERM).is_none_or(|t| t != "dumb");
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => auto,
    };
    COLOR.store(on, Ordering::Relaxed);
    QUIET.store(u8::from(quiet), Ordering::Relaxed);
}

/// Whether messages on stderr are coloured (as `--color` decided).
pub(crate) fn colour_on_stderr() -> bool {
    COLOR.load(Ordering::Relaxed)
}

fn paint(code: &str, text: &str) -> String {
    if COLOR.load(Ordering::Relaxed) {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn line(s: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{s}");
}

/// Writes data to stdout, the one place that does. A reader that went away
/// (`rampart scan --list-rules | head -1`) ends rampart quietly with
/// success, as `head` wanted; any other write error is reported on stderr.
pub(crate) fn out_text(s: &str) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|()| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        error(&format!("cannot write stdout: {e}"));
        std::process::exit(i32::from(crate::exit::Exit::Usage.code()));
    }
}

/// A status line on stderr, without a prefix (`rampart: serving on …`).
pub(crate) fn plain(msg: &str) {
    line(msg);
}

/// `println!` for data on stdout, through [`out_text`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::ui::out_text(&format!("{}\n", format_args!($($arg)*)))
    };
}
/// `print!` for data on stdout, through [`out_text`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::ui::out_text(&format!($($arg)*))
    };
}
pub(crate) use {out, outln};

pub(crate) fn error(msg: &str) {
    line(&format!(
        "{} {}",
        paint("1;31", "error:"),
        printable_lines(msg)
    ));
}

pub(crate) fn warning(msg: &str) {
    if QUIET.load(Ordering::Relaxed) == 0 {
        line(&format!(
            "{} {}",
            paint("1;33", "warning:"),
            printable_lines(msg)
        ));
    }
}

pub(crate) fn hint(msg: &str) {
    line(&format!(
        "{} {}",
        paint("1;36", "hint:"),
        printable_lines(msg)
    ));
}

pub(crate) fn info(msg: &str) {
    if QUIET.load(Ordering::Relaxed) == 0 {
        line(&printable_lines(msg));
    }
}

pub(crate) fn ok_word(ok: bool) -> String {
    if ok {
        paint("32", "ok")
    } else {
        paint("1;31", "MISSING")
    }
}

pub(crate) fn config_errors(errors: &[ConfigError]) {
    for e in errors {
        error(&e.to_string());
        if let Some(h) = &e.hint {
            hint(h);
        }
    }
}

/// `text` safe to print on a terminal: control characters (newlines,
/// carriage returns, escape sequences) and the Unicode controls that
/// reorder or hide text (bidi overrides, zero-width marks) are shown as
/// `\u{…}` escapes, so text from another process (an ask's summary) cannot
/// move the cursor, erase lines or fake a listing.
pub(crate) fn printable(text: &str) -> String {
    escape_hidden(text, false)
}

/// Like [`printable`], but newlines stay (a message of several lines of
/// rampart's own). Every message on stderr goes through this.
pub(crate) fn printable_lines(text: &str) -> String {
    escape_hidden(text, true)
}

fn escape_hidden(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden(c) && !(keep_newlines && c == '\n') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that move the cursor, reorder text or show as nothing:
/// controls (C0, DEL, C1) and the invisible format, separator and filler
/// code points (the same class output masking strips, see
/// [`rampart_detect::is_invisible`]).
fn hidden(c: char) -> bool {
    c.is_control() || rampart_detect::is_invisible(c)
}
