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
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from unidecode import unidecode

from rcu_kit.validity import INVALID, as_text, check_validity, parse_dates

__all__ = ["KEYS", "DUPLICATE_COLUMNS", "email_key", "phone_key", "name_key",
           "estimate_exact_duplicates"]

KEYS = ("email", "phone", "name_birth_date", "any_key")
DUPLICATE_COLUMNS = ["source", "key", "columns", "rows", "rows_with_key", "groups",
                     "duplicate_rows", "duplicate_rate", "largest_group", "note"]


def _on_uniques(text: pd.Series, func) -> pd.Series:
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(pd.NA, index=text.index, dtype=object)
    keys = func(pd.Series(np.asarray(uniques, dtype=object))).to_numpy(dtype=object)
    values = np.full(len(codes), None, dtype=object)
    values[codes >= 0] = keys[codes[codes >= 0]]
    return pd.Series(values, index=text.index, dtype=object).where(lambda s: s.notna(), pd.NA)


def email_key(series: pd.Series) -> pd.Series:
    """E-mail match key: lower case, no spaces; NA when the e-mail is invalid or missing.

    Examples:
        >>> email_key(pd.Series([" Jean@X.fr", "n/a", None])).tolist()
        ['jean@x.fr', <NA>, <NA>]
    """
    def keys(values: pd.Series) -> pd.Series:
        ok = check_validity(values, "email") != INVALID
        clean = values.str.lower().str.replace(r"\s+", "", regex=True).str.replace(
            r"^mailto:", "", regex=True).str.replace(",", ".", regex=False)
        return clean.where(ok, None)

    return _on_uniques(as_text(series), keys)


def phone_key(series: pd.Series) -> pd.Series:
    """Phone match key: international digits (``33612345678``); NA when invalid or missing.

    Examples:
        >>> phone_key(pd.Series(["06 12 34 56 78", "+33612345678", "612345678", "0033 6 12 34 56 78",
        ...                      "12"])).tolist()
        ['33612345678', '33612345678', '33612345678', '33612345678', <NA>]
    """
    def keys(values: pd.Series) -> pd.Series:
        ok = check_validity(values, "phone") != INVALID
        digits = values.str.replace(r"\D", "", regex=True)
        digits = digits.str.replace(r"^00", "", regex=True)
        digits = digits.where(~digits.str.match(r"^0\d{9}$"), "33" + digits.str[1:])
        digits = digits.where(~digits.str.match(r"^[1-9]\d{8}$"), "33" + digits)
        return digits.where(ok, None)

    return _on_uniques(as_text(series), keys)


def _name_part(series: pd.Series, sort_words: bool) -> pd.Series:
    def keys(values: pd.Series) -> pd.Series:
        def one(v: str) -> str | None:
            words = re.findall(r"[A-Z]+", unidecode(v).upper())
            if sort_words:
                words = sorted(words)
            return " ".join(words) or None
        return values.map(one)

    return _on_uniques(as_text(series), keys)


def name_key(frame: pd.DataFrame, semantic_types: Mapping[str, str]) -> tuple[pd.Series, str]:
    """Name + birth date match key and the columns it uses (empty key when a part is missing).

    Uses the first last_name, first_name and birth_date columns, or full_name (words sorted, so
    ``DUPONT Jean`` and ``Jean Dupont`` agree) when there is no last/first name pair.
    """
    by_type: dict[str, list[str]] = {}
    for col in frame.columns:
        by_type.setdefault(semantic_types.get(col, ""), []).append(col)
    births = by_type.get("birth_date", [])
    if not births:
        return pd.Series(pd.NA, index=frame.index, dtype=object), ""
    birth = parse_dates(frame[births[0]]).dt.strftime("%Y-%m-%d")
    if by_type.get("last_name") and by_type.get("first_name"):
        last, first = by_type["last_name"][0], by_type["first_name"][0]
        name = _name_part(frame[last], False) + "|" + _name_part(frame[first], False)
        used = f"{last} + {first} + {births[0]}"
    elif by_type.get("full_name"):
        full = by_type["full_name"][0]
        name = _name_part(frame[full], True)
        used = f"{full} + {births[0]}"
    else:
        return pd.Series(pd.NA, index=frame.index, dtype=object), ""
    key = (name + "|" + birth).astype(object)
    return key.where(key.notna(), pd.NA), used


def _groups(n_rows: int, rows: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Connected components of the rows linked by shared keys (a label per row)."""
    codes, uniques = pd.factorize(keys)
    n = n_rows + len(uniques)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, n_rows + codes)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels[:n_rows]


def estimate_exact_duplicates(frame: pd.DataFrame, semantic_types: Mapping[str, str], *,
                              source: str = "") -> pd.DataFrame:
    """Duplicates of one source on exact keys, one row per key of :data:`KEYS`.

    Args:
        frame: the extract.
        semantic_types: column -> semantic type (from :mod:`rcu_kit.semantic_types`).
        source: the source name written in the table.

    Returns:
        Columns :data:`DUPLICATE_COLUMNS`: ``rows`` of the source, ``rows_with_key`` (records
        holding at least one key of that kind), ``groups`` (distinct records after merging those
        sharing a key), ``duplicate_rows = rows_with_key - groups``, ``duplicate_rate`` (over
        ``rows``), ``largest_group`` and a ``note`` when a key cannot be built.
    """
    n = len(frame)
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {k: [] for k in KEYS[:3]}
    used: dict[str, list[str]] = {k: [] for k in KEYS[:3]}
    for col in frame.columns:
        kind = semantic_types.get(col)
        if kind in ("email", "phone"):
            key = (email_key if kind == "email" else phone_key)(frame[col])
            ok = key.notna().to_numpy()
            parts[kind].append((np.flatnonzero(ok), (kind + ":" + key[ok]).to_numpy(dtype=object)))
            used[kind].append(str(col))
    key, columns = name_key(frame, semantic_types)
    if columns:
        ok = key.notna().to_numpy()
        parts["name_birth_date"].append((np.flatnonzero(ok), ("n:" + key[ok]).to_numpy(dtype=object)))
        used["name_birth_date"].append(columns)

    rows_out = []
    for kind in KEYS:
        chunks = [c for k in (KEYS[:3] if kind == "any_key" else (kind,)) for c in parts[k]]
        names = [c for k in (KEYS[:3] if kind == "any_key" else (kind,)) for c in used[k]]
        row = {"source": source, "key": kind, "columns": ", ".join(names), "rows": n,
               "rows_with_key": 0, "groups": 0, "duplicate_rows": 0,
               "duplicate_rate": 0.0 if n else np.nan, "largest_group": 0, "note": ""}
        if not names:
            row["note"] = {"email": "no e-mail column", "phone": "no phone column",
                           "name_birth_date": "needs a birth date and last + first (or full) name",
                           "any_key": "no key column"}[kind]
        rows_idx = np.concatenate([c[0] for c in chunks]) if chunks else np.zeros(0, dtype=np.int64)
        if len(rows_idx):
            keys = np.concatenate([c[1] for c in chunks])
            labels = _groups(n, rows_idx, keys)
            holders = np.unique(rows_idx)
            sizes = np.bincount(labels[holders])
            groups = int((sizes > 0).sum())
            row.update(rows_with_key=len(holders), groups=groups,
                       duplicate_rows=len(holders) - groups,
                       duplicate_rate=(len(holders) - groups) / n, largest_group=int(sizes.max()))
        rows_out.append(row)
    return pd.DataFrame(rows_out, columns=DUPLICATE_COLUMNS)
