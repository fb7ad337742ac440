"""Shared text plumbing for the value rules and the standardisers: typed text Series, ASCII folding, work on uniques.

Every vectorised standardiser follows the same recipe, which is what makes 1,000,000 records fast:

1. :func:`as_text` turns whatever the reader produced (object, numbers, floats from spreadsheets)
   into a pyarrow-backed string Series, stripped, with blanks as ``<NA>``;
2. :func:`on_unique` runs the real work once per *distinct* value and maps the result back by
   position (customer extracts repeat cities, first names, dates, street types a lot);
3. regular expressions go through pyarrow (RE2, compiled C++), so patterns here avoid look-arounds
   and back-references, which RE2 does not support.

Examples:
    >>> fold_ascii_upper(as_text(pd.Series([" Élodie  Lœuf ", None, "straße"]))).tolist()
    ['ELODIE LOEUF', <NA>, 'STRASSE']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from unidecode import unidecode

__all__ = ["TEXT", "as_text", "fold_ascii_upper", "on_unique", "scalar", "blank_to_na", "na_series",
           "regex_replace", "extract", "choose", "map_values", "fold_ascii", "Unsupported", "text_value",
           "fold_ascii_value", "fold_ascii_upper_value"]

TEXT = pd.StringDtype("pyarrow")

Result = TypeVar("Result", pd.Series, pd.DataFrame)


def na_series(index: pd.Index) -> pd.Series:
    """An all-``<NA>`` text Series on ``index``."""
    return pd.Series(pd.array([None] * len(index), dtype=TEXT), index=index)


def as_text(values: pd.Series | Iterable[object]) -> pd.Series:
    """``values`` as a stripped pyarrow string Series; ``None``/``NaN``/blank become ``<NA>``.

    Args:
        values: a Series (any dtype) or any iterable of values.

    Returns:
        A Series of dtype ``string[pyarrow]`` with the same index (a fresh RangeIndex for a
        plain iterable).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        text = series
    elif pd.api.types.is_datetime64_any_dtype(series.dtype):
        text = series.dt.strftime("%Y-%m-%d").astype(TEXT)
    elif series.dtype == object:
        try:   # all str/None: straight to Arrow (3x faster than astype's per-value checks)
            arrow = pa.array(series.to_numpy(), type=pa.large_string(), from_pandas=True)
            text = pd.Series(pd.array(arrow, dtype=TEXT), index=series.index, name=series.name)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            text = series.astype(TEXT)
    else:
        text = series.astype(TEXT)
    return blank_to_na(text.str.strip())


def blank_to_na(text: pd.Series) -> pd.Series:
    """Empty strings of a text Series replaced by ``<NA>`` (never an empty string downstream)."""
    arrow = pa.array(text.array)
    empty = pc.fill_null(pc.equal(pc.utf8_length(arrow), 0), False)
    if not pc.any(empty).as_py():
        return text
    arrow = pc.if_else(empty, pa.scalar(None, arrow.type), arrow)
    return pd.Series(pd.array(arrow, dtype=TEXT), index=text.index, name=text.name)


def fold_ascii_upper(text: pd.Series) -> pd.Series:
    """Upper-case ASCII with single spaces: accents, œ, æ, ß and curly quotes transliterated.

    Accents are removed in pyarrow (Unicode NFKD decomposition, combining marks dropped); only
    the values still not ASCII after that (ligatures, ß, other scripts) go through
    :func:`unidecode.unidecode` (pure Python).
    """
    text = fold_ascii(text).str.upper().str.replace(r"\s+", " ", regex=True).str.strip()
    return blank_to_na(text)


def fold_ascii(text: pd.Series) -> pd.Series:
    """ASCII transliteration keeping the case (``Élodie`` -> ``Elodie``).

    See :func:`fold_ascii_upper` for how it is done.
    """
    text = as_text(text)
    arrow = pa.array(text.array)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    ascii_mask = pc.fill_null(pc.string_is_ascii(arrow), True)
    if not pc.all(ascii_mask).as_py():
        decomposed = pc.replace_substring_regex(pc.utf8_normalize(arrow, "NFKD"), r"\p{Mn}+", "")
        arrow = pc.if_else(ascii_mask, arrow, decomposed)
        still = pc.invert(pc.fill_null(pc.string_is_ascii(arrow), True)).to_numpy(
            zero_copy_only=False)
        if still.any():
            values = arrow.to_numpy(zero_copy_only=False).astype(object)
            positions = np.flatnonzero(still)
            values[positions] = [unidecode(value) for value in values[positions]]
            arrow = pa.array(values, type=arrow.type)
    return pd.Series(pd.array(arrow, dtype=TEXT), index=text.index)


def map_values(text: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Exact lookup of each value in ``mapping`` (``<NA>`` when absent), in pyarrow."""
    keys = pa.array(list(mapping), type=pa.string())
    values = pa.array(list(mapping.values()), type=pa.string())
    arrow = pa.array(text.array)
    positions = pc.index_in(arrow.cast(pa.string()), value_set=keys)
    return pd.Series(pd.array(pc.take(values, positions), dtype=TEXT), index=text.index)


def regex_replace(text: pd.Series, pattern: str, replacement: str) -> pd.Series:
    r"""RE2 replace-all with ``\1``-style groups in ``replacement``, kept in pyarrow.

    pandas sends any replacement holding a group reference to a slow per-value Python path;
    pyarrow's RE2 handles it natively.

    Examples:
        >>> regex_replace(as_text(pd.Series(["12B RUE"])), r"^(\d+)B ", r"\1 BIS ").tolist()
        ['12 BIS RUE']
    """
    array = pc.replace_substring_regex(pa.array(text.array), pattern, replacement)
    return pd.Series(pd.array(array, dtype=TEXT), index=text.index, name=text.name)


def extract(text: pd.Series, pattern: str) -> pd.DataFrame:
    r"""Named groups of ``pattern`` (RE2, ``(?P<name>...)``) as text columns, in pyarrow.

    pandas 2.3 runs ``Series.str.extract`` per value in Python even on pyarrow strings; this
    calls ``pyarrow.compute.extract_regex``. Rows that do not match, and groups that matched
    nothing, give ``<NA>``.

    Examples:
        >>> text = as_text(pd.Series(["12 RUE", "RUE"]))
        >>> extract(text, r"^(?P<n>\d+) (?P<rest>.*)$")["n"].tolist()
        ['12', <NA>]
    """
    names = list(re.compile(pattern).groupindex)
    array = pc.extract_regex(pa.array(text.array), pattern)
    columns = {}
    for i, name in enumerate(names):
        values = pc.struct_field(array, [i])
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)
        columns[name] = pd.Series(pd.array(values, dtype=TEXT), index=text.index)
    return pd.DataFrame(columns, index=text.index)


def choose(condition: pd.Series, if_true: pd.Series | str | None,
           if_false: pd.Series | str | None) -> pd.Series:
    """Element-wise ``if_true`` where ``condition`` (missing counts as False), else ``if_false``."""
    def arrow(value: pd.Series | str | None) -> pa.Array | pa.Scalar:
        if isinstance(value, pd.Series):
            return pa.array(value.astype(TEXT).array)
        return pa.scalar(value, pa.string())

    mask = pa.array(pd.array(condition, dtype="boolean").to_numpy(dtype=bool, na_value=False))
    true, false = arrow(if_true), arrow(if_false)
    if isinstance(true, pa.ChunkedArray) or isinstance(false, pa.ChunkedArray):
        true = true.combine_chunks() if isinstance(true, pa.ChunkedArray) else true
        false = false.combine_chunks() if isinstance(false, pa.ChunkedArray) else false
    if isinstance(true, pa.Array) and isinstance(false, pa.Array) and true.type != false.type:
        false = false.cast(true.type)
    elif isinstance(true, pa.Array) and isinstance(false, pa.Scalar):
        false = false.cast(true.type)
    elif isinstance(false, pa.Array) and isinstance(true, pa.Scalar):
        true = true.cast(false.type)
    result = pc.if_else(mask, true, false)
    return pd.Series(pd.array(result, dtype=TEXT), index=condition.index)


def on_unique(values: pd.Series, func: Callable[[pd.Series], Result]) -> Result:
    """Apply ``func`` to the distinct non-missing values of ``values`` and map the result back.

    The distinct values come from Arrow's dictionary encoding (a C++ hash table), and the
    results are gathered back with one ``take`` per column.

    Args:
        values: a text Series (see :func:`as_text`).
        func: takes a Series of distinct values (RangeIndex) and returns a Series or a
            DataFrame with one row per distinct value, in the same order.

    Returns:
        ``func``'s result aligned on ``values``' index; missing inputs give ``<NA>`` rows.
    """
    arrow = pa.array(as_text(values).array) if values.dtype != TEXT else pa.array(values.array)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    encoded = pc.dictionary_encode(arrow)
    uniques = pd.Series(pd.array(encoded.dictionary, dtype=TEXT))
    result = func(uniques)

    def expand(column: pd.Series) -> pd.Series:
        if not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
            column = column.astype("boolean" if column.dtype == bool else TEXT)
        taken = pc.take(pa.array(column.array), encoded.indices)
        return pd.Series(column.dtype.__from_arrow__(taken), index=values.index, name=column.name)

    if isinstance(result, pd.DataFrame):
        return pd.DataFrame({name: expand(result[name]) for name in result.columns},
                            index=values.index)
    return expand(result)


def scalar(vectorised: Callable[..., pd.Series], value: object, **kwargs: object) -> str | None:
    """Run a vectorised standardiser on one value; ``<NA>`` comes back as ``None``."""
    out = vectorised(pd.Series([value], dtype=object), **kwargs).iloc[0]
    return None if out is pd.NA or out is None else out


# -- one value in plain Python (the scalar forms of the rules) ------------------------------------
# pyarrow's RE2 and Python's re agree on printable ASCII text with re.ASCII; values outside that
# (not text, control characters, non-ASCII spaces) raise Unsupported and take the vectorised path.

class Unsupported(Exception):
    """A value the plain-Python forms do not reproduce exactly: use the vectorised form."""


def text_value(value: object) -> str | None:
    """:func:`as_text` for one value: stripped text, blank and missing as None.

    Raises:
        Unsupported: ``value`` is not text, or holds a control character or a non-ASCII space.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if not isinstance(value, str):
        raise Unsupported(f"not text: {type(value).__name__}")
    for char in value:
        code = ord(char)
        if code < 32 or code == 127 or (code > 127 and char.isspace()) or 0x80 <= code < 0xA0:
            raise Unsupported("control character or non-ASCII space")
    value = value.strip(" ")
    return value or None


def fold_ascii_value(text: str | None) -> str | None:
    """:func:`fold_ascii` for one value: accents removed (NFKD, marks dropped), then unidecode."""
    if text is None or text.isascii():
        return text
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", text)
                         if unicodedata.category(c) != "Mn")
    if not decomposed.isascii():
        decomposed = unidecode(decomposed)
    if any(ord(c) < 32 for c in decomposed):
        raise Unsupported("control character after transliteration")
    return decomposed


_SPACES = re.compile(r"\s+", re.ASCII)


def fold_ascii_upper_value(text: str | None) -> str | None:
    """:func:`fold_ascii_upper` for one value: upper-case ASCII, single spaces, blank as None."""
    text = fold_ascii_value(text)
    if text is None:
        return None
    text = _SPACES.sub(" ", text.upper()).strip()
    return text or None
