//! The command palette: every action by name, run on the screen beneath.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::ListItem;

use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction};
use crate::tui::keymap::Mode;
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::centered;

use super::picker::{Picked, Picker};

/// The command palette.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Palette {
    /// The filter and the selected command among the filtered ones.
    pub picker: Picker,
}

impl Palette {
    /// The actions whose name matches the filter fuzzily, best first, then those
    /// whose name and help together match it.
    pub fn matches(&self) -> Vec<Action> {
        let actions: Vec<Action> = Action::ALL
            .iter()
            .copied()
            .filter(|action| palette_visible(*action))
            .collect();
        let helps: Vec<String> = actions
            .iter()
            .map(|action| format!("{} {}", action.name(), action.doc()))
            .collect();
        let mut listed = vec![false; actions.len()];
        self.picker
            .filter(actions.iter().map(|action| action.name()))
            .into_iter()
            .chain(self.picker.filter(helps.iter().map(String::as_str)))
            .filter(|&place| !std::mem::replace(&mut listed[place], true))
            .map(|place| actions[place])
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
            | Action::Undo
            | Action::Yes
            | Action::TakeDisk
            | Action::KeepMine
            | Action::Merge
            | Action::SaveAll
            | Action::DiscardAll
    )
}

impl Component for Palette {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Picker
    }

    fn handle(&mut self, _ctx: &mut Shared, press: Press) -> Reaction {
        let matches = self.matches();
        match self.picker.handle(&press, matches.len()) {
            Picked::Back => Reaction::close(),
            Picked::Chosen(place) => Reaction::close().and_below(matches[place]),
            Picked::Nothing | Picked::Edited => Reaction::none(),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let matches = self.matches();
        // The names in a column as wide as the longest, then a gap, then the help.
        let width = matches
            .iter()
            .map(|action| action.name().chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        let rows: Vec<ListItem<'_>> = matches
            .into_iter()
            .map(|action| {
                let keys = ctx.keymap.keys_for(Mode::Browse, action).join(" ");
                ListItem::new(Line::from(vec![
                    Span::styled(format!("{:<width$}", action.name()), theme::HEADING),
                    Span::raw(action.doc()),
                    Span::styled(format!("  {keys}"), theme::KEY),
                ]))
            })
            .collect();
        self.picker.draw(
            frame,
            centered(frame, 70, 60),
            " Commands ".into(),
            rows,
            "no command matches",
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
    fn palette_filters_by_name_and_help_fuzzily() {
        let matching = |filter: &str| {
            let mut palette = Palette::default();
            for c in filter.chars() {
                palette.picker.input.insert(c);
            }
            palette.matches()
        };
        assert_eq!(matching("fuzzy"), vec![Action::Find]);
        let next = matching("nxt");
        assert_eq!(
            next[..4],
            [
                Action::NextProblem,
                Action::NextField,
                Action::NextExample,
                Action::NextLeaf
            ],
            "names first: {next:?}"
        );
        assert!(next.contains(&Action::Approve), "then help texts");
        assert_eq!(matching("").len(), matching(" ").len());
    }
}
