//! The before/after check's work: a leaf's seed questions asked to the base model
//! and to a run's newest quantized checkpoint, greedily, one model after the other
//! on a thread of their own (the generation engine), each answer streamed as it is
//! written. A newer check or closing the pane cancels the running one.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::generate::{Engine, EngineConfig, Finish, Prompt, Request, Sampling, complete};
use crate::taxonomy::qna::Qna;
use crate::train::dataset::leaf_conversations;

use super::train_jobs::{AnswerProgress, TrainReply};

/// Seed questions asked at most (each is asked twice).
pub const MAX_QUESTIONS: usize = 5;
/// New tokens per answer at most.
pub const MAX_TOKENS: u32 = 80;

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
                    progress: AnswerProgress::Writing,
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
                    progress: if completion.finish == Finish::Length {
                        AnswerProgress::Cut
                    } else {
                        AnswerProgress::Whole
                    },
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

#[cfg(test)]
mod tests {
    use super::*;
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
