"""Phone numbers to E.164 (``+33612345678``) with France as the default region, plus their type.

Validity and type come from Google's libphonenumber metadata (the ``phonenumbers`` package):
nothing about numbering plans is written here. Because calling ``phonenumbers.parse`` costs about
35 µs, French-looking numbers (the vast majority) take a vectorised path that applies the same
metadata patterns (``PhoneMetadata.metadata_for_region('FR')``) to all distinct numbers at once;
every other number goes through ``phonenumbers.parse`` one by one.

French shapes recognised on the fast path (spaces, dots, dashes, brackets ignored):
``06 12 34 56 78``, ``0612345678``, ``+33 6 12 34 56 78``, ``+33 (0)6 12 34 56 78``,
``0033 6 12 34 56 78``, ``33612345678``, ``612345678`` (leading 0 lost in a spreadsheet).
A French-shaped number that is not valid in metropolitan France but valid in an overseas
department sharing the French dialling plan (``0262 ...`` in La Réunion, ``0590 ...`` in
Guadeloupe, ...) gets that department's country code (``+262262...``).

``phone_type`` is ``'mobile'``, ``'fixed'`` (fixed lines, and 09 VoIP numbers, which in France are
the home lines of internet boxes) or ``'other'`` (toll-free, premium, shared-cost, ...).

Examples:
    >>> normalise_phone("06 12 34 56 78"), normalise_phone("+33 (0)6 12 34 56 78")
    ('+33612345678', '+33612345678')
    >>> normalise_phone("0012 34"), phone_type("01 42 68 53 00")
    (None, 'fixed')
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import PhoneNumberType

from rcu_kit.values.text import TEXT, as_text, choose, extract, on_unique, regex_replace

__all__ = ["DEFAULT_REGION", "OVERSEAS_REGIONS", "standardise_phones", "normalise_phones",
           "normalise_phone", "phone_type", "phone_types"]

DEFAULT_REGION = "FR"
# Overseas departments and collectivities dialled with the French national plan (0 + 9 digits).
OVERSEAS_REGIONS = ("RE", "YT", "GP", "MQ", "GF", "PM")

_TYPE_NAMES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed",
    PhoneNumberType.VOIP: "fixed",
}
_DESCS = {"mobile": ("mobile",), "fixed": ("fixed_line", "voip"),
          "other": ("toll_free", "premium_rate", "shared_cost", "personal_number", "uan",
                    "pager", "voicemail")}


@lru_cache(maxsize=None)
def _type_patterns(region: str) -> tuple[int, tuple[tuple[str, str], ...]]:
    """(country code, ((phone_type, full-match regex), ...)) from libphonenumber's metadata."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    patterns = []
    for name, attributes in _DESCS.items():
        for attribute in attributes:
            desc = getattr(meta, attribute, None)
            if desc is not None and desc.national_number_pattern:
                patterns.append((name, f"^(?:{desc.national_number_pattern})$"))
    return meta.country_code, tuple(patterns)


@lru_cache(maxsize=None)
def _classifier(region: str) -> str:
    """One RE2 expression with a named group per phone type, from ``_type_patterns``."""
    groups: dict[str, list[str]] = {}
    for name, pattern in _type_patterns(region)[1]:
        groups.setdefault(name, []).append(pattern[4:-2])   # drop the "^(?:" ... ")$" wrapper
    alternatives = [f"(?P<{name}>(?:{'|'.join(f'(?:{p})' for p in patterns)}))"
                    for name, patterns in groups.items()]
    return f"^(?:{'|'.join(alternatives)})$"


def _classify(nsn: pd.Series, region: str) -> np.ndarray:
    """Type of each national significant number in ``region`` (None when invalid there)."""
    out = np.full(len(nsn), None, dtype=object)
    found = extract(nsn, _classifier(region))
    for name in found.columns:
        hit = found[name].notna().to_numpy(dtype=bool)
        out[hit & (out == None)] = name  # noqa: E711 (element-wise on an object array)
    return out


def _slow(raw: str, region: str) -> tuple[str | None, str | None]:
    """E.164 and type through ``phonenumbers.parse``; ``(None, None)`` when invalid."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None, None
    if not phonenumbers.is_valid_number(number):
        return None, None
    kind = _TYPE_NAMES.get(phonenumbers.number_type(number), "other")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind


def _standardise_unique(uniques: pd.Series, region: str) -> pd.DataFrame:
    text = uniques.str.replace("(0)", "", regex=False)
    from_sheet = text.str.endswith(".0").to_numpy(dtype=bool, na_value=False)
    if from_sheet.any():                                # 612345678.0 read from a spreadsheet
        text = choose(pd.Series(from_sheet, index=text.index),
                      regex_replace(text, r"^(\+?\d+)\.0+$", r"\1"), text)
    international = text.str.startswith("+") | text.str.startswith("00")
    digits = text.str.replace(r"\D", "", regex=True)
    digits = choose(text.str.startswith("00"), digits.str.slice(2), digits)
    # National significant number of French-shaped values, with what preceded it.
    parts = extract(digits, r"^(?P<prefix>330?|0)?(?P<nsn>[1-9]\d{8})$")
    with_33 = parts["prefix"].str.startswith("33").fillna(False)
    if region == DEFAULT_REGION:
        nsn = choose(~international | with_33, parts["nsn"], None)
    else:
        nsn = choose(international & with_33, parts["nsn"], None)
    fast = nsn.notna().to_numpy(dtype=bool)
    kind = _classify(nsn, DEFAULT_REGION)
    e164 = ("+33" + nsn).to_numpy(dtype=object, na_value=None)
    phone = np.where(kind != None, e164, None)  # noqa: E711
    todo = fast & (kind == None)  # noqa: E711 -- French-shaped but not metropolitan
    for overseas in OVERSEAS_REGIONS:
        if not todo.any():
            break
        rows = np.flatnonzero(todo)
        found = _classify(nsn.iloc[rows], overseas)
        hit = rows[found != None]  # noqa: E711
        kind[hit] = found[found != None]  # noqa: E711
        code = f"+{_type_patterns(overseas)[0]}"
        phone[hit] = [code + value for value in nsn.iloc[hit].tolist()]
        todo[hit] = False
    # Not French-shaped: libphonenumber itself, one value at a time (rare).
    lengths = digits.str.len().to_numpy(dtype=float, na_value=0)
    slow = np.flatnonzero(~fast & (lengths >= 6) & (lengths <= 17))
    if len(slow):
        raw_values = uniques.to_numpy(dtype=object, na_value=None)
        digit_values = digits.to_numpy(dtype=object, na_value=None)
        is_international = international.to_numpy(dtype=bool, na_value=False)
        for position in slow:
            raw = ("+" + digit_values[position] if is_international[position]
                   else raw_values[position])
            phone[position], kind[position] = _slow(raw, region)
    return pd.DataFrame({"phone": pd.array(phone, dtype=TEXT),
                         "phone_type": pd.array(kind, dtype=TEXT)}, index=uniques.index)


def standardise_phones(values: pd.Series, region: str | pd.Series = DEFAULT_REGION) -> pd.DataFrame:
    """E.164 number and type for each value.

    Args:
        values: raw phone numbers.
        region: ISO-2 region assumed for numbers written without a country code: one code for
            all, or a Series aligned on ``values`` (e.g. the record's country); missing or
            unknown regions fall back to France.

    Returns:
        A frame on ``values``' index with text columns ``phone`` (E.164 or ``<NA>``) and
        ``phone_type`` (``'mobile'``, ``'fixed'``, ``'other'`` or ``<NA>``).

    Examples:
        >>> out = standardise_phones(pd.Series(["0612345678", "02 12"]))
        >>> out["phone"].tolist(), out["phone_type"].tolist()
        (['+33612345678', <NA>], ['mobile', <NA>])
    """
    text = as_text(values)
    if isinstance(region, str):
        regions = np.full(len(text), region.upper(), dtype=object)
    else:
        region = as_text(region).str.upper()
        if not region.index.equals(text.index):
            region = region.reindex(text.index)
        regions = region.to_numpy(dtype=object, na_value=None)
    supported = set(phonenumbers.SUPPORTED_REGIONS)
    distinct = pd.unique(regions)
    if len(distinct) > 1 or distinct[0] not in supported:
        valid = pd.Series(regions).isin(supported).to_numpy()     # hashed, not np.isin's sort
        regions = np.where(valid, regions, DEFAULT_REGION)
        distinct = pd.unique(regions)
    if len(distinct) == 1:
        return on_unique(text, lambda u: _standardise_unique(u, distinct[0]))
    phone = np.full(len(text), None, dtype=object)
    kind = np.full(len(text), None, dtype=object)
    for code in sorted(distinct):
        rows = np.flatnonzero(regions == code)
        part = on_unique(text.iloc[rows], lambda u, code=code: _standardise_unique(u, code))
        phone[rows] = part["phone"].to_numpy(dtype=object, na_value=None)
        kind[rows] = part["phone_type"].to_numpy(dtype=object, na_value=None)
    return pd.DataFrame({"phone": pd.array(phone, dtype=TEXT),
                         "phone_type": pd.array(kind, dtype=TEXT)}, index=text.index)


def normalise_phones(values: pd.Series, region: str | pd.Series = DEFAULT_REGION) -> pd.Series:
    """Vectorised :func:`normalise_phone`: the E.164 column of :func:`standardise_phones`.

    Examples:
        >>> normalise_phones(pd.Series(["33612345678", "612345678", "06.12.34.56.78"])).tolist()
        ['+33612345678', '+33612345678', '+33612345678']
    """
    return standardise_phones(values, region)["phone"]


def normalise_phone(value: object, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164, or None if it is not a valid number.

    Examples:
        >>> normalise_phone("0033 1 42 68 53 00"), normalise_phone("+32 2 555 12 12")
        ('+33142685300', '+3225551212')
    """
    out = standardise_phones(pd.Series([value], dtype=object), region).iloc[0]["phone"]
    return None if out is pd.NA else out


def phone_types(values: pd.Series, region: str | pd.Series = DEFAULT_REGION) -> pd.Series:
    """Vectorised :func:`phone_type`: the ``phone_type`` column of :func:`standardise_phones`.

    Examples:
        >>> phone_types(pd.Series(["06 12 34 56 78", "01 42 68 53 00", "12"])).tolist()
        ['mobile', 'fixed', <NA>]
    """
    return standardise_phones(values, region)["phone_type"]


def phone_type(value: object, region: str = DEFAULT_REGION) -> str | None:
    """``'mobile'``, ``'fixed'`` or ``'other'`` for a valid number, else None.

    Examples:
        >>> phone_type("07 81 23 45 67"), phone_type("0800 123 456")
        ('mobile', 'other')
    """
    out = standardise_phones(pd.Series([value], dtype=object), region).iloc[0]["phone_type"]
    return None if out is pd.NA else out
