//! An evaluation's results: every question with both answers, their ROUGE-L
//! against the reference (as Google's rouge-score computes it) and the judge's
//! verdict; per leaf and overall, the mean scores and the wins, ties and losses.
//! This is what `eval.json` holds. Pure.

use serde::{Deserialize, Serialize};

use super::judge::Outcome;
use super::questions::QuestionSource;

/// The file an evaluation is written to, in the run folder.
pub const EVAL_FILE: &str = "eval.json";

/// rouge-score's default tokens: the text lowercased, its runs of `a-z0-9`.
fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The length of the longest common subsequence of `a` and `b`.
fn lcs(a: &[String], b: &[String]) -> usize {
    let mut previous = vec![0; b.len() + 1];
    let mut current = vec![0; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            current[j + 1] = if x == y {
                previous[j] + 1
            } else {
                current[j].max(previous[j + 1])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// ROUGE-L F-measure of `answer` against `reference`, as rouge-score's
/// `RougeScorer(["rougeL"])` gives it (its default tokenizer, no stemming).
pub fn rouge_l(reference: &str, answer: &str) -> f64 {
    let (target, prediction) = (tokens(reference), tokens(answer));
    if target.is_empty() || prediction.is_empty() {
        return 0.0;
    }
    let common = lcs(&target, &prediction) as f64;
    let precision = common / prediction.len() as f64;
    let recall = common / target.len() as f64;
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

/// One question, answered and judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The question (the user's message).
    pub question: String,
    /// The reference answer.
    pub reference: String,
    /// The base model's answer.
    pub base_answer: String,
    /// The tuned checkpoint's answer.
    pub tuned_answer: String,
    /// ROUGE-L of the base answer.
    pub base_rouge_l: f64,
    /// ROUGE-L of the tuned answer.
    pub tuned_rouge_l: f64,
    /// Whether the judge saw the tuned answer as A.
    pub tuned_shown_first: bool,
    /// The judge's verdict for the tuned answer (`None`: it gave none).
    pub verdict: Option<Outcome>,
    /// The judge's reason (its whole text when it gave no verdict).
    pub reason: String,
}

/// Scores over some questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Totals {
    /// How many questions.
    pub questions: usize,
    /// The base answers' mean ROUGE-L.
    pub base: f64,
    /// The tuned answers' mean ROUGE-L.
    pub tuned: f64,
    /// Judged better tuned.
    pub wins: usize,
    /// Judged even.
    pub ties: usize,
    /// Judged better base.
    pub losses: usize,
    /// Without a verdict.
    pub undecided: usize,
}

impl Totals {
    /// The totals of `items`.
    pub fn of<'a>(items: impl IntoIterator<Item = &'a Item>) -> Self {
        let mut totals = Self::default();
        for item in items {
            totals.questions += 1;
            totals.base += item.base_rouge_l;
            totals.tuned += item.tuned_rouge_l;
            match item.verdict {
                Some(Outcome::Win) => totals.wins += 1,
                Some(Outcome::Tie) => totals.ties += 1,
                Some(Outcome::Loss) => totals.losses += 1,
                None => totals.undecided += 1,
            }
        }
        if totals.questions > 0 {
            totals.base /= totals.questions as f64;
            totals.tuned /= totals.questions as f64;
        }
        totals
    }
}

/// One leaf's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeafResult {
    /// The leaf.
    pub leaf: String,
    /// Where its questions came from.
    pub source: QuestionSource,
    /// Its scores.
    #[serde(flatten)]
    pub totals: Totals,
    /// Its questions.
    pub items: Vec<Item>,
}

/// A whole evaluation, as `eval.json` holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// The run.
    pub run: String,
    /// The base model's file.
    pub base_model: String,
    /// The tuned checkpoint's label.
    pub checkpoint: String,
    /// Its Q8_0 file.
    pub checkpoint_file: String,
    /// The judge (a model file or an endpoint and model).
    pub judge: String,
    /// When it was made (RFC 3339).
    pub created: String,
    /// Per leaf.
    pub leaves: Vec<LeafResult>,
    /// Over every question.
    pub overall: Totals,
}

impl EvalReport {
    /// Fills in `overall` from the leaves.
    pub fn total(&mut self) {
        self.overall = Totals::of(self.leaves.iter().flat_map(|l| &l.items));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(base: f64, tuned: f64, verdict: Option<Outcome>) -> Item {
        Item {
            question: "q".into(),
            reference: "r".into(),
            base_answer: "b".into(),
            tuned_answer: "t".into(),
            base_rouge_l: base,
            tuned_rouge_l: tuned,
            tuned_shown_first: true,
            verdict,
            reason: String::new(),
        }
    }

    #[test]
    fn rouge_l_matches_rouge_scores_figures() {
        assert!((rouge_l("the cat sat on the mat", "the cat sat on the mat") - 1.0).abs() < 1e-12);
        // LCS "the cat on the mat" (5 tokens) of 6 and 7: F = 2*5/13.
        let score = rouge_l("the cat sat on the mat", "The cat was lying on the mat.");
        assert!((score - 10.0 / 13.0).abs() < 1e-12, "{score}");
        assert_eq!(rouge_l("abc", ""), 0.0);
        assert_eq!(rouge_l("Ünïcode — only!", "x"), 0.0, "no shared token");
        assert!(
            (rouge_l("It's 42°C.", "its 42 c") - 4.0 / 7.0).abs() < 1e-12,
            "it s 42 c: LCS 42 c"
        );
    }

    #[test]
    fn totals_average_the_scores_and_count_the_verdicts() {
        let items = [
            item(0.2, 0.6, Some(Outcome::Win)),
            item(0.4, 0.2, Some(Outcome::Loss)),
            item(0.0, 0.1, Some(Outcome::Tie)),
            item(0.2, 0.3, None),
        ];
        let totals = Totals::of(&items);
        assert_eq!(
            (
                totals.questions,
                totals.wins,
                totals.ties,
                totals.losses,
                totals.undecided
            ),
            (4, 1, 1, 1, 1)
        );
        assert!((totals.base - 0.2).abs() < 1e-12);
        assert!((totals.tuned - 0.3).abs() < 1e-12);
        assert_eq!(Totals::of(&[]), Totals::default());
    }
}
