//! `lawdesk review`: document collections, ingest and search.

use crate::Cli;
use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum ReviewCommand {
    /// Search a matter's documents with the reviewers' query syntax.
    Search(crate::search::SearchArgs),
    /// Index a folder of .txt files (one document each) into a matter's search index.
    IndexText(crate::search::IndexTextArgs),
}

pub(crate) async fn run(cli: &Cli, command: &ReviewCommand) -> Result<()> {
    match command {
        ReviewCommand::Search(args) => crate::search::run(cli, args).await,
        ReviewCommand::IndexText(args) => crate::search::index_text(cli, args).await,
    }
}
