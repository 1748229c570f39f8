//! The taxonomy domain: leaves, their parsing, validation and diagnostics.

pub mod diagnostic;
pub mod lint;
pub mod schema;
pub mod yaml;
