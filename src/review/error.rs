//! Errors of the review engine.

use std::path::PathBuf;

use crate::git::GitError;

/// What can go wrong while reviewing.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Reading the repository, its diff or its remotes failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The git identity decisions are recorded under is not configured.
    #[error(
        "git has no {key} configured; decisions are recorded under your git identity: set it with `git config {key} \"...\"`"
    )]
    NoIdentity {
        /// `user.name` or `user.email`.
        key: &'static str,
    },
    /// The path given is not a leaf folder or `qna.yaml` inside the taxonomy.
    #[error("{} is not a leaf of this taxonomy (give a leaf folder or its qna.yaml)", path.display())]
    NotALeaf {
        /// The path as given.
        path: PathBuf,
    },
    /// A leaf file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// A leaf file is not YAML, so its examples are unknown.
    #[error("{} is not valid YAML, so its examples cannot be reviewed; run `taxon validate` on it", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
    },
    /// The example number is not one of the leaf's.
    #[error("{leaf} has {count} examples; there is no example {number}")]
    NoSuchExample {
        /// The leaf.
        leaf: String,
        /// The 1-based number asked for.
        number: usize,
        /// How many examples the leaf has.
        count: usize,
    },
    /// Nothing to push: no decision has been recorded in this repository.
    #[error("no review decisions are recorded in this repository yet, so there is nothing to push")]
    NothingToPush,
}

impl From<git2::Error> for ReviewError {
    fn from(error: git2::Error) -> Self {
        Self::Git(GitError::Git(error))
    }
}
