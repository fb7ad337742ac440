"""One record standardised in plain Python: the low-latency twin of :func:`standardise_records`.

:func:`standardise_records` is built for a million rows: every step is a pandas / pyarrow pass
over distinct values, which costs about 100 ms of fixed overhead even on one row. A preventive
check in a web form standardises *one* record, so :func:`standardise_record` applies the same
rules with Python's :mod:`re` and plain strings (about 1 ms).

It must give exactly what :func:`standardise_records` gives on the same row (tested on every
row of the demo). The rules are the ones of the column standardisers (same patterns, same
tables, same order); the regular expressions are compiled with ``re.ASCII`` so that ``\\d``,
``\\b`` and ``\\D`` mean what they mean in RE2 (the engine pyarrow uses). Where Python and
pyarrow could differ (a value that is not text, control characters, non-ASCII whitespace, a
non-ASCII e-mail or postcode) the record goes through :func:`standardise_records` instead: the
result is always the reference one, only slower.

Examples:
    >>> import datetime as dt
    >>> out = standardise_record({"source": "web", "record_id": "1",
    ...                           "full_name": "Mme DUPONT épouse MARTIN Jeanne",
    ...                           "phone": "06 12 34 56 78", "postcode": "1000"},
    ...                          today=dt.date(2024, 6, 1))
    >>> [out[c] for c in ("civility", "last_name", "birth_name", "first_name", "phone",
    ...                   "postcode")]
    ['MME', 'MARTIN', 'DUPONT', 'JEANNE', '+33612345678', '01000']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any


from rcu_kit.standardise import addresses, names
from rcu_kit.standardise.countries import country_index
from rcu_kit.standardise.phonetic import PHONEX_RULES, PHONEX_SYMBOLS
from rcu_kit.standardise.records import INPUT_COLUMNS, OUTPUT_COLUMNS, standardise_records
from rcu_kit.values.civility import CIVILITIES, sexed_civility
from rcu_kit.values.dates import normalise_date, standardise_dates
from rcu_kit.values.emails import normalise_email
from rcu_kit.values.phones import standardise_phone
from rcu_kit.values.postcodes import FRENCH_POSTCODE_COUNTRIES, normalise_postcode
from rcu_kit.values.text import Unsupported, fold_ascii_upper_value, fold_ascii_value, \
    scalar, text_value

__all__ = ["standardise_record"]

_A = re.ASCII


# -- text plumbing: rcu_kit.values.text (text_value, fold_ascii_value, fold_ascii_upper_value) ----
_SPACES = re.compile(r"\s+", _A)


def _replace_words(text: str | None, words: dict[str, str]) -> str | None:
    """``addresses._replace_words`` on one value."""
    if text is None:
        return None
    every, targets = _word_tables(tuple(words.items()))
    if not every.search(text):
        return text
    for long, pattern in targets:
        for _ in range(2):
            text = pattern.sub(rf"\g<1>{long}\g<2>", text)
    return text


@lru_cache(maxsize=8)
def _word_tables(items: tuple[tuple[str, str], ...]):
    words = dict(items)
    targets: dict[str, list[str]] = {}
    for short, long in words.items():
        if short != long:
            targets.setdefault(long, []).append(short)
    every = "|".join(sorted((s for s in words if words[s] != s), key=len, reverse=True))
    compiled = [(long, re.compile(rf"(^| )(?:{'|'.join(sorted(shorts, key=len, reverse=True))})"
                                  r"( |$)", _A)) for long, shorts in targets.items()]
    return re.compile(rf"(?:^| )(?:{every})(?: |$)", _A), compiled


# -- names (rcu_kit.standardise.names) -----------------------------------------------------------
_CIVILITY_SPLIT = re.compile(rf"^({names.CIVILITY_ALT})(?:\.\s*|\s+)(.+)$")
_MARRIED = re.compile(rf"^(.+?) (?:{'|'.join(names.MARRIED_MARKERS)}) (.+)$")
_BIRTH = re.compile(rf"^(.+?) (?:{'|'.join(names.BIRTH_MARKERS)}) (.+)$")
_CLEAN_PUNCT = re.compile(r"[-'`.,;/_()]+", _A)
_NOT_LETTER = re.compile(r"[^A-Z ]+", _A)
_NAME_PLACEHOLDER = re.compile(names.NAME_PLACEHOLDER, _A)


def _clean_name(text: str | None) -> str | None:
    if text is None:
        return None
    text = _NOT_LETTER.sub("", _CLEAN_PUNCT.sub(" ", text))
    text = _SPACES.sub(" ", text).strip()
    if not text or _NAME_PLACEHOLDER.search(text):
        return None
    return text


def _parse_name(value: str | None, marital: bool) -> tuple[str | None, str | None, str | None]:
    """``names._parse_unique``: (name, birth name, civility)."""
    text = fold_ascii_upper_value(value)
    if text is None:
        return None, None, None
    civility = None
    found = _CIVILITY_SPLIT.match(text)
    if found:
        civility, text = CIVILITIES[found.group(1)], found.group(2)
    birth = None
    if marital:
        text = _SPACES.sub(" ", re.sub(r"[.,]", " ", text))
        text = re.sub(r"^NEE ", "", text)
        found = _MARRIED.match(text)
        if found:
            birth, text = found.group(1), found.group(2)
        found = _BIRTH.match(text)
        if found:
            birth, text = found.group(2), found.group(1)
    return _clean_name(text), _clean_name(birth), civility


def _split_full(value: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """``names.split_full_names`` on one value: (last, first, birth, civility)."""
    text = fold_ascii_value(value)
    if text is None:
        return None, None, None, None
    last, first, birth, civility = names.split_full_text(text, names.first_name_weights())
    return _clean_name(last), _clean_name(first), _clean_name(birth), civility


def _known(value: str | None, known: frozenset[str] | set[str]) -> bool:
    return value is not None and (value in known or all(t in known for t in value.split()))


@lru_cache(maxsize=1)
def _name_sets() -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(names.first_name_weights()), frozenset(names.known_last_names())


def _swapped(last: str | None, first: str | None) -> bool:
    """``names.detect_swapped_names`` on one pair."""
    if last is None or first is None:
        return False
    firsts, lasts = _name_sets()
    last_is_first, first_is_first = _known(last, firsts), _known(first, firsts)
    last_is_last, first_is_last = _known(last, lasts), _known(first, lasts)
    return (last_is_first and not first_is_first and (first_is_last or not last_is_last)) or \
        (last_is_first and first_is_first and not last_is_last and first_is_last)


_PHONEX = [(re.compile(p, _A), r.replace("\\1", "\\g<1>").replace("\\2", "\\g<2>"))
           if is_regex else (p, r) for p, r, is_regex in PHONEX_RULES]
_PHONEX_TAIL = [re.compile(f"{s}{s}+") for s in PHONEX_SYMBOLS]


@lru_cache(maxsize=65536)
def _phonetic(name: str | None) -> str | None:
    """``phonetic_keys`` on one normalised name."""
    text = fold_ascii_upper_value(name)
    if text is None:
        return None
    for (pattern, replacement), (_, _, is_regex) in zip(_PHONEX, PHONEX_RULES):
        text = pattern.sub(replacement, text) if is_regex else text.replace(pattern, replacement)
    for symbol, pattern in zip(PHONEX_SYMBOLS, _PHONEX_TAIL):
        text = pattern.sub(symbol, text)
    text = re.sub(r"(.)[TX]$", r"\g<1>", text)
    text = re.sub(r"(.)S$", r"\g<1>", text)
    text = re.sub(r"(..)E$", r"\g<1>", text)
    return text or None


# -- countries (civility, dates, e-mails, phones, postcodes: the rules of rcu_kit.values) ---------
def _country(value: str | None) -> str | None:
    key = fold_ascii_upper_value(value)
    if key is None:
        return None
    key = _SPACES.sub(" ", re.sub(r"[-'.]", " ", key)).strip()
    return country_index().get(key)


# -- cities, streets (rcu_kit.standardise.addresses) ---------------------------------------------

_PUNCT = re.compile(r"[-'`\".,;:/_()]+", _A)


def _punctuation_to_spaces(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip()


_ARRONDISSEMENT = re.compile(
    r"^(PARIS|LYON|MARSEILLE) \d{1,2}( ?(E|ER|EME))?( ARRONDISSEMENT)?$", _A)


def _city(value: str | None) -> str | None:
    text = fold_ascii_upper_value(value)
    if text is None:
        return None
    text = _punctuation_to_spaces(text)
    text = re.sub(r" \d{5}$", "", re.sub(r"^\d{5} ", "", text, flags=_A), flags=_A)
    text = re.sub(r"( |^)CEDEX( \d{1,3})?( |$)", " ", text, flags=_A).strip()
    text = _ARRONDISSEMENT.sub(r"\g<1>", text)
    text = _replace_words(text, addresses.CITY_WORDS)
    text = _SPACES.sub(" ", text).strip()
    return text or None


def _postcode_in_city(value: str | None) -> str | None:
    if value is None:
        return None
    found = re.search(r"^(\d{5})\b", value, flags=_A) or re.search(r"\b(\d{5})$", value,
                                                                    flags=_A)
    return found.group(1) if found else None


_STREET = re.compile(rf"^(?P<number>\d{{1,5}}) ?(?:(?P<suffix>{addresses.SUFFIX_ALT})(?: |$))?"
                     r"(?P<name>.*)$", _A)


def _street(value: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """``addresses.parse_streets`` on one value: (street, number, suffix, name)."""
    text = fold_ascii_upper_value(value)
    if text is None:
        return None, None, None, None
    text = re.sub(r"^(\d+)\s*[-/]\s*\d+\b", r"\g<1>", text, flags=_A)
    text = _punctuation_to_spaces(text)
    found = _STREET.search(text)
    number = suffix = None
    name: str | None = text
    if found and found.group("number"):
        number = re.sub(r"^0+(\d)", r"\g<1>", found.group("number"), flags=_A)
        suffix = addresses.NUMBER_SUFFIXES.get(found.group("suffix") or "")
        name = found.group("name") or None
    name = (name or "").strip() or None
    if name is not None:
        parts = re.search(r"^(\S+)(.*)$", name, flags=_A)
        if parts:
            first = parts.group(1)
            name = addresses.STREET_TYPES.get(first, first) + parts.group(2)
    name = _replace_words(name, addresses.STREET_WORDS)
    street = _SPACES.sub(" ", f"{number or ''} {suffix or ''} {name or ''}").strip() or None
    return street, number, suffix, name


# -- the record ----------------------------------------------------------------------------------
def standardise_record(record: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """Standardise one mapped record: exactly :func:`standardise_records` on a one-row frame.

    Args:
        record: ``source``, ``record_id`` and any of :data:`INPUT_COLUMNS` (missing ones count
            as missing values); other keys are passed through untouched.
        today: reference date for implausible birth dates (default: the current date).

    Returns:
        A dict of the :data:`OUTPUT_COLUMNS` (text as ``str`` or None, ``name_swapped`` as
        bool) followed by the passed-through keys.

    Raises:
        TypeError: ``record`` is not a mapping.
        ValueError: ``source`` or ``record_id`` is missing.

    Examples:
        >>> standardise_record({"source": "web", "record_id": "1", "last_name": "le Gall",
        ...                     "email": "Y.LeGall@Orange.FR"})["email"]
        'y.legall@orange.fr'
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"standardise_record expects one record as a dict, got "
                        f"{type(record).__name__} (use standardise_records for a frame)")
    missing = [c for c in ("source", "record_id") if c not in record]
    if missing:
        raise ValueError(f"standardise_record: key(s) {', '.join(missing)} missing; give the "
                         f"record's source and id (keys found: {', '.join(map(str, record))})")
    today = today or dt.date.today()
    try:
        return _standardise(record, today)
    except Unsupported:
        import pandas as pd

        row = standardise_records(pd.DataFrame([dict(record)]), today=today).iloc[0]
        return {k: (None if v is pd.NA else v) for k, v in row.items()} | \
            {"name_swapped": bool(row["name_swapped"])}


def _standardise(record: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    raw = {c: text_value(record.get(c)) for c in INPUT_COLUMNS}
    civility = sexed_civility(raw["civility"])
    last_name, birth_from_last, civility_in_name = _parse_name(raw["last_name"], marital=True)
    civility = civility or civility_in_name
    first_name = _parse_name(raw["first_name"], marital=False)[0]
    birth_name = _parse_name(raw["birth_name"], marital=True)[0]
    if raw["full_name"] is not None:
        split_last, split_first, split_birth, split_civility = _split_full(raw["full_name"])
        last_name = last_name or split_last
        first_name = first_name or split_first
        birth_from_last = birth_from_last or split_birth
        civility = civility or split_civility
    birth_name = birth_name or birth_from_last
    swapped = _swapped(last_name, first_name)
    if swapped:
        last_name, first_name = first_name, last_name
    country = _country(raw["country"])
    phone, phone_type = standardise_phone(raw["phone"], country)
    postcode_raw = raw["postcode"] or _postcode_in_city(raw["city"])
    french = country is None or country in FRENCH_POSTCODE_COUNTRIES
    if french:
        postcode = normalise_postcode(postcode_raw)
    else:
        folded = fold_ascii_upper_value(postcode_raw)
        postcode = None if folded is None else folded.replace(" ", "")
    street, number, suffix, street_name = _street(raw["street"])
    birth_date = normalise_date(raw["birth_date"], "birth", today)
    invalid_birth_date = None
    if birth_date is None and raw["birth_date"] is not None:    # rare: the rule's vectorised form
        invalid_birth_date = scalar(lambda v: standardise_dates(v, "birth", today)["as_read"],
                                    raw["birth_date"])
    out: dict[str, Any] = {
        "source": record["source"], "record_id": record["record_id"], "civility": civility,
        "last_name": last_name, "birth_name": birth_name, "first_name": first_name,
        "last_name_phonetic": _phonetic(last_name), "first_name_phonetic": _phonetic(first_name),
        "birth_name_phonetic": _phonetic(birth_name),
        "birth_date": birth_date, "invalid_birth_date": invalid_birth_date,
        "email": normalise_email(raw["email"]),
        "phone": phone, "phone_type": phone_type, "street": street, "street_number": number,
        "street_number_suffix": suffix, "street_name": street_name, "postcode": postcode,
        "city": _city(raw["city"]), "country": country, "name_swapped": swapped,
    }
    assert tuple(out) == OUTPUT_COLUMNS
    for key, value in record.items():
        if key not in OUTPUT_COLUMNS and key not in INPUT_COLUMNS:
            out[key] = value
    return out
