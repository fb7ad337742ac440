"""Civility ("civilité"): every spelling of Mr / Mrs reduced to ``'M'`` or ``'MME'``.

``Mlle`` / ``Mademoiselle`` count as ``'MME'``: French administrations dropped "Mademoiselle" in
2012 and, for matching, it is the same person before and after marriage. Anything else (couples
such as "M. et Mme", titles such as "Dr" or "Me", sex codes) gives ``<NA>`` rather than a guess.

Examples:
    >>> normalise_civility("Mme"), normalise_civility("MONSIEUR"), normalise_civility("M. et Mme")
    ('MME', 'M', None)
"""

from __future__ import annotations

import pandas as pd

from rcu_kit.values.text import as_text, fold_ascii_upper, on_unique, scalar

__all__ = ["CIVILITIES", "normalise_civility", "normalise_civilities"]

# Upper-ASCII spelling (dots and spaces removed) -> canonical civility.
CIVILITIES: dict[str, str] = {
    "M": "M", "MR": "M", "MONSIEUR": "M", "MONS": "M", "MSIEUR": "M", "MSR": "M",
    "MME": "MME", "MADAME": "MME", "MDME": "MME", "MRS": "MME", "MS": "MME",
    "MLLE": "MME", "MELLE": "MME", "MLE": "MME", "MADEMOISELLE": "MME", "MISS": "MME",
}


def normalise_civilities(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_civility`: a text Series of ``'M'``, ``'MME'`` or ``<NA>``.

    Examples:
        >>> normalise_civilities(pd.Series(["M.", "Mlle", "Dr", None])).tolist()
        ['M', 'MME', <NA>, <NA>]
    """
    def canonical(uniques: pd.Series) -> pd.Series:
        key = fold_ascii_upper(uniques).str.replace(r"[.\s]", "", regex=True)
        return key.map(CIVILITIES).astype(uniques.dtype)

    return on_unique(as_text(values), canonical)


def normalise_civility(value: object) -> str | None:
    """``'M'`` for M., Mr, MR, Monsieur; ``'MME'`` for Mme, Madame, Mlle, Mademoiselle; else None.

    Examples:
        >>> normalise_civility("Mademoiselle")
        'MME'
    """
    return scalar(normalise_civilities, value)
