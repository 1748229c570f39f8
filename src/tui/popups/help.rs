//! The key help: every binding of every mode, generated from the keymap, scrolled.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::keymap::Mode;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, popup_block};

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

impl Component for Help {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Help
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        let page = ctx.height.saturating_sub(6).max(1);
        match press.action {
            Some(Action::Back) => return Reaction::close(),
            Some(action) => {
                if let Some(scroll) = action.scrolled(self.scroll, page) {
                    self.scroll = scroll;
                }
            }
            None => {}
        }
        Reaction::none()
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let area = centered(frame, 80, 80);
        let mut lines = Vec::new();
        for (mode, name) in ctx.keymap.modes() {
            lines.push(Line::from(Span::styled(name.to_owned(), theme::HEADING)));
            for (action, keys) in ctx.keymap.help(mode) {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<18}", keys.join(" ")), theme::KEY),
                    Span::raw(action.doc()),
                ]));
            }
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(
            "Keys can be changed in keymap.toml in taxon's config folder.",
            theme::DIM,
        )));
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines)
                .block(popup_block(" Keys ".into()))
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            area,
        );
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Down, Action::Back]
    }
}
