//! The status bar: where we are, and the keys that matter now, or the last notice,
//! wrapped over as many rows as it needs so that it is never cut.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Mode;

use super::theme;

/// The notice as drawn, if there is one.
fn notice(app: &App) -> Option<Paragraph<'_>> {
    let notice = app.shared.notice.as_ref()?;
    let style = if notice.is_error {
        theme::ERROR
    } else {
        theme::OK
    };
    let text = Line::from(Span::styled(format!(" {}", notice.text), style));
    Some(Paragraph::new(text).wrap(Wrap { trim: false }))
}

/// The rows the status bar needs at `width` columns: the top line, and the notice
/// wrapped (or the key hints).
pub fn height(app: &App, width: u16) -> u16 {
    let bottom = notice(app).map_or(1, |n| n.line_count(width));
    u16::try_from(bottom.saturating_add(1)).unwrap_or(u16::MAX)
}

/// Draws the status lines: the top line, then the notice or the key hints.
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
    let [top_area, bottom_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(top), top_area);
    let bottom = match notice(app) {
        Some(notice) => notice,
        None => {
            let mode = app.mode();
            let mut spans = Vec::new();
            for action in app.hints() {
                if let Some(key) = app.shared.keymap.keys_for(mode, *action).first() {
                    spans.push(Span::styled(format!(" {key}"), theme::KEY));
                    spans.push(Span::styled(format!(" {} ", action.name()), theme::DIM));
                }
            }
            Paragraph::new(Line::from(spans))
        }
    };
    frame.render_widget(bottom, bottom_area);
}
