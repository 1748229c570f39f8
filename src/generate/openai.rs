//! The OpenAI-compatible wire format (pure): the `/v1/completions` request body
//! built from a rendered prompt and a [`Request`], and the server's answers read
//! back (completions, `/v1/models`, llama.cpp's `/props`, token counts).

use serde::Deserialize;
use serde_json::{Value, json};

use super::engine::{Finish, Request};

/// The body of a `/v1/completions` request for `request`, whose prompt `prompt`
/// is already rendered. One completion per request (`n` = 1): every attempt has
/// its own seed, so attempts run as separate, concurrent requests.
///
/// Sampling names differ between servers: `top_k` and `repeat_penalty` are read
/// by llama.cpp's and llama-cpp-python's servers, `repetition_penalty` by vLLM;
/// each server ignores the names it does not know. `min_p` is 0 (no such filter,
/// as in the local engine), where llama.cpp's servers default to 0.05.
pub fn completion_body(model: &str, prompt: &str, request: &Request) -> Value {
    let sampling = &request.sampling;
    json!({
        "model": model,
        "prompt": prompt,
        "max_tokens": request.max_tokens,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "top_k": sampling.top_k,
        "min_p": 0.0,
        "repeat_penalty": sampling.repeat_penalty,
        "repetition_penalty": sampling.repeat_penalty,
        "seed": sampling.seed,
        "stop": request.stop,
        "n": 1,
        "stream": false,
    })
}

/// A completion as the server returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCompletion {
    /// The generated text (without the stop string).
    pub text: String,
    /// Why it ended.
    pub finish: Finish,
    /// Tokens in the prompt, as the server counted them.
    pub prompt_tokens: usize,
    /// Tokens generated.
    pub completion_tokens: usize,
}

#[derive(Deserialize)]
struct CompletionResponse {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    text: String,
    #[serde(default)]
    finish_reason: Option<String>,
    /// vLLM: the stop string (or token id) that ended the completion.
    #[serde(default)]
    stop_reason: Option<Value>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: usize,
    #[serde(default)]
    completion_tokens: usize,
}

/// Reads a `/v1/completions` answer to `request`: `length` is [`Finish::Length`];
/// `stop` is [`Finish::Stop`] when the server names one of the request's stop
/// strings, else [`Finish::EndOfText`] (servers do not all say which).
pub fn parse_completion(body: &str, request: &Request) -> Result<ServerCompletion, String> {
    let response: CompletionResponse = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let choice = response
        .choices
        .into_iter()
        .next()
        .ok_or("the answer has no choices")?;
    let finish = match choice.finish_reason.as_deref() {
        Some("length") => Finish::Length,
        Some("stop") | None => match choice.stop_reason {
            Some(Value::String(stop)) if request.stop.contains(&stop) => Finish::Stop(stop),
            _ => Finish::EndOfText,
        },
        Some(other) => return Err(format!("unexpected finish_reason {other:?}")),
    };
    let usage = response.usage.unwrap_or(Usage {
        prompt_tokens: 0,
        completion_tokens: 0,
    });
    Ok(ServerCompletion {
        text: choice.text,
        finish,
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
    })
}

/// A model the server serves.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerModel {
    /// Its name, as requests give it.
    pub id: String,
    /// Its context window, where the server says (vLLM).
    #[serde(default)]
    pub max_model_len: Option<u32>,
}

#[derive(Deserialize)]
struct ModelList {
    data: Vec<ServerModel>,
}

/// Reads a `/v1/models` answer.
pub fn parse_models(body: &str) -> Result<Vec<ServerModel>, String> {
    serde_json::from_str::<ModelList>(body)
        .map(|list| list.data)
        .map_err(|e| e.to_string())
}

/// What llama.cpp's own server tells at `/props`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ServerProps {
    /// The model's chat template (Jinja source).
    #[serde(default)]
    pub chat_template: Option<String>,
    /// Its generation settings, with the context window.
    #[serde(default)]
    pub default_generation_settings: Option<GenerationSettings>,
}

/// Part of [`ServerProps`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct GenerationSettings {
    /// The context window per slot.
    #[serde(default)]
    pub n_ctx: Option<u32>,
}

/// Reads a `/props` answer.
pub fn parse_props(body: &str) -> Result<ServerProps, String> {
    serde_json::from_str(body).map_err(|e| e.to_string())
}

/// Reads a token count: `{"count": n}` (llama-cpp-python's
/// `/extras/tokenize/count`, vLLM's `/tokenize`) or `{"tokens": [...]}`
/// (llama.cpp's `/tokenize`).
pub fn parse_token_count(body: &str) -> Result<usize, String> {
    let value: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    if let Some(count) = value.get("count").and_then(Value::as_u64) {
        return Ok(count as usize);
    }
    value
        .get("tokens")
        .and_then(Value::as_array)
        .map(Vec::len)
        .ok_or_else(|| "no `count` or `tokens` in the answer".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::engine::Sampling;

    fn request() -> Request {
        Request {
            prompt: crate::generate::Prompt::Raw(String::new()),
            max_tokens: 160,
            sampling: Sampling::with_seed(45),
            stop: vec!["[End]".into(), "\n[Question]".into()],
        }
    }

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/remote/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_body_carries_prompt_limits_seed_and_stop_strings() {
        let body = completion_body("smol", "<|im_start|>user\nHi", &request());
        assert_eq!(body["model"], "smol");
        assert_eq!(body["prompt"], "<|im_start|>user\nHi");
        assert_eq!(body["max_tokens"], 160);
        assert_eq!(body["seed"], 45);
        assert_eq!(body["stop"], json!(["[End]", "\n[Question]"]));
        assert_eq!(body["top_k"], 40);
        assert_eq!(body["min_p"], 0.0);
        assert_eq!(body["n"], 1);
        assert_eq!(body["stream"], false);
        assert!((body["temperature"].as_f64().unwrap() - 0.7).abs() < 1e-6);
        assert!((body["repeat_penalty"].as_f64().unwrap() - 1.1).abs() < 1e-6);
    }

    #[test]
    fn a_recorded_completion_is_read_back() {
        let parsed = parse_completion(&fixture("completion_stop.json"), &request()).unwrap();
        assert!(parsed.text.contains("[Answer]"), "{parsed:?}");
        assert_eq!(parsed.finish, Finish::EndOfText);
        assert!(parsed.prompt_tokens > 100 && parsed.completion_tokens > 0);
        let parsed = parse_completion(&fixture("completion_length.json"), &request()).unwrap();
        assert_eq!(parsed.finish, Finish::Length);
        assert_eq!(parsed.completion_tokens, 8);
    }

    #[test]
    fn a_named_stop_string_is_kept_and_odd_answers_are_errors() {
        let body = r#"{"choices":[{"text":"Q","finish_reason":"stop","stop_reason":"[End]"}]}"#;
        let parsed = parse_completion(body, &request()).unwrap();
        assert_eq!(parsed.finish, Finish::Stop("[End]".into()));
        assert_eq!(parsed.prompt_tokens, 0);
        assert!(parse_completion(r#"{"choices":[]}"#, &request()).is_err());
        assert!(parse_completion("<html>", &request()).is_err());
        let filtered = r#"{"choices":[{"text":"","finish_reason":"content_filter"}]}"#;
        let error = parse_completion(filtered, &request()).unwrap_err();
        assert!(error.contains("content_filter"), "{error}");
    }

    #[test]
    fn recorded_model_lists_and_counts_are_read_back() {
        let models = parse_models(&fixture("models.json")).unwrap();
        assert_eq!(models.len(), 1);
        assert!(models[0].id.ends_with(".gguf"), "{models:?}");
        assert_eq!(models[0].max_model_len, None);
        let vllm = r#"{"object":"list","data":[{"id":"m","max_model_len":4096}]}"#;
        assert_eq!(parse_models(vllm).unwrap()[0].max_model_len, Some(4096));
        assert!(parse_models(r#"{"models":[]}"#).is_err());
        assert_eq!(parse_token_count(&fixture("token_count.json")).unwrap(), 7);
        assert_eq!(parse_token_count(r#"{"tokens":[1,2,3]}"#).unwrap(), 3);
        assert!(parse_token_count(r#"{"n":3}"#).is_err());
    }

    #[test]
    fn llama_cpp_props_give_the_template_and_window() {
        let props = parse_props(
            r#"{"chat_template":"{{ x }}","default_generation_settings":{"n_ctx":2048}}"#,
        )
        .unwrap();
        assert_eq!(props.chat_template.as_deref(), Some("{{ x }}"));
        assert_eq!(props.default_generation_settings.unwrap().n_ctx, Some(2048));
        assert_eq!(parse_props("{}").unwrap(), ServerProps::default());
    }
}
