//! The built-in trainer: full fine-tuning with llama.cpp's optimizer, LAB-style.
//! The run's records are split once into trained and held-out ones (kept in the
//! run folder), rendered with the model's chat template and masked so that the
//! loss covers only what the model should learn, then trained phase by phase
//! (knowledge, then skills with phase 1 replayed, from phase 1's best epoch; or
//! one pass), each epoch measured on the held-out records and saved. A resumed
//! run goes on after its newest checkpoint. llama.cpp aborts the process on
//! internal errors, which is why this runs in the run's own process.

mod checkpoint;
mod convert;
mod llama;
mod position;

use llama_cpp_2::llama_backend::LlamaBackend;

use self::checkpoint::{f32_of, label};
use self::llama::{Evaluation, StepLoss, Trainer};
use self::position::{Position, resume_at};
use super::dataset::{Conversation, read_messages, seed_conversations};
use super::engine::{Job, JobError, Outcome};
use super::generated;
use super::metrics::MetricRecord;
use super::phases::{EpochDone, Phase, PhasePlan, PhaseStatus, plan};
use super::run_data::{self, RunData};
use super::schedule::Schedule;
use super::spec::{DatasetSource, LocalSpec};
use super::tokens::{ModelTokenizer, masked};
use super::windows::{MaskedTokens, Window, cut};

use self::convert::f32_model;

/// A phase ready to train: its plan and its windows.
struct PreparedPhase {
    plan: PhasePlan,
    train: Vec<Window>,
    eval: Vec<Window>,
}

/// The run's records: read back from its folder, or made now (and kept there);
/// `None` when a stop came while they were generated.
fn run_data(
    source: &DatasetSource,
    spec: &LocalSpec,
    job: &mut Job,
) -> Result<Option<RunData>, JobError> {
    if let Some(data) = run_data::read(&job.run().dir)? {
        return Ok(Some(data));
    }
    let records: Vec<Conversation> = match source {
        DatasetSource::Messages { path } => read_messages(path)?,
        DatasetSource::Seeds { taxonomy } => seed_conversations(taxonomy)?,
        DatasetSource::Changed(changed) => match generated::generate(changed, spec.threads, job)? {
            Some(records) => records,
            None => return Ok(None),
        },
    };
    let data = run_data::split(records, spec.eval_fraction);
    run_data::write(&job.run().dir, &data)?;
    Ok(Some(data))
}

/// Each phase's windows, from the records' masked token streams.
fn prepare(
    spec: &LocalSpec,
    data: &RunData,
    plans: Vec<PhasePlan>,
) -> Result<Vec<PreparedPhase>, JobError> {
    llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
    let backend = LlamaBackend::init().map_err(|e| JobError::Llama(e.to_string()))?;
    let tokenizer = ModelTokenizer::load(&backend, &spec.model)?;
    let streams = |records: &[Conversation]| {
        records
            .iter()
            .map(|r| masked(&tokenizer, r))
            .collect::<Result<Vec<_>, _>>()
    };
    let (train, heldout) = (streams(&data.train)?, streams(&data.heldout)?);
    let context = spec.context as usize;
    let joined = |streams: &[MaskedTokens], picks: &[usize]| {
        let mut all = MaskedTokens::default();
        for &i in picks {
            all.append(&streams[i]);
        }
        cut(&all, context, tokenizer.pad())
    };
    let mut phases = Vec::new();
    for plan in plans {
        let phase = PreparedPhase {
            train: joined(&train, &plan.train),
            eval: joined(&heldout, &plan.eval),
            plan,
        };
        let all = train.iter().map(MaskedTokens::len).sum::<usize>();
        let trained = train.iter().map(MaskedTokens::trained_count).sum::<usize>();
        eprintln!(
            "taxon: phase {}: {} records ({} replayed), {} training and {} held-out windows of \
             {context} tokens; {trained} of the run's {all} training tokens are trained on",
            phase.plan.phase.name(),
            phase.plan.train.len(),
            phase.plan.replayed,
            phase.train.len(),
            phase.eval.len()
        );
        if phase.train.is_empty() {
            return Err(JobError::Spec(format!(
                "phase {} has no tokens to train on",
                phase.plan.phase.name()
            )));
        }
        phases.push(phase);
    }
    Ok(phases)
}

/// The phases as the status shows them (those of an earlier start, when they
/// describe the same windows).
fn phase_statuses(job: &Job, phases: &[PreparedPhase]) -> Result<Vec<PhaseStatus>, JobError> {
    let mut first_step = 0;
    let fresh: Vec<PhaseStatus> = phases
        .iter()
        .map(|p| {
            let status = PhaseStatus {
                phase: p.plan.phase,
                epochs: p.plan.settings.epochs,
                learning_rate: p.plan.settings.learning_rate,
                records: p.plan.train.len(),
                replayed: p.plan.replayed,
                heldout: p.plan.eval.len(),
                windows: p.train.len() as u64,
                first_step,
                started_from: None,
                epochs_done: Vec::new(),
            };
            first_step += status.steps();
            status
        })
        .collect();
    let earlier = job.run().status()?.phases;
    let same = |a: &PhaseStatus, b: &PhaseStatus| {
        (a.phase, a.epochs, a.windows, a.first_step) == (b.phase, b.epochs, b.windows, b.first_step)
    };
    if earlier.is_empty() {
        return Ok(fresh);
    }
    if earlier.len() == fresh.len() && earlier.iter().zip(&fresh).all(|(a, b)| same(a, b)) {
        return Ok(earlier);
    }
    Err(JobError::Spec(
        "the run's phases no longer match its data; it cannot be resumed".to_owned(),
    ))
}

/// What `Session::evaluate` came to.
enum Evaluated {
    /// The held-out loss (`None`: nothing is held out).
    Measured(Option<f64>),
    /// A stop was asked for before the last held-out window.
    Stopped,
}

/// Everything one training session shares.
struct Session<'a> {
    spec: &'a LocalSpec,
    job: &'a mut Job,
    phases: Vec<PhaseStatus>,
    step: u64,
    trained_seconds: f64,
    trained_steps: u64,
}

impl Session<'_> {
    fn context(&self) -> usize {
        self.spec.context as usize
    }

    fn schedule(&self, index: usize) -> Schedule {
        let phase = &self.phases[index];
        let rate = phase.learning_rate;
        Schedule {
            peak: rate,
            floor: rate * self.spec.final_lr_fraction,
            warmup: self.spec.warmup_steps.unwrap_or(phase.steps() / 10),
            total: phase.steps(),
            decay: self.spec.decay,
        }
    }

    fn save_phases(&self) -> Result<(), JobError> {
        let phases = self.phases.clone();
        self.job.update_status(|s| s.phases = phases)
    }

    /// The F32 checkpoint kept besides the newest: phase 1's best while phase 2
    /// has not begun.
    fn keep(&self, index: usize) -> Option<String> {
        let phase = &self.phases[index];
        (phase.phase == Phase::Knowledge)
            .then(|| phase.best().map(|e| e.checkpoint.clone()))
            .flatten()
    }

    fn save(&self, trainer: &Trainer, index: usize, name: String) -> Result<(), JobError> {
        let keep = self.keep(index);
        checkpoint::save(trainer, self.job, name, self.step, keep.as_deref())
    }

    /// Measures the held-out loss and records it; a stop asked for meanwhile ends
    /// it between windows.
    fn evaluate(
        &mut self,
        trainer: &mut Trainer,
        phase: &PreparedPhase,
        epoch: u32,
    ) -> Result<Evaluated, JobError> {
        if !phase.eval.is_empty() {
            eprintln!("taxon: evaluating {} held-out windows", phase.eval.len());
        }
        let job = &mut *self.job;
        let eval = match trainer.evaluate(&phase.eval, &mut || !job.stop_requested())? {
            Evaluation::NoWindows => return Ok(Evaluated::Measured(None)),
            Evaluation::Stopped => return Ok(Evaluated::Stopped),
            Evaluation::Loss(eval) => eval,
        };
        self.job.record(&MetricRecord {
            step: self.step,
            epoch,
            phase: Some(phase.plan.phase),
            eval_loss: Some(eval.loss),
            loss_tokens: Some(eval.loss_tokens as u64),
            elapsed_seconds: self.job.elapsed_seconds(),
            ..MetricRecord::default()
        })?;
        Ok(Evaluated::Measured(Some(eval.loss)))
    }

    /// Trains `windows` of epoch `epoch`; `false` when a stop cut it short.
    fn train_pass(
        &mut self,
        trainer: &mut Trainer,
        index: usize,
        windows: &[Window],
        epoch: u32,
    ) -> Result<bool, JobError> {
        let schedule = self.schedule(index);
        let phase = self.phases[index].phase;
        let first_step = self.phases[index].first_step;
        let context = self.context();
        let mut failure = None;
        let mut step = self.step;
        let mut seconds = 0.0;
        let job = &mut *self.job;
        let trained = trainer.train(windows, step - first_step, &mut |done: StepLoss| {
            step += 1;
            seconds += done.seconds;
            let record = MetricRecord {
                step,
                epoch,
                phase: Some(phase),
                train_loss: Some(done.loss),
                loss_tokens: Some(done.loss_tokens as u64),
                lr: Some(f64::from(schedule.rate(step - 1 - first_step))),
                tokens_per_second: Some(context as f64 / done.seconds.max(1e-9)),
                elapsed_seconds: job.elapsed_seconds(),
                ..MetricRecord::default()
            };
            if let Err(error) = job.record(&record) {
                failure = Some(error);
                return false;
            }
            !job.stop_requested()
        })?;
        if let Some(error) = failure {
            return Err(error);
        }
        self.step = step;
        self.trained_seconds += seconds;
        self.trained_steps += trained as u64;
        let rate = (self.trained_steps * context as u64) as f64 / self.trained_seconds.max(1e-9);
        self.job
            .update_status(|s| s.tokens_per_second = Some(rate))?;
        Ok(trained == windows.len() && !self.job.stop_requested())
    }

    /// Trains phase `index` from `at`; `false` when a stop ended the run.
    fn run_phase(
        &mut self,
        phase: &PreparedPhase,
        index: usize,
        at: &Position,
    ) -> Result<bool, JobError> {
        let model = match &at.from {
            Some(name) => f32_of(self.job, name)?,
            None => f32_model(&self.spec.model, &self.spec.cache, self.spec.threads)?,
        };
        let schedule = self.schedule(index);
        let epochs = self.phases[index].epochs;
        if at.fresh {
            self.phases[index].started_from = at.from.clone();
            self.save_phases()?;
        }
        self.job.update_status(|s| s.epochs = Some(epochs))?;
        let mut trainer = Trainer::new(
            &model,
            self.spec.context,
            self.spec.threads,
            schedule,
            self.spec.weight_decay,
        )?;
        // A stop here leaves nothing new to keep: the phase starts again on resume.
        if at.fresh && matches!(self.evaluate(&mut trainer, phase, 0)?, Evaluated::Stopped) {
            return Ok(false);
        }
        let mut offset = at.offset;
        for epoch in at.epoch..=epochs {
            let before = self.step;
            let trained = !self.job.stop_requested()
                && self.train_pass(&mut trainer, index, &phase.train[offset..], epoch)?;
            offset = 0;
            let measured = match trained {
                true => self.evaluate(&mut trainer, phase, epoch)?,
                false => Evaluated::Stopped,
            };
            let Evaluated::Measured(eval_loss) = measured else {
                // A stop, in the pass or in the evaluation after it: what this session
                // trained is kept, and a resume goes on from there (a stop at the
                // epoch's end measures the epoch again).
                if self.step > before {
                    let name = label(phase.plan.phase, "step", self.step);
                    self.save(&trainer, index, name)?;
                }
                return Ok(false);
            };
            let name = label(phase.plan.phase, "epoch", u64::from(epoch));
            self.phases[index].epochs_done.push(EpochDone {
                epoch,
                step: self.step,
                eval_loss,
                checkpoint: name.clone(),
            });
            self.save(&trainer, index, name)?;
            self.save_phases()?;
        }
        Ok(true)
    }
}

/// Trains `spec` on `source`, writing metrics and checkpoints into `job`'s run;
/// a run with checkpoints goes on after its newest.
pub(super) fn train(
    spec: &LocalSpec,
    source: &DatasetSource,
    job: &mut Job,
) -> Result<Outcome, JobError> {
    if let Some(problem) = spec.problem() {
        return Err(JobError::Spec(problem));
    }
    let Some(data) = run_data(source, spec, job)? else {
        return Ok(Outcome::Stopped);
    };
    let plans = plan(&data.train, &data.heldout, &spec.phase_request())
        .map_err(|e| JobError::Spec(e.to_string()))?;
    eprintln!(
        "taxon: {} records, {} held out",
        data.train.len(),
        data.heldout.len()
    );
    let phases = prepare(spec, &data, plans)?;
    let statuses = phase_statuses(job, &phases)?;
    let total: u64 = statuses.iter().map(PhaseStatus::steps).sum();
    let newest = job.run().status()?.checkpoints.last().cloned();
    let Some(mut at) = resume_at(&statuses, newest.as_ref()).map_err(JobError::Spec)? else {
        return Ok(Outcome::Finished);
    };
    job.update_status(|s| {
        s.total_steps = Some(total);
        s.phases = statuses.clone();
    })?;
    let mut session = Session {
        spec,
        job,
        phases: statuses,
        step: at.step,
        trained_seconds: 0.0,
        trained_steps: 0,
    };
    loop {
        let index = at.phase;
        if !session.run_phase(&phases[index], index, &at)? {
            return Ok(Outcome::Stopped);
        }
        match Position::after_phase(&session.phases, index, session.step) {
            Some(next) => at = next,
            None => return Ok(Outcome::Finished),
        }
    }
}
