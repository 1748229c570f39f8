//! The git part of the update function: the diff view, the commit dialog, the branch
//! picker and the discard question. Git work goes out as [`Effect::Git`] and comes
//! back as [`Msg::Git`]; nothing here touches git itself.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::{App, Effect, Popup};
use super::git_jobs::{GitJob, GitReply};
use super::git_popups::{BranchChoice, BranchPicker, CommitDialog, CommitFocus, DiffView};
use super::keymap::Mode;

impl App {
    /// Runs a git action from the browse mode.
    pub(super) fn git_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Diff => self.open_diff(),
            Action::Commit => self.open_commit(),
            Action::Branch => {
                self.popup = Some(Popup::Branches(BranchPicker::default()));
                vec![Effect::Git(GitJob::ListBranches)]
            }
            Action::Discard => self.ask_discard(),
            _ => Vec::new(),
        }
    }

    fn open_diff(&mut self) -> Vec<Effect> {
        let Some(folder) = self.selected_folder() else {
            self.notify("select a leaf to see its diff");
            return Vec::new();
        };
        self.popup = Some(Popup::Diff(DiffView {
            unsaved: self.open.is_dirty(&folder),
            folder: folder.clone(),
            diff: None,
            scroll: 0,
        }));
        vec![Effect::Git(GitJob::Diff { folder })]
    }

    /// The first key bound to `action` in the browse mode, for messages.
    fn key_of(&self, action: Action) -> String {
        self.keymap
            .keys_for(Mode::Browse, action)
            .into_iter()
            .next()
            .unwrap_or_else(|| format!(":{}", action.name()))
    }

    fn unsaved_list(&self) -> String {
        let dirty: Vec<String> = self
            .open
            .dirty()
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        dirty.join(", ")
    }

    fn open_commit(&mut self) -> Vec<Effect> {
        if !self.open.dirty().is_empty() {
            let message = format!(
                "save ({}) or revert ({}) the unsaved edits first, commits take what is on disk: {}",
                self.key_of(Action::Save),
                self.key_of(Action::Revert),
                self.unsaved_list()
            );
            self.notify_error(message);
            return Vec::new();
        }
        self.popup = Some(Popup::Commit(CommitDialog::default()));
        vec![Effect::Git(GitJob::ListCommitLeaves)]
    }

    fn ask_discard(&mut self) -> Vec<Effect> {
        let Some(folder) = self.selected_folder() else {
            self.notify("select a leaf to discard its changes");
            return Vec::new();
        };
        if self.open.is_dirty(&folder) {
            let message = format!(
                "{} has unsaved edits: revert them ({}) first; discard drops what is saved on disk",
                folder.display(),
                self.key_of(Action::Revert)
            );
            self.notify_error(message);
            return Vec::new();
        }
        vec![Effect::Git(GitJob::DiscardPreview { folder })]
    }

    /// Applies the outcome of git work.
    pub(super) fn git_reply(&mut self, reply: GitReply) -> Vec<Effect> {
        match reply {
            GitReply::Diff { folder, result } => {
                if let Some(Popup::Diff(view)) = &mut self.popup
                    && view.folder == folder
                {
                    match result {
                        Ok(diff) => view.diff = Some(diff),
                        Err(why) => {
                            self.popup = None;
                            self.notify_error(why);
                        }
                    }
                }
                Vec::new()
            }
            GitReply::CommitLeaves(result) => {
                if let Some(Popup::Commit(dialog)) = &mut self.popup
                    && dialog.leaves.is_none()
                {
                    match result {
                        Ok(leaves) if leaves.is_empty() => {
                            self.popup = None;
                            self.notify("nothing to commit: no leaf differs from HEAD");
                        }
                        Ok(leaves) => {
                            dialog.leaves = Some(leaves.into_iter().map(|f| (f, true)).collect())
                        }
                        Err(why) => {
                            self.popup = None;
                            self.notify_error(why);
                        }
                    }
                }
                Vec::new()
            }
            GitReply::Committed { result, refreshed } => {
                match result {
                    Ok(text) => {
                        if matches!(self.popup, Some(Popup::Commit(_))) {
                            self.popup = None;
                        }
                        self.notify(text);
                    }
                    Err(why) => {
                        if let Some(Popup::Commit(dialog)) = &mut self.popup {
                            dialog.busy = false;
                        }
                        self.notify_error(why);
                    }
                }
                self.refreshed(refreshed)
            }
            GitReply::Branches(result) => {
                if let Some(Popup::Branches(picker)) = &mut self.popup {
                    match result {
                        Ok(branches) => picker.branches = Some(branches),
                        Err(why) => {
                            self.popup = None;
                            self.notify_error(why);
                        }
                    }
                }
                Vec::new()
            }
            GitReply::Switched { result, refreshed } => {
                match result {
                    Ok(text) => self.notify(text),
                    Err(why) => self.notify_error(why),
                }
                self.refreshed(refreshed)
            }
            GitReply::Discarded { result, refreshed } => {
                match result {
                    Ok(text) => self.notify(text),
                    Err(why) => self.notify_error(why),
                }
                let mut effects = self.refreshed(refreshed);
                effects.push(Effect::Reindex(Box::new(self.taxonomy.clone())));
                effects
            }
            GitReply::DiscardPreview { folder, result } => {
                match result {
                    Ok(diff) if diff.lines.is_empty() => self.notify(format!(
                        "nothing to discard: {} is as HEAD has it",
                        folder.display()
                    )),
                    Ok(diff) if self.popup.is_none() => {
                        self.popup = Some(Popup::ConfirmDiscard { folder, diff })
                    }
                    Ok(_) => {}
                    Err(why) => self.notify_error(why),
                }
                Vec::new()
            }
        }
    }

    /// Keys in the diff view, the commit dialog and the branch picker.
    pub(super) fn git_popup_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let page = self.height.saturating_sub(6).max(1);
        match &mut self.popup {
            Some(Popup::Diff(view)) => {
                match action {
                    Some(Action::Back) => {
                        self.popup = None;
                        return Vec::new();
                    }
                    Some(Action::Up) => view.scroll = view.scroll.saturating_sub(1),
                    Some(Action::Down) => view.scroll = view.scroll.saturating_add(1),
                    Some(Action::PageUp) => view.scroll = view.scroll.saturating_sub(page),
                    Some(Action::PageDown) => view.scroll = view.scroll.saturating_add(page),
                    _ => {}
                }
                // Keep the last line on screen.
                let last = view
                    .diff
                    .as_ref()
                    .map_or(0, |d| d.lines.len().saturating_sub(1));
                view.scroll = view.scroll.min(u16::try_from(last).unwrap_or(u16::MAX));
                Vec::new()
            }
            Some(Popup::Commit(_)) => self.commit_key(action, key),
            Some(Popup::Branches(_)) => self.branch_key(action, key),
            _ => Vec::new(),
        }
    }

    fn commit_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(Popup::Commit(dialog)) = &mut self.popup else {
            return Vec::new();
        };
        match action {
            Some(Action::Back) => self.popup = None,
            Some(Action::Up) => dialog.move_by(-1),
            Some(Action::Down) => dialog.move_by(1),
            Some(Action::FocusNext) => {
                dialog.focus = match dialog.focus {
                    CommitFocus::Message => CommitFocus::Leaves,
                    CommitFocus::Leaves => CommitFocus::Message,
                }
            }
            Some(Action::Toggle) if dialog.focus == CommitFocus::Leaves => dialog.toggle(),
            Some(Action::Confirm) => return self.commit_now(),
            _ => {
                App::edit_input(&mut dialog.message, &key);
            }
        }
        Vec::new()
    }

    fn commit_now(&mut self) -> Vec<Effect> {
        let Some(Popup::Commit(dialog)) = &mut self.popup else {
            return Vec::new();
        };
        if dialog.busy || dialog.leaves.is_none() {
            return Vec::new();
        }
        let message = dialog.message.text().trim().to_owned();
        let folders = dialog.chosen();
        if message.is_empty() {
            self.notify_error("write a commit message first");
        } else if folders.is_empty() {
            let toggle = self.keymap.keys_for(Mode::Picker, Action::Toggle).join(" ");
            self.notify_error(format!("tick at least one leaf ({toggle} in the list)"));
        } else if folders.iter().any(|f| self.open.is_dirty(f)) {
            let message = format!("save the unsaved edits first: {}", self.unsaved_list());
            self.notify_error(message);
        } else {
            dialog.busy = true;
            self.notify("committing…");
            return vec![Effect::Git(GitJob::Commit { folders, message })];
        }
        Vec::new()
    }

    fn branch_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(Popup::Branches(picker)) = &mut self.popup else {
            return Vec::new();
        };
        let count = picker.choices().len();
        match action {
            Some(Action::Back) => self.popup = None,
            Some(Action::Up) => picker.selected = picker.selected.saturating_sub(1),
            Some(Action::Down) => {
                picker.selected = (picker.selected + 1).min(count.saturating_sub(1))
            }
            Some(Action::Confirm) => {
                let Some(choice) = picker.choices().into_iter().nth(picker.selected) else {
                    return Vec::new();
                };
                self.popup = None;
                let (branch, create) = match choice {
                    BranchChoice::Switch(info) if info.is_head => {
                        self.notify(format!("already on {}", info.name));
                        return Vec::new();
                    }
                    BranchChoice::Switch(info) => (info.name, false),
                    BranchChoice::Create(name) => (name, true),
                };
                let dirty = self.open.dirty();
                if !dirty.is_empty() && !create {
                    self.popup = Some(Popup::ConfirmSwitch { branch, dirty });
                    return Vec::new();
                }
                self.notify(format!("switching to {branch}…"));
                return vec![Effect::Git(GitJob::Switch { branch, create })];
            }
            _ => {
                if App::edit_input(&mut picker.input, &key) {
                    picker.selected = 0;
                }
            }
        }
        Vec::new()
    }

    /// Keys in the discard and switch questions: only the offered keys answer.
    pub(super) fn git_confirm_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(popup) = self.popup.take() else {
            return Vec::new();
        };
        if action == Some(Action::Back) {
            self.notify("nothing was changed");
            return Vec::new();
        }
        let yes = key.code == KeyCode::Char('y') && !key.modifiers.contains(KeyModifiers::CONTROL);
        match popup {
            Popup::ConfirmDiscard { folder, .. } if yes => {
                vec![Effect::Git(GitJob::Discard { folder })]
            }
            Popup::ConfirmSwitch { branch, .. } if yes => {
                self.notify(format!("switching to {branch}…"));
                vec![Effect::Git(GitJob::Switch {
                    branch,
                    create: false,
                })]
            }
            popup => {
                self.popup = Some(popup);
                Vec::new()
            }
        }
    }
}
