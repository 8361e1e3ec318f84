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
    }
}
