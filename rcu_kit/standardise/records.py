"""Standardise mapped records of every source into the target model, ready for linkage.

:func:`standardise_records` is the contract between mapping and deduplication. It takes the
records of one or several sources in the common layout (``source``, ``record_id`` and one raw
column per target attribute, as ``rcu_kit.mapping.transforms.apply_mapping`` writes them) and returns one
standardised row per input row, in the same order, with the columns listed in
:data:`OUTPUT_COLUMNS` followed by any other input column, untouched.

How the attributes combine:

* ``full_name`` is split into last and first name; it fills ``last_name`` / ``first_name``
  where those are missing (a source may have both a full name and separate columns).
* A married/birth name in the last name (``DUPONT EPOUSE MARTIN``) fills a missing
  ``birth_name``; a civility typed into a name field (``MME DUPONT``) fills a missing civility.
* First and last names typed in each other's field are swapped back; ``name_swapped`` says where.
* An invalid birth date is missing from ``birth_date``; when one part only is out of place (a
  typing slip: ``1949-00-13``), its parts as read are in ``invalid_birth_date``, for matching
  only (see ``rcu_kit.values.dates``).
* ``country`` gives the region in which phones are read; a postcode is checked as a French one
  only when the country is France, a French overseas department or unknown (a Belgian ``1000``
  is not Bourg-en-Bresse); a postcode found inside the city field fills a missing postcode.

Examples:
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"source": ["crm"], "record_id": ["1"],
    ...                     "full_name": ["Mme DUPONT épouse MARTIN Jeanne"],
    ...                     "phone": ["06 12 34 56 78"], "postcode": [1000]})
    >>> out = standardise_records(raw, today=dt.date(2024, 6, 1))
    >>> columns = ["civility", "last_name", "birth_name", "first_name", "phone", "postcode"]
    >>> out.loc[0, columns].tolist()
    ['MME', 'MARTIN', 'DUPONT', 'JEANNE', '+33612345678', '01000']
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from rcu_kit.core.progress import bar as progress_bar

from rcu_kit.values.text import TEXT, as_text, choose, fold_ascii_upper, na_series, on_unique
from rcu_kit.standardise.addresses import parse_streets, split_postcode_city
from rcu_kit.values.civility import sexed_civilities
from rcu_kit.standardise.countries import normalise_countries
from rcu_kit.values.dates import standardise_dates
from rcu_kit.values.emails import normalise_emails
from rcu_kit.standardise.names import detect_swapped_names, normalise_first_names, parse_names, \
    split_full_names
from rcu_kit.values.phones import standardise_phones
from rcu_kit.standardise.phonetic import phonetic_keys
from rcu_kit.values.postcodes import FRENCH_POSTCODE_COUNTRIES, normalise_postcodes

__all__ = ["INPUT_COLUMNS", "OUTPUT_COLUMNS", "FRENCH_POSTCODE_COUNTRIES", "standardise_records"]

INPUT_COLUMNS = ("civility", "last_name", "birth_name", "first_name", "full_name", "birth_date",
                 "email", "phone", "street", "postcode", "city", "country")
OUTPUT_COLUMNS = ("source", "record_id", "civility", "last_name", "birth_name", "first_name",
                  "last_name_phonetic", "first_name_phonetic", "birth_name_phonetic",
                  "birth_date", "invalid_birth_date", "email", "phone", "phone_type", "street",
                  "street_number", "street_number_suffix", "street_name", "postcode", "city",
                  "country", "name_swapped")
# From this many records, names and contact details are standardised on two threads.
PARALLEL_FROM = 50_000
_STEPS = ("civility", "names", "swapped names", "phonetic keys", "birth dates", "e-mails",
          "countries", "phones", "postcodes and cities", "streets")


def _check(records: pd.DataFrame) -> None:
    if not isinstance(records, pd.DataFrame):
        raise TypeError(f"standardise_records expects a pandas DataFrame of mapped records, "
                        f"got {type(records).__name__}")
    missing = [c for c in ("source", "record_id") if c not in records.columns]
    if missing:
        raise ValueError(f"standardise_records: column(s) {', '.join(missing)} missing; the input "
                         f"must come from rcu_kit.mapping.transforms.apply_mapping (columns found: "
                         f"{', '.join(map(str, records.columns))})")
    if records.columns.duplicated().any():
        repeated = sorted(set(records.columns[records.columns.duplicated()].astype(str)))
        raise ValueError(f"standardise_records: duplicated column(s) {', '.join(repeated)}; "
                         "each attribute must appear once")


def standardise_records(records: pd.DataFrame, progress: bool = False,
                        today: dt.date | None = None) -> pd.DataFrame:
    """Standardise every attribute of mapped records (see the module doc).

    Args:
        records: ``source``, ``record_id`` and any of :data:`INPUT_COLUMNS` (missing ones are
            treated as all-missing); other columns are passed through untouched.
        progress: show a progress bar over the standardisation steps.
        today: reference date for implausible birth dates (default: the current date).

    Returns:
        A new frame with the same index and row order: the :data:`OUTPUT_COLUMNS` (text columns
        as pandas ``string[pyarrow]`` with ``<NA>`` for missing, ``name_swapped`` as bool), then
        the passed-through columns.

    Raises:
        TypeError: ``records`` is not a DataFrame.
        ValueError: ``source`` or ``record_id`` is missing, or a column name is repeated.
    """
    _check(records)
    original_index = records.index
    records = records.reset_index(drop=True)     # positional work, even with repeated labels
    index = records.index

    def raw(column: str) -> pd.Series:
        return as_text(records[column]) if column in records.columns else na_series(index)

    bar = progress_bar(total=len(_STEPS), step="standardise", unit="step", disable=not progress)

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    def names_part() -> dict[str, pd.Series]:
        out: dict[str, pd.Series] = {}
        civility = sexed_civilities(raw("civility"))
        step("civility")
        parsed = parse_names(raw("last_name"))
        last_name, birth_from_last = parsed["last_name"], parsed["birth_name"]
        civility = civility.fillna(parsed["civility"])
        first_name = normalise_first_names(raw("first_name"))
        birth_name = parse_names(raw("birth_name"))["last_name"]
        full = raw("full_name")
        if full.notna().any():
            split = split_full_names(full)
            last_name = last_name.fillna(split["last_name"])
            first_name = first_name.fillna(split["first_name"])
            birth_from_last = birth_from_last.fillna(split["birth_name"])
            civility = civility.fillna(split["civility"])
        birth_name = birth_name.fillna(birth_from_last)
        step("names")

        swapped = detect_swapped_names(last_name, first_name)
        last_name, first_name = swapped["last_name"], swapped["first_name"]
        step("swapped names")

        out["civility"] = civility
        out["last_name"], out["birth_name"], out["first_name"] = last_name, birth_name, first_name
        # One pass over the distinct names of the three columns.
        names = pd.concat([last_name, first_name, birth_name], ignore_index=True)
        keys = phonetic_keys(names).to_numpy(dtype=object, na_value=pd.NA)
        n = len(index)
        for i, column in enumerate(("last_name", "first_name", "birth_name")):
            out[f"{column}_phonetic"] = pd.Series(pd.array(keys[i * n:(i + 1) * n], dtype=TEXT),
                                                  index=index)
        out["name_swapped"] = swapped["name_swapped"].astype(bool)
        step("phonetic keys")

        # Streets here, not with the contacts: it balances the two threads' work.
        streets = parse_streets(raw("street"))
        for column in ("street", "street_number", "street_number_suffix", "street_name"):
            out[column] = streets[column]
        step("streets")
        return out

    def contact_part() -> dict[str, pd.Series]:
        out: dict[str, pd.Series] = {}
        dates = standardise_dates(raw("birth_date"), kind="birth", today=today)
        out["birth_date"], out["invalid_birth_date"] = dates["date"], dates["as_read"]
        step("birth dates")
        out["email"] = normalise_emails(raw("email"))
        step("e-mails")

        country = normalise_countries(raw("country"))
        step("countries")
        phones = standardise_phones(raw("phone"), region=country)
        out["phone"], out["phone_type"] = phones["phone"], phones["phone_type"]
        step("phones")

        city_parts = split_postcode_city(raw("city"))
        postcode_raw = raw("postcode").fillna(city_parts["postcode"])
        french = country.isna() | country.isin(FRENCH_POSTCODE_COUNTRIES).fillna(False)
        foreign_code = on_unique(postcode_raw, lambda u: fold_ascii_upper(u).str.replace(" ", ""))
        out["postcode"] = choose(french, normalise_postcodes(postcode_raw), foreign_code)
        out["city"] = city_parts["city"]
        out["country"] = country
        step("postcodes and cities")
        return out

    # Names and contact details are independent: on large data they run on two threads (most
    # of the work is in Arrow, which releases the GIL); the results are the same either way.
    if len(index) >= PARALLEL_FROM:
        with ThreadPoolExecutor(max_workers=2) as pool:
            names_future = pool.submit(names_part)
            contact = contact_part()
            named = names_future.result()
    else:
        named, contact = names_part(), contact_part()
    bar.close()
    out = {"source": records["source"], "record_id": records["record_id"], **named, **contact}
    out = {column: out[column] for column in OUTPUT_COLUMNS}

    frame = pd.DataFrame(out, index=index)
    for column in OUTPUT_COLUMNS[2:-1]:
        frame[column] = frame[column].astype(TEXT)
    passthrough = [c for c in records.columns if c not in OUTPUT_COLUMNS and c not in INPUT_COLUMNS]
    for column in passthrough:
        frame[column] = records[column]
    frame.index = original_index
    return frame
