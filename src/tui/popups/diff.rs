//! A leaf's diff against the base, scrolled, with coloured `+` and `-` lines.

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::git::{DiffLine, DiffLineKind, LeafDiff};
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::git_jobs::GitReply;
use crate::tui::keymap::Mode;
use crate::tui::msg::Msg;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, hints, popup_block};

/// A leaf's diff against the base, scrolled.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    /// The leaf.
    pub folder: PathBuf,
    /// The diff, once read.
    pub diff: Option<LeafDiff>,
    /// First line shown.
    pub scroll: u16,
    /// Whether the leaf has unsaved edits (not part of the diff).
    pub unsaved: bool,
}

impl DiffView {
    /// The view of `folder`'s diff, to be read.
    pub fn new(folder: PathBuf, unsaved: bool) -> Self {
        Self {
            folder,
            diff: None,
            scroll: 0,
            unsaved,
        }
    }
}

/// One line of a diff, coloured by kind.
pub fn diff_line(line: &DiffLine) -> Line<'static> {
    let style = match line.kind {
        DiffLineKind::Added => theme::OK,
        DiffLineKind::Removed => theme::ERROR,
        DiffLineKind::Hunk => theme::KEY,
        DiffLineKind::FileHeader => theme::HEADING,
        DiffLineKind::Note => theme::DIM,
        DiffLineKind::Context => Style::default(),
    };
    Line::from(Span::styled(line.text.clone(), style))
}

impl Component for DiffView {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Help
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        let page = ctx.height.saturating_sub(6).max(1);
        match press.action {
            Some(Action::Back) => return Reaction::close(),
            Some(action) => {
                if let Some(scroll) = action.scrolled(self.scroll, page) {
                    self.scroll = scroll;
                }
            }
            None => {}
        }
        // Keep the last line on screen.
        let last = self
            .diff
            .as_ref()
            .map_or(0, |d| d.lines.len().saturating_sub(1));
        self.scroll = self.scroll.min(u16::try_from(last).unwrap_or(u16::MAX));
        Reaction::none()
    }

    fn take(&mut self, ctx: &mut Shared, msg: Msg) -> Taken {
        match msg {
            Msg::Git(GitReply::Diff { folder, result }) if folder == self.folder => match result {
                Ok(diff) => {
                    self.diff = Some(diff);
                    Taken::Yes(Reaction::none())
                }
                Err(why) => {
                    ctx.notify_error(why);
                    Taken::Yes(Reaction::close())
                }
            },
            other => Taken::No(other),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let area = centered(frame, 90, 85);
        let folder = self.folder.display();
        let (title, mut lines) = match &self.diff {
            None => (
                format!(" Diff · {folder} "),
                vec![Line::from(Span::styled("reading the diff…", theme::DIM))],
            ),
            Some(diff) => {
                let (added, removed) = diff.counts();
                let title = format!(
                    " Diff vs {} · +{added} -{removed} · {folder} ",
                    diff.against
                );
                let lines = if diff.lines.is_empty() {
                    vec![Line::from(format!("No changes against {}.", diff.against))]
                } else {
                    diff.lines.iter().map(diff_line).collect()
                };
                (title, lines)
            }
        };
        if self.unsaved {
            lines.insert(
                0,
                Line::from(Span::styled(
                    "Unsaved edits are not in this diff: save them first.",
                    theme::WARNING,
                )),
            );
        }
        let block = popup_block(title).title_bottom(hints(
            &ctx.keymap,
            Mode::Help,
            &[
                (Action::Down, "down"),
                (Action::Up, "up"),
                (Action::PageDown, "page"),
                (Action::Back, "close"),
            ],
        ));
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines).block(block).scroll((self.scroll, 0)),
            area,
        );
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Down, Action::Back]
    }
}
