//! The taxonomy domain: leaves, their parsing, validation and diagnostics.

mod byte_blocks;
pub mod diagnostic;
pub mod edit;
mod fastpath;
pub mod fix;
pub mod leaf;
pub mod lint;
pub mod model;
pub mod qna;
pub mod schema;
pub mod soft_limits;
pub mod template;
pub mod tree;
pub mod validate;
mod whitespace;
pub mod yaml;
