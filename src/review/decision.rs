//! From recorded decisions to the state of each example per reviewer, and to a leaf's
//! verdict.

use std::collections::BTreeMap;

use serde::Serialize;

use super::example::ContentHash;
use super::record::{
    Decision, DecisionRecord, PreviewRecord, Record, Reviewer, Verdict, VerdictRecord,
};

/// Where one reviewer stands on one example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "decision", rename_all = "snake_case")]
pub enum ExampleState {
    /// Nothing recorded.
    Undecided,
    /// A decision on the example as it is now.
    Decided(Decision),
    /// A decision on an earlier content of the example at this position: it no longer
    /// counts, the example needs a new look.
    ChangedSinceReview(Decision),
}

impl ExampleState {
    /// The decision that counts now, if any.
    pub fn current(self) -> Option<Decision> {
        match self {
            Self::Decided(decision) => Some(decision),
            Self::Undecided | Self::ChangedSinceReview(_) => None,
        }
    }

    /// A short label for people.
    pub fn label(self) -> String {
        match self {
            Self::Undecided => "undecided".to_owned(),
            Self::Decided(decision) => decision.label().to_owned(),
            Self::ChangedSinceReview(decision) => {
                format!("changed since review (was {})", decision.label())
            }
        }
    }
}

/// One reviewer's latest word on one example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewerState {
    /// Who.
    pub reviewer: Reviewer,
    /// Their state on the example.
    pub state: ExampleState,
    /// The comment of the decision that gave the state.
    pub comment: Option<String>,
    /// When that decision was recorded (seconds since the Unix epoch).
    pub time: i64,
}

/// The latest of `decisions` that `matches`; of equal times, the one recorded last.
fn latest<'r>(
    decisions: &[&'r DecisionRecord],
    matches: impl Fn(&DecisionRecord) -> bool,
) -> Option<&'r DecisionRecord> {
    decisions
        .iter()
        .copied()
        .filter(|d| matches(d))
        .reduce(|best, d| if d.time >= best.time { d } else { best })
}

/// Each example's reviewers, given the records of the leaf and the hashes of its
/// current examples in order. A reviewer's latest decision on an example's current
/// content counts; failing that, their latest decision at the same position on a
/// content the leaf no longer holds makes the example "changed since review".
pub fn example_states(records: &[Record], hashes: &[ContentHash]) -> Vec<Vec<ReviewerState>> {
    let mut by_reviewer: BTreeMap<&Reviewer, Vec<&DecisionRecord>> = BTreeMap::new();
    for record in records {
        if let Record::Decision(decision) = record {
            by_reviewer
                .entry(&decision.reviewer)
                .or_default()
                .push(decision);
        }
    }
    hashes
        .iter()
        .enumerate()
        .map(|(index, hash)| {
            by_reviewer
                .iter()
                .filter_map(|(reviewer, decisions)| {
                    let (record, state) = match latest(decisions, |d| d.example_hash == *hash) {
                        Some(d) => (d, ExampleState::Decided(d.decision)),
                        None => {
                            let d = latest(decisions, |d| {
                                d.example_index == index && !hashes.contains(&d.example_hash)
                            })?;
                            (d, ExampleState::ChangedSinceReview(d.decision))
                        }
                    };
                    Some(ReviewerState {
                        reviewer: (*reviewer).clone(),
                        state,
                        comment: record.comment.clone(),
                        time: record.time,
                    })
                })
                .collect()
        })
        .collect()
}

/// Each reviewer's state on the leaf's own fields, whose current hash is `hash`: as
/// for an example, a decision on other content makes them "changed since review".
pub fn fields_states(records: &[Record], hash: &ContentHash) -> Vec<ReviewerState> {
    let as_decisions: Vec<Record> = records
        .iter()
        .filter_map(|record| match record {
            Record::FieldsDecision(d) => Some(Record::Decision(DecisionRecord {
                leaf: d.leaf.clone(),
                example_hash: d.fields_hash.clone(),
                example_index: 0,
                reviewer: d.reviewer.clone(),
                decision: d.decision,
                comment: d.comment.clone(),
                time: d.time,
            })),
            _ => None,
        })
        .collect();
    example_states(&as_decisions, std::slice::from_ref(hash))
        .pop()
        .unwrap_or_default()
}

/// The verdict the example decisions add up to; `None` while nothing is decided.
///
/// Any rejection rejects the leaf; else any request for changes asks for changes; else
/// the leaf is approved when every example has an approval; a leaf with some approvals
/// and some examples undecided or changed since review is uncertain.
pub fn derive_verdict(examples: &[Vec<ReviewerState>]) -> Option<Verdict> {
    let current = |example: &Vec<ReviewerState>| -> Vec<Decision> {
        example.iter().filter_map(|r| r.state.current()).collect()
    };
    let decided: Vec<Vec<Decision>> = examples.iter().map(current).collect();
    let any = |wanted: Decision| decided.iter().flatten().any(|d| *d == wanted);
    if any(Decision::Reject) {
        Some(Verdict::Rejected)
    } else if any(Decision::RequestChanges) {
        Some(Verdict::ChangesRequested)
    } else if !decided.is_empty() && decided.iter().all(|d| !d.is_empty()) {
        Some(Verdict::Approved)
    } else if decided.iter().any(|d| !d.is_empty()) {
        Some(Verdict::Uncertain)
    } else {
        None
    }
}

/// A recorded leaf verdict, or preview, and whether it was given for the leaf's current
/// content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dated<T> {
    /// The record.
    pub record: T,
    /// Whether the leaf's examples are still those it was given for.
    pub current: bool,
}

/// Each reviewer's latest explicit verdict on the leaf, latest first.
pub fn explicit_verdicts(records: &[Record], leaf_hash: &ContentHash) -> Vec<Dated<VerdictRecord>> {
    let mut latest: BTreeMap<&Reviewer, &VerdictRecord> = BTreeMap::new();
    for record in records {
        if let Record::Verdict(verdict) = record {
            let slot = latest.entry(&verdict.reviewer).or_insert(verdict);
            if verdict.time >= slot.time {
                *slot = verdict;
            }
        }
    }
    let mut verdicts: Vec<Dated<VerdictRecord>> = latest
        .into_values()
        .map(|v| Dated {
            current: v.leaf_hash == *leaf_hash,
            record: v.clone(),
        })
        .collect();
    verdicts.sort_by_key(|v| std::cmp::Reverse(v.record.time));
    verdicts
}

/// The latest successful preview: of the current content if there is one, else of any.
pub fn latest_preview(records: &[Record], leaf_hash: &ContentHash) -> Option<Dated<PreviewRecord>> {
    let previews = records.iter().filter_map(|r| match r {
        Record::Preview(p) => Some(p),
        _ => None,
    });
    let (current, stale): (Vec<&PreviewRecord>, Vec<&PreviewRecord>) =
        previews.partition(|p| p.leaf_hash == *leaf_hash);
    let pick = |list: Vec<&PreviewRecord>| list.into_iter().max_by_key(|p| p.time).cloned();
    match pick(current) {
        Some(record) => Some(Dated {
            record,
            current: true,
        }),
        None => pick(stale).map(|record| Dated {
            record,
            current: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reviewer(name: &str) -> Reviewer {
        Reviewer {
            name: name.into(),
            email: format!("{name}@example.com"),
        }
    }

    fn hash(text: &str) -> ContentHash {
        ContentHash(text.into())
    }

    fn decide(name: &str, index: usize, content: &str, decision: Decision, time: i64) -> Record {
        Record::Decision(DecisionRecord {
            leaf: "knowledge/a".into(),
            example_hash: hash(content),
            example_index: index,
            reviewer: reviewer(name),
            decision,
            comment: None,
            time,
        })
    }

    fn states(records: &[Record], hashes: &[&str]) -> Vec<Vec<ExampleState>> {
        let hashes: Vec<ContentHash> = hashes.iter().map(|h| hash(h)).collect();
        example_states(records, &hashes)
            .into_iter()
            .map(|e| e.into_iter().map(|r| r.state).collect())
            .collect()
    }

    #[test]
    fn the_latest_decision_per_reviewer_counts() {
        let records = [
            decide("ana", 0, "x", Decision::Reject, 1),
            decide("ana", 0, "x", Decision::Approve, 2),
            decide("bo", 0, "x", Decision::RequestChanges, 1),
        ];
        assert_eq!(
            states(&records, &["x"]),
            [[
                ExampleState::Decided(Decision::Approve),
                ExampleState::Decided(Decision::RequestChanges)
            ]]
        );
    }

    #[test]
    fn an_edit_invalidates_but_a_move_does_not() {
        let records = [
            decide("ana", 0, "x", Decision::Approve, 1),
            decide("ana", 1, "y", Decision::Approve, 1),
        ];
        // "x" edited into "x2"; "y" moved to the front.
        assert_eq!(
            states(&records, &["y", "x2"]),
            [vec![ExampleState::Decided(Decision::Approve)], vec![],]
        );
        assert_eq!(
            states(&records, &["x2", "y"]),
            [
                vec![ExampleState::ChangedSinceReview(Decision::Approve)],
                vec![ExampleState::Decided(Decision::Approve)],
            ]
        );
    }

    fn verdict(records: &[Record], hashes: &[&str]) -> Option<Verdict> {
        let hashes: Vec<ContentHash> = hashes.iter().map(|h| hash(h)).collect();
        derive_verdict(&example_states(records, &hashes))
    }

    #[test]
    fn verdicts_follow_the_example_decisions() {
        let ok = |i: usize, c: &str| decide("ana", i, c, Decision::Approve, 1);
        assert_eq!(verdict(&[], &["a", "b"]), None);
        assert_eq!(
            verdict(&[ok(0, "a")], &["a", "b"]),
            Some(Verdict::Uncertain)
        );
        assert_eq!(
            verdict(&[ok(0, "a"), ok(1, "b")], &["a", "b"]),
            Some(Verdict::Approved)
        );
        let changes = decide("bo", 1, "b", Decision::RequestChanges, 1);
        assert_eq!(
            verdict(&[ok(0, "a"), ok(1, "b"), changes.clone()], &["a", "b"]),
            Some(Verdict::ChangesRequested)
        );
        let reject = decide("cy", 0, "a", Decision::Reject, 1);
        assert_eq!(
            verdict(&[changes, reject], &["a", "b"]),
            Some(Verdict::Rejected)
        );
        // An approval of an older content no longer counts.
        assert_eq!(
            verdict(&[ok(0, "a"), ok(1, "b")], &["a", "b2"]),
            Some(Verdict::Uncertain)
        );
    }
}
