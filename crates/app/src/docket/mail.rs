//! Email reminders and the daily agenda over SMTP (lettre): claim, send, and give back what could not be sent.
//!
//! A reminder is claimed and marked sent in one transaction before its message goes out, so two dispatchers
//! (or one restarted after a crash) never send it twice; a message the mail server refused is released for
//! the next run.

use crate::auth::actor_of;
use crate::{App, AppError, Result};
use chrono::{Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use domain::{Action, Policy, Role};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt::Write as _;
use store::AuditEvent;
use store::docket::{DeadlineFilter, EventFilter};

/// Where and as whom to send: `LAWDESK_SMTP_URL` (e.g. `smtp://127.0.0.1:25`, `smtp://relay:587?tls=required`,
/// `smtps://user:pass@host`) and `LAWDESK_SMTP_FROM` (e.g. `lawdesk <docket@firm.example>`).
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub url: String,
    pub from: String,
}

impl SmtpSettings {
    /// The settings from the environment; `None` when `LAWDESK_SMTP_URL` is not set.
    pub fn from_env() -> Option<SmtpSettings> {
        let url = std::env::var("LAWDESK_SMTP_URL").ok().filter(|u| !u.trim().is_empty())?;
        let from = std::env::var("LAWDESK_SMTP_FROM")
            .ok()
            .filter(|f| !f.trim().is_empty())
            .unwrap_or_else(|| "lawdesk <lawdesk@localhost>".into());
        Some(SmtpSettings { url, from })
    }
}

/// An SMTP connection factory with the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

/// What one dispatch run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DispatchReport {
    pub reminders_sent: usize,
    /// Claimed but refused by the mail server; released for the next run.
    pub reminders_failed: usize,
    /// Claimed for someone who no longer sees the matter (walled off, deactivated): not sent.
    pub reminders_suppressed: usize,
    pub agendas_sent: usize,
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|e| AppError::Invalid { field: "LAWDESK_SMTP_URL".into(), message: e.to_string() })?
            .build();
        let from = settings.from.parse::<Mailbox>().map_err(|e| AppError::Invalid {
            field: "LAWDESK_SMTP_FROM".into(),
            message: e.to_string(),
        })?;
        Ok(Mailer { transport, from })
    }

    /// Sends one plain-text message; the error is the server's or the address's complaint.
    pub async fn send(&self, to_name: &str, to_email: &str, subject: &str, body: String) -> Result<(), String> {
        let to = Mailbox::new(Some(to_name.to_string()), to_email.parse().map_err(|e| format!("{e}"))?);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Reminders claimed per run; the rest wait for the next one.
const BATCH: i64 = 500;

impl App {
    fn system_event(&self, action: &str, entity: &str, id: impl ToString) -> AuditEvent {
        AuditEvent::new(self.now(), None, action, entity, id)
    }

    /// Sends every email reminder that is due, then each user's daily agenda for today in `agenda_zone` (once
    /// a day, from 06:00 local time on).
    pub async fn send_reminders(&self, mailer: &Mailer, agenda_zone: Tz) -> Result<DispatchReport> {
        let mut report = DispatchReport::default();
        let now = self.now();
        let claimed = self
            .store
            .claim_email_reminders(now, BATCH, self.system_event("docket.reminders_claim", "docket_reminder", "batch"))
            .await?;
        for r in claimed {
            let user = self.store.user(r.user_id).await?;
            let access = self.store.matter_access(&actor_of(&user), r.matter_id).await?;
            if !Policy::allows(&actor_of(&user), Action::ViewMatter(access)) {
                report.reminders_suppressed += 1;
                continue;
            }
            let days = (r.deadline_due - now.with_timezone(&agenda_zone).date_naive()).num_days();
            let when = match days {
                0 => "today".to_string(),
                1 => "tomorrow".to_string(),
                n if n < 0 => format!("{} days ago", -n),
                n => format!("in {n} days"),
            };
            let subject = format!("Reminder: {} due {} ({})", r.deadline_title, r.deadline_due, r.matter_number);
            let body = format!(
                "{name},\n\n{title} is due {when}, on {due} ({weekday}).\nMatter: {number} {matter}\nRule: {citation}\n\n\
                 The computation and its trail: /matters/{matter_id}/docket\n\n-- lawdesk docket\n",
                name = r.user_name,
                title = r.deadline_title,
                due = r.deadline_due,
                weekday = r.deadline_due.format("%A"),
                number = r.matter_number,
                matter = r.matter_title,
                citation = r.citation,
                matter_id = r.matter_id,
            );
            match mailer.send(&r.user_name, &r.user_email, &subject, body).await {
                Ok(()) => report.reminders_sent += 1,
                Err(e) => {
                    report.reminders_failed += 1;
                    let ev = self
                        .system_event("docket.reminder_release", "docket_reminder", r.id)
                        .with(serde_json::json!({"error": e}));
                    self.store.release_reminder(r.id, ev).await?;
                }
            }
        }
        let local = now.with_timezone(&agenda_zone);
        if local.hour() >= 6 {
            report.agendas_sent = self.send_agendas(mailer, agenda_zone).await?;
        }
        Ok(report)
    }

    async fn send_agendas(&self, mailer: &Mailer, zone: Tz) -> Result<usize> {
        let now = self.now();
        let today = now.with_timezone(&zone).date_naive();
        let day_start = |d: chrono::NaiveDate| {
            zone.from_local_datetime(&d.and_time(NaiveTime::MIN))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| AppError::Internal(format!("no midnight on {d} in {zone}")))
        };
        let (from, to) = (day_start(today)?, day_start(today + Duration::days(1))?);
        let mut sent = 0;
        let users = self.users_with_roles(Role::ALL).await?;
        for user in users.into_iter().filter(|u| u.active && u.role != Role::Client) {
            let actor = actor_of(&user);
            let events = self
                .store
                .list_events(
                    &actor,
                    &EventFilter { from: Some(from), to: Some(to), involving: Some(user.id), ..Default::default() },
                )
                .await?;
            let deadlines = self
                .store
                .list_deadlines(
                    &actor,
                    &DeadlineFilter {
                        from: Some(today),
                        to: Some(today + Duration::days(7)),
                        open_only: true,
                        ..Default::default()
                    },
                )
                .await?;
            if events.is_empty() && deadlines.is_empty() {
                continue;
            }
            let claim = self
                .system_event("docket.agenda_claim", "user", user.id)
                .with(serde_json::json!({"day": today.to_string()}));
            if !self.store.claim_agenda(user.id, today, now, claim).await? {
                continue;
            }
            let flagged = super::double_booked(&events, user.id);
            let mut body = format!("{},\n\nYour agenda for {} ({}):\n\n", user.display_name, today.format("%A, %B %-d, %Y"), zone.name());
            if events.is_empty() {
                body.push_str("No events today.\n");
            }
            for e in &events {
                let start = e.starts_at.with_timezone(&zone);
                let end = e.ends_at.with_timezone(&zone);
                let when = if e.all_day { "all day".to_string() } else { format!("{}-{}", start.format("%H:%M"), end.format("%H:%M")) };
                let _ = writeln!(
                    body,
                    "  {when}  {}{}{}",
                    e.title,
                    if e.location.is_empty() { String::new() } else { format!(" ({})", e.location) },
                    if flagged.contains(&e.id) { "  [DOUBLE-BOOKED]" } else { "" }
                );
            }
            body.push_str("\nDeadlines in the next 7 days:\n");
            if deadlines.is_empty() {
                body.push_str("  none\n");
            }
            for d in &deadlines {
                let _ = writeln!(
                    body,
                    "  {}  {} ({}) [{}]{}",
                    d.deadline.due_on,
                    d.deadline.title,
                    d.matter_number,
                    d.deadline.citation,
                    if d.deadline.status == "overridden" { " (date set by hand)" } else { "" }
                );
            }
            body.push_str("\n-- lawdesk docket\n");
            let subject = format!("Agenda for {}: {} events, {} deadlines this week", today, events.len(), deadlines.len());
            match mailer.send(&user.display_name, &user.email, &subject, body).await {
                Ok(()) => sent += 1,
                Err(e) => {
                    let ev = self
                        .system_event("docket.agenda_release", "user", user.id)
                        .with(serde_json::json!({"day": today.to_string(), "error": e}));
                    self.store.release_agenda(user.id, today, ev).await?;
                }
            }
        }
        Ok(sent)
    }
}
