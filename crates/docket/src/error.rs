//! The one error type of the docket crate.

use chrono::NaiveDate;

/// Everything that can go wrong while loading rules or computing deadlines.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocketError {
    #[error("unknown rule set {0:?}")]
    UnknownRuleSet(String),
    #[error("rule set {name:?} is not in effect on {date} (earliest version starts {earliest})")]
    RuleSetNotInEffect { name: String, date: NaiveDate, earliest: NaiveDate },
    #[error("unknown trigger {trigger:?} in rule set {rule_set:?}; known triggers: {known}")]
    UnknownTrigger { rule_set: String, trigger: String, known: String },
    #[error("invalid rule data in {source_name}: {message}")]
    InvalidRules { source_name: String, message: String },
    #[error("unknown time unit {0:?} (expected days, court days, hours, weeks, months or years)")]
    UnknownUnit(String),
    #[error("unknown direction {0:?} (expected before or after)")]
    UnknownDirection(String),
    #[error(
        "unknown service method {0:?} (expected electronic, mail, personal, clerk, consented or none)"
    )]
    UnknownService(String),
    #[error("an hour period needs a trigger time, not only a date")]
    HoursNeedTime,
    #[error("date {0} is outside the supported range (years 1971 to 2199)")]
    DateOutOfRange(NaiveDate),
    #[error("local time {time} does not exist in time zone {zone} (daylight-saving gap)")]
    NonexistentLocalTime { time: String, zone: String },
    #[error("an override needs a non-empty reason")]
    EmptyOverrideReason,
    #[error("invalid court calendar data: {0}")]
    InvalidCalendar(String),
}
