//! taxon: curate a LAB (InstructLab-style) taxonomy of `qna.yaml` leaves.
//!
//! The library holds the domain and the engines; the `taxon` binary is a thin
//! command-line front end over it.

pub mod atomic_file;
pub mod buffer;
pub mod cli;
pub mod default_taxonomy;
pub mod dirs;
pub mod drafts;
pub mod eval;
pub mod find;
pub mod generate;
pub mod git;
pub mod logging;
pub mod review;
pub mod sample;
pub mod taxonomy;
pub mod train;
pub mod tui;
