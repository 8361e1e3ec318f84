//! `lawdesk review search`: run a reviewers' query over a matter's index and print the hits.

use crate::Cli;
use anyhow::{Result, bail};

#[derive(clap::Args)]
pub(crate) struct SearchArgs {
    /// The matter number (for example 2026-0001).
    #[arg(long)]
    matter: String,
    /// The query, for example `(price* w/5 fix*) AND from:skilling`.
    query: String,
}

pub(crate) async fn run(_cli: &Cli, args: &SearchArgs) -> Result<()> {
    bail!("searching {} for {:?}: the matter has no search index yet", args.matter, args.query)
}
