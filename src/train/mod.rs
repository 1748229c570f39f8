//! Tuning runs: run specs (and the requests front ends build them from), the training worker (llama.cpp's opt API through raw
//! FFI, in a child process), the run registry on disk, metrics and their upstream
//! formats, the adapter for external training commands, and datasets generated
//! when a run starts.

pub mod dataset;
pub mod external;
pub mod generated;
pub mod job;
pub mod metrics;
mod os;
pub mod registry;
pub mod request;
pub mod schedule;
pub mod spec;
mod worker;
