"""French postcodes: spreadsheet damage repaired, then checked against the real departments.

Spreadsheets read ``01000`` (Bourg-en-Bresse) as the number 1000, sometimes 1000.0: the lost
leading zero is restored. A valid code has five digits and starts with a real department: 01 to
95 (Corsica's postcodes are 20xxx, its department codes 2A/2B never appear in postcodes) or an
overseas department 971 to 976. CEDEX codes (business mail, e.g. ``92057 CEDEX``) follow the same
rule; a trailing ``CEDEX`` or ``CEDEX 12`` is dropped. Anything else becomes NA.

Examples:
    >>> normalise_postcode(1000), normalise_postcode("1000.0"), normalise_postcode("75 008")
    ('01000', '01000', '75008')
    >>> normalise_postcode("00100") is None, normalise_postcode("97700") is None
    (True, True)
"""

from __future__ import annotations

import pandas as pd

from rcu_kit.values.text import as_text, choose, on_unique, scalar

__all__ = ["POSTCODE_PATTERN", "normalise_postcode", "normalise_postcodes"]

# 01-19, 20 (Corsica), 21-89, 90-95, then 971-976 for the overseas departments.
POSTCODE_PATTERN = r"^(?:0[1-9]|[1-8]\d|9[0-5])\d{3}$|^97[1-6]\d{2}$"


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_postcode`.

    Examples:
        >>> codes = pd.Series([1000, 75001.0, "2A004", "13001 CEDEX 01", None])
        >>> normalise_postcodes(codes).tolist()
        ['01000', '75001', <NA>, '13001', <NA>]
    """
    def clean(uniques: pd.Series) -> pd.Series:
        text = uniques.str.upper().str.replace(r"\s*CEDEX(?:\s*\d{1,2})?\s*$", "", regex=True)
        text = text.str.replace(r"[.,]0+$", "", regex=True).str.replace(r"\s+", "", regex=True)
        text = choose(text.str.fullmatch(r"\d{4}", case=True), "0" + text, text)
        return choose(text.str.contains(POSTCODE_PATTERN, regex=True), text, None)

    return on_unique(as_text(values), clean)


def normalise_postcode(value: object) -> str | None:
    """The 5-digit French postcode, leading zero restored, or None if it cannot be a real one.

    Examples:
        >>> normalise_postcode("20000"), normalise_postcode("97411"), normalise_postcode(123)
        ('20000', '97411', None)
    """
    return scalar(normalise_postcodes, value)
