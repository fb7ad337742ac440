"""Splink's F1 at several clustering thresholds: is rcu_kit above a peer at the peer's best threshold?

Usage (from the repository root)::

    .venv/bin/python bench/splink_thresholds.py                               # rldata10000, 0.3 ... 0.95
    .venv/bin/python bench/splink_thresholds.py --dataset febrl3 --thresholds 0.5,0.9

The dedup benchmark clusters Splink's predictions at one threshold for every dataset (0.95, no
tuning against the truth). Issue 19 quotes Splink on RLdata10000 at 0.5; this script runs the
benchmark's Splink model (``runners/splink_runner.py``, the same training and predictions) on one
prepared dataset and clusters at each threshold, then prints pairwise precision, recall and F1
against the truth (``rcu_kit.dedup.evaluation.pairwise_scores``) and the best threshold. Choosing
the threshold on the truth flatters Splink: the best row is an upper bound of what it reaches.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH / "runners")]

from dedup_datasets import prepare  # noqa: E402
from runners import splink_runner  # noqa: E402

from rcu_kit.dedup.evaluation import pairwise_scores  # noqa: E402

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="rldata10000", help="a dedup benchmark dataset name")
    parser.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)),
                        help="comma-separated clustering thresholds")
    args = parser.parse_args(argv)
    folder = prepare(args.dataset)
    records = pd.read_parquet(folder / "records.parquet")
    truth = pd.read_parquet(folder / "truth.parquet")
    meta = pd.read_json(folder / "meta.json", typ="series").to_dict()
    keys = ["source", "record_id"]
    rows = []
    for threshold in (float(t) for t in args.thresholds.split(",")):
        clusters, _ = splink_runner.run(records, {**meta, "cluster_threshold": threshold})
        scored = clusters.astype({"record_id": str}).merge(truth.astype({"record_id": str}), on=keys)
        s = pairwise_scores(scored["cluster_id"].to_numpy(), scored["person_id"].to_numpy())
        rows.append({"threshold": threshold, "precision": s.precision, "recall": s.recall, "f1": s.f1})
        print(f"{args.dataset} Splink at {threshold:.2f}: P {s.precision:.4f} R {s.recall:.4f} "
              f"F1 {s.f1:.4f}", flush=True)
    best = max(rows, key=lambda r: r["f1"])
    print(f"best: {best['threshold']:.2f} (F1 {best['f1']:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
