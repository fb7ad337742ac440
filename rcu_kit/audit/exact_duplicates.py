"""A first estimate of duplicates inside each source, on exact keys.

Before the deduplication step (fuzzy matching, notebook 04) refines it, the audit counts the
records of a source that share an exact key with another record of the same source:

* ``email``: the e-mail in lower case without spaces (invalid e-mails such as ``n/a`` are not keys);
* ``phone``: the phone number reduced to its international digits (``06 12 34 56 78``,
  ``+33612345678`` and ``612345678`` are the same key; invalid numbers are not keys);
* ``name_birth_date``: last name + first name (or full name, words in any order) in capitals
  without accents or punctuation, plus the parsed birth date;
* ``any_key``: records linked through any of the keys above, transitively (A shares an e-mail
  with B, B a phone with C: one group of three).

Records linked through a key form a *group*; ``duplicate_rows`` is the number of records beyond
the first of each group, so ``rows - duplicate_rows`` (for ``any_key``) estimates the distinct
customers of the source. Several columns of one kind (``tel_fixe``, ``tel_portable``) all count.

Keys are built once per distinct value (reusing the validity statuses the quality stage already
computed on the column's :class:`rcu_kit.values.validity.DistinctValues`) and numbered; the groups are
the connected components of the graph linking each record to its key numbers.

Examples:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"email": ["A@x.fr", "a@x.fr ", "b@x.fr"],
    ...                       "tel": ["0612345678", None, "+33 6 12 34 56 78"]})
    >>> table = estimate_exact_duplicates(frame, {"email": "email", "tel": "phone"}, source="crm")
    >>> table[["key", "rows_with_key", "duplicate_rows"]].values.tolist()
    [['email', 3, 1], ['phone', 2, 1], ['name_birth_date', 0, 0], ['any_key', 3, 2]]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from unidecode import unidecode

from rcu_kit.values.validity import INVALID, DistinctValues, distinct_values, parse_dates

__all__ = ["KEYS", "DUPLICATE_COLUMNS", "email_key", "phone_key", "name_key",
           "estimate_exact_duplicates", "ExactKeys"]

KEYS = ("email", "phone", "name_birth_date", "any_key")
DUPLICATE_COLUMNS = ["source", "key", "columns", "rows", "rows_with_key", "groups",
                     "duplicate_rows", "duplicate_rate", "largest_group", "note_code", "note_params"]


_NO_KEY = np.zeros(0, dtype=object)


_NON_DIGITS = re.compile(r"\D+")


def _email_key_one(value: str) -> str:
    return "".join(value.lower().split()).removeprefix("mailto:").replace(",", ".")


def _phone_key_one(value: str) -> str:
    digits = (value if value.isdecimal() else _NON_DIGITS.sub("", value)).removeprefix("00")
    if len(digits) == 10 and digits[0] == "0":  # national: trunk 0 -> 33
        return "33" + digits[1:]
    if len(digits) == 9 and digits[0] in "123456789":  # trunk 0 lost
        return "33" + digits
    return digits


def _keys(values: DistinctValues, kind: str, one) -> np.ndarray:
    """Key of each distinct value of a column of ``kind`` (None when invalid)."""
    if len(values.values) == 0:
        return _NO_KEY
    ok = values.status(kind) != INVALID
    return np.array([one(v) if good else None for v, good in zip(values.values, ok)], dtype=object)


def _email_keys(values: DistinctValues) -> np.ndarray:
    """Key of each distinct e-mail (None when invalid)."""
    return _keys(values, "email", _email_key_one)


def _phone_keys(values: DistinctValues) -> np.ndarray:
    """Key of each distinct phone number (None when invalid)."""
    return _keys(values, "phone", _phone_key_one)


def _name_keys(values: DistinctValues, sort_words: bool) -> np.ndarray:
    """Name part of the key for each distinct name: capital words without accents (None if none)."""
    def one(v: str) -> str | None:
        words = re.findall(r"[A-Z]+", unidecode(v).upper())
        if sort_words:
            words = sorted(words)
        return " ".join(words) or None

    return np.array([one(v) for v in values.values], dtype=object)


def _birth_keys(values: DistinctValues) -> np.ndarray:
    """Birth date of each distinct value as ``YYYY-MM-DD`` (None when it does not parse)."""
    if len(values.values) == 0:
        return _NO_KEY
    parsed = parse_dates(values.series())
    text = parsed.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    return np.where(parsed.notna().to_numpy(), text, None)


def _rows(values: DistinctValues, per_value: np.ndarray) -> pd.Series:
    """A per-distinct-value key mapped back to the rows, NA when missing."""
    return values.per_row(per_value, missing=None).where(lambda s: s.notna(), pd.NA).rename(None)


def email_key(series: pd.Series) -> pd.Series:
    """E-mail match key: lower case, no spaces; NA when the e-mail is invalid or missing.

    Examples:
        >>> email_key(pd.Series([" Jean@X.fr", "n/a", None])).tolist()
        ['jean@x.fr', <NA>, <NA>]
    """
    values = distinct_values(series)
    return _rows(values, _email_keys(values))


def phone_key(series: pd.Series) -> pd.Series:
    """Phone match key: international digits (``33612345678``); NA when invalid or missing.

    Examples:
        >>> phone_key(pd.Series(["06 12 34 56 78", "+33612345678", "612345678", "0033 6 12 34 56 78",
        ...                      "12"])).tolist()
        ['33612345678', '33612345678', '33612345678', '33612345678', <NA>]
    """
    values = distinct_values(series)
    return _rows(values, _phone_keys(values))


def _name_columns(columns: list[object], semantic_types: Mapping[str, str]
                  ) -> tuple[list[tuple[object, bool]], object, str]:
    """The name columns (column, sort words) and birth-date column of the name key, and its label."""
    by_type: dict[str, list[object]] = {}
    for col in columns:
        by_type.setdefault(semantic_types.get(col, ""), []).append(col)
    births = by_type.get("birth_date", [])
    if not births:
        return [], None, ""
    if by_type.get("last_name") and by_type.get("first_name"):
        last, first = by_type["last_name"][0], by_type["first_name"][0]
        return [(last, False), (first, False)], births[0], f"{last} + {first} + {births[0]}"
    if by_type.get("full_name"):
        full = by_type["full_name"][0]
        return [(full, True)], births[0], f"{full} + {births[0]}"
    return [], None, ""


def _distinct(frame: pd.DataFrame, col: object,
              distinct: Mapping[str, DistinctValues] | None) -> DistinctValues:
    if distinct is not None and str(col) in distinct:
        return distinct[str(col)]
    return distinct_values(frame[col])


def name_key(frame: pd.DataFrame, semantic_types: Mapping[str, str]) -> tuple[pd.Series, str]:
    """Name + birth date match key and the columns it uses (empty key when a part is missing).

    Uses the first last_name, first_name and birth_date columns, or full_name (words sorted, so
    ``DUPONT Jean`` and ``Jean Dupont`` agree) when there is no last/first name pair.
    """
    names, birth_col, used = _name_columns(list(frame.columns), semantic_types)
    if not used:
        return pd.Series(pd.NA, index=frame.index, dtype=object), ""
    parts = []
    for col, sort_words in names:
        values = distinct_values(frame[col])
        parts.append(_rows(values, _name_keys(values, sort_words)))
    births = distinct_values(frame[birth_col])
    parts.append(_rows(births, _birth_keys(births)))
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    key = key.astype(object)
    return key.where(key.notna(), pd.NA), used


def _row_ids(values: DistinctValues, per_value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows holding a key and the key's code in ``uniques``: ``(row key codes (-1: none), uniques)``."""
    key_codes, uniques = pd.factorize(per_value, use_na_sentinel=True)
    codes = np.full(len(values.codes), -1, dtype=np.int64)
    present = values.codes >= 0
    codes[present] = key_codes[values.codes[present]]
    return codes, np.asarray(uniques, dtype=object)


def _shared_ids(columns: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list[np.ndarray], int]:
    """Renumber the per-column key codes so equal keys of different columns get one number."""
    if not columns:
        return [], 0
    if len(columns) == 1:  # one column: its key codes are already dense and distinct
        return [columns[0][0]], len(columns[0][1])
    joint, uniques = pd.factorize(np.concatenate([u for _, u in columns]))
    out, offset = [], 0
    for codes, col_uniques in columns:
        table = np.append(joint[offset: offset + len(col_uniques)], -1)
        out.append(table[codes])  # code -1 (no key) indexes the appended -1
        offset += len(col_uniques)
    return out, len(uniques)


def _combine(parts: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """One dense code per row for a tuple of codes (-1 when any part is -1), and how many."""
    combined = parts[0].astype(np.int64)
    n = int(combined.max(initial=-1)) + 1
    for part in parts[1:]:
        ok = (combined >= 0) & (part >= 0)
        pair = combined[ok] * (int(part.max(initial=0)) + 1) + part[ok]
        codes, uniques = pd.factorize(pair)
        combined = np.full(len(part), -1, dtype=np.int64)
        combined[ok] = codes
        n = len(uniques)
    return combined, max(n, 0)


def _groups(n_rows: int, rows: np.ndarray, keys: np.ndarray, n_keys: int) -> np.ndarray:
    """Connected components of the rows linked by shared key numbers (a label per row)."""
    n = n_rows + n_keys
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, n_rows + keys)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels[:n_rows]


def estimate_exact_duplicates(frame: pd.DataFrame, semantic_types: Mapping[str, str], *,
                              source: str = "",
                              distinct: Mapping[str, DistinctValues] | None = None) -> pd.DataFrame:
    """Duplicates of one source on exact keys, one row per key of :data:`KEYS`.

    Args:
        frame: the extract.
        semantic_types: column -> semantic type (from :mod:`rcu_kit.values.semantic_types`).
        source: the source name written in the table.
        distinct: column -> its :func:`rcu_kit.values.validity.distinct_values`, when already computed
            (the audit passes those of the quality stage, whose validity statuses are reused).

    Returns:
        Columns :data:`DUPLICATE_COLUMNS`: ``rows`` of the source, ``rows_with_key`` (records
        holding at least one key of that kind), ``groups`` (distinct records after merging those
        sharing a key), ``duplicate_rows = rows_with_key - groups``, ``duplicate_rate`` (over
        ``rows``), ``largest_group`` and a note when a key cannot be built: ``note_code``
        ``dup_note_<key>`` (:data:`rcu_kit.core.wording.PHRASES`, worded by
        :func:`rcu_kit.audit.run.localise_table`), empty otherwise, and ``note_params``.
    """
    keys = ExactKeys(len(frame))
    for col in frame.columns:
        keys.add(col, semantic_types.get(col, ""), lambda col=col: _distinct(frame, col, distinct))
    return keys.table(source)


_KEY_TYPES = ("email", "phone", "last_name", "first_name", "full_name", "birth_date")


class ExactKeys:
    """The exact keys of a source's rows, gathered one column at a time, then grouped.

    :func:`estimate_exact_duplicates` gives it a whole frame's columns; the audit gives it one
    column at a time, in the source's order, as it measures them (a source streamed from a file
    larger than memory is read one column at a time). Only each key column's per-row key numbers
    are kept (``int32``); e-mails and phones of several columns share key numbers through a 64-bit
    hash of the key text (``pd.util.hash_array``).

    Args:
        n_rows: rows of the source.

    Examples:
        >>> keys = ExactKeys(3)
        >>> keys.add("email", "email", distinct_values(pd.Series(["A@x.fr", "a@x.fr ", "b@x.fr"])))
        >>> keys.table("crm")[["key", "rows_with_key", "duplicate_rows"]].values.tolist()[0]
        ['email', 3, 1]
    """

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.semantic_types: dict[object, str] = {}  # every column added, in order
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # column -> (row codes, uniques)

    def add(self, column: object, semantic_type: str,
            values: DistinctValues | Callable[[], DistinctValues]) -> None:
        """Note the next column of the source and, when it holds a part of a key, its per-row key
        numbers: an e-mail or phone column, or the first column of a name or birth-date type.

        Args:
            column: the column's name.
            semantic_type: its semantic type.
            values: its distinct values, or a function giving them (called only when needed).
        """
        first = semantic_type not in self.semantic_types.values()
        self.semantic_types[column] = semantic_type
        kind = semantic_type
        if kind not in _KEY_TYPES or (kind not in ("email", "phone") and not first):
            return
        if callable(values):
            values = values()
        if kind in ("email", "phone"):
            codes, uniques = _row_ids(values, (_email_keys if kind == "email" else _phone_keys)(values))
            uniques = pd.util.hash_array(uniques) if len(uniques) else np.zeros(0, dtype=np.uint64)
        elif kind == "birth_date":
            codes, uniques = _row_ids(values, _birth_keys(values))
        else:
            codes, uniques = _row_ids(values, _name_keys(values, kind == "full_name"))
        small = np.int32 if len(uniques) < 2**31 - 1 else np.int64
        # names and birth dates are combined per row (their key texts are not needed again)
        self._codes[str(column)] = (codes.astype(small),
                                    uniques if kind in ("email", "phone") else _NO_KEY)

    def table(self, source: str = "") -> pd.DataFrame:
        """The duplicates table of :func:`estimate_exact_duplicates`."""
        n = self.n_rows
        types = self.semantic_types
        # per kind: a list of (row positions, key numbers) and the number of distinct keys
        parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {k: [] for k in KEYS[:3]}
        n_keys: dict[str, int] = {k: 0 for k in KEYS[:3]}
        used: dict[str, list[str]] = {k: [] for k in KEYS[:3]}
        for kind in ("email", "phone"):
            columns = [col for col in types if types[col] == kind]
            per_column = [(self._codes[str(c)][0].astype(np.int64), self._codes[str(c)][1])
                          for c in columns]
            used[kind] = [str(c) for c in columns]
            ids, n_keys[kind] = _shared_ids(per_column)
            for codes in ids:
                rows = np.flatnonzero(codes >= 0)
                parts[kind].append((rows, codes[rows]))
        names, birth_col, columns_used = _name_columns(list(types), types)
        if columns_used:
            codes = [self._codes[str(col)][0].astype(np.int64) for col, _ in names]
            codes.append(self._codes[str(birth_col)][0].astype(np.int64))
            key, n_keys["name_birth_date"] = _combine(codes)
            rows = np.flatnonzero(key >= 0)
            parts["name_birth_date"].append((rows, key[rows]))
            used["name_birth_date"].append(columns_used)

        rows_out = []
        for kind in KEYS:
            kinds = KEYS[:3] if kind == "any_key" else (kind,)
            chunks, offset = [], 0
            for k in kinds:  # key numbers of different kinds must not collide in any_key
                chunks += [(r, c + offset) for r, c in parts[k]]
                offset += n_keys[k]
            names_used = [c for k in kinds for c in used[k]]
            row = {"source": source, "key": kind, "columns": ", ".join(names_used), "rows": n,
                   "rows_with_key": 0, "groups": 0, "duplicate_rows": 0,
                   "duplicate_rate": 0.0 if n else np.nan, "largest_group": 0, "note_code": "",
                   "note_params": "{}"}
            if not names_used:
                row["note_code"] = f"dup_note_{kind}"
            rows_idx = np.concatenate([c[0] for c in chunks]) if chunks else np.zeros(0, dtype=np.int64)
            if len(rows_idx):
                keys = np.concatenate([c[1] for c in chunks])
                labels = _groups(n, rows_idx, keys, offset)
                holders = np.unique(rows_idx)
                sizes = np.bincount(labels[holders])
                groups = int((sizes > 0).sum())
                row.update(rows_with_key=len(holders), groups=groups,
                           duplicate_rows=len(holders) - groups,
                           duplicate_rate=(len(holders) - groups) / n, largest_group=int(sizes.max()))
            rows_out.append(row)
        return pd.DataFrame(rows_out, columns=DUPLICATE_COLUMNS)
