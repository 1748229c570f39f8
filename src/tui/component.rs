//! Screens and popups as components: each owns its state, handles its keys and the
//! messages meant for it, and draws itself. The app keeps one screen and a stack of
//! popups over it; the top one has the keyboard. What a component wants done comes
//! back as a [`Reaction`]: effects for the runtime, and changes to the layers
//! (close itself, open a popup over it, show another screen, or hand an action to
//! the layer beneath).

use std::any::Any;
use std::fmt::Debug;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::Action;
use super::keymap::Mode;
use super::msg::{Effect, Msg};
use super::screens::Screen;
use super::shared::Shared;

/// A key press, with what the keymap makes of it in the component's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Press {
    /// The bound action, if any.
    pub action: Option<Action>,
    /// The key itself.
    pub key: KeyEvent,
}

impl Press {
    /// An action asked for by other means than a key (the palette).
    pub fn action(action: Action) -> Self {
        Self {
            action: Some(action),
            key: KeyEvent::new(KeyCode::Null, KeyModifiers::NONE),
        }
    }

    /// The character typed, for a key that types one: no ctrl or alt (shift makes
    /// capitals). An input line takes these whatever they are bound to.
    pub fn typed(&self) -> Option<char> {
        match self.key.code {
            KeyCode::Char(c)
                if !self
                    .key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(c)
            }
            _ => None,
        }
    }
}

/// A screen or a popup.
pub trait Component: Any + Debug {
    /// The keymap mode its keys are read in.
    fn mode(&self, ctx: &Shared) -> Mode;

    /// Handles a key press.
    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction;

    /// Takes a message meant for it, or gives it back.
    fn take(&mut self, ctx: &mut Shared, msg: Msg) -> Taken {
        let _ = ctx;
        Taken::No(msg)
    }

    /// Draws itself: a screen in `area`, a popup over the whole frame (`area`);
    /// `focused` when it has the keyboard.
    fn draw(&self, frame: &mut Frame<'_>, area: Rect, ctx: &Shared, focused: bool);

    /// The actions the status bar hints while it has the keyboard, most useful first.
    fn hints(&self, ctx: &Shared) -> &'static [Action] {
        let _ = ctx;
        &[]
    }
}

/// Whether a component took a message.
#[derive(Debug)]
pub enum Taken {
    /// It did; what it wants done.
    Yes(Reaction),
    /// It is not meant for it: the message, given back.
    No(Msg),
}

/// A change to the layers a component asks for.
#[derive(Debug)]
pub enum Change {
    /// Close this component: a popup leaves the stack, a screen goes back to the
    /// tree.
    Close,
    /// Open a popup over it.
    Push(Box<dyn Component>),
    /// Show this screen in place of the current one.
    Open(Screen),
    /// Run an action on the layer beneath, after the changes before it.
    Below(Action),
}

/// What a component wants done after a key or a message.
#[derive(Debug, Default)]
#[must_use]
pub struct Reaction {
    /// Work for the runtime.
    pub effects: Vec<Effect>,
    /// Changes to the layers, in order.
    pub changes: Vec<Change>,
}

impl Reaction {
    /// Nothing to do.
    pub fn none() -> Self {
        Self::default()
    }

    /// Closes the component.
    pub fn close() -> Self {
        Self::none().and_close()
    }

    /// Opens `popup` over the component.
    pub fn push(popup: impl Component) -> Self {
        Self::none().and_push(popup)
    }

    /// Shows `screen` in place of the current one.
    pub fn open(screen: Screen) -> Self {
        Self::none().and_open(screen)
    }

    /// Also shows `screen`.
    pub fn and_open(mut self, screen: Screen) -> Self {
        self.changes.push(Change::Open(screen));
        self
    }

    /// Also closes the component.
    pub fn and_close(mut self) -> Self {
        self.changes.push(Change::Close);
        self
    }

    /// Also opens `popup`.
    pub fn and_push(mut self, popup: impl Component) -> Self {
        self.changes.push(Change::Push(Box::new(popup)));
        self
    }

    /// Also runs `action` on the layer beneath.
    pub fn and_below(mut self, action: Action) -> Self {
        self.changes.push(Change::Below(action));
        self
    }

    /// Also asks for `effects`.
    pub fn and(mut self, effects: impl IntoIterator<Item = Effect>) -> Self {
        self.effects.extend(effects);
        self
    }
}

impl From<Vec<Effect>> for Reaction {
    fn from(effects: Vec<Effect>) -> Self {
        Self {
            effects,
            changes: Vec::new(),
        }
    }
}

impl From<Effect> for Reaction {
    fn from(effect: Effect) -> Self {
        vec![effect].into()
    }
}
