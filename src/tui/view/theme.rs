//! Colours and symbols, in one place.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

use crate::review::Verdict;
use crate::review::checklist::CheckStatus;
use crate::taxonomy::leaf::LeafKind;

pub const BORDER_FOCUSED: Style = Style::new().fg(Color::Cyan);
pub const BORDER: Style = Style::new().fg(Color::DarkGray);
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const ERROR: Style = Style::new().fg(Color::Red);
pub const WARNING: Style = Style::new().fg(Color::Yellow);
pub const OK: Style = Style::new().fg(Color::Green);
pub const GIT: Style = Style::new().fg(Color::Magenta);
pub const HEADING: Style = Style::new().add_modifier(Modifier::BOLD);
pub const MATCH: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub const KEY: Style = Style::new().fg(Color::Cyan);

/// One letter for a leaf's kind.
pub fn kind_symbol(kind: Option<LeafKind>) -> &'static str {
    match kind {
        Some(LeafKind::FreeformSkill) => "F",
        Some(LeafKind::GroundedSkill) => "G",
        Some(LeafKind::Knowledge) => "K",
        Some(LeafKind::Foundational) => "·",
        None => "?",
    }
}

/// The mark of a queued leaf's verdict (`None`: pending), in the tree and the queue.
pub fn verdict_mark(verdict: Option<Verdict>) -> Span<'static> {
    match verdict {
        Some(Verdict::Approved) => Span::styled("✔", OK),
        Some(Verdict::ChangesRequested) => Span::styled("~", WARNING),
        Some(Verdict::Rejected) => Span::styled("✘", ERROR),
        Some(Verdict::Uncertain) => Span::styled("?", KEY),
        None => Span::styled("·", DIM),
    }
}

/// The mark of a checklist item: one column wide in every terminal (the summaries'
/// emoji are two wide, or one, or two with a variation selector, depending on the
/// terminal, which pushed the pane's border).
pub fn check_mark(status: CheckStatus) -> Span<'static> {
    match status {
        CheckStatus::Pass => Span::styled("✓", OK),
        CheckStatus::Warn => Span::styled("!", WARNING),
        CheckStatus::Fail => Span::styled("✗", ERROR),
        CheckStatus::NotRun => Span::styled("-", DIM),
    }
}
