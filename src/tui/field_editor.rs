//! The field editor: one field of a leaf in a multi-line text area, with the
//! leaf validated again on every change, as it would be with the edit applied.

use std::path::PathBuf;

use crossterm::event::KeyEvent;
use ratatui_textarea::{TextArea, WrapMode};

use crate::taxonomy::edit::{EditError, Field, set_field};

use super::editing::OpenLeaf;

/// What the leaf would be with the text typed so far.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    /// The edited leaf's counts of errors and warnings, and the messages of the
    /// findings inside the edited field (by line).
    Valid {
        /// Errors in the whole leaf.
        errors: usize,
        /// Warnings in the whole leaf.
        warnings: usize,
        /// Findings in the lines of the edited field.
        here: Vec<String>,
    },
    /// The edit cannot be made.
    Refused(String),
}

/// One field open in a text area.
#[derive(Debug, Clone)]
pub struct FieldEditor {
    /// The leaf.
    pub folder: PathBuf,
    /// The field.
    pub field: Field,
    /// The text being typed.
    pub area: TextArea<'static>,
    /// The leaf as it is (its edited text, if it has unsaved edits).
    leaf: OpenLeaf,
    /// The field's value when the editor opened.
    original: String,
    /// The lines the text area started with.
    initial: Vec<String>,
    /// The leaf as it would be with this edit.
    pub preview: Preview,
}

impl PartialEq for FieldEditor {
    fn eq(&self, other: &Self) -> bool {
        self.folder == other.folder
            && self.field == other.field
            && self.area.lines() == other.area.lines()
            && self.leaf == other.leaf
    }
}

impl FieldEditor {
    /// Opens `field` of `leaf`, whose value is `value`.
    pub fn open(leaf: OpenLeaf, field: Field, value: &str) -> Self {
        // A block scalar's final line break is not something to edit.
        let shown = value.strip_suffix('\n').unwrap_or(value);
        let initial: Vec<String> = shown.split('\n').map(str::to_owned).collect();
        let mut area = TextArea::new(initial.clone());
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        let mut editor = Self {
            folder: leaf.buffer.folder.clone(),
            field,
            area,
            original: value.to_owned(),
            initial,
            leaf,
            preview: Preview::Refused(String::new()),
        };
        editor.refresh();
        editor
    }

    /// The value typed, with the final line break the field had (if it had one
    /// and the text is more than one line); the field's own value if nothing was
    /// typed.
    pub fn value(&self) -> String {
        if !self.is_changed() {
            return self.original.clone();
        }
        let mut value = self.area.lines().join("\n");
        if self.original.ends_with('\n') && value.contains('\n') && !value.is_empty() {
            value.push('\n');
        }
        value
    }

    /// Whether anything was typed (the text differs from what it started with).
    pub fn is_changed(&self) -> bool {
        self.area.lines() != self.initial.as_slice()
    }

    /// The leaf's text with the edit applied.
    pub fn applied(&self) -> Result<String, EditError> {
        set_field(&self.leaf.buffer.text, self.field, &self.value())
    }

    /// Validates the leaf with the edit applied, as `open` would show it.
    pub fn refresh(&mut self) {
        self.preview = match self.applied() {
            Err(error) => Preview::Refused(error.to_string()),
            Ok(text) => {
                let report = self.leaf.check(&text);
                let first_line = self.field.line_in(&text);
                let lines = self.area.lines().len() + 1;
                let here = report
                    .diagnostics
                    .iter()
                    .filter(|d| first_line.is_some_and(|l| d.line >= l && d.line <= l + lines))
                    .map(|d| format!("{}:{} {}", d.line, d.col, d.message))
                    .collect();
                Preview::Valid {
                    errors: report.error_count(),
                    warnings: report.warning_count(),
                    here,
                }
            }
        };
    }

    /// Passes a key press to the text area; true if the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let changed = self.area.input(key);
        if changed {
            self.refresh();
        }
        changed
    }
}
