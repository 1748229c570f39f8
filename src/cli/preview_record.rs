//! Generation recorded as a review preview: `taxon generate` and `taxon review
//! preview` note in the review notes that a leaf's current examples were generated
//! from, so the reviewer's checklist shows it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::generate::dataset::LeafSummary;
use crate::review::example::LeafHashes;
use crate::review::record::PreviewRecord;
use crate::review::{PreviewRun, Review, ReviewError};

/// What a preview record says about a generation.
pub(super) fn preview_run(summary: &LeafSummary) -> PreviewRun {
    PreviewRun {
        model: summary.model.clone(),
        pipeline: summary.pipeline.clone(),
        seed: summary.seed,
        wanted: summary.num,
        accepted: summary.accepted,
    }
}

/// The review notes of a taxonomy, with each leaf's hashes as they were before
/// generation read it.
pub(super) struct PreviewRecorder {
    review: Review,
    hashes: HashMap<String, LeafHashes>,
}

impl PreviewRecorder {
    /// Reads the examples of the leaves `folders` (relative to `root`); an error when
    /// previews cannot be recorded there (not a git repository, no reviewer identity).
    pub(super) fn prepare(root: &Path, folders: &[PathBuf]) -> Result<Self, ReviewError> {
        let review = Review::open(root)?;
        review.reviewer()?;
        let mut hashes = HashMap::new();
        for folder in folders {
            let (leaf, leaf_hashes) = review.leaf_at(&root.join(folder))?;
            hashes.insert(leaf, leaf_hashes);
        }
        Ok(Self { review, hashes })
    }

    /// Records a preview of the leaf `summary` tells of, if it accepted a sample;
    /// `None` when it accepted none (nothing to show a reviewer).
    pub(super) fn record(
        &self,
        summary: &LeafSummary,
    ) -> Option<Result<PreviewRecord, ReviewError>> {
        if summary.accepted == 0 {
            return None;
        }
        let hashes = self.hashes.get(&summary.leaf)?;
        Some(
            self.review
                .record_preview(&summary.leaf, hashes, preview_run(summary), None),
        )
    }
}
