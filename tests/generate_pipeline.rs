//! Pipelines end to end through `taxon generate` with the real default model: the
//! full pipeline on a sample leaf of each kind (the trail in the files, a funnel
//! that adds up, the same files again for the same seed), a user's own pipeline
//! file, and a broken one. Small on purpose: one sample per leaf, short answers.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;

use std::path::Path;
use std::process::Output;

use generate_cli::{
    FREEFORM, FULL_FREEFORM, FULL_GROUNDED, FULL_KNOWLEDGE, GROUNDED, KNOWLEDGE, check_leaf,
    check_training_file, generate_command, jsonl, leaf_file, model, only_file, sample_taxonomy,
    serial, summary,
};

fn generate(repo: &Path, work: &Path, out: &Path, args: &[&str]) -> Output {
    generate_command(repo, work)
        .args(["--threads", "2"])
        .args(args)
        .arg("--output")
        .arg(out)
        .output()
        .unwrap()
}

/// The judges' marks on a sample: each with a score, and the stages named.
fn judged(sample: &serde_json::Value) -> Vec<(String, f64)> {
    sample["trail"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| Some((m["stage"].as_str()?.to_owned(), m["score"].as_f64()?)))
        .collect()
}

#[test]
fn the_full_pipeline_on_a_freeform_leaf_is_traced_and_repeats_for_a_seed() {
    let _serial = serial();
    model();
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let args = [
        "--leaf",
        FREEFORM,
        "--pipeline",
        "full",
        "--num",
        "1",
        "--seed",
        "4",
    ];
    let first = work.path().join("first");
    let run = generate(repo.path(), work.path(), &first, &args);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let stdout = String::from_utf8_lossy(&run.stdout);
    // The default model judges poorly: a leaf may end with nothing kept (exit 1).
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "{stdout}\n{stderr}"
    );
    assert!(stderr.contains("pipeline full"), "{stderr}");
    assert!(
        stderr.contains(&format!("{FREEFORM}: question_judge (judge):")),
        "plain lines name each stage: {stderr}"
    );
    assert!(
        stdout.contains("full pipeline, ") && stdout.contains("question_judge "),
        "the summary shows the funnel: {stdout}"
    );
    let (accepted, rejected) = check_leaf(&first, FREEFORM, "full", &FULL_FREEFORM);
    assert!(accepted.len() + rejected > 0);
    // A rejection by a judge carries the marks of the stages before it.
    let rejections = jsonl(&leaf_file(&first, FREEFORM, ".rejected.jsonl"));
    for line in rejections.iter().filter(|l| l["stage"] == "answer_judge") {
        let marked: Vec<&str> = line["trail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["stage"].as_str().unwrap())
            .collect();
        assert_eq!(marked, FULL_FREEFORM[..4], "{line}");
        assert!(
            line["score"].is_number()
                || line["reason"]
                    .as_str()
                    .unwrap()
                    .contains("could not be read")
        );
    }

    // The same seed again: the same samples, rejections and funnel.
    let second = work.path().join("second");
    let again = generate(repo.path(), work.path(), &second, &args);
    assert_eq!(again.status.code(), run.status.code());
    for suffix in [".jsonl", ".rejected.jsonl"] {
        assert_eq!(
            std::fs::read_to_string(leaf_file(&first, FREEFORM, suffix)).unwrap(),
            std::fs::read_to_string(leaf_file(&second, FREEFORM, suffix)).unwrap(),
            "{suffix}"
        );
    }
    let counts = |out: &Path| {
        let mut summary = summary(out, FREEFORM);
        for stage in summary["funnel"].as_array_mut().unwrap() {
            stage.as_object_mut().unwrap().remove("seconds");
        }
        summary
    };
    assert_eq!(counts(&first), counts(&second));
}

#[test]
fn the_full_pipeline_on_grounded_and_knowledge_leaves_is_traced() {
    let _serial = serial();
    model();
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let run = generate(
        repo.path(),
        work.path(),
        &out,
        &[
            "--leaf",
            GROUNDED,
            "--leaf",
            KNOWLEDGE,
            "--pipeline",
            "full",
            "--num",
            "1",
            "--seed",
            "4",
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.code() == Some(0) || run.status.code() == Some(1),
        "{stderr}"
    );
    let (grounded_samples, grounded_rejected) = check_leaf(&out, GROUNDED, "full", &FULL_GROUNDED);
    let (knowledge_samples, knowledge_rejected) =
        check_leaf(&out, KNOWLEDGE, "full", &FULL_KNOWLEDGE);
    assert!(grounded_samples.len() + grounded_rejected > 0);
    assert!(knowledge_samples.len() + knowledge_rejected > 0);
    for sample in &grounded_samples {
        assert!(!sample["context"].as_str().unwrap().is_empty(), "{sample}");
    }
    for sample in &knowledge_samples {
        assert!(!sample["passage"].as_str().unwrap().is_empty(), "{sample}");
        let judges: Vec<String> = judged(sample).into_iter().map(|(s, _)| s).collect();
        assert_eq!(judges, ["faithfulness", "relevancy", "question_check"]);
    }
    for sample in &grounded_samples {
        let scores = judged(sample);
        let judges: Vec<&str> = scores.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            judges,
            ["question_judge", "answer_judge", "grounding_judge"]
        );
        assert!(scores[1].1 >= 2.0, "kept by the answer judge: {scores:?}");
    }
    // The mixed training file keeps upstream's columns; the trail is in metadata.
    assert!(
        !knowledge_samples.is_empty(),
        "the seed keeps a knowledge sample: {stderr}"
    );
    let training = only_file(&out, "knowledge_train_msgs_");
    check_training_file(&training, true, KNOWLEDGE);
    let record = &jsonl(&training)[0];
    let metadata: serde_json::Value =
        serde_json::from_str(record["metadata"].as_str().unwrap()).unwrap();
    assert_eq!(metadata["pipeline"], "full");
    assert_eq!(metadata["trail"], knowledge_samples[0]["trail"]);
    assert_eq!(metadata["seed_examples"], knowledge_samples[0]["seeds"]);
}

/// A pipeline of the user's own: one stage writes whole samples, a judge scores
/// them with words.
const OWN_PIPELINE: &str = r#"name = "mine"
description = "pairs, then one yes/no judge"

[[freeform.stage]]
name = "pairs"
type = "generate"
examples = 2
outputs = ["question", "answer"]
max_tokens = 256
system = "You are a careful teacher who writes training examples for an AI assistant."
prefix = "[Question]\n"
prompt = """
Write one new question and answer pair that teaches this task: {{ task }}

Follow these rules:
1. Ask something different from the examples, but of the same kind.
2. The question is one or two sentences; the answer fully answers it.
3. Use plain English text only: nothing to see, hear or click.
4. Write [Question] before the question, [Answer] before the answer and [End] after it.

Examples:
{% for e in examples %}
[Question]
{{ e.question }}
[Answer]
{{ e.answer }}
[End]
{% endfor %}
Now write the new pair."""

[[freeform.stage]]
name = "on_task"
type = "judge"
scores = { yes = 1, no = 0 }
keep = 0
max_tokens = 48
prefix = "[Score]\n"
prompt = """
Task: {{ task }}
Does each answer do the task? Write [Score], YES or NO, then [Reason] and a sentence.

[Question] {{ examples[0].question }}
[Answer] {{ examples[0].answer }}
[Score]
YES
[Reason]
It does the task.

[Question] {{ question }}
[Answer] {{ answer }}"""
"#;

#[test]
fn a_users_own_pipeline_file_runs_and_a_broken_one_is_refused_with_its_line() {
    let _serial = serial();
    model();
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let own = work.path().join("mine.toml");
    std::fs::write(&own, OWN_PIPELINE).unwrap();
    let out = work.path().join("out");
    let own_arg = own.to_str().unwrap();
    let run = generate(
        repo.path(),
        work.path(),
        &out,
        &[
            "--leaf",
            FREEFORM,
            "--pipeline",
            own_arg,
            "--num",
            "1",
            "--seed",
            "3",
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    let summary = summary(&out, FREEFORM);
    assert_eq!(summary["pipeline"], "mine");
    let stages: Vec<&str> = summary["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["pairs", "on_task"]);
    let judge = &summary["funnel"][1];
    let judged = judge["input"].as_u64().unwrap();
    assert!(judged >= 1, "{summary}");
    // keep = 0 keeps any readable verdict: only unreadable ones are rejected.
    let rejected = jsonl(&leaf_file(&out, FREEFORM, ".rejected.jsonl"));
    for line in rejected.iter().filter(|l| l["stage"] == "on_task") {
        let reason = line["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("the judge's answer could not be read"),
            "{line}"
        );
    }

    // The same file with a mistake: refused before any model is loaded, with the
    // file, line and column.
    let broken = work.path().join("broken.toml");
    std::fs::write(
        &broken,
        OWN_PIPELINE.replace("keep = 0", "keep = 0\nthreshold = 1"),
    )
    .unwrap();
    let refused = generate(
        repo.path(),
        work.path(),
        &work.path().join("out2"),
        &["--leaf", FREEFORM, "--pipeline", broken.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:36:1: unknown field `threshold`",
            broken.display()
        )),
        "{stderr}"
    );
    assert!(!work.path().join("out2").exists());
}
