"""Deduplication on a Dask cluster: the in-memory pipeline run partition by partition.

The records are cut into row ranges held by the workers of a ``dask.distributed`` cluster (a
local one by default, or an existing one given by its address), and every heavy stage runs
there with the in-memory functions on each partition:

1. **prepare**: :func:`rcu_kit.linkage.prepare.prepare_records` on each partition (the values
   it derives depend on the record only), kept in the workers' memory (spilled to disk when
   short).
2. **term frequencies**: the first record of each distinct person (last name, first name,
   locality) is found by one shuffle on that key; value counts over those people give each
   record's name and place frequencies, exactly as :func:`rcu_kit.linkage.pipeline.term_frequencies`.
3. **blocking**: each partition emits one row per record and exact pass with a usable key (a
   128-bit hash of the key's values; one row per alternative of an "any of" key), and one
   shuffle on the key puts every block in one partition, where
   :func:`rcu_kit.linkage.indexing.block_pairs` pairs it (or skips it when too large), as in
   memory. The sorted-neighbourhood passes sort their few key columns on the client.
4. **buckets of pairs**: the pairs each block gave are cut by the partitions of their two
   records (one bucket per pair of partitions, a second shuffle as tasks); each bucket unites
   its passes' pairs (which passes found each) and compares them with
   :func:`rcu_kit.linkage.compare.compare_pairs` on its two partitions (the records of a
   bucket across two partitions first recoded into one vocabulary per column, so that each
   per-value table is built once). The pairs and their levels stay on the worker. The
   partitions are as few as :func:`partition_count` allows (each bucket repeats the
   comparison's per-value work); with one a worker, the features of a bucket across two
   partitions are split in two halves compared one on each worker, and the random pairs
   wait for the comparisons instead of holding a worker while a comparison waits.
5. **model**: fitted on the client on the pipeline's fitting sample
   (:func:`rcu_kit.linkage.pipeline.fit_cut`: every pair up to five million, else a sample
   chosen by a hash of each pair, the same on either engine) and the random pairs.
6. **scoring and clustering**: each bucket is scored where it is; only the pairs to keep
   (``DedupSettings.keep_pairs``), the links and, once the links' components are known, the
   pairs known to be different people inside one component come back, which is all
   :func:`rcu_kit.linkage.pipeline.cluster_records` needs. Both engines give the same
   customers, pairs and scores.

The shuffles are tasks (each partition splits its rows by hash, each target gathers its pieces),
scheduled by Dask like every other task. Dask rebuilds the partitions of a lost worker from the
graph; each bucket of compared pairs can be written to disk and a stopped run resumed
(``stages``). No scheduler is written here. Limit: with ``keep_pairs = 0`` (the default, which
the review and the threshold table need) every pair still comes back for the pairs table; set
it (e.g. 0.5) to bring back only the plausible pairs (see bench/README.md).

Examples:
    >>> from rcu_kit.linkage.distributed import DaskEngine, deduplicate_on_dask  # doctest: +SKIP
    >>> with DaskEngine(workers=2) as engine:                                     # doctest: +SKIP
    ...     result = deduplicate_on_dask(records, engine=engine)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.linkage.compare import compare_pairs
from rcu_kit.linkage.indexing import (
    ExactBlockIndex,
    PassStats,
    SortedNeighbourhoodIndex,
    block_pairs,
    locate_pairs,
)
from rcu_kit.linkage.prepare import prepare_records, validate_records

__all__ = ["EngineSettings", "DaskEngine", "DaskRecords", "deduplicate_on_dask", "partition_count"]

# Two 64-bit hashes of a key make a 128-bit one: two different keys share it with a
# probability of about k^2 / 2^129 for k keys (never, in practice, at billions of keys).
_HASH_KEYS = ("rcu-kit-block-01", "rcu-kit-block-02")


# What the local cluster's worker processes are started with, over Dask's defaults
# (``distributed.nanny.pre-spawn-environ``; None: not set). Dask sets MALLOC_TRIM_THRESHOLD_ to
# 64 kB so that workers give freed memory back to the system at once; setting it also fixes
# glibc's mmap threshold at 128 kB, so every array over that size is mapped and unmapped afresh
# and its pages faulted in again: the pipeline's numpy and pandas work then takes 1.3 times as
# long (the memory engine at 1M: 38.4 s with it, 28.6 s without; bench/README.md). An
# explicit MALLOC_TRIM_THRESHOLD_ in the environment still reaches the workers.
LOCAL_WORKER_ENVIRON: dict[str, str | None] = {"MALLOC_TRIM_THRESHOLD_": None}


@dataclass
class EngineSettings:
    """Where and how the Dask engine runs (the ``dedup.engine`` section of an engagement).

    Attributes:
        name: ``memory``, ``dask``, or ``auto`` (Dask from ``dask_from`` records).
        scheduler: address of an existing Dask scheduler (``tcp://host:8786``); none starts a
            local cluster on this machine.
        workers: worker processes of the local cluster.
        threads_per_worker: threads of each local worker.
        memory_limit: memory per local worker (``"4GB"``, or ``"auto"``: the machine's memory
            shared between the workers); a worker spills to disk above 60 % of it.
        partition_records: records per partition at most; the partitions are also a multiple
            of the cluster's task slots (:func:`partition_count`).
        dask_from: from this many records ``auto`` chooses Dask.
    """

    name: str = "auto"
    scheduler: str | None = None
    workers: int = 2
    threads_per_worker: int = 1
    memory_limit: str = "auto"
    partition_records: int = 1_000_000
    dask_from: int = 5_000_000

    def __post_init__(self) -> None:
        if self.name not in ("memory", "dask", "auto"):
            raise ValueError(f"dedup engine: name must be memory, dask or auto, got {self.name!r}")
        if self.workers < 1 or self.threads_per_worker < 1 or self.partition_records < 1:
            raise ValueError("dedup engine: workers, threads_per_worker and partition_records "
                             "must be at least 1")

    def choose(self, n_records: int) -> tuple[str, str]:
        """The engine to run for ``n_records`` records and why (a reason code)."""
        if self.name != "auto":
            return self.name, "asked"
        if n_records >= self.dask_from:
            return "dask", "large"
        return "memory", "small"


class DaskEngine:
    """A Dask client: on an existing scheduler, or on a local cluster it starts and stops.

    Use it as a context manager; ``client`` is the ``dask.distributed.Client``.
    """

    def __init__(self, settings: EngineSettings | Mapping[str, Any] | None = None,
                 **overrides: Any) -> None:
        base = settings if isinstance(settings, EngineSettings) else \
            EngineSettings(**dict(settings or {}))
        values = {**base.__dict__, **{k: v for k, v in overrides.items() if v is not None}}
        self.settings = EngineSettings(**values)
        self.client = None
        self._cluster = None

    def __enter__(self) -> "DaskEngine":
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise ImportError("the Dask engine needs dask[distributed]: "
                              "pip install 'dask[dataframe,distributed]'") from exc
        import dask

        s = self.settings
        if s.scheduler:
            self.client = Client(s.scheduler)
        else:
            # glibc's own heap tuning in the workers (LOCAL_WORKER_ENVIRON)
            with dask.config.set({f"distributed.nanny.pre-spawn-environ.{k}": v
                                  for k, v in LOCAL_WORKER_ENVIRON.items()}):
                self._cluster = LocalCluster(n_workers=s.workers,
                                             threads_per_worker=s.threads_per_worker,
                                             memory_limit=s.memory_limit, processes=True,
                                             # loopback only; the status page on a free port
                                             host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                             silence_logs=logging.ERROR)
            self.client = Client(self._cluster)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
        self.client = self._cluster = None

    def partitions(self, n_records: int) -> int:
        """How many partitions ``n_records`` records are cut into on this cluster
        (:func:`partition_count` with the cluster's task slots)."""
        return partition_count(n_records, self.settings.partition_records, task_slots(self.client))

    def describe(self) -> str:
        """One line: where the engine runs (for the command's output)."""
        s = self.settings
        if s.scheduler:
            n = len(self.client.scheduler_info().get("workers", {})) if self.client else 0
            return f"Dask cluster at {s.scheduler} ({n} worker{'s' if n != 1 else ''})"
        return (f"local Dask cluster: {s.workers} worker process{'es' if s.workers != 1 else ''} "
                f"x {s.threads_per_worker} thread{'s' if s.threads_per_worker != 1 else ''}, "
                f"memory limit {s.memory_limit} each")


def task_slots(client: Any) -> int:
    """The tasks a cluster runs at once (its workers' threads), at least 1."""
    return max(1, sum(client.nthreads().values()))


def partition_count(n_records: int, partition_records: int, slots: int = 1) -> int:
    """The partitions ``n_records`` records are cut into: at most ``partition_records`` records
    each, and a multiple of ``slots`` (the tasks the cluster runs at once), so that every slot
    holds as many partitions. Few partitions matter: the blocks' pairs are cut by pair of
    partitions, and each such bucket repeats the per-value work of the comparison (name tables,
    string lengths) for the values it meets; on small data each slot then holds one partition.
    That work grows with the records times the partitions: 10M scale-up records on two 8 GB
    workers took 1,190 s in 20 partitions of 500,000, 931 s in 10 of 1,000,000 and 921 s in 6
    of 1,666,667 (the same customers), hence :class:`EngineSettings`' 1,000,000.

    Examples:
        >>> partition_count(1_000_000, 500_000, slots=2), partition_count(3_000_000, 500_000, 2)
        (2, 6)
        >>> partition_count(1_500, 400, slots=2), partition_count(12, 4, slots=1)
        (4, 3)
        >>> [partition_count(n, EngineSettings().partition_records, slots=2)
        ...  for n in (1_000_000, 3_000_000, 5_000_000, 10_000_000)]
        [2, 4, 6, 10]
    """
    slots = max(1, int(slots))
    per_round = slots * max(1, int(partition_records))
    return max(1, min(max(int(n_records), 1), slots * -(-int(n_records) // per_round)))


# -- functions run on the workers, one partition at a time ---------------------------------------

def _ids(records: pd.DataFrame) -> pd.DataFrame:
    return records[["source", "record_id"]].reset_index(drop=True)


def _prepare_part(records: pd.DataFrame) -> pd.DataFrame:
    """A partition's prepared records without their ids: the client keeps those (:func:`_ids`)
    and no task reads them. As Python strings they took 0.11 of the 0.91 s a partition of
    500,000 records took to pickle (to move it to another worker, or to spill it)."""
    return prepare_records(records.reset_index(drop=True)).drop(columns=["record_id"])


def _values(prepared: pd.DataFrame, column: str) -> np.ndarray:
    """The values of a prepared column as objects (None where missing)."""
    values = prepared[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = np.append(np.asarray(values.cat.categories, dtype=object), None)
        return cats[values.cat.codes.to_numpy()]
    return values.astype(object).where(values.notna(), None).to_numpy()


def _people_heads(prepared: pd.DataFrame, offset: int, distinct_on: Sequence[str],
                  columns: Sequence[str]) -> pd.DataFrame:
    """The first record of each distinct person in this partition (see term_frequencies)."""
    parts = {c: _values(prepared, c) for c in dict.fromkeys([*distinct_on, *columns])
             if c in prepared.columns}
    frame = pd.DataFrame(parts)
    person = pd.util.hash_pandas_object(frame[[c for c in distinct_on if c in frame]].fillna("\0"),
                                        index=False).to_numpy()
    first = ~pd.Series(person).duplicated().to_numpy()
    out = pd.DataFrame({"_person": person[first],
                        "_row": offset + np.flatnonzero(first).astype(np.int64)})
    for c in columns:
        out[c] = pd.array(frame[c].to_numpy()[first] if c in frame else [None] * int(first.sum()),
                          dtype="string")
    return out


def _split_heads(prepared: pd.DataFrame, offset: int, distinct_on: Sequence[str],
                 columns: Sequence[str], buckets: int) -> list[pd.DataFrame]:
    """:func:`_people_heads` split into ``buckets`` pieces by person."""
    heads = _people_heads(prepared, offset, distinct_on, columns)
    return _by_bucket(heads, heads["_person"].to_numpy(), buckets)


def _by_bucket(frame: pd.DataFrame, hashes: np.ndarray, buckets: int) -> list[pd.DataFrame]:
    """``frame`` cut into ``buckets`` pieces by a 64-bit hash of each row (rows of one key go
    to one piece), each piece in the frame's order: one side of a shuffle as tasks."""
    bucket = np.asarray(hashes).view(np.uint64) % np.uint64(buckets)
    if buckets < 2 ** 15:
        bucket = bucket.astype(np.int16)        # a stable sort of small integers is a radix sort
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(buckets + 1, dtype=bucket.dtype))
    return [frame.iloc[order[a:b]].reset_index(drop=True) for a, b in zip(bounds[:-1], bounds[1:])]


def _piece(pieces: list[pd.DataFrame], j: int) -> pd.DataFrame:
    return pieces[j]


def _count_people(pieces: list[pd.DataFrame], columns: Sequence[str]) -> dict[str, pd.Series]:
    """Value counts of ``columns`` over the distinct people of one bucket (the first record of
    each, in row order)."""
    people = pd.concat(pieces, ignore_index=True).sort_values("_row", kind="stable") \
        .drop_duplicates("_person")
    return {c: people[c].value_counts() for c in columns}


def _row_frequencies(prepared: pd.DataFrame, counts: Mapping[str, pd.Series],
                     totals: Mapping[str, int]) -> dict[str, np.ndarray]:
    """Each record's frequency of its value of each column among the distinct people."""
    out = {}
    for column, count in counts.items():
        values = pd.Series(_values(prepared, column), dtype=object)
        freq = values.map(count).astype(float).fillna(0.0).to_numpy() / max(totals[column], 1)
        freq[values.isna().to_numpy()] = np.nan
        out[column] = freq
    return out


def _exact_specs(index_algorithms: Sequence[Any]) -> list[tuple[int, list[list[str]], int | None]]:
    """(pass index, key elements as lists of alternative columns, block cap) of each exact pass."""
    specs = []
    for k, algorithm in enumerate(index_algorithms):
        if isinstance(algorithm, ExactBlockIndex):
            elements = [[c] if isinstance(c, str) else list(c) for c in algorithm.on]
            specs.append((k, elements, algorithm.max_block_size))
    return specs


def _value_hashes(prepared: pd.DataFrame, column: str, hash_key: str) -> np.ndarray:
    """A 64-bit hash of each record's value of ``column`` (0 where missing), computed once per
    distinct value: it depends on the value only, so it is the same in every partition."""
    if column not in prepared.columns:
        return np.zeros(len(prepared), dtype=np.uint64)
    values = prepared[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        # the categories are distinct: hashed as they are (``categorize`` would factorize
        # them first, for the same hashes)
        table = pd.util.hash_array(np.asarray(values.cat.categories, dtype=object),
                                   hash_key=hash_key, categorize=False)
        table = np.append(np.where(table == 0, np.uint64(1), table), np.uint64(0))
        return table[values.cat.codes.to_numpy()]          # code -1 (missing) -> 0
    objects = _values(prepared, column)
    hashed = pd.util.hash_array(objects.astype(str), hash_key=hash_key)
    hashed[hashed == 0] = 1
    return np.where(pd.isna(objects), np.uint64(0), hashed)


# Mixing of the elements' hashes into a key's (a polynomial in 64-bit arithmetic, wrapping).
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _pass_keys(prepared: pd.DataFrame, offset: int,
               specs: Sequence[tuple[int, list[list[str]], int | None]]
               ) -> tuple[dict[str, np.ndarray], dict[int, int]]:
    """One row per (record, exact pass, alternative) with a full key: its 128-bit hash, as
    columns (``_pass``, ``_h1``, ``_h2``, ``_row``, ``_alt``) of one length. Plain arrays, not
    a frame: building, cutting and shipping them skips pandas' block copies.

    ``_alt`` numbers the alternatives as the in-memory index explodes them (the first "any of"
    element varies fastest), so ``_alt * n + row`` is the record's exploded position there.
    Also returns the records keyed per pass (a record keyed by two alternatives counts once).
    """
    n = len(prepared)
    frames, keyed = [], {}
    cache: dict[tuple[str, str], np.ndarray] = {}

    def hashes(column: str, hash_key: str) -> np.ndarray:
        if (column, hash_key) not in cache:
            cache[column, hash_key] = _value_hashes(prepared, column, hash_key)
        return cache[column, hash_key]

    for k, elements, _ in specs:
        choices: list[tuple[int, list[str]]] = [(0, [])]
        radix = 1
        for alternatives in elements:
            choices = [(alt + radix * j, chosen + [c])
                       for j, c in enumerate(alternatives) for alt, chosen in choices]
            if len(alternatives) > 1:
                radix *= len(alternatives)
        any_row = np.zeros(n, dtype=bool)
        for alt, columns in choices:
            usable = np.ones(n, dtype=bool)
            for c in columns:
                usable &= hashes(c, _HASH_KEYS[0]) != 0
            if not usable.any():
                continue
            any_row |= usable
            pair = []
            for hash_key in _HASH_KEYS:
                h = np.zeros(int(usable.sum()), dtype=np.uint64)
                with np.errstate(over="ignore"):
                    for c in columns:
                        h = h * _MIX + hashes(c, hash_key)[usable]
                pair.append(h.view(np.int64))
            frames.append((np.full(len(pair[0]), k, dtype=np.int16), pair[0], pair[1],
                           offset + np.flatnonzero(usable).astype(np.int64),
                           np.full(len(pair[0]), alt, dtype=np.int32)))
        keyed[k] = int(any_row.sum())
    if not frames:
        return _empty_keys(), keyed
    return {name: np.concatenate([f[i] for f in frames]) for i, name in
            enumerate(_KEY_COLUMNS)}, keyed


def _split_keys(prepared: pd.DataFrame, offset: int,
                specs: Sequence[tuple[int, list[list[str]], int | None]], buckets: int
                ) -> tuple[list[dict[str, np.ndarray]], dict[int, int]]:
    """:func:`_pass_keys` split into ``buckets`` pieces by key hash (every record of a block,
    whatever its partition, goes to the same piece number), and the records keyed per pass."""
    keys, keyed = _pass_keys(prepared, offset, specs)
    bucket = keys["_h1"].view(np.uint64) % np.uint64(buckets)
    if buckets < 2 ** 15:
        bucket = bucket.astype(np.int16)        # a stable sort of small integers is a radix sort
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(buckets + 1, dtype=bucket.dtype))
    return [{name: values[order[a:b]] for name, values in keys.items()}
            for a, b in pairwise(bounds)], keyed


def _block_pieces(pieces: list[dict[str, np.ndarray]], n_records: int, n_passes: int,
                  caps: Mapping[int, int | None], sample_passes: Sequence[int]) -> "_BlockResult":
    """The blocks of one bucket, from its piece of every partition."""
    return _block_part({name: np.concatenate([p[name] for p in pieces]) for name in _KEY_COLUMNS},
                       n_records, n_passes, caps, sample_passes)


_KEY_COLUMNS = ("_pass", "_h1", "_h2", "_row", "_alt")


def _empty_keys() -> dict[str, np.ndarray]:
    return {"_pass": np.zeros(0, np.int16), "_h1": np.zeros(0, np.int64),
            "_h2": np.zeros(0, np.int64), "_row": np.zeros(0, np.int64),
            "_alt": np.zeros(0, np.int32)}


@dataclass
class _BlockResult:
    """What one shuffled partition of keys gave: pair keys and per-pass counts."""

    keys: np.ndarray
    info: dict[int, dict[str, Any]] = field(default_factory=dict)


def _key_codes(h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
    """One code per distinct 128-bit key ``(h1, h2)`` of one pass, by a hash table on ``h1``
    (no sort). Two keys sharing ``h1`` but not ``h2`` (never seen: 64-bit hashes) are told
    apart by a second table on the pair."""
    codes, _ = pd.factorize(h1)
    representative = np.empty(int(codes.max(initial=-1)) + 1, dtype=h2.dtype)
    representative[codes] = h2
    if (representative[codes] != h2).any():
        codes = pd.MultiIndex.from_arrays([h1, h2]).factorize()[0]
    return codes.astype(np.int64)


# Skipped blocks of each pass kept with their members (for the skipped-match sample and the
# report's largest skipped keys).
def _block_part(keys: Mapping[str, np.ndarray], n_records: int, n_passes: int,
                caps: Mapping[int, int | None], sample_passes: Sequence[int]) -> _BlockResult:
    """Pair the blocks of one partition of keys, pass by pass, as the in-memory index does.

    A block's pairs do not depend on the order its members come in (each pair is put later
    record first, and the passes' pairs are united after), so the keys are grouped by a hash
    table, not sorted; only the members of skipped blocks are listed in exploded order
    (alternative, then row: the order the in-memory index meets them in)."""
    out, info = [], {}
    if not len(keys["_pass"]):
        return _BlockResult(np.zeros(0, np.int64), info)
    passes = keys["_pass"].astype(np.int16)
    order = np.argsort(passes, kind="stable")          # a radix sort of small integers
    bounds = np.flatnonzero(np.r_[True, passes[order][1:] != passes[order][:-1], True])
    for a0, b0 in zip(bounds[:-1], bounds[1:]):
        at = order[a0:b0]
        k = int(passes[at[0]])
        codes = _key_codes(keys["_h1"][at], keys["_h2"][at])
        a, b, stats = block_pairs(codes, caps[k])
        rows = keys["_row"][at]
        first, second = rows[a], rows[b]
        first, second = np.maximum(first, second), np.minimum(first, second)
        keep = first != second
        pair = first[keep] * n_records + second[keep]
        out.append(pair * n_passes + k)
        members = []
        if stats["skipped_codes"]:
            skipped = np.array(sorted(stats["skipped_codes"]), dtype=np.int64)
            inside = np.flatnonzero(np.isin(codes, skipped))
            exploded = keys["_alt"][at[inside]].astype(np.int64) * n_records + rows[inside]
            by_block = np.lexsort((exploded, codes[inside]))
            members = np.split(exploded[by_block],
                               np.cumsum([stats["skipped_codes"][c] for c in skipped])[:-1])
        info[k] = {"blocks": stats["blocks"], "skipped_blocks": stats["skipped_blocks"],
                   "skipped_records": stats["skipped_records"],
                   "largest_block": stats["largest_block"],
                   # every skipped block of a pass sampled for skipped matches; the 20
                   # largest of the others (the report names them)
                   "skipped_members": members if k in sample_passes else
                   sorted(members, key=lambda m: (-len(m), int(m[0])))[:20]}
    keys_out = np.concatenate(out) if out else np.zeros(0, np.int64)
    return _BlockResult(keys_out, info)


def _key_values(prepared: pd.DataFrame, row: int, elements: Sequence[Sequence[str]],
                alt: int) -> tuple[Any, ...]:
    """The key of one record under one alternative (``_alt`` of :func:`_pass_keys`)."""
    values = []
    for alternatives in elements:
        j = alt % len(alternatives) if len(alternatives) > 1 else 0
        if len(alternatives) > 1:
            alt //= len(alternatives)
        values.append(_values(prepared.iloc[[row]], alternatives[j])[0])
    return tuple(values)


def _keys_of(prepared: pd.DataFrame, asks: Sequence[tuple[int, Any, int]]
             ) -> list[tuple[Any, ...]]:
    """:func:`_key_values` of several (row, key elements, alternative) of one partition."""
    return [_key_values(prepared, row, elements, alt) for row, elements, alt in asks]


def _sorted_columns(prepared: pd.DataFrame, offset: int, columns: Sequence[str]) -> pd.DataFrame:
    """The sort columns of the records whose first sort column is filled."""
    first = _values(prepared, columns[0])
    keep = np.flatnonzero(pd.notna(first))
    out = pd.DataFrame({c: pd.array(_values(prepared, c)[keep], dtype="string")
                        for c in columns})
    out.index = offset + keep.astype(np.int64)
    return out


# -- the pairs kept where they are compared: one bucket per pair of partitions --------------------

@dataclass
class _Bucket:
    """The candidate pairs whose earlier record is in partition ``a`` and later in ``b``
    (``a <= b``), with their comparison levels, held by the worker that compared them. The
    rows are kept within their partitions (32 bits) and the pass masks in 16 bits where they
    fit: about 21 bytes a pair with the nine default levels."""

    first_local: np.ndarray           # rows in partition a of each pair's earlier record
    second_local: np.ndarray          # rows in partition b of its later record
    offset_a: int
    offset_b: int
    found_by: np.ndarray
    passes: np.ndarray | None
    levels: pd.DataFrame | None       # None until compared
    pass_pairs: np.ndarray            # distinct pairs each pass gave (before link_only)
    new_pairs: np.ndarray             # pairs each pass found first (before link_only)
    resumed: bool = False

    @property
    def first(self) -> np.ndarray:
        """Global rows of the pairs' earlier records."""
        return self.first_local.astype(np.int64) + self.offset_a

    @property
    def second(self) -> np.ndarray:
        """Global rows of the pairs' later records."""
        return self.second_local.astype(np.int64) + self.offset_b


def _compact_bucket(first: np.ndarray, second: np.ndarray, offset_a: int, offset_b: int,
                    found_by: np.ndarray, passes: np.ndarray | None, levels: pd.DataFrame | None,
                    pass_pairs: np.ndarray, new_pairs: np.ndarray, resumed: bool = False
                    ) -> _Bucket:
    if passes is not None and passes.max(initial=0) < 2 ** 15:
        passes = passes.astype(np.int16)
    return _Bucket(np.asarray(first - offset_a, dtype=np.int32),
                   np.asarray(second - offset_b, dtype=np.int32), offset_a, offset_b,
                   np.asarray(found_by, dtype=np.int16), passes, levels, pass_pairs, new_pairs,
                   resumed)


def _pair_buckets_of(keys: np.ndarray, offsets: np.ndarray, n: int, n_passes: int
                     ) -> dict[int, np.ndarray]:
    """Pair keys ``(later * n + earlier) * n_passes + pass`` split by the bucket
    ``a * partitions + b`` of their earlier and later records' partitions."""
    parts = len(offsets) - 1
    code = keys // n_passes
    a = np.searchsorted(offsets, code % n, side="right") - 1
    b = np.searchsorted(offsets, code // n, side="right") - 1
    bucket = a * parts + b
    order = np.argsort(bucket, kind="stable")
    bucket = bucket[order]
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]]) if len(bucket) else \
        np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(bucket)].astype(np.int64)
    return {int(bucket[s]): keys[order[s:e]] for s, e in zip(starts, ends)}


def _split_block_result(result: _BlockResult, offsets: np.ndarray, n: int, n_passes: int
                        ) -> dict[int, np.ndarray]:
    return _pair_buckets_of(result.keys, offsets, n, n_passes)


def _bucket_ids(split: Mapping[int, np.ndarray]) -> list[int]:
    return list(split)


def _pick(split: Mapping[int, np.ndarray], bucket: int) -> np.ndarray:
    return split[bucket]


def _unite_bucket(pieces: list[np.ndarray], offset_a: int, offset_b: int, n: int,
                  n_passes: int, groups: np.ndarray | None, stage_file: str | None) -> _Bucket:
    """Unite the pass keys of one bucket (its levels still to compare), or read the whole
    bucket, levels included, from ``stage_file`` when a stopped run wrote it."""
    from pathlib import Path

    from rcu_kit.linkage.indexing import unite_pass_keys

    if stage_file and Path(stage_file).exists():
        with np.load(stage_file, allow_pickle=False) as saved:
            columns = [str(c) for c in saved["columns"]]
            levels = pd.DataFrame({c: saved[f"level_{i}"] for i, c in enumerate(columns)})
            passes = saved["passes"] if "passes" in saved.files else None
            return _compact_bucket(saved["first"], saved["second"], offset_a, offset_b,
                                   saved["found_by"], passes, levels, saved["pass_pairs"],
                                   saved["new_pairs"], resumed=True)
    later, earlier, found_by, passes, pass_pairs = unite_pass_keys(pieces, n_passes, n)
    first, second = earlier, later
    new_pairs = np.bincount(found_by, minlength=n_passes)
    if groups is not None:
        keep = groups[first] != groups[second]
        first, second, found_by = first[keep], second[keep], found_by[keep]
        passes = None if passes is None else passes[keep]
    return _compact_bucket(first, second, offset_a, offset_b, found_by, passes, None,
                           pass_pairs, new_pairs)


def _take_rows(prepared: pd.DataFrame, rows: np.ndarray, columns: Sequence[str] | None = None
               ) -> tuple[np.ndarray, pd.DataFrame]:
    """The prepared records at the (sorted, distinct) ``rows`` of a partition, with their
    rows: what a comparison on another worker needs of this partition, instead of all of it
    (``columns``: only those the comparison reads, half the bytes to ship)."""
    frame = prepared if columns is None else \
        prepared[[c for c in columns if c in prepared.columns]]
    return rows, frame.iloc[rows].reset_index(drop=True)


def _later_rows(prepared: pd.DataFrame, bucket: _Bucket, columns: Sequence[str] | None = None
                ) -> tuple[np.ndarray, pd.DataFrame] | None:
    """:func:`_take_rows` of the later records of a bucket still to compare."""
    if bucket.levels is not None:
        return None
    return _take_rows(prepared, _distinct_rows(bucket.second_local)[0], columns)


def _earlier_rows(prepared: pd.DataFrame, bucket: _Bucket, columns: Sequence[str] | None = None
                  ) -> tuple[np.ndarray, pd.DataFrame] | None:
    """:func:`_take_rows` of the earlier records of a bucket still to compare."""
    if bucket.levels is not None:
        return None
    return _take_rows(prepared, _distinct_rows(bucket.first_local)[0], columns)


def _side(records: pd.DataFrame | tuple[np.ndarray, pd.DataFrame], local: np.ndarray
          ) -> tuple[pd.DataFrame, np.ndarray]:
    """A frame and the positions in it of the partition rows ``local``: a whole partition, or
    its rows taken by :func:`_take_rows`."""
    if isinstance(records, tuple):
        rows, frame = records
        if not len(rows):
            return frame, np.zeros(0, np.int64)
        where = np.empty(int(rows[-1]) + 1, dtype=np.int64)    # a table, not a search: O(n)
        where[rows] = np.arange(len(rows))
        return frame, where[local]
    return records, local


def _distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(rows, return_inverse=True)`` of rows within a partition (small non-negative
    integers), by a table over the rows rather than a sort of the millions of pairs."""
    if not len(rows):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    present = np.zeros(int(rows.max()) + 1, dtype=bool)
    present[rows] = True
    distinct = np.flatnonzero(present)
    where = np.empty(len(present), dtype=np.int64)
    where[distinct] = np.arange(len(distinct))
    return distinct, where[rows]


# Pairs inside one partition fewer than its rows divided by this are compared on the values
# they use (:func:`_one_vocabulary`): 8,000 random pairs in a partition of 500,000 records took
# 0.72 s on its whole vocabularies (the e-mails' and phones' per-value tables, built again in
# every task) and 0.17 s on theirs.
FEW_PAIRS = 4


def _compare_local(left: pd.DataFrame | tuple[np.ndarray, pd.DataFrame],
                   right: pd.DataFrame | tuple[np.ndarray, pd.DataFrame] | None,
                   first: np.ndarray, second: np.ndarray, features: Sequence[Any],
                   workers: int = 1) -> pd.DataFrame:
    """Levels of pairs of rows ``first`` of partition ``left`` and ``second`` of partition
    ``right`` (None: ``left`` itself), each given whole or by its needed rows (from
    :func:`_take_rows`); the features computed on ``workers`` threads."""
    taken = isinstance(left, tuple)
    left_frame, first = _side(left, first)
    if right is None:
        if not taken and len(first) * FEW_PAIRS >= len(left_frame):
            return compare_pairs(left_frame, first, second, features, workers=workers)
        # few pairs (random pairs, samples), or rows taken for them: compared on the values
        # they use, as pairs across two partitions are, not on per-value tables of the whole
        # partition's vocabularies
        right_frame, second = _side(left, second)
    else:
        right_frame, second = _side(right, second)
    left_frame, first, right_frame, second = _one_vocabulary(left_frame, first, right_frame,
                                                             second, features)
    return compare_pairs(left_frame, first, second, features, records_link=right_frame,
                         workers=workers)


def _feature_columns(features: Sequence[Any]) -> list[str]:
    """The columns the features read, on either side, each once."""
    columns: list[str] = []
    for f in features:
        for labels in (f.labels_left, f.labels_right):
            columns.extend([labels] if isinstance(labels, str) else list(labels))
    return list(dict.fromkeys(columns))


def _distinct_categories(values: pd.Index) -> pd.CategoricalDtype:
    """The categorical type of ``values`` already known distinct (a ``factorize``'s uniques),
    without pandas checking them again (the check hashes every value: 0.37 of the 1.2 s that
    :func:`_one_vocabulary` took for a bucket of 3M pairs across two partitions of 500,000
    records). ``Categorical.from_codes`` checks the categories of the type it is given once;
    the index then keeps the answer, given here."""
    cache = getattr(values, "_cache", None)         # where pandas keeps ``Index.is_unique``
    if isinstance(cache, dict):
        cache["is_unique"] = True
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)    # pandas < 3's own shortcut
    return fast(values, False) if fast is not None else pd.CategoricalDtype(values)


def _one_vocabulary(left: pd.DataFrame, first: np.ndarray, right: pd.DataFrame,
                    second: np.ndarray, features: Sequence[Any]
                    ) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
    """The records of the pairs ``(first, second)`` across two partitions (each partition has
    its own vocabularies), with the columns the features read recoded into one vocabulary per
    column shared by both sides: the values these pairs use, the left side's first. The
    comparison then reads codes of one vocabulary (``compare``'s ``_unify`` takes its fast
    path) and builds each per-value table once, instead of uniting the two vocabularies again
    for every feature and every chunk of pairs. Columns sharing a vocabulary on both sides
    (``last_name`` and ``birth_name``) keep sharing one. The levels do not depend on the
    vocabulary, only on the values."""
    left_rows, first = _distinct_rows(first)
    right_rows, second = _distinct_rows(second)
    columns = [c for c in _feature_columns(features) if c in left.columns and c in right.columns]
    out_left: dict[str, Any] = {}
    out_right: dict[str, Any] = {}
    groups: list[tuple[pd.Index, pd.Index, list[str]]] = []
    for c in columns:
        kinds = (left[c].dtype, right[c].dtype)
        if not all(isinstance(k, pd.CategoricalDtype) for k in kinds):
            out_left[c] = left[c].take(left_rows).reset_index(drop=True)
            out_right[c] = right[c].take(right_rows).reset_index(drop=True)
            continue
        cats = (kinds[0].categories, kinds[1].categories)
        for group in groups:
            if all(x is y or (len(x) == len(y) and x.equals(y)) for x, y in zip(group, cats)):
                group[2].append(c)
                break
        else:
            groups.append((cats[0], cats[1], [c]))

    def used(codes: list[np.ndarray], size: int) -> np.ndarray:
        """The codes in use, ascending (a count per code: no sort)."""
        return np.flatnonzero(np.bincount(np.concatenate(codes) + 1, minlength=size + 1)[1:])

    for cats_left, cats_right, names in groups:
        # the codes of the rows these pairs use, taken straight from the categoricals
        codes_left = [np.asarray(left[c].array.codes)[left_rows] for c in names]
        codes_right = [np.asarray(right[c].array.codes)[right_rows] for c in names]
        used_left = used(codes_left, len(cats_left))
        used_right = used(codes_right, len(cats_right))
        # one hash of both sides' values: the left's (distinct) keep their order, then the
        # right's not on the left
        position, vocabulary = cats_left[used_left].append(cats_right[used_right]).factorize()
        position = position[len(used_left):]
        dtype = _distinct_categories(vocabulary)
        remap_left = np.full(len(cats_left) + 1, -1, dtype=np.int64)    # -1 (missing) stays
        remap_left[used_left] = np.arange(len(used_left))
        remap_right = np.full(len(cats_right) + 1, -1, dtype=np.int64)
        remap_right[used_right] = position
        for c, codes in zip(names, codes_left):
            out_left[c] = pd.Series(pd.Categorical.from_codes(remap_left[codes], dtype=dtype,
                                                              validate=False))
        for c, codes in zip(names, codes_right):
            out_right[c] = pd.Series(pd.Categorical.from_codes(remap_right[codes], dtype=dtype,
                                                               validate=False))
    out_left = {c: out_left[c] for c in columns}
    out_right = {c: out_right[c] for c in columns}
    return pd.DataFrame(out_left), first, pd.DataFrame(out_right), second


def _nothing(value: Any) -> None:
    """None, once ``value`` is computed: a marker to wait for a task without its result."""


def _compare_after(left: pd.DataFrame | tuple[np.ndarray, pd.DataFrame],
                   right: pd.DataFrame | tuple[np.ndarray, pd.DataFrame] | None,
                   first: np.ndarray, second: np.ndarray, features: Sequence[Any],
                   workers: int = 1, after: Any = None) -> pd.DataFrame:
    """:func:`_compare_local` run after the tasks ``after`` (their results unused)."""
    return _compare_local(left, right, first, second, features, workers)


def _compare_half(left: pd.DataFrame | tuple[np.ndarray, pd.DataFrame],
                  right: pd.DataFrame | tuple[np.ndarray, pd.DataFrame],
                  first: np.ndarray, second: np.ndarray, features: Sequence[Any],
                  positions: Sequence[int], workers: int = 1, after: Any = None) -> pd.DataFrame:
    """:func:`_compare_local` of the features at ``positions`` for pairs across two
    partitions, run after the tasks ``after`` (their results unused)."""
    return _compare_local(left, right, first, second, [features[k] for k in positions], workers)


def _join_levels(parts: Sequence[pd.DataFrame], labels: Sequence[str]) -> pd.DataFrame:
    """The levels two halves of the features gave, in the features' order."""
    return pd.concat(list(parts), axis=1)[list(labels)]


def _cost_halves(features: Sequence[Any]) -> tuple[list[int], list[int]]:
    """The features' positions in two groups of about equal cost (``cost``: relative time a
    pair), dearest first: each is compared on one side of a bucket across two partitions."""
    groups: tuple[list[int], list[int]] = ([], [])
    loads = [0.0, 0.0]
    for k in sorted(range(len(features)), key=lambda k: -getattr(features[k], "cost", 1.0)):
        side = int(loads[1] < loads[0])
        groups[side].append(k)
        loads[side] += getattr(features[k], "cost", 1.0)
    return sorted(groups[0]), sorted(groups[1])


def _compare_features(left: pd.DataFrame | tuple[np.ndarray, pd.DataFrame] | None,
                      right: pd.DataFrame | tuple[np.ndarray, pd.DataFrame] | None,
                      bucket: _Bucket, features: Sequence[Any], positions: Sequence[int],
                      workers: int = 1) -> pd.DataFrame | None:
    """The levels of the features at ``positions`` for a bucket across two partitions, its
    earlier records ``left`` and later ones ``right`` each given whole (where that partition
    lives) or by their rows; None when the bucket was read compared from a stopped run's
    stage."""
    if bucket.levels is not None:
        return None
    return _compare_local(left, right, bucket.first_local, bucket.second_local,
                          [features[k] for k in positions], workers)


def _compare_bucket_pairs(left: pd.DataFrame, bucket: _Bucket,
                          right: tuple[np.ndarray, pd.DataFrame] | None,
                          features: Sequence[Any], stage_file: str | None,
                          workers: int = 1, after: Any = None) -> _Bucket:
    """Compare a bucket's pairs (``left``: partition a; ``right``: the needed rows of
    partition b, None when a == b) and write the bucket to ``stage_file`` when given
    (``after``: tasks to wait for, unused)."""
    if bucket.levels is not None:                      # read from a stopped run's stage
        return bucket
    return _store_bucket(bucket, _compare_local(left, right, bucket.first_local,
                                                bucket.second_local, features, workers),
                         stage_file)


def _join_bucket(bucket: _Bucket, parts: Sequence[pd.DataFrame | None], labels: Sequence[str],
                 stage_file: str | None) -> _Bucket:
    """A bucket with the levels its features gave in parts (:func:`_compare_features`), in the
    features' order, written to ``stage_file`` when given."""
    if bucket.levels is not None:
        return bucket
    return _store_bucket(bucket, _join_levels(parts, labels), stage_file)


def _store_bucket(bucket: _Bucket, levels: pd.DataFrame, stage_file: str | None) -> _Bucket:
    """``bucket`` with its ``levels``, and written to ``stage_file`` when given."""
    import os
    from pathlib import Path

    bucket = replace(bucket, levels=levels)
    if stage_file:
        arrays = {"first": bucket.first, "second": bucket.second, "found_by": bucket.found_by,
                  "pass_pairs": bucket.pass_pairs, "new_pairs": bucket.new_pairs,
                  "columns": np.array(list(levels.columns), dtype=str),
                  **{f"level_{i}": levels[c].to_numpy() for i, c in enumerate(levels.columns)}}
        if bucket.passes is not None:
            arrays["passes"] = bucket.passes
        Path(stage_file).parent.mkdir(parents=True, exist_ok=True)
        partial = f"{stage_file}.{os.getpid()}.partial.npz"
        np.savez(partial, **arrays)
        os.replace(partial, stage_file)             # a stopped run leaves no half file
    return bucket


def _bucket_summary(bucket: _Bucket) -> dict[str, Any]:
    return {"pairs": len(bucket.first_local), "pass_pairs": bucket.pass_pairs,
            "new_pairs": bucket.new_pairs, "resumed": bucket.resumed}


def _bucket_sample(bucket: _Bucket, n: int, seed: int, cut: Any, u_first: np.ndarray,
                   u_second: np.ndarray, q_first: np.ndarray, q_second: np.ndarray
                   ) -> dict[str, Any]:
    """The bucket's pairs in the fitting sample (:func:`rcu_kit.linkage.pipeline.in_fit_sample`);
    for the random pairs given, which are candidates and their place in that sample (-1: a
    candidate outside it); and which of the other pairs asked (``q_``) are candidates."""
    from rcu_kit.linkage.pipeline import fit_positions, in_fit_sample

    first, second = bucket.first, bucket.second
    fitted = in_fit_sample(first, second, n, seed, cut)
    position = locate_pairs(first, second, u_first, u_second, n)
    hit = position >= 0
    in_sample = np.full(len(position), -1, dtype=np.int64)
    inside = hit.copy()
    inside[hit] = fitted[position[hit]]
    in_sample[inside] = fit_positions(fitted, position[inside])
    asked = locate_pairs(first, second, q_first, q_second, n) >= 0
    return {"first": first[fitted], "found_by": bucket.found_by[fitted], "q_hit": asked,
            "passes": None if bucket.passes is None else bucket.passes[fitted],
            "levels": bucket.levels[fitted].reset_index(drop=True),
            "u_hit": hit, "u_in_sample": in_sample}


@dataclass
class _Scored:
    """A bucket's scores kept on its worker: the pairs known to be different people (vetoed,
    or below the conflict probability), for the clustering's cannot-links."""

    first: np.ndarray
    second: np.ndarray
    probability: np.ndarray
    rules: np.ndarray


def _bucket_score(bucket: _Bucket, model: Any, frequencies: Mapping[str, np.ndarray],
                  settings: Any) -> tuple[_Scored, dict[str, Any]]:
    """Score a bucket's pairs (``frequencies``: those of partition a's records): the
    known-different pairs stay on the worker; the pairs to keep (``settings.keep_pairs``) and
    the links (``settings.threshold``) go back."""
    from rcu_kit.linkage.pipeline import tf_vectors

    vectors = bucket.levels.copy()
    if settings.tf_adjustment and len(vectors):
        for column, tf in tf_vectors(frequencies, bucket.first_local, bucket.levels).items():
            vectors[column] = tf
    probability = model.prob(vectors).to_numpy() if len(vectors) else np.zeros(0)
    rules = model.rule_codes(bucket.levels) if len(vectors) else np.zeros(0, np.int8)
    different = (rules > 0) | (probability < settings.conflict_probability)
    first, second = bucket.first, bucket.second
    scored = _Scored(first[different], second[different], probability[different],
                     rules[different])
    kept = probability >= settings.keep_pairs
    link = probability >= settings.threshold
    out = {"kept": {"first": first[kept], "second": second[kept],
                    "levels": bucket.levels[kept].reset_index(drop=True),
                    "probability": probability[kept], "rules": rules[kept],
                    "found_by": bucket.found_by[kept]},
           "links": (first[link], second[link], probability[link], rules[link])}
    return scored, out


def _first_item(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _second_item(pair: tuple[Any, Any]) -> Any:
    return pair[1]


def _bucket_conflicts(scored: _Scored, labels: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The known-different pairs inside one component of the links."""
    inside = labels[scored.first] == labels[scored.second]
    return (scored.first[inside], scored.second[inside], scored.probability[inside],
            scored.rules[inside])



# -- the client side ------------------------------------------------------------------------------

class DaskRecords:
    """The prepared records held by a Dask cluster in row-range partitions.

    It gives :func:`deduplicate_in_buckets` what it needs of the records without bringing them
    back: the candidate pairs in buckets kept on the workers (:meth:`pair_buckets`), the
    comparison of any pairs (by global row positions), each record's term frequencies, and the
    sources and ids for the crosswalk.
    """

    def __init__(self, client: Any, records: Any,
                 partition_records: int = EngineSettings.partition_records,
                 progress: bool = False) -> None:
        from rcu_kit.core.progress import bar

        self.client = client
        self.progress = progress
        self.prepared, ids = self._partitions(records, partition_records)
        validate_records(ids)          # raw ids: a missing one is named by its input row
        self.source = ids["source"].astype(str).to_numpy()
        self.record_id = ids["record_id"].astype(str).to_numpy()
        self.n = len(ids)
        self._frequencies: dict[str, np.ndarray] | None = None
        self._skipped: dict[int, list[np.ndarray]] = {}
        self._shipped: tuple[Any, Any, Any] | None = None
        self._prefetched: dict[bytes, tuple[Any, ...]] = {}
        self._started: dict[tuple, tuple[list[Any], list[Any]]] = {}     # start_blocking
        # pairs to prefetch once the buckets' comparisons are submitted (see prefetch)
        self._deferred: list[tuple[Any, ...]] | None = []
        self.offsets = np.concatenate([[0], np.cumsum(self._lengths)]).astype(np.int64)
        self._counted = self._count_people_values()
        with bar(total=len(self.prepared), step="preparing", unit="partition",
                 disable=not progress) as b:
            from dask.distributed import as_completed
            for _ in as_completed(self.prepared):
                b.update(1)

    def _partitions(self, records: Any, size: int) -> tuple[list[Any], pd.DataFrame]:
        """Futures of the prepared partitions, and the records' (source, record_id) on the
        client.

        A pandas frame is cut into row ranges of at most ``size`` records, as many per task
        slot (:func:`partition_count`), through ``dask.dataframe.from_pandas``, so that a
        partition lost with its worker is rebuilt from the graph; a dask DataFrame keeps its
        partitions (rebuilt from its files: :meth:`DaskEngine.partitions` says how many). Each
        partition is prepared as soon as it is read, so the workers never hold all the records
        in both forms at once.
        """
        import dask
        import dask.dataframe as dd

        if isinstance(records, pd.DataFrame):
            records = records.reset_index(drop=True)
            ddf = dd.from_pandas(records, sort=False, npartitions=partition_count(
                len(records), size, task_slots(self.client)))
        else:
            ddf = records
        parts = ddf.to_delayed()
        # the ids first (a high priority): the client checks them while the workers prepare
        with dask_priority(1):
            id_parts = [dask.delayed(_ids)(p) for p in parts]
        # a pandas frame's rows travel in the graph on purpose (a lost partition is rebuilt
        # from it): no "Sending large graph" warning for the consultant to wonder about
        with dask.config.set({"distributed.admin.large-graph-warning-threshold": "1 PB"}):
            futures = self.client.compute([dask.delayed(_prepare_part)(p) for p in parts]
                                          + id_parts)
        prepared, id_futures = futures[:len(parts)], futures[len(parts):]
        ids = self.client.gather(id_futures)
        del id_futures
        self._lengths = [len(i) for i in ids]
        return prepared, pd.concat(ids, ignore_index=True)

    @property
    def partitions(self) -> int:
        return len(self.prepared)

    def partition_of(self, rows: np.ndarray) -> np.ndarray:
        """The partition holding each global row."""
        return np.searchsorted(self.offsets, rows, side="right") - 1

    # -- term frequencies --------------------------------------------------------------------

    def frequencies(self) -> dict[str, np.ndarray]:
        """Each record's term frequencies, as :func:`rcu_kit.linkage.pipeline.record_frequencies`:
        its value's share among the distinct people (records alike on last name, first name
        and locality count once, the first in row order)."""
        if self._frequencies is None:
            from rcu_kit.linkage.pipeline import TF_COLUMNS
            self._frequencies = self._count_frequencies(TF_COLUMNS)
        return self._frequencies

    def _count_people_values(self) -> list[Any]:
        """Futures of the value counts over the distinct people, one a bucket of people: each
        person's first records land in one bucket (a shuffle as tasks), where the first in row
        order is kept and its values counted. Submitted as soon as the records are prepared, at
        a low priority: the counting fills the workers' idle moments (while the client checks
        the ids, or fits the model) instead of holding up the model."""
        from rcu_kit.linkage.pipeline import TF_COLUMNS, TF_DISTINCT_ON

        with dask_priority(-1):
            heads = self.client.map(_split_heads, self.prepared, list(self.offsets[:-1]),
                                    distinct_on=list(TF_DISTINCT_ON), columns=list(TF_COLUMNS),
                                    buckets=self.partitions, pure=False)
            return self._shuffle(heads, _count_people, list(TF_COLUMNS))

    def value_counts(self, columns: Sequence[str]) -> dict[str, pd.Series]:
        """Records per value of the columns, counted in each partition and summed
        (:func:`rcu_kit.linkage.frequent.value_counts`): the same as over all the records."""
        from rcu_kit.linkage.frequent import add_counts, value_counts

        return add_counts(self.client.gather(self.client.map(
            value_counts, self.prepared, columns=list(columns), pure=False)))

    def value_surnames(self, candidates: Mapping[str, Sequence[str]]
                       ) -> dict[str, dict[str, frozenset[str]]]:
        """The surnames holding each value, found in each partition and united
        (:func:`rcu_kit.linkage.frequent.value_surnames`): the same as over all the records.

        The candidates are scattered once and passed as a future: ``Client.map`` turns a
        keyword argument over 100 kB into a task keyed by the argument's name alone, which the
        scheduler (distributed 2026.8) fails to run (``AssertionError: <TaskState
        'candidates' processing>``; ten million demo records have enough candidates for it)."""
        from rcu_kit.linkage.frequent import add_surnames, value_surnames

        [shipped] = self._broadcast([{c: list(v) for c, v in candidates.items()}])
        return add_surnames(self.client.gather(self.client.map(
            value_surnames, self.prepared, candidates=shipped, pure=False)))

    def _count_frequencies(self, columns: Sequence[str]) -> dict[str, np.ndarray]:
        per_bucket = self.client.gather(self._counted)
        self._counted = []
        counts = {c: pd.concat([b[c] for b in per_bucket]).groupby(level=0).sum()
                  for c in columns}
        totals = {c: int(counts[c].sum()) for c in columns}
        [counts_future] = self._broadcast([counts], hash=True)
        parts = self.client.gather(self.client.map(_row_frequencies, self.prepared,
                                                   counts=counts_future, totals=totals))
        return {c: np.concatenate([p[c] for p in parts]) if parts else np.zeros(0)
                for c in columns}

    def _shuffle(self, split: list[Any], reduce: Any, *args: Any) -> list[Any]:
        """A shuffle as tasks: ``split[i]`` holds partition i's rows cut into one piece per
        bucket (:func:`_by_bucket`, :func:`_split_keys`); bucket j's task gets the j-th piece of
        every partition and returns ``reduce(pieces, *args)``. Futures, one a bucket.

        With one partition a slot, bucket j's task is placed where partition j lives (a loose
        restriction): its pieces weigh about the same on every worker, and Dask, left to
        choose, may put two buckets on one worker while the other idles."""
        home = self._homes() if self.partitions <= task_slots(self.client) else \
            [{} for _ in range(self.partitions)]
        return [self.client.submit(reduce, [self.client.submit(_piece, part, j, pure=False)
                                            for part in split], *args, pure=False, **home[j])
                for j in range(self.partitions)]

    # -- blocking -----------------------------------------------------------------------------

    def _name_skipped_keys(self, algorithms: Sequence[Any], stats: list[PassStats]) -> None:
        """The key values of each pass's 20 largest skipped blocks (``PassStats.skipped_keys``),
        read from one member of each on the worker holding it."""
        wanted = []
        for k, members in self._skipped.items():
            largest = sorted(members, key=lambda m: (-len(m), int(m[0])))[:20]
            for m in largest:
                alt, row = divmod(int(m[0]), self.n)
                wanted.append((k, alt, row, len(m)))
        if not wanted:
            return
        rows = np.array([w[2] for w in wanted], dtype=np.int64)
        parts = self.partition_of(rows)
        specs = {k: elements for k, elements, _ in _exact_specs(algorithms)}
        asked: dict[int, list[tuple[int, Any, int]]] = {}   # one task per partition
        for (k, alt, row, _), part in zip(wanted, parts):
            asked.setdefault(int(part), []).append((int(row - self.offsets[part]), specs[k], alt))
        futures = {part: self.client.submit(_keys_of, self.prepared[part], asks, pure=False)
                   for part, asks in asked.items()}
        answers = {part: iter(values) for part, values in self.client.gather(futures).items()}
        for (k, _, _, size), part in zip(wanted, parts):
            value = next(answers[int(part)])
            stats[k].skipped_keys.append((value if len(value) > 1 else value[0], size))

    def record_hashes(self) -> np.ndarray:
        """One 64-bit hash per record of its prepared values, computed on the workers."""
        from rcu_kit.linkage.pipeline import record_hashes

        parts = self.client.gather(self.client.map(record_hashes, self.prepared))
        return np.concatenate(parts) if parts else np.zeros(0, np.uint64)

    def skipped_sample(self, k: int, algorithm: Any, size: int, seed: int
                       ) -> tuple[np.ndarray, np.ndarray, int]:
        """A sample of the pairs of pass ``k``'s skipped blocks, drawn as in memory."""
        from rcu_kit.linkage.indexing import sample_block_pairs

        if algorithm.max_block_size is None:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
        return sample_block_pairs(self._skipped.get(k, []), self.n, size, seed)

    def _sorted_pass(self, algorithm: SortedNeighbourhoodIndex, k: int, n_passes: int,
                     stats: list[PassStats]) -> np.ndarray:
        """A sorted-neighbourhood pass: its few key columns sorted on the client."""
        parts = self.client.gather(self.client.map(_sorted_columns, self.prepared,
                                                   list(self.offsets[:-1]),
                                                   columns=list(algorithm.on)))
        frame = pd.concat(parts) if parts else pd.DataFrame(columns=algorithm.on)
        rows = frame.index.to_numpy().astype(np.int64)
        first, second = algorithm.dedup_positions(frame.reset_index(drop=True))
        stats[k] = algorithm.stats
        first, second = rows[first], rows[second]
        first, second = np.maximum(first, second), np.minimum(first, second)
        return (first * self.n + second) * n_passes + k

    # -- comparison ---------------------------------------------------------------------------

    def _broadcast(self, values: list[Any], hash: bool = False) -> list[Any]:
        """``values`` scattered to every worker. A worker lost during the broadcast fails it:
        it is then sent again to the workers left (a few times, a second apart)."""
        import time

        from distributed.comm.core import CommClosedError

        for attempt in range(5):
            try:
                return self.client.scatter(values, broadcast=True, hash=hash)
            except (CommClosedError, OSError):
                if attempt == 4:
                    raise
                time.sleep(1.0)
        raise AssertionError("unreachable")

    def _homes(self) -> list[dict[str, Any]]:
        """For each partition, ``submit`` keywords placing a task on a worker holding it (a
        loose restriction: anywhere if that worker is gone); of a partition held by several
        (Dask copies small ones), the one given the fewest partitions so far."""
        holders = self.client.who_has(self.prepared)
        given: dict[str, int] = {}
        homes = []
        for future in self.prepared:
            where = sorted(holders.get(future.key) or ())
            if not where:
                homes.append({})
                continue
            home = min(where, key=lambda w: (given.get(w, 0), w))
            given[home] = given.get(home, 0) + 1
            homes.append({"workers": [home], "allow_other_workers": True})
        return homes

    def _halves(self, features: Sequence[Any]) -> tuple[
            tuple[list[int], list[int]] | None, list[dict[str, Any]], list[list[str]]]:
        """With one partition a slot (small data: few tasks for Dask to balance), the features
        of pairs across two partitions in two halves of about equal cost (:func:`_cost_halves`),
        one compared where each partition lives, and for each partition the ``submit``
        keywords placing a task there (a loose restriction: Dask moves it if that worker is
        lost). Otherwise None, and no placement: Dask places and balances the tasks. Then the
        columns each half reads of the rows taken from the other partition (all the features'
        columns twice without halves)."""
        if self.partitions <= task_slots(self.client) and len(features) > 1:
            halves = _cost_halves(features)
            return halves, self._homes(), [_feature_columns([features[k] for k in half])
                                           for half in halves]
        return None, [{} for _ in range(self.partitions)], [_feature_columns(features)] * 2

    def _ship(self, features: Sequence[Any]) -> tuple[Any, Any]:
        """The features on every worker, shipped once a run: one copy for the comparisons
        inside one partition, one for those across two. A feature caches its per-value tables
        (name tables, string lengths) for the last vocabulary it met: inside partition a that
        is a's own categories, which the vocabulary of each bucket across two partitions (the
        values its pairs use) would otherwise evict. (Few pairs inside one partition, the
        random pairs and samples, are compared on their own values: :data:`FEW_PAIRS`.)"""
        if self._shipped is None or self._shipped[0] is not features:
            inside, across = self._broadcast([list(features), list(features)])
            self._shipped = (features, inside, across)
        return self._shipped[1], self._shipped[2]

    def prefetch(self, first: np.ndarray, second: np.ndarray, features: Sequence[Any],
                 settings: Any = None) -> None:
        """Start comparing pairs whose levels :meth:`compare` will be asked for later (the
        random pairs, the skipped blocks' samples), at a low priority: their tasks fill the
        workers' idle moments (the client's own work, the ends of the stages) and
        :meth:`compare` then collects them.

        Asked before :meth:`pair_buckets` has submitted the buckets' comparisons, they are
        submitted right after them: submitted earlier, a task of them (a second or more, not
        interruptible) would take a worker while the blocking's next task waits for its
        pieces, and hold up the blocking; after, they come behind the comparisons, and the
        pairs inside one partition reuse the per-value tables its bucket built."""
        if self._deferred is not None:
            self._deferred.append((first, second, features, settings))
            return
        self._prefetch(first, second, features, settings)

    def _prefetch(self, first: np.ndarray, second: np.ndarray, features: Sequence[Any],
                  settings: Any = None, after: Mapping[int, Sequence[Any]] | None = None,
                  priority: int = -1) -> None:
        key = _pairs_digest(first, second, features)
        if key not in self._prefetched:
            with dask_priority(priority):
                self._prefetched[key] = self._submit_compare(first, second, features, settings,
                                                             after)

    def _release_deferred(self, after: Mapping[int, Sequence[Any]]) -> None:
        """Submit the prefetches asked before the buckets' comparisons (see :meth:`prefetch`),
        those of the pairs whose first records are in partition a to run once the comparisons
        ``after[a]`` are done: a low priority alone lets a worker
        start one (for a second or more) while a comparison waits for its rows. They are
        needed first after the comparisons (the random pairs, for the model): a normal
        priority, above the prefetches asked later (the skipped blocks' samples)."""
        deferred, self._deferred = self._deferred or [], None
        for args in deferred:
            self._prefetch(*args, after=after, priority=0)

    def compare(self, first: np.ndarray, second: np.ndarray, features: Sequence[Any],
                settings: Any = None, progress: bool = False) -> pd.DataFrame:
        """Levels of every default feature for the pairs of global rows ``(first, second)``,
        in the pairs' order: one task per pair of partitions (those :meth:`prefetch` started,
        if it was asked for these pairs)."""
        from dask.distributed import as_completed
        from rcu_kit.core.progress import bar

        labels = [f.label for f in features]
        first = np.asarray(first, dtype=np.int64)
        second = np.asarray(second, dtype=np.int64)
        if not len(first):
            return pd.DataFrame({c: np.zeros(0, np.int8) for c in labels})
        futures, order = self._prefetched.pop(_pairs_digest(first, second, features), None) \
            or self._submit_compare(first, second, features, settings)
        index = {f.key: i for i, f in enumerate(futures)}
        parts: list[Any] = [None] * len(futures)
        with bar(total=len(first), step="comparing", unit="pair", disable=not progress) as b:
            for future, levels in as_completed(futures, with_results=True):
                i = index[future.key]
                parts[i] = levels
                b.update(len(levels))
        levels = pd.concat(parts, ignore_index=True)
        out = pd.DataFrame(index=np.arange(len(first)))
        for c in levels.columns:
            column = np.empty(len(first), dtype=np.int8)
            column[order] = levels[c].to_numpy()
            out[c] = column
        return out[labels]

    def _submit_compare(self, first: np.ndarray, second: np.ndarray, features: Sequence[Any],
                        settings: Any, after: Mapping[int, Sequence[Any]] | None = None
                        ) -> tuple[list[Any], np.ndarray]:
        """The tasks comparing the pairs ``(first, second)`` (one a pair of partitions), those
        whose first records are in partition a run once the tasks ``after[a]`` are done, and
        the order of the pairs their levels come in."""
        import dask

        inside, across = self._ship(features)
        workers = getattr(settings, "workers", 1)
        first = np.asarray(first, dtype=np.int64)
        second = np.asarray(second, dtype=np.int64)
        pa, pb = self.partition_of(first), self.partition_of(second)
        bucket = pa * self.partitions + pb
        order = np.argsort(bucket, kind="stable")
        starts = np.flatnonzero(np.r_[True, bucket[order][1:] != bucket[order][:-1]])
        ends = np.r_[starts[1:], len(order)]
        # the pairs across two partitions in two halves of their features, as the buckets
        halves, home, needed = self._halves(features)
        labels = [f.label for f in features]
        rows = None if halves else self._take_needed(pa, first, pb, second, needed[0])
        futures = []
        for s, e in zip(starts, ends):
            chunk = order[s:e]
            a, b = int(pa[chunk[0]]), int(pb[chunk[0]])
            local_first = first[chunk] - self.offsets[a]
            local_second = second[chunk] - self.offsets[b]
            waits = (after or {}).get(a, ())
            # the pairs across two partitions first: they unite two vocabularies, so they take
            # longest
            with dask.annotate(priority=dask.get_annotations().get("priority", 0) + (a != b)):
                if rows is not None:
                    # each side its partition's rows taken once for all these pairs: the
                    # partitions are not read again by each of their tasks (from the spill)
                    futures.append(self.client.submit(
                        _compare_after, rows[a], None if a == b else rows[b], local_first,
                        local_second, inside if a == b else across, workers, waits,
                        pure=False))
                elif a == b:
                    futures.append(self.client.submit(_compare_after, self.prepared[a], None,
                                                      local_first, local_second, inside,
                                                      workers, waits, pure=False))
                else:
                    # only the rows each half needs of the other partition travel
                    right = self.client.submit(
                        _take_rows, self.prepared[b], _distinct_rows(local_second)[0],
                        needed[0], pure=False, **home[b])
                    left = self.client.submit(
                        _take_rows, self.prepared[a], _distinct_rows(local_first)[0],
                        needed[1], pure=False, **home[a])
                    parts = [self.client.submit(_compare_half, self.prepared[a], right,
                                                local_first, local_second, across, halves[0],
                                                workers, waits, pure=False, **home[a]),
                             self.client.submit(_compare_half, left, self.prepared[b],
                                                local_first, local_second, across, halves[1],
                                                workers, waits, pure=False, **home[b])]
                    futures.append(self.client.submit(_join_levels, parts, labels, pure=False))
        return futures, order

    def _take_needed(self, pa: np.ndarray, first: np.ndarray, pb: np.ndarray,
                     second: np.ndarray, columns: Sequence[str]) -> dict[int, Any]:
        """For each partition, a task taking its rows that the pairs ``(first, second)`` (in
        partitions ``pa``, ``pb``) use on either side, with ``columns``: what the comparisons
        of those pairs read of it, taken in one read of the partition."""
        used = np.concatenate([first, second])
        where = np.concatenate([pa, pb])
        out = {}
        for p in np.unique(where):
            local = used[where == p] - self.offsets[p]
            out[int(p)] = self.client.submit(_take_rows, self.prepared[p],
                                             _distinct_rows(local)[0], columns, pure=False)
        return out

    # -- the pairs kept on the workers ----------------------------------------------------------

    def start_blocking(self, index: Any) -> None:
        """Submit the exact passes' blocking of ``index`` now, for :meth:`pair_buckets` to
        collect: it does not depend on the comparisons, so the workers key and pair the
        blocks while the client works out the features (the values too frequent to be
        evidence) instead of idling."""
        from rcu_kit.linkage.pipeline import sampled_passes

        algorithms = list(index.algorithms)
        passes = sampled_passes(algorithms)
        if _exact_specs(algorithms):
            self._started[_blocking_key(algorithms, passes)] = \
                self._submit_blocking(algorithms, passes)

    def _submit_blocking(self, algorithms: Sequence[Any], sample_passes: Sequence[int]
                         ) -> tuple[list[Any], list[Any]]:
        """Futures of the records each partition keyed per exact pass, and of the blocks
        paired where they live (:class:`_BlockResult`, one a bucket of keys)."""
        specs = _exact_specs(algorithms)
        made = self.client.map(_split_keys, self.prepared, list(self.offsets[:-1]),
                               specs=specs, buckets=self.partitions)
        caps = {k: cap for k, _, cap in specs}
        # the shuffle submitted before the keyed counts are gathered: the workers go from
        # keying to pairing without waiting for the client
        blocked = self._shuffle(self.client.map(itemgetter(0), made), _block_pieces, self.n,
                                len(algorithms), caps, list(sample_passes))
        return self.client.map(itemgetter(1), made), blocked

    def _blocked(self, algorithms: Sequence[Any], sample_passes: Sequence[int]
                 ) -> tuple[list[Any], list[PassStats], dict[int, list[np.ndarray]]]:
        """The exact passes' blocks paired where they live: futures of :class:`_BlockResult`
        (one a bucket of keys), the passes' statistics (but their pairs) and the skipped
        blocks' members of the passes in ``sample_passes``."""
        from rcu_kit.core.progress import bar

        specs = _exact_specs(algorithms)
        stats = [PassStats(a.name) for a in algorithms]
        skipped: dict[int, list[np.ndarray]] = {k: [] for k, _, _ in specs}
        if not specs:
            return [], stats, skipped
        started = self._started.pop(_blocking_key(algorithms, sample_passes), None)
        keyed, blocked = started or self._submit_blocking(algorithms, sample_passes)
        for per_part in self.client.gather(keyed):
            for k, count in per_part.items():
                stats[k].records_keyed += count
        del keyed, started
        from dask.distributed import as_completed
        infos = self.client.map(_block_info, blocked)
        with bar(total=len(infos), step="blocking", unit="partition",
                 disable=not self.progress) as b:
            for _, info in as_completed(infos, with_results=True):
                for k, i in info.items():
                    s = stats[k]
                    s.blocks += i["blocks"]
                    s.skipped_blocks += i["skipped_blocks"]
                    s.skipped_records += i["skipped_records"]
                    s.largest_block = max(s.largest_block, i["largest_block"])
                    skipped[k].extend(i["skipped_members"])
                b.update(1)
        # blocks in the in-memory order: by their first member's exploded position
        for k in skipped:
            skipped[k].sort(key=lambda m: int(m[0]))
        return blocked, stats, skipped

    def pair_buckets(self, index: Any, features: Sequence[Any], groups: np.ndarray | None = None,
                     stage_folder: Any = None, workers: int = 1
                     ) -> tuple[dict[int, Any], list[PassStats], dict]:
        """The candidate pairs united and compared where they are, one bucket (a future of
        :class:`_Bucket`) per pair of partitions ``(a, b)``, ``a <= b``, keyed
        ``a * partitions + b``; the passes' statistics; and counts (``pairs``: compared,
        ``united``: before ``link_only``, ``resumed``: buckets read from ``stage_folder``).
        Each comparison runs its features on ``workers`` threads."""
        from rcu_kit.core.progress import bar
        from rcu_kit.linkage.pipeline import sampled_passes

        algorithms = list(index.algorithms)
        n, n_passes = self.n, len(algorithms)
        blocked, stats, self._skipped = self._blocked(algorithms, sampled_passes(algorithms))
        splits = self.client.map(_split_block_result, blocked, offsets=self.offsets, n=n,
                                 n_passes=n_passes)
        del blocked
        present = [set(ids) for ids in self.client.gather(self.client.map(_bucket_ids, splits))]
        sorted_pieces: dict[int, list[Any]] = {}
        for k, algorithm in enumerate(algorithms):
            if isinstance(algorithm, SortedNeighbourhoodIndex):
                by_bucket = _pair_buckets_of(self._sorted_pass(algorithm, k, n_passes, stats),
                                             self.offsets, n, n_passes)
                for bid, future in (self.client.scatter(by_bucket) if by_bucket else {}).items():
                    sorted_pieces.setdefault(int(bid), []).append(future)
        self._name_skipped_keys(algorithms, stats)
        inside, across = self._ship(features)
        halves, home, needed = self._halves(features)
        labels = [f.label for f in features]
        [shipped_groups] = self._broadcast([groups])
        united, stage_files, rows = {}, {}, {}
        for bid in sorted(set().union(*present, sorted_pieces)):
            a, b = divmod(bid, self.partitions)
            pieces = [self.client.submit(_pick, split, bid, pure=False)
                      for split, ids in zip(splits, present) if bid in ids]
            # named by the rows of its two partitions: a run resumed on another number of
            # partitions reads none of the buckets of the first
            stage_files[bid] = None if stage_folder is None else str(
                Path(stage_folder) / "pairs" / (f"{self.offsets[a]}-{self.offsets[a + 1]}_"
                                                f"{self.offsets[b]}-{self.offsets[b + 1]}.npz"))
            # united anywhere; the later records' rows taken where partition b lives (and with
            # halves the earlier ones' where a lives); compared where partition a lives: no
            # partition moves between workers
            united[bid] = self.client.submit(
                _unite_bucket, pieces + sorted_pieces.get(bid, []), int(self.offsets[a]),
                int(self.offsets[b]), n, n_passes, shipped_groups, stage_files[bid], pure=False)
            if a != b:
                rows[bid] = (self.client.submit(_earlier_rows, self.prepared[a], united[bid],
                                                needed[1], pure=False, **home[a])
                             if halves else None,
                             self.client.submit(_later_rows, self.prepared[b], united[bid],
                                                needed[0], pure=False, **home[b]))
        # with halves, a bucket inside one partition is compared once the rows of the buckets
        # across are taken, and after their halves (priority): neither worker then waits for
        # rows the other takes only after its own bucket
        # (through markers: a task's dependencies travel to its worker, the rows would too)
        taken = self.client.map(_nothing, [f for pair in rows.values() for f in pair
                                           if f is not None]) if halves else []
        buckets = {}
        halves_at: dict[int, list[Any]] = {}         # the halves compared where p lives
        for bid, bucket in united.items():
            a, b = divmod(bid, self.partitions)
            if a == b:
                continue
            if halves:
                # one partition a slot (small data): few buckets for Dask to balance, so the
                # features of a bucket across two partitions are split in two halves of about
                # equal cost, one compared where each partition lives
                left, right = rows[bid]
                parts = [self.client.submit(_compare_features, self.prepared[a], right, bucket,
                                            across, halves[0], workers, pure=False, priority=1,
                                            **home[a]),
                         self.client.submit(_compare_features, left, self.prepared[b], bucket,
                                            across, halves[1], workers, pure=False, priority=1,
                                            **home[b])]
                buckets[bid] = self.client.submit(_join_bucket, bucket, parts, labels,
                                                  stage_files[bid], pure=False, **home[a])
                halves_at.setdefault(a, []).append(parts[0])
                halves_at.setdefault(b, []).append(parts[1])
            else:
                buckets[bid] = self.client.submit(_compare_bucket_pairs, self.prepared[a],
                                                  bucket, rows[bid][1], across, stage_files[bid],
                                                  workers, pure=False)
        for bid, bucket in united.items():
            a, b = divmod(bid, self.partitions)
            if a != b:
                continue
            # with halves, also after the halves compared where partition a lives: queued
            # behind them on its worker, the bucket would be taken by the other worker as
            # soon as that one is done with its half (Dask's work stealing), partition and
            # all, and compared there after that worker's own bucket
            waits = taken + self.client.map(_nothing, halves_at.get(a, [])) if halves else []
            buckets[bid] = self.client.submit(_compare_bucket_pairs, self.prepared[a], bucket,
                                              None, inside, stage_files[bid], workers, waits,
                                              pure=False, **home[a])
        buckets = {bid: buckets[bid] for bid in sorted(buckets)}
        del united, rows, taken
        del splits
        # the prefetches asked before, after the comparisons (through markers, as above)
        # (with halves, those of partition a after the comparisons where a lives, which end
        # with its bucket inside: a worker done first goes on with its own)
        ends = self.client.map(_nothing, list(buckets.values()))
        self._release_deferred({a: [ends[list(buckets).index(a * self.partitions + a)]]
                                if halves and a * self.partitions + a in buckets else ends
                                for a in range(self.partitions)})
        counts = {"pairs": 0, "united": 0, "resumed": 0}
        pass_pairs = np.zeros(n_passes, np.int64)
        new_pairs = np.zeros(n_passes, np.int64)
        from dask.distributed import as_completed
        summaries = self.client.map(_bucket_summary, list(buckets.values()))
        with bar(total=len(summaries), step="comparing", unit="bucket",
                 disable=not self.progress) as bars:
            for _, summary in as_completed(summaries, with_results=True):
                counts["pairs"] += summary["pairs"]
                counts["united"] += int(summary["new_pairs"].sum())
                counts["resumed"] += int(summary["resumed"])
                pass_pairs += summary["pass_pairs"]
                new_pairs += summary["new_pairs"]
                bars.update(1)
        for k, s in enumerate(stats):
            s.pairs, s.new_pairs = int(pass_pairs[k]), int(new_pairs[k])
        return buckets, stats, counts

    def _route(self, buckets: Mapping[int, Any], first: np.ndarray, second: np.ndarray
               ) -> dict[int, np.ndarray]:
        """The positions of the pairs ``(first, second)`` per bucket that holds candidates."""
        a = self.partition_of(np.minimum(first, second))
        b = self.partition_of(np.maximum(first, second))
        bucket = a * self.partitions + b
        return {bid: np.flatnonzero(bucket == bid) for bid in buckets}

    def fit_sample(self, buckets: Mapping[int, Any], cut: Any, seed: int, u_first: np.ndarray,
                   u_second: np.ndarray, q_first: np.ndarray, q_second: np.ndarray
                   ) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray]:
        """In one pass over the buckets: the pairs the model is fitted on (``first``,
        ``found_by``, ``passes``, ``levels``), which random pairs are candidates, the positions
        in that sample of those inside it (see :func:`rcu_kit.linkage.pipeline.fit_positions`),
        and which of the other pairs asked (``q_``: the skipped blocks' samples) are
        candidates."""
        routed = self._route(buckets, u_first, u_second)
        asked = self._route(buckets, q_first, q_second)
        futures = [self.client.submit(_bucket_sample, buckets[bid], self.n, seed, cut,
                                      u_first[routed[bid]], u_second[routed[bid]],
                                      q_first[asked[bid]], q_second[asked[bid]], pure=False)
                   for bid in buckets]
        parts = self.client.gather(futures)
        hit = np.zeros(len(u_first), dtype=bool)
        q_hit = np.zeros(len(q_first), dtype=bool)
        candidates, start = [], 0
        for bid, part in zip(buckets, parts):
            hit[routed[bid]] = part["u_hit"]
            q_hit[asked[bid]] = part["q_hit"]
            inside = part["u_in_sample"] >= 0
            candidates.append(part["u_in_sample"][inside] + start)
            start += len(part["first"])
        sample = {
            "first": np.concatenate([p["first"] for p in parts]) if parts else np.zeros(0, np.int64),
            "found_by": np.concatenate([p["found_by"] for p in parts]) if parts
            else np.zeros(0, np.int16),
            "passes": None if not parts or parts[0]["passes"] is None
            else np.concatenate([p["passes"] for p in parts]),
            "levels": pd.concat([p["levels"] for p in parts], ignore_index=True) if parts
            else pd.DataFrame(),
        }
        u_candidates = np.concatenate(candidates) if candidates else np.zeros(0, np.int64)
        return sample, hit, u_candidates, q_hit

    def score(self, buckets: Mapping[int, Any], model: Any, settings: Any
              ) -> tuple[list[Any], dict[str, Any], tuple[np.ndarray, ...]]:
        """Score every bucket where it is: futures of the known-different pairs (kept on the
        workers), the pairs to keep (``settings.keep_pairs``) in the candidates' order, and the
        links (first, second, probability, rules)."""
        from dask.distributed import as_completed
        from rcu_kit.core.progress import bar

        frequencies = self.frequencies()
        parts = self.client.scatter([
            {c: v[self.offsets[p]:self.offsets[p + 1]] for c, v in frequencies.items()}
            for p in range(self.partitions)], hash=False)
        [shipped_model] = self._broadcast([model])
        scored = []
        for bid, bucket in buckets.items():
            a = bid // self.partitions
            scored.append(self.client.submit(_bucket_score, bucket, shipped_model, parts[a],
                                             settings, pure=False))
        outs = self.client.map(_second_item, scored)
        kept_parts, link_parts = [], []
        with bar(total=len(outs), step="scoring", unit="bucket",
                 disable=not self.progress) as b:
            for _, out in as_completed(outs, with_results=True):
                kept_parts.append(out["kept"])
                link_parts.append(out["links"])
                b.update(1)
        different = self.client.map(_first_item, scored)
        del scored, outs
        kept = _concat_pairs(kept_parts, self.n)
        links = tuple(np.concatenate([p[i] for p in link_parts]) if link_parts
                      else np.zeros(0, dtype) for i, dtype in
                      enumerate((np.int64, np.int64, float, np.int8)))
        return different, kept, links

    def conflicts(self, different: list[Any], labels: np.ndarray) -> tuple[np.ndarray, ...]:
        """The known-different pairs inside one component of ``labels`` (the links' connected
        components): first, second, probability, rules."""
        [shipped] = self._broadcast([labels])
        parts = self.client.gather(self.client.map(_bucket_conflicts, different, labels=shipped))
        return tuple(np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, dtype)
                     for i, dtype in enumerate((np.int64, np.int64, float, np.int8)))

    def close(self) -> None:
        """Release the partitions held by the cluster (the scheduler forgets a future's data
        when no client holds it; cancelling them instead broke the connection when a run
        stopped half-way had released some already)."""
        self.prepared = []
        self._prefetched.clear()
        self._started.clear()
        self._deferred = None
        self._counted = []
        self._shipped = None


def dask_priority(priority: int) -> Any:
    """A context in which the tasks submitted get this priority (higher runs first among the
    tasks ready; 0 by default)."""
    import dask

    return dask.annotate(priority=priority)


def _pairs_digest(first: np.ndarray, second: np.ndarray, features: Sequence[Any]) -> bytes:
    """A key for the comparison of these pairs by these features (:meth:`DaskRecords.prefetch`)."""
    import hashlib

    digest = hashlib.blake2b(np.asarray(first, dtype=np.int64).tobytes(), digest_size=16)
    digest.update(np.asarray(second, dtype=np.int64).tobytes())
    digest.update(str(id(features)).encode())
    return digest.digest()


def _blocking_key(algorithms: Sequence[Any], sample_passes: Sequence[int]) -> tuple:
    """What a blocking submitted by :meth:`DaskRecords.start_blocking` is for: its passes'
    exact keys and caps among all its passes, and the passes whose skipped blocks are
    sampled."""
    return len(algorithms), repr(_exact_specs(algorithms)), tuple(sample_passes)


def _block_info(result: _BlockResult) -> dict[int, dict[str, Any]]:
    return result.info


def _concat_pairs(parts: list[Mapping[str, Any]], n: int) -> dict[str, Any]:
    """Kept pairs of several buckets (of ``n`` records) as one set of arrays, in the
    candidates' order (by later record, then earlier), as the in-memory engine has them."""
    if not parts:
        return {"first": np.zeros(0, np.int64), "second": np.zeros(0, np.int64),
                "levels": pd.DataFrame(), "probability": np.zeros(0),
                "rules": np.zeros(0, np.int8), "found_by": np.zeros(0, np.int16)}
    first = np.concatenate([p["first"] for p in parts])
    second = np.concatenate([p["second"] for p in parts])
    # one sort of one key (later * n + earlier: the pairs are distinct) instead of a lexsort
    order = np.argsort(second * n + first)
    return {"first": first[order], "second": second[order],
            "levels": pd.concat([p["levels"] for p in parts], ignore_index=True)
            .iloc[order].reset_index(drop=True),
            "probability": np.concatenate([p["probability"] for p in parts])[order],
            "rules": np.concatenate([p["rules"] for p in parts])[order],
            "found_by": np.concatenate([p["found_by"] for p in parts])[order]}


def deduplicate_in_buckets(records: DaskRecords, settings: Any, progress: bool = False,
                           timer: Any = None, stages: Any = None) -> Any:
    """:func:`rcu_kit.linkage.pipeline.deduplicate_records` with the candidate pairs kept on
    the workers: united, compared and scored bucket by bucket (a pair of partitions), the model
    fitted on the pipeline's fitting sample, and only the kept pairs, the links and the
    known-different pairs inside the links' components brought back. The same customers, pairs
    and scores as the in-memory engine.

    With ``stages``, each bucket's pairs and levels are written to
    ``<stages>/<fingerprint>/pairs/<rows of a>_<rows of b>.npz`` (the workers must see the
    folder: a local cluster does) and the random pairs' levels beside them; a stopped run
    compares again only the buckets not written.
    """
    import dataclasses

    from rcu_kit.core.timing import StageTimer
    from rcu_kit.linkage.cluster import connected_labels
    from rcu_kit.linkage.compare import default_features, level_names
    from rcu_kit.linkage.indexing import random_pairs
    from rcu_kit.linkage.pipeline import (
        STAGES_VERSION,
        build_index,
        build_result,
        cluster_records,
        comparison_features,
        fit_cut,
        fit_model,
        skipped_matches,
        skipped_samples,
    )
    from rcu_kit.linkage.stages import StageStore, fingerprint

    timer = timer or StageTimer()
    timings, lap, n = timer.wall, timer.lap, records.n
    store = None if stages is None else StageStore(stages, fingerprint(
        {"settings": dataclasses.asdict(settings), "code": STAGES_VERSION,
         "features": level_names(default_features())}, records.record_hashes()))
    index = build_index(settings)
    records.start_blocking(index)          # on the workers while the client finds the features
    features, frequent = comparison_features(records, settings.workers)
    groups = pd.factorize(records.source)[0] if settings.link_only else None
    # the random pairs depend on the records' number only: compared from the start, between
    # the other tasks (prefetch), unless a stopped run left their levels
    saved_u = store.load_frame("u_levels") if store else None
    drawn = random_pairs(n, settings.u_pairs, settings.seed, groups) if settings.u_pairs \
        else None
    if drawn is not None and saved_u is None:
        records.prefetch(drawn[0], drawn[1], features, settings)
    buckets, stats, counts = records.pair_buckets(index, features, groups,
                                                  None if store is None else store.folder,
                                                  settings.workers)
    lap("compare")

    u_first = u_second = np.zeros(0, np.int64)
    total_pairs, u_vectors = None, None
    if settings.u_pairs and counts["pairs"]:
        u_first, u_second, total_pairs = drawn
    # the skipped blocks' samples do not depend on the model: which of them are candidates is
    # asked in the same pass over the buckets as the fitting sample
    samples = skipped_samples(records, stats, index, settings) \
        if counts["pairs"] and total_pairs and not settings.link_only else []
    q_first = np.concatenate([x[0] for x in samples]) if samples else np.zeros(0, np.int64)
    q_second = np.concatenate([x[1] for x in samples]) if samples else np.zeros(0, np.int64)
    if samples:                        # compared while the client fits the model
        records.prefetch(q_first, q_second, features, settings)
    sample, hit, u_candidates, q_hit = records.fit_sample(
        buckets, fit_cut(counts["pairs"]), settings.seed, u_first, u_second, q_first, q_second)
    known = np.split(q_hit, np.cumsum([len(x[0]) for x in samples])[:-1]) if samples else []
    if total_pairs:
        u_vectors = saved_u
        if u_vectors is None:
            # all the random pairs were compared (prefetch): those not candidates kept
            u_vectors = records.compare(u_first, u_second, features, settings)[~hit] \
                .reset_index(drop=True)
            if store:
                store.save_frame("u_levels", u_vectors)
    lap("u_sample")

    model, household = fit_model(records, settings, features, index, sample["first"],
                                 sample["levels"], sample["found_by"], sample["passes"],
                                 u_vectors, u_candidates if total_pairs else None, total_pairs,
                                 counts["pairs"])
    del sample
    skipped_info = {"skipped_pairs": 0.0, "skipped_matches": 0.0}
    if samples:
        skipped_info = skipped_matches(records, samples, known, features, model, total_pairs,
                                       settings)
    if counts["pairs"]:
        different, kept, links = records.score(buckets, model, settings)
    else:
        different, kept, links = [], _concat_pairs([], n), tuple(
            np.zeros(0, d) for d in (np.int64, np.int64, float, np.int8))
    del buckets                        # the workers free the pairs' levels
    lap("classify")

    edges = links
    if different:
        conflicts = records.conflicts(different, connected_labels(n, links[0], links[1]))
        edges = tuple(np.concatenate([x, y]) for x, y in zip(links, conflicts))
    del different
    labels, cluster_info = cluster_records(records, settings, features, model, *edges)
    cluster_info.update(skipped_info)
    lap("cluster")

    result = build_result(records, settings, features, stats, n * (n - 1) // 2, labels,
                          cluster_info, kept, counts["united"], model, household, timings,
                          frequent)
    lap("output")
    timings["total"] = timer.total()
    if store:
        if counts["resumed"]:
            timings["resumed_pairs"] = 1.0
        timings.update({f"resumed_{stage}": 1.0 for stage in store.resumed})
        store.finish()
    return result


def deduplicate_on_dask(records: Any, settings: Any = None, engine: DaskEngine | None = None,
                        progress: bool = False, partition_records: int | None = None,
                        stages: Any = None) -> Any:
    """:func:`rcu_kit.linkage.pipeline.deduplicate` on a Dask cluster: the same customers.

    Args:
        records: standardised records, a pandas DataFrame or a dask DataFrame (its partitions
            stay on the cluster).
        settings: the deduplication settings (``DedupSettings`` or a dict).
        engine: an open :class:`DaskEngine`; none starts a local cluster for the call.
        progress: show progress bars.
        partition_records: records per partition (default: the engine's settings).
        stages: a folder to write the stages to and resume from (see
            :func:`rcu_kit.linkage.pipeline.deduplicate_records`).

    Returns:
        A :class:`rcu_kit.linkage.pipeline.DedupResult`, its crosswalk in input order.
    """
    if engine is None:
        with DaskEngine() as opened:
            return deduplicate_on_dask(records, settings, opened, progress, partition_records,
                                       stages)
    from rcu_kit.core.timing import StageTimer
    from rcu_kit.linkage.pipeline import DedupSettings

    chosen = DedupSettings.coerce(settings)
    timer = StageTimer()
    access = DaskRecords(engine.client, records, progress=progress,
                         partition_records=partition_records or engine.settings.partition_records)
    timer.lap("prepare")
    try:
        return deduplicate_in_buckets(access, chosen, progress=progress, timer=timer,
                                      stages=stages)
    finally:
        access.close()
