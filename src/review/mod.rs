//! Review mode: the queue of changed leaves with their examples, decisions per example
//! and reviewer, leaf verdicts, the reviewer's checklist, and their storage in git notes
//! that travel with the repository. No UI here.

pub mod checklist;
pub mod decision;
pub mod error;
pub mod example;
pub mod fields;
pub mod personal_data;
pub mod queue;
pub mod record;
pub mod session;
pub mod store;
pub mod summary;
pub mod topics;

pub use error::ReviewError;
pub use queue::{ExampleChange, QueueExample, QueueLeaf, ReviewQueue};
pub use record::{Decision, PreviewRun, Record, Reviewer, Verdict};
pub use session::{LeafReview, Review};
pub use store::{NOTES_REF, REMOTE_NOTES_REF, ReviewStore};
