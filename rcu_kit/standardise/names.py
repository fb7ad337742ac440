"""Person names: last names, birth names, first names, full names split, swapped names put back.

Normal form: upper-case ASCII (accents, œ, æ, ß transliterated), hyphens, apostrophes and dots as
spaces, single spaces, no digits. So ``Jean-Pierre``, ``Jean Pierre`` and ``JEAN PIERRE`` all give
``'JEAN PIERRE'``; ``N'Diaye`` gives ``'N DIAYE'``. Particles (DE, DU, DES, DE LA, LE, LA, D', L')
are kept: they are part of the name.

Noise removed: a leading civility (``M.``, ``MME``, ``Mademoiselle``...), which is returned
separately so that it can fill a missing civility; placeholders (``XXX``, ``INCONNU``, ``NC``).
Married names: ``DUPONT EPOUSE MARTIN`` (also ``EP.``, ``EPSE``, ``VEUVE``, ``VVE``) means born
DUPONT, using MARTIN; ``MARTIN NEE DUPONT`` means the same. The usage name becomes the last name
and the other the birth name, as the target model defines them.

First names are recognised with the packaged list ``rcu_kit/resources/names/first_names_fr.csv``
(columns first_name, sex, weight) and guarded with ``last_names_fr.csv``; both can be replaced
by the caller's own lists.

Examples:
    >>> normalise_name("Mme Dupont épouse Martin")
    'MARTIN'
    >>> split_full_name("DE LA FONTAINE Marie-Claire")
    ('DE LA FONTAINE', 'MARIE CLAIRE')
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache
from importlib import resources

import re

import pandas as pd
from unidecode import unidecode

from rcu_kit.values.text import TEXT, as_text, fold_ascii, fold_ascii_upper, on_unique
from rcu_kit.values.civility import CIVILITIES

__all__ = ["PARTICLES", "MARRIED_MARKERS", "BIRTH_MARKERS", "first_name_weights",
           "known_last_names", "normalise_name", "normalise_names", "parse_name", "parse_names",
           "normalise_first_name", "normalise_first_names", "split_full_name",
           "split_full_names", "split_full_text", "detect_swapped_names"]

PARTICLES = frozenset({"DE", "DU", "DES", "LA", "LE", "LES", "D", "L", "VAN", "VON", "DEL", "DA",
                       "DI", "DOS"})
MARRIED_MARKERS = ("EPOUSE", "EPSE", "EP", "VEUVE", "VVE", "EPOUX")
BIRTH_MARKERS = ("NEE", "NE")
NAME_PLACEHOLDER = r"^(?:X+|INCONNUE?|NC|NR|ND|NON COMMUNIQUE|NON RENSEIGNE|ANONYME|TEST|NEANT|AUCUN)$"
CIVILITY_ALT = "|".join(sorted(CIVILITIES, key=len, reverse=True))


# -- reference lists ---------------------------------------------------------------------------
_PUNCTUATION = str.maketrans({char: " " for char in "-'.’`,"})
_NOT_LETTER = re.compile(r"[^A-Z ]+")


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """One token or name in normal form (cached: tokens repeat a lot)."""
    text = name if name.isascii() else unidecode(name)
    text = _NOT_LETTER.sub("", text.upper().translate(_PUNCTUATION))
    return " ".join(text.split())


def _read_names(file: str, column: str) -> pd.DataFrame:
    path = resources.files("rcu_kit") / "resources" / "names" / file
    if not path.is_file():
        raise FileNotFoundError(f"rcu_kit/resources/names/{file} is missing: reinstall rcu_kit "
                                "or pass your own list to the function")
    frame = pd.read_csv(path, encoding="utf-8")
    if column not in frame.columns or "weight" not in frame.columns:
        raise ValueError(f"rcu_kit/resources/names/{file}: expected columns {column!r} and "
                         f"'weight', found {list(frame.columns)}")
    return frame


@lru_cache(maxsize=1)
def first_name_weights() -> Mapping[str, float]:
    """Packaged French first names in normal form -> frequency weight (sexes merged)."""
    frame = _read_names("first_names_fr.csv", "first_name")
    keys = frame["first_name"].map(fold)
    return frame.groupby(keys)["weight"].sum().astype(float).to_dict()


@lru_cache(maxsize=1)
def known_last_names() -> frozenset[str]:
    """Packaged frequent French last names in normal form."""
    return frozenset(_read_names("last_names_fr.csv", "last_name")["last_name"].map(fold))


# -- last names, birth names, first names ------------------------------------------------------
def _clean(text: pd.Series) -> pd.Series:
    """Punctuation to spaces, non-letters dropped, placeholders to NA (input already folded)."""
    text = text.str.replace(r"[-'`.,;/_()]+", " ", regex=True)
    text = text.str.replace(r"[^A-Z ]+", "", regex=True)
    text = text.str.replace(r"\s+", " ", regex=True).str.strip()
    return text.mask((text.str.len() == 0) | text.str.contains(NAME_PLACEHOLDER, regex=True))


def _split_civility(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(civility or NA, text without its leading civility); ``text`` is folded."""
    parts = text.str.extract(rf"^({CIVILITY_ALT})(?:\.\s*|\s+)(.+)$")
    civility = parts[0].map(CIVILITIES).astype(TEXT)
    rest = parts[1].where(parts[0].notna(), text)
    return civility, rest


def _parse_unique(uniques: pd.Series, marital: bool) -> pd.DataFrame:
    text = fold_ascii_upper(uniques)
    civility, text = _split_civility(text)
    birth = pd.Series(pd.NA, index=text.index, dtype=TEXT)
    if marital:
        text = text.str.replace(r"[.,]", " ", regex=True).str.replace(r"\s+", " ", regex=True)
        text = text.str.replace(r"^NEE ", "", regex=True)     # a birth-name field "née Dupont"
        married = "|".join(MARRIED_MARKERS)
        parts = text.str.extract(rf"^(.+?) (?:{married}) (.+)$")
        hit = parts[0].notna()
        birth = birth.where(~hit, parts[0])
        text = text.where(~hit, parts[1])
        parts = text.str.extract(rf"^(.+?) (?:{'|'.join(BIRTH_MARKERS)}) (.+)$")
        hit = parts[0].notna()
        birth = birth.where(~hit, parts[1])
        text = text.where(~hit, parts[0])
    return pd.DataFrame({"name": _clean(text), "birth_name": _clean(birth),
                         "civility": civility}).astype(TEXT)


def parse_names(values: pd.Series) -> pd.DataFrame:
    """Vectorised :func:`parse_name`: columns ``last_name``, ``birth_name``, ``civility``.

    Examples:
        >>> parse_names(pd.Series(["MARTIN née Dupont"])).iloc[0].tolist()
        ['MARTIN', 'DUPONT', <NA>]
    """
    out = on_unique(as_text(values), lambda u: _parse_unique(u, marital=True))
    return out.rename(columns={"name": "last_name"})


def parse_name(value: object) -> dict[str, str | None]:
    """Usage last name, birth name and leading civility found in one last-name value.

    Examples:
        >>> parse_name("Mme DUPONT épouse MARTIN")
        {'last_name': 'MARTIN', 'birth_name': 'DUPONT', 'civility': 'MME'}
    """
    row = parse_names(pd.Series([value], dtype=object)).iloc[0]
    return {key: (None if val is pd.NA else val) for key, val in row.items()}


def normalise_names(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_name` (the usage last name of :func:`parse_names`).

    Examples:
        >>> normalise_names(pd.Series(["le Gall", "LE-GALL", "N'Diaye", "xxx"])).tolist()
        ['LE GALL', 'LE GALL', 'N DIAYE', <NA>]
    """
    return parse_names(values)["last_name"]


def normalise_name(value: object) -> str | None:
    """A last name in normal form (civility and marital part removed; see the module doc).

    Examples:
        >>> normalise_name("de la Fontaine"), normalise_name("M. D'Artagnan")
        ('DE LA FONTAINE', 'D ARTAGNAN')
    """
    out = normalise_names(pd.Series([value], dtype=object)).iloc[0]
    return None if out is pd.NA else out


def normalise_first_names(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_first_name`.

    Examples:
        >>> names = pd.Series(["Jean-Pierre", "JEAN PIERRE", "jean  pierre"])
        >>> normalise_first_names(names).tolist()
        ['JEAN PIERRE', 'JEAN PIERRE', 'JEAN PIERRE']
    """
    return on_unique(as_text(values), lambda u: _parse_unique(u, marital=False))["name"]


def normalise_first_name(value: object) -> str | None:
    """A first name in normal form; compound first names joined by one space.

    Examples:
        >>> normalise_first_name("Hélène"), normalise_first_name("Mme Zoë")
        ('HELENE', 'ZOE')
    """
    out = normalise_first_names(pd.Series([value], dtype=object)).iloc[0]
    return None if out is pd.NA else out


# -- full names --------------------------------------------------------------------------------
def _is_upper(token: str) -> bool:
    """A token written in capitals, two letters or more (``DUPONT``, ``D'ARTAGNAN``, not ``J.``)."""
    return token.isupper() and len(token.strip(".'-")) >= 2


def _is_first(tokens: list[str], first_names: Mapping[str, float] | Collection[str]) -> bool:
    return bool(tokens) and (" ".join(tokens) in first_names
                             or all(t in first_names for t in tokens))


def _weight(tokens: list[str], first_names: Mapping[str, float] | Collection[str]) -> float:
    if not isinstance(first_names, Mapping):
        return float(sum(t in first_names for t in tokens))
    return float(sum(first_names.get(t, 0.0) for t in tokens))


def split_tokens(raw: list[str], first_names: Mapping[str, float] | Collection[str]
                  ) -> tuple[list[str], list[str]]:
    """(last-name tokens, first-name tokens) from raw tokens (original case kept for cues)."""
    folded = [fold(t) for t in raw]
    n = len(raw)
    if n == 1:
        return folded, []
    # 1. Case cue: NOM in capitals (2+ letters), Prénom in mixed case, in one block each.
    upper = [_is_upper(t) for t in raw]
    if any(upper) and not all(upper):
        particle = [f in PARTICLES for f in folded]
        is_last = [u or (p and t == t.lower()) for u, p, t in zip(upper, particle, raw)]
        for k in range(1, n):
            if all(is_last[:k]) and not any(upper[k:]):          # NOM Prénom
                return folded[:k], folded[k:]
            if not any(upper[:k]) and all(is_last[k:]):          # Prénom NOM
                # lower-case particles at the end of the first part belong to the last name
                return folded[k:], folded[:k]
    # 2. No usable case: try every split both ways, keep the most first-name-like.
    best: tuple[tuple[float, ...], list[str], list[str]] | None = None
    for k in range(1, n):
        for first, last, order in ((folded[k:], folded[:k], 1), (folded[:k], folded[k:], 0)):
            if not _is_first(first, first_names) or last[-1] in PARTICLES \
                    or any(t in PARTICLES for t in first):
                continue
            first_like_in_last = sum(t in first_names for t in last if t not in PARTICLES)
            score = (-first_like_in_last, _weight(first, first_names) - _weight(last, first_names),
                     order)
            if best is None or score > best[0]:
                best = (score, last, first)
    if best is not None:
        return best[1], best[2]
    # 3. Nothing recognised: French files write "NOM Prénom".
    return folded[:-1], folded[-1:]


def marital_tail(raw: list[str], first_names: Mapping[str, float] | Collection[str]
                  ) -> tuple[list[str], list[str]]:
    """(name after EPOUSE/NEE, trailing first-name tokens) of the tokens after the marker."""
    take = len(raw)
    upper = [_is_upper(t) for t in raw]
    if len(raw) > 1 and any(upper) and not all(upper):
        take = next(i for i, u in enumerate(upper) if not u) or len(raw)
    else:
        while take > 1 and _is_first([fold(raw[take - 1])], first_names):
            take -= 1
    return [fold(t) for t in raw[:take]], raw[take:]


def split_full_text(text: str, first_names: Mapping[str, float] | Collection[str]
                    ) -> tuple[str | None, str | None, str | None, str | None]:
    """(last, first, birth name, civility) of one full name already folded to ASCII.

    The one parse of a full name, for the column (:func:`split_full_names`) and the single-record
    path (:mod:`rcu_kit.standardise.single`); the name parts are not yet cleaned of punctuation.
    """
    tokens = text.replace(",", " , ").split()
    civility = None
    while tokens and fold(tokens[0]).replace(" ", "") in CIVILITIES:
        civility = civility or CIVILITIES[fold(tokens[0]).replace(" ", "")]
        tokens = tokens[1:]
    folded = [fold(t) for t in tokens]
    birth: list[str] = []
    usage: list[str] | None = None
    marker = next((i for i, f in enumerate(folded) if f in MARRIED_MARKERS or f == "NEE"), None)
    if marker is not None and 0 < marker < len(tokens) - 1:
        head, tail, rest = tokens[:marker], *marital_tail(tokens[marker + 1:], first_names)
        head = head + rest
        if folded[marker] == "NEE":
            birth, tokens = tail, head
        else:
            usage, tokens = tail, head
    if "," in tokens:                                   # "DUPONT, Jean"
        cut = tokens.index(",")
        last = [fold(t) for t in tokens[:cut]]
        first = [fold(t) for t in tokens[cut + 1:] if t != ","]
    else:
        last, first = split_tokens(tokens, first_names) if tokens else ([], [])
    if usage is not None:                               # "Jeanne DUPONT épouse MARTIN"
        birth, last = last, usage
    return " ".join(last) or None, " ".join(first) or None, " ".join(birth) or None, civility


def _split_full_unique(uniques: pd.Series, first_names: Mapping[str, float] | Collection[str]
                       ) -> pd.DataFrame:
    rows = [split_full_text(value, first_names) for value in uniques.tolist()]
    frame = pd.DataFrame(rows, columns=["last_name", "first_name", "birth_name", "civility"],
                         index=uniques.index)
    frame = frame.astype(TEXT)
    for column in ("last_name", "first_name", "birth_name"):
        frame[column] = _clean(frame[column])
    return frame


def split_full_names(values: pd.Series,
                     first_names: Mapping[str, float] | Collection[str] | None = None
                     ) -> pd.DataFrame:
    """Vectorised :func:`split_full_name`, computed once per distinct value.

    Returns:
        A frame with text columns ``last_name``, ``first_name``, ``birth_name``, ``civility``.

    Examples:
        >>> split_full_names(pd.Series(["Mme Jeanne MARTIN née DUPONT"])).iloc[0].tolist()
        ['MARTIN', 'JEANNE', 'DUPONT', 'MME']
    """
    names = first_name_weights() if first_names is None else first_names
    text = fold_ascii(as_text(values))          # accents off in Arrow, case kept for the cues
    return on_unique(text, lambda u: _split_full_unique(u, names))


def split_full_name(value: object,
                    first_names: Mapping[str, float] | Collection[str] | None = None
                    ) -> tuple[str | None, str | None]:
    """(last name, first name) of a full name, in normal form.

    The order is read from the case (``DUPONT Jean``, ``Jean DUPONT``), then from the first-name
    list (``JEAN DUPONT``, ``Dupont Jean``), else the French ``NOM Prénom`` convention applies.
    A leading civility and a married/birth name part are removed (see :func:`split_full_names`).

    Args:
        value: the full name.
        first_names: known first names in normal form (a set, or name -> weight to break ties);
            default: the packaged French list.

    Examples:
        >>> split_full_name("Jean Dupont"), split_full_name("Mme DUPONT Jeanne")
        (('DUPONT', 'JEAN'), ('DUPONT', 'JEANNE'))
    """
    row = split_full_names(pd.Series([value], dtype=object), first_names).iloc[0]
    return (None if row["last_name"] is pd.NA else row["last_name"],
            None if row["first_name"] is pd.NA else row["first_name"])


# -- swapped first and last names ----------------------------------------------------------------
def _known(values: pd.Series, names: Collection[str]) -> pd.Series:
    def check(uniques: pd.Series) -> pd.Series:
        found = [v in names or all(t in names for t in v.split()) for v in uniques.tolist()]
        return pd.Series(found, index=uniques.index, dtype="boolean")

    return on_unique(values, check).fillna(False).astype(bool)


def detect_swapped_names(last_names: pd.Series, first_names: pd.Series,
                         known_first: Collection[str] | None = None,
                         known_last: Collection[str] | None = None) -> pd.DataFrame:
    """Put back first and last names typed in each other's field, and flag the rows.

    A row is swapped when its last name is a known first name and its first name is not, and
    the first name is a known last name or the last name is not one (so ``MARTIN`` / ``KYLIAN``,
    a rare first name missing from the list, is left alone); or when both are known first names
    but only the first name is a known last name (``DENISE`` / ``THOMAS``). Inputs are in
    normal form.

    Args:
        last_names: normalised last names.
        first_names: normalised first names, aligned on ``last_names``.
        known_first: first names in normal form (default: the packaged list).
        known_last: last names in normal form (default: the packaged list).

    Returns:
        A frame on the same index with ``last_name``, ``first_name`` (swapped back where
        needed) and ``name_swapped`` (bool).

    Examples:
        >>> out = detect_swapped_names(pd.Series(["JEAN", "DUPONT"]), pd.Series(["DUPONT", "JEAN"]))
        >>> out["last_name"].tolist(), out["name_swapped"].tolist()
        (['DUPONT', 'DUPONT'], [True, False])
    """
    firsts = set(first_name_weights() if known_first is None else known_first)
    lasts = set(known_last_names() if known_last is None else known_last)
    last, first = as_text(last_names), as_text(first_names)
    if not first.index.equals(last.index):
        first = first.reindex(last.index)
    last_is_first, first_is_first = _known(last, firsts), _known(first, firsts)
    last_is_last, first_is_last = _known(last, lasts), _known(first, lasts)
    swapped = last_is_first & ~first_is_first & (first_is_last | ~last_is_last)
    # Both are first names (THOMAS, MARTIN, LOUIS are last names too): the field holding the
    # one that is never a frequent last name is the first name (DENISE / THOMAS).
    swapped |= last_is_first & first_is_first & ~last_is_last & first_is_last
    swapped &= last.notna() & first.notna()
    swapped = swapped.astype(bool)
    return pd.DataFrame({"last_name": last.where(~swapped, first),
                         "first_name": first.where(~swapped, last),
                         "name_swapped": swapped}, index=last_names.index)
