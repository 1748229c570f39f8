//! An open leaf being edited: the text as loaded, the text as edited, and the file
//! on disk, so an edit is never lost and a file changed underneath is never
//! overwritten blindly.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::atomic_file::{ReplaceError, replace_if_unchanged, write_atomic};
use crate::taxonomy::leaf::LEAF_FILE;

/// How the file on disk compares with what was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskState {
    /// As loaded (or as last saved).
    Unchanged,
    /// Someone else changed it; their text.
    Changed(String),
    /// It was deleted.
    Deleted,
}

/// Why a save did not happen.
#[derive(Debug, Error)]
pub enum SaveError {
    /// The file changed on disk since it was loaded: reload, or keep mine.
    #[error("{0} changed on disk since it was opened")]
    ChangedOnDisk(PathBuf),
    /// Writing failed.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// One leaf file open for editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafBuffer {
    /// The leaf file on disk.
    pub path: PathBuf,
    /// The leaf's folder relative to the taxonomy root.
    pub folder: PathBuf,
    /// The text as loaded or last saved.
    pub saved: String,
    /// The text as edited.
    pub text: String,
}

impl LeafBuffer {
    /// Opens the leaf in `folder` below `root`.
    pub fn open(root: &Path, folder: &Path) -> io::Result<Self> {
        let path = root.join(folder).join(LEAF_FILE);
        let saved = std::fs::read_to_string(&path)?;
        Ok(Self {
            path,
            folder: folder.to_owned(),
            text: saved.clone(),
            saved,
        })
    }

    /// Whether there are unsaved edits.
    pub fn is_dirty(&self) -> bool {
        self.text != self.saved
    }

    /// Compares the file on disk with what was loaded.
    pub fn disk_state(&self) -> DiskState {
        match std::fs::read_to_string(&self.path) {
            Ok(on_disk) if on_disk == self.saved => DiskState::Unchanged,
            Ok(on_disk) => DiskState::Changed(on_disk),
            Err(_) if !self.path.exists() => DiskState::Deleted,
            Err(error) => DiskState::Changed(format!("(unreadable: {error})")),
        }
    }

    /// Saves atomically, only on top of the text loaded (or last saved): a file
    /// changed on disk meanwhile, even by a save landing while this one is made, is
    /// left as it is (see [`replace_if_unchanged`]).
    pub fn save(&mut self) -> Result<(), SaveError> {
        replace_if_unchanged(&self.path, self.saved.as_bytes(), self.text.as_bytes()).map_err(
            |error| match error {
                ReplaceError::Io { path, source } => SaveError::Write { path, source },
                ReplaceError::Changed { .. } | ReplaceError::Removed { .. } => {
                    SaveError::ChangedOnDisk(self.path.clone())
                }
                kept @ ReplaceError::KeptBeside { .. } => SaveError::Write {
                    path: self.path.clone(),
                    source: io::Error::other(kept.to_string()),
                },
            },
        )?;
        self.saved = self.text.clone();
        Ok(())
    }

    /// Saves atomically over whatever is on disk (after the user chose "keep mine").
    pub fn save_over_disk(&mut self) -> Result<(), SaveError> {
        write_atomic(&self.path, self.text.as_bytes()).map_err(|source| SaveError::Write {
            path: self.path.clone(),
            source,
        })?;
        self.saved = self.text.clone();
        Ok(())
    }

    /// Takes the disk's version, dropping the edits (after the user chose "reload").
    pub fn reload(&mut self) -> io::Result<()> {
        let on_disk = std::fs::read_to_string(&self.path)?;
        self.saved = on_disk.clone();
        self.text = on_disk;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn leaf() -> (tempfile::TempDir, LeafBuffer) {
        let dir = tempfile::tempdir().unwrap();
        let folder = Path::new("compositional_skills/a");
        fs::create_dir_all(dir.path().join(folder)).unwrap();
        fs::write(dir.path().join(folder).join("qna.yaml"), "a: 1\n").unwrap();
        let buffer = LeafBuffer::open(dir.path(), folder).unwrap();
        (dir, buffer)
    }

    #[test]
    fn saves_edits() {
        let (_dir, mut buffer) = leaf();
        assert!(!buffer.is_dirty());
        buffer.text = "a: 2\n".into();
        assert!(buffer.is_dirty());
        buffer.save().unwrap();
        assert!(!buffer.is_dirty());
        assert_eq!(fs::read_to_string(&buffer.path).unwrap(), "a: 2\n");
    }

    #[test]
    fn never_overwrites_a_file_changed_underneath() {
        let (_dir, mut buffer) = leaf();
        buffer.text = "a: mine\n".into();
        fs::write(&buffer.path, "a: theirs\n").unwrap();
        assert_eq!(
            buffer.disk_state(),
            DiskState::Changed("a: theirs\n".into())
        );
        assert!(matches!(buffer.save(), Err(SaveError::ChangedOnDisk(_))));
        assert_eq!(fs::read_to_string(&buffer.path).unwrap(), "a: theirs\n");
        let mut keep_theirs = buffer.clone();
        keep_theirs.reload().unwrap();
        assert_eq!(keep_theirs.text, "a: theirs\n");
        buffer.save_over_disk().unwrap();
        assert_eq!(fs::read_to_string(&buffer.path).unwrap(), "a: mine\n");
    }

    #[test]
    fn notices_deletion() {
        let (_dir, buffer) = leaf();
        fs::remove_file(&buffer.path).unwrap();
        assert_eq!(buffer.disk_state(), DiskState::Deleted);
    }
}
