"""Each tool's F1 at several clustering thresholds: is rcu_kit above a peer at the peer's best?

Usage (from the repository root)::

    .venv/bin/python bench/threshold_curves.py                               # rldata10000, both tools
    .venv/bin/python bench/threshold_curves.py --dataset patentsview --tools splink --thresholds 0.5,0.9

The dedup benchmark clusters every dataset at one threshold per tool (Splink 0.95, rcu_kit its
default 0.9; no tuning against the truth). Issue 19 quotes Splink on RLdata10000 at 0.5: this
script runs the benchmark's runners (``runners/<tool>_runner.py``: the same standardisation,
training and predictions) on one prepared dataset, clustered at each threshold, and prints
pairwise precision, recall and F1 against the truth (``rcu_kit.dedup.evaluation.pairwise_scores``,
on the truth's records only, as the benchmark scores PatentsView) and each tool's best threshold.
Choosing the threshold on the truth flatters a tool: the best row is an upper bound.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH / "runners")]

from dedup_datasets import prepare  # noqa: E402

from rcu_kit.dedup.evaluation import pairwise_scores  # noqa: E402

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
TOOLS = ("rcu_kit", "splink")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="rldata10000", help="a dedup benchmark dataset name")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, among " + ", ".join(TOOLS))
    parser.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)),
                        help="comma-separated clustering thresholds")
    args = parser.parse_args(argv)
    folder = prepare(args.dataset)
    records = pd.read_parquet(folder / "records.parquet")
    truth = pd.read_parquet(folder / "truth.parquet").astype({"record_id": str})
    meta = pd.read_json(folder / "meta.json", typ="series").to_dict()
    for tool in args.tools.split(","):
        if tool not in TOOLS:
            parser.error(f"unknown tool {tool!r}: use {', '.join(TOOLS)}")
        runner = importlib.import_module(f"runners.{tool}_runner")
        rows = []
        for threshold in (float(t) for t in args.thresholds.split(",")):
            clusters, _ = runner.run(records, {**meta, "cluster_threshold": threshold})
            scored = clusters.astype({"record_id": str}).merge(truth, on=["source", "record_id"])
            s = pairwise_scores(scored["cluster_id"].to_numpy(), scored["person_id"].to_numpy())
            rows.append((threshold, s.f1))
            print(f"{args.dataset} {tool} at {threshold:.2f}: P {s.precision:.4f} R {s.recall:.4f} "
                  f"F1 {s.f1:.4f}", flush=True)
        best = max(rows, key=lambda r: r[1])
        print(f"{args.dataset} {tool} best: {best[0]:.2f} (F1 {best[1]:.4f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
