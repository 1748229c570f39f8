//! Hostile leaf files of issue 14: shapes that made validation quadratic, at any size.

/// A hostile shape.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// A one-line flow sequence of `n` items.
    FlowSequence,
    /// A one-line flow mapping of `n` keys.
    FlowMapping,
    /// `n` keys of a block mapping.
    BlockKeys,
    /// `n` aliases in a flow sequence.
    Aliases,
}

impl Shape {
    /// Every shape.
    pub const ALL: [Shape; 4] = [
        Shape::FlowSequence,
        Shape::FlowMapping,
        Shape::BlockKeys,
        Shape::Aliases,
    ];

    /// What the shape is, for a report.
    pub fn name(self) -> &'static str {
        match self {
            Shape::FlowSequence => "one-line flow sequence (items)",
            Shape::FlowMapping => "one-line flow mapping (keys)",
            Shape::BlockKeys => "block mapping (keys)",
            Shape::Aliases => "aliases in a flow sequence",
        }
    }

    /// The size issue 14 timed (each must validate in under half a second).
    pub fn issue_size(self) -> usize {
        match self {
            Shape::FlowSequence => 80_000,
            Shape::FlowMapping => 50_000,
            Shape::BlockKeys => 100_000,
            Shape::Aliases => 80_000,
        }
    }

    /// A leaf of this shape with `n` items, keys or aliases.
    pub fn leaf(self, n: usize) -> String {
        let head = "version: 3\ncreated_by: someone\ntask_description: a hostile leaf\n";
        let mut text = String::with_capacity(n * 12 + 100);
        match self {
            Shape::FlowSequence => {
                text.push_str(head);
                text.push_str("seed_examples: [");
                for _ in 0..n {
                    text.push_str("x,");
                }
                text.push_str("]\n");
            }
            Shape::FlowMapping => {
                text.push_str("{version: 3, created_by: someone, task_description: t");
                for i in 0..n {
                    text.push_str(&format!(", k{i}: v{i}"));
                }
                text.push_str("}\n");
            }
            Shape::BlockKeys => {
                text.push_str(head);
                for i in 0..n {
                    text.push_str(&format!("k{i:06}: v\n"));
                }
            }
            Shape::Aliases => {
                text.push_str(head);
                text.push_str("anchor: &a value\nseed_examples: [");
                for _ in 0..n {
                    text.push_str("*a, ");
                }
                text.push_str("]\n");
            }
        }
        text
    }
}
