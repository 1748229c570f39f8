//! A deterministic corpus of mutated taxonomy leaves for the differential test against
//! upstream's validator: every contributable leaf of `sample-taxonomy/` (skills,
//! grounded skills, knowledge) edited in one way each — missing, extra and mistyped
//! keys, counts, duplicates, broken YAML, whitespace and indentation, versions,
//! unicode, degenerate documents, anchors, flow style, comments, block scalars,
//! quoted keys, paths and attribution files.
//!
//! Left out on purpose (README "Deliberate differences from upstream"): alias bombs,
//! files over 16 MiB, invalid UTF-8, recursive aliases and symlinks; every variant is
//! valid UTF-8 text with no self-referencing alias.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[path = "mutations_content.rs"]
mod content;
#[path = "mutations_syntax.rs"]
mod syntax;

/// What a leaf holds, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `compositional_skills/…` outside `grounded/`.
    Freeform,
    /// `compositional_skills/grounded/…`.
    Grounded,
    /// `knowledge/…`.
    Knowledge,
}

/// A leaf of the sample taxonomy.
#[derive(Debug, Clone)]
pub struct Original {
    /// Path relative to the taxonomy root, ending in `qna.yaml`.
    pub rel: PathBuf,
    /// The file's text.
    pub text: String,
    /// Its kind.
    pub kind: Kind,
}

/// The `attribution.txt` written beside a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribution {
    /// A realistic, non-empty file.
    Present,
    /// An empty file.
    Empty,
    /// Only whitespace (non-empty for CI).
    Blank,
    /// No file.
    Missing,
    /// A folder of that name.
    Folder,
}

/// One mutated leaf.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The mutation's name.
    pub mutation: &'static str,
    /// The leaf it was made from, relative to the taxonomy root.
    pub source: PathBuf,
    /// Where it is written, relative to the taxonomy root.
    pub rel: PathBuf,
    /// The file's text.
    pub text: String,
    /// The attribution file beside it.
    pub attribution: Attribution,
}

/// The contributable leaves under `sample_root`, sorted by path.
pub fn originals(sample_root: &Path) -> io::Result<Vec<Original>> {
    let mut out = Vec::new();
    for top in ["compositional_skills", "knowledge"] {
        for entry in walkdir::WalkDir::new(sample_root.join(top)).sort_by_file_name() {
            let entry = entry.map_err(io::Error::other)?;
            if entry.file_name() != "qna.yaml" {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(sample_root)
                .map_err(io::Error::other)?
                .to_owned();
            let kind = if top == "knowledge" {
                Kind::Knowledge
            } else if rel.starts_with("compositional_skills/grounded") {
                Kind::Grounded
            } else {
                Kind::Freeform
            };
            out.push(Original {
                text: fs::read_to_string(entry.path())?,
                rel,
                kind,
            });
        }
    }
    Ok(out)
}

/// Writes `variants` under `root` (qna.yaml and attribution.txt); returns each
/// variant's qna.yaml path, in order.
pub fn write(root: &Path, variants: &[Variant]) -> io::Result<Vec<PathBuf>> {
    let mut paths = Vec::with_capacity(variants.len());
    for variant in variants {
        let path = root.join(&variant.rel);
        let dir = path.parent().ok_or_else(|| io::Error::other("no parent"))?;
        fs::create_dir_all(dir)?;
        fs::write(&path, &variant.text)?;
        let attribution = match variant.attribution {
            Attribution::Present => Some(
                "Title of work: Sample\nLink to work: https://example.org/sample\n\
                 License of the work: CC-BY-4.0\nCreator names: Sample Authors\n",
            ),
            Attribution::Empty => Some(""),
            Attribution::Blank => Some("\n"),
            Attribution::Missing => None,
            Attribution::Folder => {
                fs::create_dir_all(dir.join("attribution.txt"))?;
                None
            }
        };
        if let Some(content) = attribution {
            fs::write(dir.join("attribution.txt"), content)?;
        }
        paths.push(path);
    }
    Ok(paths)
}

/// The names of all mutations.
pub fn names() -> Vec<&'static str> {
    content::CONTENT
        .iter()
        .chain(syntax::SYNTAX)
        .map(|m| m.name)
        .collect()
}

/// Every mutation applied to a few leaves it fits, chosen deterministically.
pub fn corpus(originals: &[Original]) -> Vec<Variant> {
    let mut out = Vec::new();
    let all = content::CONTENT.iter().chain(syntax::SYNTAX);
    for (index, mutation) in all.enumerate() {
        let mut made = 0;
        for step in 0..originals.len() {
            if made == mutation.count {
                break;
            }
            let original = &originals[(index * 7 + step) % originals.len()];
            if !mutation.kinds.contains(&original.kind) {
                continue;
            }
            let Some(edit) = (mutation.make)(original) else {
                continue;
            };
            // An edit that changes nothing does not fit this leaf.
            let no_op = edit.text == original.text
                && edit.top.is_none()
                && edit.attribution == Attribution::Present
                && mutation.name != "unchanged";
            if no_op {
                continue;
            }
            let leaf_dir = original.rel.parent().unwrap_or(Path::new(""));
            let mut dir = leaf_dir.to_owned();
            if let Some(top) = edit.top {
                let rest: PathBuf = leaf_dir.components().skip(1).collect();
                dir = Path::new(top).join(rest);
            }
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
            dir.set_file_name(format!("{}__{}", name.unwrap_or_default(), mutation.name));
            out.push(Variant {
                mutation: mutation.name,
                source: original.rel.clone(),
                rel: dir.join("qna.yaml"),
                text: edit.text,
                attribution: edit.attribution,
            });
            made += 1;
        }
    }
    out
}

struct Mutation {
    name: &'static str,
    kinds: &'static [Kind],
    count: usize,
    make: fn(&Original) -> Option<Edit>,
}

struct Edit {
    text: String,
    attribution: Attribution,
    /// Write the leaf under this top folder instead of its own.
    top: Option<&'static str>,
}

fn ok(text: String) -> Option<Edit> {
    Some(Edit {
        text,
        attribution: Attribution::Present,
        top: None,
    })
}

fn with_attribution(text: String, attribution: Attribution) -> Option<Edit> {
    Some(Edit {
        text,
        attribution,
        top: None,
    })
}

fn moved(text: String, top: &'static str) -> Option<Edit> {
    Some(Edit {
        text,
        attribution: Attribution::Present,
        top: Some(top),
    })
}

/// A file as lines, with edits that know YAML block structure well enough for the
/// sample files (two-space indentation, seed items at `  - `).
struct Lines(Vec<String>);

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The column of the key on `line`, past any `- ` sequence markers.
fn key_col(line: &str) -> usize {
    let mut col = indent(line);
    while line[col..].starts_with("- ") {
        col += 2;
        col += indent(&line[col..]);
    }
    col
}

fn key_of(line: &str) -> Option<&str> {
    let rest = &line[key_col(line)..];
    let colon = rest.find(':')?;
    let key = &rest[..colon];
    let after = &rest[colon + 1..];
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain && (after.is_empty() || after.starts_with(' '))).then_some(key)
}

impl Lines {
    fn new(text: &str) -> Self {
        let body = text.strip_suffix('\n').unwrap_or(text);
        Self(body.split('\n').map(String::from).collect())
    }

    fn text(&self) -> String {
        let mut out = self.0.join("\n");
        out.push('\n');
        out
    }

    fn top(&self, key: &str) -> Option<usize> {
        let head = format!("{key}:");
        self.0
            .iter()
            .position(|l| l == &head || l.starts_with(&format!("{head} ")))
    }

    fn nth_key(&self, key: &str, n: usize) -> Option<usize> {
        (0..self.0.len())
            .filter(|&i| key_of(&self.0[i]) == Some(key))
            .nth(n)
    }

    /// One past the last line of the entry starting at line `i`.
    fn end(&self, i: usize) -> usize {
        let col = key_col(&self.0[i]);
        let mut j = i + 1;
        while j < self.0.len() && (self.0[j].trim().is_empty() || indent(&self.0[j]) > col) {
            j += 1;
        }
        while j > i + 1 && self.0[j - 1].trim().is_empty() {
            j -= 1;
        }
        j
    }

    /// Replaces the entry at line `i` by `key: value` (a value starting with a newline
    /// is a block on the following lines).
    fn set(&mut self, i: usize, value: &str) -> &mut Self {
        let col = key_col(&self.0[i]);
        let key = key_of(&self.0[i]).unwrap_or_default().to_owned();
        let prefix = self.0[i][..col].to_owned();
        let line = if value.is_empty() || value.starts_with('\n') {
            format!("{prefix}{key}:{value}")
        } else {
            format!("{prefix}{key}: {value}")
        };
        let end = self.end(i);
        self.0.splice(i..end, line.split('\n').map(String::from));
        self
    }

    /// Removes the entry at line `i`, moving a sequence marker to the next key.
    fn remove(&mut self, i: usize) -> &mut Self {
        let col = key_col(&self.0[i]);
        let prefix = self.0[i][..col].to_owned();
        let end = self.end(i);
        self.0.drain(i..end);
        if prefix.contains('-') && i < self.0.len() && indent(&self.0[i]) == col {
            let rest = self.0[i][col..].to_owned();
            self.0[i] = format!("{prefix}{rest}");
        }
        self
    }

    /// Inserts `text`'s lines before line `at`.
    fn insert(&mut self, at: usize, text: &str) -> &mut Self {
        self.0.splice(at..at, text.split('\n').map(String::from));
        self
    }

    /// The line ranges of the seed examples.
    fn items(&self) -> Vec<(usize, usize)> {
        let Some(start) = self.top("seed_examples") else {
            return Vec::new();
        };
        let end = self.end(start);
        let heads: Vec<usize> = (start + 1..end)
            .filter(|&j| self.0[j].starts_with("  - "))
            .collect();
        let mut out = Vec::new();
        for (k, &head) in heads.iter().enumerate() {
            let mut stop = heads.get(k + 1).copied().unwrap_or(end);
            while stop > head + 1 && self.0[stop - 1].trim().is_empty() {
                stop -= 1;
            }
            out.push((head, stop));
        }
        out
    }

    /// Keeps the first `n` seed examples.
    fn keep_items(&mut self, n: usize) -> Option<&mut Self> {
        let items = self.items();
        if n == 0 {
            let start = self.top("seed_examples")?;
            return Some(self.set(start, "[]"));
        }
        if items.len() < n {
            return None;
        }
        let (from, to) = (items.get(n)?.0, items.last()?.1);
        self.0.drain(from..to);
        Some(self)
    }

    /// The seed example `k` as text.
    fn item_text(&self, k: usize) -> Option<String> {
        let (a, b) = *self.items().get(k)?;
        Some(self.0[a..b].join("\n"))
    }

    /// Seed example `k` with its keys in reverse order.
    fn item_reversed(&self, k: usize) -> Option<String> {
        let (a, b) = *self.items().get(k)?;
        let mut starts = vec![a];
        starts.extend(
            (a + 1..b).filter(|&j| indent(&self.0[j]) == 4 && key_of(&self.0[j]).is_some()),
        );
        let mut entries: Vec<Vec<String>> = starts
            .iter()
            .map(|&s| self.0[s..self.end(s).min(b)].to_vec())
            .collect();
        entries.reverse();
        let mut out: Vec<String> = entries.concat();
        for (n, line) in out.iter_mut().enumerate() {
            if n == 0 || starts.len() == 1 {
                continue;
            }
            if line.starts_with("  - ") {
                *line = format!("    {}", &line[4..]);
            }
        }
        let first = out.first_mut()?;
        *first = format!("  - {}", &first[4..]);
        Some(out.join("\n"))
    }

    /// Adds `text` as the last seed example.
    fn push_item(&mut self, text: &str) -> Option<&mut Self> {
        let (_, end) = *self.items().last()?;
        Some(self.insert(end, text))
    }

    /// The line ranges of the questions and answers of knowledge seed example `k`.
    fn qna_items(&self, k: usize) -> Vec<(usize, usize)> {
        let Some(&(a, b)) = self.items().get(k) else {
            return Vec::new();
        };
        let heads: Vec<usize> = (a..b)
            .filter(|&j| self.0[j].starts_with("      - "))
            .collect();
        heads
            .iter()
            .enumerate()
            .map(|(n, &h)| (h, heads.get(n + 1).copied().unwrap_or(b)))
            .collect()
    }

    /// Adds `extra` spaces of indentation to the non-blank lines `a..b`, or removes them.
    fn shift(&mut self, a: usize, b: usize, extra: isize) -> &mut Self {
        for line in &mut self.0[a..b] {
            if line.trim().is_empty() {
                continue;
            }
            if extra >= 0 {
                line.insert_str(0, &" ".repeat(extra.unsigned_abs()));
            } else {
                let n = extra.unsigned_abs().min(indent(line));
                line.drain(..n);
            }
        }
        self
    }

    /// The first continuation line of the block scalar at line `i`.
    fn block_line(&self, i: usize) -> Option<usize> {
        (i + 1 < self.end(i)).then_some(i + 1)
    }
}

fn lines(o: &Original) -> Lines {
    Lines::new(&o.text)
}

/// Sets the top-level `key` to `value`.
fn top_set(o: &Original, key: &str, value: &str) -> Option<Edit> {
    let mut l = lines(o);
    let i = l.top(key)?;
    ok(l.set(i, value).text())
}

/// Sets the `n`th `key` anywhere to `value`.
fn key_set(o: &Original, key: &str, n: usize, value: &str) -> Option<Edit> {
    let mut l = lines(o);
    let i = l.nth_key(key, n)?;
    ok(l.set(i, value).text())
}

fn top_remove(o: &Original, key: &str) -> Option<Edit> {
    let mut l = lines(o);
    let i = l.top(key)?;
    ok(l.remove(i).text())
}

fn key_remove(o: &Original, key: &str, n: usize) -> Option<Edit> {
    let mut l = lines(o);
    let i = l.nth_key(key, n)?;
    ok(l.remove(i).text())
}

/// Inserts `text` after the top-level `key`'s entry.
fn after_top(o: &Original, key: &str, text: &str) -> Option<Edit> {
    let mut l = lines(o);
    let i = l.top(key)?;
    let end = l.end(i);
    ok(l.insert(end, text).text())
}

/// Inserts `text` after the entry of the first key of seed example `k`.
fn in_item(o: &Original, k: usize, text: &str) -> Option<Edit> {
    let mut l = lines(o);
    let (head, _) = *l.items().get(k)?;
    let end = l.end(head);
    ok(l.insert(end, text).text())
}

fn versioned(o: &Original, version: &str) -> Lines {
    let mut l = lines(o);
    if let Some(i) = l.top("version") {
        l.set(i, version);
    }
    l
}

/// The same edit on the file made version 1 (no yamllint pass upstream), so only the
/// loader and the schema decide.
fn as_v1(edit: Option<Edit>) -> Option<Edit> {
    let mut edit = edit?;
    edit.text = edit.text.replacen("version: 3\n", "version: 1\n", 1);
    Some(edit)
}

fn with_items(o: &Original, version: Option<&str>, n: usize) -> Option<Edit> {
    let mut l = match version {
        Some(v) => versioned(o, v),
        None => lines(o),
    };
    ok(l.keep_items(n)?.text())
}

fn duplicate_item(o: &Original, version: Option<&str>) -> Option<Edit> {
    let mut l = match version {
        Some(v) => versioned(o, v),
        None => lines(o),
    };
    let first = l.item_text(0)?;
    ok(l.push_item(&first)?.text())
}

/// The file with every line passed through `f`.
fn map_lines(o: &Original, f: impl Fn(usize, &str) -> String) -> String {
    let l = lines(o);
    let mapped: Vec<String> = l.0.iter().enumerate().map(|(i, s)| f(i, s)).collect();
    Lines(mapped).text()
}

/// Replaces the first continuation line of the top-level block `key` by `f(line)`.
fn block_edit(o: &Original, key: &str, f: impl Fn(&str) -> String) -> Option<Edit> {
    let mut l = lines(o);
    let i = l.top(key)?;
    let j = l.block_line(i)?;
    l.0[j] = f(&l.0[j]);
    ok(l.text())
}

/// The top-level block scalar of the leaf: `task_description` or `document_outline`.
fn prose_key(o: &Original) -> &'static str {
    if o.kind == Kind::Knowledge {
        "document_outline"
    } else {
        "task_description"
    }
}

const ANY: &[Kind] = &[Kind::Freeform, Kind::Grounded, Kind::Knowledge];
const SKILL: &[Kind] = &[Kind::Freeform, Kind::Grounded];
const FREEFORM: &[Kind] = &[Kind::Freeform];
const GROUNDED: &[Kind] = &[Kind::Grounded];
const KNOW: &[Kind] = &[Kind::Knowledge];

const fn m(
    name: &'static str,
    kinds: &'static [Kind],
    count: usize,
    make: fn(&Original) -> Option<Edit>,
) -> Mutation {
    Mutation {
        name,
        kinds,
        count,
        make,
    }
}

const SKILL_AS_V1_KNOWLEDGE: &str = "task_description: Teach the facts of the document.";
