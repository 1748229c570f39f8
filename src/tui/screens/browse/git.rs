//! The browse screen's git actions: opening the diff view, the commit dialog, the
//! branch picker and the discard question. Git work goes out as [`Effect::Git`] and
//! comes back as a [`GitReply`]; nothing here touches git itself.

use std::path::PathBuf;

use crate::git::LeafDiff;
use crate::tui::action::Action;
use crate::tui::component::Reaction;
use crate::tui::git_jobs::GitJob;
use crate::tui::msg::Effect;
use crate::tui::popups::branches::BranchPicker;
use crate::tui::popups::commit::CommitDialog;
use crate::tui::popups::diff::DiffView;
use crate::tui::popups::git_questions::ConfirmDiscard;
use crate::tui::shared::Shared;

/// Runs a git action from the browse screen.
pub fn git_action(ctx: &mut Shared, action: Action) -> Reaction {
    match action {
        Action::Diff => open_diff(ctx),
        Action::Commit => open_commit(ctx),
        Action::Branch => {
            Reaction::push(BranchPicker::default()).and([Effect::Git(GitJob::ListBranches)])
        }
        Action::Discard => ask_discard(ctx),
        _ => Reaction::none(),
    }
}

fn open_diff(ctx: &mut Shared) -> Reaction {
    let Some(folder) = ctx.selected_folder() else {
        ctx.notify("select a leaf to see its diff");
        return Reaction::none();
    };
    let unsaved = ctx.open.is_dirty(&folder);
    Reaction::push(DiffView::new(folder.clone(), unsaved))
        .and([Effect::Git(GitJob::Diff { folder })])
}

fn open_commit(ctx: &mut Shared) -> Reaction {
    if !ctx.open.dirty().is_empty() {
        let message = format!(
            "save ({}) or revert ({}) the unsaved edits first, commits take what is on disk: {}",
            ctx.key_of(Action::Save),
            ctx.key_of(Action::Revert),
            ctx.unsaved_list()
        );
        ctx.notify_error(message);
        return Reaction::none();
    }
    Reaction::push(CommitDialog::default()).and([Effect::Git(GitJob::ListCommitLeaves)])
}

fn ask_discard(ctx: &mut Shared) -> Reaction {
    let Some(folder) = ctx.selected_folder() else {
        ctx.notify("select a leaf to discard its changes");
        return Reaction::none();
    };
    if ctx.open.is_dirty(&folder) {
        let message = format!(
            "{} has unsaved edits: revert them ({}) first; discard drops what is saved on disk",
            folder.display(),
            ctx.key_of(Action::Revert)
        );
        ctx.notify_error(message);
        return Reaction::none();
    }
    Effect::Git(GitJob::DiscardPreview { folder }).into()
}

/// Asks before a discard, with what it would lose (or says there is nothing to lose).
pub fn discard_preview(
    ctx: &mut Shared,
    folder: PathBuf,
    result: Result<LeafDiff, String>,
) -> Reaction {
    match result {
        Ok(diff) if diff.lines.is_empty() => {
            ctx.notify(format!(
                "nothing to discard: {} is as HEAD has it",
                folder.display()
            ));
            Reaction::none()
        }
        Ok(diff) => Reaction::push(ConfirmDiscard { folder, diff }),
        Err(why) => {
            ctx.notify_error(why);
            Reaction::none()
        }
    }
}
