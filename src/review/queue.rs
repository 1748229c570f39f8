//! The review queue: the leaves changed against the base (as `taxon diff` finds them),
//! each with its examples paired with the base version and a line diff per changed one.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff, capture_diff_slices};

use crate::git::{Base, Change, ResolvedBase, TaxonomyRepo};
use crate::taxonomy::leaf::LEAF_FILE;
use crate::taxonomy::qna::Qna;
use crate::taxonomy::validate::{Options, Report, validate_file};
use crate::taxonomy::yaml;

use super::error::ReviewError;
use super::example::{ContentHash, ExampleContent, LeafHashes};
use super::fields::{FieldsChange, LeafFields};
use crate::taxonomy::diagnostic::Diagnostic;

/// One line of an example's diff against its base version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `' '` kept, `'-'` removed, `'+'` added.
    pub sign: char,
    /// The line, without its end.
    pub text: String,
}

/// How an example differs from the base version of the leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ExampleChange {
    /// The base has the same content (maybe at another position).
    Unchanged {
        /// Its 0-based position in the base.
        base_index: usize,
    },
    /// New: nothing in the base pairs with it.
    Added,
    /// An edit of the base's example at `base_index`.
    Modified {
        /// The 0-based position in the base of the example it replaces.
        base_index: usize,
        /// The line diff from the base version.
        diff: Vec<DiffLine>,
    },
}

/// One example of a queued leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueExample {
    /// Its 0-based position in `seed_examples`.
    pub index: usize,
    /// Its normalised content.
    pub content: ExampleContent,
    /// The hash decisions are tied to.
    pub hash: ContentHash,
    /// How it differs from the base.
    pub change: ExampleChange,
}

/// A leaf waiting for review.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueLeaf {
    /// The leaf folder relative to the taxonomy root, `/`-separated: the review key.
    pub leaf: String,
    /// The leaf's `qna.yaml` on disk.
    pub file: PathBuf,
    /// How the file changed against the base.
    pub change: Change,
    /// Its validation, as `taxon validate` reports it.
    pub report: Report,
    /// Its examples now, in order.
    pub examples: Vec<QueueExample>,
    /// Examples of the base version that are gone, with their 0-based base positions.
    pub removed: Vec<(usize, ExampleContent)>,
    /// The change of its own fields (`task_description`, `document`, ...) against the
    /// base, reviewed as an item of its own; `None` when they are unchanged.
    pub fields: Option<FieldsChange>,
    /// Why the leaf cannot be read (its first error, with line and column), if it
    /// cannot: then its examples, fields and content checks are unknown, not empty.
    pub unreadable: Option<Diagnostic>,
}

impl QueueLeaf {
    /// The hashes of its examples, in order.
    pub fn hashes(&self) -> Vec<ContentHash> {
        self.examples.iter().map(|e| e.hash.clone()).collect()
    }

    /// Its examples' and own fields' hashes.
    pub fn leaf_hashes(&self) -> LeafHashes {
        LeafHashes {
            examples: self.hashes(),
            fields: LeafFields::of(self.report.qna.as_ref().unwrap_or(&Qna::default())).hash(),
        }
    }

    /// The hash of the whole leaf: what verdicts and previews are tied to.
    pub fn leaf_hash(&self) -> ContentHash {
        self.leaf_hashes().leaf()
    }

    /// Why it cannot be read, for people: `key/qna.yaml:line:col: message`.
    pub fn why_unreadable(&self) -> Option<String> {
        self.unreadable.as_ref().map(|d| {
            format!(
                "{}/{LEAF_FILE}:{}:{}: {}",
                self.leaf, d.line, d.col, d.message
            )
        })
    }
}

/// The leaves to review, in path order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewQueue {
    /// The taxonomy root.
    pub root: PathBuf,
    /// The base the changes are measured from.
    pub base: ResolvedBase,
    /// The changed leaves that still exist.
    pub leaves: Vec<QueueLeaf>,
    /// Leaf files of the base that are gone, relative to the root.
    pub deleted: Vec<PathBuf>,
}

/// The review key of a leaf file or folder relative to the taxonomy root: its folder,
/// `/`-separated.
pub fn leaf_key(relative: &Path) -> String {
    let folder = if relative.file_name().is_some_and(|n| n == LEAF_FILE) {
        relative.parent().unwrap_or(relative)
    } else {
        relative
    };
    folder
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The review key and `qna.yaml` of the leaf named by `given` (its folder or its
/// `qna.yaml`, relative to the working directory or absolute) in the taxonomy at `root`.
pub fn locate_leaf(root: &Path, given: &Path) -> Result<(String, PathBuf), ReviewError> {
    let file = if given.is_dir() {
        given.join(LEAF_FILE)
    } else {
        given.to_path_buf()
    };
    let not_a_leaf = || ReviewError::NotALeaf {
        path: given.to_path_buf(),
    };
    if !file.is_file() || file.file_name().is_none_or(|n| n != LEAF_FILE) {
        return Err(not_a_leaf());
    }
    let absolute = file.canonicalize().map_err(|_| not_a_leaf())?;
    let root = root.canonicalize().map_err(|_| not_a_leaf())?;
    let relative = absolute.strip_prefix(&root).map_err(|_| not_a_leaf())?;
    Ok((leaf_key(relative), absolute))
}

/// The content of a leaf's text; `None` when it is not YAML.
fn qna_of_text(text: &str) -> Option<Qna> {
    Some(Qna::from_document(&yaml::load(text).ok()?))
}

/// The examples of a parsed leaf.
pub fn examples_of(qna: &Qna) -> Vec<ExampleContent> {
    qna.seed_examples.iter().map(ExampleContent::of).collect()
}

/// The hashes of a parsed leaf's examples and own fields.
pub fn leaf_hashes(qna: &Qna) -> LeafHashes {
    LeafHashes {
        examples: examples_of(qna).iter().map(ExampleContent::hash).collect(),
        fields: LeafFields::of(qna).hash(),
    }
}

/// The hashes of a leaf's text; `None` when it is not YAML.
pub fn leaf_hashes_of_text(text: &str) -> Option<LeafHashes> {
    qna_of_text(text).as_ref().map(leaf_hashes)
}

/// The current content of the leaf file `file`.
pub fn read_leaf(file: &Path) -> Result<Qna, ReviewError> {
    let text = std::fs::read_to_string(file).map_err(|source| ReviewError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    qna_of_text(&text).ok_or_else(|| ReviewError::Unreadable {
        path: file.to_path_buf(),
    })
}

impl ReviewQueue {
    /// The leaves of the taxonomy holding `path` changed against `base`.
    pub fn build(path: &Path, base: &Base) -> Result<Self, ReviewError> {
        let repo = TaxonomyRepo::open(path)?;
        let changes = repo.changes(base)?;
        let base_tree = match changes.base.diff_from() {
            Some(id) => Some(repo.repository().find_commit(id)?.tree()?),
            None => None,
        };
        let mut leaves = Vec::new();
        for changed in &changes.changed {
            let file = changes.root.join(&changed.path);
            let report = validate_file(&file, &Options::default());
            let base_path = match &changed.change {
                Change::Modified => Some(changed.path.as_path()),
                Change::Renamed { from } => Some(from.as_path()),
                Change::Added | Change::Untracked => None,
            };
            let base = match (&base_tree, base_path) {
                (Some(tree), Some(path)) => base_leaf(repo.repository(), tree, path)?,
                _ => None,
            }
            .unwrap_or_default();
            let (examples, removed, fields, unreadable) = match &report.qna {
                Some(qna) => {
                    let (examples, removed) = pair(&examples_of(&base), examples_of(qna));
                    let fields = FieldsChange::between(&LeafFields::of(&base), LeafFields::of(qna));
                    (examples, removed, fields, None)
                }
                // Unknown, not empty: nothing is paired, so nothing shows as removed.
                None => (Vec::new(), Vec::new(), None, Some(unreadable(&report))),
            };
            leaves.push(QueueLeaf {
                leaf: leaf_key(&changed.path),
                file,
                change: changed.change.clone(),
                report,
                examples,
                removed,
                fields,
                unreadable,
            });
        }
        Ok(Self {
            root: changes.root,
            base: changes.base,
            leaves,
            deleted: changes.deleted,
        })
    }
}

/// Why a leaf whose content could not be read is unreadable: its first error.
fn unreadable(report: &Report) -> Diagnostic {
    report
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .cloned()
        .unwrap_or_else(|| {
            Diagnostic::new(
                crate::taxonomy::diagnostic::Severity::Error,
                1,
                1,
                "syntax",
                "the file cannot be read as a leaf",
            )
        })
}

/// The content of `path` in the base tree; `None` when it is missing or not YAML.
fn base_leaf(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    path: &Path,
) -> Result<Option<Qna>, ReviewError> {
    let entry = match tree.get_path(path) {
        Ok(entry) => entry,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Ok(blob) = entry.to_object(repo)?.peel_to_blob() else {
        return Ok(None);
    };
    Ok(qna_of_text(&String::from_utf8_lossy(blob.content())))
}

/// Pairs the current examples with the base's: equal contents by a diff of the hash
/// sequences, and each replaced run position by position as edits. Returns the queued
/// examples and the base examples left over (removed).
fn pair(
    base: &[ExampleContent],
    current: Vec<ExampleContent>,
) -> (Vec<QueueExample>, Vec<(usize, ExampleContent)>) {
    let old: Vec<ContentHash> = base.iter().map(ExampleContent::hash).collect();
    let new: Vec<ContentHash> = current.iter().map(ExampleContent::hash).collect();
    let mut changes: Vec<ExampleChange> = vec![ExampleChange::Added; current.len()];
    let mut removed = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for i in 0..len {
                    changes[new_index + i] = ExampleChange::Unchanged {
                        base_index: old_index + i,
                    };
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => removed.extend((old_index..old_index + old_len).map(|i| (i, base[i].clone()))),
            DiffOp::Insert { .. } => {}
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                for i in 0..old_len.min(new_len) {
                    changes[new_index + i] = ExampleChange::Modified {
                        base_index: old_index + i,
                        diff: line_diff(&base[old_index + i], &current[new_index + i]),
                    };
                }
                removed.extend(
                    (old_index + new_len..old_index + old_len).map(|i| (i, base[i].clone())),
                );
            }
        }
    }
    let examples = current
        .into_iter()
        .zip(changes)
        .enumerate()
        .map(|(index, (content, change))| QueueExample {
            index,
            hash: content.hash(),
            content,
            change,
        })
        .collect();
    (examples, removed)
}

/// The line diff of two versions of an example, as rendered by [`ExampleContent::lines`].
pub fn line_diff(old: &ExampleContent, new: &ExampleContent) -> Vec<DiffLine> {
    diff_lines(&old.lines(), &new.lines())
}

/// The line diff of two lists of lines.
pub fn diff_lines(old: &[String], new: &[String]) -> Vec<DiffLine> {
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let new: Vec<&str> = new.iter().map(String::as_str).collect();
    TextDiff::from_slices(&old, &new)
        .iter_all_changes()
        .map(|change| DiffLine {
            sign: match change.tag() {
                ChangeTag::Equal => ' ',
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
            },
            text: change.value().to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::example::Pair;

    fn example(question: &str) -> ExampleContent {
        ExampleContent {
            context: None,
            pairs: vec![Pair {
                question: question.into(),
                answer: "Yes.".into(),
            }],
            listed: false,
        }
    }

    #[test]
    fn pairs_moves_edits_additions_and_removals() {
        let base = [example("a?"), example("b?"), example("c?"), example("d?")];
        let current = vec![example("a?"), example("B?"), example("d?"), example("e?")];
        let (examples, removed) = pair(&base, current);
        let changes: Vec<&ExampleChange> = examples.iter().map(|e| &e.change).collect();
        assert_eq!(changes[0], &ExampleChange::Unchanged { base_index: 0 });
        let ExampleChange::Modified { base_index, diff } = changes[1] else {
            panic!("expected an edit, got {:?}", changes[1]);
        };
        assert_eq!(*base_index, 1);
        assert_eq!(
            diff.iter()
                .map(|l| format!("{}{}", l.sign, l.text))
                .collect::<Vec<_>>(),
            ["-question: b?", "+question: B?", " answer: Yes."]
        );
        assert_eq!(changes[2], &ExampleChange::Unchanged { base_index: 3 });
        assert_eq!(changes[3], &ExampleChange::Added);
        assert_eq!(removed, [(2, example("c?"))]);
    }

    #[test]
    fn keys_are_leaf_folders() {
        assert_eq!(
            leaf_key(Path::new("knowledge/science/tides/qna.yaml")),
            "knowledge/science/tides"
        );
        assert_eq!(
            leaf_key(Path::new("knowledge/science/tides")),
            "knowledge/science/tides"
        );
    }
}
