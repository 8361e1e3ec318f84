//! The index's analyzer: the review crate's tokenizer (alphanumeric runs, lowercased) plus accent folding,
//! used for documents, for query words and for the evaluator that highlights hits, so all three agree.

use review::query::{Pattern, Query};
use review::text::{Token, tokenize};
use unicode_normalization::UnicodeNormalization;

/// Longest term kept, in bytes; longer runs (base64, hex dumps) are cut at a character boundary so the
/// term dictionary stays small. Applied identically to documents and query words.
pub const MAX_TERM_BYTES: usize = 100;

/// The name the analyzer is registered under in every matter index.
pub const TOKENIZER_NAME: &str = "lawdesk_folded";

/// Folds one lowercased word: strips combining accents (`é` → `e`), expands a few letters that have no
/// decomposition (`ß` → `ss`, `æ` → `ae`, `ø` → `o`, `ł` → `l`), and cuts it to [`MAX_TERM_BYTES`].
/// Wildcard characters pass through untouched, so query patterns fold the same way.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    if word.is_ascii() {
        out.push_str(word);
    } else {
        for ch in word.nfd() {
            match ch {
                // Only the Latin/Greek/Cyrillic combining diacritics block: marks in other scripts
                // carry meaning (Devanagari vowel signs) and must stay.
                '\u{0300}'..='\u{036f}' => {}
                'ß' => out.push_str("ss"),
                'æ' => out.push_str("ae"),
                'œ' => out.push_str("oe"),
                'ø' => out.push('o'),
                'ł' => out.push('l'),
                'đ' => out.push('d'),
                'þ' => out.push_str("th"),
                'ı' => out.push('i'),
                other => out.push(other),
            }
        }
        if out.is_empty() {
            // A word of marks only: keep it as it was rather than index an empty term.
            out.push_str(word);
        }
    }
    if out.len() > MAX_TERM_BYTES {
        let mut cut = MAX_TERM_BYTES;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

/// Tokens of `text` with folded words and byte ranges into the original text.
pub fn analyze(text: &str) -> Vec<Token> {
    let mut tokens = tokenize(text);
    for token in &mut tokens {
        if !token.text.is_ascii() || token.text.len() > MAX_TERM_BYTES {
            token.text = fold(&token.text);
        }
    }
    tokens
}

/// Folds every word pattern of a parsed query, so `café` finds `cafe` and `Café`.
pub fn fold_query(query: &Query) -> Query {
    let pattern = |p: &Pattern| match p {
        Pattern::Exact(w) => Pattern::Exact(fold(w)),
        Pattern::Wildcard(w) => Pattern::Wildcard(fold(w)),
    };
    match query {
        Query::Term { field, pattern: p } => Query::Term { field: *field, pattern: pattern(p) },
        Query::Phrase { field, words } => {
            Query::Phrase { field: *field, words: words.iter().map(pattern).collect() }
        }
        Query::Date(range) => Query::Date(*range),
        Query::And(parts) => Query::And(parts.iter().map(fold_query).collect()),
        Query::Or(parts) => Query::Or(parts.iter().map(fold_query).collect()),
        Query::Not(inner) => Query::Not(Box::new(fold_query(inner))),
        Query::Near { left, right, distance, ordered } => Query::Near {
            left: Box::new(fold_query(left)),
            right: Box::new(fold_query(right)),
            distance: *distance,
            ordered: *ordered,
        },
    }
}

/// [`analyze`] as a tantivy tokenizer: positions are token indexes, exactly as the evaluator counts them.
#[derive(Debug, Clone, Default)]
pub struct FoldingTokenizer {
    token: tantivy::tokenizer::Token,
}

/// The tokens of one text, handed to tantivy one at a time.
pub struct FoldingTokenStream<'a> {
    tokens: std::vec::IntoIter<Token>,
    token: &'a mut tantivy::tokenizer::Token,
}

impl tantivy::tokenizer::Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldingTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldingTokenStream<'a> {
        self.token.reset();
        self.token.position = usize::MAX;
        FoldingTokenStream { tokens: analyze(text).into_iter(), token: &mut self.token }
    }
}

impl tantivy::tokenizer::TokenStream for FoldingTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(next) => {
                self.token.position = self.token.position.wrapping_add(1);
                self.token.offset_from = next.start;
                self.token.offset_to = next.end;
                self.token.text = next.text;
                self.token.position_length = 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    #[test]
    fn folds_accents_and_special_letters_but_keeps_wildcards() {
        assert_eq!(fold("café"), "cafe");
        assert_eq!(fold("straße"), "strasse");
        assert_eq!(fold("søren"), "soren");
        assert_eq!(fold("łódź"), "lodz");
        assert_eq!(fold("caf*"), "caf*");
        assert_eq!(fold("wöm?n"), "wom?n");
        assert_eq!(fold("हिन्दी"), "हिन्दी");
        assert_eq!(fold(&"x".repeat(150)).len(), MAX_TERM_BYTES);
    }

    #[test]
    fn tantivy_positions_are_token_indexes() {
        let mut tokenizer = FoldingTokenizer::default();
        let mut stream = tokenizer.token_stream("Crème brûlée, S.A. ");
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        assert_eq!(
            got,
            vec![
                ("creme".to_string(), 0, 0, 6),
                ("brulee".to_string(), 1, 7, 15),
                ("s".to_string(), 2, 17, 18),
                ("a".to_string(), 3, 19, 20),
            ]
        );
    }
}
