//! YAML documents as upstream reads them: PyYAML's `safe_load` semantics (YAML 1.1
//! scalar resolution, last duplicate key wins) on a tree that keeps every node's position.

mod build;
mod node;
mod repr;
mod resolve;

pub(crate) use build::{Builder, check_printable};
pub use build::{LoadError, LoadErrorKind, load};
pub use node::{Document, Entry, Node, NodeId, Position, Span, Value};
pub use repr::python_repr;
