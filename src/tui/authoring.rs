//! Authoring in the TUI: the new-leaf wizard, the field under the cursor in the
//! detail pane, editing it in a text area, and adding, deleting and moving seed
//! examples. Every edit goes into the leaf's buffer (unsaved until save).

use std::path::Path;

use crossterm::event::KeyEvent;

use crate::taxonomy::edit::{self, Field};
use crate::taxonomy::model::Leaf;
use crate::taxonomy::template::{FILL_ME_IN, placeholder};

use super::action::Action;
use super::app::{App, Effect, Popup};
use super::editing::OpenLeaf;
use super::field_editor::FieldEditor;
use super::popups::question::ConfirmDeleteExample;
use super::shared::Focus;
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
pub(super) fn in_example(field: Field, index: usize) -> Field {
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
    /// Runs an authoring action from the browse mode.
    pub(super) fn author(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::NewLeaf => {
                let mut wizard = Wizard::new(
                    &self.shared.taxonomy,
                    self.shared.author.created_by.as_deref(),
                );
                let here = match self.shared.tree.current() {
                    Some(Row::Folder { path, .. }) => Some(path.clone()),
                    Some(Row::Leaf { index, .. }) => self.shared.taxonomy.leaves[*index]
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
                let last = self.shared.fields().len().saturating_sub(1);
                let cursor = self.shared.author.cursor.min(last);
                self.shared.author.cursor = if action == Action::NextField {
                    (cursor + 1).min(last)
                } else {
                    cursor.saturating_sub(1)
                };
                self.shared.author.follow = true;
                if self.shared.tree.selected_leaf().is_some() {
                    self.shared.focus = Focus::Detail;
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

    fn edit_field(&mut self) {
        let Some(field) = self.shared.cursor_field() else {
            self.shared.notify("select a leaf with fields to edit");
            return;
        };
        let Some((folder, text)) = self.shared.selected_text() else {
            return;
        };
        let Some(value) = field.value_in(&text) else {
            self.shared.notify_error(format!(
                "{} cannot be edited here until the leaf loads; use $EDITOR",
                field.label()
            ));
            return;
        };
        let open = match self.shared.open.get(&folder) {
            Some(open) => open.clone(),
            None => match self.shared.taxonomy.find(&folder) {
                Some(index) => {
                    let leaf = &self.shared.taxonomy.leaves[index];
                    OpenLeaf::new(&self.shared.taxonomy.root, leaf, text.clone(), text)
                }
                None => return,
            },
        };
        self.shared.focus = Focus::Detail;
        self.popup = Some(Popup::EditField(Box::new(FieldEditor::open(
            open, field, &value,
        ))));
    }

    fn add_example(&mut self) -> Vec<Effect> {
        let Some((folder, text)) = self.shared.selected_text() else {
            return Vec::new();
        };
        match edit::add_example(&text, placeholder) {
            Ok((text, index)) => {
                let effects = self.shared.edit_text(&folder, text);
                self.shared.cursor_to_example(index, None);
                self.shared.focus = Focus::Detail;
                effects
            }
            Err(error) => {
                self.shared.notify_error(error.to_string());
                Vec::new()
            }
        }
    }

    fn ask_delete_example(&mut self) {
        let Some(index) = self.shared.cursor_field().and_then(Field::example) else {
            self.shared
                .notify("put the cursor on a seed example first (] and [ move it)");
            return;
        };
        let Some((folder, text)) = self.shared.selected_text() else {
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
        self.popups.push(Box::new(ConfirmDeleteExample {
            folder,
            index,
            named,
        }));
    }

    fn move_example(&mut self, up: bool) -> Vec<Effect> {
        let Some(field) = self.shared.cursor_field() else {
            return Vec::new();
        };
        let Some(index) = field.example() else {
            self.shared
                .notify("put the cursor on a seed example first (] and [ move it)");
            return Vec::new();
        };
        let Some((folder, text)) = self.shared.selected_text() else {
            return Vec::new();
        };
        let moved = edit::move_example(&text, index, up);
        let ok = moved.is_ok();
        let effects = self.shared.take_edit(&folder, moved);
        if ok {
            let to = if up { index - 1 } else { index + 1 };
            self.shared.cursor_to_example(to, Some(field));
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
                    self.shared.notify("edit cancelled; the field is as it was");
                }
                Vec::new()
            }
            Some(Action::Confirm) => match editor.applied() {
                Ok(text) => {
                    let folder = editor.folder.clone();
                    let changed = editor.is_changed();
                    self.popup = None;
                    if changed {
                        self.shared.edit_text(&folder, text)
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
                if let Some(leaf) = wizard.next(&self.shared.taxonomy) {
                    self.popup = None;
                    self.shared.notify("creating the leaf…");
                    return vec![Effect::CreateLeaf(leaf)];
                }
            }
            Some(Action::Up) => wizard.move_selection(-1),
            Some(Action::Down) => wizard.move_selection(1),
            Some(Action::FocusNext) if wizard.step == Step::Place => wizard.accept_completion(),
            _ => {
                let step = wizard.step;
                if let Some(input) = wizard.input()
                    && input.edit(&key)
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
                self.shared.notify_error(why);
                return Vec::new();
            }
        };
        let folder = leaf.folder.clone();
        self.shared.replace_leaf(*leaf);
        if let Some(index) = self.shared.taxonomy.find(&folder) {
            self.shared.open_leaf(index);
            self.shared.focus = Focus::Detail;
            let text = self.shared.taxonomy.leaves[index]
                .text
                .clone()
                .unwrap_or_default();
            self.shared.author.cursor = self
                .shared
                .fields()
                .iter()
                .position(|f| f.value_in(&text).is_some_and(|v| v.contains(FILL_ME_IN)))
                .unwrap_or(0);
            self.shared.author.follow = true;
        }
        self.shared.notify(format!(
            "created {}: replace the {FILL_ME_IN} placeholders (e edits the field under the cursor)",
            folder.display()
        ));
        vec![Effect::ReadFile { folder }]
    }
}
