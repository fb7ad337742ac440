"""Baseline: plain recordlinkage, its documented approach.

Index = union of standard blocking and a sorted-neighbourhood window; Compare = Jaro-Winkler on
names and addresses (thresholded to agree / disagree), exact on dates, postcodes and identifiers;
ECMClassifier (unsupervised Fellegi-Sunter fitted by EM) on the binary comparison vectors; the
matched pairs are closed transitively into clusters (connected components).

Tuned reasonably but kept plain: the blocking keys are the ones a user of the library would pick
for these columns, the thresholds the library's usual 0.85.

RLdata: blocks on first + last name (fname_c1, lname_c1) and on the birth date; Jaro-Winkler on
fname_c1 and lname_c1, exact on by, bm, bd (R RecordLinkage's own comparison of these files).
PatentsView: blocks on first + last name and on first name + city; Jaro-Winkler on first name,
last name and city, exact on state and country.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import recordlinkage as rl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for rcu_kit

from common import RunResult, clusters_frame, light_clean, log, main  # noqa: E402

from rcu_kit.dedup.evaluation import clusters_from_pairs  # noqa: E402

THRESHOLD = 0.85  # Jaro-Winkler similarity at or above which two strings agree


def _febrl(indexer: rl.Index, compare: rl.Compare) -> None:
    indexer.block("date_of_birth")
    indexer.block("postcode")
    indexer.sortedneighbourhood("surname", window=5)
    for col in ("given_name", "surname", "address_1", "suburb"):
        compare.string(col, col, method="jarowinkler", threshold=THRESHOLD, label=col)
    for col in ("street_number", "postcode", "state", "date_of_birth", "soc_sec_id"):
        compare.exact(col, col, label=col)


def _rcu(indexer: rl.Index, compare: rl.Compare, columns: set[str]) -> None:
    # Blocking keys narrow enough for 100k+ records: a shared e-mail, a shared phone, the same
    # birth date in the same postcode, and a sorted window of names within a postcode.
    for key in ("email", "phone"):
        if key in columns:
            indexer.block(key)
    if {"birth_date", "postcode"} <= columns:
        indexer.block(["birth_date", "postcode"])
    if "postcode" in columns:
        indexer.sortedneighbourhood("last_name", window=5, block_on="postcode")
    for col in ("last_name", "first_name", "street", "city"):
        if col in columns:
            compare.string(col, col, method="jarowinkler", threshold=THRESHOLD, label=col)
    for col in ("birth_date", "email", "phone", "postcode"):
        if col in columns:
            compare.exact(col, col, label=col)


def _rldata(indexer: rl.Index, compare: rl.Compare) -> None:
    indexer.block(["fname_c1", "lname_c1"])
    indexer.block("birth_date")
    for col in ("fname_c1", "lname_c1"):
        compare.string(col, col, method="jarowinkler", threshold=THRESHOLD, label=col)
    for col in ("by", "bm", "bd"):
        compare.exact(col, col, label=col)


def _patentsview(indexer: rl.Index, compare: rl.Compare) -> None:
    first, last, city = "raw_inventor_name_first", "raw_inventor_name_last", "raw_city"
    indexer.block([first, last])
    indexer.block([first, city])
    for col in (first, last, city):
        compare.string(col, col, method="jarowinkler", threshold=THRESHOLD, label=col)
    for col in ("raw_state", "raw_country"):
        compare.exact(col, col, label=col)


def run(records: pd.DataFrame, meta: dict[str, Any]) -> RunResult:
    clean = light_clean(records, meta["schema"])
    clean.index = pd.RangeIndex(len(clean))
    indexer, compare = rl.Index(), rl.Compare()
    if meta["schema"] == "febrl":
        _febrl(indexer, compare)
    elif meta["schema"] == "rldata":
        _rldata(indexer, compare)
    elif meta["schema"] == "patentsview":
        _patentsview(indexer, compare)
    else:
        _rcu(indexer, compare, set(clean.columns))
    if meta["task"] == "link":
        sources = clean["source"].unique().tolist()
        if len(sources) != 2:
            raise ValueError(f"link task needs exactly two sources, got {sources}")
        left = clean[clean["source"] == sources[0]]
        right = clean[clean["source"] == sources[1]]
        candidates = indexer.index(left, right)
        log(f"{len(candidates):,} candidate pairs")
        features = compare.compute(candidates, left, right)
    else:
        candidates = indexer.index(clean)
        log(f"{len(candidates):,} candidate pairs")
        features = compare.compute(candidates, clean)
    # ECM needs 0/1 features: missing values compare as disagreement (0), as in the library's docs.
    features = features.fillna(0).astype(np.int8)
    matches = rl.ECMClassifier().fit_predict(features)
    log(f"{len(matches):,} matched pairs")
    clusters = clusters_from_pairs(clean.index, matches)
    return clusters_frame(records, clusters.to_numpy()), {
        "candidate_pairs": int(len(candidates)), "matched_pairs": int(len(matches))}


if __name__ == "__main__":
    sys.exit(main("recordlinkage", run))
