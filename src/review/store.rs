//! Review records kept in git, outside the taxonomy tree: one note per leaf under
//! [`NOTES_REF`], attached to the blob `taxon-review:<leaf folder>`, whose body holds one
//! JSON [`Record`] per line. Updates read, append and write back, so no record is lost;
//! fetched notes are merged record by record.

use std::time::{SystemTime, UNIX_EPOCH};

use git2::{ErrorCode, Repository, Signature};

use crate::git::{self, NotesMerge};

use super::error::ReviewError;
use super::record::{Record, Reviewer, format_note, parse_note, union};

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
    let config = repo.config()?;
    let get = |key: &'static str| match config.get_string(key) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        Ok(_) => Err(ReviewError::NoIdentity { key }),
        Err(e) if e.code() == ErrorCode::NotFound => Err(ReviewError::NoIdentity { key }),
        Err(e) => Err(e.into()),
    };
    Ok(Reviewer {
        name: get("user.name")?,
        email: get("user.email")?,
    })
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

    /// Every record of `leaf`, oldest first.
    pub fn records(&self, leaf: &str) -> Result<Vec<Record>, ReviewError> {
        match git::read_note(self.repo, NOTES_REF, &note_key(leaf))? {
            Some(text) => parse_note(&text).map_err(|error| ReviewError::BadNote {
                leaf: leaf.to_owned(),
                error,
            }),
            None => Ok(Vec::new()),
        }
    }

    /// Adds `record` to `leaf`'s note, keeping every record already there, as a notes
    /// commit by `reviewer`.
    pub fn append(
        &self,
        leaf: &str,
        record: Record,
        reviewer: &Reviewer,
    ) -> Result<(), ReviewError> {
        let mut records = self.records(leaf)?;
        records.push(record);
        let signature = Signature::now(&reviewer.name, &reviewer.email)?;
        git::write_note(
            self.repo,
            NOTES_REF,
            &note_key(leaf),
            &format_note(&records),
            &signature,
        )?;
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

/// The union of two note bodies: record by record when both parse, else line by line,
/// so that even a damaged note loses nothing.
pub fn merge_bodies(ours: &str, theirs: &str) -> String {
    match (parse_note(ours), parse_note(theirs)) {
        (Ok(ours), Ok(theirs)) => format_note(&union(ours, theirs)),
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
