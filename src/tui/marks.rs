//! Per-leaf marks shown in the tree: how each leaf changed against the base, and
//! how its review stands.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::git::{Change, TaxonomyChanges};
use crate::review::{LeafReview, Verdict};

/// How a leaf stands in git against the base branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitMark {
    /// Unchanged.
    Clean,
    /// New and not yet known to git.
    Untracked,
    /// Added since the base.
    Added,
    /// Modified since the base.
    Modified,
    /// Renamed or moved since the base.
    Renamed,
}

impl GitMark {
    /// One character for the tree.
    pub fn symbol(self) -> char {
        match self {
            GitMark::Clean => ' ',
            GitMark::Untracked => '?',
            GitMark::Added => 'A',
            GitMark::Modified => 'M',
            GitMark::Renamed => 'R',
        }
    }
}

/// The git marks of the changed leaves, by leaf folder; the base they compare with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeafMarks {
    marks: HashMap<PathBuf, GitMark>,
    /// The base's name as shown in the status bar.
    pub base: Option<String>,
}

impl LeafMarks {
    /// Marks from a diff against the base.
    pub fn from_changes(changes: &TaxonomyChanges) -> Self {
        let marks = changes
            .changed
            .iter()
            .filter_map(|file| {
                let folder = file.path.parent()?.to_owned();
                let mark = match file.change {
                    Change::Added => GitMark::Added,
                    Change::Modified => GitMark::Modified,
                    Change::Untracked => GitMark::Untracked,
                    Change::Renamed { .. } => GitMark::Renamed,
                };
                Some((folder, mark))
            })
            .collect();
        let base = match &changes.base {
            crate::git::ResolvedBase::Ref(base) => Some(base.name.clone()),
            crate::git::ResolvedBase::Empty => Some("empty".to_owned()),
            crate::git::ResolvedBase::UnbornHead => None,
        };
        Self { marks, base }
    }

    /// The mark of the leaf in `folder`.
    pub fn git(&self, folder: &Path) -> GitMark {
        self.marks.get(folder).copied().unwrap_or(GitMark::Clean)
    }

    /// How many leaves changed against the base.
    pub fn changed_count(&self) -> usize {
        self.marks.len()
    }
}

/// The review state of the queued leaves, by leaf folder, for the tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewMarks {
    verdicts: HashMap<PathBuf, Option<Verdict>>,
}

impl ReviewMarks {
    /// The verdicts of the queued leaves (`None`: pending).
    pub fn from_leaves(leaves: &[LeafReview]) -> Self {
        let verdicts = leaves
            .iter()
            .map(|l| (PathBuf::from(&l.leaf.leaf), l.verdict()))
            .collect();
        Self { verdicts }
    }

    /// The review state of the leaf in `folder`: `None` when it is not in the queue,
    /// `Some(None)` while pending.
    pub fn get(&self, folder: &Path) -> Option<Option<Verdict>> {
        self.verdicts.get(folder).copied()
    }
}
