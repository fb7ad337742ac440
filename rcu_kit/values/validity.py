"""Validity of values against their semantic type, vectorised, over all rows.

Each validator takes a column of text (the loaders give every column as strings, NA when empty)
and returns a status per row:

* ``"valid"``: the value is well-formed for its type;
* ``"repairable"``: the value is recognisably right but damaged in a way a standardisation step
  can undo (a postcode or SIREN that lost its leading zero in a spreadsheet, a phone number
  written ``612345678`` or ``33612345678``, a date with a two-digit year, an e-mail with a
  stray space);
* ``"invalid"``: anything else;
* NA: the value is missing (empty or blank).

Work is done once per *distinct* value and mapped back to the rows, so a million-row column with
a few thousand distinct values costs a few thousand checks. Phone numbers follow the
``phonenumbers`` library: French and French overseas numbers in national or ``+33`` form are
checked in bulk against the library's own numbering-plan patterns (equivalent to
``phonenumbers.is_valid_number`` for those regions, but vectorised); every other number goes
through ``phonenumbers.parse`` and ``is_valid_number`` one distinct value at a time. SIREN and
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
import phonenumbers
from unidecode import unidecode

__all__ = [
    "VALID", "REPAIRABLE", "INVALID", "VALIDATED_TYPES", "DistinctValues", "distinct_values",
    "as_text", "check_validity", "parse_dates", "luhn_valid",
    "email_status", "phone_status", "postcode_status", "date_status", "birth_date_status",
    "siren_status", "siret_status", "civility_status", "name_status", "boolean_status",
    "number_status", "parse_numbers",
]

VALID, REPAIRABLE, INVALID = "valid", "repairable", "invalid"

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
# e-mail

_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$")


def _email(values: pd.Series) -> pd.Series:
    valid = values.str.match(_EMAIL)
    repairable = pd.Series(False, index=values.index)
    bad = values[~valid]
    if len(bad):
        repaired = bad.str.replace(r"\s+", "", regex=True).str.replace(
            r"^mailto:", "", regex=True, case=False).str.replace(",", ".", regex=False)
        repairable[bad.index] = repaired.str.match(_EMAIL)
    return _status(valid, repairable)


def email_status(series: pd.Series) -> pd.Series:
    """E-mail syntax (RFC 5322 dot-atom local part, a domain with a 2-24 letter suffix).

    Repairable: valid once spaces, a ``mailto:`` prefix or commas typed for dots are fixed.

    Examples:
        >>> email_status(pd.Series(["a.b@x.fr", "a b@x.fr", "a@x", "a..b@x.fr"])).tolist()
        ['valid', 'repairable', 'invalid', 'invalid']
    """
    return _by_unique(series, _email)


# --------------------------------------------------------------------------------------------
# phone

# Regions dialled in national format with the trunk prefix 0 from mainland France.
_FRENCH_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF")
_DESCS = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number",
          "voip", "pager", "uan", "voicemail")


def _plan_pattern(regions: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for region in regions:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        for desc in _DESCS:
            d = getattr(meta, desc, None)
            if d is not None and d.national_number_pattern:
                parts.append(d.national_number_pattern)
    return re.compile("^(?:" + "|".join(f"(?:{p})" for p in parts) + ")$")


_FR_NSN = _plan_pattern(("FR",))
_FR_ALL_NSN = _plan_pattern(_FRENCH_REGIONS)
_PHONE_CHARS = re.compile(r"^\+?[\d\s.\-/()]+$")


_NON_DIGITS = re.compile(r"\D+")
_MISSING_TRUNK = frozenset("123456789")


def _phone_one(value: str) -> tuple[str, bool]:
    """Status of one phone number from the French forms, and whether phonenumbers must decide.

    The digits are what remains once every non-digit is removed, so a check such as
    ``^0\\d{9}$`` on them is a length and a prefix test.
    """
    if not _PHONE_CHARS.match(value):
        return INVALID, False
    digits = value if value.isdecimal() else _NON_DIGITS.sub("", value)
    n, plus = len(digits), value.startswith("+")
    national = not plus and n == 10 and digits[0] == "0"
    intl33 = (plus and n == 11 and digits.startswith("33")) or (
        not plus and n == 13 and digits.startswith("0033"))
    if national and _FR_ALL_NSN.match(digits[1:]):
        return VALID, False
    if intl33 and _FR_NSN.match(digits[-9:]):
        return VALID, False
    # Damaged but recognisable: the trunk 0 dropped by a spreadsheet, or the '+' of +33 lost.
    no_zero = not plus and n == 9 and digits[0] in _MISSING_TRUNK
    no_plus = not plus and n == 11 and digits.startswith("33")
    if (no_zero and _FR_ALL_NSN.match(digits)) or (no_plus and _FR_NSN.match(digits[2:])):
        return REPAIRABLE, False
    # French national and +33 forms are settled above (same verdict as phonenumbers, tested);
    # '00...' is an international prefix to phonenumbers: those are not settled here.
    settled = (national and not digits.startswith("00")) or intl33 or no_zero or no_plus
    return INVALID, not settled and n >= 6


def _phone(values: pd.Series) -> pd.Series:
    status = np.empty(len(values), dtype=object)
    for i, value in enumerate(values.to_numpy(dtype=object)):
        verdict, ask = _phone_one(value)
        if ask:  # international numbers, odd layouts: phonenumbers itself decides
            try:
                verdict = VALID if phonenumbers.is_valid_number(phonenumbers.parse(value, "FR")) \
                    else INVALID
            except phonenumbers.NumberParseException:
                verdict = INVALID
        status[i] = verdict
    return pd.Series(status, index=values.index, dtype=object)


def phone_status(series: pd.Series) -> pd.Series:
    """Phone numbers, French first (mainland and overseas), international through phonenumbers.

    Valid: ``0X XX XX XX XX`` (any separators), ``+33 X ...``, ``0033 X ...`` or any number
    ``phonenumbers`` accepts with France as the default region. Repairable: a French number
    missing its trunk 0 (``612345678``) or the ``+`` of its country code (``33612345678``).

    Examples:
        >>> phone_status(pd.Series(["+33 6 12 34 56 78", "0692 12 34 56", "+44 20 7946 0958",
        ...                         "33612345678", "0012345678"])).tolist()
        ['valid', 'valid', 'valid', 'repairable', 'invalid']
    """
    return _by_unique(series, _phone)


# --------------------------------------------------------------------------------------------
# postcode

_POSTCODE = re.compile(r"^(?:(?:0[1-9]|[1-8]\d|9[0-5])\d{3}|(?:97[1-8]|98[4-9])\d{2})$")


def _postcode(values: pd.Series) -> pd.Series:
    valid = values.str.match(_POSTCODE)
    compact = values.str.replace(r"\s", "", regex=True).str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    lost_zero = compact.str.match(r"^[1-9]\d{3}$")
    spaced = compact.str.match(_POSTCODE)
    return _status(valid, lost_zero | spaced)


def postcode_status(series: pd.Series) -> pd.Series:
    """French postcodes: five digits, department 01-95, overseas 971-978 and 984-989.

    Repairable: four digits (the leading zero lost in a spreadsheet: ``1000`` for ``01000``),
    spaces inside (``75 011``) or a float rendering (``75011.0``).

    Examples:
        >>> postcode_status(pd.Series(["75011", "1000", "75 011", "00100", "7501"])).tolist()
        ['valid', 'repairable', 'repairable', 'invalid', 'repairable']
    """
    return _by_unique(series, _postcode)


# --------------------------------------------------------------------------------------------
# dates

_DATE_PART = re.compile(r"^(\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|\d{8})(?:[ T].*)?$")
_FORMATS = (
    (r"^\d{1,2}/\d{1,2}/\d{4}$", "%d/%m/%Y"),
    (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
    (r"^\d{1,2}-\d{1,2}-\d{4}$", "%d-%m-%Y"),
    (r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y"),
    (r"^\d{4}/\d{1,2}/\d{1,2}$", "%Y/%m/%d"),
    (r"^\d{8}$", "%Y%m%d"),
)
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")


def _parse_unique_dates(values: pd.Series) -> pd.Series:
    part = values.str.extract(_DATE_PART, expand=False)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for pattern, fmt in _FORMATS:
        sel = _flag(part.str.match(pattern))
        if sel.any():
            out.loc[sel] = pd.to_datetime(part[sel], format=fmt, errors="coerce").to_numpy()
    return out


def parse_dates(series: pd.Series) -> pd.Series:
    """Dates written day first (``dd/mm/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``) or ISO
    (``yyyy-mm-dd``, ``yyyymmdd``), with an optional time after the date; NaT otherwise.

    Examples:
        >>> parse_dates(pd.Series(["12/03/1985", "1985-03-12 10:00:00", "31/02/2020", "x"])).tolist()
        [Timestamp('1985-03-12 00:00:00'), Timestamp('1985-03-12 00:00:00'), NaT, NaT]
    """
    text = as_text(series)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    parsed = _parse_unique_dates(pd.Series(np.asarray(uniques, dtype=object))).to_numpy()
    values = np.full(len(codes), np.datetime64("NaT"), dtype="datetime64[ns]")
    values[codes >= 0] = parsed[codes[codes >= 0]]
    return pd.Series(values, index=series.index)


def _dates(values: pd.Series, lower: pd.Timestamp | None, upper: pd.Timestamp | None) -> pd.Series:
    parsed = _parse_unique_dates(values)
    ok = parsed.notna()
    if lower is not None:
        ok &= parsed >= lower
    if upper is not None:
        ok &= parsed <= upper
    return _status(ok, values.str.match(_TWO_DIGIT_YEAR))


def date_status(series: pd.Series) -> pd.Series:
    """Dates (see :func:`parse_dates`): valid when they parse to a real calendar day.

    Repairable: a two-digit year (``12/03/85``), whose century must be decided.

    Examples:
        >>> date_status(pd.Series(["12/03/1985", "12/03/85", "31/02/2020", "n/a"])).tolist()
        ['valid', 'repairable', 'invalid', 'invalid']
    """
    return _by_unique(series, lambda v: _dates(v, None, None))


def birth_date_status(series: pd.Series, today: pd.Timestamp | str | None = None,
                      max_age: int = 120) -> pd.Series:
    """Plausible birth dates: a date no later than ``today`` and at most ``max_age`` years before.

    A placeholder such as ``01/01/1900``, a date in the future or an unparseable text is invalid.

    Examples:
        >>> birth_date_status(pd.Series(["12/03/1985", "01/01/1900", "01/01/2030"]),
        ...                   today="2026-01-01").tolist()
        ['valid', 'invalid', 'invalid']
    """
    now = pd.Timestamp(today).normalize() if today is not None else pd.Timestamp.today().normalize()
    return _by_unique(series, lambda v: _birth_dates(v, now, max_age))


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

CIVILITIES = frozenset({
    "m", "mr", "monsieur", "mme", "madame", "mlle", "melle", "mademoiselle", "mrs", "ms", "miss",
    "mister", "dr", "docteur", "pr", "professeur", "me", "maitre", "m et mme", "mr et mme",
    "m mme", "mm", "messieurs", "mesdames",
})


def _civility(values: pd.Series) -> pd.Series:
    key = values.map(lambda v: re.sub(r"[.\s/&+]+", " ", unidecode(v).lower()).strip())
    return _status(key.isin(CIVILITIES))


def civility_status(series: pd.Series) -> pd.Series:
    """Civility / salutation: M., Mme, Mlle, Monsieur, Madame, Mr, Mrs, Ms, Dr, M. et Mme, ...

    Examples:
        >>> civility_status(pd.Series(["M.", "MME", "Madame", "Sir"])).tolist()
        ['valid', 'valid', 'valid', 'invalid']
    """
    return _by_unique(series, _civility)


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


BOOLEANS = frozenset({"0", "1", "true", "false", "vrai", "faux", "oui", "non", "yes", "no",
                      "o", "n", "y", "t", "f"})


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


# --------------------------------------------------------------------------------------------

def _birth_dates(values: pd.Series, today: pd.Timestamp, max_age: int = 120) -> pd.Series:
    return _dates(values, today - pd.DateOffset(years=max_age), today)


# Checks of distinct stripped values (what :class:`DistinctValues` caches), per semantic type.
_UNIQUE_CHECKS: dict[str, Callable[..., pd.Series]] = {
    "email": _email,
    "phone": _phone,
    "postcode": _postcode,
    "date": lambda v: _dates(v, None, None),
    "birth_date": _birth_dates,
    "siren": lambda v: _business_id(v, 9),
    "siret": lambda v: _business_id(v, 14),
    "civility": _civility,
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
