//! `rampart completions SHELL` and `rampart man`: generated from the same
//! clap definition as `--help`, so they cannot drift from it.

use std::path::Path;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::args::Cli;
use crate::exit::Exit;

/// Prints the completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> Exit {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rampart", &mut out);
    crate::ui::out_text(&String::from_utf8_lossy(&out));
    Exit::Ok
}

/// Prints `rampart(1)`, or writes it and one page per command into `dir`.
pub(crate) fn man(dir: Option<&Path>) -> anyhow::Result<Exit> {
    let cmd = Cli::command();
    let Some(dir) = dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut out)?;
        crate::ui::out_text(&String::from_utf8_lossy(&out));
        return Ok(Exit::Ok);
    };
    fs_err::create_dir_all(dir)?;
    let page = |c: clap::Command, name: &str| -> anyhow::Result<()> {
        let mut out = Vec::new();
        clap_mangen::Man::new(c)
            .title(name.to_owned())
            .render(&mut out)?;
        let path = dir.join(format!("{name}.1"));
        fs_err::write(&path, out).with_context(|| format!("cannot write `{}`", path.display()))
    };
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("rampart-{}", sub.get_name());
        page(sub.clone(), &name)?;
    }
    page(cmd, "rampart")?;
    crate::ui::plain(&format!("wrote the manual pages into {}", dir.display()));
    Ok(Exit::Ok)
}
