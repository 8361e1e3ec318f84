//! Property tests: a computed deadline never lands on a weekend or legal holiday, and never moves the wrong way.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use docket::calendar::federal_holiday;
use docket::{
    CourtCalendar, Direction, Moment, Period, Service, ServiceExtension, Unit, compute_period,
};
use proptest::prelude::*;

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 1980-01-01 .. about 2144: backward periods of up to 400 weeks still stay in the modelled years (1971 on).
    (0i64..60_000).prop_map(|offset| {
        NaiveDate::from_ymd_opt(1980, 1, 1).expect("start date") + Duration::days(offset)
    })
}

fn any_unit() -> impl Strategy<Value = Unit> {
    prop_oneof![
        Just(Unit::Days),
        Just(Unit::CourtDays),
        Just(Unit::Weeks),
        Just(Unit::Months),
        Just(Unit::Years),
    ]
}

fn any_direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::After), Just(Direction::Before)]
}

fn any_service() -> impl Strategy<Value = Service> {
    prop_oneof![
        Just(Service::Electronic),
        Just(Service::Mail),
        Just(Service::Personal),
        Just(Service::LeftWithClerk),
    ]
}

fn calendar() -> CourtCalendar {
    CourtCalendar::federal("prop", chrono_tz::America::Chicago)
        .with_state_holiday(NaiveDate::from_ymd_opt(2026, 4, 20).expect("date"), "Patriots' Day")
        .with_inaccessible(
            NaiveDate::from_ymd_opt(2026, 2, 2).expect("date"),
            NaiveDate::from_ymd_opt(2026, 2, 4).expect("date"),
            "flood",
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn due_is_never_a_weekend_or_legal_holiday(
        trigger in any_date(),
        amount in 0u32..400,
        unit in any_unit(),
        direction in any_direction(),
        service in any_service(),
    ) {
        // Keep backward periods from 1980 inside the modelled years (1971 on).
        let amount = match unit {
            Unit::Years => amount % 4,
            Unit::Months => amount % 48,
            _ => amount,
        };
        let period = Period { amount, unit, direction };
        let calendar = calendar();
        let outcome = compute_period(Moment::Day(trigger), period, service, Some(&ServiceExtension::frcp_6d()), &calendar)
            .expect("in range");
        let due = outcome.due.date();
        prop_assert!(!matches!(due.weekday(), Weekday::Sat | Weekday::Sun), "{due} is a weekend");
        prop_assert_eq!(federal_holiday(due), None);
        prop_assert!(calendar.is_open(due, direction));
        prop_assert!(calendar.inaccessible_reason(due).is_none());
        match direction {
            // Forward counting never returns a date before the raw date, backward never one after it.
            Direction::After => prop_assert!(outcome.due >= outcome.raw),
            Direction::Before => prop_assert!(outcome.due <= outcome.raw),
        }
        // Rolling is bounded: no run of closed days is longer than a week plus the 6(d) days.
        prop_assert!((due - outcome.raw.date()).num_days().abs() <= 10);
        // Every trail starts with the count and ends on the due date.
        prop_assert_eq!(outcome.trail.first().map(|s| s.to), Some(outcome.raw));
    }

    #[test]
    fn hour_periods_keep_the_time_and_skip_closed_days(
        trigger in any_date(),
        hour in 0u32..24,
        hours in 1u32..200,
        direction in any_direction(),
    ) {
        let at = trigger.and_hms_opt(hour, 30, 0).expect("valid time");
        let calendar = CourtCalendar::statutory("utc", chrono_tz::UTC);
        let period = Period { amount: hours, unit: Unit::Hours, direction };
        let outcome = compute_period(Moment::At(at), period, Service::Electronic, None, &calendar).expect("in range");
        let Moment::At(due) = outcome.due else { panic!("hour period gave a day") };
        prop_assert!(calendar.is_open(due.date(), direction));
        let Moment::At(raw) = outcome.raw else { panic!("hour period gave a day") };
        prop_assert_eq!(due.time(), raw.time());
        let expected_raw = match direction {
            Direction::After => at + Duration::hours(i64::from(hours)),
            Direction::Before => at - Duration::hours(i64::from(hours)),
        };
        prop_assert_eq!(raw, expected_raw);
    }
}
