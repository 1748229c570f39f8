//! The fuzzy finder: leaves by path, description and question, matched on the
//! finder's own thread; only the newest request's hits are taken.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::ListItem;

use crate::find::{Field, Hit};
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::keymap::Mode;
use crate::tui::msg::{Effect, Msg};
use crate::tui::shared::Shared;
use crate::tui::view::theme;
use crate::tui::view::widgets::centered;

use super::picker::{Picked, Picker};

/// The fuzzy finder popup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Finder {
    /// The query and the selected hit.
    pub picker: Picker,
    /// The newest request sent; results of older ones are dropped.
    pub generation: u64,
    /// The hits of the newest answered request.
    pub hits: Vec<Hit>,
}

impl Finder {
    fn search(&mut self, ctx: &mut Shared) -> Reaction {
        ctx.next_generation += 1;
        self.generation = ctx.next_generation;
        Effect::Search {
            generation: self.generation,
            query: self.picker.input.text().to_owned(),
        }
        .into()
    }
}

impl Component for Finder {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Picker
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        match self.picker.handle(&press, self.hits.len()) {
            Picked::Back => Reaction::close(),
            Picked::Edited => self.search(ctx),
            Picked::Chosen(place) => {
                ctx.open_leaf(self.hits[place].leaf);
                Reaction::close()
            }
            Picked::Nothing => Reaction::none(),
        }
    }

    fn take(&mut self, _ctx: &mut Shared, msg: Msg) -> Taken {
        match msg {
            Msg::Hits { generation, hits } => {
                if generation == self.generation {
                    self.hits = hits;
                    self.picker.selected = 0;
                }
                Taken::Yes(Reaction::none())
            }
            other => Taken::No(other),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, _area: Rect, ctx: &Shared, _focused: bool) {
        let searching = !self.picker.input.text().is_empty();
        let count = if searching {
            format!("{} leaves match", self.hits.len())
        } else {
            "type to search paths, descriptions and questions".to_owned()
        };
        let rows = self.hits.iter().map(|hit| hit_item(ctx, hit)).collect();
        self.picker.draw(
            frame,
            centered(frame, 85, 80),
            format!(" Find · {count} "),
            rows,
            if searching { "no leaf matches" } else { "" },
        );
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[Action::Confirm, Action::Down, Action::Up, Action::Back]
    }
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
