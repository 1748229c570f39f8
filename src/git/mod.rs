//! Blocking git operations on a taxonomy repository (git2); no UI, no async.

mod author;
mod base;
mod branch;
mod commit;
mod diff;
mod discard;
mod error;
mod init;
mod leaf_diff;
mod notes;
mod repo;
mod transfer;
mod walk;

pub use author::author_name;
pub use base::{Base, BaseKind, BaseRef, DEFAULT_BASE, EMPTY_BASE, FALLBACK_BASE, ResolvedBase};
pub use branch::BranchInfo;
pub use commit::{Committed, Identity, LEAF_FILES, identity, signed_off_message};
pub use diff::{Change, ChangedFile, TaxonomyChanges, changed_taxonomy_files};
pub use error::GitError;
pub use init::init_repository_with_files;
pub use leaf_diff::{DiffLine, DiffLineKind, LeafDiff};
pub use notes::{
    LOCK_PATIENCE, NotesMerge, merge_notes, note_key, read_note, ref_target, update_note,
};
pub use repo::TaxonomyRepo;
pub use transfer::{fetch_ref, is_local_url, push_ref};
