//! The review screen: the queue on the left with each leaf's verdict; on the right the
//! current example (or its diff against the base), the decisions on it, and the
//! leaf's verdicts and checklist.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use crate::git::Change;
use crate::review::decision::{ExampleState, ReviewerState};
use crate::review::queue::DiffLine;
use crate::review::{Decision, ExampleChange, LeafReview, QueueExample, Verdict};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::shared::Shared;
use crate::tui::view::theme::{self, verdict_mark};
use crate::tui::view::widgets::hints;

use super::panes::Panes;
use super::{ReviewScreen, Shown, item_count};

fn decision_style(decision: Decision) -> Style {
    match decision {
        Decision::Approve => theme::OK,
        Decision::RequestChanges => theme::WARNING,
        Decision::Reject => theme::ERROR,
    }
}

fn state_span(state: ExampleState) -> Span<'static> {
    let style = match state {
        ExampleState::Decided(decision) => decision_style(decision),
        ExampleState::Undecided | ExampleState::ChangedSinceReview(_) => theme::DIM,
    };
    Span::styled(state.label(), style)
}

/// `key`, cut from the left to `width` characters.
fn tail(key: &str, width: usize) -> String {
    let count = key.chars().count();
    if count <= width {
        return key.to_owned();
    }
    let skip = count + 1 - width;
    format!("…{}", key.chars().skip(skip).collect::<String>())
}

fn queue(frame: &mut Frame<'_>, area: Rect, screen: &ReviewScreen) {
    let (title, base) = match &screen.status {
        Some(status) => (
            match status.leaves.len() {
                1 => " Review · 1 leaf ".to_owned(),
                n => format!(" Review · {n} leaves "),
            },
            status.base.as_str(),
        ),
        None => (" Review ".to_owned(), ""),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER_FOCUSED)
        .title(title)
        .title_bottom(Line::from(Span::styled(format!(" vs {base} "), theme::DIM)));
    let me = screen.status.as_ref().and_then(|s| s.reviewer.as_ref());
    let items: Vec<ListItem<'_>> = screen
        .leaves()
        .iter()
        .map(|leaf| {
            // How far this reviewer has got with the leaf.
            let fields = leaf.leaf.fields.is_some().then_some(&leaf.fields_states);
            let mine = leaf
                .states
                .iter()
                .chain(fields)
                .filter(|states| {
                    states
                        .iter()
                        .any(|s| Some(&s.reviewer) == me && s.state.current().is_some())
                })
                .count();
            // A leaf that cannot be read has nothing to count: say so, as the pane does.
            let (progress, style) = match leaf.leaf.unreadable {
                Some(_) => (" unreadable".to_owned(), theme::ERROR),
                None => (format!(" {mine}/{}", item_count(leaf)), theme::DIM),
            };
            let width =
                usize::from(area.width.saturating_sub(4)).saturating_sub(progress.chars().count());
            ListItem::new(Line::from(vec![
                verdict_mark(leaf.verdict()),
                Span::raw(" "),
                Span::raw(tail(&leaf.leaf.leaf, width)),
                Span::styled(progress, style),
            ]))
        })
        .collect();
    let empty = match (&screen.status, &screen.problem) {
        (_, Some(_)) => Some("the queue could not be read"),
        (None, None) => Some("reading the queue…"),
        (Some(s), None) if s.leaves.is_empty() => Some("no leaf changed against the base"),
        (Some(_), None) => None,
    };
    if let Some(text) = empty {
        let text = Paragraph::new(Span::styled(text, theme::DIM))
            .block(block)
            .wrap(Wrap { trim: false });
        frame.render_widget(text, area);
        return;
    }
    let mut state = ListState::default().with_selected(Some(screen.leaf));
    let list = List::new(items)
        .block(block)
        .highlight_style(theme::SELECTED);
    frame.render_stateful_widget(list, area, &mut state);
}

fn change_label(change: &ExampleChange, base: &str) -> String {
    match change {
        ExampleChange::Unchanged { base_index } => {
            format!("unchanged (example {} in {base})", base_index + 1)
        }
        ExampleChange::Added => "new".to_owned(),
        ExampleChange::Modified { base_index, .. } => {
            format!("modified (example {} in {base})", base_index + 1)
        }
    }
}

/// A line diff against the base, under a heading.
fn diff_lines(diff: &[DiffLine], base: &str) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        format!("Changes against {base}:"),
        theme::HEADING,
    ))];
    lines.extend(diff.iter().map(|line| {
        let style = match line.sign {
            '+' => theme::OK,
            '-' => theme::ERROR,
            _ => Style::default(),
        };
        Line::from(Span::styled(format!("{} {}", line.sign, line.text), style))
    }));
    lines
}

fn example_lines(example: &QueueExample, base: &str) -> Vec<Line<'static>> {
    match &example.change {
        ExampleChange::Modified { diff, .. } => diff_lines(diff, base),
        ExampleChange::Unchanged { .. } | ExampleChange::Added => example
            .content
            .lines()
            .into_iter()
            .map(Line::from)
            .collect(),
    }
}

/// This reviewer's and the others' states on the item shown.
fn decisions_lines(screen: &ReviewScreen, states: &[ReviewerState]) -> Vec<Line<'static>> {
    let reviewer = screen.status.as_ref().and_then(|s| s.reviewer.clone());
    let mut lines = Vec::new();
    match &reviewer {
        Some(me) => {
            let mine = states.iter().find(|s| s.reviewer == *me);
            let mut spans = vec![
                Span::styled(format!("You ({}): ", me.name), theme::HEADING),
                state_span(mine.map_or(ExampleState::Undecided, |s| s.state)),
            ];
            if let Some(comment) = mine.and_then(|s| s.comment.clone()) {
                spans.push(Span::raw(format!(" · “{comment}”")));
            }
            lines.push(Line::from(spans));
        }
        None => lines.push(Line::from(Span::styled(
            "No git identity (user.name, user.email): decisions cannot be recorded.",
            theme::ERROR,
        ))),
    }
    let others: Vec<_> = states
        .iter()
        .filter(|s| Some(&s.reviewer) != reviewer.as_ref())
        .collect();
    if others.is_empty() {
        lines.push(Line::from(Span::styled(
            "No other reviewer has decided.",
            theme::DIM,
        )));
    }
    for other in others {
        let mut spans = vec![
            Span::raw(format!("{}: ", other.reviewer.name)),
            state_span(other.state),
        ];
        if let Some(comment) = &other.comment {
            spans.push(Span::raw(format!(" · “{comment}”")));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    lines
}

/// The title and lines of the example pane.
pub(super) fn item_lines(screen: &ReviewScreen, leaf: &LeafReview) -> (String, Vec<Line<'static>>) {
    let base = screen.status.as_ref().map_or("", |s| s.base.as_str());
    let examples = leaf.leaf.examples.len();
    match screen.shown() {
        Some(Shown::Fields(change, states)) => (
            format!(" Leaf fields · changed against {base} · then {examples} examples "),
            [
                decisions_lines(screen, states),
                diff_lines(&change.diff, base),
            ]
            .concat(),
        ),
        Some(Shown::Example(example, states)) => (
            format!(
                " Example {}/{examples} · {} ",
                example.index + 1,
                change_label(&example.change, base)
            ),
            // The decisions first: short, and what the reviewer acts on.
            [
                decisions_lines(screen, states),
                example_lines(example, base),
            ]
            .concat(),
        ),
        None => match leaf.leaf.why_unreadable() {
            Some(why) => (
                " Unreadable ".to_owned(),
                vec![
                    Line::from(Span::styled(
                        "This leaf cannot be read, so its examples are unknown:",
                        theme::ERROR,
                    )),
                    Line::from(Span::styled(why, theme::ERROR)),
                ],
            ),
            None => (
                " No seed examples ".to_owned(),
                vec![Line::from(Span::styled(
                    "This leaf has no seed examples to decide on; give it a verdict.",
                    theme::WARNING,
                ))],
            ),
        },
    }
}

/// The "more below" mark for a pane scrolled to `offset` of `max`, with the key that
/// pages on.
fn more_mark(ctx: &Shared, offset: u16, max: u16) -> Line<'static> {
    if offset >= max {
        return Line::default();
    }
    let key = ctx.keymap.keys_for(Mode::Review, Action::PageDown);
    let key = key.first().map_or("page-down", String::as_str);
    Line::from(Span::styled(format!(" ↓ more: {key} "), theme::KEY)).right_aligned()
}

fn example_pane(
    frame: &mut Frame<'_>,
    area: Rect,
    ctx: &Shared,
    screen: &ReviewScreen,
    (offset, max): (u16, u16),
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER);
    let Some(leaf) = screen.current_leaf() else {
        let text = screen.problem.clone().unwrap_or_default();
        let text = Paragraph::new(Span::styled(text, theme::ERROR))
            .block(block.title(" Example "))
            .wrap(Wrap { trim: false });
        frame.render_widget(text, area);
        return;
    };
    let (title, lines) = item_lines(screen, leaf);
    let block = block.title(title).title(more_mark(ctx, offset, max));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((offset, 0)),
        area,
    );
}

fn change_of(change: &Change) -> String {
    match change {
        Change::Added => "added".to_owned(),
        Change::Modified => "modified".to_owned(),
        Change::Untracked => "untracked".to_owned(),
        Change::Renamed { from } => format!("renamed from {}", from.display()),
    }
}

/// The lines of the leaf pane: its verdict, why it is unreadable, the verdicts given
/// and the checklist.
pub(super) fn leaf_lines(leaf: &LeafReview) -> Vec<Line<'static>> {
    let verdict = leaf.verdict();
    let mut spans = vec![
        Span::styled("Verdict: ", theme::HEADING),
        verdict_mark(verdict),
        Span::raw(format!(" {}", verdict.map_or("pending", Verdict::label))),
        Span::styled(
            format!(
                " · the decisions say {}",
                leaf.derived.map_or("pending", Verdict::label)
            ),
            theme::DIM,
        ),
    ];
    if !leaf.leaf.removed.is_empty() {
        spans.push(Span::styled(
            format!(" · {} examples removed", leaf.leaf.removed.len()),
            theme::WARNING,
        ));
    }
    let mut lines = vec![Line::from(spans)];
    if let Some(why) = leaf.leaf.why_unreadable() {
        lines.push(Line::from(Span::styled(
            format!("Unreadable: {why}"),
            theme::ERROR,
        )));
    }
    for given in &leaf.verdicts {
        let stale = if given.current {
            ""
        } else {
            " (for an earlier version)"
        };
        lines.push(Line::from(Span::styled(
            format!(
                "  {}: {}{stale}",
                given.record.reviewer.name,
                given.record.verdict.label()
            ),
            theme::DIM,
        )));
    }
    for item in &leaf.checklist.items {
        lines.push(Line::from(vec![
            theme::check_mark(item.status),
            Span::raw(format!(" {}", item.detail)),
        ]));
    }
    lines
}

fn leaf_pane(
    frame: &mut Frame<'_>,
    area: Rect,
    ctx: &Shared,
    leaf: &LeafReview,
    (offset, max): (u16, u16),
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::BORDER)
        .title(format!(
            " {} · {} ",
            leaf.leaf.leaf,
            change_of(&leaf.leaf.change)
        ))
        .title(more_mark(ctx, offset, max))
        .title_bottom(verdict_hints(ctx));
    frame.render_widget(
        Paragraph::new(leaf_lines(leaf))
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((offset, 0)),
        area,
    );
}

/// The verdict keys, for the leaf pane's bottom border.
fn verdict_hints(ctx: &Shared) -> Line<'static> {
    let mut line = hints(
        &ctx.keymap,
        Mode::Review,
        &[
            (Action::VerdictApproved, "approved"),
            (Action::VerdictChangesRequested, "changes requested"),
            (Action::VerdictRejected, "rejected"),
            (Action::VerdictUncertain, "uncertain"),
        ],
    );
    line.spans.insert(0, Span::styled(" verdict: ", theme::DIM));
    line
}

/// Draws the review screen in `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, ctx: &Shared, screen: &ReviewScreen) {
    let panes = Panes::of(area, screen);
    queue(frame, panes.queue, screen);
    let (example_offset, leaf_offset) = panes.offsets(screen.scroll);
    example_pane(
        frame,
        panes.example,
        ctx,
        screen,
        (example_offset, panes.example_max),
    );
    if let (Some(leaf), Some(leaf_area)) = (screen.current_leaf(), panes.leaf) {
        leaf_pane(frame, leaf_area, ctx, leaf, (leaf_offset, panes.leaf_max));
    }
}
