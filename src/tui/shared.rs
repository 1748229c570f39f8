//! What every screen and popup shares: the taxonomy and its git state, the
//! selection (tree, focus, field cursor), the leaves open for editing, the keymap,
//! the status-bar notice and the settings. Screens and popups get it as `ctx`;
//! only what they share lives here.

use std::path::{Path, PathBuf};

use crate::buffer::DiskState;
use crate::drafts::Draft;
use crate::taxonomy::edit::{self, Field};
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::validate::Report;
use crate::taxonomy::yaml::{self, LoadError};

use super::action::Action;
use super::component::Reaction;
use super::editing::{OpenLeaf, OpenLeaves, Validated};
use super::eval_jobs::EvalReply;
use super::git_jobs::{GitReply, Refreshed};
use super::keymap::{Keymap, Mode};
use super::load::Loaded;
use super::marks::{LeafMarks, ReviewMarks};
use super::msg::{Effect, Msg, SaveFailure};
use super::popups::conflict::Conflict;
use super::popups::question::{ConfirmQuit, ConfirmSaveBroken, Recover};
use super::review_jobs::{ReviewJob, ReviewReply};
use super::screens::train::TrainSetup;
use super::tree::Tree;

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The tree.
    Tree,
    /// The selected leaf's details.
    Detail,
}

/// The field cursor of the detail pane, and the defaults for new leaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authoring {
    /// The field under the cursor in the detail pane (index in the leaf's fields).
    pub cursor: usize,
    /// Whether the detail pane scrolls to show the cursor (after it moved).
    pub follow: bool,
    /// The `created_by` offered for new leaves (from git config).
    pub created_by: Option<String>,
}

/// A message for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// Whether it reports a problem.
    pub is_error: bool,
}

/// The shared state.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The taxonomy shown.
    pub taxonomy: Taxonomy,
    /// Git marks per leaf.
    pub marks: LeafMarks,
    /// The checked-out branch, if any.
    pub branch: Option<String>,
    /// Why there is no git information, if there is none.
    pub git_problem: Option<String>,
    /// The tree pane: folders, rows and the selected row.
    pub tree: Tree,
    /// Which pane has the keyboard.
    pub focus: Focus,
    /// How far the detail pane is scrolled.
    pub detail_scroll: u16,
    /// The field cursor and the defaults for new leaves.
    pub author: Authoring,
    /// The key bindings.
    pub keymap: Keymap,
    /// The last notice for the status bar.
    pub notice: Option<Notice>,
    /// Terminal height, for page moves.
    pub height: u16,
    /// Terminal width, for screens that lay out their panes when paging.
    pub width: u16,
    /// Leaves open for editing.
    pub open: OpenLeaves,
    /// Leaves validated so far and in all, while the first validation runs.
    pub checking: Option<(usize, usize)>,
    /// The review state of the leaves changed against the base, for the tree.
    pub review_marks: ReviewMarks,
    /// Where runs are and how they start; without it there is no training screen.
    pub train_setup: Option<TrainSetup>,
    /// Quit once every unsaved leaf is saved.
    pub quit_when_saved: bool,
    /// Whether the key help was opened (until it is, the status bar offers it).
    pub help_seen: bool,
    /// The last request generation handed out (finder searches).
    pub next_generation: u64,
}

impl Shared {
    /// The shared state of a loaded taxonomy.
    pub fn new(
        taxonomy: Taxonomy,
        marks: LeafMarks,
        branch: Option<String>,
        keymap: Keymap,
    ) -> Self {
        let tree = Tree::new(&taxonomy, &marks, &OpenLeaves::default());
        Self {
            taxonomy,
            marks,
            branch,
            git_problem: None,
            tree,
            focus: Focus::Tree,
            detail_scroll: 0,
            author: Authoring::default(),
            keymap,
            notice: None,
            height: 24,
            width: 80,
            open: OpenLeaves::default(),
            checking: None,
            review_marks: ReviewMarks::default(),
            train_setup: None,
            quit_when_saved: false,
            help_seen: false,
            next_generation: 0,
        }
    }

    /// The taxonomy root.
    pub fn root(&self) -> &Path {
        &self.taxonomy.root
    }

    /// Takes what was read again from disk and git; asks for what follows from it
    /// (the review marks, the finder's index).
    pub fn refreshed(&mut self, refreshed: Refreshed) -> Vec<Effect> {
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
                self.rebuild_tree();
                if let Some(index) = selected.and_then(|f| self.taxonomy.find(&f)) {
                    self.tree.select_leaf(&self.taxonomy, index);
                }
                self.branch = git.branch;
                self.set_marks(git.marks);
                self.rebuild_tree();
                return vec![
                    Effect::Review(ReviewJob::Status),
                    Effect::Reindex(Box::new(self.taxonomy.clone())),
                ];
            }
        };
        self.branch = git.branch;
        self.set_marks(git.marks);
        self.rebuild_tree();
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

    /// Says `text` in the status bar.
    pub fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: false,
        });
    }

    /// Says `text` in the status bar, as a problem.
    pub fn notify_error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: true,
        });
    }

    /// Rows in a page move of the panes.
    pub fn page(&self) -> isize {
        self.height.saturating_sub(4).max(1) as isize
    }

    /// Jumps to a leaf (from the finder).
    pub fn open_leaf(&mut self, index: usize) {
        self.tree.select_leaf(&self.taxonomy, index);
        self.focus = Focus::Tree;
        self.detail_scroll = 0;
        self.author.cursor = 0;
    }

    /// The selected leaf's folder.
    pub fn selected_folder(&self) -> Option<PathBuf> {
        self.tree
            .selected_leaf()
            .map(|index| self.taxonomy.leaves[index].folder.clone())
    }

    /// The report shown for a leaf: its edited text's if it is open, else the file's.
    pub fn report_of(&self, index: usize) -> &Report {
        self.open.report_of(&self.taxonomy.leaves[index])
    }

    /// Whether the edited text of the leaf in `folder` is being validated.
    pub fn is_validating(&self, folder: &Path) -> bool {
        self.open.get(folder).is_some_and(OpenLeaf::is_validating)
    }

    /// Replaces the edited text of the leaf in `folder` (opening it if needed),
    /// asks for its validation (off the event loop) and keeps a recovery draft.
    pub fn edit_text(&mut self, folder: &Path, text: String) -> Vec<Effect> {
        self.edit(folder, text, false)
    }

    /// As [`Shared::edit_text`], for a structural edit of a text already read (a
    /// field set, an example added, moved or deleted): validated at once, so the
    /// field cursor can follow the leaf's new fields.
    pub fn edit_fields(&mut self, folder: &Path, text: String) -> Vec<Effect> {
        self.edit(folder, text, true)
    }

    fn edit(&mut self, folder: &Path, text: String, at_once: bool) -> Vec<Effect> {
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
        let Some(open) = self.open.get_mut(folder) else {
            return Vec::new();
        };
        let effects = if open.buffer.is_dirty() {
            let draft = open.draft(&self.taxonomy.root);
            let mut effects = vec![Effect::KeepDraft(draft)];
            if at_once {
                open.take(open.validation().run());
            } else {
                effects.push(Effect::Validate(open.validation()));
            }
            let notice = edited_notice(open);
            self.notify(notice);
            effects
        } else {
            self.open.remove(folder);
            vec![Effect::ForgetDraft {
                folder: folder.to_owned(),
            }]
        };
        self.rebuild_tree();
        effects
    }

    /// Recomputes the tree's rows and folder counts, edited leaves counted as
    /// their edited text validates.
    fn rebuild_tree(&mut self) {
        self.tree.rebuild(&self.taxonomy, &self.marks, &self.open);
    }

    /// What to do when the process is told to end (SIGTERM, SIGHUP): keep every
    /// unsaved edit as a recovery draft (as each edit already did) and quit without
    /// asking.
    pub fn terminate(&self) -> Vec<Effect> {
        let root = &self.taxonomy.root;
        self.open
            .dirty()
            .iter()
            .filter_map(|folder| self.open.get(folder))
            .map(|open| Effect::KeepDraft(open.draft(root)))
            .chain([Effect::Quit])
            .collect()
    }

    /// Takes a validation of an edited text, unless a newer edit made it moot; the
    /// notice of the edit then says what it found.
    fn validated(&mut self, validated: Validated) {
        let Some(open) = self.open.get_mut(&validated.folder) else {
            return;
        };
        let pending = edited_notice(open);
        if !open.take(validated) {
            return;
        }
        if self
            .notice
            .as_ref()
            .is_some_and(|notice| notice.text == pending)
        {
            let done = edited_notice(open);
            self.notify(done);
        }
        self.rebuild_tree();
    }

    /// Saves the selected leaf's edits, if it has any; asks first when the edited
    /// text does not parse.
    pub fn save_selected(&mut self) -> Reaction {
        let Some(folder) = self.selected_folder() else {
            return Reaction::none();
        };
        if !self.open.is_dirty(&folder) {
            self.notify("nothing to save");
            return Reaction::none();
        }
        match self.parse_error(&folder) {
            None => self.save(&folder, DiskState::Unchanged).into(),
            Some(error) => Reaction::push(ConfirmSaveBroken { folder, error }),
        }
    }

    /// Why the edited text of the leaf in `folder` does not parse, if it does not.
    pub fn parse_error(&self, folder: &Path) -> Option<LoadError> {
        let open = self.open.get(folder)?;
        yaml::load(&open.buffer.text).err()
    }

    /// Saves a leaf's edits over the file as it is `over` on disk (see
    /// [`Effect::Save`]).
    pub fn save(&mut self, folder: &Path, over: DiskState) -> Vec<Effect> {
        match self.open.get(folder) {
            Some(open) => vec![Effect::Save {
                buffer: open.buffer.clone(),
                over,
            }],
            None => Vec::new(),
        }
    }

    /// Puts a leaf read from disk in place of the old one.
    pub fn replace_leaf(&mut self, leaf: Leaf) {
        self.taxonomy.replace(vec![leaf]);
        self.rebuild_tree();
    }

    /// Drops a leaf's edits (after the user confirmed).
    pub fn discard(&mut self, folder: &Path) -> Effect {
        self.open.remove(folder);
        self.rebuild_tree();
        Effect::ForgetDraft {
            folder: folder.to_owned(),
        }
    }

    /// The editable fields of the selected leaf, in the detail pane's order.
    pub fn fields(&self) -> Vec<Field> {
        self.tree
            .selected_leaf()
            .and_then(|index| self.report_of(index).qna.as_ref())
            .map_or_else(Vec::new, edit::fields_of)
    }

    /// The field under the cursor in the detail pane.
    pub fn cursor_field(&self) -> Option<Field> {
        let fields = self.fields();
        fields
            .get(self.author.cursor.min(fields.len().saturating_sub(1)))
            .copied()
    }

    /// The current text of the leaf in `folder`: its edited text if it is open, else
    /// as read (if it could be).
    pub fn text_of(&self, folder: &Path) -> Option<String> {
        match self.open.get(folder) {
            Some(open) => Some(open.buffer.text.clone()),
            None => self
                .taxonomy
                .find(folder)
                .and_then(|i| self.taxonomy.leaves[i].text.clone()),
        }
    }

    /// The selected leaf's folder and its current text (edited, or as read).
    pub fn selected_text(&mut self) -> Option<(PathBuf, String)> {
        let Some(index) = self.tree.selected_leaf() else {
            self.notify("select a leaf first");
            return None;
        };
        let folder = self.taxonomy.leaves[index].folder.clone();
        match self.text_of(&folder) {
            Some(text) => Some((folder, text)),
            None => {
                self.notify_error(format!("{} cannot be read", folder.display()));
                None
            }
        }
    }

    /// The first key bound to `action` in the browse mode, for messages.
    pub fn key_of(&self, action: Action) -> String {
        self.keymap
            .keys_for(Mode::Browse, action)
            .into_iter()
            .next()
            .unwrap_or_else(|| format!(":{}", action.name()))
    }

    /// The leaves with unsaved edits, for messages.
    pub fn unsaved_list(&self) -> String {
        let dirty: Vec<String> = self
            .open
            .dirty()
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        dirty.join(", ")
    }

    /// Opens the leaves of recovery drafts with their edits (unsaved); a draft of a
    /// leaf no longer in the taxonomy is kept.
    pub fn restore(&mut self, drafts: Vec<Draft>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for draft in drafts {
            match self.taxonomy.find(&draft.folder) {
                Some(index) => {
                    let leaf = &self.taxonomy.leaves[index];
                    let open = OpenLeaf::new(&self.taxonomy.root, leaf, draft.saved, draft.text);
                    effects.push(Effect::Validate(open.validation()));
                    self.open.insert(open);
                }
                None => effects.push(Effect::KeepDraft(draft)),
            }
        }
        self.rebuild_tree();
        self.notify(format!(
            "restored unsaved edits of {} leaves",
            self.open.dirty().len()
        ));
        effects
    }

    /// Says how work went: what it did, or why it failed.
    pub fn said(&mut self, result: Result<String, String>) {
        match result {
            Ok(text) => self.notify(text),
            Err(why) => self.notify_error(why),
        }
    }

    /// Says how git work that changed the repository went, and takes what it read
    /// again afterwards.
    pub fn git_done(
        &mut self,
        result: Result<String, String>,
        refreshed: Refreshed,
    ) -> Vec<Effect> {
        self.said(result);
        self.refreshed(refreshed)
    }

    /// Quits, or asks first when leaves have unsaved edits.
    pub fn quit(&mut self) -> Reaction {
        let dirty = self.open.dirty();
        if dirty.is_empty() {
            return Effect::Quit.into();
        }
        Reaction::push(ConfirmQuit { dirty })
    }

    /// Follows what every message says about shared state, whoever takes it: the
    /// review queue gives the tree its review marks.
    pub fn observe(&mut self, msg: &Msg) {
        let queue = match msg {
            Msg::Review(ReviewReply::Status(status) | ReviewReply::Recorded { status, .. }) => {
                status
            }
            _ => return,
        };
        self.review_marks = match queue {
            Ok(status) => ReviewMarks::from_leaves(&status.leaves),
            Err(_) => ReviewMarks::default(),
        };
    }

    /// Applies a message no screen or popup took.
    pub fn apply(&mut self, msg: Msg) -> Reaction {
        match msg {
            // Keys go to the layer that has the keyboard; these answer a popup or a
            // screen that was closed meanwhile.
            Msg::Key(_)
            | Msg::Terminate
            | Msg::Hits { .. }
            | Msg::Preview(_)
            | Msg::LeafCreated(_) => Reaction::none(),
            Msg::Train(_) | Msg::Review(ReviewReply::Status(_)) => Reaction::none(),
            // An evaluation that ends after the training screen closed.
            Msg::Eval(EvalReply::Finished { run, result }) => {
                match result {
                    Ok(_) => self.notify(format!("the evaluation of run {run} is done")),
                    Err(why) => self.notify_error(format!("evaluating run {run}: {why}")),
                }
                Reaction::none()
            }
            Msg::Eval(_) => Reaction::none(),
            Msg::Resize(width, height) => {
                self.width = width;
                self.height = height;
                Reaction::none()
            }
            Msg::EditorDone { folder, result } => match result {
                Ok(text) => self.edit_text(&folder, text).into(),
                Err(why) => {
                    self.notify_error(why);
                    Reaction::none()
                }
            },
            Msg::Validated(validated) => {
                self.validated(*validated);
                Reaction::none()
            }
            Msg::Saved { folder, result } => self.saved(folder, result),
            Msg::Git(reply) => self.git_reply(reply).into(),
            Msg::LeafRead { leaf, git } => self.refreshed(Refreshed::Leaf(leaf, git)).into(),
            Msg::LeavesChecked { leaves, done } => self.checked(leaves, done).into(),
            Msg::GitState(git) => self.refreshed(Refreshed::Git(git)).into(),
            Msg::Loaded(loaded) => self.refreshed(Refreshed::All(loaded)).into(),
            Msg::Review(ReviewReply::Recorded { result, .. }) => {
                self.said(result);
                Reaction::none()
            }
            Msg::DraftsFound(drafts) if drafts.is_empty() => Reaction::none(),
            Msg::DraftsFound(drafts) => Reaction::push(Recover { drafts }),
        }
    }

    /// Takes a batch of leaves read and validated after start.
    fn checked(&mut self, leaves: Vec<Leaf>, done: bool) -> Vec<Effect> {
        let count = leaves.len();
        self.taxonomy.replace(leaves);
        self.rebuild_tree();
        if done {
            self.checking = None;
            return vec![Effect::Reindex(Box::new(self.taxonomy.clone()))];
        }
        let (checked, total) = self.checking.unwrap_or((0, self.taxonomy.leaves.len()));
        self.checking = Some((checked + count, total));
        Vec::new()
    }

    /// Takes how a save went: a file changed on disk asks what to do.
    fn saved(&mut self, folder: PathBuf, result: Result<(), SaveFailure>) -> Reaction {
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
                effects.into()
            }
            // Put back as loaded meanwhile: nothing of theirs to lose.
            Err(SaveFailure::ChangedOnDisk(DiskState::Unchanged)) => {
                self.save(&folder, DiskState::Unchanged).into()
            }
            Err(SaveFailure::ChangedOnDisk(found)) => {
                self.quit_when_saved = false;
                match self.open.get(&folder) {
                    Some(open) => Reaction::push(Conflict::new(&open.buffer, found)),
                    None => Reaction::none(),
                }
            }
            Err(SaveFailure::Failed(why)) => {
                self.quit_when_saved = false;
                self.notify_error(why);
                Reaction::none()
            }
        }
    }

    /// Applies the outcome of git work that no popup took.
    fn git_reply(&mut self, reply: GitReply) -> Vec<Effect> {
        match reply {
            // The popup that asked was closed meanwhile.
            GitReply::Diff { .. }
            | GitReply::CommitLeaves(_)
            | GitReply::Branches(_)
            | GitReply::DiscardPreview { .. } => Vec::new(),
            GitReply::Committed { result, refreshed }
            | GitReply::Switched { result, refreshed } => self.git_done(result, refreshed),
            GitReply::Discarded { result, refreshed } => {
                let mut effects = self.git_done(result, refreshed);
                effects.push(Effect::Reindex(Box::new(self.taxonomy.clone())));
                effects
            }
        }
    }
}

/// What the status bar says of an edited leaf: unsaved, and what its validation
/// found (or that it is running).
fn edited_notice(open: &OpenLeaf) -> String {
    let folder = open.buffer.folder.display();
    if open.is_validating() {
        format!("{folder} edited (unsaved) · validating…")
    } else {
        format!(
            "{folder} edited (unsaved) · {} errors, {} warnings",
            open.report.error_count(),
            open.report.warning_count()
        )
    }
}
