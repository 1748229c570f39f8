//! The evaluation pane: one bar pair per leaf (the base and the tuned model's
//! ROUGE-L against the held-out references, with the judge's wins, ties and
//! losses), and the selected leaf's questions with both answers and the judge's
//! verdict and reason.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Padding, Paragraph, Wrap};

use crate::eval::judge::Outcome;
use crate::eval::report::Item;
use crate::eval::{EvalReport, LeafResult, QuestionSource, Totals};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::key_name;

use super::eval::{EvalPane, Evaluating};
use super::view::focused_pane;

/// The bars' pane width.
const BARS_WIDTH: u16 = 44;

/// A score as the bars and the text show it.
fn score(value: f64) -> String {
    format!("{value:.2}")
}

/// `n` and its noun, singular for one.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Scores in one line: ROUGE-L of both models and the judge's verdicts.
fn totals_line(totals: &Totals) -> String {
    let mut text = format!(
        "{} · ROUGE-L base {} tuned {} · {} {} {}",
        count(totals.questions, "question", "questions"),
        score(totals.base),
        score(totals.tuned),
        count(totals.wins, "win", "wins"),
        count(totals.ties, "tie", "ties"),
        count(totals.losses, "loss", "losses"),
    );
    if totals.undecided > 0 {
        text.push_str(&format!(" ({} undecided)", totals.undecided));
    }
    text
}

/// `text` in `width` columns, cut with `…` when longer.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(width.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

/// The leaf's name in the bars: the end of its path.
fn short(leaf: &str) -> &str {
    leaf.rsplit('/').next().unwrap_or(leaf)
}

/// Rows per leaf in the bars' pane: its name, the base bar, the tuned bar.
const LEAF_ROWS: u16 = 3;

/// One bar pair per leaf, the selected leaf kept in view.
fn bars(frame: &mut Frame<'_>, area: Rect, report: &EvalReport, selected: usize) {
    let block = Block::default()
        .borders(Borders::RIGHT)
        .border_style(theme::BORDER);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown = usize::from((inner.height / LEAF_ROWS).max(1));
    let first = selected.saturating_sub(shown - 1);
    let rows = Layout::vertical(vec![Constraint::Length(LEAF_ROWS); shown]).split(inner);
    for (row, (i, leaf)) in rows
        .iter()
        .zip(report.leaves.iter().enumerate().skip(first))
    {
        let [label_area, bars_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(2)]).areas(*row);
        let (mark, style) = if i == selected {
            ("▸ ", theme::HEADING)
        } else {
            ("  ", theme::DIM)
        };
        let t = &leaf.totals;
        // The verdicts first: a long name is cut at the pane's edge.
        let label = format!(
            "{mark}{}W {}T {}L {}",
            t.wins,
            t.ties,
            t.losses,
            short(&leaf.leaf)
        );
        let label = cut(&label, usize::from(label_area.width));
        frame.render_widget(Paragraph::new(Span::styled(label, style)), label_area);
        let bar = |name: &'static str, value: f64, style: Style| {
            Bar::new((value * 100.0).round() as u64)
                .label(Line::from(name))
                .text_value(score(value))
                .style(style)
        };
        let chart = BarChart::horizontal([
            bar("base ", t.base, theme::DIM),
            bar("tuned", t.tuned, theme::KEY),
        ])
        .bar_width(1)
        .bar_gap(0)
        .max(100);
        frame.render_widget(chart, bars_area);
    }
}

fn verdict(item: &Item) -> (&'static str, Style) {
    match item.verdict {
        Some(Outcome::Win) => ("tuned wins", theme::OK),
        Some(Outcome::Tie) => ("tie", theme::KEY),
        Some(Outcome::Loss) => ("base wins", theme::ERROR),
        None => ("no verdict", theme::WARNING),
    }
}

/// An answer with its heading: who gave it and its ROUGE-L.
fn answer(lines: &mut Vec<Line<'static>>, who: &str, rouge: Option<f64>, text: &str) {
    let heading = match rouge {
        Some(value) => format!("{who} (ROUGE-L {})", score(value)),
        None => who.to_owned(),
    };
    lines.push(Line::from(Span::styled(heading, theme::KEY)));
    lines.extend(text.lines().map(|l| Line::from(format!("  {l}"))));
}

/// The answers' width on a terminal `columns` wide: inside the pane's border, right
/// of the bars, after a column of padding.
fn answers_width(columns: u16) -> u16 {
    columns.saturating_sub(2 + BARS_WIDTH + 1)
}

/// The rows a leaf's answers take, wrapped, on a terminal `columns` wide.
pub(super) fn answer_rows(leaf: &LeafResult, columns: u16) -> usize {
    Paragraph::new(answers(leaf))
        .wrap(Wrap { trim: false })
        .line_count(answers_width(columns))
}

/// A leaf's questions: each with the reference, both answers and the verdict.
pub(super) fn answers(leaf: &LeafResult) -> Vec<Line<'static>> {
    let source = match leaf.source {
        QuestionSource::HeldOut => "questions held out of training",
        QuestionSource::Seed => "seed questions (the run held none out)",
    };
    let mut lines = vec![
        Line::from(Span::styled(leaf.leaf.clone(), theme::HEADING)),
        Line::from(Span::styled(
            format!("{} · {source}", totals_line(&leaf.totals)),
            theme::DIM,
        )),
    ];
    for (i, item) in leaf.items.iter().enumerate() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("Q{} {}", i + 1, item.question),
            theme::HEADING,
        )));
        answer(&mut lines, "reference", None, &item.reference);
        answer(
            &mut lines,
            "base",
            Some(item.base_rouge_l),
            &item.base_answer,
        );
        answer(
            &mut lines,
            "tuned",
            Some(item.tuned_rouge_l),
            &item.tuned_answer,
        );
        let (said, style) = verdict(item);
        lines.push(Line::from(vec![
            Span::styled("judge: ", theme::KEY),
            Span::styled(said, style),
            Span::raw(format!(" · {}", item.reason.trim())),
        ]));
    }
    lines
}

/// Draws the pane in `area`; `evaluating` is the evaluation running, if any.
pub fn draw(
    frame: &mut Frame<'_>,
    area: Rect,
    ctx: &Shared,
    pane: &EvalPane,
    evaluating: Option<&Evaluating>,
) {
    let title = match &pane.report {
        Some(report) => format!(
            " Evaluation · {} · {} · judge {} ",
            pane.run,
            report.checkpoint,
            short(&report.judge)
        ),
        None => format!(" Evaluation · {} ", pane.run),
    };
    let block = focused_pane(
        title,
        ctx,
        &[
            (Action::Down, "next leaf"),
            (Action::PageDown, "scroll"),
            (Action::RunEval, "evaluate again"),
            (Action::CancelRun, "stop evaluating"),
            (Action::Back, "close"),
        ],
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut head = Vec::new();
    if let Some(evaluating) = evaluating {
        head.push(Line::from(Span::styled(evaluating.describe(), theme::OK)));
    }
    let report = match (&pane.report, &pane.problem, pane.loaded) {
        (Some(report), _, _) => report,
        (None, Some(problem), _) => {
            head.push(Line::from(Span::styled(problem.clone(), theme::ERROR)));
            frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), inner);
            return;
        }
        (None, None, loaded) => {
            let key = key_name(&ctx.keymap, Mode::Train, Action::RunEval);
            let text = if loaded {
                format!("run {} has no evaluation yet: {key} runs one", pane.run)
            } else {
                "reading the evaluation…".to_owned()
            };
            head.push(Line::from(Span::styled(text, theme::DIM)));
            frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), inner);
            return;
        }
    };
    head.push(Line::from(vec![
        Span::styled("overall ", theme::HEADING),
        Span::raw(totals_line(&report.overall)),
    ]));
    let [head_area, body] = Layout::vertical([
        Constraint::Length(u16::try_from(head.len()).unwrap_or(2)),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(head), head_area);
    let [left, right] =
        Layout::horizontal([Constraint::Length(BARS_WIDTH), Constraint::Min(20)]).areas(body);
    bars(frame, left, report, pane.leaf);
    if let Some(leaf) = report.leaves.get(pane.leaf) {
        let text = Paragraph::new(answers(leaf))
            .block(Block::default().padding(Padding::left(1)))
            .wrap(Wrap { trim: false })
            .scroll((pane.scroll, 0));
        frame.render_widget(text, right);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_with_an_ellipsis_and_counts_read_right() {
        assert_eq!(cut("tides", 10), "tides");
        assert_eq!(cut("british_and_american", 8), "british…");
        assert_eq!(count(1, "win", "wins"), "1 win");
        assert_eq!(count(3, "loss", "losses"), "3 losses");
    }
}
