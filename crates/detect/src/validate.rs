//! Structural checks that turn a pattern match into a finding: checksums,
//! encodings and ranges that random look-alikes fail.

use base64::Engine;

/// A named check from the rules file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validator {
    GithubCrc32,
    Jwt,
    Pem,
    BasicAuth,
    Luhn,
    Iban,
    Ssn,
    Ipv4,
    Ipv6,
    Phone,
    Mixed,
}

impl Validator {
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "github-crc32" => Self::GithubCrc32,
            "jwt" => Self::Jwt,
            "pem" => Self::Pem,
            "basic-auth" => Self::BasicAuth,
            "luhn" => Self::Luhn,
            "iban" => Self::Iban,
            "ssn" => Self::Ssn,
            "ipv4" => Self::Ipv4,
            "ipv6" => Self::Ipv6,
            "phone" => Self::Phone,
            "mixed" => Self::Mixed,
            _ => return None,
        })
    }

    /// Whether `secret` (found in `line`) passes.
    pub(crate) fn check(self, secret: &[u8], line: &[u8]) -> bool {
        let Ok(s) = std::str::from_utf8(secret) else {
            return false;
        };
        match self {
            Self::GithubCrc32 => github_crc32(s),
            Self::Jwt => jwt(s),
            Self::Pem => pem(s),
            Self::BasicAuth => basic_auth(s),
            Self::Luhn => luhn(s),
            Self::Iban => iban(s),
            Self::Ssn => ssn(s),
            Self::Ipv4 => ipv4(s, line),
            Self::Ipv6 => ipv6(s),
            Self::Phone => phone(s),
            Self::Mixed => mixed(s),
        }
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Base62 encoding of `n`, left-padded with `0` to `width`.
pub fn base62(mut n: u32, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// GitHub tokens end in the base62 CRC32 of their random part.
fn github_crc32(token: &str) -> bool {
    if token.len() != 40 {
        return false;
    }
    let (Some(prefix), Some(random), Some(sum)) =
        (token.get(..4), token.get(4..34), token.get(34..))
    else {
        return false;
    };
    let crc = crc32fast::hash(random.as_bytes());
    let crc_prefixed = crc32fast::hash(format!("{prefix}{random}").as_bytes());
    sum == base62(crc, 6) || sum == base62(crc_prefixed, 6)
}

fn b64url(part: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()
}

/// A JWT's header and payload decode to JSON objects, the header naming `alg`.
fn jwt(token: &str) -> bool {
    let mut parts = token.split('.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        return false;
    };
    let (Some(header), Some(payload)) = (b64url(h), b64url(p)) else {
        return false;
    };
    header.first() == Some(&b'{')
        && payload.first() == Some(&b'{')
        && header.windows(5).any(|w| w == b"\"alg\"")
}

/// The PEM body decodes as base64 to something key-sized.
fn pem(block: &str) -> bool {
    let text = block.replace("\\r\\n", "\n").replace("\\n", "\n");
    let body: String = text
        .lines()
        .filter(|l| {
            !l.starts_with("-----") && !l.contains(':') && (!l.starts_with('=') || l.len() > 6)
        })
        .flat_map(str::chars)
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(body.trim_end_matches('=').as_bytes())
        });
    decoded.is_ok_and(|d| d.len() >= 32)
}

fn basic_auth(value: &str) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(value.as_bytes())
        .ok()
        .and_then(|d| String::from_utf8(d).ok())
        .is_some_and(|s| s.contains(':') && s.len() >= 3 && s.chars().all(|c| !c.is_control()))
}

pub(crate) fn luhn(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || digits.iter().all(|d| *d == digits[0]) {
        return false;
    }
    // Issuer prefixes of the common networks.
    let prefix: String = digits
        .iter()
        .take(4)
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .collect();
    let p2: u32 = prefix.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0);
    let p4: u32 = prefix.parse().unwrap_or(0);
    let known = prefix.starts_with('4')
        || (51..=55).contains(&p2)
        || (2221..=2720).contains(&p4)
        || p2 == 34
        || p2 == 37
        || p4 == 6011
        || p2 == 65
        || (3528..=3589).contains(&p4)
        || p2 == 36
        || p2 == 38
        || p2 == 62;
    if !known {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// IBAN lengths by country (the common ones; others must be 15–34).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TR", 26),
    ("AE", 23),
    ("SA", 24),
    ("IL", 23),
    ("BR", 29),
    ("UA", 29),
];

pub(crate) fn iban(value: &str) -> bool {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(country) = compact.get(..2) else {
        return false;
    };
    let want = IBAN_LENGTHS
        .iter()
        .find(|(c, _)| *c == country)
        .map(|(_, l)| *l);
    match want {
        Some(l) if compact.len() != l => return false,
        None if !(15..=34).contains(&compact.len()) => return false,
        _ => {}
    }
    let rearranged = format!(
        "{}{}",
        compact.get(4..).unwrap_or_default(),
        compact.get(..4).unwrap_or_default()
    );
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        for d in v.to_string().chars() {
            rem = (rem * 10 + (d as u32 - '0' as u32)) % 97;
        }
    }
    rem == 1
}

fn ssn(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [area, group, serial] = parts.as_slice() else {
        return false;
    };
    let (Ok(a), Ok(g), Ok(s)) = (
        area.parse::<u32>(),
        group.parse::<u32>(),
        serial.parse::<u32>(),
    ) else {
        return false;
    };
    a != 0
        && a != 666
        && a < 900
        && g != 0
        && s != 0
        && value != "123-45-6789"
        && value != "078-05-1120"
}

fn ipv4(value: &str, line: &[u8]) -> bool {
    let Ok(ip) = value.parse::<std::net::Ipv4Addr>() else {
        return false;
    };
    if ip.is_unspecified() || ip.is_loopback() || ip.is_broadcast() || ip.octets()[0] == 0 {
        return false;
    }
    // Version strings: `v1.2.3.4`, `version 1.2.3.4`, `==1.2.3.4`.
    let text = String::from_utf8_lossy(line).to_ascii_lowercase();
    if let Some(pos) = text.find(value) {
        let before = text.get(..pos).unwrap_or_default().trim_end();
        if before.ends_with('v')
            || before.ends_with("version")
            || before.ends_with("==")
            || before.ends_with('@')
            || before.ends_with("ver")
        {
            return false;
        }
    }
    true
}

fn ipv6(value: &str) -> bool {
    let Ok(ip) = value.parse::<std::net::Ipv6Addr>() else {
        return false;
    };
    if ip.is_loopback() || ip.is_unspecified() {
        return false;
    }
    // Times and ratios like `12:30:45` parse as nothing here, but `1:2::3`
    // style decimal-only short forms are more likely counters than addresses.
    let groups = value.split(':').filter(|g| !g.is_empty()).count();
    value.chars().any(|c| c.is_ascii_alphabetic()) || groups >= 4
}

/// A generic secret mixes letters and digits and is not a dotted or
/// path-like identifier (`settings.secret_key`, `self.token`).
fn mixed(value: &str) -> bool {
    let identifier = |upper: bool| {
        let mut parts = value.split('_');
        let first_ok = parts.next().is_some_and(|p| {
            !p.is_empty()
                && p.chars().all(|c| {
                    if upper {
                        c.is_ascii_uppercase()
                    } else {
                        c.is_ascii_lowercase()
                    }
                })
        });
        let rest: Vec<&str> = parts.collect();
        first_ok
            && !rest.is_empty()
            && rest.iter().all(|p| {
                !p.is_empty()
                    && p.chars().all(|c| {
                        c.is_ascii_digit()
                            || if upper {
                                c.is_ascii_uppercase()
                            } else {
                                c.is_ascii_lowercase()
                            }
                    })
            })
    };
    !identifier(false)
        && !identifier(true)
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
        && !value.starts_with("self.")
        && !value.starts_with("this.")
        && !(value.contains('.')
            && value.split('.').all(|p| {
                p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !p.is_empty()
                    && p.chars().next().is_some_and(char::is_alphabetic)
            }))
}

fn phone(value: &str) -> bool {
    let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
    let international = value.starts_with('+');
    let ok_len = if international {
        (8..=15).contains(&digits.len())
    } else {
        digits.len() == 10
    };
    ok_len && !digits.iter().all(|d| *d == digits[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksum() {
        let random = "zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ";
        let token = format!(
            "ghp_{random}{}",
            base62(crc32fast::hash(random.as_bytes()), 6)
        );
        assert!(github_crc32(&token));
        assert!(!github_crc32(&format!("ghp_{random}000000")));
    }

    #[test]
    fn luhn_iban_ssn() {
        assert!(luhn("4111 1111 1111 1111"));
        assert!(!luhn("4111 1111 1111 1112"));
        assert!(!luhn("1234 5678 9012 3456"));
        assert!(iban("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban("GB82 WEST 1234 5698 7654 33"));
        assert!(ssn("219-09-9999"));
        assert!(!ssn("666-12-3456") && !ssn("900-12-3456") && !ssn("123-00-4567"));
    }

    #[test]
    fn generic_values_must_look_random() {
        assert!(mixed("Zq8vLm2Rt5Wx9Kp3"));
        assert!(
            !mixed("number_token1")
                && !mixed("API_TOKEN_2")
                && !mixed("settings.secret1")
                && !mixed("correcthorse")
        );
    }

    #[test]
    fn ip_contexts() {
        assert!(ipv4("203.0.113.7", b"from 203.0.113.7"));
        assert!(!ipv4("1.2.3.4", b"version 1.2.3.4"));
        assert!(!ipv4("127.0.0.1", b"127.0.0.1"));
        assert!(ipv6("2001:db8::1"));
        assert!(!ipv6("::1"));
    }
}
