//! `lawdesk bench`: benchmarks that print a table of measured figures (never assertions).

use crate::Cli;
use anyhow::{Result, bail};
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum BenchCommand {
    /// Load-test the web server: signed-in sessions list, view and update work items over real
    /// HTTP on 127.0.0.1 against a fresh SQLite folder, or a fresh PostgreSQL database on the
    /// server named by --database-url (created and dropped). Fails if any request errs or any
    /// acknowledged write is missing from the database.
    Http(crate::loadtest::HttpArgs),
}

pub(crate) async fn run(cli: &Cli, command: &BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Http(args) => {
            let report = crate::loadtest::run(cli.database_url.as_deref(), args).await?;
            print!("{}", report.table);
            if report.errors > 0 || report.lost_writes {
                bail!(
                    "the load test saw {} failed requests{}",
                    report.errors,
                    if report.lost_writes { " and lost writes" } else { "" }
                );
            }
            Ok(())
        }
    }
}
