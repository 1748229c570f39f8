//! Discarding a leaf's working-tree changes: its files go back to HEAD's version (a
//! file HEAD does not have is removed, and so are the folders left empty that HEAD
//! does not have). Callers confirm first, naming what is lost.

use std::path::Path;

use std::io::ErrorKind;

use git2::Tree;
use git2::build::CheckoutBuilder;

use super::commit::LEAF_FILES;
use super::error::GitError;
use super::repo::TaxonomyRepo;

impl TaxonomyRepo {
    /// Puts the leaf files of `folder` back as HEAD has them, in the index and the
    /// working tree; a leaf HEAD does not have is removed with the folders it leaves
    /// empty. Returns the files changed.
    pub fn discard_leaf(&self, folder: &Path) -> Result<Vec<String>, GitError> {
        let repo = self.repository();
        let before = self.leaf_diff_from_head(folder)?.files;
        let tree = match repo.head() {
            Ok(head) => Some(head.peel_to_tree()?),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) => return Err(e.into()),
        };
        let mut index = repo.index()?;
        let mut restore = CheckoutBuilder::new();
        restore
            .force()
            .update_index(true)
            .disable_pathspec_match(true);
        let mut any_restored = false;
        let mut any_removed = false;
        for name in LEAF_FILES {
            let path = folder.join(name);
            let in_head = tree.as_ref().is_some_and(|t| t.get_path(&path).is_ok());
            if in_head {
                restore.path(&path);
                any_restored = true;
                continue;
            }
            let file = self.root().join(&path);
            if file.exists() {
                std::fs::remove_file(&file).map_err(|source| GitError::WorkingTree {
                    path: file.clone(),
                    source,
                })?;
                any_removed = true;
            }
            if index.get_path(&path, 0).is_some() {
                index.remove_path(&path)?;
            }
        }
        index.write()?;
        if any_restored {
            repo.checkout_head(Some(&mut restore))?;
        }
        if any_removed {
            self.remove_empty_folders(folder, tree.as_ref())?;
        }
        Ok(before)
    }

    /// Removes `folder` and its parents while they are empty and HEAD (`tree`) does
    /// not have them; stops at the first one holding anything, and at the root.
    fn remove_empty_folders(&self, folder: &Path, tree: Option<&Tree>) -> Result<(), GitError> {
        for relative in folder.ancestors() {
            if relative.as_os_str().is_empty() || tree.is_some_and(|t| t.get_path(relative).is_ok())
            {
                break;
            }
            let path = self.root().join(relative);
            match std::fs::remove_dir(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) if e.kind() == ErrorKind::DirectoryNotEmpty => break,
                Err(source) => return Err(GitError::WorkingTree { path, source }),
            }
        }
        Ok(())
    }
}
