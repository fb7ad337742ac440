"""Validity rules per semantic type: exact statuses on values built by hand."""

import numpy as np
import pandas as pd
import phonenumbers
import pytest

from rcu_kit.values.validity import (as_text, birth_date_status, check_validity, civility_status,
                              date_status, email_status, luhn_valid, name_status, parse_dates,
                              parse_numbers, phone_status, postcode_status, siren_status,
                              siret_status)

NA = pd.NA


def statuses(series):
    return [None if s is NA else s for s in series.tolist()]


def test_as_text_blank_is_missing_and_numbers_become_text():
    assert as_text(pd.Series([" a ", "", "   ", 3, None, np.nan])).tolist() == ["a", NA, NA, "3", NA, NA]
    assert as_text(pd.Series([], dtype=object)).empty


def test_email():
    values = ["jean.dupont@gmail.com", "JEAN@FREE.FR", "jean.dupont @free.fr", "mailto:a@b.fr",
              "a@b,fr", "jean@", "@free.fr", "jean..d@free.fr", "jean@free", None, "",
              "jean dupont@free.fr", "noemail@free.fr"]
    assert statuses(email_status(pd.Series(values))) == [
        "valid", "valid",                        # upper case is fine
        "repairable", "repairable", "repairable",  # a stray space, mailto:, a comma for a dot
        "invalid", "invalid", "invalid", "invalid",  # no domain, no local part, '..', no suffix
        None, None,                              # missing
        # a space between two letters could be a dot, an underscore or nothing: the
        # standardisation cannot repair it (issue 18: the audit said repairable); a placeholder
        # is not the customer's address (the standardisation drops it)
        "invalid", "invalid"]


def test_phone_french_forms():
    values = ["06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78",
              "0033 6 12 34 56 78", "01 42 68 53 00", "0692 12 34 56",  # Réunion mobile
              "612345678", "33612345678",  # lost trunk zero, lost '+'
              "tel: 06 12 34 56 78",  # text around the number (issue 18: the audit said invalid)
              "00 00 00 00 00", "06 12 34 56", "0612345678 poste 3", "abc"]
    assert statuses(phone_status(pd.Series(values))) == [
        "valid"] * 7 + ["repairable"] * 3 + ["invalid"] * 4


def test_phone_international_goes_through_phonenumbers():
    values = ["+44 20 7946 0958", "+1 202 555 0143", "+49 30 901820", "+44 1"]
    got = statuses(phone_status(pd.Series(values)))
    def lib(value):
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(value, "FR"))
        except phonenumbers.NumberParseException:
            return False

    expected = ["valid" if lib(v) else "invalid" for v in values]
    assert got == expected
    assert got[0] == "valid" and got[3] == "invalid"


def test_phone_fast_path_agrees_with_phonenumbers_on_french_numbers():
    # 2,000 French national numbers over every prefix: the vectorised check must say exactly
    # what phonenumbers.is_valid_number says (region FR).
    rng = np.random.default_rng(0)
    numbers = ["0" + "".join(map(str, rng.integers(0, 10, 9))) for _ in range(2000)]
    got = phone_status(pd.Series(numbers)).tolist()

    def valid_in(number, region):
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(number, region))
        except phonenumbers.NumberParseException:  # '00...' reads as an international prefix
            return False

    for number, status in zip(numbers, got):
        expected = any(valid_in(number, r) for r in ("FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF"))
        assert (status == "valid") == expected, number


def test_postcode():
    values = ["75011", "01000", "20000", "97110", "1000", "75 011", "75011.0", "00100", "9999",
              "750111", "ABCDE", "96000"]
    assert statuses(postcode_status(pd.Series(values))) == [
        "valid", "valid", "valid", "valid",         # Paris, Ain, Corsica (20), Guadeloupe
        "repairable", "repairable", "repairable",   # lost zero, a space, a float rendering
        "invalid", "repairable",                    # department 00; 9999 reads 09999
        "invalid", "invalid", "invalid"]            # six digits, letters, department 96


def test_dates_and_parse_dates():
    values = ["12/03/1985", "1/3/1985", "1985-03-12", "12-03-1985", "12.03.1985", "19850312",
              "1985-03-12 10:30:00", "1985-03-12T10:30", "12/03/85", "31/02/2020", "13/13/2020", "hier"]
    assert statuses(date_status(pd.Series(values))) == (
        ["valid"] * 8 + ["repairable"] + ["invalid"] * 3)
    parsed = parse_dates(pd.Series(values))
    # the two-digit year is read as the standardisation repairs it (issue 18: it was NaT)
    assert parsed.iloc[:9].dt.strftime("%Y-%m-%d").tolist() == [
        "1985-03-12", "1985-03-01", "1985-03-12", "1985-03-12", "1985-03-12", "1985-03-12",
        "1985-03-12", "1985-03-12", "1985-03-12"]
    assert parsed.iloc[9:].isna().all()


def test_birth_dates_plausible_against_today():
    values = ["12/03/1985", "01/01/1900", "01/01/1907", "02/01/1906", "01/01/2026", "02/01/2026", "x"]
    got = statuses(birth_date_status(pd.Series(values), today="2026-01-01"))
    # 1900 is more than 120 years before 2026-01-01 (lower bound 1906-01-01, inclusive);
    # 2026-01-02 is in the future.
    assert got == ["valid", "invalid", "valid", "valid", "valid", "invalid", "invalid"]


def test_luhn_and_business_ids():
    assert luhn_valid(pd.Series(["732829320", "732829321", "552100554"])).tolist() == [True, False, True]
    assert statuses(siren_status(pd.Series(["732829320", "732 829 320", "732829321", "12345674",
                                            "73282932", "ABC"]))) == [
        "valid", "valid", "invalid",
        "repairable",  # 012345674 passes once the lost zero is restored
        "invalid", "invalid"]
    assert statuses(siret_status(pd.Series(["73282932000074", "732 829 320 00074", "73282932000075",
                                            "35600000049837", "35600000049838"]))) == [
        "valid", "valid", "invalid",
        "valid",    # La Poste: digit sum 45, a multiple of 5 (its Luhn sum is not)
        "invalid"]  # La Poste, digit sum 46


def test_civility_names_numbers():
    assert statuses(civility_status(pd.Series(["M.", "Mme", "MLLE", "Monsieur", "M. et Mme",
                                               "Mr", "Dr", "Sir", "H"]))) == ["valid"] * 7 + ["invalid"] * 2
    assert statuses(name_status(pd.Series(["Dupont", "N'Diaye", "Le Gall", "Jean-Pierre", "Éloïse",
                                           "Dupont2", "?", "--"]))) == ["valid"] * 5 + ["invalid"] * 3
    assert parse_numbers(pd.Series(["1 234,5", "-3", "1e3", "12,5,1", None])).tolist()[:3] == [1234.5, -3.0, 1000.0]
    assert parse_numbers(pd.Series(["12,5,1", None])).isna().all()


def test_check_validity_dispatch_and_types_without_rule():
    assert statuses(check_validity(pd.Series(["oui", "peut-être"]), "boolean")) == ["valid", "invalid"]
    assert check_validity(pd.Series(["x"]), "street") is None
    assert check_validity(pd.Series(["x"]), "text") is None
    # an empty or all-missing column gives all-missing statuses, never an error
    assert check_validity(pd.Series([], dtype=object), "email").empty
    assert statuses(check_validity(pd.Series([None, " "]), "phone")) == [None, None]


def test_status_index_follows_input():
    series = pd.Series(["75011", None], index=[10, 20])
    assert postcode_status(series).index.tolist() == [10, 20]


@pytest.mark.parametrize("kind", ["email", "phone", "postcode", "date", "siren", "siret", "civility"])
def test_garbage_is_invalid_not_an_error(kind):
    out = check_validity(pd.Series(["%%%", "???", "\x00", "é" * 300]), kind)
    assert out.tolist() == ["invalid"] * 4


def test_distinct_values_codes_counts_and_shared_status():
    from rcu_kit.values.validity import DistinctValues, distinct_values

    d = distinct_values(pd.Series([" 75011", "1000", None, "75011 ", "  ", "1000", "x"]))
    # ' 75011' and '75011 ' are one value once stripped; None and the blank are missing (-1)
    assert d.values.tolist() == ["75011", "1000", "x"]
    assert d.codes.tolist() == [0, 1, -1, 0, -1, 1, 2]
    assert d.counts.tolist() == [2, 2, 1]
    assert isinstance(d, DistinctValues) and len(d) == 7
    # statuses per distinct value, computed once and reused (same array object)
    first = d.status("postcode")
    assert first.tolist() == ["valid", "repairable", "invalid"] and d.status("postcode") is first
    assert d.status("street") is None  # no rule for streets
    # check_validity accepts it and maps back to the rows
    assert statuses(check_validity(d, "postcode")) == ["valid", "repairable", None, "valid", None,
                                                       "repairable", "invalid"]


def test_yes_no_values_take_one_form_and_others_are_kept_for_the_check():
    from rcu_kit.values.validity import boolean_status, normalise_booleans

    values = pd.Series(["Oui", " non ", "TRUE", "0", "Y", "peut-être", None])
    assert normalise_booleans(values).tolist() == \
        ["true", "false", "true", "false", "true", "peut-être", None]
    # what stays unchanged is what the audit's check calls invalid
    assert boolean_status(pd.Series(["peut-être"])).tolist() == ["invalid"]
