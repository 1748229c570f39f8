//! The git popups: a leaf's diff, the commit dialog, the branch picker, and the
//! questions asked before a discard or a branch switch.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use crate::git::{DiffLine, DiffLineKind, LeafDiff};
use crate::tui::action::Action;
use crate::tui::app::{App, Popup};
use crate::tui::git_popups::{BranchChoice, BranchPicker, CommitDialog, CommitFocus, DiffView};
use crate::tui::keymap::Mode;

use super::popups::{ask, centered, input_line, popup_block};
use super::theme;

/// How many lost lines the discard question shows before "and N more".
const LOST_SHOWN: usize = 8;

/// A hint line: the first key of each action in `mode`, then what it does here.
pub(super) fn hints(app: &App, mode: Mode, items: &[(Action, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (action, what) in items {
        let keys = app.keymap.keys_for(mode, *action);
        // Esc is the key everyone knows for backing out; show it when bound.
        let key = keys.iter().find(|k| *k == "esc").or(keys.first());
        if let Some(key) = key {
            spans.push(Span::styled(format!("{key} "), theme::KEY));
            spans.push(Span::styled(format!("{what}  "), theme::DIM));
        }
    }
    Line::from(spans)
}

fn diff_line(line: &DiffLine) -> Line<'static> {
    let style = match line.kind {
        DiffLineKind::Added => theme::OK,
        DiffLineKind::Removed => theme::ERROR,
        DiffLineKind::Hunk => theme::KEY,
        DiffLineKind::FileHeader => theme::HEADING,
        DiffLineKind::Note => theme::DIM,
        DiffLineKind::Context => ratatui::style::Style::default(),
    };
    Line::from(Span::styled(line.text.clone(), style))
}

/// Draws a leaf's diff against the base, with coloured `+` and `-` lines.
pub fn diff(frame: &mut Frame<'_>, app: &App, view: &DiffView) {
    let area = centered(frame, 90, 85);
    let folder = view.folder.display();
    let (title, mut lines) = match &view.diff {
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
    if view.unsaved {
        lines.insert(
            0,
            Line::from(Span::styled(
                "Unsaved edits are not in this diff: save them first.",
                theme::WARNING,
            )),
        );
    }
    let block = popup_block(title).title_bottom(hints(
        app,
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
        Paragraph::new(lines).block(block).scroll((view.scroll, 0)),
        area,
    );
}

/// Draws the commit dialog: the changed leaves with their ticks, and the message.
pub fn commit(frame: &mut Frame<'_>, app: &App, dialog: &CommitDialog) {
    let area = centered(frame, 80, 70);
    let leaves = dialog.leaves.as_deref().unwrap_or_default();
    let branch = app.branch.as_deref().unwrap_or("HEAD");
    let title = format!(
        " Commit on {branch} · {} of {} leaves ",
        dialog.chosen().len(),
        leaves.len()
    );
    frame.render_widget(Clear, area);
    frame.render_widget(popup_block(title), area);
    let inner = ratatui::widgets::Block::bordered().inner(area);
    let [heading, list_area, label, input_area, note, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let on_leaves = dialog.focus == CommitFocus::Leaves;
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Leaves changed since HEAD:",
            if on_leaves {
                theme::KEY
            } else {
                theme::HEADING
            },
        )),
        heading,
    );
    let items: Vec<ListItem<'_>> = match &dialog.leaves {
        None => vec![ListItem::new(Span::styled(
            "listing the changes…",
            theme::DIM,
        ))],
        Some(leaves) => leaves
            .iter()
            .map(|(folder, ticked)| {
                let mark = if *ticked { "[x] " } else { "[ ] " };
                ListItem::new(Line::from(vec![
                    Span::styled(mark, theme::KEY),
                    Span::raw(folder.display().to_string()),
                ]))
            })
            .collect(),
    };
    let mut state =
        ListState::default().with_selected(dialog.leaves.as_ref().map(|_| dialog.selected));
    let highlight = if on_leaves {
        theme::SELECTED
    } else {
        theme::HEADING
    };
    frame.render_stateful_widget(
        List::new(items).highlight_style(highlight),
        list_area,
        &mut state,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Message:",
            if on_leaves {
                theme::HEADING
            } else {
                theme::KEY
            },
        )),
        label,
    );
    frame.render_widget(Paragraph::new(input_line(&dialog.message)), input_area);
    if !on_leaves {
        frame.set_cursor_position((
            input_area.x + 2 + dialog.message.cursor() as u16,
            input_area.y,
        ));
    }
    let status = if dialog.busy {
        "committing…"
    } else {
        "Adds Signed-off-by: your git user.name <user.email>"
    };
    frame.render_widget(Paragraph::new(Span::styled(status, theme::DIM)), note);
    frame.render_widget(
        Paragraph::new(hints(
            app,
            Mode::Picker,
            &[
                (Action::Confirm, "commit"),
                (Action::FocusNext, "leaves/message"),
                (Action::Toggle, "tick"),
                (Action::Back, "cancel"),
            ],
        )),
        hint,
    );
}

/// Draws the branch picker.
pub fn branches(frame: &mut Frame<'_>, picker: &BranchPicker) {
    let area = centered(frame, 60, 60);
    frame.render_widget(Clear, area);
    frame.render_widget(
        popup_block(" Branches · type to filter or name a new one ".into()),
        area,
    );
    let inner = ratatui::widgets::Block::bordered().inner(area);
    let [input_area, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(input_line(&picker.input)), input_area);
    frame.set_cursor_position((
        input_area.x + 2 + picker.input.cursor() as u16,
        input_area.y,
    ));
    let items: Vec<ListItem<'_>> = match &picker.branches {
        None => vec![ListItem::new(Span::styled("listing branches…", theme::DIM))],
        Some(_) => picker
            .choices()
            .into_iter()
            .map(|choice| match choice {
                BranchChoice::Switch(info) if info.is_head => ListItem::new(Line::from(vec![
                    Span::styled("* ", theme::KEY),
                    Span::raw(info.name),
                    Span::styled("  (current)", theme::DIM),
                ])),
                BranchChoice::Switch(info) => ListItem::new(format!("  {}", info.name)),
                BranchChoice::Create(name) => ListItem::new(Line::from(vec![
                    Span::styled("+ ", theme::OK),
                    Span::raw("create new branch "),
                    Span::styled(name, theme::HEADING),
                ])),
            })
            .collect(),
    };
    let mut state =
        ListState::default().with_selected(picker.branches.as_ref().map(|_| picker.selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme::SELECTED),
        list_area,
        &mut state,
    );
}

/// The lines a discard loses: the files, then the changed lines (up to a few).
fn lost_lines(diff: &LeafDiff) -> Vec<Line<'static>> {
    let (added, removed) = diff.counts();
    let mut lines = vec![Line::from(
        "These files go back to HEAD (a file HEAD lacks is deleted):",
    )];
    lines.extend(diff.files.iter().map(|f| Line::from(format!("  • {f}"))));
    lines.push(Line::from(format!(
        "{added} lines written since HEAD are LOST, {removed} come back:"
    )));
    let changed: Vec<&DiffLine> = diff
        .lines
        .iter()
        .filter(|l| matches!(l.kind, DiffLineKind::Added | DiffLineKind::Removed))
        .collect();
    lines.extend(changed.iter().take(LOST_SHOWN).map(|l| diff_line(l)));
    if changed.len() > LOST_SHOWN {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more changed lines", changed.len() - LOST_SHOWN),
            theme::DIM,
        )));
    }
    lines
}

/// Draws the question before a discard or a branch switch: what would be lost and
/// the key for each choice.
pub fn question(frame: &mut Frame<'_>, popup: &Popup) {
    let (title, lines, choices): (&str, Vec<Line<'static>>, &[(&str, &str)]) = match popup {
        Popup::ConfirmDiscard { folder, diff } => {
            let mut lines = vec![Line::from(format!(
                "Discard every change to {} since HEAD?",
                folder.display()
            ))];
            lines.extend(lost_lines(diff));
            (
                " Discard changes? ",
                lines,
                &[
                    ("y", "yes, DISCARD these changes for good"),
                    ("esc", "no, keep them"),
                ],
            )
        }
        Popup::ConfirmSwitch { branch, dirty } => {
            let mut lines = vec![Line::from("These leaves have unsaved edits:")];
            lines.extend(
                dirty
                    .iter()
                    .map(|f| Line::from(format!("  • {}", f.display()))),
            );
            lines.push(Line::from(format!(
                "They stay open and unsaved on {branch}; if the file differs there, saving asks before writing over it."
            )));
            (
                " Switch branch? ",
                lines,
                &[("y", "switch, keeping the edits unsaved"), ("esc", "stay")],
            )
        }
        _ => return,
    };
    ask(frame, (80, 70), title, lines, choices);
}
