//! Recovery drafts: unsaved edits written to taxon's state folder as they happen,
//! so they survive a crash or a kill and are offered again on the next start.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic_file::write_atomic;

/// One unsaved edit of one leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The taxonomy root.
    pub root: PathBuf,
    /// The leaf's folder relative to the root.
    pub folder: PathBuf,
    /// The file's text when editing began (to tell whether it changed since).
    pub saved: String,
    /// The edited text.
    pub text: String,
}

/// The drafts folder.
#[derive(Debug, Clone)]
pub struct Drafts {
    dir: PathBuf,
}

impl Drafts {
    /// Drafts kept in `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// A draft's file: named by a stable (FNV-1a) hash of the root and folder.
    fn file(&self, root: &Path, folder: &Path) -> PathBuf {
        let key = format!("{}\0{}", root.display(), folder.display());
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        self.dir.join(format!("{hash:016x}.json"))
    }

    /// Keeps (or replaces) the draft of a leaf.
    pub fn keep(&self, draft: &Draft) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let json = serde_json::to_vec_pretty(draft).map_err(io::Error::other)?;
        write_atomic(&self.file(&draft.root, &draft.folder), &json)
    }

    /// Forgets the draft of a leaf (after it was saved or discarded).
    pub fn forget(&self, root: &Path, folder: &Path) -> io::Result<()> {
        match std::fs::remove_file(self.file(root, folder)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// The drafts left for the taxonomy at `root`, by folder. Unreadable draft
    /// files are skipped (and left in place for a person to look at).
    pub fn for_root(&self, root: &Path) -> Vec<Draft> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut drafts: Vec<Draft> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| serde_json::from_slice::<Draft>(&std::fs::read(e.path()).ok()?).ok())
            .filter(|draft| draft.root == root)
            .collect();
        drafts.sort_by(|a, b| a.folder.cmp(&b.folder));
        drafts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lists_and_forgets_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = Drafts::new(dir.path().join("drafts"));
        let draft = Draft {
            root: PathBuf::from("/t"),
            folder: PathBuf::from("knowledge/a"),
            saved: "a: 1\n".into(),
            text: "a: 2\n".into(),
        };
        drafts.keep(&draft).unwrap();
        let other_root = Draft {
            root: PathBuf::from("/elsewhere"),
            ..draft.clone()
        };
        drafts.keep(&other_root).unwrap();
        assert_eq!(drafts.for_root(Path::new("/t")), vec![draft.clone()]);
        drafts.forget(&draft.root, &draft.folder).unwrap();
        drafts.forget(&draft.root, &draft.folder).unwrap();
        assert!(drafts.for_root(Path::new("/t")).is_empty());
        assert_eq!(drafts.for_root(Path::new("/elsewhere")).len(), 1);
    }
}
