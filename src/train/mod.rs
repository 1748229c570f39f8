//! Tuning runs: run specs, the training worker (llama.cpp's opt API through raw
//! FFI, in a child process), the run registry on disk, metrics and their upstream
//! formats, and the adapter for external training commands.

pub mod dataset;
pub mod external;
pub mod job;
pub mod metrics;
mod os;
pub mod registry;
pub mod schedule;
pub mod spec;
mod worker;
