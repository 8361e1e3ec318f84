//! Moving a trigger, overrides and reminders.

use chrono::{NaiveDate, TimeZone, Utc};
use docket::{
    CourtCalendar, DeadlineStatus, DocketError, Moment, ReminderPolicy, RuleSet, Service,
    recompute_moved_trigger, reminder_schedule, track,
};
use expect_test::expect;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

#[test]
fn moving_a_trigger_keeps_done_and_overridden_deadlines() {
    let frcp = RuleSet::builtin("frcp").expect("frcp");
    let calendar = CourtCalendar::federal("N.D. Ill.", chrono_tz::America::Chicago);
    let mut docket = track(
        "judgment",
        &frcp,
        "judgment entered",
        Moment::Day(d("2026-11-13")),
        Service::NotServed,
        &calendar,
    )
    .expect("computes");
    docket.extend(
        track(
            "rogs-1",
            &frcp,
            "interrogatories served",
            Moment::Day(d("2026-10-16")),
            Service::Mail,
            &calendar,
        )
        .expect("computes"),
    );
    let find = |docket: &[docket::TrackedDeadline], id: &str| {
        docket.iter().find(|t| t.computed.rule_id == id).cloned().expect("present")
    };
    let index = |docket: &[docket::TrackedDeadline], id: &str| {
        docket.iter().position(|t| t.computed.rule_id == id).expect("present")
    };
    let fees = index(&docket, "attorney-fees");
    docket[fees].mark_done(d("2026-11-20"));
    let appeal = index(&docket, "notice-of-appeal");
    assert_eq!(
        docket[appeal].override_due(d("2027-01-11"), "  "),
        Err(DocketError::EmptyOverrideReason)
    );
    docket[appeal]
        .override_due(d("2027-01-11"), "Order of 2026-12-01 extended time under FRAP 4(a)(5)")
        .expect("has a reason");

    let moved = recompute_moved_trigger(
        &docket,
        "judgment",
        &frcp,
        "judgment entered",
        Moment::Day(d("2026-11-20")),
        Service::NotServed,
        &calendar,
    )
    .expect("recomputes");
    assert_eq!(moved.len(), docket.len());
    assert_eq!(find(&moved, "attorney-fees"), docket[fees]);
    assert_eq!(find(&moved, "notice-of-appeal").effective_due(), d("2027-01-11"));
    assert!(matches!(find(&moved, "notice-of-appeal").status, DeadlineStatus::Overridden { .. }));
    // 2026-11-20 + 28 days is Fri 2026-12-18.
    assert_eq!(find(&moved, "new-trial").effective_due(), d("2026-12-18"));
    // Deadlines of another trigger are untouched.
    assert_eq!(find(&moved, "interrogatory-answers"), find(&docket, "interrogatory-answers"));
}

#[test]
fn reminders_from_now_skip_done_and_weekends() {
    let frcp = RuleSet::builtin("frcp").expect("frcp");
    let calendar = CourtCalendar::federal("S.D.N.Y.", chrono_tz::America::New_York);
    let mut docket = track(
        "cc",
        &frcp,
        "counterclaim served",
        Moment::Day(d("2026-03-02")),
        Service::Mail,
        &calendar,
    )
    .expect("computes");
    docket.extend(
        track(
            "rogs",
            &frcp,
            "interrogatories served",
            Moment::Day(d("2026-03-02")),
            Service::Electronic,
            &calendar,
        )
        .expect("computes"),
    );
    let done = track(
        "old",
        &frcp,
        "counterclaim served",
        Moment::Day(d("2026-03-03")),
        Service::Mail,
        &calendar,
    )
    .expect("computes")
    .into_iter()
    .map(|mut t| {
        t.mark_done(d("2026-03-10"));
        t
    });
    docket.extend(done);
    let now = Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0).single().expect("now");
    let schedule = reminder_schedule(&docket, &ReminderPolicy::default(), now);
    let listed: String = schedule
        .iter()
        .map(|r| {
            format!(
                "{} {}-{} due {} ({}d)\n",
                r.send_at, r.trigger_id, r.rule_id, r.due, r.days_before
            )
        })
        .collect();
    // Counterclaim answer due Thu 03-26: 14 days before (03-12) is past; 7 -> Thu 03-19, 3 -> Mon 03-23,
    // 1 -> Wed 03-25. Interrogatories due Wed 04-01: 14 -> Wed 03-18, 7 -> Wed 03-25, 3 -> Sun 03-29 moved
    // to Fri 03-27, 1 -> Tue 03-31. 09:00 EDT is 13:00 UTC.
    expect![[r#"
        2026-03-18 13:00:00 UTC rogs-interrogatory-answers due 2026-04-01 (14d)
        2026-03-19 13:00:00 UTC cc-answer-counterclaim due 2026-03-26 (7d)
        2026-03-23 13:00:00 UTC cc-answer-counterclaim due 2026-03-26 (3d)
        2026-03-25 13:00:00 UTC cc-answer-counterclaim due 2026-03-26 (1d)
        2026-03-25 13:00:00 UTC rogs-interrogatory-answers due 2026-04-01 (7d)
        2026-03-27 13:00:00 UTC rogs-interrogatory-answers due 2026-04-01 (3d)
        2026-03-31 13:00:00 UTC rogs-interrogatory-answers due 2026-04-01 (1d)
    "#]]
    .assert_eq(&listed);
}
