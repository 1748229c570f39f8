//! The commit dialog: the leaves changed against HEAD, ticked to be committed, and
//! the message; the commit is signed off by the author from git config.

use std::path::{Path, PathBuf};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph};

use crate::taxonomy::soft_limits::placeholder_fields;
use crate::taxonomy::template::FILL_ME_IN;
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::git_jobs::{GitJob, GitReply};
use crate::tui::input_line::InputLine;
use crate::tui::keymap::Mode;
use crate::tui::msg::{Effect, Msg};
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, hints, input_cursor, input_line, key_name, popup_block};

/// Which part of the commit dialog has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitFocus {
    /// The message line (typing goes there).
    Message,
    /// The list of leaves (space ticks).
    Leaves,
}

/// The commit dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitDialog {
    /// The changed leaves and whether each is ticked, once listed.
    pub leaves: Option<Vec<(PathBuf, bool)>>,
    /// The selected leaf.
    pub selected: usize,
    /// Which part has the keyboard.
    pub focus: CommitFocus,
    /// The commit message (the sign-off is added).
    pub message: InputLine,
    /// Whether the commit is being made.
    pub busy: bool,
    /// Whether the user was told that ticked leaves hold placeholders (the next
    /// commit goes ahead).
    pub placeholders_shown: bool,
}

impl Default for CommitDialog {
    fn default() -> Self {
        Self {
            leaves: None,
            selected: 0,
            focus: CommitFocus::Message,
            message: InputLine::default(),
            busy: false,
            placeholders_shown: false,
        }
    }
}

impl CommitDialog {
    /// The ticked leaves.
    pub fn chosen(&self) -> Vec<PathBuf> {
        self.leaves
            .iter()
            .flatten()
            .filter(|(_, ticked)| *ticked)
            .map(|(folder, _)| folder.clone())
            .collect()
    }

    /// Ticks or unticks the selected leaf.
    pub fn toggle(&mut self) {
        if let Some(entry) = self.leaves.as_mut().and_then(|l| l.get_mut(self.selected)) {
            entry.1 = !entry.1;
        }
    }

    /// Moves the selection.
    pub fn move_by(&mut self, delta: isize) {
        let count = self.leaves.as_ref().map_or(0, Vec::len);
        let moved = (self.selected as isize + delta).clamp(0, count.saturating_sub(1) as isize);
        self.selected = moved as usize;
    }

    /// Commits the ticked leaves with the message, or says what is missing.
    fn commit(&mut self, ctx: &mut Shared) -> Reaction {
        if self.busy || self.leaves.is_none() {
            return Reaction::none();
        }
        let message = self.message.text().trim().to_owned();
        let folders = self.chosen();
        if message.is_empty() {
            ctx.notify_error("write a commit message first");
        } else if folders.is_empty() {
            let toggle = ctx.keymap.keys_for(Mode::Picker, Action::Toggle).join(" ");
            ctx.notify_error(format!("tick at least one leaf ({toggle} in the list)"));
        } else if folders.iter().any(|f| ctx.open.is_dirty(f)) {
            let message = format!("save the unsaved edits first: {}", ctx.unsaved_list());
            ctx.notify_error(message);
        } else if !self.placeholders_shown
            && folders.iter().any(|f| !placeholders_of(ctx, f).is_empty())
        {
            self.placeholders_shown = true;
            let again = key_name(&ctx.keymap, self.mode(ctx), Action::Confirm);
            ctx.notify_error(format!(
                "ticked leaves still hold {FILL_ME_IN} placeholders (listed); {again} again commits them anyway"
            ));
        } else {
            self.busy = true;
            ctx.notify("committing…");
            return Effect::Git(GitJob::Commit { folders, message }).into();
        }
        Reaction::none()
    }
}

impl Component for CommitDialog {
    fn mode(&self, _ctx: &Shared) -> Mode {
        match self.focus {
            CommitFocus::Message => Mode::Picker,
            CommitFocus::Leaves => Mode::List,
        }
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        let on_message = self.focus == CommitFocus::Message;
        if on_message && InputLine::takes(&press) {
            self.message.edit(&press);
            return Reaction::none();
        }
        match press.action {
            Some(Action::Back) => return Reaction::close(),
            Some(Action::Confirm) => return self.commit(ctx),
            Some(Action::FocusNext | Action::FocusPrev) => {
                self.focus = match self.focus {
                    CommitFocus::Message => CommitFocus::Leaves,
                    CommitFocus::Leaves => CommitFocus::Message,
                }
            }
            Some(Action::Up) if !on_message => self.move_by(-1),
            Some(Action::Down) if !on_message => self.move_by(1),
            Some(Action::Toggle) if !on_message => self.toggle(),
            _ if !on_message && press.typed().is_some() => {
                let back = key_name(&ctx.keymap, Mode::List, Action::FocusNext);
                ctx.notify(format!(
                    "the list of leaves has the keyboard: {back} goes back to the message"
                ));
            }
            _ => {}
        }
        Reaction::none()
    }

    fn take(&mut self, ctx: &mut Shared, msg: Msg) -> Taken {
        match msg {
            Msg::Git(GitReply::CommitLeaves(result)) if self.leaves.is_none() => match result {
                Ok(leaves) if leaves.is_empty() => {
                    ctx.notify("nothing to commit: no leaf differs from HEAD");
                    Taken::Yes(Reaction::close())
                }
                Ok(leaves) => {
                    self.leaves = Some(leaves.into_iter().map(|f| (f, true)).collect());
                    Taken::Yes(Reaction::none())
                }
                Err(why) => {
                    ctx.notify_error(why);
                    Taken::Yes(Reaction::close())
                }
            },
            Msg::Git(GitReply::Committed { result, refreshed }) => {
                let done = result.is_ok();
                self.busy = false;
                let reaction = Reaction::from(ctx.git_done(result, refreshed));
                Taken::Yes(if done { reaction.and_close() } else { reaction })
            }
            other => Taken::No(other),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let area = centered(frame, 80, 70);
        let leaves = self.leaves.as_deref().unwrap_or_default();
        let branch = ctx.branch.as_deref().unwrap_or("HEAD");
        let title = format!(
            " Commit on {branch} · {} of {} leaves ",
            self.chosen().len(),
            leaves.len()
        );
        frame.render_widget(Clear, area);
        frame.render_widget(popup_block(title), area);
        let inner = Block::bordered().inner(area);
        let [heading, list_area, label, input_area, note, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let on_leaves = self.focus == CommitFocus::Leaves;
        frame.render_widget(
            Paragraph::new(part_label("Leaves changed since HEAD", on_leaves)),
            heading,
        );
        let items: Vec<ListItem<'_>> = match &self.leaves {
            None => vec![ListItem::new(Span::styled(
                "listing the changes…",
                theme::DIM,
            ))],
            Some(leaves) => leaves
                .iter()
                .map(|(folder, ticked)| {
                    let mark = if *ticked { "[x] " } else { "[ ] " };
                    let mut lines = vec![Line::from(vec![
                        Span::styled(mark, theme::KEY),
                        Span::raw(folder.display().to_string()),
                    ])];
                    lines.extend(placeholder_lines(
                        &placeholders_of(ctx, folder),
                        list_area.width,
                    ));
                    ListItem::new(lines)
                })
                .collect(),
        };
        // The selection shows only while the list has the keyboard.
        let selected = self
            .leaves
            .as_ref()
            .filter(|_| on_leaves)
            .map(|_| self.selected);
        let mut state = ListState::default().with_selected(selected);
        frame.render_stateful_widget(
            List::new(items).highlight_style(theme::SELECTED),
            list_area,
            &mut state,
        );
        frame.render_widget(Paragraph::new(part_label("Message", !on_leaves)), label);
        let message = input_line(&self.message);
        let message = if on_leaves {
            message.style(theme::DIM)
        } else {
            message
        };
        frame.render_widget(Paragraph::new(message), input_area);
        if !on_leaves {
            frame.set_cursor_position((input_area.x + input_cursor(&self.message), input_area.y));
        }
        let status = if self.busy {
            "committing…"
        } else {
            "Adds Signed-off-by: your git user.name <user.email>"
        };
        frame.render_widget(Paragraph::new(Span::styled(status, theme::DIM)), note);
        let keys = if on_leaves {
            hints(
                &ctx.keymap,
                Mode::List,
                &[
                    (Action::Toggle, "tick"),
                    (Action::FocusNext, "to the message"),
                    (Action::Confirm, "commit"),
                    (Action::Back, "cancel"),
                ],
            )
        } else {
            hints(
                &ctx.keymap,
                Mode::Picker,
                &[
                    (Action::Confirm, "commit"),
                    (Action::FocusNext, "to the leaves"),
                    (Action::Back, "cancel"),
                ],
            )
        };
        frame.render_widget(Paragraph::new(keys), hint);
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        match self.focus {
            CommitFocus::Message => &[Action::Confirm, Action::FocusNext, Action::Back],
            CommitFocus::Leaves => &[Action::Toggle, Action::FocusNext, Action::Confirm],
        }
    }
}

/// How many names of fields holding placeholders a leaf's line shows.
const PLACEHOLDERS_NAMED: usize = 4;

/// The fields of the leaf in `folder` still holding a placeholder, as validated
/// (with its unsaved edits, if any).
fn placeholders_of(ctx: &Shared, folder: &Path) -> Vec<String> {
    ctx.taxonomy
        .find(folder)
        .and_then(|index| ctx.report_of(index).qna.as_ref())
        .map(|qna| {
            placeholder_fields(qna)
                .into_iter()
                .map(|(field, _)| field.label())
                .collect()
        })
        .unwrap_or_default()
}

/// The warning under a leaf whose `fields` still hold placeholders, wrapped to
/// `width` columns.
fn placeholder_lines(fields: &[String], width: u16) -> Vec<Line<'static>> {
    if fields.is_empty() {
        return Vec::new();
    }
    let named = fields.len().min(PLACEHOLDERS_NAMED);
    let more = match fields.len() - named {
        0 => String::new(),
        more => format!(" and {more} more"),
    };
    let text = format!(
        "! still {FILL_ME_IN} (placeholder): {}{more}",
        fields[..named].join(", ")
    );
    let options = textwrap::Options::new(usize::from(width).max(20))
        .initial_indent("    ")
        .subsequent_indent("      ");
    textwrap::wrap(&text, options)
        .into_iter()
        .map(|piece| Line::from(Span::styled(piece.into_owned(), theme::WARNING)))
        .collect()
}

/// The label of one part of the dialog: marked, in the key colour, when it has the
/// keyboard.
fn part_label(text: &str, focused: bool) -> Line<'static> {
    if focused {
        Line::from(Span::styled(format!("▸ {text}:"), theme::KEY))
    } else {
        Line::from(Span::styled(format!("  {text}:"), theme::DIM))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_dialog_ticks_leaves() {
        let mut dialog = CommitDialog {
            leaves: Some(vec![("a".into(), true), ("b".into(), true)]),
            ..CommitDialog::default()
        };
        dialog.move_by(5);
        dialog.toggle();
        assert_eq!(dialog.chosen(), vec![PathBuf::from("a")]);
        dialog.move_by(-5);
        dialog.toggle();
        assert!(dialog.chosen().is_empty());
    }
}
