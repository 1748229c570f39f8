//! The key help: every binding of every mode with its action's name (what a
//! keymap file says), generated from the keymap, wrapped to the popup and scrolled
//! no further than its last line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::keymap::{Keymap, Mode};
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered_in, popup_block};

/// Below this many columns for the help text, it goes under the keys and name.
const NARROWEST_HELP: usize = 24;

/// The key help.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Help {
    /// The first line shown.
    pub scroll: u16,
}

impl Help {
    /// The help, from its first line; the status bar stops offering it.
    pub fn open(ctx: &mut Shared) -> Self {
        ctx.help_seen = true;
        Self::default()
    }
}

/// The popup's box in a screen of `screen`, and the text's area inside its border.
fn boxes(screen: Rect) -> (Rect, Rect) {
    let area = centered_in(screen, 90, 80);
    (area, Block::default().borders(Borders::ALL).inner(area))
}

/// The help's lines, wrapped to `width` columns: each mode as its section of the
/// keymap file, then per action its keys, its name and what it does; a wrapped
/// help text goes on under itself.
fn lines(keymap: &Keymap, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut lines = Vec::new();
    for (mode, section) in keymap.modes() {
        let bindings: Vec<(Action, String)> = keymap
            .help(mode)
            .into_iter()
            .map(|(action, keys)| (action, keys.join(" ")))
            .collect();
        lines.push(Line::from(Span::styled(
            format!("[{section}]"),
            theme::HEADING,
        )));
        let keys_width = bindings.iter().map(|(_, k)| k.chars().count()).max();
        let names_width = bindings.iter().map(|(a, _)| a.name().len()).max();
        let keys_width = keys_width.unwrap_or(0) + 2;
        let names_width = names_width.unwrap_or(0) + 2;
        let indent = 2 + keys_width + names_width;
        let (indent, first_apart) = if width.saturating_sub(indent) >= NARROWEST_HELP {
            (indent, false)
        } else {
            (4, true)
        };
        for (action, keys) in bindings {
            let mut head = vec![
                Span::raw("  "),
                Span::styled(format!("{keys:<keys_width$}"), theme::KEY),
                Span::styled(format!("{:<names_width$}", action.name()), theme::DIM),
            ];
            let wrapped = textwrap::wrap(action.doc(), width.saturating_sub(indent).max(1));
            if first_apart {
                lines.push(Line::from(head));
                head = Vec::new();
            }
            for (row, text) in wrapped.into_iter().enumerate() {
                let mut spans = if row == 0 && !first_apart {
                    std::mem::take(&mut head)
                } else {
                    vec![Span::raw(" ".repeat(indent))]
                };
                spans.push(Span::raw(text.into_owned()));
                lines.push(Line::from(spans));
            }
        }
        lines.push(Line::default());
    }
    let footer = "Keys can be changed in keymap.toml in taxon's config folder: \
                  under a [mode] as above, \"key\" = \"action-name\".";
    for text in textwrap::wrap(footer, width) {
        lines.push(Line::from(Span::styled(text.into_owned(), theme::DIM)));
    }
    lines
}

/// The help's lines at `screen`'s size, and the last first line that still fills
/// the box.
fn laid_out(keymap: &Keymap, screen: Rect) -> (Vec<Line<'static>>, u16) {
    let (_, text) = boxes(screen);
    let lines = lines(keymap, text.width);
    let last = lines.len().saturating_sub(usize::from(text.height));
    (lines, u16::try_from(last).unwrap_or(u16::MAX))
}

impl Component for Help {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Help
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        let screen = Rect::new(0, 0, ctx.width, ctx.height);
        match press.action {
            Some(Action::Back) => return Reaction::close(),
            Some(action) => {
                let (_, last) = laid_out(&ctx.keymap, screen);
                let page = boxes(screen).1.height.max(1);
                if let Some(scroll) = action.scrolled(self.scroll, page) {
                    self.scroll = scroll.min(last);
                }
            }
            None => {}
        }
        Reaction::none()
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let (area, text) = boxes(frame.area());
        let (lines, last) = laid_out(&ctx.keymap, frame.area());
        let scroll = self.scroll.min(last);
        let shown_to = (usize::from(scroll) + usize::from(text.height)).min(lines.len());
        let title = format!(
            " Keys · {}-{} of {} ",
            usize::from(scroll) + 1,
            shown_to,
            lines.len()
        );
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines)
                .block(popup_block(title))
                .scroll((scroll, 0)),
            area,
        );
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Down, Action::PageDown, Action::Back]
    }
}
