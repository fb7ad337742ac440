"""rcu_kit: the kit's own French standardisation, then its deduplication pipeline.

``rcu_kit.standardise.standardise_records(records)`` then
``rcu_kit.linkage.pipeline.deduplicate(records, settings)`` with default settings (the same for
every dataset; ``link_only`` for a link task; scored pairs kept from probability 0.2 like
Splink's predictions), whose ``crosswalk`` (source, record_id, customer_id) gives the clusters.

Demo records arrive with target attribute columns already (the engagement's mapping). FEBRL
records are mapped here the way a consultant would map such an extract: given_name -> first_name,
surname -> last_name, date_of_birth -> birth_date, street_number + address_1 -> street,
suburb -> city, postcode -> postcode, soc_sec_id -> id_number (the personal identifier the
linkage compares, as Splink's model compares soc_sec_id); address_2 and state have no target
attribute (Splink's model does not compare them either).

RLdata (German personal records): first_name = fname_c1 + " " + fname_c2 (all given names, as a
prénom field holds them), last_name = lname_c1 + " " + lname_c2 (a double surname), birth_date =
by-bm-bd as ``yyyy-mm-dd``. PatentsView (inventor mentions): raw_inventor_name_first ->
first_name, raw_inventor_name_last -> last_name, raw_city -> city, raw_country -> country;
raw_state has no target attribute (a US state is not a French one) and is not used.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for rcu_kit

from common import RunResult, clusters_frame, date_from_parts, log, main  # noqa: E402

# Scored pairs kept in the result, as Splink's predict(threshold_match_probability=0.2) keeps them;
# the clusters do not depend on it (they use the pipeline's own threshold).
KEEP_PAIRS = 0.2
FEBRL_TO_ATTRIBUTE = {"given_name": "first_name", "surname": "last_name", "date_of_birth": "birth_date",
                      "suburb": "city", "postcode": "postcode", "soc_sec_id": "id_number"}


def _febrl_as_attributes(records: pd.DataFrame) -> pd.DataFrame:
    out = records[["source", "record_id", *FEBRL_TO_ATTRIBUTE]].rename(columns=FEBRL_TO_ATTRIBUTE)
    number = records["street_number"].fillna("").astype(str)
    street = records["address_1"].fillna("").astype(str)
    line = (number + " " + street).str.strip()
    out["street"] = line.where(line != "", None)
    return out


def _joined(*parts: pd.Series) -> pd.Series:
    """Components joined by a space, missing ones left out; null when all are missing."""
    text = pd.concat([p.fillna("").astype(str).str.strip() for p in parts], axis=1)
    line = text.apply(lambda row: " ".join(v for v in row if v), axis=1)
    return line.where(line != "", None)


def _rldata_as_attributes(records: pd.DataFrame) -> pd.DataFrame:
    out = records[["source", "record_id"]].copy()
    out["first_name"] = _joined(records["fname_c1"], records["fname_c2"])
    out["last_name"] = _joined(records["lname_c1"], records["lname_c2"])
    out["birth_date"] = date_from_parts(records["by"], records["bm"], records["bd"])
    return out


PATENTSVIEW_TO_ATTRIBUTE = {"raw_inventor_name_first": "first_name", "raw_inventor_name_last": "last_name",
                            "raw_city": "city", "raw_country": "country"}


def _as_attributes(records: pd.DataFrame, schema: str) -> pd.DataFrame:
    """The records with target attribute columns, mapped as a consultant would (module doc)."""
    if schema == "febrl":
        return _febrl_as_attributes(records)
    if schema == "rldata":
        return _rldata_as_attributes(records)
    if schema == "patentsview":
        return records[["source", "record_id", *PATENTSVIEW_TO_ATTRIBUTE]].rename(columns=PATENTSVIEW_TO_ATTRIBUTE)
    return records  # the demo: already mapped by the engagement


def _pipeline():
    try:
        from rcu_kit.linkage.pipeline import deduplicate
        from rcu_kit.standardise import standardise_records
    except ImportError as exc:
        raise RuntimeError(
            "rcu_kit's deduplication is not available yet: the benchmark needs "
            "rcu_kit.standardise.standardise_records and rcu_kit.linkage.pipeline.deduplicate "
            f"({exc}). Run the baselines meanwhile with --tools recordlinkage,splink") from exc
    return standardise_records, deduplicate


def run(records: pd.DataFrame, meta: dict[str, Any]) -> RunResult:
    standardise_records, deduplicate = _pipeline()
    attributes = _as_attributes(records, meta["schema"])
    t0 = time.perf_counter()
    standardised = standardise_records(attributes)
    t1 = time.perf_counter()
    log("records standardised")
    settings = {"link_only": meta["task"] == "link", "keep_pairs": KEEP_PAIRS}
    if "cluster_threshold" in meta:          # bench/threshold_curves.py; the default otherwise
        settings["threshold"] = meta["cluster_threshold"]
    result = deduplicate(standardised, settings)
    t2 = time.perf_counter()
    crosswalk = result.crosswalk
    # The crosswalk has one row per input record, in input order (its contract): checked here
    # row by row rather than trusted, then its customer ids are the labels.
    for column in ("source", "record_id"):
        given = records[column].to_numpy(dtype=object)
        got = crosswalk[column].to_numpy(dtype=object)
        if len(got) == len(given) and not (got == given).all():  # e.g. int ids read as text
            given, got = given.astype(str), got.astype(str)
        if len(got) != len(given) or not (got == given).all():
            raise RuntimeError(f"rcu_kit's crosswalk does not list the input records in input "
                               f"order ({column} differs)")
    labels = crosswalk["customer_id"]
    extra: dict[str, Any] = {"standardise_seconds": t1 - t0, "deduplicate_seconds": t2 - t1}
    extra.update({f"timing_{k}": v for k, v in getattr(result, "timings", {}).items()})
    info = getattr(result, "cluster_info", {}) or {}
    for key in ("skipped_pairs", "skipped_matches"):   # names blocks too large to pair
        if key in info:
            extra[key] = float(info[key])
    if getattr(result, "pairs", None) is not None:
        extra["scored_pairs"] = int(len(result.pairs))
    return clusters_frame(records, labels.to_numpy()), extra


if __name__ == "__main__":
    sys.exit(main("rcu_kit", run))
