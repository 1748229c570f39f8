//! Tuning runs: run specs and the requests front ends build them from, the run's
//! process and what its engines get from it, the built-in trainer (llama.cpp's
//! opt API through raw FFI, in that process) with its records, checkpoint metadata, masked token
//! windows and LAB's phases, resuming a run, the run registry on disk, metrics
//! and their upstream formats, the adapter for external training commands, and
//! datasets generated when a run starts.

pub mod dataset;
pub mod engine;
pub mod external;
pub mod generated;
pub mod gguf_f32;
pub mod gguf_metadata;
pub mod gguf_q8_0;
pub mod metrics;
mod os;
pub mod phases;
pub mod registry;
pub mod request;
pub mod resume;
pub mod run_data;
pub mod run_process;
pub mod schedule;
pub mod spec;
mod tokens;
mod trainer;
pub mod windows;
