//! Fake, format-correct credentials made from a rule's `sample` template,
//! for tests and the accuracy corpus. Nothing real is ever stored: every
//! value is generated when it is needed, from a seed.
//!
//! Template syntax: literal text with `{CHARSET:N}` pieces (`A` upper+digits,
//! `a` lower+digits, `Aa` base62, `hex`, `HEX`, `b32`, `b64`, `b64u`, `d`
//! digits without a leading zero, `l` lower, `U` upper, `bech` bech32),
//! and structured pieces: `{ghcrc}` (the CRC32 of the 30 characters before
//! it, as GitHub tokens carry), `{jwt}`, `{pem:LABEL}`, `{pemjson:LABEL}`
//! (`\n`-escaped, as in a JSON key file), `{basicauth}`, `{card}` (Luhn),
//! `{iban}` (mod-97), `{ssn}`.

use base64::Engine;

/// A small deterministic generator (xorshift64); the same seed gives the
/// same values.
#[derive(Debug, Clone)]
pub struct Gen(pub u64);

impl Gen {
    /// A generator seeded from the clock (tests print the seed on failure).
    pub fn seeded() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(7, |d| d.subsec_nanos().into())
            | 1;
        Self(seed)
    }

    /// A generator with a fixed seed.
    pub fn with_seed(seed: u64) -> Self {
        Self(seed | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % (n.max(1) as u64)).unwrap_or(0)
    }

    /// `n` characters drawn from `set`.
    pub fn pick(&mut self, set: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(set.get(self.below(set.len())).copied().unwrap_or(b'x')))
            .collect()
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64().to_le_bytes()[0]).collect()
    }

    /// One of `items`.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// Upper-case letters and digits.
pub const UPPER_NUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Lower-case letters and digits.
pub const LOWER_NUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Base62.
pub const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Base64.
pub const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// URL-safe base64.
pub const B64U: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Lower-case hex.
pub const HEX: &[u8] = b"0123456789abcdef";

/// A PEM block of random bytes under `label`; `escaped` joins lines with
/// a literal `\n`, as JSON key files do.
pub fn pem_block(g: &mut Gen, label: &str, escaped: bool) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(g.bytes(600));
    let nl = if escaped { "\\n" } else { "\n" };
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----{nl}{}{nl}-----END {label}-----",
        lines.join(nl)
    )
}

/// A Visa-shaped number whose check digit is the one the `luhn` validator
/// accepts.
fn card(g: &mut Gen) -> String {
    let body = format!("4{}", g.pick(b"0123456789", 14));
    let number = (0..10)
        .map(|c| format!("{body}{c}"))
        .find(|n| crate::validate::luhn(n))
        .unwrap_or_else(|| format!("{body}0"));
    number
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

fn jwt(g: &mut Gen) -> String {
    let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        e(r#"{"alg":"HS256","typ":"JWT"}"#),
        e(&format!(
            r#"{{"sub":"{}","iat":1700000000}}"#,
            g.pick(LOWER_NUM, 12)
        )),
        g.pick(B64U, 43)
    )
}

/// Expands `template`; an error names a piece it does not know.
pub fn expand(g: &mut Gen, template: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let close = rest
            .get(open..)
            .and_then(|r| r.find('}'))
            .map(|c| open + c)
            .ok_or_else(|| format!("unclosed `{{` in `{template}`"))?;
        let spec = rest.get(open + 1..close).unwrap_or_default();
        let (name, arg) = spec.split_once(':').unwrap_or((spec, ""));
        let n: usize = arg.parse().unwrap_or(0);
        let piece = match name {
            "A" => g.pick(UPPER_NUM, n),
            "a" => g.pick(LOWER_NUM, n),
            "Aa" => g.pick(BASE62, n),
            "hex" => g.pick(HEX, n),
            "HEX" => g.pick(b"0123456789ABCDEF", n),
            "b32" => g.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n),
            "b64" => g.pick(B64, n),
            "b64u" => g.pick(B64U, n),
            "d" => g.pick(b"123456789", 1) + &g.pick(b"0123456789", n.saturating_sub(1)),
            "l" => g.pick(b"abcdefghijklmnopqrstuvwxyz", n),
            "U" => g.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", n),
            "bech" => g.pick(b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", n),
            "ghcrc" => {
                let random = out.get(out.len().saturating_sub(30)..).unwrap_or_default();
                crate::base62(crc32fast::hash(random.as_bytes()), 6)
            }
            "jwt" => jwt(g),
            "pem" => pem_block(g, arg, false),
            "pemjson" => format!("{}\\n", pem_block(g, arg, true)),
            "basicauth" => base64::engine::general_purpose::STANDARD
                .encode(format!("deploy:{}", g.pick(BASE62, 20))),
            "card" => card(g),
            "iban" => {
                let bban = format!("WEST{}", g.pick(b"0123456789", 14));
                (2..=98)
                    .map(|cd| format!("GB{cd:02}{bban}"))
                    .find(|i| crate::validate::iban(i))
                    .ok_or("no IBAN check digits fit")?
            }
            "ssn" => format!(
                "{}-{:02}-{:04}",
                100 + g.next_u64() % 500,
                1 + g.next_u64() % 98,
                1 + g.next_u64() % 9998
            ),
            other => return Err(format!("unknown template piece `{other}` in `{template}`")),
        };
        out.push_str(&piece);
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// [`expand`] for tests, where a bad template is a failing test.
#[cfg(test)]
pub(crate) fn expand_or_panic(g: &mut Gen, template: &str) -> String {
    match expand(g, template) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}
