//! Git work for the interface, run off the event loop: each job is blocking engine
//! work whose outcome comes back as one message.

use std::path::{Path, PathBuf};

use crate::git::{Base, BranchInfo, LeafDiff, TaxonomyRepo};
use crate::taxonomy::leaf::LEAF_FILE;
use crate::taxonomy::model::Leaf;
use crate::taxonomy::validate::Options;

use super::app::Msg;
use super::load::{git_state, load};

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
        /// Messages to apply afterwards (fresh git state).
        then: Vec<Msg>,
    },
    /// The local branches.
    Branches(Result<Vec<BranchInfo>, String>),
    /// The branch was switched (what to say), then the taxonomy reloaded.
    Switched {
        /// What happened.
        result: Result<String, String>,
        /// Messages to apply afterwards (the reloaded taxonomy).
        then: Vec<Msg>,
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
        /// Messages to apply afterwards (the leaf re-read, fresh git state).
        then: Vec<Msg>,
    },
}

/// Runs `job` on the taxonomy at `root` (blocking) and says how it went.
pub fn run(job: &GitJob, root: &Path) -> Msg {
    let open = || TaxonomyRepo::open(root).map_err(|e| e.to_string());
    let reply = match job {
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
                then: refreshed(root, result.is_ok()),
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
            let then = if result.is_ok() {
                vec![load(root)]
            } else {
                Vec::new()
            };
            GitReply::Switched { result, then }
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
            let then = match (&result, root.join(folder).join(LEAF_FILE).is_file()) {
                (Err(_), _) => Vec::new(),
                (Ok(_), true) => {
                    let leaf = Leaf::read(root, folder.clone(), &Options::default());
                    let mut then = vec![Msg::LeafRead(Box::new(leaf))];
                    then.extend(refreshed(root, true));
                    then
                }
                (Ok(_), false) => vec![load(root)], // the leaf is gone
            };
            GitReply::Discarded { result, then }
        }
    };
    Msg::Git(reply)
}

/// Fresh git marks and branch, when something changed.
fn refreshed(root: &Path, changed: bool) -> Vec<Msg> {
    if !changed {
        return Vec::new();
    }
    let (marks, branch) = git_state(root);
    vec![Msg::GitState { marks, branch }]
}

/// `1 leaf`, `2 leaves`.
fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
