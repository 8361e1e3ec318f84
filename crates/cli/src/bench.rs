//! `lawdesk bench`: benchmarks that print a table of measured figures (never assertions).

use crate::Cli;
use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum BenchCommand {
    /// Routing, batching, QC and the dashboard on the demo firm (SQLite).
    Delegation(crate::delegation::BenchArgs),
    /// Docket: computing deadlines, docketing triggers, rendering feeds, claiming reminders.
    Docket(crate::docket::DocketBench),
    /// Conflict index: build time, memory, p50/p99 search at 1M parties, accuracy on cases.csv.
    Conflicts(crate::intake::BenchConflictsArgs),
}

pub(crate) async fn run(_cli: &Cli, command: &BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Delegation(args) => crate::delegation::bench(args).await,
        BenchCommand::Docket(args) => crate::docket::bench(args).await,
        BenchCommand::Conflicts(args) => crate::intake::bench_conflicts(args),
    }
}
