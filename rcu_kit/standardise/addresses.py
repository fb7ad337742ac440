"""Street lines and city names in a canonical French form.

A street line is split into number (``'12'``), suffix (``'BIS'``, ``'TER'``, ``'QUATER'``,
``'QUINQUIES'``; ``B``/``T``/``Q`` expanded), and street name whose leading street type is
expanded (``AV.`` -> ``AVENUE``, ``BD`` -> ``BOULEVARD``, ``R.`` -> ``RUE``, ...); usual title
abbreviations inside the name are expanded too (``ST`` -> ``SAINT``, ``GAL`` -> ``GENERAL``,
``MAL`` -> ``MARECHAL``). Abbreviations follow La Poste's list of street types (norme NF Z 10-011,
"types de voie"). A number range (``12-14``) keeps its first number.

City names: upper ASCII, hyphens and apostrophes as spaces, ``CEDEX n`` removed, ``ST``/``STE``
expanded, Paris/Lyon/Marseille arrondissements folded into the city (the postcode keeps them).

Examples:
    >>> parse_street("12 bis av. des Lilas")
    {'street': '12 BIS AVENUE DES LILAS', 'street_number': '12', 'street_number_suffix': 'BIS', 'street_name': 'AVENUE DES LILAS'}
    >>> normalise_city("St-Étienne Cedex 2")
    'SAINT ETIENNE'
"""

from __future__ import annotations

import pandas as pd

from rcu_kit.values.text import TEXT, as_text, blank_to_na, choose, extract, \
    fold_ascii_upper, map_values, on_unique, regex_replace

__all__ = ["STREET_TYPES", "STREET_WORDS", "NUMBER_SUFFIXES", "parse_street", "parse_streets",
           "normalise_city", "normalise_cities", "split_postcode_city"]

# Abbreviation -> canonical street type (only as the first word of the street name).
STREET_TYPES: dict[str, str] = {
    "R": "RUE", "RU": "RUE",
    "AV": "AVENUE", "AVE": "AVENUE", "AVN": "AVENUE", "AVEN": "AVENUE", "AVENU": "AVENUE",
    "BD": "BOULEVARD", "BLD": "BOULEVARD", "BVD": "BOULEVARD", "BLVD": "BOULEVARD",
    "BOUL": "BOULEVARD", "BOULEV": "BOULEVARD",
    "CHEM": "CHEMIN", "CHE": "CHEMIN", "CHM": "CHEMIN", "CHEMN": "CHEMIN",
    "PL": "PLACE", "PLA": "PLACE", "IMP": "IMPASSE", "IMPA": "IMPASSE",
    "ALL": "ALLEE", "AL": "ALLEE", "ALLE": "ALLEE", "ALLEES": "ALLEES",
    "RTE": "ROUTE", "RT": "ROUTE", "FBG": "FAUBOURG", "FG": "FAUBOURG", "FAUB": "FAUBOURG",
    "QU": "QUAI", "QAI": "QUAI", "SQ": "SQUARE", "SQR": "SQUARE", "LOT": "LOTISSEMENT",
    "LOTISS": "LOTISSEMENT", "RES": "RESIDENCE", "RESID": "RESIDENCE", "CRS": "COURS",
    "PAS": "PASSAGE", "PASS": "PASSAGE", "PASSA": "PASSAGE", "CHS": "CHAUSSEE",
    "CHAUS": "CHAUSSEE", "HAM": "HAMEAU", "LD": "LIEU DIT", "LIEUDIT": "LIEU DIT",
    "QUA": "QUARTIER", "QRT": "QUARTIER", "PROM": "PROMENADE", "ESP": "ESPLANADE",
    "SEN": "SENTIER", "SENT": "SENTIER", "CAR": "CARREFOUR", "CARR": "CARREFOUR",
    "RPT": "ROND POINT", "RDPT": "ROND POINT", "DOM": "DOMAINE", "MTE": "MONTEE",
    "TRA": "TRAVERSE", "TRAV": "TRAVERSE", "VLA": "VILLA", "PRV": "PARVIS", "CITE": "CITE",
    "CTRE": "CENTRE", "GR": "GRANDE RUE", "GDE": "GRANDE", "ZA": "ZONE ARTISANALE",
    "ZI": "ZONE INDUSTRIELLE", "ZAC": "ZONE D AMENAGEMENT CONCERTE",
}
# Abbreviation -> word, anywhere in a street name or city (whole words only).
STREET_WORDS: dict[str, str] = {
    "ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "GAL": "GENERAL", "GEN": "GENERAL",
    "MAL": "MARECHAL", "PDT": "PRESIDENT", "PRES": "PRESIDENT", "DR": "DOCTEUR",
    "PROF": "PROFESSEUR", "CDT": "COMMANDANT", "CNE": "CAPITAINE", "LT": "LIEUTENANT",
    "NTRE": "NOTRE",
}
NUMBER_SUFFIXES: dict[str, str] = {
    "B": "BIS", "BIS": "BIS", "T": "TER", "TER": "TER", "Q": "QUATER", "QUATER": "QUATER",
    "QUINQUIES": "QUINQUIES",
}
CITY_WORDS = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS"}
SUFFIX_ALT = "|".join(sorted(NUMBER_SUFFIXES, key=len, reverse=True))


def _punctuation_to_spaces(text: pd.Series) -> pd.Series:
    text = text.str.replace(r"[-'`\".,;:/_()]+", " ", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def _replace_words(text: pd.Series, words: dict[str, str]) -> pd.Series:
    """Expand whole-word abbreviations anywhere (one RE2 alternation per target word).

    Only the values holding at least one abbreviation (one RE2 pass finds them) are rewritten.
    """
    targets: dict[str, list[str]] = {}
    for short, long in words.items():
        if short != long:
            targets.setdefault(long, []).append(short)
    every = "|".join(sorted((s for s in words if words[s] != s), key=len, reverse=True))
    todo = text.str.contains(rf"(?:^| )(?:{every})(?: |$)", regex=True).fillna(False)
    if not todo.any():
        return text
    subset = text[todo]
    for long, shorts in targets.items():
        alternation = "|".join(sorted(shorts, key=len, reverse=True))
        # twice: adjacent abbreviations share their separating space ("ST ST")
        for _ in range(2):
            subset = regex_replace(subset, rf"(^| )(?:{alternation})( |$)", rf"\1{long}\2")
    return choose(todo, subset.reindex(text.index), text)


def _expand_street_type(name: pd.Series) -> pd.Series:
    """The first word of a street name mapped through :data:`STREET_TYPES`."""
    parts = extract(name, r"^(?P<first>\S+)(?P<rest>.*)$")
    first = map_values(parts["first"], STREET_TYPES).fillna(parts["first"])
    return choose(name.notna(), first + parts["rest"].fillna(""), None)


def _parse_unique(uniques: pd.Series) -> pd.DataFrame:
    text = fold_ascii_upper(uniques)
    # "12-14", "12/14" ranges keep the first number; "12B" / "12 B" / "12,bis" suffixes.
    text = regex_replace(text, r"^(\d+)\s*[-/]\s*\d+\b", r"\1")
    text = _punctuation_to_spaces(text)
    parts = extract(text, rf"^(?P<number>\d{{1,5}}) ?(?:(?P<suffix>{SUFFIX_ALT})(?: |$))?"
                          r"(?P<name>.*)$")
    has_number = parts["number"].notna()
    number = regex_replace(parts["number"], r"^0+(\d)", r"\1")
    suffix = map_values(parts["suffix"], NUMBER_SUFFIXES)
    name = choose(has_number, parts["name"], text).str.strip()
    name = blank_to_na(name)
    name = _expand_street_type(name)
    name = _replace_words(name, STREET_WORDS)
    street = number.fillna("") + " " + suffix.fillna("") + " " + name.fillna("")
    street = street.str.replace(r"\s+", " ", regex=True).str.strip()
    street = blank_to_na(street)
    return pd.DataFrame({"street": street, "street_number": number,
                         "street_number_suffix": suffix, "street_name": name}).astype(TEXT)


def parse_streets(values: pd.Series) -> pd.DataFrame:
    """Vectorised :func:`parse_street`: one row per value, columns ``street``,
    ``street_number``, ``street_number_suffix``, ``street_name`` (text, ``<NA>`` when absent).

    Examples:
        >>> parse_streets(pd.Series(["3 r. Victor Hugo", None]))["street"].tolist()
        ['3 RUE VICTOR HUGO', <NA>]
    """
    return on_unique(as_text(values), _parse_unique)


def parse_street(value: object) -> dict[str, str | None]:
    """Split and canonicalise one street line (see the module doc).

    Examples:
        >>> parse_street("5T, bd du Gal Leclerc")["street"]
        '5 TER BOULEVARD DU GENERAL LECLERC'
    """
    row = parse_streets(pd.Series([value], dtype=object)).iloc[0]
    return {key: (None if val is pd.NA else val) for key, val in row.items()}


def _city_unique(uniques: pd.Series) -> pd.Series:
    text = _punctuation_to_spaces(fold_ascii_upper(uniques))
    text = text.str.replace(r"^\d{5} ", "", regex=True).str.replace(r" \d{5}$", "", regex=True)
    text = text.str.replace(r"( |^)CEDEX( \d{1,3})?( |$)", " ", regex=True).str.strip()
    text = regex_replace(text, r"^(PARIS|LYON|MARSEILLE) \d{1,2}( ?(E|ER|EME))?( ARRONDISSEMENT)?$",
                         r"\1")
    text = _replace_words(text, CITY_WORDS)
    text = text.str.replace(r"\s+", " ", regex=True).str.strip()
    return blank_to_na(text)


def normalise_cities(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_city`.

    Examples:
        >>> cities = pd.Series(["Paris 15e", "75001 PARIS CEDEX 01", "L'Haÿ-les-Roses"])
        >>> normalise_cities(cities).tolist()
        ['PARIS', 'PARIS', 'L HAY LES ROSES']
    """
    return on_unique(as_text(values), _city_unique)


def normalise_city(value: object) -> str | None:
    """The canonical city name (see the module doc), or None for a blank value.

    Examples:
        >>> normalise_city("Ste-Foy-lès-Lyon")
        'SAINTE FOY LES LYON'
    """
    out = normalise_cities(pd.Series([value], dtype=object)).iloc[0]
    return None if out is pd.NA else out


def split_postcode_city(values: pd.Series) -> pd.DataFrame:
    """The 5-digit code that leads or ends a combined "postcode city" field, and the city.

    Returns:
        A frame with text columns ``postcode`` (raw 5 digits, ``<NA>`` if none) and ``city``
        (as :func:`normalise_cities`).

    Examples:
        >>> split_postcode_city(pd.Series(["75001 PARIS CEDEX 01"])).iloc[0].tolist()
        ['75001', 'PARIS']
    """
    def split(uniques: pd.Series) -> pd.DataFrame:
        code = extract(uniques, r"^(?P<code>\d{5})\b")["code"]
        code = code.fillna(extract(uniques, r"\b(?P<code>\d{5})$")["code"])
        return pd.DataFrame({"postcode": code, "city": _city_unique(uniques)})

    return on_unique(as_text(values), split)
