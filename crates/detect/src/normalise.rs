//! What an attacker can insert into a secret to hide it from a matcher
//! while a terminal or a model still reads it whole: ANSI escape
//! sequences, zero-width and invisible characters, and line breaks.
//! [`strip`] removes them and keeps, for every byte left, where it was, so
//! that a match is masked over the original bytes.

/// A view of a text without its separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stripped {
    /// The text without separators.
    pub(crate) text: Vec<u8>,
    /// For each byte of `text`, its offset in the original.
    pub(crate) map: Vec<usize>,
}

impl Stripped {
    /// The original span of `[start, end)` in the stripped text.
    pub(crate) fn original(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let s = *self.map.get(start)?;
        let e = *self.map.get(end.checked_sub(1)?)? + 1;
        Some((s, e))
    }
}

/// Invisible characters (UTF-8): zero width space, non-joiner, joiner,
/// left-to-right and right-to-left marks, word joiner, invisible
/// operators, byte order mark, soft hyphen, Mongolian vowel separator.
const INVISIBLE: &[&[u8]] = &[
    "\u{200b}".as_bytes(),
    "\u{200c}".as_bytes(),
    "\u{200d}".as_bytes(),
    "\u{200e}".as_bytes(),
    "\u{200f}".as_bytes(),
    "\u{2060}".as_bytes(),
    "\u{2061}".as_bytes(),
    "\u{2062}".as_bytes(),
    "\u{2063}".as_bytes(),
    "\u{2064}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{ad}".as_bytes(),
    "\u{180e}".as_bytes(),
];

const ESC: u8 = 0x1b;

/// How many bytes of separator start at `at` (0: none).
fn separator_len(text: &[u8], at: usize, newlines: bool) -> usize {
    let Some(&b) = text.get(at) else { return 0 };
    match b {
        ESC => escape_len(text, at),
        b'\n' | b'\r' if newlines => 1,
        0xc2 | 0xe1 | 0xe2 | 0xef => {
            let rest = text.get(at..).unwrap_or_default();
            INVISIBLE
                .iter()
                .find(|s| rest.starts_with(s))
                .map_or(0, |s| s.len())
        }
        _ => 0,
    }
}

/// The length of the escape sequence at `at` (which is ESC): CSI
/// (`ESC [` parameters, intermediates, final), OSC (`ESC ]` up to BEL or
/// `ESC \`), a character set choice (`ESC ( B`), or ESC and one byte.
fn escape_len(text: &[u8], at: usize) -> usize {
    let rest = text.get(at + 1..).unwrap_or_default();
    match rest.first() {
        None => 1,
        Some(b'[') => {
            let body = rest.get(1..).unwrap_or_default();
            let end = body
                .iter()
                .position(|c| (0x40..=0x7e).contains(c))
                .filter(|&p| {
                    body.get(..p)
                        .is_some_and(|b| b.iter().all(|c| (0x20..=0x3f).contains(c)))
                });
            end.map_or(2, |p| 2 + p + 1)
        }
        Some(b']' | b'P' | b'_' | b'^') => {
            let body = rest.get(1..).unwrap_or_default();
            let mut i = 0;
            while let Some(&c) = body.get(i) {
                if c == 0x07 {
                    return 2 + i + 1;
                }
                if c == ESC && body.get(i + 1) == Some(&b'\\') {
                    return 2 + i + 2;
                }
                i += 1;
            }
            // Unterminated: everything up to the end is the sequence.
            2 + body.len()
        }
        Some(b'(' | b')' | b'*' | b'+' | b'#' | b'%') => (2 + 1).min(1 + rest.len()),
        Some(_) => 2,
    }
}

/// Whether `text` holds any separator (newlines not counted): the fast
/// path, with no copy, when it does not.
pub(crate) fn has_separator(text: &[u8]) -> bool {
    memchr::memchr3_iter(ESC, 0xe2, 0xef, text)
        .chain(memchr::memchr2_iter(0xc2, 0xe1, text))
        .any(|at| separator_len(text, at, false) > 0)
}

fn may_start(b: u8, newlines: bool) -> bool {
    matches!(b, ESC | 0xc2 | 0xe1 | 0xe2 | 0xef) || (newlines && matches!(b, b'\n' | b'\r'))
}

/// `text` without separators (and, with `newlines`, without `\n`/`\r`).
pub(crate) fn strip(text: &[u8], newlines: bool) -> Stripped {
    let mut out = Stripped {
        text: Vec::with_capacity(text.len()),
        map: Vec::with_capacity(text.len()),
    };
    let mut at = 0;
    while at < text.len() {
        // Copy a run of bytes that cannot start a separator at once.
        let run = text
            .get(at..)
            .unwrap_or_default()
            .iter()
            .position(|b| may_start(*b, newlines))
            .map_or(text.len(), |p| at + p);
        out.text
            .extend_from_slice(text.get(at..run).unwrap_or_default());
        out.map.extend(at..run);
        at = run;
        if at >= text.len() {
            break;
        }
        let n = separator_len(text, at, newlines);
        if n > 0 {
            at += n;
        } else {
            if let Some(&b) = text.get(at) {
                out.text.push(b);
                out.map.push(at);
            }
            at += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_go_and_the_map_points_at_the_original() {
        let text = "a\u{200b}b\x1b[31mc\x1b]0;title\x07d\u{ad}e\nf".as_bytes();
        let s = strip(text, false);
        assert_eq!(s.text, b"abcde\nf");
        let (start, end) = s.original(1, 4).unwrap();
        assert_eq!(&text[start..end], "b\x1b[31mc\x1b]0;title\x07d".as_bytes());
        assert_eq!(strip(text, true).text, b"abcdef");
        assert!(has_separator(text));
        assert!(!has_separator("plain — text\n".as_bytes()));
        assert_eq!(strip(b"x\x1b", false).text, b"x");
    }
}
