//! A markdown summary of a review, fit for a pull-request comment.

use std::fmt::Write;

use super::decision::{ExampleState, ReviewerState};
use super::queue::ExampleChange;
use super::record::{Decision, Verdict};
use super::session::LeafReview;

/// The longest example label, in characters.
const LABEL_CHARS: usize = 60;

/// The mark of a verdict (`None`: pending).
pub fn verdict_mark(verdict: Option<Verdict>) -> &'static str {
    match verdict {
        Some(Verdict::Approved) => "✅",
        Some(Verdict::ChangesRequested) => "📝",
        Some(Verdict::Rejected) => "❌",
        Some(Verdict::Uncertain) => "❓",
        None => "⏳",
    }
}

/// The label of a verdict (`None`: pending).
pub fn verdict_label(verdict: Option<Verdict>) -> &'static str {
    verdict.map_or("pending", Verdict::label)
}

fn state_mark(state: ExampleState) -> &'static str {
    match state {
        ExampleState::Undecided => "⬜",
        ExampleState::Decided(Decision::Approve) => "✅",
        ExampleState::Decided(Decision::RequestChanges) => "📝",
        ExampleState::Decided(Decision::Reject) => "❌",
        ExampleState::ChangedSinceReview(_) => "🔄",
    }
}

/// One line of text, shortened to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The markdown summary of `reviews` under the heading `title`.
pub fn markdown(title: &str, reviews: &[LeafReview]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {title}\n");
    if reviews.is_empty() {
        out.push_str("No changed leaves to review.\n");
    }
    for review in reviews {
        leaf_section(&mut out, review);
    }
    out
}

/// `: comment` on one line, shortened, or nothing.
fn comment_suffix(comment: Option<&str>) -> String {
    comment
        .map(|c| format!(": {}", one_line(c, 200)))
        .unwrap_or_default()
}

/// Each reviewer's state on one item, as a nested list.
fn state_items(out: &mut String, states: &[ReviewerState]) {
    if states.is_empty() {
        let _ = writeln!(out, "  - {} undecided", state_mark(ExampleState::Undecided));
    }
    for state in states {
        let comment = comment_suffix(state.comment.as_deref());
        let _ = writeln!(
            out,
            "  - {} {} by {}{comment}",
            state_mark(state.state),
            state.state.label(),
            state.reviewer.name
        );
    }
}

fn leaf_section(out: &mut String, review: &LeafReview) {
    let verdict = review.verdict();
    let _ = writeln!(
        out,
        "### {} `{}`: {}\n",
        verdict_mark(verdict),
        review.leaf.leaf,
        verdict_label(verdict)
    );
    let decided = if review.leaf.fields.is_some() {
        "the decisions on the examples and the leaf's fields"
    } else {
        "the example decisions"
    };
    let _ = writeln!(out, "From {decided}: {}.", verdict_label(review.derived));
    for given in &review.verdicts {
        let stale = if given.current {
            ""
        } else {
            " (given before the leaf changed)"
        };
        let comment = comment_suffix(given.record.comment.as_deref());
        let _ = writeln!(
            out,
            "Verdict by {}: {}{stale}{comment}.",
            given.record.reviewer.name,
            given.record.verdict.label()
        );
    }
    let changed = review.changed_since_review();
    if changed > 0 {
        let _ = writeln!(
            out,
            "🔄 {changed} examples changed since they were reviewed."
        );
    }
    if let Some(why) = review.leaf.why_unreadable() {
        let _ = writeln!(out, "❗ Unreadable: `{why}`.");
    }
    out.push_str("\n**Checklist**\n\n");
    for item in &review.checklist.items {
        let _ = writeln!(out, "- {} {}", item.status.mark(), item.detail);
    }
    if let Some(change) = &review.leaf.fields {
        out.push_str("\n**Leaf fields** (changed)\n\n```diff\n");
        for line in &change.diff {
            let _ = writeln!(out, "{}{}", line.sign, line.text);
        }
        out.push_str("```\n\n- Leaf fields:\n");
        state_items(out, &review.fields_states);
    }
    out.push_str("\n**Examples**\n\n");
    for (example, states) in review.leaf.examples.iter().zip(&review.states) {
        let question = example
            .content
            .pairs
            .first()
            .map_or("", |p| p.question.as_str());
        let change = match &example.change {
            ExampleChange::Unchanged { .. } => "",
            ExampleChange::Added => " (added)",
            ExampleChange::Modified { .. } => " (modified)",
        };
        let _ = writeln!(
            out,
            "- Example {}{change}: {}",
            example.index + 1,
            one_line(question, LABEL_CHARS)
        );
        state_items(out, states);
    }
    if !review.leaf.removed.is_empty() {
        let numbers: Vec<String> = review
            .leaf
            .removed
            .iter()
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        let _ = writeln!(
            out,
            "- Removed from the base: examples {}",
            numbers.join(", ")
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_flattened_and_shortened() {
        assert_eq!(one_line("a\n  b", 10), "a b");
        assert_eq!(one_line("abcdefghijkl", 5), "abcd…");
    }
}
