//! `lawdesk conflicts`: conflict-of-interest checks over every stored party, and the conflict
//! benchmark behind `lawdesk bench conflicts`.

use crate::{Cli, actor_for, app_err, open};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub(crate) enum ConflictsCommand {
    /// Check names against every contact, alias, former name, matter party, client, lead and
    /// related organization; prints the hits grouped by the rule at stake, each score explained.
    Check {
        /// The names to check (a prospective client, the other side, related companies).
        #[arg(required = true)]
        names: Vec<String>,
        /// The firm user the check runs as (default: the first administrator); walls apply.
        #[arg(long = "as")]
        as_user: Option<String>,
        /// Save the report, as the web app does, for a reviewer's decision.
        #[arg(long)]
        save: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import parties of matters from before lawdesk (the old conflicts list or closed files) so
    /// checks find them. CSV columns: name, kind (person/organization), aliases (separated by
    /// ;), role (client, adverse_party, …), matter_ref, matter_title, closed_on (YYYY-MM-DD,
    /// empty while open).
    ImportHistory {
        file: PathBuf,
        /// The administrator or attorney the import is recorded as (default: the first administrator).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
}

pub(crate) async fn run(cli: &Cli, command: &ConflictsCommand) -> Result<()> {
    match command {
        ConflictsCommand::ImportHistory { file, as_user } => {
            let app = open(cli).await?;
            let actor = actor_for(&app, as_user.as_deref()).await?;
            let mut reader = csv::Reader::from_path(file)
                .with_context(|| format!("reading {}", file.display()))?;
            let (mut imported, mut skipped) = (0usize, Vec::new());
            for (i, row) in reader.deserialize::<app::intake::HistoryForm>().enumerate() {
                let line = i + 2;
                let form = match row {
                    Ok(form) => form,
                    Err(e) => {
                        skipped.push(format!("line {line}: {e}"));
                        continue;
                    }
                };
                match app.add_history_party(&actor, &form).await {
                    Ok(_) => imported += 1,
                    Err(e) => skipped.push(format!("line {line}: {e}")),
                }
            }
            println!(
                "imported {imported} parties of earlier matters; {} rows skipped",
                skipped.len()
            );
            for s in &skipped {
                println!("  {s}");
            }
            Ok(())
        }
        ConflictsCommand::Check { names, as_user, save, json } => {
            let app = open(cli).await?;
            let actor = actor_for(&app, as_user.as_deref()).await?;
            let result = if *save {
                let id = app.run_conflict_check(&actor, names).await.map_err(app_err)?;
                let view = app.conflict_report(&actor, id).await.map_err(app_err)?;
                eprintln!("saved as conflict report {id}");
                view.result
            } else {
                app.conflict_check(&actor, names).await.map_err(app_err)?
            };
            let mut out = std::io::stdout().lock();
            if *json {
                serde_json::to_writer_pretty(&mut out, &result)?;
                writeln!(out)?;
            } else {
                print_result(&mut out, &result)?;
            }
            Ok(())
        }
    }
}

fn print_result(out: &mut impl Write, r: &app::intake::ConflictResult) -> Result<()> {
    let names: Vec<String> = r.names.iter().map(|n| format!("\"{n}\"")).collect();
    writeln!(out, "Conflict check for {}: {} hit(s)", names.join(", "), r.hit_count())?;
    if r.groups.is_empty() {
        writeln!(out, "\nNo hits: nothing in the firm's records matches.")?;
    }
    for g in &r.groups {
        writeln!(out, "\n{} ({} hit(s))\n  rule at stake: {}", g.title, g.hits.len(), g.rule)?;
        for h in &g.hits {
            let matter = if h.matter_number.is_empty() {
                "no matter".to_owned()
            } else if h.screened {
                "a matter you are walled off".to_owned()
            } else {
                format!("{} {} ({})", h.matter_number, h.matter_title, h.matter_status)
            };
            writeln!(out, "  {:.2}  {}  [{}]  {}", h.score, h.party, h.role, matter)?;
            writeln!(
                out,
                "        searched \"{}\", matched \"{}\": {}",
                h.searched, h.matched_name, h.explanation
            )?;
        }
    }
    if !r.unindexed.is_empty() {
        writeln!(
            out,
            "\nWarning: stored names without letters or digits were not searched: {}",
            r.unindexed.join(", ")
        )?;
    }
    Ok(())
}

/// Options of `lawdesk bench conflicts`.
#[derive(clap::Args)]
pub(crate) struct BenchConflictsArgs {
    /// Synthetic parties to index.
    #[arg(long, default_value_t = 1_000_000)]
    parties: usize,
    /// Searches to time (perturbed names of indexed parties and names not in the index).
    #[arg(long, default_value_t = 2_000)]
    queries: usize,
    /// Seed of the synthetic names.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Labelled name pairs (default: <shared data>/intake/names/cases.csv, where the shared data
    /// folder is $LAWDESK_SHARED_DATA or ../shared/data).
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Also write names.tsv, queries.tsv and lawdesk.json to this folder for
    /// scripts/bench_conflicts_rapidfuzz.py.
    #[arg(long)]
    export: Option<PathBuf>,
}

/// Precision, recall and F1 of the scorer on labelled pairs at the default threshold.
fn accuracy(path: &Path) -> Result<(usize, f64, f64, f64)> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let (mut tp, mut fp, mut fn_, mut n) = (0f64, 0f64, 0f64, 0usize);
    for row in reader.records() {
        let row = row.with_context(|| format!("a row of {}", path.display()))?;
        let kind = match &row[1] {
            "Person" => intake::NameKind::Person,
            "Company" | "Organization" | "Vessel" => intake::NameKind::Organization,
            _ => intake::NameKind::Unknown,
        };
        let predicted =
            intake::score_names(&row[2], &row[3], kind).is_match(intake::DEFAULT_THRESHOLD);
        match (predicted, &row[4] == "true") {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            (false, false) => {}
        }
        n += 1;
    }
    let precision = tp / (tp + fp).max(1.0);
    let recall = tp / (tp + fn_).max(1.0);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Ok((n, precision, recall, f1))
}

/// Peak resident memory of this process, from /proc (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub(crate) fn bench_conflicts(args: &BenchConflictsArgs) -> Result<()> {
    let cases = args.cases.clone().unwrap_or_else(|| {
        std::env::var_os("LAWDESK_SHARED_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("../shared/data"))
            .join("intake/names/cases.csv")
    });
    println!(
        "lawdesk bench conflicts: {} parties, {} queries, seed {}",
        args.parties, args.queries, args.seed
    );
    let report = intake::bench::run(args.parties, args.queries, args.seed)
        .map_err(|e| anyhow::anyhow!("building the index: {e}"))?;
    println!("{report}");
    if let Some(rss) = peak_rss_mib() {
        println!("  peak RSS   {rss:>10.1} MiB (whole process, includes the generated names)");
    }
    let acc = if cases.is_file() {
        let (n, p, r, f1) = accuracy(&cases)?;
        println!(
            "accuracy on {} ({n} labelled pairs) at threshold {}: precision {p:.3}  recall {r:.3}  F1 {f1:.3}",
            cases.display(),
            intake::DEFAULT_THRESHOLD
        );
        Some((n, p, r, f1))
    } else {
        println!(
            "accuracy: skipped ({} not found; pass --cases or set LAWDESK_SHARED_DATA)",
            cases.display()
        );
        None
    };
    if let Some(dir) = &args.export {
        export(dir, args, &report, acc)?;
        println!("wrote names.tsv, queries.tsv and lawdesk.json to {}", dir.display());
    }
    Ok(())
}

fn export(
    dir: &Path,
    args: &BenchConflictsArgs,
    report: &intake::bench::BenchReport,
    acc: Option<(usize, f64, f64, f64)>,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let records = intake::bench::synthetic_records(args.parties, args.seed);
    let queries = intake::bench::synthetic_queries(&records, args.queries, args.seed);
    let mut names = std::io::BufWriter::new(std::fs::File::create(dir.join("names.tsv"))?);
    for r in &records {
        for name in std::iter::once(&r.name).chain(&r.aliases) {
            writeln!(names, "{}\t{}", r.party_id.0, name)?;
        }
    }
    names.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("queries.tsv"))?);
    for q in &queries {
        writeln!(out, "{}\t{}", q.source.map(|p| p.0.to_string()).unwrap_or_default(), q.name)?;
    }
    out.flush()?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let summary = serde_json::json!({
        "parties": report.n_parties, "names": report.n_names, "queries": report.n_queries,
        "build_s": report.build.as_secs_f64(), "memory_mib": report.memory_bytes as f64 / 1048576.0,
        "p50_ms": ms(report.p50), "p99_ms": ms(report.p99), "max_ms": ms(report.max),
        "recall": report.recall,
        "threshold": intake::DEFAULT_THRESHOLD,
        "cases": acc.map(|(n, p, r, f1)| serde_json::json!({"pairs": n, "precision": p, "recall": r, "f1": f1})),
    });
    std::fs::write(dir.join("lawdesk.json"), serde_json::to_vec_pretty(&summary)?)?;
    Ok(())
}
