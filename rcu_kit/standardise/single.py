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
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import phonenumbers
from unidecode import unidecode

from rcu_kit.standardise import addresses, names
from rcu_kit.values import dates, emails, phones, postcodes
from rcu_kit.values.civility import CIVILITIES
from rcu_kit.standardise.countries import country_index
from rcu_kit.standardise.phonetic import PHONEX_RULES, _SYMBOLS
from rcu_kit.standardise.records import FRENCH_POSTCODE_COUNTRIES, INPUT_COLUMNS, \
    OUTPUT_COLUMNS, standardise_records

__all__ = ["standardise_record"]

_A = re.ASCII


class _Unsupported(Exception):
    """A value this module does not reproduce exactly: the record takes the reference path."""


# -- text plumbing (rcu_kit.values.text) ---------------------------------------------------
def _text(value: Any) -> str | None:
    """``as_text`` for one value: stripped text, blank and missing as None."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if not isinstance(value, str):
        try:
            import pandas as pd

            if value is pd.NA or value is pd.NaT:
                return None
        except ImportError:  # pragma: no cover - pandas is a dependency
            pass
        raise _Unsupported(f"not text: {type(value).__name__}")
    for char in value:
        code = ord(char)
        if code < 32 or code == 127 or (code > 127 and char.isspace()) or 0x80 <= code < 0xA0:
            raise _Unsupported("control character or non-ASCII space")
    value = value.strip(" ")
    return value or None


def _fold_ascii(text: str | None) -> str | None:
    """``fold_ascii``: accents removed (NFKD, marks dropped), then unidecode if still needed."""
    if text is None or text.isascii():
        return text
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", text)
                         if unicodedata.category(c) != "Mn")
    if not decomposed.isascii():
        decomposed = unidecode(decomposed)
    if any(ord(c) < 32 for c in decomposed):
        raise _Unsupported("control character after transliteration")
    return decomposed


_SPACES = re.compile(r"\s+", _A)


def _fold_upper(text: str | None) -> str | None:
    """``fold_ascii_upper``: upper-case ASCII, single spaces, blank as None."""
    text = _fold_ascii(text)
    if text is None:
        return None
    text = _SPACES.sub(" ", text.upper()).strip()
    return text or None


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
_CIVILITY_SPLIT = re.compile(rf"^({names._CIVILITY_ALT})(?:\.\s*|\s+)(.+)$")
_MARRIED = re.compile(rf"^(.+?) (?:{'|'.join(names.MARRIED_MARKERS)}) (.+)$")
_BIRTH = re.compile(rf"^(.+?) (?:{'|'.join(names.BIRTH_MARKERS)}) (.+)$")
_CLEAN_PUNCT = re.compile(r"[-'`.,;/_()]+", _A)
_NOT_LETTER = re.compile(r"[^A-Z ]+", _A)
_PLACEHOLDER = re.compile(names._PLACEHOLDER, _A)


def _clean_name(text: str | None) -> str | None:
    if text is None:
        return None
    text = _NOT_LETTER.sub("", _CLEAN_PUNCT.sub(" ", text))
    text = _SPACES.sub(" ", text).strip()
    if not text or _PLACEHOLDER.search(text):
        return None
    return text


def _parse_name(value: str | None, marital: bool) -> tuple[str | None, str | None, str | None]:
    """``names._parse_unique``: (name, birth name, civility)."""
    text = _fold_upper(value)
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
    text = _fold_ascii(value)
    if text is None:
        return None, None, None, None
    first_names = names.first_name_weights()
    fold = names._fold
    tokens = text.replace(",", " , ").split()
    civility = None
    while tokens and fold(tokens[0]).replace(" ", "") in CIVILITIES:
        civility = civility or CIVILITIES[fold(tokens[0]).replace(" ", "")]
        tokens = tokens[1:]
    folded = [fold(t) for t in tokens]
    birth: list[str] = []
    usage: list[str] | None = None
    married = set(names.MARRIED_MARKERS)
    marker = next((i for i, f in enumerate(folded) if f in married or f == "NEE"), None)
    if marker is not None and 0 < marker < len(tokens) - 1:
        head, tail, rest = tokens[:marker], *names._marital_tail(tokens[marker + 1:], first_names)
        head = head + rest
        if folded[marker] == "NEE":
            birth, tokens = tail, head
        else:
            usage, tokens = tail, head
    if "," in tokens:
        cut = tokens.index(",")
        last = [fold(t) for t in tokens[:cut]]
        first = [fold(t) for t in tokens[cut + 1:] if t != ","]
    else:
        last, first = names._split_tokens(tokens, first_names) if tokens else ([], [])
    if usage is not None:
        birth, last = last, usage
    return (_clean_name(" ".join(last) or None), _clean_name(" ".join(first) or None),
            _clean_name(" ".join(birth) or None), civility)


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
_PHONEX_TAIL = [re.compile(f"{s}{s}+") for s in _SYMBOLS]


@lru_cache(maxsize=65536)
def _phonetic(name: str | None) -> str | None:
    """``phonetic_keys`` on one normalised name."""
    text = _fold_upper(name)
    if text is None:
        return None
    for (pattern, replacement), (_, _, is_regex) in zip(_PHONEX, PHONEX_RULES):
        text = pattern.sub(replacement, text) if is_regex else text.replace(pattern, replacement)
    for symbol, pattern in zip(_SYMBOLS, _PHONEX_TAIL):
        text = pattern.sub(symbol, text)
    text = re.sub(r"(.)[TX]$", r"\g<1>", text)
    text = re.sub(r"(.)S$", r"\g<1>", text)
    text = re.sub(r"(..)E$", r"\g<1>", text)
    return text or None


# -- civility, dates, e-mails, countries ---------------------------------------------------------
def _civility(value: str | None) -> str | None:
    key = _fold_upper(value)
    return None if key is None else CIVILITIES.get(re.sub(r"[.\s]", "", key, flags=_A))


_DATE_FORMATS = [(re.compile(p), order) for p, order in dates._FORMATS]
_SERIAL = re.compile(r"^(\d{5})(?:[.,]0+)?$")


def _date(value: str | None, today: dt.date) -> str | None:
    """``dates.normalise_dates(kind='birth')`` on one value."""
    text = _fold_upper(value)
    if text is None:
        return None
    ymd = None
    for pattern, order in _DATE_FORMATS:
        found = pattern.search(text)
        if not found:
            continue
        a, b, c = found.group(1), found.group(2), found.group(3)
        if order == "ymd":
            ymd = (int(a), int(b), int(c))
        elif order == "dMy":
            month = dates._MONTHS.get(b)
            ymd = None if month is None else (int(c), month, int(a))
        else:
            year = int(c)
            if order == "dmy2":
                year += 2000
                year = year if year <= today.year else year - 100
            ymd = (year, int(b), int(a))
        break
    else:
        found = _SERIAL.search(text)
        if found:
            day = dt.date(1899, 12, 30) + dt.timedelta(days=int(found.group(1)))
            ymd = (day.year, day.month, day.day)
    if ymd is None:
        return None
    year, month, day = ymd
    try:
        when = dt.date(year, month, day)
    except ValueError:
        return None
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        oldest = today.replace(year=today.year - dates.MAX_AGE)
    except ValueError:                         # 29 February: pandas' DateOffset clips to the 28th
        oldest = today.replace(year=today.year - dates.MAX_AGE, day=28)
    if when.year < 1900 or when > today or iso in dates.PLACEHOLDER_DATES or when < oldest:
        return None
    return iso


_MAILTO = re.compile(r"^mailto:|^<|>$")
_EMAIL = re.compile(emails.EMAIL_PATTERN, _A)
_EMAIL_PLACEHOLDER = re.compile(emails._PLACEHOLDER_PATTERN, _A)


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.isascii():
        raise _Unsupported("non-ASCII e-mail")
    text = _MAILTO.sub("", value.lower()).strip()
    if _EMAIL.search(text) and len(text) <= 254 and not _EMAIL_PLACEHOLDER.search(text):
        return text
    return None


def _country(value: str | None) -> str | None:
    key = _fold_upper(value)
    if key is None:
        return None
    key = _SPACES.sub(" ", re.sub(r"[-'.]", " ", key)).strip()
    return country_index().get(key)


# -- phones (rcu_kit.values.phones) ---------------------------------------------------------
@lru_cache(maxsize=None)
def _phone_patterns(region: str) -> list[tuple[str, re.Pattern]]:
    return [(name, re.compile(pattern)) for name, pattern in phones._type_patterns(region)[1]]


def _classify(nsn: str, region: str) -> str | None:
    for name, pattern in _phone_patterns(region):
        if pattern.search(nsn):
            return name
    return None


_NSN = re.compile(r"^(?P<prefix>330?|0)?(?P<nsn>[1-9]\d{8})$", _A)
_SUPPORTED = frozenset(phonenumbers.SUPPORTED_REGIONS)


def _phone(value: str | None, country: str | None) -> tuple[str | None, str | None]:
    """``phones.standardise_phones`` on one value: (E.164, type)."""
    if value is None:
        return None, None
    region = country.upper() if country is not None and country.upper() in _SUPPORTED \
        else phones.DEFAULT_REGION
    text = value.replace("(0)", "")
    if text.endswith(".0"):
        text = re.sub(r"^(\+?\d+)\.0+$", r"\g<1>", text, flags=_A)
    international = text.startswith("+") or text.startswith("00")
    digits = re.sub(r"\D", "", text, flags=_A)
    if text.startswith("00"):
        digits = digits[2:]
    found = _NSN.search(digits)
    nsn = None
    if found:
        with_33 = (found.group("prefix") or "").startswith("33")
        if region == phones.DEFAULT_REGION:
            nsn = found.group("nsn") if (not international or with_33) else None
        else:
            nsn = found.group("nsn") if (international and with_33) else None
    if nsn is not None:
        kind = _classify(nsn, phones.DEFAULT_REGION)
        if kind is not None:
            return "+33" + nsn, kind
        for overseas in phones.OVERSEAS_REGIONS:
            kind = _classify(nsn, overseas)
            if kind is not None:
                return f"+{phones._type_patterns(overseas)[0]}{nsn}", kind
        return None, None
    if 6 <= len(digits) <= 17:
        return phones._slow("+" + digits if international else value, region)
    return None, None


# -- postcodes, cities, streets (rcu_kit.values.postcodes, .addresses) ----------------------
_POSTCODE = re.compile(postcodes.POSTCODE_PATTERN, _A)


def _french_postcode(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.isascii():
        raise _Unsupported("non-ASCII postcode")
    text = re.sub(r"\s*CEDEX(?:\s*\d{1,2})?\s*$", "", value.upper(), flags=_A)
    text = re.sub(r"\s+", "", re.sub(r"[.,]0+$", "", text, flags=_A), flags=_A)
    if re.fullmatch(r"\d{4}", text, flags=_A):
        text = "0" + text
    return text if _POSTCODE.search(text) else None


_PUNCT = re.compile(r"[-'`\".,;:/_()]+", _A)


def _punctuation_to_spaces(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip()


_ARRONDISSEMENT = re.compile(
    r"^(PARIS|LYON|MARSEILLE) \d{1,2}( ?(E|ER|EME))?( ARRONDISSEMENT)?$", _A)


def _city(value: str | None) -> str | None:
    text = _fold_upper(value)
    if text is None:
        return None
    text = _punctuation_to_spaces(text)
    text = re.sub(r" \d{5}$", "", re.sub(r"^\d{5} ", "", text, flags=_A), flags=_A)
    text = re.sub(r"( |^)CEDEX( \d{1,3})?( |$)", " ", text, flags=_A).strip()
    text = _ARRONDISSEMENT.sub(r"\g<1>", text)
    text = _replace_words(text, addresses._CITY_WORDS)
    text = _SPACES.sub(" ", text).strip()
    return text or None


def _postcode_in_city(value: str | None) -> str | None:
    if value is None:
        return None
    found = re.search(r"^(\d{5})\b", value, flags=_A) or re.search(r"\b(\d{5})$", value,
                                                                    flags=_A)
    return found.group(1) if found else None


_STREET = re.compile(rf"^(?P<number>\d{{1,5}}) ?(?:(?P<suffix>{addresses._SUFFIX_ALT})(?: |$))?"
                     r"(?P<name>.*)$", _A)


def _street(value: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """``addresses.parse_streets`` on one value: (street, number, suffix, name)."""
    text = _fold_upper(value)
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
    except _Unsupported:
        import pandas as pd

        row = standardise_records(pd.DataFrame([dict(record)]), today=today).iloc[0]
        return {k: (None if v is pd.NA else v) for k, v in row.items()} | \
            {"name_swapped": bool(row["name_swapped"])}


def _standardise(record: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    raw = {c: _text(record.get(c)) for c in INPUT_COLUMNS}
    civility = _civility(raw["civility"])
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
    phone, phone_type = _phone(raw["phone"], country)
    postcode_raw = raw["postcode"] or _postcode_in_city(raw["city"])
    french = country is None or country in FRENCH_POSTCODE_COUNTRIES
    if french:
        postcode = _french_postcode(postcode_raw)
    else:
        folded = _fold_upper(postcode_raw)
        postcode = None if folded is None else folded.replace(" ", "")
    street, number, suffix, street_name = _street(raw["street"])
    out: dict[str, Any] = {
        "source": record["source"], "record_id": record["record_id"], "civility": civility,
        "last_name": last_name, "birth_name": birth_name, "first_name": first_name,
        "last_name_phonetic": _phonetic(last_name), "first_name_phonetic": _phonetic(first_name),
        "birth_name_phonetic": _phonetic(birth_name),
        "birth_date": _date(raw["birth_date"], today), "email": _email(raw["email"]),
        "phone": phone, "phone_type": phone_type, "street": street, "street_number": number,
        "street_number_suffix": suffix, "street_name": street_name, "postcode": postcode,
        "city": _city(raw["city"]), "country": country, "name_swapped": swapped,
    }
    assert tuple(out) == OUTPUT_COLUMNS
    for key, value in record.items():
        if key not in OUTPUT_COLUMNS and key not in INPUT_COLUMNS:
            out[key] = value
    return out
