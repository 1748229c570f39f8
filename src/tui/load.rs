//! Loading what the screens show: the taxonomy, its git marks and branch.

use std::path::Path;

use crate::git::{Base, TaxonomyRepo};
use crate::taxonomy::model::Taxonomy;
use crate::taxonomy::validate::Options;

use super::app::Msg;
use super::marks::LeafMarks;

/// Loads the taxonomy at `root` with its git state, as one message.
pub fn load(root: &Path) -> Msg {
    let taxonomy = Taxonomy::load(root, &Options::default());
    let (marks, branch) = git_state(root);
    Msg::Loaded {
        taxonomy: Box::new(taxonomy),
        marks,
        branch,
    }
}

/// The git marks of the leaves and the checked-out branch.
pub fn git_state(root: &Path) -> (Result<LeafMarks, String>, Option<String>) {
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
            (marks, branch)
        }
        Err(error) => (Err(format!("git: {error}")), None),
    }
}
