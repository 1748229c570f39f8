//! The preview's funnel, built from the generation runner's events: each
//! candidate with the text of the stage writing it as it streams, the fields it
//! was written with, each judge's or filter's mark, and how it ended; and the
//! runner's own counts of the candidates in and out of each stage.
//!
//! Candidates form a tree as the runner makes them: a round's start is written
//! into one or more candidates by a generating stage, each of which a later
//! generating stage writes on into another. Only the newest of each line is
//! shown (a candidate a stage wrote on from is replaced by what it wrote), in the
//! order of their lines, so a candidate keeps its place as it goes.

use std::collections::BTreeMap;

use crate::generate::parse::Draft;
use crate::generate::runner::{Mark, MarkKind, PipelineEvent, StageCount};
use crate::generate::{Event, Stats};

/// How a candidate ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It passed every stage: a sample.
    Accepted,
    /// A stage rejected it.
    Rejected {
        /// The stage.
        stage: String,
        /// Why, in the runner's words (a judge's score and reason).
        reason: String,
    },
}

/// One candidate of the runner.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelCandidate {
    /// The runner's number for it (a record's `index`).
    pub id: usize,
    /// The numbers of the line it comes from, its own last: the order shown.
    line: Vec<usize>,
    /// A stage wrote a new candidate from it (so it is no longer shown).
    written_on: bool,
    /// The stage working on it now.
    pub stage: Option<String>,
    /// The text of the generating stage writing from it, as it streams.
    pub text: String,
    /// Its fields as written so far.
    pub draft: Draft,
    /// Each judge's and filter's mark, in order (with those of the line it
    /// was written from).
    pub marks: Vec<Mark>,
    /// How it ended, once it did.
    pub outcome: Option<Outcome>,
    /// The engine's measurements of the request that ended it.
    pub stats: Option<Stats>,
}

impl FunnelCandidate {
    fn new(id: usize, line: Vec<usize>, draft: Draft, marks: Vec<Mark>) -> Self {
        Self {
            id,
            line,
            written_on: false,
            stage: None,
            text: String::new(),
            draft,
            marks,
            outcome: None,
            stats: None,
        }
    }
}

/// The funnel of one preview.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Funnel {
    /// Every candidate by its number.
    candidates: BTreeMap<usize, FunnelCandidate>,
    /// Each stage's type (`generate`, `judge`, `filter`), as stages start.
    kinds: BTreeMap<String, &'static str>,
    /// The stage running now.
    pub running: Option<String>,
    /// The runner's counts: candidates in and out of each stage.
    pub counts: Vec<StageCount>,
    /// The latest request's prompt tokens and the model's context window.
    pub prompt: Option<(usize, u32)>,
}

impl Funnel {
    /// Takes one of the runner's events; false when it is dropped: it names a
    /// candidate written from none this funnel knows, or it is a judge's text.
    pub fn apply(&mut self, event: PipelineEvent) -> bool {
        match event {
            PipelineEvent::Stage { stage, kind, .. } => {
                self.kinds.insert(stage.clone(), kind);
                self.running = Some(stage);
            }
            PipelineEvent::Funnel { funnel } => {
                // Counts come as a stage starts (before its `Stage`) and as it ends.
                self.counts = funnel;
                self.running = None;
            }
            PipelineEvent::Request {
                stage,
                candidate,
                event,
            } => return self.request(stage, candidate, event),
            PipelineEvent::Written {
                candidate,
                parent,
                draft,
                ..
            } => {
                let Some(from) = self.candidates.get_mut(&parent) else {
                    return false;
                };
                from.written_on = true;
                let mut line = from.line.clone();
                line.push(candidate);
                let marks = from.marks.clone();
                from.stage = None;
                let written = FunnelCandidate::new(candidate, line, draft, marks);
                self.candidates.insert(candidate, written);
            }
            PipelineEvent::Kept {
                stage,
                candidate,
                score,
                reason,
            } => {
                let Some(kept) = self.candidates.get_mut(&candidate) else {
                    return false;
                };
                kept.stage = None;
                kept.marks.push(mark(stage, MarkKind::Kept, score, reason));
            }
            PipelineEvent::Rejected {
                stage,
                candidate,
                reason,
                score,
                stats,
                ..
            } => {
                let Some(rejected) = self.candidates.get_mut(&candidate) else {
                    return false;
                };
                rejected.stage = None;
                rejected.stats = Some(stats);
                rejected.marks.push(mark(
                    stage.clone(),
                    MarkKind::Rejected,
                    score,
                    Some(reason.clone()),
                ));
                rejected.outcome = Some(Outcome::Rejected { stage, reason });
            }
            PipelineEvent::Accepted {
                candidate, stats, ..
            } => {
                let Some(accepted) = self.candidates.get_mut(&candidate) else {
                    return false;
                };
                accepted.stage = None;
                accepted.stats = Some(stats);
                accepted.outcome = Some(Outcome::Accepted);
            }
        }
        true
    }

    /// A stage's request for a candidate (a candidate first heard of is a
    /// round's start): its start, then its text, kept when the stage writes.
    fn request(&mut self, stage: String, id: usize, event: Event) -> bool {
        let writes = self.kinds.get(&stage) == Some(&"generate");
        let candidate = self.candidates.entry(id).or_insert_with(|| round_start(id));
        if candidate.stage.as_ref() != Some(&stage) {
            candidate.stage = Some(stage);
            candidate.text.clear();
        }
        match event {
            Event::Started {
                prompt_tokens,
                context_size,
                ..
            } => self.prompt = Some((prompt_tokens, context_size)),
            Event::Token { text, .. } if writes => candidate.text.push_str(&text),
            Event::Token { .. } => return false,
            Event::Finished { .. } | Event::Skipped { .. } | Event::Failed { .. } => {}
        }
        true
    }

    /// The candidates shown: the newest of each line, in the order of their lines.
    pub fn shown(&self) -> Vec<&FunnelCandidate> {
        let mut shown: Vec<&FunnelCandidate> =
            self.candidates.values().filter(|c| !c.written_on).collect();
        shown.sort_by(|a, b| a.line.cmp(&b.line));
        shown
    }

    /// Candidates accepted and rejected so far.
    pub fn outcomes(&self) -> (usize, usize) {
        let ended = self.candidates.values().filter_map(|c| c.outcome.as_ref());
        ended.fold((0, 0), |(ok, no), outcome| match outcome {
            Outcome::Accepted => (ok + 1, no),
            Outcome::Rejected { .. } => (ok, no + 1),
        })
    }

    /// The measurements of the candidates that ended, in order of their numbers.
    pub fn stats(&self) -> impl Iterator<Item = &Stats> {
        self.candidates.values().filter_map(|c| c.stats.as_ref())
    }

    /// The type of a stage seen so far.
    pub fn kind(&self, stage: &str) -> Option<&'static str> {
        self.kinds.get(stage).copied()
    }
}

/// A round's start: a candidate with nothing written yet.
fn round_start(id: usize) -> FunnelCandidate {
    FunnelCandidate::new(id, vec![id], Draft::default(), Vec::new())
}

fn mark(stage: String, verdict: MarkKind, score: Option<f64>, reason: Option<String>) -> Mark {
    Mark {
        stage,
        verdict,
        score,
        reason: reason.filter(|r| !r.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(stage: &str, candidate: usize) -> PipelineEvent {
        PipelineEvent::Request {
            stage: stage.into(),
            candidate,
            event: Event::Started {
                id: 9,
                prompt_tokens: 300,
                context_size: 2048,
            },
        }
    }

    fn token(stage: &str, candidate: usize, text: &str) -> PipelineEvent {
        PipelineEvent::Request {
            stage: stage.into(),
            candidate,
            event: Event::Token {
                id: 9,
                text: text.into(),
            },
        }
    }

    fn stage(name: &str, kind: &'static str) -> PipelineEvent {
        PipelineEvent::Stage {
            stage: name.into(),
            kind,
            candidates: 1,
        }
    }

    fn written(stage: &str, candidate: usize, parent: usize, question: &str) -> PipelineEvent {
        PipelineEvent::Written {
            stage: stage.into(),
            candidate,
            parent,
            draft: Draft {
                question: Some(question.into()),
                ..Draft::default()
            },
        }
    }

    #[test]
    fn candidates_stream_then_are_written_judged_and_end() {
        let mut funnel = Funnel::default();
        assert!(funnel.apply(stage("questions", "generate")));
        assert!(funnel.apply(started("questions", 0)));
        assert!(funnel.apply(token("questions", 0, "Which ")));
        assert!(funnel.apply(token("questions", 0, "is right?")));
        assert_eq!(funnel.shown()[0].text, "Which is right?");
        assert_eq!(funnel.running.as_deref(), Some("questions"));
        assert!(funnel.apply(written("questions", 1, 0, "Which is right?")));
        assert!(funnel.apply(written("questions", 2, 0, "Draw a cat.")));
        assert!(funnel.apply(PipelineEvent::Funnel {
            funnel: vec![StageCount {
                stage: "questions".into(),
                input: 1,
                output: 2,
                ..StageCount::default()
            }],
        }));
        assert_eq!(funnel.running, None, "the stage ended");
        // The round's start gives way to the two candidates written from it.
        let shown: Vec<usize> = funnel.shown().iter().map(|c| c.id).collect();
        assert_eq!(shown, [1, 2]);
        funnel.apply(stage("question_judge", "judge"));
        funnel.apply(started("question_judge", 1));
        // A judge's text is not the candidate's.
        assert!(!funnel.apply(token("question_judge", 1, "1")));
        assert!(funnel.apply(PipelineEvent::Kept {
            stage: "question_judge".into(),
            candidate: 1,
            score: Some(1.0),
            reason: Some("It fits.".into()),
        }));
        assert!(funnel.apply(PipelineEvent::Rejected {
            stage: "question_judge".into(),
            candidate: 2,
            round: 0,
            reason: "score 0 (keeps 1 and above): not in writing".into(),
            score: Some(0.0),
            stats: Stats::default(),
        }));
        funnel.apply(stage("answers", "generate"));
        funnel.apply(started("answers", 1));
        funnel.apply(token("answers", 1, "This one."));
        assert_eq!(funnel.shown()[0].stage.as_deref(), Some("answers"));
        assert_eq!(funnel.shown()[0].text, "This one.");
        funnel.apply(written("answers", 3, 1, "Which is right?"));
        assert!(funnel.apply(PipelineEvent::Accepted {
            candidate: 3,
            round: 0,
            stats: Stats::default(),
        }));
        // The answered candidate takes its question's place, with its marks.
        let shown = funnel.shown();
        assert_eq!(shown.iter().map(|c| c.id).collect::<Vec<_>>(), [3, 2]);
        assert_eq!(shown[0].outcome, Some(Outcome::Accepted));
        assert_eq!(shown[0].marks.len(), 1);
        assert_eq!(shown[0].marks[0].score, Some(1.0));
        assert_eq!(
            shown[1].outcome,
            Some(Outcome::Rejected {
                stage: "question_judge".into(),
                reason: "score 0 (keeps 1 and above): not in writing".into(),
            })
        );
        assert_eq!(funnel.outcomes(), (1, 1));
        assert_eq!(funnel.prompt, Some((300, 2048)));
    }

    #[test]
    fn events_of_unknown_candidates_are_dropped() {
        let mut funnel = Funnel::default();
        funnel.apply(stage("sample", "generate"));
        assert!(!funnel.apply(written("sample", 5, 4, "stray")));
        assert!(!funnel.apply(PipelineEvent::Accepted {
            candidate: 5,
            round: 0,
            stats: Stats::default(),
        }));
        assert!(funnel.shown().is_empty());
    }
}
