//! The topics upstream's skills and knowledge guides ask contributors to avoid, spotted
//! by keyword lists. A heuristic: a hit asks the reviewer to look, it proves nothing, and
//! a text can avoid every keyword and still be off-topic. Personal data has its own,
//! pattern-based check (`personal_data`).

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::personal_data::{Place, Scanned};

/// A topic to avoid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Violence and weapons.
    Violence,
    /// Advocating a religion.
    ReligionAdvocacy,
    /// Medical advice.
    MedicalAdvice,
    /// Financial advice.
    FinancialAdvice,
    /// Legal advice.
    LegalAdvice,
    /// Profanity.
    Profanity,
    /// Political lobbying.
    PoliticalLobbying,
    /// Program code.
    Code,
    /// Jokes.
    Jokes,
    /// Poems.
    Poems,
}

/// Each topic's keywords: case-insensitive regex fragments matched as whole words.
const KEYWORDS: [(Topic, &[&str]); 10] = [
    (
        Topic::Violence,
        &[
            r"kill(s|ed|ing)?",
            r"murder\w*",
            r"assault\w*",
            r"stab(s|bed|bing)?",
            r"shoot(s|ing)?",
            r"bomb(s|ing)?",
            r"weapons?",
            r"guns?",
            r"massacre\w*",
            r"terroris[mt]s?",
            r"torture\w*",
        ],
    ),
    (
        Topic::ReligionAdvocacy,
        &[
            r"convert(ing)? to (christianity|islam|judaism|hinduism|buddhism|catholicism|the (true )?faith)",
            r"accept (jesus|christ|allah)",
            r"the one true (god|faith|religion)",
            r"salvation",
            r"infidels?",
            r"heathens?",
            r"sinners?",
            r"pray to",
            r"god wants you",
        ],
    ),
    (
        Topic::MedicalAdvice,
        &[
            r"diagnos(e|is|ed)",
            r"dosage",
            r"prescri(be|ption)\w*",
            r"medication\w*",
            r"symptoms?",
            r"\d+ ?mg",
            r"medical advice",
            r"you should take",
        ],
    ),
    (
        Topic::FinancialAdvice,
        &[
            r"invest(ing)? in",
            r"financial advice",
            r"stock tips?",
            r"buy (shares|stocks?)",
            r"guaranteed returns?",
            r"crypto(currency|currencies)?",
            r"portfolio",
        ],
    ),
    (
        Topic::LegalAdvice,
        &[
            r"legal advice",
            r"lawsuits?",
            r"sue (them|him|her|your)",
            r"attorneys?",
            r"plead (guilty|not guilty)",
            r"your legal rights",
        ],
    ),
    (
        Topic::Profanity,
        &[
            r"fuck\w*",
            r"shit\w*",
            r"bitch\w*",
            r"bastards?",
            r"asshole\w*",
            r"damn(ed)?",
            r"crap",
        ],
    ),
    (
        Topic::PoliticalLobbying,
        &[
            r"vote (for|against)",
            r"re-?elect",
            r"lobby\w*",
            r"petition\w*",
            r"call your (senator|representative|congressman|mp)",
            r"(democrats?|republicans?)",
            r"political part(y|ies)",
        ],
    ),
    (
        Topic::Code,
        &[
            r"```",
            r"def \w+\(",
            r"fn \w+\(",
            r"#include",
            r"console\.log",
            r"System\.out",
            r"public static",
            r"import \w+",
            r"select .+ from",
            r"function \w*\(",
        ],
    ),
    (
        Topic::Jokes,
        &[
            r"jokes?",
            r"punch ?line",
            r"knock,? knock",
            r"why did the chicken",
            r"puns?",
        ],
    ),
    (
        Topic::Poems,
        &[
            r"poems?",
            r"poetry",
            r"haikus?",
            r"limericks?",
            r"sonnets?",
            r"stanzas?",
            r"rhym(e|es|ing)",
        ],
    ),
];

impl Topic {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Violence => "violence",
            Self::ReligionAdvocacy => "religion advocacy",
            Self::MedicalAdvice => "medical advice",
            Self::FinancialAdvice => "financial advice",
            Self::LegalAdvice => "legal advice",
            Self::Profanity => "profanity",
            Self::PoliticalLobbying => "political lobbying",
            Self::Code => "code",
            Self::Jokes => "jokes",
            Self::Poems => "poems",
        }
    }
}

/// One topic's keywords as one case-insensitive regex, each bounded by `\b` where it
/// starts or ends in a word character (```` ``` ````, `#include` and `def f(` are not).
fn topic_regex(keywords: &[&str]) -> Option<Regex> {
    let bounded: Vec<String> = keywords
        .iter()
        .map(|k| {
            let start = if k.starts_with(|c: char| c.is_alphanumeric() || c == '\\') {
                r"\b"
            } else {
                ""
            };
            let end = if k.ends_with(r"\(") || k.ends_with('`') {
                ""
            } else {
                r"\b"
            };
            format!("{start}(?:{k}){end}")
        })
        .collect();
    Regex::new(&format!("(?i){}", bounded.join("|"))).ok()
}

static PATTERNS: LazyLock<Vec<(Topic, Option<Regex>)>> = LazyLock::new(|| {
    KEYWORDS
        .iter()
        .map(|(topic, keywords)| (*topic, topic_regex(keywords)))
        .collect()
});

/// A keyword of a topic to avoid, found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicHit {
    /// The topic.
    pub topic: Topic,
    /// Where.
    pub place: Place,
    /// The text that matched.
    pub matched: String,
}

/// The first keyword of each topic in each text.
pub fn find_topics(texts: &[Scanned<'_>]) -> Vec<TopicHit> {
    let mut hits = Vec::new();
    for scanned in texts {
        for (topic, pattern) in PATTERNS.iter() {
            if let Some(found) = pattern.as_ref().and_then(|p| p.find(scanned.text)) {
                hits.push(TopicHit {
                    topic: *topic,
                    place: scanned.place(),
                    matched: found.as_str().to_owned(),
                });
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(text: &str) -> Vec<(Topic, String)> {
        let texts = [Scanned {
            example: Some(0),
            field: "answer".into(),
            text,
        }];
        find_topics(&texts)
            .into_iter()
            .map(|hit| (hit.topic, hit.matched))
            .collect()
    }

    #[test]
    fn every_topic_compiles() {
        assert!(PATTERNS.iter().all(|(_, p)| p.is_some()));
    }

    #[test]
    fn spots_keywords_as_whole_words() {
        assert_eq!(
            topics("Write a haiku about tides."),
            [(Topic::Poems, "haiku".to_owned())]
        );
        assert_eq!(
            topics("Take 200 mg of it."),
            [(Topic::MedicalAdvice, "200 mg".to_owned())]
        );
        assert_eq!(
            topics("```rust\nlet x = 1;\n```"),
            [(Topic::Code, "```".to_owned())]
        );
        assert_eq!(
            topics("You must convert to Islam."),
            [(Topic::ReligionAdvocacy, "convert to Islam".to_owned())]
        );
        // Ordinary uses and words inside other words, nothing.
        assert_eq!(topics("Convert to British spelling: color."), []);
        assert_eq!(topics("The skilled shooter of photos"), []);
        assert_eq!(topics("A punctual, skillful answer."), []);
    }

    #[test]
    fn one_hit_per_topic_and_text() {
        let hits = topics("Vote for Ana, vote against Bo. Tell a joke.");
        assert_eq!(
            hits,
            [
                (Topic::PoliticalLobbying, "Vote for".to_owned()),
                (Topic::Jokes, "joke".to_owned())
            ]
        );
    }
}
