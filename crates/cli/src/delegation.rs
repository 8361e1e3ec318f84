//! `lawdesk advise`: the delegation advisor's recommendation table for a workload profile.

use crate::Cli;
use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct AdviseArgs {
    /// A workload profile (see crates/delegation/examples/*.profile.toml).
    #[arg(long)]
    profile: PathBuf,
}

pub(crate) async fn advise(_cli: &Cli, args: &AdviseArgs) -> Result<()> {
    let profile = &args.profile;
    let text = std::fs::read_to_string(profile)
        .with_context(|| format!("reading {}", profile.display()))?;
    let advice = delegation::advisor::advise_toml(&text)
        .with_context(|| format!("in {}", profile.display()))?;
    print!("{}", delegation::advisor::render_table(&advice));
    Ok(())
}
