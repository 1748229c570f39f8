//! The learning-rate schedule: linear warm-up, then cosine or linear decay to a
//! floor. Pure; the worker asks it for the rate of every optimizer step.

use serde::{Deserialize, Serialize};

/// How the rate falls after warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Decay {
    /// Half a cosine wave from the peak to the floor.
    #[default]
    Cosine,
    /// A straight line from the peak to the floor.
    Linear,
    /// No decay.
    Constant,
}

/// A schedule over a known number of steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// The peak rate, reached at the end of warm-up.
    pub peak: f32,
    /// The rate the decay ends at.
    pub floor: f32,
    /// Steps of linear warm-up.
    pub warmup: u64,
    /// All steps of the run.
    pub total: u64,
    /// The decay shape.
    pub decay: Decay,
}

impl Schedule {
    /// The rate of step `step` (counted from 0).
    pub fn rate(&self, step: u64) -> f32 {
        if step < self.warmup {
            return self.peak * (step + 1) as f32 / (self.warmup + 1) as f32;
        }
        let span = self.total.saturating_sub(self.warmup).max(1);
        let progress = ((step - self.warmup) as f64 / span as f64).min(1.0);
        let shape = match self.decay {
            Decay::Cosine => 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()),
            Decay::Linear => 1.0 - progress,
            Decay::Constant => 1.0,
        };
        self.floor + (self.peak - self.floor) * shape as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(decay: Decay) -> Schedule {
        Schedule {
            peak: 1.0,
            floor: 0.1,
            warmup: 4,
            total: 14,
            decay,
        }
    }

    #[test]
    fn warm_up_rises_linearly_to_the_peak() {
        let s = schedule(Decay::Cosine);
        let rates: Vec<f32> = (0..5).map(|i| s.rate(i)).collect();
        assert_eq!(rates, [0.2, 0.4, 0.6, 0.8, 1.0]);
    }

    #[test]
    fn cosine_and_linear_fall_towards_the_floor() {
        let cosine = schedule(Decay::Cosine);
        let linear = schedule(Decay::Linear);
        assert!((cosine.rate(9) - 0.55).abs() < 1e-6, "{}", cosine.rate(9));
        assert!((linear.rate(9) - 0.55).abs() < 1e-6);
        assert!(cosine.rate(6) > linear.rate(6), "cosine stays high longer");
        assert!(cosine.rate(13) > 0.1 && cosine.rate(13) < 0.2);
        assert!(
            (linear.rate(100) - 0.1).abs() < 1e-6,
            "clamped at the floor"
        );
        for step in 4..13 {
            assert!(cosine.rate(step + 1) <= cosine.rate(step));
        }
        assert_eq!(schedule(Decay::Constant).rate(12), 1.0);
    }
}
