//! Leaves open for editing: their buffers, live validation, saving with conflict
//! detection, recovery drafts, and the questions asked before anything is lost.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::buffer::LeafBuffer;
use crate::drafts::Draft;
use crate::taxonomy::model::Leaf;
use crate::taxonomy::validate::{Attribution, Options, Report, validate_text};

/// A leaf open for editing, with the validation of its edited text.
///
/// Validation runs off the event loop: a change of the text asks for one
/// ([`OpenLeaf::validation`]), and its report is taken only if no newer change came
/// meanwhile ([`OpenLeaf::take`]), so the newest text's validation wins.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenLeaf {
    /// The text as saved and as edited.
    pub buffer: LeafBuffer,
    /// The validation of the edited text as last checked: while
    /// [`OpenLeaf::is_validating`], an earlier text's (at first, the file's).
    pub report: Report,
    attribution: Attribution,
    /// Counts the changes of the text.
    revision: u64,
    /// The revision `report` is of.
    checked: u64,
}

impl OpenLeaf {
    /// Opens a leaf whose file holds `saved`, with the edited `text`; its
    /// validation is pending (ask for it with [`OpenLeaf::validation`]).
    pub fn new(root: &Path, leaf: &Leaf, saved: String, text: String) -> Self {
        let attribution = match &leaf.attribution {
            Some(text) if !text.is_empty() => Attribution::Present,
            Some(_) => Attribution::Empty,
            None => Attribution::Missing,
        };
        let buffer = LeafBuffer {
            path: root.join(leaf.file()),
            folder: leaf.folder.clone(),
            saved,
            text,
        };
        Self {
            buffer,
            report: leaf.report.clone(),
            attribution,
            revision: 1,
            checked: 0,
        }
    }

    /// Validates `text` as this leaf's (without taking it), here and now.
    pub fn check(&self, text: &str) -> Report {
        validate_text(
            &self.buffer.path,
            text,
            self.attribution,
            &Options::default(),
        )
    }

    /// Replaces the edited text; its validation is then pending.
    pub fn set_text(&mut self, text: String) {
        self.buffer.text = text;
        self.revision += 1;
    }

    /// Whether the edited text's validation has not come back yet.
    pub fn is_validating(&self) -> bool {
        self.checked != self.revision
    }

    /// The validation of the edited text as it is now, to run off the event loop.
    pub fn validation(&self) -> Validation {
        Validation {
            folder: self.buffer.folder.clone(),
            path: self.buffer.path.clone(),
            text: self.buffer.text.clone(),
            attribution: self.attribution,
            revision: self.revision,
        }
    }

    /// Takes a finished validation if it is of the text as it is now; one of an
    /// older text is dropped. Returns whether it was taken.
    pub fn take(&mut self, validated: Validated) -> bool {
        if validated.revision != self.revision {
            return false;
        }
        self.report = validated.report;
        self.checked = validated.revision;
        true
    }

    /// The recovery draft of this leaf's edits.
    pub fn draft(&self, root: &Path) -> Draft {
        Draft {
            root: root.to_owned(),
            folder: self.buffer.folder.clone(),
            saved: self.buffer.saved.clone(),
            text: self.buffer.text.clone(),
        }
    }
}

/// The validation of one version of an edited text, done off the event loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// The leaf.
    pub folder: PathBuf,
    path: PathBuf,
    text: String,
    attribution: Attribution,
    revision: u64,
}

impl Validation {
    /// Validates the text (blocking).
    pub fn run(self) -> Validated {
        let report = validate_text(
            &self.path,
            &self.text,
            self.attribution,
            &Options::default(),
        );
        Validated {
            folder: self.folder,
            revision: self.revision,
            report,
        }
    }
}

/// A finished [`Validation`].
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The leaf.
    pub folder: PathBuf,
    revision: u64,
    /// The text's report.
    pub report: Report,
}

/// Every leaf open for editing, by folder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenLeaves {
    leaves: BTreeMap<PathBuf, OpenLeaf>,
}

impl OpenLeaves {
    /// The open leaf in `folder`.
    pub fn get(&self, folder: &Path) -> Option<&OpenLeaf> {
        self.leaves.get(folder)
    }

    /// The open leaf in `folder`, to change it.
    pub fn get_mut(&mut self, folder: &Path) -> Option<&mut OpenLeaf> {
        self.leaves.get_mut(folder)
    }

    /// Opens (or replaces) a leaf.
    pub fn insert(&mut self, leaf: OpenLeaf) {
        self.leaves.insert(leaf.buffer.folder.clone(), leaf);
    }

    /// Closes a leaf.
    pub fn remove(&mut self, folder: &Path) -> Option<OpenLeaf> {
        self.leaves.remove(folder)
    }

    /// The validation of `leaf` as edited, if it is open; as read otherwise.
    pub fn report_of<'a>(&'a self, leaf: &'a Leaf) -> &'a Report {
        self.get(&leaf.folder)
            .map_or(&leaf.report, |open| &open.report)
    }

    /// The folders with unsaved edits.
    pub fn dirty(&self) -> Vec<PathBuf> {
        self.leaves
            .values()
            .filter(|open| open.buffer.is_dirty())
            .map(|open| open.buffer.folder.clone())
            .collect()
    }

    /// Whether `folder` has unsaved edits.
    pub fn is_dirty(&self, folder: &Path) -> bool {
        self.get(folder).is_some_and(|open| open.buffer.is_dirty())
    }
}
