//! Fuzzy finding over a taxonomy: leaf paths, task descriptions and seed questions,
//! ranked by nucleo's matcher, with the matched characters for highlighting.

use std::collections::HashMap;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};
use rayon::prelude::*;

use crate::taxonomy::model::Taxonomy;

/// How many hits a finder shows.
pub const FIND_LIMIT: usize = 200;

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
    /// The queries typed so far, each extending the one before, with what they
    /// matched (score, entry), in entry order.
    history: Vec<(String, Vec<(u32, usize)>)>,
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
            let mut push = |field, text: String| {
                entries.push(Entry {
                    leaf,
                    field,
                    text: Utf32String::from(text),
                })
            };
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
            .is_some_and(|(previous, _)| !query.starts_with(previous.as_str()))
        {
            self.history.pop();
        }
        if query.is_empty() {
            return Vec::new();
        }
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let scored = match self.history.last() {
            Some((previous, scored)) if previous == query => scored.clone(),
            Some((_, narrower)) => {
                let candidates: Vec<usize> = narrower.iter().map(|&(_, i)| i).collect();
                self.score(&pattern, &candidates)
            }
            None => {
                let all: Vec<usize> = (0..self.entries.len()).collect();
                self.score(&pattern, &all)
            }
        };
        let hits = self.best_per_leaf(&pattern, &scored, limit);
        if self
            .history
            .last()
            .is_none_or(|(previous, _)| previous != query)
        {
            self.history.push((query.to_owned(), scored));
        }
        hits
    }

    /// Scores the candidate entries in parallel; keeps the matches, in index order.
    fn score(&self, pattern: &Pattern, candidates: &[usize]) -> Vec<(u32, usize)> {
        candidates
            .par_chunks(4096)
            .map_init(
                || Matcher::new(Config::DEFAULT.match_paths()),
                |matcher, chunk| {
                    chunk
                        .iter()
                        .filter_map(|&i| {
                            let entry = &self.entries[i];
                            pattern
                                .score(entry.text.slice(..), matcher)
                                .map(|score| (score + field_bonus(entry.field), i))
                        })
                        .collect::<Vec<_>>()
                },
            )
            .flatten()
            .collect()
    }

    /// The best-scoring match of each leaf, best first, with match positions.
    fn best_per_leaf(&self, pattern: &Pattern, scored: &[(u32, usize)], limit: usize) -> Vec<Hit> {
        let mut best: HashMap<usize, (u32, usize)> = HashMap::new();
        for &(score, i) in scored {
            let leaf = self.entries[i].leaf;
            let slot = best.entry(leaf).or_insert((score, i));
            if score > slot.0 {
                *slot = (score, i);
            }
        }
        let mut ranked: Vec<(u32, usize)> = best.into_values().collect();
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
        ranked
            .into_iter()
            .take(limit)
            .map(|(score, i)| {
                let entry = &self.entries[i];
                let mut positions = Vec::new();
                pattern.indices(entry.text.slice(..), &mut matcher, &mut positions);
                positions.sort_unstable();
                positions.dedup();
                Hit {
                    leaf: entry.leaf,
                    field: entry.field,
                    text: entry.text.to_string(),
                    score,
                    positions,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::validate::Options;
    use std::fs;

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
}
