//! The event loop: one place where messages from the keyboard and from background
//! work meet, the state is updated, and the screen is drawn once per batch.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::thread;
use std::time::{Duration, Instant};

use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use crate::buffer::SaveError;
use crate::drafts::Drafts;
use crate::find::{FIND_LIMIT, Index};
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::validate::Options;
use rayon::prelude::*;

use super::app::{App, Effect, Msg, SaveFailure};
use super::git_jobs::{self, GitReply};
use super::input::InputReader;
use super::load::{git_state, load};
use super::preview_jobs::{PreviewConfig, PreviewWorker};
use super::review_jobs::ReviewWorker;
use super::train_jobs::TrainWorker;
use super::view;

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
        let (marks, branch) = git_state(&root);
        let _ = tx.send(Msg::GitState { marks, branch });
    });
}

/// The shortest time between two frames (about 60 per second): messages that
/// come meanwhile (tokens, metrics) are drawn together.
const FRAME: Duration = Duration::from_millis(16);

/// Runs the application until it quits.
pub async fn run(
    terminal: &mut DefaultTerminal,
    mut app: App,
    root: PathBuf,
    drafts: Drafts,
    preview: PreviewConfig,
) -> io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let input = InputReader::spawn(tx.clone());
    let _ = tx.send(Msg::DraftsFound(drafts.for_root(&root)));
    spawn_first_check(&app.taxonomy, tx.clone());
    let finder = FinderWorker::spawn(&app.taxonomy, tx.clone());
    let reviews = ReviewWorker::spawn(root.clone(), tx.clone());
    let trains = TrainWorker::spawn(tx.clone());
    let previews = PreviewWorker::spawn(preview, tx.clone());
    app.height = terminal.size()?.height;
    terminal.draw(|frame| view::draw(frame, &app))?;
    let mut drawn = Instant::now();
    while let Some(first) = rx.recv().await {
        tokio::time::sleep(FRAME.saturating_sub(drawn.elapsed())).await;
        let mut pending = vec![first];
        while let Ok(more) = rx.try_recv() {
            pending.push(more);
        }
        for msg in pending {
            let reindex = matches!(
                msg,
                Msg::Loaded { .. }
                    | Msg::LeavesChecked { done: true, .. }
                    | Msg::Git(GitReply::Switched { .. } | GitReply::Discarded { .. })
            );
            for effect in app.update(msg) {
                match effect {
                    Effect::Quit => return Ok(()),
                    Effect::Search { generation, query } => {
                        let _ = finder.requests.send((generation, query));
                    }
                    Effect::RunEditor { folder, text } => {
                        let result = run_editor(terminal, &input, &folder, &text);
                        let _ = tx.send(Msg::EditorDone { folder, result });
                    }
                    Effect::Save {
                        mut buffer,
                        overwrite,
                    } => {
                        let outcome = if overwrite {
                            buffer.save_over_disk()
                        } else {
                            buffer.save()
                        };
                        let result = outcome.map_err(|error| match error {
                            SaveError::ChangedOnDisk(_) => SaveFailure::ChangedOnDisk,
                            other => SaveFailure::Failed(other.to_string()),
                        });
                        let _ = tx.send(Msg::Saved {
                            folder: buffer.folder,
                            result,
                        });
                    }
                    Effect::ReadFile { folder } => {
                        let leaf = Leaf::read(&root, folder, &Options::default());
                        let _ = tx.send(Msg::LeafRead(Box::new(leaf)));
                        let (tx, root) = (tx.clone(), root.clone());
                        tokio::task::spawn_blocking(move || {
                            let (marks, branch) = git_state(&root);
                            let _ = tx.send(Msg::GitState { marks, branch });
                        });
                    }
                    Effect::KeepDraft(draft) => {
                        if let Err(error) = drafts.keep(&draft) {
                            tracing::error!(
                                "keeping a draft of {} failed: {error}",
                                draft.folder.display()
                            );
                        }
                    }
                    Effect::ForgetDraft { folder } => {
                        if let Err(error) = drafts.forget(&root, &folder) {
                            tracing::error!(
                                "dropping the draft of {} failed: {error}",
                                folder.display()
                            );
                        }
                    }
                    Effect::Git(job) => {
                        let (tx, root) = (tx.clone(), root.clone());
                        tokio::task::spawn_blocking(move || {
                            let _ = tx.send(git_jobs::run(&job, &root));
                        });
                    }
                    Effect::CreateLeaf(leaf) => {
                        let result = leaf
                            .create(&root)
                            .map(|folder| Box::new(Leaf::read(&root, folder, &Options::default())))
                            .map_err(|error| error.to_string());
                        let _ = tx.send(Msg::LeafCreated(result));
                    }
                    Effect::Review(job) => reviews.send(job),
                    Effect::Train(job) => trains.send(job),
                    Effect::Preview(job) => previews.start(job),
                    Effect::CancelPreview => previews.cancel(),
                    Effect::Reload => {
                        let tx = tx.clone();
                        let root = root.clone();
                        tokio::task::spawn_blocking(move || {
                            let _ = tx.send(load(&root));
                        });
                    }
                }
            }
            if reindex {
                let _ = finder.reindex.send(app.taxonomy.clone());
            }
        }
        terminal.draw(|frame| view::draw(frame, &app))?;
        drawn = Instant::now();
    }
    Ok(())
}
