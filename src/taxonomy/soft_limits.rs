//! Warnings for the limits the contribution guides recommend but upstream's
//! validator does not check: long contexts and answers, oversized skills,
//! repeated questions, directory names that are not lowercase snake_case, and
//! fields still holding a new leaf's `(fill me in)` placeholder.

use std::path::{Component, Path};

use super::diagnostic::{Diagnostic, Severity};
use super::edit::{Field, fields_of};
use super::leaf::LeafKind;
use super::qna::{Qna, Text};
use super::template::FILL_ME_IN;
use super::whitespace::is_space;
use super::yaml::Position;

/// Most words in one knowledge context (taxonomy README, UI `MAX_CONTEXT_WORDS`).
pub const MAX_CONTEXT_WORDS: usize = 500;
/// Most words in the questions and answers of one knowledge example
/// (UI `MAX_CONTRIBUTION_Q_AND_A_WORDS`).
pub const MAX_QNA_WORDS: usize = 250;
/// Most words across a skill's seed examples (taxonomy README: "around 2300").
pub const MAX_SKILL_WORDS: usize = 2300;

/// `str::split_whitespace().count()`: for ASCII text, the bytes that start a word
/// (not a space, after a space), counted in blocks the compiler vectorises.
fn words(text: &str) -> usize {
    const BLOCK: usize = 64;
    /// The word starts in a block, each byte paired with the byte before it.
    fn starts(current: &[u8], previous: &[u8]) -> (usize, u8) {
        let (mut starts, mut high) = (0u8, 0u8);
        for (&b, &before) in current.iter().zip(previous) {
            starts += u8::from(is_space(before) & !is_space(b));
            high |= b;
        }
        (usize::from(starts), high)
    }
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return 0;
    };
    let mut count = usize::from(!is_space(first));
    let mut high_bits = first;
    // Each byte after the first, paired with the byte before it.
    let (current, previous) = (&bytes[1..], &bytes[..bytes.len() - 1]);
    let mut blocks = current
        .chunks_exact(BLOCK)
        .zip(previous.chunks_exact(BLOCK));
    for (current, previous) in blocks.by_ref() {
        let (starts, high) = starts(current, previous);
        count += starts;
        high_bits |= high;
    }
    // The tail is one more block, padded with spaces, which start no word.
    let tail = current.len() - current.len() % BLOCK;
    let (mut current_tail, mut previous_tail) = ([b' '; BLOCK], [b' '; BLOCK]);
    current_tail[..current.len() - tail].copy_from_slice(&current[tail..]);
    previous_tail[..current.len() - tail].copy_from_slice(&previous[tail..]);
    let (starts, high) = starts(&current_tail, &previous_tail);
    count += starts;
    high_bits |= high;
    if high_bits.is_ascii() {
        count
    } else {
        text.split_whitespace().count()
    }
}

fn text_words(text: Option<&Text>) -> usize {
    text.map_or(0, |t| words(&t.value))
}

fn warning(at: Position, rule: &'static str, message: String) -> Diagnostic {
    Diagnostic::new(Severity::Warning, at.line(), at.col(), rule, message)
}

/// The soft-limit warnings for one leaf whose path relative to the taxonomy root is
/// `taxonomy_path`.
pub fn check(kind: LeafKind, qna: &Qna, taxonomy_path: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    directory_names(taxonomy_path, &mut out);
    match kind {
        LeafKind::Knowledge => knowledge_sizes(qna, &mut out),
        LeafKind::FreeformSkill | LeafKind::GroundedSkill => skill_size(qna, &mut out),
        LeafKind::Foundational => {}
    }
    duplicate_questions(qna, &mut out);
    placeholders(qna, &mut out);
    out
}

/// The fields of `qna` still holding the template's placeholder, with their text.
pub fn placeholder_fields(qna: &Qna) -> Vec<(Field, &Text)> {
    fields_of(qna)
        .into_iter()
        .filter_map(|field| Some((field, field.text_in(qna)?)))
        .filter(|(_, text)| text.value.contains(FILL_ME_IN))
        .collect()
}

/// One warning for each field still holding the template's placeholder.
fn placeholders(qna: &Qna, out: &mut Vec<Diagnostic>) {
    for (field, text) in placeholder_fields(qna) {
        out.push(warning(
            text.span.start,
            "placeholder",
            format!(
                "{} still holds the placeholder \"{FILL_ME_IN}\" of a new leaf: replace it",
                field.label()
            ),
        ));
    }
}

fn directory_names(taxonomy_path: &Path, out: &mut Vec<Diagnostic>) {
    let folders = taxonomy_path
        .parent()
        .into_iter()
        .flat_map(Path::components);
    for folder in folders {
        let Component::Normal(name) = folder else {
            continue;
        };
        let name = name.to_string_lossy();
        let snake = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !snake {
            out.push(warning(
                Position::new(1, 1),
                "directory-name",
                format!(
                    "directory \"{name}\" is not lowercase snake_case (the taxonomy guide asks for names like \"{}\")",
                    snake_case(&name)
                ),
            ));
        }
    }
}

/// Normalises a folder name to lowercase snake_case.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

fn knowledge_sizes(qna: &Qna, out: &mut Vec<Diagnostic>) {
    for (index, example) in qna.seed_examples.iter().enumerate() {
        if let Some(context) = &example.context {
            let count = words(&context.value);
            if count > MAX_CONTEXT_WORDS {
                out.push(warning(
                    context.span.start,
                    "context-words",
                    format!(
                        "seed example {} has a context of {count} words; the knowledge guide recommends at most {MAX_CONTEXT_WORDS}",
                        index + 1
                    ),
                ));
            }
        }
        let qa_words: usize = example
            .questions_and_answers
            .iter()
            .map(|qa| text_words(qa.question.as_ref()) + text_words(qa.answer.as_ref()))
            .sum();
        if qa_words > MAX_QNA_WORDS {
            out.push(warning(
                example.span.start,
                "qna-words",
                format!(
                    "the questions and answers of seed example {} have {qa_words} words; the knowledge guide recommends at most {MAX_QNA_WORDS}",
                    index + 1
                ),
            ));
        }
    }
}

fn skill_size(qna: &Qna, out: &mut Vec<Diagnostic>) {
    let total: usize = qna
        .seed_examples
        .iter()
        .map(|e| {
            text_words(e.context.as_ref())
                + text_words(e.qa.question.as_ref())
                + text_words(e.qa.answer.as_ref())
        })
        .sum();
    if total > MAX_SKILL_WORDS {
        let at = qna
            .seed_examples
            .first()
            .map(|e| e.span.start)
            .unwrap_or_default();
        out.push(warning(
            at,
            "skill-words",
            format!(
                "the seed examples have {total} words; the skills guide recommends at most about {MAX_SKILL_WORDS}"
            ),
        ));
    }
}

/// Appends `question` to `out` as it is compared for repeats: its words, joined by
/// single spaces, in lowercase.
fn fold_question(question: &str, out: &mut Vec<u8>) {
    if !question.is_ascii() {
        let words: Vec<&str> = question.split_whitespace().collect();
        out.extend_from_slice(words.join(" ").to_lowercase().as_bytes());
        return;
    }
    let bytes = question.as_bytes();
    let first = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    let last = bytes
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(first, |at| at + 1);
    let trimmed = &bytes[first..last];
    // Most questions have single spaces between words: lowercased in one pass.
    let single_spaces = !trimmed
        .iter()
        .zip(trimmed.iter().skip(1))
        .fold(false, |any, (&b, &next)| {
            any | (is_space(b) & ((b != b' ') | is_space(next)))
        });
    if single_spaces {
        out.extend(trimmed.iter().map(u8::to_ascii_lowercase));
        return;
    }
    let start = out.len();
    for word in trimmed
        .split(|&b| is_space(b))
        .filter(|word| !word.is_empty())
    {
        if out.len() > start {
            out.push(b' ');
        }
        out.extend(word.iter().map(u8::to_ascii_lowercase));
    }
}

fn duplicate_questions(qna: &Qna, out: &mut Vec<Diagnostic>) {
    let questions = qna
        .seed_examples
        .iter()
        .enumerate()
        .flat_map(|(i, example)| {
            example
                .qa
                .question
                .iter()
                .chain(
                    example
                        .questions_and_answers
                        .iter()
                        .filter_map(|qa| qa.question.as_ref()),
                )
                .map(move |q| (i + 1, q))
        });
    // Every question folded once, one after another in one buffer; a repeat is
    // taken off again.
    let mut folded = Vec::new();
    let mut seen: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
    for (example, question) in questions {
        let start = folded.len();
        fold_question(&question.value, &mut folded);
        let key = start..folded.len();
        if key.is_empty() {
            continue;
        }
        match seen
            .iter()
            .find(|(seen, _)| folded[seen.clone()] == folded[key.clone()])
        {
            Some((_, first)) => {
                out.push(warning(
                    question.span.start,
                    "duplicate-question",
                    format!(
                        "this question repeats one in seed example {first}; repeated questions teach nothing new"
                    ),
                ));
                folded.truncate(start);
            }
            None => seen.push((key, example)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::yaml::load;

    fn normalised(question: &str) -> String {
        let mut folded = b"before".to_vec();
        fold_question(question, &mut folded);
        let folded = folded.strip_prefix(b"before").expect("appended");
        String::from_utf8(folded.to_vec()).expect("folding keeps UTF-8")
    }

    #[test]
    fn each_field_holding_a_placeholder_is_named_where_it_is() {
        let doc = load(
            "version: 3\ncreated_by: (fill me in)\ntask_description: Haiku\nseed_examples:\n  - question: Write one\n    answer: Example 1 answer (fill me in)\n",
        )
        .unwrap();
        let mut out = Vec::new();
        placeholders(&Qna::from_document(&doc), &mut out);
        let found: Vec<(usize, usize, &str)> = out
            .iter()
            .map(|d| (d.line, d.col, d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    13,
                    "created_by still holds the placeholder \"(fill me in)\" of a new leaf: replace it"
                ),
                (
                    6,
                    13,
                    "example 1 answer still holds the placeholder \"(fill me in)\" of a new leaf: replace it"
                ),
            ]
        );
        assert!(out.iter().all(|d| d.rule == "placeholder"));
    }

    #[test]
    fn questions_are_normalised_word_by_word_in_lowercase() {
        assert_eq!(normalised("  What IS\tthe\n metre? "), "what is the metre?");
        assert_eq!(normalised("Ünïcode  ÉTÉ"), "ünïcode été");
        assert_eq!(normalised(" \n"), "");
        assert_eq!(normalised("\tA\x0Bb\x0C c\r"), "a b c");
        assert_eq!(normalised("Mixed ÀSCII\u{2003}and  Ü"), "mixed àscii and ü");
        // A non-ASCII question can fold to an ASCII one: the Kelvin sign is a `k`.
        let kelvin = normalised("How cold is 0 \u{212A}ELVIN?");
        assert_eq!(kelvin, normalised("how cold IS 0  kelvin?"));
        assert_ne!(kelvin, normalised("how cold is 0 kelvin"));
        assert_eq!(normalised(" \t\u{2003}"), "");
        assert_eq!(normalised("one"), "one");
        assert_eq!(normalised("A b\tC"), "a b c");
        assert_eq!(normalised("Ends in two  "), "ends in two");
        assert_eq!(normalised(""), "");
        // Greek capital sigma lowercases by its place in the word.
        assert_eq!(normalised("ΟΔΟΣ  ΟΔΟΣ"), "οδο\u{3c2} οδο\u{3c2}");
    }

    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        for text in [
            "",
            "one",
            "  two  words  ",
            "a\tb\nc\x0Bd\x0Ce\rf",
            "x\u{A0}y\u{2003}z",
            "\n\n",
            " ",
            "x",
            "a b",
            "ascii then \u{2003}é at the end",
        ] {
            assert_eq!(words(text), text.split_whitespace().count(), "{text:?}");
        }
        // Every length around the block size, with words across block edges.
        let long = "ab  c\td\n".repeat(40);
        for end in 0..long.len() {
            let text = &long[..end];
            assert_eq!(words(text), text.split_whitespace().count(), "{text:?}");
        }
        let unicode_late = format!("{long}x\u{2003}y");
        assert_eq!(
            words(&unicode_late),
            unicode_late.split_whitespace().count()
        );
    }

    fn findings(text: &str, kind: LeafKind, path: &str) -> Vec<&'static str> {
        let qna = Qna::from_document(&load(text).unwrap());
        check(kind, &qna, Path::new(path))
            .iter()
            .map(|d| d.rule)
            .collect()
    }

    #[test]
    fn flags_long_contexts_and_answers() {
        let long = "word ".repeat(501);
        let text = format!(
            "seed_examples:\n  - context: {long}\n    questions_and_answers:\n      - question: {q}\n        answer: a\n",
            q = "w ".repeat(260)
        );
        assert_eq!(
            findings(&text, LeafKind::Knowledge, "knowledge/a/qna.yaml"),
            vec!["context-words", "qna-words"]
        );
    }

    #[test]
    fn flags_repeated_questions_and_bad_folders() {
        let text = "seed_examples:\n  - question: What is X?\n    answer: a\n  - question: what  is x?\n    answer: b\n";
        assert_eq!(
            findings(
                text,
                LeafKind::FreeformSkill,
                "compositional_skills/Bad Name/qna.yaml"
            ),
            vec!["directory-name", "duplicate-question"]
        );
        assert!(
            findings(
                text,
                LeafKind::FreeformSkill,
                "compositional_skills/ok_1/qna.yaml"
            )
            .contains(&"duplicate-question")
        );
    }

    #[test]
    fn normalises_folder_names() {
        assert_eq!(
            snake_case("Black-Capped Chickadee!"),
            "black_capped_chickadee"
        );
        assert_eq!(snake_case("  écoute  "), "écoute");
    }
}
