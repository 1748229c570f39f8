//! The generation preview pane: a snapshot of a deterministic state, and headless
//! runs with the real default model (streaming, verdicts, figures, and the newest
//! request winning when the selection moves). The model comes from the cache
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
use taxon::generate::{ModelInfo, RequestId, Stats};
use taxon::tui::msg::{Effect, Msg};
use taxon::tui::preview_jobs::{PreviewConfig, PreviewJob, PreviewReply, Verdict};
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

fn tokens(harness: &mut Harness, job: u64, request: RequestId, text: &str) {
    for word in text.split_inclusive(' ') {
        reply(
            harness,
            PreviewReply::Token {
                job,
                request,
                text: word.to_owned(),
            },
        );
    }
}

fn stats(first_token_ms: u64, tokens: usize, ms: u64, llama_ms: f64) -> Stats {
    Stats {
        prompt_tokens: 233,
        cached_prompt_tokens: 0,
        context_size: 2048,
        generated_tokens: tokens,
        time_to_first_token: Duration::from_millis(first_token_ms),
        generation_time: Duration::from_millis(ms),
        llama_prompt_eval: (120.0, 233),
        llama_eval: (llama_ms, tokens as i32),
    }
}

#[test]
fn preview_pane_while_loading_and_streaming() {
    let mut harness = Harness::open(Path::new("sample-taxonomy"));
    harness.select(FREEFORM);
    harness.press("g");
    let job = last_job(&harness).id;
    reply(&mut harness, PreviewReply::LoadingModel { job });
    insta::assert_snapshot!("loading", harness.render(100, 30));
    let info = ModelInfo {
        path: "models/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
        context_size: 2048,
        trained_context: 8192,
        threads: 2,
        chat_template: "gguf".into(),
        load_time: Duration::from_millis(412),
    };
    reply(&mut harness, PreviewReply::ModelReady { job, info });
    let start = |request| PreviewReply::Started {
        job,
        request,
        prompt_tokens: 233,
        context_size: 2048,
        prefix: "[Question]\n".into(),
    };
    reply(&mut harness, start(1));
    tokens(
        &mut harness,
        job,
        1,
        "Which is correct: \"I have fewer apples\" or \"I have less apples\"?\n[Answer]\n\"Fewer apples\" is correct: fewer is for things you can count.",
    );
    let accepted = Verdict::Accepted;
    reply(
        &mut harness,
        PreviewReply::Judged {
            job,
            index: 0,
            verdict: accepted,
            stats: stats(231, 31, 300, 290.0),
        },
    );
    reply(&mut harness, start(2));
    tokens(
        &mut harness,
        job,
        2,
        "Here are some words that are often confused.",
    );
    let rejected = Verdict::Rejected("unparseable: no [Answer] after the question".into());
    reply(
        &mut harness,
        PreviewReply::Judged {
            job,
            index: 1,
            verdict: rejected,
            stats: stats(95, 11, 100, 95.0),
        },
    );
    reply(&mut harness, start(3));
    tokens(&mut harness, job, 3, "Should I write \"its\" or");
    insta::assert_snapshot!("streaming", harness.render(100, 40));
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

#[test]
fn g_streams_samples_from_the_real_model() {
    let _serial = serial();
    let (_dir, _docs, mut harness) = with_model(40);
    harness.select(FREEFORM);
    harness.press("g");
    // The first frames say the model is loading; tokens then grow the first sample.
    let mut streamed: Vec<(usize, String)> = Vec::new();
    let mut loading_seen = false;
    let deadline = Instant::now() + Duration::from_secs(240);
    while open(&harness)
        .samples
        .first()
        .is_none_or(|s| s.verdict.is_none())
    {
        assert!(Instant::now() < deadline, "no sample completed");
        harness.pump_preview(Duration::from_secs(1));
        let screen = harness.render(100, 30);
        loading_seen |= screen.contains("loading model…");
        if let Some(sample) = open(&harness).samples.first()
            && sample.verdict.is_none()
            && streamed
                .last()
                .is_none_or(|(len, _)| *len < sample.text.len())
        {
            streamed.push((sample.text.len(), screen));
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
    assert_eq!(preview.samples.len(), 3, "{preview:#?}");
    assert!(preview.samples.iter().all(|s| s.verdict.is_some()));
    let screen = harness.render(120, 80);
    let marks = screen.matches("✓ sample").count() + screen.matches("✗ sample").count();
    assert_eq!(marks, 3, "{screen}");
    assert!(screen.contains("/2048 tok"), "{screen}");
    assert!(screen.contains("first token "), "{screen}");
    let (accepted, rejected) = preview.counts();
    assert!(
        screen.contains(&format!("done: {accepted} accepted, {rejected} rejected")),
        "{screen}"
    );
    // The pane's figures are the engine's own measurements of the samples.
    assert!(preview.samples.iter().all(|s| {
        s.stats
            .as_ref()
            .is_some_and(|st| st.prompt_tokens > 0 && st.context_size == 2048)
    }));
    let figures = preview.figures();
    let rate = format!("{:.1} tok/s", figures.tokens_per_second.expect("a rate"));
    let llama = format!(
        "llama.cpp {:.1})",
        figures.llama_tokens_per_second.expect("llama.cpp's rate")
    );
    assert!(screen.contains(&rate), "{rate} in {screen}");
    assert!(screen.contains(&llama), "{llama} in {screen}");
    assert!(figures.first_token.is_some());
    let streamed_text: String = preview.samples[2].text.clone();
    assert!(streamed_text.starts_with("[Question]"), "{streamed_text}");
}

#[test]
fn moving_to_another_leaf_cancels_the_running_preview() {
    let _serial = serial();
    let (_dir, _docs, mut harness) = with_model(32);
    harness.select(FREEFORM);
    harness.press("g");
    let old_job = last_job(&harness).id;
    let deadline = Instant::now() + Duration::from_secs(240);
    while open(&harness)
        .samples
        .first()
        .is_none_or(|s| s.text.len() < "[Question]\n".len() + 12)
    {
        assert!(Instant::now() < deadline, "no tokens came");
        harness.pump_preview(Duration::from_secs(1));
    }
    let old_request = open(&harness).samples[0].request;
    assert!(
        open(&harness).samples[0].verdict.is_none(),
        "still streaming"
    );
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
    let old_tokens = seen
        .iter()
        .filter(|m| matches!(m, Msg::Preview(PreviewReply::Token { request, .. }) if *request == old_request))
        .count();
    assert!(
        old_tokens <= 2,
        "the old request stops within a token, {old_tokens} came after the move"
    );
    assert!(
        !seen.iter().any(|m| matches!(
            m,
            Msg::Preview(PreviewReply::Judged { job, .. } | PreviewReply::Done { job, .. })
                if *job == old_job
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
    assert_eq!(preview.samples.len(), 3);
    assert!(
        preview
            .samples
            .iter()
            .all(|s| s.request > old_request && s.text.len() > "[Question]\n".len()),
        "{preview:#?}"
    );
}
