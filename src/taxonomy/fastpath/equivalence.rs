//! The fast path against the full pipeline on every file of the sample taxonomy, the
//! differential mutation corpus and a generated taxonomy: whatever it handles, it
//! reads exactly as the loader and the full tokenizer do; it handles every sample
//! and generated leaf.

use std::collections::BTreeMap;
use std::path::Path;

use bumpalo::Bump;

use super::scan_tokens;
use super::tests::assert_equivalent;
use crate::taxonomy::validate::universal_newlines;

#[allow(dead_code)]
#[path = "../../../tests/support/mutations.rs"]
mod mutations;
#[allow(dead_code)]
#[path = "../../../tests/support/synthetic.rs"]
mod synthetic;

/// Handled and left files of one corpus, by reason.
#[derive(Default)]
struct Tally {
    handled: usize,
    left: BTreeMap<&'static str, usize>,
}

impl Tally {
    /// Checks one file's text, as `validate_text` hands it to the fast path.
    fn check(&mut self, text: &str) {
        let text = universal_newlines(text);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        match scan_tokens(text, &Bump::new()) {
            Ok(read) => {
                assert_equivalent(text, &read);
                self.handled += 1;
            }
            Err(why) => *self.left.entry(why.0).or_default() += 1,
        }
    }

    fn report(&self, corpus: &str) {
        eprintln!("{corpus}: {} handled, left: {:?}", self.handled, self.left);
    }
}

fn leaves(root: &Path) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "qna.yaml")
        .map(|e| std::fs::read_to_string(e.path()).expect("read a leaf"))
        .collect()
}

#[test]
fn sample_taxonomy_and_mutations() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy");
    let mut tally = Tally::default();
    for text in leaves(&sample) {
        tally.check(&text);
    }
    tally.report("sample-taxonomy");
    assert!(tally.left.is_empty(), "every sample leaf is handled");

    let originals = mutations::originals(&sample).expect("read the sample leaves");
    let mut tally = Tally::default();
    for original in &originals {
        tally.check(&original.text);
    }
    for variant in mutations::corpus(&originals) {
        tally.check(&variant.text);
    }
    tally.report("mutation corpus (originals and variants)");
    assert!(tally.handled > originals.len());
}

#[test]
fn generated_taxonomy() {
    let root = tempfile::tempdir().expect("a temporary folder");
    synthetic::write_taxonomy(root.path(), 300).expect("write the generated taxonomy");
    let mut tally = Tally::default();
    for text in leaves(root.path()) {
        tally.check(&text);
    }
    tally.report("generated taxonomy");
    assert!(tally.left.is_empty(), "every generated leaf is handled");
    assert_eq!(tally.handled, 300);
}

#[test]
fn mixed_corpus_leaves_its_full_loader_kinds_to_the_full_loader() {
    let root = tempfile::tempdir().expect("a temporary folder");
    synthetic::write_mixed_taxonomy(root.path(), 100).expect("write the mixed corpus");
    let mut tally = Tally::default();
    for text in leaves(root.path()) {
        tally.check(&text);
    }
    tally.report("mixed corpus");
    // Handled: the valid kinds, the schema error and the warning (6 in 10); left:
    // the unclosed quote, flow style, anchors and indentation indicators.
    assert_eq!(tally.handled, 60);
    assert_eq!(tally.left.values().sum::<usize>(), 40);
}
