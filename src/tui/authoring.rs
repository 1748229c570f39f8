//! Authoring in the TUI: the new-leaf wizard, the field under the cursor in the
//! detail pane, editing it in a text area, and adding, deleting and moving seed
//! examples. Every edit goes into the leaf's buffer (unsaved until save).

use std::path::{Path, PathBuf};

use crossterm::event::KeyEvent;

use crate::taxonomy::edit::{self, EditError, Field};
use crate::taxonomy::model::Leaf;
use crate::taxonomy::template::{FILL_ME_IN, placeholder};

use super::action::Action;
use super::app::{App, Effect, Focus, Popup};
use super::editing::OpenLeaf;
use super::field_editor::FieldEditor;
use super::tree::Row;
use super::wizard::{Step, Wizard};

/// The authoring state kept by the app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authoring {
    /// The field under the cursor in the detail pane (index in the leaf's fields).
    pub cursor: usize,
    /// Whether the detail pane scrolls to show the cursor (after it moved).
    pub follow: bool,
    /// The `created_by` offered for new leaves (from git config).
    pub created_by: Option<String>,
}

/// `field` moved to seed example `index`.
fn in_example(field: Field, index: usize) -> Field {
    match field {
        Field::Context(_) => Field::Context(index),
        Field::Question(_) => Field::Question(index),
        Field::Answer(_) => Field::Answer(index),
        Field::PairQuestion(_, j) => Field::PairQuestion(index, j),
        Field::PairAnswer(_, j) => Field::PairAnswer(index, j),
        other => other,
    }
}

/// The first line of a text, shortened, to name an example.
fn gist(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default();
    match line.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

impl App {
    /// The editable fields of the selected leaf, in the detail pane's order.
    pub fn fields(&self) -> Vec<Field> {
        self.tree
            .selected_leaf()
            .and_then(|index| self.report_of(index).qna.as_ref())
            .map_or_else(Vec::new, edit::fields_of)
    }

    /// The field under the cursor in the detail pane.
    pub fn cursor_field(&self) -> Option<Field> {
        let fields = self.fields();
        fields
            .get(self.author.cursor.min(fields.len().saturating_sub(1)))
            .copied()
    }

    /// Runs an authoring action from the browse mode.
    pub(super) fn author(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::NewLeaf => {
                let mut wizard = Wizard::new(&self.taxonomy, self.author.created_by.as_deref());
                let here = match self.tree.current() {
                    Some(Row::Folder { path, .. }) => Some(path.clone()),
                    Some(Row::Leaf { index, .. }) => self.taxonomy.leaves[*index]
                        .folder
                        .parent()
                        .map(Path::to_owned),
                    None => None,
                };
                if let Some(here) = here {
                    wizard.start_at(&here);
                }
                self.popup = Some(Popup::NewLeaf(Box::new(wizard)));
                Vec::new()
            }
            Action::NextField | Action::PrevField => {
                let last = self.fields().len().saturating_sub(1);
                let cursor = self.author.cursor.min(last);
                self.author.cursor = if action == Action::NextField {
                    (cursor + 1).min(last)
                } else {
                    cursor.saturating_sub(1)
                };
                self.author.follow = true;
                if self.tree.selected_leaf().is_some() {
                    self.focus = Focus::Detail;
                }
                Vec::new()
            }
            Action::EditField => {
                self.edit_field();
                Vec::new()
            }
            Action::AddExample => self.add_example(),
            Action::DeleteExample => {
                self.ask_delete_example();
                Vec::new()
            }
            Action::MoveExampleUp | Action::MoveExampleDown => {
                self.move_example(action == Action::MoveExampleUp)
            }
            _ => Vec::new(),
        }
    }

    /// The selected leaf's folder and its current text (edited, or as read).
    fn selected_text(&mut self) -> Option<(PathBuf, String)> {
        let Some(index) = self.tree.selected_leaf() else {
            self.notify("select a leaf first");
            return None;
        };
        let leaf = &self.taxonomy.leaves[index];
        let text = match self.open.get(&leaf.folder) {
            Some(open) => Some(open.buffer.text.clone()),
            None => leaf.text.clone(),
        };
        let folder = leaf.folder.clone();
        match text {
            Some(text) => Some((folder, text)),
            None => {
                self.notify_error(format!("{} cannot be read", folder.display()));
                None
            }
        }
    }

    /// Takes an edited text into the leaf's buffer, or reports why there is none.
    fn take_edit(&mut self, folder: &Path, edited: Result<String, EditError>) -> Vec<Effect> {
        match edited {
            Ok(text) => self.edit_text(folder, text),
            Err(error) => {
                self.notify_error(error.to_string());
                Vec::new()
            }
        }
    }

    /// Puts the cursor on the first field of example `index`.
    fn cursor_to_example(&mut self, index: usize, like: Option<Field>) {
        let fields = self.fields();
        let wanted = like.map(|f| in_example(f, index));
        let position = fields
            .iter()
            .position(|f| Some(*f) == wanted)
            .or_else(|| fields.iter().position(|f| f.example() == Some(index)));
        if let Some(position) = position {
            self.author.cursor = position;
            self.author.follow = true;
        }
    }

    fn edit_field(&mut self) {
        let Some(field) = self.cursor_field() else {
            self.notify("select a leaf with fields to edit");
            return;
        };
        let Some((folder, text)) = self.selected_text() else {
            return;
        };
        let Some(value) = field.value_in(&text) else {
            self.notify_error(format!(
                "{} cannot be edited here until the leaf loads; use $EDITOR",
                field.label()
            ));
            return;
        };
        let open = match self.open.get(&folder) {
            Some(open) => open.clone(),
            None => match self.taxonomy.find(&folder) {
                Some(index) => {
                    let leaf = &self.taxonomy.leaves[index];
                    OpenLeaf::new(&self.taxonomy.root, leaf, text.clone(), text)
                }
                None => return,
            },
        };
        self.focus = Focus::Detail;
        self.popup = Some(Popup::EditField(Box::new(FieldEditor::open(
            open, field, &value,
        ))));
    }

    fn add_example(&mut self) -> Vec<Effect> {
        let Some((folder, text)) = self.selected_text() else {
            return Vec::new();
        };
        match edit::add_example(&text, placeholder) {
            Ok((text, index)) => {
                let effects = self.edit_text(&folder, text);
                self.cursor_to_example(index, None);
                self.focus = Focus::Detail;
                effects
            }
            Err(error) => {
                self.notify_error(error.to_string());
                Vec::new()
            }
        }
    }

    fn ask_delete_example(&mut self) {
        let Some(index) = self.cursor_field().and_then(Field::example) else {
            self.notify("put the cursor on a seed example first (] and [ move it)");
            return;
        };
        let Some((folder, text)) = self.selected_text() else {
            return;
        };
        let named = [
            Field::Question(index),
            Field::PairQuestion(index, 0),
            Field::Context(index),
        ]
        .into_iter()
        .find_map(|f| f.value_in(&text))
        .map(|value| gist(&value))
        .unwrap_or_default();
        self.popup = Some(Popup::ConfirmDeleteExample {
            folder,
            index,
            named,
        });
    }

    /// Deletes seed example `index` of the leaf in `folder` (after the user confirmed).
    pub(super) fn delete_example(&mut self, folder: &Path, index: usize) -> Vec<Effect> {
        let text = match self.open.get(folder) {
            Some(open) => Some(open.buffer.text.clone()),
            None => self
                .taxonomy
                .find(folder)
                .and_then(|i| self.taxonomy.leaves[i].text.clone()),
        };
        let Some(text) = text else {
            return Vec::new();
        };
        let effects = self.take_edit(folder, edit::delete_example(&text, index));
        let count = self.fields().iter().filter_map(|f| f.example()).max();
        self.cursor_to_example(index.min(count.unwrap_or(0)), None);
        effects
    }

    fn move_example(&mut self, up: bool) -> Vec<Effect> {
        let Some(field) = self.cursor_field() else {
            return Vec::new();
        };
        let Some(index) = field.example() else {
            self.notify("put the cursor on a seed example first (] and [ move it)");
            return Vec::new();
        };
        let Some((folder, text)) = self.selected_text() else {
            return Vec::new();
        };
        let moved = edit::move_example(&text, index, up);
        let ok = moved.is_ok();
        let effects = self.take_edit(&folder, moved);
        if ok {
            let to = if up { index - 1 } else { index + 1 };
            self.cursor_to_example(to, Some(field));
        }
        effects
    }

    /// A key press in the field editor.
    pub(super) fn field_editor_key(
        &mut self,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Vec<Effect> {
        let Some(Popup::EditField(editor)) = &mut self.popup else {
            return Vec::new();
        };
        match action {
            Some(Action::Back) => {
                let changed = editor.is_changed();
                self.popup = None;
                if changed {
                    self.notify("edit cancelled; the field is as it was");
                }
                Vec::new()
            }
            Some(Action::Confirm) => match editor.applied() {
                Ok(text) => {
                    let folder = editor.folder.clone();
                    let changed = editor.is_changed();
                    self.popup = None;
                    if changed {
                        self.edit_text(&folder, text)
                    } else {
                        Vec::new()
                    }
                }
                Err(_) => Vec::new(), // the preview already says why
            },
            _ => {
                editor.input(key);
                Vec::new()
            }
        }
    }

    /// A key press in the new-leaf wizard.
    pub(super) fn wizard_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(Popup::NewLeaf(wizard)) = &mut self.popup else {
            return Vec::new();
        };
        match action {
            Some(Action::Back) => {
                if !wizard.back() {
                    self.popup = None;
                }
            }
            Some(Action::Confirm) => {
                if let Some(leaf) = wizard.next(&self.taxonomy) {
                    self.popup = None;
                    self.notify("creating the leaf…");
                    return vec![Effect::CreateLeaf(leaf)];
                }
            }
            Some(Action::Up) => wizard.move_selection(-1),
            Some(Action::Down) => wizard.move_selection(1),
            Some(Action::FocusNext) if wizard.step == Step::Place => wizard.accept_completion(),
            _ => {
                let step = wizard.step;
                if let Some(input) = wizard.input()
                    && Self::edit_input(input, &key)
                    && step == Step::Place
                {
                    wizard.complete();
                }
            }
        }
        Vec::new()
    }

    /// A new leaf was created (or not): select it, with the detail pane on it.
    pub(super) fn leaf_created(&mut self, result: Result<Box<Leaf>, String>) -> Vec<Effect> {
        let leaf = match result {
            Ok(leaf) => leaf,
            Err(why) => {
                self.notify_error(why);
                return Vec::new();
            }
        };
        let folder = leaf.folder.clone();
        self.replace_leaf(*leaf);
        if let Some(index) = self.taxonomy.find(&folder) {
            self.open_leaf(index);
            self.focus = Focus::Detail;
            let text = self.taxonomy.leaves[index].text.clone().unwrap_or_default();
            self.author.cursor = self
                .fields()
                .iter()
                .position(|f| f.value_in(&text).is_some_and(|v| v.contains(FILL_ME_IN)))
                .unwrap_or(0);
            self.author.follow = true;
        }
        self.notify(format!(
            "created {}: replace the {FILL_ME_IN} placeholders (e edits the field under the cursor)",
            folder.display()
        ));
        vec![Effect::ReadFile { folder }]
    }
}
