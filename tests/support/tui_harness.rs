#![allow(dead_code)] // each test binary uses only some of these helpers
//! Drives the TUI's state headlessly: key presses in, effects run synchronously,
//! screens rendered to ratatui's `TestBackend`.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use taxon::drafts::Drafts;
use taxon::taxonomy::model::Taxonomy;
use taxon::taxonomy::validate::Options;
use taxon::tui::app::App;
use taxon::tui::keymap::Keymap;
use taxon::tui::marks::LeafMarks;
use taxon::tui::msg::{Effect, Msg};
use taxon::tui::perform::{Env, perform};
use taxon::tui::preview_jobs::PreviewConfig;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Stands in for `$EDITOR`: the text it is given, to the text it saves (or an error).
pub type FakeEditor = Box<dyn FnMut(&str) -> Result<String, String>>;

pub struct Harness {
    pub app: App,
    /// What effects run against, as in the runtime.
    env: Env,
    pub effects: Vec<Effect>,
    /// What the "external editor" does to the text it is given.
    pub editor: FakeEditor,
    /// Where drafts go.
    pub drafts: Drafts,
    _drafts_dir: tempfile::TempDir,
    /// The replies of the streaming threads (training, previews).
    replies: UnboundedReceiver<Msg>,
    tx: UnboundedSender<Msg>,
    /// Where the preview looks for a model until [`Harness::with_preview`] says.
    _no_model: tempfile::TempDir,
    /// Which effects wait in `held` instead of running at once (see [`Harness::hold`]).
    holding: fn(&Effect) -> bool,
    /// Effects held back, in the order they were asked for.
    pub held: Vec<Effect>,
}

impl Harness {
    /// The app on the taxonomy at `root` (give a relative path for stable snapshots).
    pub fn open(root: &Path) -> Self {
        let taxonomy = Taxonomy::load(root, &Options::default());
        let drafts_dir = tempfile::tempdir().expect("a drafts folder");
        let drafts = Drafts::new(drafts_dir.path().to_owned());
        let no_model = tempfile::tempdir().expect("a folder without a model");
        let preview = PreviewConfig {
            model: no_model.path().join("no-model.gguf"),
            docs_cache: no_model.path().join("docs"),
            threads: Some(1),
        };
        let (tx, replies) = unbounded_channel();
        let env = Env::new(&taxonomy, drafts.clone(), preview, &tx);
        let app = App::new(
            taxonomy,
            LeafMarks::default(),
            Some("main".into()),
            Keymap::default(),
        );
        Self {
            app,
            env,
            effects: Vec::new(),
            editor: Box::new(|text| Ok(text.to_owned())),
            drafts,
            _drafts_dir: drafts_dir,
            replies,
            tx,
            _no_model: no_model,
            holding: |_| false,
            held: Vec::new(),
        }
    }

    /// The app on a fresh copy of the sample taxonomy (to edit).
    pub fn open_copy() -> (tempfile::TempDir, Self) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        copy_tree(Path::new("sample-taxonomy"), dir.path());
        let harness = Self::open(dir.path());
        (dir, harness)
    }

    /// Sends one message and does the effects the app asks for, as the runtime would,
    /// through the same executor; only the external editor is a stand-in.
    pub fn send(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(msg) = queue.pop() {
            for effect in self.app.update(msg) {
                if (self.holding)(&effect) {
                    self.held.push(effect);
                    continue;
                }
                let reply = match &effect {
                    Effect::RunEditor { folder, text } => Some(Msg::EditorDone {
                        folder: folder.clone(),
                        result: (self.editor)(text),
                    }),
                    other => perform(other.clone(), &self.env),
                };
                queue.extend(reply);
                self.effects.push(effect);
            }
        }
    }

    /// Holds back the effects `which` picks, as a busy background thread would,
    /// until [`Harness::release`].
    pub fn hold(&mut self, which: fn(&Effect) -> bool) {
        self.holding = which;
    }

    /// Does the held effects (blocking) and returns their replies, for the test to
    /// send in the order it likes.
    pub fn run_held(&mut self) -> Vec<Msg> {
        std::mem::take(&mut self.held)
            .into_iter()
            .filter_map(|effect| perform(effect, &self.env))
            .collect()
    }

    /// Applies every reply of the streaming threads that has arrived; returns how many.
    pub fn pump(&mut self) -> usize {
        let mut count = 0;
        while let Ok(msg) = self.replies.try_recv() {
            self.send(msg);
            count += 1;
        }
        count
    }

    /// Pumps the streaming threads' replies until `done` holds, failing after `timeout`.
    pub fn pump_until(
        &mut self,
        what: &str,
        timeout: std::time::Duration,
        mut done: impl FnMut(&Self) -> bool,
    ) {
        let start = std::time::Instant::now();
        loop {
            self.pump();
            if done(self) {
                return;
            }
            assert!(start.elapsed() < timeout, "timed out waiting for {what}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Runs previews on the real preview thread with `config`.
    pub fn with_preview(&mut self, config: PreviewConfig) {
        self.env = Env::new(
            &self.app.shared.taxonomy,
            self.drafts.clone(),
            config,
            &self.tx,
        );
    }

    /// Waits up to `timeout` for the next batch of the streaming threads' messages,
    /// sends them to the app and returns them (empty when none came in time).
    pub fn pump_preview(&mut self, timeout: std::time::Duration) -> Vec<Msg> {
        let deadline = std::time::Instant::now() + timeout;
        let mut batch = Vec::new();
        while batch.is_empty() && std::time::Instant::now() < deadline {
            while let Ok(msg) = self.replies.try_recv() {
                batch.push(msg);
            }
            if batch.is_empty() {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        for msg in &batch {
            self.send(msg.clone());
        }
        batch
    }

    /// Selects the leaf whose folder ends with `suffix`.
    pub fn select(&mut self, suffix: &str) -> std::path::PathBuf {
        let index = self
            .app
            .shared
            .taxonomy
            .leaves
            .iter()
            .position(|leaf| leaf.folder.ends_with(suffix))
            .expect("the leaf exists");
        self.app.shared.open_leaf(index);
        self.app.shared.taxonomy.leaves[index].folder.clone()
    }

    /// Presses keys written as in keymap files, separated by spaces
    /// (`"/ t i d e s enter"`, `ctrl-u`, `alt-b`); `text:` followed by a word types it.
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
        (self.app.shared.width, self.app.shared.height) = (width, height);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal.draw(|frame| self.app.draw(frame)).expect("draw");
        terminal.backend().to_string()
    }

    /// Where the drawn frame puts the cursor (column, row), if it shows one.
    pub fn cursor(&mut self, width: u16, height: u16) -> Option<(u16, u16)> {
        (self.app.shared.width, self.app.shared.height) = (width, height);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal.draw(|frame| self.app.draw(frame)).expect("draw");
        let backend = terminal.backend();
        let position = backend.cursor_position();
        backend.cursor_visible().then_some((position.x, position.y))
    }
}

fn key_event(key: &str) -> KeyEvent {
    let (mut modifiers, mut rest) = (KeyModifiers::NONE, key);
    loop {
        if let Some(after) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
            (modifiers, rest) = (modifiers | KeyModifiers::CONTROL, after);
        } else if let Some(after) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
            (modifiers, rest) = (modifiers | KeyModifiers::ALT, after);
        } else {
            break;
        }
    }
    let code = match rest {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        // As terminals report it: back-tab with shift held.
        "shift-tab" => return KeyEvent::new(KeyCode::BackTab, modifiers | KeyModifiers::SHIFT),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "backspace" => KeyCode::Backspace,
        "delete" => KeyCode::Delete,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "space" => KeyCode::Char(' '),
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        c => KeyCode::Char(c.chars().next().expect("a key")),
    };
    KeyEvent::new(code, modifiers)
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the sample");
        let target = to.join(entry.path().strip_prefix(from).expect("below the sample"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}
