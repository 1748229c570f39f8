//! The qna.yaml JSON schemas of instructlab-schema 0.4.x (v1, v2, v3), as data, and
//! their evaluation with the outcome and messages of Python's `jsonschema`.

mod check;
mod definitions;

pub use check::validate;
pub use definitions::{LATEST_VERSION, SchemaName};
