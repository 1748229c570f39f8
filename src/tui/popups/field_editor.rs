//! The field editor: one field of a leaf in a multi-line text area, with the
//! leaf validated again on every change, as it would be with the edit applied.

use std::path::PathBuf;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui_textarea::{CursorMove, DataCursor, TextArea, WrapMode};

use crate::taxonomy::edit::{EditError, Field, set_field};
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::editing::OpenLeaf;
use crate::tui::input_line::word_end;
use crate::tui::keymap::Mode;
use crate::tui::popups::question::ConfirmCancelEdit;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, key_name, popup_block};

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

    /// Does an editing action the keymap gives the text area where its own keys
    /// differ from readline's (its `ctrl-u` undoes, its `alt-f` goes to the start of
    /// the next word); false for any other action.
    fn edit(&mut self, action: Action) -> bool {
        match action {
            Action::DeleteToStart => {
                if self.area.delete_line_by_head() {
                    self.refresh();
                }
            }
            Action::Undo => {
                if self.area.undo() {
                    self.refresh();
                }
            }
            Action::WordRight => {
                let DataCursor(mut row, col) = self.area.cursor();
                let lines = self.area.lines();
                let mut end = word_end(&lines[row], col);
                // At a line's last word readline goes on to the next line's first.
                if end == lines[row].chars().count() && end == col && row + 1 < lines.len() {
                    row += 1;
                    end = word_end(&lines[row], 0);
                }
                let to = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
                self.area.move_cursor(CursorMove::Jump(to(row), to(end)));
            }
            _ => return false,
        }
        true
    }
}

impl Component for FieldEditor {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Text
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        match press.action {
            Some(Action::Back) if self.is_changed() => Reaction::push(ConfirmCancelEdit {
                folder: self.folder.clone(),
                field: self.field.label(),
            }),
            Some(Action::Back) => Reaction::close(),
            // The question above answered: discard what was typed.
            Some(Action::DiscardAll) => {
                ctx.notify("edit cancelled; the field is as it was");
                Reaction::close()
            }
            Some(Action::Confirm) => match self.applied() {
                Ok(text) if self.is_changed() => {
                    Reaction::close().and(ctx.edit_fields(&self.folder, text))
                }
                Ok(_) => Reaction::close(),
                Err(_) => Reaction::none(), // the preview already says why
            },
            Some(action) if self.edit(action) => Reaction::none(),
            _ => {
                self.input(press.key);
                Reaction::none()
            }
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let editor = self;
        let area = centered(frame, 90, 80);
        frame.render_widget(Clear, area);
        let block = popup_block(format!(
            " {} · {} ",
            editor.field.label(),
            editor.folder.display()
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let (verdict, here) = match &editor.preview {
            Preview::Valid {
                errors: 0,
                warnings: 0,
                here,
            } => (
                Span::styled("✓ the leaf is valid with this edit", theme::OK),
                here,
            ),
            Preview::Valid {
                errors: 0,
                warnings,
                here,
            } => (
                Span::styled(
                    format!("✓ valid with this edit, {warnings} warnings"),
                    theme::WARNING,
                ),
                here,
            ),
            Preview::Valid {
                errors,
                warnings,
                here,
            } => (
                Span::styled(
                    format!("✗ with this edit: {errors} errors, {warnings} warnings"),
                    theme::ERROR,
                ),
                here,
            ),
            Preview::Refused(why) => (Span::styled(format!("✗ {why}"), theme::ERROR), &Vec::new()),
        };
        let shown = here.len().min(3);
        let [text, status, findings, hint] = Layout::vertical([
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(shown as u16),
            Constraint::Length(1),
        ])
        .areas(inner);
        let text_block = Block::default()
            .borders(Borders::BOTTOM)
            .border_style(theme::BORDER);
        let text_inner = text_block.inner(text);
        frame.render_widget(text_block, text);
        frame.render_widget(&editor.area, text_inner);
        frame.render_widget(Paragraph::new(Line::from(verdict)), status);
        let finding_lines: Vec<Line<'static>> = here
            .iter()
            .take(shown)
            .map(|f| Line::from(Span::styled(format!("  {f}"), theme::WARNING)))
            .collect();
        frame.render_widget(Paragraph::new(finding_lines), findings);
        let keys = format!(
            "{} apply (unsaved until {}) · {} cancel · enter new line",
            key_name(&ctx.keymap, Mode::Text, Action::Confirm),
            key_name(&ctx.keymap, Mode::Browse, Action::Save),
            key_name(&ctx.keymap, Mode::Text, Action::Back),
        );
        frame.render_widget(Paragraph::new(Span::styled(keys, theme::DIM)), hint);
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Confirm, Action::Back]
    }
}
