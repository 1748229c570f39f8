//! `taxon review`: the review queue, decisions, verdicts, previews, a markdown summary,
//! and sharing the review notes with a remote.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::dirs::AppDirs;
use crate::generate::dataset::{LeafFiles, file_timestamp};
use crate::git::{Base, NotesMerge};
use crate::review::checklist::CheckKind;
use crate::review::store::FetchOutcome;
use crate::review::summary::markdown;
use crate::review::{Decision, LeafReview, Review, ReviewError, Verdict};

use super::args::{
    DecideArgs, PreviewArgs, RemoteArgs, ReviewArgs, ReviewCommand, ReviewFormat, ReviewScope,
    VerdictArgs,
};
use super::diff::describe_base;
use super::generate::{generate_leaves, print_summaries};
use super::output::display_path;
use super::preview_record::preview_run;
use super::review_output::{print_human, print_json};
use super::{EXIT_ERRORS, EXIT_OK};

/// Runs `taxon review`; returns the exit code.
pub fn run(args: &ReviewArgs) -> anyhow::Result<u8> {
    match &args.command {
        ReviewCommand::Status(args) => status(&args.scope, args.format),
        ReviewCommand::Summary(args) => summary(&args.scope),
        ReviewCommand::Decide(args) => decide(args),
        ReviewCommand::Verdict(args) => verdict(args),
        ReviewCommand::Preview(args) => return preview(args),
        ReviewCommand::Push(args) => push(args),
        ReviewCommand::Fetch(args) => fetch(args),
    }?;
    Ok(EXIT_OK)
}

fn base_of(scope: &ReviewScope) -> Base {
    scope.base.as_deref().map_or(Base::Default, Base::parse)
}

/// Warns on stderr of the damaged lines of the leaves' review notes, which are skipped.
fn warn_of_damaged_notes(leaves: &[LeafReview]) {
    let items = leaves.iter().flat_map(|leaf| &leaf.checklist.items);
    for item in items.filter(|item| item.kind == CheckKind::DamagedNote) {
        note!("taxon: warning: {}", item.detail);
    }
}

fn status(scope: &ReviewScope, format: ReviewFormat) -> anyhow::Result<()> {
    let review = Review::open(&scope.taxonomy)?;
    let (queue, leaves) = review.status(&base_of(scope))?;
    warn_of_damaged_notes(&leaves);
    match format {
        ReviewFormat::Human => print_human(&queue, &leaves, &review.reviewer().ok()),
        ReviewFormat::Json => print_json(&leaves),
    }
    .context("printing the review queue")
}

fn summary(scope: &ReviewScope) -> anyhow::Result<()> {
    let review = Review::open(&scope.taxonomy)?;
    let (queue, leaves) = review.status(&base_of(scope))?;
    warn_of_damaged_notes(&leaves);
    let title = format!(
        "Taxon review: {} changed leaves since {}",
        leaves.len(),
        describe_base(&queue.base)
    );
    std::io::stdout()
        .lock()
        .write_all(markdown(&title, &leaves).as_bytes())
        .context("printing the summary")
}

/// The review of the repository holding the leaf at `leaf` (a folder or a file).
fn open_at(leaf: &Path) -> Result<Review, ReviewError> {
    let folder = if leaf.is_dir() {
        leaf.to_path_buf()
    } else {
        match leaf.parent() {
            Some(parent) if parent.as_os_str().is_empty() => PathBuf::from("."),
            Some(parent) if leaf.is_file() => parent.to_path_buf(),
            _ => {
                return Err(ReviewError::NotALeaf {
                    path: leaf.to_path_buf(),
                });
            }
        }
    };
    Review::open(&folder)
}

fn decide(args: &DecideArgs) -> anyhow::Result<()> {
    let review = open_at(&args.leaf)?;
    let (leaf, hashes) = review.leaf_at(&args.leaf)?;
    let flags = &args.decision;
    let decision = if flags.approve {
        Decision::Approve
    } else if flags.request_changes {
        Decision::RequestChanges
    } else {
        Decision::Reject
    };
    let Some(example) = args.example else {
        let (leaf, fields_hash) = review.fields_at(&args.leaf)?;
        let record = review.decide_fields(&leaf, fields_hash, decision, args.comment.clone())?;
        out!(
            "{leaf}: leaf fields {} by {} (content {})",
            decision.label(),
            record.reviewer,
            record.fields_hash.short()
        )?;
        return Ok(());
    };
    let index = usize::try_from(example - 1).unwrap_or(usize::MAX);
    let record = review.decide(
        &leaf,
        &hashes.examples,
        index,
        decision,
        args.comment.clone(),
    )?;
    out!(
        "{leaf}: example {example} {} by {} (content {})",
        decision.label(),
        record.reviewer,
        record.example_hash.short()
    )?;
    Ok(())
}

fn verdict(args: &VerdictArgs) -> anyhow::Result<()> {
    let review = open_at(&args.leaf)?;
    let (leaf, hashes) = review.leaf_at(&args.leaf)?;
    let flags = &args.verdict;
    let verdict = if flags.approved {
        Verdict::Approved
    } else if flags.changes_requested {
        Verdict::ChangesRequested
    } else if flags.rejected {
        Verdict::Rejected
    } else {
        Verdict::Uncertain
    };
    let record = review.give_verdict(&leaf, &hashes, verdict, args.comment.clone())?;
    out!("{leaf}: {} by {}", verdict.label(), record.reviewer)?;
    Ok(())
}

/// Generates a few samples from the leaf's examples as `taxon generate` would, and
/// records the preview only if at least one sample was accepted.
fn preview(args: &PreviewArgs) -> anyhow::Result<u8> {
    let review = open_at(&args.leaf)?;
    let (leaf, hashes) = review.leaf_at(&args.leaf)?;
    // Reviewer first: a preview that could not be recorded is not run.
    review.reviewer()?;
    let dirs = AppDirs::from_env();
    let _log_guard = crate::logging::init(&dirs.log_file());
    // A folder of its own each time, so a preview always runs (never resumes).
    let output = dirs
        .cache
        .join("previews")
        .join(file_timestamp(time::OffsetDateTime::now_utc()));
    let Some(generated) = generate_leaves(
        &args.run,
        &dirs,
        review.root(),
        vec![PathBuf::from(&leaf)],
        &output,
    )?
    else {
        return Ok(EXIT_ERRORS);
    };
    print_summaries(&generated.done, &generated.failures).context("printing the summary")?;
    let Some((summary, _)) = generated.done.first() else {
        note!("taxon: {leaf}: the preview did not run, so none is recorded");
        return Ok(EXIT_ERRORS);
    };
    if summary.accepted == 0 {
        note!("taxon: {leaf}: the preview accepted no sample, so none is recorded (reasons above)");
        return Ok(EXIT_ERRORS);
    }
    let record =
        review.record_preview(&leaf, &hashes, preview_run(summary), args.comment.clone())?;
    out!(
        "{leaf}: generation preview recorded by {}: {} of {} samples accepted, in {}",
        record.reviewer,
        summary.accepted,
        summary.num,
        display_path(&LeafFiles::new(&output, &leaf).samples).display()
    )?;
    Ok(EXIT_OK)
}

fn push(args: &RemoteArgs) -> anyhow::Result<()> {
    let review = Review::open(&args.taxonomy)?;
    review.push(&args.remote)?;
    out!("pushed {} to {}", crate::review::NOTES_REF, args.remote)?;
    Ok(())
}

fn fetch(args: &RemoteArgs) -> anyhow::Result<()> {
    let review = Review::open(&args.taxonomy)?;
    let what = match review.fetch(&args.remote)? {
        FetchOutcome::NothingOnRemote => "has no review notes yet".to_owned(),
        FetchOutcome::Merged(NotesMerge::UpToDate) => "has no review notes you lack".to_owned(),
        FetchOutcome::Merged(NotesMerge::FastForward) => {
            "had newer review notes: yours now match them".to_owned()
        }
        FetchOutcome::Merged(NotesMerge::Merged { notes_changed }) => format!(
            "had review notes of its own: merged, {notes_changed} leaves' notes updated (push to share the merge)"
        ),
    };
    out!("{}: {what}", args.remote)?;
    Ok(())
}
