//! `lawdesk review search` and `lawdesk review index-text`: run a reviewers' query over a matter's
//! index and print the hits; index a folder of text files so search is usable before ingest exists.

use std::path::PathBuf;

use crate::Cli;
use anyhow::{Context, Result, bail};

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
