//! Command-line subcommands over the engines: argument definitions, one module per
//! subcommand, and the shared output formats.

pub(crate) mod args;
mod diff;
mod eval;
mod generate;
mod generate_progress;
mod interface;
mod model;
mod output;
mod review;
mod review_output;
mod runs;
mod train;
mod train_progress;
mod validate;

use std::process::ExitCode;

pub use args::{Cli, Command};

/// Exit code: everything checked is valid.
pub const EXIT_OK: u8 = 0;
/// Exit code: errors were found.
pub const EXIT_ERRORS: u8 = 1;
/// Exit code: the command could not run (usage, I/O).
pub const EXIT_TROUBLE: u8 = 2;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        Some(Command::Validate(args)) => validate::run(&args),
        Some(Command::Diff(args)) => diff::run(&args),
        Some(Command::Generate(args)) => generate::run(&args),
        Some(Command::Model(command)) => model::run(&command),
        Some(Command::Review(args)) => review::run(&args),
        Some(Command::Train(args)) => train::run(&args),
        Some(Command::Runs(args)) => runs::run(&args),
        Some(Command::Eval(args)) => eval::run(&args),
        Some(Command::TrainWorker(args)) => train::worker(&args),
        None => interface::run(cli.taxonomy),
    };
    ExitCode::from(code)
}
