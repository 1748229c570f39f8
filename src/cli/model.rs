//! `taxon model fetch` and `taxon model path`.

use crate::dirs::AppDirs;
use crate::generate::fetch::{
    Fetched, default_model_path, fetch_default_model, python_interpreter,
};

use super::args::ModelCommand;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_TROUBLE};

/// Runs a `taxon model` subcommand; returns the exit code.
pub fn run(command: &ModelCommand) -> u8 {
    let dirs = AppDirs::from_env();
    match command {
        ModelCommand::Path => {
            let path = default_model_path(&dirs);
            println!("{}", path.display());
            if path.is_file() {
                EXIT_OK
            } else {
                eprintln!("taxon: the default model is not fetched yet; run `taxon model fetch`");
                EXIT_ERRORS
            }
        }
        ModelCommand::Fetch => match fetch_default_model(&dirs, &python_interpreter()) {
            Ok(fetched) => {
                if let Fetched::Downloaded(path) = &fetched {
                    eprintln!("taxon: downloaded and checked {}", path.display());
                }
                println!("{}", fetched.path().display());
                EXIT_OK
            }
            Err(error) => {
                eprintln!("taxon: {error}");
                EXIT_TROUBLE
            }
        },
    }
}
