//! `lawdesk advise`: the delegation advisor's recommendation table for a workload profile (and its PDF report);
//! `lawdesk bench delegation`: timings of routing, batching, QC and the dashboard on the demo firm.

use crate::{Cli, app_err};
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub(crate) struct AdviseArgs {
    /// A workload profile (see examples/*.profile.toml).
    #[arg(long)]
    profile: PathBuf,
    /// Also write the printable report as a PDF to this file.
    #[arg(long)]
    pdf: Option<PathBuf>,
}

pub(crate) async fn advise(_cli: &Cli, args: &AdviseArgs) -> Result<()> {
    let profile = &args.profile;
    let text = std::fs::read_to_string(profile)
        .with_context(|| format!("reading {}", profile.display()))?;
    let advice = delegation::advisor::advise_toml(&text)
        .with_context(|| format!("in {}", profile.display()))?;
    print!("{}", delegation::advisor::render_table(&advice));
    if let Some(out) = &args.pdf {
        std::fs::write(out, delegation::pdf::advice_pdf(&advice))
            .with_context(|| format!("writing {}", out.display()))?;
        println!("\nPDF report written to {}", out.display());
    }
    Ok(())
}

#[derive(clap::Args)]
pub(crate) struct BenchArgs {
    /// Timed runs per operation.
    #[arg(long, default_value_t = 30)]
    runs: usize,
}

fn row(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<46} {:>5} {:>10.2} {:>10.2} {:>10.2}",
        times.len(),
        ms(p(0.5)),
        ms(p(0.95)),
        ms(times[times.len() - 1])
    );
}

/// Loads the demo firm into a fresh SQLite folder and times the delegation use cases on it.
pub(crate) async fn bench(args: &BenchArgs) -> Result<()> {
    let runs = args.runs.max(1);
    let dir = std::env::temp_dir().join(format!("lawdesk-bench-delegation-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = store::Store::open_sqlite(&dir).await?;
    let app = app::App::new(store);
    app.load_demo().await.map_err(app_err)?;
    let user = |email: &str| {
        let app = app.clone();
        let email = email.to_string();
        async move {
            let row = app.store.user_for_sign_in(&email).await?.context("demo user")?;
            anyhow::Ok(app::auth::actor_of(&row.user))
        }
    };
    let (alice, manoj, priya) = (
        user("alice@demo.lawdesk").await?,
        user("manoj@demo.lawdesk").await?,
        user("priya@demo.lawdesk").await?,
    );
    let (rows, _) = app
        .list_work_items(&alice, &Default::default(), store::Page::new(1, 50))
        .await
        .map_err(app_err)?;
    let review = rows
        .iter()
        .find(|r| r.item.title.starts_with("First-level review"))
        .context("demo review")?
        .item
        .clone();
    println!(
        "lawdesk bench delegation: demo firm on SQLite in {}, {runs} runs each",
        dir.display()
    );
    println!(
        "{:<46} {:>5} {:>10} {:>10} {:>10}",
        "operation", "runs", "p50 ms", "p95 ms", "max ms"
    );

    let mut t = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        app.recommend_route(&alice, review.id).await.map_err(app_err)?;
        t.push(start.elapsed());
    }
    row("recommend_route (5 candidates, stored)", t);

    let mut t = Vec::new();
    let mut decide = Vec::new();
    let mut items = Vec::new();
    for i in 0..runs {
        let form = app::WorkForm {
            service_line: "document_review".into(),
            title: format!("Bench review {i}"),
            volume: "50000".into(),
            unit: "documents".into(),
            assignee: manoj.user_id.to_string(),
            ..Default::default()
        };
        let w = app.create_work_item(&alice, review.matter_id, &form).await.map_err(app_err)?;
        app.recommend_route(&alice, w.id).await.map_err(app_err)?;
        let start = Instant::now();
        let accept =
            app::delegation::RouteDecisionForm { decision: "accept".into(), ..Default::default() };
        app.decide_route(&alice, w.id, &accept).await.map_err(app_err)?;
        decide.push(start.elapsed());
        let start = Instant::now();
        let batches = app.split_into_batches(&manoj, w.id, "500").await.map_err(app_err)?;
        t.push(start.elapsed());
        items.push(batches);
    }
    row("accept a recommendation (assign + engagement)", decide);
    row("split 50,000 units into 100 batches", t);

    let mut t = Vec::new();
    for batches in &items {
        app.assign_batch(&manoj, batches[0].id, &priya.user_id.to_string())
            .await
            .map_err(app_err)?;
        let start = Instant::now();
        app.complete_batch(&priya, batches[0].id, "", "8").await.map_err(app_err)?;
        t.push(start.elapsed());
    }
    row("complete a 500-unit batch + draw 5% QC sample", t);

    let engagements = app.store.engagements().await?.len();
    let mut t = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        app.delegation_dashboard(&alice).await.map_err(app_err)?;
        t.push(start.elapsed());
    }
    row(&format!("dashboard ({engagements} engagements, {} batches)", 10 + 100 * runs), t);

    let profile = include_str!("../../../examples/large-firm-review.profile.toml");
    let mut t = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let advice = delegation::advisor::advise_toml(profile)?;
        let pdf = delegation::pdf::advice_pdf(&advice);
        std::hint::black_box((delegation::advisor::svg_bar_chart(&advice), pdf));
        t.push(start.elapsed());
    }
    row("advisor + SVG + PDF (large-firm example)", t);
    app.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
