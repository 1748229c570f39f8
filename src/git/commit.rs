//! Committing leaves: stage the chosen leaf folders' files and commit them, signed off
//! (DCO) by the author, on the current branch.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Index, Oid, Repository, Signature, Status, StatusOptions};

use super::error::GitError;
use super::repo::TaxonomyRepo;
use crate::taxonomy::leaf::{ATTRIBUTION_FILE, CONTRIBUTABLE_FOLDERS, LEAF_FILE};

/// The files of a leaf folder that taxon stages, commits and discards.
pub const LEAF_FILES: [&str; 2] = [LEAF_FILE, ATTRIBUTION_FILE];

/// A git identity: who authors and signs off a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `user.name`.
    pub name: String,
    /// `user.email`.
    pub email: String,
}

impl Identity {
    /// The DCO trailer of this identity.
    pub fn sign_off(&self) -> String {
        format!("Signed-off-by: {} <{}>", self.name, self.email)
    }
}

/// The configured identity of `repo` (`user.name`, `user.email`); an error naming the
/// missing key when one is not set.
pub fn identity(repo: &Repository) -> Result<Identity, GitError> {
    let config = repo.config()?;
    let get = |key: &'static str| match config.get_string(key) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        Ok(_) => Err(GitError::NoIdentity { key }),
        Err(e) if e.code() == ErrorCode::NotFound => Err(GitError::NoIdentity { key }),
        Err(e) => Err(e.into()),
    };
    Ok(Identity {
        name: get("user.name")?,
        email: get("user.email")?,
    })
}

/// `message` with a blank line and the sign-off of `author` after it (once).
pub fn signed_off_message(message: &str, author: &Identity) -> String {
    let message = message.trim_end();
    let trailer = author.sign_off();
    if message.lines().any(|line| line.trim() == trailer) {
        format!("{message}\n")
    } else {
        format!("{message}\n\n{trailer}\n")
    }
}

/// A commit made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// The new commit.
    pub id: Oid,
    /// The branch it was made on, if HEAD is a branch.
    pub branch: Option<String>,
    /// The author, who also signed it off.
    pub author: Identity,
    /// The files committed (added, modified or deleted), relative to the root.
    pub files: Vec<PathBuf>,
}

impl TaxonomyRepo {
    /// The leaf folders whose `qna.yaml` or `attribution.txt` differs from HEAD (staged,
    /// unstaged, untracked or deleted), sorted. On an unborn HEAD every leaf counts.
    pub fn leaves_changed_since_head(&self) -> Result<Vec<PathBuf>, GitError> {
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(true);
        for folder in CONTRIBUTABLE_FOLDERS {
            options.pathspec(folder);
        }
        let statuses = self.repository().statuses(Some(&mut options))?;
        let mut folders = BTreeSet::new();
        for entry in statuses.iter() {
            if entry.status() == Status::CURRENT || entry.status().contains(Status::IGNORED) {
                continue;
            }
            let Ok(path) = entry.path().map(Path::new) else {
                continue;
            };
            let is_leaf_file = path
                .file_name()
                .is_some_and(|name| LEAF_FILES.iter().any(|f| name == *f));
            if let (true, Some(folder)) = (is_leaf_file, path.parent()) {
                folders.insert(folder.to_path_buf());
            }
        }
        Ok(folders.into_iter().collect())
    }

    /// Stages the leaf files of `folders` (additions, modifications and deletions) and
    /// commits exactly those on the current branch (an unborn one too), with `message`
    /// signed off by the author from git config. Other staged changes stay staged and
    /// out of the commit. Refuses when none of the files differs from HEAD.
    pub fn commit_leaves(&self, folders: &[PathBuf], message: &str) -> Result<Committed, GitError> {
        if message.trim().is_empty() {
            return Err(GitError::EmptyMessage);
        }
        let repo = self.repository();
        let author = identity(repo)?;
        let head = match repo.head() {
            Ok(head) => Some(head.peel_to_commit()?),
            Err(e) if e.code() == ErrorCode::UnbornBranch => None,
            Err(e) => return Err(e.into()),
        };
        let mut index = repo.index()?;
        let mut tree_index = Index::new()?;
        if let Some(head) = &head {
            tree_index.read_tree(&head.tree()?)?;
        }
        let mut files = Vec::new();
        let result = (|| {
            for folder in folders {
                for name in LEAF_FILES {
                    let path = folder.join(name);
                    let in_tree = tree_index.get_path(&path, 0).is_some();
                    if self.root().join(&path).is_file() {
                        index.add_path(&path)?;
                        let entry = index.get_path(&path, 0).ok_or_else(|| {
                            git2::Error::from_str("a staged file is missing from the index")
                        })?;
                        let unchanged = tree_index
                            .get_path(&path, 0)
                            .is_some_and(|old| old.id == entry.id && old.mode == entry.mode);
                        if !unchanged {
                            tree_index.add(&entry)?;
                            files.push(path);
                        }
                    } else if in_tree {
                        index.remove_path(&path)?;
                        tree_index.remove_path(&path)?;
                        files.push(path);
                    } else if index.get_path(&path, 0).is_some() {
                        index.remove_path(&path)?; // staged, then deleted: unstage it
                    }
                }
            }
            if files.is_empty() {
                return Err(GitError::NothingToCommit {
                    leaves: folders.iter().map(|f| f.display().to_string()).collect(),
                });
            }
            let tree = repo.find_tree(tree_index.write_tree_to(repo)?)?;
            let signature = Signature::now(&author.name, &author.email)?;
            let parents: Vec<&git2::Commit<'_>> = head.iter().collect();
            let id = repo.commit(
                Some("HEAD"),
                &signature,
                &signature,
                &signed_off_message(message, &author),
                &tree,
                &parents,
            )?;
            index.write()?;
            Ok(id)
        })();
        let id = match result {
            Ok(id) => id,
            Err(error) => {
                index.read(true)?; // drop the half-staged changes
                return Err(error);
            }
        };
        let branch = repo
            .head()
            .ok()
            .and_then(|head| head.shorthand().ok().map(str::to_owned));
        Ok(Committed {
            id,
            branch,
            author,
            files,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone() -> Identity {
        Identity {
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
        }
    }

    #[test]
    fn sign_off_follows_a_blank_line_once() {
        assert_eq!(
            signed_off_message("Add tides\n\n", &someone()),
            "Add tides\n\nSigned-off-by: Ada Lovelace <ada@example.com>\n"
        );
        let already = "Add tides\n\nSigned-off-by: Ada Lovelace <ada@example.com>";
        assert_eq!(
            signed_off_message(already, &someone()),
            format!("{already}\n")
        );
    }
}
