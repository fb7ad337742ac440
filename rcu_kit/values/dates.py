"""Dates: THE rule of which dates are readable and plausible, and how they are written (ISO).

The audit's verdicts (:func:`date_status`, :func:`birth_date_status`), the standardisation
(:func:`normalise_dates`) and the audit's parsed dates (:func:`parse_dates`) all come from one
parser, :func:`standardise_dates`: a date is invalid exactly when it is normalised to NA.

Accepted (day first, as in France): ``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``,
``d/m/yy``, ``yyyy-mm-dd`` (also with ``/`` or ``.``), ISO date-times (``1985-02-03T10:00:00``,
``1985-02-03 00:00:00`` as pandas writes timestamps), ``yyyymmdd`` (also ``19850203.0`` from a
spreadsheet), ``3 février 1985``, and 5-digit spreadsheet serial numbers (``31081`` is
1985-02-03: days since 1899-12-30, as Excel and LibreOffice count them, when a date column was
read as numbers). A time after the date is ignored. Two-digit years are put in
the most recent century that does not make the date lie in the future.

Repaired (the audit's "repairable"): a two-digit year (its century had to be decided), a
spreadsheet serial number or a float rendering (``19850203.0``).

Implausible values become NA, by ``kind``: impossible calendar dates (31/02) always; for
``'event'`` and ``'birth'`` also years before 1900, the placeholder 01/01/1900 and dates in the
future; for ``'birth'`` also an age above 120 years. ``'any'`` (a date column of unknown use: a
contract end may lie in the future) checks the calendar only. Month-first dates
(``12/31/1985``) are not guessed: they are NA.

Kept as read (:func:`standardise_dates`' ``as_read``, never a date): the parts of a rejected date
with one part only out of place, most often one typing slip (``1949-00-13``, ``13/64/2001``,
``9185-10-14``), as evidence for matching two records. Placeholders (:data:`PLACEHOLDER_DATES`)
and dates with two parts or more out of place (``00/00/0000``) are not kept. The rule reads each
value alone (never how often it occurs), so that a partition of the records gives the same
answer as the whole.

Examples:
    >>> import datetime as dt
    >>> normalise_date("03/02/1985", today=dt.date(2024, 6, 1))
    '1985-02-03'
    >>> normalise_date("31/02/1985", today=dt.date(2024, 6, 1)) is None
    True
    >>> date_status(pd.Series(["12/03/1985", "12/03/85", "31/02/2020", "n/a"])).tolist()
    ['valid', 'repairable', 'invalid', 'invalid']
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import pandas as pd

from rcu_kit.values.status import rule_statuses
from rcu_kit.values.text import TEXT, Unsupported, as_text, fold_ascii_upper, \
    fold_ascii_upper_value, on_unique, scalar, text_value

__all__ = ["MAX_AGE", "PLACEHOLDER_DATES", "MONTHS", "DATE_FORMATS", "SERIAL_PATTERN", "Kind",
           "standardise_dates", "normalise_date", "normalise_dates", "parse_dates", "date_status",
           "birth_date_status"]

Kind = Literal["birth", "event", "any"]

MAX_AGE = 120
# Dates that systems write for "unknown": 1900-01-01 is a valid date but no birth date; the
# others are invalid anyway, and are not kept as read (SQL Server's first day, the spreadsheet's
# day zero, end-of-time markers).
PLACEHOLDER_DATES = frozenset({"1900-01-01", "0001-01-01", "1111-11-11", "1753-01-01",
                               "1800-01-01", "1899-12-30", "1899-12-31", "2099-12-31",
                               "2999-12-31", "9999-12-31"})

MONTHS = {
    "JANVIER": 1, "JANV": 1, "JAN": 1, "FEVRIER": 2, "FEVR": 2, "FEV": 2, "MARS": 3, "MAR": 3,
    "AVRIL": 4, "AVR": 4, "MAI": 5, "JUIN": 6, "JUILLET": 7, "JUIL": 7, "AOUT": 8, "AOU": 8,
    "SEPTEMBRE": 9, "SEPT": 9, "SEP": 9, "OCTOBRE": 10, "OCT": 10, "NOVEMBRE": 11, "NOV": 11,
    "DECEMBRE": 12, "DEC": 12,
}
_TIME = r"(?:[T ]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
# (regex, order of the captured groups) -- tried in turn, first match wins.
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    (rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$", "ymd"),
    (rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}){_TIME}$", "dmy"),
    (rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{2}}){_TIME}$", "dmy2"),
    (r"^(\d{4})(\d{2})(\d{2})(?:[.,]0+)?$", "ymd"),
    (r"^(\d{1,2})(?:ER)? ([A-Z]+)\.? (\d{4})$", "dMy"),
)
# 5-digit spreadsheet serial numbers (days since 1899-12-30), maybe written as a float.
SERIAL_PATTERN = r"^(\d{5})(?:[.,]0+)?$"
_FLOAT_SUFFIX = r"[.,]0+$"


def _parse(uniques: pd.Series, kind: str, today: dt.date, max_age: int) -> pd.DataFrame:
    text = fold_ascii_upper(uniques)
    year = pd.Series(pd.NA, index=text.index, dtype="Int64")
    month, day = year.copy(), year.copy()
    repaired = pd.Series(False, index=text.index)
    todo = text.notna()
    for pattern, order in DATE_FORMATS:
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
            m = parts[1].map(MONTHS).astype("Int64")
        else:
            d, m, y = parts[0], parts[1], parts[2]
        y = y.astype("Int64")
        if order == "dmy2":
            y = y + 2000
            y = y.where(y <= today.year, y - 100)
            repaired[rows] = True
        year[rows] = y
        month[rows] = m.astype("Int64")
        day[rows] = d.astype("Int64")
        todo[rows] = False
    serial = text[todo].str.extract(SERIAL_PATTERN, expand=False).dropna()
    if len(serial):
        days = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial.astype(int), unit="D")
        year[serial.index] = days.dt.year.astype("Int64")
        month[serial.index] = days.dt.month.astype("Int64")
        day[serial.index] = days.dt.day.astype("Int64")
        repaired[serial.index] = True
    repaired |= text.str.contains(_FLOAT_SUFFIX, regex=True).fillna(False).astype(bool)
    iso = (year.astype(TEXT).str.zfill(4) + "-" + month.astype(TEXT).str.zfill(2) + "-"
           + day.astype(TEXT).str.zfill(2))
    when = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")  # 31/02 -> NaT
    ok = when.notna()
    placeholder = iso.isin(PLACEHOLDER_DATES).fillna(False).astype(bool)
    first_year, last_year = 1678, 2261                   # what pandas' timestamps hold
    if kind != "any":
        ok &= (when.dt.year >= 1900) & (when <= pd.Timestamp(today))
        ok &= ~placeholder
        first_year, last_year = 1900, today.year
    if kind == "birth":
        oldest = pd.Timestamp(today) - pd.DateOffset(years=max_age)
        ok &= when >= oldest
        first_year = max(first_year, oldest.year)
    # A date rejected with one part only out of place is most often one typing slip
    # (1949-00-13, 2001-12-64, 9185-10-14): its parts are kept as read, as evidence for matching.
    # Two parts or more out of place (0000-00-00) and placeholders are not a slip.
    off = ((~year.between(first_year, last_year)).fillna(True).astype(int)
           + (~month.between(1, 12)).fillna(True).astype(int)
           + (~day.between(1, 31)).fillna(True).astype(int))
    as_read = iso.notna() & ~ok.fillna(False).astype(bool) & ~placeholder & (off <= 1)
    return pd.DataFrame({"date": iso.where(ok).astype(TEXT), "repaired": repaired,
                         "as_read": iso.where(as_read).astype(TEXT)},
                        index=uniques.index)


def _reference(today: dt.date | pd.Timestamp | str | None) -> dt.date:
    return dt.date.today() if today is None else pd.Timestamp(today).date()


def standardise_dates(values: pd.Series, kind: Kind = "birth",
                      today: dt.date | pd.Timestamp | str | None = None,
                      max_age: int = MAX_AGE) -> pd.DataFrame:
    """The ISO date and whether it had to be repaired, for each value.

    Args:
        values: raw dates (text, timestamps or spreadsheet numbers).
        kind: ``'birth'``, ``'event'`` or ``'any'`` (see the module doc).
        today: reference date for "future" and ages (default: the current date).
        max_age: oldest plausible age for ``kind='birth'``.

    Returns:
        A frame on ``values``' index: ``date`` (text ``'YYYY-MM-DD'``, ``<NA>`` when invalid or
        missing), ``repaired`` (bool) and ``as_read`` (the parts of an invalid date with one part
        out of place, as ``'YYYY-MM-DD'``; else ``<NA>``: see the module doc).

    Examples:
        >>> out = standardise_dates(pd.Series(["03/02/1985", "3/2/85"]), today=dt.date(2024, 6, 1))
        >>> out["date"].tolist(), out["repaired"].tolist()
        (['1985-02-03', '1985-02-03'], [False, True])
        >>> out = standardise_dates(pd.Series(["13/00/1949", "1072-05-16", "31/02/1985",
        ...                                    "00/00/0000", "01/01/1900"]), today=dt.date(2024, 6, 1))
        >>> out["date"].isna().tolist(), out["as_read"].tolist()
        ([True, True, True, True, True], ['1949-00-13', '1072-05-16', '1985-02-31', <NA>, <NA>])
    """
    if kind not in ("birth", "event", "any"):
        raise ValueError(f"kind must be 'birth', 'event' or 'any', got {kind!r}")
    reference = _reference(today)
    out = on_unique(as_text(values), lambda uniques: _parse(uniques, kind, reference, max_age))
    out["repaired"] = out["repaired"].fillna(False).astype(bool)
    return out


def normalise_dates(values: pd.Series, kind: Kind = "birth",
                    today: dt.date | None = None) -> pd.Series:
    """Vectorised :func:`normalise_date`.

    Args:
        values: raw dates (text, timestamps or spreadsheet numbers).
        kind: ``'birth'`` also rejects ages above 120 years; ``'event'`` (a creation or activity
            date) only rejects dates before 1900 and in the future; ``'any'`` only impossible
            calendar dates.
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
    return standardise_dates(values, kind, today)["date"]


def parse_dates(values: pd.Series) -> pd.Series:
    """The dates as timestamps (NaT when unreadable): :func:`normalise_dates` with ``kind='any'``.

    Examples:
        >>> parse_dates(pd.Series(["12/03/1985", "1985-03-12 10:00:00", "31/02/2020", "x"])).tolist()
        [Timestamp('1985-03-12 00:00:00'), Timestamp('1985-03-12 00:00:00'), NaT, NaT]
    """
    iso = normalise_dates(values, kind="any")
    return pd.Series(pd.to_datetime(iso.astype(object), format="%Y-%m-%d", errors="coerce")
                     .to_numpy(dtype="datetime64[ns]"), index=iso.index)


def date_status(values: pd.Series, kind: Kind = "any",
                today: dt.date | pd.Timestamp | str | None = None,
                max_age: int = MAX_AGE) -> pd.Series:
    """The audit's verdict per value: ``valid``, ``repairable``, ``invalid`` or NA if missing.

    Examples:
        >>> date_status(pd.Series(["12/03/1985", "12/03/85", "31/02/2020", "n/a", None])).tolist()
        ['valid', 'repairable', 'invalid', 'invalid', <NA>]
    """
    return rule_statuses(values, lambda text: standardise_dates(text, kind, today, max_age), "date")


def birth_date_status(values: pd.Series, today: dt.date | pd.Timestamp | str | None = None,
                      max_age: int = MAX_AGE) -> pd.Series:
    """Plausible birth dates: :func:`date_status` with ``kind='birth'``.

    A placeholder such as ``01/01/1900``, a date in the future or an unparseable text is invalid.

    Examples:
        >>> birth_date_status(pd.Series(["12/03/1985", "01/01/1900", "01/01/2030"]),
        ...                   today="2026-01-01").tolist()
        ['valid', 'invalid', 'invalid']
    """
    return date_status(values, "birth", today, max_age)


_DATE_FORMATS = [(re.compile(p, re.ASCII), order) for p, order in DATE_FORMATS]
_SERIAL = re.compile(SERIAL_PATTERN, re.ASCII)


def _date_value(text: str | None, kind: str, today: dt.date) -> str | None:
    """:func:`normalise_dates` on one folded value, in plain Python."""
    if text is None:
        return None
    ymd = None
    for pattern, order in _DATE_FORMATS:
        found = pattern.search(text)
        if not found:
            continue
        a, b, c = found.group(1), found.group(2), found.group(3)
        if order == "ymd":
            ymd = (int(a), int(b), int(c))
        elif order == "dMy":
            month = MONTHS.get(b)
            ymd = None if month is None else (int(c), month, int(a))
        else:
            year = int(c)
            if order == "dmy2":
                year += 2000
                year = year if year <= today.year else year - 100
            ymd = (year, int(b), int(a))
        break
    else:
        found = _SERIAL.search(text)
        if found:
            day = dt.date(1899, 12, 30) + dt.timedelta(days=int(found.group(1)))
            ymd = (day.year, day.month, day.day)
    if ymd is None:
        return None
    year, month, day = ymd
    if not 1 <= year <= 9999:
        raise Unsupported("year out of Python's range")
    try:
        when = dt.date(year, month, day)
    except ValueError:
        return None
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    if kind == "any":
        if not 1678 <= year <= 2261:           # what pandas' timestamps hold
            raise Unsupported("year outside pandas' range")
        return iso
    if when.year < 1900 or when > today or iso in PLACEHOLDER_DATES:
        return None
    if kind == "birth":
        try:
            oldest = today.replace(year=today.year - MAX_AGE)
        except ValueError:                     # 29 February: pandas' DateOffset clips to the 28th
            oldest = today.replace(year=today.year - MAX_AGE, day=28)
        if when < oldest:
            return None
    return iso


def normalise_date(value: object, kind: Kind = "birth",
                   today: dt.date | None = None) -> str | None:
    """The date as ``'YYYY-MM-DD'``, or None if unreadable or implausible (see module doc).

    Examples:
        >>> import datetime as dt
        >>> normalise_date("3 février 1985", today=dt.date(2024, 6, 1))
        '1985-02-03'
        >>> normalise_date("01/01/1900", kind="event", today=dt.date(2024, 6, 1)) is None
        True
    """
    if kind not in ("birth", "event", "any"):
        raise ValueError(f"kind must be 'birth', 'event' or 'any', got {kind!r}")
    try:
        return _date_value(fold_ascii_upper_value(text_value(value)), kind, _reference(today))
    except Unsupported:
        return scalar(normalise_dates, value, kind=kind, today=today)
