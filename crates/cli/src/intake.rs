//! `lawdesk conflicts`: conflict-of-interest checks over every stored party.

use crate::Cli;
use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum ConflictsCommand {}

pub(crate) async fn run(_cli: &Cli, command: &ConflictsCommand) -> Result<()> {
    match *command {}
}
