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

/// Characters a terminal (or a model reading text) passes over as
/// nothing: format and default-ignorable code points (soft hyphen,
/// combining grapheme joiner, Arabic letter mark, Hangul fillers, Khmer
/// inherent vowels, Mongolian selectors and vowel separator, zero-width
/// spaces and joiners, bidi marks, embeddings, overrides and isolates,
/// line and paragraph separators, word joiner and invisible operators,
/// variation selectors, byte order mark, interlinear annotations,
/// shorthand format controls, musical format controls, tag characters).
/// Controls (C0, DEL, C1) are separators too, handled apart.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{205f}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

const ESC: u8 = 0x1b;
/// Backspace: `x BS y` shows `y` where `x` was (overstrike).
const BS: u8 = 0x08;

/// The character whose UTF-8 encoding starts at `text[at]`, and its length.
fn char_at(text: &[u8], at: usize) -> Option<(char, usize)> {
    let rest = text.get(at..at + 4).or_else(|| text.get(at..))?;
    let len = match rest.first()? {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let c = std::str::from_utf8(rest.get(..len)?).ok()?.chars().next()?;
    Some((c, len))
}

/// How many bytes of separator start at `at` (0: none).
fn separator_len(text: &[u8], at: usize, newlines: bool) -> usize {
    let Some(&b) = text.get(at) else { return 0 };
    match b {
        ESC => escape_len(text, at),
        b'\n' | b'\r' => usize::from(newlines),
        b'\t' => 0,
        0x00..=0x1f | 0x7f => 1,
        0xc2..=0xf4 => match char_at(text, at) {
            // An 8-bit CSI (U+009B) takes its parameters and final byte.
            Some(('\u{9b}', n)) => n + csi_body_len(text.get(at + n..).unwrap_or_default()),
            Some((c, n)) if c.is_control() || is_invisible(c) => n,
            _ => 0,
        },
        _ => 0,
    }
}

/// The parameter, intermediate and final bytes of a CSI sequence at the
/// start of `body` (0 when it is not one).
fn csi_body_len(body: &[u8]) -> usize {
    body.iter()
        .position(|c| (0x40..=0x7e).contains(c))
        .filter(|&p| {
            body.get(..p)
                .is_some_and(|b| b.iter().all(|c| (0x20..=0x3f).contains(c)))
        })
        .map_or(0, |p| p + 1)
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
    text.iter()
        .enumerate()
        .any(|(at, b)| may_start(*b, false) && separator_len(text, at, false) > 0)
}

fn may_start(b: u8, newlines: bool) -> bool {
    match b {
        b'\n' | b'\r' => newlines,
        b'\t' => false,
        0x00..=0x1f | 0x7f | 0xc2..=0xf4 => true,
        _ => false,
    }
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
            if text.get(at) == Some(&BS) {
                // Overstrike: what was before the backspace is not seen.
                while out.text.last().is_some_and(|b| (0x80..0xc0).contains(b)) {
                    out.text.pop();
                    out.map.pop();
                }
                out.text.pop();
                out.map.pop();
            }
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
