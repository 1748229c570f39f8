//! Blocking git operations on a taxonomy repository (git2); no UI, no async.

mod error;
mod paths;
mod repo;

pub use error::GitError;
pub use paths::{TAXONOMY_FILE_NAME, TAXONOMY_FOLDERS, is_taxonomy_file};
pub use repo::TaxonomyRepo;
