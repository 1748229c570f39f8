//! Listing taxonomy files in a plain folder, without git.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::error::GitError;
use crate::taxonomy::leaf::{CONTRIBUTABLE_FOLDERS, is_checked_leaf_file};

/// Every taxonomy file under `root`, relative to it and sorted (upstream's `_get_taxonomy`).
pub(super) fn taxonomy_files(root: &Path) -> Result<Vec<PathBuf>, GitError> {
    let mut files = Vec::new();
    for folder in CONTRIBUTABLE_FOLDERS {
        let dir = root.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for entry in WalkDir::new(&dir) {
            let entry = entry.map_err(|source| GitError::Walk {
                path: dir.clone(),
                source,
            })?;
            if entry.file_type().is_dir() {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(root) else {
                continue;
            };
            if is_checked_leaf_file(relative) {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    Ok(files)
}
