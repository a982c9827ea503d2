//! `rampart check`: the decision only, through the gate
//! ([`Gate::judge`]) with a recorder that keeps nothing: nothing runs and
//! nothing is recorded.

use rampart_gate::{Action, Gate, NoApprover, NoopRecorder};

use crate::args::{CheckArgs, Global};
use crate::exit::Exit;

pub(crate) fn run(global: &Global, args: &CheckArgs) -> Exit {
    let Some((ws, config)) = super::exec::resolve(global, &args.policy) else {
        return Exit::Usage;
    };
    let argv: Vec<String> = args
        .command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let d =
        match Gate::new(&config, NoApprover, NoopRecorder).judge(&Action::Exec { argv, cwd: ws }) {
            Ok(d) => d,
            Err(e) => {
                crate::ui::error(&e.to_string());
                return Exit::Usage;
            }
        };
    if global.json {
        println!("{}", d.to_json());
    } else {
        println!("verdict:  {}", d.verdict);
        println!("risk:     {}", d.risk);
        if let Some(rule) = &d.rule {
            println!("rule:     {rule}");
        }
        println!("reasons:");
        for r in &d.reasons {
            println!("  - {r}");
        }
        println!("commands:");
        for c in &d.commands {
            println!("  - {}", c.join(" "));
        }
    }
    Exit::Ok
}
