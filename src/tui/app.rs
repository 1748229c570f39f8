//! The application: what the screens share, the browse screen (always kept), the
//! screen shown over it, and a stack of popups. Messages come in, effects go out;
//! the app only routes: a key to the layer that has the keyboard, a message to the
//! first layer that takes it (popups top first, the screen, browse), else to the
//! shared state. No I/O here, so every screen is testable without a terminal.

use std::any::Any;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::taxonomy::model::Taxonomy;

use super::action::Action;
use super::component::{Change, Component, Press, Reaction, Taken};
use super::keymap::{Keymap, Mode};
use super::marks::LeafMarks;
use super::msg::{Effect, Msg};
use super::screens::Screen;
use super::screens::browse::Browse;
use super::shared::Shared;
use super::view::status;

/// Which component a reaction comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    /// The popup at this place of the stack.
    Popup(usize),
    /// The screen shown over browse.
    Screen,
    /// The browse screen, or the shared state.
    Browse,
}

/// The whole application state.
#[derive(Debug)]
pub struct App {
    /// What every screen and popup shares.
    pub shared: Shared,
    /// The browse screen: the tree, the details and the preview pane.
    pub browse: Browse,
    /// The screen shown in place of browse, if any.
    pub screen: Screen,
    /// The popups, bottom first; the top one has the keyboard.
    pub popups: Vec<Box<dyn Component>>,
}

impl App {
    /// The application on a loaded taxonomy.
    pub fn new(
        taxonomy: Taxonomy,
        marks: LeafMarks,
        branch: Option<String>,
        keymap: Keymap,
    ) -> Self {
        Self {
            shared: Shared::new(taxonomy, marks, branch, keymap),
            browse: Browse::default(),
            screen: Screen::Browse,
            popups: Vec::new(),
        }
    }

    /// The component that has the keyboard.
    fn top(&self) -> &dyn Component {
        match self.popups.last() {
            Some(popup) => popup.as_ref(),
            None => self.screen.component().unwrap_or(&self.browse),
        }
    }

    /// The mode whose keymap applies now.
    pub fn mode(&self) -> Mode {
        self.top().mode(&self.shared)
    }

    /// The actions the status bar hints now.
    pub fn hints(&self) -> &'static [Action] {
        self.top().hints(&self.shared)
    }

    /// Applies one message; returns the work it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Terminate => return self.shared.terminate(),
            msg => {
                self.shared.observe(&msg);
                self.offer(msg)
            }
        };
        // The preview pane follows the selection, whatever moved it.
        effects.extend(self.browse.follow(&self.shared));
        effects
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let action = self.shared.keymap.action(self.mode(), &key);
        self.press(Press { action, key })
    }

    /// Gives a key press (or an action) to the layer that has the keyboard.
    fn press(&mut self, press: Press) -> Vec<Effect> {
        let (layer, reaction) = match self.popups.len().checked_sub(1) {
            Some(top) => (
                Layer::Popup(top),
                self.popups[top].handle(&mut self.shared, press),
            ),
            None => match self.screen.component_mut() {
                Some(screen) => (Layer::Screen, screen.handle(&mut self.shared, press)),
                None => (Layer::Browse, self.browse.handle(&mut self.shared, press)),
            },
        };
        self.react(layer, reaction)
    }

    /// Offers a message to the popups (top first), the screen and browse; the shared
    /// state takes what none of them did.
    fn offer(&mut self, mut msg: Msg) -> Vec<Effect> {
        for layer in (0..self.popups.len()).rev() {
            match self.popups[layer].take(&mut self.shared, msg) {
                Taken::Yes(reaction) => return self.react(Layer::Popup(layer), reaction),
                Taken::No(given_back) => msg = given_back,
            }
        }
        if let Some(screen) = self.screen.component_mut() {
            match screen.take(&mut self.shared, msg) {
                Taken::Yes(reaction) => return self.react(Layer::Screen, reaction),
                Taken::No(given_back) => msg = given_back,
            }
        }
        let reaction = match self.browse.take(&mut self.shared, msg) {
            Taken::Yes(reaction) => reaction,
            Taken::No(msg) => self.shared.apply(msg),
        };
        self.react(Layer::Browse, reaction)
    }

    /// Applies what the component at `layer` asked for.
    fn react(&mut self, layer: Layer, reaction: Reaction) -> Vec<Effect> {
        let mut effects = reaction.effects;
        for change in reaction.changes {
            match change {
                Change::Close => match layer {
                    Layer::Popup(index) if index < self.popups.len() => {
                        self.popups.remove(index);
                    }
                    Layer::Screen => self.screen = Screen::Browse,
                    Layer::Popup(_) | Layer::Browse => {}
                },
                Change::Push(popup) => self.popups.push(popup),
                Change::Open(screen) => self.screen = screen,
                Change::Below(action) => effects.extend(self.press(Press::action(action))),
            }
        }
        effects
    }

    /// The top popup, if it is a `T`.
    pub fn popup<T: Component>(&self) -> Option<&T> {
        let top: &dyn Any = self.popups.last()?.as_ref();
        top.downcast_ref()
    }

    /// Whether a popup is shown.
    pub fn has_popup(&self) -> bool {
        !self.popups.is_empty()
    }

    /// The screen shown, if it is a `T`.
    pub fn screen<T: Component>(&self) -> Option<&T> {
        let screen: &dyn Any = self.screen.component()?;
        screen.downcast_ref()
    }

    /// Draws the screen, the status bar and the popups.
    pub fn draw(&self, frame: &mut Frame<'_>) {
        let area = frame.area();
        let status_height = status::height(self, area.width).min(area.height / 2).max(2);
        let [main, status_area] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(status_height)]).areas(area);
        let screen = self.screen.component().unwrap_or(&self.browse);
        screen.draw(frame, main, &self.shared, self.popups.is_empty());
        status::draw(frame, status_area, self);
        let top = self.popups.len().saturating_sub(1);
        for (layer, popup) in self.popups.iter().enumerate() {
            popup.draw(frame, frame.area(), &self.shared, layer == top);
        }
    }
}
