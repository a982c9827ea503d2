//! `rampart check`: the decision only, through the gate
//! ([`Gate::judge`]) with a recorder that keeps nothing: nothing runs and
//! nothing is recorded.

use rampart_gate::{Action, Gate, NoApprover, NoopRecorder};

use crate::args::{CheckArgs, Global};
use crate::exit::Exit;

pub(crate) fn run(global: &Global, args: &CheckArgs) -> anyhow::Result<Exit> {
    let Some((ws, config)) = super::exec::resolve(global, &args.policy) else {
        return Ok(Exit::Usage);
    };
    let argv: Vec<String> = args
        .command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let d = Gate::new(&config, NoApprover, NoopRecorder).judge(&Action::Exec { argv, cwd: ws })?;
    if global.json {
        crate::ui::outln!("{}", d.to_json());
    } else {
        crate::ui::outln!("verdict:  {}", d.verdict);
        crate::ui::outln!("risk:     {}", d.risk);
        if let Some(rule) = &d.rule {
            crate::ui::outln!("rule:     {rule}");
        }
        crate::ui::outln!("reasons:");
        for r in &d.reasons {
            crate::ui::outln!("  - {r}");
        }
        crate::ui::outln!("commands:");
        for c in &d.commands {
            crate::ui::outln!("  - {}", c.join(" "));
        }
    }
    Ok(Exit::Ok)
}
