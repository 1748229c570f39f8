//! The changed taxonomy files of a working tree, as upstream's `get_taxonomy_diff` finds them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use git2::{Delta, DiffFindOptions, DiffOptions, Repository, Tree};

use super::base::{self, Base, ResolvedBase};
use super::error::GitError;
use super::repo::TaxonomyRepo;
use super::walk;
use crate::taxonomy::leaf::{CONTRIBUTABLE_FOLDERS, is_checked_leaf_file};

/// How a taxonomy file differs from the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Not in the base; committed since, or staged.
    Added,
    /// Changed since the base, committed, staged or not.
    Modified,
    /// Moved here from `from` (which may lie outside the taxonomy folders).
    Renamed {
        /// The old path, relative to the taxonomy root.
        from: PathBuf,
    },
    /// Not tracked by git (and not ignored).
    Untracked,
}

/// One changed taxonomy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    /// The path relative to the taxonomy root, such as `knowledge/science/birds/qna.yaml`.
    pub path: PathBuf,
    /// How it changed.
    pub change: Change,
}

/// The taxonomy files changed since a base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyChanges {
    /// The taxonomy root; every path below is relative to it.
    pub root: PathBuf,
    /// The base the changes are measured from.
    pub base: ResolvedBase,
    /// Changed taxonomy files that still exist, sorted by path: upstream's list.
    pub changed: Vec<ChangedFile>,
    /// Taxonomy files of the base that are gone (or moved out of the taxonomy), sorted.
    pub deleted: Vec<PathBuf>,
}

impl TaxonomyChanges {
    /// The changed paths, sorted.
    pub fn changed_paths(&self) -> impl Iterator<Item = &Path> {
        self.changed.iter().map(|file| file.path.as_path())
    }
}

/// The taxonomy files changed since `base` in the taxonomy holding `path`.
///
/// With [`Base::Empty`] a folder outside any git repository is accepted too: every
/// taxonomy file under it is listed as untracked.
pub fn changed_taxonomy_files(path: &Path, base: &Base) -> Result<TaxonomyChanges, GitError> {
    match TaxonomyRepo::open(path) {
        Ok(repo) => repo.changes(base),
        Err(GitError::NotARepository { .. }) if *base == Base::Empty => Ok(TaxonomyChanges {
            root: path.to_path_buf(),
            base: ResolvedBase::Empty,
            changed: walk::taxonomy_files(path)?
                .into_iter()
                .map(|path| ChangedFile {
                    path,
                    change: Change::Untracked,
                })
                .collect(),
            deleted: Vec::new(),
        }),
        Err(e) => Err(e),
    }
}

impl TaxonomyRepo {
    /// The taxonomy files changed since `base`: untracked ones, plus those differing
    /// between the base's starting commit and the working tree (staged or not).
    pub fn changes(&self, base: &Base) -> Result<TaxonomyChanges, GitError> {
        let repo = self.repository();
        let resolved = base::resolve(repo, base)?;
        let from = match resolved.diff_from() {
            Some(id) => Some(repo.find_commit(id)?.tree()?),
            None => None,
        };
        let (mut changed, mut deleted) = tracked_changes(repo, from.as_ref())?;
        for path in untracked_taxonomy_files(repo)? {
            changed.entry(path).or_insert(Change::Untracked);
        }
        deleted.retain(|path| !changed.contains_key(path));
        Ok(TaxonomyChanges {
            root: self.root().to_path_buf(),
            base: resolved,
            changed: changed
                .into_iter()
                .map(|(path, change)| ChangedFile { path, change })
                .collect(),
            deleted: deleted.into_iter().collect(),
        })
    }
}

/// Taxonomy files changed and deleted between `from` (`None`: the empty tree) and the
/// working tree, through the index, with renames detected.
fn tracked_changes(
    repo: &Repository,
    from: Option<&Tree<'_>>,
) -> Result<(BTreeMap<PathBuf, Change>, BTreeSet<PathBuf>), GitError> {
    let mut options = DiffOptions::new();
    options.include_typechange(true).ignore_submodules(true);
    let mut diff = repo.diff_tree_to_workdir_with_index(from, Some(&mut options))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;

    let mut changed = BTreeMap::new();
    let mut deleted = BTreeSet::new();
    for delta in diff.deltas() {
        let old_path = delta.old_file().path();
        // libgit2 fills the new side of a deletion with the old path: only trust it below.
        let new_path = delta.new_file().path().filter(|p| is_checked_leaf_file(p));
        let (path, change) = match (delta.status(), new_path) {
            (Delta::Deleted, _) | (Delta::Renamed, None) => {
                if let Some(path) = old_path.filter(|p| is_checked_leaf_file(p)) {
                    deleted.insert(path.to_path_buf());
                }
                continue;
            }
            (Delta::Unmodified | Delta::Ignored | Delta::Untracked, _) | (_, None) => continue,
            (Delta::Renamed, Some(path)) => {
                let from = old_path.map(Path::to_path_buf).unwrap_or_default();
                (path, Change::Renamed { from })
            }
            (Delta::Added | Delta::Copied, Some(path)) => (path, Change::Added),
            (
                Delta::Modified | Delta::Typechange | Delta::Conflicted | Delta::Unreadable,
                Some(path),
            ) => (path, Change::Modified),
        };
        changed.insert(path.to_path_buf(), change);
    }
    Ok((changed, deleted))
}

/// Untracked, not ignored taxonomy files (`git ls-files --others --exclude-standard`).
fn untracked_taxonomy_files(repo: &Repository) -> Result<Vec<PathBuf>, GitError> {
    let mut options = DiffOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .ignore_submodules(true);
    for folder in CONTRIBUTABLE_FOLDERS {
        options.pathspec(folder);
    }
    let diff = repo.diff_index_to_workdir(None, Some(&mut options))?;
    Ok(diff
        .deltas()
        .filter(|delta| delta.status() == Delta::Untracked)
        .filter_map(|delta| delta.new_file().path())
        .filter(|path| is_checked_leaf_file(path))
        .map(Path::to_path_buf)
        .collect())
}
