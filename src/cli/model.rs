//! `taxon model fetch` and `taxon model path`.

use crate::dirs::AppDirs;
use crate::generate::fetch::{
    Fetched, default_model_path, fetch_default_model, python_interpreter,
};

use super::args::ModelCommand;
use super::{EXIT_ERRORS, EXIT_OK};

/// Runs a `taxon model` subcommand; returns the exit code.
pub fn run(command: &ModelCommand) -> anyhow::Result<u8> {
    let dirs = AppDirs::from_env();
    match command {
        ModelCommand::Path => {
            let path = default_model_path(&dirs);
            out!("{}", path.display())?;
            if path.is_file() {
                Ok(EXIT_OK)
            } else {
                note!("taxon: the default model is not fetched yet; run `taxon model fetch`");
                Ok(EXIT_ERRORS)
            }
        }
        ModelCommand::Fetch => {
            let fetched = fetch_default_model(&dirs, &python_interpreter())?;
            if let Fetched::Downloaded(path) = &fetched {
                note!("taxon: downloaded and checked {}", path.display());
            }
            out!("{}", fetched.path().display())?;
            Ok(EXIT_OK)
        }
    }
}
