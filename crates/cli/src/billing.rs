//! `lawdesk billing`: pre-bills (draft invoices), LEDES export and validation.

use crate::{Cli, actor_for, app_err, open};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub(crate) enum BillingCommand {
    /// Create the pre-bill (draft invoice) for a matter and period from its unbilled time and
    /// expenses, and print it.
    Invoice {
        /// Matter number, e.g. 2026-0001.
        #[arg(long)]
        matter: String,
        /// A month (2026-11) or a range (2026-11-01..2026-11-15).
        #[arg(long)]
        period: String,
        /// Act as this user (default: the first administrator).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Export an issued invoice (by number, e.g. INV202600001) as LEDES.
    Ledes {
        #[arg(long)]
        invoice: String,
        /// 1998b (default) or 98bi.
        #[arg(long, default_value = "1998b")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Validate a LEDES 1998B or 98BI file; prints errors by line and field.
    LedesValidate { file: PathBuf },
    /// Measure time entry, pre-bill, PDF, LEDES and trust posting speed on a scratch SQLite
    /// demo firm (prints a table; nothing is asserted).
    Bench {
        /// Time entries on the benchmarked matter.
        #[arg(long, default_value_t = 2000)]
        entries: usize,
        /// Concurrent trust disbursements against one client ledger.
        #[arg(long, default_value_t = 400)]
        postings: usize,
    },
}

fn ledes_validate(file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    match billing::ledes::validate_bytes(&bytes) {
        Ok(summary) => {
            println!(
                "{}: valid {:?}, {} line items in {} invoices",
                file.display(),
                summary.format,
                summary.line_items,
                summary.invoices.len()
            );
            for w in &summary.warnings {
                println!("  warning: {w}");
            }
            Ok(())
        }
        Err(errors) => {
            for e in &errors {
                println!("{}: {e}", file.display());
            }
            bail!("{} errors", errors.len())
        }
    }
}

async fn invoice(cli: &Cli, matter: &str, period: &str, as_user: Option<&str>) -> Result<()> {
    let app = open(cli).await?;
    let actor = actor_for(&app, as_user).await?;
    let m = app
        .store
        .matter_by_number(matter)
        .await?
        .with_context(|| format!("no matter numbered {matter}"))?;
    let period = app::billing::parse_period(period).map_err(app_err)?;
    let draft = app.create_prebill(&actor, m.id, period).await.map_err(app_err)?;
    let view = app.invoice_view(&actor, draft.id).await.map_err(app_err)?;
    let money = |d: rust_decimal::Decimal| billing::money::format_money(d);
    println!(
        "Pre-bill {} for {} {} ({}), {} to {}",
        draft.id, m.number, m.title, view.invoice.client_name, draft.period_start, draft.period_end
    );
    println!(
        "{:<4} {:<10} {:<18} {:<9} {:>7} {:>9} {:>10}  description",
        "#", "date", "timekeeper", "codes", "units", "rate", "amount"
    );
    for l in &view.lines {
        let who = l.timekeeper_name.clone().or_else(|| l.expense_code.clone()).unwrap_or_default();
        let codes = [l.task_code.as_deref(), l.activity_code.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("/");
        let net = billing::money::round_money(l.units * l.unit_cost) + l.adjustment;
        println!(
            "{:<4} {:<10} {:<18} {:<9} {:>7} {:>9} {:>10}  {}",
            l.position,
            l.line_date,
            who.chars().take(18).collect::<String>(),
            codes,
            l.units.normalize(),
            money(l.unit_cost),
            money(net),
            l.description
        );
    }
    let t = view.totals;
    println!(
        "fees {}  expenses {}  adjustments {}  tax {}  total {} {}",
        money(t.fees),
        money(t.expenses),
        money(t.adjustments),
        money(t.tax),
        view.invoice.currency,
        money(t.total)
    );
    println!("Review, approve and issue it at /billing/invoices/{}", draft.id);
    Ok(())
}

async fn ledes(
    cli: &Cli,
    number: &str,
    format: &str,
    out: Option<&Path>,
    as_user: Option<&str>,
) -> Result<()> {
    let format = match format.to_ascii_lowercase().as_str() {
        "1998b" => billing::ledes::LedesFormat::Ledes1998B,
        "98bi" => billing::ledes::LedesFormat::Ledes98BI,
        other => bail!("unknown LEDES format {other:?}; use 1998b or 98bi"),
    };
    let app = open(cli).await?;
    let actor = actor_for(&app, as_user).await?;
    let id = app.invoice_id_by_number(&actor, number).await.map_err(app_err)?;
    let (_, text) = app.invoice_ledes(&actor, id, format).await.map_err(app_err)?;
    match out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {} ({} lines)", path.display(), text.lines().count());
        }
        None => print!("{text}"),
    }
    Ok(())
}

pub(crate) async fn run(cli: &Cli, command: &BillingCommand) -> Result<()> {
    match command {
        BillingCommand::Invoice { matter, period, as_user } => {
            invoice(cli, matter, period, as_user.as_deref()).await
        }
        BillingCommand::Ledes { invoice, format, out, as_user } => {
            ledes(cli, invoice, format, out.as_deref(), as_user.as_deref()).await
        }
        BillingCommand::LedesValidate { file } => ledes_validate(file),
        BillingCommand::Bench { entries, postings } => bench(*entries, *postings).await,
    }
}

async fn bench(entries: usize, postings: usize) -> Result<()> {
    use std::time::Instant;
    let dir = std::env::temp_dir().join(format!("lawdesk-billing-bench-{}", std::process::id()));
    let store = store::Store::open_sqlite(&dir).await?;
    let app = app::App::new(store);
    app.load_demo().await.map_err(app_err)?;
    let alice = actor_for(&app, Some("alice@demo.lawdesk")).await?;
    let year = app.now().format("%Y").to_string();
    let acme = app.store.matter_by_number(&format!("{year}-0001")).await?.context("demo matter")?;
    let day = chrono::NaiveDate::from_ymd_opt(2020, 3, 2).expect("a valid date");
    let mut rows: Vec<(String, String)> = Vec::new();
    let per = |n: usize, d: std::time::Duration| format!("{:.0}/s", n as f64 / d.as_secs_f64());

    let started = Instant::now();
    for i in 0..entries {
        let f = app::billing::TimeForm {
            matter_id: acme.id.to_string(),
            work_date: day.to_string(),
            hours: format!("{}.{}", 1 + i % 3, i % 10),
            task_code: "L120".into(),
            activity_code: "A104".into(),
            narrative: format!("Analysis and strategy, item {i}"),
            billable: Some("on".into()),
            non_billable_reason: String::new(),
        };
        app.add_time_entry(&alice, &f).await.map_err(app_err)?;
    }
    let took = started.elapsed();
    rows.push((
        format!("record {entries} time entries (one audited transaction each)"),
        format!("{:.2} s, {}", took.as_secs_f64(), per(entries, took)),
    ));

    let started = Instant::now();
    let draft = app.create_prebill(&alice, acme.id, (day, day)).await.map_err(app_err)?;
    rows.push((
        format!("pre-bill of {entries} entries"),
        format!("{:.0} ms", started.elapsed().as_secs_f64() * 1000.0),
    ));
    app.approve_invoice(&alice, draft.id).await.map_err(app_err)?;
    app.issue_invoice(&alice, draft.id).await.map_err(app_err)?;

    let started = Instant::now();
    let (_, pdf) = app.invoice_pdf(&alice, draft.id).await.map_err(app_err)?;
    rows.push((
        format!("invoice PDF, {entries} lines"),
        format!("{:.0} ms, {} KB", started.elapsed().as_secs_f64() * 1000.0, pdf.len() / 1024),
    ));
    for (name, format) in [
        ("LEDES 1998B", billing::ledes::LedesFormat::Ledes1998B),
        ("LEDES 98BI", billing::ledes::LedesFormat::Ledes98BI),
    ] {
        let started = Instant::now();
        let (_, text) = app.invoice_ledes(&alice, draft.id, format).await.map_err(app_err)?;
        rows.push((
            format!("{name} export + validation, {entries} lines"),
            format!("{:.0} ms, {} KB", started.elapsed().as_secs_f64() * 1000.0, text.len() / 1024),
        ));
    }

    // Acme has no trust money in the demo: deposit enough for half the disbursements.
    let deposit = app::billing::TrustForm {
        matter_id: acme.id.to_string(),
        amount: format!("{}", postings / 2),
        memo: "Bench deposit".into(),
        ..Default::default()
    };
    app.trust_deposit(&alice, &deposit).await.map_err(app_err)?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..postings {
        let app = app.clone();
        let f = app::billing::TrustForm {
            matter_id: acme.id.to_string(),
            amount: "1.00".into(),
            memo: "Bench disbursement".into(),
            payee: "Court clerk".into(),
            ..Default::default()
        };
        tasks.push(tokio::spawn(async move { app.trust_disburse(&alice, &f).await.is_ok() }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += usize::from(t.await.unwrap_or(false));
    }
    let took = started.elapsed();
    let balance = app
        .store
        .trust_balances()
        .await?
        .into_iter()
        .find(|b| b.client_id == acme.client_id)
        .map(|b| b.balance)
        .unwrap_or_default();
    rows.push((
        format!("{postings} concurrent trust disbursements of 1.00"),
        format!("{:.2} s, {}", took.as_secs_f64(), per(postings, took)),
    ));
    rows.push((
        format!("  accepted / refused, ledger after (deposit of {} - accepted)", postings / 2),
        format!("{accepted} / {}, {balance}", postings - accepted),
    ));
    app.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);

    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    println!("{:<width$}  result", "lawdesk billing bench (SQLite, this machine)");
    for (k, v) in rows {
        println!("{k:<width$}  {v}");
    }
    Ok(())
}
