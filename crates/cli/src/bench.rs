//! `lawdesk bench`: benchmarks that print a table of measured figures (never assertions).

use crate::Cli;
use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    /// Load-test the web server: signed-in sessions list, view and update work items over real
    /// HTTP on 127.0.0.1 against a fresh SQLite folder, or a fresh PostgreSQL database on the
    /// server named by --database-url (created and dropped). Fails if any request errs or any
    /// acknowledged write is missing from the database.
    Http(crate::loadtest::HttpArgs),
    /// Routing, batching, QC and the dashboard on the demo firm (SQLite).
    Delegation(crate::delegation::BenchArgs),
    /// Docket: computing deadlines, docketing triggers, rendering feeds, claiming reminders.
    Docket(crate::docket::DocketBench),
    /// Conflict index: build time, memory, p50/p99 search at 1M parties, accuracy on cases.csv.
    Conflicts(crate::intake::BenchConflictsArgs),
    /// Document processing: a synthetic email collection (mbox files of 1,000 messages, realistic
    /// sizes, one in ten with an attachment) and the Enron sample, ingested into a fresh SQLite store.
    Review {
        /// Synthetic emails to generate.
        #[arg(long, default_value_t = 200_000)]
        emails: usize,
        /// The FreeEED Enron natives (default: the shared data folder, when present).
        #[arg(long)]
        enron: Option<PathBuf>,
        /// Skip near-duplicate detection (it reads every text back).
        #[arg(long)]
        no_near_dups: bool,
        /// Where to generate and store (default: a temporary folder, removed afterwards).
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
}

pub(crate) async fn run(cli: &Cli, command: &BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Search { docs, runs, out, memory_mb } => {
            let dir = out.clone().unwrap_or_else(|| cli.data_dir.join("bench").join("search"));
            crate::search::bench_search(dir, *docs, *runs, *memory_mb)
        }
        BenchCommand::Http(args) => {
            let report = crate::loadtest::run(cli.database_url.as_deref(), args).await?;
            print!("{}", report.table);
            if report.errors > 0 || report.lost_writes {
                bail!(
                    "the load test saw {} failed requests{}",
                    report.errors,
                    if report.lost_writes { " and lost writes" } else { "" }
                );
            }
            Ok(())
        }
        BenchCommand::Delegation(args) => crate::delegation::bench(args).await,
        BenchCommand::Docket(args) => crate::docket::bench(args).await,
        BenchCommand::Conflicts(args) => crate::intake::bench_conflicts(args),
        BenchCommand::Review { emails, enron, no_near_dups, work_dir } => {
            bench_review(*emails, enron.clone(), *no_near_dups, work_dir.clone()).await
        }
    }
}

/// xorshift64*: deterministic, so every run generates the same collection.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "price",
    "gas",
    "power",
    "contract",
    "deal",
    "trading",
    "desk",
    "schedule",
    "volume",
    "capacity",
    "pipeline",
    "meeting",
    "forward",
    "curve",
    "position",
    "risk",
    "credit",
    "counterparty",
    "invoice",
    "settlement",
    "california",
    "market",
    "demand",
    "storage",
    "transport",
    "basis",
    "swap",
    "option",
    "hedge",
    "margin",
    "report",
    "review",
    "legal",
    "agreement",
    "draft",
    "comments",
    "please",
    "thanks",
    "attached",
    "call",
    "tomorrow",
    "today",
    "week",
    "month",
    "quarter",
    "budget",
    "forecast",
    "plan",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    s
}

/// Writes `emails` messages as mbox files of 1,000; returns the folder and its size in bytes.
fn generate(dir: &Path, emails: usize) -> Result<(PathBuf, u64)> {
    let folder = dir.join("synthetic");
    std::fs::create_dir_all(&folder)?;
    let mut rng = Rng(0x5eed_1a3d_e5c0_ffee);
    let mut bytes = 0u64;
    let people: Vec<String> = (0..400).map(|i| format!("person{i}@corp.test")).collect();
    for file in 0..emails.div_ceil(1000) {
        let path = folder.join(format!("mailbox-{file:04}.mbox"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for n in 0..1000.min(emails - file * 1000) {
            let i = file * 1000 + n;
            let from = &people[rng.below(400) as usize];
            let to = &people[rng.below(400) as usize];
            let subject_words = 3 + rng.below(5) as usize;
            let subject = sentence(&mut rng, subject_words);
            // Bodies of 50 to 1,200 words (about 0.4 to 9 KB), like business email.
            let lines = 5 + rng.below(115);
            let body: Vec<String> = (0..lines).map(|_| sentence(&mut rng, 10)).collect();
            let reply = i > 0 && rng.below(3) == 0;
            let in_reply_to = if reply {
                format!("In-Reply-To: <{}@corp.test>\n", rng.below(i as u64))
            } else {
                String::new()
            };
            write!(
                out,
                "From {from} Mon Jan 01 00:00:00 2001\nMessage-ID: <{i}@corp.test>\nDate: Mon, {} Jan 2001 {:02}:{:02}:00 -0600\nFrom: {from}\nTo: {to}\nSubject: {}{subject}\n{}MIME-Version: 1.0\n",
                1 + i % 28,
                i % 24,
                i % 60,
                if reply { "Re: " } else { "" },
                in_reply_to,
            )?;
            if rng.below(10) == 0 {
                let rows = 100 + rng.below(400);
                let attachment: Vec<String> = (0..rows).map(|_| sentence(&mut rng, 8)).collect();
                write!(
                    out,
                    "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\nContent-Type: text/plain\n\n{}\n--b{i}\nContent-Type: text/csv; name=\"data{i}.csv\"\nContent-Disposition: attachment; filename=\"data{i}.csv\"\n\n{}\n--b{i}--\n\n",
                    body.join("\n"),
                    attachment.join(",\n")
                )?;
            } else {
                write!(out, "Content-Type: text/plain\n\n{}\n\n", body.join("\n"))?;
            }
        }
        out.flush()?;
        bytes += std::fs::metadata(&path)?.len();
    }
    Ok((folder, bytes))
}

/// Peak resident memory of this process (VmHWM), in MB.
fn peak_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn folder_size(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            let p = e.path();
            total += if p.is_dir() {
                folder_size(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            };
        }
    }
    total
}

async fn bench_review(
    emails: usize,
    enron: Option<PathBuf>,
    no_near_dups: bool,
    work_dir: Option<PathBuf>,
) -> Result<()> {
    let temp = tempfile_dir(work_dir)?;
    let root = temp.path().to_path_buf();
    let started = Instant::now();
    let (synthetic, synthetic_bytes) = generate(&root, emails)?;
    eprintln!(
        "generated {emails} emails ({:.0} MB) in {:.1} s",
        synthetic_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let store = store::Store::open_sqlite(&root.join("data")).await?;
    let app = app::App::new(store);
    app.load_demo().await.map_err(|e| anyhow!("{e}"))?;
    let admin = crate::actor_for(&app, None).await?;
    let enron = enron.or_else(|| {
        let default = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/review/enron-freeeed/native");
        let from_env = std::env::var_os("LAWDESK_SHARED_DATA")
            .map(|d| PathBuf::from(d).join("review/enron-freeeed/native"));
        from_env.into_iter().chain([default]).find(|p| p.exists())
    });
    let mut rows = Vec::new();
    let mut sets = vec![("synthetic email", "2026-0001", synthetic, synthetic_bytes)];
    if let Some(enron) = enron {
        let bytes = folder_size(&enron);
        sets.push(("Enron sample (FreeEED)", "2026-0002", enron, bytes));
    } else {
        eprintln!(
            "SKIPPED (bench): the Enron sample was not found (pass --enron or set LAWDESK_SHARED_DATA)"
        );
    }
    for (label, number, path, bytes) in sets {
        let matter =
            app.store.matter_by_number(number).await?.ok_or_else(|| anyhow!("demo matter"))?.id;
        let job = app
            .start_review_ingest(&admin, matter, "Bench", &[path])
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let options = app::review::IngestOptions {
            near_duplicates: !no_near_dups,
            batch_items: 2000,
            ..Default::default()
        };
        let t0 = Instant::now();
        let done =
            app.run_review_job(&admin, job.id, &options).await.map_err(|e| anyhow!("{e}"))?;
        let secs = t0.elapsed().as_secs_f64();
        let report = app.review_report(&admin, matter).await.map_err(|e| anyhow!("{e}"))?;
        rows.push((
            label,
            done.done_files,
            done.items,
            report.exceptions,
            report.duplicates,
            bytes,
            secs,
        ));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "| collection | files | items | exceptions | duplicates | MB | seconds | items/s | items/s per core | MB/s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (label, files, items, exceptions, duplicates, bytes, secs) in rows {
        println!(
            "| {label} | {files} | {items} | {exceptions} | {duplicates} | {:.1} | {secs:.1} | {:.0} | {:.0} | {:.1} |",
            bytes as f64 / 1e6,
            items as f64 / secs,
            items as f64 / secs / cores as f64,
            bytes as f64 / 1e6 / secs
        );
    }
    println!();
    println!(
        "peak memory {:.0} MB; {cores} cores; store {:.0} MB",
        peak_memory_mb(),
        folder_size(&root.join("data")) as f64 / 1e6
    );
    Ok(())
}

/// A temporary folder, or the one given (kept afterwards).
fn tempfile_dir(given: Option<PathBuf>) -> Result<WorkDir> {
    match given {
        Some(p) => {
            std::fs::create_dir_all(&p)?;
            Ok(WorkDir { path: p, remove: false })
        }
        None => {
            let p = std::env::temp_dir().join(format!("lawdesk-bench-{}", std::process::id()));
            std::fs::create_dir_all(&p)?;
            Ok(WorkDir { path: p, remove: true })
        }
    }
}

struct WorkDir {
    path: PathBuf,
    remove: bool,
}

impl WorkDir {
    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
