//! The base a taxonomy diff starts from, resolved as upstream's `get_taxonomy_diff` does.

use git2::{BranchType, Commit, Error, ErrorCode, Oid, Repository};

use super::error::GitError;

/// Upstream's default base.
pub const DEFAULT_BASE: &str = "origin/main";

/// The local branch used when [`DEFAULT_BASE`] does not exist.
pub const FALLBACK_BASE: &str = "main";

/// The special base naming the empty tree.
pub const EMPTY_BASE: &str = "empty";

/// The base requested by the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// [`DEFAULT_BASE`], or the local [`FALLBACK_BASE`] branch when the repository has no
    /// `origin/main`.
    Default,
    /// Every taxonomy file in the tree counts as changed (upstream's `empty`).
    Empty,
    /// A remote-tracking branch when it contains `/` (`origin/main`), else a local branch,
    /// else any commit-ish (`v1.0`, `HEAD~3`, a commit id).
    Ref(String),
}

impl Base {
    /// Reads a base given by name: [`EMPTY_BASE`] is [`Base::Empty`], anything else a ref.
    pub fn parse(name: &str) -> Self {
        if name == EMPTY_BASE {
            Self::Empty
        } else {
            Self::Ref(name.to_owned())
        }
    }
}

/// The base actually used for a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedBase {
    /// Base `empty`: the diff starts from the empty tree.
    Empty,
    /// HEAD has no commit yet, so the diff starts from the empty tree whatever the base.
    UnbornHead,
    /// A branch or commit.
    Ref(BaseRef),
}

impl ResolvedBase {
    /// The commit whose tree the diff starts from; `None` means the empty tree.
    pub fn diff_from(&self) -> Option<Oid> {
        match self {
            Self::Ref(base) => Some(base.merge_base),
            Self::Empty | Self::UnbornHead => None,
        }
    }
}

/// A resolved branch or commit base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseRef {
    /// The base used, as named: `origin/main`, `main`, or the commit-ish as given.
    pub name: String,
    /// What `name` turned out to be.
    pub kind: BaseKind,
    /// Whether [`FALLBACK_BASE`] was used because [`DEFAULT_BASE`] does not exist.
    pub is_fallback: bool,
    /// The commit `name` points to.
    pub tip: Oid,
    /// The commit the diff starts from. For a branch, the first commit on HEAD's
    /// first-parent chain that the branch contains (upstream's approximation of the merge
    /// base); for a commit-ish, the commit itself.
    pub merge_base: Oid,
}

/// What kind of ref a base is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseKind {
    /// `refs/remotes/<name>`.
    RemoteBranch,
    /// `refs/heads/<name>`.
    LocalBranch,
    /// Any other commit-ish; the diff starts from it directly.
    Commit,
}

/// Resolves `base` against the repository's HEAD.
pub(super) fn resolve(repo: &Repository, base: &Base) -> Result<ResolvedBase, GitError> {
    if *base == Base::Empty {
        return Ok(ResolvedBase::Empty);
    }
    let Some(head) = head_commit(repo)? else {
        return Ok(ResolvedBase::UnbornHead);
    };
    let target = match base {
        Base::Ref(name) => named_target(repo, name)?,
        Base::Default | Base::Empty => default_target(repo)?,
    };
    let merge_base = match target.kind {
        BaseKind::Commit => target.tip,
        BaseKind::RemoteBranch | BaseKind::LocalBranch => first_contained(repo, head, target.tip)?
            .ok_or_else(|| GitError::BaseNotInHistory {
                base: target.name.clone(),
            })?,
    };
    Ok(ResolvedBase::Ref(BaseRef {
        name: target.name,
        kind: target.kind,
        is_fallback: target.is_fallback,
        tip: target.tip,
        merge_base,
    }))
}

/// A base resolved to its tip, before the diff's starting commit is known.
struct Target {
    name: String,
    kind: BaseKind,
    is_fallback: bool,
    tip: Oid,
}

impl Target {
    fn new(name: &str, kind: BaseKind, tip: Oid) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            is_fallback: false,
            tip,
        }
    }
}

/// HEAD's commit, or `None` when HEAD is unborn.
fn head_commit(repo: &Repository) -> Result<Option<Commit<'_>>, GitError> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_commit()?)),
        Err(e) if e.code() == ErrorCode::UnbornBranch => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `origin/main`, else the local `main` branch.
fn default_target(repo: &Repository) -> Result<Target, GitError> {
    if let Some(tip) = branch_tip(repo, DEFAULT_BASE, BranchType::Remote)? {
        return Ok(Target::new(DEFAULT_BASE, BaseKind::RemoteBranch, tip));
    }
    match branch_tip(repo, FALLBACK_BASE, BranchType::Local)? {
        Some(tip) => Ok(Target {
            is_fallback: true,
            ..Target::new(FALLBACK_BASE, BaseKind::LocalBranch, tip)
        }),
        None => Err(GitError::DefaultBaseNotFound),
    }
}

/// A named base: remote-tracking branch if it contains `/`, else local branch, else commit-ish.
fn named_target(repo: &Repository, name: &str) -> Result<Target, GitError> {
    let not_found = || GitError::RefNotFound {
        base: name.to_owned(),
    };
    if name.contains('/') {
        let tip = branch_tip(repo, name, BranchType::Remote)?.ok_or_else(not_found)?;
        return Ok(Target::new(name, BaseKind::RemoteBranch, tip));
    }
    if let Some(tip) = branch_tip(repo, name, BranchType::Local)? {
        return Ok(Target::new(name, BaseKind::LocalBranch, tip));
    }
    let commit = repo
        .revparse_single(name)
        .and_then(|object| object.peel_to_commit());
    match commit {
        Ok(commit) => Ok(Target::new(name, BaseKind::Commit, commit.id())),
        Err(e) if is_missing(&e) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// The commit a branch points to, or `None` when there is no such branch.
fn branch_tip(repo: &Repository, name: &str, kind: BranchType) -> Result<Option<Oid>, GitError> {
    match repo.find_branch(name, kind) {
        Ok(branch) => Ok(Some(branch.get().peel_to_commit()?.id())),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether a lookup failed because the name does not denote a commit.
fn is_missing(e: &Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::NotFound | ErrorCode::InvalidSpec | ErrorCode::Peel
    )
}

/// The first commit on `head`'s first-parent chain that `tip` contains (is `tip` or an
/// ancestor of it), or `None`.
fn first_contained(repo: &Repository, head: Commit<'_>, tip: Oid) -> Result<Option<Oid>, GitError> {
    // Unrelated histories share no commit: answer without testing every commit of the chain.
    match repo.merge_base(head.id(), tip) {
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    let mut current = head;
    loop {
        let id = current.id();
        if id == tip || repo.graph_descendant_of(tip, id)? {
            return Ok(Some(id));
        }
        match current.parent_ids().next() {
            Some(parent) => current = repo.find_commit(parent)?,
            None => return Ok(None),
        }
    }
}
