//! Problems in config files, with their place, and parsing one file.

use std::path::{Path, PathBuf};

use crate::file::ConfigFile;

/// A problem in a config file, with its place (`at FILE:LINE:COLUMN`, or
/// the file alone for a problem with the whole file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ConfigError {
    /// The file.
    pub origin: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// A problem with the whole file (missing, unreadable, unsafe
    /// permissions): no line or column is shown.
    pub whole: bool,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.whole {
            write!(f, "{} (`{}`)", self.message, self.origin.display())
        } else {
            write!(
                f,
                "{} at {}:{}:{}",
                self.message,
                self.origin.display(),
                self.line,
                self.column
            )
        }
    }
}

impl ConfigError {
    /// A problem with a whole file (line 1, column 1), such as unsafe
    /// permissions or an unreadable file.
    pub fn whole_file(origin: &Path, message: impl Into<String>, hint: Option<String>) -> Self {
        Self {
            origin: origin.to_path_buf(),
            line: 1,
            column: 1,
            message: message.into(),
            hint,
            whole: true,
        }
    }
}

/// A config file's text with its origin, for positions.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// File path (for messages).
    pub origin: &'a Path,
    /// Its text.
    pub text: &'a str,
}

impl Source<'_> {
    pub(super) fn error(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError {
            origin: self.origin.to_path_buf(),
            line,
            column,
            message: message.into(),
            hint,
            whole: false,
        }
    }
}

/// 1-based line and column of byte `offset`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses one config file strictly.
pub fn parse(source: Source<'_>) -> Result<ConfigFile, ConfigError> {
    toml::from_str::<ConfigFile>(source.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().replace('\n', " ");
        let hint = message
            .starts_with("unknown field")
            .then(|| unknown_field_hint(&message));
        source.error(span, message, hint)
    })
}

/// The hint for serde's "unknown field `x`, expected one of `a`, `b`":
/// the nearest valid key when there is one.
fn unknown_field_hint(message: &str) -> String {
    let quoted: Vec<String> = message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    let all = "`rampart init --print` writes every key with its default";
    match quoted.split_first() {
        Some((given, expected)) => match super::overrides::closest(given, expected) {
            Some(near) => format!("did you mean `{near}`? ({all})"),
            None => format!("check the spelling: {all}"),
        },
        None => format!("check the spelling: {all}"),
    }
}
