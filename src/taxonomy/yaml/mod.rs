//! YAML documents as upstream reads them: a port of PyYAML's reader, scanner and
//! parser, with `safe_load`'s composition and construction (YAML 1.1 scalar
//! resolution, last duplicate key wins), on a tree that keeps every node's position.

mod build;
mod keys;
mod node;
pub(crate) mod parser;
mod positions;
pub(crate) mod reader;
mod repr;
mod resolve;
pub(crate) mod scanner;
pub(crate) mod token;

pub(crate) use build::{Builder, position, span};
pub use build::{LoadError, LoadErrorKind, load};
pub use node::{Document, Entry, Node, NodeId, Position, Span, Value};
pub(crate) use positions::Positions;
pub use repr::python_repr;
pub use token::ScalarStyle;
