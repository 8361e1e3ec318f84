//! The reviewer query language: a hand-written lexer and recursive-descent parser producing a [`Query`] AST.
//!
//! Syntax, loosest binding first (so `a OR b c w/3 d` is `a OR (b AND (c w/3 d))`):
//!
//! | precedence | syntax | meaning |
//! |---|---|---|
//! | 1 (loosest) | `a OR b` | either |
//! | 2 | `a AND b`, `a b` (implicit) | both |
//! | 3 | `NOT a`, `a AND NOT b`, `a NOT b` | negation |
//! | 4 (tightest) | `a w/N b`, `a pre/N b` | proximity: `w/N` within N words either order, `pre/N` `a` first |
//!
//! Operands: words (`contract`), wildcards (`licens*`, `wom?n`), "quoted phrases", parenthesized groups,
//! fielded terms and groups (`from:skilling`, `subject:"q3 forecast"`, `to:(lay OR skilling)`) on the fields
//! `from to cc bcc subject custodian filename body`, and dates (`date:[2001-01-01 TO 2001-06-30]`,
//! `date>=2001-05-01`, `date<2002-01-01`, `date:2001-05-01`, open ends as `*`). Operators are
//! case-insensitive; quote a word to search for it literally (`"not"`).
//!
//! Words are analyzed with [`crate::text::tokenize`], the same tokenizer used on documents, so
//! `ken.lay@enron.com` becomes the phrase `"ken lay enron com"`.
//!
//! Proximity is defined on word positions: `a w/N b` matches when at most N−1 words stand between
//! the two sides (so `w/1` means adjacent), and the two sides may not overlap. That is a span-near with
//! slop N−1 ([`Query::slop`]) and an ordered flag, which translates directly to a search engine's span
//! queries. For the same reason only terms, phrases, wildcards, OR groups and nested proximity may be
//! proximity operands: `(a AND b) w/5 c` is rejected with an error instead of being guessed at.

use std::fmt;

use chrono::NaiveDate;

/// A searchable field of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    From,
    To,
    Cc,
    Bcc,
    Subject,
    Custodian,
    Filename,
    Body,
}

impl Field {
    /// All fields, in the order they are listed to users.
    pub const ALL: [Field; 8] = [
        Field::From,
        Field::To,
        Field::Cc,
        Field::Bcc,
        Field::Subject,
        Field::Custodian,
        Field::Filename,
        Field::Body,
    ];

    /// The name used in queries (`from:`).
    pub fn name(self) -> &'static str {
        match self {
            Field::From => "from",
            Field::To => "to",
            Field::Cc => "cc",
            Field::Bcc => "bcc",
            Field::Subject => "subject",
            Field::Custodian => "custodian",
            Field::Filename => "filename",
            Field::Body => "body",
        }
    }

    /// Parses a field name, case-insensitively.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Whether an unfielded word searches this field. Custodian is review metadata, not document content,
    /// so a bare `smith` should not match every document collected from Smith.
    pub fn is_default(self) -> bool {
        self != Field::Custodian
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One analyzed word of a query: exact, or a wildcard pattern (`*` any run of characters, `?` exactly one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    Exact(String),
    Wildcard(String),
}

impl Pattern {
    /// Whether a (lowercased) document token matches this pattern.
    pub fn matches(&self, token: &str) -> bool {
        match self {
            Pattern::Exact(word) => word == token,
            Pattern::Wildcard(pattern) => wildcard_matches(pattern, token),
        }
    }

    /// The pattern text as written (lowercased).
    pub fn as_str(&self) -> &str {
        match self {
            Pattern::Exact(s) | Pattern::Wildcard(s) => s,
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Glob matching over characters with backtracking on the last `*`: linear in practice, no recursion.
fn wildcard_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// An inclusive range of calendar dates; `None` is an open end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| date >= from) && self.to.is_none_or(|to| date <= to)
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |d: Option<NaiveDate>| d.map_or_else(|| "*".to_string(), |d| d.to_string());
        write!(f, "date:[{} TO {}]", show(self.from), show(self.to))
    }
}

/// The parsed query. `field: None` means the default fields (see [`Field::is_default`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Term {
        field: Option<Field>,
        pattern: Pattern,
    },
    /// Consecutive words; each may be a wildcard.
    Phrase {
        field: Option<Field>,
        words: Vec<Pattern>,
    },
    Date(DateRange),
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
    /// Span-near: `distance` is the N of `w/N` / `pre/N`; `ordered` is true for `pre/N`.
    Near {
        left: Box<Query>,
        right: Box<Query>,
        distance: u32,
        ordered: bool,
    },
}

impl Query {
    /// For [`Query::Near`], the number of words allowed between the two sides (N−1), as span-near slop.
    pub fn slop(&self) -> Option<u32> {
        match self {
            Query::Near { distance, .. } => Some(distance.saturating_sub(1)),
            _ => None,
        }
    }

    /// Whether this query denotes positions in text (and so may be a proximity operand).
    pub fn is_span(&self) -> bool {
        match self {
            Query::Term { .. } | Query::Phrase { .. } | Query::Near { .. } => true,
            Query::Or(parts) => parts.iter().all(Query::is_span),
            Query::Date(_) | Query::And(_) | Query::Not(_) => false,
        }
    }

    /// Sets `field` on every unfielded term below (for `from:(a OR b)`).
    fn with_default_field(self, field: Field) -> Query {
        match self {
            Query::Term { field: None, pattern } => Query::Term { field: Some(field), pattern },
            Query::Phrase { field: None, words } => Query::Phrase { field: Some(field), words },
            Query::And(parts) => {
                Query::And(parts.into_iter().map(|q| q.with_default_field(field)).collect())
            }
            Query::Or(parts) => {
                Query::Or(parts.into_iter().map(|q| q.with_default_field(field)).collect())
            }
            Query::Not(inner) => Query::Not(Box::new(inner.with_default_field(field))),
            Query::Near { left, right, distance, ordered } => Query::Near {
                left: Box::new(left.with_default_field(field)),
                right: Box::new(right.with_default_field(field)),
                distance,
                ordered,
            },
            other => other,
        }
    }
}

/// Renders the AST as a compact s-expression, e.g. `(AND (OR price cost) (w/5 fix* set))`.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = |f: &mut fmt::Formatter<'_>, field: &Option<Field>| match field {
            Some(field) => write!(f, "{field}:"),
            None => Ok(()),
        };
        match self {
            Query::Term { field, pattern } => {
                prefix(f, field)?;
                write!(f, "{pattern}")
            }
            Query::Phrase { field, words } => {
                prefix(f, field)?;
                let words: Vec<&str> = words.iter().map(Pattern::as_str).collect();
                write!(f, "\"{}\"", words.join(" "))
            }
            Query::Date(range) => write!(f, "{range}"),
            Query::And(parts) | Query::Or(parts) => {
                f.write_str(if matches!(self, Query::And(_)) { "(AND" } else { "(OR" })?;
                for part in parts {
                    write!(f, " {part}")?;
                }
                f.write_str(")")
            }
            Query::Not(inner) => write!(f, "(NOT {inner})"),
            Query::Near { left, right, distance, ordered } => {
                let op = if *ordered { "pre" } else { "w" };
                write!(f, "({op}/{distance} {left} {right})")
            }
        }
    }
}

/// What is wrong with a query; the message is meant for the reviewer who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    #[error("empty query")]
    Empty,
    #[error("unbalanced parenthesis opened at {opened_at}")]
    UnclosedParen { opened_at: usize },
    #[error("closing parenthesis without a matching opening one")]
    UnexpectedCloseParen,
    #[error("empty parentheses")]
    EmptyGroup,
    #[error("unterminated quote opened at {opened_at}")]
    UnterminatedQuote { opened_at: usize },
    #[error("empty quotes")]
    EmptyPhrase,
    #[error("{op} needs a number, e.g. {op}5")]
    ProximityNeedsNumber { op: &'static str },
    #[error("{op} needs a term before it")]
    MissingLeftOperand { op: String },
    #[error("{op} needs a term after it")]
    MissingRightOperand { op: String },
    #[error(
        "{op} can only join words, phrases, wildcards, OR groups and other proximity searches, \
         not AND, NOT or dates"
    )]
    InvalidProximityOperand { op: String },
    #[error(
        "unknown field `{name}`; fields are from, to, cc, bcc, subject, custodian, filename, body and date"
    )]
    UnknownField { name: String },
    #[error("{field}: needs a value right after the colon, e.g. {field}:smith")]
    FieldNeedsValue { field: String },
    #[error("invalid date `{text}`, expected YYYY-MM-DD")]
    InvalidDate { text: String },
    #[error(
        "a date search looks like date:[2001-01-01 TO 2001-06-30], date>=2001-05-01 or date:2001-05-01"
    )]
    InvalidDateSyntax,
    #[error("the date range ends before it starts")]
    ReversedDateRange,
    #[error("`{text}` has no letters or digits to search for")]
    NothingToSearch { text: String },
    #[error("a wildcard needs at least one letter or digit beside it")]
    BareWildcard,
}

/// A malformed query: what is wrong and the byte offset in the query where it was noticed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at byte {offset})")]
pub struct ParseError {
    pub offset: usize,
    pub kind: ParseErrorKind,
}

/// Renders the query with a caret under the error position, for plain-text UIs and logs:
///
/// ```text
/// (price OR cost w/5 fix*
/// ^ unbalanced parenthesis opened at 0
/// ```
pub fn render_caret(query: &str, err: &ParseError) -> String {
    // Columns count characters, not bytes, so the caret lines up under non-ASCII text too.
    let offset = err.offset.min(query.len());
    let column = query.char_indices().take_while(|(at, _)| *at < offset).count();
    let line = query.replace(['\n', '\r', '\t'], " ");
    format!("{line}\n{}^ {}", " ".repeat(column), err.kind)
}

/// Parses a reviewer query.
pub fn parse(input: &str) -> Result<Query, ParseError> {
    let tokens = lex(input)?;
    let mut parser = Parser { tokens, pos: 0 };
    if parser.tokens.is_empty() {
        return Err(ParseError { offset: 0, kind: ParseErrorKind::Empty });
    }
    let query = parser.parse_or()?;
    match parser.peek() {
        None => Ok(query),
        Some(tok) => Err(match &tok.kind {
            TokKind::RParen => {
                ParseError { offset: tok.start, kind: ParseErrorKind::UnexpectedCloseParen }
            }
            // parse_or only stops early on a closing parenthesis; anything else is a parser bug, but a
            // reviewer should still get a message rather than a panic.
            _ => ParseError {
                offset: tok.start,
                kind: ParseErrorKind::MissingLeftOperand { op: tok.describe() },
            },
        }),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum TokKind {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Near { distance: u32, ordered: bool },
    Word(String),
    Quoted(String),
    Field(Field),
    Date(DateRange),
}

#[derive(Debug, Clone)]
struct Tok {
    kind: TokKind,
    start: usize,
    end: usize,
}

impl Tok {
    fn describe(&self) -> String {
        match &self.kind {
            TokKind::LParen => "(".into(),
            TokKind::RParen => ")".into(),
            TokKind::And => "AND".into(),
            TokKind::Or => "OR".into(),
            TokKind::Not => "NOT".into(),
            TokKind::Near { distance, ordered } => {
                format!("{}/{distance}", if *ordered { "pre" } else { "w" })
            }
            TokKind::Word(w) => w.clone(),
            TokKind::Quoted(q) => format!("\"{q}\""),
            TokKind::Field(f) => format!("{f}:"),
            TokKind::Date(d) => d.to_string(),
        }
    }

    fn starts_operand(&self) -> bool {
        matches!(
            self.kind,
            TokKind::LParen
                | TokKind::Not
                | TokKind::Word(_)
                | TokKind::Quoted(_)
                | TokKind::Field(_)
                | TokKind::Date(_)
        )
    }
}

fn is_word_break(ch: char) -> bool {
    ch.is_whitespace() || matches!(ch, '(' | ')' | '"')
}

fn lex(input: &str) -> Result<Vec<Tok>, ParseError> {
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < input.len() {
        let rest = &input[at..];
        let ch = rest.chars().next().expect("at < len, so a char follows");
        if ch.is_whitespace() {
            at += ch.len_utf8();
            continue;
        }
        match ch {
            '(' | ')' => {
                let kind = if ch == '(' { TokKind::LParen } else { TokKind::RParen };
                tokens.push(Tok { kind, start: at, end: at + 1 });
                at += 1;
            }
            '"' => {
                let close = rest[1..].find('"').ok_or(ParseError {
                    offset: at,
                    kind: ParseErrorKind::UnterminatedQuote { opened_at: at },
                })?;
                let end = at + 1 + close + 1;
                tokens.push(Tok {
                    kind: TokKind::Quoted(rest[1..1 + close].to_string()),
                    start: at,
                    end,
                });
                at = end;
            }
            _ => {
                if let Some((range, len)) = lex_date(rest, at)? {
                    tokens.push(Tok { kind: TokKind::Date(range), start: at, end: at + len });
                    at += len;
                    continue;
                }
                let len = rest.find(is_word_break).unwrap_or(rest.len());
                lex_word(&rest[..len], at, &mut tokens)?;
                at += len;
            }
        }
    }
    Ok(tokens)
}

/// Classifies one whitespace-delimited word: operator, proximity, field prefix or search word.
fn lex_word(word: &str, start: usize, tokens: &mut Vec<Tok>) -> Result<(), ParseError> {
    let end = start + word.len();
    let simple = |kind| Tok { kind, start, end };
    let lower = word.to_lowercase();
    match lower.as_str() {
        "and" | "&&" => tokens.push(simple(TokKind::And)),
        "or" | "||" => tokens.push(simple(TokKind::Or)),
        "not" => tokens.push(simple(TokKind::Not)),
        _ => {
            for (prefix, ordered, op) in [("w/", false, "w/"), ("pre/", true, "pre/")] {
                if let Some(number) = lower.strip_prefix(prefix) {
                    let distance =
                        number.parse::<u32>().ok().filter(|n| *n > 0).ok_or(ParseError {
                            offset: start,
                            kind: ParseErrorKind::ProximityNeedsNumber { op },
                        })?;
                    tokens.push(simple(TokKind::Near { distance, ordered }));
                    return Ok(());
                }
            }
            if let Some(colon) = word.find(':') {
                let name = &word[..colon];
                if let Some(field) = Field::from_name(name) {
                    tokens.push(Tok { kind: TokKind::Field(field), start, end: start + colon + 1 });
                    let value = &word[colon + 1..];
                    if !value.is_empty() {
                        tokens.push(Tok {
                            kind: TokKind::Word(value.to_string()),
                            start: start + colon + 1,
                            end,
                        });
                    }
                    return Ok(());
                }
                // A letters-only prefix is almost surely a mistyped field (`form:`); anything else (`10:30`)
                // is ordinary text that the tokenizer splits.
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()) {
                    return Err(ParseError {
                        offset: start,
                        kind: ParseErrorKind::UnknownField { name: name.to_string() },
                    });
                }
            }
            tokens.push(simple(TokKind::Word(word.to_string())));
        }
    }
    Ok(())
}

/// Lexes `date:[a TO b]`, `date:d`, `date>=d`, `date>d`, `date<=d`, `date<d` at the start of `rest`.
/// Returns the range and the number of bytes consumed, or `None` when `rest` is not a date search.
fn lex_date(rest: &str, start: usize) -> Result<Option<(DateRange, usize)>, ParseError> {
    if rest.len() < 5 || !rest.is_char_boundary(4) || !rest[..4].eq_ignore_ascii_case("date") {
        return Ok(None);
    }
    let after = &rest[4..];
    let bad_syntax = ParseError { offset: start, kind: ParseErrorKind::InvalidDateSyntax };
    if let Some(body) = after.strip_prefix(":[") {
        let close = body.find(']').ok_or(bad_syntax.clone())?;
        let inner = &body[..close];
        let parts: Vec<&str> = inner.split_whitespace().collect();
        let [from, to_kw, to] = parts[..] else {
            return Err(bad_syntax);
        };
        if !to_kw.eq_ignore_ascii_case("to") {
            return Err(bad_syntax);
        }
        // Offsets of each bound, so a bad date gets its own caret.
        let inner_start = start + 6;
        let offset_of =
            |part: &str| inner_start + (part.as_ptr() as usize - inner.as_ptr() as usize);
        let from_date = parse_bound(from, offset_of(from))?;
        let to_date = parse_bound(to, offset_of(to))?;
        if let (Some(a), Some(b)) = (from_date, to_date)
            && b < a
        {
            return Err(ParseError { offset: start, kind: ParseErrorKind::ReversedDateRange });
        }
        let consumed = 4 + 2 + close + 1;
        return Ok(Some((DateRange { from: from_date, to: to_date }, consumed)));
    }
    let ops = [(">=", 2), ("<=", 2), (">", 1), ("<", 1), (":", 1), ("=", 1)];
    let Some((op, op_len)) = ops.into_iter().find(|(op, _)| after.starts_with(op)) else {
        return Ok(None);
    };
    let value_start = 4 + op_len;
    let value_len = rest[value_start..].find(is_word_break).unwrap_or(rest.len() - value_start);
    let value = &rest[value_start..value_start + value_len];
    if value.is_empty() {
        return Err(bad_syntax);
    }
    let date = parse_date(value, start + value_start)?;
    let day = chrono::Days::new(1);
    let range = match op {
        ">=" => DateRange { from: Some(date), to: None },
        ">" => DateRange { from: date.checked_add_days(day), to: None },
        "<=" => DateRange { from: None, to: Some(date) },
        "<" => DateRange { from: None, to: date.checked_sub_days(day) },
        _ => DateRange { from: Some(date), to: Some(date) },
    };
    Ok(Some((range, value_start + value_len)))
}

fn parse_bound(text: &str, offset: usize) -> Result<Option<NaiveDate>, ParseError> {
    if text == "*" { Ok(None) } else { parse_date(text, offset).map(Some) }
}

fn parse_date(text: &str, offset: usize) -> Result<NaiveDate, ParseError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ParseError {
        offset,
        kind: ParseErrorKind::InvalidDate { text: text.to_string() },
    })
}

/// Analyzes a query word or phrase into patterns with the document tokenizer's rules, keeping `*` and `?`.
fn analyze(text: &str, offset: usize) -> Result<Vec<Pattern>, ParseError> {
    let mut patterns = Vec::new();
    for piece in text.split(|c: char| !(c.is_alphanumeric() || c == '*' || c == '?')) {
        if piece.is_empty() {
            continue;
        }
        let lower = piece.to_lowercase();
        if lower.contains(['*', '?']) {
            if !lower.chars().any(char::is_alphanumeric) {
                return Err(ParseError { offset, kind: ParseErrorKind::BareWildcard });
            }
            patterns.push(Pattern::Wildcard(lower));
        } else {
            patterns.push(Pattern::Exact(lower));
        }
    }
    Ok(patterns)
}

fn words_query(field: Option<Field>, mut words: Vec<Pattern>) -> Query {
    if words.len() == 1 {
        let pattern = words.pop().expect("length checked");
        Query::Term { field, pattern }
    } else {
        Query::Phrase { field, words }
    }
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let tok = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        tok
    }

    /// After a binary or prefix operator, the next token must start an operand.
    fn expect_operand_after(&self, op: &Tok) -> Result<(), ParseError> {
        match self.peek() {
            Some(tok) if tok.starts_operand() => Ok(()),
            _ => Err(ParseError {
                offset: op.start,
                kind: ParseErrorKind::MissingRightOperand { op: op.describe() },
            }),
        }
    }

    fn parse_or(&mut self) -> Result<Query, ParseError> {
        let mut parts = vec![self.parse_and()?];
        while let Some(tok) = self.peek().filter(|t| t.kind == TokKind::Or).cloned() {
            self.pos += 1;
            self.expect_operand_after(&tok)?;
            parts.push(self.parse_and()?);
        }
        Ok(flatten(parts, Query::Or))
    }

    fn parse_and(&mut self) -> Result<Query, ParseError> {
        let mut parts = vec![self.parse_unary()?];
        loop {
            match self.peek().cloned() {
                Some(tok) if tok.kind == TokKind::And => {
                    self.pos += 1;
                    self.expect_operand_after(&tok)?;
                    parts.push(self.parse_unary()?);
                }
                Some(tok) if tok.starts_operand() => parts.push(self.parse_unary()?),
                _ => break,
            }
        }
        Ok(flatten(parts, Query::And))
    }

    fn parse_unary(&mut self) -> Result<Query, ParseError> {
        match self.peek().cloned() {
            Some(tok) if tok.kind == TokKind::Not => {
                self.pos += 1;
                self.expect_operand_after(&tok)?;
                Ok(Query::Not(Box::new(self.parse_unary()?)))
            }
            _ => self.parse_near(),
        }
    }

    fn parse_near(&mut self) -> Result<Query, ParseError> {
        let left_start = self.peek().map_or(0, |t| t.start);
        let mut left = self.parse_primary()?;
        while let Some(tok) = self.peek().cloned() {
            let TokKind::Near { distance, ordered } = tok.kind else {
                break;
            };
            self.pos += 1;
            let invalid = |offset| ParseError {
                offset,
                kind: ParseErrorKind::InvalidProximityOperand { op: tok.describe() },
            };
            if !left.is_span() {
                return Err(invalid(left_start));
            }
            // NOT after w/5 would parse as an operand start but can never be a span: say so precisely.
            self.expect_operand_after(&tok)?;
            let right_start = self.peek().map_or(tok.end, |t| t.start);
            if self.peek().is_some_and(|t| t.kind == TokKind::Not) {
                return Err(invalid(right_start));
            }
            let right = self.parse_primary()?;
            if !right.is_span() {
                return Err(invalid(right_start));
            }
            left = Query::Near { left: Box::new(left), right: Box::new(right), distance, ordered };
        }
        Ok(left)
    }

    fn parse_primary(&mut self) -> Result<Query, ParseError> {
        let Some(tok) = self.next() else {
            // Callers check for an operand first; reaching the end here means an empty input slipped by.
            return Err(ParseError {
                offset: self.tokens.last().map_or(0, |t| t.end),
                kind: ParseErrorKind::Empty,
            });
        };
        match tok.kind.clone() {
            TokKind::Word(word) => self.word(None, &word, tok.start),
            TokKind::Quoted(text) => self.phrase(None, &text, tok.start),
            TokKind::Date(range) => Ok(Query::Date(range)),
            TokKind::LParen => self.group(&tok),
            TokKind::Field(field) => {
                let needs_value = ParseError {
                    offset: tok.start,
                    kind: ParseErrorKind::FieldNeedsValue { field: field.name().to_string() },
                };
                // The value must touch the colon: `from: smith` is more likely a typo than a search.
                let value = self
                    .peek()
                    .filter(|t| t.start == tok.end)
                    .cloned()
                    .ok_or(needs_value.clone())?;
                self.pos += 1;
                match value.kind {
                    TokKind::Word(word) => self.word(Some(field), &word, value.start),
                    TokKind::Quoted(text) => self.phrase(Some(field), &text, value.start),
                    TokKind::LParen => Ok(self.group(&value)?.with_default_field(field)),
                    _ => Err(needs_value),
                }
            }
            TokKind::RParen => {
                Err(ParseError { offset: tok.start, kind: ParseErrorKind::UnexpectedCloseParen })
            }
            TokKind::And | TokKind::Or | TokKind::Near { .. } | TokKind::Not => Err(ParseError {
                offset: tok.start,
                kind: ParseErrorKind::MissingLeftOperand { op: tok.describe() },
            }),
        }
    }

    fn group(&mut self, open: &Tok) -> Result<Query, ParseError> {
        let unclosed = ParseError {
            offset: open.start,
            kind: ParseErrorKind::UnclosedParen { opened_at: open.start },
        };
        if self.peek().is_none() {
            return Err(unclosed);
        }
        if self.peek().is_some_and(|t| t.kind == TokKind::RParen) {
            return Err(ParseError { offset: open.start, kind: ParseErrorKind::EmptyGroup });
        }
        let inner = self.parse_or()?;
        match self.next() {
            Some(tok) if tok.kind == TokKind::RParen => Ok(inner),
            _ => Err(unclosed),
        }
    }

    fn word(&self, field: Option<Field>, word: &str, offset: usize) -> Result<Query, ParseError> {
        let words = analyze(word, offset)?;
        if words.is_empty() {
            return Err(ParseError {
                offset,
                kind: ParseErrorKind::NothingToSearch { text: word.to_string() },
            });
        }
        Ok(words_query(field, words))
    }

    fn phrase(&self, field: Option<Field>, text: &str, offset: usize) -> Result<Query, ParseError> {
        let words = analyze(text, offset)?;
        if words.is_empty() {
            return Err(ParseError { offset, kind: ParseErrorKind::EmptyPhrase });
        }
        Ok(words_query(field, words))
    }
}

/// Builds an n-ary AND/OR, merging nested nodes of the same kind so `a AND (b AND c)` is one flat list.
fn flatten(parts: Vec<Query>, make: fn(Vec<Query>) -> Query) -> Query {
    if parts.len() == 1 {
        return parts.into_iter().next().expect("length checked");
    }
    let is_and = matches!(make(Vec::new()), Query::And(_));
    let mut flat = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            Query::And(inner) if is_and => flat.extend(inner),
            Query::Or(inner) if !is_and => flat.extend(inner),
            other => flat.push(other),
        }
    }
    make(flat)
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(query: &str, expected: Expect) {
        let got = match parse(query) {
            Ok(q) => q.to_string(),
            Err(err) => format!("error:\n{}", render_caret(query, &err)),
        };
        expected.assert_eq(&got);
    }

    #[test]
    fn terms_and_booleans() {
        check("contract", expect![[r#"contract"#]]);
        check("Price cost", expect![[r#"(AND price cost)"#]]);
        check("price AND cost", expect![[r#"(AND price cost)"#]]);
        check("price and cost or fee", expect![[r#"(OR (AND price cost) fee)"#]]);
        check("a OR b AND c", expect![[r#"(OR a (AND b c))"#]]);
        check("a OR b OR c", expect![[r#"(OR a b c)"#]]);
        check("a AND (b AND c)", expect![[r#"(AND a b c)"#]]);
        check("(a OR b) c", expect![[r#"(AND (OR a b) c)"#]]);
        check("NOT a", expect![[r#"(NOT a)"#]]);
        check("a AND NOT b", expect![[r#"(AND a (NOT b))"#]]);
        check("a NOT b", expect![[r#"(AND a (NOT b))"#]]);
        check("NOT NOT a", expect![[r#"(NOT (NOT a))"#]]);
        check("NOT a OR b", expect![[r#"(OR (NOT a) b)"#]]);
    }

    #[test]
    fn phrases_wildcards_and_analysis() {
        check(r#""Raptor  Vehicle""#, expect![[r#""raptor vehicle""#]]);
        check(r#""licens* agreement""#, expect![[r#""licens* agreement""#]]);
        check("licens* wom?n", expect![[r#"(AND licens* wom?n)"#]]);
        check("ken.lay@enron.com", expect![[r#""ken lay enron com""#]]);
        check("10:30", expect![[r#""10 30""#]]);
        check(r#""to be or not""#, expect![[r#""to be or not""#]]);
    }

    #[test]
    fn fields() {
        check("from:skilling", expect![[r#"from:skilling"#]]);
        check("FROM:Skilling to:lay", expect![[r#"(AND from:skilling to:lay)"#]]);
        check(r#"subject:"q3 forecast""#, expect![[r#"subject:"q3 forecast""#]]);
        check("from:jeff.skilling@enron.com", expect![[r#"from:"jeff skilling enron com""#]]);
        check(
            "cc:(lay OR body:fastow) custodian:bailey-s filename:budget*.xls",
            expect![[
                r#"(AND (OR cc:lay body:fastow) custodian:"bailey s" filename:"budget* xls")"#
            ]],
        );
    }

    #[test]
    fn dates() {
        check("date:[2001-01-01 TO 2001-06-30]", expect![[r#"date:[2001-01-01 TO 2001-06-30]"#]]);
        check("date:[* to 2001-06-30] enron", expect![[r#"(AND date:[* TO 2001-06-30] enron)"#]]);
        check("date>=2001-05-01", expect![[r#"date:[2001-05-01 TO *]"#]]);
        check("date>2001-05-01", expect![[r#"date:[2001-05-02 TO *]"#]]);
        check("date<2001-03-01", expect![[r#"date:[* TO 2001-02-28]"#]]);
        check("date<=2001-03-01", expect![[r#"date:[* TO 2001-03-01]"#]]);
        check("date:2001-03-01", expect![[r#"date:[2001-03-01 TO 2001-03-01]"#]]);
        check("dated OR dates", expect![[r#"(OR dated dates)"#]]);
    }

    #[test]
    fn proximity() {
        check("price w/5 fix", expect![[r#"(w/5 price fix)"#]]);
        check("price PRE/3 fix*", expect![[r#"(pre/3 price fix*)"#]]);
        check(
            "(price OR cost) w/5 (fix* OR set)",
            expect![[r#"(w/5 (OR price cost) (OR fix* set))"#]],
        );
        check(r#""side letter" w/10 raptor"#, expect![[r#"(w/10 "side letter" raptor)"#]]);
        check("a w/2 b pre/3 c", expect![[r#"(pre/3 (w/2 a b) c)"#]]);
        check("a w/2 b c", expect![[r#"(AND (w/2 a b) c)"#]]);
        check("NOT a w/2 b", expect![[r#"(NOT (w/2 a b))"#]]);
        check("x OR a w/2 b", expect![[r#"(OR x (w/2 a b))"#]]);
        check("subject:(price w/3 fix)", expect![[r#"(w/3 subject:price subject:fix)"#]]);
        assert_eq!(parse("a w/1 b").expect("valid").slop(), Some(0));
    }

    #[test]
    fn errors() {
        check(
            "(price OR cost w/5 fix*",
            expect![[r#"
                error:
                (price OR cost w/5 fix*
                ^ unbalanced parenthesis opened at 0"#]],
        );
        check(
            "enron AND (price OR (cost)",
            expect![[r#"
                error:
                enron AND (price OR (cost)
                          ^ unbalanced parenthesis opened at 10"#]],
        );
        check(
            "price)",
            expect![[r#"
                error:
                price)
                     ^ closing parenthesis without a matching opening one"#]],
        );
        check(
            "price w/ fix",
            expect![[r#"
                error:
                price w/ fix
                      ^ w/ needs a number, e.g. w/5"#]],
        );
        check(
            "price pre/x fix",
            expect![[r#"
                error:
                price pre/x fix
                      ^ pre/ needs a number, e.g. pre/5"#]],
        );
        check(
            "price w/0 fix",
            expect![[r#"
                error:
                price w/0 fix
                      ^ w/ needs a number, e.g. w/5"#]],
        );
        check(
            "price AND",
            expect![[r#"
                error:
                price AND
                      ^ AND needs a term after it"#]],
        );
        check(
            "OR price",
            expect![[r#"
                error:
                OR price
                ^ OR needs a term before it"#]],
        );
        check(
            "w/5 price",
            expect![[r#"
                error:
                w/5 price
                ^ w/5 needs a term before it"#]],
        );
        check(
            "price w/5",
            expect![[r#"
                error:
                price w/5
                      ^ w/5 needs a term after it"#]],
        );
        check(
            "(a AND b) w/5 c",
            expect![[r#"
                error:
                (a AND b) w/5 c
                ^ w/5 can only join words, phrases, wildcards, OR groups and other proximity searches, not AND, NOT or dates"#]],
        );
        check(
            "c w/5 NOT d",
            expect![[r#"
                error:
                c w/5 NOT d
                      ^ w/5 can only join words, phrases, wildcards, OR groups and other proximity searches, not AND, NOT or dates"#]],
        );
        check(
            r#"subject:"q3 forecast"#,
            expect![[r#"
                error:
                subject:"q3 forecast
                        ^ unterminated quote opened at 8"#]],
        );
        check(
            "form:skilling",
            expect![[r#"
                error:
                form:skilling
                ^ unknown field `form`; fields are from, to, cc, bcc, subject, custodian, filename, body and date"#]],
        );
        check(
            "from: skilling",
            expect![[r#"
                error:
                from: skilling
                ^ from: needs a value right after the colon, e.g. from:smith"#]],
        );
        check(
            "date:[2001-13-01 TO 2001-06-30]",
            expect![[r#"
                error:
                date:[2001-13-01 TO 2001-06-30]
                      ^ invalid date `2001-13-01`, expected YYYY-MM-DD"#]],
        );
        check(
            "date:[2001-01-01 TO 2001-06-3x]",
            expect![[r#"
                error:
                date:[2001-01-01 TO 2001-06-3x]
                                    ^ invalid date `2001-06-3x`, expected YYYY-MM-DD"#]],
        );
        check(
            "date:[2001-01-01 2001-06-30]",
            expect![[r#"
                error:
                date:[2001-01-01 2001-06-30]
                ^ a date search looks like date:[2001-01-01 TO 2001-06-30], date>=2001-05-01 or date:2001-05-01"#]],
        );
        check(
            "date:[2001-06-30 TO 2001-01-01]",
            expect![[r#"
                error:
                date:[2001-06-30 TO 2001-01-01]
                ^ the date range ends before it starts"#]],
        );
        check(
            "a () b",
            expect![[r#"
                error:
                a () b
                  ^ empty parentheses"#]],
        );
        check(
            r#"a "" b"#,
            expect![[r#"
                error:
                a "" b
                  ^ empty quotes"#]],
        );
        check(
            "price * fix",
            expect![[r#"
                error:
                price * fix
                      ^ a wildcard needs at least one letter or digit beside it"#]],
        );
        check(
            "price --- fix",
            expect![[r#"
                error:
                price --- fix
                      ^ `---` has no letters or digits to search for"#]],
        );
        assert_eq!(parse("   ").expect_err("blank").kind, ParseErrorKind::Empty);
        check(
            "größe (",
            expect![[r#"
                error:
                größe (
                      ^ unbalanced parenthesis opened at 8"#]],
        );
    }

    #[test]
    fn wildcard_matching() {
        assert!(Pattern::Wildcard("licens*".into()).matches("license"));
        assert!(Pattern::Wildcard("licens*".into()).matches("licens"));
        assert!(!Pattern::Wildcard("licens*".into()).matches("licence"));
        assert!(Pattern::Wildcard("wom?n".into()).matches("women"));
        assert!(!Pattern::Wildcard("wom?n".into()).matches("womn"));
        assert!(Pattern::Wildcard("*ing".into()).matches("pricing"));
        assert!(Pattern::Wildcard("a*b*c".into()).matches("axxbyybc"));
        assert!(!Pattern::Wildcard("a*b*c".into()).matches("axxbyyb"));
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics(input in "\\PC{0,40}") {
            let _ = parse(&input).map_err(|err| render_caret(&input, &err));
        }

        #[test]
        fn parser_never_panics_on_query_like_input(
            input in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "b*", "\"x y\"", "\"", "(", ")", "AND", "OR", "NOT", "w/3", "pre/2", "w/", "from:",
                    "from:a", "date:[2001-01-01 TO 2001-02-01]", "date>=2001-01-01", "date:[", " ", "é",
                ]),
                0..12,
            )
        ) {
            let input = input.join(" ");
            match parse(&input) {
                Ok(query) => proptest::prop_assert!(!query.to_string().is_empty()),
                Err(err) => proptest::prop_assert!(err.offset <= input.len()),
            }
        }
    }
}
