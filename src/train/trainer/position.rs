//! Where a run's training starts: at the beginning, or, for a resumed run, after
//! its newest checkpoint (the next epoch, the rest of a stopped epoch, or the next
//! phase from the best epoch of the one before). Pure.

use crate::train::phases::{Phase, PhaseStatus};
use crate::train::registry::Checkpoint;

/// A point in a run's phases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Position {
    /// The phase (index into the run's phases).
    pub phase: usize,
    /// The epoch within it, from 1.
    pub epoch: u32,
    /// Windows of that epoch already trained.
    pub offset: usize,
    /// The run's optimizer steps done.
    pub step: u64,
    /// The checkpoint whose weights to load (`None`: the base model).
    pub from: Option<String>,
    /// Whether the phase starts here (rather than going on).
    pub fresh: bool,
}

impl Position {
    /// The start of a run.
    pub(super) fn start() -> Self {
        Self {
            phase: 0,
            epoch: 1,
            offset: 0,
            step: 0,
            from: None,
            fresh: true,
        }
    }

    /// The start of the phase after `phases[index]`, which ended at `step`; `None`
    /// after the last. Phase 2 starts from phase 1's best epoch.
    pub(super) fn after_phase(phases: &[PhaseStatus], index: usize, step: u64) -> Option<Self> {
        let done = phases.get(index)?;
        phases.get(index + 1)?;
        let from = match done.phase {
            Phase::Knowledge => done.best(),
            Phase::Skills | Phase::Single => done.epochs_done.last(),
        };
        Some(Self {
            phase: index + 1,
            epoch: 1,
            offset: 0,
            step,
            from: from.map(|e| e.checkpoint.clone()),
            fresh: true,
        })
    }
}

/// Where training resumes after `newest` (`Ok(None)`: nothing is left to do).
pub(super) fn resume_at(
    phases: &[PhaseStatus],
    newest: Option<&Checkpoint>,
) -> Result<Option<Position>, String> {
    let Some(newest) = newest else {
        return Ok(Some(Position::start()));
    };
    for (index, phase) in phases.iter().enumerate() {
        if let Some(done) = phase
            .epochs_done
            .iter()
            .find(|e| e.checkpoint == newest.label)
        {
            if done.epoch < phase.epochs {
                return Ok(Some(Position {
                    phase: index,
                    epoch: done.epoch + 1,
                    offset: 0,
                    step: newest.step,
                    from: Some(newest.label.clone()),
                    fresh: false,
                }));
            }
            return Ok(Position::after_phase(phases, index, newest.step));
        }
    }
    // A checkpoint saved on a stop, within the phase its step falls in.
    let inside = phases
        .iter()
        .enumerate()
        .find(|(_, p)| newest.step > p.first_step && newest.step <= p.first_step + p.steps());
    let Some((index, phase)) = inside else {
        return Err(format!(
            "checkpoint {} (step {}) lies in none of the run's phases",
            newest.label, newest.step
        ));
    };
    let done = newest.step - phase.first_step;
    let windows = phase.windows.max(1);
    // A stop right at an epoch's end leaves that epoch to be measured and saved.
    let epoch = done.div_ceil(windows);
    Ok(Some(Position {
        phase: index,
        epoch: u32::try_from(epoch).unwrap_or(u32::MAX),
        offset: usize::try_from(done - (epoch - 1) * windows).unwrap_or(usize::MAX),
        step: newest.step,
        from: Some(newest.label.clone()),
        fresh: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::phases::EpochDone;

    fn phase(phase: Phase, first_step: u64, done: &[(u32, f64)]) -> PhaseStatus {
        PhaseStatus {
            phase,
            epochs: 2,
            learning_rate: 1e-4,
            records: 4,
            replayed: 0,
            heldout: 1,
            windows: 3,
            first_step,
            started_from: None,
            epochs_done: done
                .iter()
                .map(|&(epoch, loss)| EpochDone {
                    epoch,
                    step: first_step + u64::from(epoch) * 3,
                    eval_loss: Some(loss),
                    checkpoint: format!("{}-epoch-{epoch}", phase.name()),
                })
                .collect(),
        }
    }

    fn checkpoint(label: &str, step: u64) -> Checkpoint {
        Checkpoint {
            label: label.into(),
            step,
            f32: Some(format!("{label}.F32.gguf").into()),
            q8_0: format!("{label}.Q8_0.gguf").into(),
        }
    }

    #[test]
    fn a_run_without_checkpoints_starts_at_the_beginning() {
        let phases = [phase(Phase::Single, 0, &[])];
        assert_eq!(resume_at(&phases, None), Ok(Some(Position::start())));
    }

    #[test]
    fn an_epoch_checkpoint_goes_on_with_the_next_epoch_or_phase() {
        let mut phases = vec![
            phase(Phase::Knowledge, 0, &[(1, 2.0)]),
            phase(Phase::Skills, 6, &[]),
        ];
        let at = resume_at(&phases, Some(&checkpoint("knowledge-epoch-1", 3)));
        assert_eq!(
            at.unwrap().unwrap(),
            Position {
                phase: 0,
                epoch: 2,
                offset: 0,
                step: 3,
                from: Some("knowledge-epoch-1".into()),
                fresh: false,
            }
        );
        // Phase 1 finished; its first epoch was better, so phase 2 starts there.
        phases[0] = phase(Phase::Knowledge, 0, &[(1, 2.0), (2, 2.5)]);
        let at = resume_at(&phases, Some(&checkpoint("knowledge-epoch-2", 6))).unwrap();
        let at = at.unwrap();
        assert_eq!((at.phase, at.epoch, at.step, at.fresh), (1, 1, 6, true));
        assert_eq!(at.from.as_deref(), Some("knowledge-epoch-1"));
        phases[1] = phase(Phase::Skills, 6, &[(1, 1.0), (2, 0.9)]);
        assert_eq!(
            resume_at(&phases, Some(&checkpoint("skills-epoch-2", 12))),
            Ok(None)
        );
    }

    #[test]
    fn a_stop_checkpoint_goes_on_with_the_rest_of_its_epoch() {
        let phases = vec![
            phase(Phase::Knowledge, 0, &[(1, 2.0), (2, 1.0)]),
            phase(Phase::Skills, 6, &[(1, 1.0)]),
        ];
        let at = resume_at(&phases, Some(&checkpoint("skills-step-11", 11)))
            .unwrap()
            .unwrap();
        assert_eq!((at.phase, at.epoch, at.offset, at.step), (1, 2, 2, 11));
        let end = resume_at(&phases, Some(&checkpoint("skills-step-12", 12)))
            .unwrap()
            .unwrap();
        assert_eq!((end.epoch, end.offset), (2, 3), "measured and saved next");
        assert!(resume_at(&phases, Some(&checkpoint("step-40", 40))).is_err());
    }
}
