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

/// `lawdesk bench docket`: figures for the docket on a throwaway SQLite store with the demo firm.
#[derive(clap::Args)]
pub(crate) struct DocketBench {
    /// Trigger dates to compute every FRCP trigger for (one per day from 2026-01-01).
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Triggers to docket on matter 0001 (each one audited transaction).
    #[arg(long, default_value_t = 200)]
    triggers: u32,
}

fn percentile(sorted: &[std::time::Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

fn row(name: &str, n: usize, mut times: Vec<std::time::Duration>, extra: &str) {
    times.sort();
    let total: f64 = times.iter().map(|d| d.as_secs_f64()).sum();
    println!(
        "| {name:<34} | {n:>7} | {:>9.3} | {:>9.3} | {:>9.1} | {extra}",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        if total > 0.0 { times.len() as f64 / total } else { 0.0 }
    );
}

pub(crate) async fn bench(args: &DocketBench) -> Result<()> {
    use std::time::Instant;
    println!(
        "| step                               |       n |  p50 (ms) |  p99 (ms) |    ops/s | notes"
    );
    println!(
        "|------------------------------------|---------|-----------|-----------|----------|------"
    );
    let frcp = docket::RuleSet::builtin("frcp")?;
    let calendar = docket::CourtCalendar::federal("S.D.N.Y.", chrono_tz::America::New_York);
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).context("start date")?;
    let mut times = Vec::new();
    let mut deadlines = 0;
    for day in 0..args.days {
        let date = start + chrono::Duration::days(i64::from(day));
        for t in frcp.triggers() {
            let at = Instant::now();
            let out = docket::compute(&frcp, &t.name, date, docket::Service::Mail, &calendar);
            times.push(at.elapsed());
            deadlines += out.map(|d| d.len()).unwrap_or(0);
        }
    }
    let n = times.len();
    row("compute (FRCP trigger, mail)", n, times, &format!("{deadlines} deadlines"));

    let dir = std::env::temp_dir().join(format!("lawdesk-bench-docket-{}", std::process::id()));
    let store = store::Store::open_sqlite(&dir).await?;
    let app = app::App::new(store);
    app.load_demo().await.map_err(crate::app_err)?;
    let vera = crate::actor_for(&app, Some("vera@demo.lawdesk")).await?;
    let alice = crate::actor_for(&app, Some("alice@demo.lawdesk")).await?;
    let number = format!("{}-0001", chrono::Utc::now().format("%Y"));
    let matter = app.store.matter_by_number(&number).await?.context("demo matter")?;
    let names: Vec<String> = frcp.triggers().iter().map(|t| t.name.clone()).collect();
    let mut times = Vec::new();
    let mut stored = 0;
    for i in 0..args.triggers {
        let form = app::docket::TriggerForm {
            rule_set: "frcp".into(),
            trigger: names[i as usize % names.len()].clone(),
            date: (chrono::Utc::now().date_naive() + chrono::Duration::days(i64::from(i % 120)))
                .to_string(),
            service: "mail".into(),
            time_zone: "America/New_York".into(),
            ..Default::default()
        };
        let at = Instant::now();
        let view = app.add_trigger(&vera, matter.id, &form).await.map_err(crate::app_err)?;
        times.push(at.elapsed());
        stored += view.deadlines.len();
    }
    row(
        "add_trigger (SQLite, audited)",
        times.len(),
        times,
        &format!("{stored} deadlines + reminders stored"),
    );

    let feed = app.create_feed(&alice, None).await.map_err(crate::app_err)?;
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..5 {
        let at = Instant::now();
        bytes = app.feed_ics(&feed.token).await.map_err(crate::app_err)?.len();
        times.push(at.elapsed());
    }
    row("feed_ics (alice, all deadlines)", 5, times, &format!("{bytes} bytes"));

    let mut times = Vec::new();
    let at = Instant::now();
    let claimed = app
        .store
        .claim_email_reminders(
            chrono::Utc::now() + chrono::Duration::days(400),
            1_000_000,
            store::AuditEvent::new(chrono::Utc::now(), None, "bench.claim", "bench", "all"),
        )
        .await?;
    times.push(at.elapsed());
    row(
        "claim_email_reminders (all due)",
        1,
        times,
        &format!("{} reminders in one transaction", claimed.len()),
    );
    app.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
