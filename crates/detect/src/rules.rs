//! Loading rules from TOML (the built-in file and user additions).

use serde::Deserialize;

use crate::validate::Validator;

/// Whether a rule finds secrets or personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Credentials, keys, tokens.
    Secret,
    /// Personal data.
    Pii,
}

/// How sure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Shape only.
    Low,
    /// Shape and context or entropy.
    Medium,
    /// A format with a distinctive prefix, checksum or structure.
    High,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesFile {
    #[serde(default)]
    pub(crate) rule: Vec<RuleSpec>,
}

/// One rule as written in TOML.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id.
    pub id: String,
    /// What it finds.
    pub description: String,
    /// secret (default) or pii.
    #[serde(default = "default_kind")]
    pub kind: Kind,
    /// Lower-case literals that must occur near a match.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The pattern; group 1 is the secret.
    pub regex: String,
    /// A structural check.
    pub validate: Option<String>,
    /// Entropy floor (bits per character).
    pub min_entropy: Option<f64>,
    /// How sure a match is.
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
    /// Whether a match may span lines.
    #[serde(default)]
    pub multiline: bool,
    /// Test-only: template of a fake value.
    pub sample: Option<String>,
    /// Test-only: where the fake value goes (`$SECRET`).
    pub context: Option<String>,
}

fn default_kind() -> Kind {
    Kind::Secret
}

fn default_confidence() -> Confidence {
    Confidence::High
}

/// A problem in a rules file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// Not valid TOML for the schema.
    #[error("rules file `{origin}`: {message}")]
    Parse {
        /// Where the rules came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A regex does not compile.
    #[error("rule `{id}`: bad regex: {message}")]
    Regex {
        /// The rule.
        id: String,
        /// The compiler's message.
        message: String,
    },
    /// An unknown validator.
    #[error("rule `{id}`: unknown validator `{name}`")]
    Validator {
        /// The rule.
        id: String,
        /// The name given.
        name: String,
    },
    /// Two rules share an id.
    #[error("rule id `{0}` is defined twice")]
    Duplicate(String),
    /// A rule to disable that does not exist.
    #[error("there is no rule `{0}` to disable")]
    UnknownId(String),
    /// An allow pattern that does not compile.
    #[error("allow pattern `{pattern}`: {message}")]
    Allow {
        /// The pattern.
        pattern: String,
        /// The compiler's message.
        message: String,
    },
    /// A keyword that is not lower-case ASCII.
    #[error("rule `{id}`: keyword `{keyword}` must be lower-case ASCII")]
    Keyword {
        /// The rule.
        id: String,
        /// The keyword.
        keyword: String,
    },
}

/// Parses a rules file.
pub fn parse_rules(text: &str, origin: &str) -> Result<Vec<RuleSpec>, RulesError> {
    toml::from_str::<RulesFile>(text)
        .map(|f| f.rule)
        .map_err(|e| RulesError::Parse {
            origin: origin.to_owned(),
            message: e.to_string().replace('\n', " "),
        })
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The spec it came from.
    pub spec: RuleSpec,
    /// Compiled on first use for built-in rules (most never fire on a
    /// given input, and compiling all of them costs tens of ms at every
    /// start); at load for rules from config, so errors show there.
    pub(crate) regex: std::sync::OnceLock<regex::bytes::Regex>,
    pub(crate) validator: Option<Validator>,
    pub(crate) generic: bool,
}

fn build_regex(spec: &RuleSpec) -> Result<regex::bytes::Regex, RulesError> {
    // ASCII classes: secrets are ASCII, and Unicode `\w`, `\d`, `\s` and
    // `\b` made compiling the rules three times slower.
    regex::bytes::RegexBuilder::new(&spec.regex)
        .unicode(false)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| RulesError::Regex {
            id: spec.id.clone(),
            message: e.to_string(),
        })
}

impl Rule {
    /// The compiled pattern. A built-in rule's pattern is compiled by the
    /// test suite, so it cannot fail here; if it ever did, the rule would
    /// match every line (masking fails closed).
    pub(crate) fn regex(&self) -> &regex::bytes::Regex {
        self.regex.get_or_init(|| {
            build_regex(&self.spec).unwrap_or_else(|_| {
                regex::bytes::Regex::new("(?m)^(.+)$").unwrap_or_else(|_| unreachable!())
            })
        })
    }
}

/// Compiles `spec`; `lazy` defers the regex to first use (built-in rules,
/// which tests compile).
pub(crate) fn compile(spec: RuleSpec, lazy: bool) -> Result<Rule, RulesError> {
    for k in &spec.keywords {
        if !k.is_ascii() || k.to_ascii_lowercase() != *k || k.is_empty() {
            return Err(RulesError::Keyword {
                id: spec.id.clone(),
                keyword: k.clone(),
            });
        }
    }
    let regex = std::sync::OnceLock::new();
    if !lazy {
        let _ = regex.set(build_regex(&spec)?);
    }
    let validator = match &spec.validate {
        Some(name) => Some(Validator::parse(name).ok_or_else(|| RulesError::Validator {
            id: spec.id.clone(),
            name: name.clone(),
        })?),
        None => None,
    };
    let generic = spec.id.starts_with("generic-") || spec.id == "url-basic-auth";
    Ok(Rule {
        spec,
        regex,
        validator,
        generic,
    })
}

#[cfg(test)]
mod tests {
    /// Built-in patterns compile on first use, so every one must compile.
    #[test]
    fn every_builtin_pattern_compiles() {
        let specs = super::parse_rules(crate::BUILTIN_RULES, "built-in").unwrap();
        assert!(specs.len() > 150);
        for s in &specs {
            assert!(super::build_regex(s).is_ok(), "{}", s.id);
        }
    }
}
