//! The blind judge, in the spirit of upstream's MT-Bench-branch pairwise judging:
//! a model reads a question, the reference answer and two answers labelled A and
//! B (which of base and tuned is A is drawn per question), explains briefly and
//! ends with `[[A]]`, `[[B]]` or `[[C]]` (a tie). Pure: the prompt, the order and
//! the verdict's parsing.

use serde::{Deserialize, Serialize};

use super::questions::Question;

/// The judge's system message.
pub const JUDGE_SYSTEM: &str = "You are a fair and careful judge of answers to questions.";

/// How the tuned model's answer fared against the base model's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The tuned answer was judged better.
    Win,
    /// Neither was judged better.
    Tie,
    /// The base answer was judged better.
    Loss,
}

/// Which answer the judge saw first.
pub fn tuned_shown_first(seed: u64, question: &Question) -> bool {
    let mut hash: u64 = seed ^ 0x9e37_79b9_7f4a_7c15;
    for byte in question.user.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    fastrand::Rng::with_seed(hash).bool()
}

/// The judge's prompt for `question` with answers `a` and `b`.
pub fn prompt(question: &Question, a: &str, b: &str) -> String {
    format!(
        "Compare two assistants' answers to the user's question below. A reference \
         answer is given: check each answer against it and look for mistakes. Judge \
         correctness first, then helpfulness; the order of the answers and their length \
         must not sway you. Explain your judgement in at most three sentences, then end \
         with your verdict in exactly this form: [[A]] if A's answer is better, [[B]] if \
         B's is better, [[C]] if they are equally good.\n\n\
         [Question]\n{}\n\n[Reference answer]\n{}\n\n\
         [Answer of A]\n{a}\n[End of A]\n\n[Answer of B]\n{b}\n[End of B]\n",
        question.user.trim(),
        question.reference.trim()
    )
}

/// The verdict a judge's text ends with (its last `[[A]]`, `[[B]]` or `[[C]]`)
/// for the tuned answer, and the reason (the text before it); `None` as outcome
/// when the text has no verdict (the reason is then the whole text).
pub fn verdict(text: &str, tuned_first: bool) -> (Option<Outcome>, String) {
    let found = ["[[A]]", "[[B]]", "[[C]]"]
        .iter()
        .filter_map(|mark| text.rfind(mark).map(|at| (at, *mark)))
        .max_by_key(|&(at, _)| at);
    let Some((at, mark)) = found else {
        return (None, text.trim().to_owned());
    };
    let a_won = match mark {
        "[[A]]" => Some(true),
        "[[B]]" => Some(false),
        _ => None,
    };
    let outcome = match a_won {
        None => Outcome::Tie,
        Some(a_won) if a_won == tuned_first => Outcome::Win,
        Some(_) => Outcome::Loss,
    };
    (Some(outcome), text[..at].trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(user: &str) -> Question {
        Question {
            system: None,
            user: user.into(),
            reference: "Paris.".into(),
        }
    }

    #[test]
    fn the_verdict_is_the_last_mark_seen_from_the_tuned_answers_side() {
        let text = "A names the wrong city; B matches the reference. [[B]]";
        assert_eq!(
            verdict(text, true),
            (
                Some(Outcome::Loss),
                "A names the wrong city; B matches the reference.".to_owned()
            )
        );
        assert_eq!(verdict(text, false).0, Some(Outcome::Win));
        assert_eq!(verdict("Both right. [[C]]", true).0, Some(Outcome::Tie));
        assert_eq!(
            verdict("I first thought [[A]] but on reflection [[B]]", false).0,
            Some(Outcome::Win)
        );
        assert_eq!(verdict("no idea", true), (None, "no idea".to_owned()));
    }

    #[test]
    fn the_order_is_drawn_per_question_and_stays_the_same() {
        let firsts: Vec<bool> = (0..40)
            .map(|i| tuned_shown_first(7, &question(&format!("question {i}"))))
            .collect();
        let tuned_first = firsts.iter().filter(|&&f| f).count();
        assert!((10..=30).contains(&tuned_first), "{tuned_first} of 40");
        assert_eq!(
            firsts[3],
            tuned_shown_first(7, &question("question 3")),
            "reproducible"
        );
    }

    #[test]
    fn the_prompt_holds_the_question_reference_and_both_answers() {
        let text = prompt(&question("Capital of France?"), "Lyon.", "Paris.");
        for part in [
            "[Question]\nCapital of France?",
            "[Reference answer]\nParis.",
            "[Answer of A]\nLyon.",
            "[Answer of B]\nParis.",
        ] {
            assert!(text.contains(part), "{part}");
        }
    }
}
