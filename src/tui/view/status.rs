//! The status bar: where we are, and the keys that matter now.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Mode;
use crate::tui::shared::Focus;

use super::theme;

/// The actions hinted for each situation, most useful first.
fn hinted(app: &App) -> &'static [Action] {
    if let Some(top) = app.popups.last() {
        return top.hints(&app.shared);
    }
    match (app.mode(), app.shared.focus) {
        (Mode::Browse, Focus::Tree) => &[
            Action::Find,
            Action::Expand,
            Action::NextProblem,
            Action::EditInEditor,
            Action::Save,
            Action::Palette,
            Action::Help,
            Action::Quit,
        ],
        (Mode::Browse, Focus::Detail) => &[
            Action::NextField,
            Action::EditField,
            Action::AddExample,
            Action::DeleteExample,
            Action::Save,
            Action::Down,
            Action::Up,
            Action::Back,
            Action::Help,
            Action::Quit,
        ],
        (Mode::Picker, _) => &[Action::Confirm, Action::Down, Action::Up, Action::Back],
        (Mode::Help, _) => &[Action::Down, Action::Back],
        (Mode::Confirm, _) => &[Action::Back],
        (Mode::Text, _) => &[Action::Confirm, Action::Back],
        (Mode::Review, _) => &[
            Action::Approve,
            Action::RequestChanges,
            Action::Reject,
            Action::RejectWithComment,
            Action::NextExample,
            Action::NextLeaf,
            Action::Help,
            Action::Back,
        ],
        (Mode::Train, _) => &[
            Action::Down,
            Action::MarkRun,
            Action::LogScale,
            Action::NewRun,
            Action::CancelRun,
            Action::Compare,
            Action::Help,
            Action::Back,
        ],
    }
}

/// Draws the two status lines.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let branch = app.shared.branch.as_deref().unwrap_or("no branch");
    let changed = match (&app.shared.git_problem, &app.shared.marks.base) {
        (Some(_), _) => "no git information".to_owned(),
        (None, Some(base)) => format!("{} changed vs {base}", app.shared.marks.changed_count()),
        (None, None) => format!("{} changed", app.shared.marks.changed_count()),
    };
    let mut top = vec![
        Span::styled(format!(" {} ", app.shared.root().display()), theme::HEADING),
        Span::styled(format!(" {branch} "), theme::KEY),
        Span::styled(format!(" {changed} "), theme::GIT),
    ];
    if let Some((checked, total)) = app.shared.checking {
        top.push(Span::styled(
            format!(" validating {checked}/{total}… "),
            theme::DIM,
        ));
    }
    let top = Line::from(top);
    let bottom = match &app.shared.notice {
        Some(notice) => Line::from(Span::styled(
            format!(" {}", notice.text),
            if notice.is_error {
                theme::ERROR
            } else {
                theme::OK
            },
        )),
        None => {
            let mode = app.mode();
            let mut spans = Vec::new();
            for action in hinted(app) {
                if let Some(key) = app.shared.keymap.keys_for(mode, *action).first() {
                    spans.push(Span::styled(format!(" {key}"), theme::KEY));
                    spans.push(Span::styled(format!(" {} ", action.name()), theme::DIM));
                }
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(vec![top, bottom]), area);
}
