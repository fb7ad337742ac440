"""Quality KPIs of every column of an extract, over all rows (no sampling).

For each column: completeness, validity against its semantic type (valid / repairable /
invalid, see :mod:`rcu_kit.values.validity`), distinct and duplicated values, value lengths, the range
of dates or numbers, outliers, the most frequent values and the most frequent value *shapes*
(``Jean-Pierre`` -> ``Aa-Aa``, ``06 12 34 56 78`` -> ``99 99 99 99 99``).

Every row is read once, to count its distinct values; everything else is computed on the
distinct values weighted by their counts, so a million-row column costs little more than its
``value_counts``. Blank values count as missing. Frequent values are masked according to the
column's semantic type when ``mask`` is true (:mod:`rcu_kit.values.masking`).

The outlier rule and the note are saved as codes and figures (``outlier_rule_code`` +
``outlier_rule_params``, ``note_code`` + ``note_params``: ``rule_<...>`` and ``note_<...>`` of
:data:`rcu_kit.core.wording.PHRASES`), worded for the client by
:func:`rcu_kit.audit.run.localise_table`; an empty code means no rule or no note.

Examples:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"cp": ["75011", "1000", None, "75011"]})
    >>> tables = quality_tables(frame, {"cp": "postcode"}, source="crm", mask=False)
    >>> tables.kpis[["column", "filled", "completeness", "valid", "repairable", "distinct"]].values.tolist()
    [['cp', 3, 0.75, 2, 1, 2]]
    >>> tables.shapes[["shape", "count"]].values.tolist()
    [['99999', 2], ['9999', 1]]
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rcu_kit.core.wording import params_json
from rcu_kit.values.masking import mask_series
from rcu_kit.values.validity import (INVALID, REPAIRABLE, VALID, DistinctValues, distinct_values, parse_dates,
                              parse_numbers)

__all__ = ["KPI_COLUMNS", "QualityTables", "value_shape", "value_shapes", "column_kpis",
           "column_quality", "combine_quality", "quality_tables"]

KPI_COLUMNS = [
    "source", "column", "semantic_type", "rows", "filled", "completeness", "valid", "repairable",
    "invalid", "validity", "distinct", "duplicated", "uniqueness", "min_length", "max_length",
    "min_date", "max_date", "min_number", "max_number", "outliers", "outlier_rule_code",
    "outlier_rule_params", "top_value", "top_value_count", "top_shape", "note_code", "note_params",
]


def _shape_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x250):  # Basic Latin to Latin Extended-B: every French letter
        ch = chr(code)
        if ch.isdigit():
            table[code] = "9"
        elif ch.isupper():
            table[code] = "A"
        elif ch.islower():
            table[code] = "a"
    return table


_SHAPE = _shape_table()
_UPPER_RUN, _LOWER_RUN = re.compile("AA+"), re.compile("aa+")


def _shape(value: str) -> str:
    shaped = value.translate(_SHAPE)
    if "AA" in shaped:
        shaped = _UPPER_RUN.sub("A", shaped)
    if "aa" in shaped:
        shaped = _LOWER_RUN.sub("a", shaped)
    return shaped


def _ascii_shapes(array: pa.StringArray) -> pa.StringArray:
    """:func:`_shape` of ASCII strings, on their UTF-8 buffer with numpy.

    Digits become ``9``, capitals ``A``, lower-case letters ``a`` byte for byte; then a letter
    equal to the byte before it in the same string is dropped (runs collapse) and the offsets
    are recomputed from the bytes kept.
    """
    _, offsets, data = array.buffers()
    off = np.frombuffer(offsets, dtype=np.int32)[array.offset: array.offset + len(array) + 1]
    raw = np.frombuffer(data, dtype=np.uint8)[off[0]: off[-1]] if data is not None else \
        np.zeros(0, dtype=np.uint8)
    off = (off - off[0]).astype(np.int64)
    out = raw.copy()
    out[(raw >= 0x30) & (raw <= 0x39)] = 0x39  # 0-9 -> 9
    out[(raw >= 0x41) & (raw <= 0x5A)] = 0x41  # A-Z -> A
    out[(raw >= 0x61) & (raw <= 0x7A)] = 0x61  # a-z -> a
    repeat = np.zeros(len(out), dtype=bool)
    repeat[1:] = (out[1:] == out[:-1]) & ((out[1:] == 0x41) | (out[1:] == 0x61))
    starts = off[:-1]
    repeat[starts[starts < len(out)]] = False  # a run never spans two strings
    kept_before = np.concatenate([[0], np.cumsum(~repeat)])
    return pa.StringArray.from_buffers(len(array), pa.py_buffer(kept_before[off].astype(np.int32)),
                                       pa.py_buffer(out[~repeat].tobytes()))


_SHAPE_SLICE = 1 << 16  # distinct values shaped at a time: memory stays bounded on 20M e-mails


def _shape_counts(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct shapes of ``values`` and the rows holding each (``weights``: rows per value).

    ASCII values (nearly all of them: e-mails, phones, identifiers, dates) are shaped in bulk
    by :func:`_ascii_shapes`; the others, and every value when Arrow cannot hold them (lone
    surrogates from an odd decoding), by :func:`_shape` in Python. 65,536 values at a time:
    shaping works on bytes with 8-byte counters, which on tens of millions of distinct values
    would cost gigabytes at once.
    """
    shapes: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for start in range(0, len(values), _SHAPE_SLICE):
        part = slice(start, start + _SHAPE_SLICE)
        _slice_shape_counts(values[part], weights[part], shapes, counts)
    if not shapes:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    codes, uniques = pd.factorize(np.concatenate(shapes))
    return np.asarray(uniques, dtype=object), np.bincount(
        codes, weights=np.concatenate(counts), minlength=len(uniques)).astype(np.int64)


def _slice_shape_counts(values: np.ndarray, weights: np.ndarray, shapes: list[np.ndarray],
                        counts: list[np.ndarray]) -> None:
    """Append the distinct shapes of ``values`` and their rows to ``shapes`` and ``counts``."""
    try:
        array = pa.array(values, type=pa.string())
        ascii_ = pc.string_is_ascii(array).to_numpy(zero_copy_only=False).astype(bool)
    except (pa.ArrowException, UnicodeError):
        ascii_ = np.zeros(len(values), dtype=bool)
    if ascii_.any():
        encoded = pc.dictionary_encode(_ascii_shapes(array.filter(pa.array(ascii_))))
        shapes.append(np.asarray(encoded.dictionary.to_pylist(), dtype=object))
        counts.append(np.bincount(encoded.indices.to_numpy(zero_copy_only=False),
                                  weights=weights[ascii_], minlength=len(encoded.dictionary)))
    if not ascii_.all():
        codes, uniques = pd.factorize(np.array([_shape(v) for v in values[~ascii_]], dtype=object))
        shapes.append(np.asarray(uniques, dtype=object))
        counts.append(np.bincount(codes, weights=weights[~ascii_], minlength=len(uniques)))


def value_shape(value: str) -> str:
    """The shape of a value: upper-case letters ``A``, lower-case ``a``, digits ``9``.

    Runs of letters collapse to one (names vary in length, not in shape); digits are kept one
    for one, since their count is what matters (``1000`` against ``01000``).

    Examples:
        >>> value_shape("Jean-Pierre")
        'Aa-Aa'
        >>> value_shape("jean.dupont@gmail.com")
        'a.a@a.a'
        >>> value_shape("06 12 34 56 78")
        '99 99 99 99 99'
    """
    return _shape(value)


def value_shapes(values: pd.Series) -> pd.Series:
    """:func:`value_shape` of each value (missing stays missing)."""
    text = values.dropna().astype(str)
    shaped = pd.Series([_shape(v) for v in text], index=text.index, dtype=object)
    return shaped.reindex(values.index)


@dataclass
class QualityTables:
    """The quality tables of one or several sources.

    Attributes:
        kpis: one row per source column, the columns of :data:`KPI_COLUMNS`.
        top_values: the most frequent values per column (``source, column, rank, value, count,
            share``), masked when the policy says so.
        shapes: the most frequent value shapes per column (``source, column, rank, shape,
            count, share``).
    """

    kpis: pd.DataFrame
    top_values: pd.DataFrame
    shapes: pd.DataFrame


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> list[float]:
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    total = cum[-1]
    return [float(v[min(np.searchsorted(cum, q * total, side="left"), len(v) - 1)]) for q in qs]


def _top_of(values: np.ndarray, counts: np.ndarray, n: int) -> pd.Series:
    """The ``n`` largest counts, ties broken by value so the result is deterministic.

    Only the candidates at or above the n-th largest count are sorted (a million distinct
    identifiers, each seen once, cost a partial selection, not a sort).
    """
    if n <= 0 or len(counts) == 0:
        return pd.Series([], dtype=np.int64, index=pd.Index([], dtype=object))
    if len(counts) > n:
        nth = np.partition(counts, len(counts) - n)[len(counts) - n]  # the n-th largest count
        above = np.flatnonzero(counts > nth)
        tied = np.flatnonzero(counts == nth)
        if len(above) + len(tied) > n:  # keep the smallest values among the ties
            tied = np.array(heapq.nsmallest(n - len(above), tied, key=values.__getitem__), dtype=np.int64)
        keep = np.concatenate([above, tied])
        values, counts = values[keep], counts[keep]
    frame = pd.DataFrame({"value": values, "count": counts})
    frame = frame.sort_values(["count", "value"], ascending=[False, True], kind="stable").head(n)
    return pd.Series(frame["count"].to_numpy(), index=frame["value"].to_numpy())


def column_kpis(series: pd.Series, semantic_type: str, *, mask: bool = True, top_n: int = 5,
                today: pd.Timestamp | str | None = None,
                mask_as: str | None = None,
                distinct: DistinctValues | None = None) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """KPIs of one column over all its rows.

    Args:
        series: the column (compared as stripped text, blank = missing).
        semantic_type: its semantic type (see :mod:`rcu_kit.values.semantic_types`).
        mask: mask the frequent values shown (the engagement's personal-data policy).
        top_n: how many frequent values and shapes to keep.
        today: reference day for dates in the future and birth-date plausibility.
        mask_as: the type to mask values as when it differs from ``semantic_type`` (an IBAN
            typed ``id`` is masked as ``text``: see :func:`rcu_kit.audit.personal_data.masking_types`).
        distinct: ``series`` already reduced by :func:`rcu_kit.values.validity.distinct_values` (the
            audit shares it between stages; the validity status computed here is kept on it).

    Returns:
        ``(kpis, top_values, shapes)``: a dict of the :data:`KPI_COLUMNS` (without ``source``
        and ``column``), and two small tables (``rank, value|shape, count, share``).
    """
    now = pd.Timestamp(today).normalize() if today is not None else pd.Timestamp.today().normalize()
    values = distinct if distinct is not None else distinct_values(series)
    weights = values.counts.astype(np.int64)
    rows = len(values)
    filled = int(weights.sum())
    distinct = int(len(weights))
    k: dict[str, object] = {
        "semantic_type": semantic_type, "rows": rows, "filled": filled,
        "completeness": filled / rows if rows else np.nan,
        "valid": np.nan, "repairable": np.nan, "invalid": np.nan, "validity": np.nan,
        "distinct": distinct, "duplicated": filled - distinct,
        "uniqueness": distinct / filled if filled else np.nan,
        "min_length": np.nan, "max_length": np.nan, "min_date": pd.NaT, "max_date": pd.NaT,
        "min_number": np.nan, "max_number": np.nan, "outliers": np.nan, "outlier_rule_code": "",
        "outlier_rule_params": "{}", "top_value": None, "top_value_count": np.nan, "top_shape": None,
        "note_code": "", "note_params": "{}",
    }

    def rule(code: str, **params: object) -> None:
        k["outlier_rule_code"], k["outlier_rule_params"] = code, params_json(params)

    empty_top = pd.DataFrame(columns=["rank", "value", "count", "share"])
    empty_shapes = pd.DataFrame(columns=["rank", "shape", "count", "share"])
    if rows == 0:
        k["note_code"] = "note_no_rows"
        return k, empty_top, empty_shapes
    if filled == 0:
        k["note_code"] = "note_empty_column"
        return k, empty_top, empty_shapes

    uniques = values.series()
    lengths = np.fromiter(map(len, values.values), dtype=np.int64, count=len(values.values))
    k["min_length"], k["max_length"] = int(lengths.min()), int(lengths.max())

    # at most one note: a type without a validity rule is never a date type (whose note is
    # note_no_date)
    s = values.status(semantic_type, now)
    if s is None:
        k["note_code"], k["note_params"] = "note_no_rule", params_json(semantic_type=semantic_type)
    else:
        k["valid"] = int(weights[s == VALID].sum())
        k["repairable"] = int(weights[s == REPAIRABLE].sum())
        k["invalid"] = int(weights[s == INVALID].sum())
        k["validity"] = k["valid"] / filled

    # range and outliers
    if semantic_type in ("date", "birth_date"):
        dates = parse_dates(uniques)
        ok = dates.notna().to_numpy()
        if ok.any():
            k["min_date"], k["max_date"] = dates[ok].min(), dates[ok].max()
            d, w = dates[ok], weights[ok]
            if semantic_type == "date":
                out = ((d < pd.Timestamp("1900-01-01")) | (d > now)).to_numpy()
                rule("rule_date", today=now.strftime("%Y-%m-%d"))
            else:
                age_years = (now - d).dt.days / 365.25
                out = ((age_years < 15) | (age_years > 100)).to_numpy()
                rule("rule_birth_date")
            k["outliers"] = int(w[out].sum())
        else:
            k["note_code"] = "note_no_date"
    elif semantic_type == "number":
        numbers = parse_numbers(uniques)
        ok = numbers.notna().to_numpy()
        if ok.any():
            v, w = numbers[ok].to_numpy(dtype=float), weights[ok]
            k["min_number"], k["max_number"] = float(v.min()), float(v.max())
            q1, q3 = _weighted_quantiles(v, w, [0.25, 0.75])
            lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
            k["outliers"] = int(w[(v < lo) | (v > hi)].sum())
            rule("rule_number", lo=lo, hi=hi)
    elif semantic_type not in ("category", "boolean", "civility", "country"):
        q1, q3 = _weighted_quantiles(lengths.astype(float), weights, [0.25, 0.75])
        lo, hi = max(0.0, q1 - 3 * (q3 - q1)), q3 + 3 * (q3 - q1)
        k["outliers"] = int(weights[(lengths < lo) | (lengths > hi)].sum())
        rule("rule_length", lo=lo, hi=hi)

    # frequent values and shapes
    top = _top_of(values.values, weights, top_n)
    shown = mask_series(pd.Series(top.index, dtype=object), mask_as or semantic_type) if mask else \
        pd.Series(top.index, dtype=object)
    top_values = pd.DataFrame({"rank": np.arange(1, len(top) + 1), "value": shown.to_numpy(),
                               "count": top.to_numpy(), "share": top.to_numpy() / filled})
    top_shapes = _top_of(*_shape_counts(values.values, weights), top_n)
    shapes = pd.DataFrame({"rank": np.arange(1, len(top_shapes) + 1), "shape": top_shapes.index,
                           "count": top_shapes.to_numpy(), "share": top_shapes.to_numpy() / filled})
    k["top_value"], k["top_value_count"] = top_values["value"].iat[0], int(top.iat[0])
    k["top_shape"] = shapes["shape"].iat[0]
    return k, top_values, shapes


def column_quality(series: pd.Series, semantic_type: str, *, source: str = "", mask: bool = True,
                   top_n: int = 5, today: pd.Timestamp | str | None = None,
                   mask_as: str | None = None,
                   distinct: DistinctValues | None = None) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """:func:`column_kpis` of one column of a source, its rows labelled with the source and the
    column: a part of :func:`quality_tables`, which :func:`combine_quality` puts together (the
    audit of a source streamed from disk reads and measures one column at a time)."""
    column = str(series.name)
    k, top, shp = column_kpis(series, semantic_type, mask=mask, top_n=top_n, today=today,
                              mask_as=mask_as, distinct=distinct)
    return ({"source": source, "column": column, **k}, top.assign(source=source, column=column),
            shp.assign(source=source, column=column))


def combine_quality(parts: list[tuple[dict, pd.DataFrame, pd.DataFrame]]) -> QualityTables:
    """The quality tables of the columns measured by :func:`column_quality`, in the order given."""
    kpis = pd.DataFrame([k for k, _, _ in parts], columns=KPI_COLUMNS)
    tops = [top for _, top, _ in parts if len(top)]
    shapes = [shp for _, top, shp in parts if len(top)]
    top_cols = ["source", "column", "rank", "value", "count", "share"]
    shape_cols = ["source", "column", "rank", "shape", "count", "share"]
    top_values = pd.concat(tops, ignore_index=True)[top_cols] if tops else pd.DataFrame(columns=top_cols)
    shape_table = pd.concat(shapes, ignore_index=True)[shape_cols] if shapes else pd.DataFrame(columns=shape_cols)
    return QualityTables(kpis=kpis, top_values=top_values, shapes=shape_table)


def quality_tables(frame: pd.DataFrame, semantic_types: Mapping[str, str], *, source: str = "",
                   mask: bool = True, top_n: int = 5,
                   today: pd.Timestamp | str | None = None,
                   mask_types: Mapping[str, str] | None = None,
                   distinct: Mapping[str, DistinctValues] | None = None) -> QualityTables:
    """KPIs, frequent values and shapes of every column of ``frame``.

    Args:
        frame: the extract.
        semantic_types: column -> semantic type (columns absent from it are treated as text).
        source: the source name written in every table.
        mask: mask frequent values (pass ``engagement.mask_personal_data``).
        top_n: frequent values and shapes kept per column.
        today: reference day (default: today).
        mask_types: column -> type to mask values as, when it differs from the semantic type.
        distinct: column -> its :func:`rcu_kit.values.validity.distinct_values`, when already computed.

    Returns:
        The three tables, one row (or ``top_n`` rows) per column in the frame's order.
    """
    parts = []
    for col in frame.columns:
        kind = semantic_types.get(col) or semantic_types.get(str(col)) or "text"
        series = frame[col].rename(str(col))
        parts.append(column_quality(series, kind, source=source, mask=mask, top_n=top_n,
                                    today=today, mask_as=(mask_types or {}).get(str(col)),
                                    distinct=(distinct or {}).get(str(col))))
    return combine_quality(parts)
