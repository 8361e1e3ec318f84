#!/usr/bin/env python3
"""Side-by-side figure: RapidFuzz `process.extract` over the same synthetic names as `intake::bench`.

Export the names first (deterministic from the seed), then run this script:

    cargo run --release -p intake --example export_bench_names -- 1000000 2000 42 /tmp/intake-bench
    cargo run --release -p intake --example bench_conflicts -- 1000000 2000 42
    python3 crates/intake/bench/rapidfuzz_compare.py --dir /tmp/intake-bench --queries 200

RapidFuzz scans every name for every query (no blocking), so at 1M names expect tens to hundreds of
milliseconds per query; `--queries` keeps the run short. Recall is the share of perturbed queries whose
source party appears among the top `--limit` results, the same definition as `BenchReport::recall`
(which counts hits above the scorer's threshold instead of a fixed top-k).
"""

import argparse
import statistics
import sys
import time


def load_names(path):
    party_ids, names = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            party, name = line.rstrip("\n").split("\t", 1)
            party_ids.append(int(party))
            names.append(name)
    return party_ids, names


def load_queries(path):
    queries = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            source, name = line.rstrip("\n").split("\t", 1)
            queries.append((int(source) if source else None, name))
    return queries


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    rank = round((len(sorted_values) - 1) * p)
    return sorted_values[min(rank, len(sorted_values) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/intake-bench", help="folder with names.tsv and queries.tsv")
    parser.add_argument("--queries", type=int, default=200, help="how many queries to run (from the start)")
    parser.add_argument("--limit", type=int, default=10, help="top-k results per query")
    parser.add_argument("--scorer", default="WRatio", choices=["WRatio", "token_set_ratio", "token_sort_ratio", "ratio"])
    parser.add_argument("--cutoff", type=float, default=None, help="score_cutoff passed to process.extract")
    args = parser.parse_args()

    try:
        from rapidfuzz import fuzz, process, utils
    except ImportError:
        sys.exit("rapidfuzz is not installed: pip install rapidfuzz")

    party_ids, names = load_names(f"{args.dir}/names.tsv")
    queries = load_queries(f"{args.dir}/queries.tsv")[: args.queries]
    scorer = getattr(fuzz, args.scorer)

    # Preprocess once, as a fair baseline would: lower-case, strip punctuation.
    started = time.perf_counter()
    processed = [utils.default_process(n) for n in names]
    prep_seconds = time.perf_counter() - started

    latencies, found, sourced = [], 0, 0
    for source, query in queries:
        q = utils.default_process(query)
        started = time.perf_counter()
        results = process.extract(q, processed, scorer=scorer, processor=None, limit=args.limit,
                                  score_cutoff=args.cutoff)
        latencies.append(time.perf_counter() - started)
        if source is not None:
            sourced += 1
            if any(party_ids[index] == source for _, _, index in results):
                found += 1

    latencies.sort()
    ms = lambda s: f"{s * 1000:.2f}ms"
    print(f"rapidfuzz process.extract ({args.scorer}, top {args.limit}) over {len(names)} names")
    print(f"  preprocess {prep_seconds:.2f}s")
    print(f"  queries    {len(latencies)}")
    print(f"  p50        {ms(percentile(latencies, 0.5))}")
    print(f"  p99        {ms(percentile(latencies, 0.99))}")
    print(f"  max        {ms(latencies[-1]) if latencies else '-'}")
    print(f"  mean       {ms(statistics.fmean(latencies)) if latencies else '-'}")
    print(f"  recall     {found / sourced if sourced else 1.0:.3f} (source party in top {args.limit})")


if __name__ == "__main__":
    main()
