//! Review records kept in git, outside the taxonomy tree: one note per leaf under
//! [`NOTES_REF`], attached to the blob `taxon-review:<leaf folder>`, whose body holds one
//! JSON [`Record`] per line. An update appends its line to the note as it is on the
//! notes ref at that moment (a compare-and-swap of the ref, see [`git::update_note`]), so
//! no record is lost, not even to another process writing at the same time; fetched
//! notes are merged record by record. A damaged line is skipped when reading, reported
//! (see [`DamagedLine`]) and kept when writing.

use std::time::{SystemTime, UNIX_EPOCH};

use git2::{Repository, Signature};

use crate::git::{self, NotesMerge};

use super::error::ReviewError;
use super::record::{BadLine, ParsedNote, Record, Reviewer, format_note, parse_note, union};

/// The notes ref holding review records.
pub const NOTES_REF: &str = "refs/notes/taxon-review";

/// Where `fetch` puts the remote's notes before merging them (removed afterwards).
pub const REMOTE_NOTES_REF: &str = "refs/notes/taxon-review-remote";

/// The remote used when none is named.
pub const DEFAULT_REMOTE: &str = "origin";

/// The text whose blob a leaf's note is attached to.
pub fn note_key(leaf: &str) -> String {
    format!("taxon-review:{leaf}")
}

/// Now, in seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The reviewer identity of `repo`: `user.name` and `user.email` from git config.
pub fn reviewer_identity(repo: &Repository) -> Result<Reviewer, ReviewError> {
    match git::identity(repo) {
        Ok(identity) => Ok(Reviewer {
            name: identity.name,
            email: identity.email,
        }),
        Err(git::GitError::NoIdentity { key }) => Err(ReviewError::NoIdentity { key }),
        Err(e) => Err(e.into()),
    }
}

/// What `fetch` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchOutcome {
    /// The remote has no review notes.
    NothingOnRemote,
    /// The remote's notes were merged (or were already known).
    Merged(NotesMerge),
}

/// The review records of one repository.
pub struct ReviewStore<'r> {
    repo: &'r Repository,
}

impl<'r> ReviewStore<'r> {
    /// The store of `repo`.
    pub fn new(repo: &'r Repository) -> Self {
        Self { repo }
    }

    /// Every record of `leaf`, oldest first, and the damaged lines skipped.
    pub fn records(&self, leaf: &str) -> Result<(Vec<Record>, Vec<DamagedLine>), ReviewError> {
        let Some(text) = git::read_note(self.repo, NOTES_REF, &note_key(leaf))? else {
            return Ok((Vec::new(), Vec::new()));
        };
        let ParsedNote { records, damaged } = parse_note(&text);
        let damaged = damaged
            .into_iter()
            .map(|line| DamagedLine {
                leaf: leaf.to_owned(),
                line,
            })
            .collect();
        Ok((records, damaged))
    }

    /// Adds `record` to `leaf`'s note, keeping every line already there, as a notes
    /// commit by `reviewer`; a record another process added meanwhile is kept too.
    pub fn append(
        &self,
        leaf: &str,
        record: Record,
        reviewer: &Reviewer,
    ) -> Result<(), ReviewError> {
        let signature = Signature::now(&reviewer.name, &reviewer.email)?;
        let line = format_note(std::slice::from_ref(&record));
        git::update_note(self.repo, NOTES_REF, &note_key(leaf), &signature, |note| {
            let mut text = note.unwrap_or_default().to_owned();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text + &line
        })?;
        Ok(())
    }

    /// Pushes the review notes to `remote` (a remote's name, a path or a `file://` URL).
    /// Refused when the remote has notes this repository has not fetched yet.
    pub fn push(&self, remote: &str) -> Result<(), ReviewError> {
        if git::ref_target(self.repo, NOTES_REF)?.is_none() {
            return Err(ReviewError::NothingToPush);
        }
        git::push_ref(self.repo, remote, NOTES_REF)?;
        Ok(())
    }

    /// Fetches `remote`'s review notes into [`REMOTE_NOTES_REF`] and merges them into
    /// the local ones: the union of both sides' records, with a merge commit by
    /// `reviewer` when both sides had notes of their own.
    pub fn fetch(&self, remote: &str, reviewer: &Reviewer) -> Result<FetchOutcome, ReviewError> {
        if !git::fetch_ref(self.repo, remote, NOTES_REF, REMOTE_NOTES_REF)? {
            return Ok(FetchOutcome::NothingOnRemote);
        }
        let signature = Signature::now(&reviewer.name, &reviewer.email)?;
        let merged = git::merge_notes(
            self.repo,
            NOTES_REF,
            REMOTE_NOTES_REF,
            &signature,
            merge_bodies,
        );
        // The temporary ref goes whether or not the merge worked; a retry fetches again.
        self.repo.find_reference(REMOTE_NOTES_REF)?.delete()?;
        Ok(FetchOutcome::Merged(merged?))
    }
}

/// A line of a leaf's review note that is not a record: skipped when reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the review note of {leaf} is damaged at {line}; that line is skipped: fix or remove it with \
     `git notes --ref=taxon-review edit $(printf 'taxon-review:{leaf}' | git hash-object --stdin)`"
)]
pub struct DamagedLine {
    /// The leaf whose note it is.
    pub leaf: String,
    /// The line and what is wrong with it.
    pub line: BadLine,
}

/// The union of two note bodies: record by record when both parse, else line by line,
/// so that even a damaged note loses nothing.
pub fn merge_bodies(ours: &str, theirs: &str) -> String {
    match (parse_note(ours), parse_note(theirs)) {
        (ours, theirs) if ours.damaged.is_empty() && theirs.damaged.is_empty() => {
            format_note(&union(ours.records, theirs.records))
        }
        _ => {
            let mut lines: Vec<&str> = ours.lines().collect();
            for line in theirs.lines() {
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            lines.iter().map(|l| format!("{l}\n")).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_notes_merge_by_lines() {
        let merged = merge_bodies("a\nb\n", "b\nc\n");
        assert_eq!(merged, "a\nb\nc\n");
    }
}
