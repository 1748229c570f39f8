//! taxon: curate a LAB (InstructLab-style) taxonomy of `qna.yaml` leaves.
//!
//! The library holds the domain and the engines (taxonomy, git, review, generate,
//! train, eval) and the two front ends over them: [`cli`] (the subcommands) and
//! [`tui`] (the terminal interface). The engines depend on neither front end; the
//! `taxon` binary only parses its arguments and calls [`cli`].

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
pub mod text_position;
pub mod train;
pub mod tui;
