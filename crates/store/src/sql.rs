//! Small helpers for portable SQL: dynamic queries with numbered parameters, row decoding, and
//! the text encodings of timestamps, dates and decimals.

use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::Id;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

/// Timestamps are stored as fixed-width UTC text so they sort correctly as text on both backends.
pub fn ts(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

pub fn parse_id(s: &str) -> Result<Id> {
    Id::parse(s).map_err(|_| StoreError::Corrupt(format!("id {s:?}")))
}

pub fn opt_id(s: Option<String>) -> Result<Option<Id>> {
    s.as_deref().map(parse_id).transpose()
}

/// Typed column access with the column name in the error.
pub trait RowExt {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn flag(&self, col: &str) -> Result<bool>;
    fn id(&self, col: &str) -> Result<Id> {
        parse_id(&self.text(col)?)
    }
    fn time(&self, col: &str) -> Result<DateTime<Utc>> {
        parse_ts(&self.text(col)?)
    }
    fn strings(&self, col: &str) -> Result<Vec<String>> {
        serde_json::from_str(&self.text(col)?)
            .map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
    }
}

impl RowExt for AnyRow {
    fn text(&self, col: &str) -> Result<String> {
        self.try_get::<String, _>(col).map_err(StoreError::from)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        self.try_get::<Option<String>, _>(col).map_err(StoreError::from)
    }
    fn int(&self, col: &str) -> Result<i64> {
        self.try_get::<i64, _>(col).map_err(StoreError::from)
    }
    fn flag(&self, col: &str) -> Result<bool> {
        // Flags are BIGINT 0/1 on both backends.
        self.try_get::<i64, _>(col).map(|v| v != 0).map_err(StoreError::from)
    }
}

/// One bound value of a dynamically built query.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

/// A query under construction that numbers its parameters (`$1`, `$2`, …) as they are pushed.
#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql { text: text.to_string(), args: Vec::new() }
    }

    pub fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends a placeholder for `arg` and returns its text (to reuse the same number).
    pub fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        let p = format!("${}", self.args.len());
        self.text.push_str(&p);
        p
    }

    /// Registers `arg` without writing its placeholder; returns the placeholder to use (maybe
    /// several times) later in the text.
    pub fn param(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub fn bind_text(&mut self, value: impl Into<String>) -> String {
        self.bind(Arg::Text(value.into()))
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments> {
        // Safe: the text is built only from constant fragments and numbered placeholders.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.clone()));
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// A page request: 1-based page number and a bounded page size.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: u32,
    pub size: u32,
}

impl Default for Page {
    fn default() -> Self {
        Page { number: 1, size: 25 }
    }
}

impl Page {
    pub fn new(number: u32, size: u32) -> Page {
        Page { number: number.max(1), size: size.clamp(1, 200) }
    }

    pub fn push_limit(&self, sql: &mut Sql) {
        sql.push(" LIMIT ");
        sql.bind(Arg::Int(i64::from(self.size) + 1));
        sql.push(" OFFSET ");
        sql.bind(Arg::Int(i64::from(self.number - 1) * i64::from(self.size)));
    }

    /// Trims the extra probe row fetched by `push_limit`; returns whether there is a next page.
    pub fn finish<T>(&self, items: &mut Vec<T>) -> bool {
        let more = items.len() > self.size as usize;
        items.truncate(self.size as usize);
        more
    }
}

/// Escapes a user's text for a `LIKE … ESCAPE '\'` pattern, so `%` and `_` match themselves.
pub fn like_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
