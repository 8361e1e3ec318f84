//! Writes the benchmark's synthetic names and queries as TSV for `bench/rapidfuzz_compare.py`:
//! `cargo run --release -p intake --example export_bench_names -- 1000000 2000 42 /tmp/intake-bench`.

use std::io::Write;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_parties = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let n_queries = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let seed = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(42);
    let dir = std::path::PathBuf::from(
        args.get(3).cloned().unwrap_or_else(|| "/tmp/intake-bench".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    let records = intake::bench::synthetic_records(n_parties, seed);
    let queries = intake::bench::synthetic_queries(&records, n_queries, seed);
    let mut names = std::io::BufWriter::new(std::fs::File::create(dir.join("names.tsv"))?);
    for r in &records {
        for name in std::iter::once(&r.name).chain(&r.aliases) {
            writeln!(names, "{}\t{}", r.party_id.0, name)?;
        }
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("queries.tsv"))?);
    for q in &queries {
        let source = q.source.map(|p| p.0.to_string()).unwrap_or_default();
        writeln!(out, "{}\t{}", source, q.name)?;
    }
    println!("wrote {} and {}", dir.join("names.tsv").display(), dir.join("queries.tsv").display());
    Ok(())
}
