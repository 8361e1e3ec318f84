//! `lawdesk bench`: benchmarks that print a table of measured figures (never assertions).

use crate::Cli;
use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum BenchCommand {
    /// Docket: computing deadlines, docketing triggers, rendering feeds, claiming reminders.
    Docket(crate::docket::DocketBench),
}

pub(crate) async fn run(_cli: &Cli, command: &BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Docket(args) => crate::docket::bench(args).await,
    }
}
