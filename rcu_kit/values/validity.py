"""Validity of values against their semantic type, vectorised, over all rows.

The rules of e-mails, phones, postcodes, civilities and dates are not written here: each lives in
its module of :mod:`rcu_kit.values` (``emails``, ``phones``, ``postcodes``, ``civility``,
``dates``), which normalises the values for the standardisation and gives this module its
verdicts from the same code, so the audit and the deduplication cannot disagree on a value (see
:mod:`rcu_kit.values.status`). SIREN / SIRET, names, booleans and numbers are checked here.

Each validator takes a column of text (the loaders give every column as strings, NA when empty)
and returns a status per row:

* ``"valid"``: the value is well-formed for its type;
* ``"repairable"``: the value is recognisably right but damaged in a way the standardisation
  undoes (a postcode or SIREN that lost its leading zero in a spreadsheet, a phone number
  written ``612345678`` or ``tel: 06 12 34 56 78``, a date with a two-digit year, an e-mail
  with a ``mailto:`` prefix);
* ``"invalid"``: anything else;
* NA: the value is missing (empty or blank).

Work is done once per *distinct* value and mapped back to the rows, so a million-row column with
a few thousand distinct values costs a few thousand checks. SIREN and
SIRET check digits use a vectorised Luhn sum (python-stdnum does the same per value, a hundred
times slower on a million values), including La Poste's SIRET exception.

Examples:
    >>> import pandas as pd
    >>> check_validity(pd.Series(["01000", "1000", "ABCDE", None]), "postcode").tolist()
    ['valid', 'repairable', 'invalid', <NA>]
    >>> check_validity(pd.Series(["06 12 34 56 78", "612345678", "12"]), "phone").tolist()
    ['valid', 'repairable', 'invalid']
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from rcu_kit.values.civility import civility_status
from rcu_kit.values.dates import birth_date_status, date_status, parse_dates
from rcu_kit.values.emails import email_status
from rcu_kit.values.phones import phone_status
from rcu_kit.values.postcodes import postcode_status
from rcu_kit.values.status import INVALID, REPAIRABLE, VALID

__all__ = [
    "VALID", "REPAIRABLE", "INVALID", "VALIDATED_TYPES", "DistinctValues", "distinct_values",
    "as_text", "check_validity", "parse_dates", "luhn_valid",
    "email_status", "phone_status", "postcode_status", "date_status", "birth_date_status",
    "siren_status", "siret_status", "civility_status", "name_status", "boolean_status",
    "normalise_booleans",
    "number_status", "parse_numbers",
]

# --------------------------------------------------------------------------------------------
# input normalisation


class DistinctValues:
    """A column reduced to its distinct stripped values and one code per row.

    ``values[codes[i]]`` is row ``i`` as stripped text; ``codes[i] == -1`` when the row is
    missing or blank. Every check of the audit works on ``values`` (a few thousand checks for a
    million rows with a few thousand distinct values) and maps back through ``codes``; the
    validity status of each distinct value is computed once per type and remembered
    (:meth:`status`), so the stages of an audit that need it (quality KPIs, type detection,
    duplicate keys) share it.

    Attributes:
        codes: int64 array, one code per row, -1 for missing or blank.
        values: object array of the distinct non-blank stripped values (first-seen order).
        index: the index of the original column.
        name: the name of the original column.

    Examples:
        >>> d = distinct_values(pd.Series([" a", "b", None, "a ", "  "]))
        >>> d.values.tolist(), d.codes.tolist(), d.counts.tolist()
        (['a', 'b'], [0, 1, -1, 0, -1], [2, 1])
    """

    def __init__(self, codes: np.ndarray, values: np.ndarray, index: pd.Index,
                 name: object = None) -> None:
        self.codes = codes
        self.values = values
        self.index = index
        self.name = name
        self._counts: np.ndarray | None = None
        self._status: dict[tuple[str, object], np.ndarray | None] = {}

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def counts(self) -> np.ndarray:
        """Rows holding each distinct value (aligned with :attr:`values`)."""
        if self._counts is None:
            self._counts = np.bincount(self.codes[self.codes >= 0], minlength=len(self.values))
        return self._counts

    @property
    def filled(self) -> np.ndarray:
        """Boolean mask of the rows holding a value."""
        return self.codes >= 0

    def series(self) -> pd.Series:
        """The distinct values as a Series (index 0..n-1)."""
        return pd.Series(self.values, dtype=object)

    def text(self) -> pd.Series:
        """Every row as stripped text, NA when missing or blank (what :func:`as_text` returns)."""
        return self.per_row(self.values)

    def per_row(self, per_value: np.ndarray, missing: object = pd.NA) -> pd.Series:
        """Map an array aligned with :attr:`values` back to the rows (``missing`` elsewhere)."""
        out = np.empty(len(self.codes), dtype=object)
        out[:] = missing
        present = self.codes >= 0
        out[present] = np.asarray(per_value, dtype=object)[self.codes[present]]
        return pd.Series(out, index=self.index, dtype=object, name=self.name)

    def status(self, semantic_type: str, today: pd.Timestamp | str | None = None) -> np.ndarray | None:
        """Validity status of each distinct value (see :func:`check_validity`), computed once.

        Returns None when the type has no validity rule.
        """
        key = (semantic_type, None if semantic_type != "birth_date" else
               (pd.Timestamp(today).normalize() if today is not None else pd.Timestamp.today().normalize()))
        if key not in self._status:
            check = _UNIQUE_CHECKS.get(semantic_type)
            if check is None:
                self._status[key] = None
            elif len(self.values) == 0:
                self._status[key] = np.empty(0, dtype=object)
            else:
                args = (key[1],) if semantic_type == "birth_date" else ()
                self._status[key] = check(self.series(), *args).to_numpy(dtype=object)
        return self._status[key]


def distinct_values(series: pd.Series) -> DistinctValues:
    """Reduce a column to its distinct stripped values (see :class:`DistinctValues`).

    One hash pass over the rows (``pd.factorize``); stripping and blank detection are done on the
    distinct raw values only.

    Examples:
        >>> distinct_values(pd.Series([3, " x", None, "x"], dtype=object)).values.tolist()
        ['3', 'x']
    """
    if isinstance(series.dtype, pd.StringDtype) or series.dtype == object:
        raw_codes, raw = pd.factorize(series, use_na_sentinel=True)
    else:
        raw_codes, raw = pd.factorize(series.astype("string"), use_na_sentinel=True)
    raw = np.asarray(raw, dtype=object)
    stripped = np.array([v.strip() if isinstance(v, str) else str(v).strip() for v in raw],
                        dtype=object)
    unchanged = all(map(operator.is_, stripped, raw))  # str.strip returns the same object
    if len(stripped) == 0 or (unchanged and "" not in raw):
        return DistinctValues(np.asarray(raw_codes, dtype=np.int64), stripped, series.index, series.name)
    blank = stripped == ""
    if blank.any():
        stripped = stripped.copy()
        stripped[blank] = None
    remap, values = pd.factorize(stripped, use_na_sentinel=True)
    remap = np.append(remap.astype(np.int64), -1)  # raw code -1 (missing) stays -1
    codes = remap[raw_codes]
    return DistinctValues(codes, np.asarray(values, dtype=object), series.index, series.name)


def as_text(series: pd.Series) -> pd.Series:
    """The column as stripped strings (object dtype), NA for missing or blank values.

    Examples:
        >>> as_text(pd.Series([" a ", "", 3, None])).tolist()
        ['a', <NA>, '3', <NA>]
    """
    if len(series) == 0:
        return pd.Series([], index=series.index, dtype=object, name=series.name)
    return distinct_values(series).text()


def _by_unique(series: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``func`` to the distinct non-missing values of ``series`` and map the result back."""
    d = distinct_values(series)
    if len(d.values) == 0:
        return pd.Series(pd.NA, index=series.index, dtype=object)
    return d.per_row(func(d.series()).to_numpy(dtype=object)).rename(None)


def _flag(mask: pd.Series) -> np.ndarray:
    """A boolean mask as a numpy array, missing counted as False."""
    return mask.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _status(valid: pd.Series, repairable: pd.Series | None = None) -> pd.Series:
    out = np.where(valid.to_numpy(dtype=bool), VALID, INVALID).astype(object)
    if repairable is not None:
        rep = repairable.to_numpy(dtype=bool) & ~valid.to_numpy(dtype=bool)
        out[rep] = REPAIRABLE
    return pd.Series(out, index=valid.index, dtype=object)


# --------------------------------------------------------------------------------------------
# SIREN / SIRET


def luhn_valid(digits: pd.Series) -> np.ndarray:
    """Luhn check of equal-length digit strings, vectorised with numpy.

    Examples:
        >>> luhn_valid(pd.Series(["732829320", "732829321"])).tolist()
        [True, False]
    """
    if len(digits) == 0:
        return np.zeros(0, dtype=bool)
    width = len(digits.iat[0])
    arr = np.frombuffer("".join(digits.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, width)
    arr = arr.astype(np.int64) - 48
    doubled = np.zeros(width, dtype=bool)
    doubled[width - 2::-2] = True  # every second digit from the right
    arr[:, doubled] *= 2
    arr[:, doubled] -= 9 * (arr[:, doubled] > 9)
    return arr.sum(axis=1) % 10 == 0


def _luhn_on(candidates: pd.Series, width: int) -> pd.Series:
    ok = pd.Series(False, index=candidates.index)
    sel = _flag(candidates.str.match(rf"^\d{{{width}}}$"))
    if sel.any():
        ok[sel] = luhn_valid(candidates[sel])
    return ok


def _business_id(values: pd.Series, width: int) -> pd.Series:
    compact = values.str.replace(r"[\s.]", "", regex=True)
    valid = _luhn_on(compact, width)
    if width == 14:
        # La Poste's establishments (SIREN 356000000) use a digit sum multiple of 5 instead.
        poste = compact.str.match(r"^356000000\d{5}$")
        if poste.any():
            sums = compact[poste].map(lambda s: sum(int(c) for c in s))
            valid[poste] = (sums % 5 == 0).to_numpy()
    padded = ("0" + compact).where(compact.str.match(rf"^\d{{{width - 1}}}$"), "")
    return _status(valid, _luhn_on(padded, width))


def siren_status(series: pd.Series) -> pd.Series:
    """SIREN: nine digits (spaces allowed) with a valid Luhn check digit.

    Repairable: eight digits that pass once the lost leading zero is restored.

    Examples:
        >>> siren_status(pd.Series(["732 829 320", "732829321", "12345674"])).tolist()
        ['valid', 'invalid', 'repairable']
    """
    return _by_unique(series, lambda v: _business_id(v, 9))


def siret_status(series: pd.Series) -> pd.Series:
    """SIRET: fourteen digits with a valid Luhn check digit (La Poste: digit sum multiple of 5).

    Examples:
        >>> siret_status(pd.Series(["73282932000074", "73282932000075", "35600000049837"])).tolist()
        ['valid', 'invalid', 'valid']
    """
    return _by_unique(series, lambda v: _business_id(v, 14))


# --------------------------------------------------------------------------------------------
# civility, names, booleans, numbers

_NAME = re.compile(r"^[^\W\d_]+\.?(?:[ '’\-]+[^\W\d_]+\.?)*$")


def _names(values: pd.Series) -> pd.Series:
    return _status(values.str.match(_NAME))


def name_status(series: pd.Series) -> pd.Series:
    """Person or place names: letters (any accent), joined by spaces, hyphens or apostrophes.

    Examples:
        >>> name_status(pd.Series(["Jean-Pierre", "D'ARTAGNAN", "Dupont2", "-"])).tolist()
        ['valid', 'valid', 'invalid', 'invalid']
    """
    return _by_unique(series, _names)


TRUE_WORDS = frozenset({"1", "true", "vrai", "oui", "yes", "o", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "faux", "non", "no", "n", "f"})
BOOLEANS = TRUE_WORDS | FALSE_WORDS


def normalise_booleans(values: pd.Series) -> pd.Series:
    """Yes/no values (:data:`BOOLEANS`, any case) as ``true`` / ``false``; other values are kept
    as they are (:func:`boolean_status` calls them invalid), missing ones stay missing.

    Examples:
        >>> normalise_booleans(pd.Series(["Oui", "FALSE", "peut-être", None])).tolist()
        ['true', 'false', 'peut-être', None]
    """
    text = values.astype(object)
    lower = values.astype("string").str.strip().str.lower()
    out = text.where(~lower.isin(TRUE_WORDS).fillna(False), "true")
    out = out.where(~lower.isin(FALSE_WORDS).fillna(False), "false")
    return out.where(values.notna(), None)


def _booleans(values: pd.Series) -> pd.Series:
    return _status(values.str.lower().isin(BOOLEANS))


def boolean_status(series: pd.Series) -> pd.Series:
    """Yes/no values in French or English (oui/non, vrai/faux, true/false, 1/0, o/n, y/n)."""
    return _by_unique(series, _booleans)


def parse_numbers(series: pd.Series) -> pd.Series:
    """Numbers written the French or English way (``1 234,5``, ``1234.5``); NaN otherwise.

    Examples:
        >>> parse_numbers(pd.Series(["1 234,5", "12.5", "abc", None])).tolist()
        [1234.5, 12.5, nan, nan]
    """
    text = as_text(series)
    compact = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    french = _flag(compact.str.match(r"^[+-]?\d+,\d+$"))
    compact = compact.where(~french, compact.str.replace(",", ".", regex=False))
    return pd.to_numeric(compact, errors="coerce").astype(float)


def number_status(series: pd.Series) -> pd.Series:
    """Numbers (see :func:`parse_numbers`)."""
    return _by_unique(series, lambda v: _status(parse_numbers(v).notna()))


# Checks of distinct stripped values (what :class:`DistinctValues` caches), per semantic type.
_UNIQUE_CHECKS: dict[str, Callable[..., pd.Series]] = {
    "email": email_status,
    "phone": phone_status,
    "postcode": postcode_status,
    "date": date_status,
    "birth_date": lambda values, today: birth_date_status(values, today),
    "siren": lambda v: _business_id(v, 9),
    "siret": lambda v: _business_id(v, 14),
    "civility": civility_status,
    "last_name": _names,
    "first_name": _names,
    "full_name": _names,
    "city": _names,
    "boolean": _booleans,
    "number": lambda v: _status(parse_numbers(v).notna()),
}
VALIDATED_TYPES: frozenset[str] = frozenset(_UNIQUE_CHECKS)


def check_validity(series: pd.Series, semantic_type: str, *,
                   today: pd.Timestamp | str | None = None) -> pd.Series | None:
    """Status of every value of ``series`` for ``semantic_type``.

    Args:
        series: the column (any dtype; compared as stripped text), or its
            :class:`DistinctValues` (statuses already computed on it are reused).
        semantic_type: one of :data:`VALIDATED_TYPES`; other types have no validity rule.
        today: reference day for birth-date plausibility (default: today).

    Returns:
        A series of ``"valid"`` / ``"repairable"`` / ``"invalid"`` (NA for missing values), or
        None when the type has no validity rule (street, id, text, category, country).
    """
    if semantic_type not in _UNIQUE_CHECKS:
        return None
    distinct = series if isinstance(series, DistinctValues) else distinct_values(series)
    status = distinct.status(semantic_type, today)
    return distinct.per_row(status).rename(None)
