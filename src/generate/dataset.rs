//! The files generation writes: per leaf, its accepted samples with their trails
//! (`generated/<leaf>.jsonl`), its rejections with stage, score and reason
//! (`<leaf>.rejected.jsonl`) and a summary with the funnel that marks the leaf
//! complete (`<leaf>.summary.json`, written last, so a run can resume); then the
//! mixed training files in LAB's messages format.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::atomic_file::write_atomic;
use crate::taxonomy::leaf::LeafKind;

use super::fetch::sha256_hex;
use super::runner::{LeafOutcome, Record, StageCount};

/// The system message of every training record.
pub const SYSTEM_PROMPT: &str = "You are a helpful, honest assistant.";

/// The summary of a finished leaf; its presence marks the leaf complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeafSummary {
    /// The leaf's folder relative to the taxonomy root.
    pub leaf: String,
    /// Its kind.
    pub kind: LeafKind,
    /// Samples asked for.
    pub num: usize,
    /// The base seed.
    pub seed: u32,
    /// The model (or endpoint) that generated them.
    pub model: String,
    /// The pipeline's name.
    #[serde(default)]
    pub pipeline: String,
    /// The SHA-256 of the pipeline's file.
    #[serde(default)]
    pub pipeline_digest: String,
    /// The model that judged, when not the generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge: Option<String>,
    /// The SHA-256 of the leaf's `qna.yaml` the samples were made from (empty in
    /// summaries written before it was kept, which then never count as complete).
    #[serde(default)]
    pub leaf_digest: String,
    /// The token limit given for the generating stages, if one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Samples accepted.
    pub accepted: usize,
    /// Rounds run (first-stage prompts).
    #[serde(default)]
    pub rounds: usize,
    /// Samples accepted beyond `num` by the last group of rounds, left out.
    #[serde(default)]
    pub surplus: usize,
    /// Rejections by stage and reason.
    pub rejected: BTreeMap<String, usize>,
    /// Candidates in and out of each stage.
    #[serde(default)]
    pub funnel: Vec<StageCount>,
}

impl LeafSummary {
    /// Whether an earlier run's summary was made with the same settings.
    fn same_run(&self, other: &Self) -> bool {
        self.leaf == other.leaf
            && self.num == other.num
            && self.seed == other.seed
            && self.model == other.model
            && self.pipeline_digest == other.pipeline_digest
            && self.judge == other.judge
            && self.max_tokens == other.max_tokens
            && !self.leaf_digest.is_empty()
            && self.leaf_digest == other.leaf_digest
    }
}

/// The files of one leaf in an output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafFiles {
    /// Accepted samples, one JSON object a line.
    pub samples: PathBuf,
    /// Rejected completions with their reasons.
    pub rejected: PathBuf,
    /// The summary.
    pub summary: PathBuf,
}

impl LeafFiles {
    /// The files of `leaf` (a folder like `knowledge/science/tides`) under `output`.
    pub fn new(output: &Path, leaf: &str) -> Self {
        let dir = output.join("generated");
        let name = leaf.replace(['/', '\\'], "_");
        Self {
            samples: dir.join(format!("{name}.jsonl")),
            rejected: dir.join(format!("{name}.rejected.jsonl")),
            summary: dir.join(format!("{name}.summary.json")),
        }
    }

    /// The samples of a complete earlier run with the same settings, if any.
    pub fn load_complete(&self, expected: &LeafSummary) -> Option<(LeafSummary, Vec<Record>)> {
        let summary: LeafSummary =
            serde_json::from_str(&std::fs::read_to_string(&self.summary).ok()?).ok()?;
        if !summary.same_run(expected) {
            return None;
        }
        let records: Vec<Record> = std::fs::read_to_string(&self.samples)
            .ok()?
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .ok()?;
        (records.len() == summary.accepted).then_some((summary, records))
    }

    /// Writes a finished leaf: samples, rejections, then the summary.
    pub fn write(&self, summary: &LeafSummary, outcome: &LeafOutcome) -> io::Result<()> {
        if let Some(dir) = self.samples.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut samples = String::new();
        for record in &outcome.accepted {
            samples.push_str(&serde_json::to_string(record).map_err(io::Error::other)?);
            samples.push('\n');
        }
        write_atomic(&self.samples, samples.as_bytes())?;
        let mut rejected = String::new();
        for r in &outcome.rejected {
            let line = json!({
                "index": r.index,
                "round": r.round,
                "stage": r.stage,
                "score": r.reason.score(),
                "reason": r.reason.to_string(),
                "draft": r.draft,
                "text": r.text,
                "seeds": r.seeds,
                "trail": r.trail,
            });
            rejected.push_str(&line.to_string());
            rejected.push('\n');
        }
        write_atomic(&self.rejected, rejected.as_bytes())?;
        let summary = serde_json::to_string_pretty(summary).map_err(io::Error::other)?;
        write_atomic(&self.summary, format!("{summary}\n").as_bytes())
    }
}

/// One training record: exactly `id`, `messages`, `metadata` (a JSON string, with
/// the pipeline, the seed examples and each stage's mark) and `unmask` (true for
/// knowledge, which is trained on the whole text as in LAB's first knowledge
/// phase).
pub fn training_record(summary: &LeafSummary, record: &Record) -> serde_json::Value {
    let sample = &record.sample;
    let grounding = record.passage.as_ref().or(sample.context.as_ref());
    let user = match grounding {
        Some(text) => format!("{text}\n\n{}", sample.question),
        None => sample.question.clone(),
    };
    let dataset = match summary.kind {
        LeafKind::Knowledge => "document_knowledge_qa",
        LeafKind::GroundedSkill => "grounded_skill",
        LeafKind::FreeformSkill | LeafKind::Foundational => "freeform_skill",
    };
    let metadata = json!({
        "leaf": summary.leaf,
        "dataset": dataset,
        "index": record.index,
        "seed": record.seed,
        "model": summary.model,
        "judge": summary.judge.as_ref().unwrap_or(&summary.model),
        "pipeline": summary.pipeline,
        "seed_examples": record.seeds,
        "trail": record.trail,
    });
    let key = format!(
        "{}\n{}\n{}\n{}",
        summary.leaf, record.index, record.seed, user
    );
    json!({
        "id": uuid_like(&key),
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user},
            {"role": "assistant", "content": sample.answer},
        ],
        "metadata": metadata.to_string(),
        "unmask": summary.kind == LeafKind::Knowledge,
    })
}

/// A stable id in UUID form derived from `key` (the same sample keeps its id).
fn uuid_like(key: &str) -> String {
    let hex = sha256_hex(key.as_bytes()).unwrap_or_default();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The timestamp LAB puts in file names: ISO time with `:` as `_` (UTC here).
pub fn file_timestamp(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]_[minute]_[second]");
    at.format(&format)
        .unwrap_or_else(|_| "unknown-time".to_owned())
}

/// How the mixed skills training file's name starts (a timestamp and `.jsonl` follow).
pub const SKILLS_TRAINING_PREFIX: &str = "skills_train_msgs_";
/// How the mixed knowledge training file's name starts.
pub const KNOWLEDGE_TRAINING_PREFIX: &str = "knowledge_train_msgs_";

/// The mixed training files written, with their record counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MixedFiles {
    /// `skills_train_msgs_<ts>.jsonl` and its record count.
    pub skills: Option<(PathBuf, usize)>,
    /// `knowledge_train_msgs_<ts>.jsonl` and its record count.
    pub knowledge: Option<(PathBuf, usize)>,
}

/// Writes the mixed training files for `leaves` into `output`: skills and
/// knowledge apart, only those that have records.
pub fn write_mixed(
    output: &Path,
    timestamp: &str,
    leaves: &[(LeafSummary, Vec<Record>)],
) -> io::Result<MixedFiles> {
    let mut skills = String::new();
    let mut knowledge = String::new();
    let (mut n_skills, mut n_knowledge) = (0, 0);
    for (summary, records) in leaves {
        let (text, count) = if summary.kind == LeafKind::Knowledge {
            (&mut knowledge, &mut n_knowledge)
        } else {
            (&mut skills, &mut n_skills)
        };
        for record in records {
            text.push_str(&training_record(summary, record).to_string());
            text.push('\n');
            *count += 1;
        }
    }
    std::fs::create_dir_all(output)?;
    let mut files = MixedFiles::default();
    if n_skills > 0 {
        let path = output.join(format!("{SKILLS_TRAINING_PREFIX}{timestamp}.jsonl"));
        write_atomic(&path, skills.as_bytes())?;
        files.skills = Some((path, n_skills));
    }
    if n_knowledge > 0 {
        let path = output.join(format!("{KNOWLEDGE_TRAINING_PREFIX}{timestamp}.jsonl"));
        write_atomic(&path, knowledge.as_bytes())?;
        files.knowledge = Some((path, n_knowledge));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::parse::{Draft, Rejection, Sample};
    use crate::generate::pipeline::Field;
    use crate::generate::runner::{Mark, MarkKind, Rejected};

    fn summary(kind: LeafKind) -> LeafSummary {
        LeafSummary {
            leaf: "compositional_skills/a/b".into(),
            kind,
            num: 2,
            seed: 7,
            model: "m.gguf".into(),
            pipeline: "full".into(),
            pipeline_digest: "abc".into(),
            judge: None,
            leaf_digest: "leaf".into(),
            max_tokens: None,
            accepted: 1,
            rounds: 2,
            surplus: 0,
            rejected: BTreeMap::from([("sample: empty".to_owned(), 1)]),
            funnel: vec![StageCount {
                stage: "sample".into(),
                kind: "generate".into(),
                input: 2,
                output: 1,
                rejected: 1,
                ..StageCount::default()
            }],
        }
    }

    fn record(passage: Option<&str>) -> Record {
        Record {
            index: 1,
            round: 1,
            seed: 8,
            sample: Sample {
                context: None,
                question: "Q?".into(),
                answer: "A.".into(),
            },
            passage: passage.map(str::to_owned),
            seeds: vec![3],
            trail: vec![Mark {
                stage: "judge".into(),
                verdict: MarkKind::Kept,
                score: Some(2.0),
                reason: Some("Right.".into()),
            }],
        }
    }

    #[test]
    fn a_record_has_exactly_the_training_columns() {
        let value = training_record(&summary(LeafKind::Knowledge), &record(Some("Doc.")));
        let object = value.as_object().unwrap();
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "messages", "metadata", "unmask"]);
        assert_eq!(value["messages"][1]["content"], "Doc.\n\nQ?");
        assert_eq!(value["messages"][2]["content"], "A.");
        assert_eq!(value["unmask"], true);
        let metadata: serde_json::Value =
            serde_json::from_str(value["metadata"].as_str().unwrap()).unwrap();
        assert_eq!(metadata["dataset"], "document_knowledge_qa");
        assert_eq!(metadata["pipeline"], "full");
        assert_eq!(metadata["seed_examples"], json!([3]));
        assert_eq!(metadata["judge"], "m.gguf", "the generator judged itself");
        assert_eq!(metadata["trail"][0]["score"], 2.0);
        assert_eq!(metadata["trail"][0]["reason"], "Right.");
        assert_eq!(value["id"].as_str().unwrap().len(), 36);
    }

    #[test]
    fn a_written_leaf_resumes_only_with_the_same_settings() {
        let dir = tempfile::tempdir().unwrap();
        let files = LeafFiles::new(dir.path(), "compositional_skills/a/b");
        let outcome = LeafOutcome {
            accepted: vec![record(None)],
            rejected: vec![Rejected {
                index: 0,
                round: 0,
                stage: "sample".into(),
                reason: Rejection::Empty(Field::Answer),
                draft: Draft::default(),
                text: "[Question]\nQ?\n[Answer]\n".into(),
                seeds: vec![0, 1],
                trail: Vec::new(),
            }],
            funnel: Vec::new(),
            rounds: 2,
            surplus: 0,
            generated_tokens: 9,
        };
        let wanted = summary(LeafKind::FreeformSkill);
        assert!(files.load_complete(&wanted).is_none());
        files.write(&wanted, &outcome).unwrap();
        let (loaded, records) = files.load_complete(&wanted).unwrap();
        assert_eq!(loaded, wanted);
        assert_eq!(records, outcome.accepted);
        let other_pipeline = LeafSummary {
            pipeline_digest: "def".into(),
            ..wanted.clone()
        };
        assert!(files.load_complete(&other_pipeline).is_none());
        let other_seed = LeafSummary {
            seed: 8,
            ..wanted.clone()
        };
        assert!(files.load_complete(&other_seed).is_none());
        // An edited leaf, or another token limit, is generated again.
        let edited = LeafSummary {
            leaf_digest: "edited".into(),
            ..wanted.clone()
        };
        assert!(files.load_complete(&edited).is_none());
        let limited = LeafSummary {
            max_tokens: Some(64),
            ..wanted
        };
        assert!(files.load_complete(&limited).is_none());
        let rejected = std::fs::read_to_string(&files.rejected).unwrap();
        let line: serde_json::Value = serde_json::from_str(rejected.trim()).unwrap();
        assert_eq!(line["stage"], "sample");
        assert_eq!(line["reason"], "empty answer");
        assert_eq!(line["score"], serde_json::Value::Null);
        assert_eq!(line["seeds"], json!([0, 1]));
    }

    #[test]
    fn mixed_files_split_skills_and_knowledge() {
        let dir = tempfile::tempdir().unwrap();
        let leaves = vec![
            (summary(LeafKind::FreeformSkill), vec![record(None)]),
            (summary(LeafKind::Knowledge), Vec::new()),
        ];
        let files = write_mixed(dir.path(), "2026-01-01T00_00_00", &leaves).unwrap();
        let (path, count) = files.skills.unwrap();
        assert_eq!(count, 1);
        assert!(path.ends_with("skills_train_msgs_2026-01-01T00_00_00.jsonl"));
        assert!(files.knowledge.is_none());
        assert_eq!(
            file_timestamp(time::macros::datetime!(2024-11-12 02:37:38 UTC)),
            "2024-11-12T02_37_38"
        );
    }
}
