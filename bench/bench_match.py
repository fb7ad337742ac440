"""Benchmark of the preventive check: latency of ``ReferenceIndex.match`` against a big reference.

Usage (from the repository root)::

    .venv/bin/python bench/bench_match.py --records 1000000 --queries 1000
    .venv/bin/python bench/bench_match.py --records 100000 --queries 300     # quicker

Data: the demo's mapped records at ``--records`` (``bench/data/demo_<N>/records.parquet``, made by
``bench/dedup_datasets.py``) with their truth. ``--queries`` records are drawn at random (seeded)
and *held out*; the reference is every other record. The model is fitted by the curative run
(``rcu_kit.linkage.deduplicate``) on the first ``--fit-records`` reference records (a full
curative run on a million records is the linkage benchmark's job, not this one's); the
reference's customer ids are the truth's person ids, so the printed hit rate is the share of
held-out records whose person has other records in the reference and is their best match
(``is_match``).
Matching speed does not depend on which ids are attached.

Printed, per mode, p50 / p95 / p99 / max latency per record in milliseconds, wall clock and CPU
time of this process (the machine may be shared: CPU time is what the check itself costs):

* ``raw``: ``match(record)`` on the raw mapped record (standardisation included): a web form;
  the single-record path (``standardise_record``, ``prepare_record``, ``candidates_of``);
* ``standardised``: ``match(record, standardised=True)``: a source that standardises upstream;
* ``raw, batch path``: ``match(record, fast=False)`` (frames, as ``match_many``) on the first
  ``--batch-path-queries`` records, for comparison; the answers of both paths are compared;
* ``batch``: ``match_many`` on all queries at once, per record.

The false positives (held-out records of persons absent from the reference that are matched to
someone) are listed by probability band with the evidence of their best match.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _load(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = ROOT / "bench" / "data" / f"demo_{n}"
    if not (folder / "records.parquet").exists():
        from dedup_datasets import build_demo

        records, truth, _ = build_demo(n, 42)
        folder.mkdir(parents=True, exist_ok=True)
        records.to_parquet(folder / "records.parquet", index=False)
        truth.to_parquet(folder / "truth.parquet", index=False)
    return pd.read_parquet(folder / "records.parquet"), pd.read_parquet(folder / "truth.parquet")


def _percentiles(ms: list[float]) -> str:
    a = np.asarray(ms)
    return (f"p50 {np.percentile(a, 50):7.1f}  p95 {np.percentile(a, 95):7.1f}  "
            f"p99 {np.percentile(a, 99):7.1f}  max {a.max():7.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="reference size")
    parser.add_argument("--queries", type=int, default=1000, help="held-out records queried")
    parser.add_argument("--fit-records", type=int, default=100_000,
                        help="records of the curative run that fits the model")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-path-queries", type=int, default=50,
                        help="queries also timed through the batch path (fast=False)")
    args = parser.parse_args(argv)

    from tqdm.auto import tqdm

    from rcu_kit.linkage import deduplicate
    from rcu_kit.golden.preventive import build_reference_index
    from rcu_kit.standardise import standardise_records

    clock = time.perf_counter()
    records, truth = _load(args.records)
    truth = truth.set_index(["source", "record_id"]).reindex(
        pd.MultiIndex.from_frame(records[["source", "record_id"]]))["person_id"].to_numpy()
    rng = np.random.default_rng(args.seed)
    held = np.sort(rng.choice(len(records), size=args.queries, replace=False))
    keep = np.ones(len(records), dtype=bool)
    keep[held] = False
    print(f"records {len(records):,}; held out {len(held):,}; load {time.perf_counter() - clock:.1f} s")

    clock = time.perf_counter()
    standardised = standardise_records(records[keep].reset_index(drop=True), progress=True)
    print(f"standardise reference: {time.perf_counter() - clock:.1f} s")
    clock = time.perf_counter()
    fit = deduplicate(standardised.iloc[: args.fit_records], progress=True)
    print(f"curative run on {min(args.fit_records, len(standardised)):,} records (model): "
          f"{time.perf_counter() - clock:.1f} s")
    crosswalk = standardised[["source", "record_id"]].assign(customer_id=truth[keep])
    clock = time.perf_counter()
    index = build_reference_index(standardised, crosswalk, fit.model, fit.settings, progress=True)
    print(f"build reference index ({len(index):,} records, {index.n_customers:,} customers): "
          f"{time.perf_counter() - clock:.1f} s; peak memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2:.2f} GB")

    queries = records.iloc[held].reset_index(drop=True)
    queries = queries.astype(object).where(queries.notna(), None)
    query_std = standardise_records(queries)
    index.match(queries.iloc[0].to_dict())  # warm-up: imports and caches

    person_in_ref = pd.Series(truth[keep]).value_counts()
    top: dict[str, list] = {}
    answers: dict[str, list] = {}
    raw_records = queries.to_dict(orient="records")
    std_records = query_std.astype(object).where(query_std.notna(), None).to_dict(orient="records")
    for mode in ("raw", "standardised", "raw, batch path"):
        wall, cpu, best, found_all = [], [], [], []
        source = std_records if mode == "standardised" else raw_records
        if mode == "raw, batch path":
            source = source[: args.batch_path_queries]
        for record in tqdm(source, desc=mode):
            w, c = time.perf_counter(), time.process_time()
            found = index.match(record, standardised=(mode == "standardised"),
                                fast=(mode != "raw, batch path"))
            wall.append((time.perf_counter() - w) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            matched = found[found["is_match"]]
            best.append(matched["customer_id"].iloc[0] if len(matched) else None)
            found_all.append(found)
        top[mode], answers[mode] = best, found_all
        print(f"\n{mode:>16} wall ms: {_percentiles(wall)}  ({len(source)} records)")
        print(f"{mode:>16}  CPU ms: {_percentiles(cpu)}")
    same = sum(a["customer_id"].tolist() == b["customer_id"].tolist() and np.allclose(
        a["match_probability"].to_numpy(float), b["match_probability"].to_numpy(float),
        rtol=0, atol=1e-9) for a, b in zip(answers["raw"], answers["raw, batch path"]))
    print(f"single-record and batch paths agree on {same} of {len(answers['raw, batch path'])} "
          "records (same customers, probabilities within 1e-9)")

    w, c = time.perf_counter(), time.process_time()
    index.match_many(queries)
    n = len(queries)
    print(f"\n       batch per record: wall {(time.perf_counter() - w) * 1000 / n:.2f} ms, "
          f"CPU {(time.process_time() - c) * 1000 / n:.2f} ms ({n} records in one call)")

    expected = truth[held]
    findable = np.array([person_in_ref.get(p, 0) > 0 for p in expected])
    hits = np.array([b == p for b, p in zip(top["raw"], expected)])
    print(f"\nheld-out records whose person is in the reference: {int(findable.sum())}; "
          f"matched to that person: {int(hits[findable].sum())} "
          f"({hits[findable].mean():.1%}); new persons matched to someone: "
          f"{int(np.array([b is not None for b in top['raw']])[~findable].sum())} of "
          f"{int((~findable).sum())}")
    new_matched = [i for i in np.flatnonzero(~findable) if top["raw"][i] is not None]
    bands = pd.cut(pd.Series([float(answers["raw"][i]["match_probability"].iloc[0])
                              for i in new_matched], dtype=float),
                   [0, 0.9, 0.99, 0.999, 1.0], include_lowest=True)
    print(f"threshold {index.settings.threshold}; false positives by probability: "
          f"{bands.value_counts(sort=False).to_dict()}")
    for i in new_matched[:10]:
        row = answers["raw"][i].iloc[0]
        print(f"  {row['match_probability']:.4f} {row['rule'] or '-'}: {row['evidence']}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"(1, 5, 15 min: {', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
