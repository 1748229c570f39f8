//! Command-line subcommands over the engines.
