//! Drives the TUI's state headlessly: key presses in, effects run synchronously,
//! screens rendered to ratatui's `TestBackend`.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use taxon::find::{FIND_LIMIT, Index};
use taxon::taxonomy::model::Taxonomy;
use taxon::taxonomy::validate::Options;
use taxon::tui::app::{App, Effect, Msg};
use taxon::tui::keymap::Keymap;
use taxon::tui::marks::LeafMarks;
use taxon::tui::view;

pub struct Harness {
    pub app: App,
    index: Index,
    pub effects: Vec<Effect>,
}

impl Harness {
    /// The app on the taxonomy at `root` (give a relative path for stable snapshots).
    pub fn open(root: &Path) -> Self {
        let taxonomy = Taxonomy::load(root, &Options::default());
        let index = Index::build(&taxonomy);
        let app = App::new(
            taxonomy,
            LeafMarks::default(),
            Some("main".into()),
            Keymap::default(),
        );
        Self {
            app,
            index,
            effects: Vec::new(),
        }
    }

    /// Sends one message and runs the effects the app asks for.
    pub fn send(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(msg) = queue.pop() {
            for effect in self.app.update(msg) {
                if let Effect::Search { generation, query } = &effect {
                    let hits = self.index.search(query, FIND_LIMIT);
                    queue.push(Msg::Hits {
                        generation: *generation,
                        hits,
                    });
                }
                self.effects.push(effect);
            }
        }
    }

    /// Presses keys written as in keymap files, separated by spaces
    /// (`"/ t i d e s enter"`); `text:` followed by a word types it.
    pub fn press(&mut self, keys: &str) {
        for key in keys.split(' ').filter(|k| !k.is_empty()) {
            if let Some(text) = key.strip_prefix("text:") {
                for c in text.chars() {
                    self.send(Msg::Key(KeyEvent::new(
                        KeyCode::Char(c),
                        KeyModifiers::NONE,
                    )));
                }
                continue;
            }
            self.send(Msg::Key(key_event(key)));
        }
    }

    /// The screen at `width` x `height`, as text.
    pub fn render(&mut self, width: u16, height: u16) -> String {
        self.app.height = height;
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal
            .draw(|frame| view::draw(frame, &self.app))
            .expect("draw");
        terminal.backend().to_string()
    }
}

fn key_event(key: &str) -> KeyEvent {
    let (modifiers, rest) = match key.strip_prefix("ctrl-") {
        Some(rest) => (KeyModifiers::CONTROL, rest),
        None => (KeyModifiers::NONE, key),
    };
    let code = match rest {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "backspace" => KeyCode::Backspace,
        "space" => KeyCode::Char(' '),
        c => KeyCode::Char(c.chars().next().expect("a key")),
    };
    KeyEvent::new(code, modifiers)
}
