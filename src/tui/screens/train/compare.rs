//! The before/after check on the training screen: the check as shown (answers as
//! they come), starting it for the selected run on the tree's leaf, its keys, and
//! its replies.

use crate::train::spec::EngineSpec;
use crate::tui::action::Action;
use crate::tui::compare_jobs::{CompareJob, seed_questions};
use crate::tui::component::Reaction;
use crate::tui::msg::Effect;
use crate::tui::popups::help::Help;
use crate::tui::shared::Shared;
use crate::tui::train_jobs::{AnswerProgress, TrainJob, TrainReply};

use super::TrainScreen;

/// A whole answer of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What the model wrote.
    pub text: String,
    /// Whether it stopped at the token limit, unfinished.
    pub cut: bool,
}

/// The check as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comparison {
    /// The leaf asked about.
    pub leaf: String,
    /// The run and checkpoint of the tuned model.
    pub tuned_name: String,
    /// The questions.
    pub questions: Vec<String>,
    /// The base model's answers, as they come.
    pub base: Vec<Option<Answer>>,
    /// The tuned model's answers, as they come.
    pub tuned: Vec<Option<Answer>>,
    /// The answer being written: whether the tuned model writes it, the question,
    /// the text so far.
    pub writing: Option<(bool, usize, String)>,
    /// The check's generation.
    pub generation: u64,
    /// Why it stopped, if it failed.
    pub problem: Option<String>,
    /// How far the pane is scrolled.
    pub scroll: u16,
}

impl Comparison {
    /// The check of `questions` (their answers still to come).
    pub fn new(leaf: String, tuned_name: String, questions: Vec<String>, generation: u64) -> Self {
        let empty = vec![None; questions.len()];
        Self {
            leaf,
            tuned_name,
            base: empty.clone(),
            tuned: empty,
            writing: None,
            questions,
            generation,
            problem: None,
            scroll: 0,
        }
    }

    /// Takes one answer of this check, whole or so far (others' are dropped).
    pub fn take(
        &mut self,
        generation: u64,
        index: usize,
        tuned: bool,
        text: String,
        progress: AnswerProgress,
    ) {
        if generation != self.generation {
            return;
        }
        let cut = match progress {
            AnswerProgress::Writing => {
                self.writing = Some((tuned, index, text));
                return;
            }
            AnswerProgress::Whole => false,
            AnswerProgress::Cut => true,
        };
        self.writing = None;
        let answers = if tuned {
            &mut self.tuned
        } else {
            &mut self.base
        };
        if let Some(slot) = answers.get_mut(index) {
            *slot = Some(Answer { text, cut });
        }
    }

    /// The text so far of the answer being written, if it is this one.
    pub fn so_far(&self, tuned: bool, index: usize) -> Option<&str> {
        match &self.writing {
            Some((t, i, text)) if (*t, *i) == (tuned, index) => Some(text),
            _ => None,
        }
    }

    /// Whether every answer has come.
    pub fn is_complete(&self) -> bool {
        self.base.iter().chain(&self.tuned).all(Option::is_some)
    }
}

impl TrainScreen {
    /// The check of the selected run on the tree's leaf (its generation still 0),
    /// with the leaf's and the tuned model's names; or why there is none.
    fn prepare_compare(&self, ctx: &Shared) -> Result<(String, String, CompareJob), String> {
        let entry = self.current().ok_or("no run to check")?;
        let base = match entry.spec.as_ref().map(|s| &s.engine) {
            Some(EngineSpec::Local(local)) => local.model.clone(),
            _ => return Err("only runs of the built-in trainer have a model to check".to_owned()),
        };
        let checkpoint = entry
            .status
            .checkpoints
            .last()
            .ok_or_else(|| format!("run {} has saved no checkpoint yet", entry.run.id))?;
        let leaf = ctx.tree.selected_leaf().map(|i| &ctx.taxonomy.leaves[i]);
        let (leaf, qna) = leaf
            .and_then(|l| Some((l, l.report.qna.as_ref()?)))
            .ok_or("select a readable leaf in the tree first: its seed questions are asked")?;
        let (system, questions) = seed_questions(qna);
        if questions.is_empty() {
            return Err(format!("{} has no seed questions", leaf.folder.display()));
        }
        let job = CompareJob {
            generation: 0,
            base,
            tuned: checkpoint.q8_0.clone(),
            system,
            questions,
        };
        let tuned_name = format!("{} {}", entry.run.id, checkpoint.label);
        Ok((leaf.folder.display().to_string(), tuned_name, job))
    }

    /// Starts the before/after check of the selected run on the tree's leaf.
    pub(super) fn start_compare(&mut self, ctx: &mut Shared) -> Reaction {
        let (leaf, tuned_name, mut job) = match self.prepare_compare(ctx) {
            Ok(prepared) => prepared,
            Err(why) => {
                ctx.notify_error(why);
                return Reaction::none();
            }
        };
        self.checks += 1;
        job.generation = self.checks;
        let check = Comparison::new(leaf, tuned_name, job.questions.clone(), job.generation);
        self.compare = Some(Box::new(check));
        Effect::Train(TrainJob::Compare(Box::new(job))).into()
    }

    /// Keys while the before/after check is shown.
    pub(super) fn compare_key(&mut self, ctx: &mut Shared, action: Option<Action>) -> Reaction {
        let page = ctx.height.saturating_sub(8).max(1);
        let Some(check) = self.compare.as_deref_mut() else {
            return Reaction::none();
        };
        match action {
            Some(Action::Back) => {
                self.compare = None;
                return Effect::Train(TrainJob::CancelCompare).into();
            }
            Some(Action::Quit) => return ctx.quit(),
            Some(Action::Help) => return Reaction::push(Help::open(ctx)),
            Some(action) => {
                if let Some(scroll) = action.scrolled(check.scroll, page) {
                    check.scroll = scroll;
                }
            }
            None => {}
        }
        Reaction::none()
    }

    /// Takes an answer, or the failure, of the before/after check shown.
    pub(super) fn compare_reply(&mut self, ctx: &mut Shared, reply: TrainReply) {
        let Some(check) = self.compare.as_deref_mut() else {
            return;
        };
        match reply {
            TrainReply::Answer {
                generation,
                index,
                tuned,
                text,
                progress,
            } => check.take(generation, index, tuned, text, progress),
            TrainReply::CompareFailed { generation, why } if generation == check.generation => {
                check.problem = Some(why.clone());
                ctx.notify_error(why);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn answers_of_an_older_check_are_dropped() {
        use AnswerProgress::{Cut, Whole, Writing};
        let mut check = Comparison::new("leaf".into(), "run".into(), vec!["Q?".into()], 2);
        check.take(1, 0, false, "old".into(), Whole);
        assert_eq!(check.base, [None]);
        check.take(2, 0, false, "ba".into(), Writing);
        assert_eq!(check.so_far(false, 0), Some("ba"), "streamed");
        assert_eq!(check.so_far(true, 0), None);
        check.take(2, 0, false, "base".into(), Whole);
        assert_eq!(check.so_far(false, 0), None, "whole now");
        check.take(2, 5, true, "out of range".into(), Whole);
        assert!(!check.is_complete());
        check.take(2, 0, true, "tuned".into(), Cut);
        assert!(check.is_complete());
        let cut = Answer {
            text: "tuned".into(),
            cut: true,
        };
        assert_eq!(check.tuned, [Some(cut)]);
    }
}
