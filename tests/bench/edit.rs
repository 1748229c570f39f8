//! `cargo bench --bench edit`: the cost of format-preserving edits and of the
//! field editor's live validation per keystroke, on the largest sample leaf
//! (p50 / p99 / max over repeated runs).

#[path = "../support/machine.rs"]
mod machine;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use taxon::taxonomy::edit::{self, Field};
use taxon::taxonomy::model::Leaf;
use taxon::taxonomy::template::placeholder;
use taxon::taxonomy::validate::Options;
use taxon::tui::editing::OpenLeaf;
use taxon::tui::popups::field_editor::FieldEditor;

const RUNS: usize = 200;
const ROOT: &str = "sample-taxonomy";
const LEAF: &str = "knowledge/technology/programming_languages/rust/ownership";

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what:<46} p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0))
    );
}

fn time(mut run: impl FnMut()) -> Vec<Duration> {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: nothing to run there
    }
    println!("{}", machine::describe());
    let leaf = Leaf::read(Path::new(ROOT), PathBuf::from(LEAF), &Options::default());
    let text = leaf.text.clone().expect("the sample leaf reads");
    println!("{LEAF}: {} bytes", text.len());
    report(
        "set a knowledge answer (multi-line)",
        time(|| {
            edit::set_field(&text, Field::PairAnswer(2, 1), "One line.\nTwo lines.\n")
                .expect("the edit");
        }),
    );
    report(
        "add a seed example",
        time(|| {
            edit::add_example(&text, placeholder).expect("the edit");
        }),
    );
    report(
        "move a seed example down",
        time(|| {
            edit::move_example(&text, 0, false).expect("the edit");
        }),
    );
    let open = OpenLeaf::new(Path::new(ROOT), &leaf, text.clone(), text.clone());
    let field = Field::PairAnswer(0, 0);
    let value = field.value_in(&text).expect("the field");
    let mut editor = FieldEditor::open(open, field, &value);
    let key = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    report(
        "field editor keystroke (edit + validate leaf)",
        time(|| {
            editor.input(key);
        }),
    );
    println!("{}", machine::describe());
}
