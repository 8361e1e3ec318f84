//! Storage for docket: calendar events, triggers and computed deadlines, reminders and calendar feed tokens.
//!
//! Invariants kept here:
//! - Every change to a docket (a trigger, its deadlines and their reminders) is written by one method in one
//!   transaction with its audit event, so a deadline never exists without the reminders computed for it.
//! - An email reminder is marked sent in the same transaction that claims it: two dispatchers, or one that
//!   crashes after claiming, never send it twice.
//! - Feed tokens are stored only as their SHA-256.

use crate::audit::{AuditEvent, append};
use crate::matters::push_matter_visible;
use crate::sql::{Arg, RowExt, Sql, opt_id, parse_date, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Actor, Id};
use sqlx::any::AnyRow;

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] = &[
    "docket_triggers",
    "docket_deadlines",
    "docket_reminders",
    "calendar_events",
    "calendar_attendees",
    "calendar_feeds",
    "docket_agenda_sent",
];

/// A trigger event on a matter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TriggerRow {
    pub id: Id,
    pub matter_id: Id,
    /// "frcp", "frap".
    pub rule_set: String,
    /// The edition of the rule set the deadlines were computed with.
    pub rule_set_version: String,
    pub trigger_name: String,
    /// What the person called it, e.g. "Complaint served on Initech (ECF 4)".
    pub label: String,
    pub trigger_date: NaiveDate,
    /// Court-local "HH:MM" for hour periods.
    pub trigger_time: Option<String>,
    /// The service method ("mail", "electronic", …).
    pub service: String,
    /// IANA zone of the court, e.g. "America/New_York".
    pub court_time_zone: String,
    pub created_by: Id,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A computed deadline with its trail and what people decided about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeadlineRow {
    pub id: Id,
    pub trigger_id: Id,
    pub matter_id: Id,
    pub rule_id: String,
    pub title: String,
    pub citation: String,
    pub computed_due: NaiveDate,
    pub due_time: Option<String>,
    /// The date that counts: the override's when overridden, else the computed one.
    pub due_on: NaiveDate,
    /// The computation's steps as JSON: `[{kind, to, reason, citation}]`.
    pub trail: serde_json::Value,
    /// "open", "done" or "overridden".
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub override_reason: Option<String>,
    /// Who marked it done or overrode it.
    pub decided_by: Option<Id>,
    pub updated_at: DateTime<Utc>,
}

/// A deadline with the names a list shows next to it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeadlineListRow {
    #[serde(flatten)]
    pub deadline: DeadlineRow,
    pub matter_number: String,
    pub matter_title: String,
    pub trigger_label: String,
}

/// A reminder to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReminder {
    pub id: Id,
    pub deadline_id: Id,
    pub user_id: Id,
    /// "in_app" or "email".
    pub channel: String,
    pub days_before: i64,
    pub due_at: DateTime<Utc>,
}

/// A stored reminder with what a message about it needs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReminderRow {
    pub id: Id,
    pub deadline_id: Id,
    pub user_id: Id,
    pub user_email: String,
    pub user_name: String,
    pub channel: String,
    pub days_before: i64,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub deadline_title: String,
    pub citation: String,
    pub deadline_due: NaiveDate,
    pub matter_id: Id,
    pub matter_number: String,
    pub matter_title: String,
}

/// Everything one docket change writes, applied in one transaction.
#[derive(Debug, Clone, Default)]
pub struct DocketChange {
    /// Inserted when new, else updated.
    pub trigger: Option<TriggerRow>,
    /// Inserted or replaced by id.
    pub upsert_deadlines: Vec<DeadlineRow>,
    /// Removed with all their reminders (a rule that no longer applies after a trigger moved).
    pub delete_deadlines: Vec<Id>,
    /// Deadlines whose unsent reminders are replaced by `reminders` (sent ones are history and stay).
    pub reset_reminders_of: Vec<Id>,
    pub reminders: Vec<NewReminder>,
}

/// A calendar event, appointment or hand-entered deadline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventRow {
    pub id: Id,
    pub matter_id: Option<Id>,
    pub owner: Id,
    /// "event", "appointment" or "deadline".
    pub kind: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// IANA zone the event is shown in.
    pub time_zone: String,
    pub all_day: bool,
    pub location: String,
    pub notes: String,
    pub attendees: Vec<Id>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Events overlapping [from, to).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub matter_id: Option<Id>,
    /// Only events this user owns or attends.
    pub involving: Option<Id>,
}

/// Which deadlines to list.
#[derive(Debug, Clone, Default)]
pub struct DeadlineFilter {
    pub matter_id: Option<Id>,
    /// Due on or after / on or before (dates that count).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub open_only: bool,
}

/// A calendar feed (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeedRow {
    pub id: Id,
    pub user_id: Id,
    /// "user" or "matter".
    pub scope: String,
    pub matter_id: Option<Id>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn trigger_from_row(r: &AnyRow) -> Result<TriggerRow> {
    Ok(TriggerRow {
        id: r.id("id")?,
        matter_id: r.id("matter_id")?,
        rule_set: r.text("rule_set")?,
        rule_set_version: r.text("rule_set_version")?,
        trigger_name: r.text("trigger_name")?,
        label: r.text("label")?,
        trigger_date: parse_date(&r.text("trigger_date")?)?,
        trigger_time: r.opt_text("trigger_time")?,
        service: r.text("service")?,
        court_time_zone: r.text("court_time_zone")?,
        created_by: r.id("created_by")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

fn opt_time(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(crate::sql::parse_ts).transpose()
}

fn deadline_from_row(r: &AnyRow) -> Result<DeadlineRow> {
    let trail = r.text("trail")?;
    Ok(DeadlineRow {
        id: r.id("id")?,
        trigger_id: r.id("trigger_id")?,
        matter_id: r.id("matter_id")?,
        rule_id: r.text("rule_id")?,
        title: r.text("title")?,
        citation: r.text("citation")?,
        computed_due: parse_date(&r.text("computed_due")?)?,
        due_time: r.opt_text("due_time")?,
        due_on: parse_date(&r.text("due_on")?)?,
        trail: serde_json::from_str(&trail)
            .map_err(|e| StoreError::Corrupt(format!("deadline trail: {e}")))?,
        status: r.text("status")?,
        done_on: opt_date(r.opt_text("done_on")?)?,
        override_reason: r.opt_text("override_reason")?,
        decided_by: opt_id(r.opt_text("decided_by")?)?,
        updated_at: r.time("updated_at")?,
    })
}

fn reminder_from_row(r: &AnyRow) -> Result<ReminderRow> {
    Ok(ReminderRow {
        id: r.id("id")?,
        deadline_id: r.id("deadline_id")?,
        user_id: r.id("user_id")?,
        user_email: r.text("user_email")?,
        user_name: r.text("user_name")?,
        channel: r.text("channel")?,
        days_before: r.int("days_before")?,
        due_at: r.time("due_at")?,
        sent_at: opt_time(r.opt_text("sent_at")?)?,
        deadline_title: r.text("deadline_title")?,
        citation: r.text("citation")?,
        deadline_due: parse_date(&r.text("deadline_due")?)?,
        matter_id: r.id("matter_id")?,
        matter_number: r.text("matter_number")?,
        matter_title: r.text("matter_title")?,
    })
}

fn feed_from_row(r: &AnyRow) -> Result<FeedRow> {
    Ok(FeedRow {
        id: r.id("id")?,
        user_id: r.id("user_id")?,
        scope: r.text("scope")?,
        matter_id: opt_id(r.opt_text("matter_id")?)?,
        label: r.text("label")?,
        created_at: r.time("created_at")?,
        revoked_at: opt_time(r.opt_text("revoked_at")?)?,
    })
}

const SELECT_REMINDERS: &str = "SELECT r.id, r.deadline_id, r.user_id, u.email AS user_email, u.display_name AS user_name, \
     r.channel, r.days_before, r.due_at, r.sent_at, d.title AS deadline_title, d.citation, d.due_on AS deadline_due, \
     d.matter_id, m.number AS matter_number, m.title AS matter_title \
     FROM docket_reminders r JOIN docket_deadlines d ON d.id = r.deadline_id JOIN users u ON u.id = r.user_id \
     JOIN matters m ON m.id = d.matter_id WHERE 1 = 1";

const DEADLINE_STATUSES: [&str; 3] = ["open", "done", "overridden"];
const EVENT_KINDS: [&str; 3] = ["event", "appointment", "deadline"];

fn check_event(e: &EventRow) -> Result<()> {
    let invalid = |field: &'static str, message: &str| -> StoreError {
        domain::DomainError::invalid(field, message).into()
    };
    if e.title.trim().is_empty() {
        return Err(invalid("title", "enter a title"));
    }
    if !EVENT_KINDS.contains(&e.kind.as_str()) {
        return Err(invalid("kind", "choose event, appointment or deadline"));
    }
    if e.ends_at < e.starts_at {
        return Err(invalid("ends_at", "the end is before the start"));
    }
    Ok(())
}

impl Store {
    /// Writes a docket change (trigger, deadlines, reminders) and its audit event in one transaction.
    pub async fn save_docket(&self, change: &DocketChange, audit: AuditEvent) -> Result<()> {
        for d in &change.upsert_deadlines {
            if !DEADLINE_STATUSES.contains(&d.status.as_str()) {
                return Err(StoreError::Corrupt(format!("deadline status {:?}", d.status)));
            }
        }
        let mut tx = self.write.begin().await?;
        if let Some(t) = &change.trigger {
            sqlx::query(
                "INSERT INTO docket_triggers (id, matter_id, rule_set, rule_set_version, trigger_name, label, trigger_date, \
                 trigger_time, service, court_time_zone, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 ON CONFLICT (id) DO UPDATE SET rule_set_version = excluded.rule_set_version, label = excluded.label, \
                 trigger_date = excluded.trigger_date, trigger_time = excluded.trigger_time, service = excluded.service, \
                 court_time_zone = excluded.court_time_zone, updated_at = excluded.updated_at",
            )
            .bind(t.id.to_string())
            .bind(t.matter_id.to_string())
            .bind(&t.rule_set)
            .bind(&t.rule_set_version)
            .bind(&t.trigger_name)
            .bind(&t.label)
            .bind(t.trigger_date.to_string())
            .bind(t.trigger_time.clone())
            .bind(&t.service)
            .bind(&t.court_time_zone)
            .bind(t.created_by.to_string())
            .bind(ts(t.created_at))
            .bind(ts(t.updated_at))
            .execute(&mut *tx)
            .await?;
        }
        for id in &change.delete_deadlines {
            sqlx::query("DELETE FROM docket_reminders WHERE deadline_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM docket_deadlines WHERE id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        for d in &change.upsert_deadlines {
            sqlx::query(
                "INSERT INTO docket_deadlines (id, trigger_id, matter_id, rule_id, title, citation, computed_due, due_time, \
                 due_on, trail, status, done_on, override_reason, decided_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                 ON CONFLICT (id) DO UPDATE SET title = excluded.title, citation = excluded.citation, \
                 computed_due = excluded.computed_due, due_time = excluded.due_time, due_on = excluded.due_on, \
                 trail = excluded.trail, status = excluded.status, done_on = excluded.done_on, \
                 override_reason = excluded.override_reason, decided_by = excluded.decided_by, updated_at = excluded.updated_at",
            )
            .bind(d.id.to_string())
            .bind(d.trigger_id.to_string())
            .bind(d.matter_id.to_string())
            .bind(&d.rule_id)
            .bind(&d.title)
            .bind(&d.citation)
            .bind(d.computed_due.to_string())
            .bind(d.due_time.clone())
            .bind(d.due_on.to_string())
            .bind(d.trail.to_string())
            .bind(&d.status)
            .bind(d.done_on.map(|x| x.to_string()))
            .bind(d.override_reason.clone())
            .bind(d.decided_by.map(|x| x.to_string()))
            .bind(ts(d.updated_at))
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                crate::conflict_on_unique(e, || {
                    format!("the trigger already has a deadline {:?}", d.rule_id)
                })
            })?;
        }
        for id in &change.reset_reminders_of {
            sqlx::query("DELETE FROM docket_reminders WHERE deadline_id = $1 AND sent_at IS NULL")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        for r in &change.reminders {
            // A reminder already sent for the same lead time stays as the record of what went out.
            sqlx::query(
                "INSERT INTO docket_reminders (id, deadline_id, user_id, channel, days_before, due_at, sent_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL) ON CONFLICT (deadline_id, user_id, channel, days_before) DO NOTHING",
            )
            .bind(r.id.to_string())
            .bind(r.deadline_id.to_string())
            .bind(r.user_id.to_string())
            .bind(&r.channel)
            .bind(r.days_before)
            .bind(ts(r.due_at))
            .execute(&mut *tx)
            .await?;
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn trigger(&self, id: Id) -> Result<TriggerRow> {
        let row = sqlx::query("SELECT * FROM docket_triggers WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("trigger"))?;
        trigger_from_row(&row)
    }

    /// The triggers of a matter, oldest event first.
    pub async fn triggers(&self, matter: Id) -> Result<Vec<TriggerRow>> {
        let rows = sqlx::query(
            "SELECT * FROM docket_triggers WHERE matter_id = $1 ORDER BY trigger_date, created_at, id",
        )
        .bind(matter.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(trigger_from_row).collect()
    }

    pub async fn deadline(&self, id: Id) -> Result<DeadlineRow> {
        let row = sqlx::query("SELECT * FROM docket_deadlines WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("deadline"))?;
        deadline_from_row(&row)
    }

    /// The deadlines of one trigger.
    pub async fn trigger_deadlines(&self, trigger: Id) -> Result<Vec<DeadlineRow>> {
        let rows = sqlx::query(
            "SELECT * FROM docket_deadlines WHERE trigger_id = $1 ORDER BY due_on, rule_id",
        )
        .bind(trigger.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(deadline_from_row).collect()
    }

    /// The deadlines `actor` may see (the matter's visibility rules, walls first), soonest first.
    pub async fn list_deadlines(
        &self,
        actor: &Actor,
        f: &DeadlineFilter,
    ) -> Result<Vec<DeadlineListRow>> {
        let mut sql = Sql::new(
            "SELECT d.*, m.number AS matter_number, m.title AS matter_title, t.label AS trigger_label \
             FROM docket_deadlines d JOIN matters m ON m.id = d.matter_id JOIN docket_triggers t ON t.id = d.trigger_id \
             WHERE 1 = 1",
        );
        push_matter_visible(&mut sql, actor, "m");
        if let Some(mid) = f.matter_id {
            sql.push(" AND d.matter_id = ");
            sql.bind_text(mid.to_string());
        }
        if let Some(from) = f.from {
            sql.push(" AND d.due_on >= ");
            sql.bind_text(from.to_string());
        }
        if let Some(to) = f.to {
            sql.push(" AND d.due_on <= ");
            sql.bind_text(to.to_string());
        }
        if f.open_only {
            sql.push(" AND d.status <> 'done'");
        }
        sql.push(" ORDER BY d.due_on, m.number, d.rule_id");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(DeadlineListRow {
                    deadline: deadline_from_row(r)?,
                    matter_number: r.text("matter_number")?,
                    matter_title: r.text("matter_title")?,
                    trigger_label: r.text("trigger_label")?,
                })
            })
            .collect()
    }

    /// The reminders of one deadline (all channels and people), by when they are due.
    pub async fn deadline_reminders(&self, deadline: Id) -> Result<Vec<ReminderRow>> {
        let mut sql = Sql::new(SELECT_REMINDERS);
        sql.push(" AND r.deadline_id = ");
        sql.bind_text(deadline.to_string());
        sql.push(" ORDER BY r.due_at, r.channel, u.email");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(reminder_from_row).collect()
    }

    /// In-app reminders for `actor` that are due by `now`, on deadlines not yet done and on matters the actor
    /// still sees, newest first.
    pub async fn in_app_reminders(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ReminderRow>> {
        let mut sql = Sql::new(SELECT_REMINDERS);
        sql.push(" AND r.channel = 'in_app' AND d.status <> 'done' AND r.user_id = ");
        sql.bind_text(actor.user_id.to_string());
        sql.push(" AND r.due_at <= ");
        sql.bind_text(ts(now));
        push_matter_visible(&mut sql, actor, "m");
        sql.push(" ORDER BY r.due_at DESC, d.due_on LIMIT ");
        sql.bind(Arg::Int(limit));
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(reminder_from_row).collect()
    }

    /// Claims up to `limit` email reminders due by `now` and marks them sent in the same transaction, so no
    /// other dispatcher can claim them again. The audit event records the claim.
    pub async fn claim_email_reminders(
        &self,
        now: DateTime<Utc>,
        limit: i64,
        audit: AuditEvent,
    ) -> Result<Vec<ReminderRow>> {
        let mut tx = self.write.begin().await?;
        // One guarded UPDATE claims the batch. On PostgreSQL a concurrent dispatcher that picked the same
        // candidates waits on their row locks and then re-checks `sent_at IS NULL`, so it claims none of them.
        let claimed: Vec<(String,)> = sqlx::query_as(
            "UPDATE docket_reminders SET sent_at = $1 WHERE sent_at IS NULL AND id IN (\
             SELECT r.id FROM docket_reminders r JOIN docket_deadlines d ON d.id = r.deadline_id \
             WHERE r.channel = 'email' AND r.sent_at IS NULL AND r.due_at <= $1 AND d.status <> 'done' \
             ORDER BY r.due_at, r.id LIMIT $2) RETURNING id",
        )
        .bind(ts(now))
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let claimed: Vec<String> = claimed.into_iter().map(|(id,)| id).collect();
        let mut rows = Vec::with_capacity(claimed.len());
        for chunk in claimed.chunks(500) {
            let mut sql = Sql::new(SELECT_REMINDERS);
            sql.push(" AND r.id IN (");
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind_text(id.clone());
            }
            sql.push(") ORDER BY r.due_at, r.id");
            for row in sql.query().fetch_all(&mut *tx).await? {
                rows.push(reminder_from_row(&row)?);
            }
        }
        if !rows.is_empty() {
            let ids: Vec<&String> = claimed.iter().collect();
            append(&mut tx, &audit.with(serde_json::json!({ "reminders": ids }))).await?;
        }
        tx.commit().await?;
        Ok(rows)
    }

    /// Gives a claimed reminder back (its message could not be handed to the mail server), so a later run
    /// sends it.
    pub async fn release_reminder(&self, id: Id, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE docket_reminders SET sent_at = NULL WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims the daily agenda of `user` for local `day`; false when it was already claimed.
    pub async fn claim_agenda(
        &self,
        user: Id,
        day: NaiveDate,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "INSERT INTO docket_agenda_sent (user_id, day, sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, day) DO NOTHING",
        )
        .bind(user.to_string())
        .bind(day.to_string())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Ok(false);
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Gives back an agenda claim whose message could not be sent.
    pub async fn release_agenda(&self, user: Id, day: NaiveDate, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM docket_agenda_sent WHERE user_id = $1 AND day = $2")
            .bind(user.to_string())
            .bind(day.to_string())
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- calendar events ---------------------------------------------------------------------

    /// Creates or replaces an event and its attendee list.
    pub async fn save_event(&self, e: &EventRow, audit: AuditEvent) -> Result<()> {
        check_event(e)?;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO calendar_events (id, matter_id, owner, kind, title, starts_at, ends_at, time_zone, all_day, \
             location, notes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (id) DO UPDATE SET matter_id = excluded.matter_id, kind = excluded.kind, title = excluded.title, \
             starts_at = excluded.starts_at, ends_at = excluded.ends_at, time_zone = excluded.time_zone, \
             all_day = excluded.all_day, location = excluded.location, notes = excluded.notes, updated_at = excluded.updated_at",
        )
        .bind(e.id.to_string())
        .bind(e.matter_id.map(|m| m.to_string()))
        .bind(e.owner.to_string())
        .bind(&e.kind)
        .bind(&e.title)
        .bind(ts(e.starts_at))
        .bind(ts(e.ends_at))
        .bind(&e.time_zone)
        .bind(i64::from(e.all_day))
        .bind(&e.location)
        .bind(&e.notes)
        .bind(ts(e.created_at))
        .bind(ts(e.updated_at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM calendar_attendees WHERE event_id = $1")
            .bind(e.id.to_string())
            .execute(&mut *tx)
            .await?;
        let mut attendees = e.attendees.clone();
        attendees.sort();
        attendees.dedup();
        for user in attendees.iter().filter(|u| **u != e.owner) {
            sqlx::query("INSERT INTO calendar_attendees (event_id, user_id) VALUES ($1, $2)")
                .bind(e.id.to_string())
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_event(&self, id: Id, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM calendar_attendees WHERE event_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let n = sqlx::query("DELETE FROM calendar_events WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("event"));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn event(&self, id: Id) -> Result<EventRow> {
        let row = sqlx::query("SELECT * FROM calendar_events WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("event"))?;
        let mut e = self.event_from_row(&row)?;
        e.attendees = self.attendees(&[e.id]).await?.into_iter().map(|(_, u)| u).collect();
        Ok(e)
    }

    fn event_from_row(&self, r: &AnyRow) -> Result<EventRow> {
        Ok(EventRow {
            id: r.id("id")?,
            matter_id: opt_id(r.opt_text("matter_id")?)?,
            owner: r.id("owner")?,
            kind: r.text("kind")?,
            title: r.text("title")?,
            starts_at: r.time("starts_at")?,
            ends_at: r.time("ends_at")?,
            time_zone: r.text("time_zone")?,
            all_day: r.flag("all_day")?,
            location: r.text("location")?,
            notes: r.text("notes")?,
            attendees: Vec::new(),
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
        })
    }

    async fn attendees(&self, events: &[Id]) -> Result<Vec<(Id, Id)>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql =
            Sql::new("SELECT event_id, user_id FROM calendar_attendees WHERE event_id IN (");
        for (i, e) in events.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_text(e.to_string());
        }
        sql.push(") ORDER BY event_id, user_id");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(|r| Ok((r.id("event_id")?, r.id("user_id")?))).collect()
    }

    /// Events `actor` may see: their own, those they attend, and those on matters they see; never one on a
    /// matter that walls them. Sorted by start.
    pub async fn list_events(&self, actor: &Actor, f: &EventFilter) -> Result<Vec<EventRow>> {
        let mut sql = Sql::new("SELECT e.* FROM calendar_events e WHERE 1 = 1");
        let me = sql.param(Arg::Text(actor.user_id.to_string()));
        sql.push(&format!(
            " AND (e.matter_id IS NULL OR NOT EXISTS (SELECT 1 FROM ethical_walls ew WHERE ew.matter_id = e.matter_id AND ew.user_id = {me}))"
        ));
        sql.push(&format!(
            " AND (e.owner = {me} OR EXISTS (SELECT 1 FROM calendar_attendees a WHERE a.event_id = e.id AND a.user_id = {me}) \
             OR (e.matter_id IS NOT NULL AND EXISTS (SELECT 1 FROM matters m WHERE m.id = e.matter_id"
        ));
        push_matter_visible(&mut sql, actor, "m");
        sql.push(")))");
        if let Some(who) = f.involving {
            let p = sql.param(Arg::Text(who.to_string()));
            sql.push(&format!(
                " AND (e.owner = {p} OR EXISTS (SELECT 1 FROM calendar_attendees a2 WHERE a2.event_id = e.id AND a2.user_id = {p}))"
            ));
        }
        if let Some(m) = f.matter_id {
            sql.push(" AND e.matter_id = ");
            sql.bind_text(m.to_string());
        }
        if let Some(to) = f.to {
            sql.push(" AND e.starts_at < ");
            sql.bind_text(ts(to));
        }
        if let Some(from) = f.from {
            // An event that ends exactly when the window opens is outside it, unless it has no length.
            sql.push(" AND (e.ends_at > ");
            let p = sql.bind_text(ts(from));
            sql.push(&format!(" OR e.starts_at >= {p})"));
        }
        sql.push(" ORDER BY e.starts_at, e.id");
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut events = rows.iter().map(|r| self.event_from_row(r)).collect::<Result<Vec<_>>>()?;
        let ids: Vec<Id> = events.iter().map(|e| e.id).collect();
        for (event, user) in self.attendees(&ids).await? {
            if let Some(e) = events.iter_mut().find(|e| e.id == event) {
                e.attendees.push(user);
            }
        }
        Ok(events)
    }

    // ---- feeds -------------------------------------------------------------------------------

    pub async fn create_feed(
        &self,
        feed: &FeedRow,
        token_hash: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (id, token_hash, user_id, scope, matter_id, label, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(feed.id.to_string())
        .bind(token_hash)
        .bind(feed.user_id.to_string())
        .bind(&feed.scope)
        .bind(feed.matter_id.map(|m| m.to_string()))
        .bind(&feed.label)
        .bind(ts(feed.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live (not revoked) feed whose token hashes to `token_hash`.
    pub async fn feed_by_token_hash(&self, token_hash: &str) -> Result<Option<FeedRow>> {
        let row = sqlx::query(
            "SELECT * FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(feed_from_row).transpose()
    }

    /// A user's feeds, newest first, revoked ones included.
    pub async fn feeds(&self, user: Id) -> Result<Vec<FeedRow>> {
        let rows = sqlx::query(
            "SELECT * FROM calendar_feeds WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(user.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(feed_from_row).collect()
    }

    /// Revokes one of `user`'s feeds; NotFound when it is not theirs or already revoked.
    pub async fn revoke_feed(
        &self,
        user: Id,
        feed: Id,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE calendar_feeds SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(feed.to_string())
        .bind(user.to_string())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound("feed"));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
