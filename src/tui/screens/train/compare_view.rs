//! The before/after check on the training screen: each seed question with the base
//! model's answer on the left and the tuned model's on the right, the one being
//! written as it comes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::compare_jobs::MAX_TOKENS;
use crate::tui::view::theme;

use super::compare::{Answer, Comparison};

/// An answer's lines as the model wrote them: a line break stays a line break (the
/// paragraph joins nothing, and wraps each line to the column).
fn answer_lines(text: &str) -> impl Iterator<Item = Line<'static>> + '_ {
    text.lines().map(|line| Line::from(line.to_owned()))
}

fn column(check: &Comparison, tuned: bool, answers: &[Option<Answer>]) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, (question, answer)) in check.questions.iter().zip(answers).enumerate() {
        lines.push(Line::from(Span::styled(
            format!("Q{} {question}", i + 1),
            theme::HEADING,
        )));
        match answer {
            Some(answer) if answer.text.is_empty() => {
                lines.push(Line::from(Span::styled("(no answer)", theme::DIM)));
            }
            Some(answer) => {
                lines.extend(answer_lines(&answer.text));
                if answer.cut {
                    lines.push(Line::from(Span::styled(
                        format!("… cut at the {MAX_TOKENS}-token limit"),
                        theme::WARNING,
                    )));
                }
            }
            None if check.problem.is_some() => {
                lines.push(Line::from(Span::styled("-", theme::DIM)))
            }
            None => match check.so_far(tuned, i) {
                Some(text) => {
                    lines.extend(answer_lines(text));
                    if let Some(last) = lines.last_mut() {
                        last.push_span(Span::styled("▍", theme::DIM));
                    }
                }
                None => lines.push(Line::from(Span::styled("generating…", theme::DIM))),
            },
        }
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
        // A rule between the two columns; the pane's own border closes the right one.
        let borders = if tuned { Borders::NONE } else { Borders::RIGHT };
        let mut lines = vec![Line::from(Span::styled(title, theme::KEY))];
        if let Some(problem) = &check.problem {
            lines.push(Line::from(Span::styled(problem.clone(), theme::ERROR)));
        }
        lines.extend(column(check, tuned, answers));
        frame.render_widget(
            Paragraph::new(lines)
                .block(
                    Block::default()
                        .borders(borders)
                        .border_style(theme::BORDER),
                )
                .wrap(Wrap { trim: false })
                .scroll((check.scroll, 0)),
            area,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::tui::train_jobs::AnswerProgress;

    fn drawn(check: &Comparison, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| draw(frame, frame.area(), check))
            .unwrap();
        terminal.backend().to_string()
    }

    #[test]
    fn answers_cut_at_the_token_limit_are_marked_and_the_pane_has_one_rule() {
        let mut check = Comparison::new(
            "leaf".into(),
            "run epoch-2".into(),
            vec!["Spell colour?".into()],
            1,
        );
        check.take(1, 0, false, "colour, then".into(), AnswerProgress::Cut);
        check.take(1, 0, true, "color".into(), AnswerProgress::Whole);
        let screen = drawn(&check, 60, 10);
        insta::assert_snapshot!("compare_with_a_cut_answer", screen);
        let rows: Vec<Vec<char>> = screen.lines().map(|r| r.chars().collect()).collect();
        let marked = rows
            .iter()
            .filter(|r| String::from_iter(r.iter()).contains("… cut at the 80-token limit"))
            .count();
        assert_eq!(marked, 1, "only the cut answer is marked:\n{screen}");
        // Each row is quoted: column c is character c + 1.
        for row in &rows[1..rows.len() - 1] {
            assert_ne!(row[59], '│', "no stray rule left of the border:\n{screen}");
            assert_eq!(row[30], '│', "one rule between the columns:\n{screen}");
        }
    }

    #[test]
    fn an_answer_keeps_its_line_breaks() {
        let mut check = Comparison::new(
            "leaf".into(),
            "run epoch-2".into(),
            vec!["A haiku?".into()],
            1,
        );
        check.take(
            1,
            0,
            false,
            "a lone moon\nAria sings to the sea".into(),
            AnswerProgress::Whole,
        );
        check.take(
            1,
            0,
            true,
            "the sea\nthe sun".into(),
            AnswerProgress::Writing,
        );
        let screen = drawn(&check, 100, 16);
        assert!(!screen.contains("moonAria"), "{screen}");
        assert!(!screen.contains("seathe"), "{screen}");
        let rows: Vec<&str> = screen.lines().collect();
        let row = |text: &str| rows.iter().position(|r| r.contains(text));
        assert_eq!(
            row("a lone moon").map(|r| r + 1),
            row("Aria sings to the sea"),
            "the answer's second line is the next row:\n{screen}"
        );
        assert_eq!(
            row("the sun▍"),
            row("Aria sings to the sea"),
            "a streamed answer keeps its line breaks too:\n{screen}"
        );
    }
}
