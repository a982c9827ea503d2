//! Redacting a stream without holding it whole.

use crate::{Options, RuleSet};

/// Text held back while waiting for the end of a line (or of a PEM block).
const MAX_CARRY: usize = 1 << 20;
/// When a line is longer than `MAX_CARRY`, this much of its end is kept back
/// so that a secret across the cut is still seen whole.
const OVERLAP: usize = 8 * 1024;
/// How much of a stream's newest lines is held back while they may be the
/// first pieces of a secret split across lines.
const HOLD: usize = 1024;

/// The start of the line holding `at`.
fn line_start(text: &[u8], at: usize) -> usize {
    text.get(..at)
        .and_then(|t| memchr::memrchr(b'\n', t))
        .map_or(0, |p| p + 1)
}

/// Masks findings in a stream fed in arbitrary pieces. Output is released a
/// line at a time (a multi-line private key block at a time), so a secret
/// split across two reads is still masked.
#[derive(Debug)]
pub struct StreamRedactor<'r> {
    rules: &'r RuleSet,
    opts: Options,
    carry: Vec<u8>,
    /// Secrets found so far: masked wherever they appear again.
    known: crate::Known,
}

fn open_block(buf: &[u8]) -> bool {
    // An unterminated `-----BEGIN … PRIVATE KEY…-----`: wait for its end.
    match memchr::memmem::rfind(buf, b"-----BEGIN ") {
        Some(b) => {
            let rest = buf.get(b..).unwrap_or_default();
            memchr::memmem::find(rest, b"PRIVATE KEY").is_some()
                && memchr::memmem::find(rest, b"-----END ").is_none()
        }
        None => false,
    }
}

impl<'r> StreamRedactor<'r> {
    /// A redactor using `rules`.
    pub fn new(rules: &'r RuleSet, opts: Options) -> Self {
        Self {
            rules,
            opts,
            carry: Vec::new(),
            known: crate::Known::default(),
        }
    }

    /// Takes the next piece; returns what can be released.
    pub fn feed(&mut self, piece: &[u8]) -> Vec<u8> {
        self.carry.extend_from_slice(piece);
        let Some(last_nl) = memchr::memrchr(b'\n', &self.carry) else {
            return self.overflow();
        };
        let ready = last_nl + 1;
        if open_block(self.carry.get(..ready).unwrap_or_default()) && self.carry.len() < MAX_CARRY {
            return Vec::new();
        }
        let ready = self.release_point(ready);
        if ready == 0 {
            return self.overflow();
        }
        self.release(ready)
    }

    /// Masks the carry and releases it up to `ready` (a line start): the
    /// lines after it are matched too (a secret split across lines is seen
    /// whole), and a line with a secret that runs past `ready` waits.
    fn release(&mut self, ready: usize) -> Vec<u8> {
        let spans = self
            .rules
            .mask_spans(&self.carry, self.opts, &mut self.known);
        let mut upto = ready;
        while let Some(s) = spans
            .iter()
            .find(|(s, e, _)| *s < upto && *e > upto)
            .map(|(s, _, _)| *s)
        {
            upto = line_start(&self.carry, s);
        }
        if upto == 0 {
            return Vec::new();
        }
        let (out, consumed) = crate::render(&self.carry, &spans, upto);
        self.carry.drain(..consumed);
        out
    }

    /// Where to stop releasing: before the last lines (up to [`HOLD`]
    /// bytes) when each ends in a character a secret can hold, since the
    /// next line may carry the rest of it.
    fn release_point(&self, mut ready: usize) -> usize {
        while ready > 0 && self.carry.len() - ready < HOLD {
            let before = self
                .carry
                .get(..ready - 1)
                .and_then(|l| l.iter().rposition(|b| *b != b'\r'))
                .and_then(|p| self.carry.get(p));
            if !before
                .is_some_and(|b| b.is_ascii_alphanumeric() || b"+/=_-.~".contains(b) || *b >= 0x80)
            {
                break;
            }
            ready = line_start(&self.carry, ready - 1);
        }
        ready
    }

    /// A line longer than the carry limit: release all but its tail,
    /// cutting at a character that cannot be inside a token.
    fn overflow(&mut self) -> Vec<u8> {
        if self.carry.len() < MAX_CARRY {
            return Vec::new();
        }
        let limit = self.carry.len() - OVERLAP;
        let cut = self
            .carry
            .get(..limit)
            .and_then(|h| {
                h.iter()
                    .rposition(|b| matches!(b, b' ' | b'\t' | b',' | b';' | b'"' | b'\''))
            })
            .map_or(limit, |p| p + 1);
        let spans = self
            .rules
            .mask_spans(&self.carry, self.opts, &mut self.known);
        // A secret across the cut is masked whole.
        let (out, consumed) = crate::render(&self.carry, &spans, cut);
        self.carry.drain(..consumed);
        out
    }

    /// Releases whatever is left.
    pub fn finish(mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.carry);
        self.rules
            .redact_remembering(&rest, self.opts, &mut self.known)
    }
}
