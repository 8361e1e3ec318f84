//! Tokenization shared by the query parser, the evaluator and near-duplicate detection.
//!
//! One tokenizer everywhere, so a query word is analyzed exactly like the document words it must match:
//! a token is a maximal run of alphanumeric characters, lowercased.

/// A word of a text, lowercased, with its byte range in the original text (for highlighting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Splits `text` into lowercased alphanumeric tokens with their byte ranges.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current: Option<usize> = None;
    for (at, ch) in text.char_indices() {
        match (ch.is_alphanumeric(), current) {
            (true, None) => current = Some(at),
            (false, Some(start)) => {
                tokens.push(make_token(text, start, at));
                current = None;
            }
            _ => {}
        }
    }
    if let Some(start) = current {
        tokens.push(make_token(text, start, text.len()));
    }
    tokens
}

fn make_token(text: &str, start: usize, end: usize) -> Token {
    Token { text: text[start..end].to_lowercase(), start, end }
}

/// The lowercased words of `text`, without positions.
pub fn words(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.text).collect()
}

/// Collapses every run of whitespace to one space and trims the ends.
pub fn fold_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_byte_ranges_and_lowercase() {
        let toks = tokenize("Ünïcode, KEN.lay@enron.com!");
        let got: Vec<_> = toks.iter().map(|t| (t.text.as_str(), t.start, t.end)).collect();
        assert_eq!(
            got,
            vec![
                ("ünïcode", 0, 9),
                ("ken", 11, 14),
                ("lay", 15, 18),
                ("enron", 19, 24),
                ("com", 25, 28)
            ]
        );
    }

    #[test]
    fn whitespace_folds() {
        assert_eq!(fold_whitespace("  a \t b\n\nc "), "a b c");
    }
}
