//! The prompts that ask a model for one new sample, per leaf kind (pure). They
//! follow LAB's structure (an introduction, numbered principles, an example built
//! from the leaf's seeds, then the generation instruction) in our own words, and
//! ask for explicitly tagged output, which `parse` reads back.

use super::engine::Prompt;

/// Opens the generated context of a grounded skill sample.
pub const CONTEXT_TAG: &str = "[Context]";
/// Opens the question (or instruction) of a sample.
pub const QUESTION_TAG: &str = "[Question]";
/// Opens the answer of a sample.
pub const ANSWER_TAG: &str = "[Answer]";
/// Ends a sample.
pub const END_TAG: &str = "[End]";

/// The system message of every generation prompt.
const SYSTEM: &str = "You are a careful teacher who writes training examples for an AI assistant.";

/// A skill seed example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillSeed {
    /// The context (grounded skills only).
    pub context: Option<String>,
    /// The question or instruction.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// A knowledge seed example: a passage of the document and questions about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeSeed {
    /// The passage.
    pub context: String,
    /// Its questions and answers.
    pub pairs: Vec<(String, String)>,
}

/// A prompt ready for the engine, with what the parser needs to read the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamplePrompt {
    /// What to send.
    pub prompt: Prompt,
    /// Strings that end the completion.
    pub stop: Vec<String>,
    /// Text the answer is known to start with (already given to the model), to be
    /// put before the completion when parsing.
    pub prefix: String,
}

/// The completion ends at `[End]`, or where a second sample would begin (a new
/// question, or for grounded samples a new context).
fn stops(grounded: bool) -> Vec<String> {
    let next = if grounded { CONTEXT_TAG } else { QUESTION_TAG };
    vec![END_TAG.to_owned(), format!("\n{next}")]
}

fn tagged(context: Option<&str>, question: &str, answer: &str) -> String {
    let context = context.map_or(String::new(), |c| format!("{CONTEXT_TAG}\n{}\n", c.trim()));
    format!(
        "{context}{QUESTION_TAG}\n{}\n{ANSWER_TAG}\n{}\n{END_TAG}",
        question.trim(),
        answer.trim()
    )
}

fn chat(user: String, prefix: &str, grounded: bool) -> SamplePrompt {
    SamplePrompt {
        prompt: Prompt::Chat {
            system: Some(SYSTEM.to_owned()),
            user,
            prefix: prefix.to_owned(),
        },
        stop: stops(grounded),
        prefix: prefix.to_owned(),
    }
}

/// A new question and answer for a skill taught by examples alone.
pub fn freeform_skill(task: &str, examples: &[&SkillSeed]) -> SamplePrompt {
    let task = task.trim();
    let shown: Vec<String> = examples
        .iter()
        .map(|e| tagged(None, &e.question, &e.answer))
        .collect();
    let user = format!(
        "Write one new question and answer pair that teaches this task: {task}\n\n\
         Follow these rules:\n\
         1. Ask something different from the examples, but of the same kind.\n\
         2. The question is one or two sentences; the answer fully answers it.\n\
         3. Use plain English text only: nothing to see, hear or click.\n\
         4. Write {QUESTION_TAG} before the question, {ANSWER_TAG} before the answer \
            and {END_TAG} after it.\n\n\
         Examples:\n\n{}\n\nNow write the new pair.",
        shown.join("\n\n")
    );
    chat(user, &format!("{QUESTION_TAG}\n"), false)
}

/// A new context, question and answer for a skill that works on a given text.
pub fn grounded_skill(task: &str, examples: &[&SkillSeed]) -> SamplePrompt {
    let task = task.trim();
    let shown: Vec<String> = examples
        .iter()
        .map(|e| tagged(e.context.as_deref(), &e.question, &e.answer))
        .collect();
    let user = format!(
        "Write one new example that teaches this task: {task}\n\n\
         Follow these rules:\n\
         1. First write a new context: a short text like the ones in the examples, on a \
            different subject.\n\
         2. Then a question or instruction about that context, and its answer, which \
            uses only the context.\n\
         3. Use plain English text only.\n\
         4. Write {CONTEXT_TAG} before the context, {QUESTION_TAG} before the question, \
            {ANSWER_TAG} before the answer and {END_TAG} after it.\n\n\
         Examples:\n\n{}\n\nNow write the new example.",
        shown.join("\n\n")
    );
    chat(user, &format!("{CONTEXT_TAG}\n"), true)
}

/// A new question and answer drawn from one chunk of a knowledge document.
pub fn knowledge(
    domain: &str,
    outline: &str,
    example: &KnowledgeSeed,
    chunk: &str,
) -> SamplePrompt {
    let (domain, outline) = (domain.trim(), outline.trim());
    let pairs: Vec<String> = example
        .pairs
        .iter()
        .map(|(q, a)| tagged(None, q, a))
        .collect();
    let user = format!(
        "You write study questions about {domain}, from a document about: {outline}\n\n\
         Follow these rules:\n\
         1. The question must be answered by the passage below, and the answer must \
            only use facts from it.\n\
         2. Ask something the example questions do not ask.\n\
         3. The question makes sense without the passage in front of the reader.\n\
         4. Write {QUESTION_TAG} before the question, {ANSWER_TAG} before the answer \
            and {END_TAG} after it.\n\n\
         Example passage:\n{}\n\nExample questions about it:\n\n{}\n\n\
         Passage:\n{}\n\nNow write one new question and answer about this passage.",
        example.context.trim(),
        pairs.join("\n\n"),
        chunk.trim()
    );
    chat(user, &format!("{QUESTION_TAG}\n"), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(context: Option<&str>, q: &str, a: &str) -> SkillSeed {
        SkillSeed {
            context: context.map(str::to_owned),
            question: q.to_owned(),
            answer: a.to_owned(),
        }
    }

    fn user_of(prompt: &SamplePrompt) -> &str {
        match &prompt.prompt {
            Prompt::Chat { user, .. } => user,
            Prompt::Raw(text) => text,
        }
    }

    #[test]
    fn freeform_shows_the_task_and_tagged_examples() {
        let a = seed(None, "What rhymes with cat? ", "Hat.\n");
        let prompt = freeform_skill("Find rhymes", &[&a]);
        let user = user_of(&prompt);
        assert!(user.contains("teaches this task: Find rhymes"));
        assert!(user.contains("[Question]\nWhat rhymes with cat?\n[Answer]\nHat.\n[End]"));
        assert_eq!(prompt.prefix, "[Question]\n");
        assert!(prompt.stop.contains(&"[End]".to_owned()));
    }

    #[test]
    fn grounded_examples_carry_their_context() {
        let a = seed(Some("Tom met Ann on May 2."), "When?", "May 2.");
        let prompt = grounded_skill("Extract dates", &[&a]);
        assert!(user_of(&prompt).contains("[Context]\nTom met Ann on May 2.\n[Question]\nWhen?"));
        assert_eq!(prompt.prefix, "[Context]\n");
        assert_eq!(prompt.stop, ["[End]", "\n[Context]"]);
    }

    #[test]
    fn knowledge_puts_the_chunk_last() {
        let example = KnowledgeSeed {
            context: "Tides rise twice a day.".into(),
            pairs: vec![("How often?".into(), "Twice a day.".into())],
        };
        let prompt = knowledge(
            "oceanography",
            "How tides work",
            &example,
            "The moon pulls.",
        );
        let user = user_of(&prompt);
        assert!(user.contains("study questions about oceanography"));
        assert!(
            user.find("Example passage").unwrap() < user.find("Passage:\nThe moon pulls.").unwrap()
        );
        assert!(user.ends_with("about this passage."));
    }
}
