//! The before/after check on the training screen: each seed question with the base
//! model's answer on the left and the tuned model's on the right, the one being
//! written as it comes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::view::theme;

use super::compare::Comparison;

fn column(check: &Comparison, tuned: bool, answers: &[Option<String>]) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, (question, answer)) in check.questions.iter().zip(answers).enumerate() {
        lines.push(Line::from(Span::styled(
            format!("Q{} {question}", i + 1),
            theme::HEADING,
        )));
        lines.push(match answer {
            Some(text) if text.is_empty() => Line::from(Span::styled("(no answer)", theme::DIM)),
            Some(text) => Line::from(text.clone()),
            None if check.problem.is_some() => Line::from(Span::styled("-", theme::DIM)),
            None => match check.so_far(tuned, i) {
                Some(text) => Line::from(vec![
                    Span::raw(text.to_owned()),
                    Span::styled("▍", theme::DIM),
                ]),
                None => Line::from(Span::styled("generating…", theme::DIM)),
            },
        });
        lines.push(Line::default());
    }
    lines
}

/// Draws the check in `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, check: &Comparison) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER_FOCUSED)
        .title(format!(" Before / after · {} ", check.leaf));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [left, right] =
        Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)]).areas(inner);
    let sides = [
        (left, false, "base".to_owned(), &check.base),
        (
            right,
            true,
            format!("tuned: {}", check.tuned_name),
            &check.tuned,
        ),
    ];
    for (area, tuned, title, answers) in sides {
        let mut lines = vec![Line::from(Span::styled(title, theme::KEY))];
        if let Some(problem) = &check.problem {
            lines.push(Line::from(Span::styled(problem.clone(), theme::ERROR)));
        }
        lines.extend(column(check, tuned, answers));
        frame.render_widget(
            Paragraph::new(lines)
                .block(
                    Block::default()
                        .borders(Borders::RIGHT)
                        .border_style(theme::BORDER),
                )
                .wrap(Wrap { trim: false })
                .scroll((check.scroll, 0)),
            area,
        );
    }
}
