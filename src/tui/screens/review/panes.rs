//! The review screen's panes and their scrolling. One offset pages through the example
//! pane to its end, then through the leaf pane (verdict and checklist), a page being
//! the visible height of the pane paged, so no line is ever skipped and every one can
//! be reached, however long the diff or the checklist.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::ReviewScreen;
use super::view::{item_lines, leaf_lines};

/// Where the panes go and how far each can scroll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    /// The queue of leaves.
    pub queue: Rect,
    /// The item shown (an example or the leaf's own fields).
    pub example: Rect,
    /// The leaf's verdict and checklist, when a leaf is shown.
    pub leaf: Option<Rect>,
    /// The largest offset of the example pane (0: it all fits).
    pub example_max: u16,
    /// The largest offset of the leaf pane.
    pub leaf_max: u16,
}

/// How many rows `lines` take wrapped to `width` columns.
fn rows(lines: Vec<Line<'_>>, width: u16) -> u16 {
    let count = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .line_count(width);
    u16::try_from(count).unwrap_or(u16::MAX)
}

/// The rows inside a bordered pane `height` rows high.
fn inner(height: u16) -> u16 {
    height.saturating_sub(2)
}

impl Panes {
    /// The panes of `screen` drawn in `area`. The leaf pane grows with its content up
    /// to half the height; what does not fit is reached by paging.
    pub fn of(area: Rect, screen: &ReviewScreen) -> Self {
        let queue_width = (area.width * 3 / 10).clamp(24, 44);
        let [queue, right] =
            Layout::horizontal([Constraint::Length(queue_width), Constraint::Min(20)]).areas(area);
        let Some(leaf) = screen.current_leaf() else {
            return Self {
                queue,
                example: right,
                leaf: None,
                example_max: 0,
                leaf_max: 0,
            };
        };
        let width = right.width.saturating_sub(2);
        let leaf_rows = rows(leaf_lines(leaf), width);
        let leaf_height = leaf_rows.saturating_add(2).min(right.height / 2);
        let [example, leaf_area] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(leaf_height)]).areas(right);
        let (_, lines) = item_lines(screen, leaf);
        Self {
            queue,
            example,
            leaf: Some(leaf_area),
            example_max: rows(lines, width).saturating_sub(inner(example.height)),
            leaf_max: leaf_rows.saturating_sub(inner(leaf_area.height)),
        }
    }

    /// The offsets of the example pane and of the leaf pane at the screen's `scroll`.
    pub fn offsets(&self, scroll: u16) -> (u16, u16) {
        let leaf = scroll.saturating_sub(self.example_max).min(self.leaf_max);
        (scroll.min(self.example_max), leaf)
    }

    /// The scroll after a page down (`down`) or up from `scroll`: a page of the
    /// example pane until its end, then of the leaf pane.
    pub fn paged(&self, scroll: u16, down: bool) -> u16 {
        let end = self.example_max.saturating_add(self.leaf_max);
        let scroll = scroll.min(end);
        let example_page = inner(self.example.height).max(1);
        let leaf_page = self.leaf.map_or(1, |l| inner(l.height).max(1));
        match (down, scroll < self.example_max, scroll > self.example_max) {
            (true, true, _) => scroll.saturating_add(example_page).min(self.example_max),
            (true, false, _) => scroll.saturating_add(leaf_page).min(end),
            (false, _, true) => scroll.saturating_sub(leaf_page).max(self.example_max),
            (false, _, false) => scroll.saturating_sub(example_page),
        }
    }
}
