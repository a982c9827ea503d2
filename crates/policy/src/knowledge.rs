//! Program knowledge kept as reviewable data (`knowledge.toml`): the
//! environment variables that run code, the options that run commands or
//! write files, the files whose overwrite is critical, concrete credential
//! files (to judge globs), decoders, and install-from-URL shapes.
//!
//! Parsed once, at the first decision. A unit test proves the embedded file
//! parses; if it ever did not, [`get`] returns `None` and the risk table
//! judges every command at least high (fail closed).

use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;

const SOURCE: &str = include_str!("knowledge.toml");

/// The parsed `knowledge.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Knowledge {
    pub(crate) env: EnvKnowledge,
    #[serde(rename = "option")]
    pub(crate) options: Vec<OptionEntry>,
    pub(crate) files: Files,
    pub(crate) credentials: Credentials,
    pub(crate) decoders: Decoders,
    pub(crate) install: Install,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvKnowledge {
    pub(crate) runs_code: Vec<String>,
    pub(crate) runs_code_prefixes: Vec<String>,
    pub(crate) plain_values: Vec<String>,
    pub(crate) plain_for: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OptionEntry {
    pub(crate) program: String,
    #[serde(default)]
    pub(crate) runs: Vec<String>,
    #[serde(default)]
    pub(crate) writes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Files {
    pub(crate) always: Vec<String>,
    pub(crate) always_names: Vec<String>,
    pub(crate) always_prefixes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Credentials {
    pub(crate) examples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Decoders {
    pub(crate) programs: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Install {
    pub(crate) commands: Vec<String>,
    pub(crate) remote_shapes: Vec<String>,
    pub(crate) remote_options: Vec<String>,
}

/// The knowledge, parsed at first use; `None` if the embedded file is bad.
pub(crate) fn get() -> Option<&'static Knowledge> {
    static K: OnceLock<Option<Knowledge>> = OnceLock::new();
    K.get_or_init(|| toml::from_str(SOURCE).ok()).as_ref()
}

impl Knowledge {
    /// Whether setting `name` to `value` makes programs run code.
    pub(crate) fn env_runs_code(&self, name: &str, value: &str) -> bool {
        let listed = self.env.runs_code.iter().any(|n| n == name)
            || self
                .env
                .runs_code_prefixes
                .iter()
                .any(|p| name.starts_with(p.as_str()));
        if !listed {
            return false;
        }
        let plain = self.env.plain_for.iter().any(|n| n == name)
            && self
                .env
                .plain_values
                .iter()
                .any(|v| v == value.trim() || v == basename_of(value.trim()));
        !plain
    }

    /// The option entries for `program` (a basename, or "git grep").
    pub(crate) fn options_for<'a>(
        &'a self,
        program: &'a str,
    ) -> impl Iterator<Item = &'a OptionEntry> + 'a {
        self.options.iter().filter(move |o| o.program == program)
    }

    /// Whether writing `path` destroys the system or plants a backdoor.
    pub(crate) fn critical_file(&self, path: &Path, home: Option<&Path>) -> bool {
        let expand = |s: &str| -> Option<std::path::PathBuf> {
            match s.strip_prefix("~/") {
                Some(rest) => home.map(|h| h.join(rest)),
                None => Some(Path::new(s).to_path_buf()),
            }
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        self.files.always.iter().any(|f| Path::new(f) == path)
            || self.files.always_names.iter().any(|n| *n == name)
            || self
                .files
                .always_prefixes
                .iter()
                .filter_map(|p| expand(p))
                .any(|p| path.starts_with(p))
    }

    /// The concrete credential files (home expanded; workspace-relative
    /// ones joined to `cwd`).
    pub(crate) fn credential_examples(
        &self,
        home: Option<&Path>,
        cwd: &Path,
    ) -> Vec<std::path::PathBuf> {
        self.credentials
            .examples
            .iter()
            .filter_map(|e| match e.strip_prefix("~/") {
                Some(rest) => home.map(|h| h.join(rest)),
                None if e.starts_with('/') => Some(Path::new(e).to_path_buf()),
                None => Some(cwd.join(e)),
            })
            .collect()
    }

    pub(crate) fn is_decoder(&self, program: &str) -> bool {
        self.decoders.programs.iter().any(|p| p == program)
    }

    /// Whether `words` (program basename first) is an install command that
    /// names a URL or a git remote; the offending argument.
    pub(crate) fn remote_install<'a>(&self, words: &'a [String]) -> Option<&'a str> {
        let program = words.first().map(|p| basename_of(p))?;
        let sub = words
            .iter()
            .skip(1)
            .find(|a| !a.starts_with('-'))
            .map_or("", String::as_str);
        let is_install = self.install.commands.iter().any(|c| {
            let mut it = c.split(' ');
            it.next() == Some(program) && it.next().is_none_or(|s| s == sub)
        });
        if !is_install {
            return None;
        }
        let mut prev = "";
        for a in words.iter().skip(1) {
            let value = a.split_once('=').map_or(a.as_str(), |(_, v)| v);
            let option = a.split_once('=').map_or(a.as_str(), |(o, _)| o);
            if self.install.remote_options.iter().any(|o| o == option) {
                return Some(a);
            }
            if !a.starts_with('-')
                && !self.install.remote_options.iter().any(|o| o == prev)
                && self
                    .install
                    .remote_shapes
                    .iter()
                    .any(|s| value.contains(s.as_str()))
            {
                return Some(a);
            }
            prev = a;
        }
        None
    }
}

fn basename_of(s: &str) -> &str {
    let first = s.split_whitespace().next().unwrap_or(s);
    first.rsplit('/').next().unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_knowledge_parses() {
        match toml::from_str::<Knowledge>(SOURCE) {
            Ok(k) => {
                assert!(k.env_runs_code("GIT_SSH_COMMAND", "sh -c id"));
                assert!(!k.env_runs_code("PAGER", "cat"));
                assert!(k.env_runs_code("PAGER", "sh -c id"));
                assert!(!k.env_runs_code("RUST_LOG", "debug"));
            }
            Err(e) => panic!("knowledge.toml: {e}"),
        }
        assert!(get().is_some());
    }
}
