//! The git part of the update function: opening the diff view, the commit dialog,
//! the branch picker and the discard question. Git work goes out as [`Effect::Git`]
//! and comes back as [`super::app::Msg::Git`]; nothing here touches git itself.

use super::action::Action;
use super::app::{App, Effect};
use super::git_jobs::{GitJob, GitReply};
use super::popups::branches::BranchPicker;
use super::popups::commit::CommitDialog;
use super::popups::diff::DiffView;
use super::popups::git_questions::ConfirmDiscard;

impl App {
    /// Runs a git action from the browse mode.
    pub(super) fn git_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Diff => self.open_diff(),
            Action::Commit => self.open_commit(),
            Action::Branch => {
                self.popups.push(Box::new(BranchPicker::default()));
                vec![Effect::Git(GitJob::ListBranches)]
            }
            Action::Discard => self.ask_discard(),
            _ => Vec::new(),
        }
    }

    fn open_diff(&mut self) -> Vec<Effect> {
        let Some(folder) = self.shared.selected_folder() else {
            self.shared.notify("select a leaf to see its diff");
            return Vec::new();
        };
        let unsaved = self.shared.open.is_dirty(&folder);
        self.popups
            .push(Box::new(DiffView::new(folder.clone(), unsaved)));
        vec![Effect::Git(GitJob::Diff { folder })]
    }

    fn open_commit(&mut self) -> Vec<Effect> {
        if !self.shared.open.dirty().is_empty() {
            let message = format!(
                "save ({}) or revert ({}) the unsaved edits first, commits take what is on disk: {}",
                self.shared.key_of(Action::Save),
                self.shared.key_of(Action::Revert),
                self.shared.unsaved_list()
            );
            self.shared.notify_error(message);
            return Vec::new();
        }
        self.popups.push(Box::new(CommitDialog::default()));
        vec![Effect::Git(GitJob::ListCommitLeaves)]
    }

    fn ask_discard(&mut self) -> Vec<Effect> {
        let Some(folder) = self.shared.selected_folder() else {
            self.shared.notify("select a leaf to discard its changes");
            return Vec::new();
        };
        if self.shared.open.is_dirty(&folder) {
            let message = format!(
                "{} has unsaved edits: revert them ({}) first; discard drops what is saved on disk",
                folder.display(),
                self.shared.key_of(Action::Revert)
            );
            self.shared.notify_error(message);
            return Vec::new();
        }
        vec![Effect::Git(GitJob::DiscardPreview { folder })]
    }

    /// Applies the outcome of git work that no popup took.
    pub(super) fn git_reply(&mut self, reply: GitReply) -> Vec<Effect> {
        match reply {
            // The popup that asked was closed meanwhile.
            GitReply::Diff { .. } | GitReply::CommitLeaves(_) | GitReply::Branches(_) => Vec::new(),
            GitReply::Committed { result, refreshed }
            | GitReply::Switched { result, refreshed } => self.shared.git_done(result, refreshed),
            GitReply::Discarded { result, refreshed } => {
                let mut effects = self.shared.git_done(result, refreshed);
                effects.push(Effect::Reindex(Box::new(self.shared.taxonomy.clone())));
                effects
            }
            GitReply::DiscardPreview { folder, result } => {
                match result {
                    Ok(diff) if diff.lines.is_empty() => self.shared.notify(format!(
                        "nothing to discard: {} is as HEAD has it",
                        folder.display()
                    )),
                    Ok(diff) if !self.has_popup() => {
                        self.popups.push(Box::new(ConfirmDiscard { folder, diff }))
                    }
                    Ok(_) => {}
                    Err(why) => self.shared.notify_error(why),
                }
                Vec::new()
            }
        }
    }
}
