//! The detail pane: the selected leaf's metadata and seed examples for reading,
//! with each finding shown at the example and field it concerns.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::taxonomy::diagnostic::Diagnostic;
use crate::taxonomy::model::Leaf;
use crate::taxonomy::qna::{QuestionAnswer, SeedExample, Text};
use crate::tui::app::{App, Focus};
use crate::tui::tree::Row;

use super::theme;

fn finding_line(d: &Diagnostic) -> Line<'static> {
    let style = if d.is_error() {
        theme::ERROR
    } else {
        theme::WARNING
    };
    let mark = if d.is_error() { "✗" } else { "!" };
    let path = d
        .yaml_path
        .as_deref()
        .map(|p| format!(" [{p}]"))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(format!("  {mark} {}:{}{path} ", d.line, d.col), style),
        Span::styled(d.message.clone(), style),
        Span::styled(format!(" ({})", d.rule), theme::DIM),
    ])
}

fn field(lines: &mut Vec<Line<'static>>, label: &str, text: Option<&Text>) {
    if let Some(text) = text {
        lines.push(Line::from(vec![
            Span::styled(format!("{label}: "), theme::HEADING),
            Span::raw(text.value.trim_end().to_owned()),
        ]));
    }
}

/// A block of text set apart: each line prefixed.
fn block_text(lines: &mut Vec<Line<'static>>, prefix: &'static str, text: &str, style: ratatui::style::Style) {
    for line in text.trim_end().lines() {
        lines.push(Line::from(vec![
            Span::styled(prefix, theme::DIM),
            Span::styled(line.to_owned(), style),
        ]));
    }
}

fn qa_lines(lines: &mut Vec<Line<'static>>, qa: &QuestionAnswer, indent: &'static str) {
    if let Some(question) = &qa.question {
        lines.push(Line::from(vec![
            Span::raw(indent),
            Span::styled("Q ", theme::KEY),
            Span::styled(question.value.trim_end().to_owned(), theme::HEADING),
        ]));
    }
    if let Some(answer) = &qa.answer {
        let mut first = true;
        for line in answer.value.trim_end().lines() {
            let label = if first { "A " } else { "  " };
            first = false;
            lines.push(Line::from(vec![
                Span::raw(indent),
                Span::styled(label, theme::KEY),
                Span::raw(line.to_owned()),
            ]));
        }
    }
}

fn within(d: &Diagnostic, example: &SeedExample) -> bool {
    let (start, end) = (example.span.start, example.span.end);
    (d.line, d.col) >= (start.line, start.col) && (d.line, d.col) < (end.line, end.col.max(1))
}

fn leaf_lines(leaf: &Leaf) -> Vec<Line<'static>> {
    let report = &leaf.report;
    let mut lines = vec![Line::from(Span::styled(
        leaf.folder.display().to_string(),
        theme::HEADING,
    ))];
    let kind = report.kind.map_or("unreadable", |k| k.label());
    let verdict = match (report.error_count(), report.warning_count()) {
        (0, 0) => Span::styled("valid", theme::OK),
        (0, w) => Span::styled(format!("valid, {w} warnings"), theme::WARNING),
        (e, w) => Span::styled(format!("{e} errors, {w} warnings"), theme::ERROR),
    };
    lines.push(Line::from(vec![Span::styled(format!("{kind} · "), theme::DIM), verdict]));
    lines.push(Line::default());

    let examples = report.qna.as_ref().map_or(&[][..], |q| &q.seed_examples[..]);
    let general: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| !examples.iter().any(|e| within(d, e)))
        .collect();
    if !general.is_empty() {
        lines.push(Line::from(Span::styled("Findings", theme::HEADING)));
        lines.extend(general.into_iter().map(finding_line));
        lines.push(Line::default());
    }
    if let Some(qna) = &report.qna {
        if let Some(version) = qna.version {
            lines.push(Line::from(vec![
                Span::styled("version: ", theme::HEADING),
                Span::raw(version.to_string()),
            ]));
        }
        field(&mut lines, "created_by", qna.created_by.as_ref());
        field(&mut lines, "task_description", qna.task_description.as_ref());
        field(&mut lines, "domain", qna.domain.as_ref());
        field(&mut lines, "document_outline", qna.document_outline.as_ref());
        if let Some(document) = &qna.document {
            field(&mut lines, "document.repo", document.repo.as_ref());
            field(&mut lines, "document.commit", document.commit.as_ref());
            let patterns: Vec<&str> = document.patterns.iter().map(|p| p.value.as_str()).collect();
            lines.push(Line::from(vec![
                Span::styled("document.patterns: ", theme::HEADING),
                Span::raw(patterns.join(", ")),
            ]));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("Seed examples ({})", qna.seed_examples.len()),
            theme::HEADING,
        )));
        for (index, example) in qna.seed_examples.iter().enumerate() {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                format!("── {} ──", index + 1),
                theme::DIM,
            )));
            for d in report.diagnostics.iter().filter(|d| within(d, example)) {
                lines.push(finding_line(d));
            }
            if let Some(context) = &example.context {
                block_text(&mut lines, "│ ", &context.value, theme::DIM);
            }
            qa_lines(&mut lines, &example.qa, "");
            for pair in &example.questions_and_answers {
                qa_lines(&mut lines, pair, "  ");
            }
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("attribution.txt", theme::HEADING)));
    match &leaf.attribution {
        Some(text) if !text.trim().is_empty() => block_text(&mut lines, "  ", text, theme::DIM),
        _ => lines.push(Line::from(Span::styled("  (none)", theme::WARNING))),
    }
    lines
}

fn folder_lines(app: &App, row: &Row) -> Vec<Line<'static>> {
    let Row::Folder { path, stats, .. } = row else {
        return Vec::new();
    };
    vec![
        Line::from(Span::styled(path.display().to_string(), theme::HEADING)),
        Line::default(),
        Line::from(format!("{} leaves", stats.leaves)),
        Line::from(Span::styled(format!("{} with errors", stats.invalid), theme::ERROR)),
        Line::from(Span::styled(format!("{} with warnings only", stats.warned), theme::WARNING)),
        Line::from(Span::styled(
            format!(
                "{} changed against {}",
                stats.changed,
                app.marks.base.as_deref().unwrap_or("the base")
            ),
            theme::GIT,
        )),
    ]
}

/// Draws the details of the selected row.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let border = if app.focus == Focus::Detail && app.popup.is_none() {
        theme::BORDER_FOCUSED
    } else {
        theme::BORDER
    };
    let lines = match app.tree.current() {
        Some(Row::Leaf { index, .. }) => leaf_lines(&app.taxonomy.leaves[*index]),
        Some(row) => folder_lines(app, row),
        None => vec![Line::from("This taxonomy has no leaves yet.")],
    };
    let paragraph = Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(" Detail "),
        )
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(paragraph, area);
}
