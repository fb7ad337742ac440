"""Benchmark of the streaming audit: a CSV larger than memory audited without loading it whole.

Writes a synthetic customer extract of ``--rows`` rows (the 10 columns of
``bench/bench_audit.py``: id, civility, names, e-mail, phone, postcode, city, birth and creation
dates, with blanks, mixed formats and ~8 % repeated persons) to ``bench/data/`` in parts of a
million rows (never whole in memory either), then runs ``run_audit`` on it in a fresh process per
mode, measuring the wall time, rows per second and the peak resident memory summed over the
audit's processes (sampled every 50 ms with psutil):

* ``stream``: ``audit.stream: always``, the file read in chunks (``--chunk-mb``) into a Parquet
  spill, then audited one column at a time (:mod:`rcu_kit.audit.streaming`);
* ``memory``: ``audit.stream: never``, the file loaded whole (only at sizes that fit).

Both modes give the same tables (tests/audit/test_streaming.py); with ``--mode both`` the KPI,
duplicate and type tables of the two runs are compared here too.

Run (heavy: under the shared lock):
    flock /tmp/rcu_heavy.lock .venv/bin/python bench/bench_audit_stream.py --rows 20000000
    flock /tmp/rcu_heavy.lock .venv/bin/python bench/bench_audit_stream.py --rows 2000000 --mode both
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil

HERE = Path(__file__).resolve().parent
PART_ROWS = 1_000_000


def write_csv(path: Path, rows: int, seed: int) -> None:
    """The extract, written one part of a million rows at a time."""
    sys.path.insert(0, str(HERE))
    from bench_audit import build_frame

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        for part, start in enumerate(range(0, rows, PART_ROWS)):
            frame = build_frame(min(PART_ROWS, rows - start), seed + part, start=start)
            frame.to_csv(f, sep=";", index=False, header=part == 0)
    tmp.rename(path)


def run_one(csv: Path, mode: str, chunk_mb: float, sample: int, out: Path) -> None:
    """The audit of ``csv`` in this process (called by :func:`measure` in a child process)."""
    from rcu_kit.audit.run import run_audit
    from rcu_kit.core.config import Engagement

    engagement = Engagement(client="Bench", base_dir=out, output_dir=str(out / mode),
                            audit={"stream": "always" if mode == "stream" else "never",
                                   "chunk_mb": chunk_mb},
                            sources=[{"name": "clients", "path": str(csv)}])
    start = time.perf_counter()
    result = run_audit(engagement, profile_sample_size=sample, progress=True)
    seconds = time.perf_counter() - start
    tables = {name: getattr(result, name) for name in ("kpis", "duplicates", "semantic_types")}
    for name, table in tables.items():
        table.to_parquet(out / f"{mode}_{name}.parquet", index=False)
    print(json.dumps({"seconds": seconds, "rows": int(result.inventory["rows"].iat[0]),
                      "stages": {"load": round(float(result.inventory["load_seconds"].iat[0]), 1),
                                 **{k: round(v, 1) for k, v in result.seconds.items()}}}))


def measure(csv: Path, mode: str, chunk_mb: float, sample: int, out: Path) -> dict:
    """Run :func:`run_one` in a child process; its wall time and peak RSS over its process tree."""
    cmd = [sys.executable, __file__, "--run-one", str(csv), "--mode", mode, "--chunk-mb",
           str(chunk_mb), "--profile-sample-size", str(sample), "--out", str(out)]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    proc, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
        except psutil.Error:
            rss = 0
        peak = max(peak, rss)
        time.sleep(0.05)
    stdout = child.stdout.read() if child.stdout else ""
    if child.returncode:
        raise SystemExit(f"{mode} audit failed (exit {child.returncode})")
    return {**json.loads(stdout.strip().splitlines()[-1]), "peak_bytes": peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--mode", choices=("stream", "memory", "both"), default="stream")
    parser.add_argument("--chunk-mb", type=float, default=64.0, help="MB read at a time (default 64)")
    parser.add_argument("--profile-sample-size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=HERE / "data" / "audit_stream")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        run_one(args.run_one, args.mode, args.chunk_mb, args.profile_sample_size, args.out)
        return 0

    csv = HERE / "data" / f"clients_{args.rows}_seed{args.seed}.csv"
    if not csv.exists():
        start = time.perf_counter()
        write_csv(csv, args.rows, args.seed)
        print(f"wrote {csv} in {time.perf_counter() - start:.0f} s", flush=True)
    print(f"extract: {args.rows:,} rows x 10 columns, {csv.stat().st_size / 2**20:,.0f} MB; "
          f"{psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GB RAM, "
          f"load average {psutil.getloadavg()[0]:.1f}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    modes = ("stream", "memory") if args.mode == "both" else (args.mode,)
    for mode in modes:
        r = measure(csv, mode, args.chunk_mb, args.profile_sample_size, args.out)
        print(f"{mode:<7} {r['seconds']:7.1f} s   {r['rows'] / r['seconds']:>10,.0f} rows/s   "
              f"peak RSS {r['peak_bytes'] / 2**30:5.2f} GB   stages (s): {r['stages']}", flush=True)
    if len(modes) == 2:
        for name in ("kpis", "duplicates", "semantic_types"):
            pd.testing.assert_frame_equal(pd.read_parquet(args.out / f"stream_{name}.parquet"),
                                          pd.read_parquet(args.out / f"memory_{name}.parquet"))
        print("stream and memory: identical kpis, duplicates and semantic_types tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
