//! Writes a `git fast-import` stream for a repository with a long history,
//! for `scripts/bench-scan-history.sh`: COMMITS commits over FILES files,
//! each commit rewriting one file (about 4 KiB of code-like text), a fake
//! GitHub token planted every PLANT_EVERY commits (made now, by the
//! detection crate's generators) and removed by the next commit that
//! touches the file. Prints how many were planted on stderr.
//!
//! ```text
//! cargo run --release -p rampart-scan --example history_repo -- COMMITS FILES PLANT_EVERY | git fast-import
//! ```

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use rampart_detect::fake::{expand, Gen};

fn main() -> ExitCode {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (Some(&commits), Some(&files), Some(&every)) = (args.first(), args.get(1), args.get(2))
    else {
        eprintln!("usage: history_repo COMMITS FILES PLANT_EVERY");
        return ExitCode::from(2);
    };
    let files = files.max(1);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let mut planted = 0u64;
    let mut gen = Gen(20_261_130);
    for n in 1..=commits {
        let file = n % files;
        let mut body = String::new();
        for line in 0..60 {
            let _ = writeln!(
                body,
                "fn f{file}_{line}(x: u32) -> u32 {{ x.wrapping_mul({n}) ^ {line} }} // rev {n}"
            );
        }
        if every > 0 && n % every == 0 {
            let token = expand(&mut gen, "ghp_{Aa:30}{ghcrc}").unwrap_or_default();
            let _ = writeln!(body, "const TOKEN: &str = \"{token}\";");
            planted += 1;
        }
        let msg = format!("commit {n}");
        let time = 1_700_000_000 + n;
        let result = write!(
            out,
            "commit refs/heads/main\nmark :{n}\ncommitter Bench <bench@example.invalid> {time} +0000\ndata {}\n{msg}\n{}M 100644 inline src/file{file}.rs\ndata {}\n{body}\n",
            msg.len(),
            if n > 1 { format!("from :{}\n", n - 1) } else { String::new() },
            body.len()
        );
        if result.is_err() {
            return ExitCode::from(1);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    eprintln!("planted {planted}");
    ExitCode::SUCCESS
}
