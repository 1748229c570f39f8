//! `taxon [PATH]`: open the interface on a taxonomy.

use std::path::PathBuf;

use anyhow::bail;

use crate::dirs::AppDirs;
use crate::taxonomy::tree::find_root;

use super::EXIT_OK;

/// Opens the TUI; returns the exit code.
pub fn run(taxonomy: Option<PathBuf>) -> anyhow::Result<u8> {
    let dirs = AppDirs::from_env();
    let _log_guard = crate::logging::init(&dirs.log_file());
    let mut created = None;
    let root = match taxonomy {
        Some(path) if path.exists() => find_root(&path),
        Some(path) => bail!("{}: no such folder", path.display()),
        None => match crate::default_taxonomy::ensure(&dirs)? {
            (root, true) => {
                created = Some(format!(
                    "Created your taxonomy at {} from the bundled sample: a git repository with one commit on main.",
                    root.display()
                ));
                root
            }
            (root, false) => root,
        },
    };
    crate::tui::run(root, &dirs, created)?;
    Ok(EXIT_OK)
}
