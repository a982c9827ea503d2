//! Renderings of a scan for people (text), machines (JSON) and code
//! scanning (SARIF 2.1.0).
//!
//! JSON: `{"findings":[{"rule_id","kind","path","line","column",
//! "end_column","redacted","fingerprint","confidence"(,"commit")}],
//! "stats":{"files","bytes","seconds"}}`. Lines and columns are 1-based and
//! count bytes; `end_column` is one past the last byte (on the finding's
//! last line). `redacted` never holds more than four characters of the
//! secret.

use std::fmt::Write as _;

use rampart_detect::{Kind, RuleSet};
use serde_json::json;

use crate::Finding;

/// One line per finding: `path:line:column: rule (confidence) redacted`.
pub fn text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let confidence = serde_json::to_value(f.confidence)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let commit = f
            .commit
            .as_deref()
            .map(|c| format!(" (commit {})", c.get(..12).unwrap_or(c)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}:{}:{}: {} ({confidence}) {}{commit}",
            f.path.display(),
            f.line,
            f.column,
            f.rule_id,
            f.redacted
        );
    }
    out
}

/// The JSON document described above.
pub fn json(findings: &[Finding], files: u64, bytes: u64, seconds: f64) -> serde_json::Value {
    json!({"findings": findings, "stats": {"files": files, "bytes": bytes, "seconds": seconds}})
}

/// A SARIF 2.1.0 log: one run, the rules that fired, one result per
/// finding with its region and a partial fingerprint (never the secret).
pub fn sarif(rules: &RuleSet, findings: &[Finding]) -> serde_json::Value {
    let mut fired: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    fired.sort_unstable();
    fired.dedup();
    let rule_entries: Vec<_> = fired
        .iter()
        .map(|id| {
            let description = rules
                .rules()
                .iter()
                .find(|r| r.spec.id == *id)
                .map_or("", |r| r.spec.description.as_str());
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": description},
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let uri = f.path.to_string_lossy().trim_start_matches("./").replace('\\', "/");
            json!({
                "ruleId": f.rule_id,
                "ruleIndex": fired.iter().position(|r| *r == f.rule_id).unwrap_or(0),
                "level": if f.kind == Kind::Secret { "error" } else { "warning" },
                "message": {"text": format!("{} found ({})", f.rule_id, f.redacted)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": f.line, "startColumn": f.column, "endColumn": f.end_column},
                }}],
                "partialFingerprints": {"rampart/v1": f.fingerprint},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rampart",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/rampart-sec/rampart",
                "rules": rule_entries,
            }},
            "results": results,
        }],
    })
}
