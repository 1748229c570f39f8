//! The before/after check of the training screen: a leaf's seed questions asked to
//! the base model and to a run's newest quantized checkpoint, greedily, one model
//! after the other on a thread of their own (the generation engine), each answer
//! streamed as it is written. A newer check or closing the pane cancels the running
//! one.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::generate::{Engine, EngineConfig, Prompt, Request, Sampling, complete};
use crate::taxonomy::qna::Qna;
use crate::train::dataset::leaf_conversations;
use crate::train::spec::EngineSpec;

use super::action::Action;
use super::app::{App, Effect};
use super::popups::help::Help;
use super::train_jobs::{TrainJob, TrainReply};

/// Seed questions asked at most (each is asked twice).
pub const MAX_QUESTIONS: usize = 5;
/// New tokens per answer at most.
const MAX_TOKENS: u32 = 80;

/// One before/after check to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareJob {
    /// Tells its answers from an earlier check's.
    pub generation: u64,
    /// The base model.
    pub base: PathBuf,
    /// The tuned model (a checkpoint's Q8_0 GGUF).
    pub tuned: PathBuf,
    /// The system message the run trained with.
    pub system: Option<String>,
    /// The questions.
    pub questions: Vec<String>,
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
    pub base: Vec<Option<String>>,
    /// The tuned model's answers, as they come.
    pub tuned: Vec<Option<String>>,
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
        complete: bool,
    ) {
        if generation != self.generation {
            return;
        }
        if !complete {
            self.writing = Some((tuned, index, text));
            return;
        }
        self.writing = None;
        let answers = if tuned {
            &mut self.tuned
        } else {
            &mut self.base
        };
        if let Some(slot) = answers.get_mut(index) {
            *slot = Some(text);
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

/// The system message and the first [`MAX_QUESTIONS`] seed questions of a leaf, as
/// its training conversations put them.
pub fn seed_questions(qna: &Qna) -> (Option<String>, Vec<String>) {
    let conversations = leaf_conversations(qna);
    let system = conversations
        .first()
        .and_then(|c| c.messages.iter().find(|m| m.role == "system"))
        .map(|m| m.content.clone());
    let questions = conversations
        .iter()
        .filter_map(|c| c.messages.iter().find(|m| m.role == "user"))
        .map(|m| m.content.clone())
        .take(MAX_QUESTIONS)
        .collect();
    (system, questions)
}

/// Runs `job` until it is done or `cancelled`; `send` reports, and returns false
/// once nobody listens.
pub fn run(job: &CompareJob, cancelled: &AtomicBool, mut send: impl FnMut(TrainReply) -> bool) {
    let failed = |why: String| TrainReply::CompareFailed {
        generation: job.generation,
        why,
    };
    for (tuned, model) in [(false, &job.base), (true, &job.tuned)] {
        let mut config = EngineConfig::new(model.clone());
        config.threads = config.threads.min(2);
        config.context_size = 1024;
        let (engine, events) = match Engine::start(config) {
            Ok(started) => started,
            Err(error) => {
                send(failed(format!("{}: {error}", model.display())));
                return;
            }
        };
        for (index, question) in job.questions.iter().enumerate() {
            if cancelled.load(Ordering::SeqCst) {
                return;
            }
            let request = Request {
                prompt: Prompt::Chat {
                    system: job.system.clone(),
                    user: question.clone(),
                    prefix: String::new(),
                },
                max_tokens: MAX_TOKENS,
                sampling: Sampling {
                    temperature: 0.0,
                    ..Sampling::with_seed(1)
                },
                stop: Vec::new(),
            };
            let mut so_far = String::new();
            let mut listened = true;
            let result = complete(&engine, &events, request, |piece| {
                so_far.push_str(piece);
                listened &= send(TrainReply::Answer {
                    generation: job.generation,
                    index,
                    tuned,
                    text: so_far.trim_start().to_owned(),
                    complete: false,
                });
            });
            if !listened {
                return;
            }
            let reply = match result {
                Ok(completion) => TrainReply::Answer {
                    generation: job.generation,
                    index,
                    tuned,
                    text: completion.text.trim().to_owned(),
                    complete: true,
                },
                Err(error) => failed(error.to_string()),
            };
            let stop = matches!(reply, TrainReply::CompareFailed { .. });
            if !send(reply) || stop {
                return;
            }
        }
    }
}

/// The running check's cancel flag; a new check or closing cancels the old one.
#[derive(Debug, Default)]
pub struct CompareSlot {
    running: Option<Arc<AtomicBool>>,
}

impl CompareSlot {
    /// Cancels the running check, if any.
    pub fn cancel(&mut self) {
        if let Some(flag) = self.running.take() {
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// Cancels the running check and starts `job` on its own thread.
    pub fn start(
        &mut self,
        job: CompareJob,
        mut send: impl FnMut(TrainReply) -> bool + Send + 'static,
    ) {
        self.cancel();
        let flag = Arc::new(AtomicBool::new(false));
        self.running = Some(Arc::clone(&flag));
        std::thread::spawn(move || run(&job, &flag, &mut send));
    }
}

impl App {
    /// The check of the selected run on the tree's leaf (its generation still 0),
    /// with the leaf's and the tuned model's names; or why there is none.
    fn prepare_compare(&self) -> Result<(String, String, CompareJob), String> {
        let entry = self
            .train
            .as_deref()
            .and_then(|s| s.current())
            .ok_or("no run to check")?;
        let base = match entry.spec.as_ref().map(|s| &s.engine) {
            Some(EngineSpec::Local(local)) => local.model.clone(),
            _ => return Err("only runs of the built-in trainer have a model to check".to_owned()),
        };
        let checkpoint = entry
            .status
            .checkpoints
            .last()
            .ok_or_else(|| format!("run {} has saved no checkpoint yet", entry.run.id))?;
        let leaf = self
            .shared
            .tree
            .selected_leaf()
            .map(|i| &self.shared.taxonomy.leaves[i]);
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
    pub(super) fn start_compare(&mut self) -> Vec<Effect> {
        let (leaf, tuned_name, mut job) = match self.prepare_compare() {
            Ok(prepared) => prepared,
            Err(why) => {
                self.shared.notify_error(why);
                return Vec::new();
            }
        };
        let Some(screen) = self.train.as_deref_mut() else {
            return Vec::new();
        };
        screen.checks += 1;
        job.generation = screen.checks;
        let check = Comparison::new(leaf, tuned_name, job.questions.clone(), job.generation);
        screen.compare = Some(Box::new(check));
        vec![Effect::Train(TrainJob::Compare(Box::new(job)))]
    }

    /// Keys while the before/after check is shown.
    pub(super) fn compare_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        let page = self.shared.height.saturating_sub(8).max(1);
        let Some(check) = self
            .train
            .as_deref_mut()
            .and_then(|s| s.compare.as_deref_mut())
        else {
            return Vec::new();
        };
        match action {
            Some(Action::Back) => {
                if let Some(screen) = self.train.as_deref_mut() {
                    screen.compare = None;
                }
                return vec![Effect::Train(TrainJob::CancelCompare)];
            }
            Some(Action::Quit) => return self.quit(),
            Some(Action::Help) => self.popups.push(Box::new(Help::default())),
            Some(Action::Up) => check.scroll = check.scroll.saturating_sub(1),
            Some(Action::Down) => check.scroll = check.scroll.saturating_add(1),
            Some(Action::PageUp) => check.scroll = check.scroll.saturating_sub(page),
            Some(Action::PageDown) => check.scroll = check.scroll.saturating_add(page),
            _ => {}
        }
        Vec::new()
    }

    /// Takes an answer, or the failure, of the before/after check shown.
    pub(super) fn compare_reply(&mut self, reply: TrainReply) {
        let Some(check) = self
            .train
            .as_deref_mut()
            .and_then(|s| s.compare.as_deref_mut())
        else {
            return;
        };
        match reply {
            TrainReply::Answer {
                generation,
                index,
                tuned,
                text,
                complete,
            } => check.take(generation, index, tuned, text, complete),
            TrainReply::CompareFailed { generation, why } if generation == check.generation => {
                check.problem = Some(why.clone());
                self.shared.notify_error(why);
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
        let mut check = Comparison::new("leaf".into(), "run".into(), vec!["Q?".into()], 2);
        check.take(1, 0, false, "old".into(), true);
        assert_eq!(check.base, [None]);
        check.take(2, 0, false, "ba".into(), false);
        assert_eq!(check.so_far(false, 0), Some("ba"), "streamed");
        assert_eq!(check.so_far(true, 0), None);
        check.take(2, 0, false, "base".into(), true);
        assert_eq!(check.so_far(false, 0), None, "whole now");
        check.take(2, 5, true, "out of range".into(), true);
        assert!(!check.is_complete());
        check.take(2, 0, true, "tuned".into(), true);
        assert!(check.is_complete());
        assert_eq!(check.tuned, [Some("tuned".to_owned())]);
    }

    #[test]
    fn a_missing_model_fails_the_check() {
        let job = CompareJob {
            generation: 7,
            base: "/nonexistent/base.gguf".into(),
            tuned: "/nonexistent/tuned.gguf".into(),
            system: None,
            questions: vec!["Q?".into()],
        };
        let mut replies = Vec::new();
        run(&job, &AtomicBool::new(false), |r| {
            replies.push(r);
            true
        });
        assert!(
            matches!(&replies[..], [TrainReply::CompareFailed { generation: 7, why }] if why.contains("/nonexistent/base.gguf")),
            "{replies:?}"
        );
    }
}
