//! The engine decoding several sequences together with the real default model:
//! a batch's requests run side by side and share their common prompt start in the
//! cache, a batch gives the same texts again, and interactive work never waits
//! behind background work.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;

use std::time::Duration;

use generate_cli::{model, serial};
use taxon::generate::{Engine, EngineConfig, Event, Finish, Priority, Prompt, Request, Sampling};

fn engine(parallel: u32) -> (Engine, std::sync::mpsc::Receiver<Event>) {
    let mut config = EngineConfig::new(model());
    config.threads = 2;
    config.parallel = parallel;
    Engine::start(config).expect("start the engine")
}

fn request(user: String, seed: u32, max_tokens: u32) -> Request {
    Request {
        prompt: Prompt::Chat {
            system: Some("You write short notes.".into()),
            user,
            prefix: String::new(),
        },
        max_tokens,
        sampling: Sampling::with_seed(seed),
        stop: Vec::new(),
    }
}

/// Prompts with a long common start and different ends.
fn shared_start_prompts(count: usize) -> Vec<String> {
    let notes = "Tides rise and fall twice a day as the moon pulls the oceans. ".repeat(14);
    (0..count)
        .map(|i| format!("{notes}\nWrite one question about these notes, number {i}."))
        .collect()
}

#[test]
fn a_batch_runs_side_by_side_shares_its_common_start_and_repeats() {
    let _serial = serial();
    let (engine, _events) = engine(4);
    let requests: Vec<Request> = shared_start_prompts(4)
        .into_iter()
        .enumerate()
        .map(|(i, user)| request(user, i as u32, 24))
        .collect();
    let run = |requests: Vec<Request>| {
        let batch = engine.submit_batch(requests, Priority::Background).unwrap();
        let mut running = 0usize;
        let mut most_running = 0;
        let results = batch.wait(|_, event| match event {
            Event::Started { .. } => {
                running += 1;
                most_running = most_running.max(running);
            }
            Event::Finished { .. } => running -= 1,
            _ => {}
        });
        let completions: Vec<_> = results.into_iter().map(Result::unwrap).collect();
        (completions, most_running)
    };
    let (first, most_running) = run(requests.clone());
    assert_eq!(most_running, 4, "the four sequences ran together");
    let prompt_tokens = first[0].stats.prompt_tokens;
    assert!(prompt_tokens > 200, "{:?}", first[0].stats);
    let shared: Vec<usize> = first.iter().map(|c| c.stats.cached_prompt_tokens).collect();
    assert_eq!(
        shared[0], 0,
        "the first evaluates the common start: {shared:?}"
    );
    for (i, &n) in shared.iter().enumerate().skip(1) {
        assert!(
            n >= prompt_tokens - 64 - 16,
            "request {i} took the common start from the first: {shared:?} of {prompt_tokens}"
        );
    }
    for completion in &first {
        assert!(!completion.text.is_empty());
        assert_ne!(completion.finish, Finish::Cancelled);
    }
    let (second, _) = run(requests);
    let texts = |c: &[taxon::generate::Completion]| -> Vec<String> {
        c.iter().map(|c| c.text.clone()).collect()
    };
    assert_eq!(
        texts(&first),
        texts(&second),
        "the same batch, the same texts"
    );
}

#[test]
fn interactive_work_goes_before_background_work() {
    let _serial = serial();
    let (engine, events) = engine(2);
    let background: Vec<Request> = (0..4)
        .map(|i| request(format!("Write a long story about ship number {i}."), i, 200))
        .collect();
    let batch = engine
        .submit_batch(background, Priority::Background)
        .unwrap();
    // Wait until the background work is decoding.
    let mut background_tokens = 0;
    while background_tokens < 5 {
        let event = batch_event(&batch);
        if matches!(event, Event::Token { .. }) {
            background_tokens += 1;
        }
    }
    let interactive = engine.submit(request("Say hello.".into(), 9, 16)).unwrap();
    // The worker sends every event from one thread: once the interactive request
    // has started, whatever background tokens came before are in the batch's
    // channel. From its start to its end there must be none.
    let mut finished = 0;
    let drain = |finished: &mut usize| {
        let events: Vec<Event> = std::iter::from_fn(|| batch.events().try_recv().ok()).collect();
        *finished += events
            .iter()
            .filter(|e| matches!(e, Event::Finished { .. }))
            .count();
        events
            .iter()
            .filter(|e| matches!(e, Event::Token { .. }))
            .count()
    };
    loop {
        match events.recv_timeout(Duration::from_secs(120)).unwrap() {
            Event::Started { id, .. } if id == interactive => {
                drain(&mut finished);
            }
            Event::Token { id, .. } if id == interactive => {}
            Event::Finished { id, completion } if id == interactive => {
                assert!(!completion.text.is_empty());
                let beside = drain(&mut finished);
                assert_eq!(
                    beside, 0,
                    "background tokens while the interactive request ran"
                );
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(finished < 4, "the background work was still running");
    // The background work resumes and ends.
    while finished < 4 {
        match batch_event(&batch) {
            Event::Finished { completion, .. } => {
                assert_ne!(completion.finish, Finish::Cancelled);
                finished += 1;
            }
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
}

fn batch_event(batch: &taxon::generate::Batch) -> Event {
    batch
        .events()
        .recv_timeout(Duration::from_secs(120))
        .expect("a background event")
}
