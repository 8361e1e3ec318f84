#!/usr/bin/env python3
"""RapidFuzz's `process.extract` on the same names as `lawdesk bench conflicts`, side by side.

    pip install rapidfuzz
    lawdesk bench conflicts --parties 1000000 --queries 2000 --export /tmp/conflicts-bench
    python3 scripts/bench_conflicts_rapidfuzz.py --dir /tmp/conflicts-bench --queries 200

`lawdesk bench conflicts --export` writes the synthetic names (names.tsv), the queries
(queries.tsv) and its own figures (lawdesk.json). This script times RapidFuzz's
`process.extract(query, names, scorer=fuzz.WRatio, limit=10)` on the first `--queries` queries
(it scans every name for every query, so a full run at 1M names takes long), measures its recall
(the share of perturbed queries whose source party is among the top 10, the same definition as
lawdesk's recall over its hits) and its precision/recall/F1 on the labelled pairs of cases.csv at
the WRatio threshold that gives RapidFuzz its best F1 (a generous comparison), then prints both.
"""

import argparse
import csv
import json
import os
import statistics
import sys
import time


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p))]


def load(dir_):
    party_ids, names = [], []
    with open(os.path.join(dir_, "names.tsv"), encoding="utf-8") as f:
        for line in f:
            party, name = line.rstrip("\n").split("\t", 1)
            party_ids.append(int(party))
            names.append(name)
    queries = []
    with open(os.path.join(dir_, "queries.tsv"), encoding="utf-8") as f:
        for line in f:
            source, name = line.rstrip("\n").split("\t", 1)
            queries.append((int(source) if source else None, name))
    with open(os.path.join(dir_, "lawdesk.json"), encoding="utf-8") as f:
        ours = json.load(f)
    return party_ids, names, queries, ours


def cases_accuracy(path, fuzz, utils):
    rows = []
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            score = fuzz.WRatio(r["name1"], r["name2"], processor=utils.default_process)
            rows.append((score, r["is_match"] == "true"))
    best = None
    for threshold in range(50, 100):
        tp = sum(1 for s, m in rows if s >= threshold and m)
        fp = sum(1 for s, m in rows if s >= threshold and not m)
        fn = sum(1 for s, m in rows if s < threshold and m)
        p = tp / max(tp + fp, 1)
        r = tp / max(tp + fn, 1)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if best is None or f1 > best[3]:
            best = (threshold, p, r, f1)
    return len(rows), best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="/tmp/conflicts-bench")
    ap.add_argument("--queries", type=int, default=200, help="queries to time (RapidFuzz scans all names each time)")
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--cases", default=os.path.join(os.environ.get("LAWDESK_SHARED_DATA", "../shared/data"), "intake/names/cases.csv"))
    args = ap.parse_args()
    try:
        from rapidfuzz import fuzz, process, utils
    except ImportError:
        sys.exit("rapidfuzz is not installed: pip install rapidfuzz")

    party_ids, names, queries, ours = load(args.dir)
    processed = [utils.default_process(n) for n in names]
    latencies, found, sourced = [], 0, 0
    for source, q in queries[: args.queries]:
        started = time.perf_counter()
        hits = process.extract(utils.default_process(q), processed, scorer=fuzz.WRatio, limit=args.limit, processor=None)
        latencies.append((time.perf_counter() - started) * 1000)
        if source is not None:
            sourced += 1
            if any(party_ids[i] == source for _, _, i in hits):
                found += 1
    rf_recall = found / sourced if sourced else 1.0

    print(f"{len(names)} names, lawdesk timed {ours['queries']} queries, RapidFuzz {len(latencies)}")
    print(f"{'':28}{'lawdesk':>14}{'RapidFuzz':>14}")
    print(f"{'index build':28}{ours['build_s']:>12.2f} s{'none':>14}")
    print(f"{'memory (index)':28}{ours['memory_mib']:>10.1f} MiB{'list only':>14}")
    print(f"{'p50 per search':28}{ours['p50_ms']:>11.2f} ms{statistics.median(latencies):>11.1f} ms")
    print(f"{'p99 per search':28}{ours['p99_ms']:>11.2f} ms{percentile(latencies, 0.99):>11.1f} ms")
    print(f"{'recall (perturbed names)':28}{ours['recall']:>14.3f}{rf_recall:>14.3f}  (RapidFuzz: source in top {args.limit})")
    if os.path.isfile(args.cases):
        n, (t, p, r, f1) = cases_accuracy(args.cases, fuzz, utils)
        c = ours.get("cases") or {}
        print(f"cases.csv ({n} labelled pairs)")
        print(f"{'  precision':28}{c.get('precision', float('nan')):>14.3f}{p:>14.3f}")
        print(f"{'  recall':28}{c.get('recall', float('nan')):>14.3f}{r:>14.3f}")
        print(f"{'  F1':28}{c.get('f1', float('nan')):>14.3f}{f1:>14.3f}")
        print(f"  thresholds: lawdesk {ours['threshold']} (its default); RapidFuzz WRatio >= {t} (its best F1 on this set)")
    else:
        print(f"cases.csv not found at {args.cases}: accuracy skipped")


if __name__ == "__main__":
    main()
