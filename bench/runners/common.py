"""What every benchmark runner shares: the command line, timing, light cleaning, output format.

A runner is a script ``bench/runners/<tool>_runner.py`` started in its own process by
``bench/dedup_benchmark.py`` (so its peak memory is its own). It reads one prepared dataset
folder (``records.parquet`` + ``meta.json``, written by ``bench/dedup_datasets.py``; the truth is
deliberately not given), clusters the records, and writes:

* ``--output``: a parquet file ``source, record_id, cluster_id`` with one row per input record;
* ``--stats``: a JSON file with ``load_seconds`` (reading the input), ``compute_seconds`` (from the
  loaded frame to the clusters: cleaning, blocking, scoring, clustering) and tool-specific counts.

``records.parquet`` holds ``source``, ``record_id`` and one text column per attribute (missing
values as nulls). ``meta.json`` holds ``task`` (``dedupe``: find duplicates among all records;
``link``: match records of one source to the other, as in FEBRL4) and ``schema`` (``febrl``,
``rcu``, ``rldata`` or ``patentsview``: which attribute columns to expect).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FEBRL_COLUMNS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb",
                 "postcode", "state", "date_of_birth", "soc_sec_id"]
RCU_TEXT_COLUMNS = ["civility", "last_name", "birth_name", "first_name", "street", "city", "country"]
RLDATA_NAME_COLUMNS = ["fname_c1", "fname_c2", "lname_c1", "lname_c2"]
PATENTSVIEW_COLUMNS = ["raw_inventor_name_first", "raw_inventor_name_last", "raw_city", "raw_state",
                       "raw_country"]
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")

RunResult = tuple[pd.DataFrame, dict[str, Any]]


def fold_text(values: pd.Series) -> pd.Series:
    """Generic text cleaning any pipeline does: lower case, accents off, spaces collapsed."""
    def fold(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        s = unicodedata.normalize("NFKD", str(v)).encode("ascii", "ignore").decode("ascii")
        s = " ".join(s.lower().split())
        return s or None
    uniques = values.dropna().unique()
    mapping = {u: fold(u) for u in uniques}
    return values.map(mapping).astype(object).where(values.notna(), None)


def digits_only(values: pd.Series) -> pd.Series:
    """Keep the digits of each value (phones, postcodes); empty becomes null."""
    out = values.astype("string").str.replace(r"\D+", "", regex=True)
    return out.where(out.str.len() > 0).astype(object).where(lambda s: s.notna(), None)


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates in the usual formats to ISO ``yyyy-mm-dd`` text; unparseable dates become null."""
    text = values.astype("string").str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        todo = parsed.isna() & text.notna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    out = parsed.dt.strftime("%Y-%m-%d")
    return out.astype(object).where(out.notna(), None)


def date_from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """``yyyy-mm-dd`` text from year, month and day columns (RLdata's by, bm, bd); null if a part is.

    Parts are zero-padded, not checked: an impossible date (a typo in the day) stays as text, and
    each tool reads it as its date handling does.
    """
    def part(values: pd.Series, width: int) -> pd.Series:
        text = values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        return text.str.zfill(width)
    out = part(year, 4) + "-" + part(month, 2) + "-" + part(day, 2)
    return out.astype(object).where(out.notna(), None)


def light_clean(records: pd.DataFrame, schema: str) -> pd.DataFrame:
    """The light cleaning a baseline would normally get; not rcu_kit's French standardisation.

    FEBRL is already lower case: text is stripped. Demo (``rcu``) records: text folded (lower
    case, accents off), e-mails lower-cased, phones and postcodes reduced to digits, dates parsed.
    RLdata: names folded, ``birth_date`` (``yyyy-mm-dd``) added from by / bm / bd. PatentsView:
    names and places folded.
    """
    out = records.copy()
    if schema == "febrl":
        for col in FEBRL_COLUMNS:
            out[col] = fold_text(out[col])
        return out
    if schema == "rldata":
        for col in RLDATA_NAME_COLUMNS:
            out[col] = fold_text(out[col])
        out["birth_date"] = date_from_parts(out["by"], out["bm"], out["bd"])
        return out
    if schema == "patentsview":
        for col in PATENTSVIEW_COLUMNS:
            out[col] = fold_text(out[col])
        return out
    if schema != "rcu":
        raise ValueError(f"unknown schema {schema!r}: expected febrl, rcu, rldata or patentsview")
    for col in RCU_TEXT_COLUMNS:
        if col in out:
            out[col] = fold_text(out[col])
    if "email" in out:
        out["email"] = fold_text(out["email"]).str.replace(" ", "", regex=False)
    for col in ("phone", "postcode"):
        if col in out:
            out[col] = digits_only(out[col])
    if "birth_date" in out:
        out["birth_date"] = parse_dates(out["birth_date"])
    return out


def read_dataset(folder: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The records and the task description of a prepared dataset folder."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    records = pd.read_parquet(folder / "records.parquet")
    for col in ("source", "record_id"):
        if col not in records:
            raise ValueError(f"{folder / 'records.parquet'}: missing column {col!r}")
    records = records.astype(object).where(records.notna(), None)
    return records, meta


def clusters_frame(records: pd.DataFrame, cluster_of_row: np.ndarray | pd.Series) -> pd.DataFrame:
    """The runner output: ``source, record_id, cluster_id`` for every input row, in input order."""
    labels = np.asarray(cluster_of_row)
    if len(labels) != len(records):
        raise RuntimeError(f"{len(labels)} cluster labels for {len(records)} records: every record needs one")
    return pd.DataFrame({"source": records["source"].astype(str).to_numpy(),
                         "record_id": records["record_id"].astype(str).to_numpy(),
                         "cluster_id": pd.Series(labels).astype(str).to_numpy()})


def main(tool: str, run: Callable[[pd.DataFrame, dict[str, Any]], RunResult]) -> int:
    """Command line of a runner: read, time ``run``, write clusters and stats. Returns the exit code."""
    parser = argparse.ArgumentParser(description=f"Deduplication benchmark runner: {tool}")
    parser.add_argument("--input", required=True, type=Path, help="prepared dataset folder")
    parser.add_argument("--output", required=True, type=Path, help="clusters parquet to write")
    parser.add_argument("--stats", required=True, type=Path, help="stats JSON to write")
    args = parser.parse_args()
    stats: dict[str, Any] = {"tool": tool}
    try:
        t0 = time.perf_counter()
        records, meta = read_dataset(args.input)
        t1 = time.perf_counter()
        clusters, extra = run(records, meta)
        t2 = time.perf_counter()
        if len(clusters) != len(records):
            raise RuntimeError(f"{tool} returned {len(clusters)} rows for {len(records)} records")
        clusters.to_parquet(args.output, index=False)
        stats.update(load_seconds=t1 - t0, compute_seconds=t2 - t1, records=len(records), **extra)
        args.stats.write_text(json.dumps(stats, indent=2, default=str), encoding="utf-8")
        return 0
    except Exception as exc:  # reported to the harness, which prints it in the table
        traceback.print_exc()
        stats["error"] = f"{type(exc).__name__}: {exc}"
        args.stats.write_text(json.dumps(stats, indent=2, default=str), encoding="utf-8")
        return 1


def log(message: str) -> None:
    """Progress line on stderr (the harness keeps it in the run's log file)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


