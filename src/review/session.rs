//! A review of one taxonomy repository: the queue with everyone's decisions, and the
//! functions that record new ones under the reviewer's git identity.

use std::path::Path;

use crate::git::{Base, Change, TaxonomyRepo};

use super::checklist::{Checklist, checklist};
use super::decision::{
    Dated, ExampleState, ReviewerState, derive_verdict, example_states, explicit_verdicts,
    fields_states,
};
use super::error::ReviewError;
use super::example::{ContentHash, LeafHashes};
use super::fields::LeafFields;
use super::queue::{QueueLeaf, ReviewQueue, leaf_hashes, leaf_key, locate_leaf, read_leaf};
use super::record::{
    Decision, DecisionRecord, FieldsDecisionRecord, PreviewRecord, PreviewRun, Record, Reviewer,
    Verdict, VerdictRecord,
};
use super::store::{FetchOutcome, ReviewStore, now, reviewer_identity};

/// A queued leaf with its review state.
#[derive(Debug, Clone, PartialEq)]
pub struct LeafReview {
    /// The leaf and its examples.
    pub leaf: QueueLeaf,
    /// Its review records (those of its old path too, when it was renamed).
    pub records: Vec<Record>,
    /// Per example, in order, each reviewer's state.
    pub states: Vec<Vec<ReviewerState>>,
    /// Each reviewer's state on the change of the leaf's own fields (empty when they
    /// are unchanged or nobody decided).
    pub fields_states: Vec<ReviewerState>,
    /// The verdict the decisions add up to (`None`: pending, as long as a change of
    /// the leaf's own fields is undecided).
    pub derived: Option<Verdict>,
    /// Each reviewer's latest explicit verdict, latest first.
    pub verdicts: Vec<Dated<VerdictRecord>>,
    /// The reviewer's checklist.
    pub checklist: Checklist,
}

impl LeafReview {
    /// The leaf's verdict: the latest explicit verdict given for its current content,
    /// else the derived one; `None` while pending.
    pub fn verdict(&self) -> Option<Verdict> {
        self.verdicts
            .iter()
            .find(|v| v.current)
            .map(|v| v.record.verdict)
            .or(self.derived)
    }

    /// Where `reviewer` stands on the example at `index`.
    pub fn state_for(&self, index: usize, reviewer: &Reviewer) -> ExampleState {
        self.states
            .get(index)
            .and_then(|states| states.iter().find(|s| s.reviewer == *reviewer))
            .map_or(ExampleState::Undecided, |s| s.state)
    }

    /// Where `reviewer` stands on the change of the leaf's own fields.
    pub fn fields_state_for(&self, reviewer: &Reviewer) -> ExampleState {
        self.fields_states
            .iter()
            .find(|s| s.reviewer == *reviewer)
            .map_or(ExampleState::Undecided, |s| s.state)
    }

    /// How many examples have a decision that no longer applies, from any reviewer.
    pub fn changed_since_review(&self) -> usize {
        self.states
            .iter()
            .filter(|states| {
                states
                    .iter()
                    .any(|s| matches!(s.state, ExampleState::ChangedSinceReview(_)))
            })
            .count()
    }
}

/// A review session on the taxonomy repository holding a path.
pub struct Review {
    repo: TaxonomyRepo,
}

impl Review {
    /// Opens the repository holding `path` (its root or any folder inside it).
    pub fn open(path: &Path) -> Result<Self, ReviewError> {
        Ok(Self {
            repo: TaxonomyRepo::open(path)?,
        })
    }

    /// The taxonomy root.
    pub fn root(&self) -> &Path {
        self.repo.root()
    }

    /// The store of review records.
    pub fn store(&self) -> ReviewStore<'_> {
        ReviewStore::new(self.repo.repository())
    }

    /// The reviewer: the repository's git identity.
    pub fn reviewer(&self) -> Result<Reviewer, ReviewError> {
        reviewer_identity(self.repo.repository())
    }

    /// The changed leaves against `base` with everyone's decisions and their checklists.
    pub fn status(&self, base: &Base) -> Result<(ReviewQueue, Vec<LeafReview>), ReviewError> {
        let mut queue = ReviewQueue::build(self.root(), base)?;
        let leaves = std::mem::take(&mut queue.leaves);
        let reviews = leaves
            .into_iter()
            .map(|leaf| self.assess(leaf))
            .collect::<Result<_, _>>()?;
        Ok((queue, reviews))
    }

    /// The review state of one queued leaf.
    pub fn assess(&self, leaf: QueueLeaf) -> Result<LeafReview, ReviewError> {
        let store = self.store();
        let (mut records, mut damaged) = match &leaf.change {
            Change::Renamed { from } => store.records(&leaf_key(from))?,
            Change::Added | Change::Modified | Change::Untracked => Default::default(),
        };
        let (current, damaged_current) = store.records(&leaf.leaf)?;
        records.extend(current);
        damaged.extend(damaged_current);
        let states = example_states(&records, &leaf.hashes());
        let fields_states = leaf
            .fields
            .as_ref()
            .map(|change| fields_states(&records, &change.hash))
            .unwrap_or_default();
        let derived = match &leaf.fields {
            None => derive_verdict(&states),
            // Nothing is derived while a change of the leaf's own fields is undecided:
            // approving every example must not approve a task description unseen.
            Some(_) if fields_states.iter().all(|s| s.state.current().is_none()) => None,
            Some(_) => {
                let mut items = states.clone();
                items.push(fields_states.clone());
                derive_verdict(&items)
            }
        };
        let mut checklist = checklist(&leaf, &records);
        checklist.warn_of_damaged_note(&damaged);
        Ok(LeafReview {
            derived,
            fields_states,
            verdicts: explicit_verdicts(&records, &leaf.leaf_hash()),
            checklist,
            states,
            records,
            leaf,
        })
    }

    /// The review key and current example hashes of the leaf at `path` (its folder or
    /// `qna.yaml`).
    pub fn leaf_at(&self, path: &Path) -> Result<(String, LeafHashes), ReviewError> {
        let (leaf, file) = locate_leaf(self.root(), path)?;
        Ok((leaf, leaf_hashes(&read_leaf(&file)?)))
    }

    /// The review key and the current hash of the own fields of the leaf at `path`.
    pub fn fields_at(&self, path: &Path) -> Result<(String, ContentHash), ReviewError> {
        let (leaf, file) = locate_leaf(self.root(), path)?;
        Ok((leaf, LeafFields::of(&read_leaf(&file)?).hash()))
    }

    /// Records the reviewer's `decision` on the own fields of `leaf`, whose current
    /// hash is `fields_hash`.
    pub fn decide_fields(
        &self,
        leaf: &str,
        fields_hash: ContentHash,
        decision: Decision,
        comment: Option<String>,
    ) -> Result<FieldsDecisionRecord, ReviewError> {
        let reviewer = self.reviewer()?;
        let record = FieldsDecisionRecord {
            leaf: leaf.to_owned(),
            fields_hash,
            reviewer: reviewer.clone(),
            decision,
            comment,
            time: now(),
        };
        self.store()
            .append(leaf, Record::FieldsDecision(record.clone()), &reviewer)?;
        Ok(record)
    }

    /// Records the reviewer's `decision` on the example at 0-based `index` of `leaf`,
    /// whose current example hashes are `hashes`.
    pub fn decide(
        &self,
        leaf: &str,
        hashes: &[ContentHash],
        index: usize,
        decision: Decision,
        comment: Option<String>,
    ) -> Result<DecisionRecord, ReviewError> {
        let reviewer = self.reviewer()?;
        let example_hash =
            hashes
                .get(index)
                .cloned()
                .ok_or_else(|| ReviewError::NoSuchExample {
                    leaf: leaf.to_owned(),
                    number: index.saturating_add(1),
                    count: hashes.len(),
                })?;
        let record = DecisionRecord {
            leaf: leaf.to_owned(),
            example_hash,
            example_index: index,
            reviewer: reviewer.clone(),
            decision,
            comment,
            time: now(),
        };
        self.store()
            .append(leaf, Record::Decision(record.clone()), &reviewer)?;
        Ok(record)
    }

    /// Records the reviewer's explicit `verdict` on `leaf` as its examples and own
    /// fields are now (`hashes`).
    pub fn give_verdict(
        &self,
        leaf: &str,
        hashes: &LeafHashes,
        verdict: Verdict,
        comment: Option<String>,
    ) -> Result<VerdictRecord, ReviewError> {
        let reviewer = self.reviewer()?;
        let record = VerdictRecord {
            leaf: leaf.to_owned(),
            leaf_hash: hashes.leaf(),
            reviewer: reviewer.clone(),
            verdict,
            comment,
            time: now(),
        };
        self.store()
            .append(leaf, Record::Verdict(record.clone()), &reviewer)?;
        Ok(record)
    }

    /// Records that `run`, a generation preview from `leaf` as its examples and own
    /// fields were (`hashes`), succeeded; `comment` is the reviewer's note.
    pub fn record_preview(
        &self,
        leaf: &str,
        hashes: &LeafHashes,
        run: PreviewRun,
        comment: Option<String>,
    ) -> Result<PreviewRecord, ReviewError> {
        let reviewer = self.reviewer()?;
        let record = PreviewRecord {
            leaf: leaf.to_owned(),
            leaf_hash: hashes.leaf(),
            reviewer: reviewer.clone(),
            run: Some(run),
            comment,
            time: now(),
        };
        self.store()
            .append(leaf, Record::Preview(record.clone()), &reviewer)?;
        Ok(record)
    }

    /// Pushes the review notes to `remote`.
    pub fn push(&self, remote: &str) -> Result<(), ReviewError> {
        self.store().push(remote)
    }

    /// Fetches `remote`'s review notes and merges them into the local ones.
    pub fn fetch(&self, remote: &str) -> Result<FetchOutcome, ReviewError> {
        let reviewer = self.reviewer()?;
        self.store().fetch(remote, &reviewer)
    }
}
