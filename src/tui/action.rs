//! Actions: the command vocabulary. One list, with a name and a line of help per
//! action, feeds the keymap file, the `?` help, the command palette and the
//! status-bar hints, so they can never drift from the handlers.

macro_rules! actions {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// Something the user can ask for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $(#[doc = $doc] $variant,)*
        }

        impl Action {
            /// Every action, in help order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The name used in the keymap file and the palette.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// One line saying what it does.
            pub fn doc(self) -> &'static str {
                match self { $(Action::$variant => $doc,)* }
            }

            /// The action with this name.
            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit => "quit", "Quit taxon (asks first if there are unsaved edits)";
    Back => "back", "Close the popup, or go back to the tree";
    Up => "up", "Move up";
    Down => "down", "Move down";
    PageUp => "page-up", "Move up a page";
    PageDown => "page-down", "Move down a page";
    Top => "top", "Go to the first row";
    Bottom => "bottom", "Go to the last row";
    Expand => "expand", "Open the folder, or show the leaf";
    Collapse => "collapse", "Close the folder, or go to its parent";
    ExpandAll => "expand-all", "Open every folder";
    CollapseAll => "collapse-all", "Close every folder";
    FocusNext => "focus-next", "Switch pane or field; in the wizard, take the completion";
    FocusPrev => "focus-prev", "Switch to the previous pane or field";
    Find => "find", "Fuzzy-find leaves by path, description and question";
    Palette => "palette", "Run any command by name";
    Help => "help", "Show every key";
    Reload => "reload", "Reload the taxonomy from disk and git";
    NextProblem => "next-problem", "Go to the next leaf with errors or warnings";
    EditInEditor => "edit-in-editor", "Edit the selected leaf in $EDITOR (the edit is validated, then saved with save)";
    Save => "save", "Save the selected leaf's edits (never over a file changed meanwhile)";
    Revert => "revert", "Discard the selected leaf's unsaved edits (asks first)";
    Confirm => "confirm", "Accept (run the selected command, open the selected hit)";
    Diff => "diff", "Show the selected leaf's changes against the base";
    Commit => "commit", "Commit changed leaves with a DCO sign-off";
    Branch => "branch", "Switch to a branch, or create a contribution branch";
    Discard => "discard", "Discard the leaf's saved changes since HEAD (asks first)";
    CharLeft => "char-left", "In a line being typed: one character left";
    CharRight => "char-right", "In a line being typed: one character right";
    WordLeft => "word-left", "In a line being typed: to the start of the word";
    WordRight => "word-right", "In a line being typed: to the end of the word";
    LineStart => "line-start", "In a line being typed: to its start";
    LineEnd => "line-end", "In a line being typed: to its end";
    DeleteBack => "delete-back", "In a line being typed: delete the character before the cursor";
    DeleteForward => "delete-forward", "In a line being typed: delete the character under the cursor";
    DeleteWordBack => "delete-word-back", "In a line being typed: delete the word before the cursor";
    DeleteWordForward => "delete-word-forward", "In a line being typed: delete the word after the cursor";
    DeleteToStart => "delete-to-start", "In a line being typed: delete everything before the cursor";
    DeleteToEnd => "delete-to-end", "In a line being typed: delete everything from the cursor";
    Undo => "undo", "In the field editor: undo the last change";
    Toggle => "toggle", "Tick or untick the selected leaf (commit dialog), or change the choice (launch form)";
    Yes => "yes", "Answer yes: do what the question asks";
    TakeDisk => "take-disk", "Take the file as it is on disk, dropping your unsaved edits";
    KeepMine => "keep-mine", "Keep your edits: write them over the file changed on disk";
    Merge => "merge", "Keep your edits and the change on disk together, when they touch different lines";
    SaveAll => "save-all", "Save every unsaved edit, then quit";
    DiscardAll => "discard-all", "Discard the unsaved edits or drafts the question lists";
    NewLeaf => "new-leaf", "Create a leaf from a template (kind, place, created_by)";
    EditField => "edit-field", "Edit the field under the cursor in a text area";
    NextField => "next-field", "Move the detail pane's cursor to the next field";
    PrevField => "prev-field", "Move the detail pane's cursor to the previous field";
    AddExample => "add-example", "Add a seed example after the last, in its layout";
    DeleteExample => "delete-example", "Delete the seed example under the cursor (asks first)";
    MoveExampleUp => "move-example-up", "Move the seed example under the cursor up";
    MoveExampleDown => "move-example-down", "Move the seed example under the cursor down";
    Review => "review", "Review the changed leaves, judging each seed example";
    Approve => "approve", "Approve the example, then go to the next";
    RequestChanges => "request-changes", "Request changes to the example, then go to the next";
    Reject => "reject", "Reject the example, then go to the next";
    ApproveWithComment => "approve-with-comment", "Approve the example with a comment";
    RequestChangesWithComment => "request-changes-with-comment", "Request changes to the example, saying which";
    RejectWithComment => "reject-with-comment", "Reject the example, saying why";
    NextExample => "next-example", "Go to the leaf's next seed example";
    PrevExample => "prev-example", "Go to the leaf's previous seed example";
    NextLeaf => "next-leaf", "Go to the next leaf of the review queue";
    PrevLeaf => "prev-leaf", "Go to the previous leaf of the review queue";
    VerdictApproved => "verdict-approved", "Leaf verdict: approved (triage-approved)";
    VerdictChangesRequested => "verdict-changes-requested", "Leaf verdict: changes requested (triage-requested-changes)";
    VerdictRejected => "verdict-rejected", "Leaf verdict: rejected (triage-rejected)";
    VerdictUncertain => "verdict-uncertain", "Leaf verdict: uncertain, ask triage (triage-uncertain)";
    Train => "train", "Open the training screen: runs, loss charts, launches";
    NewRun => "new-run", "Launch a tuning run (base model, dataset, epochs, learning rate, context, threads)";
    CancelRun => "cancel-run", "Ask the selected run to stop after its current step (asks first)";
    MarkRun => "mark-run", "Mark or unmark the selected run to plot it with the other marked runs";
    LogScale => "log-scale", "Switch the loss axis between linear and logarithmic";
    Compare => "compare", "Ask the tree's leaf's seed questions to the base and the run's tuned model";
    ShowEval => "show-eval", "Show the selected run's evaluation: scores per leaf, answers and the judge's reasons";
    RunEval => "run-eval", "Evaluate the selected run in the background, as taxon eval does (every leaf, default judge)";
    Preview => "preview", "Preview generation: stream new samples of the selected leaf (again to close)";
    PreviewReseed => "preview-reseed", "Preview generation again with a new seed";
    PreviewPipeline => "preview-pipeline", "Preview generation again through the other pipeline (full: judged; simple)";
}

impl Action {
    /// The scroll offset after this action in a pane scrolled by line (`up`,
    /// `down`) and by page of `page` lines; `None` when it does not scroll.
    pub fn scrolled(self, offset: u16, page: u16) -> Option<u16> {
        match self {
            Action::Up => Some(offset.saturating_sub(1)),
            Action::Down => Some(offset.saturating_add(1)),
            Action::PageUp => Some(offset.saturating_sub(page)),
            Action::PageDown => Some(offset.saturating_add(page)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(*action));
            assert!(!action.doc().is_empty());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }
}
