//! The remote backend: any OpenAI-compatible server (vLLM, llama.cpp's server,
//! llama-cpp-python's, `ilab model serve`) through `/v1/completions`, several
//! requests in flight at once.
//!
//! Prompts are rendered here with llama.cpp's own chat templates, exactly as the
//! local engine renders them, and sent as plain completions: a chat endpoint would
//! apply the server's template and could not start the answer with the prompt's
//! prefix, so the text would differ. The template is `--chat-template` if given,
//! else the one llama.cpp's server reports at `/props`, else ChatML (the local
//! engine's fallback too).
//!
//! HTTP goes through `ureq`: blocking, small (no async runtime), TLS by rustls;
//! concurrency is a few scoped threads sharing one connection pool.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::engine::{Completion, EngineError, Event, Request, Stats};
use super::llama::{FALLBACK_TEMPLATE, prompt_text};
use super::openai::{
    completion_body, parse_completion, parse_models, parse_props, parse_token_count,
};
use super::runner::Backend;

/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What went wrong talking to the server; every message names the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// The endpoint is not an http(s) URL.
    #[error("{url}: not an http:// or https:// URL")]
    BadUrl {
        /// The URL given.
        url: String,
    },
    /// Nothing answered.
    #[error("{url}: cannot connect: {message}")]
    Connect {
        /// The URL.
        url: String,
        /// The cause.
        message: String,
    },
    /// The server took too long.
    #[error("{url}: no answer within {seconds} s")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit.
        seconds: u64,
    },
    /// The request failed on the way (TLS, protocol, a broken connection).
    #[error("{url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// The cause.
        message: String,
    },
    /// The server answered with an error status.
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The server's error body.
        body: String,
    },
    /// The answer is not what an OpenAI-compatible server sends.
    #[error("{url}: not an OpenAI-compatible answer: {message}")]
    Malformed {
        /// The URL.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// `/v1/models` lists nothing.
    #[error("{url}: the server lists no models")]
    NoModels {
        /// The URL.
        url: String,
    },
    /// Neither tokenizer endpoint exists (knowledge leaves need one).
    #[error(
        "{url}: the server offers no tokenizer (tried /extras/tokenize/count and /tokenize); \
         knowledge leaves need one to cut documents into passages"
    )]
    NoTokenizer {
        /// The server's base URL.
        url: String,
    },
}

/// How to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// The server's base URL (`http://host:port`, with or without `/v1`).
    pub url: String,
    /// The model to ask for (default: the first that `/v1/models` lists).
    pub model: Option<String>,
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
    /// The longest a request may take.
    pub timeout: Duration,
    /// The chat template: a llama.cpp builtin name or a Jinja source.
    pub chat_template: Option<String>,
}

/// What the server told about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteInfo {
    /// The server's base URL (without `/v1`).
    pub url: String,
    /// The model requests name.
    pub model: String,
    /// The chat template prompts are rendered with.
    pub chat_template: String,
    /// Where it came from: `--chat-template`, `server` or the fallback's name.
    pub template_source: String,
    /// The context window, where the server says (else 0).
    pub context_size: u32,
}

/// The server's tokenizer endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenizerEndpoint {
    /// llama-cpp-python's `/extras/tokenize/count`.
    LlamaCppPython,
    /// vLLM's and llama.cpp's `/tokenize`.
    Tokenize,
}

/// The tokenizer endpoint, and the count it gives an empty text (a start-of-text
/// token some add), taken off every count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tokenizer {
    endpoint: TokenizerEndpoint,
    empty: usize,
}

/// An OpenAI-compatible server as a [`Backend`].
pub struct RemoteBackend {
    agent: ureq::Agent,
    info: RemoteInfo,
    concurrency: usize,
    timeout: Duration,
    tokenizer: Option<Tokenizer>,
    in_flight: AtomicUsize,
}

/// The base URL: trailing slashes and a final `/v1` taken off.
fn base_url(url: &str) -> Result<String, RemoteError> {
    let trimmed = url.trim().trim_end_matches('/');
    let base = trimmed.strip_suffix("/v1").unwrap_or(trimmed);
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(RemoteError::BadUrl {
            url: url.to_owned(),
        });
    }
    Ok(base.to_owned())
}

/// A ureq error as a [`RemoteError`] about `url`.
fn transport_error(url: &str, timeout: Duration, error: ureq::Error) -> RemoteError {
    let url = url.to_owned();
    match error {
        ureq::Error::Timeout(_) => RemoteError::Timeout {
            url,
            seconds: timeout.as_secs(),
        },
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            RemoteError::Connect {
                url,
                message: "connection refused (is the server running?)".to_owned(),
            }
        }
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => RemoteError::Connect {
            url,
            message: error.to_string(),
        },
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => RemoteError::Timeout {
            url,
            seconds: timeout.as_secs(),
        },
        other => RemoteError::Transport {
            url,
            message: other.to_string(),
        },
    }
}

/// A status and body as the answer's body, or a [`RemoteError::Status`].
fn check_status(url: &str, status: u16, body: String) -> Result<String, RemoteError> {
    if (200..300).contains(&status) {
        return Ok(body);
    }
    Err(RemoteError::Status {
        url: url.to_owned(),
        status,
        body: body.trim().chars().take(2000).collect(),
    })
}

impl RemoteBackend {
    /// Reaches the server: finds the model (`GET /v1/models`), and llama.cpp's
    /// template and window (`GET /props`) where the server has them.
    pub fn connect(config: &RemoteConfig) -> Result<Self, RemoteError> {
        let url = base_url(&config.url)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            .timeout_connect(Some(CONNECT_TIMEOUT.min(config.timeout)))
            .max_idle_connections_per_host(config.concurrency.max(1))
            .build()
            .into();
        let mut backend = Self {
            agent,
            info: RemoteInfo {
                url,
                model: String::new(),
                chat_template: String::new(),
                template_source: String::new(),
                context_size: 0,
            },
            concurrency: config.concurrency.max(1),
            timeout: config.timeout,
            tokenizer: None,
            in_flight: AtomicUsize::new(0),
        };
        let models_url = format!("{}/v1/models", backend.info.url);
        let models = backend.get(&models_url)?;
        let models = parse_models(&models).map_err(|message| RemoteError::Malformed {
            url: models_url.clone(),
            message,
        })?;
        let chosen = match &config.model {
            Some(name) => models.iter().find(|m| &m.id == name),
            None => models.first(),
        };
        let (model, window) = match (chosen, &config.model) {
            (Some(m), _) => (m.id.clone(), m.max_model_len),
            // The server may serve names it does not list (aliases); trust the user.
            (None, Some(name)) => (name.clone(), None),
            (None, None) => return Err(RemoteError::NoModels { url: models_url }),
        };
        // Only llama.cpp's own server has `/props`; any failure means "not told".
        let props = backend
            .get(&format!("{}/props", backend.info.url))
            .ok()
            .and_then(|body| parse_props(&body).ok())
            .unwrap_or_default();
        let (template, source) = match (&config.chat_template, props.chat_template) {
            (Some(given), _) => (given.clone(), "--chat-template"),
            (None, Some(server)) if !server.trim().is_empty() => (server, "server"),
            _ => (FALLBACK_TEMPLATE.to_owned(), FALLBACK_TEMPLATE),
        };
        backend.info.model = model;
        backend.info.chat_template = template;
        backend.info.template_source = source.to_owned();
        backend.info.context_size = window
            .or(props.default_generation_settings.and_then(|s| s.n_ctx))
            .unwrap_or(0);
        tracing::info!(info = ?backend.info, "remote generation server reached");
        Ok(backend)
    }

    /// What the server told about itself.
    pub fn info(&self) -> &RemoteInfo {
        &self.info
    }

    fn get(&self, url: &str) -> Result<String, RemoteError> {
        let response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| transport_error(url, self.timeout, e))?;
        self.body(url, response)
    }

    fn post(&self, url: &str, body: &Value) -> Result<String, RemoteError> {
        let response = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .map_err(|e| transport_error(url, self.timeout, e))?;
        self.body(url, response)
    }

    fn body(
        &self,
        url: &str,
        response: ureq::http::Response<ureq::Body>,
    ) -> Result<String, RemoteError> {
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .read_to_string()
            .map_err(|e| transport_error(url, self.timeout, e))?;
        check_status(url, status, body)
    }

    /// Runs `job` on every item, at most `concurrency` at once; results in order.
    fn in_parallel<T: Sync, R: Send>(&self, items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
        let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..self.concurrency.min(items.len()) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(item) = items.get(i) else { break };
                        let result = job(item);
                        if let Ok(mut slot) = results[i].lock() {
                            *slot = Some(result);
                        }
                    }
                });
            }
        });
        results
            .into_iter()
            .filter_map(|slot| slot.into_inner().ok().flatten())
            .collect()
    }

    /// One completion, blocking.
    fn complete_one(&self, request: &Request) -> Result<Completion, EngineError> {
        let prompt = prompt_text(&self.info.chat_template, &request.prompt)?;
        let url = format!("{}/v1/completions", self.info.url);
        let body = completion_body(&self.info.model, &prompt, request);
        let started = Instant::now();
        let in_flight = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        tracing::info!(
            seed = request.sampling.seed,
            in_flight,
            "completion request sent"
        );
        let answer = self.post(&url, &body);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let parsed = parse_completion(&answer?, request)
            .map_err(|message| RemoteError::Malformed { url, message })?;
        let elapsed = started.elapsed();
        tracing::info!(
            seed = request.sampling.seed,
            tokens = parsed.completion_tokens,
            ms = elapsed.as_millis() as u64,
            "completion received"
        );
        Ok(Completion {
            text: parsed.text,
            finish: parsed.finish,
            stats: Stats {
                prompt_tokens: parsed.prompt_tokens,
                context_size: self.info.context_size,
                generated_tokens: parsed.completion_tokens,
                // Not streamed: the whole request's time, prompt evaluation included.
                generation_time: elapsed,
                ..Stats::default()
            },
        })
    }

    /// The raw count of `text` with `tokenizer`.
    fn raw_count(&self, endpoint: TokenizerEndpoint, text: &str) -> Result<usize, RemoteError> {
        let (url, body) = match endpoint {
            TokenizerEndpoint::LlamaCppPython => (
                format!("{}/extras/tokenize/count", self.info.url),
                json!({"model": self.info.model, "input": text}),
            ),
            // vLLM reads `prompt`, llama.cpp's server `content`.
            TokenizerEndpoint::Tokenize => (
                format!("{}/tokenize", self.info.url),
                json!({"model": self.info.model, "prompt": text, "content": text}),
            ),
        };
        let answer = self.post(&url, &body)?;
        parse_token_count(&answer).map_err(|message| RemoteError::Malformed { url, message })
    }

    /// Finds the tokenizer endpoint and its count of an empty text.
    fn find_tokenizer(&self) -> Result<Tokenizer, RemoteError> {
        for endpoint in [
            TokenizerEndpoint::LlamaCppPython,
            TokenizerEndpoint::Tokenize,
        ] {
            match self.raw_count(endpoint, "") {
                Ok(empty) => return Ok(Tokenizer { endpoint, empty }),
                Err(RemoteError::Status {
                    status: 404 | 405, ..
                }) => {}
                Err(other) => return Err(other),
            }
        }
        Err(RemoteError::NoTokenizer {
            url: self.info.url.clone(),
        })
    }
}

impl Backend for RemoteBackend {
    fn complete(
        &mut self,
        request: Request,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Completion, EngineError> {
        let completion = self.complete_one(&request)?;
        on_token(&completion.text);
        Ok(completion)
    }

    fn count_tokens(&mut self, texts: &[String]) -> Result<Vec<usize>, EngineError> {
        let tokenizer = match self.tokenizer {
            Some(found) => found,
            None => *self.tokenizer.insert(self.find_tokenizer()?),
        };
        self.in_parallel(texts, |text| self.raw_count(tokenizer.endpoint, text))
            .into_iter()
            .map(|count| Ok(count?.saturating_sub(tokenizer.empty)))
            .collect()
    }

    fn parallel(&self) -> usize {
        self.concurrency
    }

    /// The requests are not streamed: `on_event` hears of none.
    fn run_batch(
        &mut self,
        requests: Vec<Request>,
        _on_event: &mut dyn FnMut(usize, &Event),
    ) -> Vec<Result<Completion, EngineError>> {
        self.in_parallel(&requests, |request| self.complete_one(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_lose_slashes_and_v1() {
        assert_eq!(
            base_url("http://127.0.0.1:8000/v1/").unwrap(),
            "http://127.0.0.1:8000"
        );
        assert_eq!(base_url(" https://h/x ").unwrap(), "https://h/x");
        let error = base_url("127.0.0.1:8000").unwrap_err();
        assert_eq!(
            error.to_string(),
            "127.0.0.1:8000: not an http:// or https:// URL"
        );
    }

    #[test]
    fn error_statuses_keep_the_servers_body() {
        assert_eq!(check_status("u", 200, "ok".into()).unwrap(), "ok");
        let error = check_status(
            "http://h/v1/completions",
            400,
            " {\"error\":\"x\"}\n".into(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "http://h/v1/completions: HTTP 400: {\"error\":\"x\"}"
        );
    }

    #[test]
    fn transport_errors_name_the_url() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let error = transport_error("http://h/v1/models", Duration::from_secs(5), refused.into());
        assert_eq!(
            error.to_string(),
            "http://h/v1/models: cannot connect: connection refused (is the server running?)"
        );
        let timed_out = std::io::Error::from(std::io::ErrorKind::TimedOut);
        let error = transport_error("http://h", Duration::from_secs(5), timed_out.into());
        assert_eq!(error.to_string(), "http://h: no answer within 5 s");
        let error = transport_error(
            "http://h",
            Duration::from_secs(5),
            ureq::Error::HostNotFound,
        );
        assert!(matches!(error, RemoteError::Connect { .. }), "{error}");
    }

    #[test]
    fn a_refused_connection_fails_clearly() {
        // A port just freed by its listener: nothing answers there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = RemoteConfig {
            url: format!("http://127.0.0.1:{port}"),
            model: None,
            concurrency: 2,
            timeout: Duration::from_secs(5),
            chat_template: None,
        };
        let error = RemoteBackend::connect(&config).err().unwrap();
        assert_eq!(
            error.to_string(),
            format!(
                "http://127.0.0.1:{port}/v1/models: cannot connect: connection refused \
                 (is the server running?)"
            )
        );
    }
}
