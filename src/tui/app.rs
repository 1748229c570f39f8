//! The application state and its update function: key presses and background
//! results come in as messages; what to do outside (search, reload, quit) goes out
//! as effects. No I/O here, so every screen is testable without a terminal.

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::buffer::LeafBuffer;
use crate::drafts::Draft;
use crate::find::Hit;
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::template::NewLeaf;

use super::action::Action;
use super::authoring::Authoring;
use super::editing::{OpenLeaf, OpenLeaves};
use super::field_editor::FieldEditor;
use super::git_jobs::{GitJob, GitReply, Refreshed};
use super::git_popups::{BranchPicker, CommitDialog, DiffView};
use super::keymap::{Keymap, Mode};
use super::load::{GitState, Loaded};
use super::marks::LeafMarks;
use super::picker::{Finder, InputLine, Palette};
use super::preview::PreviewPane;
use super::preview_jobs::{PreviewJob, PreviewReply};
use super::review_jobs::{ReviewJob, ReviewReply};
use super::review_screen::{ReviewMarks, ReviewScreen};
use super::train_jobs::{TrainJob, TrainReply};
use super::train_screen::{TrainScreen, TrainSetup};
use super::tree::{Row, Tree};
use super::wizard::Wizard;

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
    /// A save found the file changed on disk: reload theirs, or keep mine?
    Conflict {
        /// The leaf.
        folder: PathBuf,
    },
    /// Quit with unsaved edits: save them, discard them, or stay?
    ConfirmQuit {
        /// The leaves with unsaved edits.
        dirty: Vec<PathBuf>,
    },
    /// Discard the unsaved edits of one leaf?
    ConfirmRevert {
        /// The leaf.
        folder: PathBuf,
    },
    /// Unsaved edits from an earlier run were found: restore or discard them?
    Recover {
        /// The drafts found.
        drafts: Vec<Draft>,
    },
    /// A leaf's diff against the base.
    Diff(DiffView),
    /// The commit dialog.
    Commit(CommitDialog),
    /// The branch picker.
    Branches(BranchPicker),
    /// Discard a leaf's changes since HEAD? Names the files and lines lost.
    ConfirmDiscard {
        /// The leaf.
        folder: PathBuf,
        /// What would be lost: the leaf's diff against HEAD.
        diff: crate::git::LeafDiff,
    },
    /// Switch branches with unsaved edits open?
    ConfirmSwitch {
        /// The branch to switch to.
        branch: String,
        /// The leaves with unsaved edits.
        dirty: Vec<PathBuf>,
    },
    /// The new-leaf wizard.
    NewLeaf(Box<Wizard>),
    /// One field of a leaf in a text area.
    EditField(Box<FieldEditor>),
    /// Delete a seed example?
    ConfirmDeleteExample {
        /// The leaf.
        folder: PathBuf,
        /// The example (0-based).
        index: usize,
        /// The start of its question, to name it.
        named: String,
    },
}

/// Why a save failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveFailure {
    /// The file changed on disk since it was loaded.
    ChangedOnDisk,
    /// Writing failed, with the reason.
    Failed(String),
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
    /// News from the generation preview.
    Preview(PreviewReply),
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
    /// Save a leaf's buffer; `overwrite` even if the file changed on disk.
    Save {
        /// What to save.
        buffer: LeafBuffer,
        /// Whether to write over a file changed on disk (the user chose so).
        overwrite: bool,
    },
    /// Read a leaf's file again (to take the disk's version), and the git state.
    ReadFile {
        /// The leaf.
        folder: PathBuf,
    },
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
    /// Preview a leaf's generation, superseding any other preview; it answers
    /// with [`Msg::Preview`].
    Preview(PreviewJob),
    /// Stop the running preview.
    CancelPreview,
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
    /// Leaves open for editing.
    pub open: OpenLeaves,
    /// Why there is no git information, if there is none.
    pub git_problem: Option<String>,
    /// Leaves validated so far and in all, while the first validation runs.
    pub checking: Option<(usize, usize)>,
    /// The field cursor and the defaults for new leaves.
    pub author: Authoring,
    /// The review screen, while open (it replaces the panes).
    pub review: Option<Box<ReviewScreen>>,
    /// The review state of the leaves changed against the base, for the tree.
    pub review_marks: ReviewMarks,
    /// The training screen, while open (it replaces the panes).
    pub train: Option<Box<TrainScreen>>,
    /// Where runs are and how they start; without it there is no training screen.
    pub train_setup: Option<TrainSetup>,
    /// The generation preview pane.
    pub preview: PreviewPane,
    /// Quit once every unsaved leaf is saved.
    quit_when_saved: bool,
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
            open: OpenLeaves::default(),
            git_problem: None,
            checking: None,
            author: Authoring::default(),
            review: None,
            review_marks: ReviewMarks::default(),
            train: None,
            train_setup: None,
            preview: PreviewPane::default(),
            quit_when_saved: false,
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
            None if self.train.is_some() => self.train.as_ref().map_or(Mode::Train, |s| s.mode()),
            None => match &self.review {
                Some(screen) if screen.comment.is_some() => Mode::Picker,
                Some(_) => Mode::Review,
                None => Mode::Browse,
            },
            Some(Popup::Help { .. } | Popup::Diff(_)) => Mode::Help,
            Some(
                Popup::Finder(_)
                | Popup::Palette(_)
                | Popup::Commit(_)
                | Popup::Branches(_)
                | Popup::NewLeaf(_),
            ) => Mode::Picker,
            Some(Popup::EditField(_)) => Mode::Text,
            Some(
                Popup::Conflict { .. }
                | Popup::ConfirmQuit { .. }
                | Popup::ConfirmRevert { .. }
                | Popup::Recover { .. }
                | Popup::ConfirmDiscard { .. }
                | Popup::ConfirmSwitch { .. }
                | Popup::ConfirmDeleteExample { .. },
            ) => Mode::Confirm,
        }
    }

    /// Applies one message; returns the work it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = self.apply(msg);
        effects.extend(self.preview_follow());
        effects
    }

    fn apply(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Resize(height) => {
                self.height = height;
                Vec::new()
            }
            Msg::Hits { generation, hits } => {
                if let Some(Popup::Finder(finder)) = &mut self.popup
                    && generation == finder.generation
                {
                    finder.hits = hits;
                    finder.selected = 0;
                }
                Vec::new()
            }
            Msg::EditorDone { folder, result } => match result {
                Ok(text) => self.edit_text(&folder, text),
                Err(why) => {
                    self.notify_error(why);
                    Vec::new()
                }
            },
            Msg::Saved { folder, result } => self.saved(folder, result),
            Msg::Git(reply) => self.git_reply(reply),
            Msg::LeafRead { leaf, git } => self.refreshed(Refreshed::Leaf(leaf, git)),
            Msg::LeavesChecked { leaves, done } => {
                let count = leaves.len();
                self.taxonomy.replace(leaves);
                self.tree.rebuild(&self.taxonomy, &self.marks);
                if done {
                    self.checking = None;
                    return vec![Effect::Reindex(Box::new(self.taxonomy.clone()))];
                }
                let (checked, total) = self.checking.unwrap_or((0, self.taxonomy.leaves.len()));
                self.checking = Some((checked + count, total));
                Vec::new()
            }
            Msg::GitState(git) => self.refreshed(Refreshed::Git(git)),
            Msg::Review(reply) => self.review_reply(reply),
            Msg::Train(reply) => self.train_reply(reply),
            Msg::Preview(reply) => self.preview_reply(reply),
            Msg::LeafCreated(result) => self.leaf_created(result),
            Msg::DraftsFound(drafts) => {
                if !drafts.is_empty() {
                    self.popup = Some(Popup::Recover { drafts });
                }
                Vec::new()
            }
            Msg::Loaded(loaded) => self.refreshed(Refreshed::All(loaded)),
        }
    }

    /// Takes what was read again from disk and git; asks for what follows from it
    /// (the review marks, the finder's index).
    pub(super) fn refreshed(&mut self, refreshed: Refreshed) -> Vec<Effect> {
        let git = match refreshed {
            Refreshed::Nothing => return Vec::new(),
            Refreshed::Git(git) => git,
            Refreshed::Leaf(leaf, git) => {
                self.taxonomy.replace(vec![*leaf]);
                git
            }
            Refreshed::All(loaded) => {
                let selected = self.selected_folder();
                let Loaded { taxonomy, git } = *loaded;
                self.taxonomy = taxonomy;
                self.tree.rebuild(&self.taxonomy, &self.marks);
                if let Some(index) = selected.and_then(|f| self.taxonomy.find(&f)) {
                    self.tree.select_leaf(&self.taxonomy, index);
                }
                self.branch = git.branch;
                self.set_marks(git.marks);
                self.tree.rebuild(&self.taxonomy, &self.marks);
                return vec![
                    Effect::Review(ReviewJob::Status),
                    Effect::Reindex(Box::new(self.taxonomy.clone())),
                ];
            }
        };
        self.branch = git.branch;
        self.set_marks(git.marks);
        self.tree.rebuild(&self.taxonomy, &self.marks);
        vec![Effect::Review(ReviewJob::Status)]
    }

    /// Takes fresh git marks, or the reason there are none (shown in the status bar).
    pub fn set_marks(&mut self, marks: Result<LeafMarks, String>) {
        match marks {
            Ok(marks) => {
                self.marks = marks;
                self.git_problem = None;
            }
            Err(why) => {
                self.marks = LeafMarks::default();
                self.git_problem = Some(why);
            }
        }
    }

    pub(super) fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: false,
        });
    }

    pub(super) fn notify_error(&mut self, text: impl Into<String>) {
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
            None if self.train.is_some() => self.train_key(action, key),
            None if self.review.is_some() => self.review_key(action, key),
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
            Some(
                Popup::Conflict { .. }
                | Popup::ConfirmQuit { .. }
                | Popup::ConfirmRevert { .. }
                | Popup::Recover { .. }
                | Popup::ConfirmDeleteExample { .. },
            ) => self.confirm_key(action, key),
            Some(Popup::Diff(_) | Popup::Commit(_) | Popup::Branches(_)) => {
                self.git_popup_key(action, key)
            }
            Some(Popup::ConfirmDiscard { .. } | Popup::ConfirmSwitch { .. }) => {
                self.git_confirm_key(action, key)
            }
            Some(Popup::NewLeaf(_)) => self.wizard_key(action, key),
            Some(Popup::EditField(_)) => self.field_editor_key(action, key),
            Some(Popup::Finder(_)) => self.finder_key(action, key),
            Some(Popup::Palette(_)) => self.palette_key(action, key),
        }
    }

    /// Runs an action in the browse mode (also from the palette).
    pub fn browse(&mut self, action: Action) -> Vec<Effect> {
        self.notice = None;
        match action {
            Action::Quit => return self.quit(),
            Action::EditInEditor => return self.edit_in_editor(),
            Action::Save => return self.save_selected(),
            Action::Revert => self.ask_revert(),
            Action::Back if self.focus == Focus::Tree && self.preview.open.is_some() => {
                return self.close_preview().into_iter().collect();
            }
            Action::Back => self.focus = Focus::Tree,
            Action::Preview | Action::PreviewReseed => return self.preview_action(action),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                self.author.follow = false;
                if self.focus == Focus::Tree {
                    self.author.cursor = 0; // another leaf: its first field
                }
                self.move_cursor(action)
            }
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
            Action::Diff | Action::Commit | Action::Branch | Action::Discard => {
                return self.git_action(action);
            }
            Action::NewLeaf
            | Action::EditField
            | Action::NextField
            | Action::PrevField
            | Action::AddExample
            | Action::DeleteExample
            | Action::MoveExampleUp
            | Action::MoveExampleDown => return self.author(action),
            Action::Review => return self.open_review(),
            Action::Train => return self.open_train(),
            Action::NewRun
            | Action::CancelRun
            | Action::MarkRun
            | Action::LogScale
            | Action::Compare => {
                let key = self.keymap.keys_for(Mode::Browse, Action::Train);
                let key = key.first().map_or("train", String::as_str);
                self.notify(format!("open the training screen ({key}) first"));
            }
            Action::Approve
            | Action::RequestChanges
            | Action::Reject
            | Action::ApproveWithComment
            | Action::RequestChangesWithComment
            | Action::RejectWithComment
            | Action::NextExample
            | Action::PrevExample
            | Action::NextLeaf
            | Action::PrevLeaf
            | Action::VerdictApproved
            | Action::VerdictChangesRequested
            | Action::VerdictRejected
            | Action::VerdictUncertain => {
                let key = self.keymap.keys_for(Mode::Browse, Action::Review);
                let key = key.first().map_or("review", String::as_str);
                self.notify(format!("open the review screen ({key}) first"));
            }
            Action::Confirm | Action::Toggle => {}
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
        self.author.cursor = 0;
    }

    /// The selected leaf's folder.
    pub(super) fn selected_folder(&self) -> Option<PathBuf> {
        self.tree
            .selected_leaf()
            .map(|index| self.taxonomy.leaves[index].folder.clone())
    }

    /// The report shown for a leaf: its edited text's if it is open, else the file's.
    pub fn report_of(&self, index: usize) -> &crate::taxonomy::validate::Report {
        let leaf = &self.taxonomy.leaves[index];
        self.open
            .get(&leaf.folder)
            .map_or(&leaf.report, |open| &open.report)
    }

    fn edit_in_editor(&mut self) -> Vec<Effect> {
        let Some(folder) = self.selected_folder() else {
            self.notify("select a leaf to edit");
            return Vec::new();
        };
        let text = match self.open.get(&folder) {
            Some(open) => open.buffer.text.clone(),
            None => match &self.taxonomy.leaves[self.tree.selected_leaf().unwrap_or(0)].text {
                Some(text) => text.clone(),
                None => {
                    self.notify_error(format!("{} cannot be read", folder.display()));
                    return Vec::new();
                }
            },
        };
        vec![Effect::RunEditor { folder, text }]
    }

    /// Replaces the edited text of the leaf in `folder` (opening it if needed),
    /// validates it again and keeps a recovery draft.
    pub fn edit_text(&mut self, folder: &Path, text: String) -> Vec<Effect> {
        let Some(index) = self.taxonomy.find(folder) else {
            self.notify_error(format!("{} is no longer in the taxonomy", folder.display()));
            return Vec::new();
        };
        match self.open.get_mut(folder) {
            Some(open) => open.set_text(text),
            None => {
                let leaf = &self.taxonomy.leaves[index];
                let saved = leaf.text.clone().unwrap_or_default();
                let open = OpenLeaf::new(&self.taxonomy.root, leaf, saved, text);
                self.open.insert(open);
            }
        }
        let Some(open) = self.open.get(folder) else {
            return Vec::new();
        };
        if open.buffer.is_dirty() {
            let draft = open.draft(&self.taxonomy.root);
            let message = format!(
                "{} edited (unsaved) · {} errors, {} warnings",
                folder.display(),
                open.report.error_count(),
                open.report.warning_count()
            );
            self.notify(message);
            vec![Effect::KeepDraft(draft)]
        } else {
            self.open.remove(folder);
            vec![Effect::ForgetDraft {
                folder: folder.to_owned(),
            }]
        }
    }

    fn save_selected(&mut self) -> Vec<Effect> {
        match self.selected_folder() {
            Some(folder) if self.open.is_dirty(&folder) => self.save(&folder, false),
            Some(_) => {
                self.notify("nothing to save");
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    fn save(&mut self, folder: &Path, overwrite: bool) -> Vec<Effect> {
        match self.open.get(folder) {
            Some(open) => vec![Effect::Save {
                buffer: open.buffer.clone(),
                overwrite,
            }],
            None => Vec::new(),
        }
    }

    fn saved(&mut self, folder: PathBuf, result: Result<(), SaveFailure>) -> Vec<Effect> {
        match result {
            Ok(()) => {
                self.open.remove(&folder);
                self.notify(format!("saved {}", folder.display()));
                let mut effects = vec![
                    Effect::ForgetDraft {
                        folder: folder.clone(),
                    },
                    Effect::ReadFile { folder },
                ];
                if self.quit_when_saved && self.open.dirty().is_empty() {
                    effects.push(Effect::Quit);
                }
                effects
            }
            Err(SaveFailure::ChangedOnDisk) => {
                self.quit_when_saved = false;
                self.popup = Some(Popup::Conflict { folder });
                Vec::new()
            }
            Err(SaveFailure::Failed(why)) => {
                self.quit_when_saved = false;
                self.notify_error(why);
                Vec::new()
            }
        }
    }

    /// Puts a leaf read from disk in place of the old one.
    pub(super) fn replace_leaf(&mut self, leaf: Leaf) {
        self.taxonomy.replace(vec![leaf]);
        self.tree.rebuild(&self.taxonomy, &self.marks);
    }

    pub(super) fn quit(&mut self) -> Vec<Effect> {
        let dirty = self.open.dirty();
        if dirty.is_empty() {
            return vec![Effect::Quit];
        }
        self.popup = Some(Popup::ConfirmQuit { dirty });
        Vec::new()
    }

    fn ask_revert(&mut self) {
        match self.selected_folder() {
            Some(folder) if self.open.is_dirty(&folder) => {
                self.popup = Some(Popup::ConfirmRevert { folder })
            }
            _ => self.notify("no unsaved edits here"),
        }
    }

    /// Drops a leaf's edits (after the user confirmed).
    fn discard(&mut self, folder: &Path) -> Effect {
        self.open.remove(folder);
        Effect::ForgetDraft {
            folder: folder.to_owned(),
        }
    }

    fn confirm_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(popup) = self.popup.take() else {
            return Vec::new();
        };
        let choice = match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => Some(c),
            _ => None,
        };
        if action == Some(Action::Back) {
            return Vec::new();
        }
        match (popup, choice) {
            (Popup::Conflict { folder }, Some('r')) => {
                let forget = self.discard(&folder);
                self.notify(format!("took the version on disk of {}", folder.display()));
                vec![forget, Effect::ReadFile { folder }]
            }
            (Popup::Conflict { folder }, Some('k')) => self.save(&folder, true),
            (Popup::ConfirmQuit { dirty }, Some('s')) => {
                self.quit_when_saved = true;
                dirty
                    .iter()
                    .flat_map(|folder| self.save(folder, false))
                    .collect()
            }
            (Popup::ConfirmQuit { dirty }, Some('d')) => {
                let mut effects: Vec<Effect> = dirty.iter().map(|f| self.discard(f)).collect();
                effects.push(Effect::Quit);
                effects
            }
            (Popup::ConfirmDeleteExample { folder, index, .. }, Some('y')) => {
                self.delete_example(&folder, index)
            }
            (Popup::ConfirmRevert { folder }, Some('y')) => {
                let forget = self.discard(&folder);
                self.notify(format!("discarded the edits of {}", folder.display()));
                vec![forget]
            }
            (Popup::Recover { drafts }, Some('r')) => {
                let mut effects = Vec::new();
                for draft in drafts {
                    if let Some(index) = self.taxonomy.find(&draft.folder) {
                        let leaf = &self.taxonomy.leaves[index];
                        let open =
                            OpenLeaf::new(&self.taxonomy.root, leaf, draft.saved, draft.text);
                        self.open.insert(open);
                    } else {
                        effects.push(Effect::KeepDraft(draft));
                    }
                }
                self.tree.rebuild(&self.taxonomy, &self.marks);
                self.notify(format!(
                    "restored unsaved edits of {} leaves",
                    self.open.dirty().len()
                ));
                effects
            }
            (Popup::Recover { drafts }, Some('d')) => {
                self.notify(format!("discarded {} drafts", drafts.len()));
                drafts
                    .into_iter()
                    .map(|draft| Effect::ForgetDraft {
                        folder: draft.folder,
                    })
                    .collect()
            }
            (popup, _) => {
                self.popup = Some(popup); // not one of the offered choices
                Vec::new()
            }
        }
    }

    pub(super) fn edit_input(input: &mut InputLine, key: &KeyEvent) -> bool {
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
