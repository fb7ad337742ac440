"""Linkage-ready records: the standardised contract checked, completed and encoded once.

:func:`prepare_records` takes the output of ``rcu_kit.standardise.standardise_records`` (columns
``source, record_id, civility, last_name, birth_name, first_name, *_phonetic, birth_date, email,
phone, phone_type, street, street_number, street_number_suffix, street_name, postcode, city,
country, name_swapped``, plus the optional ``invalid_birth_date`` and ``id_number``: a personal
identifier the sources share, such as a social-security, loyalty-card or customer number) and
returns the frame the blocking and comparison steps work on:

* every contract column present (a missing column becomes all-missing: FEBRL has no e-mail);
* a missing ``birth_date`` filled from ``invalid_birth_date`` (a typing slip's parts as read);
* text columns as pandas ``category`` (integer codes plus one vocabulary), so that gathering the
  values of 10 million pairs moves 4-byte codes, not Python strings. The surname columns
  (``last_name``, ``birth_name``) share one vocabulary so a birth name can be compared with a
  married name by code;
* derived keys: ``first_initial``, ``birth_year``, ``birth_month_day``, ``department``,
  ``locality`` (the postcode, else the town), ``place`` (the postcode and the town, when both
  are known), ``weak_key`` (the surname's sound of records with
  no e-mail, phone, birth date, id number or street), ``placeless_key`` (the surname's sound
  of the records with no postcode and no town), ``street_key``,
  ``email_local``, ``phone_is_mobile``, and phonetic keys computed here when the standardiser did not provide them.

Examples:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"source": ["crm"], "record_id": ["1"], "first_name": ["JEAN PIERRE"],
    ...                    "last_name": ["DUPOND"]})
    >>> prepared = prepare_records(df)
    >>> prepared.loc[0, "first_initial"], prepared.loc[0, "last_name_phonetic"]
    ('J', 'DUPON')
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from rcu_kit.values.phones import is_french_mobile

__all__ = ["CONTRACT_COLUMNS", "TEXT_COLUMNS", "AS_READ_BIRTH_DATE", "WEAK_KEY_ABSENT",
           "prepare_records", "french_phonetic", "street_key", "birth_month_day", "place_of",
           "validate_records"]

TEXT_COLUMNS = (
    "civility", "last_name", "birth_name", "first_name", "last_name_phonetic",
    "first_name_phonetic", "birth_name_phonetic", "birth_date", "email", "phone", "phone_type",
    "street", "street_number", "street_number_suffix", "street_name", "postcode", "city", "country",
    "id_number",
)
CONTRACT_COLUMNS = ("source", "record_id", *TEXT_COLUMNS, "name_swapped")
# The parts of an invalid birth date as read (``rcu_kit.values.dates``): the ``birth_date`` of a
# record whose birth date is missing, for blocking and comparison.
AS_READ_BIRTH_DATE = "invalid_birth_date"

# A record with none of these is known by its names and a place only: its ``weak_key`` is its
# surname's sound (else missing), for the sorted-neighbourhood pass of such records.
WEAK_KEY_ABSENT = ("email", "phone", "birth_date", "id_number", "street_name")

# Columns whose vocabularies are shared (compared across columns by code).
_SHARED_VOCABULARIES = (("last_name", "birth_name"),
                        ("last_name_phonetic", "birth_name_phonetic"))

_PHONETIC_RULES = [
    (r"[^A-Z ]", ""), (r"PH", "F"), (r"QU", "K"), (r"GU([EI])", r"G\1"), (r"C([EIY])", r"S\1"),
    (r"CH", "X"), (r"SCH", "X"), (r"C", "K"), (r"Q", "K"), (r"GE", "JE"), (r"GI", "JI"),
    (r"Y", "I"), (r"W", "V"), (r"Z", "S"), (r"TH", "T"), (r"H", ""), (r"EAU", "O"), (r"AU", "O"),
    (r"OU", "U"), (r"AI", "E"), (r"EI", "E"), (r"([AEIOU])S([AEIOU])", r"\1Z\2"),
    (r"(.)\1+", r"\1"), (r"([A-Z]{2,})[TDSXZ]\b", r"\1"), (r"([A-Z]{2,})E\b", r"\1"),
    (r"\s+", " "),
]
_COMPILED = [(re.compile(p), r) for p, r in _PHONETIC_RULES]
# From this many records, the columns are encoded on two threads.
PARALLEL_FROM = 50_000


def french_phonetic(name: str | None) -> str | None:
    """A simple French sound key for upper-case ASCII names (fallback when none was given).

    Folds spellings that sound alike: PH/F, C/K/Q, Y/I, Z/S, silent H, doubled letters and
    silent final letters (T, D, S, X, Z, E).

    Examples:
        >>> french_phonetic("DUPONT"), french_phonetic("DUPOND"), french_phonetic("PHILIPPE")
        ('DUPON', 'DUPON', 'FILIP')
    """
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return None
    key = str(name).upper()
    for pattern, repl in _COMPILED:
        key = pattern.sub(repl, key)
    key = key.strip()
    return key or None


def validate_records(records: pd.DataFrame) -> None:
    """Check the linkage input contract; raise a clear error naming the problem and the fix.

    Raises:
        TypeError: ``records`` is not a DataFrame.
        ValueError: ``source`` or ``record_id`` is missing, empty somewhere, or a
            ``(source, record_id)`` is repeated; the message lists the offending rows.
    """
    if not isinstance(records, pd.DataFrame):
        raise TypeError(f"records must be a pandas DataFrame (the output of "
                        f"standardise_records), got {type(records).__name__}")
    codes_of: dict[str, tuple[np.ndarray, int]] = {}
    for col in ("source", "record_id"):
        if col not in records.columns:
            raise ValueError(f"records: column {col!r} is missing; linkage needs 'source' and "
                             f"'record_id' to account for every record (columns are: "
                             f"{', '.join(map(str, records.columns))})")
        # Checked on the distinct values (a million ids are a million distinct values, but
        # the sources are few and the strip runs once per value either way).
        codes, uniques = pd.factorize(records[col], use_na_sentinel=True)
        blank = np.append(pd.Series(np.asarray(uniques, dtype=object)).astype("string")
                          .str.strip().eq("").fillna(True).to_numpy(dtype=bool), True)
        empty = pd.Series(blank[codes])
        codes_of[col] = (codes.astype(np.int64), len(uniques))
        if empty.any():
            rows = np.flatnonzero(empty.to_numpy())[:10].tolist()
            raise ValueError(f"records: column {col!r} is empty in {int(empty.sum())} row(s) "
                             f"(positions {rows}); give every record its source and id")
    # Repeated (source, record_id) found on the codes just computed (no second hashing of a
    # million ids): every code is >= 0 here, blank and missing values were refused above.
    (source, _), (record_id, n_ids) = codes_of["source"], codes_of["record_id"]
    dup = pd.Series(pd.Index(source * n_ids + record_id).duplicated(keep=False),
                    index=records.index)
    if dup.any():
        sample = records.loc[dup, ["source", "record_id"]].head(10)
        pairs = [f"{s}/{r}" for s, r in sample.itertuples(index=False)]
        raise ValueError(f"records: {int(dup.sum())} rows share a (source, record_id) with "
                         f"another row, e.g. {', '.join(pairs)}; record ids must be unique "
                         "within a source (check the source's id_column)")


def _clean_vocabulary(values: np.ndarray) -> np.ndarray:
    """Stripped strings of ``values`` (distinct values); blank and missing become None."""
    cleaned = pd.Series(np.asarray(values, dtype=object)).astype("string").str.strip()
    cleaned = cleaned.where(cleaned != "").astype(object)
    return cleaned.where(cleaned.notna(), None).to_numpy()


def _from_vocabulary(codes: np.ndarray, cleaned: np.ndarray, categories: np.ndarray | None = None
                     ) -> pd.Categorical:
    """A Categorical from codes into ``cleaned`` (``-1`` missing): on ``categories`` when
    given, else on the distinct cleaned values in order of first appearance (sorting 800k
    e-mails would cost seconds and nothing needs them sorted: the sorted-neighbourhood pass
    sorts its own keys)."""
    if categories is None:
        distinct_codes, distinct = pd.factorize(pd.Series(cleaned, dtype=object),
                                                use_na_sentinel=True)
        remap = np.append(distinct_codes, -1)  # position -1 (missing) maps to -1
        cats = pd.Index(np.asarray(distinct, dtype=object), dtype=object)
        return pd.Categorical.from_codes(remap[codes], categories=cats, validate=False)
    cats = pd.Index(categories)
    remap = np.append(cats.get_indexer(cleaned), -1)  # position -1 (missing) maps to -1
    return pd.Categorical.from_codes(remap[codes], categories=cats, validate=False)


def _categorical(values: pd.Series | np.ndarray, categories: np.ndarray | None = None
                 ) -> pd.Categorical:
    """Text values as a Categorical of stripped strings; blank and missing become missing.

    The cleaning runs on the distinct values only (fast on a million records); an Arrow string
    column is factorised by Arrow without converting its values to Python strings.
    """
    codes, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
    return _from_vocabulary(codes, _clean_vocabulary(np.asarray(uniques, dtype=object)),
                            categories)


def _recode(cat: pd.Categorical, categories: np.ndarray) -> pd.Categorical:
    """``cat`` in another (sorted, larger) vocabulary, through its codes."""
    return _from_vocabulary(cat.codes, np.asarray(cat.categories, dtype=object), categories)


def _derive(cat: pd.Categorical, func) -> pd.Categorical:
    """A new Categorical obtained by applying ``func`` (str -> str | None) to each category."""
    mapped = np.array([func(c) for c in cat.categories] + [None], dtype=object)[:-1]
    return _from_vocabulary(cat.codes, _clean_vocabulary(mapped))


def _coalesce(given: pd.Categorical, computed: pd.Categorical) -> pd.Categorical:
    """``given`` where present, else ``computed`` (through codes, in one united vocabulary)."""
    vocabulary = np.sort(pd.unique(np.concatenate(
        [np.asarray(given.categories, dtype=object),
         np.asarray(computed.categories, dtype=object)])).astype(str))
    a, b = _recode(given, vocabulary), _recode(computed, vocabulary)
    codes = np.where(a.codes >= 0, a.codes, b.codes)
    return pd.Categorical.from_codes(codes, categories=pd.Index(vocabulary), validate=False)


def place_of(postcode: str | None, city: str | None) -> str | None:
    """The ``place`` key of a record: its postcode and town, when both are known.

    Examples:
        >>> place_of("24200", "SARLAT LA CANEDA"), place_of("24200", None)
        ('24200 SARLAT LA CANEDA', None)
    """
    return f"{postcode} {city}" if postcode and city else None


def _places(postcode: pd.Categorical, city: pd.Categorical) -> pd.Categorical:
    """:func:`place_of` of every record (through codes: one string per distinct pair)."""
    both = (postcode.codes >= 0) & (city.codes >= 0)
    width = len(city.categories) + 1
    key = np.where(both, postcode.codes.astype(np.int64) * width + city.codes, -1)
    distinct, codes = np.unique(key[both], return_inverse=True)
    names = np.array([place_of(postcode.categories[k // width], city.categories[k % width])
                      for k in distinct], dtype=object)
    out = np.full(len(key), -1, dtype=np.int64)
    out[both] = codes
    return _from_vocabulary(out, names)


def birth_month_day(birth_date: str) -> str | None:
    """The month and day of a ``YYYY-MM-DD`` birth date (the blocking key of a birth date
    whose year was changed or mistyped), else None.

    Examples:
        >>> birth_month_day("1980-03-04"), birth_month_day("1980"), birth_month_day("?")
        ('03-04', None, None)
    """
    match = re.match(r"^\d{4}-(\d{2}-\d{2})$", birth_date)
    return match.group(1) if match else None


def street_key(street_name: str) -> str | None:
    """The blocking key of a street name: its letters and digits only, so that words run
    together or split apart by a typing slip still meet (RUE DE LA PAIX / RUEDE LA PAIX).

    Examples:
        >>> street_key("RUE DE L'ÉGLISE"), street_key("LAIDLEY PLACE") == street_key("LAIDLEYPLACE")
        ('RUEDELÉGLISE', True)
    """
    return re.sub(r"[\W_]+", "", street_name) or None


def prepare_records(records: pd.DataFrame) -> pd.DataFrame:
    """The records ready for blocking and comparison (same rows, same order, RangeIndex).

    Args:
        records: standardised records (see the module docstring); any contract column except
            ``source`` and ``record_id`` may be missing or all-missing.

    Returns:
        A new frame: the contract columns (text as ``category``), plus ``first_initial``,
        ``birth_year``, ``birth_month_day``, ``department``, ``locality``, ``place``,
        ``weak_key``,
        ``placeless_key``,        ``street_key``, ``email_local`` and ``phone_is_mobile``.

    Raises:
        ValueError: see :func:`validate_records`.
    """
    validate_records(records)
    n = len(records)

    def encode(col: str) -> pd.Categorical:
        if col not in records.columns:
            return pd.Categorical.from_codes(np.full(n, -1), categories=pd.Index([], dtype=object))
        cat = _categorical(records[col])
        if col == "id_number":
            # Identifiers are typed with spaces, dots and dashes: keep letters and digits.
            cat = _derive(cat, lambda v: re.sub(r"[^0-9A-Z]", "", v.upper()) or None)
        return cat

    # Columns are encoded independently: two threads on large data (Arrow's hashing of the
    # standardised text releases the GIL); the result is the same either way.
    if n >= PARALLEL_FROM:
        with ThreadPoolExecutor(max_workers=2) as pool:
            cats: dict[str, pd.Categorical] = dict(zip(TEXT_COLUMNS, pool.map(encode, TEXT_COLUMNS)))
    else:
        cats = {col: encode(col) for col in TEXT_COLUMNS}
    if AS_READ_BIRTH_DATE in records.columns:
        # A birth date rejected for one part out of place (1949-00-13) still matches by its parts.
        cats["birth_date"] = _coalesce(cats["birth_date"], encode(AS_READ_BIRTH_DATE))
    for col in ("last_name", "first_name", "birth_name"):
        ph = f"{col}_phonetic"
        cats[ph] = _coalesce(cats[ph], _derive(cats[col], french_phonetic))
    cats["first_initial"] = _derive(cats["first_name"], lambda v: v[:1] or None)
    cats["birth_year"] = _derive(cats["birth_date"],
                                 lambda v: v[:4] if re.match(r"^\d{4}-", v) else None)
    cats["birth_month_day"] = _derive(cats["birth_date"], birth_month_day)
    cats["department"] = _derive(cats["postcode"], lambda v: v[:2] or None)
    cats["locality"] = _coalesce(cats["postcode"], cats["city"])
    cats["place"] = _places(cats["postcode"], cats["city"])
    # The surname's sound of the records known by their names and a place only: nothing else
    # to block on (see WEAK_KEY_ABSENT).
    strong = np.zeros(n, dtype=bool)
    for col in WEAK_KEY_ABSENT:
        strong |= cats[col].codes >= 0
    weak_codes = np.where(strong, -1, cats["last_name_phonetic"].codes)
    cats["weak_key"] = pd.Categorical.from_codes(
        weak_codes, categories=cats["last_name_phonetic"].categories, validate=False)
    # The surname's sound of the records with no postcode and no town: names are all there is
    # to block them on (RLdata: names and a birth date only).
    placeless = np.where(cats["locality"].codes >= 0, -1, cats["last_name_phonetic"].codes)
    cats["placeless_key"] = pd.Categorical.from_codes(
        placeless, categories=cats["last_name_phonetic"].categories, validate=False)
    cats["street_key"] = _derive(cats["street_name"], street_key)
    cats["email_local"] = _derive(cats["email"], lambda v: v.split("@")[0] or None)
    for group in _SHARED_VOCABULARIES:
        vocabulary = np.sort(pd.unique(np.concatenate(
            [np.asarray(cats[c].categories, dtype=object) for c in group])).astype(str))
        for c in group:
            cats[c] = _recode(cats[c], vocabulary)

    out = pd.DataFrame({"source": records["source"].astype(str).to_numpy(),
                        "record_id": records["record_id"].astype(str).to_numpy()})
    for col, values in cats.items():
        out[col] = values
    mobile = np.array([is_french_mobile(c) for c in cats["phone"].categories] + [False])
    out["phone_is_mobile"] = mobile[cats["phone"].codes]
    if "name_swapped" in records.columns:
        out["name_swapped"] = pd.array(records["name_swapped"], dtype="boolean") \
            .fillna(False).to_numpy(dtype=bool)
    else:
        out["name_swapped"] = np.zeros(n, dtype=bool)
    return out
