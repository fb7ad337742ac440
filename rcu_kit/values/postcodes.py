"""French postcodes: THE rule of what is a real postcode and how a damaged one is repaired.

The audit's verdict (:func:`postcode_status`) and the standardisation
(:func:`normalise_postcodes`) come from one function, :func:`standardise_postcodes`: a code is
invalid exactly when it is normalised to NA, repairable when normalising changed it.

A valid code has five digits and starts with a real department: 01 to 95 (Corsica's postcodes are
20xxx, its department codes 2A/2B never appear in postcodes), an overseas department or
collectivity 971 to 976 (975 Saint-Pierre-et-Miquelon; Saint-Barthélemy and Saint-Martin receive
mail at 97133 and 97150: 977 and 978 are their INSEE codes, never postcodes) or a Pacific /
southern collectivity (984 French Southern Lands, 986 Wallis-et-Futuna, 987 French Polynesia,
988 New Caledonia).

Repaired: the leading zero a spreadsheet lost (``01000`` read as the number 1000, sometimes
1000.0), spaces inside (``75 011``), a trailing ``CEDEX`` or ``CEDEX 12`` (business mail, e.g.
``92057 CEDEX``: the code is right, the CEDEX mention belongs to the city line). Anything else
becomes NA.

Examples:
    >>> normalise_postcode(1000), normalise_postcode("1000.0"), normalise_postcode("75 008")
    ('01000', '01000', '75008')
    >>> normalise_postcode("00100") is None, normalise_postcode("96000") is None
    (True, True)
    >>> postcode_status(pd.Series(["75011", "1000", "75 011", "00100", "92057 CEDEX"])).tolist()
    ['valid', 'repairable', 'repairable', 'invalid', 'repairable']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from rcu_kit.values.status import rule_statuses
from rcu_kit.values.text import Unsupported, as_text, choose, on_unique, scalar, text_value

__all__ = ["POSTCODE_PATTERN", "CEDEX_PATTERN", "FLOAT_SUFFIX_PATTERN", "restore_lost_zero",
           "FRENCH_POSTCODE_COUNTRIES", "standardise_postcodes", "normalise_postcodes",
           "normalise_postcode", "postcode_status"]

# 01-19, 20 (Corsica), 21-89, 90-95, then 971-976 overseas and 984/986/987/988 in the Pacific / TAAF.
POSTCODE_PATTERN = r"^(?:0[1-9]|[1-8]\d|9[0-5])\d{3}$|^(?:97[1-6]|98[4678])\d{2}$"
# A trailing CEDEX mention, with its optional office number (removed: a repair).
CEDEX_PATTERN = r"\s*CEDEX(?:\s*\d{1,2})?\s*$"
# A number read by a spreadsheet and written back as a float: 1000.0 (removed: a repair).
FLOAT_SUFFIX_PATTERN = r"[.,]0+$"
# Countries whose addresses use French postcodes (La Poste): France and the overseas departments
# and collectivities dialled and addressed as France; elsewhere a postcode is not checked.
FRENCH_POSTCODE_COUNTRIES = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")


def restore_lost_zero(text: pd.Series) -> pd.Series:
    """A spreadsheet's damage to a code undone: the float rendering (``1000.0``, ``75011,00``) and
    the lost leading zero (``1000`` -> ``01000``); any other value unchanged.

    Examples:
        >>> restore_lost_zero(pd.Series(["1000", "1000.0", "75011", "A1.0", None])).tolist()
        ['01000', '01000', '75011', 'A1.0', None]
    """
    def matches(pattern: str) -> np.ndarray:
        return text.str.fullmatch(pattern, case=True).astype("boolean").fillna(False).to_numpy(bool)

    text = text.mask(matches(r"\d+(?:[.,]0+)?"), text.str.replace(FLOAT_SUFFIX_PATTERN, "", regex=True))
    return text.mask(matches(r"\d{4}"), "0" + text)


def _standardise_unique(uniques: pd.Series) -> pd.DataFrame:
    text = uniques.str.upper().str.replace(CEDEX_PATTERN, "", regex=True)
    text = restore_lost_zero(text.str.replace(r"\s+", "", regex=True))
    return pd.DataFrame({"postcode": choose(text.str.contains(POSTCODE_PATTERN, regex=True),
                                            text, None),
                         "repaired": (text != uniques).fillna(False).astype(bool)},
                        index=uniques.index)


def standardise_postcodes(values: pd.Series) -> pd.DataFrame:
    """The normalised postcode and whether it had to be repaired, for each value.

    Returns:
        A frame on ``values``' index: ``postcode`` (text, ``<NA>`` when invalid or missing) and
        ``repaired`` (bool).

    Examples:
        >>> out = standardise_postcodes(pd.Series(["75011", 1000, "2A004"]))
        >>> out["postcode"].tolist(), out["repaired"].tolist()
        (['75011', '01000', <NA>], [False, True, False])
    """
    out = on_unique(as_text(values), _standardise_unique)
    out["repaired"] = out["repaired"].fillna(False).astype(bool)
    return out


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_postcode`.

    Examples:
        >>> codes = pd.Series([1000, 75001.0, "2A004", "13001 CEDEX 01", None])
        >>> normalise_postcodes(codes).tolist()
        ['01000', '75001', <NA>, '13001', <NA>]
    """
    return standardise_postcodes(values)["postcode"]


def postcode_status(values: pd.Series) -> pd.Series:
    """The audit's verdict per value: ``valid``, ``repairable``, ``invalid`` or NA if missing.

    Examples:
        >>> postcode_status(pd.Series(["75011", "1000", "75 011", "00100", "7501"])).tolist()
        ['valid', 'repairable', 'repairable', 'invalid', 'repairable']
    """
    return rule_statuses(values, standardise_postcodes, "postcode")


_POSTCODE = re.compile(POSTCODE_PATTERN, re.ASCII)
_CEDEX = re.compile(CEDEX_PATTERN, re.ASCII)
_FLOAT_SUFFIX = re.compile(FLOAT_SUFFIX_PATTERN, re.ASCII)
_SPACES = re.compile(r"\s+", re.ASCII)
_FOUR_DIGITS = re.compile(r"\d{4}", re.ASCII)


def normalise_postcode(value: object) -> str | None:
    """The 5-digit French postcode, leading zero restored, or None if it cannot be a real one.

    A missing or blank value (as :func:`~rcu_kit.values.text.text_value` reads it, the scalar
    form of the vectorised path's :func:`~rcu_kit.values.text.as_text`) is None at once, and
    printable ASCII text takes a plain-Python path applying the same patterns as
    :func:`normalise_postcodes`; anything else (numbers, other text) goes through it.

    Examples:
        >>> normalise_postcode("20000"), normalise_postcode("97411"), normalise_postcode(123)
        ('20000', '97411', None)
        >>> normalise_postcode(None), normalise_postcode("  ")
        (None, None)
    """
    try:
        text = text_value(value)
    except Unsupported:
        return scalar(normalise_postcodes, value)
    if text is None:
        return None
    if not (text.isascii() and text.isprintable()):
        return scalar(normalise_postcodes, value)
    text = _CEDEX.sub("", text.upper())
    text = _SPACES.sub("", _FLOAT_SUFFIX.sub("", text))
    if _FOUR_DIGITS.fullmatch(text):
        text = "0" + text
    return text if _POSTCODE.search(text) else None
