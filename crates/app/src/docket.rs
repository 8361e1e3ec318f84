//! Use cases for the calendar, court-rule triggers and their deadlines on matters, reminders and iCalendar feeds.
//!
//! Who may do what: the docket of a matter is visible to whoever sees the matter (team, walls, assigned
//! externals); it may be changed by firm staff on the matter and by a virtual assistant whose assigned work
//! is on it (the VA who dockets for the attorney), never by LPO reviewers or clients. Calendar events belong
//! to their owner; an event on a matter is also visible to everyone who sees the matter.

use crate::auth::{actor_of, random_secret, sha256_hex};
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use docket::{
    CalendarEvent, ComputedDeadline, CourtCalendar, DeadlineStatus, EventStart, Moment,
    ReminderPolicy, RuleSet, Service, TrackedDeadline,
};
use domain::{Action, Actor, Id, MatterAccess, Policy, Role};
use std::collections::HashSet;
use store::docket::{
    DeadlineFilter, DeadlineListRow, DeadlineRow, DocketChange, EventFilter, EventRow, FeedRow,
    NewReminder, ReminderRow, TriggerRow,
};

pub mod mail;

pub use mail::{DispatchReport, Mailer, SmtpSettings};

/// The channels every reminder goes out on.
const CHANNELS: [&str; 2] = ["in_app", "email"];

/// May `actor` change the docket of a matter they have `access` to?
pub fn may_docket(actor: &Actor, access: MatterAccess) -> bool {
    Policy::allows(actor, Action::ViewMatter(access))
        && matches!(actor.role, Role::Admin | Role::Attorney | Role::Staff | Role::VirtualAssistant)
}

/// May `actor` keep a calendar at all (clients may not).
pub fn may_use_calendar(actor: &Actor) -> bool {
    actor.active && actor.role != Role::Client
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid { field: field.into(), message: message.into() }
}

fn docket_err(field: &str, e: docket::DocketError) -> AppError {
    invalid(field, e.to_string())
}

fn parse_day(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(field, "enter a date as YYYY-MM-DD"))
}

fn parse_clock(field: &str, s: &str) -> Result<Option<NaiveTime>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .map(Some)
        .map_err(|_| invalid(field, "enter a time as HH:MM (24-hour)"))
}

pub fn parse_zone(field: &str, s: &str) -> Result<Tz> {
    s.trim()
        .parse::<Tz>()
        .map_err(|_| invalid(field, "choose an IANA time zone such as America/New_York"))
}

/// The court time zones offered in forms; any IANA name is accepted.
pub const COMMON_ZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Pacific/Guam",
    "UTC",
];

/// One step of a deadline's trail, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrailLine {
    pub kind: String,
    pub to: String,
    pub reason: String,
    pub citation: String,
}

fn trail_json(c: &ComputedDeadline) -> serde_json::Value {
    let mut lines: Vec<TrailLine> = c
        .trail
        .iter()
        .map(|s| TrailLine {
            kind: format!("{:?}", s.kind).to_lowercase(),
            to: s.to.to_string(),
            reason: s.reason.clone(),
            citation: s.citation.clone(),
        })
        .collect();
    if !c.note.is_empty() {
        lines.push(TrailLine {
            kind: "note".into(),
            to: String::new(),
            reason: format!("Note: {}", c.note),
            citation: c.citation.clone(),
        });
    }
    serde_json::to_value(lines).expect("trail lines serialize")
}

/// The trail stored with a deadline.
pub fn trail_of(d: &DeadlineRow) -> Vec<TrailLine> {
    serde_json::from_value(d.trail.clone()).unwrap_or_default()
}

/// What a person enters to docket a trigger event.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TriggerForm {
    pub rule_set: String,
    pub trigger: String,
    pub label: String,
    /// YYYY-MM-DD
    pub date: String,
    /// HH:MM, court-local; needed for hour periods.
    pub time: String,
    pub service: String,
    pub time_zone: String,
}

/// A trigger with its deadlines.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TriggerView {
    pub trigger: TriggerRow,
    pub deadlines: Vec<DeadlineView>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DeadlineView {
    pub row: DeadlineRow,
    pub trail: Vec<TrailLine>,
}

/// A matter's docket page.
#[derive(Debug, Clone)]
pub struct DocketView {
    pub matter: domain::Matter,
    pub triggers: Vec<TriggerView>,
    pub can_edit: bool,
}

/// A rule set's triggers, for forms.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleSetInfo {
    pub name: String,
    pub title: String,
    pub version: String,
    pub triggers: Vec<String>,
}

pub fn rule_sets() -> Vec<RuleSetInfo> {
    RuleSet::builtin_names()
        .into_iter()
        .filter_map(|n| RuleSet::builtin(n).ok())
        .map(|r| RuleSetInfo {
            triggers: r.triggers().iter().map(|t| t.name.clone()).collect(),
            name: r.name,
            title: r.title,
            version: r.version,
        })
        .collect()
}

fn moment_of(t: &TriggerRow) -> Result<Moment> {
    Ok(match t.trigger_time.as_deref() {
        Some(time) => {
            Moment::At(t.trigger_date.and_time(
                parse_clock("time", time)?.ok_or_else(|| invalid("time", "missing time"))?,
            ))
        }
        None => Moment::Day(t.trigger_date),
    })
}

/// Computes a trigger's deadlines with the court's calendar (federal holidays and declared closures).
fn compute(t: &TriggerRow, court: &str) -> Result<Vec<ComputedDeadline>> {
    let rules = RuleSet::builtin(&t.rule_set).map_err(|e| docket_err("rule_set", e))?;
    let zone = parse_zone("time_zone", &t.court_time_zone)?;
    let calendar =
        CourtCalendar::federal(if court.is_empty() { "Federal court" } else { court }, zone);
    let service: Service = t.service.parse().map_err(|e| docket_err("service", e))?;
    docket::compute_at(&rules, &t.trigger_name, moment_of(t)?, service, &calendar).map_err(|e| {
        let field = match e {
            docket::DocketError::UnknownTrigger { .. } => "trigger",
            docket::DocketError::HoursNeedTime => "time",
            _ => "date",
        };
        docket_err(field, e)
    })
}

fn deadline_row(id: Id, t: &TriggerRow, c: &ComputedDeadline, now: DateTime<Utc>) -> DeadlineRow {
    DeadlineRow {
        id,
        trigger_id: t.id,
        matter_id: t.matter_id,
        rule_id: c.rule_id.clone(),
        title: c.title.clone(),
        citation: c.citation.clone(),
        computed_due: c.due_date(),
        due_time: match c.due {
            Moment::At(at) => Some(at.format("%H:%M").to_string()),
            Moment::Day(_) => None,
        },
        due_on: c.due_date(),
        trail: trail_json(c),
        status: "open".into(),
        done_on: None,
        override_reason: None,
        decided_by: None,
        updated_at: now,
    }
}

fn tracked(row: &DeadlineRow, computed: &ComputedDeadline) -> TrackedDeadline {
    let status = match row.status.as_str() {
        "done" => DeadlineStatus::Done { on: row.done_on.unwrap_or(row.due_on) },
        "overridden" => DeadlineStatus::Overridden {
            due: row.due_on,
            reason: row.override_reason.clone().unwrap_or_default(),
        },
        _ => DeadlineStatus::Open,
    };
    TrackedDeadline { trigger_id: row.trigger_id.to_string(), computed: computed.clone(), status }
}

/// Double bookings: timed events and appointments of `user` (owned or attended) that overlap another.
pub fn double_booked(events: &[EventRow], user: Id) -> HashSet<Id> {
    let mut mine: Vec<&EventRow> = events
        .iter()
        .filter(|e| !e.all_day && e.kind != "deadline")
        .filter(|e| e.owner == user || e.attendees.contains(&user))
        .collect();
    mine.sort_by_key(|e| (e.starts_at, e.ends_at));
    let mut flagged = HashSet::new();
    // Sweep by start: each event overlaps any earlier one still running when it starts.
    let mut running: Vec<&EventRow> = Vec::new();
    for e in mine {
        running.retain(|r| r.ends_at > e.starts_at);
        for r in &running {
            if r.starts_at < e.ends_at {
                flagged.insert(r.id);
                flagged.insert(e.id);
            }
        }
        running.push(e);
    }
    flagged
}

/// What a person enters for a calendar event.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EventForm {
    pub title: String,
    /// event, appointment or deadline
    pub kind: String,
    pub matter_id: String,
    /// YYYY-MM-DD
    pub date: String,
    /// HH:MM; empty with `all_day`.
    pub start: String,
    pub end: String,
    /// Last day of an all-day event (YYYY-MM-DD); the start date when empty.
    pub end_date: String,
    pub all_day: Option<String>,
    pub time_zone: String,
    pub location: String,
    pub notes: String,
    /// Attendee e-mail addresses, comma-separated.
    pub attendees: String,
}

/// One line of a calendar view.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CalendarItem {
    /// event, appointment, deadline (hand-entered) or docket (computed from a trigger).
    pub kind: String,
    pub title: String,
    /// The local day the item starts on, in the viewer's zone.
    pub day: NaiveDate,
    /// "09:30–10:30" or "all day" or "due".
    pub when: String,
    pub matter_id: Option<Id>,
    pub matter_number: String,
    pub event_id: Option<Id>,
    pub deadline_id: Option<Id>,
    pub status: String,
    pub location: String,
    pub double_booked: bool,
    pub mine: bool,
}

/// The items in a window of days.
#[derive(Debug, Clone)]
pub struct CalendarData {
    pub items: Vec<CalendarItem>,
    pub double_bookings: usize,
}

/// A new feed: its row and the token, shown once.
#[derive(Debug, Clone)]
pub struct NewFeed {
    pub feed: FeedRow,
    pub token: String,
}

impl App {
    async fn docket_access(&self, actor: &Actor, matter: Id) -> Result<MatterAccess> {
        let access = self.store.matter_access(actor, matter).await?;
        self.require(actor, Action::ViewMatter(access))?;
        Ok(access)
    }

    async fn require_docket(&self, actor: &Actor, matter: Id) -> Result<()> {
        let access = self.docket_access(actor, matter).await?;
        if may_docket(actor, access) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// A matter's docket: its triggers, each with its deadlines and their trails.
    pub async fn docket(&self, actor: &Actor, matter: Id) -> Result<DocketView> {
        let access = self.docket_access(actor, matter).await?;
        let m = self.store.matter(matter).await?;
        let mut triggers = Vec::new();
        for t in self.store.triggers(matter).await? {
            let deadlines = self
                .store
                .trigger_deadlines(t.id)
                .await?
                .into_iter()
                .map(|row| DeadlineView { trail: trail_of(&row), row })
                .collect();
            triggers.push(TriggerView { trigger: t, deadlines });
        }
        Ok(DocketView { matter: m, triggers, can_edit: may_docket(actor, access) })
    }

    /// Who is reminded of a matter's deadlines: its team, its responsible attorney and whoever docketed
    /// the trigger, minus anyone walled off or deactivated.
    async fn reminder_recipients(&self, matter: Id, docketed_by: Id) -> Result<Vec<Id>> {
        let m = self.store.matter(matter).await?;
        let mut ids: Vec<Id> = self.store.team(matter).await?.iter().map(|u| u.id).collect();
        ids.extend(m.responsible_attorney);
        ids.push(docketed_by);
        ids.sort();
        ids.dedup();
        let mut out = Vec::new();
        for id in ids {
            let user = self.store.user(id).await?;
            if !user.active {
                continue;
            }
            let access = self.store.matter_access(&actor_of(&user), matter).await?;
            if !access.walled {
                out.push(id);
            }
        }
        Ok(out)
    }

    fn reminders_for(
        &self,
        rows: &[(DeadlineRow, TrackedDeadline)],
        recipients: &[Id],
    ) -> Vec<NewReminder> {
        let now = self.now();
        let mut out = Vec::new();
        for (row, t) in rows {
            for r in
                docket::reminder_schedule(std::slice::from_ref(t), &ReminderPolicy::default(), now)
            {
                for user in recipients {
                    for channel in CHANNELS {
                        out.push(NewReminder {
                            id: Id::new_at(now),
                            deadline_id: row.id,
                            user_id: *user,
                            channel: channel.into(),
                            days_before: i64::from(r.days_before),
                            due_at: r.send_at,
                        });
                    }
                }
            }
        }
        out
    }

    /// Dockets a trigger on a matter: computes its deadlines with trails, stores them with their reminders.
    pub async fn add_trigger(
        &self,
        actor: &Actor,
        matter: Id,
        f: &TriggerForm,
    ) -> Result<TriggerView> {
        self.require_docket(actor, matter).await?;
        let m = self.store.matter(matter).await?;
        let now = self.now();
        let rule_set = if f.rule_set.trim().is_empty() { "frcp" } else { f.rule_set.trim() };
        let rules = RuleSet::builtin(rule_set).map_err(|e| docket_err("rule_set", e))?;
        if f.trigger.trim().is_empty() {
            return Err(invalid("trigger", "choose the trigger event"));
        }
        let trigger_name =
            rules.trigger(&f.trigger).map_err(|e| docket_err("trigger", e))?.name.clone();
        let date = parse_day("date", &f.date)?;
        let time = parse_clock("time", &f.time)?;
        let zone = parse_zone(
            "time_zone",
            if f.time_zone.trim().is_empty() { "America/New_York" } else { &f.time_zone },
        )?;
        let service = if f.service.trim().is_empty() { "not served" } else { f.service.trim() };
        let service: Service = service.parse().map_err(|e| docket_err("service", e))?;
        let label = f.label.trim();
        if label.chars().count() > 300 {
            return Err(invalid("label", "keep the label under 300 characters"));
        }
        let t = TriggerRow {
            id: Id::new_at(now),
            matter_id: matter,
            rule_set: rules.name.clone(),
            rule_set_version: rules.version.clone(),
            label: if label.is_empty() { trigger_name.clone() } else { label.to_string() },
            trigger_name,
            trigger_date: date,
            trigger_time: time.map(|t| t.format("%H:%M").to_string()),
            service: service.label().to_string(),
            court_time_zone: zone.name().to_string(),
            created_by: actor.user_id,
            created_at: now,
            updated_at: now,
        };
        let computed = compute(&t, &m.court)?;
        let rows: Vec<(DeadlineRow, TrackedDeadline)> = computed
            .iter()
            .map(|c| {
                let row = deadline_row(Id::new_at(now), &t, c, now);
                let tr = tracked(&row, c);
                (row, tr)
            })
            .collect();
        let recipients = self.reminder_recipients(matter, actor.user_id).await?;
        let change = DocketChange {
            trigger: Some(t.clone()),
            upsert_deadlines: rows.iter().map(|(r, _)| r.clone()).collect(),
            reminders: self.reminders_for(&rows, &recipients),
            ..Default::default()
        };
        let ev = self.event(actor, "docket.trigger_add", "docket_trigger", t.id).with(serde_json::json!({
            "matter": matter.to_string(), "rule_set": t.rule_set, "version": t.rule_set_version,
            "trigger": t.trigger_name, "date": t.trigger_date.to_string(), "service": t.service,
            "deadlines": rows.iter().map(|(r, _)| serde_json::json!({"rule": r.rule_id, "due": r.due_on.to_string()})).collect::<Vec<_>>(),
        }));
        self.store.save_docket(&change, ev).await?;
        Ok(TriggerView {
            deadlines: rows
                .into_iter()
                .map(|(row, _)| DeadlineView { trail: trail_of(&row), row })
                .collect(),
            trigger: t,
        })
    }

    /// Moves a trigger to a new date (and time): open deadlines are recomputed, done and overridden ones
    /// kept as they are, deadlines the rules no longer produce removed, new ones added.
    pub async fn move_trigger(
        &self,
        actor: &Actor,
        trigger: Id,
        date: &str,
        time: &str,
    ) -> Result<TriggerView> {
        let mut t = self.store.trigger(trigger).await?;
        self.require_docket(actor, t.matter_id).await?;
        let m = self.store.matter(t.matter_id).await?;
        let now = self.now();
        let from = (t.trigger_date, t.trigger_time.clone());
        t.trigger_date = parse_day("date", date)?;
        t.trigger_time = parse_clock("time", time)?.map(|x| x.format("%H:%M").to_string());
        t.updated_at = now;
        let fresh = compute(&t, &m.court)?;
        let existing = self.store.trigger_deadlines(trigger).await?;
        let mut change = DocketChange { trigger: Some(t.clone()), ..Default::default() };
        let mut recomputed = Vec::new();
        let mut kept = Vec::new();
        for c in &fresh {
            match existing.iter().find(|e| e.rule_id == c.rule_id) {
                Some(e) if e.status != "open" => kept.push(e.rule_id.clone()),
                Some(e) => {
                    let row = deadline_row(e.id, &t, c, now);
                    change.reset_reminders_of.push(row.id);
                    recomputed.push((row.clone(), tracked(&row, c)));
                }
                None => {
                    let row = deadline_row(Id::new_at(now), &t, c, now);
                    recomputed.push((row.clone(), tracked(&row, c)));
                }
            }
        }
        for e in &existing {
            let still_produced = fresh.iter().any(|c| c.rule_id == e.rule_id);
            if !still_produced && e.status == "open" {
                change.delete_deadlines.push(e.id);
            } else if !still_produced {
                kept.push(e.rule_id.clone());
            }
        }
        let recipients = self.reminder_recipients(t.matter_id, t.created_by).await?;
        change.reminders = self.reminders_for(&recomputed, &recipients);
        change.upsert_deadlines = recomputed.iter().map(|(r, _)| r.clone()).collect();
        let ev = self.event(actor, "docket.trigger_move", "docket_trigger", t.id).with(serde_json::json!({
            "matter": t.matter_id.to_string(),
            "from": format!("{} {}", from.0, from.1.unwrap_or_default()).trim(),
            "to": format!("{} {}", t.trigger_date, t.trigger_time.clone().unwrap_or_default()).trim(),
            "recomputed": recomputed.iter().map(|(r, _)| serde_json::json!({"rule": r.rule_id, "due": r.due_on.to_string()})).collect::<Vec<_>>(),
            "kept": kept,
            "removed": change.delete_deadlines.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        }));
        self.store.save_docket(&change, ev).await?;
        let deadlines = self
            .store
            .trigger_deadlines(trigger)
            .await?
            .into_iter()
            .map(|row| DeadlineView { trail: trail_of(&row), row })
            .collect();
        Ok(TriggerView { trigger: t, deadlines })
    }

    async fn decide(
        &self,
        actor: &Actor,
        deadline: Id,
        apply: impl FnOnce(&mut DeadlineRow) -> Result<serde_json::Value>,
        action: &str,
    ) -> Result<DeadlineRow> {
        let mut row = self.store.deadline(deadline).await?;
        self.require_docket(actor, row.matter_id).await?;
        let t = self.store.trigger(row.trigger_id).await?;
        let m = self.store.matter(row.matter_id).await?;
        let detail = apply(&mut row)?;
        row.decided_by = Some(actor.user_id);
        row.updated_at = self.now();
        // Reminders follow the date that counts; a done deadline gets none.
        let computed = compute(&t, &m.court)
            .ok()
            .and_then(|all| all.into_iter().find(|c| c.rule_id == row.rule_id));
        let pair: Vec<(DeadlineRow, TrackedDeadline)> =
            computed.map(|c| vec![(row.clone(), tracked(&row, &c))]).unwrap_or_default();
        let recipients = self.reminder_recipients(row.matter_id, t.created_by).await?;
        let change = DocketChange {
            upsert_deadlines: vec![row.clone()],
            reset_reminders_of: vec![row.id],
            reminders: self.reminders_for(&pair, &recipients),
            ..Default::default()
        };
        let ev = self.event(actor, action, "docket_deadline", row.id).with(detail);
        self.store.save_docket(&change, ev).await?;
        Ok(row)
    }

    /// Sets a deadline's date by hand. The reason is required and goes into the audit log.
    pub async fn override_deadline(
        &self,
        actor: &Actor,
        deadline: Id,
        due: &str,
        reason: &str,
    ) -> Result<DeadlineRow> {
        let due = parse_day("due", due)?;
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(invalid(
                "reason",
                "an override needs a reason (e.g. the order or stipulation)",
            ));
        }
        if reason.chars().count() > 2000 {
            return Err(invalid("reason", "keep the reason under 2000 characters"));
        }
        self.decide(
            actor,
            deadline,
            move |row| {
                let detail = serde_json::json!({
                    "matter": row.matter_id.to_string(), "rule": row.rule_id,
                    "from": row.due_on.to_string(), "to": due.to_string(),
                    "computed": row.computed_due.to_string(), "reason": reason,
                });
                row.status = "overridden".into();
                row.due_on = due;
                row.override_reason = Some(reason);
                row.done_on = None;
                Ok(detail)
            },
            "docket.deadline_override",
        )
        .await
    }

    /// Marks a deadline met (today in the court's time zone).
    pub async fn mark_deadline_done(&self, actor: &Actor, deadline: Id) -> Result<DeadlineRow> {
        let now = self.now();
        self.decide(
            actor,
            deadline,
            move |row| {
                if row.status == "done" {
                    return Err(AppError::Conflict("this deadline is already marked done".into()));
                }
                row.status = "done".into();
                row.done_on = Some(now.date_naive());
                Ok(serde_json::json!({
                    "matter": row.matter_id.to_string(), "rule": row.rule_id, "due": row.due_on.to_string(),
                }))
            },
            "docket.deadline_done",
        )
        .await
    }

    /// Deadlines `actor` may see, filtered.
    pub async fn deadlines(
        &self,
        actor: &Actor,
        f: &DeadlineFilter,
    ) -> Result<Vec<DeadlineListRow>> {
        if let Some(m) = f.matter_id {
            self.docket_access(actor, m).await?;
        }
        Ok(self.store.list_deadlines(actor, f).await?)
    }

    // ---- calendar ----------------------------------------------------------------------------

    fn event_from_form(
        &self,
        id: Id,
        owner: Id,
        created_at: DateTime<Utc>,
        f: &EventForm,
    ) -> Result<(EventRow, Vec<String>)> {
        let title = f.title.trim();
        if title.is_empty() {
            return Err(invalid("title", "enter a title"));
        }
        if title.chars().count() > 300 {
            return Err(invalid("title", "keep the title under 300 characters"));
        }
        let kind = if f.kind.trim().is_empty() { "event" } else { f.kind.trim() };
        if !["event", "appointment", "deadline"].contains(&kind) {
            return Err(invalid("kind", "choose event, appointment or deadline"));
        }
        let zone = parse_zone(
            "time_zone",
            if f.time_zone.trim().is_empty() { "America/New_York" } else { &f.time_zone },
        )?;
        let day = parse_day("date", &f.date)?;
        let all_day = f.all_day.as_deref().is_some_and(|v| !v.is_empty() && v != "false");
        let local = |at: NaiveDateTime| -> Result<DateTime<Utc>> {
            zone.from_local_datetime(&at).earliest().map(|t| t.with_timezone(&Utc)).ok_or_else(
                || {
                    invalid(
                        "start",
                        "that local time does not exist in this time zone (a clock change)",
                    )
                },
            )
        };
        let (starts_at, ends_at) = if all_day {
            let last = if f.end_date.trim().is_empty() {
                day
            } else {
                parse_day("end_date", &f.end_date)?
            };
            if last < day {
                return Err(invalid("end_date", "the last day is before the first"));
            }
            let after = last.succ_opt().ok_or_else(|| invalid("end_date", "date out of range"))?;
            (local(day.and_time(NaiveTime::MIN))?, local(after.and_time(NaiveTime::MIN))?)
        } else {
            let start = parse_clock("start", &f.start)?
                .ok_or_else(|| invalid("start", "enter a start time, or tick all day"))?;
            let end = match parse_clock("end", &f.end)? {
                Some(e) => e,
                None => start + Duration::hours(1),
            };
            let mut end_at = day.and_time(end);
            if end < start {
                // An end before the start means the event runs past midnight.
                end_at += Duration::days(1);
            }
            (local(day.and_time(start))?, local(end_at)?)
        };
        let matter_id = if f.matter_id.trim().is_empty() {
            None
        } else {
            Some(
                Id::parse(f.matter_id.trim())
                    .map_err(|_| invalid("matter_id", "unknown matter"))?,
            )
        };
        let attendees: Vec<String> = f
            .attendees
            .split([',', ';', ' ', '\n'])
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        if f.location.chars().count() > 500 || f.notes.chars().count() > 20_000 {
            return Err(invalid("notes", "the location or notes are too long"));
        }
        let now = self.now();
        Ok((
            EventRow {
                id,
                matter_id,
                owner,
                kind: kind.into(),
                title: title.into(),
                starts_at,
                ends_at,
                time_zone: zone.name().into(),
                all_day,
                location: f.location.trim().into(),
                notes: f.notes.trim().into(),
                attendees: Vec::new(),
                created_at,
                updated_at: now,
            },
            attendees,
        ))
    }

    async fn resolve_attendees(&self, e: &mut EventRow, emails: &[String]) -> Result<()> {
        for email in emails {
            let user = self
                .store
                .user_for_sign_in(email)
                .await?
                .map(|r| r.user)
                .filter(|u| u.active)
                .ok_or_else(|| invalid("attendees", format!("no active user {email}")))?;
            if let Some(m) = e.matter_id {
                let access = self.store.matter_access(&actor_of(&user), m).await?;
                if access.walled {
                    return Err(invalid("attendees", format!("{email} is walled off this matter")));
                }
            }
            e.attendees.push(user.id);
        }
        Ok(())
    }

    /// Creates an event owned by `actor`. Returns it with the titles of events it double-books.
    pub async fn create_event(
        &self,
        actor: &Actor,
        f: &EventForm,
    ) -> Result<(EventRow, Vec<String>)> {
        if !may_use_calendar(actor) {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let (mut e, emails) = self.event_from_form(Id::new_at(now), actor.user_id, now, f)?;
        if let Some(m) = e.matter_id {
            self.docket_access(actor, m).await?;
        }
        self.resolve_attendees(&mut e, &emails).await?;
        let ev = self.event(actor, "calendar.event_create", "calendar_event", e.id).with(
            serde_json::json!({
                "title": e.title, "kind": e.kind, "matter": e.matter_id.map(|m| m.to_string()),
                "starts_at": e.starts_at.to_rfc3339(), "time_zone": e.time_zone,
            }),
        );
        self.store.save_event(&e, ev).await?;
        let clashes = self.clashes(actor, &e).await?;
        Ok((e, clashes))
    }

    /// Replaces an event; only its owner may.
    pub async fn update_event(
        &self,
        actor: &Actor,
        id: Id,
        f: &EventForm,
    ) -> Result<(EventRow, Vec<String>)> {
        let old = self.visible_event(actor, id).await?;
        if old.owner != actor.user_id {
            return Err(AppError::Forbidden);
        }
        let (mut e, emails) = self.event_from_form(id, old.owner, old.created_at, f)?;
        if let Some(m) = e.matter_id {
            self.docket_access(actor, m).await?;
        }
        self.resolve_attendees(&mut e, &emails).await?;
        let ev = self.event(actor, "calendar.event_update", "calendar_event", e.id).with(serde_json::json!({
            "title": e.title, "from": old.starts_at.to_rfc3339(), "to": e.starts_at.to_rfc3339(),
        }));
        self.store.save_event(&e, ev).await?;
        let clashes = self.clashes(actor, &e).await?;
        Ok((e, clashes))
    }

    pub async fn delete_event(&self, actor: &Actor, id: Id) -> Result<()> {
        let old = self.visible_event(actor, id).await?;
        if old.owner != actor.user_id {
            return Err(AppError::Forbidden);
        }
        let ev = self
            .event(actor, "calendar.event_delete", "calendar_event", id)
            .with(serde_json::json!({"title": old.title}));
        Ok(self.store.delete_event(id, ev).await?)
    }

    /// An event the actor may see (Forbidden otherwise, like every other record behind the policy).
    pub async fn visible_event(&self, actor: &Actor, id: Id) -> Result<EventRow> {
        if !may_use_calendar(actor) {
            return Err(AppError::Forbidden);
        }
        let e = self.store.event(id).await?;
        let window = EventFilter {
            from: Some(e.starts_at - Duration::seconds(1)),
            to: Some(e.ends_at + Duration::seconds(1)),
            matter_id: e.matter_id,
            involving: None,
        };
        let visible = self.store.list_events(actor, &window).await?;
        if visible.iter().any(|v| v.id == id) { Ok(e) } else { Err(AppError::Forbidden) }
    }

    async fn clashes(&self, actor: &Actor, e: &EventRow) -> Result<Vec<String>> {
        let window = EventFilter {
            from: Some(e.starts_at),
            to: Some(e.ends_at),
            involving: Some(e.owner),
            ..Default::default()
        };
        let events = self.store.list_events(actor, &window).await?;
        let flagged = double_booked(&events, e.owner);
        if !flagged.contains(&e.id) {
            return Ok(Vec::new());
        }
        Ok(events
            .into_iter()
            .filter(|o| o.id != e.id && flagged.contains(&o.id))
            .map(|o| o.title)
            .collect())
    }

    /// The actor's calendar for local days [from, to) in `zone`: their events and appointments (or, with a
    /// matter, everything on that matter) and the docketed deadlines they may see, with double bookings.
    pub async fn calendar(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        zone: Tz,
        matter: Option<Id>,
    ) -> Result<CalendarData> {
        if !may_use_calendar(actor) {
            return Err(AppError::Forbidden);
        }
        if let Some(m) = matter {
            self.docket_access(actor, m).await?;
        }
        let utc = |d: NaiveDate| {
            zone.from_local_datetime(&d.and_time(NaiveTime::MIN))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| invalid("date", "date out of range"))
        };
        let filter = EventFilter {
            from: Some(utc(from)?),
            to: Some(utc(to)?),
            matter_id: matter,
            involving: if matter.is_some() { None } else { Some(actor.user_id) },
        };
        let events = self.store.list_events(actor, &filter).await?;
        let flagged = double_booked(&events, actor.user_id);
        let numbers = self.matter_numbers(actor, &events).await?;
        let mut items = Vec::new();
        for e in &events {
            let start = e.starts_at.with_timezone(&zone);
            let end = e.ends_at.with_timezone(&zone);
            let when = if e.all_day {
                "all day".to_string()
            } else {
                format!("{}–{}", start.format("%H:%M"), end.format("%H:%M"))
            };
            // An all-day or multi-day event shows on each of its days inside the window.
            let first = start.date_naive().max(from);
            let last = if e.all_day || end.date_naive() > start.date_naive() {
                (end - Duration::seconds(1)).date_naive().min(to.pred_opt().unwrap_or(to))
            } else {
                start.date_naive()
            };
            let mut day = first;
            while day <= last {
                items.push(CalendarItem {
                    kind: e.kind.clone(),
                    title: e.title.clone(),
                    day,
                    when: when.clone(),
                    matter_id: e.matter_id,
                    matter_number: e
                        .matter_id
                        .and_then(|m| {
                            numbers.iter().find(|(id, _)| *id == m).map(|(_, n)| n.clone())
                        })
                        .unwrap_or_default(),
                    event_id: Some(e.id),
                    deadline_id: None,
                    status: String::new(),
                    location: e.location.clone(),
                    double_booked: flagged.contains(&e.id),
                    mine: e.owner == actor.user_id,
                });
                day = match day.succ_opt() {
                    Some(d) => d,
                    None => break,
                };
            }
        }
        let deadlines = self
            .store
            .list_deadlines(
                actor,
                &DeadlineFilter {
                    matter_id: matter,
                    from: Some(from),
                    to: to.pred_opt(),
                    open_only: false,
                },
            )
            .await?;
        for d in deadlines {
            items.push(CalendarItem {
                kind: "docket".into(),
                title: d.deadline.title.clone(),
                day: d.deadline.due_on,
                when: d
                    .deadline
                    .due_time
                    .clone()
                    .map_or_else(|| "due".into(), |t| format!("due {t}")),
                matter_id: Some(d.deadline.matter_id),
                matter_number: d.matter_number.clone(),
                event_id: None,
                deadline_id: Some(d.deadline.id),
                status: d.deadline.status.clone(),
                location: String::new(),
                double_booked: false,
                mine: false,
            });
        }
        items.sort_by(|a, b| {
            (a.day, a.when.as_str(), a.title.as_str()).cmp(&(
                b.day,
                b.when.as_str(),
                b.title.as_str(),
            ))
        });
        let double_bookings = events.iter().filter(|e| flagged.contains(&e.id)).count();
        Ok(CalendarData { items, double_bookings })
    }

    async fn matter_numbers(
        &self,
        _actor: &Actor,
        events: &[EventRow],
    ) -> Result<Vec<(Id, String)>> {
        let mut ids: Vec<Id> = events.iter().filter_map(|e| e.matter_id).collect();
        ids.sort();
        ids.dedup();
        let mut out = Vec::new();
        for id in ids {
            out.push((id, self.store.matter(id).await?.number));
        }
        Ok(out)
    }

    /// In-app reminders due for the actor.
    pub async fn my_reminders(&self, actor: &Actor) -> Result<Vec<ReminderRow>> {
        if !may_use_calendar(actor) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.in_app_reminders(actor, self.now(), 100).await?)
    }

    // ---- feeds -------------------------------------------------------------------------------

    /// Creates a secret feed URL token for the actor's calendar, or for one matter they see. The token is
    /// returned once; only its hash is kept.
    pub async fn create_feed(&self, actor: &Actor, matter: Option<Id>) -> Result<NewFeed> {
        if !may_use_calendar(actor) {
            return Err(AppError::Forbidden);
        }
        let label = match matter {
            Some(m) => {
                self.docket_access(actor, m).await?;
                let m = self.store.matter(m).await?;
                format!("{} {}", m.number, m.title)
            }
            None => "My calendar".to_string(),
        };
        let now = self.now();
        let token = random_secret();
        let feed = FeedRow {
            id: Id::new_at(now),
            user_id: actor.user_id,
            scope: if matter.is_some() { "matter" } else { "user" }.into(),
            matter_id: matter,
            label,
            created_at: now,
            revoked_at: None,
        };
        let ev = self.event(actor, "calendar.feed_create", "calendar_feed", feed.id).with(
            serde_json::json!({"scope": feed.scope, "matter": matter.map(|m| m.to_string())}),
        );
        self.store.create_feed(&feed, &sha256_hex(&token), ev).await?;
        Ok(NewFeed { feed, token })
    }

    pub async fn feeds(&self, actor: &Actor) -> Result<Vec<FeedRow>> {
        if !may_use_calendar(actor) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.feeds(actor.user_id).await?)
    }

    pub async fn revoke_feed(&self, actor: &Actor, feed: Id) -> Result<()> {
        if !may_use_calendar(actor) {
            return Err(AppError::Forbidden);
        }
        if !self.store.feeds(actor.user_id).await?.iter().any(|f| f.id == feed) {
            return Err(AppError::Forbidden);
        }
        let ev = self.event(actor, "calendar.feed_revoke", "calendar_feed", feed);
        Ok(self.store.revoke_feed(actor.user_id, feed, self.now(), ev).await?)
    }

    /// The iCalendar text of the feed with this token, computed with the owner's current rights: a revoked
    /// token, a deactivated owner or a matter they no longer see all read as "not found".
    pub async fn feed_ics(&self, token: &str) -> Result<String> {
        let feed = self
            .store
            .feed_by_token_hash(&sha256_hex(token))
            .await?
            .ok_or(AppError::NotFound("feed"))?;
        let user = self.store.user(feed.user_id).await?;
        let actor = actor_of(&user);
        if !may_use_calendar(&actor) {
            return Err(AppError::NotFound("feed"));
        }
        if let Some(m) = feed.matter_id {
            let access = self.store.matter_access(&actor, m).await?;
            if !Policy::allows(&actor, Action::ViewMatter(access)) {
                return Err(AppError::NotFound("feed"));
            }
        }
        let filter = EventFilter {
            matter_id: feed.matter_id,
            involving: if feed.matter_id.is_some() { None } else { Some(actor.user_id) },
            ..Default::default()
        };
        let mut out = Vec::new();
        for e in self.store.list_events(&actor, &filter).await? {
            out.push(calendar_event(&e));
        }
        let deadlines = self
            .store
            .list_deadlines(
                &actor,
                &DeadlineFilter { matter_id: feed.matter_id, ..Default::default() },
            )
            .await?;
        for d in &deadlines {
            out.push(deadline_event(d));
        }
        Ok(docket::to_icalendar(&out, self.now()))
    }
}

/// A stored event as an iCalendar entry in its own zone.
pub fn calendar_event(e: &EventRow) -> CalendarEvent {
    let zone: Tz = e.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let start = e.starts_at.with_timezone(&zone);
    let end = e.ends_at.with_timezone(&zone);
    let (start, end) = if e.all_day {
        (
            EventStart::AllDay(start.date_naive()),
            Some(EventStart::AllDay((end - Duration::seconds(1)).date_naive())),
        )
    } else {
        (
            EventStart::At { local: start.naive_local(), zone },
            Some(EventStart::At { local: end.naive_local(), zone }),
        )
    };
    CalendarEvent {
        uid: format!("event-{}@lawdesk.calendar", e.id),
        summary: e.title.clone(),
        description: e.notes.clone(),
        start,
        end,
        location: e.location.clone(),
        busy: e.kind != "deadline",
    }
}

/// A docketed deadline as an iCalendar entry. The UID is the deadline's id, which survives a trigger move,
/// so subscribed calendars update the entry in place.
pub fn deadline_event(d: &DeadlineListRow) -> CalendarEvent {
    let row = &d.deadline;
    let prefix = match row.status.as_str() {
        "done" => "DONE",
        _ => "DUE",
    };
    let mut description =
        format!("{} · {}\n{} ({})\n", d.matter_number, d.matter_title, row.title, row.citation);
    if let Some(reason) = &row.override_reason {
        description.push_str(&format!(
            "Overridden to {} (computed {}): {reason}\n",
            row.due_on, row.computed_due
        ));
    }
    for (i, line) in trail_of(row).iter().enumerate() {
        let arrow = if line.to.is_empty() || line.kind == "note" {
            String::new()
        } else {
            format!(" -> {}", line.to)
        };
        description.push_str(&format!("{}. {}{} [{}]\n", i + 1, line.reason, arrow, line.citation));
    }
    // The row keeps the court-local time of an hour period but not the zone, so the entry marks the day and
    // the summary carries the time.
    let at = row.due_time.as_deref().map(|t| format!(" by {t}")).unwrap_or_default();
    let start = EventStart::AllDay(row.due_on);
    CalendarEvent {
        uid: format!("deadline-{}@lawdesk.docket", row.id),
        summary: format!("{prefix}{at}: {} ({})", row.title, d.matter_number),
        description,
        start,
        end: None,
        location: String::new(),
        busy: false,
    }
}

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`).
pub(crate) async fn demo(app: &App, firm: &crate::demo::DemoFirm) -> Result<()> {
    let [admin, alice, _ben, sam, vera, ..] = firm.users.as_slice() else {
        return Err(AppError::Internal("the demo firm has fewer users than expected".into()));
    };
    let _ = (admin, sam);
    let acme = firm.matters[0];
    let today = app.now().date_naive();
    // The complaint was served three weeks ago, so some deadlines are near and reminders are due.
    let served = today - Duration::days(14);
    let vera_actor = actor_of(vera);
    app.add_trigger(
        &vera_actor,
        acme,
        &TriggerForm {
            rule_set: "frcp".into(),
            trigger: "complaint served".into(),
            label: "Complaint served on Initech (ECF 4)".into(),
            date: served.to_string(),
            service: "personal".into(),
            time_zone: "America/New_York".into(),
            ..Default::default()
        },
    )
    .await?;
    let alice_actor = actor_of(alice);
    let tomorrow = today + Duration::days(1);
    let event = |title: &str,
                 kind: &str,
                 start: &str,
                 end: &str,
                 matter: Option<Id>,
                 who: &str,
                 location: &str| EventForm {
        title: title.into(),
        kind: kind.into(),
        matter_id: matter.map(|m| m.to_string()).unwrap_or_default(),
        date: tomorrow.to_string(),
        start: start.into(),
        end: end.into(),
        time_zone: "America/New_York".into(),
        location: location.into(),
        attendees: who.into(),
        ..Default::default()
    };
    app.create_event(
        &alice_actor,
        &event(
            "Rule 26(f) conference with Initech counsel",
            "appointment",
            "10:00",
            "11:00",
            Some(acme),
            "vera@demo.lawdesk",
            "Zoom",
        ),
    )
    .await?;
    // Booked by vera over the same hour: the calendar flags the double booking.
    app.create_event(
        &vera_actor,
        &event(
            "Client call: Acme general counsel",
            "appointment",
            "10:30",
            "11:15",
            Some(acme),
            "alice@demo.lawdesk",
            "Phone",
        ),
    )
    .await?;
    app.create_event(
        &alice_actor,
        &event("Partner lunch", "event", "12:30", "13:30", None, "", "Delmonico's"),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: u128, owner: Id, from: i64, to: i64, attendees: Vec<Id>) -> EventRow {
        let base = Utc.with_ymd_and_hms(2026, 11, 30, 14, 0, 0).single().expect("time");
        EventRow {
            id: Id(uuid::Uuid::from_u128(id)),
            matter_id: None,
            owner,
            kind: "appointment".into(),
            title: format!("e{id}"),
            starts_at: base + Duration::minutes(from),
            ends_at: base + Duration::minutes(to),
            time_zone: "America/New_York".into(),
            all_day: false,
            location: String::new(),
            notes: String::new(),
            attendees,
            created_at: base,
            updated_at: base,
        }
    }

    #[test]
    fn double_bookings_are_overlaps_of_one_persons_timed_events() {
        let a = Id(uuid::Uuid::from_u128(100));
        let b = Id(uuid::Uuid::from_u128(200));
        let events = vec![
            ev(1, a, 0, 60, vec![]),
            ev(2, b, 30, 90, vec![a]), // a attends: overlaps 1
            ev(3, a, 60, 120, vec![]), // touches 1 at its end: overlaps 2 only
            ev(4, a, 200, 260, vec![]),
            ev(5, b, 200, 230, vec![]), // b's own, overlaps 4 but a different person
            EventRow { all_day: true, ..ev(6, a, 0, 1440, vec![]) },
        ];
        let mut flagged: Vec<u128> =
            double_booked(&events, a).iter().map(|i| i.0.as_u128()).collect();
        flagged.sort();
        assert_eq!(flagged, vec![1, 2, 3]);
        let mut for_b: Vec<u128> =
            double_booked(&events, b).iter().map(|i| i.0.as_u128()).collect();
        for_b.sort();
        assert!(for_b.is_empty(), "{for_b:?}");
    }
}
