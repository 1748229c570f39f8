//! A grammar of leaf files for the generated differential test: skill and knowledge
//! leaves written in every scalar style (plain, single- and double-quoted, literal
//! and folded with every indicator) at every indentation relative to their parent,
//! with continuation lines at each column; block mappings and sequences (indented,
//! indentless, compact `- key:`), flow collections; comments, directives, document
//! markers, anchors, aliases and tags; then byte-order marks, tabs, CR, CRLF and
//! the Unicode line breaks (U+0085, U+2028, U+2029) put at random places.
//!
//! Each case has a budget of risky choices (0 to 4): the choices that break YAML or
//! a leaf somewhere (a continuation line at the parent's column, a bad escape, a
//! block scalar indented too little, a stray character) are taken only while the
//! budget lasts, so that about half the cases load and many are valid leaves, and
//! the rest break in one or two places rather than everywhere.
//!
//! Each case comes from a seed and its number alone, so a disagreement is found again
//! by both. Left out, as the README's "Deliberate differences" say: alias bombs,
//! recursive aliases (only scalars get anchors), deep nesting, huge files and invalid
//! UTF-8.

use fastrand::Rng;

/// One generated leaf.
pub struct GeneratedLeaf {
    /// The file's text.
    pub text: String,
    /// Whether it goes under `knowledge/` (else `compositional_skills/`).
    pub knowledge: bool,
    /// Whether a quoted scalar has a continuation line at or left of its key's
    /// column: YAML 1.2 refuses these, PyYAML reads them (issue 13's class).
    pub shallow_quoted: bool,
}

/// Case `number` of the stream seeded with `seed`.
pub fn leaf(seed: u64, number: u64) -> GeneratedLeaf {
    let mut rng = Rng::with_seed(seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let knowledge = rng.u8(..10) < 2;
    let budget = match rng.u8(..20) {
        0..=8 => 0,
        9..=15 => 1,
        16..=18 => 2,
        _ => 4,
    };
    let mut writer = Writer {
        rng: &mut rng,
        out: String::new(),
        anchors: 0,
        budget,
        shallow_quoted: false,
    };
    writer.document(knowledge);
    let edits = writer.budget;
    let shallow_quoted = writer.shallow_quoted;
    let text = writer.out;
    GeneratedLeaf {
        text: mutate(&mut rng, text, edits),
        knowledge,
        shallow_quoted,
    }
}

/// Words of plain text that any plain scalar may hold past its first word.
#[rustfmt::skip]
const SAFE_WORDS: &[&str] = &[
    "the", "tide", "moon", "pulls", "water", "yes", "no", "true", "null", "~", "12", "0o17",
    "0x1F", "1_000", "1.5", "1e3", ".inf", "2024-01-31", "3:30", "a:b", "a#b", "-x", "?q", ":x",
    "'", "\"", "\\", "{", "}", "[", "]", ",", "&x", "*x", "!x", "%", "@", "`", "|", ">", "é",
    "中文", "😀", "\u{a0}", "\u{feff}", "---", "...", "<<", "=", "x:", "a #b",
];

/// Words that break a plain scalar somewhere (a `: `, a tab, an indicator first).
const RISKY_WORDS: &[&str] = &["a: b", "- x", "? q", "\t", "x\tb", ": x"];

/// Escapes of double-quoted scalars that PyYAML reads.
#[rustfmt::skip]
const SAFE_ESCAPES: &[&str] = &[
    "\\n", "\\t", "\\\\", "\\\"", "\\/", "\\x41", "\\u00e9", "\\U0001F600", "\\ud800", "\\udfff",
    "\\0", "\\a", "\\e", "\\N", "\\_", "\\L", "\\P", "\\ ", "\\\t",
];

/// Escapes it refuses.
const RISKY_ESCAPES: &[&str] = &["\\q", "\\x4", "\\U00110000", "\\u12"];

/// Block scalar headers PyYAML reads (an indentation indicator may still not fit).
const SAFE_HEADERS: &[&str] = &[
    "|", "|-", "|+", ">", ">-", ">+", "|2", "|1-", "|+3", ">2", "| # note", "|-  # x",
];

/// Headers it refuses.
const RISKY_HEADERS: &[&str] = &["|0", "|-0", "|\t", "|x", ">-2x", "|9", "|#", "|  "];

/// Characters put at random places by the mutation pass.
const SPECIALS: &[&str] = &[
    "\u{feff}", "\t", "\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}", "\u{a0}", " ", "  ", "#",
    " #", ":", ": ", "-", "- ", "'", "\"", "[", "]", "{", "}", ",", "&a", "*a", "!", "|", ">", "%",
    "@", "`", "?", "\n", "\n\n", "\\",
];

struct Writer<'r> {
    rng: &'r mut Rng,
    out: String,
    /// Anchors declared so far (`&a0`, `&a1`, ...).
    anchors: usize,
    /// Risky choices left.
    budget: u8,
    /// Whether a quoted scalar was continued at or left of its key's column.
    shallow_quoted: bool,
}

impl Writer<'_> {
    fn chance(&mut self, percent: u8) -> bool {
        self.rng.u8(..100) < percent
    }

    /// Whether to take a risky choice: with `percent` chance while the budget lasts.
    fn risk(&mut self, percent: u8) -> bool {
        if self.budget == 0 || !self.chance(percent) {
            return false;
        }
        self.budget -= 1;
        true
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.rng.usize(..from.len())]
    }

    /// One of `risky` if a risk is taken, else one of `safe`.
    fn pick_risky<'a>(&mut self, percent: u8, safe: &[&'a str], risky: &[&'a str]) -> &'a str {
        if self.risk(percent) {
            self.pick(risky)
        } else {
            self.pick(safe)
        }
    }

    /// Writes one of `from`.
    fn push_pick(&mut self, from: &[&str]) {
        let picked = self.pick(from);
        self.out.push_str(picked);
    }

    /// Some words of a scalar, the first an ordinary word.
    fn words(&mut self) -> String {
        let count = self.rng.usize(1..7);
        let mut words = vec![format!("w{}", self.pick(&SAFE_WORDS[..5]))];
        for _ in 1..count {
            let word = if self.chance(70) {
                self.pick(&SAFE_WORDS[..12])
            } else {
                self.pick_risky(4, SAFE_WORDS, RISKY_WORDS)
            };
            words.push(word.to_owned());
        }
        words.join(" ")
    }

    fn document(&mut self, knowledge: bool) {
        if self.chance(5) {
            if self.risk(30) {
                self.push_pick(&["%YAML 9.9\n---\n", "%YAML 1.1\n", "%YAML 1.1 x\n---\n"]);
            } else {
                self.push_pick(&[
                    "%YAML 1.1\n---\n",
                    "%YAML 1.2\n---\n",
                    "%TAG !e! tag:example.com,2000:\n---\n",
                    "%FOO bar\n---\n",
                    "%YAML 1.1 # v\n--- # start\n",
                ]);
            }
        } else if self.chance(6) {
            self.push_pick(&["---\n", "--- # start\n", "---\n\n", "# head\n---\n"]);
        }
        if self.chance(5) {
            self.out.push_str("# A comment before the leaf\n");
        }
        let version = match self.rng.u8(..25) {
            0 => "1",
            1 => "2",
            2 => "'3'",
            3 => "3.0",
            _ => "3",
        };
        if !self.chance(2) {
            self.line(0, &format!("version: {version}"));
        }
        if knowledge {
            self.entry(0, "created_by");
            self.entry(0, "domain");
            self.entry(0, "document_outline");
            self.sequence(0, "seed_examples", 5, true);
            self.line(0, "document:");
            let inner = self.rng.usize(1..4);
            self.line(inner, "repo: https://example.com/docs.git");
            self.line(inner, "commit: abc123");
            self.line(inner, "patterns:");
            let dash = inner + self.rng.usize(..3);
            self.line(dash, "- '*.md'");
        } else {
            self.entry(0, "task_description");
            self.entry(0, "created_by");
            self.sequence(0, "seed_examples", 5, false);
        }
        if self.chance(5) {
            if self.risk(30) {
                self.push_pick(&["--- \n", "---\nmore: 1\n"]);
            } else {
                self.push_pick(&["...\n", "# end\n", "\n\n", "...\n# after\n"]);
            }
        }
    }

    fn line(&mut self, indent: usize, text: &str) {
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `key: value` at `indent`.
    fn entry(&mut self, indent: usize, key: &str) {
        self.out.push_str(&" ".repeat(indent));
        self.key_and_value(indent, key);
    }

    /// `key: value`, the key at column `indent` (already indented).
    fn key_and_value(&mut self, indent: usize, key: &str) {
        let key = match self.rng.u8(..30) {
            0 => format!("'{key}'"),
            1 => format!("\"{key}\""),
            2 => format!("? {key}\n{}", " ".repeat(indent)),
            _ => key.to_owned(),
        };
        let colon = if self.chance(5) { " :" } else { ":" };
        self.out.push_str(&key);
        self.out.push_str(colon);
        self.value(indent);
    }

    /// A scalar value after a key at `parent`, in any style.
    fn value(&mut self, parent: usize) {
        if self.chance(3) {
            self.out.push_str(&format!(" &a{}", self.anchors));
            self.anchors += 1;
        }
        if self.chance(4) {
            self.out.push(' ');
            let tag = self.pick_risky(
                40,
                &["!!str", "!", "!!null", "!<tag:yaml.org,2002:str>"],
                &[
                    "!!int", "!!set", "!!binary", "!foo", "!!bool", "!!omap", "!!float", "!e!x",
                ],
            );
            self.out.push_str(tag);
        }
        if self.anchors > 0 && self.chance(2) {
            let alias = self.rng.usize(..self.anchors);
            self.out.push_str(&format!(" *a{alias}\n"));
            return;
        }
        match self.rng.u8(..10) {
            0..=2 => self.plain(parent),
            3 | 4 => self.quoted(parent, '\''),
            5 | 6 => self.quoted(parent, '"'),
            _ => self.block_scalar(parent),
        }
    }

    /// The column of a continuation line of a plain scalar under a key at `parent`:
    /// deeper than the key (at the parent's column or less only as a risk).
    fn plain_continuation(&mut self, parent: usize) -> usize {
        if self.risk(10) {
            self.rng.usize(..parent + 1)
        } else {
            parent + self.rng.usize(1..5)
        }
    }

    fn plain(&mut self, parent: usize) {
        let lines = if self.chance(70) {
            1
        } else {
            self.rng.usize(2..5)
        };
        for i in 0..lines {
            let words = self.words();
            if i == 0 {
                self.out.push(' ');
            } else {
                if self.chance(20) {
                    self.out.push('\n');
                }
                let column = self.plain_continuation(parent);
                self.out.push_str(&" ".repeat(column));
            }
            self.out.push_str(&words);
            // A comment ends a plain scalar: only its last line may have one.
            if i + 1 == lines {
                self.trailing();
            }
            self.out.push('\n');
        }
    }

    /// Sometimes spaces, a tab or a comment after a value.
    fn trailing(&mut self) {
        if self.chance(8) {
            // A tab after a value is where PyYAML looks for the next token.
            // Trailing spaces are an error to yamllint.
            let after = self.pick_risky(
                25,
                &[" # note", "  # note # more", " #"],
                &["# not a comment", "\t", " \t", "\t# note", " ", "  "],
            );
            self.out.push_str(after);
        }
    }

    fn quoted(&mut self, parent: usize, quote: char) {
        let lines = if self.chance(55) {
            1
        } else {
            self.rng.usize(2..6)
        };
        self.out.push(' ');
        self.out.push(quote);
        for i in 0..lines {
            if i > 0 {
                self.out.push('\n');
                if self.chance(10) {
                    self.out.push('\n');
                } else if self.risk(10) {
                    self.push_pick(&["  \n", " \t\n"]);
                }
                // Continuation lines at any column: PyYAML does not mind.
                let column = self.rng.usize(..parent + 6);
                self.shallow_quoted |= column <= parent;
                self.out.push_str(&" ".repeat(column));
                if column == 0 && self.risk(10) {
                    self.push_pick(&["--- ", "... ", "---"]);
                } else if self.chance(3) {
                    self.push_pick(&["\t", "# not a comment ", "- ", "key: "]);
                }
            }
            let words = self.words();
            let words = if quote == '\'' {
                words.replace('\'', "''")
            } else {
                let mut escaped = words.replace('\\', "\\\\").replace('"', "\\\"");
                if self.chance(20) {
                    let escape = self.pick_risky(8, SAFE_ESCAPES, RISKY_ESCAPES);
                    escaped.push(' ');
                    escaped.push_str(escape);
                }
                escaped
            };
            self.out.push_str(&words);
            if quote == '"' && i + 1 < lines && self.chance(5) {
                // An escaped line break joins the next line without a space.
                self.out.push('\\');
            }
        }
        if self.chance(8) {
            self.push_pick(&["\n", "\n\n"]);
        } else if self.risk(5) {
            self.push_pick(&[" ", "\n  ", "\t"]);
        }
        if !self.risk(3) {
            self.out.push(quote);
        }
        self.trailing();
        self.out.push('\n');
    }

    fn block_scalar(&mut self, parent: usize) {
        self.out.push(' ');
        let header = self.pick_risky(5, SAFE_HEADERS, RISKY_HEADERS);
        self.out.push_str(header);
        self.trailing();
        self.out.push('\n');
        // An indentation indicator sets the offset; without one, the first line does.
        let indicated = header
            .chars()
            .find_map(|c| c.to_digit(10))
            .map(|d| d as usize);
        let offset = if self.risk(6) {
            self.pick_offset(&[0, 1, 2, 3])
        } else {
            indicated.unwrap_or_else(|| self.pick_offset(&[1, 2, 2, 2, 2, 3, 4, 5]))
        };
        let indent = parent + offset;
        if self.chance(10) {
            // A leading blank line; with spaces, past the indentation or not.
            let blank = if self.risk(40) {
                " ".repeat(self.rng.usize(..indent + 3))
            } else {
                String::new()
            };
            self.out.push_str(&blank);
            self.out.push('\n');
        }
        let lines = self.rng.usize(1..5);
        for line in 0..lines {
            // The first line sets the indentation; later ones may go deeper.
            let column = match self.rng.u8(..12) {
                _ if line == 0 => indent,
                0 => indent + 1,
                1 => indent + 2,
                2 if self.risk(30) => indent.saturating_sub(1),
                _ => indent,
            };
            self.out.push_str(&" ".repeat(column));
            let words = self.words();
            self.out.push_str(&words);
            self.trailing();
            self.out.push('\n');
            if self.chance(8) {
                self.out.push('\n');
            } else if self.risk(8) {
                let blank = " ".repeat(indent + self.rng.usize(..2));
                let tab = if self.chance(30) { "\t" } else { "" };
                self.out.push_str(&format!("{blank}{tab}\n"));
            }
        }
        if self.chance(10) {
            self.push_pick(&["\n", "\n\n"]);
        }
    }

    fn pick_offset(&mut self, from: &[usize]) -> usize {
        from[self.rng.usize(..from.len())]
    }

    /// `key:` and a sequence of `count` examples under it.
    fn sequence(&mut self, indent: usize, key: &str, count: usize, knowledge: bool) {
        if self.chance(6) {
            self.flow_examples(indent, key, count);
            return;
        }
        self.line(indent, &format!("{key}:"));
        let dash_column = indent + self.pick_offset(&[0, 2, 2, 2, 4, 1]);
        for _ in 0..count {
            let gap = match self.rng.u8(..10) {
                0 => "   ",
                1 => "  ",
                _ => " ",
            };
            self.out.push_str(&" ".repeat(dash_column));
            self.out.push('-');
            let item = dash_column + 1 + gap.len();
            if self.chance(8) {
                self.out.push('\n');
                let column = dash_column + self.pick_offset(&[1, 2, 2, 3, 4]);
                self.out.push_str(&" ".repeat(column));
                self.example(column, knowledge);
            } else {
                self.out.push_str(gap);
                self.example(item, knowledge);
            }
            if self.chance(5) {
                self.push_pick(&["\n", "  # between\n", "# between\n"]);
            }
        }
    }

    /// One seed example, its first key already indented to `column`.
    fn example(&mut self, column: usize, knowledge: bool) {
        if knowledge {
            self.key_and_value(column, "context");
            self.out.push_str(&" ".repeat(column));
            self.out.push_str("questions_and_answers:\n");
            let dash = column + self.pick_offset(&[0, 2, 2]);
            for _ in 0..3 {
                self.out.push_str(&" ".repeat(dash));
                self.out.push_str("- ");
                self.key_and_value(dash + 2, "question");
                self.entry(dash + 2, "answer");
            }
        } else {
            let (first, second) = if self.chance(20) {
                ("answer", "question")
            } else {
                ("question", "answer")
            };
            self.key_and_value(column, first);
            let column = if self.risk(5) {
                self.rng.usize(..column + 3)
            } else {
                column
            };
            self.entry(column, second);
        }
    }

    /// The examples as a flow sequence of flow mappings, over several lines.
    fn flow_examples(&mut self, indent: usize, key: &str, count: usize) {
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(key);
        self.out.push_str(": [");
        for i in 0..count {
            if i > 0 {
                self.out.push(',');
            }
            if self.chance(50) {
                self.out.push('\n');
                let column = if self.risk(10) {
                    0
                } else {
                    self.rng.usize(1..indent + 4)
                };
                self.out.push_str(&" ".repeat(column));
            }
            let q = self.flow_scalar();
            let a = self.flow_scalar();
            match self.rng.u8(..10) {
                0 => self.out.push_str(&format!("question: {q}")),
                1 => self.out.push_str(&format!("? question: {q}")),
                2 => self
                    .out
                    .push_str(&format!("{{question: {q},\n  answer: {a} }}")),
                _ => self
                    .out
                    .push_str(&format!("{{question: {q}, answer: {a}}}")),
            }
        }
        if self.chance(10) {
            self.out.push(',');
        }
        if self.risk(5) {
            self.push_pick(&["]  \n", "] ]\n"]);
        } else {
            self.push_pick(&["]\n", "\n]\n", " ]\n", "\n  ]\n"]);
        }
    }

    /// A scalar that fits in a flow collection.
    fn flow_scalar(&mut self) -> String {
        let words: String = self
            .words()
            .chars()
            .filter(|c| !matches!(c, ',' | '[' | ']' | '{' | '}' | '#' | ':' | '?'))
            .collect();
        let words = words.trim().to_owned();
        let words = if words.is_empty() {
            "w".to_owned()
        } else {
            words
        };
        match self.rng.u8(..4) {
            0 => format!("'{}'", words.replace('\'', "''")),
            1 => format!("\"{}\"", words.replace(['"', '\\'], "")),
            _ if words.starts_with(['\'', '"', '&', '*', '!', '|', '>', '%', '@', '`', '-']) => {
                format!("'{}'", words.replace('\'', "''"))
            }
            _ => words,
        }
    }
}

/// Makes `edits` random edits (a special character put in or one taken out, a
/// comment, blank, tab or document-marker line), and sometimes changes the whole
/// text's line breaks or its start or end.
fn mutate(rng: &mut Rng, mut text: String, edits: u8) -> String {
    for _ in 0..edits {
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let at = boundaries[rng.usize(..boundaries.len())];
        match rng.u8(..10) {
            0..=5 => text.insert_str(at, SPECIALS[rng.usize(..SPECIALS.len())]),
            6 => {
                if let Some(c) = text[at..].chars().next() {
                    text.replace_range(at..at + c.len_utf8(), "");
                }
            }
            _ => {
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let line = match rng.u8(..6) {
                    0 => "# comment\n".to_owned(),
                    1 => format!("{}# indented comment\n", " ".repeat(rng.usize(..6))),
                    2 => "---\n".to_owned(),
                    3 => "...\n".to_owned(),
                    4 => format!("{}\n", " ".repeat(rng.usize(..6))),
                    _ => "\t\n".to_owned(),
                };
                text.insert_str(line_start, &line);
            }
        }
    }
    match rng.u8(..40) {
        0 => text = text.replace('\n', "\r\n"),
        1 => text = text.replace('\n', "\r"),
        2 => text = text.replace('\n', "\u{85}"),
        3 => text = text.replace('\n', "\u{2028}"),
        4 => text.insert(0, '\u{feff}'),
        5 => text.insert_str(0, "\u{feff}\u{feff}"),
        6 => {
            let trimmed = text.trim_end_matches('\n').len();
            text.truncate(trimmed);
        }
        7 => text.push_str("\n\n"),
        8 => text.push_str("  "),
        _ => {}
    }
    text
}
