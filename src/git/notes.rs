//! Raw git notes under one notes ref: text keyed by a string, and the merge of a fetched
//! notes ref into the local one.

use git2::{ErrorCode, ObjectType, Oid, Repository, Signature};

use super::error::GitError;

/// The object a note keyed by `key` is attached to: the blob holding `key`'s bytes.
pub fn note_key(key: &str) -> Result<Oid, GitError> {
    Ok(Oid::hash_object(ObjectType::Blob, key.as_bytes())?)
}

/// The text of the note keyed by `key` under `notes_ref`, or `None` when there is none
/// (or the notes ref does not exist yet).
pub fn read_note(
    repo: &Repository,
    notes_ref: &str,
    key: &str,
) -> Result<Option<String>, GitError> {
    read_note_on(repo, notes_ref, note_key(key)?)
}

fn read_note_on(
    repo: &Repository,
    notes_ref: &str,
    target: Oid,
) -> Result<Option<String>, GitError> {
    match repo.find_note(Some(notes_ref), target) {
        Ok(note) => Ok(Some(
            String::from_utf8_lossy(note.message_bytes()).into_owned(),
        )),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Replaces the note keyed by `key` under `notes_ref` with `text`, as a new notes commit
/// by `signature`. The key itself is written as a blob so the note annotates a real object.
pub fn write_note(
    repo: &Repository,
    notes_ref: &str,
    key: &str,
    text: &str,
    signature: &Signature<'_>,
) -> Result<(), GitError> {
    let target = repo.blob(key.as_bytes())?;
    repo.note(signature, signature, Some(notes_ref), target, text, true)?;
    Ok(())
}

/// The commit `reference` points to, or `None` when it does not exist.
pub fn ref_target(repo: &Repository, reference: &str) -> Result<Option<Oid>, GitError> {
    match repo.find_reference(reference) {
        Ok(found) => Ok(Some(found.peel_to_commit()?.id())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What [`merge_notes`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotesMerge {
    /// The incoming notes were already part of the local history.
    UpToDate,
    /// The local ref did not exist or was behind: it now points at the incoming commit.
    FastForward,
    /// Both sides had notes of their own: the notes were merged note by note and a merge
    /// commit with both histories as parents was made.
    Merged {
        /// How many notes changed locally.
        notes_changed: usize,
    },
}

/// Merges the notes of `incoming_ref` into `local_ref`. Where both sides have a note for
/// the same object, `merge(local, incoming)` gives the merged text. The result keeps both
/// histories, so pushing `local_ref` afterwards is a fast-forward.
pub fn merge_notes(
    repo: &Repository,
    local_ref: &str,
    incoming_ref: &str,
    signature: &Signature<'_>,
    merge: impl Fn(&str, &str) -> String,
) -> Result<NotesMerge, GitError> {
    let Some(incoming) = ref_target(repo, incoming_ref)? else {
        return Ok(NotesMerge::UpToDate);
    };
    let local = match ref_target(repo, local_ref)? {
        Some(local) if local == incoming || repo.graph_descendant_of(local, incoming)? => {
            return Ok(NotesMerge::UpToDate);
        }
        Some(local) if !repo.graph_descendant_of(incoming, local)? => local,
        _ => {
            repo.reference(
                local_ref,
                incoming,
                true,
                "taxon: fast-forward review notes",
            )?;
            return Ok(NotesMerge::FastForward);
        }
    };
    let mut notes_changed = 0;
    let incoming_notes: Vec<(Oid, Oid)> =
        repo.notes(Some(incoming_ref))?.collect::<Result<_, _>>()?;
    for (blob, target) in incoming_notes {
        let theirs = String::from_utf8_lossy(repo.find_blob(blob)?.content()).into_owned();
        let ours = read_note_on(repo, local_ref, target)?;
        let merged = match &ours {
            Some(ours) => merge(ours, &theirs),
            None => theirs,
        };
        if ours.as_deref() != Some(merged.as_str()) {
            repo.note(signature, signature, Some(local_ref), target, &merged, true)?;
            notes_changed += 1;
        }
    }
    let ours = repo.find_commit(ref_target(repo, local_ref)?.unwrap_or(local))?;
    let theirs = repo.find_commit(incoming)?;
    repo.commit(
        Some(local_ref),
        signature,
        signature,
        "Merge review notes",
        &ours.tree()?,
        &[&ours, &theirs],
    )?;
    Ok(NotesMerge::Merged { notes_changed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hash_like_git_blobs() {
        // `printf 'abc' | git hash-object --stdin`
        assert_eq!(
            note_key("abc").unwrap().to_string(),
            "f2ba8f84ab5c1bce84a7b441cb1959cfc7093b7f"
        );
    }
}
