"""Tables and sentences as the client reads them in a report page.

The notebooks show their tables through :func:`client_table` and their sentences through
:func:`client_text`, so an executed notebook renders as a page written for the client: headers
in the report's language, numbers, percentages and dates formatted for it
(:mod:`rcu_kit.core.i18n`), an empty value as "–", a boolean as a word, no index, no pandas
caption, a wide table split into parts that repeat its first column, a long one cut with a
sentence saying how many rows the workbook holds, and no local file path.

Examples:
    >>> import pandas as pd
    >>> table = client_table(pd.DataFrame({"source": ["crm"], "rows_loaded": [1234],
    ...                                    "ok": [True], "rate": [0.5], "note": [None]}),
    ...                      "fr", percents=["rate"])
    >>> table.to_frame().values.tolist()
    [['crm', '1\u202f234', 'oui', '50,0\xa0%', '–']]
    >>> list(table.to_frame().columns)
    ['Source', 'Lignes chargées', 'ok', 'rate', 'note']
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.core.i18n import LANGUAGES, fmt_date, fmt_number, fmt_percent, labels, t

__all__ = ["EMPTY", "ClientTable", "ClientText", "client_table", "client_text", "header_label",
           "cell_text", "without_values_of", "plain_path"]

#: How an empty value reads (None, NaN, NaT, an empty text).
EMPTY = "–"
_MISSING_TEXTS = {"", "nan", "NaN", "None", "NaT", "<NA>", "null"}
_TRUE_TEXTS, _FALSE_TEXTS = {"True", "true"}, {"False", "false"}
# an absolute path (POSIX or Windows) standing alone: not "dd/mm/yyyy", not a URL's "//host/x"
_LOCAL_PATH_RE = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:\\|/)(?:[^\s/\\<>\"']+[/\\])+"
                            r"([^\s/\\<>\"']+)")


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not missing
        return False


def header_label(name: Any, language: str, prefixes: Iterable[str] = ()) -> str:
    """The header of column ``name`` in ``language``: the first label found among
    ``<prefix><name>`` for each prefix, then ``tables.col_<name>`` and ``common.<name>``;
    else the name as it is (a header already worded, or a source's own column name)."""
    known = labels()
    for key in [*(f"{p}{name}" for p in prefixes), f"tables.col_{name}", f"common.{name}"]:
        if key in known:
            return t(key, language)
    return str(name)


def plain_path(text: str) -> str:
    """Every absolute local path in ``text`` reduced to its file name (a client never sees the
    consultant's folders).

    Examples:
        >>> plain_path("written to /tmp/acme/output/audit.xlsx on 31/01/2025")
        'written to audit.xlsx on 31/01/2025'
    """
    return _LOCAL_PATH_RE.sub(lambda m: m.group(1), text)


def cell_text(value: Any, language: str, *, percent: bool = False, decimals: int | None = None
              ) -> str:
    """One value as the client reads it.

    Args:
        value: anything a table holds.
        language: ``fr`` or ``en``.
        percent: a share (0-1) shown as a percentage (one decimal unless ``decimals``).
        decimals: digits of a float (default: none for a whole number, else two).

    Examples:
        >>> [cell_text(v, "en") for v in (None, float("nan"), pd.NaT, True, 3, 0.920194, "x")]
        ['–', '–', '–', 'yes', '3', '0.92', 'x']
        >>> cell_text(0.1234, "fr", percent=True), cell_text(pd.Timestamp("2025-01-31"), "fr")
        ('12,3\\xa0%', '31/01/2025')
        >>> cell_text(0.00003, "fr", decimals=4), cell_text(0.0, "en", decimals=4)
        ('< 0,0001', '0.0000')
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return EMPTY
    if isinstance(value, (bool, np.bool_)):
        return t("tables.word_yes" if value else "tables.word_no", language)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date, np.datetime64)):
        if pd.isna(value):
            return EMPTY
        stamp = pd.Timestamp(value)
        day = fmt_date(stamp, language)
        if stamp.hour or stamp.minute:
            return f"{day} {stamp:%H:%M}"
        return day
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return f"{fmt_number(pd.Timedelta(value).total_seconds(), language, 1)} s"
    if isinstance(value, (int, np.integer)):
        return fmt_percent(value, language, decimals or 0) if percent else fmt_number(value, language)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return EMPTY
        if percent:
            return fmt_percent(value, language, 1 if decimals is None else decimals)
        if decimals is None:
            decimals = 0 if float(value).is_integer() else 2
        smallest = 10.0 ** -decimals
        if 0 < value < smallest / 2:    # not zero: a probability of 0.00003 is no "0.0000"
            return f"< {fmt_number(smallest, language, decimals)}"
        return fmt_number(value, language, decimals)
    if isinstance(value, PurePath):
        return value.name
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {cell_text(v, language)}" for k, v in value.items()) or EMPTY
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return ", ".join(cell_text(v, language) for v in value) or EMPTY
    text = str(value)
    if text.strip() in _MISSING_TEXTS:
        return EMPTY
    if text in _TRUE_TEXTS or text in _FALSE_TEXTS:
        return t("tables.word_yes" if text in _TRUE_TEXTS else "tables.word_no", language)
    return plain_path(text)


class ClientText:
    """A sentence for the client: a paragraph in a report page, plain text in a console."""

    def __init__(self, text: str) -> None:
        self.text = plain_path(str(text))

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return "".join(f'<p class="rcu-prose">{html.escape(line)}</p>'
                       for line in self.text.splitlines() if line.strip())


def client_text(text: str) -> ClientText:
    """Show ``text`` (already worded in the report's language) as a paragraph of the page.

    Examples:
        >>> client_text("5 sources chargées")._repr_html_()
        '<p class="rcu-prose">5 sources chargées</p>'
    """
    return ClientText(text)


class ClientTable:
    """A table as the client reads it (see :func:`client_table`); ``to_frame`` gives its text."""

    def __init__(self, frame: pd.DataFrame, numeric: list[bool], total_rows: int, language: str,
                 max_columns: int, key_columns: int) -> None:
        self._frame = frame
        self._numeric = numeric
        self.total_rows = total_rows
        self.language = language
        self.max_columns = max_columns
        self.key_columns = key_columns

    def to_frame(self) -> pd.DataFrame:
        """The cells as shown (texts), with the shown headers."""
        return self._frame.copy()

    def __repr__(self) -> str:
        if self._frame.empty:
            return ""
        with pd.option_context("display.width", 200, "display.max_columns", 50):
            return self._frame.to_string(index=False)

    def _parts(self) -> list[list[int]]:
        n = self._frame.shape[1]
        if n <= self.max_columns:
            return [list(range(n))]
        keys = list(range(min(self.key_columns, n)))
        rest = list(range(len(keys), n))
        count = math.ceil(len(rest) / max(1, self.max_columns - len(keys)))
        width = math.ceil(len(rest) / count)  # parts of even widths, not a last one-column part
        return [keys + rest[i:i + width] for i in range(0, len(rest), width)]

    def _repr_html_(self) -> str:
        if self._frame.empty:  # nothing to list: the sentence above the table says so
            return ""
        # numbers right-aligned; a column of long texts (a reason, a definition) kept readable
        kinds = ["num" if self._numeric[c] else
                 "long" if self._frame.iloc[:, c].astype(str).str.len().max() > 40 else ""
                 for c in range(self._frame.shape[1])]
        parts = []
        for columns in self._parts():
            head = "".join(f'<th class="{kinds[c]}">'
                           f"{html.escape(str(self._frame.columns[c]))}</th>" for c in columns)
            rows = []
            for row in self._frame.itertuples(index=False):
                cells = "".join(f'<td class="{kinds[c]}">'
                                f"{html.escape(str(row[c]))}</td>" for c in columns)
                rows.append(f"<tr>{cells}</tr>")
            parts.append(f'<table class="rcu-table"><thead><tr>{head}</tr></thead>'
                         f'<tbody>{"".join(rows)}</tbody></table>')
        more = ""
        if self.total_rows > len(self._frame):
            more = (f'<p class="rcu-table-more">'
                    f'{html.escape(t("tables.more_rows", self.language, shown=fmt_number(len(self._frame), self.language), total=fmt_number(self.total_rows, self.language)))}'
                    "</p>")
        return f'<div class="rcu-table-wrap">{"".join(parts)}{more}</div>'


def client_table(frame: pd.DataFrame | pd.Series | Mapping, language: str, *,
                 headers: Mapping[str, str] | None = None, prefixes: Iterable[str] = (),
                 percents: Iterable[str] = (), decimals: Mapping[str, int] | None = None,
                 hide: Iterable[str] = (), max_rows: int = 50, max_columns: int = 8,
                 key_columns: int = 1) -> ClientTable:
    """Show ``frame`` as the client reads it.

    Args:
        frame: the table (a Series or a mapping is shown as two columns, name and value).
        language: the report's language, ``fr`` or ``en``.
        headers: column -> header, for columns whose label the text layer does not know.
        prefixes: label-key prefixes to look the headers up with first (``"dedup.col_"``); then
            ``tables.col_<name>`` and ``common.<name>`` (:func:`header_label`).
        percents: columns holding shares (0-1), shown as percentages.
        decimals: column -> digits for its numbers.
        hide: columns left out (record ids when personal data is masked, technical columns).
        max_rows: rows shown at most; a sentence says how many there are in all.
        max_columns: columns per part: a wider table is split into parts, each repeating the
            first ``key_columns`` columns.
        key_columns: the columns naming a row, repeated in each part.

    Returns:
        An object that a notebook displays as an HTML table (and prints as text).
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    if isinstance(frame, Mapping):
        frame = pd.Series(dict(frame))
    if isinstance(frame, pd.Series):
        frame = frame.rename_axis("name").reset_index(name="value")
    hidden = set(hide)
    table = frame[[c for c in frame.columns if c not in hidden]]
    percents, decimals, headers = set(percents), dict(decimals or {}), dict(headers or {})
    shown = table.head(max_rows)
    out, numeric = {}, []
    for position, column in enumerate(shown.columns):
        values = shown.iloc[:, position]
        header = headers.get(column) or header_label(column, language, prefixes)
        while header in out:
            header += " "
        places = decimals.get(column)
        if places is None and column not in percents:  # one number of decimals per column
            floats = [float(v) for v in values
                      if isinstance(v, (float, np.floating)) and not math.isnan(v)]
            if floats:  # the fewest decimals (at most 2) that show every value of the column
                places = next(d for d in (0, 1, 2)
                              if d == 2 or all(round(v, d) == round(v, 2) for v in floats))
        out[header] = [cell_text(v, language, percent=column in percents, decimals=places)
                       for v in values]
        present = [v for v in values if not _missing(v)]
        numeric.append(bool(present) and all(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_)) for v in present))
    return ClientTable(pd.DataFrame(out, columns=list(out)), numeric, len(table), language,
                       max_columns, key_columns)


def without_values_of(table: pd.DataFrame, columns: pd.DataFrame,
                      value_columns: Iterable[str] | None = None) -> pd.DataFrame:
    """``table`` without the values of some source columns (record ids, when personal data is
    masked): its rows whose (``source``, ``column``) is in ``columns`` are dropped, or only
    their ``value_columns`` emptied.

    Examples:
        >>> top = pd.DataFrame({"source": ["crm", "crm"], "column": ["id", "ville"],
        ...                     "value": ["CLI01", "Lyon"]})
        >>> ids = pd.DataFrame({"source": ["crm"], "column": ["id"]})
        >>> without_values_of(top, ids)["value"].tolist()
        ['Lyon']
        >>> without_values_of(top, ids, ["value"])["value"].tolist()
        [None, 'Lyon']
    """
    keys = set(zip(columns["source"], columns["column"]))
    hit = pd.Series([k in keys for k in zip(table["source"], table["column"])], index=table.index,
                    dtype=bool)
    if value_columns is None:
        return table[~hit].reset_index(drop=True)
    out = table.copy()
    for name in value_columns:
        out[name] = out[name].astype(object).where(~hit, None)
    return out
