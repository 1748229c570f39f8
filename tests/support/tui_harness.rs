#![allow(dead_code)] // each test binary uses only some of these helpers
//! Drives the TUI's state headlessly: key presses in, effects run synchronously,
//! screens rendered to ratatui's `TestBackend`.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use taxon::buffer::SaveError;
use taxon::drafts::Drafts;
use taxon::find::{FIND_LIMIT, Index};
use taxon::taxonomy::model::{Leaf, Taxonomy};
use taxon::taxonomy::validate::Options;
use taxon::tui::app::{App, Effect, Msg, SaveFailure};
use taxon::tui::git_jobs;
use taxon::tui::keymap::Keymap;
use taxon::tui::marks::LeafMarks;
use taxon::tui::preview_jobs::{PreviewConfig, PreviewWorker};
use taxon::tui::review_jobs;
use taxon::tui::train_jobs::TrainWorker;
use taxon::tui::view;

/// Stands in for `$EDITOR`: the text it is given, to the text it saves (or an error).
pub type FakeEditor = Box<dyn FnMut(&str) -> Result<String, String>>;

pub struct Harness {
    pub app: App,
    index: Index,
    pub effects: Vec<Effect>,
    /// What the "external editor" does to the text it is given.
    pub editor: FakeEditor,
    /// Where drafts go.
    pub drafts: Drafts,
    _drafts_dir: tempfile::TempDir,
    /// The training worker (the real one, on its thread) and its replies.
    trains: TrainWorker,
    train_replies: tokio::sync::mpsc::UnboundedReceiver<Msg>,
    /// The real preview thread and its replies, once [`Harness::with_preview`] was called.
    preview: Option<(PreviewWorker, tokio::sync::mpsc::UnboundedReceiver<Msg>)>,
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
        let drafts_dir = tempfile::tempdir().expect("a drafts folder");
        let (tx, train_replies) = tokio::sync::mpsc::unbounded_channel();
        Self {
            trains: TrainWorker::spawn(tx),
            train_replies,
            app,
            index,
            effects: Vec::new(),
            editor: Box::new(|text| Ok(text.to_owned())),
            drafts: Drafts::new(drafts_dir.path().to_owned()),
            _drafts_dir: drafts_dir,
            preview: None,
        }
    }

    /// The app on a fresh copy of the sample taxonomy (to edit).
    pub fn open_copy() -> (tempfile::TempDir, Self) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        copy_tree(Path::new("sample-taxonomy"), dir.path());
        let harness = Self::open(dir.path());
        (dir, harness)
    }

    /// Sends one message and runs the effects the app asks for.
    pub fn send(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(msg) = queue.pop() {
            for effect in self.app.update(msg) {
                if let Some(reply) = self.run(&effect) {
                    queue.push(reply);
                }
                self.effects.push(effect);
            }
        }
    }

    /// Does what the runtime would do for `effect`, synchronously.
    fn run(&mut self, effect: &Effect) -> Option<Msg> {
        let root = self.app.taxonomy.root.clone();
        match effect {
            Effect::Search { generation, query } => Some(Msg::Hits {
                generation: *generation,
                hits: self.index.search(query, FIND_LIMIT),
            }),
            Effect::RunEditor { folder, text } => Some(Msg::EditorDone {
                folder: folder.clone(),
                result: (self.editor)(text),
            }),
            Effect::Save { buffer, overwrite } => {
                let mut buffer = buffer.clone();
                let outcome = if *overwrite {
                    buffer.save_over_disk()
                } else {
                    buffer.save()
                };
                Some(Msg::Saved {
                    folder: buffer.folder.clone(),
                    result: outcome.map_err(|error| match error {
                        SaveError::ChangedOnDisk(_) => SaveFailure::ChangedOnDisk,
                        other => SaveFailure::Failed(other.to_string()),
                    }),
                })
            }
            Effect::ReadFile { folder } => Some(Msg::LeafRead(Box::new(Leaf::read(
                &root,
                folder.clone(),
                &Options::default(),
            )))),
            Effect::KeepDraft(draft) => {
                self.drafts.keep(draft).expect("keep a draft");
                None
            }
            Effect::ForgetDraft { folder } => {
                self.drafts.forget(&root, folder).expect("forget a draft");
                None
            }
            Effect::Git(job) => Some(git_jobs::run(job, &root)),
            Effect::Review(job) => Some(review_jobs::run(job, &root)),
            Effect::CreateLeaf(leaf) => Some(Msg::LeafCreated(
                leaf.create(&root)
                    .map(|folder| Box::new(Leaf::read(&root, folder, &Options::default())))
                    .map_err(|error| error.to_string()),
            )),
            Effect::Train(job) => {
                self.trains.send(job.clone());
                None
            }
            Effect::Preview(job) => {
                if let Some((worker, _)) = &self.preview {
                    worker.start(job.clone());
                }
                None
            }
            Effect::CancelPreview => {
                if let Some((worker, _)) = &self.preview {
                    worker.cancel();
                }
                None
            }
            Effect::Quit | Effect::Reload => None,
        }
    }

    /// Applies every reply of the training worker that has arrived; returns how many.
    pub fn pump(&mut self) -> usize {
        let mut count = 0;
        while let Ok(msg) = self.train_replies.try_recv() {
            self.send(msg);
            count += 1;
        }
        count
    }

    /// Pumps the training worker's replies until `done` holds, failing after `timeout`.
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
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.preview = Some((PreviewWorker::spawn(config, tx), rx));
    }

    /// Waits up to `timeout` for the next batch of preview messages, sends them
    /// to the app and returns them (empty when none came in time).
    pub fn pump_preview(&mut self, timeout: std::time::Duration) -> Vec<Msg> {
        let Some((_, rx)) = &mut self.preview else {
            return Vec::new();
        };
        let deadline = std::time::Instant::now() + timeout;
        let mut batch = Vec::new();
        while batch.is_empty() && std::time::Instant::now() < deadline {
            while let Ok(msg) = rx.try_recv() {
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
            .taxonomy
            .leaves
            .iter()
            .position(|leaf| leaf.folder.ends_with(suffix))
            .expect("the leaf exists");
        self.app.open_leaf(index);
        self.app.taxonomy.leaves[index].folder.clone()
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
