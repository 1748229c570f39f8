//! What reviewers record, as stored in the review notes: one JSON object per line.

use serde::{Deserialize, Serialize};

use super::example::ContentHash;

/// Who recorded something: their git identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reviewer {
    /// `user.name`.
    pub name: String,
    /// `user.email`.
    pub email: String,
}

impl std::fmt::Display for Reviewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// A reviewer's decision on one example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The example is fine.
    Approve,
    /// The example needs changes (say which in the comment).
    RequestChanges,
    /// The example cannot be accepted.
    Reject,
}

impl Decision {
    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::RequestChanges => "changes requested",
            Self::Reject => "rejected",
        }
    }
}

/// A verdict on a whole leaf, mirroring upstream's triage labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// `triage-approved`.
    Approved,
    /// `triage-requested-changes`.
    ChangesRequested,
    /// `triage-rejected`.
    Rejected,
    /// `triage-uncertain`: ask the triage team, escalate to approvers.
    Uncertain,
}

impl Verdict {
    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::ChangesRequested => "changes requested",
            Self::Rejected => "rejected",
            Self::Uncertain => "uncertain",
        }
    }
}

/// A decision on one example, tied to the example's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The leaf folder, relative to the taxonomy root, `/`-separated.
    pub leaf: String,
    /// The hash of the example's normalised content when it was decided.
    pub example_hash: ContentHash,
    /// The example's 0-based position in `seed_examples` when it was decided.
    pub example_index: usize,
    /// Who decided.
    pub reviewer: Reviewer,
    /// What they decided.
    pub decision: Decision,
    /// Why, if they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When, in seconds since the Unix epoch.
    pub time: i64,
}

/// A decision on a leaf's own fields (`task_description`, `document`, ...), tied to
/// their content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldsDecisionRecord {
    /// The leaf folder, relative to the taxonomy root, `/`-separated.
    pub leaf: String,
    /// The hash of the leaf's normalised fields when they were decided.
    pub fields_hash: ContentHash,
    /// Who decided.
    pub reviewer: Reviewer,
    /// What they decided.
    pub decision: Decision,
    /// Why, if they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When, in seconds since the Unix epoch.
    pub time: i64,
}

/// An explicit verdict on a leaf, tied to the leaf's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictRecord {
    /// The leaf folder, relative to the taxonomy root, `/`-separated.
    pub leaf: String,
    /// The hash of the leaf's examples when the verdict was given.
    pub leaf_hash: ContentHash,
    /// Who gave it.
    pub reviewer: Reviewer,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, if they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When, in seconds since the Unix epoch.
    pub time: i64,
}

/// The fact that a generation preview from the leaf's seeds succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRecord {
    /// The leaf folder, relative to the taxonomy root, `/`-separated.
    pub leaf: String,
    /// The hash of the leaf's examples the preview was generated from.
    pub leaf_hash: ContentHash,
    /// Who ran it.
    pub reviewer: Reviewer,
    /// What taxon ran and what came out; `None` in records written by hand by
    /// older versions, which ran nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<PreviewRun>,
    /// The reviewer's own note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When, in seconds since the Unix epoch.
    pub time: i64,
}

/// A generation preview taxon ran: with what, and what it kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRun {
    /// The generating model (a file name, or a server's model).
    pub model: String,
    /// The pipeline's name.
    pub pipeline: String,
    /// The seed.
    pub seed: u32,
    /// Samples asked for.
    pub wanted: usize,
    /// Samples accepted (at least one, or nothing is recorded).
    pub accepted: usize,
}

/// One line of a leaf's review note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A decision on an example.
    Decision(DecisionRecord),
    /// A decision on the leaf's own fields.
    FieldsDecision(FieldsDecisionRecord),
    /// A verdict on the leaf.
    Verdict(VerdictRecord),
    /// A successful generation preview.
    Preview(PreviewRecord),
}

impl Record {
    /// When it was recorded.
    pub fn time(&self) -> i64 {
        match self {
            Self::Decision(r) => r.time,
            Self::FieldsDecision(r) => r.time,
            Self::Verdict(r) => r.time,
            Self::Preview(r) => r.time,
        }
    }
}

/// A note line that is not a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct BadLine {
    /// The 1-based line in the note.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// A note body as read: its records, and the lines that are not records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedNote {
    /// The records, in the note's order.
    pub records: Vec<Record>,
    /// The lines that are not records (damaged by hand or by a tool), skipped.
    pub damaged: Vec<BadLine>,
}

/// Reads a note body: one JSON record per line; blank lines are skipped, and so is
/// a damaged line (it is kept in [`ParsedNote::damaged`]), so that one bad line
/// hides nothing else.
pub fn parse_note(text: &str) -> ParsedNote {
    let mut note = ParsedNote::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(record) => note.records.push(record),
            Err(e) => note.damaged.push(BadLine {
                line: i + 1,
                message: e.to_string(),
            }),
        }
    }
    note
}

/// Writes records as a note body, one JSON object per line.
pub fn format_note(records: &[Record]) -> String {
    let mut text = String::new();
    for record in records {
        // Records hold only strings and integers: serialising cannot fail.
        if let Ok(line) = serde_json::to_string(record) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

/// The union of two lists of records: `ours` in order, then those of `theirs` not in
/// `ours`, all stably sorted by time. Nothing is ever dropped but exact duplicates.
pub fn union(ours: Vec<Record>, theirs: Vec<Record>) -> Vec<Record> {
    let mut merged = ours;
    for record in theirs {
        if !merged.contains(&record) {
            merged.push(record);
        }
    }
    merged.sort_by_key(Record::time);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(name: &str, time: i64, decision: Decision) -> Record {
        Record::Decision(DecisionRecord {
            leaf: "compositional_skills/a".into(),
            example_hash: ContentHash("ab".into()),
            example_index: 0,
            reviewer: Reviewer {
                name: name.into(),
                email: format!("{name}@example.com"),
            },
            decision,
            comment: None,
            time,
        })
    }

    #[test]
    fn notes_round_trip_as_json_lines() {
        let records = vec![
            decision("ana", 5, Decision::Approve),
            decision("bo", 6, Decision::Reject),
        ];
        let text = format_note(&records);
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with(r#"{"kind":"decision","leaf":"compositional_skills/a","#));
        assert_eq!(parse_note(&text).records, records);
    }

    #[test]
    fn bad_lines_are_named_and_skipped() {
        let good = format_note(&[decision("ana", 5, Decision::Approve)]);
        let note = parse_note(&format!("\n{{\"kind\":\"nope\"}}\n{good}not json\n"));
        assert_eq!(note.records, vec![decision("ana", 5, Decision::Approve)]);
        let lines: Vec<usize> = note.damaged.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![2, 4]);
    }

    #[test]
    fn union_keeps_both_sides_once_in_time_order() {
        let a = decision("ana", 5, Decision::Approve);
        let b = decision("bo", 3, Decision::Reject);
        let c = decision("ana", 9, Decision::RequestChanges);
        let merged = union(vec![a.clone(), c.clone()], vec![b.clone(), a.clone()]);
        assert_eq!(merged, vec![b, a, c]);
    }
}
