//! Blocking git operations on a taxonomy repository (git2); no UI, no async.
