//! `taxon review`: the review queue, decisions, verdicts, previews, a markdown summary,
//! and sharing the review notes with a remote.

use std::path::{Path, PathBuf};

use crate::git::{Base, NotesMerge};
use crate::review::store::FetchOutcome;
use crate::review::summary::markdown;
use crate::review::{Decision, Review, ReviewError, Verdict};

use super::args::{
    DecideArgs, PreviewArgs, RemoteArgs, ReviewArgs, ReviewCommand, ReviewFormat, ReviewScope,
    VerdictArgs,
};
use super::diff::describe_base;
use super::review_output::{print_human, print_json};
use super::{EXIT_OK, EXIT_TROUBLE};

/// Runs `taxon review`; returns the exit code.
pub fn run(args: &ReviewArgs) -> u8 {
    let result = match &args.command {
        ReviewCommand::Status(args) => status(&args.scope, args.format),
        ReviewCommand::Summary(args) => summary(&args.scope),
        ReviewCommand::Decide(args) => decide(args),
        ReviewCommand::Verdict(args) => verdict(args),
        ReviewCommand::Preview(args) => preview(args),
        ReviewCommand::Push(args) => push(args),
        ReviewCommand::Fetch(args) => fetch(args),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(error) => {
            eprintln!("taxon: {error}");
            EXIT_TROUBLE
        }
    }
}

fn base_of(scope: &ReviewScope) -> Base {
    scope.base.as_deref().map_or(Base::Default, Base::parse)
}

fn status(scope: &ReviewScope, format: ReviewFormat) -> Result<(), ReviewError> {
    let review = Review::open(&scope.taxonomy)?;
    let (queue, leaves) = review.status(&base_of(scope))?;
    match format {
        ReviewFormat::Human => print_human(&queue, &leaves, &review.reviewer().ok()),
        ReviewFormat::Json => print_json(&leaves),
    }
    Ok(())
}

fn summary(scope: &ReviewScope) -> Result<(), ReviewError> {
    let review = Review::open(&scope.taxonomy)?;
    let (queue, leaves) = review.status(&base_of(scope))?;
    let title = format!(
        "Taxon review: {} changed leaves since {}",
        leaves.len(),
        describe_base(&queue.base)
    );
    print!("{}", markdown(&title, &leaves));
    Ok(())
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

fn decide(args: &DecideArgs) -> Result<(), ReviewError> {
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
    let index = usize::try_from(args.example - 1).unwrap_or(usize::MAX);
    let record = review.decide(&leaf, &hashes, index, decision, args.comment.clone())?;
    println!(
        "{leaf}: example {} {} by {} (content {})",
        args.example,
        decision.label(),
        record.reviewer,
        record.example_hash.short()
    );
    Ok(())
}

fn verdict(args: &VerdictArgs) -> Result<(), ReviewError> {
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
    println!("{leaf}: {} by {}", verdict.label(), record.reviewer);
    Ok(())
}

fn preview(args: &PreviewArgs) -> Result<(), ReviewError> {
    let review = open_at(&args.leaf)?;
    let (leaf, hashes) = review.leaf_at(&args.leaf)?;
    let record = review.record_preview(&leaf, &hashes, args.comment.clone())?;
    println!(
        "{leaf}: successful generation preview recorded by {}",
        record.reviewer
    );
    Ok(())
}

fn push(args: &RemoteArgs) -> Result<(), ReviewError> {
    let review = Review::open(&args.taxonomy)?;
    review.push(&args.remote)?;
    println!("pushed {} to {}", crate::review::NOTES_REF, args.remote);
    Ok(())
}

fn fetch(args: &RemoteArgs) -> Result<(), ReviewError> {
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
    println!("{}: {what}", args.remote);
    Ok(())
}
