//! `rampart redact`: stdin to stdout, secrets masked, streaming.

use std::io::{ErrorKind, Read, Write};

use rampart_detect::{Options, StreamRedactor};
use rampart_policy::DetectUse;

use crate::args::{Global, RedactArgs};
use crate::exit::Exit;
use crate::{load, ui};

/// Masks with the built-in rules and the `[detect]` settings of the user's
/// config (and a trusted project's): an untrusted project's `rampart.toml`
/// can add rules but cannot make redaction let anything through.
pub(crate) fn run(global: &Global, args: &RedactArgs) -> Exit {
    let Some((_, _, rules)) = load::detection(global, DetectUse::Mask) else {
        return Exit::Usage;
    };
    let mut redactor = StreamRedactor::new(&rules, Options { pii: args.pii });
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                ui::error(&format!("cannot read stdin: {e}"));
                return Exit::Usage;
            }
        };
        let out = redactor.feed(buf.get(..n).unwrap_or_default());
        if let Err(e) = stdout.write_all(&out) {
            return write_error(&e);
        }
    }
    let out = redactor.finish();
    if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
        return write_error(&e);
    }
    Exit::Ok
}

fn write_error(e: &std::io::Error) -> Exit {
    // A closed pipe downstream (`| head`) is not an error worth a message.
    if e.kind() == ErrorKind::BrokenPipe {
        return Exit::Ok;
    }
    ui::error(&format!("cannot write stdout: {e}"));
    Exit::Usage
}
