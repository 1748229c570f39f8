//! `taxon [PATH]`: open the interface on a taxonomy.

use std::path::PathBuf;

use crate::dirs::AppDirs;
use crate::taxonomy::tree::find_root;

use super::{EXIT_OK, EXIT_TROUBLE};

/// Opens the TUI; returns the exit code.
pub fn run(taxonomy: Option<PathBuf>) -> u8 {
    let dirs = AppDirs::from_env();
    let _log_guard = crate::logging::init(&dirs.log_file());
    let mut created = None;
    let root = match taxonomy {
        Some(path) if path.exists() => find_root(&path),
        Some(path) => {
            eprintln!("taxon: {}: no such folder", path.display());
            return EXIT_TROUBLE;
        }
        None => match crate::default_taxonomy::ensure(&dirs) {
            Ok((root, true)) => {
                created = Some(format!(
                    "Created your taxonomy at {} from the bundled sample: a git repository with one commit on main.",
                    root.display()
                ));
                root
            }
            Ok((root, false)) => root,
            Err(error) => {
                eprintln!("taxon: {error:#}");
                return EXIT_TROUBLE;
            }
        },
    };
    match crate::tui::run(root, &dirs, created) {
        Ok(()) => EXIT_OK,
        Err(error) => {
            eprintln!("taxon: {error:#}");
            EXIT_TROUBLE
        }
    }
}
