//! Reading a judge's answer (pure): its stated reason and its score, checked
//! against the stage's scale. An answer without a readable score is an error
//! that says why, so the candidate is rejected for it, never let through.

use std::sync::OnceLock;

use regex::Regex;

use super::pipeline::{END_TAG, Scale};

/// The tag before the judge's reason.
pub const REASON_TAG: &str = "[Reason]";
/// The tag before the judge's score.
pub const SCORE_TAG: &str = "[Score]";

/// A judge's verdict on one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The score, on the stage's scale.
    pub score: f64,
    /// The reason the judge gave (empty when it gave none).
    pub reason: String,
}

/// Labels small models write instead of the tags, each with the tag it means.
const LABELS: [(&str, &str); 6] = [
    ("reason:", REASON_TAG),
    ("explanation:", REASON_TAG),
    ("reasoning:", REASON_TAG),
    ("score:", SCORE_TAG),
    ("rating:", SCORE_TAG),
    ("verdict:", SCORE_TAG),
];

fn normalise_labels(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start().trim_start_matches(['*', '#', ' ']);
            for (label, tag) in LABELS {
                let found = trimmed
                    .get(..label.len())
                    .filter(|l| l.eq_ignore_ascii_case(label));
                if found.is_some() {
                    let rest = trimmed[label.len()..].trim_start_matches(['*', ' ']);
                    return format!("{tag}\n{rest}");
                }
            }
            line.to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A score line that is only a number (`2`, `2/3`, `2 out of 3`, `**2**.`).
fn bare_number() -> &'static Regex {
    static BARE: OnceLock<Regex> = OnceLock::new();
    BARE.get_or_init(|| {
        Regex::new(r"^(-?\d+(?:\.\d+)?)\s*(?:/\s*\d+(?:\.\d+)?|out of \d+)?\s*[.!]?$")
            .unwrap_or_else(|_| unreachable!())
    })
}

/// A line that starts like an item of a list or of the scale (`1: The answer...`).
fn list_label() -> &'static Regex {
    static LABEL: OnceLock<Regex> = OnceLock::new();
    LABEL.get_or_init(|| Regex::new(r"^\d+[.:)]\s+\S").unwrap_or_else(|_| unreachable!()))
}

fn number() -> &'static Regex {
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    NUMBER.get_or_init(|| Regex::new(r"-?\d+(?:\.\d+)?").unwrap_or_else(|_| unreachable!()))
}

/// The number a score line gives: the line itself, or the one number in a
/// sentence; a line that reads like a list or the scale, or holds several
/// numbers, gives none.
fn read_number(line: &str) -> Result<f64, String> {
    let parse = |text: &str| {
        text.parse::<f64>()
            .map_err(|_| format!("the score {} is not a number", quote(line)))
    };
    if let Some(found) = bare_number().captures(line).and_then(|c| c.get(1)) {
        return parse(found.as_str());
    }
    if list_label().is_match(line) {
        return Err(format!(
            "the score {} reads like a list or the scale, not a score",
            quote(line)
        ));
    }
    let numbers: Vec<&str> = number().find_iter(line).map(|m| m.as_str()).collect();
    match numbers.as_slice() {
        [one] => parse(one),
        [] => Err(format!("the score {} is not a number", quote(line))),
        _ => Err(format!("the score {} holds several numbers", quote(line))),
    }
}

/// What is written after a tag, up to the next tag (or the text's end).
fn tagged_text(after: &str) -> &str {
    let end = [END_TAG, REASON_TAG, SCORE_TAG]
        .iter()
        .filter_map(|tag| after.find(tag))
        .min()
        .unwrap_or(after.len());
    after[..end].trim()
}

/// A short quote of a text for messages.
fn quote(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let short: String = line.chars().take(40).collect();
    if short.len() < text.len() {
        format!("{short:?}...")
    } else {
        format!("{short:?}")
    }
}

/// Reads a judge's answer (with the prompt's prefix put back in front): the score
/// on the first line after `[Score]` and the reason after `[Reason]`, in either
/// order (or `Score:` / `Reason:` lines); the score is a number within the scale
/// or one of its words.
pub fn read_verdict(text: &str, scale: &Scale) -> Result<Verdict, String> {
    let text = normalise_labels(text);
    let Some(at) = text.find(SCORE_TAG) else {
        return Err(format!("no {SCORE_TAG} in {}", quote(text.trim())));
    };
    let written = tagged_text(&text[at + SCORE_TAG.len()..])
        .lines()
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| c.is_whitespace() || c == '*' || c == '#');
    if written.is_empty() {
        return Err(format!("{SCORE_TAG} is empty"));
    }
    let score = match scale {
        Scale::Range { min, max } => {
            let score = read_number(written)?;
            if !(*min..=*max).contains(&score) {
                return Err(format!("the score {score} is outside {min} to {max}"));
            }
            score
        }
        Scale::Words(words) => {
            let first = written
                .split(|c: char| !c.is_alphanumeric())
                .find(|w| !w.is_empty())
                .unwrap_or_default();
            let known: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
            words
                .iter()
                .find(|(word, _)| word.eq_ignore_ascii_case(first))
                .map(|(_, score)| *score)
                .ok_or_else(|| {
                    format!(
                        "the score {} is none of {}",
                        quote(written),
                        known.join(", ")
                    )
                })?
        }
    };
    let reason = match text.find(REASON_TAG) {
        Some(start) => tagged_text(&text[start + REASON_TAG.len()..]),
        None => "",
    };
    Ok(Verdict {
        score,
        reason: reason.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Judges' answers recorded from real models (`tests/fixtures/judge/`), each
    /// with the score a reader finds in it or why none can be found.
    #[test]
    fn recorded_answers_of_real_judges_are_read_as_a_reader_would() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/judge");
        let mut seen = 0;
        for file in ["smollm2.jsonl", "llama_server.jsonl"] {
            let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
            for (line, record) in text.lines().enumerate() {
                let record: serde_json::Value = serde_json::from_str(record).unwrap();
                let scale = match (record["scale"].as_array(), record["scores"].as_object()) {
                    (Some(range), _) => Scale::Range {
                        min: range[0].as_f64().unwrap(),
                        max: range[1].as_f64().unwrap(),
                    },
                    (_, Some(words)) => Scale::Words(
                        words
                            .iter()
                            .map(|(w, s)| (w.clone(), s.as_f64().unwrap()))
                            .collect(),
                    ),
                    _ => panic!("{file}:{}: no scale", line + 1),
                };
                let read = read_verdict(record["text"].as_str().unwrap(), &scale);
                match (record["score"].as_f64(), record["error"].as_str()) {
                    (Some(score), None) => {
                        assert_eq!(read.map(|v| v.score), Ok(score), "{file}:{}", line + 1);
                    }
                    (None, Some(error)) => {
                        assert_eq!(read, Err(error.to_owned()), "{file}:{}", line + 1);
                    }
                    _ => panic!("{file}:{}: a score or an error", line + 1),
                }
                seen += 1;
            }
        }
        assert!(seen >= 20, "{seen} recorded answers");
    }

    const BINARY: Scale = Scale::Range { min: 0.0, max: 1.0 };
    const RATING: Scale = Scale::Range { min: 1.0, max: 3.0 };

    fn yes_no() -> Scale {
        Scale::Words(vec![("yes".into(), 1.0), ("no".into(), 0.0)])
    }

    #[test]
    fn reads_tags_and_labels() {
        let verdict = read_verdict("[Reason]\nIt fits\nthe task.\n[Score]\n1\n[End]", &BINARY);
        assert_eq!(
            verdict,
            Ok(Verdict {
                score: 1.0,
                reason: "It fits the task.".into()
            })
        );
        let labelled = read_verdict("Explanation: brief but right.\n**Score:** 2/3", &RATING);
        assert_eq!(labelled.unwrap().score, 2.0);
        let sentence = read_verdict(
            "[Score]\nThe answer should be 0 as it is off the task.",
            &BINARY,
        );
        assert_eq!(sentence.unwrap().score, 0.0);
        let word = read_verdict("[Reason]\nSupported.\n[Score]\nYES.", &yes_no()).unwrap();
        assert_eq!(word.score, 1.0);
        let no_reason = read_verdict("[Score] 0", &BINARY).unwrap();
        assert_eq!((no_reason.score, no_reason.reason.as_str()), (0.0, ""));
        let score_first = read_verdict("[Score]\n3\n[Reason]\nComplete.\n[End]", &RATING);
        assert_eq!(
            score_first,
            Ok(Verdict {
                score: 3.0,
                reason: "Complete.".into()
            })
        );
        // Only the score's first line counts: a number further on is not it.
        assert_eq!(
            read_verdict("[Score]\nfine\nbut 2 points", &RATING),
            Err("the score \"fine\" is not a number".into())
        );
    }

    #[test]
    fn unreadable_answers_say_why() {
        assert_eq!(
            read_verdict("[Reason]\nLooks fine to me.", &BINARY),
            Err("no [Score] in \"[Reason]\"...".into())
        );
        assert_eq!(
            read_verdict("[Reason]\nok\n[Score]\n[End]", &BINARY),
            Err("[Score] is empty".into())
        );
        assert_eq!(
            read_verdict("[Score]\nexcellent", &RATING),
            Err("the score \"excellent\" is not a number".into())
        );
        assert_eq!(
            read_verdict("[Score]\n5", &RATING),
            Err("the score 5 is outside 1 to 3".into())
        );
        assert_eq!(
            read_verdict("[Score]\nmaybe", &yes_no()),
            Err("the score \"maybe\" is none of yes, no".into())
        );
        assert_eq!(
            read_verdict("[Score]\n1: wrong. 2: brief. 3: complete.", &RATING),
            Err("the score \"1: wrong. 2: brief. 3: complete.\" reads like a list or the scale, not a score".into())
        );
        assert_eq!(
            read_verdict("[Score]\nbetween 1 and 2", &RATING),
            Err("the score \"between 1 and 2\" holds several numbers".into())
        );
    }
}
