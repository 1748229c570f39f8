//! The command palette: every action by name, run on the screen beneath.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::input_line::InputLine;
use crate::tui::keymap::Mode;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, input_cursor, input_line, popup_block};

use super::finder::picker_layout;

/// The command palette.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Palette {
    /// The filter.
    pub input: InputLine,
    /// The selected command among the filtered ones.
    pub selected: usize,
}

impl Palette {
    /// The actions whose name or help contains every word of the filter.
    pub fn matches(&self) -> Vec<Action> {
        let filter = self.input.text().to_lowercase();
        Action::ALL
            .iter()
            .copied()
            .filter(|action| palette_visible(*action))
            .filter(|action| {
                let haystack = format!("{} {}", action.name(), action.doc()).to_lowercase();
                filter
                    .split_whitespace()
                    .all(|word| haystack.contains(word))
            })
            .collect()
    }
}

/// Actions that only make sense inside a popup are not offered by the palette.
fn palette_visible(action: Action) -> bool {
    !matches!(
        action,
        Action::Back
            | Action::Confirm
            | Action::Palette
            | Action::Up
            | Action::Down
            | Action::Toggle
            | Action::CharLeft
            | Action::CharRight
            | Action::WordLeft
            | Action::WordRight
            | Action::LineStart
            | Action::LineEnd
            | Action::DeleteBack
            | Action::DeleteForward
            | Action::DeleteWordBack
            | Action::DeleteWordForward
            | Action::DeleteToStart
            | Action::DeleteToEnd
            | Action::Yes
            | Action::TakeDisk
            | Action::KeepMine
            | Action::SaveAll
            | Action::DiscardAll
    )
}

impl Component for Palette {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Picker
    }

    fn handle(&mut self, _ctx: &mut Shared, press: Press) -> Reaction {
        if InputLine::takes(&press) {
            if self.input.edit(&press) {
                self.selected = 0;
            }
            return Reaction::none();
        }
        let count = self.matches().len();
        match press.action {
            Some(Action::Back) => return Reaction::close(),
            Some(Action::Confirm) => {
                if let Some(&chosen) = self.matches().get(self.selected) {
                    return Reaction::close().and_below(chosen);
                }
            }
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            _ => {}
        }
        Reaction::none()
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let area = centered(frame, 70, 60);
        frame.render_widget(Clear, area);
        frame.render_widget(popup_block(" Commands ".into()), area);
        let [input_area, list_area] = picker_layout(area);
        frame.render_widget(Paragraph::new(input_line(&self.input)), input_area);
        frame.set_cursor_position((input_area.x + input_cursor(&self.input), input_area.y));
        let items: Vec<ListItem<'_>> = self
            .matches()
            .into_iter()
            .map(|action| {
                let keys = ctx.keymap.keys_for(Mode::Browse, action).join(" ");
                ListItem::new(Line::from(vec![
                    Span::styled(format!("{:<14}", action.name()), theme::HEADING),
                    Span::raw(action.doc()),
                    Span::styled(format!("  {keys}"), theme::KEY),
                ]))
            })
            .collect();
        let mut state =
            ListState::default().with_selected((!items.is_empty()).then_some(self.selected));
        frame.render_stateful_widget(
            List::new(items).highlight_style(theme::SELECTED),
            list_area,
            &mut state,
        );
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Confirm, Action::Down, Action::Up, Action::Back]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_filters_by_name_and_help() {
        let mut palette = Palette::default();
        for c in "fuzzy".chars() {
            palette.input.insert(c);
        }
        assert_eq!(palette.matches(), vec![Action::Find]);
    }
}
