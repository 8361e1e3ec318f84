//! `lawdesk review search` and `lawdesk review index-text`: run a reviewers' query over a matter's
//! index and print the hits; index a folder of text files so search is usable before ingest exists.

use std::path::PathBuf;
use std::time::Instant;

use crate::Cli;
use anyhow::{Context, Result, bail};
use search::MatterIndex;

#[derive(clap::Args)]
pub(crate) struct SearchArgs {
    /// The matter number (for example 2026-0001).
    #[arg(long)]
    matter: String,
    /// The query, for example `(price* w/5 fix*) AND from:skilling`.
    #[arg(required_unless_present = "terms")]
    query: Option<String>,
    /// Instead of a query: a file with one search term (query) per line, for a search-term report.
    #[arg(long, conflicts_with = "query")]
    terms: Option<PathBuf>,
    /// Page of 20 hits to show.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Act as this user (default: the first administrator).
    #[arg(long = "as")]
    as_user: Option<String>,
}

#[derive(clap::Args)]
pub(crate) struct IndexTextArgs {
    /// The matter number (for example 2026-0001).
    #[arg(long)]
    matter: String,
    /// Custodian recorded on every document.
    #[arg(long, default_value = "")]
    custodian: String,
    /// A folder of .txt files (one document each, id = file name without .txt), or a folder with a
    /// `load-no-text.csv` load file and `text/` beside it (the Enron sample layout).
    dir: PathBuf,
    /// Act as this user (default: the first administrator).
    #[arg(long = "as")]
    as_user: Option<String>,
}

async fn matter_id(app: &app::App, number: &str) -> Result<domain::Id> {
    Ok(app.store.matter_by_number(number).await?.with_context(|| format!("no matter {number}"))?.id)
}

pub(crate) async fn run(cli: &Cli, args: &SearchArgs) -> Result<()> {
    let app = crate::open(cli).await?;
    let actor = crate::actor_for(&app, args.as_user.as_deref()).await?;
    let matter = matter_id(&app, &args.matter).await?;
    if let Some(path) = &args.terms {
        let terms =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let report =
            app.search_term_report(&actor, matter, &terms).await.map_err(crate::app_err)?;
        let width = report.rows.iter().map(|r| r.term.chars().count()).max().unwrap_or(4).max(4);
        println!(
            "{:<width$}  {:>8}  {:>9}  {:>13}  {:>6}",
            "term", "hits", "documents", "with families", "unique"
        );
        for r in &report.rows {
            println!(
                "{:<width$}  {:>8}  {:>9}  {:>13}  {:>6}",
                r.term, r.hits, r.docs_with_hits, r.docs_with_hits_including_family, r.unique_hits
            );
        }
        println!(
            "{:<width$}  {:>8}  {:>9}  {:>13}",
            "any term",
            "",
            report.total_docs_with_hits,
            report.total_docs_with_hits_including_family
        );
        return Ok(());
    }
    let query = args.query.as_deref().unwrap_or_default();
    let found = match app.search(&actor, matter, query, args.page).await {
        Ok(found) => found,
        Err(app::AppError::Invalid { message, .. }) => {
            if let Err(search::SearchError::Syntax { caret, .. }) = search::parse_query(query, None)
            {
                bail!("malformed query:\n{caret}");
            }
            bail!("{message}");
        }
        Err(other) => return Err(crate::app_err(other)),
    };
    println!("{} document(s) for {}", found.total, found.parsed);
    let first = (found.page - 1) * found.per_page;
    for (i, hit) in found.hits.iter().enumerate() {
        let date = hit.date_sent.map(|d| d.format(" %Y-%m-%d").to_string()).unwrap_or_default();
        println!(
            "{:>4}. {}  score {:.2}  {}{}  {}",
            first + i + 1,
            hit.doc_id,
            hit.score,
            if hit.subject.is_empty() { &hit.filename } else { &hit.subject },
            date,
            hit.from
        );
        for field in &hit.fields {
            println!("      {}: {}", field.field, plain(&field.html));
        }
        println!("      {}", plain(&hit.snippet_html).replace('\n', " "));
    }
    if first + found.hits.len() < found.total {
        println!("(more: --page {})", found.page + 1);
    }
    Ok(())
}

/// Highlight HTML for a terminal: hits in [brackets], entities decoded.
fn plain(html: &str) -> String {
    html.replace("<mark>", "[")
        .replace("</mark>", "]")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub(crate) async fn index_text(cli: &Cli, args: &IndexTextArgs) -> Result<()> {
    let app = crate::open(cli).await?;
    let actor = crate::actor_for(&app, args.as_user.as_deref()).await?;
    let matter = matter_id(&app, &args.matter).await?;
    let docs = if args.dir.join("load-no-text.csv").is_file() {
        search::corpus::load_enron_freeeed(&args.dir)
    } else {
        search::corpus::text_folder(&args.dir, &args.custodian)
    }
    .with_context(|| format!("reading {}", args.dir.display()))?;
    if docs.is_empty() {
        bail!("no .txt files in {}", args.dir.display());
    }
    let started = std::time::Instant::now();
    let stats = app.index_documents(&actor, matter, docs).await.map_err(crate::app_err)?;
    println!(
        "indexed {} documents ({:.1} MB of text) into {} in {:.1} s",
        stats.documents,
        stats.text_bytes as f64 / 1e6,
        args.matter,
        started.elapsed().as_secs_f64()
    );
    Ok(())
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

pub(crate) fn bench_search(dir: PathBuf, docs: usize, runs: usize, memory_mb: usize) -> Result<()> {
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
