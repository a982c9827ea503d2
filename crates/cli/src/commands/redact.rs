//! `rampart redact`: stdin to stdout, secrets masked, streaming.

use std::io::{ErrorKind, Read, Write};

use anyhow::Context as _;
use rampart_detect::{Options, StreamRedactor};
use rampart_policy::DetectUse;

use crate::args::{Global, RedactArgs};
use crate::exit::Exit;
use crate::load;

/// Masks with the built-in rules and the `[detect]` settings of the user's
/// config (and a trusted project's): an untrusted project's `rampart.toml`
/// can add rules but cannot make redaction let anything through.
pub(crate) fn run(global: &Global, args: &RedactArgs) -> anyhow::Result<Exit> {
    let Some((_, _, rules)) = load::detection(global, DetectUse::Mask) else {
        return Ok(Exit::Usage);
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
            Err(e) => return Err(e).context("cannot read stdin"),
        };
        let out = redactor.feed(buf.get(..n).unwrap_or_default());
        // A closed pipe downstream (`| head`) ends it quietly (the reporter).
        stdout.write_all(&out).context("cannot write stdout")?;
    }
    let out = redactor.finish();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .context("cannot write stdout")?;
    Ok(Exit::Ok)
}
