//! Host patterns: a host rule or `allowed_hosts` entry, compiled at load
//! and matched against hosts in the one spelling `rampart_guard::host`
//! gives them (URLs are parsed and hosts normalised there).

use std::fmt;
use std::net::IpAddr;

use globset::{GlobBuilder, GlobMatcher};
use rampart_guard::host::normalise_host;
use rampart_guard::limits::MAX_HOST_PATTERN as MAX_PATTERN;

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

    /// Whether the pattern matches `host`, a host as [`rampart_guard::host::destination`] or
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
