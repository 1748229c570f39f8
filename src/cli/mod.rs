//! Command-line subcommands over the engines: argument definitions, one module per
//! subcommand, and the shared output formats.
//!
//! Every handler returns `anyhow::Result` over the library's typed errors; [`run`]'s
//! caller prints the whole chain of causes (see [`report`]). Output goes through the
//! [`out!`] and [`note!`] macros: a closed stdout is an error that ends the command
//! quietly, a closed stderr is ignored, so nothing panics on a broken pipe.

/// Prints a line on stdout: `io::Result<()>`, an error when stdout is closed, for the
/// caller to pass up with `?` (the command then ends quietly, see [`report`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::stdio::print_line(format_args!($($arg)*))
    };
}

/// Prints a line on stderr for people; a closed stderr is no reason to stop.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::cli::stdio::note_line(format_args!($($arg)*))
    };
}

pub(crate) mod args;
mod checks;
mod diff;
mod eval;
mod generate;
mod generate_progress;
mod interface;
mod model;
mod output;
mod preview_record;
mod review;
mod review_output;
mod runs;
mod stdio;
mod train;
mod train_progress;
mod validate;

pub use args::{Cli, Command};
pub use stdio::report;

/// Exit code: everything checked is valid.
pub const EXIT_OK: u8 = 0;
/// Exit code: errors were found.
pub const EXIT_ERRORS: u8 = 1;
/// Exit code: the command could not run (usage, I/O).
pub const EXIT_TROUBLE: u8 = 2;

/// Runs a parsed command line; returns the exit code, or why the command could not run.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
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
    }
}
