//! Writes the labeled accuracy corpus (see `rampart_detect::corpus`) to a
//! directory, with `labels.json` beside it, and prints rampart's own score.
//!
//! ```text
//! cargo run --release -p rampart-detect --example corpus -- OUT_DIR [SEED] [PER_RULE]
//! ```
//!
//! `OUT_DIR/files/` holds the corpus; `OUT_DIR/labels.json` holds
//! `{"seed","planted":[{"path","line","end_line","rule_id"}],"negatives"}`
//! (no secret values: they are only in the files, and they are fake).

use std::process::ExitCode;

use rampart_detect::{corpus, Options, RuleSet};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: corpus OUT_DIR [SEED] [PER_RULE]");
        return ExitCode::from(2);
    };
    let seed = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_122);
    let per_rule = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    match run(std::path::Path::new(out), seed, per_rule) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(out: &std::path::Path, seed: u64, per_rule: usize) -> Result<(), String> {
    let rules = RuleSet::builtin().map_err(|e| e.to_string())?;
    let c = corpus::generate(&rules, seed, per_rule, false)?;
    let files = out.join("files");
    if files.exists() {
        return Err(format!(
            "`{}` exists; give an empty directory",
            files.display()
        ));
    }
    let mut findings = Vec::new();
    for (path, text) in &c.files {
        let p = files.join(path);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        for m in rules.find(text.as_bytes(), Options::default()) {
            let line = corpus::line_of(text.as_bytes(), m.start);
            findings.push((path.clone(), line));
        }
    }
    let labels = serde_json::json!({
        "seed": seed,
        "planted": c.planted,
        "negatives": c.negatives,
    });
    let labels_path = out.join("labels.json");
    std::fs::write(&labels_path, labels.to_string())
        .map_err(|e| format!("{}: {e}", labels_path.display()))?;
    let s = corpus::score(&c, &findings);
    println!(
        "{} files, {} planted, {} hard negatives; rampart-detect in-process: recall {:.4}, precision {:.4} ({s:?})",
        c.files.len(),
        c.planted.len(),
        c.negatives,
        s.recall,
        s.precision
    );
    Ok(())
}
