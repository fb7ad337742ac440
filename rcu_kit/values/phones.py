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

The audit's verdict (:func:`phone_status`) comes from the same function as the E.164 form
(:func:`standardise_phones`): a number is invalid exactly when it is normalised to NA, and
repairable when it had to be repaired: the trunk 0 lost in a spreadsheet (``612345678``), the
``+`` of the country code lost (``33612345678``), a trunk 0 kept after it (``+33 06 ...``; the
``+33 (0)6`` notation is correct), a float rendering (``612345678.0``) or text around the number
(``tel: 06 12 34 56 78``).

Examples:
    >>> normalise_phone("06 12 34 56 78"), normalise_phone("+33 (0)6 12 34 56 78")
    ('+33612345678', '+33612345678')
    >>> normalise_phone("0012 34"), phone_type("01 42 68 53 00")
    (None, 'fixed')
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import re

import pandas as pd
import phonenumbers
from phonenumbers import PhoneNumberType

from rcu_kit.values.status import rule_statuses
from rcu_kit.values.text import TEXT, Unsupported, as_text, choose, extract, on_unique, \
    regex_replace, text_value

__all__ = ["DEFAULT_REGION", "OVERSEAS_REGIONS", "NSN_PATTERN", "PHONE_CHARS_PATTERN", "FLOAT_PATTERN",
           "standardise_phones", "standardise_phone", "normalise_phones", "normalise_phone",
           "phone_type", "phone_types", "phone_status", "is_french_mobile"]

DEFAULT_REGION = "FR"
# Overseas departments and collectivities dialled with the French national plan (0 + 9 digits),
# Saint-Barthélemy and Saint-Martin included (+590, as Guadeloupe, with numbers of their own).
OVERSEAS_REGIONS = ("RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF")
# The national significant number of a French-shaped number, with what preceded it.
NSN_PATTERN = r"^(?P<prefix>330?|0)?(?P<nsn>[1-9]\d{8})$"
# What a phone number is written with; anything else (``tel:``, ``poste``) is text around it.
PHONE_CHARS_PATTERN = r"^\+?[\d\s.\-/()]+$"
# A number a spreadsheet wrote back as a float (612345678.0).
FLOAT_PATTERN = r"^(\+?\d+)\.0+$"

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
    noise = ~uniques.str.contains(PHONE_CHARS_PATTERN, regex=True).fillna(True)
    text = uniques.str.replace("(0)", "", regex=False)
    from_sheet = text.str.endswith(".0").to_numpy(dtype=bool, na_value=False)
    if from_sheet.any():                                # 612345678.0 read from a spreadsheet
        text = choose(pd.Series(from_sheet, index=text.index),
                      regex_replace(text, FLOAT_PATTERN, r"\1"), text)
    international = text.str.startswith("+") | text.str.startswith("00")
    digits = text.str.replace(r"\D", "", regex=True)
    digits = choose(text.str.startswith("00"), digits.str.slice(2), digits)
    # National significant number of French-shaped values, with what preceded it.
    parts = extract(digits, NSN_PATTERN)
    with_33 = parts["prefix"].str.startswith("33").fillna(False)
    # trunk 0 lost, '+' of 33 lost, or a trunk 0 kept after +33
    local = ~international.to_numpy(dtype=bool, na_value=False)
    prefix = parts["prefix"].to_numpy(dtype=object, na_value=None)
    damaged = parts["nsn"].notna().to_numpy(dtype=bool) & (
        ((prefix == None) & local) | (with_33.to_numpy(dtype=bool, na_value=False) & local)  # noqa: E711
        | (prefix == "330"))
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
    repaired = from_sheet | noise.to_numpy(dtype=bool, na_value=False) | damaged
    return pd.DataFrame({"phone": pd.array(phone, dtype=TEXT),
                         "phone_type": pd.array(kind, dtype=TEXT),
                         "repaired": repaired}, index=uniques.index)


def standardise_phones(values: pd.Series, region: str | pd.Series = DEFAULT_REGION) -> pd.DataFrame:
    """E.164 number, type and whether the number had to be repaired, for each value.

    Args:
        values: raw phone numbers.
        region: ISO-2 region assumed for numbers written without a country code: one code for
            all, or a Series aligned on ``values`` (e.g. the record's country); missing or
            unknown regions fall back to France.

    Returns:
        A frame on ``values``' index with text columns ``phone`` (E.164 or ``<NA>``) and
        ``phone_type`` (``'mobile'``, ``'fixed'``, ``'other'`` or ``<NA>``), and the bool
        column ``repaired``.

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
    distinct = pd.unique(regions) if len(regions) else np.array([DEFAULT_REGION], dtype=object)
    if len(distinct) > 1 or distinct[0] not in supported:
        valid = pd.Series(regions).isin(supported).to_numpy()     # hashed, not np.isin's sort
        regions = np.where(valid, regions, DEFAULT_REGION)
        distinct = pd.unique(regions)
    if len(distinct) == 1:
        out = on_unique(text, lambda u: _standardise_unique(u, distinct[0]))
        out["repaired"] = out["repaired"].fillna(False).astype(bool)
        return out
    phone = np.full(len(text), None, dtype=object)
    kind = np.full(len(text), None, dtype=object)
    repaired = np.zeros(len(text), dtype=bool)
    for code in sorted(distinct):
        rows = np.flatnonzero(regions == code)
        part = on_unique(text.iloc[rows], lambda u, code=code: _standardise_unique(u, code))
        phone[rows] = part["phone"].to_numpy(dtype=object, na_value=None)
        kind[rows] = part["phone_type"].to_numpy(dtype=object, na_value=None)
        repaired[rows] = part["repaired"].to_numpy(dtype=bool, na_value=False)
    return pd.DataFrame({"phone": pd.array(phone, dtype=TEXT),
                         "phone_type": pd.array(kind, dtype=TEXT), "repaired": repaired},
                        index=text.index)


def normalise_phones(values: pd.Series, region: str | pd.Series = DEFAULT_REGION) -> pd.Series:
    """Vectorised :func:`normalise_phone`: the E.164 column of :func:`standardise_phones`.

    Examples:
        >>> normalise_phones(pd.Series(["33612345678", "612345678", "06.12.34.56.78"])).tolist()
        ['+33612345678', '+33612345678', '+33612345678']
    """
    return standardise_phones(values, region)["phone"]


def phone_status(values: pd.Series, region: str | pd.Series = DEFAULT_REGION) -> pd.Series:
    """The audit's verdict per value: ``valid``, ``repairable``, ``invalid`` or NA if missing.

    Examples:
        >>> phone_status(pd.Series(["+33 6 12 34 56 78", "0692 12 34 56", "+44 20 7946 0958",
        ...                         "33612345678", "tel: 06 12 34 56 78", "0012345678"])).tolist()
        ['valid', 'valid', 'valid', 'repairable', 'repairable', 'invalid']
    """
    return rule_statuses(values, lambda text: standardise_phones(text, region), "phone")


_NSN = re.compile(NSN_PATTERN, re.ASCII)
_NON_DIGITS = re.compile(r"\D", re.ASCII)
_FLOAT = re.compile(FLOAT_PATTERN, re.ASCII)
_SUPPORTED = frozenset(phonenumbers.SUPPORTED_REGIONS)


@lru_cache(maxsize=None)
def _compiled_patterns(region: str) -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(pattern)) for name, pattern in _type_patterns(region)[1]]


def _classify_one(nsn: str, region: str) -> str | None:
    for name, pattern in _compiled_patterns(region):
        if pattern.search(nsn):
            return name
    return None


def standardise_phone(value: object, region: str | None = DEFAULT_REGION
                      ) -> tuple[str | None, str | None]:
    """:func:`standardise_phones` on one value, in plain Python: (E.164, type) or (None, None).

    ``region`` is the record's country (ISO-2); missing or unsupported means France.

    Examples:
        >>> standardise_phone("06 12 34 56 78"), standardise_phone("0262 12 34 56")
        (('+33612345678', 'mobile'), ('+262262123456', 'fixed'))
    """
    try:
        text_in = text_value(value)
    except Unsupported:
        row = standardise_phones(pd.Series([value], dtype=object),
                                 region or DEFAULT_REGION).iloc[0]
        return tuple(None if v is pd.NA else v for v in (row["phone"], row["phone_type"]))
    if text_in is None:
        return None, None
    region = region.upper() if region is not None and region.upper() in _SUPPORTED \
        else DEFAULT_REGION
    text = text_in.replace("(0)", "")
    if text.endswith(".0"):
        text = _FLOAT.sub(r"\g<1>", text)
    international = text.startswith("+") or text.startswith("00")
    digits = _NON_DIGITS.sub("", text)
    if text.startswith("00"):
        digits = digits[2:]
    found = _NSN.search(digits)
    nsn = None
    if found:
        with_33 = (found.group("prefix") or "").startswith("33")
        if region == DEFAULT_REGION:
            nsn = found.group("nsn") if (not international or with_33) else None
        else:
            nsn = found.group("nsn") if (international and with_33) else None
    if nsn is not None:
        kind = _classify_one(nsn, DEFAULT_REGION)
        if kind is not None:
            return "+33" + nsn, kind
        for overseas in OVERSEAS_REGIONS:
            kind = _classify_one(nsn, overseas)
            if kind is not None:
                return f"+{_type_patterns(overseas)[0]}{nsn}", kind
        return None, None
    if 6 <= len(digits) <= 17:
        return _slow("+" + digits if international else text_in, region)
    return None, None


def normalise_phone(value: object, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164, or None if it is not a valid number.

    Examples:
        >>> normalise_phone("0033 1 42 68 53 00"), normalise_phone("+32 2 555 12 12")
        ('+33142685300', '+3225551212')
    """
    return standardise_phone(value, region)[0]


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
    return standardise_phone(value, region)[1]


def is_french_mobile(normalised: str | None) -> bool:
    """Whether a normalised (E.164) number is a French mobile (+33 6 or +33 7).

    The linkage compares mobiles apart from landlines (a shared landline is a household clue, a
    shared mobile a person's); the batch and the single-record preparation both ask here.

    Examples:
        >>> is_french_mobile("+33612345678"), is_french_mobile("+33145678901"), is_french_mobile(None)
        (True, False, False)
    """
    return bool(normalised) and normalised.startswith(("+336", "+337"))
