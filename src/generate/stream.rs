//! Turning a stream of token bytes into text that is safe to show: complete UTF-8
//! only, and never a stop string (nor the start of one that may still complete).

/// Accumulates a completion and decides what can be emitted after each token.
#[derive(Debug, Default)]
pub struct TextStream {
    stops: Vec<String>,
    pending: Vec<u8>,
    text: String,
    emitted: usize,
}

/// What a token added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// New text to show (may be empty while a partial character or a possible
    /// stop string is held back).
    Text(String),
    /// A stop string appeared: the text before it, and the stop string.
    Stopped(String, String),
}

impl TextStream {
    /// A stream that stops at any of `stops` (empty strings are ignored).
    pub fn new(stops: &[String]) -> Self {
        Self {
            stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(),
            ..Self::default()
        }
    }

    /// Adds the bytes of one token.
    pub fn push(&mut self, bytes: &[u8]) -> Step {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(error) => match error.error_len() {
                // Invalid bytes, not an unfinished character: show them replaced.
                Some(_) => self.pending.len(),
                None => error.valid_up_to(),
            },
        };
        let complete: Vec<u8> = self.pending.drain(..valid).collect();
        let search_from = self.text.len().saturating_sub(self.longest_stop());
        self.text.push_str(&String::from_utf8_lossy(&complete));
        if let Some((at, stop)) = self.find_stop(search_from) {
            let before = self.text[self.emitted..at].to_owned();
            self.text.truncate(at);
            self.emitted = at;
            return Step::Stopped(before, stop);
        }
        let safe = self.text.len() - self.held_back();
        let new = self.text[self.emitted..safe].to_owned();
        self.emitted = safe;
        Step::Text(new)
    }

    /// Ends the stream: whatever was held back (a partial stop string or character).
    pub fn finish(&mut self) -> String {
        if !self.pending.is_empty() {
            let rest: Vec<u8> = std::mem::take(&mut self.pending);
            self.text.push_str(&String::from_utf8_lossy(&rest));
        }
        let rest = self.text[self.emitted..].to_owned();
        self.emitted = self.text.len();
        rest
    }

    /// The whole text so far (up to a stop string, which is left out).
    pub fn text(&self) -> &str {
        &self.text
    }

    fn longest_stop(&self) -> usize {
        self.stops.iter().map(String::len).max().unwrap_or(0)
    }

    fn find_stop(&self, from: usize) -> Option<(usize, String)> {
        let from = floor_char_boundary(&self.text, from);
        self.stops
            .iter()
            .filter_map(|stop| {
                self.text[from..]
                    .find(stop.as_str())
                    .map(|i| (from + i, stop))
            })
            .min_by_key(|(at, _)| *at)
            .map(|(at, stop)| (at, stop.clone()))
    }

    /// The length of the longest tail of the text that starts some stop string.
    fn held_back(&self) -> usize {
        let tail = &self.text[self.emitted..];
        self.stops
            .iter()
            .flat_map(|stop| {
                (1..stop.len().min(tail.len() + 1))
                    .rev()
                    .filter(|&n| stop.is_char_boundary(n))
                    .find(|&n| tail.ends_with(&stop[..n]))
            })
            .max()
            .unwrap_or(0)
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stops(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn emits_text_as_it_comes_without_stops() {
        let mut stream = TextStream::new(&[]);
        assert_eq!(stream.push(b"Hello"), Step::Text("Hello".into()));
        assert_eq!(stream.push(b" world"), Step::Text(" world".into()));
        assert_eq!(stream.finish(), "");
        assert_eq!(stream.text(), "Hello world");
    }

    #[test]
    fn holds_back_a_partial_character() {
        let mut stream = TextStream::new(&[]);
        let e_acute = "é".as_bytes();
        assert_eq!(stream.push(&e_acute[..1]), Step::Text(String::new()));
        assert_eq!(stream.push(&e_acute[1..]), Step::Text("é".into()));
    }

    #[test]
    fn stops_at_a_stop_string_split_over_tokens() {
        let mut stream = TextStream::new(&stops(&["[End]"]));
        assert_eq!(
            stream.push(b"An answer. [E"),
            Step::Text("An answer. ".into())
        );
        assert_eq!(
            stream.push(b"nd] more"),
            Step::Stopped(String::new(), "[End]".into())
        );
        assert_eq!(stream.text(), "An answer. ");
    }

    #[test]
    fn releases_a_false_alarm() {
        let mut stream = TextStream::new(&stops(&["[End]"]));
        assert_eq!(stream.push(b"a [E"), Step::Text("a ".into()));
        assert_eq!(stream.push(b"xample"), Step::Text("[Example".into()));
        assert_eq!(stream.finish(), "");
    }

    #[test]
    fn the_earliest_of_several_stops_wins() {
        let mut stream = TextStream::new(&stops(&["\n\n\n", "[End]"]));
        assert_eq!(
            stream.push(b"x[End]\n\n\n"),
            Step::Stopped("x".into(), "[End]".into())
        );
    }

    #[test]
    fn finish_returns_what_was_held_back() {
        let mut stream = TextStream::new(&stops(&["[End]"]));
        assert_eq!(stream.push(b"tail [En"), Step::Text("tail ".into()));
        assert_eq!(stream.finish(), "[En");
    }
}
