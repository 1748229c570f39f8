//! A cheap prefilter for the finder: the set of characters each text contains,
//! so that a text missing a character of the query is rejected without matching.

use nucleo_matcher::Utf32Str;
use nucleo_matcher::pattern::Atom;

/// The bit of an ASCII character in a [`char_mask`], case-folded; 0 for
/// whitespace and control characters.
fn char_bit(c: u8) -> u64 {
    match c.to_ascii_lowercase() {
        c @ b'a'..=b'z' => 1 << (c - b'a'),
        c @ b'0'..=b'9' => 1 << (26 + c - b'0'),
        c if c.is_ascii_graphic() => 1 << (36 + c % 28),
        _ => 0,
    }
}

/// The set of (case-folded ASCII) characters in `text`, one bit each, so that a
/// text missing a character of a needle is rejected without matching. A text
/// with other characters gets every bit: nucleo's normalisation can match
/// them to ASCII needle characters.
pub(super) fn char_mask(text: Utf32Str<'_>) -> u64 {
    match text {
        Utf32Str::Ascii(bytes) => bytes.iter().fold(0, |mask, &c| mask | char_bit(c)),
        Utf32Str::Unicode(_) => u64::MAX,
    }
}

/// The characters every text matching `atoms` contains (only a negated atom
/// may match without its characters).
pub(super) fn needle_mask(atoms: &[Atom]) -> u64 {
    atoms
        .iter()
        .filter(|atom| !atom.negative)
        .flat_map(|atom| atom.needle_text().chars())
        .filter(char::is_ascii)
        .fold(0, |mask, c| mask | char_bit(c as u8))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::find::tests::sample_taxonomy;
    use crate::find::{Entry, Field, Index};
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher};

    #[test]
    fn the_character_prefilter_never_rejects_a_match() {
        let taxonomy = sample_taxonomy();
        let mut index = Index::build(&taxonomy);
        index.entries.push(Entry::new(
            taxonomy.leaves.len(),
            Field::Path,
            "Naïve café".into(),
        ));
        let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
        let (mut matched, mut rejected) = (0, 0);
        for query in [
            "s",
            "Tide",
            "rivr",
            "photo synth",
            "'exact",
            "^comp",
            "q4.2",
            "_",
            "2 of",
            "naive",
            "naïve",
            "cafe",
            "!skills",
            "yaml$",
            "a\\ b",
            "WHY",
            "e-mail",
        ] {
            let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
            let needed = needle_mask(&pattern.atoms);
            for entry in &index.entries {
                let passes = entry.chars & needed == needed;
                if pattern.score(entry.text.slice(..), &mut matcher).is_some() {
                    assert!(passes, "{query:?} matches {} but is rejected", entry.text);
                    matched += 1;
                } else {
                    rejected += usize::from(!passes);
                }
            }
        }
        assert!(
            matched > 500 && rejected > 500,
            "{matched} matched, {rejected} rejected"
        );
    }
}
