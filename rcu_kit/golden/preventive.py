"""Preventive deduplication: check a new record against the reference before it is created.

The curative run (:func:`rcu_kit.linkage.deduplicate`) cleans the existing base; the preventive
check answers, for a record typed in a web form or arriving from a source, "is this customer
already known, and which one?". It must give the *same* answer the curative run would, so it
reuses the curative run's pieces:

* the **blocking passes** of the run's settings (:func:`rcu_kit.linkage.pipeline.build_index`):
  each pass's key (its ``on`` columns, "any of" alternatives included, or its sorted-
  neighbourhood columns and window) is stored as a hash table (sorted 64-bit hashes of the key
  text and record positions) so a lookup is a binary search, not a scan; blocks the curative
  run would skip as too large are skipped here too;
* the **comparison features** (:func:`rcu_kit.linkage.compare.default_features`), called on
  the few candidates only, on a small vocabulary built for the query;
* the **fitted model** (``DedupResult.model``) with its term frequencies and household rules.

The query is standardised (:func:`rcu_kit.standardise.standardise_records`) and prepared
(:func:`rcu_kit.linkage.prepare.prepare_records`) exactly like the reference. One record
(:meth:`ReferenceIndex.match`, the web-form check) takes a path without frames on its side:
:func:`rcu_kit.standardise.single.standardise_record`, :func:`prepare_record` and
:meth:`ReferenceIndex.candidates_of` give the same values, keys and candidates in plain Python,
then the curative features and model score its few candidates (about 15 ms against a million
records instead of 200 ms; ``bench/bench_match.py``). The index is saved and loaded as one
file (no retraining).

Examples:
    >>> index = ReferenceIndex.from_run(run)  # doctest: +SKIP
    >>> index.save(step_dir(engagement, "golden") / "reference_index.pkl")  # doctest: +SKIP
    >>> index.match({"last_name": "Dupont", "first_name": "Jean", "email": "jd@free.fr"})
    ... # doctest: +SKIP
      customer_id  match_probability  is_match source record_id  evidence
    0    C0000042             0.9991      True    crm      1042  last_name: exact; ...
"""

from __future__ import annotations

import bisect
import json
import pickle
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.linkage.classify import RULES, TF_PREFIX
from rcu_kit.linkage.compare import MISSING, default_features, level_names
from rcu_kit.linkage.indexing import ExactBlockIndex, SortedNeighbourhoodIndex
from rcu_kit.linkage.pipeline import DedupSettings, InMemoryRecords, build_index, comparison_features
from rcu_kit.linkage.prepare import (AS_READ_BIRTH_DATE, TEXT_COLUMNS, WEAK_KEY_ABSENT,
                                     birth_month_day, french_phonetic, place_of, prepare_records,
                                     street_key)
from rcu_kit.values.phones import is_french_mobile

__all__ = ["ReferenceIndex", "build_reference_index", "reference_index_path",
           "MATCH_COLUMNS", "prepare_record", "engagement_reference",
           "candidates_shown", "MATCH_ATTRIBUTES", "UnknownAttributes", "check_record_keys",
           "decision", "DECISIONS", "POSSIBLE_FROM", "evidence_text", "reference_is_current"]

FORMAT_VERSION = 4   # 2: term frequencies of postcodes and towns (the model's place evidence);
                     # 3: and of each postcode and town together; 4: the model's household
                     # and namesakes models (classify.GivenAgreement) as a list
# The name term frequencies the model reads as they are; the place's (tf_postcode_city) is made
# per pair from the reference record's postcode, town and place frequencies
# (place_term_frequency).
_NAME_TF = (f"{TF_PREFIX}last_name", f"{TF_PREFIX}first_name")
_PLACE_TF = f"{TF_PREFIX}postcode_city"
MATCH_COLUMNS = ["query", "customer_id", "match_probability", "is_match", "source", "record_id",
                 "rule", "evidence"]
# The source of a record to match that gave none: no source to compare (the source comparison
# is missing for it, not "another source", which would weigh for every candidate).
QUERY_SOURCE = "query"
# Columns compared by code across each other (prepare_records gives them one vocabulary).
_SHARED = (("last_name", "birth_name"), ("last_name_phonetic", "birth_name_phonetic"))
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX_INT, _MASK = int(_MIX), (1 << 64) - 1   # the same mix on Python ints (one record)


def _column_hashes(column: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hash of each value of a categorical column at ``rows``, and where it is missing.

    The hash is of the value's text, so it is equal across frames with different vocabularies.
    """
    vocabulary = np.asarray(column.cat.categories, dtype=object)
    table = np.append(pd.util.hash_array(vocabulary.astype(str).astype(object), categorize=False)
                      if len(vocabulary) else np.zeros(0, np.uint64), np.uint64(0))
    codes = column.cat.codes.to_numpy()[rows]
    return table[codes], codes < 0


def _key_hashes(frame: pd.DataFrame, on: Sequence[str | tuple[str, ...]]
                ) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of an exact blocking key (``ExactBlockIndex.on``) and the row of each.

    An "any of" element (a tuple of columns) keys a record once per alternative, as the
    curative pass does; rows with a missing key part are dropped.
    """
    combos: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [
        (np.arange(len(frame), dtype=np.int64), np.zeros(len(frame), np.uint64),
         np.zeros(len(frame), bool))]
    for element in on:
        alternatives = [element] if isinstance(element, str) else list(element)
        new = []
        for rows, h, missing in combos:
            for column in alternatives:
                part, absent = _column_hashes(frame[column], rows)
                new.append((rows, (h ^ part) * _MIX, missing | absent))  # uint64 wraps: a mix
        combos = new
    rows = np.concatenate([r for r, _, _ in combos])
    hashes = np.concatenate([h for _, h, _ in combos])
    missing = np.concatenate([m for _, _, m in combos])
    return hashes[~missing], rows[~missing]


def _sort_key(frame: pd.DataFrame, on: Sequence[str]) -> np.ndarray:
    """Sorted-neighbourhood key (``SortedNeighbourhoodIndex.on``), None where the first column
    is missing. The pass sorts on the columns in turn, a missing value first: joining the values
    with ``\\x01`` (below every printable character) and a missing one as empty text sorts the
    same way."""
    everyone = np.arange(len(frame))
    parts = [_values(frame[c], everyone) for c in on]
    return np.array([None if row[0] is None else "\x01".join("" if v is None else v for v in row)
                     for row in zip(*parts)], dtype=object)


@dataclass
class _ExactTable:
    name: str
    hashes: np.ndarray      # sorted uint64 key hashes
    positions: np.ndarray   # reference positions, aligned with hashes
    algorithm: ExactBlockIndex
    skipped_blocks: int = 0


@dataclass
class _SortedTable:
    name: str
    keys: np.ndarray        # sorted key strings (object)
    positions: np.ndarray
    algorithm: SortedNeighbourhoodIndex


def _exact_table(algorithm: ExactBlockIndex, prepared: pd.DataFrame) -> _ExactTable:
    hashes, positions = _key_hashes(prepared, algorithm.on)
    order = np.argsort(hashes, kind="stable")
    hashes, positions = hashes[order], positions[order]
    skipped = 0
    cap = algorithm.max_block_size
    if cap is not None and len(hashes):
        _, start, counts = np.unique(hashes, return_index=True, return_counts=True)
        # The curative run skips a block of more than ``cap`` records; with the query the block
        # holds one more record, so reference blocks of ``cap`` records are skipped too.
        big = counts >= cap
        skipped = int(big.sum())
        keep = ~np.repeat(big, counts)
        hashes, positions = hashes[keep], positions[keep]
    return _ExactTable(algorithm.name, hashes, positions.astype(np.int64), algorithm, skipped)


def _sorted_table(algorithm: SortedNeighbourhoodIndex, prepared: pd.DataFrame) -> _SortedTable:
    key = _sort_key(prepared, algorithm.on)
    valid = np.flatnonzero(pd.notna(key))
    values = key[valid]
    order = np.argsort(pd.factorize(pd.Series(values, dtype=object), sort=True)[0],
                       kind="stable")
    return _SortedTable(algorithm.name, values[order], valid[order].astype(np.int64), algorithm)


def _values(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """The text values of a categorical column at ``rows`` (None where missing); a text column
    (the source) as it is."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        values = column.to_numpy(dtype=object)[rows]
        return np.where(pd.isna(values), None, values)
    vocabulary = np.append(np.asarray(column.cat.categories, dtype=object), None)
    return vocabulary[column.cat.codes.to_numpy()[rows]]


def _ranges(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row of each item and the concatenated ``arange(start, stop)`` of each row."""
    counts = np.maximum(stops - starts, 0)
    rows = np.repeat(np.arange(len(starts)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, np.repeat(starts, counts) + offsets


def _hash_text(value: str) -> np.uint64:
    """The 64-bit hash :func:`_column_hashes` gives the text ``value``."""
    return pd.util.hash_array(np.array([value], dtype=object), categorize=False)[0]


def _clean_text(value: Any) -> str | None:
    """A standardised value as :func:`prepare_records` keeps it: stripped text, else None."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


# The attributes a record to match may carry: what the standardisation reads (its input
# columns), the identity number it passes through, and the record's own source and id.
MATCH_ATTRIBUTES = ("source", "record_id", "civility", "last_name", "birth_name", "first_name",
                    "full_name", "birth_date", "email", "phone", "street", "postcode", "city",
                    "country", "id_number")
# What a decision means: the best candidate at least at the curative threshold (the same
# customer), at least POSSIBLE_FROM (more likely the same than not: worth a look), else new.
DECISIONS = ("same", "possible", "new")
POSSIBLE_FROM = 0.5


class StaleIndex(ValueError):
    """A reference index saved by another version of rcu_kit (rebuild it)."""


class UnknownAttributes(ValueError):
    """A record to match carries keys the match does not know.

    Attributes:
        unknown: the unknown keys, in the record's order.
        known: the attributes the match knows.
        suggestions: unknown key -> the known attribute it probably means (when one is close).
    """

    def __init__(self, unknown: list[str], known: Sequence[str], suggestions: dict[str, str],
                 where: str = "record"):
        self.unknown, self.known, self.suggestions = unknown, tuple(known), suggestions
        parts = [f"'{k}'" + (f" (did you mean '{suggestions[k]}'?)" if k in suggestions else "")
                 for k in unknown]
        super().__init__(f"{where}: unknown attribute(s) {', '.join(parts)}; the match knows "
                         f"{', '.join(self.known)}")


def _closest_attribute(key: str, known: Sequence[str]) -> str | None:
    """The known attribute a key probably means: by the mapping suggestion's French and English
    column-name synonyms (``nom`` -> ``last_name``), else by spelling (``emial`` -> ``email``)."""
    from rapidfuzz import fuzz, process

    from rcu_kit.mapping.suggest import SYNONYMS, name_score

    best, score = None, 0.0
    for attribute in known:
        found, _ = name_score(key, (attribute, *SYNONYMS.get(attribute, ())))
        if found > score:
            best, score = attribute, found
    if score >= 0.75:
        return best
    close = process.extractOne(str(key).lower(), list(known), scorer=fuzz.ratio, score_cutoff=70)
    return close[0] if close else None


def check_record_keys(record: Any, *, allowed: Sequence[str] = MATCH_ATTRIBUTES,
                      where: str = "record") -> dict[str, Any]:
    """The record as a dict, checked: a mapping whose keys are all attributes the match knows.

    The one check of the keys of a record to match, used by ``rcu-kit match`` and the HTTP
    service alike: a key the match does not know (``nom`` for ``last_name``) would otherwise be
    ignored, and a known customer would come back as new.

    Args:
        record: the record (attribute -> value).
        allowed: the attributes accepted (default :data:`MATCH_ATTRIBUTES`).
        where: what the record is, for the message (``--record``, ``record``).

    Raises:
        TypeError: ``record`` is not a mapping.
        UnknownAttributes: some keys are unknown; the message lists them with the attribute each
            probably means, and the known attributes.

    Examples:
        >>> try:
        ...     check_record_keys({"nom": "Dupont", "email": "jd@free.fr"})
        ... except UnknownAttributes as exc:
        ...     print(exc.suggestions)
        {'nom': 'last_name'}
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"{where}: give one record as an object of attribute -> value, got "
                        f"{type(record).__name__}")
    unknown = [str(k) for k in record if k not in allowed]
    if unknown:
        suggestions = {k: s for k in unknown if (s := _closest_attribute(k, allowed))}
        raise UnknownAttributes(unknown, allowed, suggestions, where)
    return dict(record)


def evidence_text(evidence: Mapping[str, str]) -> str:
    """Evidence per feature as one text (``email: exact; last_name: phonetic``), as
    :meth:`ReferenceIndex.match` gives it."""
    return "; ".join(f"{c}: {v}" for c, v in evidence.items()) or "no comparable data"


def decision(found: pd.DataFrame | Sequence[Mapping[str, Any]], threshold: float,
             possible_from: float = POSSIBLE_FROM) -> str:
    """``same``, ``possible`` or ``new`` (:data:`DECISIONS`) from a match's candidates.

    ``same`` when the best candidate's probability reaches the curative ``threshold``,
    ``possible`` when it reaches ``possible_from``, else ``new`` (no candidate included).

    Examples:
        >>> decision([{"match_probability": 0.62}], threshold=0.9)
        'possible'
    """
    probabilities = [float(p) for p in (found["match_probability"] if isinstance(
        found, pd.DataFrame) else [row["match_probability"] for row in found])]
    best = max(probabilities, default=0.0)
    return "same" if best >= threshold else "possible" if best >= possible_from else "new"


def prepare_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """One standardised record as :func:`prepare_records` prepares it, as plain values.

    The values are those of the row :func:`prepare_records` would return (text or None,
    ``phone_is_mobile`` and ``name_swapped`` as bool), without building a frame.

    Examples:
        >>> prepare_record({"source": "web", "record_id": "1", "first_name": "JEAN PIERRE",
        ...                 "last_name": "DUPOND"})["last_name_phonetic"]
        'DUPON'
    """
    out: dict[str, Any] = {"source": str(record.get("source", QUERY_SOURCE)),
                           "record_id": str(record.get("record_id", "0"))}
    for column in TEXT_COLUMNS:
        out[column] = _clean_text(record.get(column))
    out["birth_date"] = out["birth_date"] or _clean_text(record.get(AS_READ_BIRTH_DATE))
    if out["id_number"] is not None:
        out["id_number"] = re.sub(r"[^0-9A-Z]", "", out["id_number"].upper()) or None
    for column in ("last_name", "first_name", "birth_name"):
        key = f"{column}_phonetic"
        if out[key] is None and out[column] is not None:
            out[key] = _clean_text(french_phonetic(out[column]))
    first, date, postcode, email = (out["first_name"], out["birth_date"], out["postcode"],
                                    out["email"])
    out["first_initial"] = _clean_text(first[:1]) if first else None
    out["birth_year"] = _clean_text(date[:4]) if date and re.match(r"^\d{4}-", date) else None
    out["birth_month_day"] = _clean_text(birth_month_day(date)) if date else None
    out["department"] = _clean_text(postcode[:2]) if postcode else None
    out["locality"] = postcode or out["city"]
    out["place"] = place_of(postcode, out["city"])
    out["weak_key"] = None if any(out[c] is not None for c in WEAK_KEY_ABSENT) \
        else out["last_name_phonetic"]
    # The surname's sound of a record with no postcode and no town (prepare_records'
    # placeless_key, for the names-only blocking pass).
    out["placeless_key"] = None if out["locality"] is not None else out["last_name_phonetic"]
    street = out["street_name"]
    out["street_key"] = _clean_text(street_key(street)) if street else None
    out["email_local"] = _clean_text(email.split("@")[0]) if email else None
    out["phone_is_mobile"] = is_french_mobile(out["phone"])
    swapped = record.get("name_swapped")
    out["name_swapped"] = bool(swapped) if swapped is not None and swapped is not pd.NA \
        and not (isinstance(swapped, float) and swapped != swapped) else False
    return out



@dataclass
class _Additions:
    """Records added to a built reference (:meth:`ReferenceIndex.add`), beside its tables.

    Added record ``i`` has position ``len(reference) + i``; its blocking keys go into small
    tables of their own (a dict of key hashes per exact pass, a sorted list per sorted-
    neighbourhood pass) searched with the reference's. A record replaced by an update is
    retired: no query finds it any more.
    """

    records: list[dict[str, Any]] = field(default_factory=list)    # prepare_record output
    customer_ids: list[str] = field(default_factory=list)
    term_frequencies: dict[str, list[float]] = field(default_factory=dict)
    exact: list[dict[int, list[int]]] = field(default_factory=list)   # per exact pass
    sorted_keys: list[list[str]] = field(default_factory=list)        # per sorted pass
    sorted_positions: list[list[int]] = field(default_factory=list)
    retired: set[int] = field(default_factory=set)
    added_keys: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, id) -> pos
    base_keys: np.ndarray | None = None          # sorted hashes of the reference's (source, id)
    base_key_positions: np.ndarray | None = None
    tf_by_value: dict[str, dict[str, float]] = field(default_factory=dict)
    retired_array: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def _record_key_hashes(sources: np.ndarray, record_ids: np.ndarray) -> np.ndarray:
    """64-bit hash of each ``(source, record_id)``."""
    text = pd.Series(sources, dtype=object).astype(str) + "\x1f" + \
        pd.Series(record_ids, dtype=object).astype(str)
    return pd.util.hash_array(text.to_numpy(dtype=object), categorize=False)


@dataclass
class ReferenceIndex:
    """The built reference: prepared records, customer ids, blocking tables and the model.

    Build it with :func:`build_reference_index` or :meth:`from_run`; query it with
    :meth:`match` and :meth:`match_many`; keep it with :meth:`save` / :meth:`load`.

    Attributes:
        prepared: the reference records as :func:`prepare_records` returns them.
        customer_ids: customer id of each reference record (aligned with ``prepared``).
        model: the fitted classifier of the curative run.
        settings: the curative run's settings (passes, threshold, term frequencies).
        exact: one hash table per exact blocking pass.
        neighbourhood: one sorted key table per sorted-neighbourhood pass.
        term_frequencies: ``tf_<feature>`` value of each reference record.
        build_seconds: how long the build took.
    """

    prepared: pd.DataFrame
    customer_ids: np.ndarray
    model: Any
    settings: DedupSettings
    exact: list[_ExactTable]
    neighbourhood: list[_SortedTable]
    term_frequencies: dict[str, np.ndarray]
    build_seconds: float = 0.0
    _features: list[Any] = field(default_factory=list, repr=False)

    # -- construction ----------------------------------------------------------------------------
    @classmethod
    def from_run(cls, run: Any, progress: bool = False) -> "ReferenceIndex":
        """The index of a :class:`rcu_kit.dedup.run.DedupRun` (its standardised records, crosswalk,
        model and settings)."""
        return build_reference_index(run.records, run.result.crosswalk, run.result.model,
                                     run.result.settings, progress=progress)

    def __len__(self) -> int:
        return len(self.prepared)

    @property
    def n_customers(self) -> int:
        return int(pd.unique(self.customer_ids).size)

    @property
    def features(self) -> list[Any]:
        """The comparison features (the curative run's, single-threaded for low latency), with
        the reference's values too frequent to be evidence compared as missing, as the curative
        run compared them (:mod:`rcu_kit.linkage.frequent`)."""
        if not self._features:
            self._features, _ = comparison_features(InMemoryRecords(self.prepared), workers=1)
        return self._features

    def _column(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(vocabulary with None appended, codes) of a reference column, kept once read: a
        vocabulary of a million e-mails is not copied on every query."""
        cache = self.__dict__.setdefault("_arrays", {})
        if column not in cache:
            values = self.prepared[column]
            if not isinstance(values.dtype, pd.CategoricalDtype):   # the source, kept as text
                values = values.astype("category")
            cache[column] = (np.append(np.asarray(values.cat.categories, dtype=object), None),
                             values.cat.codes.to_numpy())
        return cache[column]

    def warm_up(self) -> "ReferenceIndex":
        """Read the compared columns and build the features now, so that the first query
        does not pay for it (called by :func:`build_reference_index` and :meth:`load`)."""
        for feature in self.features:
            labels = feature.labels_left
            for column in ([labels] if isinstance(labels, str) else list(labels)):
                self._column(column)
        return self

    def _reference_values(self, column: str, positions: np.ndarray) -> np.ndarray:
        """:func:`_values` of a reference column, through :meth:`_column` (added records
        included)."""
        vocabulary, codes = self._column(column)
        n = len(self.prepared)
        if not len(positions) or positions.max() < n:
            return vocabulary[codes[positions]]
        base = positions < n
        out = np.empty(len(positions), dtype=object)
        out[base] = vocabulary[codes[positions[base]]]
        added = self._additions().records
        out[~base] = [added[p - n][column] for p in positions[~base]]
        return out

    def _plain(self, column: str, positions: np.ndarray) -> np.ndarray:
        """Values of any reference column (``source``, ``record_id``...) at ``positions``."""
        n = len(self.prepared)
        base = positions < n
        out = np.empty(len(positions), dtype=object)
        out[base] = self.prepared[column].to_numpy(dtype=object)[positions[base]]
        if not base.all():
            added = self._additions().records
            out[~base] = [added[p - n][column] for p in positions[~base]]
        return out

    def _customers(self, positions: np.ndarray) -> np.ndarray:
        """Customer id of each reference position (added records included)."""
        n = len(self.prepared)
        if not len(positions) or positions.max() < n:
            return self.customer_ids[positions]
        added = self._additions().customer_ids
        return np.array([self.customer_ids[p] if p < n else added[p - n] for p in positions],
                        dtype=object)

    def customer_of(self, position: int) -> str:
        """Customer id of the record at ``position`` (:meth:`position_of`)."""
        return str(self._customers(np.array([position], dtype=np.int64))[0])

    def _term_frequency(self, key: str, positions: np.ndarray) -> np.ndarray:
        """``tf_<column>`` of each reference position (added records included)."""
        tf = self.term_frequencies[key]
        n = len(self.prepared)
        if not len(positions) or positions.max() < n:
            return tf[positions]
        added = self._additions().term_frequencies[key]
        return np.array([tf[p] if p < n else added[p - n] for p in positions], dtype=float)

    # -- additions -------------------------------------------------------------------------------
    def _additions(self) -> _Additions:
        """The records added since the build (kept out of :meth:`save`: the service keeps them
        in its own log)."""
        additions = self.__dict__.get("_added")
        if additions is None:
            additions = self.__dict__["_added"] = _Additions(
                exact=[{} for _ in self.exact],
                sorted_keys=[[] for _ in self.neighbourhood],
                sorted_positions=[[] for _ in self.neighbourhood],
                term_frequencies={k: [] for k in self.term_frequencies})
        return additions

    def warm_up_additions(self) -> "ReferenceIndex":
        """Build now what the first :meth:`add` would (the lookup of the reference's record keys,
        the term frequency of each name), so that it does not pause a service."""
        self.position_of("", "")
        for key in self.term_frequencies:
            self._tf_of(key, "")
        return self

    def warm_up_matching(self, scan: int = 1_000) -> int:
        """Run the single-record match once on every code path now, so that the first queries
        of a service do not pay for it (reference lists read, caches of the comparison
        features filled, lazy imports: the first match of a fresh process took about 200 ms
        in ``rcu-kit serve`` at 1M records, queueing every client behind it).

        The queries are built from the reference record with the most attributes among the
        first ``scan`` records: all its attributes, then each attribute alone (a form sends
        a few), so that each is standardised, blocked and compared at least once with
        candidates found. Nothing is kept or logged.

        Returns:
            The number of queries run (0 for an empty reference).
        """
        columns = [c for c in MATCH_ATTRIBUTES[2:] if c in self.prepared.columns]
        rows = np.arange(min(scan, len(self.prepared)))
        if not len(rows) or not columns:
            return 0
        values = {c: _values(self.prepared[c], rows) if isinstance(
            self.prepared[c].dtype, pd.CategoricalDtype) else
            self.prepared[c].to_numpy(dtype=object)[rows] for c in columns}
        filled = sum((pd.notna(pd.Series(v, dtype=object)).to_numpy() for v in values.values()))
        best = int(np.argmax(filled))
        record = {c: str(v[best]) for c, v in values.items() if pd.notna(v[best])}
        queries = [record] + [{c: v} for c, v in record.items()]
        for query in queries:
            self.match_detail(query)
        return len(queries)

    @property
    def n_added(self) -> int:
        """Records added since the build (updates included: each adds a version)."""
        added = self.__dict__.get("_added")
        return len(added.records) if added is not None else 0

    @property
    def n_current(self) -> int:
        """Records a query can find: the reference's and the added ones, less the replaced."""
        added = self.__dict__.get("_added")
        return len(self) + (len(added.records) - len(added.retired) if added is not None else 0)

    def position_of(self, source: str, record_id: str) -> int | None:
        """Current position of the record ``(source, record_id)``, None when unknown."""
        additions = self._additions()
        key = (str(source), str(record_id))
        if key in additions.added_keys:
            return additions.added_keys[key]
        if additions.base_keys is None:
            hashes = _record_key_hashes(self.prepared["source"].to_numpy(dtype=object),
                                        self.prepared["record_id"].to_numpy(dtype=object))
            order = np.argsort(hashes, kind="stable")
            additions.base_keys, additions.base_key_positions = hashes[order], order
        h = _record_key_hashes(np.array([key[0]], dtype=object),
                               np.array([key[1]], dtype=object))[0]
        lo = int(np.searchsorted(additions.base_keys, h, side="left"))
        hi = int(np.searchsorted(additions.base_keys, h, side="right"))
        for position in additions.base_key_positions[lo:hi].tolist():
            if (str(self.prepared["source"].iat[position]), str(
                    self.prepared["record_id"].iat[position])) == key \
                    and position not in additions.retired:
                return int(position)
        return None

    def _tf_of(self, key: str, value: str | None) -> float:
        """Term frequency an added record's value gets: that of the reference records carrying
        it (the model's frequencies are the curative run's, not updated), the rarest
        frequency for a value the reference does not hold, NaN for a missing value."""
        if value is None:
            return float("nan")
        additions = self._additions()
        table = additions.tf_by_value.get(key)
        if table is None:
            column = self.prepared[key[len(TF_PREFIX):]]
            codes = column.cat.codes.to_numpy()
            tf = self.term_frequencies[key]
            by_code = np.full(len(column.cat.categories), np.nan)
            by_code[codes[codes >= 0]] = tf[codes >= 0]
            table = dict(zip(column.cat.categories.astype(str), by_code.tolist()))
            table[""] = float(np.nanmin(by_code)) if np.isfinite(by_code).any() else float("nan")
            additions.tf_by_value[key] = table
        return table.get(value, table[""])

    def add(self, record: Mapping[str, Any], customer_id: str, *,
            standardised: bool = False) -> tuple[int, bool]:
        """Add a record to the reference, or replace the record with its ``source`` and
        ``record_id``: the next :meth:`match` finds it (and no longer the replaced version).

        Its blocking keys, compared values and term frequencies are those a record of the
        curative run gets; the model and the reference's frequencies are not refitted. Not
        thread-safe: a caller serving several threads serialises its calls (the HTTP service
        runs every request on one thread).

        Args:
            record: the record, with its ``source`` and ``record_id``.
            customer_id: the customer it belongs to.
            standardised: the record is already standardised.

        Returns:
            Its position and whether it replaced a record.

        Raises:
            ValueError: ``source`` or ``record_id`` missing.
        """
        missing = [k for k in ("source", "record_id") if record.get(k) in (None, "")]
        if missing:
            raise ValueError(f"add: the record needs its {' and '.join(missing)} (the key that "
                             "identifies it in its source)")
        record = dict(record)
        if not standardised:
            from rcu_kit.standardise.single import standardise_record

            record = standardise_record(record)
        query = prepare_record(record)
        additions = self._additions()
        old = self.position_of(query["source"], query["record_id"])
        position = len(self.prepared) + len(additions.records)
        additions.records.append(query)
        additions.customer_ids.append(str(customer_id))
        for key, values in additions.term_frequencies.items():
            values.append(self._tf_of(key, query[key[len(TF_PREFIX):]]))
        for table, overlay in zip(self.exact, additions.exact):
            for h in self._exact_keys(table, query):
                overlay.setdefault(h, []).append(position)
        for i, table in enumerate(self.neighbourhood):
            key = self._neighbourhood_key(table, query)
            if key is not None:
                at = bisect.bisect_right(additions.sorted_keys[i], key)
                additions.sorted_keys[i].insert(at, key)
                additions.sorted_positions[i].insert(at, position)
        additions.added_keys[(query["source"], query["record_id"])] = position
        if old is not None:
            additions.retired.add(old)
            additions.retired_array = np.array(sorted(additions.retired), dtype=np.int64)
        return position, old is not None

    # -- persistence -----------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the index to ``path`` (one pickle file) and a readable ``<path>.json`` summary.

        Only load files you wrote yourself: a pickle can run code when read.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        features, self._features = self._features, []
        arrays = self.__dict__.pop("_arrays", None)
        added = self.__dict__.pop("_added", None)
        try:
            with path.open("wb") as fh:
                pickle.dump({"format": FORMAT_VERSION, "index": self}, fh, protocol=5)
        finally:
            self._features = features
            if arrays is not None:
                self.__dict__["_arrays"] = arrays
            if added is not None:
                self.__dict__["_added"] = added
        meta = {"format": FORMAT_VERSION, "records": len(self), "customers": self.n_customers,
                "threshold": self.settings.threshold,
                "passes": [t.name for t in self.exact] + [t.name for t in self.neighbourhood],
                "skipped_blocks": {t.name: t.skipped_blocks for t in self.exact},
                "build_seconds": round(self.build_seconds, 3)}
        path.with_suffix(path.suffix + ".json").write_text(json.dumps(meta, indent=2),
                                                          encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "ReferenceIndex":
        """Read an index written by :meth:`save` (no retraining, no re-indexing).

        Raises:
            FileNotFoundError: no file at ``path`` (the message says how to build one).
            ValueError: the file is not a reference index of this version.
        """
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no reference index; build it from a deduplication "
                                    "run (notebook 04b, or rcu_kit.golden.preventive."
                                    "build_reference_for_engagement)")
        with path.open("rb") as fh:
            payload = pickle.load(fh)  # noqa: S301 - the engagement's own output file
        if not isinstance(payload, dict) or not isinstance(payload.get("index"), cls):
            raise ValueError(f"{path}: not a reference index; rebuild it from the "
                             "deduplication run")
        if payload.get("format") != FORMAT_VERSION:
            raise StaleIndex(f"{path}: a reference index of format {payload.get('format')}, "
                             f"this version reads format {FORMAT_VERSION}; rebuild it from the "
                             "deduplication run")
        return payload["index"].warm_up()

    # -- matching --------------------------------------------------------------------------------
    def prepare_queries(self, records: pd.DataFrame | Sequence[Mapping[str, Any]],
                        standardised: bool = False) -> pd.DataFrame:
        """Queries as prepared records: standardised (unless already) then prepared.

        Args:
            records: a frame or a list of dicts with attribute columns (``last_name``,
                ``first_name``, ``full_name``, ``email``, ``phone``, ``street``, ``postcode``
                ...); ``source`` and ``record_id`` are optional (default ``query`` and the
                row number).
            standardised: the records are already ``standardise_records`` output.
        """
        frame = pd.DataFrame(list(records)) if not isinstance(records, pd.DataFrame) \
            else records.reset_index(drop=True)
        if frame.empty:
            raise ValueError("match: no record given")
        frame = frame.copy()
        if "source" not in frame.columns:
            frame["source"] = QUERY_SOURCE
        if "record_id" not in frame.columns:
            frame["record_id"] = [str(i) for i in range(len(frame))]
        frame["record_id"] = frame["record_id"].astype(str)
        if not standardised:
            from rcu_kit.standardise import standardise_records
            frame = standardise_records(frame)
        return prepare_records(frame)

    def candidates(self, queries: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Candidate pairs (query row, reference position) from every blocking pass, united."""
        rows, positions = [], []
        for table in self.exact:
            qh, qpos = _key_hashes(queries, table.algorithm.on)
            lo = np.searchsorted(table.hashes, qh, side="left")
            hi = np.searchsorted(table.hashes, qh, side="right")
            r, k = _ranges(lo, hi)
            rows.append(qpos[r])
            positions.append(table.positions[k])
        for table in self.neighbourhood:
            key = _sort_key(queries, table.algorithm.on)
            has = np.flatnonzero(pd.notna(key))
            values = key[has]
            if not len(values) or not len(table.keys):
                continue
            lo = np.searchsorted(table.keys, values, side="left")
            hi = np.searchsorted(table.keys, values, side="right")
            w = table.algorithm.window - 1
            start = np.maximum(lo - w, 0)
            stop = np.minimum(np.minimum(hi, lo + self.settings.max_block_size) + w,
                              len(table.keys))
            r, k = _ranges(start, stop)
            rows.append(has[r])
            positions.append(table.positions[k])
        added = self.__dict__.get("_added")
        if added is not None and added.records:
            # The added records are few: each query looks them up as a single record does.
            columns = {c: _values(queries[c], np.arange(len(queries))) for c in queries.columns
                       if isinstance(queries[c].dtype, pd.CategoricalDtype)}
            for i in range(len(queries)):
                for found in self._added_candidates({c: v[i] for c, v in columns.items()},
                                                    added):
                    rows.append(np.full(len(found), i, dtype=np.int64))
                    positions.append(found)
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        size = len(self.prepared) + self.n_added
        code = np.unique(np.concatenate(rows).astype(np.int64) * size
                         + np.concatenate(positions))
        rows, positions = code // size, code % size
        if added is not None and len(added.retired_array):
            kept = ~np.isin(positions, added.retired_array)
            rows, positions = rows[kept], positions[kept]
        return rows, positions

    def _columns(self, queries: pd.DataFrame, rows: np.ndarray, positions: np.ndarray
                 ) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
        """Left (query) and right (reference) values of each compared column, as categoricals
        on one small vocabulary per column (shared by the columns compared with each other)."""
        return self._columns_of(lambda c: _values(queries[c], rows), positions)

    def _columns_of(self, query_values: Any, positions: np.ndarray
                    ) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
        """:meth:`_columns` with the query side given as ``column -> values of the pairs``."""
        needed: list[str] = []
        for feature in self.features:
            labels = feature.labels_left
            for c in ([labels] if isinstance(labels, str) else list(labels)):
                if c not in needed:
                    needed.append(c)
        left: dict[str, pd.Series] = {}
        right: dict[str, pd.Series] = {}
        for column in needed:
            if column in left:
                continue
            group = next((g for g in _SHARED if column in g and all(c in needed for c in g)),
                         (column,))
            parts = []
            for c in group:
                asked = query_values(c)
                if c == "source":                 # a query that gave no source has none
                    asked = np.where(asked == QUERY_SOURCE, None, asked)
                parts.append(asked)
                parts.append(self._reference_values(c, positions))
            # Codes in order of first appearance (as pd.factorize), None as -1: a dict is
            # faster than pandas on the few hundred values of one query.
            vocabulary: dict[str, int] = {}
            codes = np.fromiter((-1 if v is None else vocabulary.setdefault(v, len(vocabulary))
                                 for v in np.concatenate(parts)), dtype=np.int64)
            dtype = pd.CategoricalDtype(pd.Index(np.array(list(vocabulary), dtype=object),
                                                 dtype=object))
            n = len(positions)
            for i, c in enumerate(group):
                left[c] = pd.Series(pd.Categorical.from_codes(
                    codes[2 * i * n:(2 * i + 1) * n], dtype=dtype, validate=False))
                right[c] = pd.Series(pd.Categorical.from_codes(
                    codes[(2 * i + 1) * n:(2 * i + 2) * n], dtype=dtype, validate=False))
        return left, right

    def score(self, queries: pd.DataFrame, rows: np.ndarray, positions: np.ndarray
              ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Levels, match probability and rule code of each (query row, reference) pair."""
        return self._score_columns(*self._columns(queries, rows, positions), positions)

    def _score_columns(self, left: dict[str, pd.Series], right: dict[str, pd.Series],
                       positions: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        levels = {}
        for feature in self.features:
            labels = feature.labels_left
            cols = [labels] if isinstance(labels, str) else list(labels)
            levels[feature.label] = feature.compare([left[c] for c in cols],
                                                    [right[c] for c in cols]).astype(np.int8)
        levels = pd.DataFrame(levels)
        vectors = levels.copy()
        for column in _NAME_TF:
            if column in self.term_frequencies:
                vectors[column] = self._term_frequency(column, positions)
        if f"{TF_PREFIX}postcode" in self.term_frequencies and "postcode_city" in levels.columns:
            from rcu_kit.linkage.pipeline import place_term_frequency

            vectors[_PLACE_TF] = place_term_frequency(
                levels["postcode_city"].to_numpy(),
                self._term_frequency(f"{TF_PREFIX}postcode", positions),
                self._term_frequency(f"{TF_PREFIX}city", positions),
                self._term_frequency(f"{TF_PREFIX}place", positions))
        probability = self.model.prob(vectors).to_numpy()
        rules = self.model.rule_codes(levels)
        return levels, probability, rules

    def match_many(self, records: pd.DataFrame | Sequence[Mapping[str, Any]], *,
                   standardised: bool = False, top: int = 5, min_probability: float = 0.05
                   ) -> pd.DataFrame:
        """Candidate customers of each record, best first.

        Args:
            records: the new records (see :meth:`prepare_queries`).
            standardised: the records are already standardised.
            top: candidate customers kept per record at most.
            min_probability: candidates below this probability are left out.

        Returns:
            :data:`MATCH_COLUMNS`: ``query`` (the record's position in ``records``),
            ``customer_id``, ``match_probability`` (of the customer's best-matching record),
            ``is_match`` (at least the curative threshold), that record's ``source`` and
            ``record_id``, the veto ``rule`` that fired (or empty) and readable ``evidence``.
            A record with no candidate has no row: it is a new customer.
        """
        queries = self.prepare_queries(records, standardised=standardised)
        rows, positions = self.candidates(queries)
        if not len(rows):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in MATCH_COLUMNS})
        levels, probability, rules = self.score(queries, rows, positions)
        table = pd.DataFrame({"query": rows, "position": positions,
                              "customer_id": self._customers(positions),
                              "match_probability": probability, "rule_code": rules})
        table = table[table["match_probability"] >= min_probability]
        table = table.sort_values(["query", "match_probability", "position"],
                                  ascending=[True, False, True], kind="stable")
        table = table.drop_duplicates(["query", "customer_id"])
        table = table[table.groupby("query").cumcount() < top]
        names = level_names(self.features)
        chosen = levels.loc[table.index]
        evidence = ["; ".join(f"{c}: {names[c][v]}" for c, v in row.items() if v != MISSING)
                    or "no comparable data" for _, row in chosen.iterrows()]
        rule_names = {0: "", **RULES}
        out = pd.DataFrame({
            "query": table["query"].to_numpy(),
            "customer_id": table["customer_id"].to_numpy(),
            "match_probability": table["match_probability"].to_numpy(),
            "is_match": table["match_probability"].to_numpy() >= self.settings.threshold,
            "source": self._plain("source", table["position"].to_numpy()),
            "record_id": self._plain("record_id", table["position"].to_numpy()),
            "rule": [rule_names.get(int(r), str(r)) for r in table["rule_code"]],
            "evidence": evidence,
        })
        return out.reset_index(drop=True)


    # -- one record, without frames (the web-form check) -----------------------------------------
    def candidates_of(self, query: Mapping[str, Any]) -> np.ndarray:
        """Reference positions paired with one prepared record (:func:`prepare_record`) by
        the blocking passes, sorted: :meth:`candidates` for one query, without frames."""
        found = []
        for table in self.exact:
            for h in self._exact_keys(table, query):
                lo = np.searchsorted(table.hashes, np.uint64(h), side="left")
                hi = np.searchsorted(table.hashes, np.uint64(h), side="right")
                if hi > lo:
                    found.append(table.positions[lo:hi])
        for table in self.neighbourhood:
            key = self._neighbourhood_key(table, query)
            if key is None or not len(table.keys):
                continue
            lo = int(np.searchsorted(table.keys, key, side="left"))
            hi = int(np.searchsorted(table.keys, key, side="right"))
            w = table.algorithm.window - 1
            start = max(lo - w, 0)
            stop = min(min(hi, lo + self.settings.max_block_size) + w, len(table.keys))
            if stop > start:
                found.append(table.positions[start:stop])
        added = self.__dict__.get("_added")
        if added is not None:
            found.extend(self._added_candidates(query, added))
        if not found:
            return np.zeros(0, np.int64)
        positions = np.unique(np.concatenate(found))
        if added is not None and len(added.retired_array):
            positions = positions[~np.isin(positions, added.retired_array)]
        return positions

    @staticmethod
    def _exact_keys(table: _ExactTable, query: Mapping[str, Any]) -> list[int]:
        """Hashes of an exact pass's key for one prepared record (one per "any of"
        alternative, none when a key part is missing)."""
        keys = [(0, False)]
        for element in table.algorithm.on:
            alternatives = [element] if isinstance(element, str) else list(element)
            new = []
            for h, missing in keys:
                for column in alternatives:
                    value = query[column]
                    part = 0 if value is None else int(_hash_text(value))
                    new.append((((h ^ part) * _MIX_INT) & _MASK, missing or value is None))
            keys = new
        return [h for h, missing in keys if not missing]

    @staticmethod
    def _neighbourhood_key(table: _SortedTable, query: Mapping[str, Any]) -> str | None:
        """A sorted-neighbourhood pass's key for one prepared record (None: not in the pass)."""
        on = table.algorithm.on
        if query[on[0]] is None:
            return None
        return "\x01".join("" if query[c] is None else query[c] for c in on)

    def _added_candidates(self, query: Mapping[str, Any], added: _Additions
                          ) -> list[np.ndarray]:
        """Added records paired with one prepared record: same keys, and the window of each
        sorted pass taken among the added records (with the reference's own window, a superset
        of the merged order's window)."""
        found = []
        for table, overlay in zip(self.exact, added.exact):
            for h in self._exact_keys(table, query):
                if h in overlay:
                    found.append(np.asarray(overlay[h], dtype=np.int64))
        for i, table in enumerate(self.neighbourhood):
            keys = added.sorted_keys[i]
            key = self._neighbourhood_key(table, query)
            if key is None or not keys:
                continue
            lo, hi = bisect.bisect_left(keys, key), bisect.bisect_right(keys, key)
            w = table.algorithm.window - 1
            start = max(lo - w, 0)
            stop = min(min(hi, lo + self.settings.max_block_size) + w, len(keys))
            if stop > start:
                found.append(np.asarray(added.sorted_positions[i][start:stop], dtype=np.int64))
        return found

    def match_detail(self, record: Mapping[str, Any], *, standardised: bool = False,
                     top: int = 5, min_probability: float = 0.05) -> list[dict[str, Any]]:
        """:meth:`match` (the single-record path) as plain values, the evidence per attribute.

        Returns:
            One dict per candidate customer, best first: ``customer_id``,
            ``match_probability`` (float), ``is_match`` (bool), ``source``, ``record_id``,
            ``rule`` (the veto that fired, or empty) and ``evidence``: compared feature ->
            level name (``{"email": "exact", "last_name": "phonetic"}``), features a side
            lacks left out. :meth:`match`'s ``evidence`` text joins it as ``feature: level``.
        """
        record = dict(record)
        record.setdefault("source", QUERY_SOURCE)
        record.setdefault("record_id", "0")
        if not standardised:
            from rcu_kit.standardise.single import standardise_record

            record = standardise_record(record)
        query = prepare_record(record)
        positions = self.candidates_of(query)
        if not len(positions):
            return []
        n = len(positions)
        left, right = self._columns_of(
            lambda c: np.full(n, query[c], dtype=object), positions)
        levels, probability, rules = self._score_columns(left, right, positions)
        # Best first, ties by reference position; one row per customer; ``top`` customers.
        order = np.lexsort((positions, -probability))
        customers = self._customers(positions)
        seen: set[Any] = set()
        chosen: list[int] = []
        for i in order:
            if probability[i] < min_probability:
                continue
            customer = customers[i]
            if customer in seen:
                continue
            seen.add(customer)
            chosen.append(int(i))
            if len(chosen) == top:
                break
        if not chosen:
            return []
        names = level_names(self.features)
        matrix = levels.to_numpy()
        labels = list(levels.columns)
        rule_names = {0: "", **RULES}
        picked = positions[chosen]
        sources, ids = self._plain("source", picked), self._plain("record_id", picked)
        return [{"customer_id": customers[i], "match_probability": float(probability[i]),
                 "is_match": bool(probability[i] >= self.settings.threshold),
                 "source": sources[k], "record_id": ids[k],
                 "rule": rule_names.get(int(rules[i]), str(rules[i])),
                 "evidence": {c: names[c][v] for c, v in zip(labels, matrix[i]) if v != MISSING}}
                for k, i in enumerate(chosen)]

    def _match_one(self, record: Mapping[str, Any], standardised: bool, top: int,
                   min_probability: float) -> pd.DataFrame:
        """:meth:`match` without frames on the query side (same candidates, same scores)."""
        found = self.match_detail(record, standardised=standardised, top=top,
                                  min_probability=min_probability)
        columns = MATCH_COLUMNS[1:]
        if not found:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        table = pd.DataFrame({c: [row[c] for row in found] for c in columns[:-1]})
        table["match_probability"] = table["match_probability"].astype(float)
        table["is_match"] = table["is_match"].astype(bool)
        table["evidence"] = [evidence_text(row["evidence"]) for row in found]
        return table

    def match(self, record: Mapping[str, Any], *, standardised: bool = False, top: int = 5,
              min_probability: float = 0.05, fast: bool = True) -> pd.DataFrame:
        """Candidate customers of one record, best first (see :meth:`match_many`).

        The record takes the single-record path: :func:`rcu_kit.standardise.single.
        standardise_record`, :func:`prepare_record` and :meth:`candidates_of` in plain Python,
        then the curative run's features and model on its few candidates (a few ms on a
        million records). ``fast=False`` takes the batch path of :meth:`match_many` instead;
        both give the same rows.

        Examples:
            >>> index.match({"full_name": "DUPONT Jean", "phone": "06 12 34 56 78"})
            ... # doctest: +SKIP
        """
        if not isinstance(record, Mapping):
            raise TypeError(f"match: give one record as a dict of attribute -> value, got "
                            f"{type(record).__name__} (use match_many for several)")
        if fast:
            return self._match_one(record, standardised, top, min_probability)
        return self.match_many([dict(record)], standardised=standardised, top=top,
                               min_probability=min_probability).drop(columns="query")


def build_reference_index(records: pd.DataFrame, crosswalk: pd.DataFrame, model: Any,
                          settings: DedupSettings | Mapping[str, Any] | None = None,
                          progress: bool = False) -> ReferenceIndex:
    """Build the preventive index from a curative run's records, crosswalk and fitted model.

    Args:
        records: the standardised records the curative run deduplicated.
        crosswalk: its ``source, record_id, customer_id`` (one row per record).
        model: its fitted classifier (``DedupResult.model``).
        settings: its settings (``DedupResult.settings``): passes, block cap, threshold.
        progress: show a progress bar over the blocking passes.

    Raises:
        ValueError: a record without a customer id, or a model fitted on features the
            comparison does not produce.
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    settings = DedupSettings.coerce(settings)
    prepared = prepare_records(records)
    keys = prepared[["source", "record_id"]]
    joined = keys.merge(crosswalk[["source", "record_id", "customer_id"]].astype(str),
                        on=["source", "record_id"], how="left", validate="one_to_one")
    if joined["customer_id"].isna().any():
        lost = joined[joined["customer_id"].isna()].head(5)
        raise ValueError(f"crosswalk: {int(joined['customer_id'].isna().sum())} record(s) have no "
                         "customer id, e.g. " + ", ".join(
                             f"{s}/{r}" for s, r, _ in lost.itertuples(index=False)))
    fitted = getattr(getattr(model, "fit_", None), "features", None) or \
        getattr(model, "features_", None)
    labels = [f.label for f in default_features(workers=1)]
    if fitted is None:
        raise ValueError("build_reference_index: the model is not fitted (give DedupResult.model)")
    unknown = [f for f in fitted if f not in labels]
    if unknown:
        raise ValueError(f"build_reference_index: the model was fitted on feature(s) {unknown} "
                         f"that the comparison does not produce ({labels})")
    exact, sorted_tables = [], []
    for algorithm in tqdm(build_index(settings).algorithms, desc="reference index",
                          disable=not progress):
        if isinstance(algorithm, ExactBlockIndex):
            exact.append(_exact_table(algorithm, prepared))
        else:
            sorted_tables.append(_sorted_table(algorithm, prepared))
    tf: dict[str, np.ndarray] = {}
    if settings.tf_adjustment:
        from rcu_kit.linkage.pipeline import TF_COLUMNS, term_frequencies

        everyone = np.arange(len(prepared))
        for column in TF_COLUMNS:
            tf[f"{TF_PREFIX}{column}"] = term_frequencies(prepared, column, everyone)
    return ReferenceIndex(prepared=prepared,
                          customer_ids=joined["customer_id"].to_numpy(dtype=object),
                          model=model, settings=settings, exact=exact, neighbourhood=sorted_tables,
                          term_frequencies=tf,
                          build_seconds=time.perf_counter() - start).warm_up()


def reference_index_path(engagement: Any) -> Path:
    """Where an engagement's reference index is kept: ``<output>/golden/reference_index.pkl``."""
    from rcu_kit.core.paths import step_dir

    return step_dir(engagement, "golden") / "reference_index.pkl"


def build_reference_for_engagement(engagement: Any, run: Any = None, progress: bool = True
                                   ) -> ReferenceIndex:
    """Build (running the deduplication if ``run`` is not given) and save the engagement's index."""
    if run is None:
        from rcu_kit.dedup.run import run_dedup

        run = run_dedup(engagement, progress=progress)
    index = ReferenceIndex.from_run(run, progress=progress)
    index.save(reference_index_path(engagement))
    return index


def reference_is_current(engagement: Any) -> bool:
    """Whether the engagement's index is saved in this version's format, read from the summary
    :meth:`ReferenceIndex.save` writes beside it (without loading the index)."""
    path = reference_index_path(engagement)
    summary = path.with_suffix(path.suffix + ".json")
    try:
        return path.exists() and json.loads(summary.read_text(encoding="utf-8")).get(
            "format") == FORMAT_VERSION
    except (OSError, ValueError):
        return False


def engagement_reference(engagement: Any, progress: bool = False) -> ReferenceIndex:
    """The engagement's saved reference index, built (by a deduplication run) when missing or
    saved by an earlier version of rcu_kit."""
    path = reference_index_path(engagement)
    if path.exists():
        try:
            return ReferenceIndex.load(path)
        except StaleIndex:
            pass          # saved by an earlier version: rebuilt below
    return build_reference_for_engagement(engagement, progress=progress)


def candidates_shown(index: ReferenceIndex, record: Mapping[str, Any], *, top: int = 5,
                     masked: bool = True) -> pd.DataFrame:
    """The candidate customers of ``record`` with the reference record's values beside them.

    Each row is :meth:`ReferenceIndex.match`'s, plus the candidate record's standardised
    ``last_name``, ``first_name``, ``email``, ``phone`` and ``postcode``, masked
    (:data:`rcu_kit.values.masking.ATTRIBUTE_MASK_TYPES`) unless ``masked`` is false, and the
    probability rounded to 4 decimals. Empty when the record is a new customer.
    """
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_frame

    found = index.match(record, top=top)
    if found.empty:
        return found
    positions = pd.MultiIndex.from_frame(index.prepared[["source", "record_id"]]).get_indexer(
        pd.MultiIndex.from_frame(found[["source", "record_id"]]))
    shown = found.copy()
    for column in ("last_name", "first_name", "email", "phone", "postcode"):
        values = index.prepared[column].to_numpy(dtype=object)[positions]
        shown[column] = [None if pd.isna(v) else v for v in values]
    shown = mask_frame(shown, ATTRIBUTE_MASK_TYPES, enabled=masked)
    shown["match_probability"] = shown["match_probability"].round(4)
    return shown
