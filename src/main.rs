//! The `taxon` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: allocation is a fifth of `taxon validate`'s time (every scalar, token
/// and node), and this allocator takes 10% off the whole run (see the README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let code = taxon::cli::run(taxon::cli::Cli::parse())
        .unwrap_or_else(|error| taxon::cli::report(&error));
    ExitCode::from(code)
}
