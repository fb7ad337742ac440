"""The one-record standardiser must give exactly what standardise_records gives on that row."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rcu_kit.standardise import standardise_records
from rcu_kit.standardise.single import _standardise, standardise_record
from rcu_kit.values.text import Unsupported

TODAY = dt.date(2024, 6, 1)

# Awkward values for every rule: full names (case cues, married / birth markers, commas,
# civilities), placeholders, overseas and foreign phones, spreadsheet damage, CEDEX, ranges...
TRICKY = [
    {"full_name": "Mme DUPONT épouse MARTIN Jeanne", "phone": "06 12 34 56 78", "postcode": "1000"},
    {"full_name": "Jean-Pierre DE LA FONTAINE", "email": "mailto:JP@Free.FR"},
    {"full_name": "MARTIN née DUPONT Marie", "birth_date": "3 février 1985"},
    {"full_name": "DUPONT, Jean", "phone": "+33 (0)1 42 68 53 00", "city": "75001 PARIS CEDEX 01"},
    {"full_name": "jean dupont", "birth_date": "31081", "country": "Belgique",
     "phone": "+32 2 555 12 12", "postcode": "1000"},
    {"full_name": "M. Louis THOMAS", "last_name": "xxx", "first_name": "Mlle Zoë"},
    {"last_name": "Mme Le Gall épouse N'Diaye", "first_name": "Jean Pierre", "civility": "Dr"},
    {"last_name": "JEAN", "first_name": "DUPONT", "birth_name": "née Lefèvre"},
    {"last_name": "DENISE", "first_name": "THOMAS", "birth_date": "12/31/1985"},
    {"last_name": "Œuvray", "first_name": "Straße", "birth_date": "03.02.85",
     "street": "12-14 bd du Gal Leclerc", "postcode": "13001 CEDEX 01", "city": "Marseille 1er"},
    {"street": "5T, bd du Gal Leclerc", "phone": "0262 21 12 34", "country": "La Réunion",
     "postcode": "97411", "city": "St-Pierre"},
    {"street": "3 r. Victor Hugo", "phone": "612345678.0", "postcode": "1000.0",
     "birth_date": "19850203.0", "email": "noemail@orange.fr"},
    {"street": "av. des Lilas", "phone": "0033 6 12 34 56 78", "birth_date": "01/01/1900",
     "email": "a@@b.fr", "city": "Ste-Foy-lès-Lyon"},
    {"street": "007 bis chem. des Vignes", "phone": "0800 123 456", "birth_date": "2099-01-01",
     "postcode": "2A004", "city": "L'Haÿ-les-Roses", "country": "FR"},
    {"phone": "12", "birth_date": "1985-02-03T10:00:00", "postcode": "75 008", "country": "Mars"},
    {"phone": "+44 20 7946 0958", "country": "Royaume-Uni", "postcode": "SW1A 1AA",
     "city": "London"},
    {"full_name": "Jeanne DUPONT épouse MARTIN", "civility": "Madame"},
    {},
]


def _reference(records: list[dict]) -> list[dict]:
    frame = standardise_records(pd.DataFrame(records), today=TODAY)
    frame = frame.astype(object).where(frame.notna(), None)
    return [row | {"name_swapped": bool(row["name_swapped"])}
            for row in frame.to_dict(orient="records")]


def test_same_values_as_standardise_records_on_tricky_records():
    records = [{"source": "web", "record_id": str(i), **r} for i, r in enumerate(TRICKY)]
    expected = _reference(records)
    for record, want in zip(records, expected):
        assert _standardise(record, TODAY) == want, record      # the fast path itself
    # Spot checks that the comparison is not vacuous (values read off the rules):
    # épouse: DUPONT is the birth name, MARTIN the usage name; a 4-digit code regains its 0.
    first = expected[0]
    assert (first["civility"], first["last_name"], first["birth_name"], first["first_name"],
            first["phone"], first["postcode"]) == ("MME", "MARTIN", "DUPONT", "JEANNE",
                                                    "+33612345678", "01000")
    # 0262 is a Réunion fixed line (+262); ST expands to SAINT in the city.
    assert (expected[10]["phone"], expected[10]["phone_type"], expected[10]["city"]) == \
        ("+262262211234", "fixed", "SAINT PIERRE")
    # A Belgian postcode stays as typed; the Belgian phone is read in Belgium.
    assert (expected[4]["postcode"], expected[4]["phone"], expected[4]["country"]) == \
        ("1000", "+3225551212", "BE")
    # JEAN / DUPONT were typed in each other's field.
    assert (expected[7]["last_name"], expected[7]["first_name"], expected[7]["name_swapped"]) \
        == ("DUPONT", "JEAN", True)


def test_same_values_as_standardise_records_on_every_demo_row(demo_engagement):
    from rcu_kit.core.config import load_engagement
    from rcu_kit.dedup.run import map_sources
    from rcu_kit.sources.loaders import load_all

    engagement = load_engagement(demo_engagement)
    mapped = map_sources(engagement, load_all(engagement, progress=False), progress=False)
    raw = mapped.astype(object).where(mapped.notna(), None).to_dict(orient="records")
    expected = _reference(raw)
    assert len(raw) == 1500                 # every row of the small demo is compared
    fast = 0
    for record, want in zip(raw, expected):
        try:
            got = _standardise(record, TODAY)
            fast += 1
        except Unsupported:
            got = standardise_record(record, today=TODAY)
        assert got == want, record
    assert fast == 1500                     # the demo's values all take the fast path


def test_unsupported_values_take_the_reference_path():
    # A number (postcode read as a float by a spreadsheet) and a tab are not reproduced in
    # plain Python: the record goes through standardise_records, with the same result.
    record = {"source": "web", "record_id": "1", "postcode": 1000.0, "last_name": "Du\tPont"}
    with pytest.raises(Unsupported):
        _standardise(record, TODAY)
    got = standardise_record(record, today=TODAY)
    assert got == _reference([record])[0]
    assert got["postcode"] == "01000"


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="one record as a dict"):
        standardise_record([("last_name", "Dupont")])
    with pytest.raises(ValueError, match="record_id"):
        standardise_record({"source": "web", "last_name": "Dupont"})
