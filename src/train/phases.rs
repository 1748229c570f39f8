//! LAB's phases: phase 1 trains on the knowledge records, phase 2 on the skills
//! records plus a replay of phase 1's (upstream's phase-2 mix includes the whole
//! phase-1 knowledge set: sdg `datamixing.py`, `_create_phase10_ds`, "Include
//! phase07"), each with its own epochs and learning rate; or one pass over
//! everything. Pure: which records each phase trains and evaluates on.

use serde::{Deserialize, Serialize};

use super::dataset::{Conversation, RecordKind};

/// A phase of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Phase 1: the knowledge records.
    Knowledge,
    /// Phase 2: the skills records and the replayed knowledge records.
    Skills,
    /// One pass over every record.
    Single,
}

impl Phase {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Knowledge => "knowledge",
            Self::Skills => "skills",
            Self::Single => "single",
        }
    }
}

/// Which phases a run goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseMode {
    /// Knowledge, then skills.
    KnowledgeSkills,
    /// One pass over everything.
    Single,
}

/// The epochs and peak learning rate of one phase.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhaseSettings {
    /// Passes over the phase's records.
    pub epochs: u32,
    /// The peak learning rate.
    pub learning_rate: f32,
}

/// Upstream's phase-2 epochs per phase-1 epoch (10 against 7: instructlab
/// `accelerated_train.py`).
pub const PHASE2_EPOCH_RATIO: f64 = 10.0 / 7.0;
/// Upstream's phase-2 learning rate as a share of phase 1's (6e-6 against 2e-5).
pub const PHASE2_LR_RATIO: f32 = 0.3;
/// The share of phase-1 records replayed in phase 2 by default: all of them, as
/// upstream's phase-2 mix holds the whole phase-1 set.
pub const DEFAULT_REPLAY: f32 = 1.0;

impl PhaseSettings {
    /// Phase 2's defaults given phase 1's: upstream's ratios.
    pub fn phase2_for(phase1: Self) -> Self {
        Self {
            epochs: (f64::from(phase1.epochs) * PHASE2_EPOCH_RATIO).round() as u32,
            learning_rate: phase1.learning_rate * PHASE2_LR_RATIO,
        }
    }
}

/// A finished epoch of a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochDone {
    /// The epoch (from 1 within its phase).
    pub epoch: u32,
    /// The run's optimizer step it ended at.
    pub step: u64,
    /// The held-out loss after it, when there is a held-out set.
    pub eval_loss: Option<f64>,
    /// Its checkpoint's label.
    pub checkpoint: String,
}

/// A phase as the run's status shows it (what a chart needs to mark where it
/// starts and what it started from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseStatus {
    /// The phase.
    pub phase: Phase,
    /// Its epochs.
    pub epochs: u32,
    /// Its peak learning rate.
    pub learning_rate: f32,
    /// Records it trains on.
    pub records: usize,
    /// How many of them are replayed from phase 1.
    pub replayed: usize,
    /// Held-out records its loss is measured on.
    pub heldout: usize,
    /// Optimizer steps (windows) per epoch.
    pub windows: u64,
    /// The run's optimizer steps before it: its steps are `first_step + 1` on.
    pub first_step: u64,
    /// The checkpoint it started from (`None`: the base model), once started.
    #[serde(default)]
    pub started_from: Option<String>,
    /// Its finished epochs.
    #[serde(default)]
    pub epochs_done: Vec<EpochDone>,
}

impl PhaseStatus {
    /// All its optimizer steps.
    pub fn steps(&self) -> u64 {
        self.windows * u64::from(self.epochs)
    }

    /// Its best finished epoch: the lowest held-out loss, else the last.
    pub fn best(&self) -> Option<&EpochDone> {
        let measured = self
            .epochs_done
            .iter()
            .filter(|e| e.eval_loss.is_some_and(f64::is_finite));
        measured
            .min_by(|a, b| {
                a.eval_loss
                    .partial_cmp(&b.eval_loss)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .or(self.epochs_done.last())
    }
}

/// What one phase trains on.
#[derive(Debug, Clone, PartialEq)]
pub struct PhasePlan {
    /// The phase.
    pub phase: Phase,
    /// Its training records (indices into the training set), in training order.
    pub train: Vec<usize>,
    /// How many of them are replayed from phase 1.
    pub replayed: usize,
    /// The held-out records its loss is measured on (indices into the held-out set).
    pub eval: Vec<usize>,
    /// Its epochs and learning rate.
    pub settings: PhaseSettings,
}

/// What the phases of a run are asked to do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseRequest {
    /// The phases (`None`: knowledge then skills when the records hold both kinds).
    pub mode: Option<PhaseMode>,
    /// Settings of a single pass.
    pub single: PhaseSettings,
    /// Settings of phase 1.
    pub phase1: PhaseSettings,
    /// Settings of phase 2.
    pub phase2: PhaseSettings,
    /// The share of phase-1 records replayed in phase 2.
    pub replay: f32,
}

/// Why the phases cannot be planned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhaseError {
    /// Two phases were asked for but a kind of record is missing.
    #[error(
        "--phases knowledge,skills needs both kinds of records; the dataset has no {0} records"
    )]
    MissingKind(&'static str),
}

/// `k` of `n` indices spread evenly (the same `n` and `k` give the same picks).
pub(super) fn evenly(n: usize, k: usize) -> Vec<usize> {
    let k = k.min(n);
    (0..k).map(|i| (2 * i + 1) * n / (2 * k)).collect()
}

/// A fixed shuffle of `indices` (the same input gives the same order).
fn shuffled(mut indices: Vec<usize>) -> Vec<usize> {
    fastrand::Rng::with_seed(42).shuffle(&mut indices);
    indices
}

fn of_kind(records: &[Conversation], kind: RecordKind) -> Vec<usize> {
    (0..records.len())
        .filter(|&i| records[i].kind == kind)
        .collect()
}

/// The phases of a run over `train` and `heldout`.
pub fn plan(
    train: &[Conversation],
    heldout: &[Conversation],
    request: &PhaseRequest,
) -> Result<Vec<PhasePlan>, PhaseError> {
    let knowledge = of_kind(train, RecordKind::Knowledge);
    let skills = of_kind(train, RecordKind::Skill);
    let mode = request
        .mode
        .unwrap_or(if knowledge.is_empty() || skills.is_empty() {
            PhaseMode::Single
        } else {
            PhaseMode::KnowledgeSkills
        });
    if mode == PhaseMode::Single {
        return Ok(vec![PhasePlan {
            phase: Phase::Single,
            train: shuffled((0..train.len()).collect()),
            replayed: 0,
            eval: (0..heldout.len()).collect(),
            settings: request.single,
        }]);
    }
    if knowledge.is_empty() {
        return Err(PhaseError::MissingKind("knowledge"));
    }
    if skills.is_empty() {
        return Err(PhaseError::MissingKind("skills"));
    }
    let wanted = (knowledge.len() as f64 * f64::from(request.replay)).round() as usize;
    let replay: Vec<usize> = evenly(knowledge.len(), wanted)
        .into_iter()
        .map(|i| knowledge[i])
        .collect();
    let replayed = replay.len();
    let phase1 = PhasePlan {
        phase: Phase::Knowledge,
        train: shuffled(knowledge),
        replayed: 0,
        eval: of_kind(heldout, RecordKind::Knowledge),
        settings: request.phase1,
    };
    let phase2 = PhasePlan {
        phase: Phase::Skills,
        train: shuffled([skills, replay].concat()),
        replayed,
        eval: (0..heldout.len()).collect(),
        settings: request.phase2,
    };
    Ok(vec![phase1, phase2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: RecordKind, n: usize) -> Conversation {
        Conversation {
            unmask: kind == RecordKind::Knowledge,
            kind,
            ..Conversation::question_answer("S", &n.to_string(), "A")
        }
    }

    fn request(mode: Option<PhaseMode>, replay: f32) -> PhaseRequest {
        let phase1 = PhaseSettings {
            epochs: 7,
            learning_rate: 2e-5,
        };
        PhaseRequest {
            mode,
            single: phase1,
            phase1,
            phase2: PhaseSettings::phase2_for(phase1),
            replay,
        }
    }

    #[test]
    fn phase_two_takes_upstreams_ratios() {
        let p2 = request(None, 1.0).phase2;
        assert_eq!(p2.epochs, 10);
        assert!((p2.learning_rate - 6e-6).abs() < 1e-12);
    }

    #[test]
    fn both_kinds_give_two_phases_with_the_knowledge_replayed() {
        let mut train: Vec<Conversation> =
            (0..4).map(|n| record(RecordKind::Knowledge, n)).collect();
        train.extend((4..10).map(|n| record(RecordKind::Skill, n)));
        let heldout = vec![
            record(RecordKind::Skill, 10),
            record(RecordKind::Knowledge, 11),
        ];
        let phases = plan(&train, &heldout, &request(None, 0.5)).unwrap();
        assert_eq!(phases.len(), 2);
        let (p1, p2) = (&phases[0], &phases[1]);
        assert_eq!(p1.phase, Phase::Knowledge);
        let mut p1_records = p1.train.clone();
        p1_records.sort_unstable();
        assert_eq!(p1_records, [0, 1, 2, 3]);
        assert_eq!(p1.eval, [1], "held-out knowledge only");
        assert_eq!(
            (p2.phase, p2.replayed, p2.train.len()),
            (Phase::Skills, 2, 8)
        );
        let replayed: Vec<usize> = p2.train.iter().copied().filter(|&i| i < 4).collect();
        assert_eq!(
            replayed.len(),
            2,
            "half the knowledge records: {replayed:?}"
        );
        assert_eq!(p2.eval, [0, 1]);
        assert_eq!(
            plan(&train, &heldout, &request(None, 0.5)).unwrap(),
            phases,
            "stable"
        );
    }

    #[test]
    fn one_kind_gives_one_pass_unless_two_phases_are_asked_for() {
        let train: Vec<Conversation> = (0..3).map(|n| record(RecordKind::Skill, n)).collect();
        let phases = plan(&train, &[], &request(None, 1.0)).unwrap();
        assert_eq!(phases.len(), 1);
        assert_eq!(phases[0].phase, Phase::Single);
        assert_eq!(
            plan(&train, &[], &request(Some(PhaseMode::KnowledgeSkills), 1.0))
                .unwrap_err()
                .to_string(),
            "--phases knowledge,skills needs both kinds of records; the dataset has no knowledge records"
        );
    }

    #[test]
    fn the_best_epoch_has_the_lowest_held_out_loss_else_it_is_the_last() {
        let done = |epoch, eval_loss| EpochDone {
            epoch,
            step: u64::from(epoch) * 3,
            eval_loss,
            checkpoint: format!("knowledge-epoch-{epoch}"),
        };
        let mut status = PhaseStatus {
            phase: Phase::Knowledge,
            epochs: 3,
            learning_rate: 1e-4,
            records: 5,
            replayed: 0,
            heldout: 1,
            windows: 3,
            first_step: 0,
            started_from: None,
            epochs_done: vec![done(1, Some(2.0)), done(2, Some(1.5)), done(3, Some(1.7))],
        };
        assert_eq!(status.steps(), 9);
        assert_eq!(status.best().unwrap().epoch, 2);
        status.epochs_done = vec![done(1, None), done(2, None)];
        assert_eq!(status.best().unwrap().epoch, 2);
        status.epochs_done.clear();
        assert!(status.best().is_none());
    }

    #[test]
    fn picks_are_spread_evenly() {
        assert_eq!(evenly(10, 2), [2, 7]);
        assert_eq!(evenly(3, 5), [0, 1, 2]);
        assert!(evenly(4, 0).is_empty());
    }
}
