//! The review screen's state and its part of the update function: walk the leaves
//! changed against the base and their seed examples, one key per decision. Decisions
//! go out as [`Effect::Review`] and the screen takes the queue read back from the
//! store afterwards; nothing here touches git.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crossterm::event::KeyEvent;

use crate::review::queue::leaf_key;
use crate::review::{Decision, LeafReview, QueueExample, Verdict};

use super::action::Action;
use super::app::{App, Effect};
use super::input_line::InputLine;
use super::popups::help::Help;
use super::review_jobs::{ReviewJob, ReviewReply, ReviewStatus};

/// The notice while the queue is read; cleared once it is.
const READING: &str = "reading the review queue…";

/// A comment being typed for a decision on one example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentPrompt {
    /// The decision it goes with.
    pub decision: Decision,
    /// The leaf (position in the queue).
    pub leaf: usize,
    /// The example (0-based).
    pub example: usize,
    /// The comment.
    pub input: InputLine,
}

/// The review screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewScreen {
    /// The queue, once read.
    pub status: Option<Box<ReviewStatus>>,
    /// Why the queue could not be read, if it could not.
    pub problem: Option<String>,
    /// The leaf shown (position in the queue).
    pub leaf: usize,
    /// The example shown (0-based).
    pub example: usize,
    /// How far the example pane is scrolled.
    pub scroll: u16,
    /// The comment prompt, while open.
    pub comment: Option<CommentPrompt>,
    /// The review key of the leaf to show first, once the queue is read.
    start_at: Option<String>,
}

impl ReviewScreen {
    /// The queued leaves read so far.
    pub fn leaves(&self) -> &[LeafReview] {
        self.status.as_ref().map_or(&[], |s| s.leaves.as_slice())
    }

    /// The leaf shown.
    pub fn current_leaf(&self) -> Option<&LeafReview> {
        self.leaves().get(self.leaf)
    }

    /// The example shown.
    pub fn current_example(&self) -> Option<&QueueExample> {
        self.current_leaf()?.leaf.examples.get(self.example)
    }

    /// Takes a fresh queue, staying on the same leaf and example where they remain.
    fn take(&mut self, status: Box<ReviewStatus>) {
        let wanted = self
            .start_at
            .take()
            .or_else(|| self.current_leaf().map(|l| l.leaf.leaf.clone()));
        let found = wanted.and_then(|key| status.leaves.iter().position(|l| l.leaf.leaf == key));
        match found {
            Some(index) if index != self.leaf => {
                self.leaf = index;
                self.example = 0;
            }
            Some(_) => {}
            None => self.leaf = self.leaf.min(status.leaves.len().saturating_sub(1)),
        }
        let examples = status
            .leaves
            .get(self.leaf)
            .map_or(0, |l| l.leaf.examples.len());
        self.example = self.example.min(examples.saturating_sub(1));
        self.status = Some(status);
        self.problem = None;
    }

    fn move_example(&mut self, delta: isize) -> bool {
        let count = self.current_leaf().map_or(0, |l| l.leaf.examples.len());
        let next = self.example.saturating_add_signed(delta);
        if next >= count || next == self.example {
            return false;
        }
        self.example = next;
        self.scroll = 0;
        true
    }

    fn move_leaf(&mut self, delta: isize) -> bool {
        let next = self.leaf.saturating_add_signed(delta);
        if next >= self.leaves().len() || next == self.leaf {
            return false;
        }
        self.leaf = next;
        self.example = 0;
        self.scroll = 0;
        true
    }
}

/// The review state of the queued leaves, by leaf folder, for the tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewMarks {
    verdicts: HashMap<PathBuf, Option<Verdict>>,
}

impl ReviewMarks {
    /// The verdicts of the queued leaves (`None`: pending).
    pub fn from_leaves(leaves: &[LeafReview]) -> Self {
        let verdicts = leaves
            .iter()
            .map(|l| (PathBuf::from(&l.leaf.leaf), l.verdict()))
            .collect();
        Self { verdicts }
    }

    /// The review state of the leaf in `folder`: `None` when it is not in the queue,
    /// `Some(None)` while pending.
    pub fn get(&self, folder: &Path) -> Option<Option<Verdict>> {
        self.verdicts.get(folder).copied()
    }
}

fn decision_of(action: Action) -> Option<(Decision, bool)> {
    Some(match action {
        Action::Approve => (Decision::Approve, false),
        Action::RequestChanges => (Decision::RequestChanges, false),
        Action::Reject => (Decision::Reject, false),
        Action::ApproveWithComment => (Decision::Approve, true),
        Action::RequestChangesWithComment => (Decision::RequestChanges, true),
        Action::RejectWithComment => (Decision::Reject, true),
        _ => return None,
    })
}

fn verdict_of(action: Action) -> Option<Verdict> {
    Some(match action {
        Action::VerdictApproved => Verdict::Approved,
        Action::VerdictChangesRequested => Verdict::ChangesRequested,
        Action::VerdictRejected => Verdict::Rejected,
        Action::VerdictUncertain => Verdict::Uncertain,
        _ => return None,
    })
}

impl App {
    /// Opens the review screen on the selected leaf, if it is queued, and reads the queue.
    pub(super) fn open_review(&mut self) -> Vec<Effect> {
        let start_at = self.shared.selected_folder().map(|f| leaf_key(&f));
        self.review = Some(Box::new(ReviewScreen {
            start_at,
            ..ReviewScreen::default()
        }));
        if self.shared.open.dirty().is_empty() {
            self.shared.notify(READING);
        } else {
            self.shared
                .notify_error("unsaved edits are not reviewed: the review reads the files on disk");
        }
        vec![Effect::Review(ReviewJob::Status)]
    }

    /// Keys on the review screen and in its comment prompt.
    pub(super) fn review_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
        let Some(screen) = self.review.as_deref_mut() else {
            return Vec::new();
        };
        if let Some(prompt) = &mut screen.comment {
            match action {
                Some(Action::Back) => {
                    screen.comment = None;
                    self.shared.notify("nothing was recorded");
                }
                Some(Action::Confirm) => {
                    let text = prompt.input.text().trim().to_owned();
                    let (leaf, example, decision) = (prompt.leaf, prompt.example, prompt.decision);
                    screen.comment = None;
                    let comment = (!text.is_empty()).then_some(text);
                    return self.decide(leaf, example, decision, comment);
                }
                _ => {
                    prompt.input.edit(&key);
                }
            }
            return Vec::new();
        }
        let Some(action) = action else {
            return Vec::new();
        };
        self.shared.notice = None;
        let page = self.shared.height.saturating_sub(8).max(1);
        match action {
            Action::Back => self.review = None,
            Action::Quit => return self.quit(),
            Action::Help => self.popups.push(Box::new(Help::default())),
            Action::Reload => {
                self.shared.notify(READING);
                return vec![Effect::Review(ReviewJob::Status)];
            }
            Action::PageUp => screen.scroll = screen.scroll.saturating_sub(page),
            Action::PageDown => screen.scroll = screen.scroll.saturating_add(page),
            Action::NextExample => {
                if !screen.move_example(1) {
                    self.shared
                        .notify("the last example of this leaf: next-leaf goes on");
                }
            }
            Action::PrevExample => {
                if !screen.move_example(-1) {
                    self.shared.notify("the first example of this leaf");
                }
            }
            Action::NextLeaf => {
                if !screen.move_leaf(1) {
                    self.shared.notify("the last leaf of the queue");
                }
            }
            Action::PrevLeaf => {
                if !screen.move_leaf(-1) {
                    self.shared.notify("the first leaf of the queue");
                }
            }
            action => {
                if let Some((decision, with_comment)) = decision_of(action) {
                    let (leaf, example) = (screen.leaf, screen.example);
                    if screen.current_leaf().is_none() {
                        self.shared.notify("no leaf to review");
                    } else if screen.current_example().is_none() {
                        self.shared
                            .notify_error("this leaf has no seed examples to decide on");
                    } else if with_comment {
                        screen.comment = Some(CommentPrompt {
                            decision,
                            leaf,
                            example,
                            input: InputLine::default(),
                        });
                    } else {
                        screen.move_example(1);
                        return self.decide(leaf, example, decision, None);
                    }
                } else if let Some(verdict) = verdict_of(action) {
                    return self.give_verdict(verdict);
                }
            }
        }
        Vec::new()
    }

    fn decide(
        &mut self,
        leaf: usize,
        example: usize,
        decision: Decision,
        comment: Option<String>,
    ) -> Vec<Effect> {
        let Some(queued) = self.review.as_ref().and_then(|s| s.leaves().get(leaf)) else {
            return Vec::new();
        };
        let Some(shown) = queued.leaf.examples.get(example) else {
            return Vec::new();
        };
        let job = ReviewJob::Decide {
            leaf: queued.leaf.leaf.clone(),
            file: queued.leaf.file.clone(),
            index: example,
            shown: shown.hash.clone(),
            decision,
            comment,
        };
        self.shared.notify("recording…");
        vec![Effect::Review(job)]
    }

    fn give_verdict(&mut self, verdict: Verdict) -> Vec<Effect> {
        let Some(queued) = self.review.as_ref().and_then(|s| s.current_leaf()) else {
            self.shared.notify("no leaf to give a verdict on");
            return Vec::new();
        };
        let job = ReviewJob::Verdict {
            leaf: queued.leaf.leaf.clone(),
            file: queued.leaf.file.clone(),
            shown: queued.leaf.leaf_hash(),
            verdict,
            comment: None,
        };
        self.shared.notify("recording…");
        vec![Effect::Review(job)]
    }

    /// Applies the outcome of review work: the tree's marks and the screen follow the
    /// queue read from the store.
    pub(super) fn review_reply(&mut self, reply: ReviewReply) -> Vec<Effect> {
        match reply {
            ReviewReply::Status(Ok(status)) => {
                self.shared.review_marks = ReviewMarks::from_leaves(&status.leaves);
                if let Some(screen) = self.review.as_deref_mut() {
                    screen.take(status);
                    if self
                        .shared
                        .notice
                        .as_ref()
                        .is_some_and(|n| n.text == READING)
                    {
                        self.shared.notice = None;
                    }
                }
                Vec::new()
            }
            ReviewReply::Status(Err(why)) => {
                self.shared.review_marks = ReviewMarks::default();
                if let Some(screen) = self.review.as_deref_mut() {
                    screen.problem = Some(why.clone());
                    self.shared.notify_error(why);
                }
                Vec::new()
            }
            ReviewReply::Recorded { result, status } => {
                match result {
                    Ok(text) => self.shared.notify(text),
                    Err(why) => self.shared.notify_error(why),
                }
                self.review_reply(ReviewReply::Status(status))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::Change;
    use crate::review::checklist::checklist;
    use crate::review::example::{ExampleContent, Pair};
    use crate::review::{ExampleChange, QueueLeaf};
    use crate::taxonomy::model::Taxonomy;
    use crate::taxonomy::validate::Report;
    use crate::tui::app::Msg;
    use crate::tui::keymap::Keymap;
    use crate::tui::marks::LeafMarks;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn queued(key: &str, count: usize) -> LeafReview {
        let file = PathBuf::from(format!("{key}/qna.yaml"));
        let examples = (0..count)
            .map(|index| {
                let content = ExampleContent {
                    context: None,
                    pairs: vec![Pair {
                        question: format!("Question {index}?"),
                        answer: "Yes.".into(),
                    }],
                    listed: false,
                };
                QueueExample {
                    index,
                    hash: content.hash(),
                    content,
                    change: ExampleChange::Added,
                }
            })
            .collect();
        let leaf = QueueLeaf {
            leaf: key.to_owned(),
            report: Report {
                path: file.clone(),
                kind: None,
                qna: None,
                diagnostics: Vec::new(),
            },
            file,
            change: Change::Added,
            examples,
            removed: Vec::new(),
        };
        LeafReview {
            records: Vec::new(),
            states: vec![Vec::new(); count],
            derived: None,
            verdicts: Vec::new(),
            checklist: checklist(&leaf, &[]),
            leaf,
        }
    }

    fn status(leaves: Vec<LeafReview>) -> Box<ReviewStatus> {
        Box::new(ReviewStatus {
            base: "main".into(),
            leaves,
            reviewer: None,
        })
    }

    /// An app on the review screen of leaves `a` (3 examples) and `b` (1 example).
    fn reviewing() -> App {
        let mut app = App::new(
            Taxonomy::default(),
            LeafMarks::default(),
            None,
            Keymap::default(),
        );
        assert_eq!(
            app.update(Msg::Key(press('R'))),
            vec![Effect::Review(ReviewJob::Status)]
        );
        let reply = ReviewReply::Status(Ok(status(vec![queued("a", 3), queued("b", 1)])));
        assert!(app.update(Msg::Review(reply)).is_empty());
        app
    }

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn keys(app: &mut App, keys: &str) -> Vec<Effect> {
        keys.chars()
            .flat_map(|c| app.update(Msg::Key(press(c))))
            .collect()
    }

    fn decided(
        app: &App,
        leaf: usize,
        index: usize,
        decision: Decision,
        comment: Option<&str>,
    ) -> Effect {
        let leaf = &app.review.as_ref().unwrap().leaves()[leaf].leaf;
        Effect::Review(ReviewJob::Decide {
            leaf: leaf.leaf.clone(),
            file: leaf.file.clone(),
            index,
            shown: leaf.examples[index].hash.clone(),
            decision,
            comment: comment.map(str::to_owned),
        })
    }

    #[test]
    fn one_key_per_decision_moves_on() {
        let mut app = reviewing();
        assert_eq!(
            keys(&mut app, "a"),
            vec![decided(&app, 0, 0, Decision::Approve, None)]
        );
        assert_eq!(
            keys(&mut app, "c"),
            vec![decided(&app, 0, 1, Decision::RequestChanges, None)]
        );
        assert_eq!(
            keys(&mut app, "x"),
            vec![decided(&app, 0, 2, Decision::Reject, None)]
        );
        assert_eq!(
            app.review.as_ref().unwrap().example,
            2,
            "the last one stays"
        );
        assert_eq!(keys(&mut app, "kk"), Vec::new());
        assert_eq!(app.review.as_ref().unwrap().example, 0);
    }

    #[test]
    fn a_comment_goes_with_its_decision() {
        let mut app = reviewing();
        assert!(keys(&mut app, "jX").is_empty());
        assert_eq!(
            app.mode(),
            crate::tui::keymap::Mode::Picker,
            "typing goes to the prompt"
        );
        assert!(
            keys(&mut app, "no 1x").is_empty(),
            "keys are text in the prompt"
        );
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            app.update(Msg::Key(enter)),
            vec![decided(&app, 0, 1, Decision::Reject, Some("no 1x"))]
        );
        assert_eq!(app.mode(), crate::tui::keymap::Mode::Review);
    }

    #[test]
    fn leaves_and_verdicts() {
        let mut app = reviewing();
        assert!(keys(&mut app, "jJ").is_empty());
        let screen = app.review.as_ref().unwrap();
        assert_eq!((screen.leaf, screen.example), (1, 0));
        assert!(keys(&mut app, "J").is_empty());
        assert_eq!(app.review.as_ref().unwrap().leaf, 1, "the last leaf stays");
        let leaf = &app.review.as_ref().unwrap().leaves()[1].leaf;
        let expected = Effect::Review(ReviewJob::Verdict {
            leaf: "b".into(),
            file: leaf.file.clone(),
            shown: leaf.leaf_hash(),
            verdict: Verdict::Uncertain,
            comment: None,
        });
        assert_eq!(keys(&mut app, "4"), vec![expected]);
        keys(&mut app, "q");
        assert!(app.review.is_none(), "q goes back to the tree");
    }

    #[test]
    fn an_empty_queue_records_nothing() {
        let mut app = reviewing();
        let reply = ReviewReply::Status(Ok(status(Vec::new())));
        app.update(Msg::Review(reply));
        assert!(keys(&mut app, "aX1").is_empty());
        assert_eq!(
            app.shared.notice.as_ref().map(|n| n.text.as_str()),
            Some("no leaf to give a verdict on")
        );
        assert!(keys(&mut app, "a").is_empty());
        assert_eq!(
            app.shared.notice.as_ref().map(|n| n.text.as_str()),
            Some("no leaf to review")
        );
    }

    #[test]
    fn a_fresh_queue_keeps_the_leaf_shown() {
        let mut screen = ReviewScreen::default();
        screen.take(status(vec![queued("a", 3), queued("b", 2)]));
        screen.leaf = 1;
        screen.example = 1;
        // A leaf appeared before it, and it lost an example.
        screen.take(status(vec![queued("0", 1), queued("a", 3), queued("b", 1)]));
        assert_eq!((screen.leaf, screen.example), (2, 0));
        assert_eq!(screen.current_leaf().unwrap().leaf.leaf, "b");
        let marks = ReviewMarks::from_leaves(screen.leaves());
        assert_eq!(marks.get(Path::new("b")), Some(None), "queued, pending");
        assert_eq!(marks.get(Path::new("c")), None, "not queued");
    }
}
