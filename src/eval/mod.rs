//! Did a tuning run help? `taxon eval`'s engine: questions the run never trained
//! on (the records it held out, a leaf's seed questions only when there are none),
//! greedy answers from the base model and the tuned checkpoint, each scored with
//! ROUGE-L against the reference and compared by a blind judge; per leaf and
//! overall, written to the run folder. No terminal: front ends show it.

pub mod judge;
pub mod questions;
pub mod report;
pub mod runner;

pub use questions::{LeafChoice, QuestionSource};
pub use report::{EVAL_FILE, EvalReport, LeafResult, Totals};
pub use runner::{EvalError, EvalProgress, EvalRequest, JudgeChoice, evaluate};
