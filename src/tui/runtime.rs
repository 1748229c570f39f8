//! The event loop: one place where messages from the keyboard and from background
//! work meet, the state is updated, and the screen is drawn once per batch. Effects
//! are done by [`perform`]; the loop only chooses the thread ([`Effect::lane`]).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::thread;
use std::time::{Duration, Instant};

use ratatui::DefaultTerminal;
use rayon::prelude::*;
use tokio::sync::mpsc;

use crate::drafts::Drafts;
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::validate::Options;

use super::app::App;
use super::input::InputReader;
use super::load::git_state;
use super::msg::{Effect, Msg};
use super::perform::{Env, Lane, Queue, perform};
use super::preview_jobs::PreviewConfig;

/// A queue's thread: effects run one after another; one that a later waiting effect
/// supersedes is skipped.
struct QueueThread {
    effects: std_mpsc::Sender<Effect>,
}

impl QueueThread {
    fn spawn(env: Arc<Env>, tx: mpsc::UnboundedSender<Msg>) -> Self {
        let (effects, rx) = std_mpsc::channel::<Effect>();
        thread::spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut waiting = vec![first];
                waiting.extend(rx.try_iter());
                for (i, effect) in waiting.iter().enumerate() {
                    if waiting[i + 1..]
                        .iter()
                        .any(|later| later.supersedes(effect))
                    {
                        continue;
                    }
                    if let Some(msg) = perform(effect.clone(), &env)
                        && tx.send(msg).is_err()
                    {
                        return;
                    }
                }
            }
        });
        Self { effects }
    }
}

/// Runs effects on the threads their lanes name.
struct Dispatcher {
    env: Arc<Env>,
    tx: mpsc::UnboundedSender<Msg>,
    queues: HashMap<Queue, QueueThread>,
}

impl Dispatcher {
    /// Runs `effect` where it belongs; effects of the terminal's lane are returned.
    fn dispatch(&mut self, effect: Effect) -> Option<Effect> {
        match effect.lane() {
            Lane::Terminal => return Some(effect),
            Lane::Inline => {
                if let Some(msg) = perform(effect, &self.env) {
                    let _ = self.tx.send(msg);
                }
            }
            Lane::Background => {
                let (env, tx) = (Arc::clone(&self.env), self.tx.clone());
                tokio::task::spawn_blocking(move || {
                    if let Some(msg) = perform(effect, &env) {
                        let _ = tx.send(msg);
                    }
                });
            }
            Lane::Queue(queue) => {
                let (env, tx) = (&self.env, &self.tx);
                let thread = self
                    .queues
                    .entry(queue)
                    .or_insert_with(|| QueueThread::spawn(Arc::clone(env), tx.clone()));
                if thread.effects.send(effect).is_err() {
                    tracing::error!("the {queue:?} queue has stopped");
                }
            }
        }
        None
    }
}

/// Edits `text` in the user's `$VISUAL` or `$EDITOR` (else `vi`), with the
/// terminal handed over meanwhile and the input reader paused.
fn run_editor(
    terminal: &mut DefaultTerminal,
    input: &InputReader,
    folder: &Path,
    text: &str,
) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".to_owned());
    let file = tempfile::Builder::new()
        .prefix("taxon-")
        .suffix("-qna.yaml")
        .tempfile()
        .map_err(|e| format!("cannot create a file for the editor: {e}"))?;
    std::fs::write(file.path(), text)
        .map_err(|e| format!("cannot write {}: {e}", file.path().display()))?;
    input.pause();
    let _ = ratatui::try_restore();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("taxon-editor")
        .arg(file.path())
        .status();
    match ratatui::try_init() {
        Ok(fresh) => *terminal = fresh,
        Err(error) => tracing::error!("reopening the terminal failed: {error}"),
    }
    let _ = terminal.clear();
    input.resume();
    match status {
        Ok(status) if status.success() => std::fs::read_to_string(file.path())
            .map_err(|e| format!("cannot read back the edit of {}: {e}", folder.display())),
        Ok(status) => Err(format!(
            "{editor} exited with {status}; the edit was not taken"
        )),
        Err(error) => Err(format!("cannot run {editor}: {error}")),
    }
}

/// How many leaves one background batch reads before the screen shows them.
const CHECK_BATCH: usize = 500;

/// Reads and validates every scanned leaf in the background, in batches, then
/// fetches the git state.
fn spawn_first_check(taxonomy: &Taxonomy, tx: mpsc::UnboundedSender<Msg>) {
    let root = taxonomy.root.clone();
    let folders: Vec<PathBuf> = taxonomy.leaves.iter().map(|l| l.folder.clone()).collect();
    tokio::task::spawn_blocking(move || {
        let options = Options::default();
        let batches: Vec<&[PathBuf]> = folders.chunks(CHECK_BATCH).collect();
        for (i, batch) in batches.iter().enumerate() {
            let leaves = batch
                .par_iter()
                .map(|folder| Leaf::read(&root, folder.clone(), &options))
                .collect();
            let done = i + 1 == batches.len();
            if tx.send(Msg::LeavesChecked { leaves, done }).is_err() {
                return;
            }
        }
        if batches.is_empty() {
            let _ = tx.send(Msg::LeavesChecked {
                leaves: Vec::new(),
                done: true,
            });
        }
        let _ = tx.send(Msg::GitState(git_state(&root)));
    });
}

/// Turns SIGTERM and SIGHUP into [`Msg::Terminate`], so the terminal is restored
/// (alternate screen, cursor, echo) as when quitting, instead of the process dying
/// with it in raw mode.
fn spawn_signal_watch(tx: mpsc::UnboundedSender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (terminate, hangup) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) {
        (Ok(terminate), Ok(hangup)) => (terminate, hangup),
        (Err(error), _) | (_, Err(error)) => {
            tracing::error!("cannot watch for SIGTERM and SIGHUP: {error}");
            return;
        }
    };
    let (mut terminate, mut hangup) = (terminate, hangup);
    tokio::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = hangup.recv() => {}
        }
        let _ = tx.send(Msg::Terminate);
    });
}

/// The shortest time between two frames (about 60 per second): messages that
/// come meanwhile (tokens, metrics) are drawn together.
const FRAME: Duration = Duration::from_millis(16);

/// Runs the application until it quits.
pub async fn run(
    terminal: &mut DefaultTerminal,
    mut app: App,
    drafts: Drafts,
    preview: PreviewConfig,
) -> io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let input = InputReader::spawn(tx.clone());
    let root = app.shared.taxonomy.root.clone();
    let _ = tx.send(Msg::DraftsFound(drafts.for_root(&root)));
    let env = Arc::new(Env::new(&app.shared.taxonomy, drafts, preview, &tx));
    spawn_first_check(&app.shared.taxonomy, tx.clone());
    spawn_signal_watch(tx.clone());
    let mut dispatcher = Dispatcher {
        env,
        tx: tx.clone(),
        queues: HashMap::new(),
    };
    let size = terminal.size()?;
    (app.shared.width, app.shared.height) = (size.width, size.height);
    terminal.draw(|frame| app.draw(frame))?;
    let mut drawn = Instant::now();
    while let Some(first) = rx.recv().await {
        tokio::time::sleep(FRAME.saturating_sub(drawn.elapsed())).await;
        let mut pending = vec![first];
        while let Ok(more) = rx.try_recv() {
            pending.push(more);
        }
        for msg in pending {
            for effect in app.update(msg) {
                match dispatcher.dispatch(effect) {
                    Some(Effect::Quit) => return Ok(()),
                    Some(Effect::RunEditor { folder, text }) => {
                        let result = run_editor(terminal, &input, &folder, &text);
                        let _ = tx.send(Msg::EditorDone { folder, result });
                    }
                    _ => {}
                }
            }
        }
        terminal.draw(|frame| app.draw(frame))?;
        drawn = Instant::now();
    }
    Ok(())
}
