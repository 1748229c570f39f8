//! Opening the git repository that holds a taxonomy.

use std::path::{Path, PathBuf};

use git2::{ErrorCode, Repository};

use super::error::GitError;

/// A taxonomy checked out in a git working tree.
pub struct TaxonomyRepo {
    repo: Repository,
    root: PathBuf,
}

impl TaxonomyRepo {
    /// Finds the repository holding `path` (its root or any folder inside it); the
    /// taxonomy root is the repository's working tree.
    pub fn open(path: &Path) -> Result<Self, GitError> {
        if !path.is_dir() {
            return Err(GitError::NotAFolder {
                path: path.to_path_buf(),
            });
        }
        let repo = Repository::discover(path).map_err(|e| match e.code() {
            ErrorCode::NotFound => GitError::NotARepository {
                path: path.to_path_buf(),
            },
            _ => GitError::Git(e),
        })?;
        let root = match repo.workdir() {
            // libgit2 ends the work dir with a separator; rebuilding it drops that.
            Some(workdir) => workdir.components().collect(),
            None => {
                return Err(GitError::BareRepository {
                    path: repo.path().to_path_buf(),
                });
            }
        };
        Ok(Self { repo, root })
    }

    /// The taxonomy root: the repository's working tree. Taxonomy paths are relative to it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The underlying git2 repository.
    pub fn repository(&self) -> &Repository {
        &self.repo
    }
}
