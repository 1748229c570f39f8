//! The schemas themselves, transcribed from instructlab-schema 0.4.2
//! (`src/instructlab/schema/v{1,2,3}/{compositional_skills,knowledge}.json`).

/// Which schema a file is checked against (upstream picks it from the first folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaName {
    /// `compositional_skills.json`.
    CompositionalSkills,
    /// `knowledge.json`.
    Knowledge,
}

impl SchemaName {
    /// The schema's file name upstream.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::CompositionalSkills => "compositional_skills.json",
            Self::Knowledge => "knowledge.json",
        }
    }
}

/// A JSON-schema subset: just the keywords the taxonomy schemas use.
#[derive(Debug)]
pub(super) enum Schema {
    /// `type: object` with `required`, `properties` and (if `closed`)
    /// `unevaluatedProperties: false`.
    Object {
        required: &'static [&'static str],
        properties: &'static [(&'static str, Schema)],
        closed: bool,
    },
    /// `type: array` with `minItems`, `uniqueItems` and `items`.
    Array {
        min_items: usize,
        unique: bool,
        items: &'static Schema,
    },
    /// `type: string` with `minLength`.
    Str { min_length: usize },
}

/// One complete document schema for one version.
#[derive(Debug)]
pub(super) struct DocumentSchema {
    /// The schema version (`version.json`'s `const`).
    pub version: i128,
    /// Whether `version.json` makes `version` required (v2 and up).
    pub version_required: bool,
    /// The document's own keywords.
    pub body: Schema,
}

const TEXT: Schema = Schema::Str { min_length: 1 };
const ANY_TEXT: Schema = Schema::Str { min_length: 0 };

const SKILL_EXAMPLE: Schema = Schema::Object {
    required: &["question", "answer"],
    properties: &[("context", TEXT), ("question", TEXT), ("answer", TEXT)],
    closed: true,
};

const PATTERNS: Schema = Schema::Array {
    min_items: 1,
    unique: true,
    items: &TEXT,
};

const DOCUMENT: Schema = Schema::Object {
    required: &["repo", "commit", "patterns"],
    properties: &[("repo", TEXT), ("commit", TEXT), ("patterns", PATTERNS)],
    closed: true,
};

const QUESTION_AND_ANSWER: Schema = Schema::Object {
    required: &["question", "answer"],
    properties: &[("question", TEXT), ("answer", TEXT)],
    closed: false,
};

const KNOWLEDGE_EXAMPLE: Schema = Schema::Object {
    required: &["context", "questions_and_answers"],
    properties: &[
        ("context", TEXT),
        (
            "questions_and_answers",
            Schema::Array {
                min_items: 3,
                unique: true,
                items: &QUESTION_AND_ANSWER,
            },
        ),
    ],
    closed: true,
};

const V1_SKILL_PROPERTIES: &[(&str, Schema)] = &[
    ("created_by", TEXT),
    ("task_description", ANY_TEXT),
    (
        "seed_examples",
        Schema::Array {
            min_items: 1,
            unique: false,
            items: &SKILL_EXAMPLE,
        },
    ),
];

const SKILL_PROPERTIES: &[(&str, Schema)] = &[
    ("created_by", TEXT),
    ("task_description", TEXT),
    (
        "seed_examples",
        Schema::Array {
            min_items: 5,
            unique: true,
            items: &SKILL_EXAMPLE,
        },
    ),
];

const fn skills(version: i128, properties: &'static [(&'static str, Schema)]) -> DocumentSchema {
    DocumentSchema {
        version,
        version_required: version > 1,
        body: Schema::Object {
            required: &["created_by", "task_description", "seed_examples"],
            properties,
            closed: true,
        },
    }
}

static V1_SKILLS: DocumentSchema = skills(1, V1_SKILL_PROPERTIES);
static V2_SKILLS: DocumentSchema = skills(2, SKILL_PROPERTIES);
static V3_SKILLS: DocumentSchema = skills(3, SKILL_PROPERTIES);
static V3_KNOWLEDGE: DocumentSchema = DocumentSchema {
    version: 3,
    version_required: true,
    body: Schema::Object {
        required: &[
            "created_by",
            "domain",
            "seed_examples",
            "document",
            "document_outline",
        ],
        properties: &[
            ("created_by", TEXT),
            ("domain", TEXT),
            (
                "seed_examples",
                Schema::Array {
                    min_items: 5,
                    unique: true,
                    items: &KNOWLEDGE_EXAMPLE,
                },
            ),
            ("document", DOCUMENT),
            ("document_outline", TEXT),
        ],
        closed: true,
    },
};

/// What upstream ships for one schema name and version.
#[derive(Debug)]
pub(super) enum Shipped {
    /// A schema to validate against.
    Current(&'static DocumentSchema),
    /// A deprecated schema: upstream reports its description as an error instead.
    Deprecated(&'static str),
}

/// The schema for `name` at `version`, if upstream ships one.
pub(super) fn lookup(name: SchemaName, version: i128) -> Option<Shipped> {
    Some(match (name, version) {
        (SchemaName::CompositionalSkills, 1) => Shipped::Current(&V1_SKILLS),
        (SchemaName::CompositionalSkills, 2) => Shipped::Current(&V2_SKILLS),
        (SchemaName::CompositionalSkills, 3) => Shipped::Current(&V3_SKILLS),
        (SchemaName::Knowledge, 1) => Shipped::Deprecated(
            "Version 1 is not supported for knowledge. Minimum supported version is 3.",
        ),
        (SchemaName::Knowledge, 2) => Shipped::Deprecated(
            "Version 2 is not supported for knowledge. Minimum supported version is 3.",
        ),
        (SchemaName::Knowledge, 3) => Shipped::Current(&V3_KNOWLEDGE),
        _ => return None,
    })
}

/// The highest schema version upstream ships (used when none is given).
pub const LATEST_VERSION: i128 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_both_schemas() {
        for version in 1..=LATEST_VERSION {
            for name in [SchemaName::CompositionalSkills, SchemaName::Knowledge] {
                match lookup(name, version) {
                    Some(Shipped::Current(schema)) => assert_eq!(schema.version, version),
                    Some(Shipped::Deprecated(message)) => {
                        assert!(message.contains(&format!("Version {version} ")))
                    }
                    None => panic!("missing {name:?} v{version}"),
                }
            }
        }
        assert!(lookup(SchemaName::Knowledge, 4).is_none());
        assert!(lookup(SchemaName::Knowledge, 0).is_none());
    }
}
