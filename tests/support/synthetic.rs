//! A generated taxonomy of any size, for benchmarks: valid leaves of every kind,
//! or a mixed corpus with invalid leaves, warnings and YAML the fast path leaves to
//! the full loader; deterministic for a given count, with varied, realistic-length
//! text.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

const WORDS: &[&str] = &[
    "river", "measure", "signal", "history", "pressure", "ocean", "engine", "language", "window",
    "harvest", "matrix", "garden", "theory", "valley", "copper", "lantern", "journey", "ledger",
    "orbit", "pattern", "season", "thread", "vessel", "balance", "circuit", "desert", "fabric",
    "glacier", "horizon", "island", "kernel", "meadow", "network", "pigment", "quarry", "reason",
    "summit", "timber", "velvet", "weather", "archive", "bridge", "canyon", "delta", "element",
    "forest", "granite", "harbor",
];

const DOMAINS: &[&str] = &[
    "arts",
    "engineering",
    "geography",
    "history",
    "linguistics",
    "mathematics",
    "science",
    "technology",
    "philosophy",
    "economics",
];

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut out = String::new();
        for i in 0..words {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(WORDS[self.below(WORDS.len())]);
        }
        out.push('.');
        out
    }

    /// A sentence of `min` to `min + spread - 1` words.
    fn sentence_about(&mut self, min: usize, spread: usize) -> String {
        let words = min + self.below(spread);
        self.sentence(words)
    }

    /// A paragraph of `min` to `min + spread - 1` sentences.
    fn paragraph_about(&mut self, min: usize, spread: usize, indent: &str) -> String {
        let sentences = min + self.below(spread);
        self.paragraph(sentences, indent)
    }

    fn paragraph(&mut self, sentences: usize, indent: &str) -> String {
        let mut out = String::new();
        for _ in 0..sentences {
            let words = 8 + self.below(10);
            let _ = writeln!(out, "{indent}{}", self.sentence(words));
        }
        out
    }
}

fn skill(rng: &mut Rng, index: usize, grounded: bool) -> String {
    let mut out = format!(
        "version: 3\ntask_description: >\n  Explain the {} of a {} to a curious reader, step by step.\ncreated_by: synth-{index}\nseed_examples:\n",
        WORDS[rng.below(WORDS.len())],
        WORDS[rng.below(WORDS.len())]
    );
    for example in 0..5 + rng.below(3) {
        if grounded {
            let context = rng.paragraph(3, "      ");
            let _ = write!(out, "  - context: |\n{context}");
            out.push_str("    question: >\n");
        } else {
            out.push_str("  - question: >\n");
        }
        let question = rng.sentence_about(6, 8);
        let _ = writeln!(out, "      Example {example}: why does the {question}");
        let answer = rng.paragraph_about(3, 4, "      ");
        let _ = write!(out, "    answer: |\n{answer}");
    }
    out
}

fn knowledge(rng: &mut Rng, index: usize) -> String {
    let mut out = format!(
        "version: 3\ncreated_by: synth-{index}\ndomain: {}\nseed_examples:\n",
        WORDS[rng.below(WORDS.len())]
    );
    for example in 0..5 {
        let context = rng.paragraph_about(5, 4, "      ");
        let _ = write!(out, "  - context: |\n{context}    questions_and_answers:\n");
        for pair in 0..3 {
            let question = rng.sentence_about(6, 6);
            let answer = rng.sentence_about(10, 20);
            let _ = write!(
                out,
                "      - question: >\n          Q{example}.{pair}: {question}\n        answer: >\n          {answer}\n"
            );
        }
    }
    out.push_str(
        "document_outline: >\n  A generated document about measures and rivers.\ndocument:\n  repo: https://example.org/docs.git\n  commit: 0123456789abcdef0123456789abcdef01234567\n  patterns:\n    - \"*.md\"\n",
    );
    out
}

/// Leaf `index` of kind `kind` (0 knowledge, 1 grounded skill, else freeform
/// skill), valid: its folder and text.
fn valid_leaf(rng: &mut Rng, index: usize, kind: usize) -> (String, String) {
    let domain = DOMAINS[index % DOMAINS.len()];
    let group = WORDS[(index / DOMAINS.len()) % WORDS.len()];
    match kind {
        0 => (
            format!("knowledge/{domain}/{group}/topic_{index}"),
            knowledge(rng, index),
        ),
        1 => (
            format!("compositional_skills/grounded/{domain}/{group}/task_{index}"),
            skill(rng, index, true),
        ),
        _ => (
            format!("compositional_skills/{domain}/{group}/task_{index}"),
            skill(rng, index, false),
        ),
    }
}

/// Writes a leaf's qna.yaml holding `text` and its attribution.txt in `dir`.
fn write_leaf(dir: &Path, text: &str) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::write(dir.join("qna.yaml"), text)?;
    fs::write(
        dir.join("attribution.txt"),
        "Title of work: Generated benchmark leaf\nLink to work: -\nLicense of the work: CC0-1.0\nCreator names: taxon benchmark generator\n",
    )
}

/// Writes a taxonomy of `leaves` valid leaves under `root`: 60% freeform skills,
/// 20% grounded skills, 20% knowledge, each with an attribution.txt.
pub fn write_taxonomy(root: &Path, leaves: usize) -> io::Result<()> {
    let mut rng = Rng(0x7a78_6f6e ^ leaves as u64);
    for index in 0..leaves {
        let (folder, text) = valid_leaf(&mut rng, index, index % 5);
        write_leaf(&root.join(folder), &text)?;
    }
    Ok(())
}

/// The kinds of leaf in a mixed corpus, one in ten leaves each (the first four
/// are the valid kinds of [`write_taxonomy`]).
pub const MIXED_KINDS: [&str; 10] = [
    "valid knowledge",
    "valid grounded skill",
    "valid freeform skill",
    "valid freeform skill",
    "invalid: 3 seed examples (schema)",
    "invalid: unclosed quote (syntax)",
    "warning: directory name not snake_case",
    "valid, flow style (full loader)",
    "valid, anchors (full loader)",
    "valid, block scalars with an indentation indicator (full loader)",
];

/// `text` with its first `keep` seed examples only.
fn first_examples(text: &str, keep: usize) -> String {
    text.split("\n  - ")
        .take(keep + 1)
        .collect::<Vec<_>>()
        .join("\n  - ")
        + "\n"
}

/// Writes a mixed corpus of `leaves` leaves under `root`, the kind of leaf `i`
/// being `MIXED_KINDS[i % 10]`, each with an attribution.txt.
pub fn write_mixed_taxonomy(root: &Path, leaves: usize) -> io::Result<()> {
    let mut rng = Rng(0x6d69_7865 ^ leaves as u64);
    for index in 0..leaves {
        let domain = DOMAINS[index % DOMAINS.len()];
        let group = WORDS[(index / DOMAINS.len()) % WORDS.len()];
        let freeform = |rng: &mut Rng| skill(rng, index, false);
        let skills = format!("compositional_skills/{domain}/{group}");
        let (folder, text) = match index % MIXED_KINDS.len() {
            kind @ 0..=3 => valid_leaf(&mut rng, index, kind),
            4 => (
                format!("{skills}/task_{index}"),
                first_examples(&freeform(&mut rng), 3),
            ),
            5 => (
                format!("{skills}/task_{index}"),
                freeform(&mut rng).replacen("created_by: ", "created_by: \"", 1),
            ),
            6 => (format!("{skills}/Task-{index}"), freeform(&mut rng)),
            7 => (
                format!("{skills}/task_{index}"),
                freeform(&mut rng).replacen(
                    "seed_examples:\n",
                    "seed_examples:\n  - {question: \"Why is the sky blue?\", answer: \"Air scatters blue light most.\"}\n",
                    1,
                ),
            ),
            8 => (
                format!("{skills}/task_{index}"),
                freeform(&mut rng)
                    .replacen("task_description: >", "task_description: &task >", 1)
                    .replacen("created_by: ", "created_by: &author ", 1),
            ),
            9 => (
                format!("{skills}/task_{index}"),
                freeform(&mut rng).replace("answer: |\n", "answer: |2\n"),
            ),
            _ => unreachable!("ten kinds"),
        };
        write_leaf(&root.join(folder), &text)?;
    }
    Ok(())
}
