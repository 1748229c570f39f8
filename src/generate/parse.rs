//! Reading samples back from completions (pure): the tagged format the prompts ask
//! for, then the checks that keep only good samples, each rejection with a reason.

use std::collections::BTreeSet;
use std::fmt;

use super::prompts::{ANSWER_TAG, CONTEXT_TAG, END_TAG, QUESTION_TAG};

/// One generated sample.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    /// The generated context (grounded skills).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The question or instruction.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// Why a completion was not kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// The tagged format was not followed.
    Unparseable(&'static str),
    /// A part was there but empty.
    Empty(&'static str),
    /// The sample repeats one of the leaf's seed examples.
    CopyOfSeed,
    /// The sample is nearly the same as one accepted before.
    NearDuplicate(f64),
    /// The sample is longer than allowed (words), or ran into the token limit.
    TooLong(usize),
}

impl Rejection {
    /// A short key to group rejections by in summaries.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Unparseable(_) => "unparseable",
            Self::Empty(_) => "empty",
            Self::CopyOfSeed => "copy of a seed",
            Self::NearDuplicate(_) => "near-duplicate",
            Self::TooLong(_) => "too long",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unparseable(what) => write!(f, "unparseable: {what}"),
            Self::Empty(part) => write!(f, "empty {part}"),
            Self::CopyOfSeed => f.write_str("copy of a seed example"),
            Self::NearDuplicate(similarity) => {
                write!(
                    f,
                    "near-duplicate of an earlier sample (similarity {similarity:.2})"
                )
            }
            Self::TooLong(0) => f.write_str("too long: ran into the token limit"),
            Self::TooLong(words) => write!(f, "too long: {words} words"),
        }
    }
}

/// Small models often write `Question:` / `Answer:` lines instead of the tags;
/// those count as the tags.
fn normalise_labels(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            for (label, tag) in [("Question:", QUESTION_TAG), ("Answer:", ANSWER_TAG)] {
                if let Some(rest) = trimmed.strip_prefix(label) {
                    return format!("{tag}\n{}", rest.trim_start());
                }
            }
            line.to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads a completion (with the prompt's prefix put back in front). A context is
/// expected when `grounded`. The final `[End]` may be missing (the engine stops on
/// it), but the question and answer tags (or `Question:` / `Answer:` lines) must
/// be there, in order.
pub fn parse(text: &str, grounded: bool) -> Result<Sample, Rejection> {
    let text = normalise_labels(text);
    let text = text.split(END_TAG).next().unwrap_or_default();
    let (before, after_question) = text
        .split_once(QUESTION_TAG)
        .ok_or(Rejection::Unparseable("no [Question]"))?;
    let (question, answer) = after_question
        .split_once(ANSWER_TAG)
        .ok_or(Rejection::Unparseable("no [Answer] after the question"))?;
    if answer.contains(QUESTION_TAG) || answer.contains(CONTEXT_TAG) {
        return Err(Rejection::Unparseable("more than one sample"));
    }
    let context = if grounded {
        let (_, context) = before
            .split_once(CONTEXT_TAG)
            .ok_or(Rejection::Unparseable("no [Context] before the question"))?;
        let context = context.trim();
        if context.is_empty() {
            return Err(Rejection::Empty("context"));
        }
        Some(context.to_owned())
    } else {
        None
    };
    let (question, answer) = (question.trim(), answer.trim());
    if question.is_empty() {
        return Err(Rejection::Empty("question"));
    }
    if answer.is_empty() {
        return Err(Rejection::Empty("answer"));
    }
    Ok(Sample {
        context,
        question: question.to_owned(),
        answer: answer.to_owned(),
    })
}

/// The lowercase words of a text, for comparing samples.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The Jaccard similarity of two word sets (1.0 for two empty sets).
pub fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

fn sample_words(sample: &Sample) -> BTreeSet<String> {
    let mut all = words(&sample.question);
    all.extend(words(&sample.answer));
    all
}

/// The checks a parsed sample must pass, holding what was accepted so far.
#[derive(Debug, Clone)]
pub struct Filter {
    seeds: Vec<(String, BTreeSet<String>)>,
    accepted: Vec<BTreeSet<String>>,
    /// Word-set similarity from which two samples count as the same.
    pub threshold: f64,
    /// The most words a sample (context, question and answer) may have.
    pub max_words: usize,
}

/// The default similarity threshold.
pub const DEFAULT_THRESHOLD: f64 = 0.9;
/// The default word limit of a sample.
pub const DEFAULT_MAX_WORDS: usize = 600;

impl Filter {
    /// A filter against the leaf's seed examples.
    pub fn new(seeds: &[Sample]) -> Self {
        Self {
            seeds: seeds
                .iter()
                .map(|s| (normalise(&s.question), sample_words(s)))
                .collect(),
            accepted: Vec::new(),
            threshold: DEFAULT_THRESHOLD,
            max_words: DEFAULT_MAX_WORDS,
        }
    }

    /// Checks a sample; an accepted one is remembered for later duplicate checks.
    pub fn check(&mut self, sample: &Sample) -> Result<(), Rejection> {
        let length = [
            sample.context.as_deref(),
            Some(&sample.question),
            Some(&sample.answer),
        ]
        .into_iter()
        .flatten()
        .map(|t| t.split_whitespace().count())
        .sum::<usize>();
        if length > self.max_words {
            return Err(Rejection::TooLong(length));
        }
        let question = normalise(&sample.question);
        let own = sample_words(sample);
        if self
            .seeds
            .iter()
            .any(|(q, w)| *q == question || jaccard(w, &own) >= self.threshold)
        {
            return Err(Rejection::CopyOfSeed);
        }
        if let Some(similarity) = self
            .accepted
            .iter()
            .map(|w| jaccard(w, &own))
            .filter(|&s| s >= self.threshold)
            .reduce(f64::max)
        {
            return Err(Rejection::NearDuplicate(similarity));
        }
        self.accepted.push(own);
        Ok(())
    }
}

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/generate/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn sample(q: &str, a: &str) -> Sample {
        Sample {
            context: None,
            question: q.to_owned(),
            answer: a.to_owned(),
        }
    }

    #[test]
    fn reads_a_tagged_pair() {
        let parsed = parse("[Question]\n What is 2+2? \n[Answer]\n4.\n[End]", false).unwrap();
        assert_eq!(parsed, sample("What is 2+2?", "4."));
    }

    #[test]
    fn reads_a_grounded_sample() {
        let parsed = parse("[Context]\nA text.\n[Question]\nQ?\n[Answer]\nA.", true).unwrap();
        assert_eq!(parsed.context.as_deref(), Some("A text."));
    }

    #[test]
    fn rejects_what_does_not_follow_the_format() {
        assert_eq!(
            parse("Just some text", false),
            Err(Rejection::Unparseable("no [Question]"))
        );
        assert_eq!(
            parse("[Question]\nQ?\n", false),
            Err(Rejection::Unparseable("no [Answer] after the question"))
        );
        assert_eq!(
            parse("[Question]\nQ?\n[Answer]\nA\n[Question]\nQ2", false),
            Err(Rejection::Unparseable("more than one sample"))
        );
        assert_eq!(
            parse("[Question]\nQ?\n[Answer]\nA", true),
            Err(Rejection::Unparseable("no [Context] before the question"))
        );
        assert_eq!(
            parse("[Question]\n \n[Answer]\nA", false),
            Err(Rejection::Empty("question"))
        );
        assert_eq!(
            parse("[Question]\nQ\n[Answer]\n[End]", false),
            Err(Rejection::Empty("answer"))
        );
    }

    #[test]
    fn filters_copies_duplicates_and_long_samples() {
        let seeds = [sample("What rhymes with cat?", "Hat rhymes with cat.")];
        let mut filter = Filter::new(&seeds);
        assert_eq!(
            filter.check(&sample("what  rhymes with CAT?", "Bat.")),
            Err(Rejection::CopyOfSeed)
        );
        assert_eq!(
            filter.check(&sample("What rhymes with dog?", "Log rhymes with dog.")),
            Ok(())
        );
        let again = filter.check(&sample("What rhymes with dog?", "log rhymes with dog"));
        assert!(
            matches!(again, Err(Rejection::NearDuplicate(s)) if s >= 0.9),
            "{again:?}"
        );
        filter.max_words = 5;
        assert_eq!(
            filter.check(&sample("One two three", "four five six")),
            Err(Rejection::TooLong(6))
        );
    }

    #[test]
    fn recorded_good_outputs_parse() {
        let freeform = parse(&fixture("good_freeform.txt"), false).unwrap();
        assert!(freeform.question.starts_with("Which is correct"));
        assert!(freeform.answer.contains("effect"));
        let grounded = parse(&fixture("grounded_loose_labels.txt"), true).unwrap();
        assert_eq!(
            grounded.context.as_deref(),
            Some("Subject: The 2018-2019 school year of study abroad")
        );
        assert_eq!(
            grounded.question,
            "How can I get my child to the Science Museum on time?"
        );
        let mut filter = Filter::new(&[]);
        assert_eq!(filter.check(&freeform), Ok(()));
        assert_eq!(filter.check(&grounded), Ok(()));
        assert!(matches!(
            filter.check(&freeform),
            Err(Rejection::NearDuplicate(_))
        ));
    }

    #[test]
    fn recorded_bad_outputs_are_rejected_with_reasons() {
        assert_eq!(
            parse(&fixture("bad_grounded_no_question.txt"), true),
            Err(Rejection::Unparseable("no [Question]"))
        );
        assert_eq!(
            parse(&fixture("bad_grounded_instructions_only.txt"), true),
            Err(Rejection::Unparseable("no [Answer] after the question"))
        );
    }

    #[test]
    fn jaccard_of_word_sets() {
        assert_eq!(jaccard(&words("a b"), &words("B A")), 1.0);
        assert_eq!(jaccard(&words("a b"), &words("b c")), 1.0 / 3.0);
        assert_eq!(jaccard(&words(""), &words("")), 1.0);
    }
}
