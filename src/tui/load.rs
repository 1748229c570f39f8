//! Loading what the screens show: the taxonomy, its git marks and branch.

use std::path::Path;

use crate::git::{Base, TaxonomyRepo};
use crate::taxonomy::model::Taxonomy;
use crate::taxonomy::validate::Options;

use super::marks::LeafMarks;

/// The git state the tree and the status bar show.
#[derive(Debug, Clone, PartialEq)]
pub struct GitState {
    /// The leaves' marks against the base, or why there are none.
    pub marks: Result<LeafMarks, String>,
    /// The checked-out branch, if any.
    pub branch: Option<String>,
}

/// A taxonomy read and validated afresh, with its git state.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The taxonomy.
    pub taxonomy: Taxonomy,
    /// Its git state.
    pub git: GitState,
}

/// Loads the taxonomy at `root` with its git state.
pub fn load(root: &Path) -> Loaded {
    Loaded {
        taxonomy: Taxonomy::load(root, &Options::default()),
        git: git_state(root),
    }
}

/// The git marks of the leaves and the checked-out branch.
pub fn git_state(root: &Path) -> GitState {
    match TaxonomyRepo::open(root) {
        Ok(repo) => {
            let branch = repo
                .repository()
                .head()
                .ok()
                .and_then(|head| head.shorthand().ok().map(str::to_owned));
            let marks = repo
                .changes(&Base::Default)
                .map(|changes| LeafMarks::from_changes(&changes))
                .map_err(|e| format!("git: {e}"));
            GitState { marks, branch }
        }
        Err(error) => GitState {
            marks: Err(format!("git: {error}")),
            branch: None,
        },
    }
}
