//! The application state and its update function: key presses and background
//! results come in as messages; what to do outside (search, reload, quit) goes out
//! as effects. No I/O here, so every screen is testable without a terminal.

use std::any::Any;
use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::buffer::LeafBuffer;
use crate::drafts::Draft;
use crate::find::Hit;
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::template::NewLeaf;

use super::action::Action;
use super::component::{Change, Component, Press, Reaction, Taken};
use super::field_editor::FieldEditor;
use super::git_jobs::{GitJob, GitReply, Refreshed};
use super::keymap::{Keymap, Mode};
use super::load::{GitState, Loaded};
use super::marks::LeafMarks;
use super::popups::finder::Finder;
use super::popups::help::Help;
use super::popups::palette::Palette;
use super::popups::question::{ConfirmQuit, ConfirmRevert, Conflict, Recover};
use super::preview::PreviewPane;
use super::preview_jobs::{PreviewJob, PreviewReply};
use super::review_jobs::{ReviewJob, ReviewReply};
use super::review_screen::ReviewScreen;
use super::shared::{Focus, Shared};
use super::train_jobs::{TrainJob, TrainReply};
use super::train_screen::TrainScreen;
use super::tree::Row;
use super::wizard::Wizard;

/// A popup over the panes.
#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    /// The new-leaf wizard.
    NewLeaf(Box<Wizard>),
    /// One field of a leaf in a text area.
    EditField(Box<FieldEditor>),
}

/// Why a save failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveFailure {
    /// The file changed on disk since it was loaded.
    ChangedOnDisk,
    /// Writing failed, with the reason.
    Failed(String),
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
#[derive(Debug)]
pub struct App {
    /// What every screen and popup shares.
    pub shared: Shared,
    /// The popup shown, if any.
    pub popup: Option<Popup>,
    /// The popups moved to components, over `popup`; the top one has the keyboard.
    pub popups: Vec<Box<dyn Component>>,
    /// The review screen, while open (it replaces the panes).
    pub review: Option<Box<ReviewScreen>>,
    /// The training screen, while open (it replaces the panes).
    pub train: Option<Box<TrainScreen>>,
    /// The generation preview pane.
    pub preview: PreviewPane,
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
            popup: None,
            popups: Vec::new(),
            review: None,
            train: None,
            preview: PreviewPane::default(),
        }
    }

    /// The mode whose keymap applies now.
    pub fn mode(&self) -> Mode {
        if let Some(top) = self.popups.last() {
            return top.mode(&self.shared);
        }
        match &self.popup {
            None if self.train.is_some() => self.train.as_ref().map_or(Mode::Train, |s| s.mode()),
            None => match &self.review {
                Some(screen) if screen.comment.is_some() => Mode::Picker,
                Some(_) => Mode::Review,
                None => Mode::Browse,
            },
            Some(Popup::NewLeaf(_)) => Mode::Picker,
            Some(Popup::EditField(_)) => Mode::Text,
        }
    }

    /// Applies one message; returns the work it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = match msg {
            Msg::Key(key) => self.on_key(key),
            msg => self.offer(msg),
        };
        effects.extend(self.preview_follow());
        effects
    }

    /// Applies a message no popup took (keys go to the one on top).
    fn apply_unclaimed(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Resize(height) => {
                self.shared.height = height;
                Vec::new()
            }
            Msg::EditorDone { folder, result } => match result {
                Ok(text) => self.shared.edit_text(&folder, text),
                Err(why) => {
                    self.shared.notify_error(why);
                    Vec::new()
                }
            },
            Msg::Saved { folder, result } => self.saved(folder, result),
            // The finder was closed before its hits came.
            Msg::Hits { .. } => Vec::new(),
            Msg::Git(reply) => self.git_reply(reply),
            Msg::LeafRead { leaf, git } => self.shared.refreshed(Refreshed::Leaf(leaf, git)),
            Msg::LeavesChecked { leaves, done } => {
                let count = leaves.len();
                self.shared.taxonomy.replace(leaves);
                self.shared
                    .tree
                    .rebuild(&self.shared.taxonomy, &self.shared.marks);
                if done {
                    self.shared.checking = None;
                    return vec![Effect::Reindex(Box::new(self.shared.taxonomy.clone()))];
                }
                let (checked, total) = self
                    .shared
                    .checking
                    .unwrap_or((0, self.shared.taxonomy.leaves.len()));
                self.shared.checking = Some((checked + count, total));
                Vec::new()
            }
            Msg::GitState(git) => self.shared.refreshed(Refreshed::Git(git)),
            Msg::Review(reply) => self.review_reply(reply),
            Msg::Train(reply) => self.train_reply(reply),
            Msg::Preview(reply) => self.preview_reply(reply),
            Msg::LeafCreated(result) => self.leaf_created(result),
            Msg::DraftsFound(drafts) => {
                if !drafts.is_empty() {
                    self.popups.push(Box::new(Recover { drafts }));
                }
                Vec::new()
            }
            Msg::Loaded(loaded) => self.shared.refreshed(Refreshed::All(loaded)),
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let action = self.shared.keymap.action(self.mode(), &key);
        self.press(Press { action, key })
    }

    /// Gives a key press (or an action) to the layer that has the keyboard.
    fn press(&mut self, press: Press) -> Vec<Effect> {
        let (action, key) = (press.action, press.key);
        if let Some(top) = self.popups.last_mut() {
            let reaction = top.handle(&mut self.shared, press);
            let layer = self.popups.len() - 1;
            return self.react(layer, reaction);
        }
        match &mut self.popup {
            None if self.train.is_some() => self.train_key(action, key),
            None if self.review.is_some() => self.review_key(action, key),
            None => action.map_or_else(Vec::new, |a| self.browse(a)),
            Some(Popup::NewLeaf(_)) => self.wizard_key(action, key),
            Some(Popup::EditField(_)) => self.field_editor_key(action, key),
        }
    }

    /// Offers a message to the popups, top first, then applies it if none took it.
    fn offer(&mut self, mut msg: Msg) -> Vec<Effect> {
        for layer in (0..self.popups.len()).rev() {
            match self.popups[layer].take(&mut self.shared, msg) {
                Taken::Yes(reaction) => return self.react(layer, reaction),
                Taken::No(given_back) => msg = given_back,
            }
        }
        self.apply_unclaimed(msg)
    }

    /// Applies what the popup at `layer` of the stack asked for.
    fn react(&mut self, layer: usize, reaction: Reaction) -> Vec<Effect> {
        let mut effects = reaction.effects;
        for change in reaction.changes {
            match change {
                Change::Close => {
                    if layer < self.popups.len() {
                        self.popups.remove(layer);
                    }
                }
                Change::Push(popup) => self.popups.push(popup),
                Change::Below(action) => effects.extend(self.press(Press::action(action))),
            }
        }
        effects
    }

    /// The top popup, if it is a `T`.
    pub fn top<T: Component>(&self) -> Option<&T> {
        let top: &dyn Any = self.popups.last()?.as_ref();
        top.downcast_ref()
    }

    /// Whether a popup is shown.
    pub fn has_popup(&self) -> bool {
        self.popup.is_some() || !self.popups.is_empty()
    }

    /// Runs an action in the browse mode (also from the palette).
    pub fn browse(&mut self, action: Action) -> Vec<Effect> {
        self.shared.notice = None;
        match action {
            Action::Quit => return self.quit(),
            Action::EditInEditor => return self.edit_in_editor(),
            Action::Save => return self.shared.save_selected(),
            Action::Revert => self.ask_revert(),
            Action::Back if self.shared.focus == Focus::Tree && self.preview.open.is_some() => {
                return self.close_preview().into_iter().collect();
            }
            Action::Back => self.shared.focus = Focus::Tree,
            Action::Preview | Action::PreviewReseed => return self.preview_action(action),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                self.shared.author.follow = false;
                if self.shared.focus == Focus::Tree {
                    self.shared.author.cursor = 0; // another leaf: its first field
                }
                self.move_cursor(action)
            }
            Action::Expand => self.expand(),
            Action::Collapse => self.collapse(),
            Action::ExpandAll => self
                .shared
                .tree
                .set_all_expanded(&self.shared.taxonomy, true),
            Action::CollapseAll => self
                .shared
                .tree
                .set_all_expanded(&self.shared.taxonomy, false),
            Action::FocusNext => {
                self.shared.focus = match self.shared.focus {
                    Focus::Tree if self.shared.tree.selected_leaf().is_some() => Focus::Detail,
                    _ => Focus::Tree,
                }
            }
            Action::Find => self.popups.push(Box::new(Finder::default())),
            Action::Palette => self.popups.push(Box::new(Palette::default())),
            Action::Help => self.popups.push(Box::new(Help::default())),
            Action::Reload => {
                self.shared.notify("reloading…");
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
                let key = self.shared.keymap.keys_for(Mode::Browse, Action::Train);
                let key = key.first().map_or("train", String::as_str);
                self.shared
                    .notify(format!("open the training screen ({key}) first"));
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
                let key = self.shared.keymap.keys_for(Mode::Browse, Action::Review);
                let key = key.first().map_or("review", String::as_str);
                self.shared
                    .notify(format!("open the review screen ({key}) first"));
            }
            Action::Confirm
            | Action::Toggle
            | Action::Yes
            | Action::TakeDisk
            | Action::KeepMine
            | Action::SaveAll
            | Action::DiscardAll => {}
        }
        Vec::new()
    }

    fn move_cursor(&mut self, action: Action) {
        let delta = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -self.shared.page(),
            Action::PageDown => self.shared.page(),
            Action::Top => isize::MIN / 2,
            _ => isize::MAX / 2,
        };
        match self.shared.focus {
            Focus::Tree => {
                self.shared.tree.move_by(delta);
                self.shared.detail_scroll = 0;
            }
            Focus::Detail => {
                let scrolled = i64::from(self.shared.detail_scroll) + delta as i64;
                self.shared.detail_scroll = scrolled.clamp(0, i64::from(u16::MAX)) as u16;
            }
        }
    }

    fn expand(&mut self) {
        match self.shared.tree.current().cloned() {
            Some(Row::Folder { path, expanded, .. }) => {
                self.shared
                    .tree
                    .set_expanded(&self.shared.taxonomy, &path, !expanded)
            }
            Some(Row::Leaf { .. }) => self.shared.focus = Focus::Detail,
            None => {}
        }
    }

    fn collapse(&mut self) {
        if self.shared.focus == Focus::Detail {
            self.shared.focus = Focus::Tree;
            return;
        }
        match self.shared.tree.current().cloned() {
            Some(Row::Folder {
                path,
                expanded: true,
                ..
            }) => self
                .shared
                .tree
                .set_expanded(&self.shared.taxonomy, &path, false),
            Some(_) => self.shared.tree.select_parent(),
            None => {}
        }
    }

    fn next_problem(&mut self) {
        let start = self.shared.tree.selected_leaf().map_or(0, |i| i + 1);
        let leaves = &self.shared.taxonomy.leaves;
        let found = (0..leaves.len())
            .map(|offset| (start + offset) % leaves.len())
            .find(|&i| !leaves[i].report.diagnostics.is_empty());
        match found {
            Some(index) => self.shared.tree.select_leaf(&self.shared.taxonomy, index),
            None => self.shared.notify("no leaf has errors or warnings"),
        }
    }

    fn edit_in_editor(&mut self) -> Vec<Effect> {
        let Some(folder) = self.shared.selected_folder() else {
            self.shared.notify("select a leaf to edit");
            return Vec::new();
        };
        let text = match self.shared.open.get(&folder) {
            Some(open) => open.buffer.text.clone(),
            None => match &self.shared.taxonomy.leaves
                [self.shared.tree.selected_leaf().unwrap_or(0)]
            .text
            {
                Some(text) => text.clone(),
                None => {
                    self.shared
                        .notify_error(format!("{} cannot be read", folder.display()));
                    return Vec::new();
                }
            },
        };
        vec![Effect::RunEditor { folder, text }]
    }

    fn saved(&mut self, folder: PathBuf, result: Result<(), SaveFailure>) -> Vec<Effect> {
        match result {
            Ok(()) => {
                self.shared.open.remove(&folder);
                self.shared.notify(format!("saved {}", folder.display()));
                let mut effects = vec![
                    Effect::ForgetDraft {
                        folder: folder.clone(),
                    },
                    Effect::ReadFile { folder },
                ];
                if self.shared.quit_when_saved && self.shared.open.dirty().is_empty() {
                    effects.push(Effect::Quit);
                }
                effects
            }
            Err(SaveFailure::ChangedOnDisk) => {
                self.shared.quit_when_saved = false;
                self.popups.push(Box::new(Conflict { folder }));
                Vec::new()
            }
            Err(SaveFailure::Failed(why)) => {
                self.shared.quit_when_saved = false;
                self.shared.notify_error(why);
                Vec::new()
            }
        }
    }

    pub(super) fn quit(&mut self) -> Vec<Effect> {
        let dirty = self.shared.open.dirty();
        if dirty.is_empty() {
            return vec![Effect::Quit];
        }
        self.popups.push(Box::new(ConfirmQuit { dirty }));
        Vec::new()
    }

    fn ask_revert(&mut self) {
        match self.shared.selected_folder() {
            Some(folder) if self.shared.open.is_dirty(&folder) => {
                self.popups.push(Box::new(ConfirmRevert { folder }))
            }
            _ => self.shared.notify("no unsaved edits here"),
        }
    }
}
