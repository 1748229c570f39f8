//! The remote backend against a real OpenAI-compatible server on loopback:
//! llama.cpp's own `llama-server` serving the default model (its models, props,
//! tokenizer and completions endpoints).
//!
//! Needs the server: `TAXON_LLAMA_SERVER`, the binary `bash tests/install-server.sh`
//! builds into the per-user CI cache and prints (`tests/ci.sh` sets the variable).
//! Without it these tests fail and say so; they never skip.

#[path = "support/generate_cli.rs"]
mod generate_cli;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use generate_cli::{
    FREEFORM, FULL_FREEFORM, FULL_KNOWLEDGE, KNOWLEDGE, check_leaf, check_training_file,
    generate_command, jsonl, model, only_file, sample_taxonomy, serial,
};
use taxon::generate::pipeline::{ExampleValues, Pipeline, PromptValues, Route};
use taxon::generate::remote::{RemoteBackend, RemoteConfig, RemoteError};
use taxon::generate::runner::Backend;
use taxon::generate::{Engine, EngineConfig, EngineError, Prompt, Request, Sampling, complete};

fn llama_server() -> PathBuf {
    match std::env::var_os("TAXON_LLAMA_SERVER") {
        Some(server) => PathBuf::from(server),
        None => panic!(
            "llama.cpp's server is not known: `bash tests/ci.sh` sets TAXON_LLAMA_SERVER; by \
             hand, `export TAXON_LLAMA_SERVER=\"$(bash tests/install-server.sh)\"`"
        ),
    }
}

/// A port nothing listens on (just freed by the system).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// llama.cpp's server with the default model, four slots of 2048 tokens; killed on
/// drop.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        let port = free_port();
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(llama_server())
            .arg("--model")
            .arg(model())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--ctx-size", "8192", "--parallel", "4"])
            .args(["--threads", "1", "--threads-batch", "1"])
            // llama.cpp's OpenMP threads busy-wait otherwise, starving the tests.
            .env("OMP_WAIT_POLICY", "passive")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("start llama.cpp's server");
        let mut server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        // The server answers 503 while it loads the model.
        let models = format!("{}/v1/models", server.url);
        while ureq::get(&models).call().is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server exited ({status}):\n{}", server.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer within 2 minutes:\n{}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn config(&self, concurrency: usize) -> RemoteConfig {
        RemoteConfig {
            url: format!("{}/v1", self.url),
            model: None,
            concurrency,
            timeout: Duration::from_secs(300),
            chat_template: None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn leaf_file(out: &Path, suffix: &str) -> PathBuf {
    out.join("generated")
        .join(format!("{}{suffix}", FREEFORM.replace('/', "_")))
}

#[test]
fn generate_through_the_server_writes_the_datasets_and_resumes() {
    let _serial = serial();
    let server = Server::start();
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let run = || {
        generate_command(repo.path(), work.path())
            .args(["--endpoint", &server.url, "--leaf", FREEFORM])
            // A seed llama-server's sampling takes to two accepted samples in one
            // group of rounds (the tiny model's rejections vary with the seed).
            .args(["--pipeline", "simple", "--num", "2", "--seed", "2"])
            .args(["--max-tokens", "160"])
            .arg("--output")
            .arg(&out)
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("SmolLM2-135M-Instruct.Q4_1.gguf at http://127.0.0.1:")
            && stderr.contains("4 requests at once, chat template server"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{FREEFORM}: sample (generate): 4 candidates")),
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!("  {FREEFORM}: 2 of 2 accepted")),
        "{stdout}"
    );
    let samples = jsonl(&leaf_file(&out, ".jsonl"));
    assert_eq!(samples.len(), 2, "{samples:?}");
    for sample in &samples {
        assert!(!sample["question"].as_str().unwrap().trim().is_empty());
        assert!(!sample["answer"].as_str().unwrap().trim().is_empty());
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(leaf_file(&out, ".summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["accepted"], 2);
    assert!(
        summary["model"]
            .as_str()
            .unwrap()
            .ends_with("SmolLM2-135M-Instruct.Q4_1.gguf"),
        "{summary}"
    );
    check_training_file(&only_file(&out, "skills_train_msgs_"), false, FREEFORM);

    // A second run finds the leaf complete and asks the server for nothing more.
    let again = run();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{FREEFORM}: complete from an earlier run (2 samples)"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("(generate):"), "{stderr}");
}

#[test]
fn several_requests_are_in_flight_at_once() {
    let _serial = serial();
    let server = Server::start();
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let output = generate_command(repo.path(), work.path())
        .args(["--endpoint", &server.url, "--leaf", FREEFORM])
        .args(["--pipeline", "simple", "--num", "4", "--seed", "2"])
        .args(["--max-tokens", "96", "--concurrency", "4"])
        .arg("--output")
        .arg(&out)
        .env("TAXON_LOG", "taxon=info")
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // What the tiny model's samples come to is not tested here: llama-server's
    // batched decoding varies from run to run, so a run may end with none accepted
    // (exit 1, with the reasons); any other end is a failure.
    let ended = output.status.code() == Some(0)
        || (output.status.code() == Some(1) && stderr.contains("no sample was accepted"));
    assert!(ended, "{:?}\n{stderr}", output.status);
    // The first group is four rounds, one request each, sent together.
    assert!(
        stderr.contains(&format!("{FREEFORM}: sample (generate): 4 candidates")),
        "{stderr}"
    );
    for round in 1..=4 {
        assert!(
            stderr.contains(&format!("{FREEFORM}: round {round}, candidate")),
            "{stderr}"
        );
    }
    let log = std::fs::read_to_string(work.path().join("state/taxon.log")).unwrap();
    let in_flight = log
        .lines()
        .filter(|l| l.contains("completion request sent"))
        .filter_map(|l| l.split("in_flight=").nth(1))
        .filter_map(|n| n.split_whitespace().next()?.parse::<usize>().ok())
        .max();
    assert!(
        in_flight.is_some_and(|n| n >= 2),
        "no two requests were in flight together: {in_flight:?}\n{log}"
    );
    let seeds: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("completion received"))
        .filter_map(|l| l.split("seed=").nth(1)?.split_whitespace().next())
        .collect();
    for seed in ["2", "3", "4", "5"] {
        assert!(seeds.contains(&seed), "seed {seed} came back: {seeds:?}");
    }
}

#[test]
fn the_server_sees_the_local_prompt_and_counts_tokens_alike() {
    let _serial = serial();
    let server = Server::start();
    let mut remote = RemoteBackend::connect(&server.config(2)).unwrap();
    // The model's own template, as llama.cpp's server reports it at /props.
    assert_eq!(remote.info().template_source, "server");
    assert!(remote.info().chat_template.contains("<|im_start|>"));
    assert_eq!(remote.info().context_size, 2048, "a slot's window");
    // The simple pipeline's freeform prompt, as `taxon generate` renders it.
    let pipeline = Pipeline::built_in("simple").unwrap();
    let stage = &pipeline.stages(Route::Freeform).unwrap()[0];
    let values = PromptValues {
        task: Some("Choose between commonly confused words".into()),
        examples: vec![ExampleValues {
            context: None,
            question: "Which is right: affect or effect the outcome?".into(),
            answer: "Affect: it is the verb.".into(),
        }],
        count: 1,
        ..PromptValues::default()
    };
    let (system, user) = pipeline.render(stage, &values).unwrap();
    let request = Request {
        prompt: Prompt::Chat {
            system,
            user,
            prefix: "[Question]\n".into(),
        },
        max_tokens: 4,
        sampling: Sampling::with_seed(5),
        stop: vec!["[End]".into(), "\n[Question]".into()],
    };
    let (engine, events) = Engine::start(EngineConfig::new(model())).unwrap();
    let local = complete(&engine, &events, request.clone(), |_| {}).unwrap();
    let served = remote.complete(request, &mut |_| {}).unwrap();
    assert!(served.stats.prompt_tokens > 100, "{:?}", served.stats);
    assert_eq!(
        served.stats.prompt_tokens, local.stats.prompt_tokens,
        "the server tokenized the same prompt text"
    );
    let texts: Vec<String> = ["", "Tides rise twice a day.", "affect / effect\n\nüber"]
        .map(str::to_owned)
        .to_vec();
    assert_eq!(
        remote.count_tokens(&texts).unwrap(),
        engine.count_tokens(texts.clone()).unwrap()
    );
}

#[test]
fn the_full_pipeline_runs_through_the_server() {
    let _serial = serial();
    let server = Server::start();
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let output = generate_command(repo.path(), work.path())
        .args([
            "--endpoint",
            &server.url,
            "--leaf",
            FREEFORM,
            "--leaf",
            KNOWLEDGE,
        ])
        .args(["--pipeline", "full", "--num", "1", "--seed", "2"])
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{stdout}\n{stderr}"
    );
    assert!(stderr.contains("pipeline full, model"), "{stderr}");
    let (freeform, freeform_rejected) = check_leaf(&out, FREEFORM, "full", &FULL_FREEFORM);
    let (knowledge, knowledge_rejected) = check_leaf(&out, KNOWLEDGE, "full", &FULL_KNOWLEDGE);
    assert!(freeform.len() + freeform_rejected > 0, "{stdout}");
    assert!(knowledge.len() + knowledge_rejected > 0, "{stdout}");
}

#[test]
fn server_errors_carry_the_status_and_body() {
    let _serial = serial();
    let server = Server::start();
    let mut remote = RemoteBackend::connect(&server.config(1)).unwrap();
    let too_long = Request {
        prompt: taxon::generate::Prompt::Raw("tide ".repeat(3000)),
        max_tokens: 8,
        sampling: Sampling::with_seed(1),
        stop: Vec::new(),
    };
    let error = remote.complete(too_long, &mut |_| {}).unwrap_err();
    let EngineError::Remote(RemoteError::Status { url, status, body }) = &error else {
        panic!("not a status error: {error:?}");
    };
    assert_eq!(url, &format!("{}/v1/completions", server.url));
    assert_eq!(*status, 400, "{error}");
    assert!(
        body.contains("exceeds the available context size"),
        "{error}"
    );
}

#[test]
fn nothing_listening_is_a_clear_error() {
    let repo = sample_taxonomy();
    let work = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", free_port());
    let output = generate_command(repo.path(), work.path())
        .args(["--endpoint", &url, "--leaf", FREEFORM, "--output"])
        .arg(work.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "taxon: {url}/v1/models: cannot connect: connection refused (is the server running?)"
        )
    );
    assert!(!work.path().join("out").exists());

    // A local model and a server are one or the other.
    let both = generate_command(repo.path(), work.path())
        .args([
            "--endpoint",
            &url,
            "--model",
            "m.gguf",
            "--all",
            "--output",
            "o",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&both.stderr);
    assert_eq!(both.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}
