//! Court calendars: federal legal holidays (5 U.S.C. 6103, on their observed dates), days closed by the
//! President or Congress, state holidays and days the clerk's office was inaccessible (FRCP 6(a)(3), (6)).

use chrono::{Datelike, NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::DocketError;
use crate::period::Direction;

/// Closures declared by the President or Congress, shipped as data (FRCP 6(a)(6)(B)).
const DECLARED_CLOSURES_TOML: &str = include_str!("../rules/declared-closures.toml");

/// The first and last years whose holiday rules this crate models: the Uniform Monday Holiday Act and the
/// Saturday-to-Friday observance (Executive Order 11582) both took effect in 1971.
pub const FIRST_SUPPORTED_YEAR: i32 = 1971;
pub const LAST_SUPPORTED_YEAR: i32 = 2199;

/// A single named day of closure, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NamedDay {
    #[serde(deserialize_with = "crate::tomldate::date")]
    pub date: NaiveDate,
    pub name: String,
    #[serde(default)]
    pub citation: String,
}

/// A span of days (both ends included) on which a court's clerk's office was inaccessible.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InaccessiblePeriod {
    #[serde(deserialize_with = "crate::tomldate::date")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "crate::tomldate::date")]
    pub to: NaiveDate,
    pub reason: String,
}

impl InaccessiblePeriod {
    fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// Why a day cannot be the last day of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedReason {
    /// Human wording, e.g. "Saturday" or "Independence Day (observed)".
    pub reason: String,
    /// The rule that makes the day unusable, e.g. "FRCP 6(a)(6)(A); 5 U.S.C. 6103".
    pub citation: String,
}

/// Everything about a court that deadline computation needs besides the rules: its time zone, which days
/// are legal holidays, and when its clerk's office was inaccessible.
#[derive(Debug, Clone, PartialEq)]
pub struct CourtCalendar {
    pub name: String,
    pub time_zone: Tz,
    declared_closures: Vec<NamedDay>,
    state_holidays: Vec<NamedDay>,
    inaccessible: Vec<InaccessiblePeriod>,
    inauguration_day: bool,
}

#[derive(Deserialize)]
struct DeclaredClosuresFile {
    closure: Vec<NamedDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    name: String,
    time_zone: String,
    #[serde(default = "default_true")]
    declared_closures: bool,
    #[serde(default)]
    inauguration_day: bool,
    #[serde(default)]
    closure: Vec<NamedDay>,
    #[serde(default)]
    state_holiday: Vec<NamedDay>,
    #[serde(default)]
    inaccessible: Vec<InaccessiblePeriod>,
}

fn default_true() -> bool {
    true
}

/// The days closed by the President or Congress that ship with the crate.
pub fn builtin_declared_closures() -> Vec<NamedDay> {
    let file: DeclaredClosuresFile = toml::from_str(DECLARED_CLOSURES_TOML)
        .expect("rules/declared-closures.toml is embedded and checked by a unit test");
    file.closure
}

impl CourtCalendar {
    /// Federal legal holidays of 5 U.S.C. 6103 only, on their observed dates.
    pub fn statutory(name: impl Into<String>, time_zone: Tz) -> Self {
        Self {
            name: name.into(),
            time_zone,
            declared_closures: Vec::new(),
            state_holidays: Vec::new(),
            inaccessible: Vec::new(),
            inauguration_day: false,
        }
    }

    /// Statutory holidays plus the shipped days closed by the President or Congress.
    pub fn federal(name: impl Into<String>, time_zone: Tz) -> Self {
        let mut calendar = Self::statutory(name, time_zone);
        calendar.declared_closures = builtin_declared_closures();
        calendar
    }

    /// Reads a court calendar from TOML (see `rules/example-court.toml` for the shape).
    pub fn from_toml(text: &str) -> Result<Self, DocketError> {
        let file: CalendarFile =
            toml::from_str(text).map_err(|e| DocketError::InvalidCalendar(e.to_string()))?;
        let time_zone: Tz = file
            .time_zone
            .parse()
            .map_err(|e| DocketError::InvalidCalendar(format!("time zone: {e}")))?;
        let mut calendar = if file.declared_closures {
            Self::federal(file.name, time_zone)
        } else {
            Self::statutory(file.name, time_zone)
        };
        calendar.inauguration_day = file.inauguration_day;
        calendar.declared_closures.extend(file.closure);
        calendar.state_holidays = file.state_holiday;
        for period in &file.inaccessible {
            if period.to < period.from {
                return Err(DocketError::InvalidCalendar(format!(
                    "inaccessible period {} to {} ends before it starts",
                    period.from, period.to
                )));
            }
        }
        calendar.inaccessible = file.inaccessible;
        Ok(calendar)
    }

    pub fn with_declared_closure(mut self, date: NaiveDate, name: impl Into<String>) -> Self {
        self.declared_closures.push(NamedDay { date, name: name.into(), citation: String::new() });
        self
    }

    pub fn with_state_holiday(mut self, date: NaiveDate, name: impl Into<String>) -> Self {
        self.state_holidays.push(NamedDay { date, name: name.into(), citation: String::new() });
        self
    }

    /// Marks the clerk's office inaccessible from `from` to `to`, both included.
    pub fn with_inaccessible(
        mut self,
        from: NaiveDate,
        to: NaiveDate,
        reason: impl Into<String>,
    ) -> Self {
        let (from, to) = if to < from { (to, from) } else { (from, to) };
        self.inaccessible.push(InaccessiblePeriod { from, to, reason: reason.into() });
        self
    }

    /// Inauguration Day is a holiday only for federal employees in the Washington, D.C. area
    /// (5 U.S.C. 6103(c)), so it is off unless a court's calendar asks for it.
    pub fn with_inauguration_day(mut self, observed: bool) -> Self {
        self.inauguration_day = observed;
        self
    }

    /// The legal holiday on `date`, if any. State holidays count only for periods measured after an event
    /// (FRCP 6(a)(6)(C)).
    pub fn legal_holiday(&self, date: NaiveDate, direction: Direction) -> Option<ClosedReason> {
        if let Some(name) = federal_holiday(date) {
            return Some(ClosedReason {
                reason: name,
                citation: "FRCP 6(a)(6)(A); 5 U.S.C. 6103".to_string(),
            });
        }
        if self.inauguration_day
            && let Some(day) = inauguration_day(date.year())
            && day == date
        {
            return Some(ClosedReason {
                reason: "Inauguration Day".to_string(),
                citation: "FRCP 6(a)(6)(A); 5 U.S.C. 6103(c)".to_string(),
            });
        }
        if let Some(day) = self.declared_closures.iter().find(|d| d.date == date) {
            let citation = if day.citation.is_empty() {
                "FRCP 6(a)(6)(B)".to_string()
            } else {
                format!("FRCP 6(a)(6)(B); {}", day.citation)
            };
            return Some(ClosedReason { reason: day.name.clone(), citation });
        }
        if direction == Direction::After
            && let Some(day) = self.state_holidays.iter().find(|d| d.date == date)
        {
            return Some(ClosedReason {
                reason: format!("{} (state holiday)", day.name),
                citation: "FRCP 6(a)(6)(C)".to_string(),
            });
        }
        None
    }

    /// Why `date` cannot be the last day of a period (weekend or legal holiday), if it cannot.
    pub fn closed_reason(&self, date: NaiveDate, direction: Direction) -> Option<ClosedReason> {
        match date.weekday() {
            Weekday::Sat => Some(ClosedReason {
                reason: "Saturday".to_string(),
                // The roll's own citation (6(a)(1)(C) or 6(a)(2)(C)) already names weekends.
                citation: String::new(),
            }),
            Weekday::Sun => {
                Some(ClosedReason { reason: "Sunday".to_string(), citation: String::new() })
            }
            _ => self.legal_holiday(date, direction),
        }
    }

    /// Whether the court is open for a period's last day: not a weekend and not a legal holiday.
    pub fn is_open(&self, date: NaiveDate, direction: Direction) -> bool {
        self.closed_reason(date, direction).is_none()
    }

    /// Why the clerk's office was inaccessible on `date`, if it was (FRCP 6(a)(3)).
    pub fn inaccessible_reason(&self, date: NaiveDate) -> Option<&str> {
        self.inaccessible.iter().find(|p| p.contains(date)).map(|p| p.reason.as_str())
    }
}

/// The statutory federal holiday observed on `date`, if any, named "(observed)" when it moved.
pub fn federal_holiday(date: NaiveDate) -> Option<String> {
    // A Saturday holiday is observed on the Friday before, which for New Year's Day lies in the prior year,
    // so the next year's holidays are checked too.
    [date.year(), date.year() + 1]
        .into_iter()
        .flat_map(federal_holidays_in)
        .find(|h| h.observed == date)
        .map(|h| {
            if h.actual == h.observed {
                h.name.to_string()
            } else {
                format!("{} (observed)", h.name)
            }
        })
}

/// One statutory holiday: the day the statute names and the day it is observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederalHoliday {
    pub name: &'static str,
    pub actual: NaiveDate,
    pub observed: NaiveDate,
}

/// The 5 U.S.C. 6103(a) holidays of `year`, in date order of the day the statute names. Empty outside
/// the supported years.
pub fn federal_holidays_in(year: i32) -> Vec<FederalHoliday> {
    if !(FIRST_SUPPORTED_YEAR..=LAST_SUPPORTED_YEAR + 1).contains(&year) {
        return Vec::new();
    }
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    let nth = |month, weekday, n| NaiveDate::from_weekday_of_month_opt(year, month, weekday, n);
    let mut days: Vec<(&'static str, Option<NaiveDate>)> = vec![("New Year's Day", fixed(1, 1))];
    if year >= 1986 {
        days.push(("Birthday of Martin Luther King, Jr.", nth(1, Weekday::Mon, 3)));
    }
    days.push(("Washington's Birthday", nth(2, Weekday::Mon, 3)));
    days.push(("Memorial Day", last_weekday_of_month(year, 5, Weekday::Mon)));
    if year >= 2021 {
        days.push(("Juneteenth National Independence Day", fixed(6, 19)));
    }
    days.push(("Independence Day", fixed(7, 4)));
    days.push(("Labor Day", nth(9, Weekday::Mon, 1)));
    days.push(("Columbus Day", nth(10, Weekday::Mon, 2)));
    // Veterans Day moved to the fourth Monday in October from 1971 to 1977, and back to November 11 in 1978.
    if year <= 1977 {
        days.push(("Veterans Day", nth(10, Weekday::Mon, 4)));
    } else {
        days.push(("Veterans Day", fixed(11, 11)));
    }
    days.push(("Thanksgiving Day", nth(11, Weekday::Thu, 4)));
    days.push(("Christmas Day", fixed(12, 25)));
    days.into_iter()
        .map(|(name, day)| {
            let actual = day.expect("holiday dates exist in every supported year");
            FederalHoliday { name, actual, observed: observed_date(actual) }
        })
        .collect()
}

/// Executive Order 11582 and 5 U.S.C. 6103(b): Saturday holidays are observed the Friday before, Sunday
/// holidays the Monday after.
fn observed_date(actual: NaiveDate) -> NaiveDate {
    match actual.weekday() {
        Weekday::Sat => actual.pred_opt().expect("Friday before a supported holiday exists"),
        Weekday::Sun => actual.succ_opt().expect("Monday after a supported holiday exists"),
        _ => actual,
    }
}

fn last_weekday_of_month(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let mut day = NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()?;
    while day.weekday() != weekday {
        day = day.pred_opt()?;
    }
    Some(day)
}

/// January 20 of each year after a presidential election, or January 21 when the 20th is a Sunday
/// (5 U.S.C. 6103(c)).
pub fn inauguration_day(year: i32) -> Option<NaiveDate> {
    if year.rem_euclid(4) != 1 {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(year, 1, 20)?;
    if day.weekday() == Weekday::Sun { day.succ_opt() } else { Some(day) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn observed_dates_cross_the_year_boundary() {
        assert_eq!(federal_holiday(d("2021-12-31")).as_deref(), Some("New Year's Day (observed)"));
        assert_eq!(federal_holiday(d("2022-01-01")), None);
        assert_eq!(federal_holiday(d("2023-01-02")).as_deref(), Some("New Year's Day (observed)"));
        assert_eq!(
            federal_holiday(d("2026-07-03")).as_deref(),
            Some("Independence Day (observed)")
        );
        assert_eq!(
            federal_holiday(d("2022-06-20")).as_deref(),
            Some("Juneteenth National Independence Day (observed)")
        );
        assert_eq!(
            federal_holiday(d("2021-06-18")).as_deref(),
            Some("Juneteenth National Independence Day (observed)")
        );
        assert_eq!(federal_holiday(d("2020-06-19")), None);
    }

    #[test]
    fn holidays_of_2026() {
        let listed: Vec<String> = federal_holidays_in(2026)
            .iter()
            .map(|h| format!("{} {}", h.observed, h.name))
            .collect();
        expect_test::expect![[r#"
            [
                "2026-01-01 New Year's Day",
                "2026-01-19 Birthday of Martin Luther King, Jr.",
                "2026-02-16 Washington's Birthday",
                "2026-05-25 Memorial Day",
                "2026-06-19 Juneteenth National Independence Day",
                "2026-07-03 Independence Day",
                "2026-09-07 Labor Day",
                "2026-10-12 Columbus Day",
                "2026-11-11 Veterans Day",
                "2026-11-26 Thanksgiving Day",
                "2026-12-25 Christmas Day",
            ]
        "#]]
        .assert_debug_eq(&listed);
    }

    #[test]
    fn inauguration_day_is_opt_in_and_moves_off_sunday() {
        assert_eq!(inauguration_day(2025), Some(d("2025-01-20")));
        assert_eq!(inauguration_day(2013), Some(d("2013-01-21")));
        assert_eq!(inauguration_day(2026), None);
        let tz = chrono_tz::America::New_York;
        let plain = CourtCalendar::statutory("D.D.C.", tz);
        // 2029-01-20 is a Saturday; use 2025 (a Monday that is also MLK Day) and 2033 (Thursday).
        assert!(plain.is_open(d("2033-01-20"), Direction::After));
        let dc = plain.with_inauguration_day(true);
        assert!(!dc.is_open(d("2033-01-20"), Direction::After));
    }

    #[test]
    fn state_holidays_count_only_forward() {
        let calendar = CourtCalendar::statutory("D. Mass.", chrono_tz::America::New_York)
            .with_state_holiday(d("2026-04-20"), "Patriots' Day");
        assert!(!calendar.is_open(d("2026-04-20"), Direction::After));
        assert!(calendar.is_open(d("2026-04-20"), Direction::Before));
    }

    #[test]
    fn embedded_closures_parse_and_apply_both_ways() {
        let closures = builtin_declared_closures();
        assert!(!closures.is_empty());
        let calendar = CourtCalendar::federal("fed", chrono_tz::America::New_York);
        assert!(!calendar.is_open(d("2019-12-24"), Direction::Before));
        assert!(!calendar.is_open(d("2025-01-09"), Direction::After));
        let statutory = CourtCalendar::statutory("fed", chrono_tz::America::New_York);
        assert!(statutory.is_open(d("2019-12-24"), Direction::After));
    }

    #[test]
    fn example_court_file_parses() {
        let calendar = CourtCalendar::from_toml(include_str!("../rules/example-court.toml"))
            .expect("example parses");
        assert_eq!(calendar.name, "D. Mass.");
        assert!(calendar.inaccessible_reason(d("2026-02-02")).is_some());
        assert!(!calendar.is_open(d("2026-04-20"), Direction::After));
    }

    #[test]
    fn calendar_from_toml() {
        let calendar = CourtCalendar::from_toml(
            r#"
            name = "D. Mass."
            time_zone = "America/New_York"
            [[state_holiday]]
            date = 2026-04-20
            name = "Patriots' Day"
            [[inaccessible]]
            from = 2026-02-02
            to = 2026-02-03
            reason = "Blizzard closed the courthouse"
            "#,
        )
        .expect("valid calendar");
        assert_eq!(
            calendar.inaccessible_reason(d("2026-02-03")),
            Some("Blizzard closed the courthouse")
        );
        assert!(!calendar.is_open(d("2026-04-20"), Direction::After));
        assert!(!calendar.is_open(d("2025-01-09"), Direction::After));
        assert!(CourtCalendar::from_toml("name = \"x\"\ntime_zone = \"Mars/Base\"").is_err());
    }
}
