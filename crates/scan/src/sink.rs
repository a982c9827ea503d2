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
use std::path::{Component, Path, PathBuf};

use rampart_detect::{Confidence, Kind, RuleSet};
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

/// Where SARIF places files: `root` is the top of the repository (or the
/// scanned directory outside one), the `%SRCROOT%` every URI is relative
/// to; `from` is the directory relative paths in findings start from (the
/// scan's directory for tree scans, `root` for staged and history scans).
#[derive(Debug, Clone, Copy)]
pub struct SarifPaths<'a> {
    /// The top of the repository.
    pub root: &'a Path,
    /// What relative finding paths are relative to.
    pub from: &'a Path,
}

/// The base id GitHub code scanning (and most SARIF viewers) resolve.
const SRCROOT: &str = "%SRCROOT%";

/// A SARIF 2.1.0 log: one run, the rules that fired (with the metadata
/// GitHub code scanning shows: full description, help, `security` tag,
/// `security-severity`, precision), one result per finding at the rule's
/// level, its region, its URI relative to `%SRCROOT%`, a partial
/// fingerprint (never the secret) and, for history scans, its commit
/// (`properties.commit` and `partialFingerprints.commitSha`).
///
/// Severity: a secret found by a high-confidence rule is 8.0 (high),
/// medium 5.5, low 3.0; personal data 5.5 (high confidence) or 3.0.
/// Level: `error` for secrets, `warning` for personal data.
pub fn sarif(rules: &RuleSet, findings: &[Finding], paths: SarifPaths<'_>) -> serde_json::Value {
    let mut fired: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    fired.sort_unstable();
    fired.dedup();
    let spec = |id: &str| {
        rules
            .rules()
            .iter()
            .find(|r| r.spec.id == id)
            .map(|r| &r.spec)
    };
    let meta = |id: &str| -> (Kind, Confidence, String) {
        match spec(id) {
            Some(s) => (s.kind, s.confidence, s.description.clone()),
            // A finding always comes from a rule in the set; fall back to
            // what the finding says rather than drop it.
            None => findings
                .iter()
                .find(|f| f.rule_id == id)
                .map_or((Kind::Secret, Confidence::High, id.to_owned()), |f| {
                    (f.kind, f.confidence, id.to_owned())
                }),
        }
    };
    let rule_entries: Vec<_> = fired
        .iter()
        .map(|id| {
            let (kind, confidence, description) = meta(id);
            rule_json(id, kind, confidence, &description)
        })
        .collect();
    let root_url = url::Url::from_directory_path(paths.root).ok();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let (kind, _, description) = meta(&f.rule_id);
            let artifact = artifact_location(&f.path, paths, root_url.as_ref());
            let commit = f
                .commit
                .as_deref()
                .map(|c| format!(" in commit {}", c.get(..12).unwrap_or(c)))
                .unwrap_or_default();
            let mut fingerprints = json!({"rampart/v1": f.fingerprint});
            let mut result = json!({
                "ruleId": f.rule_id,
                "ruleIndex": fired.iter().position(|r| *r == f.rule_id).unwrap_or(0),
                "level": level(kind),
                "message": {"text": format!("{description} ({}){commit}", f.redacted)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact,
                    "region": {"startLine": f.line, "startColumn": f.column, "endColumn": f.end_column},
                }}],
            });
            if let Some(c) = &f.commit {
                fingerprints["commitSha"] = json!(c);
                result["properties"] = json!({"commit": c});
            }
            result["partialFingerprints"] = fingerprints;
            result
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "rampart",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/rampart-sec/rampart",
            "rules": rule_entries,
        }},
        "results": results,
    });
    if let Some(u) = root_url {
        run["originalUriBaseIds"] = json!({SRCROOT: {"uri": u.as_str()}});
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

/// `error` for secrets, `warning` for personal data: the rule's default
/// and every result's level.
fn level(kind: Kind) -> &'static str {
    if kind == Kind::Secret {
        "error"
    } else {
        "warning"
    }
}

fn rule_json(id: &str, kind: Kind, confidence: Confidence, description: &str) -> serde_json::Value {
    let (severity, precision) = match (kind, confidence) {
        (Kind::Secret, Confidence::High) => ("8.0", "high"),
        (Kind::Secret, Confidence::Medium) => ("5.5", "medium"),
        (Kind::Secret, Confidence::Low) => ("3.0", "low"),
        (Kind::Pii, Confidence::High) => ("5.5", "high"),
        (Kind::Pii, Confidence::Medium) => ("3.0", "medium"),
        (Kind::Pii, Confidence::Low) => ("3.0", "low"),
    };
    let (full, text, markdown, tags) = if kind == Kind::Secret {
        (
            format!(
                "{description}: a credential written into a file. Anyone who can read the repository, a copy of it or its history can use it until it is revoked."
            ),
            "Revoke or rotate the credential where it was issued: deleting it from the file does not help, it stays in the history and in every clone. Then load it at run time (environment, secret manager). A deliberate test value can be marked on its line with `rampart:allow` (or `pragma: allowlist secret`), on the line before with `pragma: allowlist nextline secret`, or accepted with `rampart scan --baseline FILE --update-baseline`.".to_owned(),
            "**Revoke or rotate the credential** where it was issued: deleting it from the file does not help, it stays in the history and in every clone. Then load it at run time (environment variable, secret manager).\n\nA deliberate test value can be marked:\n\n- on its line: `# rampart:allow` (or `# pragma: allowlist secret`)\n- on the line before: `# pragma: allowlist nextline secret`\n- or accepted in a baseline: `rampart scan --baseline .rampart-baseline.json --update-baseline`".to_owned(),
            json!(["security", "secret", "external/cwe/cwe-798"]),
        )
    } else {
        (
            format!(
                "{description}: personal data written into a file, readable by everyone the repository is shared with."
            ),
            "Remove the personal data or replace it with an obviously fake value; if it was committed, it stays in the history until the history is rewritten. A deliberate sample can be marked on its line with `rampart:allow`.".to_owned(),
            "**Remove the personal data** or replace it with an obviously fake value; if it was committed, it stays in the history until the history is rewritten.\n\nA deliberate sample can be marked on its line with `# rampart:allow`.".to_owned(),
            json!(["security", "privacy", "external/cwe/cwe-359"]),
        )
    };
    json!({
        "id": id,
        "name": id,
        "shortDescription": {"text": description},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": level(kind)},
        "properties": {
            "tags": tags,
            "security-severity": severity,
            "precision": precision,
        },
    })
}

/// The finding's file relative to `%SRCROOT%` (percent-encoded), or an
/// absolute `file:` URI when it lies outside the root.
fn artifact_location(
    path: &Path,
    paths: SarifPaths<'_>,
    root: Option<&url::Url>,
) -> serde_json::Value {
    let joined = paths.from.join(path);
    let mut abs = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                abs.pop();
            }
            c => abs.push(c),
        }
    }
    let file = url::Url::from_file_path(&abs).ok();
    if let (Some(root), Some(file)) = (root, &file) {
        if let Some(rel) = file.as_str().strip_prefix(root.as_str()) {
            return json!({"uri": rel, "uriBaseId": SRCROOT});
        }
    }
    match file {
        Some(f) => json!({"uri": f.as_str()}),
        None => json!({"uri": path.to_string_lossy().replace('\\', "/")}),
    }
}
