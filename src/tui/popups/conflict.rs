//! A save found the leaf's file changed or deleted on disk: the question shows what
//! changed there (a diff against what was loaded) and offers to take the disk's
//! version, to merge both when they touch different lines, or to keep mine, which
//! replaces only the version shown.

use std::path::PathBuf;

use ratatui::text::Line;

use crate::buffer::{DiskState, LeafBuffer};
use crate::git::DiffLine;
use crate::taxonomy::yaml;
use crate::tui::action::Action;
use crate::tui::component::Reaction;
use crate::tui::msg::Effect;
use crate::tui::popups::question::{Ask, with_excerpt};
use crate::tui::shared::Shared;

/// A save found the file changed or deleted on disk: reload theirs, merge, or keep
/// mine?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The leaf.
    pub folder: PathBuf,
    /// The file as found on disk: changed (their text) or deleted.
    pub found: DiskState,
    /// What changed on disk, against what was loaded.
    pub outside: Vec<DiffLine>,
    /// The edits and the change on disk together, when they touch different lines
    /// and the result still parses.
    pub merged: Option<String>,
}

impl Conflict {
    /// The question for `buffer`, whose file was `found` so on disk.
    pub fn new(buffer: &LeafBuffer, found: DiskState) -> Self {
        let (outside, merged) = match &found {
            DiskState::Changed(theirs) => (
                buffer.outside_change(theirs),
                buffer
                    .merged_with(theirs)
                    .filter(|merged| yaml::load(merged).is_ok()),
            ),
            DiskState::Unchanged | DiskState::Deleted => (Vec::new(), None),
        };
        Self {
            folder: buffer.folder.clone(),
            found,
            outside,
            merged,
        }
    }

    fn deleted(&self) -> bool {
        self.found == DiskState::Deleted
    }
}

impl Ask for Conflict {
    fn title(&self) -> String {
        if self.deleted() {
            " Deleted on disk ".into()
        } else {
            " Changed on disk ".into()
        }
    }

    fn lines(&self, ctx: &Shared) -> Vec<Line<'static>> {
        let folder = self.folder.display();
        if self.deleted() {
            return vec![Line::from(format!(
                "{folder}/qna.yaml was deleted on disk since you opened it."
            ))];
        }
        let header = vec![Line::from(format!(
            "{folder} changed on disk since you opened it. The change on disk:"
        ))];
        let footer = vec![Line::from(if self.merged.is_some() {
            "Your edits touch other lines: both can be kept."
        } else {
            "Your edits touch the same lines (or merged, the file would not parse): they cannot be merged."
        })];
        let outside: Vec<&DiffLine> = self.outside.iter().collect();
        with_excerpt(self, ctx, header, &outside, footer)
    }

    fn answers(&self, _ctx: &Shared) -> Vec<(Action, String)> {
        let mut answers = Vec::new();
        if self.deleted() {
            answers.push((
                Action::TakeDisk,
                "accept the deletion and LOSE your unsaved edits".into(),
            ));
            answers.push((
                Action::KeepMine,
                "keep mine: write your version again".into(),
            ));
        } else {
            answers.push((
                Action::TakeDisk,
                "reload: take the version on disk and LOSE your unsaved edits".into(),
            ));
            if self.merged.is_some() {
                answers.push((
                    Action::Merge,
                    "merge: keep your edits and the change above, and save".into(),
                ));
            }
            answers.push((
                Action::KeepMine,
                "keep mine: write your version, LOSING the change above".into(),
            ));
        }
        answers.push((
            Action::Back,
            "decide later (your edits stay unsaved, kept as a draft)".into(),
        ));
        answers
    }

    fn answer(&mut self, ctx: &mut Shared, action: Action) -> Option<Reaction> {
        let folder = self.folder.clone();
        match action {
            Action::TakeDisk => {
                let forget = ctx.discard(&folder);
                let read = if self.deleted() {
                    ctx.notify(format!("{} was deleted on disk", folder.display()));
                    Effect::Reload
                } else {
                    ctx.notify(format!("took the version on disk of {}", folder.display()));
                    Effect::ReadFile { folder }
                };
                Some(vec![forget, read].into())
            }
            Action::Merge => {
                let (DiskState::Changed(theirs), Some(merged)) = (&self.found, &self.merged) else {
                    return None;
                };
                if let Some(open) = ctx.open.get_mut(&folder) {
                    open.buffer.saved.clone_from(theirs);
                }
                let mut effects = ctx.edit_text(&folder, merged.clone());
                effects.extend(ctx.save(&folder, DiskState::Unchanged));
                Some(effects.into())
            }
            Action::KeepMine => Some(ctx.save(&folder, self.found.clone()).into()),
            _ => None,
        }
    }

    fn size(&self) -> (u16, u16) {
        if self.deleted() { (70, 40) } else { (80, 80) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer(saved: &str, text: &str) -> LeafBuffer {
        LeafBuffer {
            path: "a/qna.yaml".into(),
            folder: "a".into(),
            saved: saved.into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_merge_is_offered_only_when_it_parses() {
        let base = "a:\n  b: 1\n  c: 1\n  d: 1\n  e: 1\n";
        let theirs = DiskState::Changed("a:\n  b: 1\n  c: 1\n  d: 1\n  e: 2\n".into());
        let fine = Conflict::new(
            &buffer(base, "a:\n  b: 2\n  c: 1\n  d: 1\n  e: 1\n"),
            theirs.clone(),
        );
        assert_eq!(
            fine.merged.as_deref(),
            Some("a:\n  b: 2\n  c: 1\n  d: 1\n  e: 2\n")
        );
        let broken = Conflict::new(
            &buffer(base, "a: x\n  b: 1\n  c: 1\n  d: 1\n  e: 1\n"),
            theirs,
        );
        assert_eq!(broken.merged, None, "merged, it would not parse");
        assert!(!broken.outside.is_empty());
    }
}
