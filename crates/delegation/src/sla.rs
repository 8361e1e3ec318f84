//! Service levels: breach prediction from throughput so far, seeded QC sampling, error rates and rework decisions.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

/// Per-engagement service level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sla {
    pub turnaround: TurnaroundDays,
    /// Highest acceptable error rate in QC samples, e.g. 0.02 for 2 %.
    pub max_error_rate: Decimal,
    /// Share of completed units to QC, e.g. 0.05 for 5 %.
    pub qc_sample_rate: Decimal,
}

/// Calendar days from assignment to due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnaroundDays(pub u32);

impl Sla {
    pub fn due(&self, assigned_at: DateTime<Utc>) -> DateTime<Utc> {
        assigned_at + Duration::days(self.turnaround.0.into())
    }
}

/// Cumulative units completed at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressSample {
    pub at: DateTime<Utc>,
    pub completed: u64,
}

/// Errors in breach prediction input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error("no progress samples")]
    NoSamples,
    #[error("progress samples must be in time order with non-decreasing counts")]
    UnorderedSamples,
}

/// The forecast for an engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BreachForecast {
    Complete,
    /// Projected to finish on time.
    OnTrack {
        projected_finish: DateTime<Utc>,
        units_per_day: Decimal,
    },
    /// Projected to finish after the due date: flag it now, before it happens.
    AtRisk {
        projected_finish: DateTime<Utc>,
        late_by_hours: i64,
        units_per_day: Decimal,
    },
    /// No progress measured yet, so no projection; breaches if nothing changes.
    Stalled,
    /// Already past due and not complete.
    Breached,
}

impl BreachForecast {
    pub fn flags_breach(&self) -> bool {
        matches!(
            self,
            BreachForecast::AtRisk { .. } | BreachForecast::Stalled | BreachForecast::Breached
        )
    }
}

/// Project the finish from the throughput between the first and last samples (so a warm-up or a burst does not
/// dominate) and compare it with the due date.
pub fn predict_breach(
    samples: &[ProgressSample],
    total_units: u64,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<BreachForecast, SlaError> {
    let (first, last) = match (samples.first(), samples.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => return Err(SlaError::NoSamples),
    };
    if samples.windows(2).any(|w| w[1].at < w[0].at || w[1].completed < w[0].completed) {
        return Err(SlaError::UnorderedSamples);
    }
    if last.completed >= total_units {
        return Ok(BreachForecast::Complete);
    }
    if now > due {
        return Ok(BreachForecast::Breached);
    }
    let elapsed_seconds = (last.at - first.at).num_seconds();
    let done = last.completed - first.completed;
    if elapsed_seconds <= 0 || done == 0 {
        return Ok(BreachForecast::Stalled);
    }
    let per_second = Decimal::from(done) / Decimal::from(elapsed_seconds);
    let remaining = Decimal::from(total_units - last.completed);
    // Capped at a century so absurdly slow throughput cannot overflow the date arithmetic.
    const CENTURY_SECONDS: i64 = 100 * 366 * 86_400;
    let seconds_left =
        (remaining / per_second).ceil().to_i64().unwrap_or(CENTURY_SECONDS).min(CENTURY_SECONDS);
    let units_per_day = (per_second * dec!(86400)).round_dp(2);
    // Projection runs from the last measurement, not from now: an idle gap since then is not assumed to be work.
    let projected_finish = last.at + Duration::seconds(seconds_left);
    if projected_finish <= due {
        Ok(BreachForecast::OnTrack { projected_finish, units_per_day })
    } else {
        let late_by_hours = (projected_finish - due).num_hours();
        Ok(BreachForecast::AtRisk { projected_finish, late_by_hours, units_per_day })
    }
}

/// How many of `completed` units to QC at `rate`: rounded up, at least one when anything is complete.
pub fn qc_sample_size(completed: usize, rate: Decimal) -> usize {
    if completed == 0 {
        return 0;
    }
    let wanted =
        (Decimal::from(completed) * rate.max(Decimal::ZERO)).ceil().to_usize().unwrap_or(completed);
    wanted.clamp(1, completed)
}

/// A deterministic QC sample of completed unit ids: the same ids, rate and seed always give the same sample
/// (within one version of `rand`), in the input order.
pub fn qc_sample<T: Clone>(completed: &[T], rate: Decimal, seed: u64) -> Vec<T> {
    let size = qc_sample_size(completed.len(), rate);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut picked = rand::seq::index::sample(&mut rng, completed.len(), size).into_vec();
    picked.sort_unstable();
    picked.into_iter().map(|index| completed[index].clone()).collect()
}

/// The QC verdict on one sampled unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcResult {
    pub unit_id: String,
    pub provider_id: String,
    pub member_id: String,
    pub passed: bool,
}

/// Errors over checked units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorRate {
    pub checked: u64,
    pub errors: u64,
}

impl ErrorRate {
    pub fn rate(&self) -> Decimal {
        if self.checked == 0 {
            Decimal::ZERO
        } else {
            Decimal::from(self.errors) / Decimal::from(self.checked)
        }
    }
}

/// Error rates per provider and per team member.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorRates {
    pub per_provider: BTreeMap<String, ErrorRate>,
    pub per_member: BTreeMap<String, ErrorRate>,
}

pub fn error_rates(results: &[QcResult]) -> ErrorRates {
    let mut rates = ErrorRates::default();
    for result in results {
        for entry in [
            rates.per_provider.entry(result.provider_id.clone()).or_default(),
            rates.per_member.entry(result.member_id.clone()).or_default(),
        ] {
            entry.checked += 1;
            entry.errors += u64::from(!result.passed);
        }
    }
    rates
}

/// What to do with a QC'd batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ReworkDecision {
    /// No errors in the sample.
    Accept,
    /// Within the threshold: fix only the units that failed QC.
    FixFailedUnits { unit_ids: Vec<String> },
    /// Above the threshold: the sample suggests systematic errors, so the whole batch goes back, and these members
    /// (above the threshold themselves) need retraining or replacing.
    ReworkBatch { error_rate: Decimal, members_above_threshold: Vec<String> },
}

pub fn rework_decision(results: &[QcResult], max_error_rate: Decimal) -> ReworkDecision {
    let rates = error_rates(results);
    let total = ErrorRate {
        checked: results.len() as u64,
        errors: results.iter().filter(|r| !r.passed).count() as u64,
    };
    if total.errors == 0 {
        return ReworkDecision::Accept;
    }
    if total.rate() <= max_error_rate {
        return ReworkDecision::FixFailedUnits {
            unit_ids: results.iter().filter(|r| !r.passed).map(|r| r.unit_id.clone()).collect(),
        };
    }
    ReworkDecision::ReworkBatch {
        error_rate: total.rate().round_dp(4),
        members_above_threshold: rates
            .per_member
            .into_iter()
            .filter(|(_, rate)| rate.rate() > max_error_rate)
            .map(|(member, _)| member)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).single().expect("valid date")
    }

    fn sample(day: u32, completed: u64) -> ProgressSample {
        ProgressSample { at: at(day, 0), completed }
    }

    #[test]
    fn flags_a_breach_before_it_happens() {
        // 1,000 a day; 10,000 total; 3,000 done by the 4th → 7 more days → the 11th, but due the 10th.
        let samples = [sample(1, 0), sample(2, 1000), sample(4, 3000)];
        let forecast = predict_breach(&samples, 10_000, at(10, 0), at(4, 0)).expect("valid");
        assert_eq!(
            forecast,
            BreachForecast::AtRisk {
                projected_finish: at(11, 0),
                late_by_hours: 24,
                units_per_day: dec!(1000)
            }
        );
        assert!(forecast.flags_breach());
        let on_time = predict_breach(&samples, 10_000, at(12, 0), at(4, 0)).expect("valid");
        assert!(
            matches!(on_time, BreachForecast::OnTrack { projected_finish, .. } if projected_finish == at(11, 0))
        );
    }

    #[test]
    fn stalled_complete_breached_and_bad_input() {
        assert_eq!(
            predict_breach(&[sample(1, 0)], 10, at(5, 0), at(2, 0)),
            Ok(BreachForecast::Stalled)
        );
        assert_eq!(
            predict_breach(&[sample(1, 10)], 10, at(5, 0), at(9, 0)),
            Ok(BreachForecast::Complete)
        );
        assert_eq!(
            predict_breach(&[sample(1, 5)], 10, at(5, 0), at(9, 0)),
            Ok(BreachForecast::Breached)
        );
        assert_eq!(predict_breach(&[], 10, at(5, 0), at(2, 0)), Err(SlaError::NoSamples));
        assert_eq!(
            predict_breach(&[sample(2, 5), sample(1, 6)], 10, at(5, 0), at(2, 0)),
            Err(SlaError::UnorderedSamples)
        );
    }

    #[test]
    fn qc_sample_is_seeded_sized_and_at_least_one() {
        let ids: Vec<u32> = (0..1000).collect();
        let first = qc_sample(&ids, dec!(0.05), 42);
        assert_eq!(first.len(), 50);
        assert_eq!(first, qc_sample(&ids, dec!(0.05), 42));
        assert_ne!(first, qc_sample(&ids, dec!(0.05), 43));
        assert!(first.windows(2).all(|w| w[0] < w[1]), "distinct and in order");
        assert_eq!(qc_sample(&ids[..3], dec!(0.05), 1).len(), 1);
        assert_eq!(qc_sample_size(0, dec!(0.05)), 0);
        assert_eq!(qc_sample_size(21, dec!(0.05)), 2, "rounded up");
    }

    fn result(unit: &str, member: &str, passed: bool) -> QcResult {
        QcResult {
            unit_id: unit.into(),
            provider_id: "acme".into(),
            member_id: member.into(),
            passed,
        }
    }

    #[test]
    fn error_rates_and_rework() {
        let mut results: Vec<QcResult> =
            (0..48).map(|i| result(&format!("u{i}"), "ana", true)).collect();
        results.push(result("u48", "ben", false));
        results.push(result("u49", "ben", true));
        let rates = error_rates(&results);
        assert_eq!(rates.per_provider["acme"], ErrorRate { checked: 50, errors: 1 });
        assert_eq!(rates.per_member["ben"].rate(), dec!(0.5));
        assert_eq!(
            rework_decision(&results, dec!(0.02)),
            ReworkDecision::FixFailedUnits { unit_ids: vec!["u48".into()] }
        );
        results.push(result("u50", "ben", false));
        assert_eq!(
            rework_decision(&results, dec!(0.02)),
            ReworkDecision::ReworkBatch {
                error_rate: dec!(0.0392),
                members_above_threshold: vec!["ben".into()]
            }
        );
        assert_eq!(rework_decision(&results[..10], dec!(0.02)), ReworkDecision::Accept);
    }
}
