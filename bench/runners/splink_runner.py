"""Baseline: Splink 4 on DuckDB, a competent Fellegi-Sunter model trained without labels.

Follows Splink's own FEBRL examples and its deduplication tutorial:

* comparisons from ``splink.comparison_library``: ``NameComparison`` (Jaro-Winkler levels) with
  term-frequency adjustments on names, ``DateOfBirthComparison``, ``EmailComparison``,
  Damerau-Levenshtein on identifiers and phones, exact match on postcodes (with term frequencies),
  Jaro-Winkler levels on street addresses;
* prediction blocking rules whose union catches nearly every true pair while keeping the
  comparison count tractable at a million records;
* training: prior from deterministic rules, ``estimate_u_using_random_sampling``, then
  ``estimate_parameters_using_expectation_maximisation`` on three blocking rules;
* ``predict(threshold_match_probability=PREDICT_THRESHOLD)`` then
  ``cluster_pairwise_predictions_at_threshold(CLUSTER_THRESHOLD)``.

The same two thresholds serve every dataset (no tuning against the truth).

RLdata: NameComparison on fname_c1 and lname_c1 (term frequencies), DateOfBirthComparison on
by-bm-bd; the rare second components (fname_c2 on 7 %, lname_c2 on 1 % of records) are left out.
PatentsView: NameComparison on first and last name (term frequencies), Jaro-Winkler on city (term
frequencies), exact state and country; blocking on first + last name and first name + city.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RunResult, clusters_frame, light_clean, log, main  # noqa: E402

PREDICT_THRESHOLD = 0.2   # keep scored pairs above this probability (as in Splink's examples)
CLUSTER_THRESHOLD = 0.95  # link pairs at or above this probability (Splink README and tutorials)
# Random pairs for u estimation: 1e6 as in Splink's FEBRL examples. Splink's tutorials suggest
# 1e7 or more; on demo_10000 that gave the same F1 (0.8626) for 5x the time and 6x the memory.
U_MAX_PAIRS = 1e6
SEED = 42


def _febrl_model() -> tuple[list, list, list, list]:
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                 invalid_dates_as_null=True),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
    ]
    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
    em_rules = [block_on("date_of_birth"), block_on("postcode"), block_on("surname")]
    return comparisons, blocking, deterministic, em_rules


def _rcu_model(columns: set[str]) -> tuple[list, list, list, list]:
    comparisons: list = []
    for col in ("first_name", "last_name"):
        if col in columns:
            comparisons.append(cl.NameComparison(col).configure(term_frequency_adjustments=True))
    if "birth_date" in columns:
        # Term frequencies on the date too: placeholder dates (2007-01-01 on 5% of dated records
        # at 1M) must weigh little, else they chain strangers of one town into giant clusters.
        comparisons.append(cl.DateOfBirthComparison("birth_date", input_is_string=True,
                                                    datetime_format="%Y-%m-%d", invalid_dates_as_null=True)
                           .configure(term_frequency_adjustments=True))
    if "email" in columns:
        comparisons.append(cl.EmailComparison("email"))
    if "phone" in columns:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("phone", [1]))
    if "postcode" in columns:
        comparisons.append(cl.ExactMatch("postcode").configure(term_frequency_adjustments=True))
    if "street" in columns:
        comparisons.append(cl.JaroWinklerAtThresholds("street", [0.9, 0.7]))
    if "city" in columns:
        comparisons.append(cl.JaroWinklerAtThresholds("city", [0.9]).configure(term_frequency_adjustments=True))

    def have(*cols: str) -> bool:
        return set(cols) <= columns

    # Prediction rules: about 10M comparisons in all on demo_1000000 (the largest: last_name +
    # birth_date 4.2M, first_name + birth_date 3.6M).
    blocking = [rule for cols, rule in [
        (("email",), block_on("email")),
        (("phone",), block_on("phone")),
        (("last_name", "first_name", "postcode"), block_on("last_name", "first_name", "postcode")),
        (("last_name", "birth_date"), block_on("last_name", "birth_date")),
        (("first_name", "birth_date"), block_on("first_name", "birth_date")),
        (("first_name", "postcode", "street"), block_on("first_name", "postcode", "substr(street, 1, 6)")),
        (("last_name", "first_name", "city"), block_on("last_name", "first_name", "city")),
    ] if have(*cols)]
    deterministic = [rule for cols, rule in [
        (("email",), block_on("email")),
        (("last_name", "first_name", "birth_date"), block_on("last_name", "first_name", "birth_date")),
    ] if have(*cols)]
    # EM sessions on rules that stay tractable at a million records (0.5M, 3.4M and 0.5M pairs on
    # demo_1000000; blocking on birth_date alone gives 583M pairs there, because of placeholder
    # dates such as 2007-01-01), together estimating m for every comparison.
    em_rules = [rule for cols, rule in [
        (("last_name", "first_name", "postcode"), block_on("last_name", "first_name", "postcode")),
        (("birth_date", "postcode"), block_on("birth_date", "postcode")),
        (("email",), block_on("email")),
    ] if have(*cols)]
    return comparisons, blocking, deterministic, em_rules


def _rldata_model() -> tuple[list, list, list, list]:
    comparisons = [
        cl.NameComparison("fname_c1").configure(term_frequency_adjustments=True),
        cl.NameComparison("lname_c1").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d",
                                 invalid_dates_as_null=True),
    ]
    blocking = [block_on("fname_c1", "lname_c1"), block_on("birth_date"), block_on("lname_c1", "by"),
                block_on("fname_c1", "by")]
    # The records of a true pair differ by typos in a name or in a date part: these rules find most.
    deterministic = [block_on("fname_c1", "lname_c1", "by"), block_on("lname_c1", "birth_date"),
                     block_on("fname_c1", "birth_date")]
    em_rules = [block_on("fname_c1", "lname_c1"), block_on("birth_date")]
    return comparisons, blocking, deterministic, em_rules


def _patentsview_model() -> tuple[list, list, list, list]:
    first, last, city = "raw_inventor_name_first", "raw_inventor_name_last", "raw_city"
    comparisons = [
        cl.NameComparison(first).configure(term_frequency_adjustments=True),
        cl.NameComparison(last).configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds(city, [0.9]).configure(term_frequency_adjustments=True),
        cl.ExactMatch("raw_state"),
        cl.ExactMatch("raw_country"),
    ]
    # 7.6M + 3.0M comparisons on the 133,541 mentions.
    blocking = [block_on(first, last), block_on(first, city)]
    deterministic = [block_on(first, last, city)]
    em_rules = [block_on(first, last), block_on(first, city)]
    return comparisons, blocking, deterministic, em_rules


def run(records: pd.DataFrame, meta: dict[str, Any]) -> RunResult:
    clean = light_clean(records, meta["schema"])
    clean.insert(0, "unique_id", np.arange(len(clean), dtype=np.int64))
    columns = {c for c in clean.columns if clean[c].notna().any()}
    if meta["schema"] == "febrl":
        comparisons, blocking, deterministic, em_rules = _febrl_model()
    elif meta["schema"] == "rldata":
        comparisons, blocking, deterministic, em_rules = _rldata_model()
    elif meta["schema"] == "patentsview":
        comparisons, blocking, deterministic, em_rules = _patentsview_model()
    else:
        comparisons, blocking, deterministic, em_rules = _rcu_model(columns)
    link_type = "link_only" if meta["task"] == "link" else "dedupe_only"
    settings = SettingsCreator(link_type=link_type, unique_id_column_name="unique_id",
                               comparisons=comparisons, blocking_rules_to_generate_predictions=blocking,
                               retain_intermediate_calculation_columns=False)
    # The dedup benchmark leaves DuckDB its defaults; at scale a memory limit makes it spill to
    # disk instead of taking the machine (bench_dask.py --engines splink sets one).
    config = {"memory_limit": meta["duckdb_memory_limit"], "preserve_insertion_order": False,
              "temp_directory": meta.get("duckdb_temp_directory", "/tmp/duckdb_spill")} \
        if meta.get("duckdb_memory_limit") else {}
    con = duckdb.connect(config=config)
    db_api = DuckDBAPI(connection=con)
    if link_type == "link_only":
        sources = clean["source"].unique().tolist()
        if len(sources) != 2:
            raise ValueError(f"link task needs exactly two sources, got {sources}")
        frames = [clean[clean["source"] == s].reset_index(drop=True) for s in sources]
        linker = Linker(frames, settings, db_api=db_api, input_table_aliases=sources)
    else:
        linker = Linker(clean, settings, db_api=db_api)
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    recall = 0.8 if meta["schema"] in ("febrl", "rldata") else 0.6
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    log("prior estimated")
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    log("u estimated")
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True)
        log("EM session done")
    phases["train_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=PREDICT_THRESHOLD)
    n_pairs = int(con.sql(f"select count(*) from {predictions.physical_name}").fetchall()[0][0])
    log(f"{n_pairs:,} scored pairs above {PREDICT_THRESHOLD}")
    phases["predict_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=meta.get("cluster_threshold", CLUSTER_THRESHOLD))
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    cluster_of = out.set_index("unique_id")["cluster_id"].reindex(clean["unique_id"])
    if cluster_of.isna().any():
        raise RuntimeError(f"Splink left {int(cluster_of.isna().sum())} records out of the clusters")
    phases["cluster_seconds"] = time.perf_counter() - t0
    return clusters_frame(records, cluster_of.to_numpy()), {"scored_pairs": n_pairs, **phases}


if __name__ == "__main__":
    sys.exit(main("splink", run))
