//! Fuzzy finding over a taxonomy: leaf paths, task descriptions and seed questions,
//! ranked by nucleo's matcher, with the matched characters for highlighting.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

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
    /// The last query and the entries it matched: a longer query that extends it
    /// only needs to look at those.
    last: Option<(String, Vec<usize>)>,
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
            last: None,
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
    pub fn search(&mut self, query: &str, limit: usize) -> Vec<Hit> {
        let query = query.trim();
        if query.is_empty() {
            self.last = None;
            return Vec::new();
        }
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
        let candidates: Vec<usize> = match &self.last {
            Some((previous, matched)) if query.starts_with(previous.as_str()) => matched.clone(),
            _ => (0..self.entries.len()).collect(),
        };
        let mut scored: Vec<(u32, usize)> = candidates
            .into_iter()
            .filter_map(|i| {
                let entry = &self.entries[i];
                pattern
                    .score(entry.text.slice(..), &mut matcher)
                    .map(|score| (score + field_bonus(entry.field), i))
            })
            .collect();
        let mut matched: Vec<usize> = scored.iter().map(|&(_, i)| i).collect();
        matched.sort_unstable();
        self.last = Some((query.to_owned(), matched));
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut seen_leaves = std::collections::HashSet::new();
        scored
            .into_iter()
            .filter(|&(_, i)| seen_leaves.insert(self.entries[i].leaf))
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
        assert!(typed.search("", 10).is_empty());
        assert!(typed.search("zzzz", 10).is_empty());
    }
}
