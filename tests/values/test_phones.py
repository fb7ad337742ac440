"""Tests for rcu_kit.values.phones."""

import pandas as pd
import pytest

from rcu_kit.values.phones import normalise_phone, normalise_phones, phone_type, \
    standardise_phones


@pytest.mark.parametrize("raw", [
    "06 12 34 56 78", "0612345678", "06.12.34.56.78", "06-12-34-56-78", "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78", "+33612345678", "+330612345678", "0033 6 12 34 56 78",
    "33612345678", "612345678", 612345678, 612345678.0,
])
def test_every_french_spelling_gives_one_e164(raw):
    assert normalise_phone(raw) == "+33612345678"


def test_types_come_from_libphonenumber():
    assert phone_type("06 12 34 56 78") == "mobile"
    assert phone_type("07 81 23 45 67") == "mobile"
    assert phone_type("01 42 68 53 00") == "fixed"
    assert phone_type("09 51 23 45 67") == "fixed"     # box line (VoIP) counts as fixed
    assert phone_type("0800 123 456") == "other"       # toll-free
    assert phone_type("12") is None


def test_invalid_numbers_are_na():
    # 07 0x is not allocated; 11 digits after 0; 00 alone; letters.
    for raw in ["07 01 23 45 67", "06 12 34 56 789", "0012 34", "abc", "", None, "00 00 00 00 00"]:
        assert normalise_phone(raw) is None, raw


def test_overseas_departments_get_their_country_code():
    # 0262 / 0692 are La Reunion fixed / mobile numbers dialled in the French plan.
    assert normalise_phone("0262 21 23 45") == "+262262212345"
    assert phone_type("0692 12 34 56") == "mobile"


def test_foreign_numbers_use_libphonenumber():
    assert normalise_phone("+32 2 555 12 12") == "+3225551212"
    assert normalise_phone("+44 20 7946 0958") == "+442079460958"


def test_region_per_row():
    # A Belgian record's national number is read in Belgium; a missing region means France.
    out = standardise_phones(pd.Series(["0470 12 34 56", "0612345678", "0470 12 34 56"]),
                             pd.Series(["BE", None, "ZZ"]))
    assert out["phone"].tolist() == ["+32470123456", "+33612345678", "+33470123456"]
    assert out["phone_type"].tolist() == ["mobile", "mobile", "fixed"]


def test_vectorised_order_and_index():
    raw = pd.Series(["bad", "06 12 34 56 78", None, "0612345678"], index=[3, 1, 2, 0])
    out = normalise_phones(raw)
    assert out.index.tolist() == [3, 1, 2, 0]
    assert out.tolist() == [pd.NA, "+33612345678", pd.NA, "+33612345678"]


def test_vectorised_phone_types():
    from rcu_kit.values.phones import phone_types
    out = phone_types(pd.Series(["06 12 34 56 78", None, "01 42 68 53 00", "0800 123 456"]))
    assert out.tolist() == ["mobile", pd.NA, "fixed", "other"]
