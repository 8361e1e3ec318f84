//! Time entries: hour rounding rules, running-timer math and billable / non-billable status.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::round_money;

/// Errors from time arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeError {
    #[error("timer stopped at {stop} before it started at {start}")]
    StopBeforeStart { start: DateTime<Utc>, stop: DateTime<Utc> },
    #[error("rounding increment must be positive, got {0}")]
    BadIncrement(Decimal),
    #[error("hours must not be negative, got {0}")]
    NegativeHours(Decimal),
}

/// Direction in which hours are rounded to the increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoundingMode {
    Up,
    Nearest,
    Down,
}

/// How recorded hours become billed hours, e.g. "round up to the next 0.1 hour".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundingRule {
    pub increment: Decimal,
    pub mode: RoundingMode,
}

impl Default for RoundingRule {
    /// The common law-firm convention: tenths of an hour, rounded up.
    fn default() -> Self {
        Self { increment: dec!(0.1), mode: RoundingMode::Up }
    }
}

impl RoundingRule {
    pub fn new(increment: Decimal, mode: RoundingMode) -> Result<Self, TimeError> {
        if increment <= Decimal::ZERO {
            return Err(TimeError::BadIncrement(increment));
        }
        Ok(Self { increment, mode })
    }

    /// Rounds non-negative hours to a multiple of the increment.
    pub fn apply(&self, hours: Decimal) -> Result<Decimal, TimeError> {
        if hours < Decimal::ZERO {
            return Err(TimeError::NegativeHours(hours));
        }
        if self.increment <= Decimal::ZERO {
            return Err(TimeError::BadIncrement(self.increment));
        }
        let steps = hours / self.increment;
        let whole_steps = match self.mode {
            RoundingMode::Up => steps.ceil(),
            RoundingMode::Down => steps.floor(),
            RoundingMode::Nearest => {
                steps.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            }
        };
        Ok((whole_steps * self.increment).normalize())
    }
}

/// Exact elapsed hours between a timer's start and stop (not yet rounded).
pub fn elapsed_hours(start: DateTime<Utc>, stop: DateTime<Utc>) -> Result<Decimal, TimeError> {
    if stop < start {
        return Err(TimeError::StopBeforeStart { start, stop });
    }
    let seconds = (stop - start).num_seconds();
    Ok(Decimal::from(seconds) / dec!(3600))
}

/// Elapsed time of a stopped timer, rounded by `rule` into billable hours.
pub fn timer_hours(
    start: DateTime<Utc>,
    stop: DateTime<Utc>,
    rule: &RoundingRule,
) -> Result<Decimal, TimeError> {
    rule.apply(elapsed_hours(start, stop)?)
}

/// Why a time entry is not billed; `Other` carries free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NonBillableReason {
    Administrative,
    ProBono,
    Training,
    BusinessDevelopment,
    NoCharge,
    Other(String),
}

/// Whether an entry is billed; a non-billable entry must say why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Billability {
    Billable,
    NonBillable { reason: NonBillableReason },
}

/// One recorded unit of a timekeeper's work on a matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub timekeeper_id: String,
    pub client_id: String,
    pub matter_id: String,
    pub date: NaiveDate,
    /// Hours as recorded (before rounding).
    pub hours: Decimal,
    pub task_code: Option<String>,
    pub activity_code: Option<String>,
    pub description: String,
    pub billability: Billability,
}

impl TimeEntry {
    pub fn is_billable(&self) -> bool {
        matches!(self.billability, Billability::Billable)
    }

    /// Hours that go on an invoice: rounded hours when billable, zero otherwise.
    pub fn billable_hours(&self, rule: &RoundingRule) -> Result<Decimal, TimeError> {
        if self.is_billable() { rule.apply(self.hours) } else { Ok(Decimal::ZERO) }
    }

    /// Money value of the entry at `rate`, in cents.
    pub fn value(&self, rule: &RoundingRule, rate: Decimal) -> Result<Decimal, TimeError> {
        Ok(round_money(self.billable_hours(rule)? * rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn rule(inc: Decimal, mode: RoundingMode) -> RoundingRule {
        RoundingRule::new(inc, mode).expect("valid increment")
    }

    #[test]
    fn rounds_to_tenths_and_quarters() {
        let up = rule(dec!(0.1), RoundingMode::Up);
        assert_eq!(up.apply(dec!(0.01)).unwrap(), dec!(0.1));
        assert_eq!(up.apply(dec!(0.1)).unwrap(), dec!(0.1));
        assert_eq!(up.apply(dec!(1.11)).unwrap(), dec!(1.2));
        assert_eq!(up.apply(Decimal::ZERO).unwrap(), Decimal::ZERO);
        let nearest = rule(dec!(0.25), RoundingMode::Nearest);
        assert_eq!(nearest.apply(dec!(1.12)).unwrap(), dec!(1.0));
        assert_eq!(nearest.apply(dec!(1.125)).unwrap(), dec!(1.25));
        let down = rule(dec!(0.25), RoundingMode::Down);
        assert_eq!(down.apply(dec!(1.49)).unwrap(), dec!(1.25));
        assert!(RoundingRule::new(Decimal::ZERO, RoundingMode::Up).is_err());
        assert!(up.apply(dec!(-1)).is_err());
    }

    #[test]
    fn timer_math_from_timestamps() {
        let start = Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap();
        let stop = Utc.with_ymd_and_hms(2024, 3, 1, 10, 7, 0).unwrap();
        assert_eq!(timer_hours(start, stop, &RoundingRule::default()).unwrap(), dec!(1.2));
        assert_eq!(
            timer_hours(start, stop, &rule(dec!(0.1), RoundingMode::Nearest)).unwrap(),
            dec!(1.1)
        );
        assert!(matches!(elapsed_hours(stop, start), Err(TimeError::StopBeforeStart { .. })));
    }

    #[test]
    fn non_billable_entries_carry_a_reason_and_bill_nothing() {
        let entry = TimeEntry {
            timekeeper_id: "TK1".into(),
            client_id: "C1".into(),
            matter_id: "M1".into(),
            date: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            hours: dec!(1.05),
            task_code: Some("L120".into()),
            activity_code: Some("A104".into()),
            description: "Internal training".into(),
            billability: Billability::NonBillable { reason: NonBillableReason::Training },
        };
        assert_eq!(entry.value(&RoundingRule::default(), dec!(300)).unwrap(), Decimal::ZERO);
        let billable = TimeEntry { billability: Billability::Billable, ..entry };
        assert_eq!(billable.value(&RoundingRule::default(), dec!(300)).unwrap(), dec!(330.00));
    }

    fn increments() -> impl Strategy<Value = Decimal> {
        prop_oneof![Just(dec!(0.1)), Just(dec!(0.25)), Just(dec!(0.5)), Just(dec!(1))]
    }

    fn modes() -> impl Strategy<Value = RoundingMode> {
        prop_oneof![Just(RoundingMode::Up), Just(RoundingMode::Nearest), Just(RoundingMode::Down)]
    }

    proptest! {
        #[test]
        fn rounding_is_a_stable_multiple_within_one_increment(
            minutes in 0u32..100_000, inc in increments(), mode in modes()
        ) {
            let hours = Decimal::from(minutes) / dec!(60);
            let r = rule(inc, mode);
            let rounded = r.apply(hours).unwrap();
            // A multiple of the increment…
            prop_assert_eq!((rounded / inc).fract(), Decimal::ZERO);
            // …that does not move again when rounded twice…
            prop_assert_eq!(r.apply(rounded).unwrap(), rounded);
            // …and is at most one increment away, in the promised direction.
            prop_assert!((rounded - hours).abs() <= inc);
            match mode {
                RoundingMode::Up => prop_assert!(rounded >= hours),
                RoundingMode::Down => prop_assert!(rounded <= hours),
                RoundingMode::Nearest => prop_assert!((rounded - hours).abs() * dec!(2) <= inc),
            }
        }
    }
}
