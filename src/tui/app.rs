//! The application state and its update function: key presses and background
//! results come in as messages; what to do outside (search, reload, quit) goes out
//! as effects. No I/O here, so every screen is testable without a terminal.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::find::Hit;
use crate::taxonomy::model::Taxonomy;

use super::action::Action;
use super::keymap::{Keymap, Mode};
use super::marks::LeafMarks;
use super::picker::{Finder, InputLine, Palette};
use super::tree::{Row, Tree};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The tree.
    Tree,
    /// The selected leaf's details.
    Detail,
}

/// A popup over the panes.
#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    /// The key help, scrolled.
    Help {
        /// First line shown.
        scroll: u16,
    },
    /// The fuzzy finder.
    Finder(Finder),
    /// The command palette.
    Palette(Palette),
}

/// A message for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// Whether it reports a problem.
    pub is_error: bool,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// The terminal was resized to this many rows.
    Resize(u16),
    /// Finder hits for the request `generation`.
    Hits {
        /// The request these answer.
        generation: u64,
        /// The hits, best first.
        hits: Vec<Hit>,
    },
    /// A fresh taxonomy and git marks were loaded.
    Loaded {
        /// The taxonomy.
        taxonomy: Box<Taxonomy>,
        /// The git marks, or why there are none.
        marks: Result<LeafMarks, String>,
        /// The checked-out branch.
        branch: Option<String>,
    },
}

/// Work for the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Stop the application.
    Quit,
    /// Search the finder index.
    Search {
        /// The request's generation.
        generation: u64,
        /// The query.
        query: String,
    },
    /// Reload the taxonomy and its git state, and rebuild the finder index.
    Reload,
}

/// The whole application state.
#[derive(Debug, Clone)]
pub struct App {
    /// The taxonomy shown.
    pub taxonomy: Taxonomy,
    /// Git marks per leaf.
    pub marks: LeafMarks,
    /// The checked-out branch, if any.
    pub branch: Option<String>,
    /// The tree pane.
    pub tree: Tree,
    /// Which pane has the keyboard.
    pub focus: Focus,
    /// How far the detail pane is scrolled.
    pub detail_scroll: u16,
    /// The popup shown, if any.
    pub popup: Option<Popup>,
    /// The key bindings.
    pub keymap: Keymap,
    /// The last notice for the status bar.
    pub notice: Option<Notice>,
    /// Terminal height, for page moves.
    pub height: u16,
    /// The next finder request's generation.
    next_generation: u64,
}

impl App {
    /// The application on a loaded taxonomy.
    pub fn new(
        taxonomy: Taxonomy,
        marks: LeafMarks,
        branch: Option<String>,
        keymap: Keymap,
    ) -> Self {
        let tree = Tree::new(&taxonomy, &marks);
        Self {
            taxonomy,
            marks,
            branch,
            tree,
            focus: Focus::Tree,
            detail_scroll: 0,
            popup: None,
            keymap,
            notice: None,
            height: 24,
            next_generation: 0,
        }
    }

    /// The taxonomy root.
    pub fn root(&self) -> &PathBuf {
        &self.taxonomy.root
    }

    /// The mode whose keymap applies now.
    pub fn mode(&self) -> Mode {
        match &self.popup {
            None => Mode::Browse,
            Some(Popup::Help { .. }) => Mode::Help,
            Some(Popup::Finder(_) | Popup::Palette(_)) => Mode::Picker,
        }
    }

    /// Applies one message; returns the work it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Resize(height) => {
                self.height = height;
                Vec::new()
            }
            Msg::Hits { generation, hits } => {
                if let Some(Popup::Finder(finder)) = &mut self.popup {
                    if generation == finder.generation {
                        finder.hits = hits;
                        finder.selected = 0;
                    }
                }
                Vec::new()
            }
            Msg::Loaded {
                taxonomy,
                marks,
                branch,
            } => {
                let selected = self
                    .tree
                    .selected_leaf()
                    .map(|i| self.taxonomy.leaves[i].folder.clone());
                self.taxonomy = *taxonomy;
                self.branch = branch;
                match marks {
                    Ok(marks) => self.marks = marks,
                    Err(why) => self.notify_error(why),
                }
                self.tree.rebuild(&self.taxonomy, &self.marks);
                if let Some(index) = selected.and_then(|f| self.taxonomy.find(&f)) {
                    self.tree.select_leaf(&self.taxonomy, index);
                }
                Vec::new()
            }
        }
    }

    fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: false,
        });
    }

    fn notify_error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: true,
        });
    }

    fn page(&self) -> isize {
        self.height.saturating_sub(4).max(1) as isize
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let action = self.keymap.action(self.mode(), &key);
        match &mut self.popup {
            None => action.map_or_else(Vec::new, |a| self.browse(a)),
            Some(Popup::Help { scroll }) => {
                match action {
                    Some(Action::Back) => self.popup = None,
                    Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                    Some(Action::Down) => *scroll = scroll.saturating_add(1),
                    _ => {}
                }
                Vec::new()
            }
            Some(Popup::Finder(_)) => self.finder_key(action, key),
            Some(Popup::Palette(_)) => self.palette_key(action, key),
        }
    }

    /// Runs an action in the browse mode (also from the palette).
    pub fn browse(&mut self, action: Action) -> Vec<Effect> {
        self.notice = None;
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Back => self.focus = Focus::Tree,
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.move_cursor(action),
            Action::Expand => self.expand(),
            Action::Collapse => self.collapse(),
            Action::ExpandAll => self.tree.set_all_expanded(&self.taxonomy, true),
            Action::CollapseAll => self.tree.set_all_expanded(&self.taxonomy, false),
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::Tree if self.tree.selected_leaf().is_some() => Focus::Detail,
                    _ => Focus::Tree,
                }
            }
            Action::Find => self.popup = Some(Popup::Finder(Finder::default())),
            Action::Palette => self.popup = Some(Popup::Palette(Palette::default())),
            Action::Help => self.popup = Some(Popup::Help { scroll: 0 }),
            Action::Reload => {
                self.notify("reloading…");
                return vec![Effect::Reload];
            }
            Action::NextProblem => self.next_problem(),
            Action::Confirm => {}
        }
        Vec::new()
    }

    fn move_cursor(&mut self, action: Action) {
        let delta = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -self.page(),
            Action::PageDown => self.page(),
            Action::Top => isize::MIN / 2,
            _ => isize::MAX / 2,
        };
        match self.focus {
            Focus::Tree => {
                self.tree.move_by(delta);
                self.detail_scroll = 0;
            }
            Focus::Detail => {
                let scrolled = i64::from(self.detail_scroll) + delta as i64;
                self.detail_scroll = scrolled.clamp(0, i64::from(u16::MAX)) as u16;
            }
        }
    }

    fn expand(&mut self) {
        match self.tree.current().cloned() {
            Some(Row::Folder { path, expanded, .. }) => {
                self.tree.set_expanded(&self.taxonomy, &path, !expanded)
            }
            Some(Row::Leaf { .. }) => self.focus = Focus::Detail,
            None => {}
        }
    }

    fn collapse(&mut self) {
        if self.focus == Focus::Detail {
            self.focus = Focus::Tree;
            return;
        }
        match self.tree.current().cloned() {
            Some(Row::Folder {
                path,
                expanded: true,
                ..
            }) => self.tree.set_expanded(&self.taxonomy, &path, false),
            Some(_) => self.tree.select_parent(),
            None => {}
        }
    }

    fn next_problem(&mut self) {
        let start = self.tree.selected_leaf().map_or(0, |i| i + 1);
        let leaves = &self.taxonomy.leaves;
        let found = (0..leaves.len())
            .map(|offset| (start + offset) % leaves.len())
            .find(|&i| !leaves[i].report.diagnostics.is_empty());
        match found {
            Some(index) => self.tree.select_leaf(&self.taxonomy, index),
            None => self.notify("no leaf has errors or warnings"),
        }
    }

    /// Jumps to a leaf (from the finder).
    pub fn open_leaf(&mut self, index: usize) {
        self.tree.select_leaf(&self.taxonomy, index);
        self.focus = Focus::Tree;
        self.detail_scroll = 0;
    }

    fn edit_input(input: &mut InputLine, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('w') if ctrl => input.delete_word(),
            KeyCode::Char(c) if !ctrl => {
                input.insert(c);
                true
            }
            KeyCode::Backspace => input.backspace(),
            KeyCode::Left => {
                input.move_cursor(-1);
                false
            }
            KeyCode::Right => {
                input.move_cursor(1);
                false
            }
            _ => false,
        }
    }

    fn finder_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(Popup::Finder(finder)) = &mut self.popup else {
            return Vec::new();
        };
        match action {
            Some(Action::Back) => self.popup = None,
            Some(Action::Confirm) => {
                if let Some(hit) = finder.hits.get(finder.selected) {
                    let leaf = hit.leaf;
                    self.popup = None;
                    self.open_leaf(leaf);
                }
            }
            Some(Action::Up) => finder.selected = finder.selected.saturating_sub(1),
            Some(Action::Down) => {
                finder.selected = (finder.selected + 1).min(finder.hits.len().saturating_sub(1))
            }
            Some(Action::PageUp) => finder.selected = finder.selected.saturating_sub(10),
            Some(Action::PageDown) => {
                finder.selected = (finder.selected + 10).min(finder.hits.len().saturating_sub(1))
            }
            _ => {
                if Self::edit_input(&mut finder.input, &key) {
                    self.next_generation += 1;
                    finder.generation = self.next_generation;
                    return vec![Effect::Search {
                        generation: finder.generation,
                        query: finder.input.text().to_owned(),
                    }];
                }
            }
        }
        Vec::new()
    }

    fn palette_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(Popup::Palette(palette)) = &mut self.popup else {
            return Vec::new();
        };
        let count = palette.matches().len();
        match action {
            Some(Action::Back) => self.popup = None,
            Some(Action::Confirm) => {
                if let Some(&chosen) = palette.matches().get(palette.selected) {
                    self.popup = None;
                    return self.browse(chosen);
                }
            }
            Some(Action::Up) => palette.selected = palette.selected.saturating_sub(1),
            Some(Action::Down) => {
                palette.selected = (palette.selected + 1).min(count.saturating_sub(1))
            }
            _ => {
                if Self::edit_input(&mut palette.input, &key) {
                    palette.selected = 0;
                }
            }
        }
        Vec::new()
    }
}
