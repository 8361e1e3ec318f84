//! `lawdesk review`: document collections, ingest and search.

use crate::Cli;
use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Subcommand)]
pub(crate) enum ReviewCommand {
    /// Search a matter's documents with the reviewers' query syntax.
    Search(crate::search::SearchArgs),
    /// Process files and folders into a matter's collection for a custodian (resumes an unfinished
    /// job over the same paths).
    Ingest {
        /// The matter number (for example 2026-0001).
        #[arg(long)]
        matter: String,
        /// Whose data this is ("Allen, Phillip"); empty for shared sources.
        #[arg(long, default_value = "")]
        custodian: String,
        /// The user the ingest is recorded as (default: the first administrator).
        #[arg(long = "as")]
        as_user: Option<String>,
        /// De-duplicate within each custodian instead of across the matter.
        #[arg(long)]
        per_custodian: bool,
        /// Skip near-duplicate detection.
        #[arg(long)]
        no_near_dups: bool,
        /// Seconds one collected file may take before it becomes an exception.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// Items per committed batch (the checkpoint).
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Print one line per batch instead of a progress bar.
        #[arg(long)]
        plain: bool,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print a matter's processing report: counts by type, exceptions, duplicates, families, threads.
    Report {
        #[arg(long)]
        matter: String,
        #[arg(long = "as")]
        as_user: Option<String>,
        /// Also list every exception with its reason.
        #[arg(long)]
        exceptions: bool,
    },
    /// Index a folder of .txt files (one document each) into a matter's search index.
    IndexText(crate::search::IndexTextArgs),
}

pub(crate) async fn run(cli: &Cli, command: &ReviewCommand) -> Result<()> {
    match command {
        ReviewCommand::Search(args) => crate::search::run(cli, args).await,
        ReviewCommand::Ingest {
            matter,
            custodian,
            as_user,
            per_custodian,
            no_near_dups,
            timeout,
            batch,
            plain,
            paths,
        } => {
            let app = crate::open(cli).await?;
            let actor = crate::actor_for(&app, as_user.as_deref()).await?;
            let matter = matter_id(&app, matter).await?;
            let job = app
                .start_review_ingest(&actor, matter, custodian, paths)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            if job.done_files > 0 {
                eprintln!(
                    "resuming job {} after {} of {} files",
                    job.id, job.done_files, job.total_files
                );
            }
            let bar = if *plain {
                ProgressBar::hidden()
            } else {
                ProgressBar::new(job.total_bytes.max(0) as u64)
            };
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ({eta})",
                )
                .expect("static template is valid"),
            );
            bar.set_position(job.done_bytes.max(0) as u64);
            let shown = bar.clone();
            let plain = *plain;
            let options = app::review::IngestOptions {
                timeout: std::time::Duration::from_secs(*timeout),
                batch_items: *batch,
                scope: if *per_custodian {
                    review::dedup::DedupScope::Custodian
                } else {
                    review::dedup::DedupScope::Global
                },
                near_duplicates: !no_near_dups,
                progress: Some(Arc::new(move |j: &store::review::ReviewJob| {
                    shown.set_position(j.done_bytes.max(0) as u64);
                    shown.set_message(format!(
                        "{}/{} files, {} items",
                        j.done_files, j.total_files, j.items
                    ));
                    if plain {
                        println!(
                            "progress {}/{} files {} items {} exceptions",
                            j.done_files, j.total_files, j.items, j.exceptions
                        );
                    }
                })),
                ..Default::default()
            };
            let done =
                app.run_review_job(&actor, job.id, &options).await.map_err(|e| anyhow!("{e}"))?;
            bar.finish_and_clear();
            println!(
                "job {}: {} files, {} items, {} exceptions",
                done.id, done.done_files, done.items, done.exceptions
            );
            let report = app.review_report(&actor, matter).await.map_err(|e| anyhow!("{e}"))?;
            print_report(&report);
            Ok(())
        }
        ReviewCommand::Report { matter, as_user, exceptions } => {
            let app = crate::open(cli).await?;
            let actor = crate::actor_for(&app, as_user.as_deref()).await?;
            let matter = matter_id(&app, matter).await?;
            let report = app.review_report(&actor, matter).await.map_err(|e| anyhow!("{e}"))?;
            print_report(&report);
            if *exceptions {
                let filter =
                    store::review::ReviewItemFilter { exceptions_only: true, ..Default::default() };
                let mut page = 1;
                loop {
                    let (items, more) = app
                        .review_items(&actor, matter, &filter, store::Page::new(page, 200))
                        .await
                        .map_err(|e| anyhow!("{e}"))?;
                    for i in items {
                        println!(
                            "exception\t{}\t{}\t{}",
                            i.source_key,
                            i.kind,
                            i.exception.unwrap_or_default()
                        );
                    }
                    if !more {
                        break;
                    }
                    page += 1;
                }
            }
            Ok(())
        }
        ReviewCommand::IndexText(args) => crate::search::index_text(cli, args).await,
    }
}

async fn matter_id(app: &app::App, number: &str) -> Result<domain::Id> {
    Ok(app.store.matter_by_number(number).await?.with_context(|| format!("no matter {number}"))?.id)
}

fn print_report(r: &store::review::ReviewReport) {
    println!("items\t{}", r.items);
    println!("families\t{}", r.families);
    println!("native bytes\t{}", r.native_bytes);
    println!("exceptions\t{}", r.exceptions);
    println!("duplicates\t{}", r.duplicates);
    println!("near-duplicate groups\t{} ({} documents)", r.neardup_groups, r.neardup_members);
    println!("threads\t{} ({} inclusive emails)", r.threads, r.inclusive);
    for (kind, n) in &r.by_kind {
        let exceptions =
            r.exceptions_by_kind.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n);
        println!("type\t{kind}\t{n}\t{exceptions} exceptions");
    }
}
