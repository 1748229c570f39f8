//! The reviewer's checklist for one leaf, after upstream's pull-request template and
//! triage guide: validation, five examples, attribution, a generation preview, and
//! warnings for personal data and topics to avoid.

use serde::Serialize;

use crate::taxonomy::validate::Attribution;

use super::decision::{Dated, latest_preview};
use super::personal_data::{PersonalData, Scanned, find_personal_data};
use super::queue::QueueLeaf;
use super::record::{PreviewRecord, Record};
use super::store::DamagedLine;
use super::topics::{TopicHit, find_topics};

/// Upstream's minimum number of seed examples.
pub const MIN_EXAMPLES: usize = 5;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Met.
    Pass,
    /// Worth a look.
    Warn,
    /// Not met.
    Fail,
    /// Could not run (the leaf cannot be read): neither met nor failed.
    NotRun,
}

impl CheckStatus {
    /// The mark used in summaries: ✅, ⚠️, ❌ or ⏸️ (not run).
    pub fn mark(self) -> &'static str {
        match self {
            Self::Pass => "✅",
            Self::Warn => "⚠️",
            Self::Fail => "❌",
            Self::NotRun => "⏸️",
        }
    }
}

/// Which check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The leaf validates as upstream's CI would have it.
    Validation,
    /// At least [`MIN_EXAMPLES`] seed examples.
    Examples,
    /// A non-empty `attribution.txt` beside the leaf.
    Attribution,
    /// A generation preview from the current seeds succeeded.
    Preview,
    /// No likely personal data.
    PersonalData,
    /// No keywords of the topics to avoid.
    Topics,
    /// Lines of the leaf's review note that are not records, skipped (listed only
    /// when there are some).
    DamagedNote,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckItem {
    /// Which check.
    pub kind: CheckKind,
    /// How it came out.
    pub status: CheckStatus,
    /// What was found, for people.
    pub detail: String,
}

/// The checklist of one leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// The checks, in the order of upstream's template.
    pub items: Vec<CheckItem>,
    /// The likely personal data found.
    pub personal_data: Vec<PersonalData>,
    /// The topic keywords found.
    pub topics: Vec<TopicHit>,
    /// The preview the preview check is based on.
    pub preview: Option<Dated<PreviewRecord>>,
}

fn item(kind: CheckKind, status: CheckStatus, detail: String) -> CheckItem {
    CheckItem {
        kind,
        status,
        detail,
    }
}

/// Computes the checklist of `leaf`, whose review records are `records`.
pub fn checklist(leaf: &QueueLeaf, records: &[Record]) -> Checklist {
    let report = &leaf.report;
    let validation = match (report.error_count(), report.warning_count()) {
        (0, 0) => item(
            CheckKind::Validation,
            CheckStatus::Pass,
            "validation passes".into(),
        ),
        (0, w) => item(
            CheckKind::Validation,
            CheckStatus::Pass,
            format!("validation passes ({w} warnings)"),
        ),
        (e, w) => item(
            CheckKind::Validation,
            CheckStatus::Fail,
            format!("validation fails: {e} errors, {w} warnings"),
        ),
    };
    let count = leaf.examples.len();
    let examples = item(
        CheckKind::Examples,
        if count >= MIN_EXAMPLES {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        },
        format!("{count} seed examples (at least {MIN_EXAMPLES} wanted)"),
    );
    let not_run = |kind, what: &str| {
        item(
            kind,
            CheckStatus::NotRun,
            format!("{what}: not run, the leaf cannot be read"),
        )
    };
    let examples = match leaf.unreadable {
        Some(_) => not_run(CheckKind::Examples, "seed examples"),
        None => examples,
    };
    let attribution = match Attribution::beside(&leaf.file) {
        Attribution::Present => item(
            CheckKind::Attribution,
            CheckStatus::Pass,
            "attribution.txt present".into(),
        ),
        Attribution::Empty => item(
            CheckKind::Attribution,
            CheckStatus::Fail,
            "attribution.txt is empty".into(),
        ),
        Attribution::Missing => item(
            CheckKind::Attribution,
            CheckStatus::Fail,
            "attribution.txt missing".into(),
        ),
    };
    let preview = latest_preview(records, &leaf.leaf_hash());
    let preview_item = match &preview {
        Some(p) if p.record.run.is_none() => item(
            CheckKind::Preview,
            CheckStatus::Warn,
            format!(
                "a preview was recorded by hand, not run by taxon ({}): run `taxon review preview`",
                preview_detail(&p.record)
            ),
        ),
        Some(p) if p.current => item(
            CheckKind::Preview,
            CheckStatus::Pass,
            format!(
                "generation preview succeeded ({})",
                preview_detail(&p.record)
            ),
        ),
        Some(p) => item(
            CheckKind::Preview,
            CheckStatus::Warn,
            format!(
                "a generation preview succeeded for an earlier version of the examples ({})",
                preview_detail(&p.record)
            ),
        ),
        None => item(
            CheckKind::Preview,
            CheckStatus::Fail,
            "no preview recorded".into(),
        ),
    };
    let texts = texts(leaf);
    let personal_data = find_personal_data(&texts);
    let topics = find_topics(&texts);
    let personal_item = if personal_data.is_empty() {
        item(
            CheckKind::PersonalData,
            CheckStatus::Pass,
            "no likely personal data".into(),
        )
    } else {
        let found: Vec<String> = personal_data
            .iter()
            .map(|d| format!("{} \"{}\" in {}", d.kind.label(), d.matched, d.place))
            .collect();
        item(
            CheckKind::PersonalData,
            CheckStatus::Warn,
            format!("likely personal data: {}", found.join("; ")),
        )
    };
    let topics_item = if topics.is_empty() {
        item(
            CheckKind::Topics,
            CheckStatus::Pass,
            "no keywords of topics to avoid".into(),
        )
    } else {
        let found: Vec<String> = topics
            .iter()
            .map(|t| format!("{} (\"{}\" in {})", t.topic.label(), t.matched, t.place))
            .collect();
        item(
            CheckKind::Topics,
            CheckStatus::Warn,
            format!("topics to avoid, by keyword: {}", found.join("; ")),
        )
    };
    let (personal_item, topics_item) = match leaf.unreadable {
        Some(_) => (
            not_run(CheckKind::PersonalData, "personal data"),
            not_run(CheckKind::Topics, "topics to avoid"),
        ),
        None => (personal_item, topics_item),
    };
    Checklist {
        items: vec![
            validation,
            examples,
            attribution,
            preview_item,
            personal_item,
            topics_item,
        ],
        personal_data,
        topics,
        preview,
    }
}

impl Checklist {
    /// Adds a warning for the damaged lines of the leaf's review note, if any.
    pub fn warn_of_damaged_note(&mut self, damaged: &[DamagedLine]) {
        if damaged.is_empty() {
            return;
        }
        let lines: Vec<String> = damaged.iter().map(DamagedLine::to_string).collect();
        self.items.push(item(
            CheckKind::DamagedNote,
            CheckStatus::Warn,
            lines.join("; "),
        ));
    }
}

fn preview_detail(record: &PreviewRecord) -> String {
    let mut parts = Vec::new();
    if let Some(run) = &record.run {
        parts.push(format!(
            "{} of {} samples accepted, {} pipeline, model {}, seed {}",
            run.accepted, run.wanted, run.pipeline, run.model, run.seed
        ));
    }
    if let Some(comment) = &record.comment {
        parts.push(comment.clone());
    }
    parts.push(format!("recorded by {}", record.reviewer.name));
    parts.join("; ")
}

/// The texts a reviewer reads: the leaf-level descriptions and every example field.
fn texts(leaf: &QueueLeaf) -> Vec<Scanned<'_>> {
    let mut texts = Vec::new();
    if let Some(qna) = &leaf.report.qna {
        let fields = [
            ("task_description", &qna.task_description),
            ("domain", &qna.domain),
            ("document_outline", &qna.document_outline),
        ];
        for (field, text) in fields {
            if let Some(text) = text {
                texts.push(Scanned {
                    example: None,
                    field: field.to_owned(),
                    text: &text.value,
                });
            }
        }
    }
    for example in &leaf.examples {
        for (field, text) in example.content.fields() {
            texts.push(Scanned {
                example: Some(example.index),
                field,
                text,
            });
        }
    }
    texts
}
