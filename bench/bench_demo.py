"""Benchmark of the demo generator: wall time to write N records over the five sources.

Run:
    .venv/bin/python bench/bench_demo.py --records 1000000

Prints the wall time and CPU time (the CPU time does not depend on other processes sharing the
machine), throughput, peak memory, rows per source, distinct persons and file sizes.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from rcu_kit.sources.demo import generate_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="total records (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=None, help="folder to keep the files (default: a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "demo"
        start, cpu_start = time.perf_counter(), time.process_time()
        result = generate_demo(out, n_records=args.records, seed=args.seed, progress=True)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"records: {args.records:,}  persons: {result.n_persons:,}  seed: {args.seed}")
        print(f"wall time: {elapsed:.1f} s  ({args.records / elapsed:,.0f} records/s)  "
              f"CPU time: {cpu:.1f} s  peak memory: {peak_mb:,.0f} MB")
        for name, rows in result.rows_per_source.items():
            print(f"  {name:<15} {rows:>9,} rows")
        for path in sorted((out / "data").iterdir()) + [result.truth_path]:
            print(f"  {path.name:<30} {path.stat().st_size / 1e6:8.1f} MB")


if __name__ == "__main__":
    main()
