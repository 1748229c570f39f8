//! Fuzzy finding over a taxonomy: leaf paths, task descriptions and seed questions,
//! ranked by nucleo's matcher, with the matched characters for highlighting.

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};
use rayon::prelude::*;

use crate::taxonomy::model::Taxonomy;

mod mask;
use mask::{char_mask, needle_mask};

/// How many hits a finder shows.
pub const FIND_LIMIT: usize = 200;

/// How many texts one task of the parallel passes takes.
const CHUNK: usize = 4096;

/// What part of a leaf a searchable text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The leaf's folder path.
    Path,
    /// Its task description (skills) or domain and outline (knowledge).
    Description,
    /// A seed question; the index of its seed example.
    Question(usize),
}

/// One searchable text.
#[derive(Debug, Clone)]
struct Entry {
    leaf: usize,
    field: Field,
    text: Utf32String,
    /// The characters `text` contains, as by [`char_mask`].
    chars: u64,
}

impl Entry {
    fn new(leaf: usize, field: Field, text: String) -> Self {
        let text = Utf32String::from(text);
        Self {
            leaf,
            field,
            chars: char_mask(text.slice(..)),
            text,
        }
    }
}

/// A match, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the leaf in the taxonomy.
    pub leaf: usize,
    /// Which text matched.
    pub field: Field,
    /// The text that matched (one line).
    pub text: String,
    /// nucleo's score (higher is better).
    pub score: u32,
    /// Character positions of the matched characters in `text`, for highlighting.
    pub positions: Vec<u32>,
}

/// The searchable texts of a taxonomy, built once and searched on every keystroke.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// The queries typed so far, each extending the one before.
    history: Vec<Query>,
}

/// A query searched, with what it matched.
#[derive(Debug)]
struct Query {
    text: String,
    atoms: Vec<Atom>,
    /// The matching entries, in entry order.
    scored: Vec<Scored>,
}

/// A matching entry, its score split so that the next keystroke can reuse the
/// part it does not change.
#[derive(Debug, Clone, Copy)]
struct Scored {
    entry: usize,
    /// The sum of the scores of every atom but the last.
    leading: u32,
    /// The last atom's score.
    last: u32,
}

impl Scored {
    fn total(&self) -> u32 {
        self.leading + self.last
    }
}

/// What the scores of a query that extends an earlier one can take from it.
#[derive(Debug, Clone, Copy)]
enum Reuse {
    /// Only the last atom changed: its leading atoms' scores stand.
    Leading,
    /// An atom was added: the earlier query's whole score stands.
    Total,
    /// Score every atom.
    Nothing,
}

/// An atom's score on `text`, found greedily (in one pass) for a plain fuzzy
/// atom and exactly for the rest. Greedy matching finds the same texts as
/// nucleo's optimal matching, at a lower or equal score, and costs a small part
/// of it on long texts: it ranks the candidates, and the shown hits are scored
/// again exactly.
fn quick_score(atom: &Atom, text: Utf32Str<'_>, matcher: &mut Matcher) -> Option<u16> {
    let needle = atom.needle_text();
    let Utf32Str::Ascii(bytes) = needle else {
        return atom.score(text, matcher);
    };
    if atom.negative || atom.kind != AtomKind::Fuzzy {
        return atom.score(text, matcher);
    }
    // What nucleo's smart case and normalisation decide for an ASCII needle.
    matcher.config.ignore_case = !bytes.iter().any(u8::is_ascii_uppercase);
    matcher.config.normalize = true;
    matcher.fuzzy_match_greedy(text, needle)
}

/// Whether every match of a query that extends `query` also matches `query`, so
/// only its matches need scoring. A negation (`!`), an end anchor (`$`) or an
/// escape (`\`) followed by more text can let new texts in.
fn narrows(query: &str) -> bool {
    !query.contains(['!', '$', '\\'])
}

/// `text` as a `String`, without going through `Display` for each character.
fn text_of(text: Utf32Str<'_>) -> String {
    match text {
        Utf32Str::Ascii(bytes) => bytes.iter().copied().map(char::from).collect(),
        Utf32Str::Unicode(chars) => chars.iter().collect(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The places in `texts` of those that match `query` with the finder's matcher
/// (nucleo, smart case and normalisation, each word of the query matched on its
/// own), best first and in their order at equal scores; every place, in order, for
/// an empty query. For short lists (branches, commands) ranked on the UI thread.
pub fn rank<'a>(query: &str, texts: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut ranked: Vec<(u32, usize)> = texts
        .into_iter()
        .enumerate()
        .filter_map(|(place, text)| {
            let score = pattern.score(Utf32Str::new(text, &mut buf), &mut matcher)?;
            Some((score, place))
        })
        .collect();
    ranked.sort_by_key(|&(score, place)| (std::cmp::Reverse(score), place));
    ranked.into_iter().map(|(_, place)| place).collect()
}

/// Paths rank above descriptions, descriptions above questions, at equal scores.
fn field_bonus(field: Field) -> u32 {
    match field {
        Field::Path => 24,
        Field::Description => 8,
        Field::Question(_) => 0,
    }
}

impl Index {
    /// Indexes every leaf's path, description and questions.
    pub fn build(taxonomy: &Taxonomy) -> Self {
        let mut entries = Vec::new();
        for (leaf, entry) in taxonomy.leaves.iter().enumerate() {
            let mut push = |field, text: String| entries.push(Entry::new(leaf, field, text));
            push(Field::Path, entry.folder.display().to_string());
            let Some(qna) = &entry.report.qna else {
                continue;
            };
            let description = qna
                .task_description
                .as_ref()
                .or(qna.domain.as_ref())
                .map(|t| one_line(&t.value));
            if let Some(description) = description {
                push(Field::Description, description);
            }
            for (example, seed) in qna.seed_examples.iter().enumerate() {
                let questions = seed.qa.question.iter().chain(
                    seed.questions_and_answers
                        .iter()
                        .filter_map(|qa| qa.question.as_ref()),
                );
                for question in questions {
                    push(Field::Question(example), one_line(&question.value));
                }
            }
        }
        Self {
            entries,
            history: Vec::new(),
        }
    }

    /// How many texts are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` hits for `query`, at most one per leaf (its best field).
    ///
    /// Typing is cheap: a query that extends an earlier one only scores what that
    /// one matched, and going back (backspace) reuses the earlier scores. Scoring
    /// runs on every core.
    pub fn search(&mut self, query: &str, limit: usize) -> Vec<Hit> {
        let query = query.trim();
        while self
            .history
            .last()
            .is_some_and(|previous| !query.starts_with(previous.text.as_str()))
        {
            self.history.pop();
        }
        if query.is_empty() {
            return Vec::new();
        }
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        if self.history.last().is_none_or(|q| q.text != query) {
            let previous = self.history.last().filter(|q| narrows(&q.text));
            let scored = self.score(&pattern.atoms, previous);
            self.history.push(Query {
                text: query.to_owned(),
                atoms: pattern.atoms.clone(),
                scored,
            });
        }
        let scored = self.history.last().map_or(&[][..], |q| q.scored.as_slice());
        self.best_per_leaf(&pattern, scored, limit)
    }

    /// Scores `atoms` over the entries `previous` matched (else all), in
    /// parallel, reusing its scores of the atoms that did not change; keeps the
    /// matches, in entry order, with the field bonus in the leading score.
    fn score(&self, atoms: &[Atom], previous: Option<&Query>) -> Vec<Scored> {
        let Some((last, leading)) = atoms.split_last() else {
            return (0..self.entries.len())
                .map(|entry| Scored {
                    entry,
                    leading: field_bonus(self.entries[entry].field),
                    last: 0,
                })
                .collect();
        };
        let reuse = match previous {
            Some(p) if p.atoms.len() == atoms.len() && p.atoms[..leading.len()] == *leading => {
                Reuse::Leading
            }
            Some(p) if p.atoms == leading => Reuse::Total,
            _ => Reuse::Nothing,
        };
        let every_entry: Vec<Scored>;
        let candidates = match previous {
            Some(p) => p.scored.as_slice(),
            None => {
                every_entry = (0..self.entries.len())
                    .map(|entry| Scored {
                        entry,
                        leading: 0,
                        last: 0,
                    })
                    .collect();
                &every_entry
            }
        };
        let needed = needle_mask(atoms);
        candidates
            .par_chunks(CHUNK)
            .map_init(
                || Matcher::new(Config::DEFAULT.match_paths()),
                |matcher, chunk| {
                    chunk
                        .iter()
                        .filter_map(|candidate| {
                            let entry = &self.entries[candidate.entry];
                            if entry.chars & needed != needed {
                                return None;
                            }
                            let text = entry.text.slice(..);
                            let leading = match reuse {
                                Reuse::Leading => candidate.leading,
                                Reuse::Total => candidate.total(),
                                Reuse::Nothing => {
                                    let mut sum = field_bonus(entry.field);
                                    for atom in leading {
                                        sum += u32::from(quick_score(atom, text, matcher)?);
                                    }
                                    sum
                                }
                            };
                            let last = u32::from(quick_score(last, text, matcher)?);
                            Some(Scored {
                                entry: candidate.entry,
                                leading,
                                last,
                            })
                        })
                        .collect::<Vec<_>>()
                },
            )
            .flatten()
            .collect()
    }

    /// Adds `(score, entry)` to `ranked`, a leaf's best matches in entry order,
    /// or keeps it in place of the last if of the same leaf and better.
    fn keep_leaf_best(&self, ranked: &mut Vec<(u32, usize)>, (score, i): (u32, usize)) {
        match ranked.last_mut() {
            Some(best) if self.entries[best.1].leaf == self.entries[i].leaf => {
                if score > best.0 {
                    *best = (score, i);
                }
            }
            _ => ranked.push((score, i)),
        }
    }

    /// The best-scoring match of each leaf, best first, with match positions.
    /// `scored` is in entry order, and a leaf's entries are consecutive, so one
    /// pass finds each leaf's best; the `limit` best are then scored exactly
    /// and sorted.
    fn best_per_leaf(&self, pattern: &Pattern, scored: &[Scored], limit: usize) -> Vec<Hit> {
        // Each chunk's leaves in parallel, then the leaves split between
        // chunks joined in order.
        let parts: Vec<Vec<(u32, usize)>> = scored
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut ranked = Vec::new();
                for s in chunk {
                    self.keep_leaf_best(&mut ranked, (s.total(), s.entry));
                }
                ranked
            })
            .collect();
        let mut ranked = Vec::with_capacity(parts.iter().map(Vec::len).sum());
        for best in parts.into_iter().flatten() {
            self.keep_leaf_best(&mut ranked, best);
        }
        let best_first = |a: &(u32, usize), b: &(u32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if ranked.len() > limit && limit > 0 {
            ranked.select_nth_unstable_by(limit - 1, best_first);
            ranked.truncate(limit);
        }
        let mut hits: Vec<Hit> = ranked
            .into_par_iter()
            .map_init(
                || Matcher::new(Config::DEFAULT.match_paths()),
                |matcher, (quick, i)| {
                    let entry = &self.entries[i];
                    let mut positions = Vec::new();
                    let exact = pattern.indices(entry.text.slice(..), matcher, &mut positions);
                    positions.sort_unstable();
                    positions.dedup();
                    Hit {
                        leaf: entry.leaf,
                        field: entry.field,
                        text: text_of(entry.text.slice(..)),
                        score: exact.map_or(quick, |score| score + field_bonus(entry.field)),
                        positions,
                    }
                },
            )
            .collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.leaf.cmp(&b.leaf)));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::validate::Options;
    use std::fs;

    /// The sample taxonomy, loaded.
    pub(super) fn sample_taxonomy() -> Taxonomy {
        Taxonomy::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-taxonomy"),
            &Options::default(),
        )
    }

    fn taxonomy() -> (tempfile::TempDir, Taxonomy) {
        let dir = tempfile::tempdir().unwrap();
        let leaves = [
            (
                "compositional_skills/linguistics/synonyms",
                "task_description: find synonyms\nseed_examples:\n  - question: What is another word for happy?\n    answer: Glad.\n",
            ),
            (
                "knowledge/science/tides",
                "domain: Oceanography\nseed_examples:\n  - context: c\n    questions_and_answers:\n      - question: Why do tides rise twice a day?\n        answer: Two bulges.\n",
            ),
        ];
        for (folder, text) in leaves {
            fs::create_dir_all(dir.path().join(folder)).unwrap();
            fs::write(dir.path().join(folder).join("qna.yaml"), text).unwrap();
        }
        let taxonomy = Taxonomy::load(dir.path(), &Options::default());
        (dir, taxonomy)
    }

    #[test]
    fn rank_matches_fuzzily_best_first() {
        let texts = ["quit", "next-problem", "next-field", "context"];
        assert_eq!(rank("", texts), vec![0, 1, 2, 3]);
        let ranked = rank("nxt", texts);
        assert_eq!(&ranked[..2], &[1, 2], "{ranked:?}");
        assert!(!ranked.contains(&0));
        assert_eq!(rank("next fi", texts), vec![2], "each word must match");
        assert!(rank("zzz", texts).is_empty());
    }

    #[test]
    fn finds_paths_descriptions_and_questions() {
        let (_dir, taxonomy) = taxonomy();
        let mut index = Index::build(&taxonomy);
        assert_eq!(index.len(), 6);
        let hits = index.search("tides", 10);
        assert_eq!(hits[0].leaf, 1);
        assert_eq!(hits[0].field, Field::Path);
        let hits = index.search("twice a day", 10);
        assert_eq!((hits[0].leaf, hits[0].field), (1, Field::Question(0)));
        let hits = index.search("synonym", 10);
        assert_eq!(hits.len(), 1, "one hit per leaf: {hits:?}");
        let text: Vec<char> = hits[0].text.chars().collect();
        let highlighted: String = hits[0]
            .positions
            .iter()
            .map(|&p| text[p as usize])
            .collect();
        assert_eq!(highlighted.to_lowercase(), "synonym");
    }

    #[test]
    fn narrowing_gives_the_same_hits_as_a_fresh_search() {
        let (_dir, taxonomy) = taxonomy();
        let mut typed = Index::build(&taxonomy);
        for prefix in ["w", "wh", "why", "why d"] {
            typed.search(prefix, 10);
        }
        let narrowed = typed.search("why do", 10);
        let fresh = Index::build(&taxonomy).search("why do", 10);
        assert_eq!(narrowed, fresh);
        let back = typed.search("why", 10);
        assert_eq!(
            back,
            Index::build(&taxonomy).search("why", 10),
            "backspace reuses scores"
        );
        assert!(typed.search("", 10).is_empty());
        assert!(typed.search("zzzz", 10).is_empty());
    }

    #[test]
    fn typing_and_erasing_give_the_hits_of_fresh_searches() {
        let taxonomy = sample_taxonomy();
        let mut typed = Index::build(&taxonomy);
        let mut fresh = Index::build(&taxonomy);
        for query in [
            "linguistics",
            "why do tides",
            "tiDes",
            "knowledge sci",
            "^comp ling",
        ] {
            let chars: Vec<char> = query.chars().collect();
            for n in (1..=chars.len()).chain((1..chars.len()).rev()) {
                let prefix: String = chars[..n].iter().collect();
                fresh.history.clear();
                assert_eq!(
                    typed.search(&prefix, FIND_LIMIT),
                    fresh.search(&prefix, FIND_LIMIT),
                    "{prefix:?}"
                );
            }
        }
    }

    #[test]
    fn negations_and_end_anchors_are_searched_afresh() {
        let (_dir, taxonomy) = taxonomy();
        for typed in [["!s", "!sy"], ["tides$", "tides$x"], ["e\\", "e\\ a"]] {
            let mut index = Index::build(&taxonomy);
            index.search(typed[0], 10);
            assert_eq!(
                index.search(typed[1], 10),
                Index::build(&taxonomy).search(typed[1], 10),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn quick_scores_find_the_same_texts_never_above_the_exact_score() {
        let taxonomy = sample_taxonomy();
        let index = Index::build(&taxonomy);
        let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
        let mut compared = 0;
        for query in [
            "s",
            "sc",
            "why",
            "rivr",
            "Tide",
            "photo synth",
            "'exact",
            "^comp",
            "naïve",
        ] {
            let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
            for entry in &index.entries {
                let text = entry.text.slice(..);
                for atom in &pattern.atoms {
                    let exact = atom.score(text, &mut matcher);
                    let quick = quick_score(atom, text, &mut matcher);
                    assert_eq!(exact.is_some(), quick.is_some(), "{query:?} on {text}");
                    assert!(quick <= exact, "{query:?} on {text}: {quick:?} > {exact:?}");
                    compared += usize::from(exact.is_some());
                }
            }
        }
        assert!(compared > 500, "only {compared} matches compared");
    }

    #[test]
    fn a_leaf_split_between_chunks_is_one_hit_with_its_best_text() {
        let text = |i: usize| match i % 3 {
            0 => format!("alpha {i}"),
            1 => format!("a l p h a {i}"),
            _ => format!("al ph a {i}"),
        };
        let entries: Vec<Entry> = (0..3 * CHUNK + 5)
            .map(|i| Entry::new(i / 7, Field::Question(0), text(i)))
            .collect();
        let leaves = entries.len().div_ceil(7);
        let mut index = Index {
            entries,
            history: Vec::new(),
        };
        let hits = index.search("alph", usize::MAX);
        assert_eq!(hits.len(), leaves);
        let mut seen = vec![false; leaves];
        let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
        let atom = &Pattern::parse("alph", CaseMatching::Smart, Normalization::Smart).atoms[0];
        for hit in &hits {
            assert!(
                !std::mem::replace(&mut seen[hit.leaf], true),
                "{hit:?} twice"
            );
            let best = (hit.leaf * 7..(hit.leaf * 7 + 7).min(index.entries.len()))
                .map(|i| {
                    let text = index.entries[i].text.slice(..);
                    (quick_score(atom, text, &mut matcher), std::cmp::Reverse(i))
                })
                .max()
                .map(|(_, i)| text(i.0));
            assert_eq!(Some(&hit.text), best.as_ref());
        }
    }
}
