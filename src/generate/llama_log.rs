//! llama.cpp's own reasons when a call fails: the error lines it logs while the call
//! runs on this thread, caught so that a message can say what llama.cpp said (such as
//! "invalid magic characters") rather than only that it failed.

use std::fmt;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Collects the message of every error event.
struct Errors(Arc<Mutex<Vec<String>>>);

/// The `message` field of an event.
#[derive(Default)]
struct Message(Option<String>);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = Some(value.trim().to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" && self.0.is_none() {
            self.0 = Some(format!("{value:?}").trim().to_owned());
        }
    }
}

impl<S: Subscriber> Layer<S> for Errors {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() != Level::ERROR {
            return;
        }
        let mut message = Message::default();
        event.record(&mut message);
        if let (Some(message), Ok(mut errors)) = (message.0, self.0.lock())
            && !message.is_empty()
            && !errors.contains(&message)
        {
            errors.push(message);
        }
    }
}

/// Runs `call` (a call into llama.cpp, whose logs go to tracing) and returns, with its
/// result, the error lines llama.cpp logged meanwhile on this thread. They are logged
/// again afterwards; llama.cpp's other lines of the call are not kept.
pub fn with_llama_errors<T>(call: impl FnOnce() -> T) -> (T, Vec<String>) {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let catcher = tracing_subscriber::registry().with(Errors(Arc::clone(&errors)));
    let result = tracing::subscriber::with_default(catcher, call);
    let errors = errors.lock().map(|e| e.clone()).unwrap_or_default();
    for line in &errors {
        tracing::error!(target: "llama.cpp", "{line}");
    }
    (result, errors)
}

/// Why a model file did not load: llama.cpp's reasons when it gave some (else
/// `error`), and what to do.
pub fn load_failure(error: impl fmt::Display, reasons: &[String]) -> String {
    let said = if reasons.is_empty() {
        error.to_string()
    } else {
        format!("llama.cpp says: {}", reasons.join("; "))
    };
    format!(
        "{said}; give a complete GGUF model file (fetch it again if its download was cut short)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_of_the_call_are_caught() {
        let (value, errors) = with_llama_errors(|| {
            tracing::info!("chatter");
            tracing::error!("invalid magic characters: 'abcd', expected 'GGUF'");
            tracing::error!("invalid magic characters: 'abcd', expected 'GGUF'");
            tracing::error!(module = "llama", "failed to load model");
            7
        });
        assert_eq!(value, 7);
        assert_eq!(
            errors,
            [
                "invalid magic characters: 'abcd', expected 'GGUF'",
                "failed to load model"
            ]
        );
        assert_eq!(
            load_failure("null result from llama cpp", &errors[..1]),
            "llama.cpp says: invalid magic characters: 'abcd', expected 'GGUF'; give a \
             complete GGUF model file (fetch it again if its download was cut short)"
        );
    }
}
