"""Tests for rcu_kit.values.postcodes."""

import pandas as pd

from rcu_kit.values.postcodes import normalise_postcode, normalise_postcodes


def test_lost_leading_zero_is_restored():
    # Ain (01), Aisne (02) ... lose their zero when a spreadsheet reads them as numbers.
    assert normalise_postcode(1000) == "01000"
    assert normalise_postcode(1000.0) == "01000"
    assert normalise_postcode("1000") == "01000"
    assert normalise_postcode("1000.0") == "01000"
    assert normalise_postcode("9200") == "09200"


def test_valid_codes_kept_and_cleaned():
    assert normalise_postcode("75001") == "75001"
    assert normalise_postcode(" 75 001 ") == "75001"
    assert normalise_postcode("20000") == "20000"   # Ajaccio: Corsica codes are 20xxx
    assert normalise_postcode("97411") == "97411"   # Saint-Paul, La Réunion (974)
    assert normalise_postcode("97600") == "97600"   # Mayotte (976)
    assert normalise_postcode("95000") == "95000"


def test_overseas_collectivities_accepted():
    # The audit accepted these and the standardiser did not (issue 18): one rule now.
    assert normalise_postcode("97500") == "97500"   # Saint-Pierre-et-Miquelon (975)
    assert normalise_postcode("97133") == "97133"   # Saint-Barthélemy receives mail in 971
    assert normalise_postcode("97700") is None      # 977 is its INSEE code, never a postcode
    assert normalise_postcode("98000") is None      # Monaco: its own country, not a French postcode
    assert normalise_postcode("98800") == "98800"   # Nouméa, New Caledonia (988)
    assert normalise_postcode("98714") == "98714"   # Papeete, French Polynesia (987)


def test_status_follows_the_normalisation():
    from rcu_kit.values.postcodes import postcode_status

    values = ["75011", "1000", "75 011", "75011.0", "92057 CEDEX", "00100", None]
    assert postcode_status(pd.Series(values)).tolist() == [
        "valid", "repairable", "repairable", "repairable", "repairable", "invalid", pd.NA]


def test_cedex_codes_accepted():
    assert normalise_postcode("92057 CEDEX") == "92057"
    assert normalise_postcode("75001 cedex 01") == "75001"


def test_impossible_codes_are_na():
    for raw in ["00100", "96000", "97900", "98000", "98300", "99999", "2A004", "750010", "123", "ABCDE",
                "", None, 0]:
        assert normalise_postcode(raw) is None, raw


def test_vectorised_mixed_types():
    values = pd.Series([1000, "75008", None, 13001.0, "bad"], dtype=object)
    assert normalise_postcodes(values).tolist() == ["01000", "75008", pd.NA, "13001", pd.NA]


def test_one_value_equals_the_vectorised_rule_on_many_values():
    # normalise_postcode answers a missing value at once and printable ASCII text in plain
    # Python (the preventive match's path): it must give normalise_postcodes' answer on every
    # value. 9 heads x 9 bodies x 8 tails = 648 built values (numbers, blanks, CEDEX, floats,
    # spaces, Corsica, overseas), plus missing values and non-text.
    heads = ["", " ", "0", "1", "75", "2A", "97", "98", "cedex "]
    bodies = ["", "1000", "011", "4 11", "00", "7", "133", "714", "057"]
    tails = ["", " ", ".0", ",00", " CEDEX", " cedex 12", "A", "\t"]
    values = [h + b + t for h in heads for b in bodies for t in tails]
    values += [None, float("nan"), pd.NA, "", "   ", 1000, 75011.0, "7501\u00a01", "75011é"]
    expected = [None if v is pd.NA else v
                for v in normalise_postcodes(pd.Series(values, dtype=object)).tolist()]
    assert len(values) == 657
    assert [normalise_postcode(v) for v in values] == expected
