//! Review work for the interface, off the event loop: reading the review queue with
//! everyone's decisions, and recording this reviewer's decisions, verdicts and
//! successful generation previews through the review engine. The runtime runs these
//! jobs one at a time, in order, so two quick decisions never race for the notes ref.

use std::path::{Path, PathBuf};

use crate::git::{Base, ResolvedBase};
use crate::review::example::{ContentHash, LeafHashes};
use crate::review::record::PreviewRun;
use crate::review::{Decision, LeafReview, Review, ReviewError, Reviewer, Verdict};

/// Review work the interface asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewJob {
    /// The queue against the default base, with everyone's decisions.
    Status,
    /// Record this reviewer's decision on one example.
    Decide {
        /// The leaf's review key.
        leaf: String,
        /// Its `qna.yaml`.
        file: PathBuf,
        /// The example (0-based).
        index: usize,
        /// The example's content as shown: the decision is refused if the file has
        /// changed since.
        shown: ContentHash,
        /// The decision.
        decision: Decision,
        /// Why, if the reviewer said.
        comment: Option<String>,
    },
    /// Record this reviewer's decision on the change of a leaf's own fields.
    DecideFields {
        /// The leaf's review key.
        leaf: String,
        /// Its `qna.yaml`.
        file: PathBuf,
        /// The fields' content as shown: the decision is refused if the file has
        /// changed since.
        shown: ContentHash,
        /// The decision.
        decision: Decision,
        /// Why, if the reviewer said.
        comment: Option<String>,
    },
    /// Record that a generation preview of a leaf's examples succeeded.
    RecordPreview {
        /// Its `qna.yaml`, relative to the taxonomy root.
        file: PathBuf,
        /// The hash of all its examples as previewed.
        shown: ContentHash,
        /// What ran and what it kept.
        run: PreviewRun,
    },
    /// Record this reviewer's verdict on a leaf.
    Verdict {
        /// The leaf's review key.
        leaf: String,
        /// Its `qna.yaml`.
        file: PathBuf,
        /// The hash of all its examples as shown.
        shown: ContentHash,
        /// The verdict.
        verdict: Verdict,
        /// Why, if the reviewer said.
        comment: Option<String>,
    },
}

/// The review queue as the screen and the tree show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewStatus {
    /// The base the changes are measured from, by name.
    pub base: String,
    /// The queued leaves with their review state.
    pub leaves: Vec<LeafReview>,
    /// This reviewer (the git identity), if one is configured.
    pub reviewer: Option<Reviewer>,
}

/// The outcome of a [`ReviewJob`]; errors are the engine's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewReply {
    /// The queue, or why there is none.
    Status(Result<Box<ReviewStatus>, String>),
    /// A decision or verdict was recorded (what to say), then the queue read again.
    Recorded {
        /// The job that asked for it.
        job: ReviewJob,
        /// What happened.
        result: Result<String, String>,
        /// The queue read afterwards, or why it could not be.
        status: Result<Box<ReviewStatus>, String>,
    },
}

fn base_name(base: &ResolvedBase) -> String {
    match base {
        ResolvedBase::Ref(base) => base.name.clone(),
        ResolvedBase::Empty => "empty".to_owned(),
        ResolvedBase::UnbornHead => "no commit yet".to_owned(),
    }
}

fn status(root: &Path) -> Result<Box<ReviewStatus>, String> {
    let review = Review::open(root).map_err(|e| e.to_string())?;
    let (queue, leaves) = review.status(&Base::Default).map_err(|e| e.to_string())?;
    Ok(Box::new(ReviewStatus {
        base: base_name(&queue.base),
        leaves,
        reviewer: review.reviewer().ok(),
    }))
}

/// The leaf's current hashes, refused when `changed` says they differ from what the
/// reviewer saw.
fn current_hashes(
    review: &Review,
    file: &Path,
    changed: impl Fn(&LeafHashes) -> bool,
) -> Result<(String, LeafHashes), String> {
    let (leaf, hashes) = review.leaf_at(file).map_err(|e| e.to_string())?;
    if changed(&hashes) {
        return Err(changed_on_disk(&leaf));
    }
    Ok((leaf, hashes))
}

/// The refusal of a record for a leaf that changed after it was shown.
fn changed_on_disk(leaf: &str) -> String {
    format!("{leaf} changed on disk since it was shown; nothing was recorded, look again")
}

fn record(job: &ReviewJob, root: &Path) -> Result<String, String> {
    let review = Review::open(root).map_err(|e| e.to_string())?;
    let said = |e: ReviewError| e.to_string();
    match job {
        ReviewJob::Status => Ok(String::new()),
        ReviewJob::Decide {
            file,
            index,
            shown,
            decision,
            comment,
            ..
        } => {
            let (leaf, hashes) = current_hashes(&review, file, |hashes| {
                hashes.examples.get(*index) != Some(shown)
            })?;
            let record = review
                .decide(&leaf, &hashes.examples, *index, *decision, comment.clone())
                .map_err(said)?;
            Ok(format!(
                "example {} {} by {}",
                index + 1,
                decision.label(),
                record.reviewer.name
            ))
        }
        ReviewJob::DecideFields {
            file,
            shown,
            decision,
            comment,
            ..
        } => {
            let (leaf, hash) = review.fields_at(file).map_err(said)?;
            if hash != *shown {
                return Err(changed_on_disk(&leaf));
            }
            let record = review
                .decide_fields(&leaf, hash, *decision, comment.clone())
                .map_err(said)?;
            Ok(format!(
                "leaf fields {} by {}",
                decision.label(),
                record.reviewer.name
            ))
        }
        ReviewJob::RecordPreview { file, shown, run } => {
            let (leaf, hashes) =
                current_hashes(&review, &root.join(file), |hashes| hashes.leaf() != *shown)?;
            let record = review
                .record_preview(&leaf, &hashes, run.clone(), None)
                .map_err(said)?;
            Ok(format!(
                "{leaf}: generation preview recorded by {} ({} of {} samples accepted)",
                record.reviewer.name, run.accepted, run.wanted
            ))
        }
        ReviewJob::Verdict {
            file,
            shown,
            verdict,
            comment,
            ..
        } => {
            let (leaf, hashes) = current_hashes(&review, file, |hashes| hashes.leaf() != *shown)?;
            let record = review
                .give_verdict(&leaf, &hashes, *verdict, comment.clone())
                .map_err(said)?;
            Ok(format!(
                "{leaf}: {} by {}",
                verdict.label(),
                record.reviewer.name
            ))
        }
    }
}

/// Runs `job` on the taxonomy at `root` (blocking) and says how it went.
pub fn run(job: &ReviewJob, root: &Path) -> ReviewReply {
    match job {
        ReviewJob::Status => ReviewReply::Status(status(root)),
        ReviewJob::Decide { .. }
        | ReviewJob::DecideFields { .. }
        | ReviewJob::Verdict { .. }
        | ReviewJob::RecordPreview { .. } => ReviewReply::Recorded {
            job: job.clone(),
            result: record(job, root),
            status: status(root),
        },
    }
}
