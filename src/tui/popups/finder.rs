//! The fuzzy finder: leaves by path, description and question, matched on the
//! finder's own thread; only the newest request's hits are taken.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};

use crate::find::{Field, Hit};
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::input_line::InputLine;
use crate::tui::keymap::Mode;
use crate::tui::msg::{Effect, Msg};
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::{centered, input_cursor, input_line, popup_block};

/// The fuzzy finder popup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Finder {
    /// The query.
    pub input: InputLine,
    /// The newest request sent; results of older ones are dropped.
    pub generation: u64,
    /// The hits of the newest answered request.
    pub hits: Vec<Hit>,
    /// The selected hit.
    pub selected: usize,
}

impl Finder {
    fn search(&mut self, ctx: &mut Shared) -> Reaction {
        ctx.next_generation += 1;
        self.generation = ctx.next_generation;
        Effect::Search {
            generation: self.generation,
            query: self.input.text().to_owned(),
        }
        .into()
    }
}

impl Component for Finder {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Picker
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        if InputLine::takes(&press) {
            if self.input.edit(&press) {
                return self.search(ctx);
            }
            return Reaction::none();
        }
        let last = self.hits.len().saturating_sub(1);
        match press.action {
            Some(Action::Back) => return Reaction::close(),
            Some(Action::Confirm) => {
                if let Some(hit) = self.hits.get(self.selected) {
                    ctx.open_leaf(hit.leaf);
                    return Reaction::close();
                }
            }
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(last),
            Some(Action::PageUp) => self.selected = self.selected.saturating_sub(10),
            Some(Action::PageDown) => self.selected = (self.selected + 10).min(last),
            _ => {}
        }
        Reaction::none()
    }

    fn take(&mut self, _ctx: &mut Shared, msg: Msg) -> Taken {
        match msg {
            Msg::Hits { generation, hits } => {
                if generation == self.generation {
                    self.hits = hits;
                    self.selected = 0;
                }
                Taken::Yes(Reaction::none())
            }
            other => Taken::No(other),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let area = centered(frame, 85, 80);
        frame.render_widget(Clear, area);
        let count = if self.input.text().is_empty() {
            "type to search paths, descriptions and questions".to_owned()
        } else {
            format!("{} leaves match", self.hits.len())
        };
        frame.render_widget(popup_block(format!(" Find · {count} ")), area);
        let [input_area, list_area] = picker_layout(area);
        frame.render_widget(Paragraph::new(input_line(&self.input)), input_area);
        frame.set_cursor_position((input_area.x + input_cursor(&self.input), input_area.y));
        let items: Vec<ListItem<'_>> = self.hits.iter().map(|hit| hit_item(ctx, hit)).collect();
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

/// The input line's row and the list's area inside a list popup's border.
pub(crate) fn picker_layout(area: Rect) -> [Rect; 2] {
    let inner = Block::default().borders(Borders::ALL).inner(area);
    Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner)
}

fn highlighted(text: &str, positions: &[u32]) -> Vec<Span<'static>> {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            let style = if positions.binary_search(&(i as u32)).is_ok() {
                theme::MATCH
            } else {
                Style::default()
            };
            Span::styled(c.to_string(), style)
        })
        .collect()
}

fn hit_item(ctx: &Shared, hit: &Hit) -> ListItem<'static> {
    let folder = ctx
        .taxonomy
        .leaves
        .get(hit.leaf)
        .map(|leaf| leaf.folder.display().to_string())
        .unwrap_or_default();
    let mut spans = match hit.field {
        Field::Path => Vec::new(),
        Field::Description => vec![Span::styled("description  ", theme::DIM)],
        Field::Question(example) => vec![Span::styled(format!("Q{}  ", example + 1), theme::DIM)],
    };
    spans.extend(highlighted(&hit.text, &hit.positions));
    let mut lines = vec![Line::from(spans)];
    if hit.field != Field::Path {
        lines.push(Line::from(Span::styled(format!("  {folder}"), theme::DIM)));
    }
    ListItem::new(lines)
}
