//! The status bar: where we are, and the keys that matter now.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Mode;

use super::theme;

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
    if !app.shared.help_seen
        && let Some(key) = app
            .shared
            .keymap
            .keys_for(Mode::Browse, Action::Help)
            .first()
    {
        // A new user learns where the keys are before anything else.
        let used: usize = top.iter().map(Span::width).sum();
        let hint = format!(" {key} help ");
        let gap = usize::from(area.width).saturating_sub(used + hint.chars().count());
        top.push(Span::raw(" ".repeat(gap)));
        top.push(Span::styled(hint, theme::KEY));
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
            for action in app.hints() {
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
