//! Redacting a stream without holding it whole.

use crate::{Options, RuleSet};

/// Text held back while waiting for the end of a line (or of a PEM block).
const MAX_CARRY: usize = 1 << 20;
/// When a line is longer than `MAX_CARRY`, this much of its end is kept back
/// so that a secret across the cut is still seen whole.
const OVERLAP: usize = 8 * 1024;

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
        let out = self.rules.redact_remembering(
            self.carry.get(..ready).unwrap_or_default(),
            self.opts,
            &mut self.known,
        );
        self.carry.drain(..ready);
        out
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
        let out = self.rules.redact_remembering(
            self.carry.get(..cut).unwrap_or_default(),
            self.opts,
            &mut self.known,
        );
        self.carry.drain(..cut);
        out
    }

    /// Releases whatever is left.
    pub fn finish(mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.carry);
        self.rules
            .redact_remembering(&rest, self.opts, &mut self.known)
    }
}
