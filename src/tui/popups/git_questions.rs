//! The questions before git changes the files: discarding a leaf's changes since
//! HEAD (naming the files and lines lost), and switching branches with unsaved edits.

use std::path::PathBuf;

use ratatui::text::Line;

use crate::git::LeafDiff;
use crate::tui::action::Action;
use crate::tui::component::Reaction;
use crate::tui::git_jobs::GitJob;
use crate::tui::msg::Effect;
use crate::tui::shared::Shared;

use super::question::{Ask, changed_lines, folder_list, with_excerpt};

/// Discard a leaf's changes since HEAD? Names the files and lines lost.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmDiscard {
    /// The leaf.
    pub folder: PathBuf,
    /// What would be lost: the leaf's diff against HEAD.
    pub diff: LeafDiff,
}

impl Ask for ConfirmDiscard {
    fn title(&self) -> String {
        " Discard changes? ".into()
    }

    fn lines(&self, ctx: &Shared) -> Vec<Line<'static>> {
        let (added, removed) = self.diff.counts();
        let mut header = vec![
            Line::from(format!(
                "Discard every change to {} since HEAD?",
                self.folder.display()
            )),
            Line::from("These files go back to HEAD (a file HEAD lacks is deleted):"),
        ];
        header.extend(
            self.diff
                .files
                .iter()
                .map(|f| Line::from(format!("  • {f}"))),
        );
        let (lines, are) = if added == 1 {
            ("line", "is")
        } else {
            ("lines", "are")
        };
        let come = if removed == 1 { "comes" } else { "come" };
        header.push(Line::from(format!(
            "{added} {lines} written since HEAD {are} LOST, {removed} {come} back:"
        )));
        let changed = changed_lines(&self.diff.lines);
        with_excerpt(self, ctx, header, &changed, Vec::new())
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        vec![
            (Action::Yes, "yes, DISCARD these changes for good".into()),
            (Action::Back, "no, keep them".into()),
        ]
    }

    fn answer(&mut self, _ctx: &mut Shared, action: Action) -> Option<Reaction> {
        (action == Action::Yes).then(|| {
            Effect::Git(GitJob::Discard {
                folder: self.folder.clone(),
            })
            .into()
        })
    }

    fn dismissed(&mut self, ctx: &mut Shared) {
        ctx.notify("nothing was changed");
    }

    fn size(&self) -> (u16, u16) {
        (80, 70)
    }
}

/// Switch branches with unsaved edits open?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmSwitch {
    /// The branch to switch to.
    pub branch: String,
    /// The leaves with unsaved edits.
    pub dirty: Vec<PathBuf>,
}

impl Ask for ConfirmSwitch {
    fn title(&self) -> String {
        " Switch branch? ".into()
    }

    fn lines(&self, _ctx: &Shared) -> Vec<Line<'static>> {
        let mut lines = vec![Line::from("These leaves have unsaved edits:")];
        lines.extend(folder_list(self.dirty.iter()));
        lines.push(Line::from(format!(
            "They stay open and unsaved on {}; if the file differs there, saving asks before writing over it.",
            self.branch
        )));
        lines
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        vec![
            (Action::Yes, "switch, keeping the edits unsaved".into()),
            (Action::Back, "stay".into()),
        ]
    }

    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction> {
        (action == Action::Yes).then(|| {
            ctx.notify(format!("switching to {}…", self.branch));
            Effect::Git(GitJob::Switch {
                branch: self.branch.clone(),
                create: false,
            })
            .into()
        })
    }

    fn dismissed(&mut self, ctx: &mut Shared) {
        ctx.notify("nothing was changed");
    }

    fn size(&self) -> (u16, u16) {
        (80, 70)
    }
}
