//! Reading what a generating stage wrote (pure): records of tagged fields, as
//! many as the answer holds; then the checks without the model that keep only new
//! samples (a copy of a seed, a near duplicate, too long), each rejection with a
//! reason.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::pipeline::{END_TAG, Field};

/// One sample's fields, as far as the stages have written them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The context (grounded skills).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The question or instruction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

impl Draft {
    /// A field's text, if written.
    pub fn get(&self, field: Field) -> Option<&str> {
        match field {
            Field::Context => self.context.as_deref(),
            Field::Question => self.question.as_deref(),
            Field::Answer => self.answer.as_deref(),
        }
    }

    /// Sets a field.
    pub fn set(&mut self, field: Field, text: String) {
        let slot = match field {
            Field::Context => &mut self.context,
            Field::Question => &mut self.question,
            Field::Answer => &mut self.answer,
        };
        *slot = Some(text);
    }

    /// This draft with `other`'s written fields added.
    pub fn merged(&self, other: &Draft) -> Draft {
        Draft {
            context: other.context.clone().or_else(|| self.context.clone()),
            question: other.question.clone().or_else(|| self.question.clone()),
            answer: other.answer.clone().or_else(|| self.answer.clone()),
        }
    }

    /// The finished sample, once it has a question and an answer.
    pub fn sample(&self) -> Option<Sample> {
        Some(Sample {
            context: self.context.clone(),
            question: self.question.clone()?,
            answer: self.answer.clone()?,
        })
    }
}

/// One generated sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// The generated context (grounded skills).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The question or instruction.
    pub question: String,
    /// The answer.
    pub answer: String,
}

impl Sample {
    /// The sample as a draft, every field written.
    pub fn draft(&self) -> Draft {
        Draft {
            context: self.context.clone(),
            question: Some(self.question.clone()),
            answer: Some(self.answer.clone()),
        }
    }
}

/// Why a candidate was not kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// The tagged format was not followed.
    Unparseable(String),
    /// A part was there but empty.
    Empty(Field),
    /// The candidate repeats one of the leaf's seed examples.
    CopyOfSeed,
    /// The candidate is nearly the same as one kept before.
    NearDuplicate(f64),
    /// The candidate is longer than allowed (words), or ran into the token limit (0).
    TooLong(usize),
    /// A judge scored it below the stage's threshold.
    LowScore {
        /// The judge's score.
        score: f64,
        /// The lowest score that keeps.
        keep: f64,
        /// The judge's stated reason.
        reason: String,
    },
    /// The judge's answer could not be read.
    UnreadableVerdict(String),
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
            Self::LowScore { .. } => "low score",
            Self::UnreadableVerdict(_) => "unreadable judgement",
        }
    }

    /// The judge's score, for rejections by a judge.
    pub fn score(&self) -> Option<f64> {
        match self {
            Self::LowScore { score, .. } => Some(*score),
            _ => None,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unparseable(what) => write!(f, "unparseable: {what}"),
            Self::Empty(field) => write!(f, "empty {}", field.name()),
            Self::CopyOfSeed => f.write_str("copy of a seed example"),
            Self::NearDuplicate(similarity) => {
                write!(
                    f,
                    "near-duplicate of an earlier sample (similarity {similarity:.2})"
                )
            }
            Self::TooLong(0) => f.write_str("too long: ran into the token limit"),
            Self::TooLong(words) => write!(f, "too long: {words} words"),
            Self::LowScore {
                score,
                keep,
                reason,
            } => {
                write!(f, "score {score} (keeps {keep} and above)")?;
                if reason.is_empty() {
                    f.write_str("; no reason given")
                } else {
                    write!(f, ": {reason}")
                }
            }
            Self::UnreadableVerdict(why) => {
                write!(f, "the judge's answer could not be read: {why}")
            }
        }
    }
}

/// Small models often write `Question:` / `Answer:` / `Context:` lines instead of
/// the tags; those count as the tags.
fn normalise_labels(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            for field in Field::ALL {
                let name = field.name();
                let label = trimmed
                    .get(..name.len() + 1)
                    .filter(|l| l.eq_ignore_ascii_case(&format!("{name}:")));
                if label.is_some() {
                    let rest = &trimmed[name.len() + 1..];
                    return format!("{}\n{}", field.tag(), rest.trim_start());
                }
            }
            line.to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A tag found in a text: a field's, or the end tag (`None`).
fn next_tag(text: &str) -> Option<(usize, Option<Field>, usize)> {
    let ends = std::iter::once((None, END_TAG));
    Field::ALL
        .into_iter()
        .map(|f| (Some(f), f.tag()))
        .chain(ends)
        .filter_map(|(field, tag)| text.find(tag).map(|at| (at, field, tag.len())))
        .min_by_key(|(at, _, _)| *at)
}

/// What a generating stage's answer held.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Written {
    /// The complete records, in order.
    pub records: Vec<Draft>,
    /// What was wrong with the records that could not be read.
    pub problems: Vec<Rejection>,
}

/// Reads the records of `outputs` (each begins with the first output's tag, has
/// the others' tags in order and ends with `[End]` or where the next record
/// begins) from an answer with the prompt's prefix put back in front. When the
/// answer was `complete` (not cut by the token limit) the last record needs no
/// `[End]`: the engine stops on it.
pub fn read_records(text: &str, outputs: &[Field], complete: bool) -> Written {
    let text = normalise_labels(text);
    let mut written = Written::default();
    let Some(&first) = outputs.first() else {
        return written;
    };
    let mut rest = text.as_str();
    // Skip whatever comes before the first record.
    loop {
        match next_tag(rest) {
            Some((at, Some(field), len)) if field == first => {
                rest = &rest[at + len..];
                break;
            }
            Some((at, _, len)) => rest = &rest[at + len..],
            None => {
                written
                    .problems
                    .push(Rejection::Unparseable(format!("no {}", first.tag())));
                return written;
            }
        }
    }
    'records: loop {
        let mut record = Draft::default();
        for (i, &field) in outputs.iter().enumerate() {
            let (content, after) = match next_tag(rest) {
                Some((at, tag, len)) => (&rest[..at], Some((tag, &rest[at + len..]))),
                None => (rest, None),
            };
            let content = content.trim();
            let expected = outputs.get(i + 1).copied();
            match (expected, after) {
                // The next field follows.
                (Some(next), Some((Some(tag), remaining))) if tag == next => {
                    rest = remaining;
                }
                // Cut by the token limit before the next field.
                (Some(_), None) if !complete => {
                    written.problems.push(Rejection::TooLong(0));
                    break 'records;
                }
                (Some(next), _) => {
                    written.problems.push(Rejection::Unparseable(format!(
                        "no {} after the {}",
                        next.tag(),
                        field.name()
                    )));
                    break 'records;
                }
                // The last field ends the record.
                (None, Some((None, remaining))) => rest = remaining,
                (None, Some((Some(tag), remaining))) if tag == first => {
                    rest = remaining;
                    record.set(field, content.to_owned());
                    push(&mut written, record, outputs);
                    continue 'records;
                }
                (None, Some((Some(tag), _))) => {
                    written.problems.push(Rejection::Unparseable(format!(
                        "{} inside the {}",
                        tag.tag(),
                        field.name()
                    )));
                    break 'records;
                }
                (None, None) if !complete => {
                    written.problems.push(Rejection::TooLong(0));
                    break 'records;
                }
                (None, None) => rest = "",
            }
            record.set(field, content.to_owned());
        }
        push(&mut written, record, outputs);
        // The next record, if any.
        match next_tag(rest) {
            Some((at, Some(field), len)) if field == first => rest = &rest[at + len..],
            _ => break,
        }
    }
    written
}

/// Adds a read record, or its problem when a field is empty.
fn push(written: &mut Written, record: Draft, outputs: &[Field]) {
    match outputs
        .iter()
        .find(|f| record.get(**f).is_none_or(str::is_empty))
    {
        Some(&empty) => written.problems.push(Rejection::Empty(empty)),
        None => written.records.push(record),
    }
}

/// The lowercase words of a text, in order.
fn word_list(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The lowercase words of a text, for comparing samples.
fn words(text: &str) -> BTreeSet<String> {
    word_list(text).into_iter().collect()
}

/// The Jaccard similarity of two word sets (1.0 for two empty sets).
pub fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// The words of each field of a draft, if written (in [`Field::ALL`]'s order).
type FieldWords = [Option<BTreeSet<String>>; 3];

/// The words of a draft's written fields, apart per field.
fn field_words(draft: &Draft) -> FieldWords {
    Field::ALL.map(|f| draft.get(f).map(words))
}

/// The words of the fields both have written, for comparing two drafts alike.
fn shared_words(a: &FieldWords, b: &FieldWords) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut left, mut right) = (BTreeSet::new(), BTreeSet::new());
    for (x, y) in a.iter().zip(b) {
        if let (Some(x), Some(y)) = (x, y) {
            left.extend(x.iter().cloned());
            right.extend(y.iter().cloned());
        }
    }
    (left, right)
}

/// A seed example as the filter compares it: its question's words in order, and
/// each field's words.
#[derive(Debug, Clone)]
struct SeedWords {
    question: Vec<String>,
    fields: FieldWords,
}

/// The checks a candidate must pass, holding what was kept so far.
#[derive(Debug, Clone)]
pub struct Filter {
    seeds: Vec<SeedWords>,
    kept: Vec<FieldWords>,
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
                .map(|s| SeedWords {
                    question: word_list(&s.question),
                    fields: field_words(&s.draft()),
                })
                .collect(),
            kept: Vec::new(),
            threshold: DEFAULT_THRESHOLD,
            max_words: DEFAULT_MAX_WORDS,
        }
    }

    /// Checks a candidate on the fields it has; a kept one is remembered for later
    /// duplicate checks. A question with a seed question's words, or as similar to
    /// it as the threshold, is a copy whatever its answer.
    pub fn check(&mut self, draft: &Draft) -> Result<(), Rejection> {
        let length = Field::ALL
            .iter()
            .filter_map(|f| draft.get(*f))
            .map(|t| t.split_whitespace().count())
            .sum::<usize>();
        if length > self.max_words {
            return Err(Rejection::TooLong(length));
        }
        let own = field_words(draft);
        let question = draft.question.as_deref().map(word_list);
        let copies = |seed: &SeedWords| {
            let same_question = question.as_ref().is_some_and(|q| {
                *q == seed.question
                    || jaccard(
                        &q.iter().cloned().collect(),
                        &seed.question.iter().cloned().collect(),
                    ) >= self.threshold
            });
            let (a, b) = shared_words(&own, &seed.fields);
            same_question || jaccard(&a, &b) >= self.threshold
        };
        if self.seeds.iter().any(copies) {
            return Err(Rejection::CopyOfSeed);
        }
        if let Some(similarity) = self
            .kept
            .iter()
            .map(|kept| {
                let (a, b) = shared_words(&own, kept);
                jaccard(&a, &b)
            })
            .filter(|&s| s >= self.threshold)
            .reduce(f64::max)
        {
            return Err(Rejection::NearDuplicate(similarity));
        }
        self.kept.push(own);
        Ok(())
    }
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

    const PAIR: [Field; 2] = [Field::Question, Field::Answer];
    const GROUNDED: [Field; 3] = Field::ALL;

    /// The one record of a text, or the first problem.
    fn one(text: &str, outputs: &[Field]) -> Result<Sample, Rejection> {
        let mut written = read_records(text, outputs, true);
        match written.records.len() {
            0 => Err(written.problems.remove(0)),
            _ => Ok(written.records[0].sample().unwrap()),
        }
    }

    #[test]
    fn reads_a_tagged_pair() {
        let parsed = one("[Question]\n What is 2+2? \n[Answer]\n4.\n[End]", &PAIR).unwrap();
        assert_eq!(parsed, sample("What is 2+2?", "4."));
    }

    #[test]
    fn reads_a_grounded_sample() {
        let parsed = one(
            "[Context]\nA text.\n[Question]\nQ?\n[Answer]\nA.",
            &GROUNDED,
        )
        .unwrap();
        assert_eq!(parsed.context.as_deref(), Some("A text."));
    }

    #[test]
    fn reads_several_records_and_drops_one_cut_by_the_limit() {
        let text = "[Question]\nQ1?\n[End]\n\n[Question]\nQ2?\n[End]\n[Question]\nQ3?";
        let questions = |complete| {
            read_records(text, &[Field::Question], complete)
                .records
                .into_iter()
                .map(|d| d.question.unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(questions(true), ["Q1?", "Q2?", "Q3?"]);
        assert_eq!(questions(false), ["Q1?", "Q2?"], "the cut one is not whole");
        let written = read_records(text, &[Field::Question], false);
        assert_eq!(written.problems, [Rejection::TooLong(0)]);
        // A record may also end where the next begins.
        let loose = "[Question]\nQ1\n[Answer]\nA1\n[Question]\nQ2\n[Answer]\nA2";
        assert_eq!(read_records(loose, &PAIR, true).records.len(), 2);
    }

    #[test]
    fn rejects_what_does_not_follow_the_format() {
        let unparseable = |what: &str| Err(Rejection::Unparseable(what.to_owned()));
        assert_eq!(one("Just some text", &PAIR), unparseable("no [Question]"));
        assert_eq!(
            one("[Question]\nQ?\n", &PAIR),
            unparseable("no [Answer] after the question")
        );
        assert_eq!(
            one("[Answer]\nA\n[Question]\nQ2", &[Field::Answer]),
            unparseable("[Question] inside the answer")
        );
        assert_eq!(
            one("[Question]\nQ?\n[Answer]\nA", &GROUNDED),
            unparseable("no [Context]")
        );
        assert_eq!(
            one("[Question]\n \n[Answer]\nA", &PAIR),
            Err(Rejection::Empty(Field::Question))
        );
        assert_eq!(
            one("[Question]\nQ\n[Answer]\n[End]", &PAIR),
            Err(Rejection::Empty(Field::Answer))
        );
        assert_eq!(
            read_records("[Question]\nQ\n[Answer]\nA cut", &PAIR, false).problems,
            [Rejection::TooLong(0)]
        );
        assert_eq!(
            read_records("[Question]\nWhich", &PAIR, false).problems,
            [Rejection::TooLong(0)],
            "cut before the answer began"
        );
    }

    #[test]
    fn filters_copies_duplicates_and_long_samples() {
        let seeds = [sample("What rhymes with cat?", "Hat rhymes with cat.")];
        let mut filter = Filter::new(&seeds);
        assert_eq!(
            filter.check(&sample("what  rhymes with CAT?", "Bat.").draft()),
            Err(Rejection::CopyOfSeed)
        );
        assert_eq!(
            filter.check(&sample("What rhymes with dog?", "Log rhymes with dog.").draft()),
            Ok(())
        );
        let again = filter.check(&sample("What rhymes with dog?", "log rhymes with dog").draft());
        assert!(
            matches!(again, Err(Rejection::NearDuplicate(s)) if s >= 0.9),
            "{again:?}"
        );
        filter.max_words = 5;
        assert_eq!(
            filter.check(&sample("One two three", "four five six").draft()),
            Err(Rejection::TooLong(6))
        );
    }

    #[test]
    fn a_seed_question_with_other_punctuation_and_answer_is_a_copy() {
        // The defect: a question identical to a seed question was kept
        // because its answer differed and its quotes were gone.
        let seed = sample(
            "Which is correct: \"The new rules will affect everyone\" or \"The new rules will effect everyone\"?",
            "The correct sentence is \"The new rules will affect everyone.\" Affect is the verb.",
        );
        let mut filter = Filter::new(&[seed]);
        let copy = sample(
            "Which is correct - The new rules will affect everyone, or the new rules will effect everyone?",
            "Effect.",
        );
        assert_eq!(filter.check(&copy.draft()), Err(Rejection::CopyOfSeed));
    }

    #[test]
    fn questions_alone_are_compared_with_seed_questions() {
        let seeds = [sample("What rhymes with cat?", "Hat rhymes with cat.")];
        let mut filter = Filter::new(&seeds);
        let question_only = Draft {
            question: Some("What rhymes with cat".into()),
            ..Draft::default()
        };
        assert_eq!(filter.check(&question_only), Err(Rejection::CopyOfSeed));
        let new = Draft {
            question: Some("Which word rhymes with moon?".into()),
            ..Draft::default()
        };
        assert_eq!(filter.check(&new), Ok(()));
    }

    #[test]
    fn recorded_good_outputs_parse() {
        let freeform = one(&fixture("good_freeform.txt"), &PAIR).unwrap();
        assert!(freeform.question.starts_with("Which is correct"));
        assert!(freeform.answer.contains("effect"));
        let grounded = one(&fixture("grounded_loose_labels.txt"), &GROUNDED).unwrap();
        assert_eq!(
            grounded.context.as_deref(),
            Some("Subject: The 2018-2019 school year of study abroad")
        );
        assert_eq!(
            grounded.question,
            "How can I get my child to the Science Museum on time?"
        );
        let mut filter = Filter::new(&[]);
        assert_eq!(filter.check(&freeform.draft()), Ok(()));
        assert_eq!(filter.check(&grounded.draft()), Ok(()));
        assert!(matches!(
            filter.check(&freeform.draft()),
            Err(Rejection::NearDuplicate(_))
        ));
    }

    #[test]
    fn recorded_bad_outputs_are_rejected_with_reasons() {
        assert_eq!(
            one(&fixture("bad_grounded_no_question.txt"), &GROUNDED),
            Err(Rejection::Unparseable(
                "no [Question] after the context".into()
            ))
        );
        assert_eq!(
            one(&fixture("bad_grounded_instructions_only.txt"), &GROUNDED),
            Err(Rejection::Unparseable(
                "no [Answer] after the question".into()
            ))
        );
    }

    #[test]
    fn jaccard_of_word_sets() {
        assert_eq!(jaccard(&words("a b"), &words("B A")), 1.0);
        assert_eq!(jaccard(&words("a b"), &words("b c")), 1.0 / 3.0);
        assert_eq!(jaccard(&words(""), &words("")), 1.0);
    }
}
