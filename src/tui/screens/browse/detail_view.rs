//! The detail pane: the selected leaf's metadata and seed examples for reading,
//! with each finding shown at the example and field it concerns.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::taxonomy::diagnostic::Diagnostic;
use crate::taxonomy::edit::Field;
use crate::taxonomy::model::Leaf;
use crate::taxonomy::qna::{QuestionAnswer, SeedExample, Text};
use crate::taxonomy::validate::Report;
use crate::tui::shared::{Focus, Shared};
use crate::tui::tree::Row;
use crate::tui::view::theme;

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

/// The field under the cursor, and the line it was drawn at.
#[derive(Default)]
struct Cursor {
    field: Option<Field>,
    line: Option<usize>,
}

impl Cursor {
    /// Whether `field` is under the cursor (its line is then noted).
    fn on(&mut self, field: Field, lines: &[Line<'_>]) -> bool {
        let on = self.field == Some(field);
        if on {
            self.line = Some(lines.len());
        }
        on
    }

    /// The style of `field`'s label: marked when it is under the cursor.
    fn style(&mut self, field: Field, lines: &[Line<'_>], normal: Style) -> Style {
        if self.on(field, lines) {
            theme::SELECTED
        } else {
            normal
        }
    }
}

fn field(
    lines: &mut Vec<Line<'static>>,
    label: &str,
    text: Option<&Text>,
    (field, cursor): (Field, &mut Cursor),
) {
    if let Some(text) = text {
        let (mark, style) = match cursor.on(field, lines) {
            true => ("▸ ", theme::SELECTED),
            false => ("", theme::HEADING),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{label}: "), style),
            Span::raw(text.value.trim_end().to_owned()),
        ]));
    }
}

/// Text set apart under prefixes: `first` before its first visual line, `rest`
/// before every other, each of its lines wrapped to `width` columns so the
/// prefixes line up (a blank line stays one blank line).
fn prefixed(
    lines: &mut Vec<Line<'static>>,
    (first, rest): (Span<'static>, Span<'static>),
    text: &str,
    style: Style,
    width: u16,
) {
    let room = usize::from(width).saturating_sub(first.width()).max(10);
    let mut is_first = true;
    for source_line in text.trim_end().lines() {
        let pieces = textwrap::wrap(source_line, room);
        let pieces = match pieces.is_empty() {
            true => vec![String::new()],
            false => pieces.iter().map(|p| p.to_string()).collect(),
        };
        for piece in pieces {
            let prefix = if is_first {
                first.clone()
            } else {
                rest.clone()
            };
            is_first = false;
            lines.push(Line::from(vec![prefix, Span::styled(piece, style)]));
        }
    }
}

/// Joins lines that were only broken to fit a width (long lines continued by a
/// line that does not start a list item), keeping deliberate breaks: short lines
/// (addresses, sign-offs), blank lines and list items.
fn unwrap_hard_wrapped(text: &str) -> String {
    const WRAPPED_LINE: usize = 50;
    let starts_item = |line: &str| {
        let trimmed = line.trim_start();
        trimmed.len() != line.len()
            || trimmed.starts_with(['-', '*', '•', '|', '>'])
            || trimmed
                .split_once(['.', ')'])
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let mut out = String::with_capacity(text.len());
    let mut previous: Option<&str> = None;
    for line in text.trim_end().lines() {
        if let Some(prev) = previous {
            let continues =
                prev.chars().count() >= WRAPPED_LINE && !line.is_empty() && !starts_item(line);
            out.push(if continues { ' ' } else { '\n' });
        }
        out.push_str(line);
        previous = Some(line);
    }
    out
}

fn qa_lines(
    lines: &mut Vec<Line<'static>>,
    qa: &QuestionAnswer,
    indent: &'static str,
    width: u16,
    (fields, cursor): ((Field, Field), &mut Cursor),
) {
    let label = |text: &'static str, style: Style| {
        let text = match style == theme::SELECTED {
            true => text.replace(' ', "▸"),
            false => text.to_owned(),
        };
        (
            Span::styled(format!("{indent}{text}"), style),
            Span::raw(format!("{indent}  ")),
        )
    };
    if let Some(question) = &qa.question {
        let style = cursor.style(fields.0, lines, theme::KEY);
        prefixed(
            lines,
            label("Q ", style),
            &unwrap_hard_wrapped(&question.value),
            theme::HEADING,
            width,
        );
    }
    if let Some(answer) = &qa.answer {
        let style = cursor.style(fields.1, lines, theme::KEY);
        prefixed(
            lines,
            label("A ", style),
            &unwrap_hard_wrapped(&answer.value),
            Style::default(),
            width,
        );
    }
}

fn within(d: &Diagnostic, example: &SeedExample) -> bool {
    let (start, end) = (example.span.start, example.span.end);
    (d.line, d.col) >= (start.line(), start.col())
        && (d.line, d.col) < (end.line(), end.col().max(1))
}

fn leaf_lines(
    leaf: &Leaf,
    report: &Report,
    dirty: bool,
    validating: bool,
    width: u16,
    cursor: &mut Cursor,
) -> Vec<Line<'static>> {
    let mut title = vec![Span::styled(
        leaf.folder.display().to_string(),
        theme::HEADING,
    )];
    if dirty {
        title.push(Span::styled("  ● unsaved edits", theme::WARNING));
    }
    let mut lines = vec![Line::from(title)];
    let kind = report.kind.map_or("unreadable", |k| k.label());
    let verdict = match (report.error_count(), report.warning_count()) {
        _ if validating => Span::styled("validating…", theme::DIM),
        (0, 0) => Span::styled("valid", theme::OK),
        (0, w) => Span::styled(format!("valid, {w} warnings"), theme::WARNING),
        (e, w) => Span::styled(format!("{e} errors, {w} warnings"), theme::ERROR),
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{kind} · "), theme::DIM),
        verdict,
    ]));
    lines.push(Line::default());

    let examples = report
        .qna
        .as_ref()
        .map_or(&[][..], |q| &q.seed_examples[..]);
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
        let top = [
            (Field::CreatedBy, qna.created_by.as_ref()),
            (Field::TaskDescription, qna.task_description.as_ref()),
            (Field::Domain, qna.domain.as_ref()),
            (Field::DocumentOutline, qna.document_outline.as_ref()),
        ];
        for (f, text) in top {
            field(&mut lines, f.key(), text, (f, cursor));
        }
        if let Some(document) = &qna.document {
            let repo = (Field::DocumentRepo, &mut *cursor);
            field(&mut lines, "document.repo", document.repo.as_ref(), repo);
            let commit = (Field::DocumentCommit, &mut *cursor);
            field(
                &mut lines,
                "document.commit",
                document.commit.as_ref(),
                commit,
            );
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
                let first = match cursor.on(Field::Context(index), &lines) {
                    true => Span::styled("▸ ", theme::SELECTED),
                    false => Span::styled("│ ", theme::DIM),
                };
                prefixed(
                    &mut lines,
                    (first, Span::styled("│ ", theme::DIM)),
                    &unwrap_hard_wrapped(&context.value),
                    theme::DIM,
                    width,
                );
            }
            let own = (Field::Question(index), Field::Answer(index));
            qa_lines(&mut lines, &example.qa, "", width, (own, cursor));
            for (j, pair) in example.questions_and_answers.iter().enumerate() {
                let fields = (Field::PairQuestion(index, j), Field::PairAnswer(index, j));
                qa_lines(&mut lines, pair, "  ", width, (fields, cursor));
            }
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("attribution.txt", theme::HEADING)));
    match &leaf.attribution {
        Some(text) if !text.trim().is_empty() => {
            // One `key: value` a line: its lines are never joined.
            let indent = || Span::raw("  ");
            prefixed(&mut lines, (indent(), indent()), text, theme::DIM, width);
        }
        _ => lines.push(Line::from(Span::styled("  (none)", theme::WARNING))),
    }
    lines
}

fn folder_lines(ctx: &Shared, row: &Row) -> Vec<Line<'static>> {
    let Row::Folder { path, stats, .. } = row else {
        return Vec::new();
    };
    vec![
        Line::from(Span::styled(path.display().to_string(), theme::HEADING)),
        Line::default(),
        Line::from(format!("{} leaves", stats.leaves)),
        Line::from(Span::styled(
            format!("{} with errors", stats.invalid),
            theme::ERROR,
        )),
        Line::from(Span::styled(
            format!("{} with warnings only", stats.warned),
            theme::WARNING,
        )),
        Line::from(Span::styled(
            format!(
                "{} changed against {}",
                stats.changed,
                ctx.marks.base.as_deref().unwrap_or("the base")
            ),
            theme::GIT,
        )),
    ]
}

/// Draws the details of the selected row.
pub fn draw(frame: &mut Frame<'_>, area: Rect, ctx: &Shared, focused: bool) {
    let border = if ctx.focus == Focus::Detail && focused {
        theme::BORDER_FOCUSED
    } else {
        theme::BORDER
    };
    let mut cursor = Cursor {
        field: (ctx.focus == Focus::Detail)
            .then(|| ctx.cursor_field())
            .flatten(),
        line: None,
    };
    let width = area.width.saturating_sub(2);
    let lines = match ctx.tree.current() {
        Some(Row::Leaf { index, .. }) => {
            let leaf = &ctx.taxonomy.leaves[*index];
            leaf_lines(
                leaf,
                ctx.report_of(*index),
                ctx.open.is_dirty(&leaf.folder),
                ctx.is_validating(&leaf.folder),
                width,
                &mut cursor,
            )
        }
        Some(row) => folder_lines(ctx, row),
        None => vec![Line::from("This taxonomy has no leaves yet.")],
    };
    let scroll = match cursor.line {
        Some(line) if ctx.author.follow => following(
            &lines,
            line,
            width,
            area.height.saturating_sub(2),
            ctx.detail_scroll,
        ),
        _ => ctx.detail_scroll,
    };
    let paragraph = Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(" Detail "),
        )
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(paragraph, area);
}

/// The scroll that keeps line `line` in view, near `scroll` if it already is:
/// rows are counted as the paragraph wraps them (near enough: by words).
fn following(lines: &[Line<'_>], line: usize, width: u16, height: u16, scroll: u16) -> u16 {
    let width = usize::from(width.max(1));
    let row: usize = lines[..line.min(lines.len())]
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            textwrap::wrap(&text, width).len().max(1)
        })
        .sum();
    let row = u16::try_from(row).unwrap_or(u16::MAX);
    let margin = 2.min(height / 3);
    if row < scroll.saturating_add(margin) {
        row.saturating_sub(margin)
    } else if row + margin >= scroll.saturating_add(height) {
        (row + margin + 1).saturating_sub(height)
    } else {
        scroll
    }
}

#[cfg(test)]
mod tests {
    use super::unwrap_hard_wrapped;

    #[test]
    fn joins_only_hard_wrapped_prose() {
        let prose = "The side of the Earth facing the Moon is about 6,400 kilometres\ncloser to it than the centre.\n\nNext paragraph.";
        assert_eq!(
            unwrap_hard_wrapped(prose),
            "The side of the Earth facing the Moon is about 6,400 kilometres closer to it than the centre.\n\nNext paragraph."
        );
        let letter = "Kind regards,\nMs Patel\nHead of Year 8";
        assert_eq!(unwrap_hard_wrapped(letter), letter);
        let list = "1. Friday 30 May: deadline for returning the consent form and money.\n2. 5 June: dietary requirements.";
        assert_eq!(unwrap_hard_wrapped(list), list);
    }
}
