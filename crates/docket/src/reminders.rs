//! Reminder schedules: when to warn about each open deadline, computed from "now" without side effects.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

use crate::period::local_instant;
use crate::tracking::{DeadlineStatus, TrackedDeadline};

/// How far ahead, and at what local time of day, to remind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPolicy {
    /// Days before the due date; 0 means on the day itself.
    pub days_before: Vec<u32>,
    /// Local time of day (in the court's time zone) at which reminders go out.
    pub send_at: NaiveTime,
    /// Move a reminder that falls on a Saturday or Sunday to the Friday before, so the warning still comes
    /// at least as early as asked.
    pub weekdays_only: bool,
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        Self {
            days_before: vec![30, 14, 7, 3, 1],
            send_at: NaiveTime::from_hms_opt(9, 0, 0).expect("09:00 is a valid time"),
            weekdays_only: true,
        }
    }
}

/// One reminder to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub trigger_id: String,
    pub rule_id: String,
    pub title: String,
    pub due: NaiveDate,
    /// The lead time asked for; the actual lead can be longer when a weekend reminder moved earlier.
    pub days_before: u32,
    pub send_at: DateTime<Utc>,
}

/// Every reminder still to send at or after `now`, in sending order. Done deadlines get none; overridden ones
/// are reminded of their override date.
pub fn reminder_schedule(
    deadlines: &[TrackedDeadline],
    policy: &ReminderPolicy,
    now: DateTime<Utc>,
) -> Vec<Reminder> {
    let mut reminders = Vec::new();
    for deadline in deadlines {
        if matches!(deadline.status, DeadlineStatus::Done { .. }) {
            continue;
        }
        let due = deadline.effective_due();
        let zone = deadline.computed.time_zone;
        let mut days: Vec<u32> = policy.days_before.clone();
        days.sort_unstable();
        days.dedup();
        let mut taken_dates = Vec::new();
        for lead in days {
            let Some(mut day) = due.checked_sub_signed(Duration::days(i64::from(lead))) else {
                continue;
            };
            if policy.weekdays_only {
                while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                    day = day.pred_opt().expect("a day before a supported date exists");
                }
            }
            // Two lead times can land on one Friday; one reminder is enough.
            if taken_dates.contains(&day) {
                continue;
            }
            taken_dates.push(day);
            let Ok(local) = local_instant(zone, day.and_time(policy.send_at)) else {
                continue;
            };
            let send_at = local.with_timezone(&Utc);
            if send_at < now {
                continue;
            }
            reminders.push(Reminder {
                trigger_id: deadline.trigger_id.clone(),
                rule_id: deadline.computed.rule_id.clone(),
                title: deadline.computed.title.clone(),
                due,
                days_before: lead,
                send_at,
            });
        }
    }
    reminders.sort_by(|a, b| {
        (a.send_at, &a.due, &a.trigger_id, &a.rule_id).cmp(&(
            b.send_at,
            &b.due,
            &b.trigger_id,
            &b.rule_id,
        ))
    });
    reminders
}
