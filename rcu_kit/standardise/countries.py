"""Countries as ISO 3166-1 alpha-2 codes (``'FR'``), read from names in French, English and more.

Country names come from the localised region names shipped with ``phonenumbers``
(``phonenumbers.geodata.locale``), so nothing is typed by hand except a few French usages and
ISO alpha-3 codes seen in extracts (``FRA``, ``France métropolitaine``, ``UK``). A value that
names no country is NA: ``'FR'`` is produced only from a value meaning France, never as a default.

Examples:
    >>> normalise_country("France"), normalise_country("belgique"), normalise_country("FRA")
    ('FR', 'BE', 'FR')
    >>> normalise_country("Mars") is None
    True
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import phonenumbers
from phonenumbers.geodata.locale import LOCALE_DATA
from unidecode import unidecode

from rcu_kit.values.text import TEXT, as_text, fold_ascii_upper, on_unique, scalar

__all__ = ["EXTRA_COUNTRY_NAMES", "PLACEHOLDERS", "country_index", "normalise_country",
           "normalise_countries"]

_LANGUAGES = ("fr", "aa", "de", "es", "it", "nl", "pt")  # 'aa' is the English default entry
EXTRA_COUNTRY_NAMES: dict[str, str] = {
    "FRA": "FR", "FRANCE METROPOLITAINE": "FR", "METROPOLE": "FR", "F": "FR", "250": "FR",
    "BEL": "BE", "CHE": "CH", "LUX": "LU", "DEU": "DE", "ESP": "ES", "ITA": "IT", "GBR": "GB",
    "UK": "GB", "ANGLETERRE": "GB", "USA": "US", "ETATS UNIS D AMERIQUE": "US", "PRT": "PT",
    "NLD": "NL", "HOLLANDE": "NL", "MCO": "MC", "MAR": "MA", "DZA": "DZ", "TUN": "TN",
    "REUNION": "RE", "LA REUNION": "RE", "ILE DE LA REUNION": "RE",
}

# "non communiqué", "non disponible"...: not New Caledonia, Namibia or Nauru.
PLACEHOLDERS = frozenset({"NC", "NA", "ND", "NR", "XX"})


def _key(text: str) -> str:
    return " ".join(unidecode(text).upper().replace("-", " ").replace("'", " ").split())


@lru_cache(maxsize=1)
def country_index() -> dict[str, str]:
    """Folded country name or code -> ISO-2 code, built once from phonenumbers' locale data."""
    index: dict[str, str] = {}
    for region in sorted(LOCALE_DATA):
        if len(region) == 2 and region.isalpha():
            index.setdefault(region.upper(), region.upper())
    for language in _LANGUAGES:
        for region, names in sorted(LOCALE_DATA.items()):
            if not (len(region) == 2 and region.isalpha()):
                continue
            name = names.get(language, "")
            while name.startswith("*"):          # "*aa" means "same as language aa"
                name = names.get(name[1:], "")
            if name:
                index.setdefault(_key(name), region.upper())
    index.update(EXTRA_COUNTRY_NAMES)
    for placeholder in PLACEHOLDERS:
        index.pop(placeholder, None)
    supported = set(phonenumbers.SUPPORTED_REGIONS)
    return {name: code for name, code in index.items() if code in supported}


def normalise_countries(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_country`.

    Examples:
        >>> normalise_countries(pd.Series(["FR", "Royaume-Uni", "Deutschland", None, "?"])).tolist()
        ['FR', 'GB', 'DE', <NA>, <NA>]
    """
    def lookup(uniques: pd.Series) -> pd.Series:
        keys = fold_ascii_upper(uniques).str.replace(r"[-'.]", " ", regex=True)
        keys = keys.str.replace(r"\s+", " ", regex=True).str.strip()
        return keys.map(country_index()).astype(TEXT)

    return on_unique(as_text(values), lookup)


def normalise_country(value: object) -> str | None:
    """The ISO-2 code of the country a value names, or None.

    Examples:
        >>> normalise_country("Suisse"), normalise_country("Espagne")
        ('CH', 'ES')
    """
    return scalar(normalise_countries, value)
