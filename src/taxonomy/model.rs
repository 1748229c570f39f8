//! A whole taxonomy in memory: every leaf under the three top-level folders with
//! its validation report, loaded in parallel.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::leaf::{ATTRIBUTION_FILE, CONTRIBUTABLE_FOLDERS, FOUNDATIONAL_FOLDER, LEAF_FILE};
use super::validate::{Options, Report, validate_file};

/// One leaf of a loaded taxonomy.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    /// The leaf's folder relative to the taxonomy root, e.g.
    /// `knowledge/science/tides`: the leaf's identity.
    pub folder: PathBuf,
    /// Its validation report (content, kind and findings).
    pub report: Report,
    /// The text of its `attribution.txt`, if there is one.
    pub attribution: Option<String>,
    /// The text of its `qna.yaml` as read, if it could be read as UTF-8.
    pub text: Option<String>,
    /// Whether it was read and validated (a scanned leaf is only a name).
    pub checked: bool,
}

impl Leaf {
    /// Reads and validates the leaf in `folder` below `root`.
    pub fn read(root: &Path, folder: PathBuf, options: &Options) -> Self {
        let dir = root.join(&folder);
        let file = dir.join(LEAF_FILE);
        Self {
            report: validate_file(&file, options),
            attribution: std::fs::read_to_string(dir.join(ATTRIBUTION_FILE)).ok(),
            // Only a regular file's text: opening a FIFO would wait for a writer.
            text: std::fs::metadata(&file)
                .is_ok_and(|meta| meta.is_file())
                .then(|| std::fs::read_to_string(&file).ok())
                .flatten(),
            checked: true,
            folder,
        }
    }

    /// A leaf known by its folder only, to be read later.
    pub fn unchecked(folder: PathBuf) -> Self {
        Self {
            report: Report::unchecked(&folder.join(LEAF_FILE)),
            attribution: None,
            text: None,
            checked: false,
            folder,
        }
    }

    /// The leaf's `qna.yaml`, relative to the taxonomy root.
    pub fn file(&self) -> PathBuf {
        self.folder.join(LEAF_FILE)
    }
}

/// A loaded taxonomy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Taxonomy {
    /// The taxonomy root.
    pub root: PathBuf,
    /// Every leaf, sorted by folder.
    pub leaves: Vec<Leaf>,
}

/// The top-level folders a taxonomy holds leaves in, in display order.
pub const TOP_FOLDERS: [&str; 3] = [
    CONTRIBUTABLE_FOLDERS[0],
    CONTRIBUTABLE_FOLDERS[1],
    FOUNDATIONAL_FOLDER,
];

impl Taxonomy {
    /// Loads and validates every leaf below `root`.
    pub fn load(root: &Path, options: &Options) -> Self {
        let mut taxonomy = Self::scan(root);
        taxonomy.leaves = taxonomy
            .leaves
            .par_iter()
            .map(|leaf| Leaf::read(root, leaf.folder.clone(), options))
            .collect();
        taxonomy
    }

    /// Finds every leaf below `root` without reading them (fast: a walk of the
    /// folders), so a tree can be shown before validation is done.
    pub fn scan(root: &Path) -> Self {
        let mut folders: Vec<PathBuf> = TOP_FOLDERS
            .iter()
            .flat_map(|top| {
                WalkDir::new(root.join(top))
                    .into_iter()
                    .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .filter_map(Result::ok)
                    // Any qna.yaml but a folder (a FIFO, a socket) is a leaf, shown
                    // with the error validate reports for it.
                    .filter(|e| !e.file_type().is_dir() && e.file_name() == LEAF_FILE)
                    .filter_map(|e| {
                        e.path()
                            .parent()
                            .and_then(|dir| dir.strip_prefix(root).ok())
                            .map(Path::to_owned)
                    })
            })
            .collect();
        folders.sort();
        Self {
            root: root.to_owned(),
            leaves: folders.into_iter().map(Leaf::unchecked).collect(),
        }
    }

    /// Puts read leaves in place of the ones with the same folders (adding any new).
    pub fn replace(&mut self, leaves: Vec<Leaf>) {
        for leaf in leaves {
            match self.find(&leaf.folder) {
                Some(index) => self.leaves[index] = leaf,
                None => {
                    let index = self.leaves.partition_point(|l| l.folder < leaf.folder);
                    self.leaves.insert(index, leaf);
                }
            }
        }
    }

    /// The index of the leaf in `folder`.
    pub fn find(&self, folder: &Path) -> Option<usize> {
        self.leaves
            .binary_search_by(|leaf| leaf.folder.as_path().cmp(folder))
            .ok()
    }

    /// Re-validates one leaf from disk (after an edit or an outside change); adds it
    /// if it is new, drops it if its file is gone. Returns its index, if it exists.
    pub fn refresh(&mut self, folder: &Path, options: &Options) -> Option<usize> {
        let file = self.root.join(folder).join(LEAF_FILE);
        let position = self
            .leaves
            .binary_search_by(|leaf| leaf.folder.as_path().cmp(folder));
        match (file.is_file(), position) {
            (true, Ok(index)) => {
                self.leaves[index] = Leaf::read(&self.root, folder.to_owned(), options);
                Some(index)
            }
            (true, Err(index)) => {
                self.leaves
                    .insert(index, Leaf::read(&self.root, folder.to_owned(), options));
                Some(index)
            }
            (false, Ok(index)) => {
                self.leaves.remove(index);
                None
            }
            (false, Err(_)) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn loads_refreshes_and_forgets_leaves() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in [
            "knowledge/b",
            "compositional_skills/a",
            "foundational_skills/c",
        ] {
            fs::create_dir_all(root.join(folder)).unwrap();
            fs::write(root.join(folder).join("qna.yaml"), "created_by: me\n").unwrap();
        }
        let options = Options::default();
        let mut taxonomy = Taxonomy::load(root, &options);
        let folders: Vec<_> = taxonomy.leaves.iter().map(|l| l.folder.clone()).collect();
        assert_eq!(
            folders,
            vec![
                PathBuf::from("compositional_skills/a"),
                PathBuf::from("foundational_skills/c"),
                PathBuf::from("knowledge/b"),
            ]
        );
        assert_eq!(taxonomy.find(Path::new("knowledge/b")), Some(2));

        fs::create_dir_all(root.join("compositional_skills/aa")).unwrap();
        fs::write(root.join("compositional_skills/aa/qna.yaml"), "x: 1\n").unwrap();
        assert_eq!(
            taxonomy.refresh(Path::new("compositional_skills/aa"), &options),
            Some(1)
        );
        fs::remove_file(root.join("knowledge/b/qna.yaml")).unwrap();
        assert_eq!(taxonomy.refresh(Path::new("knowledge/b"), &options), None);
        assert_eq!(taxonomy.leaves.len(), 3);
    }
}
