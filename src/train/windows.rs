//! The token windows the trainer consumes: a stream of tokens, each marked as
//! trained (the loss is taken on predicting it) or not, cut into windows of
//! `context + 1` tokens (inputs, and the same shifted by one as labels) that
//! overlap by half, as llama.cpp's own `llama-finetune` cuts its text. Pure.

/// A token stream with, for each token, whether predicting it counts in the loss.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MaskedTokens {
    /// The tokens.
    pub tokens: Vec<i32>,
    /// For each token, whether it is trained on.
    pub trained: Vec<bool>,
}

impl MaskedTokens {
    /// Appends `tokens`, all trained or all not.
    pub fn push(&mut self, tokens: &[i32], trained: bool) {
        self.tokens.extend_from_slice(tokens);
        self.trained.resize(self.tokens.len(), trained);
    }

    /// Appends another stream.
    pub fn append(&mut self, other: &Self) {
        self.tokens.extend_from_slice(&other.tokens);
        self.trained.extend_from_slice(&other.trained);
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// How many tokens are trained on.
    pub fn trained_count(&self) -> usize {
        self.trained.iter().filter(|&&t| t).count()
    }
}

/// One training or evaluation window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// `context + 1` tokens: the inputs are the first `context`, the labels the
    /// last `context`.
    pub tokens: Vec<i32>,
    /// For each label, whether the loss is taken on it.
    pub trained: Vec<bool>,
}

impl Window {
    /// The inputs.
    pub fn inputs(&self) -> &[i32] {
        &self.tokens[..self.trained.len()]
    }

    /// The labels (each input's next token).
    pub fn labels(&self) -> &[i32] {
        &self.tokens[1..]
    }

    /// How many labels the loss is taken on.
    pub fn loss_tokens(&self) -> usize {
        self.trained.iter().filter(|&&t| t).count()
    }
}

/// Cuts `stream` into windows of `context + 1` tokens overlapping by half, the
/// last one aligned with the end so that every token is seen. A stream shorter
/// than a window is padded at its end with `pad` tokens, which are never trained
/// on. Windows whose labels are all untrained are left out.
pub fn cut(stream: &MaskedTokens, context: usize, pad: i32) -> Vec<Window> {
    let size = context + 1;
    let mut padded;
    let stream = if stream.len() < size {
        padded = stream.clone();
        padded.push(&vec![pad; size - stream.len()], false);
        &padded
    } else {
        stream
    };
    let stride = (context / 2).max(1);
    let last = stream.len() - size;
    let mut starts: Vec<usize> = (0..=last).step_by(stride).collect();
    if starts.last() != Some(&last) {
        starts.push(last);
    }
    starts
        .into_iter()
        .map(|s| Window {
            tokens: stream.tokens[s..s + size].to_vec(),
            trained: stream.trained[s + 1..s + size].to_vec(),
        })
        .filter(|w| w.loss_tokens() > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(len: i32, trained: impl Fn(i32) -> bool) -> MaskedTokens {
        let mut s = MaskedTokens::default();
        for t in 0..len {
            s.push(&[t], trained(t));
        }
        s
    }

    #[test]
    fn windows_overlap_by_half_and_end_with_the_stream() {
        let windows = cut(&stream(30, |_| true), 8, -1);
        let starts: Vec<i32> = windows.iter().map(|w| w.tokens[0]).collect();
        assert_eq!(starts, [0, 4, 8, 12, 16, 20, 21]);
        assert!(windows.iter().all(|w| w.tokens.len() == 9));
        assert_eq!(windows[6].labels(), (22..30).collect::<Vec<_>>());
        assert_eq!(windows[6].inputs(), (21..29).collect::<Vec<_>>());
    }

    #[test]
    fn labels_carry_the_mask_of_the_token_they_predict() {
        // Tokens 5..9 are an answer: predicting them is trained, nothing else.
        let s = stream(12, |t| (5..9).contains(&t));
        assert_eq!(s.trained_count(), 4);
        let windows = cut(&s, 8, -1);
        assert_eq!(windows.len(), 2);
        // Window 0 holds tokens 0..=8: labels 1..=8, of which 5..=8 are trained.
        assert_eq!(
            windows[0].trained,
            [false, false, false, false, true, true, true, true]
        );
        assert_eq!(windows[0].loss_tokens(), 4);
    }

    #[test]
    fn windows_without_a_trained_label_are_left_out() {
        let s = stream(30, |t| t < 3);
        let starts: Vec<i32> = cut(&s, 8, -1).iter().map(|w| w.tokens[0]).collect();
        assert_eq!(starts, [0]);
        assert!(cut(&stream(30, |_| false), 8, -1).is_empty());
    }

    #[test]
    fn a_short_stream_is_padded_with_untrained_tokens() {
        let windows = cut(&stream(5, |_| true), 8, -1);
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].tokens, [0, 1, 2, 3, 4, -1, -1, -1, -1]);
        assert_eq!(windows[0].loss_tokens(), 4, "tokens 1..=4 as labels");
    }
}
