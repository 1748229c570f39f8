//! The review screen: walk the leaves changed against the base and their seed
//! examples, one key per decision. Decisions go out as [`Effect::Review`] and the
//! screen takes the queue read back from the store afterwards; nothing here touches
//! git.

mod comment;
mod panes;
mod view;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::review::decision::ReviewerState;
use crate::review::fields::FieldsChange;
use crate::review::queue::leaf_key;
use crate::review::{Decision, LeafReview, QueueExample, Verdict};
use crate::tui::action::Action;
use crate::tui::component::{Component, Press, Reaction, Taken};
use crate::tui::keymap::Mode;
use crate::tui::msg::{Effect, Msg};
use crate::tui::popups::help::Help;
use crate::tui::review_jobs::{ReviewJob, ReviewReply, ReviewStatus};
use crate::tui::shared::Shared;

use super::Screen;

pub use self::comment::CommentPrompt;

/// The notice while the queue is read; cleared once it is.
const READING: &str = "reading the review queue…";

/// The review screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewScreen {
    /// The queue, once read.
    pub status: Option<Box<ReviewStatus>>,
    /// Why the queue could not be read, if it could not.
    pub problem: Option<String>,
    /// The leaf shown (position in the queue).
    pub leaf: usize,
    /// The item shown (0-based): the change of the leaf's own fields first, when
    /// there is one, then its examples.
    pub item: usize,
    /// How far the example pane, then the leaf pane, are paged (see `panes`).
    pub scroll: u16,
    /// The review key of the leaf to show first, once the queue is read.
    start_at: Option<String>,
}

impl ReviewScreen {
    /// Opens the review screen on the selected leaf, if it is queued, and reads the
    /// queue.
    pub fn open(ctx: &mut Shared) -> Reaction {
        let screen = ReviewScreen {
            start_at: ctx.selected_folder().map(|f| leaf_key(&f)),
            ..ReviewScreen::default()
        };
        if ctx.open.dirty().is_empty() {
            ctx.notify(READING);
        } else {
            ctx.notify_error("unsaved edits are not reviewed: the review reads the files on disk");
        }
        Reaction::open(Screen::Review(Box::new(screen))).and([Effect::Review(ReviewJob::Status)])
    }

    /// The queued leaves read so far.
    pub fn leaves(&self) -> &[LeafReview] {
        self.status.as_ref().map_or(&[], |s| s.leaves.as_slice())
    }

    /// The leaf shown.
    pub fn current_leaf(&self) -> Option<&LeafReview> {
        self.leaves().get(self.leaf)
    }

    /// The item shown.
    pub fn shown(&self) -> Option<Shown<'_>> {
        let leaf = self.current_leaf()?;
        match (&leaf.leaf.fields, self.item) {
            (Some(change), 0) => Some(Shown::Fields(change, &leaf.fields_states)),
            (fields, item) => {
                let index = item - usize::from(fields.is_some());
                Some(Shown::Example(
                    leaf.leaf.examples.get(index)?,
                    leaf.states.get(index).map_or(&[], Vec::as_slice),
                ))
            }
        }
    }

    /// The example shown, if an example is.
    pub fn current_example(&self) -> Option<&QueueExample> {
        match self.shown()? {
            Shown::Example(example, _) => Some(example),
            Shown::Fields(..) => None,
        }
    }

    /// Takes a fresh queue, staying on the same leaf and example where they remain.
    fn take_status(&mut self, status: Box<ReviewStatus>) {
        let wanted = self
            .start_at
            .take()
            .or_else(|| self.current_leaf().map(|l| l.leaf.leaf.clone()));
        let found = wanted.and_then(|key| status.leaves.iter().position(|l| l.leaf.leaf == key));
        match found {
            Some(index) if index != self.leaf => {
                self.leaf = index;
                self.item = 0;
            }
            Some(_) => {}
            None => self.leaf = self.leaf.min(status.leaves.len().saturating_sub(1)),
        }
        let items = status.leaves.get(self.leaf).map_or(0, item_count);
        self.item = self.item.min(items.saturating_sub(1));
        self.status = Some(status);
        self.problem = None;
    }

    fn move_item(&mut self, delta: isize) -> bool {
        let count = self.current_leaf().map_or(0, item_count);
        let next = self.item.saturating_add_signed(delta);
        if next >= count || next == self.item {
            return false;
        }
        self.item = next;
        self.scroll = 0;
        true
    }

    fn move_leaf(&mut self, delta: isize) -> bool {
        let next = self.leaf.saturating_add_signed(delta);
        if next >= self.leaves().len() || next == self.leaf {
            return false;
        }
        self.leaf = next;
        self.item = 0;
        self.scroll = 0;
        true
    }

    /// The decision job on the item shown (without a comment), and the item's name.
    fn decision(&self, decision: Decision) -> Option<(ReviewJob, String)> {
        let queued = self.current_leaf()?;
        let (leaf, file) = (queued.leaf.leaf.clone(), queued.leaf.file.clone());
        Some(match self.shown()? {
            Shown::Fields(change, _) => (
                ReviewJob::DecideFields {
                    leaf,
                    file,
                    shown: change.hash.clone(),
                    decision,
                    comment: None,
                },
                "leaf fields".to_owned(),
            ),
            Shown::Example(example, _) => (
                ReviewJob::Decide {
                    leaf,
                    file,
                    index: example.index,
                    shown: example.hash.clone(),
                    decision,
                    comment: None,
                },
                format!("example {}", example.index + 1),
            ),
        })
    }

    fn decide(&mut self, ctx: &mut Shared, decision: Decision, with_comment: bool) -> Reaction {
        if self.current_leaf().is_none() {
            ctx.notify("no leaf to review");
            return Reaction::none();
        }
        let Some((job, item)) = self.decision(decision) else {
            ctx.notify_error("this leaf has nothing to decide on; give it a verdict");
            return Reaction::none();
        };
        if with_comment {
            return Reaction::push(CommentPrompt::new(job, item, decision));
        }
        self.move_item(1);
        ctx.notify("recording…");
        Effect::Review(job).into()
    }

    fn give_verdict(&self, ctx: &mut Shared, verdict: Verdict) -> Reaction {
        let Some(queued) = self.current_leaf() else {
            ctx.notify("no leaf to give a verdict on");
            return Reaction::none();
        };
        let job = ReviewJob::Verdict {
            leaf: queued.leaf.leaf.clone(),
            file: queued.leaf.file.clone(),
            shown: queued.leaf.leaf_hash(),
            verdict,
            comment: None,
        };
        ctx.notify("recording…");
        Effect::Review(job).into()
    }

    /// Goes back to the item of a decision that was refused (its leaf changed on
    /// disk, say), as the fresh queue shows it: nothing was recorded, and moving on
    /// would leave it undecided unnoticed.
    fn show_refused(&mut self, job: &ReviewJob) {
        let (key, example) = match job {
            ReviewJob::Decide { leaf, index, .. } => (leaf, Some(*index)),
            ReviewJob::DecideFields { leaf, .. } => (leaf, None),
            ReviewJob::Status | ReviewJob::Verdict { .. } | ReviewJob::RecordPreview { .. } => {
                return;
            }
        };
        let Some(position) = self.leaves().iter().position(|l| l.leaf.leaf == *key) else {
            return;
        };
        let leaf = &self.leaves()[position];
        let fields = usize::from(leaf.leaf.fields.is_some());
        let item = match example {
            Some(index) => index + fields,
            None if fields == 1 => 0,
            None => return,
        };
        if item < item_count(leaf) {
            (self.leaf, self.item, self.scroll) = (position, item, 0);
        }
    }

    /// Takes a queue read from the store, or why it could not be read.
    fn take_queue(&mut self, ctx: &mut Shared, status: Result<Box<ReviewStatus>, String>) {
        match status {
            Ok(status) => {
                self.take_status(status);
                if ctx.notice.as_ref().is_some_and(|n| n.text == READING) {
                    ctx.notice = None;
                }
            }
            Err(why) => {
                self.problem = Some(why.clone());
                ctx.notify_error(why);
            }
        }
    }
}

/// The item of a leaf on screen, with each reviewer's state on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown<'a> {
    /// The change of the leaf's own fields.
    Fields(&'a FieldsChange, &'a [ReviewerState]),
    /// An example.
    Example(&'a QueueExample, &'a [ReviewerState]),
}

/// How many items a leaf has to decide on: its examples, and its own fields when
/// they changed.
pub fn item_count(leaf: &LeafReview) -> usize {
    leaf.leaf.examples.len() + usize::from(leaf.leaf.fields.is_some())
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

impl Component for ReviewScreen {
    fn mode(&self, _ctx: &Shared) -> Mode {
        Mode::Review
    }

    fn handle(&mut self, ctx: &mut Shared, press: Press) -> Reaction {
        let Some(action) = press.action else {
            return Reaction::none();
        };
        ctx.notice = None;
        match action {
            Action::Back => return Reaction::close(),
            Action::Quit => return ctx.quit(),
            Action::Help => return Reaction::push(Help::open(ctx)),
            Action::Reload => {
                ctx.notify(READING);
                return Effect::Review(ReviewJob::Status).into();
            }
            Action::PageUp | Action::PageDown => {
                // The screen's area: the terminal above the two status lines.
                let area = Rect::new(0, 0, ctx.width, ctx.height.saturating_sub(2));
                let panes = panes::Panes::of(area, self);
                self.scroll = panes.paged(self.scroll, action == Action::PageDown);
            }
            Action::NextExample => {
                if !self.move_item(1) {
                    ctx.notify("the last example of this leaf: next-leaf goes on");
                }
            }
            Action::PrevExample => {
                if !self.move_item(-1) {
                    ctx.notify("the first example of this leaf");
                }
            }
            Action::NextLeaf => {
                if !self.move_leaf(1) {
                    ctx.notify("the last leaf of the queue");
                }
            }
            Action::PrevLeaf => {
                if !self.move_leaf(-1) {
                    ctx.notify("the first leaf of the queue");
                }
            }
            action => {
                if let Some((decision, with_comment)) = decision_of(action) {
                    return self.decide(ctx, decision, with_comment);
                }
                if let Some(verdict) = verdict_of(action) {
                    return self.give_verdict(ctx, verdict);
                }
            }
        }
        Reaction::none()
    }

    fn take(&mut self, ctx: &mut Shared, msg: Msg) -> Taken {
        match msg {
            Msg::Review(ReviewReply::Status(status)) => {
                self.take_queue(ctx, status);
                Taken::Yes(Reaction::none())
            }
            Msg::Review(ReviewReply::Recorded {
                job,
                result,
                status,
            }) => {
                let refused = result.is_err();
                ctx.said(result);
                self.take_queue(ctx, status);
                if refused {
                    self.show_refused(&job);
                }
                Taken::Yes(Reaction::none())
            }
            other => Taken::No(other),
        }
    }

    fn draw(&self, frame: &mut Frame<'_>, area: Rect, ctx: &Shared, _focused: bool) {
        view::draw(frame, area, ctx, self);
    }

    fn hints(&self, _ctx: &Shared) -> &'static [Action] {
        &[
            Action::Approve,
            Action::RequestChanges,
            Action::Reject,
            Action::RejectWithComment,
            Action::NextExample,
            Action::NextLeaf,
            Action::Help,
            Action::Back,
        ]
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
    use crate::tui::app::App;
    use crate::tui::keymap::Keymap;
    use crate::tui::marks::{LeafMarks, ReviewMarks};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::path::{Path, PathBuf};

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
            fields: None,
            unreadable: None,
        };
        LeafReview {
            records: Vec::new(),
            states: vec![Vec::new(); count],
            fields_states: Vec::new(),
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
        let leaf = &app.screen::<ReviewScreen>().unwrap().leaves()[leaf].leaf;
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
            app.screen::<ReviewScreen>().unwrap().item,
            2,
            "the last one stays"
        );
        assert_eq!(keys(&mut app, "kk"), Vec::new());
        assert_eq!(app.screen::<ReviewScreen>().unwrap().item, 0);
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
        let screen = app.screen::<ReviewScreen>().unwrap();
        assert_eq!((screen.leaf, screen.item), (1, 0));
        assert!(keys(&mut app, "J").is_empty());
        assert_eq!(
            app.screen::<ReviewScreen>().unwrap().leaf,
            1,
            "the last leaf stays"
        );
        let leaf = &app.screen::<ReviewScreen>().unwrap().leaves()[1].leaf;
        let expected = Effect::Review(ReviewJob::Verdict {
            leaf: "b".into(),
            file: leaf.file.clone(),
            shown: leaf.leaf_hash(),
            verdict: Verdict::Uncertain,
            comment: None,
        });
        assert_eq!(keys(&mut app, "4"), vec![expected]);
        keys(&mut app, "q");
        assert!(
            app.screen::<ReviewScreen>().is_none(),
            "q goes back to the tree"
        );
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
    fn checklist_marks_are_one_column_wide() {
        use crate::review::checklist::CheckStatus;
        use ratatui::{Terminal, backend::TestBackend};
        let mut app = reviewing();
        let mut leaf = queued("a", 3);
        leaf.checklist.items[0].status = CheckStatus::Warn;
        leaf.checklist.items[1].status = CheckStatus::Fail;
        let reply = ReviewReply::Status(Ok(status(vec![leaf])));
        app.update(Msg::Review(reply));
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal.draw(|frame| app.draw(frame)).unwrap();
        let buffer = terminal.backend().buffer();
        let screen = terminal.backend().to_string();
        assert!(screen.contains("! "), "a warning is marked:\n{screen}");
        for cell in buffer.content() {
            let symbol = cell.symbol();
            assert!(
                symbol.chars().count() == 1 && !symbol.contains('\u{fe0f}'),
                "{symbol:?} is not one plain character:\n{screen}"
            );
            assert!(
                !matches!(symbol, "✅" | "❌" | "⚠"),
                "{symbol:?} is an emoji:\n{screen}"
            );
        }
    }

    #[test]
    fn a_fresh_queue_keeps_the_leaf_shown() {
        let mut screen = ReviewScreen::default();
        screen.take_status(status(vec![queued("a", 3), queued("b", 2)]));
        screen.leaf = 1;
        screen.item = 1;
        // A leaf appeared before it, and it lost an example.
        screen.take_status(status(vec![queued("0", 1), queued("a", 3), queued("b", 1)]));
        assert_eq!((screen.leaf, screen.item), (2, 0));
        assert_eq!(screen.current_leaf().unwrap().leaf.leaf, "b");
        let marks = ReviewMarks::from_leaves(screen.leaves());
        assert_eq!(marks.get(Path::new("b")), Some(None), "queued, pending");
        assert_eq!(marks.get(Path::new("c")), None, "not queued");
    }
}
