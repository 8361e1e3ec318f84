//! Rule sets as data: triggers and the deadlines they produce, loaded from embedded TOML and versioned by
//! effective date; `compute` turns a trigger event into dated deadlines with their trails.

use chrono::{DateTime, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::DocketError;
use crate::calendar::CourtCalendar;
use crate::period::{
    Direction, Moment, Period, Service, ServiceExtension, StepKind, TrailStep, Unit,
    compute_period, local_instant,
};

/// The rule sets shipped with the crate: (name, TOML text).
const BUILTIN: &[(&str, &str)] =
    &[("frcp", include_str!("../rules/frcp.toml")), ("frap", include_str!("../rules/frap.toml"))];

/// A named set of court rules: which trigger events produce which deadlines.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub name: String,
    pub title: String,
    /// The edition of this file: the date of the latest amendment it models. Stored with every docketed
    /// trigger so a later edition never silently changes what was computed.
    #[serde(default)]
    pub version: String,
    /// The first trigger date this rule set may be used for.
    #[serde(deserialize_with = "crate::tomldate::date")]
    pub effective_from: NaiveDate,
    /// The rule whose paragraphs govern computing time, e.g. "FRCP 6(a)" or "FRAP 26(a)".
    pub computation_rule: String,
    #[serde(default)]
    pub note: String,
    #[serde(default, rename = "service_extension")]
    service_extensions: Vec<VersionedServiceExtension>,
    #[serde(rename = "trigger")]
    triggers: Vec<Trigger>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionedServiceExtension {
    #[serde(deserialize_with = "crate::tomldate::date")]
    effective_from: NaiveDate,
    #[serde(default, deserialize_with = "crate::tomldate::optional_date")]
    effective_until: Option<NaiveDate>,
    days: u32,
    methods: Vec<Service>,
    citation: String,
}

/// An event that starts deadlines running.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub description: String,
    /// Whether the event is service of a paper under Rule 5(b), so that FRCP 6(d) can add days.
    pub rule5_service: bool,
    /// Why 6(d) does not apply, shown when a service method that would add days is given anyway.
    #[serde(default)]
    pub no_extension_reason: String,
    #[serde(rename = "deadline")]
    pub deadlines: Vec<DeadlineRule>,
}

/// One deadline a trigger produces.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    /// Stable identifier within the trigger, used to match deadlines when a trigger moves.
    pub id: String,
    pub title: String,
    pub amount: u32,
    pub unit: Unit,
    pub direction: Direction,
    pub citation: String,
    #[serde(default)]
    pub note: String,
    #[serde(default, deserialize_with = "crate::tomldate::optional_date")]
    pub effective_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::tomldate::optional_date")]
    pub effective_until: Option<NaiveDate>,
}

impl DeadlineRule {
    pub fn period(&self) -> Period {
        Period { amount: self.amount, unit: self.unit, direction: self.direction }
    }

    fn in_effect(&self, date: NaiveDate) -> bool {
        self.effective_from.is_none_or(|from| from <= date)
            && self.effective_until.is_none_or(|until| date <= until)
    }
}

/// A deadline computed from a trigger, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedDeadline {
    pub rule_set: String,
    pub trigger: String,
    pub rule_id: String,
    pub title: String,
    pub citation: String,
    pub note: String,
    pub trigger_at: Moment,
    pub period: Period,
    pub service: Service,
    /// The end of the bare count, before any roll or added days.
    pub raw: Moment,
    pub due: Moment,
    pub time_zone: Tz,
    pub trail: Vec<TrailStep>,
}

impl ComputedDeadline {
    pub fn due_date(&self) -> NaiveDate {
        self.due.date()
    }

    /// The last instant to act: midnight at the end of the due day in the court's time zone for day periods
    /// (FRCP 6(a)(4)(A), electronic filing), or the computed time for hour periods. Filing by other means
    /// ends when the clerk's office closes, which this crate does not know.
    pub fn last_moment(&self) -> Result<DateTime<Tz>, DocketError> {
        let local = match self.due {
            Moment::Day(day) => {
                day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("23:59:59 is a valid time"))
            }
            Moment::At(at) => at,
        };
        local_instant(self.time_zone, local)
    }
}

fn normalize(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl RuleSet {
    /// Parses a rule set from TOML and checks it.
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self, DocketError> {
        let invalid = |message: String| DocketError::InvalidRules {
            source_name: source_name.to_string(),
            message,
        };
        let rule_set: RuleSet = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut names = std::collections::HashSet::new();
        for trigger in &rule_set.triggers {
            for name in std::iter::once(&trigger.name).chain(&trigger.aliases) {
                if !names.insert(normalize(name)) {
                    return Err(invalid(format!("trigger name {name:?} is used twice")));
                }
            }
            let mut ids = std::collections::HashSet::new();
            for deadline in &trigger.deadlines {
                if deadline.citation.trim().is_empty() {
                    return Err(invalid(format!("deadline {:?} has no citation", deadline.id)));
                }
                // Two versions of one deadline share an id but must not overlap in time.
                if !ids.insert((deadline.id.clone(), deadline.effective_from)) {
                    return Err(invalid(format!(
                        "deadline id {:?} repeats in trigger {:?}",
                        deadline.id, trigger.name
                    )));
                }
            }
        }
        Ok(rule_set)
    }

    /// A rule set shipped with the crate, by name ("frcp", "frap").
    pub fn builtin(name: &str) -> Result<Self, DocketError> {
        let wanted = normalize(name);
        let (file, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == wanted)
            .ok_or_else(|| DocketError::UnknownRuleSet(name.to_string()))?;
        Self::from_toml(&format!("rules/{file}.toml"), text)
    }

    /// Names of the shipped rule sets.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    pub fn triggers(&self) -> &[Trigger] {
        &self.triggers
    }

    /// Finds a trigger by name or alias, ignoring case and extra spaces.
    pub fn trigger(&self, name: &str) -> Result<&Trigger, DocketError> {
        let wanted = normalize(name);
        self.triggers
            .iter()
            .find(|t| {
                normalize(&t.name) == wanted || t.aliases.iter().any(|a| normalize(a) == wanted)
            })
            .ok_or_else(|| DocketError::UnknownTrigger {
                rule_set: self.name.clone(),
                trigger: name.to_string(),
                known: self.triggers.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
            })
    }

    /// The service-extension rule in effect on `date`, if any.
    pub fn service_extension_on(&self, date: NaiveDate) -> Option<ServiceExtension> {
        self.service_extensions
            .iter()
            .find(|v| v.effective_from <= date && v.effective_until.is_none_or(|u| date <= u))
            .map(|v| ServiceExtension {
                days: v.days,
                methods: v.methods.clone(),
                citation: v.citation.clone(),
            })
    }
}

/// Computes every deadline `trigger_name` produces when the event happened on `date`.
pub fn compute(
    rule_set: &RuleSet,
    trigger_name: &str,
    date: NaiveDate,
    service: Service,
    calendar: &CourtCalendar,
) -> Result<Vec<ComputedDeadline>, DocketError> {
    compute_at(rule_set, trigger_name, Moment::Day(date), service, calendar)
}

/// Like [`compute`], but the event may carry a time of day (court-local), which hour periods need.
pub fn compute_at(
    rule_set: &RuleSet,
    trigger_name: &str,
    trigger_at: Moment,
    service: Service,
    calendar: &CourtCalendar,
) -> Result<Vec<ComputedDeadline>, DocketError> {
    let date = trigger_at.date();
    if date < rule_set.effective_from {
        return Err(DocketError::RuleSetNotInEffect {
            name: rule_set.name.clone(),
            date,
            earliest: rule_set.effective_from,
        });
    }
    let trigger = rule_set.trigger(trigger_name)?;
    let extension = rule_set.service_extension_on(date);
    let mut deadlines = Vec::new();
    for rule in trigger.deadlines.iter().filter(|r| r.in_effect(date)) {
        let period = rule.period();
        let applicable = extension.as_ref().filter(|_| trigger.rule5_service);
        let mut outcome = compute_period(trigger_at, period, service, applicable, calendar)?;
        if !trigger.rule5_service
            && let Some(extension) = extension.as_ref().filter(|e| e.applies_to(service))
        {
            outcome.trail.push(TrailStep {
                kind: StepKind::Note,
                to: outcome.due,
                reason: format!(
                    "no days added for service by {service}: {}",
                    if trigger.no_extension_reason.is_empty() {
                        "this period does not run from service under Rule 5(b)"
                    } else {
                        &trigger.no_extension_reason
                    }
                ),
                citation: extension.citation.clone(),
            });
        }
        if rule_set.computation_rule != "FRCP 6(a)" {
            // The appellate and other rule sets restate FRCP 6(a) paragraph for paragraph, so the trail cites
            // the governing rule with the same paragraph numbers.
            for step in &mut outcome.trail {
                step.citation = step.citation.replace("FRCP 6(a)", &rule_set.computation_rule);
            }
        }
        deadlines.push(ComputedDeadline {
            rule_set: rule_set.name.clone(),
            trigger: trigger.name.clone(),
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            citation: rule.citation.clone(),
            note: rule.note.clone(),
            trigger_at,
            period,
            service,
            raw: outcome.raw,
            due: outcome.due,
            time_zone: calendar.time_zone,
            trail: outcome.trail,
        });
    }
    deadlines
        .sort_by(|a, b| a.due.date().cmp(&b.due.date()).then_with(|| a.rule_id.cmp(&b.rule_id)));
    Ok(deadlines)
}
