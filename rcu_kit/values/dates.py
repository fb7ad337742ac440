"""Dates in the formats French extracts use, returned as ISO ``'YYYY-MM-DD'`` strings.

Accepted (day first, as in France): ``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``,
``d/m/yy``, ``yyyy-mm-dd`` (also with ``/`` or ``.``), ISO date-times (``1985-02-03T10:00:00``,
``1985-02-03 00:00:00`` as pandas writes timestamps), ``yyyymmdd`` (also ``19850203.0`` from a
spreadsheet), ``3 février 1985``, and 5-digit spreadsheet serial numbers (``31081`` is
1985-02-03: days since 1899-12-30, as Excel and LibreOffice count them, when a date column was
read as numbers). A time after the date is ignored. Two-digit years are put in
the most recent century that does not make the date lie in the future.

Implausible values become NA: impossible calendar dates (31/02), years before 1900, the
placeholder 01/01/1900, dates in the future and, for ``kind='birth'``, an age above 120 years.
Month-first dates (``12/31/1985``) are not guessed: they are NA.

Examples:
    >>> import datetime as dt
    >>> normalise_date("03/02/1985", today=dt.date(2024, 6, 1))
    '1985-02-03'
    >>> normalise_date("31/02/1985", today=dt.date(2024, 6, 1)) is None
    True
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd

from rcu_kit.values.text import TEXT, as_text, fold_ascii_upper, on_unique, scalar

__all__ = ["MAX_AGE", "PLACEHOLDER_DATES", "normalise_date", "normalise_dates"]

MAX_AGE = 120
PLACEHOLDER_DATES = frozenset({"1900-01-01"})

_MONTHS = {
    "JANVIER": 1, "JANV": 1, "JAN": 1, "FEVRIER": 2, "FEVR": 2, "FEV": 2, "MARS": 3, "MAR": 3,
    "AVRIL": 4, "AVR": 4, "MAI": 5, "JUIN": 6, "JUILLET": 7, "JUIL": 7, "AOUT": 8, "AOU": 8,
    "SEPTEMBRE": 9, "SEPT": 9, "SEP": 9, "OCTOBRE": 10, "OCT": 10, "NOVEMBRE": 11, "NOV": 11,
    "DECEMBRE": 12, "DEC": 12,
}
_TIME = r"(?:[T ]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
# (regex, order of the captured groups) -- tried in turn, first match wins.
_FORMATS: tuple[tuple[str, str], ...] = (
    (rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$", "ymd"),
    (rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}){_TIME}$", "dmy"),
    (rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{2}}){_TIME}$", "dmy2"),
    (r"^(\d{4})(\d{2})(\d{2})(?:[.,]0+)?$", "ymd"),
    (r"^(\d{1,2})(?:ER)? ([A-Z]+)\.? (\d{4})$", "dMy"),
)


def _parse(uniques: pd.Series, kind: str, today: dt.date) -> pd.Series:
    text = fold_ascii_upper(uniques)
    year = pd.Series(pd.NA, index=text.index, dtype="Int64")
    month, day = year.copy(), year.copy()
    todo = text.notna()
    for pattern, order in _FORMATS:
        parts = text[todo].str.extract(pattern)
        hit = parts[0].notna()
        if not hit.any():
            continue
        parts = parts[hit]
        rows = parts.index
        if order == "ymd":
            y, m, d = parts[0], parts[1], parts[2]
        elif order == "dMy":
            d, y = parts[0], parts[2]
            m = parts[1].map(_MONTHS).astype("Int64")
        else:
            d, m, y = parts[0], parts[1], parts[2]
        y = y.astype("Int64")
        if order == "dmy2":
            y = y + 2000
            y = y.where(y <= today.year, y - 100)
        year[rows] = y
        month[rows] = m.astype("Int64")
        day[rows] = d.astype("Int64")
        todo[rows] = False
    serial = text[todo].str.extract(r"^(\d{5})(?:[.,]0+)?$", expand=False).dropna()
    if len(serial):
        days = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial.astype(int), unit="D")
        year[serial.index] = days.dt.year.astype("Int64")
        month[serial.index] = days.dt.month.astype("Int64")
        day[serial.index] = days.dt.day.astype("Int64")
    iso = (year.astype(TEXT).str.zfill(4) + "-" + month.astype(TEXT).str.zfill(2) + "-"
           + day.astype(TEXT).str.zfill(2))
    when = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")  # 31/02 -> NaT
    ok = when.notna() & (when.dt.year >= 1900) & (when <= pd.Timestamp(today))
    ok &= ~iso.isin(PLACEHOLDER_DATES).fillna(False)
    if kind == "birth":
        oldest = pd.Timestamp(today) - pd.DateOffset(years=MAX_AGE)
        ok &= when >= oldest
    return iso.where(ok).astype(TEXT)


def normalise_dates(values: pd.Series, kind: Literal["birth", "event"] = "birth",
                    today: dt.date | None = None) -> pd.Series:
    """Vectorised :func:`normalise_date`.

    Args:
        values: raw dates (text, timestamps or spreadsheet numbers).
        kind: ``'birth'`` also rejects ages above 120 years; ``'event'`` (a creation or activity
            date) only rejects dates before 1900 and in the future.
        today: reference date for "future" and ages (default: the current date); pass it for
            reproducible runs.

    Returns:
        A text Series of ``'YYYY-MM-DD'`` or ``<NA>``.

    Examples:
        >>> import datetime as dt
        >>> normalise_dates(pd.Series(["1985-02-03", "3.2.85", "19850203", "01/01/1900"]),
        ...                 today=dt.date(2024, 6, 1)).tolist()
        ['1985-02-03', '1985-02-03', '1985-02-03', <NA>]
    """
    if kind not in ("birth", "event"):
        raise ValueError(f"kind must be 'birth' or 'event', got {kind!r}")
    reference = today or dt.date.today()
    return on_unique(as_text(values), lambda uniques: _parse(uniques, kind, reference))


def normalise_date(value: object, kind: Literal["birth", "event"] = "birth",
                   today: dt.date | None = None) -> str | None:
    """The date as ``'YYYY-MM-DD'``, or None if unreadable or implausible (see module doc).

    Examples:
        >>> import datetime as dt
        >>> normalise_date("3 février 1985", today=dt.date(2024, 6, 1))
        '1985-02-03'
        >>> normalise_date("01/01/1900", kind="event", today=dt.date(2024, 6, 1)) is None
        True
    """
    return scalar(normalise_dates, value, kind=kind, today=today)
