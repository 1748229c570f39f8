//! Pieces every screen and popup draws with: a centred popup area and its block,
//! an input line, key hints from the keymap, and a question with its answers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::action::Action;
use crate::tui::input_line::InputLine;
use crate::tui::keymap::{Keymap, Mode};

use super::theme;

/// A centred area of `width_percent` and `height_percent` of the frame (at least
/// 40 x 8, at most the frame).
pub fn centered(frame: &Frame<'_>, width_percent: u16, height_percent: u16) -> Rect {
    centered_in(frame.area(), width_percent, height_percent)
}

/// [`centered`] in `area` (for a popup that needs its size outside drawing).
pub fn centered_in(area: Rect, width_percent: u16, height_percent: u16) -> Rect {
    let width = (area.width * width_percent / 100).max(40).min(area.width);
    let height = (area.height * height_percent / 100).max(8).min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A popup's bordered block with `title`.
pub fn popup_block(title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER_FOCUSED)
        .title(title)
}

/// An input line as drawn: a prompt, then the text.
pub fn input_line(input: &InputLine) -> Line<'static> {
    Line::from(vec![
        Span::styled("> ", theme::KEY),
        Span::raw(input.text().to_owned()),
    ])
}

/// The column of an input line's cursor, from the line's start.
pub fn input_cursor(input: &InputLine) -> u16 {
    2 + u16::try_from(input.cursor()).unwrap_or(u16::MAX - 2)
}

/// The key shown for `action` in `mode`: esc when bound (the key everyone knows for
/// backing out), else the first bound key, else the action's name.
pub fn key_name(keymap: &Keymap, mode: Mode, action: Action) -> String {
    let keys = keymap.keys_for(mode, action);
    keys.iter()
        .find(|k| *k == "esc")
        .or(keys.first())
        .cloned()
        .unwrap_or_else(|| action.name().to_owned())
}

/// A hint line: the key of each action in `mode`, then what it does here; actions
/// without a key are left out.
pub fn hints(keymap: &Keymap, mode: Mode, items: &[(Action, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (action, what) in items {
        let keys = keymap.keys_for(mode, *action);
        let key = keys.iter().find(|k| *k == "esc").or(keys.first());
        if let Some(key) = key {
            spans.push(Span::styled(format!("{key} "), theme::KEY));
            spans.push(Span::styled(format!("{what}  "), theme::DIM));
        }
    }
    Line::from(spans)
}

/// Draws a question: its text, then each answer's key and meaning, in a centred box
/// of `size` percent of the screen.
pub fn ask(
    frame: &mut Frame<'_>,
    (width, height): (u16, u16),
    title: &str,
    mut lines: Vec<Line<'static>>,
    choices: &[(String, String)],
) {
    lines.push(Line::default());
    for (key, what) in choices {
        lines.push(Line::from(vec![
            Span::styled(format!("  {key:<5}"), theme::KEY),
            Span::raw(what.clone()),
        ]));
    }
    let area = centered(frame, width, height);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(popup_block(title.to_owned()))
            .wrap(Wrap { trim: false }),
        area,
    );
}
