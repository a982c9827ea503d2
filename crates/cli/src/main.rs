//! The `rampart` binary: clap commands wiring the crates together.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

mod approve;
mod args;
mod commands;
mod env;
mod exit;
mod load;
mod record;
mod report;
mod ui;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::exit::Exit;

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env(env::RAMPART_LOG)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ui::colour_on_stderr())
        .with_target(false)
        .try_init();
}

fn usage_error_of_exec() -> bool {
    use clap::CommandFactory as _;
    Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(std::env::args_os())
        .is_ok_and(|m| m.subcommand_name() == Some("exec"))
}

fn main() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if e.kind() == clap::error::ErrorKind::UnknownArgument && usage_error_of_exec() {
                // `rampart exec ls -la`: the command must follow `--`.
                ui::hint(
                    "put `--` before the command: `rampart exec [OPTIONS] -- PROGRAM [ARGS]...`",
                );
            }
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Exit::Ok
                }
                // exec promises 125 for rampart's own errors; other commands 2.
                // Which command it was is clap's answer (parsed again,
                // leniently), not a guess from the first argument
                // (`rampart -v exec --bogus` is exec's usage error).
                _ if usage_error_of_exec() => Exit::Internal,
                _ => Exit::Usage,
            };
        }
    };
    let mut cli = cli;
    ui::init(cli.global.color, cli.global.quiet);
    init_logging(cli.global.verbose);
    // exec and sandbox-run promise 125 for rampart's own errors; the other
    // commands 2 (usage or config error).
    let own_error = match cli.command {
        Command::Exec(_) | Command::SandboxRun(_) => Exit::Internal,
        _ => Exit::Usage,
    };
    if let Err(why) = cli.global.settle() {
        ui::error(&why);
        ui::hint("`--config FILE` names a config file; `-c KEY=VALUE` sets one key (e.g. `-c sandbox_mode=read-only`)");
        return own_error;
    }
    if !cli.global.overrides.is_empty() && matches!(cli.command, Command::Hook(_)) {
        // The hook's decision and the `rampart exec` it writes would not
        // agree on settings only this process was given.
        ui::error("`rampart hook` does not take `-c KEY=VALUE` settings");
        ui::hint(
            "put the setting in your config file, or use `--config FILE` and `--profile NAME`",
        );
        return own_error;
    }
    let done = match cli.command {
        Command::Exec(args) => commands::exec::run(&cli.global, &args),
        Command::Check(args) => commands::check::run(&cli.global, &args),
        Command::Scan(args) => commands::scan::run(&cli.global, &args),
        Command::Redact(args) => commands::redact::run(&cli.global, &args),
        Command::Audit(args) => commands::audit::run(&cli.global, &args),
        Command::Doctor(args) => commands::doctor::run(&cli.global, &args),
        Command::Init(args) => commands::init::run(&cli.global, &args),
        Command::Mcp(args) => commands::agents::mcp(&cli.global, &args),
        Command::Hook(args::HookCommand::ClaudeCode) => {
            Ok(commands::hook::claude_code(&cli.global))
        }
        Command::Serve(args) => commands::agents::serve(&cli.global, &args),
        Command::Approvals(cmd) => commands::agents::approvals(&cli.global, &cmd),
        Command::SandboxRun(args) => commands::exec::sandbox_run(&args),
        Command::Completions { shell } => Ok(commands::docs::completions(shell)),
        Command::Man { dir } => commands::docs::man(dir.as_deref()),
    };
    done.unwrap_or_else(|e| report::report(&e, own_error))
}
