//! An open leaf being edited: the text as loaded, the text as edited, and the file
//! on disk, so an edit is never lost and a file changed underneath is never
//! overwritten blindly.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::atomic_file::{ReplaceError, create_new, replace_if_unchanged};
use crate::git::{DiffLine, DiffLineKind};
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
        self.save_over(&DiskState::Unchanged)
    }

    /// Saves after the user saw the file as `found` on disk (a conflict, "keep
    /// mine"): replaces only that content, or creates the file only if it is still
    /// deleted. Anything else found on disk by then is left as it is.
    pub fn save_over(&mut self, found: &DiskState) -> Result<(), SaveError> {
        let written = match found {
            DiskState::Unchanged => {
                replace_if_unchanged(&self.path, self.saved.as_bytes(), self.text.as_bytes())
            }
            DiskState::Changed(theirs) => {
                replace_if_unchanged(&self.path, theirs.as_bytes(), self.text.as_bytes())
            }
            DiskState::Deleted => create_new(&self.path, self.text.as_bytes()),
        };
        written.map_err(|error| match error {
            ReplaceError::Io { path, source } => SaveError::Write { path, source },
            ReplaceError::Changed { .. } | ReplaceError::Removed { .. } => {
                SaveError::ChangedOnDisk(self.path.clone())
            }
            kept @ ReplaceError::KeptBeside { .. } => SaveError::Write {
                path: self.path.clone(),
                source: io::Error::other(kept.to_string()),
            },
        })?;
        self.saved = self.text.clone();
        Ok(())
    }

    /// What changed on disk since the text was loaded: the unified diff of the
    /// loaded text against `theirs`, hunk headers included.
    pub fn outside_change(&self, theirs: &str) -> Vec<DiffLine> {
        line_diff(&self.saved, theirs)
    }

    /// The unsaved edits: the unified diff of the loaded text against the edited.
    pub fn unsaved_change(&self) -> Vec<DiffLine> {
        line_diff(&self.saved, &self.text)
    }

    /// The edits and the change on disk together (a three-way merge of the loaded
    /// text, the edited text and `theirs`), when the two touch different lines;
    /// `None` when they overlap.
    pub fn merged_with(&self, theirs: &str) -> Option<String> {
        diffy::merge(&self.saved, &self.text, theirs).ok()
    }

    /// Takes the disk's version, dropping the edits (after the user chose "reload").
    pub fn reload(&mut self) -> io::Result<()> {
        let on_disk = std::fs::read_to_string(&self.path)?;
        self.saved = on_disk.clone();
        self.text = on_disk;
        Ok(())
    }
}

/// The unified diff of `old` against `new`, as lines with kinds, hunk headers
/// included.
fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let patch = diffy::create_patch(old, new);
    let mut lines = Vec::new();
    for hunk in patch.hunks() {
        lines.push(DiffLine {
            kind: DiffLineKind::Hunk,
            text: format!("@@ -{} +{} @@", hunk.old_range(), hunk.new_range()),
        });
        lines.extend(hunk.lines().iter().map(|line| {
            let (kind, prefix, text) = match line {
                diffy::Line::Context(text) => (DiffLineKind::Context, ' ', text),
                diffy::Line::Delete(text) => (DiffLineKind::Removed, '-', text),
                diffy::Line::Insert(text) => (DiffLineKind::Added, '+', text),
            };
            DiffLine {
                kind,
                text: format!("{prefix}{}", text.trim_end_matches(['\n', '\r'])),
            }
        }));
    }
    lines
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
        buffer
            .save_over(&DiskState::Changed("a: someone else\n".into()))
            .unwrap_err();
        assert_eq!(fs::read_to_string(&buffer.path).unwrap(), "a: theirs\n");
        buffer
            .save_over(&DiskState::Changed("a: theirs\n".into()))
            .unwrap();
        assert_eq!(fs::read_to_string(&buffer.path).unwrap(), "a: mine\n");
    }

    #[test]
    fn merges_edits_of_other_lines_and_shows_the_outside_change() {
        let (_dir, mut buffer) = leaf();
        buffer.saved = "a: 1\nb: 1\nc: 1\nd: 1\n".into();
        buffer.text = "a: mine\nb: 1\nc: 1\nd: 1\n".into();
        let theirs = "a: 1\nb: 1\nc: 1\nd: theirs\n";
        let outside = buffer.outside_change(theirs);
        let shown: Vec<&str> = outside
            .iter()
            .filter(|l| l.kind != DiffLineKind::Context)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(shown, ["@@ -1,4 +1,4 @@", "-d: 1", "+d: theirs"]);
        assert_eq!(
            buffer.merged_with(theirs).as_deref(),
            Some("a: mine\nb: 1\nc: 1\nd: theirs\n")
        );
        assert_eq!(buffer.merged_with("a: theirs\nb: 1\nc: 1\nd: 1\n"), None);
    }

    #[test]
    fn a_deleted_file_is_created_again_only_if_still_absent() {
        let (_dir, mut buffer) = leaf();
        buffer.text = "a: mine\n".into();
        fs::remove_file(&buffer.path).unwrap();
        assert!(matches!(buffer.save(), Err(SaveError::ChangedOnDisk(_))));
        assert!(!buffer.path.exists());
        buffer.save_over(&DiskState::Deleted).unwrap();
        assert_eq!(fs::read_to_string(&buffer.path).unwrap(), "a: mine\n");
        buffer.text = "a: again\n".into();
        assert!(buffer.save_over(&DiskState::Deleted).is_err());
        assert_eq!(fs::read_to_string(&buffer.path).unwrap(), "a: mine\n");
    }

    #[test]
    fn notices_deletion() {
        let (_dir, buffer) = leaf();
        fs::remove_file(&buffer.path).unwrap();
        assert_eq!(buffer.disk_state(), DiskState::Deleted);
    }
}
