//! Raw git notes under one notes ref: text keyed by a string, updated by
//! compare-and-swap so that concurrent writers never lose each other's notes, and the
//! merge of a fetched notes ref into the local one.
//!
//! A notes ref points at a commit whose tree maps the annotated object's hex id to the
//! note's blob, either flat or fanned out in two-character folders (`ab/cdef…`), as
//! git writes it. Every update reads the ref, builds the new commit on the commit
//! read, and moves the ref only if it still points there; otherwise it reads again
//! and re-applies the change (see [`swap_ref`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use git2::{ErrorCode, ObjectType, Oid, Repository, Signature, Tree};

use super::error::GitError;

/// How long an update waits, in all, for another process to release the ref's lock.
pub const LOCK_PATIENCE: Duration = Duration::from_secs(20);

/// The file mode of a note's blob in the notes tree.
const FILE_MODE: i32 = 0o100_644;
/// The file mode of a fan-out folder in the notes tree.
const FOLDER_MODE: i32 = 0o040_000;

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
    let Some(commit) = ref_target(repo, notes_ref)? else {
        return Ok(None);
    };
    let tree = repo.find_commit(commit)?.tree()?;
    note_in_tree(repo, &tree, &note_key(key)?.to_string())
}

/// The text of the note on the object `hex` in a notes tree, flat or fanned out.
fn note_in_tree(repo: &Repository, tree: &Tree<'_>, hex: &str) -> Result<Option<String>, GitError> {
    if let Some(entry) = tree.get_name(hex)
        && entry.kind() == Some(ObjectType::Blob)
    {
        let blob = repo.find_blob(entry.id())?;
        return Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()));
    }
    match fan_out_folder(repo, tree, hex)? {
        Some(folder) => note_in_tree(repo, &folder, &hex[2..]),
        None => Ok(None),
    }
}

/// The fan-out folder of a notes tree that would hold the note on `hex`.
fn fan_out_folder<'r>(
    repo: &'r Repository,
    tree: &Tree<'_>,
    hex: &str,
) -> Result<Option<Tree<'r>>, GitError> {
    let Some(prefix) = hex.get(..2).filter(|_| hex.len() > 2) else {
        return Ok(None);
    };
    match tree.get_name(prefix) {
        Some(entry) if entry.kind() == Some(ObjectType::Tree) => {
            Ok(Some(repo.find_tree(entry.id())?))
        }
        _ => Ok(None),
    }
}

/// A notes tree: `tree` (or an empty one) with each `(hex, blob)` note set, where git
/// would find it: at its existing place, else in the fan-out folder for its first two
/// characters if there is one, else flat.
fn tree_with_notes(
    repo: &Repository,
    tree: Option<&Tree<'_>>,
    notes: &[(String, Oid)],
) -> Result<Oid, GitError> {
    let mut builder = repo.treebuilder(tree)?;
    let mut in_folders: BTreeMap<String, (Tree<'_>, Vec<(String, Oid)>)> = BTreeMap::new();
    for (hex, blob) in notes {
        let folder = match tree {
            Some(tree) if tree.get_name(hex).is_none() => fan_out_folder(repo, tree, hex)?,
            _ => None,
        };
        match folder {
            Some(folder) => in_folders
                .entry(hex[..2].to_owned())
                .or_insert_with(|| (folder, Vec::new()))
                .1
                .push((hex[2..].to_owned(), *blob)),
            None => {
                builder.insert(hex, *blob, FILE_MODE)?;
            }
        }
    }
    for (prefix, (folder, notes)) in in_folders {
        let written = tree_with_notes(repo, Some(&folder), &notes)?;
        builder.insert(prefix, written, FOLDER_MODE)?;
    }
    Ok(builder.write()?)
}

/// Sets the note keyed by `key` under `notes_ref` to `edit(current text)`, as a notes
/// commit by `signature`. The key itself is written as a blob, so the note annotates a
/// real object. `edit` may be called more than once: when another process moved the
/// ref meanwhile, the change is re-applied to the note as that process left it.
pub fn update_note(
    repo: &Repository,
    notes_ref: &str,
    key: &str,
    signature: &Signature<'_>,
    edit: impl FnMut(Option<&str>) -> String,
) -> Result<(), GitError> {
    update_note_waiting(repo, notes_ref, key, signature, edit, LOCK_PATIENCE)
}

/// [`update_note`], waiting at most `patience` for a lock.
fn update_note_waiting(
    repo: &Repository,
    notes_ref: &str,
    key: &str,
    signature: &Signature<'_>,
    mut edit: impl FnMut(Option<&str>) -> String,
    patience: Duration,
) -> Result<(), GitError> {
    let target = repo.blob(key.as_bytes())?.to_string();
    with_retries(repo, notes_ref, patience, |parent| {
        let parent = parent.map(|id| repo.find_commit(id)).transpose()?;
        let tree = parent.as_ref().map(git2::Commit::tree).transpose()?;
        let current = match &tree {
            Some(tree) => note_in_tree(repo, tree, &target)?,
            None => None,
        };
        let blob = repo.blob(edit(current.as_deref()).as_bytes())?;
        let tree = tree_with_notes(repo, tree.as_ref(), &[(target.clone(), blob)])?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        Ok(repo.commit(
            None,
            signature,
            signature,
            "Notes added by taxon",
            &repo.find_tree(tree)?,
            &parents,
        )?)
    })
    .map(|_| ())
}

/// The commit `reference` points to, or `None` when it does not exist.
pub fn ref_target(repo: &Repository, reference: &str) -> Result<Option<Oid>, GitError> {
    match repo.find_reference(reference) {
        Ok(found) => Ok(Some(found.peel_to_commit()?.id())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Why a ref was not moved.
enum SwapRefused {
    /// It no longer points where it did when read: read it again.
    Moved,
    /// Another process holds its lock: wait and try again.
    Locked(git2::Error),
}

/// Moves `reference` to `new` only if it still points at `old` (`None`: only if it
/// does not exist yet).
fn swap_ref(
    repo: &Repository,
    reference: &str,
    old: Option<Oid>,
    new: Oid,
) -> Result<Result<(), SwapRefused>, GitError> {
    let message = "taxon: update review notes";
    let swapped = match old {
        Some(old) => repo.reference_matching(reference, new, true, old, message),
        None => repo.reference(reference, new, false, message),
    };
    match swapped {
        Ok(_) => Ok(Ok(())),
        Err(e) if matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists) => {
            Ok(Err(SwapRefused::Moved))
        }
        Err(e) if e.code() == ErrorCode::Locked => Ok(Err(SwapRefused::Locked(e))),
        Err(e) => Err(e.into()),
    }
}

/// Moves `reference` to the commit `make(commit it points at now)` builds, by
/// compare-and-swap: when another process moved the ref meanwhile, `make` runs again
/// on the new commit; while another process holds the ref's lock, it waits (a short,
/// growing pause) up to `patience` in all, then gives up with [`GitError::RefLocked`].
/// `make` returning the commit read leaves the ref as it is. Returns the commit the
/// ref points at in the end.
fn with_retries(
    repo: &Repository,
    reference: &str,
    patience: Duration,
    mut make: impl FnMut(Option<Oid>) -> Result<Oid, GitError>,
) -> Result<Oid, GitError> {
    let deadline = Instant::now() + patience;
    let mut pause = Duration::from_millis(2);
    loop {
        let old = ref_target(repo, reference)?;
        let new = make(old)?;
        if Some(new) == old {
            return Ok(new);
        }
        match swap_ref(repo, reference, old, new)? {
            Ok(()) => return Ok(new),
            Err(SwapRefused::Moved) => {}
            Err(SwapRefused::Locked(error)) => {
                if Instant::now() >= deadline {
                    return Err(GitError::RefLocked {
                        reference: reference.to_owned(),
                        lock: repo.path().join(format!("{reference}.lock")),
                        seconds: patience.as_secs_f64(),
                        source: error,
                    });
                }
                std::thread::sleep(pause + jitter());
                pause = (pause * 2).min(Duration::from_millis(100));
            }
        }
    }
}

/// Up to 2 ms, different in each process and each call, so that processes waiting for
/// the same lock do not retry in step.
fn jitter() -> Duration {
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mixed = clock ^ std::process::id().wrapping_mul(2_654_435_761);
    Duration::from_nanos(u64::from(mixed % 2_000_000))
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
/// histories, so pushing `local_ref` afterwards is a fast-forward. The local ref moves by
/// compare-and-swap, like [`update_note`]'s.
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
    let incoming_notes: Vec<(Oid, Oid)> =
        repo.notes(Some(incoming_ref))?.collect::<Result<_, _>>()?;
    let mut outcome = NotesMerge::UpToDate;
    with_retries(repo, local_ref, LOCK_PATIENCE, |local| {
        let local = match local {
            Some(local) if local == incoming || repo.graph_descendant_of(local, incoming)? => {
                outcome = NotesMerge::UpToDate;
                return Ok(local);
            }
            Some(local) if !repo.graph_descendant_of(incoming, local)? => local,
            _ => {
                outcome = NotesMerge::FastForward;
                return Ok(incoming);
            }
        };
        let ours = repo.find_commit(local)?;
        let tree = ours.tree()?;
        let mut changed = Vec::new();
        for (blob, target) in &incoming_notes {
            let theirs = String::from_utf8_lossy(repo.find_blob(*blob)?.content()).into_owned();
            let hex = target.to_string();
            let mine = note_in_tree(repo, &tree, &hex)?;
            let merged = match &mine {
                Some(mine) => merge(mine, &theirs),
                None => theirs,
            };
            if mine.as_deref() != Some(merged.as_str()) {
                changed.push((hex, repo.blob(merged.as_bytes())?));
            }
        }
        outcome = NotesMerge::Merged {
            notes_changed: changed.len(),
        };
        let merged_tree = repo.find_tree(tree_with_notes(repo, Some(&tree), &changed)?)?;
        let theirs = repo.find_commit(incoming)?;
        Ok(repo.commit(
            None,
            signature,
            signature,
            "Merge review notes",
            &merged_tree,
            &[&ours, &theirs],
        )?)
    })?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        (dir, repo)
    }

    fn signature() -> Signature<'static> {
        Signature::now("Ana", "ana@example.com").unwrap()
    }

    fn append(repo: &Repository, key: &str, line: &str) {
        update_note(repo, "refs/notes/test", key, &signature(), |text| {
            format!("{}{line}\n", text.unwrap_or_default())
        })
        .unwrap();
    }

    #[test]
    fn keys_hash_like_git_blobs() {
        // `printf 'abc' | git hash-object --stdin`
        assert_eq!(
            note_key("abc").unwrap().to_string(),
            "f2ba8f84ab5c1bce84a7b441cb1959cfc7093b7f"
        );
    }

    #[test]
    fn updates_build_on_the_note_and_libgit2_reads_them() {
        let (_dir, repo) = repository();
        assert_eq!(read_note(&repo, "refs/notes/test", "a").unwrap(), None);
        append(&repo, "a", "one");
        append(&repo, "a", "two");
        append(&repo, "b", "three");
        assert_eq!(
            read_note(&repo, "refs/notes/test", "a").unwrap().as_deref(),
            Some("one\ntwo\n")
        );
        let found = repo
            .find_note(Some("refs/notes/test"), note_key("b").unwrap())
            .unwrap();
        assert_eq!(found.message().unwrap(), "three\n");
        let head = repo.find_reference("refs/notes/test").unwrap();
        let commit = head.peel_to_commit().unwrap();
        assert_eq!(
            commit.parent_count(),
            1,
            "each update is one commit on the last"
        );
    }

    #[test]
    fn fanned_out_notes_are_updated_in_place() {
        let (_dir, repo) = repository();
        // A notes tree as git writes it with many notes: `ab/cdef...`.
        let hex = note_key("a").unwrap().to_string();
        let blob = repo.blob(b"old\n").unwrap();
        let mut folder = repo.treebuilder(None).unwrap();
        folder.insert(&hex[2..], blob, FILE_MODE).unwrap();
        let folder = folder.write().unwrap();
        let mut root = repo.treebuilder(None).unwrap();
        root.insert(&hex[..2], folder, FOLDER_MODE).unwrap();
        let tree = repo.find_tree(root.write().unwrap()).unwrap();
        repo.commit(
            Some("refs/notes/test"),
            &signature(),
            &signature(),
            "fanned out",
            &tree,
            &[],
        )
        .unwrap();
        append(&repo, "a", "new");
        let commit = repo
            .find_reference("refs/notes/test")
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let tree = commit.tree().unwrap();
        assert_eq!(tree.len(), 1, "no flat copy beside the fanned-out note");
        assert_eq!(
            repo.find_note(Some("refs/notes/test"), note_key("a").unwrap())
                .unwrap()
                .message()
                .unwrap(),
            "old\nnew\n"
        );
    }

    #[test]
    fn a_lock_is_waited_for_and_one_held_past_the_patience_is_a_clear_error() {
        let (_dir, repo) = repository();
        append(&repo, "a", "one");
        let lock = repo.path().join("refs/notes/test.lock");
        std::fs::write(&lock, "").unwrap();
        let mut calls = 0;
        let patience = Duration::from_millis(300);
        let error = update_note_waiting(
            &repo,
            "refs/notes/test",
            "a",
            &signature(),
            |text| {
                calls += 1;
                format!("{}two\n", text.unwrap_or_default())
            },
            patience,
        )
        .unwrap_err();
        assert!(calls > 1, "it retried while the lock was held");
        let message = error.to_string();
        assert!(
            message.contains("refs/notes/test.lock") && message.contains("another process"),
            "{message}"
        );
        // A lock released while waiting: the update lands.
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            std::fs::remove_file(&lock).unwrap();
        });
        append(&repo, "a", "three");
        releaser.join().unwrap();
        assert_eq!(
            read_note(&repo, "refs/notes/test", "a").unwrap().as_deref(),
            Some("one\nthree\n")
        );
    }

    #[test]
    fn a_ref_moved_meanwhile_gets_the_change_re_applied() {
        let (_dir, repo) = repository();
        append(&repo, "a", "one");
        let mut first = true;
        update_note(&repo, "refs/notes/test", "a", &signature(), |text| {
            if std::mem::take(&mut first) {
                // Another writer lands between this read and the swap.
                append(&repo, "a", "theirs");
            }
            format!("{}mine\n", text.unwrap_or_default())
        })
        .unwrap();
        assert_eq!(
            read_note(&repo, "refs/notes/test", "a").unwrap().as_deref(),
            Some("one\ntheirs\nmine\n")
        );
    }
}
