//! The one executor of effects: what each [`Effect`] does outside the application
//! state, as a blocking function of the effect and the [`Env`] it runs in. The
//! runtime and the tests' harness both call [`perform`]; the runtime only chooses
//! the thread each effect runs on ([`Effect::lane`]). The two effects that need the
//! terminal itself (quitting and the external editor) are the runtime's.
//!
//! Jobs return their own reply types (`GitReply`, `ReviewReply`, ...); this is where
//! they become messages.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use tokio::sync::mpsc::UnboundedSender;

use crate::buffer::SaveError;
use crate::drafts::Drafts;
use crate::find::{FIND_LIMIT, Index};
use crate::taxonomy::model::{Leaf, Taxonomy};
use crate::taxonomy::validate::Options;

use super::eval_jobs::{EvalJob, EvalWorker};
use super::load::{git_state, load};
use super::msg::{Effect, Msg, SaveFailure};
use super::preview_jobs::{PreviewConfig, PreviewWorker};
use super::train_jobs::TrainWorker;
use super::{git_jobs, review_jobs};

/// What effects run against: the taxonomy's root, the drafts folder, the finder's
/// index, and the threads that stream (training, evaluations, previews).
pub struct Env {
    root: PathBuf,
    drafts: Drafts,
    index: Mutex<Index>,
    trains: TrainWorker,
    evals: EvalWorker,
    previews: PreviewWorker,
}

impl Env {
    /// The environment of the interface on `taxonomy`; the streaming threads send
    /// their replies to `tx`.
    pub fn new(
        taxonomy: &Taxonomy,
        drafts: Drafts,
        preview: PreviewConfig,
        tx: &UnboundedSender<Msg>,
    ) -> Self {
        let (trains, evals, previews) = (tx.clone(), tx.clone(), tx.clone());
        Self {
            root: taxonomy.root.clone(),
            drafts,
            index: Mutex::new(Index::build(taxonomy)),
            trains: TrainWorker::spawn(move |reply| trains.send(Msg::Train(reply)).is_ok()),
            evals: EvalWorker::new(move |reply| {
                let _ = evals.send(Msg::Eval(reply));
            }),
            previews: PreviewWorker::spawn(preview, move |reply| {
                let _ = previews.send(Msg::Preview(reply));
            }),
        }
    }

    /// The taxonomy root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// Where the runtime runs an effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// The terminal's own (quitting, the external editor): the runtime does it.
    Terminal,
    /// At once, on the event loop: cheap, and in order with the next message.
    Inline,
    /// On a thread of its own.
    Background,
    /// On the queue's thread, one after another, skipping any effect that a later
    /// one waiting in the queue supersedes ([`Effect::supersedes`]).
    Queue(Queue),
}

/// The queues effects wait in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Saves and reads of leaf files, so two saves of a leaf never race.
    Files,
    /// Finder searches and index rebuilds.
    Finder,
    /// Review work: two decisions never race for the notes ref.
    Review,
    /// Validations of edited texts: never on the event loop, the newest wins.
    Validate,
}

impl Effect {
    /// Where the runtime runs this effect.
    pub fn lane(&self) -> Lane {
        match self {
            Effect::Quit | Effect::RunEditor { .. } => Lane::Terminal,
            Effect::KeepDraft(_)
            | Effect::ForgetDraft { .. }
            | Effect::Train(_)
            | Effect::Eval(EvalJob::Start { .. } | EvalJob::Cancel)
            | Effect::Preview(_)
            | Effect::CancelPreview => Lane::Inline,
            Effect::Git(_) | Effect::Reload | Effect::Eval(EvalJob::Load(_)) => Lane::Background,
            Effect::Save { .. } | Effect::ReadFile { .. } | Effect::CreateLeaf(_) => {
                Lane::Queue(Queue::Files)
            }
            Effect::Search { .. } | Effect::Reindex(_) => Lane::Queue(Queue::Finder),
            Effect::Review(_) => Lane::Queue(Queue::Review),
            Effect::Validate(_) => Lane::Queue(Queue::Validate),
        }
    }

    /// Whether this effect makes `older`, still waiting in the same queue, needless:
    /// only the newest search, index, review status and validation of a leaf are
    /// worth the work.
    pub fn supersedes(&self, older: &Effect) -> bool {
        use super::review_jobs::ReviewJob;
        if let (Effect::Validate(newer), Effect::Validate(older)) = (self, older) {
            return newer.folder == older.folder;
        }
        matches!(
            (self, older),
            (Effect::Search { .. }, Effect::Search { .. })
                | (Effect::Reindex(_), Effect::Reindex(_))
                | (
                    Effect::Review(ReviewJob::Status),
                    Effect::Review(ReviewJob::Status)
                )
        )
    }
}

/// Does `effect` (blocking) and returns the message that reports it, if any.
/// Effects of [`Lane::Terminal`] are not done here.
pub fn perform(effect: Effect, env: &Env) -> Option<Msg> {
    let root = env.root.as_path();
    match effect {
        Effect::Quit | Effect::RunEditor { .. } => None,
        Effect::Search { generation, query } => {
            let mut index = env.index.lock().unwrap_or_else(PoisonError::into_inner);
            let hits = index.search(&query, FIND_LIMIT);
            Some(Msg::Hits { generation, hits })
        }
        Effect::Reindex(taxonomy) => {
            let fresh = Index::build(&taxonomy);
            *env.index.lock().unwrap_or_else(PoisonError::into_inner) = fresh;
            None
        }
        Effect::Reload => Some(Msg::Loaded(Box::new(load(root)))),
        Effect::Save { mut buffer, over } => {
            let result = buffer.save_over(&over).map_err(|error| match error {
                SaveError::ChangedOnDisk(_) => SaveFailure::ChangedOnDisk(buffer.disk_state()),
                other => SaveFailure::Failed(other.to_string()),
            });
            Some(Msg::Saved {
                folder: buffer.folder,
                result,
            })
        }
        Effect::ReadFile { folder } => Some(Msg::LeafRead {
            leaf: Box::new(Leaf::read(root, folder, &Options::default())),
            git: git_state(root),
        }),
        Effect::Validate(validation) => Some(Msg::Validated(Box::new(validation.run()))),
        Effect::KeepDraft(draft) => {
            if let Err(error) = env.drafts.keep(&draft) {
                tracing::error!(
                    "keeping a draft of {} failed: {error}",
                    draft.folder.display()
                );
            }
            None
        }
        Effect::ForgetDraft { folder } => {
            if let Err(error) = env.drafts.forget(root, &folder) {
                tracing::error!("dropping the draft of {} failed: {error}", folder.display());
            }
            None
        }
        Effect::Git(job) => Some(Msg::Git(git_jobs::run(&job, root))),
        Effect::CreateLeaf(leaf) => Some(Msg::LeafCreated(
            leaf.create(root)
                .map(|folder| Box::new(Leaf::read(root, folder, &Options::default())))
                .map_err(|error| error.to_string()),
        )),
        Effect::Review(job) => Some(Msg::Review(review_jobs::run(&job, root))),
        Effect::Train(job) => {
            env.trains.send(job);
            None
        }
        Effect::Eval(job) => env.evals.perform(job).map(Msg::Eval),
        Effect::Preview(job) => {
            env.previews.start(job);
            None
        }
        Effect::CancelPreview => {
            env.previews.cancel();
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::review_jobs::ReviewJob;

    #[test]
    fn only_the_newest_of_a_kind_supersedes() {
        let search = |query: &str| Effect::Search {
            generation: 1,
            query: query.into(),
        };
        assert!(search("b").supersedes(&search("a")));
        assert!(!search("b").supersedes(&Effect::Reindex(Box::default())));
        let status = Effect::Review(ReviewJob::Status);
        assert!(status.supersedes(&status));
        let verdict = Effect::Review(ReviewJob::Verdict {
            leaf: "a".into(),
            file: "a/qna.yaml".into(),
            shown: crate::review::example::ContentHash(String::new()),
            verdict: crate::review::Verdict::Approved,
            comment: None,
        });
        assert!(!status.supersedes(&verdict), "a decision is never skipped");
        assert_eq!(search("a").lane(), Lane::Queue(Queue::Finder));
        assert_eq!(Effect::Quit.lane(), Lane::Terminal);
    }
}
