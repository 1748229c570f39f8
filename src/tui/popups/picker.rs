//! A line to type a filter in over a list to choose from, shared by the popups
//! that pick one thing (the branch picker, the command palette, the finder): the
//! typing, the selection and its keys, and the drawing of the line and the list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};

use crate::find;
use crate::tui::action::Action;
use crate::tui::component::Press;
use crate::tui::input_line::InputLine;
use crate::tui::view::theme;
use crate::tui::view::widgets::{input_cursor, input_line, popup_block};

/// How many rows `page-up` and `page-down` move the selection.
const PAGE: usize = 10;

/// The filter line and the selection of a list popup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    /// The filter typed.
    pub input: InputLine,
    /// The selected row of the filtered list.
    pub selected: usize,
}

/// What a key press asks of a picker's popup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    /// Nothing more than the selection moving, if it did.
    Nothing,
    /// The filter changed (the selection went back to the first row).
    Edited,
    /// Close without choosing.
    Back,
    /// Take the row at this place of the filtered list.
    Chosen(usize),
}

impl Picker {
    /// The places in `texts` that match the filter with the finder's fuzzy matcher,
    /// best first; all of them, in order, while the filter is empty.
    pub fn filter<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        find::rank(self.input.text().trim(), texts)
    }

    /// Takes a key press over a list of `count` rows: typing edits the filter, `up`,
    /// `down`, `page-up` and `page-down` move the selection, `confirm` takes it.
    pub fn handle(&mut self, press: &Press, count: usize) -> Picked {
        if InputLine::takes(press) {
            if self.input.edit(press) {
                self.selected = 0;
                return Picked::Edited;
            }
            return Picked::Nothing;
        }
        let last = count.saturating_sub(1);
        match press.action {
            Some(Action::Back) => return Picked::Back,
            Some(Action::Confirm) if self.selected < count => {
                return Picked::Chosen(self.selected);
            }
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(last),
            Some(Action::PageUp) => self.selected = self.selected.saturating_sub(PAGE),
            Some(Action::PageDown) => self.selected = (self.selected + PAGE).min(last),
            _ => {}
        }
        Picked::Nothing
    }

    /// Draws the popup in `area`: `title` in its border, the filter line with the
    /// cursor, and `rows` with the selection, or `empty` (dimmed) when there are none.
    pub fn draw(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        title: String,
        rows: Vec<ListItem<'_>>,
        empty: &str,
    ) {
        frame.render_widget(Clear, area);
        frame.render_widget(popup_block(title), area);
        let inner = Block::default().borders(Borders::ALL).inner(area);
        let [input_area, list_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
        frame.render_widget(Paragraph::new(input_line(&self.input)), input_area);
        frame.set_cursor_position((input_area.x + input_cursor(&self.input), input_area.y));
        if rows.is_empty() {
            frame.render_widget(Paragraph::new(Span::styled(empty, theme::DIM)), list_area);
            return;
        }
        let selected = self.selected.min(rows.len() - 1);
        let mut state = ListState::default().with_selected(Some(selected));
        frame.render_stateful_widget(
            List::new(rows).highlight_style(theme::SELECTED),
            list_area,
            &mut state,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn press(action: Option<Action>, code: KeyCode) -> Press {
        Press {
            action,
            key: KeyEvent::new(code, KeyModifiers::NONE),
        }
    }

    #[test]
    fn keys_type_move_and_choose_within_the_list() {
        let mut picker = Picker::default();
        assert_eq!(
            picker.handle(&press(None, KeyCode::Char('n')), 3),
            Picked::Edited
        );
        assert_eq!(picker.input.text(), "n");
        for _ in 0..5 {
            picker.handle(&press(Some(Action::Down), KeyCode::Down), 3);
        }
        assert_eq!(picker.selected, 2, "down stops at the last row");
        picker.handle(&press(Some(Action::PageUp), KeyCode::PageUp), 3);
        assert_eq!(picker.selected, 0);
        picker.handle(&press(Some(Action::PageDown), KeyCode::PageDown), 3);
        assert_eq!(picker.selected, 2);
        assert_eq!(
            picker.handle(&press(Some(Action::Confirm), KeyCode::Enter), 3),
            Picked::Chosen(2)
        );
        assert_eq!(
            picker.handle(&press(Some(Action::Confirm), KeyCode::Enter), 0),
            Picked::Nothing,
            "nothing to choose in an empty list"
        );
        assert_eq!(
            picker.handle(&press(Some(Action::DeleteBack), KeyCode::Backspace), 3),
            Picked::Edited
        );
        assert_eq!(picker.selected, 0, "an edit selects the best match again");
        assert_eq!(
            picker.handle(&press(Some(Action::Back), KeyCode::Esc), 3),
            Picked::Back
        );
    }
}
