//! `lawdesk docket`: court-rule deadline computation and the calendar.

use crate::Cli;
use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub(crate) enum DocketCommand {
    /// Compute the deadlines a trigger event produces, with their trails.
    Compute {
        #[arg(long, default_value = "frcp")]
        rules: String,
        #[arg(long)]
        trigger: String,
        #[arg(long)]
        date: chrono::NaiveDate,
        #[arg(long, default_value = "electronic")]
        service: String,
        /// The court's time zone.
        #[arg(long, default_value = "America/New_York")]
        tz: chrono_tz::Tz,
    },
    /// List the triggers of a rule set.
    Triggers {
        #[arg(long, default_value = "frcp")]
        rules: String,
    },
}

pub(crate) async fn run(_cli: &Cli, command: &DocketCommand) -> Result<()> {
    match command {
        DocketCommand::Compute { rules, trigger, date, service, tz } => {
            let set = docket::RuleSet::builtin(rules)?;
            let service: docket::Service = service.parse()?;
            let calendar = docket::CourtCalendar::federal("Federal court", *tz);
            let deadlines = docket::compute(&set, trigger, *date, service, &calendar)?;
            print!("{}", docket::render_trail(&deadlines));
        }
        DocketCommand::Triggers { rules } => {
            let set = docket::RuleSet::builtin(rules)?;
            for t in set.triggers() {
                println!("{}", t.name);
            }
        }
    }
    Ok(())
}
