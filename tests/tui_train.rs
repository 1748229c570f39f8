//! The training screen headlessly, with the real training worker thread of the
//! interface following a real registry on disk: snapshots of synthetic runs written
//! through the registry API, a run whose worker is dead shown failed with its log,
//! live charts while real worker processes write metrics (the external adapter
//! replaying upstream lines, and the built-in trainer launched from the form),
//! cancelling with the question, and reattaching after a restart.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/train_runs.rs"]
mod train_runs;
#[path = "support/tui_harness.rs"]
mod tui_harness;

use std::path::{Path, PathBuf};
use std::time::Duration;

use taxon::dirs::AppDirs;
use taxon::eval::judge::Outcome;
use taxon::eval::report::Item;
use taxon::eval::{EVAL_FILE, EvalReport, LeafResult, QuestionSource, Totals};
use taxon::train::metrics::{MetricRecord, MetricsWriter};
use taxon::train::phases::Phase;
use taxon::train::registry::{Checkpoint, Registry, Run, RunState, RunStatus};
use taxon::train::spec::{DatasetSource, EngineSpec, LocalSpec, RunSpec};
use taxon::tui::screens::train::eval::EvalPane;
use taxon::tui::screens::train::form::LaunchForm;
use taxon::tui::screens::train::run_entry::RunEntry;
use taxon::tui::screens::train::{CancelRun, TrainScreen, TrainSetup};
use tui_harness::Harness;

const BIN: &str = env!("CARGO_BIN_EXE_taxon");
const DONE: &str = "20261201-080000-aaaa";
const RUNNING: &str = "20261201-083000-bbbb";
const DEAD: &str = "20261201-084500-cccc";

/// The app on the sample taxonomy with its runs in `data`; models from `cache`.
fn open(data: &Path, cache: PathBuf) -> Harness {
    let mut harness = Harness::open(Path::new("sample-taxonomy"));
    let dirs = AppDirs {
        config: data.join("config"),
        data: data.to_owned(),
        state: data.join("state"),
        cache,
    };
    harness.app.shared.train_setup = Some(TrainSetup::new(dirs, PathBuf::from(BIN)));
    harness
}

/// Opens the training screen and waits for the first report of the registry.
fn open_screen(harness: &mut Harness) {
    harness.press("T");
    harness.pump_until("the registry", Duration::from_secs(10), |h| {
        h.app.screen::<TrainScreen>().is_some_and(|s| s.loaded)
    });
}

fn registry(data: &Path) -> Registry {
    Registry::new(data.join("runs"))
}

fn entry<'a>(harness: &'a Harness, id: &str) -> Option<&'a RunEntry> {
    let screen = harness.app.screen::<TrainScreen>()?;
    screen.runs.iter().find(|r| r.run.id == id)
}

fn local_spec() -> RunSpec {
    RunSpec {
        dataset: Some(DatasetSource::Messages {
            path: "/data/capitals.jsonl".into(),
        }),
        engine: EngineSpec::Local(LocalSpec::new(
            "/models/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
            "/cache".into(),
        )),
    }
}

/// A run made through the registry (then renamed to `id`, for stable snapshots)
/// with `steps` of a falling, noisy loss and an evaluation every ten steps.
fn synthetic(
    registry: &Registry,
    id: &str,
    steps: u64,
    total: u64,
    change: impl FnOnce(&mut RunStatus),
) -> Run {
    let created = registry.create(&local_spec()).unwrap();
    let dir = registry.root().join(id);
    std::fs::rename(&created.dir, &dir).unwrap();
    let run = Run::at(&dir);
    let mut writer = MetricsWriter::open(&run.metrics_file()).unwrap();
    for step in 1..=steps {
        let x = step as f64;
        let epoch = (1 + (step - 1) * 2 / total) as u32;
        let falling = 2.0 * (-x / 15.0).exp();
        writer
            .write(&MetricRecord {
                step,
                epoch,
                train_loss: Some(0.4 + falling + 0.05 * (x * 1.7).sin()),
                eval_loss: None,
                lr: Some(2e-4),
                tokens_per_second: Some(64.0),
                elapsed_seconds: x * 4.0,
                ..MetricRecord::default()
            })
            .unwrap();
        if step % 10 == 0 {
            writer
                .write(&MetricRecord {
                    step,
                    epoch,
                    eval_loss: Some(0.5 + falling),
                    elapsed_seconds: x * 4.0 + 1.0,
                    ..MetricRecord::default()
                })
                .unwrap();
        }
    }
    run.update_status(|s| {
        s.total_steps = Some(total);
        s.epochs = Some(2);
        s.started = Some("2026-12-01T08:00:00Z".into());
        change(s);
    })
    .unwrap();
    run
}

/// The pid of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// A registry with a finished run, a running one (this process is its "worker")
/// and one whose worker died without a final status.
fn three_runs(data: &Path) -> Registry {
    let registry = registry(data);
    synthetic(&registry, DONE, 40, 40, |s| {
        s.state = RunState::Done;
        s.ended = Some("2026-12-01T08:03:00Z".into());
        s.tokens_per_second = Some(64.0);
        s.checkpoints = vec![Checkpoint {
            label: "epoch-2".into(),
            step: 40,
            f32: None,
            q8_0: "/runs/aaaa/checkpoints/epoch-2.Q8_0.gguf".into(),
        }];
    });
    synthetic(&registry, RUNNING, 25, 60, |s| {
        s.state = RunState::Running;
        s.pid = Some(std::process::id());
    });
    let dead = synthetic(&registry, DEAD, 7, 60, |s| {
        s.state = RunState::Running;
        s.pid = Some(dead_pid());
    });
    std::fs::write(
        dead.log_file(),
        "taxon: 80 conversations, 1347 tokens\nllama_model_load: loaded\n\
         GGML_ASSERT(cgraph->n_nodes < cgraph->size) failed\n",
    )
    .unwrap();
    registry
}

#[test]
fn the_training_screen_lists_every_run_and_charts_the_selected_one() {
    let dir = tempfile::tempdir().unwrap();
    three_runs(dir.path());
    let mut harness = open(dir.path(), dir.path().join("cache"));
    open_screen(&mut harness);
    let screen = harness.app.screen::<TrainScreen>().unwrap();
    let ids: Vec<&str> = screen.runs.iter().map(|r| r.run.id.as_str()).collect();
    assert_eq!(ids, [DONE, RUNNING, DEAD]);
    assert_eq!(screen.runs[1].series.train.len(), 25);
    assert_eq!(screen.runs[1].series.eval.len(), 2);
    harness.press("j");
    let shown = harness.render(100, 30);
    insta::assert_snapshot!("training_screen_at_100x30", shown);
    // 35 steps left at 0.25 steps/s.
    assert!(shown.contains("ETA 2m20s"), "{shown}");
    assert!(
        shown.contains("c compare"),
        "the hints offer the check:\n{shown}"
    );
    assert!(shown.contains("Loss · 20261201-083000-bbbb"), "{shown}");

    harness.press("k space j space l");
    let overlay = harness.render(100, 30);
    insta::assert_snapshot!("overlay_in_log_scale_at_100x30", overlay);
    assert!(overlay.contains("Loss · 2 runs · log"), "{overlay}");
    for legend in ["aaaa train", "aaaa eval", "bbbb train", "bbbb eval"] {
        assert!(
            overlay.contains(legend),
            "{legend} in the legend:\n{overlay}"
        );
    }
    harness.press("l space");
    let screen = harness.app.screen::<TrainScreen>().unwrap();
    assert!(!screen.log_scale);
    assert_eq!(
        screen.marked.iter().collect::<Vec<_>>(),
        [DONE],
        "space unmarks"
    );
    harness.press("q");
    assert!(
        harness.app.screen::<TrainScreen>().is_none(),
        "q goes back to the tree"
    );
}

#[test]
fn a_run_whose_worker_died_is_shown_failed_with_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let registry = three_runs(dir.path());
    let mut harness = open(dir.path(), dir.path().join("cache"));
    open_screen(&mut harness);
    harness.press("G");
    let shown = harness.render(100, 30);
    let row = shown
        .lines()
        .find(|l| l.contains(DEAD))
        .unwrap_or_else(|| panic!("the run is listed:\n{shown}"));
    assert!(row.contains("failed"), "{row}");
    assert!(
        shown.contains("the worker (pid"),
        "the registry's reason:\n{shown}"
    );
    assert!(shown.contains("GGML_ASSERT"), "the log's end:\n{shown}");
    // The registry marked it on disk, as `taxon runs` would have.
    let status = registry.open(DEAD).unwrap().status().unwrap();
    assert_eq!(status.state, RunState::Failed);
    let done = entry(&harness, DONE).unwrap();
    assert_eq!(done.status.state, RunState::Done);
    harness.press("x");
    assert!(
        harness.app.popup::<CancelRun>().is_none(),
        "an ended run is not cancelled"
    );
}

/// Pumps until run `id` is final, recording the number of training points and the
/// chart as drawn after each report.
/// Waits for the launch the form asked for; the new run's id.
fn launched(harness: &mut Harness) -> String {
    harness.pump_until("the launch", Duration::from_secs(60), |h| {
        h.app
            .shared
            .notice
            .as_ref()
            .is_some_and(|n| n.text.ends_with("started") || n.is_error)
    });
    let notice = harness.app.shared.notice.clone().unwrap();
    assert!(!notice.is_error, "{}", notice.text);
    notice.text["run ".len()..notice.text.len() - " started".len()].to_owned()
}

fn follow_to_the_end(harness: &mut Harness, id: &str, timeout: Duration) -> Vec<(usize, String)> {
    let mut frames = Vec::new();
    let start = std::time::Instant::now();
    loop {
        if harness.pump() > 0 {
            let shown = harness.render(100, 30);
            let points = entry(harness, id).map_or(0, |e| e.series.train.len());
            frames.push((points, shown));
        }
        if entry(harness, id).is_some_and(|e| e.status.state.is_final()) {
            return frames;
        }
        assert!(start.elapsed() < timeout, "timed out following run {id}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_grew(frames: &[(usize, String)], last: usize) {
    let counts: Vec<usize> = frames.iter().map(|(n, _)| *n).collect();
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]),
        "never shrinks: {counts:?}"
    );
    let mut distinct = counts.clone();
    distinct.dedup();
    assert!(distinct.len() >= 3, "grew step by step: {counts:?}");
    assert_eq!(counts.last(), Some(&last));
    let mut charts: Vec<&String> = frames.iter().map(|(_, s)| s).collect();
    charts.dedup();
    assert!(charts.len() >= 3, "the drawn chart changed as steps came");
}

#[test]
fn the_chart_grows_while_a_real_worker_follows_upstream_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut harness = open(&data, dir.path().join("cache"));
    open_screen(&mut harness);
    assert!(harness.render(100, 30).contains("no runs yet"));
    // Started elsewhere while the screen is open, as `taxon train --detach -- …` does.
    let spec = train_runs::external_spec(
        dir.path(),
        "jsonl",
        Some("ckpt/training_params_and_metrics_global0.jsonl"),
    );
    let (run, _) = registry(&data).start(&spec, Path::new(BIN)).unwrap();
    let frames = follow_to_the_end(&mut harness, &run.id, Duration::from_secs(60));
    assert_grew(&frames, 4);
    let done = entry(&harness, &run.id).unwrap();
    assert_eq!(done.status.state, RunState::Done);
    assert_eq!(done.series.eval, [(3.0, 1.4)]);
    let shown = harness.render(100, 30);
    assert!(shown.contains("1.1000"), "the last loss:\n{shown}");
    assert!(shown.contains("done"), "{shown}");
}

#[test]
fn a_detached_run_is_reattached_after_a_restart_and_cancelled_with_a_question() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let spec = train_runs::external_spec(dir.path(), "slow", None);
    let (run, _) = registry(&data).start(&spec, Path::new(BIN)).unwrap();
    let seen = {
        let mut first = open(&data, dir.path().join("cache"));
        open_screen(&mut first);
        first.pump_until("steps", Duration::from_secs(30), |h| {
            entry(h, &run.id).is_some_and(|e| e.series.train.len() >= 2)
        });
        entry(&first, &run.id).unwrap().series.train.len()
    }; // the interface quits; the run goes on

    let mut harness = open(&data, dir.path().join("cache"));
    open_screen(&mut harness);
    let reattached = entry(&harness, &run.id).expect("the run is listed again");
    assert_eq!(reattached.status.state, RunState::Running);
    assert!(reattached.series.train.len() >= seen, "its metrics so far");
    harness.pump_until("more steps", Duration::from_secs(30), |h| {
        entry(h, &run.id).is_some_and(|e| e.series.train.len() > seen + 2)
    });

    harness.press("x");
    let asked = harness.render(100, 30);
    assert!(
        asked.contains(&format!("Cancel run {}?", run.id)),
        "{asked}"
    );
    harness.press("n");
    assert!(!run.stop_file().exists(), "any other key keeps it running");
    harness.press("x y");
    harness.pump_until("the stop", Duration::from_secs(30), |h| {
        entry(h, &run.id).is_some_and(|e| e.status.state == RunState::Stopped)
    });
    assert!(run.stop_file().exists());
    let console = std::fs::read_to_string(run.dir.join("console.log")).unwrap();
    assert!(console.contains("terminated"), "{console}");
}

#[test]
fn a_run_launched_from_the_form_trains_on_the_real_model_and_appears_in_the_list() {
    let model = train_runs::model();
    let _serial = generate_cli::serial();
    let dir = tempfile::tempdir().unwrap();
    let dataset = train_runs::write_dataset(dir.path());
    let data = dir.path().join("data");
    let mut harness = open(&data, AppDirs::from_env().cache);
    harness.select(train_runs::LEAF);
    open_screen(&mut harness);
    harness.press("n");
    let form = harness.render(100, 30);
    assert!(form.contains("New run"), "{form}");
    assert!(
        form.contains("SmolLM2-135M-Instruct"),
        "the default model:\n{form}"
    );
    harness.press("enter");
    let refused = harness.render(100, 30);
    assert!(refused.contains("name the dataset"), "{refused}");
    harness.press(&format!(
        "text:{} tab tab backspace backspace backspace backspace text:3e-4 tab tab \
         backspace backspace backspace text:2",
        dataset.display()
    ));
    assert_eq!(
        harness.app.popup::<LaunchForm>().unwrap().inputs[0].text(),
        model.display().to_string()
    );
    harness.press("enter");
    let id = launched(&mut harness);
    let frames = follow_to_the_end(&mut harness, &id, Duration::from_secs(600));
    assert_eq!(
        harness
            .app
            .screen::<TrainScreen>()
            .unwrap()
            .current()
            .unwrap()
            .run
            .id,
        id,
        "the launched run is selected"
    );
    let shown = harness.render(100, 30);
    assert!(shown.contains("saved  epoch-2"), "{shown}");
    let done = entry(&harness, &id).unwrap();
    assert_eq!(
        done.status.state,
        RunState::Done,
        "{:?}",
        done.status.message
    );
    let steps: u64 = done
        .status
        .phases
        .iter()
        .map(|phase| u64::from(phase.epochs) * phase.windows)
        .sum();
    assert!(
        done.status.phases.iter().all(|phase| phase.epochs == 2),
        "the form's epochs apply to every phase: {:?}",
        done.status.phases
    );
    assert_eq!(
        done.status.total_steps,
        Some(steps),
        "two epochs of each phase's windows"
    );
    let counts: Vec<usize> = frames.iter().map(|(n, _)| *n).collect();
    assert!(
        counts.contains(&1),
        "the first step was drawn alone: {counts:?}"
    );
    assert_eq!(counts.last(), Some(&(steps as usize)));
    let evaluations: usize = done
        .status
        .phases
        .iter()
        .map(|phase| 1 + phase.epochs as usize)
        .sum();
    assert_eq!(
        done.series.eval.len(),
        evaluations,
        "each phase is measured before it trains and after each epoch"
    );
    let EngineSpec::Local(local) = &done.spec.as_ref().unwrap().engine else {
        panic!("the built-in trainer");
    };
    assert_eq!((local.epochs, local.threads), (2, 2));
    assert!((local.learning_rate - 3e-4).abs() < 1e-9);

    // Before/after: the leaf's seed questions to the base and the tuned checkpoint.
    harness.press("c");
    let mut partial = None;
    harness.pump_until("the answers", Duration::from_secs(600), |h| {
        let check = h
            .app
            .screen::<TrainScreen>()
            .and_then(|s| s.compare.as_ref());
        if let Some(writing) = check.and_then(|c| c.writing.clone()) {
            partial.get_or_insert(writing);
        }
        check.is_some_and(|c| c.is_complete() || c.problem.is_some())
    });
    let check = harness
        .app
        .screen::<TrainScreen>()
        .unwrap()
        .compare
        .clone()
        .unwrap();
    assert_eq!(check.problem, None);
    let (tuned, index, so_far) = partial.expect("an answer was seen while it was written");
    let whole = if tuned { &check.tuned } else { &check.base }[index]
        .clone()
        .unwrap();
    assert!(
        whole.text.starts_with(so_far.trim_end()),
        "{so_far:?} streamed before {whole:?}"
    );
    assert_eq!(
        check.questions.len(),
        5,
        "the leaf's first five seed questions"
    );
    let question = &train_runs::tiny_conversations()[0].messages[1].content;
    assert_eq!(&check.questions[0], question);
    assert!(
        check.tuned_name.ends_with("epoch-2"),
        "{}",
        check.tuned_name
    );
    assert!(
        check
            .base
            .iter()
            .chain(&check.tuned)
            .all(|a| a.as_ref().is_some_and(|a| !a.text.is_empty()))
    );
    assert_ne!(
        check.base, check.tuned,
        "the tuned model answers differently"
    );
    let shown = harness.render(100, 30);
    assert!(shown.contains("Before / after"), "{shown}");
    assert!(shown.contains("tuned:"), "{shown}");
    eprintln!(
        "before/after: base {:?} tuned {:?}",
        check.base, check.tuned
    );
    harness.press("esc");
    assert!(
        harness
            .app
            .screen::<TrainScreen>()
            .unwrap()
            .compare
            .is_none(),
        "esc closes the check"
    );

    // The evaluation, in the background: the pane closes and the screen goes on
    // while it runs; its report is then shown from the run's eval.json.
    harness.press("E");
    let evaluating = |h: &Harness| h.app.screen::<TrainScreen>().unwrap().evaluating.clone();
    assert!(evaluating(&harness).is_some(), "the evaluation started");
    harness.pump_until("progress", Duration::from_secs(600), |h| {
        evaluating(h).is_none_or(|e| e.progress.is_some())
    });
    harness.press("esc");
    assert!(eval_pane(&harness).is_none());
    harness.press("k j");
    let mut progress = Vec::new();
    harness.pump_until("the evaluation", Duration::from_secs(900), |h| {
        let now = evaluating(h);
        if let Some(p) = now.as_ref().and_then(|e| e.progress.clone()) {
            progress.push(p);
        }
        now.is_none()
    });
    let notice = harness.app.shared.notice.clone().unwrap();
    assert_eq!(
        notice.text,
        format!("the evaluation of run {id} is done"),
        "{notice:?} after {progress:?}"
    );
    assert!(data.join("runs").join(&id).join(EVAL_FILE).is_file());
    harness.press("e");
    harness.pump_until("the report", Duration::from_secs(10), |h| {
        eval_pane(h).is_some_and(|p| p.loaded)
    });
    let pane = eval_pane(&harness).unwrap();
    let report = pane.report.expect("the report is read back");
    assert_eq!(report.run, id);
    assert_eq!(report.checkpoint, "epoch-2");
    assert!(report.overall.questions >= 1, "{report:?}");
    let shown = harness.render(100, 30);
    assert!(
        shown.contains(&format!("Evaluation · {id} · epoch-2")),
        "{shown}"
    );
    assert!(shown.contains("│tuned "), "a tuned bar:\n{shown}");
    // Long answers: the verdict is a few pages down.
    let mut pages = vec![shown];
    while !pages.last().unwrap().contains("judge: ") && pages.len() < 10 {
        harness.press("pagedown");
        pages.push(harness.render(100, 30));
    }
    assert!(
        pages.last().unwrap().contains("judge: "),
        "the verdict:\n{}",
        pages.join("\n")
    );
    eprintln!("evaluation: {:?}", report.overall);
}

#[test]
fn a_run_launched_on_the_changed_leaves_generates_their_samples_then_trains_on_them() {
    let model = train_runs::model();
    let _serial = generate_cli::serial();
    let repo = generate_cli::sample_taxonomy();
    let leaf = format!("{}/qna.yaml", generate_cli::FREEFORM);
    let text = std::fs::read_to_string(repo.path().join(&leaf)).unwrap();
    repo.write(
        &leaf,
        &text.replace("created_by: ameliagrant", "created_by: rivera"),
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut harness = Harness::open(repo.path());
    let changes =
        taxon::git::changed_taxonomy_files(repo.path(), &taxon::git::Base::parse("main")).unwrap();
    harness.app.shared.marks = taxon::tui::marks::LeafMarks::from_changes(&changes);
    harness.app.shared.train_setup = Some(TrainSetup::new(
        AppDirs {
            config: data.join("config"),
            data: data.clone(),
            state: data.join("state"),
            cache: AppDirs::from_env().cache,
        },
        PathBuf::from(BIN),
    ));
    open_screen(&mut harness);
    harness.press("n up space");
    let form = harness.render(100, 30);
    assert!(
        form.contains("generate now from the 1 leaf changed vs main"),
        "{form}"
    );
    assert!(
        !form.contains("dataset file"),
        "the file is not asked for:\n{form}"
    );
    harness.press("tab backspace text:6 tab backspace text:1 enter");
    let id = launched(&mut harness);
    harness.pump_until("the generation", Duration::from_secs(60), |h| {
        entry(h, &id)
            .is_some_and(|e| e.status.state == RunState::Generating || e.status.state.is_final())
    });
    let generating = entry(&harness, &id).unwrap().status.clone();
    assert_eq!(generating.state, RunState::Generating, "{generating:?}");
    assert!(harness.render(100, 30).contains("generating"));
    // Every progress line of `taxon generate` starts with the leaf; which line is
    // last when the screen looks depends on how the batches fall.
    let leaf_line = format!("{}: ", generate_cli::FREEFORM);
    harness.pump_until("the generation's progress", Duration::from_secs(300), |h| {
        entry(h, &id).is_some_and(|e| {
            e.log_tail.as_ref().is_some_and(|l| l.contains(&leaf_line)) || e.status.state.is_final()
        })
    });
    let progressed = entry(&harness, &id).unwrap();
    let progress = progressed.log_tail.clone().unwrap_or_else(|| {
        panic!(
            "no progress line: {:?}\n{}",
            progressed.status,
            registry(&data).open(&id).unwrap().log_tail(30)
        )
    });
    assert!(progress.contains(&leaf_line), "{progress}");
    // The run pane wraps the line anywhere: compare letters and digits only.
    let squash = |text: &str| -> String { text.chars().filter(|c| c.is_alphanumeric()).collect() };
    let last_line = progress.lines().last().unwrap_or_default();
    let shown = harness.render(160, 30);
    assert!(
        squash(&shown).contains(&squash(last_line)),
        "the progress line {last_line:?} is shown:\n{shown}"
    );
    follow_to_the_end(&mut harness, &id, Duration::from_secs(1200));
    let done = entry(&harness, &id).unwrap();
    assert_eq!(
        done.status.state,
        RunState::Done,
        "{:?}\n{}",
        done.status.message,
        registry(&data).open(&id).unwrap().log_tail(30)
    );
    let generated = done.run.dir.join(taxon::train::generated::GENERATED_DIR);
    let records = generate_cli::jsonl(&generate_cli::only_file(&generated, "skills_train_msgs_"));
    assert!(!records.is_empty() && records.len() <= 6, "{records:?}");
    generate_cli::check_training_file(
        &generate_cli::only_file(&generated, "skills_train_msgs_"),
        false,
        generate_cli::FREEFORM,
    );
    let log = std::fs::read_to_string(done.run.log_file()).unwrap();
    assert!(
        log.contains("generating 6 samples for each leaf changed against main"),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "{}: {} of 6 accepted",
            generate_cli::FREEFORM,
            records.len()
        )),
        "{log}"
    );
    let trained = done.series.train.len() as u64;
    assert!(trained >= 2, "it trained: {trained} steps");
    assert_eq!(done.status.total_steps, Some(trained));
    let Some(DatasetSource::Changed(changed)) = &done.spec.as_ref().unwrap().dataset else {
        panic!("generated from the changed leaves: {:?}", done.spec);
    };
    assert_eq!(changed.base.as_deref(), Some("main"));
    assert_eq!(changed.teacher, model);
    eprintln!(
        "measured: {} generated samples, {trained} training steps, losses {:?}",
        records.len(),
        done.series.train
    );
}

#[test]
fn the_launch_form_marks_the_focused_row_and_shows_the_dataset_as_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = open(dir.path(), dir.path().join("cache"));
    open_screen(&mut harness);
    harness.press("n");
    let row = |screen: &str, text: &str| -> String {
        screen
            .lines()
            .find(|l| l.contains(text))
            .unwrap_or_else(|| panic!("{text} in:\n{screen}"))
            .to_owned()
    };
    // 100 columns: the popup is 80 wide, as narrow as a usual terminal gives it.
    let form = harness.render(100, 30);
    assert!(row(&form, "dataset file").contains("▸"), "{form}");
    assert!(
        !row(&form, "epochs").contains("▸"),
        "one row is marked:\n{form}"
    );
    assert!(
        row(&form, "a JSONL file").contains("(•) a JSONL file"),
        "{form}"
    );
    assert!(
        row(&form, "generate now").contains("( ) generate now"),
        "both choices show, whole:\n{form}"
    );
    harness.press("up");
    let form = harness.render(100, 30);
    assert!(row(&form, "a JSONL file").contains("▸"), "{form}");
    assert!(
        row(&form, "generate now").contains("space changes"),
        "{form}"
    );
    harness.press("space");
    let form = harness.render(100, 30);
    assert!(
        row(&form, "a JSONL file").contains("( ) a JSONL file"),
        "{form}"
    );
    assert!(
        row(&form, "generate now").contains("(•) generate now"),
        "{form}"
    );
    assert!(!form.contains("dataset file"), "the file row goes:\n{form}");
    harness.press("tab tab");
    let form = harness.render(100, 30);
    let epochs = form.lines().position(|l| l.contains("epochs")).unwrap();
    let (_, cursor_row) = harness.cursor(100, 30).expect("a cursor in the form");
    assert_eq!(
        usize::from(cursor_row),
        epochs,
        "the cursor is in the focused row, below both choices:\n{form}"
    );
}

#[test]
fn the_before_after_check_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    three_runs(dir.path());
    let mut harness = open(dir.path(), dir.path().join("cache"));
    open_screen(&mut harness);
    harness.press("c");
    let notice = harness.app.shared.notice.clone().unwrap();
    assert!(notice.text.contains("select a readable leaf"), "{notice:?}");
    harness.select(train_runs::LEAF);
    harness.press("j c");
    let notice = harness.app.shared.notice.clone().unwrap();
    assert!(
        notice.text.contains("has saved no checkpoint yet"),
        "{notice:?}"
    );
    // The finished run's model files do not exist: the engine says so.
    harness.press("k c");
    assert!(
        harness
            .app
            .screen::<TrainScreen>()
            .unwrap()
            .compare
            .is_some()
    );
    harness.pump_until("the failure", Duration::from_secs(30), |h| {
        let check = h
            .app
            .screen::<TrainScreen>()
            .and_then(|s| s.compare.as_ref());
        check.is_some_and(|c| c.problem.is_some())
    });
    let shown = harness.render(100, 30);
    assert!(
        shown.contains("Before / after · compositional_skills"),
        "{shown}"
    );
    assert!(shown.contains("/models/SmolLM2-135M-Instruct"), "{shown}");
    harness.press("esc");
    assert!(
        harness
            .app
            .screen::<TrainScreen>()
            .unwrap()
            .compare
            .is_none()
    );
}

#[test]
fn the_launch_form_moves_between_fields_with_up_down_and_shift_tab_as_its_hints_say() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = open(dir.path(), dir.path().join("cache"));
    open_screen(&mut harness);
    harness.press("n");
    let focused = |harness: &mut Harness| -> String {
        let form = harness.render(100, 30);
        let row = form
            .lines()
            .find(|l| l.contains('▸'))
            .unwrap_or_else(|| panic!("a focused row in:\n{form}"));
        row.split('▸').nth(1).unwrap().trim().to_owned()
    };
    assert!(focused(&mut harness).starts_with("dataset file"));
    harness.press("down");
    assert!(
        focused(&mut harness).starts_with("epochs"),
        "samples per leaf is skipped"
    );
    harness.press("shift-tab");
    assert!(focused(&mut harness).starts_with("dataset file"));
    harness.press("up");
    assert!(focused(&mut harness).starts_with("dataset"));
    harness.press("shift-tab");
    assert!(
        focused(&mut harness).starts_with("base model"),
        "from the choice row too"
    );
    harness.press("shift-tab");
    assert!(
        focused(&mut harness).starts_with("threads"),
        "round the start"
    );
    harness.press("tab down");
    assert!(focused(&mut harness).starts_with("dataset"));
    harness.press("tab");
    assert!(focused(&mut harness).starts_with("dataset file"));
    // The hints name keys that do what they say.
    let form = harness.render(100, 30);
    let hint = form
        .lines()
        .find(|l| l.contains("enter launch"))
        .unwrap_or_else(|| panic!("the hint line in:\n{form}"));
    for key in [
        "enter launch",
        "down next field",
        "up previous field",
        "esc cancel",
    ] {
        assert!(hint.contains(key), "{key} in {hint}");
    }
}

/// A finished run of phases: 20 knowledge steps (two epochs), then 10 of skills
/// started from phase 1's first epoch, its best.
fn phased(data: &Path) -> Registry {
    let registry = registry(data);
    let run = synthetic(&registry, DONE, 0, 30, |s| {
        s.state = RunState::Done;
        s.phases = serde_json::from_value(serde_json::json!([
            {"phase": "knowledge", "epochs": 2, "learning_rate": 2e-4, "records": 8,
             "replayed": 0, "heldout": 1, "windows": 10, "first_step": 0,
             "started_from": null},
            {"phase": "skills", "epochs": 2, "learning_rate": 2e-4, "records": 6,
             "replayed": 2, "heldout": 1, "windows": 5, "first_step": 20,
             "started_from": "knowledge-epoch-1"},
        ]))
        .unwrap();
    });
    let mut writer = MetricsWriter::open(&run.metrics_file()).unwrap();
    for step in 1..=30_u64 {
        let (phase, epoch) = match step {
            1..=10 => (Phase::Knowledge, 1),
            11..=20 => (Phase::Knowledge, 2),
            21..=25 => (Phase::Skills, 1),
            _ => (Phase::Skills, 2),
        };
        let x = step as f64;
        writer
            .write(&MetricRecord {
                step,
                epoch,
                phase: Some(phase),
                train_loss: Some(if step > 20 {
                    2.5 - x / 30.0
                } else {
                    2.0 - x / 20.0
                }),
                lr: Some(2e-4),
                elapsed_seconds: x * 4.0,
                ..MetricRecord::default()
            })
            .unwrap();
    }
    registry
}

#[test]
fn a_run_of_phases_shows_its_phase_and_where_phase_two_started_from_what() {
    let dir = tempfile::tempdir().unwrap();
    phased(dir.path());
    let mut harness = open(dir.path(), dir.path().join("cache"));
    open_screen(&mut harness);
    let shown = harness.render(100, 30);
    insta::assert_snapshot!("run_of_phases_at_100x30", shown);
    let row = shown.lines().find(|l| l.contains(DONE)).unwrap();
    assert!(
        row.contains("30/30 skills 2/2"),
        "the phase and its epochs:\n{shown}"
    );
    let chart: String = shown
        .lines()
        .filter(|l| l.contains("Loss") || l.contains("│     │"))
        .map(|l| l.split("││").next().unwrap())
        .collect();
    assert!(
        chart.contains("phase 2 from knowledge-epoch-1"),
        "the legend names phase 2's start:\n{shown}"
    );
    let details: String = shown
        .lines()
        .filter_map(|l| l.split("││").nth(1))
        .map(|l| l.trim_end_matches(['│', '"']).trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        details.contains("phase 2 from knowledge-epoch-1 at step 21"),
        "{details}"
    );
}

/// An evaluation of two leaves, as `taxon eval` writes it into the finished run.
fn write_eval(registry: &Registry) {
    let item = |question: &str, base: &str, tuned: &str, verdict, reason: &str| Item {
        question: question.into(),
        reference: "The reference answer.".into(),
        base_answer: base.into(),
        tuned_answer: tuned.into(),
        base_rouge_l: 0.2,
        tuned_rouge_l: 0.5,
        tuned_shown_first: true,
        verdict,
        reason: reason.into(),
    };
    let leaf = |leaf: &str, source, items: Vec<Item>| LeafResult {
        leaf: leaf.into(),
        source,
        totals: Totals::of(&items),
        items,
    };
    let mut report = EvalReport {
        run: DONE.into(),
        base_model: "/models/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
        checkpoint: "epoch-2".into(),
        checkpoint_file: "/runs/aaaa/checkpoints/epoch-2.Q8_0.gguf".into(),
        judge: "/models/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
        created: "2026-12-01T09:00:00Z".into(),
        leaves: vec![
            leaf(
                "compositional_skills/linguistics/spelling/british_and_american_spelling",
                QuestionSource::HeldOut,
                vec![
                    item(
                        "How is colour spelt in American English?",
                        "Colour.",
                        "Color.",
                        Some(Outcome::Win),
                        "B names the American spelling.",
                    ),
                    item(
                        "And centre?",
                        "Center.",
                        "Center.",
                        Some(Outcome::Tie),
                        "Both say center.",
                    ),
                ],
            ),
            leaf(
                "knowledge/science/astronomy/tides",
                QuestionSource::Seed,
                vec![item(
                    "What causes tides?",
                    "The Moon's gravity.",
                    "The wind.",
                    Some(Outcome::Loss),
                    "A is right: the Moon pulls the oceans.",
                )],
            ),
        ],
        overall: Totals::default(),
    };
    report.total();
    let path = registry.root().join(DONE).join(EVAL_FILE);
    std::fs::write(path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
}

fn eval_pane(harness: &Harness) -> Option<EvalPane> {
    harness
        .app
        .screen::<TrainScreen>()?
        .eval
        .as_deref()
        .cloned()
}

#[test]
fn the_eval_view_shows_a_bar_pair_per_leaf_and_every_answer_with_the_judges_reason() {
    let dir = tempfile::tempdir().unwrap();
    let registry = three_runs(dir.path());
    write_eval(&registry);
    let mut harness = open(dir.path(), dir.path().join("cache"));
    open_screen(&mut harness);
    harness.press("e");
    harness.pump_until("the evaluation", Duration::from_secs(10), |h| {
        eval_pane(h).is_some_and(|p| p.loaded)
    });
    let shown = harness.render(100, 30);
    insta::assert_snapshot!("eval_view_at_100x30", shown);
    for text in [
        "Evaluation · 20261201-080000-aaaa · epoch-2",
        "overall 3 questions · ROUGE-L base 0.20 tuned 0.50 · 1 win 1 tie 1 loss",
        "▸ 1W 1T 0L british_and_american_spelling",
        "  0W 0T 1L tides",
        "Q1 How is colour spelt in American English?",
        "judge: tuned wins · B names the American spelling.",
    ] {
        assert!(shown.contains(text), "{text} in:\n{shown}");
    }
    let bars = shown.lines().filter(|l| l.contains("│base  0.20█")).count();
    assert_eq!(bars, 2, "a base bar for each leaf:\n{shown}");
    let bars = shown.lines().filter(|l| l.contains("│tuned 0.50█")).count();
    assert_eq!(bars, 2, "a tuned bar for each leaf:\n{shown}");
    harness.press("pagedown");
    let shown = harness.render(100, 30);
    assert!(shown.contains("judge: tie · Both say center."), "{shown}");
    harness.press("j");
    let shown = harness.render(100, 30);
    assert!(shown.contains("▸ 0W 0T 1L tides"), "{shown}");
    assert!(
        shown.contains("judge: base wins · A is right: the Moon pulls the"),
        "{shown}"
    );
    assert!(
        shown.contains("seed questions (the run held none out)"),
        "{shown}"
    );
    harness.press("esc");
    assert!(eval_pane(&harness).is_none(), "esc closes the pane");
    harness.press("j e");
    harness.pump_until("no evaluation", Duration::from_secs(10), |h| {
        eval_pane(h).is_some_and(|p| p.loaded)
    });
    let shown = harness.render(100, 30);
    assert!(
        shown.contains("run 20261201-083000-bbbb has no evaluation yet: E runs one"),
        "{shown}"
    );
    harness.press("E");
    let notice = harness.app.shared.notice.clone().unwrap();
    assert!(
        notice.text.contains("has saved no checkpoint yet"),
        "{notice:?}"
    );
}
