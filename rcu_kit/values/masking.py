"""Masking of personal data in client-facing outputs.

Every report, chart, table or HTML file the product shows a client passes its values through
this module unless ``engagement.personal_data.show_raw_values`` is true (see
:attr:`rcu_kit.core.config.Engagement.mask_personal_data`). A masked value keeps its *shape* (where
the separators are, how long it is, which domain suffix an e-mail has) so the consultant can
still discuss formats, but not the person.

The rule depends on the column's semantic type (see :mod:`rcu_kit.values.semantic_types`):

=====================  ===============================  ==========================
semantic type          raw                              masked
=====================  ===============================  ==========================
email                  ``jean.dupont@gmail.fr``         ``j***@g***.fr``
phone                  ``+33 6 12 34 56 78``            ``+33 6 ** ** ** 78``
last/first/full name   ``DUPONT``, ``Jean-Pierre``      ``D*****``, ``J***-P*****``
street, text           ``12 rue des Lilas``             ``1* r** d** L****``
postcode               ``75011``                        ``75***``
birth_date             ``12/03/1985``                   ``**/**/1985``
siren, siret           ``732829320``                    ``732***320``
=====================  ===============================  ==========================

Other types (city, country, civility, date, id, boolean, number, category) are not personal
on their own and are returned unchanged.

Examples:
    >>> mask_value("jean.dupont@gmail.fr", "email")
    'j***@g***.fr'
    >>> mask_value("+33 6 12 34 56 78", "phone")
    '+33 6 ** ** ** 78'
    >>> mask_value("DUPONT", "last_name")
    'D*****'
    >>> mask_value("Paris", "city")
    'Paris'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

__all__ = ["MASKED_TYPES", "ATTRIBUTE_MASK_TYPES", "is_masked_type", "mask_value", "mask_series",
           "mask_frame"]

# Semantic types whose values are masked (everything else is shown as is).
MASKED_TYPES: frozenset[str] = frozenset({
    "email", "phone", "last_name", "first_name", "full_name", "street", "text", "postcode",
    "birth_date", "siren", "siret",
})

#: Semantic type of each standardised attribute, for masking the records the steps show (pairs
#: in the dedup and the review, golden records, preventive-match candidates).
ATTRIBUTE_MASK_TYPES: dict[str, str] = {
    "civility": "civility", "last_name": "last_name", "birth_name": "last_name",
    "first_name": "first_name", "full_name": "full_name", "birth_date": "birth_date",
    "invalid_birth_date": "birth_date",
    "email": "email", "phone": "phone", "street": "street", "street_name": "street",
    "street_number": "text", "postcode": "postcode", "city": "city", "siren": "siren",
    "siret": "siret",
}

_WORD = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"\d")
_BIRTH_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def is_masked_type(semantic_type: str | None) -> bool:
    """Whether values of ``semantic_type`` are masked under the default policy."""
    return semantic_type in MASKED_TYPES


def _mask_words(text: str) -> str:
    """Keep the first character of each word, star the rest; separators stay."""
    return _WORD.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text)


def _mask_email(text: str) -> str:
    local, at, domain = text.rpartition("@")
    if not at:
        return _mask_words(text)
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_host = (host[:1] + "***") if host else ""
    return f"{local[:1]}***@{masked_host}{dot}{tld}"


def _mask_phone(text: str) -> str:
    n_digits = sum(ch.isdigit() for ch in text)
    keep_head = 3 if text.lstrip().startswith("+") else 2
    if n_digits <= keep_head + 2:
        return _DIGIT.sub("*", text)
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_head or seen > n_digits - 2 else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_postcode(text: str) -> str:
    seen, out = 0, []
    for ch in text:
        if ch.isalnum():
            seen += 1
            out.append(ch if seen <= 2 else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_birth_date(text: str) -> str:
    year = _BIRTH_YEAR.search(text)
    masked = _DIGIT.sub("*", text)
    if year:
        masked = masked[: year.start()] + year.group(0) + masked[year.end():]
    return masked


def _mask_business_id(text: str) -> str:
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) <= 6:
        return _DIGIT.sub("*", text)
    hidden = set(digits[3:-3])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


_MASKERS = {
    "email": _mask_email,
    "phone": _mask_phone,
    "postcode": _mask_postcode,
    "birth_date": _mask_birth_date,
    "siren": _mask_business_id,
    "siret": _mask_business_id,
}


def mask_value(value: object, semantic_type: str | None) -> object:
    """Mask one value according to its semantic type.

    Args:
        value: the raw value; missing values (None, NA, NaN) are returned unchanged.
        semantic_type: the column's semantic type (``email``, ``phone``, ``last_name``, ...).
            Types not in :data:`MASKED_TYPES` leave the value unchanged.

    Returns:
        The masked value as a string (or the value itself when nothing is masked).

    Examples:
        >>> mask_value("0612345678", "phone")
        '06******78'
        >>> mask_value("Jean Pierre", "first_name")
        'J*** P*****'
        >>> mask_value("12/03/1985", "birth_date")
        '**/**/1985'
    """
    if semantic_type not in MASKED_TYPES or value is None or (not isinstance(value, str) and pd.isna(value)):
        return value
    text = str(value)
    return _MASKERS.get(semantic_type, _mask_words)(text)


def mask_series(series: pd.Series, semantic_type: str | None) -> pd.Series:
    """Mask every value of ``series`` (computed once per distinct value, so it stays fast).

    Examples:
        >>> mask_series(pd.Series(["DUPONT", None, "DUPONT"]), "last_name").tolist()
        ['D*****', None, 'D*****']
    """
    if semantic_type not in MASKED_TYPES:
        return series
    uniques = series.dropna().unique()
    table = {u: mask_value(u, semantic_type) for u in uniques}
    return series.map(table, na_action="ignore").where(series.notna(), series)


def mask_frame(frame: pd.DataFrame, semantic_types: Mapping[str, str | None], *,
               enabled: bool = True) -> pd.DataFrame:
    """A copy of ``frame`` with each column masked according to its semantic type.

    Args:
        frame: the table to mask.
        semantic_types: column -> semantic type; columns absent from it are left unchanged.
        enabled: False returns ``frame`` unchanged (the engagement allows raw values).

    Returns:
        A new frame (the input is never modified).
    """
    if not enabled:
        return frame
    out = frame.copy()
    for column in out.columns:
        kind = semantic_types.get(column)
        if kind in MASKED_TYPES:
            out[column] = mask_series(out[column], kind)
    return out
