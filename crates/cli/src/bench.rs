//! `lawdesk bench`: benchmarks that print a table of measured figures (never assertions).

use std::path::PathBuf;
use std::time::Instant;

use crate::Cli;
use anyhow::{Context, Result};
use clap::Subcommand;
use search::MatterIndex;

#[derive(Subcommand)]
pub(crate) enum BenchCommand {
    /// Index a synthetic collection (Zipfian vocabulary, email fields, families) and the Enron sample,
    /// then time Boolean, fielded, wildcard, phrase and proximity queries (p50/p99 per class).
    Search {
        /// Synthetic documents to generate and index.
        #[arg(long, default_value_t = 1_000_000)]
        docs: usize,
        /// Timed runs of each query (after one warm-up run).
        #[arg(long, default_value_t = 30)]
        runs: usize,
        /// Index folder (default: `<data-dir>/bench/search`, emptied first).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Writer memory budget in MB, shared by the two indexing threads.
        #[arg(long, default_value_t = 600)]
        memory_mb: usize,
    },
}

pub(crate) async fn run(cli: &Cli, command: &BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Search { docs, runs, out, memory_mb } => {
            let dir = out.clone().unwrap_or_else(|| cli.data_dir.join("bench").join("search"));
            bench_search(dir, *docs, *runs, *memory_mb)
        }
    }
}

/// The fixed query set: (class, query).
const QUERIES: &[(&str, &str)] = &[
    ("boolean", "price AND contract"),
    ("boolean", "(license OR agreement) AND NOT terminate"),
    ("boolean", "raptor OR chewco"),
    ("fielded", "from:skilling AND subject:price"),
    ("fielded", "custodian:lay AND to:fastow"),
    ("fielded", "date:[2001-01-01 TO 2001-03-31] AND cost"),
    ("wildcard", "licens*"),
    ("wildcard", "manipulat* AND pric*"),
    ("wildcard", "pri?e AND co*t"),
    ("phrase", "\"fixed price\""),
    ("phrase", "\"terminate the contract\""),
    ("proximity", "price w/5 fix*"),
    ("proximity", "(price* OR cost*) w/5 (fix* OR manipulat*)"),
    ("proximity", "contract pre/3 terminat*"),
    ("proximity", "\"side letter\" w/10 raptor"),
];

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn index_report(label: &str, index: &MatterIndex, stats: search::IndexStats, secs: f64) {
    let size = index.size_on_disk() as f64;
    println!(
        "{label}: {} docs, {:.0} MB text in {:.1} s = {:.0} docs/s, {:.1} MB/s; index {:.0} MB ({:.2}x text); peak RSS {:.0} MB",
        stats.documents,
        stats.text_bytes as f64 / 1e6,
        secs,
        stats.documents as f64 / secs,
        stats.text_bytes as f64 / 1e6 / secs,
        size / 1e6,
        size / stats.text_bytes.max(1) as f64,
        peak_rss_mb().unwrap_or(f64::NAN),
    );
}

fn time_queries(index: &MatterIndex, runs: usize) -> Result<()> {
    println!("\n{:<10} {:<48} {:>9} {:>9} {:>9}", "class", "query", "hits", "p50 ms", "p99 ms");
    let mut per_class: Vec<(&str, Vec<f64>)> = Vec::new();
    for (class, query) in QUERIES {
        // One warm-up run (page cache, term dictionary), then the timed runs; each run fetches and
        // highlights the first page of 20, as the search page does.
        let total = index.search(query, 1, 20).with_context(|| format!("query {query}"))?.total;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let page = index.search(query, 1, 20)?;
            times.push(started.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(page);
        }
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "{class:<10} {query:<48} {total:>9} {:>9.2} {:>9.2}",
            percentile(&sorted, 0.5),
            percentile(&sorted, 0.99)
        );
        match per_class.iter_mut().find(|(c, _)| c == class) {
            Some((_, all)) => all.extend(times),
            None => per_class.push((class, times)),
        }
    }
    println!("\n{:<10} {:>9} {:>9} {:>9}", "class", "runs", "p50 ms", "p99 ms");
    for (class, mut times) in per_class {
        times.sort_by(f64::total_cmp);
        println!(
            "{class:<10} {:>9} {:>9.2} {:>9.2}",
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }
    Ok(())
}

fn bench_search(dir: PathBuf, docs: usize, runs: usize, memory_mb: usize) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("emptying {}", dir.display()))?;
    }
    let synthetic = dir.join("synthetic");
    let index = MatterIndex::open_or_create(&synthetic)?;
    println!("lawdesk bench search: {docs} synthetic documents into {}", synthetic.display());
    let started = Instant::now();
    let generator = search::synth::Synth::new(2026, 60_000).take(docs);
    let stats = index.add(generator, 100_000, 2, memory_mb * 1_000_000)?;
    index_report("synthetic", &index, stats, started.elapsed().as_secs_f64());
    time_queries(&index, runs)?;

    match search::corpus::enron_freeeed_dir() {
        Some(enron) => {
            let docs = search::corpus::load_enron_freeeed(&enron)?;
            let index = MatterIndex::open_or_create(&dir.join("enron"))?;
            let started = Instant::now();
            let stats = index.add(docs, 100_000, 2, memory_mb * 1_000_000)?;
            println!();
            index_report("enron-freeeed", &index, stats, started.elapsed().as_secs_f64());
            time_queries(&index, runs)?;
        }
        None => {
            println!("\nenron-freeeed: skipped (set LAWDESK_SHARED_DATA to the shared data folder)")
        }
    }
    Ok(())
}
