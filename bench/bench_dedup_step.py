"""Benchmark of the engagement-level deduplication step (``rcu_kit.dedup.run``): time per stage.

Usage (from the repository root)::

    .venv/bin/python bench/bench_dedup_step.py                      # the demo at 10k records
    .venv/bin/python bench/bench_dedup_step.py --records 100000
    .venv/bin/python bench/bench_dedup_step.py --records 1000000 --no-outputs

On the demo engagement (``rcu_kit.sources.demo``, generated once under
``bench/data/demo_engagement_<n>_seed<seed>/`` and reused), runs what ``rcu-kit dedup`` and
notebook 04 run: :func:`rcu_kit.dedup.run.run_dedup` (load, mapping, standardisation, linkage,
figures including the threshold-effect table) then :func:`rcu_kit.dedup.run.write_dedup_outputs`
(crosswalk, summary.json, matched pairs, tables, Excel workbook) into a temporary folder.
Printed: wall seconds per stage, CPU seconds, records per second, peak memory (resident set size
of this process), the headline figures and the crosswalk's pairwise / B-cubed scores against the
demo's ground truth (``rcu_kit.dedup.evaluation``). The linkage core alone is ``bench/bench_linkage.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def demo_engagement(n_records: int, seed: int) -> Path:
    """The cached demo engagement of ``n_records`` records (generated on first use)."""
    from rcu_kit.sources.demo import generate_demo

    folder = ROOT / "bench" / "data" / f"demo_engagement_{n_records}_seed{seed}"
    if not (folder / "engagement.yaml").exists():
        print(f"generating the demo ({n_records:,} records) in {folder} ...", flush=True)
        generate_demo(folder, n_records=n_records, seed=seed, progress=True)
    return folder / "engagement.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="demo records (total)")
    parser.add_argument("--seed", type=int, default=42, help="demo seed")
    parser.add_argument("--threshold", type=float, default=None, help="match threshold (default 0.9)")
    parser.add_argument("--no-outputs", action="store_true", help="skip write_dedup_outputs")
    parser.add_argument("--progress", action="store_true", help="show progress bars")
    args = parser.parse_args(argv)

    from rcu_kit.core.config import load_engagement
    from rcu_kit.dedup.run import run_dedup, write_dedup_outputs
    from rcu_kit.dedup.evaluation import evaluate_crosswalk

    path = demo_engagement(args.records, args.seed)
    engagement = load_engagement(path)
    print(f"demo engagement: {path} ({', '.join(s.name for s in engagement.sources)})")

    start, cpu = time.perf_counter(), time.process_time()
    run = run_dedup(engagement, threshold=args.threshold, progress=args.progress)
    run_wall, run_cpu = time.perf_counter() - start, time.process_time() - cpu
    n = run.figures["n_records"]
    print(f"\nrun_dedup: {n:,} records in {run_wall:.2f} s wall, {run_cpu:.2f} s CPU "
          f"({n / run_wall:,.0f} records/s wall)")
    for stage, seconds in run.timings.items():
        print(f"  {stage:<12} {seconds:8.2f} s")
    print("  linkage: " + ", ".join(f"{k} {v:.2f} s" for k, v in run.result.timings.items()))

    if not args.no_outputs:
        with tempfile.TemporaryDirectory() as out:
            engagement.output_dir = out
            start = time.perf_counter()
            paths = write_dedup_outputs(run, engagement)
            seconds = time.perf_counter() - start
            sizes = ", ".join(f"{k} {p.stat().st_size / 1e6:.1f} MB" for k, p in paths.items())
            print(f"write_dedup_outputs: {seconds:.2f} s ({sizes})")

    f = run.figures
    print(f"\npeak memory: {_peak_rss_gb():.2f} GB; load average {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"figures: {f['n_customers']:,} customers, duplicate rate {f['duplicate_rate']:.1%}, "
          f"{f['n_multi_source_customers']:,} in 2+ sources ({f['overlap_rate']:.1%}), "
          f"{int((run.pairs['match_probability'] >= run.threshold).sum()):,} matched pairs of "
          f"{len(run.pairs):,} scored, {len(run.bad_lines)} unreadable line(s)")
    truth = pd.read_csv(path.parent / "truth.csv", dtype=str)
    ev = evaluate_crosswalk(run.crosswalk, truth)
    print(f"against the truth ({ev.true_clusters:,} persons): pairwise precision "
          f"{ev.pairwise.precision:.4f}, recall {ev.pairwise.recall:.4f}, F1 {ev.pairwise.f1:.4f}; "
          f"B-cubed F1 {ev.bcubed.f1:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
