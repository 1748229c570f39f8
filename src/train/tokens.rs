//! Conversations as masked token streams: each is rendered with the model's chat
//! template and cut at the assistant's turns, so that, as in instructlab-training,
//! only the assistant's tokens (its text and the template's end of turn) are
//! trained on, unless the record asks for `unmask` (then every token is); a
//! `pretraining` message is its text as is, all trained.

use std::path::Path;

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};

use super::dataset::{Conversation, Message};
use super::engine::JobError;
use super::windows::MaskedTokens;
use crate::generate::llama_log::{load_failure, with_llama_errors};

/// The chat template used when the GGUF has none (as in the generation engine).
const FALLBACK_TEMPLATE: &str = "chatml";
/// The role whose text is trained on as it is, without a template.
const PRETRAINING_ROLE: &str = "pretraining";

/// What masking needs of a model: its chat template and its tokenizer.
pub(super) trait Tokenizer {
    /// The conversation in the chat template, with the assistant's opening after
    /// it when `open_assistant`.
    fn render(&self, messages: &[Message], open_assistant: bool) -> Result<String, JobError>;
    /// The tokens of `text` (special tokens parsed), a start token first when
    /// `first`.
    fn tokens(&self, text: &str, first: bool) -> Vec<i32>;
}

/// The pieces of a rendered conversation, each trained or not.
fn pieces(
    tokenizer: &dyn Tokenizer,
    conversation: &Conversation,
) -> Result<Vec<(String, bool)>, JobError> {
    let messages = &conversation.messages;
    if messages.iter().any(|m| m.role == PRETRAINING_ROLE) {
        let text: String = messages.iter().map(|m| m.content.as_str()).collect();
        return Ok(vec![(text, true)]);
    }
    let full = tokenizer.render(messages, false)?;
    if conversation.unmask {
        return Ok(vec![(full, true)]);
    }
    let mut out = Vec::new();
    let mut done = 0;
    for (i, message) in messages.iter().enumerate() {
        if message.role != "assistant" {
            continue;
        }
        let opened = tokenizer.render(&messages[..i], true)?;
        let closed = tokenizer.render(&messages[..=i], false)?;
        let incremental = full.starts_with(&opened)
            && full.starts_with(&closed)
            && done <= opened.len()
            && opened.len() <= closed.len();
        if !incremental {
            return Err(JobError::Spec(
                "the model's chat template does not render a conversation turn by turn, so the \
                 assistant's tokens cannot be found; train with `unmask` records"
                    .to_owned(),
            ));
        }
        out.push((full[done..opened.len()].to_owned(), false));
        out.push((full[opened.len()..closed.len()].to_owned(), true));
        done = closed.len();
    }
    out.push((full[done..].to_owned(), false));
    Ok(out)
}

/// One conversation as masked tokens.
pub(super) fn masked(
    tokenizer: &dyn Tokenizer,
    conversation: &Conversation,
) -> Result<MaskedTokens, JobError> {
    let mut stream = MaskedTokens::default();
    for (text, trained) in pieces(tokenizer, conversation)? {
        if !text.is_empty() {
            let tokens = tokenizer.tokens(&text, stream.is_empty());
            stream.push(&tokens, trained);
        }
    }
    Ok(stream)
}

/// A GGUF's chat template and tokenizer (the base model, memory-mapped).
pub(super) struct ModelTokenizer {
    model: LlamaModel,
    template: LlamaChatTemplate,
}

fn llama(error: impl std::fmt::Display) -> JobError {
    JobError::Llama(error.to_string())
}

impl ModelTokenizer {
    /// Loads the vocabulary and template of `path`.
    pub(super) fn load(backend: &LlamaBackend, path: &Path) -> Result<Self, JobError> {
        let (loaded, reasons) = with_llama_errors(|| {
            LlamaModel::load_from_file(backend, path, &LlamaModelParams::default())
        });
        let model = loaded.map_err(|e| {
            JobError::Llama(format!("{}: {}", path.display(), load_failure(e, &reasons)))
        })?;
        let template = match model.chat_template(None) {
            Ok(template) => template,
            Err(_) => LlamaChatTemplate::new(FALLBACK_TEMPLATE).map_err(llama)?,
        };
        Ok(Self { model, template })
    }

    /// The token that pads a window.
    pub(super) fn pad(&self) -> i32 {
        self.model.vocab().eos().0
    }
}

impl Tokenizer for ModelTokenizer {
    fn render(&self, messages: &[Message], open_assistant: bool) -> Result<String, JobError> {
        if messages.is_empty() {
            return Ok(String::new());
        }
        let messages = messages
            .iter()
            .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(llama)?;
        self.model
            .apply_chat_template(&self.template, &messages, open_assistant)
            .map_err(llama)
    }

    fn tokens(&self, text: &str, first: bool) -> Vec<i32> {
        self.model
            .vocab()
            .tokenize(text.as_bytes(), first, true)
            .iter()
            .map(|t| t.0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ChatML rendered by hand; one token per character.
    struct Chars;

    impl Tokenizer for Chars {
        fn render(&self, messages: &[Message], open: bool) -> Result<String, JobError> {
            let mut text: String = messages
                .iter()
                .map(|m| format!("<{}>{}|", m.role, m.content))
                .collect();
            if open {
                text.push_str("<assistant>");
            }
            Ok(text)
        }

        fn tokens(&self, text: &str, first: bool) -> Vec<i32> {
            let bos = first.then_some(0);
            bos.into_iter()
                .chain(text.chars().map(|c| c as i32))
                .collect()
        }
    }

    fn conversation(unmask: bool) -> Conversation {
        Conversation {
            unmask,
            ..Conversation::question_answer("S", "Q", "A")
        }
    }

    fn trained_text(stream: &MaskedTokens) -> String {
        stream
            .tokens
            .iter()
            .zip(&stream.trained)
            .filter(|(_, t)| **t)
            .map(|(&c, _)| char::from_u32(c as u32).unwrap_or('?'))
            .collect()
    }

    #[test]
    fn only_the_answer_and_its_end_of_turn_are_trained() {
        let stream = masked(&Chars, &conversation(false)).unwrap();
        assert_eq!(trained_text(&stream), "A|");
        assert_eq!(stream.tokens[0], 0, "the start token");
        assert_eq!(stream.len(), 1 + "<system>S|<user>Q|<assistant>A|".len());
    }

    #[test]
    fn unmasked_and_pretraining_records_are_trained_whole() {
        let stream = masked(&Chars, &conversation(true)).unwrap();
        assert_eq!(stream.trained_count(), stream.len());
        let mut raw = conversation(false);
        raw.messages = vec![Message {
            role: "pretraining".into(),
            content: "text".into(),
        }];
        assert_eq!(trained_text(&masked(&Chars, &raw).unwrap()), "\0text");
    }
}
