//! FRCP 6(a) and 6(d) time computation for a single period, keeping a trail of every step and why.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::DocketError;
use crate::calendar::{CourtCalendar, FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR};

/// Whether a period is measured after its trigger event or before it (FRCP 6(a)(5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Direction {
    After,
    Before,
}

impl Direction {
    fn sign(self) -> i64 {
        match self {
            Direction::After => 1,
            Direction::Before => -1,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Direction::After => "after",
            Direction::Before => "before",
        }
    }

    fn roll_phrase(self) -> &'static str {
        match self {
            Direction::After => "rolled forward to the next day",
            Direction::Before => "rolled back to the day before",
        }
    }
}

impl FromStr for Direction {
    type Err = DocketError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "after" => Ok(Direction::After),
            "before" => Ok(Direction::Before),
            _ => Err(DocketError::UnknownDirection(s.to_string())),
        }
    }
}

impl TryFrom<String> for Direction {
    type Error = DocketError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The unit a period is stated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Unit {
    /// Calendar days: every day counts (FRCP 6(a)(1)(B)).
    Days,
    /// Court days: only days the court is open count (state and local rules, e.g. California "court days").
    CourtDays,
    Hours,
    Weeks,
    Months,
    Years,
}

impl Unit {
    fn word(self, amount: u32) -> &'static str {
        let one = amount == 1;
        match self {
            Unit::Days if one => "day",
            Unit::Days => "days",
            Unit::CourtDays if one => "court day",
            Unit::CourtDays => "court days",
            Unit::Hours if one => "hour",
            Unit::Hours => "hours",
            Unit::Weeks if one => "week",
            Unit::Weeks => "weeks",
            Unit::Months if one => "month",
            Unit::Months => "months",
            Unit::Years if one => "year",
            Unit::Years => "years",
        }
    }
}

impl FromStr for Unit {
    type Err = DocketError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normalized = s.trim().to_ascii_lowercase().replace(['-', '_'], " ");
        match normalized.as_str() {
            "day" | "days" | "calendar day" | "calendar days" => Ok(Unit::Days),
            "court day" | "court days" | "business day" | "business days" => Ok(Unit::CourtDays),
            "hour" | "hours" => Ok(Unit::Hours),
            "week" | "weeks" => Ok(Unit::Weeks),
            "month" | "months" => Ok(Unit::Months),
            "year" | "years" => Ok(Unit::Years),
            _ => Err(DocketError::UnknownUnit(s.to_string())),
        }
    }
}

impl TryFrom<String> for Unit {
    type Error = DocketError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// How the paper that starts a period was served (FRCP 5(b)(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Service {
    /// Handing it over or leaving it at the person's office or home, 5(b)(2)(A)-(B).
    Personal,
    /// Mail, 5(b)(2)(C).
    Mail,
    /// Leaving it with the court clerk, 5(b)(2)(D).
    LeftWithClerk,
    /// Electronic service (CM/ECF or consented e-mail), 5(b)(2)(E).
    Electronic,
    /// Any other means the person consented to in writing, 5(b)(2)(F).
    OtherConsented,
    /// The trigger is not a service at all (e.g. entry of judgment).
    NotServed,
}

impl Service {
    pub fn label(self) -> &'static str {
        match self {
            Service::Personal => "personal",
            Service::Mail => "mail",
            Service::LeftWithClerk => "clerk",
            Service::Electronic => "electronic",
            Service::OtherConsented => "consented",
            Service::NotServed => "none",
        }
    }
}

impl FromStr for Service {
    type Err = DocketError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normalized = s.trim().to_ascii_lowercase().replace(['-', '_'], " ");
        match normalized.as_str() {
            "personal" | "hand" | "in person" | "delivery" => Ok(Service::Personal),
            "mail" | "mailing" | "us mail" | "u.s. mail" => Ok(Service::Mail),
            "clerk" | "left with clerk" | "leaving with clerk" => Ok(Service::LeftWithClerk),
            "electronic" | "e service" | "ecf" | "cm/ecf" | "email" | "e mail" => {
                Ok(Service::Electronic)
            }
            "consented" | "other" | "other consented" | "consent" => Ok(Service::OtherConsented),
            "none" | "not served" | "" => Ok(Service::NotServed),
            _ => Err(DocketError::UnknownService(s.to_string())),
        }
    }
}

impl TryFrom<String> for Service {
    type Error = DocketError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Extra days added after a period when the triggering paper was served by certain means (FRCP 6(d)).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServiceExtension {
    pub days: u32,
    pub methods: Vec<Service>,
    pub citation: String,
}

impl ServiceExtension {
    /// FRCP 6(d) as amended December 1, 2016: three days for mail, leaving with the clerk, or other
    /// consented means; electronic service no longer adds days.
    pub fn frcp_6d() -> Self {
        Self {
            days: 3,
            methods: vec![Service::Mail, Service::LeftWithClerk, Service::OtherConsented],
            citation: "FRCP 6(d)".to_string(),
        }
    }

    pub fn applies_to(&self, service: Service) -> bool {
        self.methods.contains(&service)
    }
}

/// A point in court-local time: a whole day, or a day and a time for hour periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Moment {
    Day(NaiveDate),
    At(NaiveDateTime),
}

impl Moment {
    pub fn date(self) -> NaiveDate {
        match self {
            Moment::Day(d) => d,
            Moment::At(t) => t.date(),
        }
    }

    /// The same moment moved by whole days, keeping the time of day.
    fn shift_days(self, days: i64) -> Option<Moment> {
        match self {
            Moment::Day(d) => d.checked_add_signed(Duration::days(days)).map(Moment::Day),
            Moment::At(t) => t.checked_add_signed(Duration::days(days)).map(Moment::At),
        }
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Day(d) => write!(f, "{} ({})", d, d.format("%a")),
            Moment::At(t) => write!(f, "{} ({})", t.format("%Y-%m-%d %H:%M"), t.format("%a")),
        }
    }
}

/// A period: so many units before or after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub amount: u32,
    pub unit: Unit,
    pub direction: Direction,
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.amount, self.unit.word(self.amount), self.direction)
    }
}

/// What one step of a computation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Counting the period itself.
    Count,
    /// Moving off a weekend or legal holiday.
    Roll,
    /// Moving off a day the clerk's office was inaccessible.
    Inaccessible,
    /// Days added for the method of service.
    ServiceExtension,
    /// Something the reader should know that did not move the date.
    Note,
}

/// One step in a deadline's trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailStep {
    pub kind: StepKind,
    /// The moment after this step.
    pub to: Moment,
    pub reason: String,
    pub citation: String,
}

/// The result of computing one period: the raw end, the final due moment and how it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodOutcome {
    pub raw: Moment,
    pub due: Moment,
    pub trail: Vec<TrailStep>,
}

fn check_range(date: NaiveDate) -> Result<NaiveDate, DocketError> {
    if (FIRST_SUPPORTED_YEAR..=LAST_SUPPORTED_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(DocketError::DateOutOfRange(date))
    }
}

fn shift(moment: Moment, days: i64) -> Result<Moment, DocketError> {
    let shifted = moment.shift_days(days).ok_or(DocketError::DateOutOfRange(moment.date()))?;
    check_range(shifted.date())?;
    Ok(shifted)
}

/// Resolves a court-local time to an instant. In an autumn overlap the earlier instant is taken (the
/// conservative choice); a time in a spring gap is an error because the caller must say what was meant.
pub fn local_instant(zone: Tz, local: NaiveDateTime) -> Result<chrono::DateTime<Tz>, DocketError> {
    zone.from_local_datetime(&local).earliest().ok_or_else(|| DocketError::NonexistentLocalTime {
        time: local.to_string(),
        zone: zone.name().to_string(),
    })
}

/// Computes one period under FRCP 6(a), then adds any FRCP 6(d) days and rolls again.
///
/// `extension` is the service rule of the governing rule set; it is applied only when the period runs after
/// the event and the method of `service` is one it lists.
pub fn compute_period(
    trigger: Moment,
    period: Period,
    service: Service,
    extension: Option<&ServiceExtension>,
    calendar: &CourtCalendar,
) -> Result<PeriodOutcome, DocketError> {
    check_range(trigger.date())?;
    let mut trail = Vec::new();
    let raw = count(trigger, period, calendar, &mut trail)?;
    let mut due = roll(raw, period, calendar, &mut trail)?;
    if let Some(extension) = extension.filter(|e| e.applies_to(service)) {
        match period.direction {
            Direction::After => {
                due = shift(due, i64::from(extension.days))?;
                trail.push(TrailStep {
                    kind: StepKind::ServiceExtension,
                    to: due,
                    reason: format!(
                        "added {} days for service by {} after the period would otherwise expire",
                        extension.days, service
                    ),
                    citation: extension.citation.clone(),
                });
                due = roll(due, period, calendar, &mut trail)?;
            }
            Direction::Before => trail.push(TrailStep {
                kind: StepKind::Note,
                to: due,
                reason: format!(
                    "no days added for service by {service}: the period is measured before an event, not after service"
                ),
                citation: extension.citation.clone(),
            }),
        }
    }
    Ok(PeriodOutcome { raw, due, trail })
}

/// Counts the bare period, excluding the trigger day (or, for hours, starting at once).
fn count(
    trigger: Moment,
    period: Period,
    calendar: &CourtCalendar,
    trail: &mut Vec<TrailStep>,
) -> Result<Moment, DocketError> {
    let sign = period.direction.sign();
    let amount = i64::from(period.amount);
    let start_day = trigger.date();
    let out_of_range = || DocketError::DateOutOfRange(start_day);
    let (raw, how, citation): (Moment, String, &str) = match period.unit {
        Unit::Days | Unit::Weeks => {
            let days = if period.unit == Unit::Weeks { amount * 7 } else { amount };
            let end = start_day
                .checked_add_signed(Duration::days(sign * days))
                .ok_or_else(out_of_range)?;
            let how = format!(
                "counted {period} {start_day}, excluding the day of the event and counting every day"
            );
            (Moment::Day(end), how, "FRCP 6(a)(1)(A)-(B)")
        }
        Unit::Months | Unit::Years => {
            let months = if period.unit == Unit::Years {
                period.amount.saturating_mul(12)
            } else {
                period.amount
            };
            let end = match period.direction {
                Direction::After => start_day.checked_add_months(Months::new(months)),
                Direction::Before => start_day.checked_sub_months(Months::new(months)),
            }
            .ok_or_else(out_of_range)?;
            let how = format!(
                "counted {period} {start_day} to the same day of the month (the month's last day when it has no such day)"
            );
            (Moment::Day(end), how, "FRCP 6(a)(1)")
        }
        Unit::CourtDays => {
            let mut day = start_day;
            let mut counted = 0;
            while counted < period.amount {
                day = day.checked_add_signed(Duration::days(sign)).ok_or_else(out_of_range)?;
                check_range(day)?;
                if calendar.is_open(day, period.direction) {
                    counted += 1;
                }
            }
            let how = format!(
                "counted {period} {start_day}, excluding the day of the event, weekends and legal holidays"
            );
            (Moment::Day(day), how, "court-day rule of the governing rule set")
        }
        Unit::Hours => {
            let Moment::At(local) = trigger else {
                return Err(DocketError::HoursNeedTime);
            };
            let zone = calendar.time_zone;
            let start = local_instant(zone, local)?;
            let end = start
                .checked_add_signed(Duration::hours(sign * amount))
                .ok_or_else(out_of_range)?;
            let how = format!(
                "counted {period} {} ({}), starting at once and counting every hour",
                local.format("%Y-%m-%d %H:%M"),
                zone.name()
            );
            (Moment::At(end.naive_local()), how, "FRCP 6(a)(2)(A)-(B)")
        }
    };
    check_range(raw.date())?;
    trail.push(TrailStep {
        kind: StepKind::Count,
        to: raw,
        reason: how,
        citation: citation.to_string(),
    });
    Ok(raw)
}

/// Moves `moment` off weekends, legal holidays and days the clerk's office was inaccessible, in the
/// direction of the period (FRCP 6(a)(1)(C), (2)(C), (3), (5)).
fn roll(
    mut moment: Moment,
    period: Period,
    calendar: &CourtCalendar,
    trail: &mut Vec<TrailStep>,
) -> Result<Moment, DocketError> {
    let hours = period.unit == Unit::Hours;
    let direction = period.direction;
    loop {
        let day = moment.date();
        let (kind, reason, citation) = if let Some(closed) = calendar.closed_reason(day, direction)
        {
            let rule = if hours { "FRCP 6(a)(2)(C), 6(a)(5)" } else { "FRCP 6(a)(1)(C), 6(a)(5)" };
            (
                StepKind::Roll,
                format!("{day} is {}: {}", article(&closed.reason), direction.roll_phrase()),
                if closed.citation.is_empty() {
                    rule.to_string()
                } else {
                    format!("{rule}; {}", closed.citation)
                },
            )
        } else if let Some(why) = calendar.inaccessible_reason(day) {
            // 6(a)(3) speaks of the "first accessible day"; for periods measured before an event we move
            // earlier instead, because filing later than a before-deadline is never safe.
            let rule = if hours { "FRCP 6(a)(3)(B)" } else { "FRCP 6(a)(3)(A)" };
            (
                StepKind::Inaccessible,
                format!(
                    "clerk's office inaccessible on {day} ({why}): {}",
                    direction.roll_phrase()
                ),
                rule.to_string(),
            )
        } else {
            return Ok(moment);
        };
        moment = shift(moment, direction.sign())?;
        trail.push(TrailStep { kind, to: moment, reason, citation });
    }
}

/// "a Saturday", "Independence Day (observed)": weekday names read better with an article.
fn article(reason: &str) -> String {
    if reason == "Saturday" || reason == "Sunday" {
        format!("a {reason}")
    } else {
        reason.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn at(s: &str) -> Moment {
        Moment::At(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test time"))
    }

    /// Renders the due moment and each trail step on its own line.
    fn check(
        trigger: Moment,
        period: &str,
        service: Service,
        calendar: &CourtCalendar,
        expect: Expect,
    ) {
        let mut words = period.splitn(3, ' ');
        let amount = words.next().and_then(|a| a.parse().ok()).expect("amount");
        let rest: Vec<&str> = words.collect();
        let (unit, direction) = rest[1]
            .rsplit_once(' ')
            .map_or((rest[0].to_string(), rest[1]), |(u, dir)| (format!("{} {u}", rest[0]), dir));
        let period = Period {
            amount,
            unit: unit.parse().expect("unit"),
            direction: direction.parse().expect("direction"),
        };
        let outcome =
            compute_period(trigger, period, service, Some(&ServiceExtension::frcp_6d()), calendar)
                .expect("computes");
        let mut text = format!("due {}\n", outcome.due);
        for step in &outcome.trail {
            text.push_str(&format!("- {} -> {} [{}]\n", step.reason, step.to, step.citation));
        }
        expect.assert_eq(&text);
    }

    fn federal() -> CourtCalendar {
        CourtCalendar::statutory("D.D.C.", chrono_tz::America::New_York)
    }

    #[test]
    fn new_years_day_observed_in_the_prior_year() {
        check(
            Moment::Day(d("2021-12-01")),
            "30 days after",
            Service::Electronic,
            &federal(),
            expect![[r#"
            due 2022-01-03 (Mon)
            - counted 30 days after 2021-12-01, excluding the day of the event and counting every day -> 2021-12-31 (Fri) [FRCP 6(a)(1)(A)-(B)]
            - 2021-12-31 is New Year's Day (observed): rolled forward to the next day -> 2022-01-01 (Sat) [FRCP 6(a)(1)(C), 6(a)(5); FRCP 6(a)(6)(A); 5 U.S.C. 6103]
            - 2022-01-01 is a Saturday: rolled forward to the next day -> 2022-01-02 (Sun) [FRCP 6(a)(1)(C), 6(a)(5)]
            - 2022-01-02 is a Sunday: rolled forward to the next day -> 2022-01-03 (Mon) [FRCP 6(a)(1)(C), 6(a)(5)]
        "#]],
        );
    }

    #[test]
    fn mail_days_are_added_after_the_roll_and_rolled_again() {
        // 30 days after 2026-10-16 is Sun 11-15 -> Mon 11-16; plus 3 is Thu 11-19 (not Wed 11-18, which adding
        // the 3 days to the raw Sunday would give).
        check(
            Moment::Day(d("2026-10-16")),
            "30 days after",
            Service::Mail,
            &federal(),
            expect![[r#"
            due 2026-11-19 (Thu)
            - counted 30 days after 2026-10-16, excluding the day of the event and counting every day -> 2026-11-15 (Sun) [FRCP 6(a)(1)(A)-(B)]
            - 2026-11-15 is a Sunday: rolled forward to the next day -> 2026-11-16 (Mon) [FRCP 6(a)(1)(C), 6(a)(5)]
            - added 3 days for service by mail after the period would otherwise expire -> 2026-11-19 (Thu) [FRCP 6(d)]
        "#]],
        );
        // 14 days after 2026-11-12 is Thu 11-26, Thanksgiving -> Fri 11-27; plus 3 is Mon 11-30.
        check(
            Moment::Day(d("2026-11-12")),
            "14 days after",
            Service::Mail,
            &federal(),
            expect![[r#"
            due 2026-11-30 (Mon)
            - counted 14 days after 2026-11-12, excluding the day of the event and counting every day -> 2026-11-26 (Thu) [FRCP 6(a)(1)(A)-(B)]
            - 2026-11-26 is Thanksgiving Day: rolled forward to the next day -> 2026-11-27 (Fri) [FRCP 6(a)(1)(C), 6(a)(5); FRCP 6(a)(6)(A); 5 U.S.C. 6103]
            - added 3 days for service by mail after the period would otherwise expire -> 2026-11-30 (Mon) [FRCP 6(d)]
        "#]],
        );
        // A period before an event gets no service days.
        check(
            Moment::Day(d("2026-07-24")),
            "21 days before",
            Service::Mail,
            &federal(),
            expect![[r#"
            due 2026-07-02 (Thu)
            - counted 21 days before 2026-07-24, excluding the day of the event and counting every day -> 2026-07-03 (Fri) [FRCP 6(a)(1)(A)-(B)]
            - 2026-07-03 is Independence Day (observed): rolled back to the day before -> 2026-07-02 (Thu) [FRCP 6(a)(1)(C), 6(a)(5); FRCP 6(a)(6)(A); 5 U.S.C. 6103]
            - no days added for service by mail: the period is measured before an event, not after service -> 2026-07-02 (Thu) [FRCP 6(d)]
        "#]],
        );
    }

    #[test]
    fn hour_periods_count_every_hour_and_keep_the_time() {
        // 48 hours from Thu 2026-07-02 16:00 ends Sat 07-04 16:00 -> Sun -> Mon 07-06 16:00.
        check(
            at("2026-07-02 16:00"),
            "48 hours after",
            Service::Electronic,
            &federal(),
            expect![[r#"
            due 2026-07-06 16:00 (Mon)
            - counted 48 hours after 2026-07-02 16:00 (America/New_York), starting at once and counting every hour -> 2026-07-04 16:00 (Sat) [FRCP 6(a)(2)(A)-(B)]
            - 2026-07-04 is a Saturday: rolled forward to the next day -> 2026-07-05 16:00 (Sun) [FRCP 6(a)(2)(C), 6(a)(5)]
            - 2026-07-05 is a Sunday: rolled forward to the next day -> 2026-07-06 16:00 (Mon) [FRCP 6(a)(2)(C), 6(a)(5)]
        "#]],
        );
        // Across the spring-forward night: 24 elapsed hours from 2026-03-07 12:00 EST end at 13:00 EDT Sunday,
        // which rolls to Monday 13:00.
        check(
            at("2026-03-07 12:00"),
            "24 hours after",
            Service::Electronic,
            &federal(),
            expect![[r#"
            due 2026-03-09 13:00 (Mon)
            - counted 24 hours after 2026-03-07 12:00 (America/New_York), starting at once and counting every hour -> 2026-03-08 13:00 (Sun) [FRCP 6(a)(2)(A)-(B)]
            - 2026-03-08 is a Sunday: rolled forward to the next day -> 2026-03-09 13:00 (Mon) [FRCP 6(a)(2)(C), 6(a)(5)]
        "#]],
        );
    }

    #[test]
    fn inaccessible_clerks_office_and_state_holidays() {
        let calendar = federal()
            .with_inaccessible(d("2026-02-23"), d("2026-02-24"), "snow emergency closure")
            .with_state_holiday(d("2026-04-20"), "Patriots' Day");
        check(
            Moment::Day(d("2026-02-02")),
            "21 days after",
            Service::Electronic,
            &calendar,
            expect![[r#"
            due 2026-02-25 (Wed)
            - counted 21 days after 2026-02-02, excluding the day of the event and counting every day -> 2026-02-23 (Mon) [FRCP 6(a)(1)(A)-(B)]
            - clerk's office inaccessible on 2026-02-23 (snow emergency closure): rolled forward to the next day -> 2026-02-24 (Tue) [FRCP 6(a)(3)(A)]
            - clerk's office inaccessible on 2026-02-24 (snow emergency closure): rolled forward to the next day -> 2026-02-25 (Wed) [FRCP 6(a)(3)(A)]
        "#]],
        );
        check(
            Moment::Day(d("2026-03-30")),
            "21 days after",
            Service::Electronic,
            &calendar,
            expect![[r#"
            due 2026-04-21 (Tue)
            - counted 21 days after 2026-03-30, excluding the day of the event and counting every day -> 2026-04-20 (Mon) [FRCP 6(a)(1)(A)-(B)]
            - 2026-04-20 is Patriots' Day (state holiday): rolled forward to the next day -> 2026-04-21 (Tue) [FRCP 6(a)(1)(C), 6(a)(5); FRCP 6(a)(6)(C)]
        "#]],
        );
        check(
            Moment::Day(d("2026-05-11")),
            "21 days before",
            Service::Electronic,
            &calendar,
            expect![[r#"
            due 2026-04-20 (Mon)
            - counted 21 days before 2026-05-11, excluding the day of the event and counting every day -> 2026-04-20 (Mon) [FRCP 6(a)(1)(A)-(B)]
        "#]],
        );
    }

    #[test]
    fn court_days_weeks_months_and_years() {
        check(
            Moment::Day(d("2026-06-29")),
            "5 court days after",
            Service::Electronic,
            &federal(),
            expect![[r#"
            due 2026-07-07 (Tue)
            - counted 5 court days after 2026-06-29, excluding the day of the event, weekends and legal holidays -> 2026-07-07 (Tue) [court-day rule of the governing rule set]
        "#]],
        );
        check(
            Moment::Day(d("2026-01-31")),
            "1 month after",
            Service::Electronic,
            &federal(),
            expect![[r#"
            due 2026-03-02 (Mon)
            - counted 1 month after 2026-01-31 to the same day of the month (the month's last day when it has no such day) -> 2026-02-28 (Sat) [FRCP 6(a)(1)]
            - 2026-02-28 is a Saturday: rolled forward to the next day -> 2026-03-01 (Sun) [FRCP 6(a)(1)(C), 6(a)(5)]
            - 2026-03-01 is a Sunday: rolled forward to the next day -> 2026-03-02 (Mon) [FRCP 6(a)(1)(C), 6(a)(5)]
        "#]],
        );
        check(
            Moment::Day(d("2024-02-29")),
            "1 year after",
            Service::Electronic,
            &federal(),
            expect![[r#"
            due 2025-02-28 (Fri)
            - counted 1 year after 2024-02-29 to the same day of the month (the month's last day when it has no such day) -> 2025-02-28 (Fri) [FRCP 6(a)(1)]
        "#]],
        );
        check(
            Moment::Day(d("2026-06-05")),
            "4 weeks after",
            Service::Electronic,
            &federal(),
            expect![[r#"
            due 2026-07-06 (Mon)
            - counted 4 weeks after 2026-06-05, excluding the day of the event and counting every day -> 2026-07-03 (Fri) [FRCP 6(a)(1)(A)-(B)]
            - 2026-07-03 is Independence Day (observed): rolled forward to the next day -> 2026-07-04 (Sat) [FRCP 6(a)(1)(C), 6(a)(5); FRCP 6(a)(6)(A); 5 U.S.C. 6103]
            - 2026-07-04 is a Saturday: rolled forward to the next day -> 2026-07-05 (Sun) [FRCP 6(a)(1)(C), 6(a)(5)]
            - 2026-07-05 is a Sunday: rolled forward to the next day -> 2026-07-06 (Mon) [FRCP 6(a)(1)(C), 6(a)(5)]
        "#]],
        );
    }

    #[test]
    fn errors() {
        let period = Period { amount: 3, unit: Unit::Hours, direction: Direction::After };
        assert_eq!(
            compute_period(Moment::Day(d("2026-01-05")), period, Service::Mail, None, &federal()),
            Err(DocketError::HoursNeedTime)
        );
        assert_eq!(
            compute_period(at("2026-03-08 02:30"), period, Service::Mail, None, &federal()),
            Err(DocketError::NonexistentLocalTime {
                time: "2026-03-08 02:30:00".to_string(),
                zone: "America/New_York".to_string()
            })
        );
        let days = Period { amount: 3, unit: Unit::Days, direction: Direction::After };
        assert!(matches!(
            compute_period(Moment::Day(d("1960-01-05")), days, Service::Mail, None, &federal()),
            Err(DocketError::DateOutOfRange(_))
        ));
        assert_eq!("court-days".parse::<Unit>(), Ok(Unit::CourtDays));
        assert!("fortnights".parse::<Unit>().is_err());
        assert_eq!("E-Service".parse::<Service>(), Ok(Service::Electronic));
    }
}
