//! The leaf the review tests judge. Include with
//! `#[path = "support/review_leaf.rs"] mod review_leaf;`.
#![allow(dead_code)] // Each test binary uses its own subset.

/// The leaf folder, relative to the repository root.
pub const LEAF: &str = "compositional_skills/writing/greetings";
/// Its `qna.yaml`.
pub const FILE: &str = "compositional_skills/writing/greetings/qna.yaml";

/// A version 1 skill leaf with one example per answer (version 1 needs no
/// `attribution.txt`, so the tests need not write one).
pub fn leaf_text(answers: &[&str]) -> String {
    let mut text = String::from(
        "version: 1\ncreated_by: ada\ntask_description: Greet a colleague.\nseed_examples:\n",
    );
    for (i, answer) in answers.iter().enumerate() {
        text.push_str(&format!(
            "  - question: Greet colleague number {}.\n    answer: {answer}\n",
            i + 1
        ));
    }
    text
}
