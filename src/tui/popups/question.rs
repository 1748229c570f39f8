//! Questions asked before anything is lost. Each names what would be lost and the
//! key of each answer, as the user's keymap binds it in the confirm mode; only those
//! keys answer, and esc (back) leaves everything as it is.

use std::fmt::Debug;
use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::buffer::DiskState;
use crate::drafts::Draft;
use crate::git::{DiffLine, DiffLineKind};
use crate::taxonomy::yaml::LoadError;
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::keymap::Mode;
use crate::tui::msg::Effect;
use crate::tui::popups::diff::diff_line;
use crate::tui::screens::browse::authoring::delete_example;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{ask, centered_in, key_name};

/// A question: what it says, its answers, and what each does.
pub trait Ask: Debug + 'static {
    /// The popup's title.
    fn title(&self) -> String;

    /// What is asked, naming what would be lost.
    fn lines(&self, ctx: &Shared) -> Vec<Line<'static>>;

    /// Each answer's action and what it does, back (esc) included.
    fn answers(&self, ctx: &Shared) -> Vec<(Action, String)>;

    /// Does what answer `action` asks for; `None` if it is not an answer.
    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction>;

    /// Says what staying means, when the question is dismissed.
    fn dismissed(&mut self, ctx: &mut Shared) {
        let _ = ctx;
    }

    /// The box's width and height, in percent of the screen.
    fn size(&self) -> (u16, u16) {
        (70, 40)
    }
}

impl<T: Ask> Component for T {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Confirm
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        match press.action {
            Some(Action::Back) => {
                self.dismissed(ctx);
                Reaction::close()
            }
            Some(action) => self
                .answer(ctx, action)
                .map_or_else(Reaction::none, Reaction::and_close),
            None => Reaction::none(),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let answers: Vec<(String, String)> = self
            .answers(ctx)
            .into_iter()
            .map(|(action, what)| (key_name(&ctx.keymap, Mode::Confirm, action), what))
            .collect();
        ask(frame, self.size(), &self.title(), self.lines(ctx), &answers);
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Back]
    }
}

/// The folders of `leaves` as a bulleted list.
pub(crate) fn folder_list<'a>(leaves: impl Iterator<Item = &'a PathBuf>) -> Vec<Line<'static>> {
    leaves
        .map(|f| Line::from(format!("  • {}", f.display())))
        .collect()
}

/// Cancel the field editor, though text was typed in it?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmCancelEdit {
    /// The leaf.
    pub folder: PathBuf,
    /// The field's label.
    pub field: String,
}

impl Ask for ConfirmCancelEdit {
    fn title(&self) -> String {
        " Discard typed text? ".into()
    }

    fn lines(&self, _ctx: &Shared) -> Vec<Line<'static>> {
        vec![Line::from(format!(
            "What you typed in {} of {} differs from the field's value.",
            self.field,
            self.folder.display()
        ))]
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        vec![
            (
                Action::Yes,
                "yes, DISCARD the typed text (the field stays as it was)".into(),
            ),
            (Action::Back, "no, go on editing".into()),
        ]
    }

    fn answer(&mut self, _ctx: &mut Shared, action: Action) -> Option<Reaction> {
        // Closes this question first, so the field editor beneath takes the discard.
        (action == Action::Yes).then(|| Reaction::close().and_below(Action::DiscardAll))
    }
}

/// Save a leaf whose edited text does not parse?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmSaveBroken {
    /// The leaf.
    pub folder: PathBuf,
    /// Why its text does not parse, and where.
    pub error: LoadError,
}

impl Ask for ConfirmSaveBroken {
    fn title(&self) -> String {
        " Save a file that does not parse? ".into()
    }

    fn lines(&self, _ctx: &Shared) -> Vec<Line<'static>> {
        let error = &self.error;
        vec![
            Line::from(format!(
                "{}/qna.yaml does not parse: line {}, column {}: {}",
                self.folder.display(),
                error.line,
                error.col,
                error.message
            )),
            Line::from("Saved so, it cannot be validated, reviewed or used to generate."),
        ]
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        vec![
            (Action::Yes, "yes, save it as it is".into()),
            (Action::Back, "no, leave it unsaved to fix it".into()),
        ]
    }

    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction> {
        (action == Action::Yes).then(|| ctx.save(&self.folder, DiskState::Unchanged).into())
    }

    fn dismissed(&mut self, ctx: &mut Shared) {
        ctx.notify(format!("{} not saved", self.folder.display()));
    }
}

/// Quit with unsaved edits: save them, discard them, or stay?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmQuit {
    /// The leaves with unsaved edits.
    pub dirty: Vec<PathBuf>,
}

impl Ask for ConfirmQuit {
    fn title(&self) -> String {
        " Quit? ".into()
    }

    fn lines(&self, ctx: &Shared) -> Vec<Line<'static>> {
        let mut lines = vec![Line::from("These leaves have unsaved edits:")];
        for (folder, line) in self.dirty.iter().zip(folder_list(self.dirty.iter())) {
            lines.push(line);
            if let Some(error) = ctx.parse_error(folder) {
                lines.push(Line::from(Span::styled(
                    format!(
                        "      does not parse: line {}, column {}: {}",
                        error.line, error.col, error.message
                    ),
                    theme::WARNING,
                )));
            }
        }
        lines
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        vec![
            (Action::SaveAll, "save them all, then quit".into()),
            (
                Action::DiscardAll,
                "DISCARD the edits listed above and quit".into(),
            ),
            (Action::Back, "stay".into()),
        ]
    }

    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction> {
        match action {
            Action::SaveAll => {
                ctx.quit_when_saved = true;
                let saves: Vec<Effect> = self
                    .dirty
                    .iter()
                    .flat_map(|folder| ctx.save(folder, DiskState::Unchanged))
                    .collect();
                Some(saves.into())
            }
            Action::DiscardAll => {
                let mut effects: Vec<Effect> = self.dirty.iter().map(|f| ctx.discard(f)).collect();
                effects.push(Effect::Quit);
                Some(effects.into())
            }
            _ => None,
        }
    }
}

/// The rows `line` takes, wrapped to `width` columns.
fn rows_of(line: &Line<'_>, width: usize) -> usize {
    line.width().div_ceil(width).max(1)
}

/// What `question` says: `header`, as much of `diff` (coloured) as fits in its box
/// on this screen with `footer` and the answers below, and how many lines did not
/// fit, so the answers are never pushed out of the box.
pub(crate) fn with_excerpt<Q: Ask>(
    question: &Q,
    ctx: &Shared,
    mut header: Vec<Line<'static>>,
    diff: &[&DiffLine],
    footer: Vec<Line<'static>>,
) -> Vec<Line<'static>> {
    let (width_percent, height_percent) = question.size();
    let screen = Rect::new(0, 0, ctx.width, ctx.height);
    let area = centered_in(screen, width_percent, height_percent);
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let answers: usize = question
        .answers(ctx)
        .iter()
        .map(|(_, what)| rows_of(&Line::from(format!("  key  {what}")), width))
        .sum();
    let used: usize = header
        .iter()
        .chain(&footer)
        .map(|line| rows_of(line, width))
        .sum();
    // The borders, the blank line before the answers and the "and more" line.
    let mut room = usize::from(area.height).saturating_sub(used + answers + 4);
    let mut shown = 0;
    for line in diff.iter().map(|line| diff_line(line)) {
        let rows = rows_of(&line, width);
        if rows > room {
            break;
        }
        room -= rows;
        header.push(line);
        shown += 1;
    }
    if shown < diff.len() {
        let more = diff.len() - shown;
        let noun = if more == 1 { "line" } else { "lines" };
        header.push(Line::from(Span::styled(
            format!("  … and {more} more {noun}"),
            theme::DIM,
        )));
    }
    header.extend(footer);
    header
}

/// The added and removed lines of a diff, without hunk headers and context.
pub(crate) fn changed_lines(diff: &[DiffLine]) -> Vec<&DiffLine> {
    diff.iter()
        .filter(|l| matches!(l.kind, DiffLineKind::Added | DiffLineKind::Removed))
        .collect()
}

/// Discard the unsaved edits of one leaf? Lists the lines lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmRevert {
    /// The leaf.
    pub folder: PathBuf,
    /// What would be lost: the unsaved edits as a diff.
    pub edits: Vec<DiffLine>,
}

impl Ask for ConfirmRevert {
    fn title(&self) -> String {
        " Discard edits? ".into()
    }

    fn lines(&self, ctx: &Shared) -> Vec<Line<'static>> {
        let changed = changed_lines(&self.edits);
        let typed = changed
            .iter()
            .filter(|l| l.kind == DiffLineKind::Added)
            .count();
        let header = vec![
            Line::from(format!(
                "Discard every unsaved edit of {}?",
                self.folder.display()
            )),
            Line::from(format!(
                "Lines edited since the last save, LOST: {typed}; saved lines that come back: {}",
                changed.len() - typed
            )),
        ];
        with_excerpt(self, ctx, header, &changed, Vec::new())
    }

    fn size(&self) -> (u16, u16) {
        (80, 70)
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        vec![
            (Action::Yes, "yes, DISCARD them".into()),
            (Action::Back, "no, keep them".into()),
        ]
    }

    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction> {
        (action == Action::Yes).then(|| {
            let forget = ctx.discard(&self.folder);
            ctx.notify(format!("discarded the edits of {}", self.folder.display()));
            forget.into()
        })
    }
}

/// Unsaved edits from an earlier run were found: restore or discard them?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recover {
    /// The drafts found.
    pub drafts: Vec<Draft>,
}

impl Ask for Recover {
    fn title(&self) -> String {
        " Recover edits ".into()
    }

    fn lines(&self, _ctx: &Shared) -> Vec<Line<'static>> {
        let mut lines = vec![Line::from(
            "Unsaved edits from an earlier session were kept:",
        )];
        lines.extend(folder_list(self.drafts.iter().map(|d| &d.folder)));
        lines
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        vec![
            (
                Action::Yes,
                "restore them (unsaved, to review and save)".into(),
            ),
            (Action::DiscardAll, "DISCARD the drafts listed above".into()),
            (Action::Back, "decide later (the drafts are kept)".into()),
        ]
    }

    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction> {
        match action {
            Action::Yes => Some(ctx.restore(std::mem::take(&mut self.drafts)).into()),
            Action::DiscardAll => {
                ctx.notify(format!("discarded {} drafts", self.drafts.len()));
                let forget: Vec<Effect> = self
                    .drafts
                    .drain(..)
                    .map(|draft| Effect::ForgetDraft {
                        folder: draft.folder,
                    })
                    .collect();
                Some(forget.into())
            }
            _ => None,
        }
    }
}

/// Delete a seed example?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmDeleteExample {
    /// The leaf.
    pub folder: PathBuf,
    /// The example (0-based).
    pub index: usize,
    /// The start of its question, to name it.
    pub named: String,
}

impl Ask for ConfirmDeleteExample {
    fn title(&self) -> String {
        " Delete example? ".into()
    }

    fn lines(&self, _ctx: &Shared) -> Vec<Line<'static>> {
        vec![Line::from(format!(
            "Delete seed example {} of {}: “{}”?",
            self.index + 1,
            self.folder.display(),
            self.named
        ))]
    }

    fn answers(&self, ctx: &Shared) -> Vec<(Action, String)> {
        let revert = key_name(&ctx.keymap, Mode::Browse, Action::Revert);
        vec![
            (
                Action::Yes,
                format!("yes, delete it (unsaved until save; {revert} reverts)"),
            ),
            (Action::Back, "no, keep it".into()),
        ]
    }

    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction> {
        (action == Action::Yes).then(|| delete_example(ctx, &self.folder, self.index).into())
    }
}
