//! The unified diff of one leaf's files between a base (or HEAD) and the working tree,
//! as lines with kinds for a UI to colour.

use std::path::Path;

use git2::{DiffFormat, DiffOptions, Tree};

use super::base::{self, Base, ResolvedBase};
use super::commit::LEAF_FILES;
use super::error::GitError;
use super::repo::TaxonomyRepo;

/// What a diff line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffLineKind {
    /// `diff --git`, `index`, `---` and `+++` lines.
    FileHeader,
    /// `@@ -a,b +c,d @@`.
    Hunk,
    /// A line only in the working tree.
    Added,
    /// A line only in the old version.
    Removed,
    /// An unchanged line around the changes.
    Context,
    /// `\ No newline at end of file` and similar notes.
    Note,
}

/// One line of a diff, without its line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// What it is.
    pub kind: DiffLineKind,
    /// The text, with its `+`, `-` or space prefix for content lines.
    pub text: String,
}

/// The diff of a leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafDiff {
    /// What the working tree is compared with: the base's name, `HEAD`, or `empty`.
    pub against: String,
    /// The files that differ, relative to the root.
    pub files: Vec<String>,
    /// The lines of the unified diff; empty when nothing differs.
    pub lines: Vec<DiffLine>,
}

impl LeafDiff {
    /// How many lines were added and removed.
    pub fn counts(&self) -> (usize, usize) {
        let count = |kind| self.lines.iter().filter(|l| l.kind == kind).count();
        (count(DiffLineKind::Added), count(DiffLineKind::Removed))
    }
}

impl TaxonomyRepo {
    /// The diff of the leaf in `folder` between `base` (resolved as for the changed
    /// leaves) and the working tree, staged or not, new files included.
    pub fn leaf_diff(&self, folder: &Path, base: &Base) -> Result<LeafDiff, GitError> {
        let repo = self.repository();
        let resolved = base::resolve(repo, base)?;
        let against = match &resolved {
            ResolvedBase::Ref(base) => base.name.clone(),
            ResolvedBase::Empty | ResolvedBase::UnbornHead => "empty".to_owned(),
        };
        let tree = match resolved.diff_from() {
            Some(id) => Some(repo.find_commit(id)?.tree()?),
            None => None,
        };
        self.diff_leaf(folder, tree.as_ref(), against)
    }

    /// The diff of the leaf in `folder` between HEAD and the working tree: what
    /// discarding its changes would lose.
    pub fn leaf_diff_from_head(&self, folder: &Path) -> Result<LeafDiff, GitError> {
        let tree = match self.repository().head() {
            Ok(head) => Some(head.peel_to_tree()?),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) => return Err(e.into()),
        };
        self.diff_leaf(folder, tree.as_ref(), "HEAD".to_owned())
    }

    fn diff_leaf(
        &self,
        folder: &Path,
        from: Option<&Tree<'_>>,
        against: String,
    ) -> Result<LeafDiff, GitError> {
        let mut options = DiffOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .show_untracked_content(true)
            .disable_pathspec_match(true);
        for name in LEAF_FILES {
            options.pathspec(folder.join(name));
        }
        let diff = self
            .repository()
            .diff_tree_to_workdir_with_index(from, Some(&mut options))?;
        let files = diff
            .deltas()
            .filter_map(|delta| delta.new_file().path().or(delta.old_file().path()))
            .map(|path| path.display().to_string())
            .collect();
        let mut lines = Vec::new();
        diff.print(DiffFormat::Patch, |_, _, line| {
            let text = String::from_utf8_lossy(line.content());
            let text = text.trim_end_matches(['\n', '\r']);
            let (kind, prefix) = match line.origin() {
                '+' => (DiffLineKind::Added, "+"),
                '-' => (DiffLineKind::Removed, "-"),
                ' ' => (DiffLineKind::Context, " "),
                'H' => (DiffLineKind::Hunk, ""),
                'F' => (DiffLineKind::FileHeader, ""),
                _ => (DiffLineKind::Note, ""),
            };
            if kind == DiffLineKind::FileHeader {
                lines.extend(text.lines().map(|l| DiffLine {
                    kind,
                    text: l.to_owned(),
                }));
            } else {
                let text = if kind == DiffLineKind::Note {
                    text.trim_start().to_owned()
                } else {
                    format!("{prefix}{text}")
                };
                lines.push(DiffLine { kind, text });
            }
            true
        })?;
        Ok(LeafDiff {
            against,
            files,
            lines,
        })
    }
}
