//! Authoring in the TUI: opening the new-leaf wizard, the field under the cursor in
//! the detail pane, editing it in a text area, and adding, deleting and moving seed
//! examples. Every edit goes into the leaf's buffer (unsaved until save).

use std::path::Path;

use crate::taxonomy::edit::{self, EditError, Field};
use crate::taxonomy::model::Leaf;
use crate::taxonomy::template::{FILL_ME_IN, placeholder};
use crate::tui::action::Action;
use crate::tui::component::Reaction;
use crate::tui::editing::OpenLeaf;
use crate::tui::keymap::Mode;
use crate::tui::msg::Effect;
use crate::tui::popups::field_editor::FieldEditor;
use crate::tui::popups::question::ConfirmDeleteExample;
use crate::tui::popups::wizard::Wizard;
use crate::tui::shared::{Focus, Shared};
use crate::tui::tree::Row;
use crate::tui::view::widgets::key_name;

/// The first line of a text, shortened, to name an example.
fn gist(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default();
    match line.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

/// Runs an authoring action from the browse screen.
pub fn author(ctx: &mut Shared, action: Action) -> Reaction {
    match action {
        Action::NewLeaf => Reaction::push(new_leaf(ctx)),
        Action::NextField | Action::PrevField => {
            let last = ctx.fields().len().saturating_sub(1);
            let cursor = ctx.author.cursor.min(last);
            ctx.author.cursor = if action == Action::NextField {
                (cursor + 1).min(last)
            } else {
                cursor.saturating_sub(1)
            };
            ctx.author.follow = true;
            if ctx.tree.selected_leaf().is_some() {
                ctx.focus = Focus::Detail;
            }
            Reaction::none()
        }
        Action::EditField => edit_field(ctx),
        Action::AddExample => add_example(ctx),
        Action::DeleteExample => ask_delete_example(ctx),
        Action::MoveExampleUp | Action::MoveExampleDown => {
            move_example(ctx, action == Action::MoveExampleUp)
        }
        _ => Reaction::none(),
    }
}

/// The wizard, starting from the folder of the tree's selection.
fn new_leaf(ctx: &Shared) -> Wizard {
    let mut wizard = Wizard::new(&ctx.taxonomy, ctx.author.created_by.as_deref());
    let here = match ctx.tree.current() {
        Some(Row::Folder { path, .. }) => Some(path.clone()),
        Some(Row::Leaf { index, .. }) => ctx.taxonomy.leaves[*index]
            .folder
            .parent()
            .map(Path::to_owned),
        None => None,
    };
    if let Some(here) = here {
        wizard.start_at(&here);
    }
    wizard
}

fn edit_field(ctx: &mut Shared) -> Reaction {
    let Some(field) = ctx.cursor_field() else {
        ctx.notify("select a leaf with fields to edit");
        return Reaction::none();
    };
    let Some((folder, text)) = ctx.selected_text() else {
        return Reaction::none();
    };
    let Some(value) = field.value_in(&text) else {
        ctx.notify_error(format!(
            "{} cannot be edited here until the leaf loads; use $EDITOR",
            field.label()
        ));
        return Reaction::none();
    };
    let open = match ctx.open.get(&folder) {
        Some(open) => open.clone(),
        None => match ctx.taxonomy.find(&folder) {
            Some(index) => {
                let leaf = &ctx.taxonomy.leaves[index];
                OpenLeaf::new(&ctx.taxonomy.root, leaf, text.clone(), text)
            }
            None => return Reaction::none(),
        },
    };
    ctx.focus = Focus::Detail;
    Reaction::push(FieldEditor::open(open, field, &value))
}

fn add_example(ctx: &mut Shared) -> Reaction {
    let Some((folder, text)) = ctx.selected_text() else {
        return Reaction::none();
    };
    match edit::add_example(&text, placeholder) {
        Ok((text, index)) => {
            let effects = ctx.edit_fields(&folder, text);
            cursor_to_example(ctx, index, None);
            ctx.focus = Focus::Detail;
            effects.into()
        }
        Err(error) => {
            ctx.notify_error(error.to_string());
            Reaction::none()
        }
    }
}

/// Says to put the field cursor on a seed example, with the keys that move it.
fn cursor_on_example_first(ctx: &mut Shared) {
    let next = key_name(&ctx.keymap, Mode::Browse, Action::NextField);
    let prev = key_name(&ctx.keymap, Mode::Browse, Action::PrevField);
    ctx.notify(format!(
        "put the cursor on a seed example first ({next} and {prev} move it)"
    ));
}

fn ask_delete_example(ctx: &mut Shared) -> Reaction {
    let Some(index) = ctx.cursor_field().and_then(Field::example) else {
        cursor_on_example_first(ctx);
        return Reaction::none();
    };
    let Some((folder, text)) = ctx.selected_text() else {
        return Reaction::none();
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
    Reaction::push(ConfirmDeleteExample {
        folder,
        index,
        named,
    })
}

fn move_example(ctx: &mut Shared, up: bool) -> Reaction {
    let Some(field) = ctx.cursor_field() else {
        return Reaction::none();
    };
    let Some(index) = field.example() else {
        cursor_on_example_first(ctx);
        return Reaction::none();
    };
    let Some((folder, text)) = ctx.selected_text() else {
        return Reaction::none();
    };
    let moved = edit::move_example(&text, index, up);
    let ok = moved.is_ok();
    let effects = take_edit(ctx, &folder, moved);
    if ok {
        let to = if up { index - 1 } else { index + 1 };
        cursor_to_example(ctx, to, Some(field));
    }
    effects.into()
}

/// A new leaf was created (or not): select it, with the detail pane on it.
pub fn leaf_created(ctx: &mut Shared, result: Result<Box<Leaf>, String>) -> Reaction {
    let leaf = match result {
        Ok(leaf) => leaf,
        Err(why) => {
            ctx.notify_error(why);
            return Reaction::none();
        }
    };
    let folder = leaf.folder.clone();
    ctx.replace_leaf(*leaf);
    if let Some(index) = ctx.taxonomy.find(&folder) {
        ctx.open_leaf(index);
        ctx.focus = Focus::Detail;
        let text = ctx.taxonomy.leaves[index].text.clone().unwrap_or_default();
        ctx.author.cursor = ctx
            .fields()
            .iter()
            .position(|f| f.value_in(&text).is_some_and(|v| v.contains(FILL_ME_IN)))
            .unwrap_or(0);
        ctx.author.follow = true;
    }
    let edit = key_name(&ctx.keymap, Mode::Browse, Action::EditField);
    ctx.notify(format!(
        "created {}: replace the {FILL_ME_IN} placeholders ({edit} edits the field under the cursor)",
        folder.display()
    ));
    Effect::ReadFile { folder }.into()
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

/// Takes an edited text into the leaf's buffer, or reports why there is none.
fn take_edit(ctx: &mut Shared, folder: &Path, edited: Result<String, EditError>) -> Vec<Effect> {
    match edited {
        Ok(text) => ctx.edit_fields(folder, text),
        Err(error) => {
            ctx.notify_error(error.to_string());
            Vec::new()
        }
    }
}

/// Puts the field cursor on the first field of example `index` (on `like`'s
/// field of it, if it has one).
fn cursor_to_example(ctx: &mut Shared, index: usize, like: Option<Field>) {
    let fields = ctx.fields();
    let wanted = like.map(|f| in_example(f, index));
    let position = fields
        .iter()
        .position(|f| Some(*f) == wanted)
        .or_else(|| fields.iter().position(|f| f.example() == Some(index)));
    if let Some(position) = position {
        ctx.author.cursor = position;
        ctx.author.follow = true;
    }
}

/// Deletes seed example `index` of the leaf in `folder` (after the user confirmed).
pub fn delete_example(ctx: &mut Shared, folder: &Path, index: usize) -> Vec<Effect> {
    let Some(text) = ctx.text_of(folder) else {
        return Vec::new();
    };
    let effects = take_edit(ctx, folder, edit::delete_example(&text, index));
    let count = ctx.fields().iter().filter_map(|f| f.example()).max();
    cursor_to_example(ctx, index.min(count.unwrap_or(0)), None);
    effects
}
