"""Benchmark of the French standardisation: time per standardiser and for the whole record step.

Run from the repository root:

    .venv/bin/python bench/bench_standardise.py --records 1000000
    .venv/bin/python bench/bench_standardise.py --records 100000 --seed 7

It generates the demo engagement (``rcu_kit.sources.demo.generate_demo``: five French extracts full of
realistic variants), loads and maps every source (``rcu_kit.sources.loaders.load_all``,
``rcu_kit.mapping.transforms.apply_mapping``), then times on the mapped records:

1. each vectorised standardiser alone on its column (distinct values, rows per second);
2. ``standardise_records`` end to end, and checks that every input row is still there, in order;
3. a few outcome counts (share of values that came out valid) to spot regressions.

The demo generation, loading and mapping are not timed (they have their own benchmarks). The demo
is cached under ``bench/data/`` (ignored by git) and reused on the next run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rcu_kit.core.config import load_engagement  # noqa: E402
from rcu_kit.sources.demo import generate_demo  # noqa: E402
from rcu_kit.sources.loaders import load_all  # noqa: E402
from rcu_kit.mapping.transforms import apply_mapping  # noqa: E402
from rcu_kit.standardise import standardise_records  # noqa: E402
from rcu_kit.standardise.addresses import normalise_cities, parse_streets  # noqa: E402
from rcu_kit.standardise.countries import normalise_countries  # noqa: E402
from rcu_kit.standardise.names import normalise_first_names, parse_names, split_full_names  # noqa: E402
from rcu_kit.standardise.phonetic import phonetic_keys  # noqa: E402
from rcu_kit.values.civility import normalise_civilities  # noqa: E402
from rcu_kit.values.dates import normalise_dates  # noqa: E402
from rcu_kit.values.emails import normalise_emails  # noqa: E402
from rcu_kit.values.phones import standardise_phones  # noqa: E402
from rcu_kit.values.postcodes import normalise_postcodes  # noqa: E402


def mapped_records(n_records: int, seed: int) -> pd.DataFrame:
    """The demo's sources loaded and mapped to the common layout (cached demo files)."""
    folder = REPO / "bench" / "data" / f"demo_engagement_{n_records}_seed{seed}"
    if not (folder / "engagement.yaml").exists():
        print(f"generating the demo ({n_records:,} records) in {folder} ...", flush=True)
        generate_demo(folder, n_records=n_records, seed=seed, progress=True)
    engagement = load_engagement(folder / "engagement.yaml")
    loaded = load_all(engagement)
    frames = []
    for source in engagement.sources:
        entries = engagement.mapping.get(source.name, [])
        frames.append(apply_mapping(loaded[source.name].frame, entries, source.name,
                                    id_column=source.id_column))
    return pd.concat(frames, ignore_index=True)


def timed(label: str, func, values: pd.Series) -> None:
    """Print wall and CPU seconds of ``func()`` (CPU time is what other jobs on a shared
    machine cannot inflate), the distinct values and the rows per CPU second."""
    start, cpu = time.perf_counter(), time.process_time()
    func()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    distinct = values.nunique(dropna=True)
    rate = len(values) / cpu if cpu else float("inf")
    print(f"  {label:<28} {seconds:7.2f} s wall {cpu:7.2f} s CPU  {distinct:>9,} distinct"
          f"  {rate:>12,.0f} rows/CPU s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="demo records (total)")
    parser.add_argument("--seed", type=int, default=42, help="demo seed")
    args = parser.parse_args(argv)

    records = mapped_records(args.records, args.seed)
    today = dt.date(2025, 1, 1)
    print(f"{len(records):,} mapped records, columns: {', '.join(records.columns)}")

    def column(name: str) -> pd.Series:
        return records[name] if name in records.columns else pd.Series([None] * len(records))

    print("\nper standardiser (vectorised, on the raw column):")
    timed("civility", lambda: normalise_civilities(column("civility")), column("civility"))
    timed("last_name (+birth name)", lambda: parse_names(column("last_name")), column("last_name"))
    timed("first_name", lambda: normalise_first_names(column("first_name")), column("first_name"))
    full = column("full_name")
    label = "full_name split"
    if full.isna().all():
        # The demo maps full names at load time; rebuild one per record, half "NOM Prénom",
        # half "Prénom Nom", so the splitter is still measured on realistic values.
        last, first = records["last_name"].fillna(""), records["first_name"].fillna("")
        order = pd.Series(range(len(records)), index=records.index) % 2 == 0
        full = (last + " " + first).where(order, first.str.title() + " " + last.str.title())
        label = "full_name split (rebuilt)"
    timed(label, lambda: split_full_names(full), full)
    timed("phonetic keys (last_name)", lambda: phonetic_keys(column("last_name")),
          column("last_name"))
    timed("birth_date", lambda: normalise_dates(column("birth_date"), today=today),
          column("birth_date"))
    timed("email", lambda: normalise_emails(column("email")), column("email"))
    timed("phone (+type)", lambda: standardise_phones(column("phone")), column("phone"))
    timed("postcode", lambda: normalise_postcodes(column("postcode")), column("postcode"))
    timed("street", lambda: parse_streets(column("street")), column("street"))
    timed("city", lambda: normalise_cities(column("city")), column("city"))
    timed("country", lambda: normalise_countries(column("country")), column("country"))

    print("\nstandardise_records (end to end):")
    start, cpu = time.perf_counter(), time.process_time()
    out = standardise_records(records, today=today)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {len(records):,} records in {seconds:.2f} s wall, {cpu:.2f} s CPU "
          f"({len(records) / cpu:,.0f} records per CPU second)")
    print(f"  machine load average while running: {os.getloadavg()[0]:.1f} (2 cores)")
    same = len(out) == len(records) and out.index.equals(records.index) \
        and out["record_id"].astype(str).tolist() == records["record_id"].astype(str).tolist()
    print(f"  rows kept in order: {'yes' if same else 'NO'}")

    print("\noutcome (share of rows with a value, raw -> standardised):")
    for name in ("civility", "last_name", "first_name", "birth_date", "email", "phone",
                 "postcode", "street", "city", "country"):
        before = column(name).notna().mean() if name in records.columns else 0.0
        print(f"  {name:<12} {before:6.1%} -> {out[name].notna().mean():6.1%}")
    print(f"  name_swapped {out['name_swapped'].mean():6.2%} of rows")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
