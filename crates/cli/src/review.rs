//! `lawdesk review`: document collections, ingest and search.

use crate::Cli;
use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum ReviewCommand {}

pub(crate) async fn run(_cli: &Cli, command: &ReviewCommand) -> Result<()> {
    match *command {}
}
