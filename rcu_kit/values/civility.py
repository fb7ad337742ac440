"""Civility ("civilité"): THE rule of which salutations are recognised and how they are written.

One table, :data:`CIVILITY_SPELLINGS`, maps every spelling (upper ASCII, dots, spaces, ``/``,
``&`` and ``+`` removed) to its canonical civility: ``'M'``, ``'MME'``, a title (``'DR'``,
``'PR'``, ``'ME'`` for Maître) or a plural / couple (``'MM'``, ``'MMES'``, ``'M ET MME'``).
The audit's verdict (:func:`civility_status`) and :func:`normalise_civilities` read it: a
civility is invalid exactly when it is normalised to NA (there is nothing to repair: a
recognised spelling is valid).

For matching, only a civility that tells the person's sex counts (:func:`sexed_civilities`):
``Mlle`` / ``Mademoiselle`` count as ``'MME'`` (French administrations dropped "Mademoiselle" in
2012 and it is the same person before and after marriage); titles and couples give NA rather
than a guess. :data:`CIVILITIES` is that sexed part of the table (the spellings the name parser
strips from a name field, ``MME DUPONT``).

Examples:
    >>> normalise_civility("Mme"), normalise_civility("MONSIEUR"), normalise_civility("M. et Mme")
    ('MME', 'M', 'M ET MME')
    >>> sexed_civility("Mlle"), sexed_civility("Dr")
    ('MME', None)
"""

from __future__ import annotations

import re

import pandas as pd

from rcu_kit.values.status import rule_statuses
from rcu_kit.values.text import Unsupported, as_text, fold_ascii_upper, fold_ascii_upper_value, \
    on_unique, scalar, text_value

__all__ = ["CIVILITY_SPELLINGS", "SEXES", "CIVILITIES", "KEY_NOISE_PATTERN", "civility_key",
           "normalise_civilities", "normalise_civility", "sexed_civilities", "sexed_civility",
           "civility_status"]

# Characters left out of a spelling's key: "M. et Mme", "M/Mme", "M & Mme" -> METMME, MMME.
KEY_NOISE_PATTERN = r"[.\s/&+]"

# Spelling key -> canonical civility.
CIVILITY_SPELLINGS: dict[str, str] = {
    "M": "M", "MR": "M", "MONSIEUR": "M", "MONS": "M", "MSIEUR": "M", "MSR": "M", "MISTER": "M",
    "MME": "MME", "MADAME": "MME", "MDME": "MME", "MRS": "MME", "MS": "MME",
    "MLLE": "MME", "MELLE": "MME", "MLE": "MME", "MADEMOISELLE": "MME", "MISS": "MME",
    "DR": "DR", "DOCTEUR": "DR", "PR": "PR", "PROFESSEUR": "PR", "ME": "ME", "MAITRE": "ME",
    "MM": "MM", "MESSIEURS": "MM", "MMES": "MMES", "MESDAMES": "MMES",
    "METMME": "M ET MME", "MRETMME": "M ET MME", "MMME": "M ET MME",
}
# Canonical civilities that tell the person's sex (the only ones matching compares).
SEXES = frozenset({"M", "MME"})
CIVILITIES: dict[str, str] = {k: v for k, v in CIVILITY_SPELLINGS.items() if v in SEXES}


def civility_key(folded: pd.Series) -> pd.Series:
    """Spelling keys of folded civilities (see :func:`rcu_kit.values.text.fold_ascii_upper`)."""
    return folded.str.replace(KEY_NOISE_PATTERN, "", regex=True)


def normalise_civilities(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_civility`: canonical civilities, ``<NA>`` when unrecognised.

    Examples:
        >>> normalise_civilities(pd.Series(["M.", "Mlle", "Docteur", "Sir", None])).tolist()
        ['M', 'MME', 'DR', <NA>, <NA>]
    """
    def canonical(uniques: pd.Series) -> pd.Series:
        return civility_key(fold_ascii_upper(uniques)).map(CIVILITY_SPELLINGS).astype(uniques.dtype)

    return on_unique(as_text(values), canonical)


def sexed_civilities(values: pd.Series) -> pd.Series:
    """``'M'`` or ``'MME'`` where the civility tells the sex, else ``<NA>`` (what matching uses).

    Examples:
        >>> sexed_civilities(pd.Series(["M.", "Mlle", "Dr", "M et Mme"])).tolist()
        ['M', 'MME', <NA>, <NA>]
    """
    canonical = normalise_civilities(values)
    return canonical.where(canonical.isin(SEXES).fillna(False).astype(bool))


def civility_status(values: pd.Series) -> pd.Series:
    """The audit's verdict per value: ``valid``, ``invalid`` or NA if missing.

    Examples:
        >>> civility_status(pd.Series(["M.", "MME", "Madame", "Dr", "Sir"])).tolist()
        ['valid', 'valid', 'valid', 'valid', 'invalid']
    """
    return rule_statuses(values, lambda text: pd.DataFrame(
        {"civility": normalise_civilities(text), "repaired": False}, index=text.index), "civility")


_KEY_NOISE = re.compile(KEY_NOISE_PATTERN, re.ASCII)


def normalise_civility(value: object) -> str | None:
    """The canonical civility (``'M'``, ``'MME'``, ``'DR'``, ``'M ET MME'``...) or None.

    Examples:
        >>> normalise_civility("Mademoiselle"), normalise_civility("Maître"), normalise_civility("H")
        ('MME', 'ME', None)
    """
    try:
        key = fold_ascii_upper_value(text_value(value))
    except Unsupported:
        return scalar(normalise_civilities, value)
    return None if key is None else CIVILITY_SPELLINGS.get(_KEY_NOISE.sub("", key))


def sexed_civility(value: object) -> str | None:
    """``'M'`` for M., Mr, Monsieur; ``'MME'`` for Mme, Madame, Mlle, Mademoiselle; else None.

    Examples:
        >>> sexed_civility("Mademoiselle"), sexed_civility("M. et Mme")
        ('MME', None)
    """
    canonical = normalise_civility(value)
    return canonical if canonical in SEXES else None
