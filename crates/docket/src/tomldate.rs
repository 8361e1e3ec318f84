//! Reads dates from TOML whether written as date literals (`2026-06-12`) or strings (`"2026-06-12"`).

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, de::Error};

fn parse(value: toml::Value) -> Result<NaiveDate, String> {
    let text = match value {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s,
        other => return Err(format!("expected a date, found {}", other.type_str())),
    };
    text.parse::<NaiveDate>().map_err(|e| format!("invalid date {text:?}: {e}"))
}

pub fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    parse(toml::Value::deserialize(deserializer)?).map_err(D::Error::custom)
}

pub fn optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<toml::Value>::deserialize(deserializer)? {
        Some(value) => parse(value).map(Some).map_err(D::Error::custom),
        None => Ok(None),
    }
}
