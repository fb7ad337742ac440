"""The audit and the standardisation agree on every tricky value: invalid <=> normalised to NA.

Each kind lists values where the two used to disagree or could easily disagree; the audit's
verdict goes through :func:`rcu_kit.values.validity.check_validity` (what the audit calls), the
output through :func:`rcu_kit.standardise.standardise_records` (what the dedup uses), and the
scalar forms (preventive match) must give the same output.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rcu_kit.standardise import standardise_records
from rcu_kit.values.civility import normalise_civility, normalise_civilities, sexed_civilities
from rcu_kit.values.dates import normalise_date
from rcu_kit.values.emails import normalise_email
from rcu_kit.values.phones import normalise_phone
from rcu_kit.values.postcodes import normalise_postcode
from rcu_kit.values.validity import check_validity

TODAY = dt.date(2024, 6, 1)

TRICKY = {
    "email": [
        "Jean.Dupont@Orange.FR",          # upper case: valid, only lower-cased
        "mailto:marie@gmail.com",         # a mailto: prefix: repairable
        "<marie@gmail.com>",              # angle brackets from a mail client: repairable
        "jean.dupont @free.fr",           # a stray space before '@': repairable
        "jean@free,fr",                   # a comma typed for a dot in the domain: repairable
        "jean dupont@free.fr",            # a space between letters: ambiguous, invalid
        "jean,dupont@free.fr",            # a comma in the local part: invalid
        "a@b.photography",                # a long TLD (the audit used to stop at 24 letters)
        "noemail@orange.fr",              # a placeholder: syntactically fine, not an address
        "jean..dupont@free.fr",           # doubled dot
        "élodie@free.fr",                 # non-ASCII local part
        "jean@orange",                    # no TLD
    ],
    "phone": [
        "06 12 34 56 78",                 # the usual French form
        "+33 (0)6 12 34 56 78",           # (0) after the country code: correct notation
        "+33 06 12 34 56 78",             # a trunk 0 kept after +33: repairable
        "612345678",                      # trunk 0 lost in a spreadsheet: repairable
        "33612345678",                    # '+' lost: repairable
        "612345678.0",                    # float rendering: repairable
        "tel: 06 12 34 56 78",            # text around the number: repairable
        "0612345678 poste 3",             # an extension glued on: not one number
        "0590 87 12 34",                  # Saint-Martin (MF), missing from the standardiser once
        "+44 20 7946 0958",               # international, through phonenumbers
        "00 00 00 00 00",                 # filler
        "06 12 34 56",                    # too short
    ],
    "postcode": [
        "75011",                          # plain
        "1000",                           # leading zero lost: repairable
        "75 011",                         # space inside: repairable
        "75011.0",                        # float rendering: repairable
        "92057 CEDEX",                    # CEDEX mention: repairable
        "20000",                          # Corsica uses 20xxx
        "97500",                          # Saint-Pierre-et-Miquelon (975)
        "97700",                          # 977 is Saint-Barthélemy's INSEE code, not a postcode (97133)
        "98800",                          # New Caledonia (988)
        "96000",                          # no department 96
        "00100",                          # no department 00
        "2A004",                          # a Corsican INSEE code, not a postcode
    ],
    "civility": [
        "M.",                             # abbreviation with a dot
        "Mlle",                           # counts as MME for matching
        "MADAME",                         # upper case
        "Dr",                             # a title: recognised, but says no sex
        "Maître",                         # accent
        "M. et Mme",                      # a couple
        "M/Mme",                          # a couple with a slash
        "Mesdames",                       # plural
        "Msieur",                         # the standardiser knew it, the audit did not
        "Sir",                            # not French, not recognised
        "H",                              # a sex code, not a civility
    ],
    "birth_date": [
        "12/03/1985",                     # the usual French form
        "1985-03-12",                     # ISO
        "1985-03-12 00:00:00",            # pandas' timestamp text
        "12/03/85",                       # two-digit year: repairable
        "3 février 1985",                 # month in words, with an accent
        "31081",                          # spreadsheet serial number: repairable
        "19850312.0",                     # yyyymmdd as a float: repairable
        "31/02/1985",                     # impossible day
        "01/01/1900",                     # placeholder, and older than 120 years
        "01/01/2030",                     # in the future
        "12/31/1985",                     # month first: not guessed
        "12/03/1985 abc",                 # text after the date
    ],
}

COLUMN = {"email": "email", "phone": "phone", "postcode": "postcode", "civility": "civility",
          "birth_date": "birth_date"}


@pytest.mark.parametrize("kind", sorted(TRICKY))
def test_invalid_exactly_when_normalised_to_missing(kind):
    values = pd.Series(TRICKY[kind], dtype=object)
    assert len(values) >= 10
    status = check_validity(values, kind, today=pd.Timestamp(TODAY)).tolist()
    if kind == "civility":
        # the dedup keeps only the sexed civilities; the rule's normaliser keeps all of them
        out = normalise_civilities(values)
        sexed = sexed_civilities(values).tolist()
        records = standardise_records(pd.DataFrame({"source": "s", "record_id": range(len(values)),
                                                    "civility": values}), today=TODAY)
        assert records["civility"].tolist() == sexed
    else:
        records = standardise_records(pd.DataFrame({"source": "s", "record_id": range(len(values)),
                                                    COLUMN[kind]: values}), today=TODAY)
        out = records[COLUMN[kind]]
    for value, verdict, normalised in zip(values, status, out.tolist()):
        assert (verdict == "invalid") == (normalised is pd.NA), (value, verdict, normalised)


SCALAR = {
    "email": normalise_email, "phone": normalise_phone, "postcode": normalise_postcode,
    "civility": normalise_civility,
    "birth_date": lambda value: normalise_date(value, "birth", TODAY),
}


@pytest.mark.parametrize("kind", sorted(TRICKY))
def test_scalar_form_gives_the_vectorised_answer(kind):
    values = pd.Series(TRICKY[kind], dtype=object)
    if kind == "civility":
        vectorised = normalise_civilities(values).tolist()
    else:
        records = standardise_records(pd.DataFrame({"source": "s", "record_id": range(len(values)),
                                                    COLUMN[kind]: values}), today=TODAY)
        vectorised = records[COLUMN[kind]].tolist()
    scalar = [SCALAR[kind](value) for value in values]
    assert scalar == [None if v is pd.NA else v for v in vectorised]


def test_expected_verdicts_on_the_cases_that_used_to_disagree():
    def verdict(value, kind):
        return check_validity(pd.Series([value]), kind, today=pd.Timestamp(TODAY)).iloc[0]

    assert verdict("a@b.photography", "email") == "valid"
    assert verdict("noemail@orange.fr", "email") == "invalid"
    assert verdict("tel: 06 12 34 56 78", "phone") == "repairable"
    assert verdict("97700", "postcode") == "invalid"   # the audit accepted it: an INSEE code
    assert verdict("97133", "postcode") == "valid"     # Saint-Barthélemy's real postcode
    assert verdict("92057 CEDEX", "postcode") == "repairable"
    assert verdict("Msieur", "civility") == "valid"
    assert verdict("3 février 1985", "birth_date") == "valid"
    assert verdict("31081", "birth_date") == "repairable"
