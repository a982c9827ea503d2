//! Hosts: one URL parser for every host decision, and host patterns.
//!
//! Every URL rampart judges (a web fetch, a `curl`/`wget` argument, a host
//! rule) goes through the WHATWG URL parser of the `url` crate, the standard
//! browsers implement, and then through one normalisation, so that a host is
//! judged by the host a browser would connect to:
//!
//! - the host parser lowercases, applies IDNA (`bücher.example` is
//!   `xn--bcher-kva.example`), percent-decodes (`%65vil.example` is
//!   `evil.example`) and reads IPv4 in every form (`2852039166`,
//!   `0xA9FEA9FE`, `0251.0376.0251.0376`, `169.254.43518` are all
//!   `169.254.169.254`);
//! - `\` ends the authority as `/` does, and the user info ends at the last
//!   `@`, as in a browser (`https://evil\@good/` connects to `evil`);
//! - then rampart drops trailing dots (`example.com.` is `example.com`),
//!   removes IPv6 brackets, and judges an IPv4-mapped IPv6 address
//!   (`[::ffff:127.0.0.1]`) as the IPv4 address it reaches.
//!
//! A URL with another scheme (`gopher://`, `ftp://`) or none
//! (`example.com/x`, as `curl` accepts) has its host read with the same
//! rules: the programs that take such URLs resolve names with the system
//! resolver, which reads numeric IPv4 forms the same way.

use std::fmt;
use std::net::IpAddr;

use globset::{GlobBuilder, GlobMatcher};

/// Longest host pattern accepted.
const MAX_PATTERN: usize = 1000;

/// Where a URL connects: the normalised host and the port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The URL's scheme, lowercase (`http` when the text had none).
    pub scheme: String,
    /// Lowercase ASCII name without trailing dots, dotted IPv4, or IPv6
    /// without brackets (IPv4-mapped addresses as IPv4).
    pub host: String,
    /// The explicit port, else the scheme's well-known port (none for a
    /// scheme the WHATWG standard does not know).
    pub port: Option<u16>,
}

/// A URL without a host rampart can judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{url}` is not a URL with a host: {why}")]
#[non_exhaustive]
pub struct UrlError {
    /// The input (as given).
    pub url: String,
    /// What the parser said.
    pub why: String,
}

/// The scheme and rest of `input` if it starts with `scheme://`.
fn scheme_of(input: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = input.split_once("://")?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some((scheme, rest))
}

/// Parses `input` as a browser would and returns where it connects.
///
/// `input` may be an absolute URL, or `host[:port][/path]` as `curl`
/// accepts (read as `http://`). Leading and trailing spaces and control
/// characters are ignored and tabs and newlines inside removed, as the
/// WHATWG standard says.
pub fn destination(input: &str) -> Result<Destination, UrlError> {
    let err = |why: String| UrlError {
        url: input.to_owned(),
        why,
    };
    let cleaned: String = input
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let trimmed = cleaned.as_str();
    let (scheme, url) = match url::Url::parse(trimmed) {
        Ok(u) if is_special(u.scheme()) => (u.scheme().to_owned(), Ok(u)),
        // Another scheme with an authority: its host is still resolved as a
        // name or an address, so read it with the web's host rules.
        Ok(u) if u.has_host() => {
            let rest = scheme_of(trimmed).map_or(trimmed, |(_, rest)| rest);
            (
                u.scheme().to_owned(),
                url::Url::parse(&format!("http://{rest}")),
            )
        }
        // No scheme (`example.com/x`, `localhost:8080`, `10.0.0.1:80`):
        // `curl` reads these as `http://`.
        Ok(_) if scheme_of(trimmed).is_some() => return Err(err("it has no host".into())),
        Ok(_) | Err(url::ParseError::RelativeUrlWithoutBase) => {
            let rest = trimmed.trim_start_matches(['/', '\\']);
            (
                "http".to_owned(),
                url::Url::parse(&format!("http://{rest}")),
            )
        }
        Err(e) => return Err(err(e.to_string())),
    };
    let url = url.map_err(|e| err(e.to_string()))?;
    let host = url.host().ok_or_else(|| err("it has no host".into()))?;
    let host = normal_host(&host)
        .ok_or_else(|| err("its host is empty, or not a host without its trailing dots".into()))?;
    let port = if is_special(&scheme) {
        url.port_or_known_default()
    } else {
        url.port()
    };
    Ok(Destination { scheme, host, port })
}

/// Every host a program could connect to for `input`: the browser's
/// reading ([`destination`]) and, when `input` holds a `\`, the reading of
/// a program for which `\` is an ordinary character (`curl`, `wget`):
/// `https://evil\@good/` is both `evil` and `good`. A deny rule that
/// matches either denies; an allowlist must hold both.
pub fn hosts_of(input: &str) -> Vec<String> {
    let mut out: Vec<String> = destination(input).map(|d| d.host).into_iter().collect();
    if input.contains('\\') {
        if let Ok(d) = destination(&input.replace('\\', "%5C")) {
            if !out.contains(&d.host) {
                out.push(d.host);
            }
        }
    }
    out
}

fn is_special(scheme: &str) -> bool {
    matches!(scheme, "http" | "https" | "ws" | "wss" | "ftp")
}

/// The one spelling of a parsed host rampart compares.
fn normal_host(host: &url::Host<&str>) -> Option<String> {
    let text = match host {
        // `2852039166..` is a name to the WHATWG parser (only one trailing
        // dot is dropped before reading IPv4), but with its dots gone it is
        // an address: read it again, so the spelling is stable and such a
        // host meets address rules.
        url::Host::Domain(d) => {
            let bare = d.trim_end_matches('.');
            if bare.len() == d.len() || bare.is_empty() {
                bare.to_owned()
            } else {
                // Not a host without its dots (`1.2.3.4.5..`): none to judge.
                normalise_host(bare).ok()?
            }
        }
        url::Host::Ipv4(a) => a.to_string(),
        url::Host::Ipv6(a) => match a.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => a.to_string(),
        },
    };
    (!text.is_empty()).then_some(text)
}

/// `text` (a host name or address, IPv6 in brackets or not) in the one
/// spelling [`destination`] yields.
pub fn normalise_host(text: &str) -> Result<String, UrlError> {
    let err = |why: String| UrlError {
        url: text.to_owned(),
        why,
    };
    let bracketed;
    let text_for_parse = if text.parse::<std::net::Ipv6Addr>().is_ok() {
        bracketed = format!("[{text}]");
        bracketed.as_str()
    } else {
        text
    };
    let host = url::Host::parse(text_for_parse).map_err(|e| err(e.to_string()))?;
    let host = match &host {
        url::Host::Domain(d) => url::Host::Domain(d.as_str()),
        url::Host::Ipv4(a) => url::Host::Ipv4(*a),
        url::Host::Ipv6(a) => url::Host::Ipv6(*a),
    };
    normal_host(&host).ok_or_else(|| err("it is empty".into()))
}

/// A host pattern from a rule or `allowed_hosts`, compiled at load.
///
/// - A name or address without wildcards matches that host only, compared
///   after the same normalisation as URLs ([`normalise_host`]): IDNA,
///   lowercase, trailing dot, numeric IPv4 forms, IPv4-mapped IPv6.
/// - A pattern with `*`, `?`, `[...]` or `{a,b}` is a glob over the
///   normalised name, case-insensitive. Host names are not paths: `*`
///   matches any run of characters, dots included, so `*.example.com`
///   matches `a.example.com` and `a.b.example.com` but not `example.com`.
///   Write non-ASCII labels in their `xn--` form in a glob.
#[derive(Clone)]
pub struct HostPattern {
    text: String,
    matcher: HostMatcher,
}

#[derive(Clone)]
enum HostMatcher {
    Exact(String),
    Glob(GlobMatcher),
}

/// Why a host pattern is refused (the message of its
/// [`PatternError`](crate::glob::PatternError)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum HostPatternError {
    #[error("an empty host pattern matches nothing")]
    Empty,
    #[error("a host pattern longer than {MAX_PATTERN} characters is refused")]
    TooLong,
    #[error("`{text}` is not a host name or address: {why}")]
    NotAHost { text: String, why: String },
    #[error("`{text}` has `{c}`, which a host glob cannot hold (letters, digits, `-`, `.`, `_` and `*`, `?`, `[...]`, `{{a,b}}`; write non-ASCII labels as `xn--`)")]
    BadCharacter { text: String, c: char },
    #[error("`{0}` has `**`; in a host pattern `*` already spans dots (`*.example.com`)")]
    DoubleStar(String),
    #[error("`{text}` is not a valid host glob: {why}")]
    Invalid {
        text: String,
        why: globset::ErrorKind,
    },
}

impl HostPattern {
    /// Compiles `text`; the error says what is wrong with it.
    pub fn new(text: &str) -> Result<Self, crate::glob::PatternError> {
        Self::compile(text).map_err(|e| crate::glob::PatternError::new(text, e.to_string()))
    }

    fn compile(text: &str) -> Result<Self, HostPatternError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(HostPatternError::Empty);
        }
        if trimmed.len() > MAX_PATTERN {
            return Err(HostPatternError::TooLong);
        }
        let is_ip = trimmed
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok();
        let matcher = if is_ip || !trimmed.contains(['*', '?', '[', '{']) {
            HostMatcher::Exact(
                normalise_host(trimmed).map_err(|e| HostPatternError::NotAHost {
                    text: text.to_owned(),
                    why: e.why,
                })?,
            )
        } else {
            // Literal non-ASCII labels take their IDNA (`xn--`) form, as
            // hosts do; a label that mixes them with wildcards cannot.
            let labels: Vec<String> = trimmed
                .split('.')
                .map(|l| {
                    if l.is_ascii() || l.contains(['*', '?', '[', ']', '{', '}', ',']) {
                        l.to_owned()
                    } else {
                        normalise_host(l).unwrap_or_else(|_| l.to_owned())
                    }
                })
                .collect();
            let trimmed = labels.join(".");
            if let Some(c) = trimmed.chars().find(|c| {
                !(c.is_ascii_alphanumeric()
                    || matches!(
                        c,
                        '-' | '.' | '_' | '*' | '?' | '[' | ']' | '{' | '}' | ',' | '!'
                    ))
            }) {
                return Err(HostPatternError::BadCharacter {
                    text: text.to_owned(),
                    c,
                });
            }
            if trimmed.contains("**") {
                return Err(HostPatternError::DoubleStar(text.to_owned()));
            }
            let lower = trimmed.to_ascii_lowercase();
            let glob = GlobBuilder::new(lower.trim_end_matches('.'))
                .case_insensitive(true)
                .literal_separator(false)
                .backslash_escape(false)
                .build()
                .map_err(|e| HostPatternError::Invalid {
                    text: text.to_owned(),
                    why: e.kind().clone(),
                })?;
            HostMatcher::Glob(glob.compile_matcher())
        };
        Ok(Self {
            text: trimmed.to_ascii_lowercase(),
            matcher,
        })
    }

    /// Whether the pattern matches `host`, a host as [`destination`] or
    /// [`normalise_host`] yields it.
    pub fn matches(&self, host: &str) -> bool {
        match &self.matcher {
            HostMatcher::Exact(h) => h == host,
            HostMatcher::Glob(g) => g.is_match(host),
        }
    }

    /// The pattern as written (trimmed, lowercase).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The reason of a globset error, without the pattern it repeats.
pub(crate) fn glob_why(e: &globset::Error) -> String {
    e.kind().to_string()
}

impl fmt::Debug for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostPattern({:?})", self.text)
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for HostPattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for HostPattern {}

#[cfg(test)]
mod tests;
