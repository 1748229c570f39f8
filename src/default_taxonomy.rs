//! The user's default taxonomy: created on first use from the bundled sample, as a
//! new git repository with one signed-off commit on `main`.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::dirs::AppDirs;
use crate::git::init_repository_with_files;
use crate::sample::write_sample_taxonomy;

/// The default taxonomy's root, and whether it was just created.
pub fn ensure(dirs: &AppDirs) -> anyhow::Result<(PathBuf, bool)> {
    let root = dirs.default_taxonomy();
    if root.exists() {
        return Ok((root, false));
    }
    // Build it beside its final place, then move it in: a crash never leaves half a
    // taxonomy where the next start would take it for a real one.
    let building = root.with_file_name(".taxonomy.creating");
    let _ = std::fs::remove_dir_all(&building);
    write_sample_taxonomy(&building)
        .with_context(|| format!("writing the sample taxonomy into {}", building.display()))?;
    init_repository_with_files(&building, "Start from the taxon sample taxonomy", None)
        .with_context(|| format!("making {} a git repository", building.display()))?;
    std::fs::rename(&building, &root)
        .with_context(|| format!("moving the new taxonomy to {}", root.display()))?;
    Ok((root, true))
}
