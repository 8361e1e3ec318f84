//! `lawdesk docket`: court-rule deadline computation, docketing triggers on matters, and the reminder dispatcher.

use crate::{Cli, actor_for, app_err, open};
use anyhow::{Context, Result};
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum DocketCommand {
    /// Compute the deadlines a trigger event produces, with their trails.
    Compute {
        #[arg(long, default_value = "frcp")]
        rules: String,
        #[arg(long)]
        trigger: String,
        #[arg(long)]
        date: chrono::NaiveDate,
        #[arg(long, default_value = "electronic")]
        service: String,
        /// The court's time zone.
        #[arg(long, default_value = "America/New_York")]
        tz: chrono_tz::Tz,
    },
    /// List the triggers of a rule set.
    Triggers {
        #[arg(long, default_value = "frcp")]
        rules: String,
    },
    /// Docket a trigger on a matter: compute its deadlines and store them with trails and reminders.
    AddTrigger {
        /// The matter number, e.g. 2026-0001.
        #[arg(long)]
        matter: String,
        #[arg(long, default_value = "frcp")]
        rules: String,
        #[arg(long)]
        trigger: String,
        #[arg(long)]
        date: chrono::NaiveDate,
        #[arg(long, default_value = "none")]
        service: String,
        #[arg(long, default_value = "America/New_York")]
        tz: chrono_tz::Tz,
        #[arg(long, default_value = "")]
        label: String,
        /// Who dockets it (default: the first administrator).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Send the email reminders that are due and today's agendas once, then exit
    /// (needs LAWDESK_SMTP_URL; LAWDESK_SMTP_FROM optional).
    SendReminders {
        /// The time zone whose "today" the daily agenda uses.
        #[arg(long, env = "LAWDESK_AGENDA_TZ", default_value = "America/New_York")]
        agenda_tz: chrono_tz::Tz,
    },
}

pub(crate) async fn run(cli: &Cli, command: &DocketCommand) -> Result<()> {
    match command {
        DocketCommand::Compute { rules, trigger, date, service, tz } => {
            let set = docket::RuleSet::builtin(rules)?;
            let service: docket::Service = service.parse()?;
            let calendar = docket::CourtCalendar::federal("Federal court", *tz);
            let deadlines = docket::compute(&set, trigger, *date, service, &calendar)?;
            print!("{}", docket::render_trail(&deadlines));
        }
        DocketCommand::Triggers { rules } => {
            let set = docket::RuleSet::builtin(rules)?;
            for t in set.triggers() {
                println!("{}", t.name);
            }
        }
        DocketCommand::AddTrigger { matter, rules, trigger, date, service, tz, label, as_user } => {
            let app = open(cli).await?;
            let actor = actor_for(&app, as_user.as_deref()).await?;
            let m = app
                .store
                .matter_by_number(matter)
                .await?
                .with_context(|| format!("no matter {matter}"))?;
            let form = app::docket::TriggerForm {
                rule_set: rules.clone(),
                trigger: trigger.clone(),
                label: label.clone(),
                date: date.to_string(),
                time: String::new(),
                service: service.clone(),
                time_zone: tz.name().to_string(),
            };
            let view = app.add_trigger(&actor, m.id, &form).await.map_err(app_err)?;
            println!(
                "docketed {:?} on {} ({}):",
                view.trigger.label, m.number, view.trigger.trigger_date
            );
            for d in &view.deadlines {
                println!("  {}  {}  [{}]", d.row.due_on, d.row.title, d.row.citation);
            }
        }
        DocketCommand::SendReminders { agenda_tz } => {
            let settings = app::docket::SmtpSettings::from_env()
                .context("set LAWDESK_SMTP_URL (e.g. smtp://127.0.0.1:25) to send reminders")?;
            let app = open(cli).await?;
            let mailer = app::docket::Mailer::new(&settings).map_err(app_err)?;
            let r = app.send_reminders(&mailer, *agenda_tz).await.map_err(app_err)?;
            println!(
                "reminders sent: {}, failed (will retry): {}, suppressed: {}; agendas sent: {}",
                r.reminders_sent, r.reminders_failed, r.reminders_suppressed, r.agendas_sent
            );
        }
    }
    Ok(())
}

/// Starts the reminder dispatcher beside the web server when SMTP is configured: one run a minute.
pub(crate) fn spawn_dispatcher(app: &app::App) -> Option<tokio::task::JoinHandle<()>> {
    let settings = app::docket::SmtpSettings::from_env()?;
    let zone: chrono_tz::Tz = std::env::var("LAWDESK_AGENDA_TZ")
        .ok()
        .and_then(|z| z.parse().ok())
        .unwrap_or(chrono_tz::America::New_York);
    let mailer = match app::docket::Mailer::new(&settings) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("email reminders are off: {e}");
            return None;
        }
    };
    println!(
        "email reminders: sending through {} every minute",
        settings.url.split('@').next_back().unwrap_or("")
    );
    let app = app.clone();
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = app.send_reminders(&mailer, zone).await {
                eprintln!("reminder dispatch failed: {e}");
            }
        }
    }))
}
