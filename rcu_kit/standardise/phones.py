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

import pandas as pd
import phonenumbers
from phonenumbers import PhoneNumberType

from rcu_kit.standardise._text import TEXT, as_text, on_unique, regex_replace

__all__ = ["DEFAULT_REGION", "OVERSEAS_REGIONS", "standardise_phones", "normalise_phones",
           "normalise_phone", "phone_type"]

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


def _classify(nsn: pd.Series, region: str) -> pd.Series:
    """Type of each national significant number in ``region`` (``<NA>`` when invalid there)."""
    out = pd.Series(pd.NA, index=nsn.index, dtype=TEXT)
    for name, pattern in _type_patterns(region)[1]:
        hit = out.isna() & nsn.str.contains(pattern, regex=True).fillna(False)
        out[hit] = name
    return out


def _slow(raw: str, region: str) -> tuple[object, object]:
    """E.164 and type through ``phonenumbers.parse``; ``(NA, NA)`` when invalid."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return pd.NA, pd.NA
    if not phonenumbers.is_valid_number(number):
        return pd.NA, pd.NA
    kind = _TYPE_NAMES.get(phonenumbers.number_type(number), "other")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind


def _standardise_unique(uniques: pd.Series, region: str) -> pd.DataFrame:
    text = uniques.str.replace(r"\(0\)", "", regex=True)
    text = regex_replace(text, r"^(\+?\d+)\.0+$", r"\1")  # 612345678.0 from a sheet
    international = text.str.contains(r"^\s*(?:\+|00)", regex=True)
    digits = text.str.replace(r"\D", "", regex=True)
    digits = digits.where(~text.str.contains(r"^\s*00", regex=True), digits.str.slice(2))
    # National significant number for French-shaped values, else <NA>.
    nsn = digits.str.extract(r"^33 ?0?([1-9]\d{8})$", expand=False)
    if region == DEFAULT_REGION:
        national = digits.str.extract(r"^0?([1-9]\d{8})$", expand=False)
        nsn = nsn.where(international | nsn.notna(), national)
    nsn = nsn.where(nsn.notna() & (international | (region == DEFAULT_REGION)))
    phone = pd.Series(pd.NA, index=uniques.index, dtype=TEXT)
    kind = pd.Series(pd.NA, index=uniques.index, dtype=TEXT)
    fast = nsn.notna()
    if fast.any():
        kind[fast] = _classify(nsn[fast], DEFAULT_REGION)
        phone[fast & kind.notna()] = "+33" + nsn[fast & kind.notna()]
        for overseas in OVERSEAS_REGIONS:
            todo = fast & kind.isna()
            if not todo.any():
                break
            found = _classify(nsn[todo], overseas)
            hit = found.notna().reindex(uniques.index, fill_value=False)
            kind[hit] = found[found.notna()]
            phone[hit] = f"+{_type_patterns(overseas)[0]}" + nsn[hit]
    # Not French-shaped: libphonenumber itself, one value at a time (rare).
    slow = ~fast & digits.str.len().between(6, 17).fillna(False)
    for position in slow[slow].index:
        raw = "+" + digits[position] if international[position] else uniques[position]
        phone[position], kind[position] = _slow(raw, region)
    return pd.DataFrame({"phone": phone, "phone_type": kind})


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
        regions = pd.Series(region, index=text.index)
    else:
        regions = as_text(region).str.upper().reindex(text.index)
    supported = regions.isin(list(phonenumbers.SUPPORTED_REGIONS)).fillna(False)
    regions = regions.where(supported, DEFAULT_REGION).astype(object)
    parts = []
    for code, rows in text.groupby(regions, sort=True).groups.items():
        parts.append(on_unique(text.loc[rows], lambda u, code=code: _standardise_unique(u, code)))
    if not parts:
        return pd.DataFrame({"phone": text, "phone_type": text}, index=text.index)
    out = pd.concat(parts).reindex(text.index)
    return out.astype(TEXT)


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


def phone_type(value: object, region: str = DEFAULT_REGION) -> str | None:
    """``'mobile'``, ``'fixed'`` or ``'other'`` for a valid number, else None.

    Examples:
        >>> phone_type("07 81 23 45 67"), phone_type("0800 123 456")
        ('mobile', 'other')
    """
    out = standardise_phones(pd.Series([value], dtype=object), region).iloc[0]["phone_type"]
    return None if out is pd.NA else out
