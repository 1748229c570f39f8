//! The tree pane's model: collapsible folders over the taxonomy's leaves, with
//! counts per folder, flattened into the rows on screen.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::taxonomy::model::{TOP_FOLDERS, Taxonomy};

use super::editing::OpenLeaves;
use super::marks::{GitMark, LeafMarks};

/// Totals of the leaves below a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FolderStats {
    /// Leaves below.
    pub leaves: usize,
    /// Leaves with errors.
    pub invalid: usize,
    /// Leaves with warnings only.
    pub warned: usize,
    /// Leaves changed in git.
    pub changed: usize,
}

/// One row of the tree pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// A folder.
    Folder {
        /// Its path from the taxonomy root.
        path: PathBuf,
        /// How deep it is (top folders are 0).
        depth: usize,
        /// Whether its children are shown.
        expanded: bool,
        /// Totals below it.
        stats: FolderStats,
    },
    /// A leaf: the index of the leaf in the taxonomy.
    Leaf {
        /// Index in `Taxonomy::leaves`.
        index: usize,
        /// How deep it is.
        depth: usize,
    },
}

impl Row {
    /// The row's name as shown (the last path component).
    pub fn name<'a>(&'a self, taxonomy: &'a Taxonomy) -> String {
        let path = match self {
            Row::Folder { path, .. } => path.as_path(),
            Row::Leaf { index, .. } => taxonomy.leaves[*index].folder.as_path(),
        };
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    }
}

/// The tree pane: which folders are open, the rows they give, the selected row.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    expanded: HashSet<PathBuf>,
    stats: HashMap<PathBuf, FolderStats>,
    /// The rows on screen, top to bottom.
    pub rows: Vec<Row>,
    /// The selected row.
    pub selected: usize,
}

impl Tree {
    /// A tree with the top folders open.
    pub fn new(taxonomy: &Taxonomy, marks: &LeafMarks, edited: &OpenLeaves) -> Self {
        let mut tree = Self {
            expanded: TOP_FOLDERS.iter().map(PathBuf::from).collect(),
            ..Self::default()
        };
        tree.rebuild(taxonomy, marks, edited);
        tree
    }

    /// Recomputes the totals and rows after the taxonomy, the marks or the
    /// validation of an `edited` leaf changed, keeping the selection on the same
    /// leaf or folder. Edited leaves count as their edited text validates.
    pub fn rebuild(&mut self, taxonomy: &Taxonomy, marks: &LeafMarks, edited: &OpenLeaves) {
        let selected = self.rows.get(self.selected).cloned();
        self.stats = folder_stats(taxonomy, marks, edited);
        self.rows = self.flatten(taxonomy);
        if let Some(previous) = selected {
            let same = |row: &Row| match (row, &previous) {
                (Row::Folder { path: a, .. }, Row::Folder { path: b, .. }) => a == b,
                (Row::Leaf { index: a, .. }, Row::Leaf { index: b, .. }) => a == b,
                _ => false,
            };
            if let Some(position) = self.rows.iter().position(same) {
                self.selected = position;
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    fn flatten(&self, taxonomy: &Taxonomy) -> Vec<Row> {
        let mut rows = Vec::new();
        let mut open_folders: Vec<&Path> = Vec::new();
        for (index, leaf) in taxonomy.leaves.iter().enumerate() {
            let mut ancestors: Vec<&Path> = leaf
                .folder
                .ancestors()
                .skip(1)
                .filter(|p| !p.as_os_str().is_empty())
                .collect();
            ancestors.reverse();
            let common = open_folders
                .iter()
                .zip(&ancestors)
                .take_while(|(a, b)| a == b)
                .count();
            open_folders.truncate(common);
            for (depth, folder) in ancestors.iter().enumerate().skip(common) {
                if open_folders.iter().all(|f| self.expanded.contains(*f)) {
                    rows.push(Row::Folder {
                        path: folder.to_path_buf(),
                        depth,
                        expanded: self.expanded.contains(*folder),
                        stats: self.stats.get(*folder).copied().unwrap_or_default(),
                    });
                }
                open_folders.push(folder);
            }
            if open_folders.iter().all(|f| self.expanded.contains(*f)) {
                rows.push(Row::Leaf {
                    index,
                    depth: ancestors.len(),
                });
            }
        }
        rows
    }

    /// The selected row.
    pub fn current(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    /// The leaf selected, if the selected row is a leaf.
    pub fn selected_leaf(&self) -> Option<usize> {
        match self.current() {
            Some(Row::Leaf { index, .. }) => Some(*index),
            _ => None,
        }
    }

    /// Moves the selection by `delta` rows, within bounds.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Opens or closes a folder.
    pub fn set_expanded(&mut self, taxonomy: &Taxonomy, folder: &Path, open: bool) {
        if open {
            self.expanded.insert(folder.to_owned());
        } else {
            self.expanded.remove(folder);
        }
        self.rows = self.flatten(taxonomy);
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// Opens every folder, or closes all but the top ones.
    pub fn set_all_expanded(&mut self, taxonomy: &Taxonomy, open: bool) {
        self.expanded = if open {
            self.stats.keys().cloned().collect()
        } else {
            TOP_FOLDERS.iter().map(PathBuf::from).collect()
        };
        let keep = self.selected_leaf();
        self.rows = self.flatten(taxonomy);
        match keep {
            Some(index) if open => self.select_leaf(taxonomy, index),
            _ => self.selected = self.selected.min(self.rows.len().saturating_sub(1)),
        }
    }

    /// Selects a leaf, opening the folders above it.
    pub fn select_leaf(&mut self, taxonomy: &Taxonomy, index: usize) {
        let Some(leaf) = taxonomy.leaves.get(index) else {
            return;
        };
        for folder in leaf.folder.ancestors().skip(1) {
            if !folder.as_os_str().is_empty() {
                self.expanded.insert(folder.to_owned());
            }
        }
        self.rows = self.flatten(taxonomy);
        if let Some(position) = self
            .rows
            .iter()
            .position(|row| matches!(row, Row::Leaf { index: i, .. } if *i == index))
        {
            self.selected = position;
        }
    }

    /// Selects the folder row of `folder`'s parent (for "collapse" on a leaf).
    pub fn select_parent(&mut self) {
        let depth = match self.current() {
            Some(Row::Folder { depth, .. } | Row::Leaf { depth, .. }) => *depth,
            None => return,
        };
        if let Some(position) = self.rows[..self.selected]
            .iter()
            .rposition(|row| matches!(row, Row::Folder { depth: d, .. } if *d + 1 == depth))
        {
            self.selected = position;
        }
    }
}

fn folder_stats(
    taxonomy: &Taxonomy,
    marks: &LeafMarks,
    edited: &OpenLeaves,
) -> HashMap<PathBuf, FolderStats> {
    let mut stats: BTreeMap<&Path, FolderStats> = BTreeMap::new();
    for leaf in &taxonomy.leaves {
        let report = edited.report_of(leaf);
        let changed = marks.git(&leaf.folder) != GitMark::Clean;
        for folder in leaf.folder.ancestors().skip(1) {
            if folder.as_os_str().is_empty() {
                continue;
            }
            let entry = stats.entry(folder).or_default();
            entry.leaves += 1;
            if !report.is_valid() {
                entry.invalid += 1;
            } else if report.warning_count() > 0 {
                entry.warned += 1;
            }
            if changed {
                entry.changed += 1;
            }
        }
    }
    stats.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::validate::Options;
    use std::fs;

    fn taxonomy(folders: &[&str]) -> (tempfile::TempDir, Taxonomy) {
        let dir = tempfile::tempdir().unwrap();
        for folder in folders {
            fs::create_dir_all(dir.path().join(folder)).unwrap();
            fs::write(dir.path().join(folder).join("qna.yaml"), "created_by: me\n").unwrap();
        }
        let taxonomy = Taxonomy::load(dir.path(), &Options::default());
        (dir, taxonomy)
    }

    fn names(tree: &Tree, taxonomy: &Taxonomy) -> Vec<String> {
        tree.rows
            .iter()
            .map(|row| {
                let depth = match row {
                    Row::Folder { depth, .. } | Row::Leaf { depth, .. } => *depth,
                };
                format!("{}{}", "  ".repeat(depth), row.name(taxonomy))
            })
            .collect()
    }

    #[test]
    fn folds_and_unfolds() {
        let (_dir, taxonomy) = taxonomy(&[
            "compositional_skills/linguistics/synonyms",
            "compositional_skills/linguistics/writing/rewriting",
            "knowledge/science/tides",
        ]);
        let marks = LeafMarks::default();
        let mut tree = Tree::new(&taxonomy, &marks, &OpenLeaves::default());
        assert_eq!(
            names(&tree, &taxonomy),
            vec![
                "compositional_skills",
                "  linguistics",
                "knowledge",
                "  science"
            ]
        );
        tree.set_expanded(
            &taxonomy,
            Path::new("compositional_skills/linguistics"),
            true,
        );
        assert_eq!(
            names(&tree, &taxonomy),
            vec![
                "compositional_skills",
                "  linguistics",
                "    synonyms",
                "    writing",
                "knowledge",
                "  science"
            ]
        );
        tree.select_leaf(&taxonomy, 1);
        assert_eq!(tree.selected_leaf(), Some(1));
        assert_eq!(names(&tree, &taxonomy)[tree.selected], "      rewriting");
        tree.select_parent();
        assert_eq!(names(&tree, &taxonomy)[tree.selected], "    writing");
        tree.set_expanded(&taxonomy, Path::new("compositional_skills"), false);
        assert_eq!(
            names(&tree, &taxonomy),
            vec!["compositional_skills", "knowledge", "  science"]
        );
        let Row::Folder { stats, .. } = &tree.rows[0] else {
            panic!()
        };
        assert_eq!(stats.leaves, 2);
    }
}
