//! The event loop: one place where messages from the keyboard and from background
//! work meet, the state is updated, and the screen is drawn once per batch.

use std::io;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::thread;

use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use crate::find::{FIND_LIMIT, Index};
use crate::taxonomy::model::Taxonomy;

use super::app::{App, Effect, Msg};
use super::load::load;
use super::view;

/// Reads the terminal on its own thread and forwards key presses and resizes.
fn spawn_input(tx: mpsc::UnboundedSender<Msg>) {
    thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Ok(TermEvent::Resize(_, height)) => Msg::Resize(height),
                Ok(_) => continue,
                Err(error) => {
                    tracing::error!("reading the terminal failed: {error}");
                    return;
                }
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
}

/// The finder's thread: it owns the index, so matching never delays a frame, and
/// answers only the newest request waiting.
struct FinderWorker {
    requests: std_mpsc::Sender<(u64, String)>,
    reindex: std_mpsc::Sender<Taxonomy>,
}

impl FinderWorker {
    fn spawn(taxonomy: &Taxonomy, tx: mpsc::UnboundedSender<Msg>) -> Self {
        let (reindex, reindex_rx) = std_mpsc::channel::<Taxonomy>();
        let (requests, request_rx) = std_mpsc::channel::<(u64, String)>();
        let mut index = Index::build(taxonomy);
        thread::spawn(move || {
            while let Ok((mut generation, mut query)) = request_rx.recv() {
                while let Ok(newer) = request_rx.try_recv() {
                    (generation, query) = newer;
                }
                while let Ok(taxonomy) = reindex_rx.try_recv() {
                    index = Index::build(&taxonomy);
                }
                let hits = index.search(&query, FIND_LIMIT);
                if tx.send(Msg::Hits { generation, hits }).is_err() {
                    return;
                }
            }
        });
        Self { requests, reindex }
    }
}

/// Runs the application until it quits.
pub async fn run(terminal: &mut DefaultTerminal, mut app: App, root: PathBuf) -> io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    spawn_input(tx.clone());
    let finder = FinderWorker::spawn(&app.taxonomy, tx.clone());
    app.height = terminal.size()?.height;
    terminal.draw(|frame| view::draw(frame, &app))?;
    while let Some(first) = rx.recv().await {
        let mut pending = vec![first];
        while let Ok(more) = rx.try_recv() {
            pending.push(more);
        }
        for msg in pending {
            if let Msg::Loaded { taxonomy, .. } = &msg {
                let _ = finder.reindex.send((**taxonomy).clone());
            }
            for effect in app.update(msg) {
                match effect {
                    Effect::Quit => return Ok(()),
                    Effect::Search { generation, query } => {
                        let _ = finder.requests.send((generation, query));
                    }
                    Effect::Reload => {
                        let tx = tx.clone();
                        let root = root.clone();
                        tokio::task::spawn_blocking(move || {
                            let _ = tx.send(load(&root));
                        });
                    }
                }
            }
        }
        terminal.draw(|frame| view::draw(frame, &app))?;
    }
    Ok(())
}
