//! The baseline file: fingerprints (hashes, never secrets) of accepted
//! findings, with rule and path for the humans who review it.
//!
//! `{"version": 1, "findings": [{"fingerprint", "rule_id", "path"}]}`,
//! sorted by path and fingerprint, written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::Finding;

/// Why a baseline could not be read or written; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Reading failed.
    #[error("cannot read the baseline `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not the format above.
    #[error("baseline `{path}` {why}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// Writing failed (the old file is left as it was).
    #[error("cannot write the baseline `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The accepted fingerprints; none when the file does not exist.
pub fn read(path: &Path) -> Result<Vec<String>, BaselineError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(BaselineError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| BaselineError::Format {
        path: path.to_path_buf(),
        why: format!("is not valid JSON: {e}"),
    })?;
    let list = v["findings"]
        .as_array()
        .ok_or_else(|| BaselineError::Format {
            path: path.to_path_buf(),
            why: "has no `findings` list".into(),
        })?;
    Ok(list
        .iter()
        .filter_map(|f| f["fingerprint"].as_str().map(str::to_owned))
        .collect())
}

/// Writes `findings` as the new baseline, atomically (a temporary file
/// beside it, synced, then renamed over it).
pub fn write(path: &Path, findings: &[Finding]) -> Result<(), BaselineError> {
    let mut entries: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| json!({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path}))
        .collect();
    entries.sort_by(|a, b| {
        a["path"]
            .as_str()
            .cmp(&b["path"].as_str())
            .then(a["fingerprint"].as_str().cmp(&b["fingerprint"].as_str()))
    });
    entries.dedup();
    let text = json!({"version": 1, "findings": entries});
    let text = serde_json::to_string_pretty(&text).unwrap_or_default() + "\n";
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".rampart-baseline.tmp{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|source| BaselineError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Drops the findings whose fingerprint is in `known`; returns how many.
pub fn suppress(findings: &mut Vec<Finding>, known: &[String]) -> usize {
    let before = findings.len();
    findings.retain(|f| !known.contains(&f.fingerprint));
    before - findings.len()
}
