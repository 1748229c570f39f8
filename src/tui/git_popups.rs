//! The state of the git popups: a leaf's diff, the commit dialog and the branch
//! picker.

use std::path::PathBuf;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use crate::git::{BranchInfo, LeafDiff};

use super::picker::InputLine;

/// A leaf's diff against the base, scrolled.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    /// The leaf.
    pub folder: PathBuf,
    /// The diff, once read.
    pub diff: Option<LeafDiff>,
    /// First line shown.
    pub scroll: u16,
    /// Whether the leaf has unsaved edits (not part of the diff).
    pub unsaved: bool,
}

/// Which part of the commit dialog has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitFocus {
    /// The message line (typing goes there).
    Message,
    /// The list of leaves (space ticks).
    Leaves,
}

/// The commit dialog: the leaves changed against HEAD, ticked to be committed, and
/// the message.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitDialog {
    /// The changed leaves and whether each is ticked, once listed.
    pub leaves: Option<Vec<(PathBuf, bool)>>,
    /// The selected leaf.
    pub selected: usize,
    /// Which part has the keyboard.
    pub focus: CommitFocus,
    /// The commit message (the sign-off is added).
    pub message: InputLine,
    /// Whether the commit is being made.
    pub busy: bool,
}

impl Default for CommitDialog {
    fn default() -> Self {
        Self {
            leaves: None,
            selected: 0,
            focus: CommitFocus::Message,
            message: InputLine::default(),
            busy: false,
        }
    }
}

impl CommitDialog {
    /// The ticked leaves.
    pub fn chosen(&self) -> Vec<PathBuf> {
        self.leaves
            .iter()
            .flatten()
            .filter(|(_, ticked)| *ticked)
            .map(|(folder, _)| folder.clone())
            .collect()
    }

    /// Ticks or unticks the selected leaf.
    pub fn toggle(&mut self) {
        if let Some(entry) = self.leaves.as_mut().and_then(|l| l.get_mut(self.selected)) {
            entry.1 = !entry.1;
        }
    }

    /// Moves the selection.
    pub fn move_by(&mut self, delta: isize) {
        let count = self.leaves.as_ref().map_or(0, Vec::len);
        let moved = (self.selected as isize + delta).clamp(0, count.saturating_sub(1) as isize);
        self.selected = moved as usize;
    }
}

/// One choice of the branch picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchChoice {
    /// Switch to this branch.
    Switch(BranchInfo),
    /// Create a branch of this name at HEAD and switch to it.
    Create(String),
}

/// The branch picker: the local branches filtered fuzzily, and "create NAME".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BranchPicker {
    /// The filter, also the name of a branch to create.
    pub input: InputLine,
    /// The local branches, once listed.
    pub branches: Option<Vec<BranchInfo>>,
    /// The selected choice.
    pub selected: usize,
}

impl BranchPicker {
    /// The branches matching the filter, best first, then "create" when the filter
    /// names no existing branch.
    pub fn choices(&self) -> Vec<BranchChoice> {
        let branches = self.branches.as_deref().unwrap_or_default();
        let filter = self.input.text().trim();
        if filter.is_empty() {
            return branches.iter().cloned().map(BranchChoice::Switch).collect();
        }
        let pattern = Pattern::parse(filter, CaseMatching::Smart, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let names: Vec<&str> = branches.iter().map(|b| b.name.as_str()).collect();
        let mut choices: Vec<BranchChoice> = pattern
            .match_list(names, &mut matcher)
            .into_iter()
            .filter_map(|(name, _)| branches.iter().find(|b| b.name == name))
            .cloned()
            .map(BranchChoice::Switch)
            .collect();
        if !branches.iter().any(|b| b.name == filter) {
            choices.push(BranchChoice::Create(filter.to_owned()));
        }
        choices
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(name: &str, is_head: bool) -> BranchInfo {
        BranchInfo {
            name: name.into(),
            is_head,
        }
    }

    #[test]
    fn branches_filter_fuzzily_and_offer_to_create() {
        let mut picker = BranchPicker {
            branches: Some(vec![
                branch("add-tides", false),
                branch("main", true),
                branch("fix-birds", false),
            ]),
            ..BranchPicker::default()
        };
        assert_eq!(picker.choices().len(), 3);
        for c in "tds".chars() {
            picker.input.insert(c);
        }
        assert_eq!(
            picker.choices(),
            vec![
                BranchChoice::Switch(branch("add-tides", false)),
                BranchChoice::Create("tds".into())
            ]
        );
        picker.input = InputLine::default();
        for c in "main".chars() {
            picker.input.insert(c);
        }
        assert_eq!(
            picker.choices(),
            vec![BranchChoice::Switch(branch("main", true))],
            "an existing name is not offered for creation"
        );
    }

    #[test]
    fn commit_dialog_ticks_leaves() {
        let mut dialog = CommitDialog {
            leaves: Some(vec![("a".into(), true), ("b".into(), true)]),
            ..CommitDialog::default()
        };
        dialog.move_by(5);
        dialog.toggle();
        assert_eq!(dialog.chosen(), vec![PathBuf::from("a")]);
        dialog.move_by(-5);
        dialog.toggle();
        assert!(dialog.chosen().is_empty());
    }
}
