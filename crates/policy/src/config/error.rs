//! Problems in config files, with their place, and parsing one file.

use std::path::{Path, PathBuf};

use crate::file::ConfigFile;

/// A problem in a config file, with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {}:{line}:{column}", origin.display())]
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
        let hint = if message.starts_with("unknown field") {
            Some("check the spelling against `rampart init --print`, which writes every key with its default".to_owned())
        } else {
            None
        };
        source.error(span, message, hint)
    })
}
