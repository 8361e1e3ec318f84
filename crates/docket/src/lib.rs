//! Court-rule deadline computation (FRCP 6), rule sets as data, reminders and iCalendar feeds.
//!
//! Pure logic: the only input besides the arguments is rule data embedded at compile time, and "now" is
//! always passed in.

pub mod calendar;
mod error;
pub mod ical;
pub mod period;
pub mod reminders;
pub mod render;
pub mod rules;
mod tomldate;
pub mod tracking;

pub use calendar::CourtCalendar;
pub use error::DocketError;
pub use ical::{CalendarEvent, EventStart, to_icalendar};
pub use period::{
    Direction, Moment, Period, PeriodOutcome, Service, ServiceExtension, StepKind, TrailStep, Unit,
    compute_period,
};
pub use reminders::{Reminder, ReminderPolicy, reminder_schedule};
pub use render::render_trail;
pub use rules::{ComputedDeadline, DeadlineRule, RuleSet, Trigger, compute, compute_at};
pub use tracking::{DeadlineStatus, TrackedDeadline, recompute_moved_trigger, track};
