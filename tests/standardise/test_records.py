"""Tests for rcu_kit.standardise.records (the contract with the linkage step)."""

import datetime as dt

import pandas as pd
import pytest

from rcu_kit.standardise import OUTPUT_COLUMNS, standardise_records

TODAY = dt.date(2024, 6, 1)


def raw_records() -> pd.DataFrame:
    return pd.DataFrame({
        "source": ["crm", "crm", "fid", "fid", "web"],
        "record_id": ["c1", "c2", "f1", "f2", "w1"],
        "civility": ["Mme", None, "M.", None, None],
        "last_name": ["Mme DUPONT épouse MARTIN", "JEAN", "Lefèvre", None, None],
        "first_name": ["Jeanne", "DUPONT", "Jean-Pierre", None, None],
        "full_name": [None, None, None, None, "DE LA FONTAINE Marie-Claire"],
        "birth_date": ["03/02/1985", "31/02/1985", "1985-02-03", None, "01/01/1900"],
        "email": [" Jeanne.Martin@Orange.FR", "jean@", None, None, "mc@example.com"],
        "phone": ["+33 (0)6 12 34 56 78", "33612345678", "612345678", None, "0470 12 34 56"],
        "street": ["12 bis av. des Lilas", "3 r. Victor Hugo", None, None, "Rue Royale 1"],
        "postcode": [1000, "75001", None, None, "1000"],
        "city": ["Bourg-en-Bresse", "PARIS CEDEX 01", "75008 Paris", None, "Bruxelles"],
        "country": ["France", None, "FR", None, "Belgique"],
        "loyalty_points": [10, 20, 30, 40, 50],
    }, index=[100, 101, 102, 103, 104])


def test_every_row_kept_in_order_with_the_contract_columns():
    raw = raw_records()
    out = standardise_records(raw, today=TODAY)
    assert out.index.tolist() == [100, 101, 102, 103, 104]
    assert out["record_id"].tolist() == ["c1", "c2", "f1", "f2", "w1"]
    # the contract columns in order, then the passed-through column untouched
    assert list(out.columns) == list(OUTPUT_COLUMNS) + ["loyalty_points"]
    assert out["loyalty_points"].tolist() == [10, 20, 30, 40, 50]


def test_values_are_standardised():
    out = standardise_records(raw_records(), today=TODAY)
    # Row c1: married name split, civility, phone with (0), lost postcode zero.
    c1 = out.loc[100]
    assert (c1["civility"], c1["last_name"], c1["birth_name"], c1["first_name"]) == \
        ("MME", "MARTIN", "DUPONT", "JEANNE")
    assert (c1["birth_date"], c1["email"], c1["phone"], c1["phone_type"]) == \
        ("1985-02-03", "jeanne.martin@orange.fr", "+33612345678", "mobile")
    assert (c1["street"], c1["street_number"], c1["street_number_suffix"], c1["street_name"]) == \
        ("12 BIS AVENUE DES LILAS", "12", "BIS", "AVENUE DES LILAS")
    assert (c1["postcode"], c1["city"], c1["country"], c1["name_swapped"]) == \
        ("01000", "BOURG EN BRESSE", "FR", False)
    assert (c1["last_name_phonetic"], c1["first_name_phonetic"], c1["birth_name_phonetic"]) == \
        ("NORT4", "GE1N", "TUT1")
    # Row c2: JEAN / DUPONT swapped back; 31/02 and a broken e-mail are NA; no country given
    # so the phone is read as French and the country stays NA (no default).
    c2 = out.loc[101]
    assert (c2["last_name"], c2["first_name"], c2["name_swapped"]) == ("DUPONT", "JEAN", True)
    assert c2["birth_date"] is pd.NA and c2["email"] is pd.NA and c2["country"] is pd.NA
    assert (c2["phone"], c2["postcode"], c2["city"]) == ("+33612345678", "75001", "PARIS")
    # Row f1: compound first name; the postcode missing from its column is read in the city.
    f1 = out.loc[102]
    assert (f1["last_name"], f1["first_name"], f1["civility"]) == ("LEFEVRE", "JEAN PIERRE", "M")
    assert (f1["postcode"], f1["city"], f1["phone"]) == ("75008", "PARIS", "+33612345678")
    # Row w1: full name split; Belgian phone and postcode read as Belgian; 1900-01-01 and the
    # example.com placeholder are NA; a street without a leading number keeps its words.
    w1 = out.loc[104]
    assert (w1["last_name"], w1["first_name"]) == ("DE LA FONTAINE", "MARIE CLAIRE")
    assert (w1["phone"], w1["postcode"], w1["country"]) == ("+32470123456", "1000", "BE")
    assert w1["birth_date"] is pd.NA and w1["email"] is pd.NA
    assert (w1["street"], w1["street_number"]) == ("RUE ROYALE 1", pd.NA)


def test_all_empty_row_survives_as_missing_values():
    out = standardise_records(raw_records(), today=TODAY)
    empty = out.loc[103]
    text_columns = [c for c in OUTPUT_COLUMNS if c not in ("source", "record_id", "name_swapped")]
    assert all(empty[c] is pd.NA for c in text_columns)
    assert empty["name_swapped"] is False or empty["name_swapped"] == False  # noqa: E712
    assert (empty["source"], empty["record_id"]) == ("fid", "f2")


def test_missing_columns_are_all_na_and_no_empty_strings():
    raw = pd.DataFrame({"source": ["a", "a"], "record_id": ["1", "2"], "email": ["", "  "]})
    out = standardise_records(raw, today=TODAY)
    assert len(out) == 2
    assert out["last_name"].isna().all() and out["email"].isna().all()
    for column in OUTPUT_COLUMNS[2:-1]:
        assert str(out[column].dtype) == "string", column
        assert not (out[column] == "").any(), column
    assert out["name_swapped"].dtype == bool


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="column\\(s\\) record_id missing"):
        standardise_records(pd.DataFrame({"source": ["a"]}))
    with pytest.raises(TypeError, match="expects a pandas DataFrame"):
        standardise_records([{"source": "a", "record_id": "1"}])


def test_repeated_index_labels_and_several_phone_regions():
    # Frames concatenated without ignore_index repeat labels; rows must still line up.
    raw = pd.DataFrame({"source": ["a", "b", "c"], "record_id": ["1", "1", "2"],
                        "last_name": ["JEAN", "Dupont", "Peeters"],
                        "first_name": ["DUPONT", "Jean", "Luc"],
                        "phone": ["0612345678", None, "02 555 12 12"],
                        "country": ["FR", None, "BE"]}, index=[0, 0, 1])
    out = standardise_records(raw, today=TODAY)
    assert out.index.tolist() == [0, 0, 1]
    assert out["last_name"].tolist() == ["DUPONT", "DUPONT", "PEETERS"]
    assert out["name_swapped"].tolist() == [True, False, False]
    # the Belgian national number is read in Belgium (+32), the French one in France
    assert out["phone"].tolist() == ["+33612345678", pd.NA, "+3225551212"]


def test_two_threads_give_the_same_frame(monkeypatch):
    # From PARALLEL_FROM records, names and contact details run on two threads; forcing that
    # path on the small frame must give exactly the sequential result.
    from rcu_kit.standardise import records as module

    sequential = standardise_records(raw_records(), today=dt.date(2026, 1, 1))
    monkeypatch.setattr(module, "PARALLEL_FROM", 0)
    threaded = standardise_records(raw_records(), today=dt.date(2026, 1, 1))
    pd.testing.assert_frame_equal(threaded, sequential)
