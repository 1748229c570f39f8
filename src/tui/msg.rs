//! The vocabulary between the app, the runtime and background work: [`Msg`] is
//! something that happened (a key, a job's reply), [`Effect`] is work to do outside
//! the application state. [`super::perform`] does the effects.

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::buffer::{DiskState, LeafBuffer};
use crate::drafts::Draft;
use crate::find::Hit;
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::template::NewLeaf;

use super::editing::{Validated, Validation};
use super::eval_jobs::{EvalJob, EvalReply};
use super::git_jobs::{GitJob, GitReply};
use super::load::{GitState, Loaded};
use super::preview_jobs::{PreviewJob, PreviewReply};
use super::review_jobs::{ReviewJob, ReviewReply};
use super::train_jobs::{TrainJob, TrainReply};

/// Why a save failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveFailure {
    /// The file changed on disk since it was loaded: how it is now.
    ChangedOnDisk(DiskState),
    /// Writing failed, with the reason.
    Failed(String),
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// The terminal was resized to this many columns and rows.
    Resize(u16, u16),
    /// Finder hits for the request `generation`.
    Hits {
        /// The request these answer.
        generation: u64,
        /// The hits, best first.
        hits: Vec<Hit>,
    },
    /// The external editor closed: the edited text, or why there is none.
    EditorDone {
        /// The leaf edited.
        folder: PathBuf,
        /// The text, or the failure.
        result: Result<String, String>,
    },
    /// A save finished.
    Saved {
        /// The leaf saved.
        folder: PathBuf,
        /// What happened.
        result: Result<(), SaveFailure>,
    },
    /// One leaf was read again from disk, and the git state with it.
    LeafRead {
        /// The leaf.
        leaf: Box<Leaf>,
        /// The git state.
        git: GitState,
    },
    /// An edited text was validated.
    Validated(Box<Validated>),
    /// A batch of leaves read and validated in the background after start.
    LeavesChecked {
        /// The leaves, read.
        leaves: Vec<Leaf>,
        /// Whether this is the last batch.
        done: bool,
    },
    /// Fresh git marks and branch.
    GitState(GitState),
    /// Drafts of unsaved edits left by an earlier run.
    DraftsFound(Vec<Draft>),
    /// Git work finished.
    Git(GitReply),
    /// A new leaf was created and read, or why not.
    LeafCreated(Result<Box<Leaf>, String>),
    /// A fresh taxonomy and git marks were loaded.
    Loaded(Box<Loaded>),
    /// Review work finished.
    Review(ReviewReply),
    /// Training work reported.
    Train(TrainReply),
    /// Evaluation work reported.
    Eval(EvalReply),
    /// News from the generation preview.
    Preview(PreviewReply),
    /// The process was told to end (SIGTERM, SIGHUP): quit at once, unsaved edits
    /// kept as recovery drafts.
    Terminate,
}

/// Work for the runtime to do.
#[derive(Debug, Clone, PartialEq)]
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
    /// Reload the taxonomy and its git state.
    Reload,
    /// Rebuild the finder's index from this taxonomy.
    Reindex(Box<Taxonomy>),
    /// Edit a leaf's text in `$EDITOR`, the terminal suspended meanwhile.
    RunEditor {
        /// The leaf.
        folder: PathBuf,
        /// The text to edit.
        text: String,
    },
    /// Save a leaf's buffer, only over the file as it was found.
    Save {
        /// What to save.
        buffer: LeafBuffer,
        /// The file on disk it may replace: as loaded ([`DiskState::Unchanged`]), or
        /// as the user saw it changed or deleted and chose to keep their edits.
        over: DiskState,
    },
    /// Read a leaf's file again (to take the disk's version), and the git state.
    ReadFile {
        /// The leaf.
        folder: PathBuf,
    },
    /// Validate an edited text, off the event loop; a later validation of the same
    /// leaf supersedes it. It answers with [`Msg::Validated`].
    Validate(Validation),
    /// Keep a recovery draft of unsaved edits.
    KeepDraft(Draft),
    /// Drop the recovery draft of a leaf.
    ForgetDraft {
        /// The leaf.
        folder: PathBuf,
    },
    /// Git work, off the event loop; it answers with [`Msg::Git`].
    Git(GitJob),
    /// Create a new leaf from the template, then read it.
    CreateLeaf(NewLeaf),
    /// Review work, off the event loop, in order; it answers with [`Msg::Review`].
    Review(ReviewJob),
    /// Training work, off the event loop; it answers with [`Msg::Train`].
    Train(TrainJob),
    /// Evaluation work: a read, or an evaluation on a thread of its own; it
    /// answers with [`Msg::Eval`].
    Eval(EvalJob),
    /// Preview a leaf's generation, superseding any other preview; it answers
    /// with [`Msg::Preview`].
    Preview(PreviewJob),
    /// Stop the running preview.
    CancelPreview,
}
