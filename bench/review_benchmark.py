"""Clerical review benchmark: a simulated reviewer labels the review sample from the truth (issue 13).

Usage (from the repository root)::

    .venv/bin/python bench/review_benchmark.py                                  # demo_10000, rldata10000
    .venv/bin/python bench/review_benchmark.py --datasets demo_10000 --seeds 5 --labels 200
    .venv/bin/python bench/review_benchmark.py --datasets sweep_all_10000_seed1 --learning 0,50,200

For each prepared dataset (``bench/dedup_datasets.py``: records, truth) the records are
standardised and deduplicated once, as ``bench/runners/rcu_kit_runner.py`` does, every scored pair
kept. Where the truth covers part of the records only (PatentsView: 13,467 of 133,541 mentions),
the simulated reviewer can label only the pairs of covered records: the review sample is drawn
among those pairs and records, the F1 is scored on the covered records (as the dedup benchmark
does), and the coverage of distinct customers, which needs every record's person, is skipped.
Then:

* **coverage**: for each of ``--seeds`` seeds, ``draw_review_sample`` draws ``--labels`` pairs,
  the reviewer labels each from the truth (same person: match), ``estimate_figures`` gives the
  distinct customers with a 95 % interval; the line says whether the interval holds the true
  number of persons, and its half-width in % of it;
* **learning**: for each number of labels in ``--learning``, the labels of the first draws
  (seeds 0..4, one draw of that size each) refit the threshold (``refit_threshold``) and the
  deduplication is scored at it (pairwise F1 against the truth), against the F1 at the best
  threshold of the grid chosen with the whole truth ("fully supervised" threshold).

``--active N`` draws the last N of the ``--labels`` in a second round, where the first round's
labels say they narrow the interval most (``informative_shares``). Measured on 2026-12-05
(code of commit 214164e plus the allocation; ``--datasets demo_10000 rldata10000 demo_100000
--learning "" --active 100``), 20 draws of 100 + 100 labels against 200 in one draw
(bench/README.md): demo_10000 20/20, half-width 2.8 % (2.9 %); demo_100000 20/20, 5.5 %
(18.1 %); rldata10000 **8/20**, 0.6 % (1.5 %, 20/20): narrower, but where the model's error
lies where the labels cannot see it (the blocking's misses, the ``c`` weight's bias) the
narrower interval misses the truth, so ``rcu-kit review --informative`` is opt-in.

Prints the figures; the exit code is 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH / "runners"))
sys.path.insert(0, str(BENCH.parent))

from dedup_datasets import prepare  # noqa: E402
from rcu_kit_runner import _as_attributes  # noqa: E402  (the benchmark's own mapping per schema)

from rcu_kit.dedup.evaluation import pairwise_scores  # noqa: E402
from rcu_kit.golden.estimates import (  # noqa: E402
    THRESHOLDS, estimate_figures, informative_shares, refit_threshold
)
from rcu_kit.golden.review import draw_review_sample  # noqa: E402
from rcu_kit.linkage.pipeline import deduplicate  # noqa: E402
from rcu_kit.standardise import standardise_records  # noqa: E402


def _label(sample: pd.DataFrame, person: dict) -> pd.DataFrame:
    same = [person[(a, b)] == person[(c, d)] for a, b, c, d in
            sample[["source_1", "record_id_1", "source_2", "record_id_2"]].to_numpy()]
    return sample.assign(label=np.where(same, "match", "non_match"))


def run_dataset(name: str, seeds: int, n_labels: int, learning: list[int], active: int = 0) -> None:
    folder = prepare(name)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    records = pd.read_parquet(folder / "records.parquet")
    truth = pd.read_parquet(folder / "truth.parquet")
    records[["source", "record_id"]] = records[["source", "record_id"]].astype(str)
    person = dict(zip(zip(truth["source"].astype(str), truth["record_id"].astype(str)),
                      truth["person_id"]))
    true_customers = truth["person_id"].nunique()
    t0 = time.perf_counter()
    standardised = standardise_records(_as_attributes(records, meta["schema"]))
    link_only = meta["task"] == "link"
    cache: dict[float, pd.DataFrame] = {}

    def crosswalk_at(threshold: float) -> pd.DataFrame:
        if threshold not in cache:
            result = deduplicate(standardised, {"link_only": link_only, "threshold": threshold})
            cache[threshold] = result
        return cache[threshold]

    base = crosswalk_at(0.9)
    pairs = base.pairs
    keys = list(zip(base.crosswalk["source"].astype(str), base.crosswalk["record_id"].astype(str)))
    scored = np.array([k in person for k in keys])          # all True unless the truth is partial
    order = [person[k] for k, s in zip(keys, scored) if s]
    partial = not scored.all()
    population = standardised          # the records the review's random pairs are drawn from
    if partial:
        # the reviewer labels what the truth knows: pairs (and random pairs) of covered records
        covered = [np.array([k in person for k in zip(pairs[f"source_{i}"].astype(str),
                                                      pairs[f"record_id_{i}"].astype(str))])
                   for i in (1, 2)]
        pairs = pairs[covered[0] & covered[1]].reset_index(drop=True)
        population = standardised[scored]
        seeds = 0

    def f1_at(threshold: float) -> float:
        customers = crosswalk_at(threshold).crosswalk["customer_id"].to_numpy()
        return pairwise_scores(customers[scored], order).f1

    print(f"\n{name}: {len(records):,} records, {true_customers:,} persons, "
          f"{base.crosswalk['customer_id'].nunique():,} customers found at 0.9, "
          f"{len(base.pairs):,} scored pairs ({time.perf_counter() - t0:.1f} s)")
    if partial:
        print(f"  the truth covers {int(scored.sum()):,} records: labels drawn among their "
              f"{len(pairs):,} scored pairs; F1 on them; no coverage of distinct customers")
    covered, widths, errors = 0, [], []
    for seed in range(seeds):
        labels = _label(draw_review_sample(pairs, population, n_labels - active, seed=seed),
                        person)
        if active:  # a second round where the first one's labels say it narrows the interval most
            shares = informative_shares(labels, pairs, base.crosswalk, active)
            more = draw_review_sample(pairs, population, active, labelled=labels,
                                      seed=1000 + seed, shares=shares)
            labels = pd.concat([labels, _label(more, person)], ignore_index=True)
        est = estimate_figures(labels, pairs, base.crosswalk, n_bootstrap=1000,
                               seed=seed).figures["n_customers"]
        inside = est.low <= true_customers <= est.high
        covered += inside
        widths.append((est.high - est.low) / 2 / true_customers)
        errors.append((est.value - true_customers) / true_customers)
        print(f"  seed {seed:>2}: {est.value:,.0f} [{est.low:,.0f} - {est.high:,.0f}] "
              f"{'holds' if inside else 'MISSES'} {true_customers:,}")
    if seeds:
        print(f"  coverage of the 95 % interval on distinct customers: {covered}/{seeds}; "
              f"half-width mean {np.mean(widths):.1%}, max {np.max(widths):.1%}; "
              f"estimate error mean {np.mean(errors):+.2%} (model at 0.9: "
              f"{(base.crosswalk['customer_id'].nunique() - true_customers) / true_customers:+.2%})")
    best = max(THRESHOLDS, key=f1_at)
    print(f"  F1 at 0.9: {f1_at(0.9):.4f}; fully supervised (best threshold of the grid from the "
          f"truth, {best:g}): {f1_at(best):.4f}")
    for n in learning:
        scores, chosen = [], []
        for seed in range(5):
            if n == 0:
                threshold = 0.9
            else:
                labels = _label(draw_review_sample(pairs, population, n, seed=100 + seed),
                                person)
                threshold = refit_threshold(labels, pairs, 0.9).threshold
            chosen.append(threshold)
            scores.append(f1_at(threshold))
        print(f"  {n:>4} labels: F1 {np.mean(scores):.4f} (min {np.min(scores):.4f}), "
              f"thresholds {', '.join(f'{t:g}' for t in chosen)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--datasets", nargs="+", default=["demo_10000", "rldata10000"])
    parser.add_argument("--seeds", type=int, default=20, help="review draws for the coverage")
    parser.add_argument("--labels", type=int, default=200, help="labels per draw (coverage)")
    parser.add_argument("--active", type=int, default=0,
                        help="of --labels, how many a second round draws where they narrow the "
                             "interval most (active learning); default 0: one stratified draw")
    parser.add_argument("--learning", default="0,50,100,200,400",
                        help="numbers of labels for the learning curve")
    args = parser.parse_args(argv)
    learning = [int(x) for x in args.learning.split(",") if x.strip()]
    for name in args.datasets:
        run_dataset(name, args.seeds, args.labels, learning, args.active)
    return 0


if __name__ == "__main__":
    sys.exit(main())
