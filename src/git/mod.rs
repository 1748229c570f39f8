//! Blocking git operations on a taxonomy repository (git2); no UI, no async.

mod base;
mod diff;
mod error;
mod init;
mod notes;
mod repo;
mod transfer;
mod walk;

pub use base::{Base, BaseKind, BaseRef, DEFAULT_BASE, EMPTY_BASE, FALLBACK_BASE, ResolvedBase};
pub use diff::{Change, ChangedFile, TaxonomyChanges, changed_taxonomy_files};
pub use error::GitError;
pub use init::init_repository_with_files;
pub use notes::{NotesMerge, merge_notes, note_key, read_note, ref_target, write_note};
pub use repo::TaxonomyRepo;
pub use transfer::{fetch_ref, is_local_url, push_ref};
