//! Leaves open for editing: their buffers, live validation, saving with conflict
//! detection, recovery drafts, and the questions asked before anything is lost.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::buffer::LeafBuffer;
use crate::drafts::Draft;
use crate::taxonomy::model::Leaf;
use crate::taxonomy::validate::{Attribution, Options, Report, validate_text};

/// A leaf open for editing, with the validation of its edited text.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenLeaf {
    /// The text as saved and as edited.
    pub buffer: LeafBuffer,
    /// The validation of the edited text, updated on every change.
    pub report: Report,
    attribution: Attribution,
}

impl OpenLeaf {
    /// Opens a leaf whose file holds `saved`, with the edited `text`.
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
        let report = validate_text(&buffer.path, &buffer.text, attribution, &Options::default());
        Self {
            buffer,
            report,
            attribution,
        }
    }

    /// Validates `text` as this leaf's (without taking it).
    pub fn check(&self, text: &str) -> Report {
        validate_text(
            &self.buffer.path,
            text,
            self.attribution,
            &Options::default(),
        )
    }

    /// Replaces the edited text and validates it again.
    pub fn set_text(&mut self, text: String) {
        self.buffer.text = text;
        self.report = validate_text(
            &self.buffer.path,
            &self.buffer.text,
            self.attribution,
            &Options::default(),
        );
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
