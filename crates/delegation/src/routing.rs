//! Routing: score in-house staff, virtual assistants and LPO providers for a work item, with reasons per factor,
//! after enforcing the hard constraints (onshore-only, ethical walls, security attestations, data residency).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use crate::cost::money;
use crate::model::{
    InHouseRole, Level, LpoProvider, ServiceLine, Shore, Unit, VirtualAssistant, WorkingHours,
};

/// A piece of work to route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItem {
    pub id: String,
    pub service_line: ServiceLine,
    pub unit: Unit,
    pub volume: Decimal,
    /// Effort for one unit by a person doing it by hand, used to cost hourly channels and size capacity.
    pub hours_per_unit: Decimal,
    pub repetitiveness: Level,
    pub collaboration: Level,
    pub due: DateTime<Utc>,
}

impl WorkItem {
    /// Total effort in hours.
    pub fn hours(&self) -> Decimal {
        self.volume * self.hours_per_unit
    }
}

/// What the matter allows, and what the supervising attorney needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterConstraints {
    /// The work (and its data) must never leave the home country.
    pub onshore_only: bool,
    /// Providers and assistants behind an ethical wall or with a conflict, by id.
    pub excluded: BTreeSet<String>,
    /// Sensitive matters need an LPO with an unexpired SOC 2 or ISO 27001 attestation.
    pub sensitive: bool,
    pub budget: Option<Decimal>,
    /// If set, the countries (ISO alpha-2) where the matter's data may be processed.
    pub data_residency: Option<BTreeSet<String>>,
    /// The supervising attorney's working day, for time-zone overlap.
    pub attorney_hours: WorkingHours,
}

/// A candidate channel, with the load it already carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub channel: Channel,
    /// Work already queued: units of the item's service line for an LPO, hours for assistants and staff.
    pub backlog: Decimal,
}

/// The three kinds of channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Channel {
    InHouse(InHouseRole),
    VirtualAssistant(VirtualAssistant),
    Lpo(LpoProvider),
}

impl Channel {
    pub fn id(&self) -> &str {
        match self {
            Channel::InHouse(role) => &role.id,
            Channel::VirtualAssistant(va) => &va.id,
            Channel::Lpo(provider) => &provider.id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Channel::InHouse(_) => "in-house",
            Channel::VirtualAssistant(_) => "virtual assistant",
            Channel::Lpo(_) => "LPO",
        }
    }

    fn country(&self) -> &str {
        match self {
            Channel::InHouse(role) => &role.country,
            Channel::VirtualAssistant(va) => &va.location.country,
            Channel::Lpo(provider) => &provider.location.country,
        }
    }

    fn shore(&self) -> Shore {
        match self {
            Channel::InHouse(_) => Shore::Onshore,
            Channel::VirtualAssistant(va) => va.location.shore,
            Channel::Lpo(provider) => provider.location.shore,
        }
    }

    fn working_hours(&self) -> &WorkingHours {
        match self {
            Channel::InHouse(role) => &role.working_hours,
            Channel::VirtualAssistant(va) => &va.working_hours,
            Channel::Lpo(provider) => &provider.working_hours,
        }
    }
}

/// A hard rule an assignment breaks. Every path that assigns work (routing, API, manual override) must call
/// [`check_assignment`] so the rule is enforced in one place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RoutingViolation {
    #[error("{candidate} works offshore ({country}) but the matter is onshore only")]
    OffshoreOnOnshoreMatter { candidate: String, country: String },
    #[error("{candidate} is excluded from the matter (conflict or ethical wall)")]
    ExcludedFromMatter { candidate: String },
    #[error("{candidate} has no unexpired SOC 2 or ISO 27001 attestation, required for a sensitive matter{}",
        .expired.as_ref().map(|e| format!(" ({e})")).unwrap_or_default())]
    NoValidAttestation { candidate: String, expired: Option<String> },
    #[error("{candidate} processes data in {country}, outside the matter's data residency")]
    DataResidency { candidate: String, country: String },
}

/// Enforce the hard constraints for assigning work to a channel on a matter.
pub fn check_assignment(
    channel: &Channel,
    constraints: &MatterConstraints,
    now: DateTime<Utc>,
) -> Result<(), RoutingViolation> {
    let candidate = channel.id().to_owned();
    if constraints.excluded.contains(&candidate) {
        return Err(RoutingViolation::ExcludedFromMatter { candidate });
    }
    if constraints.onshore_only && channel.shore() == Shore::Offshore {
        return Err(RoutingViolation::OffshoreOnOnshoreMatter {
            candidate,
            country: channel.country().to_owned(),
        });
    }
    if let Some(allowed) = &constraints.data_residency
        && !allowed.contains(channel.country())
    {
        return Err(RoutingViolation::DataResidency {
            candidate,
            country: channel.country().to_owned(),
        });
    }
    // Attestations are a property of an LPO's organisation; assistants and staff work inside the firm's own
    // systems under attorney supervision, so the rule applies to LPOs only.
    if constraints.sensitive
        && let Channel::Lpo(provider) = channel
    {
        let today = now.date_naive();
        if !provider.attestations.iter().any(|a| a.is_valid_on(today)) {
            let expired = provider
                .attestations
                .iter()
                .map(|a| format!("{} expired {}", a.kind, a.expires_on))
                .collect::<Vec<_>>();
            return Err(RoutingViolation::NoValidAttestation {
                candidate,
                expired: (!expired.is_empty()).then(|| expired.join(", ")),
            });
        }
    }
    Ok(())
}

/// The factors routing weighs, with their weights (out of 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    ScopeAndVolume,
    Repetitiveness,
    Collaboration,
    Budget,
    Turnaround,
    TimeZoneCoverage,
    DataResidency,
}

impl Factor {
    pub fn weight(self) -> u32 {
        match self {
            Factor::ScopeAndVolume => 15,
            Factor::Repetitiveness => 15,
            Factor::Collaboration => 20,
            Factor::Budget => 15,
            Factor::Turnaround => 20,
            Factor::TimeZoneCoverage => 10,
            Factor::DataResidency => 5,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Factor::ScopeAndVolume => "scope & volume",
            Factor::Repetitiveness => "repetitiveness",
            Factor::Collaboration => "collaboration",
            Factor::Budget => "budget",
            Factor::Turnaround => "turnaround",
            Factor::TimeZoneCoverage => "time-zone coverage",
            Factor::DataResidency => "data residency",
        }
    }
}

/// One factor's score (0–100) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorScore {
    pub factor: Factor,
    pub score: u32,
    pub reason: String,
}

/// A candidate that passed the hard constraints, scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredCandidate {
    pub candidate_id: String,
    pub kind: String,
    /// Weighted score 0–100.
    pub score: u32,
    pub estimated_cost: Decimal,
    pub projected_finish: Option<DateTime<Utc>>,
    pub factors: Vec<FactorScore>,
}

/// A candidate that cannot take the work, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub candidate_id: String,
    pub reason: String,
    /// Set when the reason is a hard constraint, not merely a missing capability.
    pub violation: Option<RoutingViolation>,
}

/// The outcome of routing: eligible candidates best first, and the rejected ones with reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub work_item_id: String,
    pub ranked: Vec<ScoredCandidate>,
    pub rejected: Vec<Rejection>,
}

impl Recommendation {
    pub fn best(&self) -> Option<&ScoredCandidate> {
        self.ranked.first()
    }

    /// Plain-text explanation, one block per candidate.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        for candidate in &self.ranked {
            let _ = writeln!(
                out,
                "{} ({}) score {} cost {}",
                candidate.candidate_id, candidate.kind, candidate.score, candidate.estimated_cost
            );
            for factor in &candidate.factors {
                let _ = writeln!(
                    out,
                    "  {:<19} {:>3}  {}",
                    factor.factor.label(),
                    factor.score,
                    factor.reason
                );
            }
        }
        for rejection in &self.rejected {
            let _ = writeln!(out, "{} rejected: {}", rejection.candidate_id, rejection.reason);
        }
        out
    }
}

/// Score every candidate for the work item and rank them; candidates breaking a hard constraint or unable to do
/// the service line are rejected with the reason. Ties keep the candidates' input order.
pub fn recommend(
    work_item: &WorkItem,
    candidates: &[Candidate],
    constraints: &MatterConstraints,
    now: DateTime<Utc>,
) -> Recommendation {
    let mut ranked = Vec::new();
    let mut rejected = Vec::new();
    for candidate in candidates {
        let candidate_id = candidate.channel.id().to_owned();
        if let Err(violation) = check_assignment(&candidate.channel, constraints, now) {
            rejected.push(Rejection {
                candidate_id,
                reason: violation.to_string(),
                violation: Some(violation),
            });
            continue;
        }
        match score(work_item, candidate, constraints, now) {
            Ok(scored) => ranked.push(scored),
            Err(reason) => rejected.push(Rejection { candidate_id, reason, violation: None }),
        }
    }
    ranked.sort_by_key(|candidate| std::cmp::Reverse(candidate.score));
    Recommendation { work_item_id: work_item.id.clone(), ranked, rejected }
}

/// Cost and daily capacity (in the work item's units) of a channel, or why it cannot do the work.
fn cost_and_capacity(
    work_item: &WorkItem,
    candidate: &Candidate,
) -> Result<(Decimal, Decimal, Decimal), String> {
    let line = work_item.service_line;
    let per_unit_hours = work_item.hours_per_unit;
    let to_units = |hours: Decimal| {
        if per_unit_hours.is_zero() { Decimal::MAX } else { hours / per_unit_hours }
    };
    match &candidate.channel {
        Channel::InHouse(role) => {
            if !role.skills.contains(&line) {
                return Err(format!("{} staff do not cover {}", role.role, line.label()));
            }
            let cost = work_item.hours() * role.loaded_hourly_cost;
            Ok((cost, to_units(role.hours_per_day_available), to_units(candidate.backlog)))
        }
        Channel::VirtualAssistant(va) => {
            if !va.skills.contains(&line) {
                return Err(format!(
                    "{} does not list {} among their skills",
                    va.name,
                    line.label()
                ));
            }
            let cost = work_item.hours() * va.terms.effective_hourly_rate();
            // Capacity is spread over the whole week so it lines up with calendar-day finish dates.
            let per_day = va.hours_per_week_available / dec!(7);
            Ok((cost, to_units(per_day), to_units(candidate.backlog)))
        }
        Channel::Lpo(provider) => {
            if !provider.specialties.contains(&line) {
                return Err(format!("{} does not offer {}", provider.organization, line.label()));
            }
            let entry = provider.rate_for(line).ok_or_else(|| {
                format!("{} has no rate for {}", provider.organization, line.label())
            })?;
            let cost = if entry.unit == work_item.unit {
                work_item.volume * entry.unit_price
            } else if entry.unit == Unit::Hours {
                work_item.hours() * entry.unit_price
            } else {
                return Err(format!(
                    "{} prices {} per {}, not per {}",
                    provider.organization,
                    line.label(),
                    entry.unit,
                    work_item.unit
                ));
            };
            let capacity = provider.capacity_per_day.get(&line).copied().unwrap_or_default();
            let capacity = if entry.unit == Unit::Hours && work_item.unit != Unit::Hours {
                to_units(capacity)
            } else {
                capacity
            };
            Ok((cost, capacity, candidate.backlog))
        }
    }
}

fn score(
    work_item: &WorkItem,
    candidate: &Candidate,
    constraints: &MatterConstraints,
    now: DateTime<Utc>,
) -> Result<ScoredCandidate, String> {
    let (cost, capacity_per_day, backlog_units) = cost_and_capacity(work_item, candidate)?;
    let cost = money(cost);
    let channel = &candidate.channel;
    let hours = work_item.hours().round_dp(1);
    let mut factors = Vec::new();
    let mut push = |factor: Factor, score: u32, reason: String| {
        factors.push(FactorScore { factor, score, reason })
    };

    let (volume_score, volume_reason) = match channel {
        Channel::Lpo(_) if hours >= dec!(200) => {
            (100, format!("{hours} h of work is the volume an LPO team is built for"))
        }
        Channel::Lpo(_) if hours >= dec!(40) => {
            (60, format!("{hours} h is a modest job for an LPO team"))
        }
        Channel::Lpo(_) => (20, format!("{hours} h is too small to be worth an LPO engagement")),
        Channel::VirtualAssistant(_) if hours <= dec!(80) => {
            (100, format!("{hours} h fits one assistant comfortably"))
        }
        Channel::VirtualAssistant(_) if hours <= dec!(300) => {
            (60, format!("{hours} h stretches one assistant"))
        }
        Channel::VirtualAssistant(_) => {
            (20, format!("{hours} h is more than one assistant can carry"))
        }
        Channel::InHouse(_) if hours <= dec!(40) => (100, format!("{hours} h fits in-house staff")),
        Channel::InHouse(_) if hours <= dec!(160) => {
            (60, format!("{hours} h is a sizeable load for in-house staff"))
        }
        Channel::InHouse(_) => (20, format!("{hours} h would swamp in-house staff")),
    };
    push(Factor::ScopeAndVolume, volume_score, volume_reason);

    let repetitive = work_item.repetitiveness;
    let repetitiveness_score = match (channel, repetitive) {
        (Channel::Lpo(_), Level::High) => 100,
        (Channel::Lpo(_), Level::Medium) => 60,
        (Channel::Lpo(_), Level::Low) => 20,
        (Channel::VirtualAssistant(_), Level::High) => 60,
        (Channel::VirtualAssistant(_), _) => 80,
        (Channel::InHouse(_), Level::High) => 30,
        (Channel::InHouse(_), Level::Medium) => 60,
        (Channel::InHouse(_), Level::Low) => 100,
    };
    let repetitiveness_reason = match (channel, repetitive) {
        (Channel::Lpo(_), Level::High) => {
            "highly repetitive work suits an LPO's standardised process".to_owned()
        }
        (Channel::Lpo(_), _) => {
            format!("{repetitive} repetitiveness gains little from an LPO's process")
        }
        (Channel::InHouse(_), Level::High) => {
            "repetitive work is a poor use of in-house staff".to_owned()
        }
        (_, level) => format!("{level} repetitiveness suits a {}", channel.kind()),
    };
    push(Factor::Repetitiveness, repetitiveness_score, repetitiveness_reason);

    let collaboration = work_item.collaboration;
    let collaboration_score = match (channel, collaboration) {
        (Channel::InHouse(_), Level::High) => 100,
        (Channel::VirtualAssistant(_), Level::High) => 90,
        (Channel::Lpo(_), Level::High) => 10,
        (Channel::InHouse(_), Level::Medium) => 80,
        (Channel::VirtualAssistant(_), Level::Medium) => 90,
        (Channel::Lpo(_), Level::Medium) => 50,
        (Channel::InHouse(_), Level::Low) => 60,
        (Channel::VirtualAssistant(_), Level::Low) => 70,
        (Channel::Lpo(_), Level::Low) => 100,
    };
    let collaboration_reason = match (channel, collaboration) {
        (Channel::Lpo(_), Level::High) => {
            "needs close day-to-day work with the attorney, which a remote team cannot give"
                .to_owned()
        }
        (Channel::Lpo(_), Level::Low) => {
            "little attorney contact needed, so a remote team works well".to_owned()
        }
        (Channel::VirtualAssistant(_), _) => {
            format!("{collaboration} collaboration: one assistant works directly with the attorney")
        }
        (_, level) => format!("{level} collaboration need"),
    };
    push(Factor::Collaboration, collaboration_score, collaboration_reason);

    let (budget_score, budget_reason) = match constraints.budget {
        None => (100, format!("estimated {cost}; no budget set")),
        Some(budget) if cost <= budget => {
            let share = if budget.is_zero() { Decimal::ONE } else { cost / budget };
            let score =
                (dec!(50) + dec!(50) * (Decimal::ONE - share)).round().to_u32().unwrap_or(50);
            (score, format!("estimated {cost} is within the {budget} budget"))
        }
        Some(budget) => (0, format!("estimated {cost} exceeds the {budget} budget")),
    };
    push(Factor::Budget, budget_score, budget_reason);

    let projected_finish = if capacity_per_day > Decimal::ZERO {
        let days = (backlog_units + work_item.volume) / capacity_per_day;
        let seconds = (days * dec!(86400)).ceil().to_i64().unwrap_or(i64::MAX / 2);
        now.checked_add_signed(Duration::seconds(seconds))
    } else {
        None
    };
    let (turnaround_score, turnaround_reason) = match projected_finish {
        None => (0, format!("no capacity for {}", work_item.service_line.label())),
        Some(finish) if finish <= work_item.due => {
            let window = (work_item.due - now).num_seconds().max(1);
            let slack = (work_item.due - finish).num_seconds();
            let score = if slack * 5 >= window { 100 } else { 70 };
            (
                score,
                format!(
                    "projected to finish {} (due {}) given current load",
                    finish.format("%Y-%m-%d"),
                    work_item.due.format("%Y-%m-%d")
                ),
            )
        }
        Some(finish) => (
            0,
            format!(
                "projected to finish {}, after the due date {}",
                finish.format("%Y-%m-%d"),
                work_item.due.format("%Y-%m-%d")
            ),
        ),
    };
    push(Factor::Turnaround, turnaround_score, turnaround_reason);

    let attorney = &constraints.attorney_hours;
    let overlap = overlap_hours(attorney, channel.working_hours(), now);
    let attorney_length = overlap_hours(attorney, attorney, now).max(dec!(0.01));
    let coverage =
        ((overlap / attorney_length).min(Decimal::ONE) * dec!(100)).round().to_u32().unwrap_or(0);
    // With little need to talk, a different time zone costs nothing (and may even give overnight turnaround).
    let tz_score = if collaboration == Level::Low { coverage.max(80) } else { coverage };
    push(
        Factor::TimeZoneCoverage,
        tz_score,
        format!(
            "{} h overlap with the attorney's working day ({})",
            overlap.round_dp(1),
            channel.working_hours().time_zone
        ),
    );

    let residency_reason = match &constraints.data_residency {
        Some(_) => format!("data stays in {}, as the matter requires", channel.country()),
        None => format!("data processed in {}; no residency rule", channel.country()),
    };
    push(Factor::DataResidency, 100, residency_reason);

    let weighted: u32 = factors.iter().map(|f| f.score * f.factor.weight()).sum();
    let total_weight: u32 = factors.iter().map(|f| f.factor.weight()).sum();
    Ok(ScoredCandidate {
        candidate_id: channel.id().to_owned(),
        kind: channel.kind().to_owned(),
        score: (weighted + total_weight / 2) / total_weight,
        estimated_cost: cost,
        projected_finish,
        factors,
    })
}

/// Hours two working windows overlap on the day of `now` (each taken on its own local date of `now`).
fn overlap_hours(a: &WorkingHours, b: &WorkingHours, now: DateTime<Utc>) -> Decimal {
    let (a_start, a_end) = window_utc(a, now);
    let (b_start, b_end) = window_utc(b, now);
    // Compare against the other window shifted a day either way too, since local dates can differ across zones.
    let mut best = 0i64;
    for shift in [-1i64, 0, 1] {
        let shift = Duration::days(shift);
        let start = a_start.max(b_start + shift);
        let end = a_end.min(b_end + shift);
        best = best.max((end - start).num_minutes());
    }
    Decimal::from(best.max(0)) / dec!(60)
}

fn window_utc(hours: &WorkingHours, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let local_date = now.with_timezone(&hours.time_zone).date_naive();
    let at = |time: NaiveTime| {
        hours
            .time_zone
            .from_local_datetime(&local_date.and_time(time))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            // A start time inside a DST gap: fall back to treating it as UTC, an hour off at worst.
            .unwrap_or_else(|| Utc.from_utc_datetime(&local_date.and_time(time)))
    };
    let start = at(hours.start);
    let mut end = at(hours.end);
    if end <= start {
        // Night shifts run past midnight.
        end += Duration::days(1);
    }
    (start, end)
}
