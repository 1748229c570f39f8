//! The tree pane. Rows are fitted to the pane: a long name is cut with `…`, never the
//! marks around it (validation, unsaved `●`, review verdict).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState};
use textwrap::core::display_width;

use crate::tui::shared::{Focus, Shared};
use crate::tui::tree::Row;
use crate::tui::view::theme;

fn validation_span(errors: usize, warnings: usize) -> Span<'static> {
    if errors > 0 {
        Span::styled("✗", theme::ERROR)
    } else if warnings > 0 {
        Span::styled("!", theme::WARNING)
    } else {
        Span::styled("✓", theme::OK)
    }
}

/// `name` cut to `width` columns, ending in `…` when cut.
fn fit(name: &str, width: usize) -> String {
    if display_width(name) <= width {
        return name.to_owned();
    }
    let mut cut = String::new();
    for c in name.chars() {
        if display_width(&cut) + display_width(c.encode_utf8(&mut [0; 4])) + 1 > width {
            break;
        }
        cut.push(c);
    }
    if width > 0 {
        cut.push('…');
    }
    cut
}

/// `spans` with the name span at `name` cut so that the line fits `width` columns:
/// the marks before and after it stay visible.
fn fitted(mut spans: Vec<Span<'_>>, name: usize, width: usize) -> Line<'_> {
    let others: usize = spans
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != name)
        .map(|(_, s)| s.width())
        .sum();
    let room = width.saturating_sub(others);
    let span = &mut spans[name];
    if span.width() > room {
        span.content = fit(&span.content, room).into();
    }
    Line::from(spans)
}

/// One row of the tree, fitted to `width` columns.
fn row_line<'a>(ctx: &'a Shared, row: &'a Row, width: usize) -> Line<'a> {
    match row {
        Row::Folder {
            depth,
            expanded,
            stats,
            ..
        } => {
            let mut spans = vec![
                Span::raw("  ".repeat(*depth)),
                Span::raw(if *expanded { "▾ " } else { "▸ " }),
                Span::styled(row.name(&ctx.taxonomy), theme::HEADING),
                Span::styled(format!(" {}", stats.leaves), theme::DIM),
            ];
            if stats.invalid > 0 {
                spans.push(Span::styled(format!(" ✗{}", stats.invalid), theme::ERROR));
            }
            if stats.warned > 0 {
                spans.push(Span::styled(format!(" !{}", stats.warned), theme::WARNING));
            }
            if stats.changed > 0 {
                spans.push(Span::styled(format!(" Δ{}", stats.changed), theme::GIT));
            }
            fitted(spans, 2, width)
        }
        Row::Leaf { index, depth } => {
            let leaf = &ctx.taxonomy.leaves[*index];
            let report = ctx.report_of(*index);
            let checked = match ctx.open.get(&leaf.folder) {
                Some(open) => !open.is_validating(),
                None => leaf.checked,
            };
            let validation = if checked {
                validation_span(report.error_count(), report.warning_count())
            } else {
                Span::styled("…", theme::DIM)
            };
            let dirty = if ctx.open.is_dirty(&leaf.folder) {
                Span::styled(" ●", theme::WARNING)
            } else {
                Span::raw("")
            };
            let review = match ctx.review_marks.get(&leaf.folder) {
                Some(verdict) => vec![Span::raw(" "), theme::verdict_mark(verdict)],
                None => Vec::new(),
            };
            let mut spans = vec![
                Span::raw("  ".repeat(*depth)),
                Span::styled(ctx.marks.git(&leaf.folder).symbol().to_string(), theme::GIT),
                Span::raw(" "),
                validation,
                Span::raw(" "),
                Span::styled(theme::kind_symbol(report.kind), theme::DIM),
                Span::raw(" "),
                Span::raw(row.name(&ctx.taxonomy)),
                dirty,
            ];
            spans.extend(review);
            fitted(spans, 7, width)
        }
    }
}

/// Draws the tree of folders and leaves.
pub fn draw(frame: &mut Frame<'_>, area: Rect, ctx: &Shared, focused: bool) {
    let border = if ctx.focus == Focus::Tree && focused {
        theme::BORDER_FOCUSED
    } else {
        theme::BORDER
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(format!(" Taxonomy · {} leaves ", ctx.taxonomy.leaves.len()));
    let inner_height = usize::from(area.height.saturating_sub(2)).max(1);
    let width = usize::from(area.width.saturating_sub(2));
    // Only the visible rows become list items: 10,000 leaves cost nothing here.
    let selected = ctx.tree.selected;
    let offset = selected.saturating_sub(inner_height.saturating_sub(1) / 2);
    let offset = offset.min(ctx.tree.rows.len().saturating_sub(inner_height));
    let items: Vec<ListItem<'_>> = ctx
        .tree
        .rows
        .iter()
        .skip(offset)
        .take(inner_height)
        .map(|row| ListItem::new(row_line(ctx, row, width)))
        .collect();
    let mut state = ListState::default().with_selected(Some(selected - offset));
    let list = List::new(items)
        .block(block)
        .highlight_style(theme::SELECTED);
    frame.render_stateful_widget(list, area, &mut state);
}
