//! Warnings for the limits the contribution guides recommend but upstream's
//! validator does not check: long contexts and answers, oversized skills,
//! repeated questions, and directory names that are not lowercase snake_case.

use std::path::{Component, Path};

use super::diagnostic::{Diagnostic, Severity};
use super::leaf::LeafKind;
use super::qna::{Qna, Text};
use super::yaml::Position;

/// Most words in one knowledge context (taxonomy README, UI `MAX_CONTEXT_WORDS`).
pub const MAX_CONTEXT_WORDS: usize = 500;
/// Most words in the questions and answers of one knowledge example
/// (UI `MAX_CONTRIBUTION_Q_AND_A_WORDS`).
pub const MAX_QNA_WORDS: usize = 250;
/// Most words across a skill's seed examples (taxonomy README: "around 2300").
pub const MAX_SKILL_WORDS: usize = 2300;

/// `str::split_whitespace().count()`, byte by byte for ASCII text.
fn words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let mut count = 0;
    let mut in_word = false;
    for &b in text.as_bytes() {
        // The ASCII characters `char::is_whitespace` accepts.
        let space = matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
        count += usize::from(in_word && space);
        in_word = !space;
    }
    count + usize::from(in_word)
}

fn text_words(text: Option<&Text>) -> usize {
    text.map_or(0, |t| words(&t.value))
}

fn warning(at: Position, rule: &'static str, message: String) -> Diagnostic {
    Diagnostic::new(Severity::Warning, at.line, at.col, rule, message)
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
    out
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
                Position { line: 1, col: 1, offset: 0 },
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

/// The question's words, joined by single spaces, in lowercase.
fn normalised(question: &str) -> String {
    let mut out = String::with_capacity(question.len());
    for word in question.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_ascii() {
        out.make_ascii_lowercase();
        out
    } else {
        out.to_lowercase()
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
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (example, question) in questions {
        let key = normalised(&question.value);
        if key.is_empty() {
            continue;
        }
        match seen.iter().find(|(k, _)| *k == key) {
            Some((_, first)) => out.push(warning(
                question.span.start,
                "duplicate-question",
                format!(
                    "this question repeats one in seed example {first}; repeated questions teach nothing new"
                ),
            )),
            None => seen.push((key, example)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::yaml::load;

    #[test]
    fn questions_are_normalised_word_by_word_in_lowercase() {
        assert_eq!(normalised("  What IS\tthe\n metre? "), "what is the metre?");
        assert_eq!(normalised("Ünïcode  ÉTÉ"), "ünïcode été");
        assert_eq!(normalised(" \n"), "");
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
        ] {
            assert_eq!(words(text), text.split_whitespace().count(), "{text:?}");
        }
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
