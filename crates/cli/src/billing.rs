//! `lawdesk billing`: invoices, LEDES export and validation.

use crate::Cli;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub(crate) enum BillingCommand {
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

pub(crate) async fn run(_cli: &Cli, command: &BillingCommand) -> Result<()> {
    match command {
        BillingCommand::LedesValidate { file } => ledes_validate(file),
    }
}
