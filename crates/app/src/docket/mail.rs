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
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
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
            .map_err(|e| AppError::Invalid {
                field: "LAWDESK_SMTP_URL".into(),
                message: e.to_string(),
            })?
            .build();
        let from = settings.from.parse::<Mailbox>().map_err(|e| AppError::Invalid {
            field: "LAWDESK_SMTP_FROM".into(),
            message: e.to_string(),
        })?;
        Ok(Mailer { transport, from })
    }

    /// Sends one plain-text message; the error is the server's or the address's complaint.
    pub async fn send(
        &self,
        to_name: &str,
        to_email: &str,
        subject: &str,
        body: String,
    ) -> Result<(), String> {
        let to =
            Mailbox::new(Some(to_name.to_string()), to_email.parse().map_err(|e| format!("{e}"))?);
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
            .claim_email_reminders(
                now,
                BATCH,
                self.system_event("docket.reminders_claim", "docket_reminder", "batch"),
            )
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
            let subject = format!(
                "Reminder: {} due {} ({})",
                r.deadline_title, r.deadline_due, r.matter_number
            );
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
                    &EventFilter {
                        from: Some(from),
                        to: Some(to),
                        involving: Some(user.id),
                        ..Default::default()
                    },
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
            let mut body = format!(
                "{},\n\nYour agenda for {} ({}):\n\n",
                user.display_name,
                today.format("%A, %B %-d, %Y"),
                zone.name()
            );
            if events.is_empty() {
                body.push_str("No events today.\n");
            }
            for e in &events {
                let start = e.starts_at.with_timezone(&zone);
                let end = e.ends_at.with_timezone(&zone);
                let when = if e.all_day {
                    "all day".to_string()
                } else {
                    format!("{}-{}", start.format("%H:%M"), end.format("%H:%M"))
                };
                let _ = writeln!(
                    body,
                    "  {when}  {}{}{}",
                    e.title,
                    if e.location.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", e.location)
                    },
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
            let subject = format!(
                "Agenda for {}: {} events, {} deadlines this week",
                today,
                events.len(),
                deadlines.len()
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// One message as the server received it.
    #[derive(Debug, Clone)]
    struct Received {
        rcpt: Vec<String>,
        data: String,
    }

    /// A minimal SMTP server on 127.0.0.1 that accepts everything and records each message.
    async fn smtp_server() -> (u16, Arc<Mutex<Vec<Received>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let sink = inbox.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                let sink = sink.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read);
                    write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                    let mut rcpt = Vec::new();
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250 test\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                            b"250 OK\r\n"
                        } else if upper.starts_with("DATA") {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut data = String::new();
                            loop {
                                line.clear();
                                lines.read_line(&mut line).await.unwrap();
                                if line == ".\r\n" {
                                    break;
                                }
                                data.push_str(&line);
                            }
                            sink.lock()
                                .unwrap()
                                .push(Received { rcpt: std::mem::take(&mut rcpt), data });
                            b"250 queued\r\n"
                        } else if upper.starts_with("QUIT") {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        } else {
                            b"250 OK\r\n"
                        };
                        write.write_all(reply).await.unwrap();
                    }
                });
            }
        });
        (port, inbox)
    }

    /// A header's value, unfolded (RFC 5322 2.2.3: a CRLF followed by white space continues the line).
    fn header(data: &str, name: &str) -> String {
        data.replace("\r\n ", " ")
            .replace("\r\n\t", "\t")
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string))
            .unwrap_or_else(|| panic!("no {name} header in {data}"))
    }

    /// The body with quoted-printable decoded (soft breaks joined, =XX bytes restored).
    fn body(data: &str) -> String {
        let raw = data.split_once("\r\n\r\n").map_or("", |(_, b)| b).replace("=\r\n", "");
        let bytes = raw.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&raw[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8(out).unwrap().replace("\r\n", "\n")
    }

    #[tokio::test]
    async fn reminders_and_agendas_go_out_over_smtp_exactly_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::open_sqlite(dir.path()).await.unwrap();
        // Monday 2026-06-01 09:00 in New York.
        let start = Utc.with_ymd_and_hms(2026, 6, 1, 13, 0, 0).unwrap();
        let clock = Arc::new(AtomicI64::new(start.timestamp()));
        let tick = clock.clone();
        let app = App::with_clock(
            store,
            Arc::new(move || Utc.timestamp_opt(tick.load(Ordering::SeqCst), 0).unwrap()),
        );
        // The demo dockets "complaint served" 14 days ago (2026-05-18): the answer is due 2026-06-08, so its
        // 7-day reminder is due now.
        app.load_demo().await.unwrap();
        let (port, inbox) = smtp_server().await;
        let mailer = Mailer::new(&SmtpSettings {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "lawdesk docket <docket@firm.test>".into(),
        })
        .unwrap();
        let zone = chrono_tz::America::New_York;

        let report = app.send_reminders(&mailer, zone).await.unwrap();
        let messages = inbox.lock().unwrap().clone();
        let reminders: Vec<&Received> = messages
            .iter()
            .filter(|m| header(&m.data, "Subject").starts_with("Reminder:"))
            .collect();
        let mut to: Vec<&str> = reminders.iter().map(|m| m.rcpt[0].as_str()).collect();
        to.sort();
        // The team (alice, sam) and vera, who docketed the trigger.
        assert_eq!(to, ["alice@demo.lawdesk", "sam@demo.lawdesk", "vera@demo.lawdesk"]);
        assert_eq!(report.reminders_sent, 3);
        let alice = reminders.iter().find(|m| m.rcpt[0] == "alice@demo.lawdesk").unwrap();
        assert_eq!(
            header(&alice.data, "Subject"),
            "Reminder: Answer to complaint (or Rule 12 motion) due 2026-06-08 (2026-0001)"
        );
        assert!(header(&alice.data, "From").contains("docket@firm.test"));
        let text = body(&alice.data);
        assert!(text.contains("is due in 7 days, on 2026-06-08 (Monday)."), "{text}");
        assert!(text.contains("Rule: FRCP 12(a)(1)(A)(i)"), "{text}");

        // Agendas: everyone who sees the Acme deadline this week; alice's lists tomorrow-free today and the answer.
        let agendas: Vec<&Received> = messages
            .iter()
            .filter(|m| header(&m.data, "Subject").starts_with("Agenda for 2026-06-01"))
            .collect();
        assert_eq!(agendas.len(), report.agendas_sent);
        let mut agenda_to: Vec<&str> = agendas.iter().map(|m| m.rcpt[0].as_str()).collect();
        agenda_to.sort();
        assert_eq!(
            agenda_to,
            [
                "admin@demo.lawdesk",
                "alice@demo.lawdesk",
                "manoj@demo.lawdesk",
                "priya@demo.lawdesk",
                "sam@demo.lawdesk",
                "vera@demo.lawdesk"
            ]
        );
        let alice_agenda = agendas.iter().find(|m| m.rcpt[0] == "alice@demo.lawdesk").unwrap();
        let text = body(&alice_agenda.data);
        assert!(
            text.contains("2026-06-08  Answer to complaint (or Rule 12 motion) (2026-0001)"),
            "{text}"
        );
        assert!(
            !messages.iter().any(|m| m.rcpt[0] == "ben@demo.lawdesk"),
            "ben is not on the Acme matter"
        );

        // A second run (or a second dispatcher) sends nothing more.
        let again = app.send_reminders(&mailer, zone).await.unwrap();
        assert_eq!(again, DispatchReport::default());
        assert_eq!(inbox.lock().unwrap().len(), messages.len());

        // The next day: tomorrow's events are today's now; the agenda lists them with the double booking.
        clock.store((start + Duration::days(1)).timestamp(), Ordering::SeqCst);
        app.send_reminders(&mailer, zone).await.unwrap();
        let day2 = inbox.lock().unwrap().clone();
        let vera = day2
            .iter()
            .find(|m| {
                m.rcpt[0] == "vera@demo.lawdesk"
                    && header(&m.data, "Subject").starts_with("Agenda for 2026-06-02")
            })
            .expect("vera's agenda for the second day");
        let text = body(&vera.data);
        assert!(
            text.contains(
                "10:00-11:00  Rule 26(f) conference with Initech counsel (Zoom)  [DOUBLE-BOOKED]"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "10:30-11:15  Client call: Acme general counsel (Phone)  [DOUBLE-BOOKED]"
            ),
            "{text}"
        );
    }
}

#[cfg(test)]
mod retry_tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_refused_send_is_released_for_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::open_sqlite(dir.path()).await.unwrap();
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 13, 0, 0).unwrap();
        let app = App::with_clock(store, Arc::new(move || now));
        app.load_demo().await.unwrap();
        // Nothing listens on this port: every send fails.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let down = Mailer::new(&SmtpSettings {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "docket@firm.test".into(),
        })
        .unwrap();
        let zone = chrono_tz::America::New_York;
        let failed = app.send_reminders(&down, zone).await.unwrap();
        assert_eq!(
            (failed.reminders_sent, failed.reminders_failed, failed.agendas_sent),
            (0, 3, 0)
        );
        // Released: the reminders and agendas are claimable again, and the releases are audited.
        let again = app
            .store
            .claim_email_reminders(now, 100, AuditEvent::new(now, None, "test.claim", "test", 1))
            .await
            .unwrap();
        assert_eq!(again.len(), 3);
        let audit = app.store.audit_entries(None, 500).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "docket.reminder_release").count(), 3);
        assert!(audit.iter().any(|e| e.action == "docket.agenda_release"));
    }
}
