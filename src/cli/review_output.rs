//! The two output formats of `taxon review status`: text for people, JSON lines.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use crate::git::Change;
use crate::review::decision::{ExampleState, ReviewerState};
use crate::review::queue::{DiffLine, ExampleChange};
use crate::review::summary::verdict_label;
use crate::review::{LeafReview, ReviewQueue, Reviewer, Verdict};

use super::diff::describe_base;
use super::output::display_path;

const LEAF_STYLE: Style = Style::new().bold();
const REMOVED_STYLE: Style = AnsiColor::Red.on_default();
const ADDED_STYLE: Style = AnsiColor::Green.on_default();
const DIM_STYLE: Style = Style::new().dimmed();

fn change_label(change: &Change) -> String {
    match change {
        Change::Added => "added".to_owned(),
        Change::Modified => "modified".to_owned(),
        Change::Untracked => "untracked".to_owned(),
        Change::Renamed { from } => format!("renamed from {}", from.display()),
    }
}

fn example_change_label(change: &ExampleChange) -> &'static str {
    match change {
        ExampleChange::Unchanged { .. } => "unchanged",
        ExampleChange::Added => "added",
        ExampleChange::Modified { .. } => "modified",
    }
}

fn diff_line(line: &DiffLine) -> String {
    let style = match line.sign {
        '-' => REMOVED_STYLE,
        '+' => ADDED_STYLE,
        _ => DIM_STYLE,
    };
    format!("      {style}{}{}{style:#}", line.sign, line.text)
}

/// Each reviewer's state on one item, indented; `undecided` when nobody decided.
fn state_lines(states: &[ReviewerState], me: &Option<Reviewer>) -> Vec<String> {
    if states.is_empty() {
        return vec!["    undecided".to_owned()];
    }
    states
        .iter()
        .map(|state| {
            let you = if me.as_ref() == Some(&state.reviewer) {
                " (you)"
            } else {
                ""
            };
            let comment = state
                .comment
                .as_deref()
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            format!(
                "    {} by {}{you}{comment}",
                state.state.label(),
                state.reviewer.name
            )
        })
        .collect()
}

/// Prints the queue for people; `me` (the current reviewer) is marked where known.
pub fn print_human(
    queue: &ReviewQueue,
    leaves: &[LeafReview],
    me: &Option<Reviewer>,
) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    let mut lines = vec![format!(
        "{} leaves to review in {} since {}",
        leaves.len(),
        display_path(&queue.root).display(),
        describe_base(&queue.base)
    )];
    for review in leaves {
        lines.push(String::new());
        lines.push(format!(
            "{LEAF_STYLE}{}{LEAF_STYLE:#} ({}): {}",
            review.leaf.leaf,
            change_label(&review.leaf.change),
            verdict_label(review.verdict())
        ));
        if let Some(why) = review.leaf.why_unreadable() {
            lines.push(format!("  unreadable: {why}"));
        }
        for item in &review.checklist.items {
            lines.push(format!("  {} {}", item.status.mark(), item.detail));
        }
        if let Some(change) = &review.leaf.fields {
            lines.push("  leaf fields (changed):".to_owned());
            lines.extend(change.diff.iter().map(diff_line));
            lines.extend(state_lines(&review.fields_states, me));
        }
        for (example, states) in review.leaf.examples.iter().zip(&review.states) {
            let question = example
                .content
                .pairs
                .first()
                .map_or("", |p| p.question.as_str());
            let first_line = question.lines().next().unwrap_or_default();
            lines.push(format!(
                "  example {} ({}): {first_line}",
                example.index + 1,
                example_change_label(&example.change)
            ));
            if let ExampleChange::Modified { diff, .. } = &example.change {
                lines.extend(diff.iter().map(diff_line));
            }
            lines.extend(state_lines(states, me));
        }
        for (index, _) in &review.leaf.removed {
            lines.push(format!("  example {} of the base: removed", index + 1));
        }
    }
    for path in &queue.deleted {
        lines.push(format!("{} (deleted)", path.display()));
    }
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn state_json(state: ExampleState) -> (&'static str, Value) {
    match state {
        ExampleState::Undecided => ("undecided", Value::Null),
        ExampleState::Decided(d) => ("decided", json!(d)),
        ExampleState::ChangedSinceReview(d) => ("changed_since_review", json!(d)),
    }
}

/// A verdict as in the records (`approved`, `changes_requested`, ...), or `pending`.
fn verdict_json(verdict: Option<Verdict>) -> Value {
    verdict.map_or_else(|| json!("pending"), |v| json!(v))
}

/// Each reviewer's state on one item.
fn reviews_json(states: &[ReviewerState]) -> Vec<Value> {
    states
        .iter()
        .map(|s| {
            let (state, decision) = state_json(s.state);
            json!({
                "reviewer": s.reviewer,
                "state": state,
                "decision": decision,
                "comment": s.comment,
                "time": s.time,
            })
        })
        .collect()
}

/// The JSON object of one leaf.
fn leaf_json(review: &LeafReview) -> Value {
    let leaf = &review.leaf;
    let examples: Vec<Value> = leaf
        .examples
        .iter()
        .zip(&review.states)
        .map(|(example, states)| {
            json!({
                "number": example.index + 1,
                "hash": example.hash,
                "change": example.change,
                "content": example.content,
                "reviews": reviews_json(states),
            })
        })
        .collect();
    let fields = leaf.fields.as_ref().map(|change| {
        json!({
            "hash": change.hash,
            "lines": change.fields.lines,
            "diff": change.diff,
            "reviews": reviews_json(&review.fields_states),
        })
    });
    let unreadable = leaf.unreadable.as_ref().map(|d| {
        json!({
            "line": d.line,
            "column": d.col,
            "message": d.message,
        })
    });
    let removed: Vec<Value> = leaf
        .removed
        .iter()
        .map(|(index, content)| json!({"base_number": index + 1, "content": content}))
        .collect();
    let renamed_from = match &leaf.change {
        Change::Renamed { from } => Some(from.display().to_string()),
        _ => None,
    };
    json!({
        "leaf": leaf.leaf,
        "path": display_path(&leaf.file).display().to_string(),
        "change": match &leaf.change {
            Change::Added => "added",
            Change::Modified => "modified",
            Change::Untracked => "untracked",
            Change::Renamed { .. } => "renamed",
        },
        "renamed_from": renamed_from,
        "verdict": verdict_json(review.verdict()),
        "derived_verdict": verdict_json(review.derived),
        "verdicts": review.verdicts,
        "changed_since_review": review.changed_since_review(),
        "checklist": review.checklist,
        "unreadable": unreadable,
        "fields": fields,
        "examples": examples,
        "removed": removed,
    })
}

/// Prints one JSON object per leaf per line.
pub fn print_json(leaves: &[LeafReview]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for review in leaves {
        writeln!(out, "{}", leaf_json(review))?;
    }
    Ok(())
}
