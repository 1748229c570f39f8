//! The generation preview pane: snapshots of the full pipeline's funnel fed the
//! runner's own events (a scripted model), and headless runs with the real
//! default model (streaming, verdicts, figures, the full pipeline's judge marks,
//! and the newest request winning when the selection moves). The model comes from the cache
//! (`TAXON_CACHE_DIR`, else the user's cache) and is fetched when missing; without
//! it these tests fail, they never skip.

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/tui_harness.rs"]
mod tui_harness;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use taxon::dirs::AppDirs;
use taxon::generate::fetch::{fetch_default_model, python_interpreter};
use taxon::generate::leaf_input::{LeafInput, PASSAGE_TOKENS};
use taxon::generate::pipeline::Pipeline;
use taxon::generate::runner::{
    Backend, Backends, LeafOutcome, LeafSettings, PipelineEvent, generate_leaf,
};
use taxon::generate::{Completion, EngineError, Event, Finish, ModelInfo, Prompt, Request, Stats};
use taxon::review::record::PreviewRun;
use taxon::taxonomy::qna::Qna;
use taxon::tui::msg::{Effect, Msg};
use taxon::tui::preview_jobs::{PreviewConfig, PreviewJob, PreviewReply};
use taxon::tui::review_jobs::ReviewJob;
use taxon::tui::screens::browse::preview::{Phase, Preview};
use tui_harness::Harness;

const FREEFORM: &str = "word_choice/commonly_confused_words";
const OTHER_FREEFORM: &str = "rewriting/passive_to_active_voice";

/// The model tests run one at a time: two models on two cores only thrash.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn model() -> PathBuf {
    match fetch_default_model(&AppDirs::from_env(), &python_interpreter()) {
        Ok(fetched) => fetched.path().to_owned(),
        Err(error) => panic!(
            "these tests need the default model (`taxon model fetch`, or TAXON_CACHE_DIR \
             pointing at a cache that holds it): {error}"
        ),
    }
}

/// A copy of the sample taxonomy committed in a git repository, previews on the
/// real thread with the default model (one thread, short samples).
fn with_model(max_tokens: u32) -> (tempfile::TempDir, tempfile::TempDir, Harness) {
    git_sandbox::isolate();
    let (dir, mut harness) = Harness::open_copy();
    taxon::git::init_repository_with_files(dir.path(), "Initial taxonomy", Some(1_700_000_000))
        .unwrap();
    let docs = tempfile::tempdir().unwrap();
    harness.with_preview(PreviewConfig {
        model: model(),
        docs_cache: docs.path().to_owned(),
        threads: Some(1),
    });
    harness.app.browse.preview.settings.max_tokens = max_tokens;
    (dir, docs, harness)
}

fn open(harness: &Harness) -> &Preview {
    harness
        .app
        .browse
        .preview
        .open
        .as_ref()
        .expect("the pane is open")
}

fn last_job(harness: &Harness) -> PreviewJob {
    harness
        .effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Preview(job) => Some(job.clone()),
            _ => None,
        })
        .expect("a preview was asked for")
}

fn reply(harness: &mut Harness, reply: PreviewReply) {
    harness.send(Msg::Preview(reply));
}

/// Answers the full pipeline's prompts as a model would, from a script: three
/// questions a round (the first round's second asks for a drawing, which the
/// question judge turns down), an answer to each, and the answer judge rating
/// the answer about "affect" 1 (so it is rejected) and the others 3.
struct Scripted {
    rounds: usize,
}

impl Scripted {
    fn answer(&mut self, user: &str) -> String {
        let last = user.rsplit("[Question]\n").next().unwrap_or_default();
        let question = last.lines().next().unwrap_or_default();
        if user.contains("You review questions") {
            if question.contains("Draw") {
                "0\n[Reason]\nA drawing cannot be given in writing.\n[End]".into()
            } else {
                "1\n[Reason]\nIt fits the task.\n[End]".into()
            }
        } else if user.contains("You rate answers") {
            if question.contains("affect") {
                "1\n[Reason]\nIt mixes up the two words.\n[End]".into()
            } else {
                "3\n[Reason]\nIt is correct and complete.\n[End]".into()
            }
        } else if user.contains("Answer the last question") {
            format!("Use the one that fits: {}", question.to_lowercase())
        } else {
            self.rounds += 1;
            let questions = match self.rounds {
                1 => [
                    "Which is correct: \"fewer apples\" or \"less apples\"?",
                    "Draw the difference between \"there\" and \"their\".",
                    "When do I use \"affect\" and when \"effect\"?",
                ],
                2 => [
                    "Is it \"between you and me\" or \"between you and I\"?",
                    "Do I \"lay\" or \"lie\" down after lunch?",
                    "Should I write \"its\" or \"it's\" before \"tail\"?",
                ],
                _ => [
                    "Is \"irregardless\" a word I can use?",
                    "Which goes here: \"then\" or \"than\"?",
                    "Is it \"who\" or \"whom\" after \"to\"?",
                ],
            };
            questions.join("\n[End]\n[Question]\n") + "\n[End]"
        }
    }
}

impl Backend for Scripted {
    fn complete(
        &mut self,
        request: Request,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Completion, EngineError> {
        let Prompt::Chat { user, .. } = &request.prompt else {
            panic!("the pipeline asks in chat prompts");
        };
        let text = self.answer(user);
        for word in text.split_inclusive(' ') {
            on_token(word);
        }
        let generated_tokens = text.split_whitespace().count();
        Ok(Completion {
            text,
            finish: Finish::EndOfText,
            stats: Stats {
                prompt_tokens: user.split_whitespace().count(),
                context_size: 2048,
                generated_tokens,
                time_to_first_token: Duration::from_millis(180),
                generation_time: Duration::from_millis(40 * generated_tokens as u64),
                llama_eval: (30.0 * generated_tokens as f64, generated_tokens as i32),
                ..Stats::default()
            },
        })
    }

    fn count_tokens(&mut self, texts: &[String]) -> Result<Vec<usize>, EngineError> {
        Ok(texts.iter().map(|t| t.split_whitespace().count()).collect())
    }

    /// As the preview's engine does: the request's start, then its text.
    fn complete_events(
        &mut self,
        request: Request,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Completion, EngineError> {
        let Prompt::Chat { user, .. } = &request.prompt else {
            panic!("the pipeline asks in chat prompts");
        };
        on_event(&Event::Started {
            id: 0,
            prompt_tokens: user.split_whitespace().count(),
            context_size: 2048,
        });
        self.complete(request, &mut |text| {
            on_event(&Event::Token {
                id: 0,
                text: text.to_owned(),
            })
        })
    }
}

/// The runner's events for the freeform leaf through the full pipeline, with the
/// scripted model, and what came of it.
fn full_pipeline_events(job: &PreviewJob) -> (Vec<PipelineEvent>, LeafOutcome) {
    let document = taxon::taxonomy::yaml::load(&job.text).unwrap();
    let qna = Qna::from_document(&document);
    let mut scripted = Scripted { rounds: 0 };
    let input = LeafInput::from_qna(job.kind, &qna, Path::new("docs"), PASSAGE_TOKENS, |texts| {
        scripted.count_tokens(texts).unwrap()
    })
    .unwrap();
    let pipeline = Pipeline::built_in(job.pipeline).unwrap();
    let settings = LeafSettings {
        num: job.samples,
        seed: job.seed,
        max_tokens: Some(job.max_tokens),
        rounds_per_sample: 1,
    };
    let mut events = Vec::new();
    let mut backends = Backends {
        writer: &mut scripted,
        judge: None,
    };
    let outcome = generate_leaf(&mut backends, &pipeline, &input, &settings, |event| {
        events.push(event.clone())
    })
    .unwrap();
    (events, outcome)
}

#[test]
fn preview_pane_while_loading() {
    let mut harness = Harness::open(Path::new("sample-taxonomy"));
    harness.select(FREEFORM);
    harness.press("g");
    let job = last_job(&harness).id;
    reply(&mut harness, PreviewReply::LoadingModel { job });
    insta::assert_snapshot!("loading", harness.render(100, 30));
}

#[test]
fn the_full_pipeline_funnel_mid_way_and_done() {
    let mut harness = Harness::open(Path::new("sample-taxonomy"));
    // The sample taxonomy is in this project's repository: its review is not
    // recorded here, only asked for.
    harness.hold(|effect| matches!(effect, Effect::Review(_)));
    harness.select(FREEFORM);
    harness.press("g P");
    let job = last_job(&harness);
    assert_eq!(job.pipeline, "full");
    let info = ModelInfo {
        path: "models/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
        context_size: 2048,
        trained_context: 8192,
        threads: 2,
        chat_template: "gguf".into(),
        load_time: Duration::from_millis(412),
    };
    reply(&mut harness, PreviewReply::ModelReady { job: job.id, info });
    let (events, outcome) = full_pipeline_events(&job);
    // Mid-way: a few words into the second answer (the first streamed whole),
    // after the question judge turned down the drawing.
    let second_answer = events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(e, PipelineEvent::Request { stage, event: Event::Started { .. }, .. }
                if stage == "answers")
        })
        .map(|(at, _)| at)
        .nth(1)
        .expect("two answers were asked for");
    let mid = second_answer + 5;
    for event in &events[..mid] {
        reply(
            &mut harness,
            PreviewReply::Pipeline {
                job: job.id,
                event: event.clone(),
            },
        );
    }
    let screen = harness.render(80, 24);
    insta::assert_snapshot!("full_mid_funnel_80x24", screen);
    assert!(screen.contains("… #"), "a candidate streams: {screen}");
    insta::assert_snapshot!("full_mid_funnel", harness.render(100, 44));
    for event in &events[mid..] {
        reply(
            &mut harness,
            PreviewReply::Pipeline {
                job: job.id,
                event: event.clone(),
            },
        );
    }
    let run = PreviewRun {
        model: "SmolLM2-135M-Instruct.Q4_1.gguf".into(),
        pipeline: job.pipeline.into(),
        seed: job.seed,
        wanted: job.samples,
        accepted: outcome.accepted.len(),
    };
    reply(
        &mut harness,
        PreviewReply::Done {
            job: job.id,
            run: run.clone(),
        },
    );
    // The review records the pipeline that ran.
    let [Effect::Review(ReviewJob::RecordPreview { run: recorded, .. })] = harness.held.as_slice()
    else {
        panic!("the preview is recorded once: {:?}", harness.held);
    };
    assert_eq!((recorded.pipeline.as_str(), recorded.accepted), ("full", 3));
    insta::assert_snapshot!("full_done_80x24", harness.render(80, 24));
    insta::assert_snapshot!("full_done", harness.render(100, 60));
    // The counts at the top are the runner's own, as `<leaf>.summary.json` has them.
    let mut chain = vec![format!("{} in", outcome.funnel[0].input)];
    chain.extend(
        outcome
            .funnel
            .iter()
            .map(|count| format!("{} {}", count.stage, count.output)),
    );
    let wide = harness.render(240, 40);
    assert!(wide.contains(&chain.join(" → ")), "{chain:?} in {wide}");
    let pane = open(&harness);
    assert_eq!(pane.funnel.counts, outcome.funnel);
    assert_eq!(
        pane.funnel.outcomes(),
        (
            outcome.accepted.len() + outcome.surplus,
            outcome.rejected.len()
        )
    );
}

#[test]
fn without_a_model_the_pane_says_how_to_fetch_it() {
    let (_dir, mut harness) = Harness::open_copy();
    let missing = tempfile::tempdir().unwrap();
    harness.with_preview(PreviewConfig {
        model: missing
            .path()
            .join("models/SmolLM2-135M-Instruct.Q4_1.gguf"),
        docs_cache: missing.path().join("docs"),
        threads: Some(1),
    });
    harness.select(FREEFORM);
    harness.press("g");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !matches!(open(&harness).phase, Phase::NoModel(_)) {
        assert!(Instant::now() < deadline, "{:?}", open(&harness).phase);
        harness.pump_preview(Duration::from_millis(200));
    }
    let screen = harness.render(200, 30);
    assert!(screen.contains("run `taxon model fetch`"), "{screen}");
}

/// Pumps until the open preview is done (or failed); returns the rendered frames
/// of every batch and the messages seen.
fn run_to_end(harness: &mut Harness) -> (Vec<String>, Vec<Msg>) {
    let deadline = Instant::now() + Duration::from_secs(240);
    let (mut frames, mut seen) = (Vec::new(), Vec::new());
    loop {
        let phase = open(harness).phase.clone();
        match phase {
            Phase::Done => break,
            Phase::Failed(error) => panic!("the preview failed: {error}"),
            Phase::NoModel(path) => panic!("no model at {}", path.display()),
            _ => {}
        }
        assert!(Instant::now() < deadline, "the preview did not end");
        let batch = harness.pump_preview(Duration::from_secs(1));
        if !batch.is_empty() {
            frames.push(harness.render(100, 30));
        }
        seen.extend(batch);
    }
    frames.push(harness.render(100, 30));
    (frames, seen)
}

/// The candidate being written now, if any: its number and its text so far.
fn streaming(harness: &Harness) -> Option<(usize, String)> {
    let preview = open(harness);
    let shown = preview.funnel.shown();
    let writing = shown
        .iter()
        .find(|c| c.outcome.is_none() && c.stage.is_some() && !c.text.is_empty())?;
    Some((writing.id, writing.text.clone()))
}

#[test]
fn g_streams_samples_from_the_real_model() {
    let _serial = serial();
    let (_dir, _docs, mut harness) = with_model(40);
    harness.select(FREEFORM);
    harness.press("g");
    assert_eq!(
        last_job(&harness).pipeline,
        "simple",
        "the default pipeline"
    );
    // The first frames say the model is loading; tokens then grow the first sample.
    let mut streamed: Vec<(usize, String)> = Vec::new();
    let mut loading_seen = false;
    let deadline = Instant::now() + Duration::from_secs(240);
    while open(&harness).funnel.outcomes() == (0, 0) {
        assert!(Instant::now() < deadline, "no sample completed");
        harness.pump_preview(Duration::from_secs(1));
        let screen = harness.render(100, 30);
        loading_seen |= screen.contains("loading model…");
        if let Some((_, text)) = streaming(&harness)
            && streamed.last().is_none_or(|(len, _)| *len < text.len())
        {
            streamed.push((text.len(), screen));
        }
        if let Phase::Failed(error) = &open(&harness).phase {
            panic!("the preview failed: {error}");
        }
    }
    assert!(loading_seen, "the pane said the model was loading");
    assert!(
        streamed.len() >= 3,
        "the first sample grew over {} frames only",
        streamed.len()
    );
    let mut frames: Vec<&String> = streamed.iter().map(|(_, s)| s).collect();
    frames.dedup();
    assert!(
        frames.len() >= 3,
        "the screen changed over {} frames",
        frames.len()
    );
    run_to_end(&mut harness);
    let preview = open(&harness).clone();
    let (accepted, rejected) = preview.funnel.outcomes();
    assert_eq!(accepted + rejected, 3, "{preview:#?}");
    let screen = harness.render(120, 80);
    let marks = screen.matches("✓ #").count() + screen.matches("✗ #").count();
    assert_eq!(marks, 3, "{screen}");
    assert!(screen.contains("/2048 tok"), "{screen}");
    assert!(screen.contains("first token "), "{screen}");
    assert!(
        screen.contains(&format!(
            "simple done: {accepted} accepted, {rejected} rejected"
        )),
        "{screen}"
    );
    // The simple pipeline's funnel: three rounds into `sample`, then `checks`.
    let stages: Vec<(&str, usize)> = preview
        .funnel
        .counts
        .iter()
        .map(|c| (c.stage.as_str(), c.input))
        .collect();
    assert_eq!(stages[0], ("sample", 3), "{stages:?}");
    // The pane's figures are the engine's own measurements of the samples.
    assert!(
        preview
            .funnel
            .stats()
            .all(|st| st.prompt_tokens > 0 && st.context_size == 2048)
    );
    let figures = preview.figures();
    let rate = format!("{:.1} tok/s", figures.tokens_per_second.expect("a rate"));
    let llama = format!(
        "llama.cpp {:.1})",
        figures.llama_tokens_per_second.expect("llama.cpp's rate")
    );
    assert!(screen.contains(&rate), "{rate} in {screen}");
    assert!(screen.contains(&llama), "{llama} in {screen}");
    assert!(figures.first_token.is_some());
}

#[test]
fn the_full_pipeline_shows_the_judges_marks_with_the_real_model() {
    let _serial = serial();
    // Enough tokens for the default model to write its first question whole.
    let (_dir, _docs, mut harness) = with_model(120);
    harness.app.browse.preview.settings.samples = 1;
    harness.select(FREEFORM);
    harness.press("g P");
    let job = last_job(&harness);
    assert_eq!(job.pipeline, "full");
    let (_, seen) = run_to_end(&mut harness);
    let preview = open(&harness).clone();
    // Every question the first stage wrote was judged: a mark with a score.
    let judged: Vec<&PipelineEvent> = seen
        .iter()
        .filter_map(|m| match m {
            Msg::Preview(PreviewReply::Pipeline { job: j, event }) if *j == job.id => Some(event),
            _ => None,
        })
        .filter(|e| match e {
            PipelineEvent::Kept { stage, .. } | PipelineEvent::Rejected { stage, .. } => {
                stage == "question_judge"
            }
            _ => false,
        })
        .collect();
    assert!(!judged.is_empty(), "no question was judged: {preview:#?}");
    let judge_marks: Vec<_> = preview
        .funnel
        .shown()
        .into_iter()
        .flat_map(|c| c.marks.iter().filter(|m| m.stage == "question_judge"))
        .cloned()
        .collect();
    assert_eq!(judge_marks.len(), judged.len(), "{preview:#?}");
    assert!(
        judge_marks.iter().all(|m| m.score.is_some()),
        "{judge_marks:?}"
    );
    let screen = harness.render(120, 80);
    assert!(
        screen.contains("question_judge ✓ 1") || screen.contains("question_judge ✗ 0"),
        "{screen}"
    );
    assert!(screen.contains("full done: "), "{screen}");
    let done = seen.iter().find_map(|m| match m {
        Msg::Preview(PreviewReply::Done { job: j, run }) if *j == job.id => Some(run),
        _ => None,
    });
    assert_eq!(
        done.map(|run| run.pipeline.as_str()),
        Some("full"),
        "what the review records"
    );
    assert!(screen.contains("1 in → questions "), "one round: {screen}");
}

#[test]
fn moving_to_another_leaf_cancels_the_running_preview() {
    let _serial = serial();
    let (_dir, _docs, mut harness) = with_model(32);
    harness.select(FREEFORM);
    harness.press("g");
    let old_job = last_job(&harness).id;
    let deadline = Instant::now() + Duration::from_secs(240);
    while streaming(&harness).is_none_or(|(_, text)| text.len() < 12) {
        assert!(Instant::now() < deadline, "no tokens came");
        harness.pump_preview(Duration::from_secs(1));
    }
    assert_eq!(open(&harness).funnel.outcomes(), (0, 0), "still streaming");
    let before = harness.effects.len();
    harness.press("/ text:passive enter");
    let moved = &harness.effects[before..];
    let cancel = moved.iter().position(|e| *e == Effect::CancelPreview);
    let start = moved
        .iter()
        .position(|e| matches!(e, Effect::Preview(job) if job.folder.ends_with(OTHER_FREEFORM)));
    assert!(
        cancel.is_some() && start > cancel,
        "the move cancels, then previews the new leaf: {moved:?}"
    );
    let new_job = last_job(&harness).id;
    assert!(new_job > old_job);
    let (_, seen) = run_to_end(&mut harness);
    let old: Vec<&PipelineEvent> = seen
        .iter()
        .filter_map(|m| match m {
            Msg::Preview(PreviewReply::Pipeline { job, event }) if *job == old_job => Some(event),
            _ => None,
        })
        .collect();
    let old_tokens = old
        .iter()
        .filter(|e| {
            matches!(
                e,
                PipelineEvent::Request {
                    event: Event::Token { .. },
                    ..
                }
            )
        })
        .count();
    assert!(
        old_tokens <= 2,
        "the old request stops within a token, {old_tokens} came after the move"
    );
    assert!(
        !old.iter().any(|e| matches!(
            e,
            PipelineEvent::Accepted { .. } | PipelineEvent::Rejected { .. }
        )),
        "the old job's candidates never end: {old:?}"
    );
    assert!(
        !seen.iter().any(|m| matches!(
            m,
            Msg::Preview(PreviewReply::Done { job, .. }) if *job == old_job
        )),
        "the old job never completes"
    );
    let preview = open(&harness);
    assert_eq!(preview.job, new_job);
    assert!(
        preview
            .folder
            .as_ref()
            .is_some_and(|f| f.ends_with(OTHER_FREEFORM))
    );
    let (accepted, rejected) = preview.funnel.outcomes();
    assert_eq!(accepted + rejected, 3, "{preview:#?}");
}
