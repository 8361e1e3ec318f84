//! Runs the conflict-index benchmark: `cargo run --release -p intake --example bench_conflicts -- 1000000 2000 42`.

fn main() -> Result<(), intake::IndexError> {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let n_parties = args.first().copied().unwrap_or(100_000) as usize;
    let n_queries = args.get(1).copied().unwrap_or(1_000) as usize;
    let seed = args.get(2).copied().unwrap_or(42);
    let report = intake::bench::run(n_parties, n_queries, seed)?;
    println!("{report}");
    Ok(())
}
