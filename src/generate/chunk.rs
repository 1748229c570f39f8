//! Splitting a document into passages that fit a prompt (pure): whole paragraphs
//! grouped up to a token budget, a heading kept with the text under it, and an
//! oversized paragraph cut between words.

/// Splits `text` into passages of at most about `max_tokens` tokens of the model;
/// `count` gives the token count of each of a list of texts.
pub fn chunk(
    text: &str,
    max_tokens: usize,
    mut count: impl FnMut(&[String]) -> Vec<usize>,
) -> Vec<String> {
    let max_tokens = max_tokens.max(1);
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let counts = count(&paragraphs);
    let mut passages = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut current_tokens = 0;
    let mut pieces: Vec<(String, usize)> = Vec::new();
    for (paragraph, &tokens) in paragraphs.iter().zip(&counts) {
        if tokens > max_tokens {
            pieces.extend(split_words(paragraph, tokens, max_tokens));
        } else {
            pieces.push((paragraph.clone(), tokens));
        }
    }
    for (index, (piece, tokens)) in pieces.iter().enumerate() {
        let heading_last = current.last().is_some_and(|p| p.starts_with('#'));
        if !current.is_empty() && current_tokens + tokens > max_tokens && !heading_last {
            passages.push(current.join("\n\n"));
            current.clear();
            current_tokens = 0;
        }
        // A heading starts a new passage when what follows would not fit with it.
        if piece.starts_with('#')
            && !current.is_empty()
            && pieces
                .get(index + 1)
                .is_some_and(|(_, next)| current_tokens + tokens + next > max_tokens)
        {
            passages.push(current.join("\n\n"));
            current.clear();
            current_tokens = 0;
        }
        current.push(piece);
        current_tokens += tokens;
    }
    if !current.is_empty() {
        passages.push(current.join("\n\n"));
    }
    passages
}

/// Cuts a paragraph of `tokens` tokens into pieces of about `max_tokens` each,
/// between words, estimating tokens per word from the whole.
fn split_words(paragraph: &str, tokens: usize, max_tokens: usize) -> Vec<(String, usize)> {
    let words: Vec<&str> = paragraph.split_whitespace().collect();
    let per_piece = (words.len() * max_tokens / tokens.max(1)).max(1);
    words
        .chunks(per_piece)
        .map(|w| (w.join(" "), w.len() * tokens / words.len().max(1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One token per word, as a stand-in tokenizer for the arithmetic.
    fn words(texts: &[String]) -> Vec<usize> {
        texts.iter().map(|t| t.split_whitespace().count()).collect()
    }

    #[test]
    fn groups_paragraphs_up_to_the_budget() {
        let text = "one two three\n\nfour five\n\nsix seven eight nine";
        assert_eq!(
            chunk(text, 5, words),
            vec!["one two three\n\nfour five", "six seven eight nine"]
        );
    }

    #[test]
    fn keeps_a_heading_with_its_text() {
        let text = "a b c\n\n# Title\n\nd e f g";
        assert_eq!(chunk(text, 6, words), vec!["a b c", "# Title\n\nd e f g"]);
    }

    #[test]
    fn cuts_an_oversized_paragraph_between_words() {
        let text = "w1 w2 w3 w4 w5 w6 w7";
        assert_eq!(chunk(text, 3, words), vec!["w1 w2 w3", "w4 w5 w6", "w7"]);
    }

    #[test]
    fn an_empty_document_has_no_passages() {
        assert!(chunk("\n\n  \n\n", 10, words).is_empty());
    }
}
