//! Contribution branches: list the local branches, create one at HEAD and switch to
//! it, switch to an existing one without ever overwriting local changes.

use std::cell::RefCell;

use git2::build::CheckoutBuilder;
use git2::{Branch, BranchType, CheckoutNotificationType, ErrorCode};

use super::error::GitError;
use super::repo::TaxonomyRepo;

/// A local branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchInfo {
    /// Its name, e.g. `add-tides`.
    pub name: String,
    /// Whether HEAD is on it.
    pub is_head: bool,
}

impl TaxonomyRepo {
    /// The checked-out branch (also an unborn one), or `None` on a detached HEAD.
    pub fn current_branch(&self) -> Option<String> {
        let repo = self.repository();
        match repo.head() {
            Ok(head) if head.is_branch() => head.shorthand().ok().map(str::to_owned),
            Ok(_) => None,
            Err(_) => repo
                .find_reference("HEAD")
                .ok()
                .and_then(|head| head.symbolic_target().ok().flatten().map(str::to_owned))
                .and_then(|target| target.strip_prefix("refs/heads/").map(str::to_owned)),
        }
    }

    /// The local branches, sorted by name; an unborn current branch is listed too.
    pub fn branches(&self) -> Result<Vec<BranchInfo>, GitError> {
        let current = self.current_branch();
        let mut branches = Vec::new();
        for branch in self.repository().branches(Some(BranchType::Local))? {
            let (branch, _) = branch?;
            if let Some(name) = branch.name()? {
                branches.push(BranchInfo {
                    name: name.to_owned(),
                    is_head: current.as_deref() == Some(name),
                });
            }
        }
        if let Some(name) = current
            && !branches.iter().any(|b| b.name == name)
        {
            branches.push(BranchInfo {
                name,
                is_head: true,
            });
        }
        branches.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(branches)
    }

    /// Creates the branch `name` at HEAD and switches to it; the working tree and the
    /// index stay as they are. On an unborn HEAD the unborn branch is renamed.
    pub fn create_branch(&self, name: &str) -> Result<(), GitError> {
        if !Branch::name_is_valid(name)? {
            return Err(GitError::InvalidBranchName {
                name: name.to_owned(),
            });
        }
        let repo = self.repository();
        match repo.find_branch(name, BranchType::Local) {
            Ok(_) => {
                return Err(GitError::BranchExists {
                    name: name.to_owned(),
                });
            }
            Err(e) if e.code() == ErrorCode::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        for branch in repo.branches(Some(BranchType::Local))? {
            let (branch, _) = branch?;
            if let Some(existing) = branch.name()?
                && (nested(name, existing) || nested(existing, name))
            {
                return Err(GitError::BranchPrefixClash {
                    name: name.to_owned(),
                    existing: existing.to_owned(),
                });
            }
        }
        match repo.head() {
            Ok(head) => {
                let commit = head.peel_to_commit()?;
                repo.branch(name, &commit, false)?;
            }
            Err(e) if e.code() == ErrorCode::UnbornBranch => {}
            Err(e) => return Err(e.into()),
        }
        repo.set_head(&format!("refs/heads/{name}"))?;
        Ok(())
    }

    /// Switches to the local branch `name`, updating the working tree safely: when a
    /// local change would be overwritten nothing changes and the error names the files.
    /// Untracked files that the branch does not have stay.
    pub fn switch_branch(&self, name: &str) -> Result<(), GitError> {
        let repo = self.repository();
        let branch = match repo.find_branch(name, BranchType::Local) {
            Ok(branch) => branch,
            Err(e) if matches!(e.code(), ErrorCode::NotFound | ErrorCode::InvalidSpec) => {
                return Err(GitError::BranchNotFound {
                    name: name.to_owned(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let reference = branch.into_reference();
        let target = reference.peel_to_commit()?;
        let conflicts = RefCell::new(Vec::new());
        let mut checkout = CheckoutBuilder::new();
        checkout
            .safe()
            .notify_on(CheckoutNotificationType::CONFLICT)
            .notify(|_, path, _, _, _| {
                if let Some(path) = path {
                    conflicts.borrow_mut().push(path.display().to_string());
                }
                true
            });
        let result = repo.checkout_tree(target.as_object(), Some(&mut checkout));
        drop(checkout);
        let files = conflicts.into_inner();
        match result {
            Err(_) if !files.is_empty() => {
                return Err(GitError::WouldOverwrite {
                    branch: name.to_owned(),
                    files,
                });
            }
            Err(e) if e.code() == ErrorCode::Conflict => {
                return Err(GitError::WouldOverwrite {
                    branch: name.to_owned(),
                    files: vec![e.message().to_owned()],
                });
            }
            Err(e) => return Err(e.into()),
            Ok(()) => {}
        }
        let reference_name = reference
            .name()
            .map_err(|_| git2::Error::from_str("the branch's name is not UTF-8"))?;
        repo.set_head(reference_name)?;
        Ok(())
    }
}

/// Whether the branch `inner` would live under the branch `outer`'s ref (`a/b` under `a`).
fn nested(inner: &str, outer: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.starts_with('/'))
}
