//! Synthetic data generation: the default model, the llama.cpp engine on its own
//! thread (several sequences decoded together), an OpenAI-compatible remote server
//! as an alternative, pipelines as data (stages, prompt templates, judges),
//! output and verdict parsing (pure), knowledge documents and their passages, the
//! per-leaf runner and the dataset files.

pub mod chunk;
pub mod dataset;
pub mod documents;
pub mod engine;
pub mod fetch;
pub mod judge;
pub mod leaf_input;
mod llama;
pub mod llama_log;
pub mod openai;
pub mod parse;
pub mod pipeline;
pub mod remote;
pub mod runner;
mod sequences;
pub mod stream;

pub use engine::{
    Batch, Completion, Engine, EngineConfig, EngineError, Event, Finish, ModelInfo, Priority,
    Prompt, Request, RequestId, Sampling, Stats, complete, complete_observed,
};
