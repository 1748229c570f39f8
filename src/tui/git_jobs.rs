//! Git work for the interface, run off the event loop: each job is blocking engine
//! work whose outcome is one [`GitReply`], with what it read again afterwards.

use std::path::{Path, PathBuf};

use crate::git::{Base, BranchInfo, LeafDiff, TaxonomyRepo};
use crate::taxonomy::leaf::LEAF_FILE;
use crate::taxonomy::model::Leaf;
use crate::taxonomy::validate::Options;

use super::load::{GitState, Loaded, git_state, load};

/// Git work the interface asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitJob {
    /// The diff of a leaf against the base.
    Diff {
        /// The leaf.
        folder: PathBuf,
    },
    /// The leaves changed against HEAD, to offer for a commit.
    ListCommitLeaves,
    /// Commit these leaves, signed off.
    Commit {
        /// The leaves.
        folders: Vec<PathBuf>,
        /// The message, without the sign-off.
        message: String,
    },
    /// The local branches.
    ListBranches,
    /// Switch to a branch, or create it at HEAD and switch to it.
    Switch {
        /// The branch.
        branch: String,
        /// Whether to create it.
        create: bool,
    },
    /// What discarding a leaf's changes would lose: its diff against HEAD.
    DiscardPreview {
        /// The leaf.
        folder: PathBuf,
    },
    /// Put a leaf's files back as HEAD has them (the user confirmed).
    Discard {
        /// The leaf.
        folder: PathBuf,
    },
}

/// What a git job read again after it changed the repository or the files.
#[derive(Debug, Clone, PartialEq)]
pub enum Refreshed {
    /// Nothing changed (the job failed).
    Nothing,
    /// Fresh git marks and branch.
    Git(GitState),
    /// A leaf read again, and fresh git marks.
    Leaf(Box<Leaf>, GitState),
    /// The whole taxonomy read again (another branch, or a leaf gone).
    All(Box<Loaded>),
}

/// The outcome of a [`GitJob`]; errors are the engine's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum GitReply {
    /// A leaf's diff against the base.
    Diff {
        /// The leaf.
        folder: PathBuf,
        /// The diff.
        result: Result<LeafDiff, String>,
    },
    /// The leaves changed against HEAD.
    CommitLeaves(Result<Vec<PathBuf>, String>),
    /// A commit was made (what to say), then fresh git marks.
    Committed {
        /// What happened.
        result: Result<String, String>,
        /// The git state afterwards.
        refreshed: Refreshed,
    },
    /// The local branches.
    Branches(Result<Vec<BranchInfo>, String>),
    /// The branch was switched (what to say), then the taxonomy reloaded.
    Switched {
        /// What happened.
        result: Result<String, String>,
        /// The taxonomy of the branch.
        refreshed: Refreshed,
    },
    /// What a discard would lose.
    DiscardPreview {
        /// The leaf.
        folder: PathBuf,
        /// Its diff against HEAD.
        result: Result<LeafDiff, String>,
    },
    /// A leaf's changes were discarded (what to say), then the leaf read again.
    Discarded {
        /// What happened.
        result: Result<String, String>,
        /// The leaf as HEAD has it (or the taxonomy, if the leaf is gone).
        refreshed: Refreshed,
    },
}

/// Runs `job` on the taxonomy at `root` (blocking) and says how it went.
pub fn run(job: &GitJob, root: &Path) -> GitReply {
    let open = || TaxonomyRepo::open(root).map_err(|e| e.to_string());
    match job {
        GitJob::Diff { folder } => GitReply::Diff {
            folder: folder.clone(),
            result: open().and_then(|repo| {
                repo.leaf_diff(folder, &Base::Default)
                    .map_err(|e| e.to_string())
            }),
        },
        GitJob::ListCommitLeaves => GitReply::CommitLeaves(
            open().and_then(|repo| repo.leaves_changed_since_head().map_err(|e| e.to_string())),
        ),
        GitJob::Commit { folders, message } => {
            let result = open().and_then(|repo| {
                let done = repo
                    .commit_leaves(folders, message)
                    .map_err(|e| e.to_string())?;
                let id = done.id.to_string();
                Ok(format!(
                    "committed {} on {}: {}, {} · {}",
                    &id[..7.min(id.len())],
                    done.branch.as_deref().unwrap_or("a detached HEAD"),
                    counted(folders.len(), "leaf", "leaves"),
                    counted(done.files.len(), "file", "files"),
                    done.author.sign_off()
                ))
            });
            GitReply::Committed {
                refreshed: match result {
                    Ok(_) => Refreshed::Git(git_state(root)),
                    Err(_) => Refreshed::Nothing,
                },
                result,
            }
        }
        GitJob::ListBranches => {
            GitReply::Branches(open().and_then(|repo| repo.branches().map_err(|e| e.to_string())))
        }
        GitJob::Switch { branch, create } => {
            let result = open().and_then(|repo| {
                if *create {
                    repo.create_branch(branch).map_err(|e| e.to_string())?;
                    Ok(format!(
                        "created branch {branch} at HEAD and switched to it"
                    ))
                } else {
                    repo.switch_branch(branch).map_err(|e| e.to_string())?;
                    Ok(format!("switched to branch {branch}"))
                }
            });
            let refreshed = match result {
                Ok(_) => Refreshed::All(Box::new(load(root))),
                Err(_) => Refreshed::Nothing,
            };
            GitReply::Switched { result, refreshed }
        }
        GitJob::DiscardPreview { folder } => GitReply::DiscardPreview {
            folder: folder.clone(),
            result: open()
                .and_then(|repo| repo.leaf_diff_from_head(folder).map_err(|e| e.to_string())),
        },
        GitJob::Discard { folder } => {
            let result = open().and_then(|repo| {
                let files = repo.discard_leaf(folder).map_err(|e| e.to_string())?;
                Ok(format!(
                    "discarded the changes to {} (back to HEAD)",
                    files.join(", ")
                ))
            });
            let refreshed = match (&result, root.join(folder).join(LEAF_FILE).is_file()) {
                (Err(_), _) => Refreshed::Nothing,
                (Ok(_), true) => {
                    let leaf = Leaf::read(root, folder.clone(), &Options::default());
                    Refreshed::Leaf(Box::new(leaf), git_state(root))
                }
                (Ok(_), false) => Refreshed::All(Box::new(load(root))), // the leaf is gone
            };
            GitReply::Discarded { result, refreshed }
        }
    }
}

/// `1 leaf`, `2 leaves`.
fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
