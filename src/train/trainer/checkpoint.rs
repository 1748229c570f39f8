//! Checkpoints: the F32 weights and their Q8_0 copy for the generation engine,
//! recorded in the run's status. Only the newest F32 file is kept, and, while the
//! next phase has not saved one, the best epoch of phase 1 (phase 2 starts from
//! it, also when the run is resumed).

use std::path::PathBuf;

use super::llama::Trainer;
use crate::train::engine::{Job, JobError};
use crate::train::gguf_q8_0::write_q8_0;
use crate::train::phases::Phase;
use crate::train::registry::Checkpoint;

/// A checkpoint's label: `epoch-N` or `step-N` for a single pass, prefixed with
/// the phase's name in a run of phases.
pub(super) fn label(phase: Phase, kind: &str, n: u64) -> String {
    match phase {
        Phase::Single => format!("{kind}-{n}"),
        Phase::Knowledge | Phase::Skills => format!("{}-{kind}-{n}", phase.name()),
    }
}

/// Saves the trainer's weights as checkpoint `label` after `step`, and removes
/// the F32 files of older checkpoints except `keep`'s.
pub(super) fn save(
    trainer: &Trainer,
    job: &Job,
    label: String,
    step: u64,
    keep: Option<&str>,
) -> Result<(), JobError> {
    let dir = job.run().checkpoints_dir();
    let f32 = dir.join(format!("{label}.F32.gguf"));
    let q8 = dir.join(format!("{label}.Q8_0.gguf"));
    trainer.save(&f32)?;
    write_q8_0(&f32, &q8)?;
    eprintln!("taxon: saved {} and {}", f32.display(), q8.display());
    job.update_status(|s| {
        for old in &mut s.checkpoints {
            if Some(old.label.as_str()) != keep
                && let Some(path) = old.f32.take()
            {
                let _ = std::fs::remove_file(path);
            }
        }
        s.checkpoints.push(Checkpoint {
            label,
            step,
            f32: Some(f32),
            q8_0: q8,
        });
    })
}

/// The F32 file of checkpoint `label`, which must still be there.
pub(super) fn f32_of(job: &Job, label: &str) -> Result<PathBuf, JobError> {
    let status = job.run().status()?;
    status
        .checkpoints
        .iter()
        .find(|c| c.label == label)
        .and_then(|c| c.f32.clone())
        .filter(|path| path.is_file())
        .ok_or_else(|| {
            JobError::Spec(format!(
                "checkpoint {label} has no F32 file left to train on from"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_phase_in_a_run_of_phases() {
        assert_eq!(label(Phase::Single, "epoch", 2), "epoch-2");
        assert_eq!(label(Phase::Knowledge, "epoch", 1), "knowledge-epoch-1");
        assert_eq!(label(Phase::Skills, "step", 17), "skills-step-17");
    }
}
