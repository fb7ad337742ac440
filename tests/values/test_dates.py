"""Tests for rcu_kit.values.dates."""

import datetime as dt

import pandas as pd
import pytest

from rcu_kit.values.dates import normalise_date, normalise_dates, standardise_dates

TODAY = dt.date(2024, 6, 1)


@pytest.mark.parametrize("raw", [
    "03/02/1985", "3/2/1985", "03-02-1985", "03.02.1985", "3/2/85", "1985-02-03", "1985/02/03",
    "1985-02-03T10:15:00", "1985-02-03T10:15:00Z", "1985-02-03 00:00:00", "19850203",
    "19850203.0", "3 février 1985", "3 FEVRIER 1985", pd.Timestamp("1985-02-03"),
])
def test_every_format_gives_iso(raw):
    assert normalise_date(raw, today=TODAY) == "1985-02-03"


def test_two_digit_years_pick_the_latest_century_not_in_the_future():
    assert normalise_date("3/2/24", today=TODAY) == "2024-02-03"   # 2024 is not in the future
    assert normalise_date("3/2/25", today=TODAY) == "1925-02-03"   # 2025 would be


@pytest.mark.parametrize("raw", [
    "31/02/1985",   # no 31 February
    "29/02/1985",   # 1985 is not a leap year
    "01/01/1900",   # the placeholder
    "1900-01-01",
    "31/12/1899",   # before 1900
    "02/06/2024",   # tomorrow
    "12/31/1985",   # month first: not guessed
    "1985", "bientôt", "", None,
])
def test_impossible_or_implausible_dates_are_na(raw):
    assert normalise_date(raw, today=TODAY) is None


@pytest.mark.parametrize("raw, as_read", [
    ("13/00/1949", "1949-00-13"),   # month 0
    ("64/12/2001", "2001-12-64"),   # day 64
    ("1072-05-16", "1072-05-16"),   # a year slip, too old for a living customer
    ("14/10/9185", "9185-10-14"),   # a year slip, in the future
    ("31/02/1985", "1985-02-31"),   # no 31 February: the day is out of place
    ("00/00/0000", None),           # three parts out of place: no slip, nothing read
    ("45/13/1985", None),           # day and month out of place
    ("01/01/1900", None),           # placeholders
    ("31/12/9999", None),
    ("11/11/1111", None),
    ("12/31/1985", "1985-31-12"),   # month first: read as month 31, one part out of place
])
def test_an_invalid_date_keeps_its_parts_as_read_when_one_part_only_is_out_of_place(raw, as_read):
    out = standardise_dates(pd.Series([raw]), kind="birth", today=TODAY)
    assert out["date"].isna().all()
    assert (None if out["as_read"].isna().all() else out["as_read"].iloc[0]) == as_read


@pytest.mark.parametrize("raw", ["01/01/1753", "30/12/1899", "01/01/1800", "31/12/2999"])
def test_system_placeholders_are_not_kept_as_read(raw):
    out = standardise_dates(pd.Series([raw]), kind="birth", today=TODAY)
    assert out["date"].isna().all() and out["as_read"].isna().all()


def test_a_valid_or_unreadable_date_has_nothing_as_read():
    out = standardise_dates(pd.Series(["03/02/1985", "bientôt", None, "1985"]), today=TODAY)
    assert out["date"].tolist()[0] == "1985-02-03"
    assert out["as_read"].isna().all()


def test_birth_dates_older_than_120_years_are_na_but_events_are_kept():
    # 1903-06-15 is 120 years and 11 months before TODAY: too old for a living customer...
    assert normalise_date("15/06/1903", kind="birth", today=TODAY) is None
    # ...but a plausible event date; 1904-06-02 is just under 120 years before TODAY.
    assert normalise_date("15/06/1903", kind="event", today=TODAY) == "1903-06-15"
    assert normalise_date("02/06/1904", kind="birth", today=TODAY) == "1904-06-02"
    assert normalise_date("29/02/2000", today=TODAY) == "2000-02-29"


def test_vectorised_keeps_order_and_datetime_columns():
    raw = pd.Series(["01/01/1900", "03/02/1985", None, "03/02/1985"], index=[5, 6, 7, 8])
    assert normalise_dates(raw, today=TODAY).tolist() == [pd.NA, "1985-02-03", pd.NA, "1985-02-03"]
    stamps = pd.Series(pd.to_datetime(["1985-02-03", None]))
    assert normalise_dates(stamps, today=TODAY).tolist() == ["1985-02-03", pd.NA]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be 'birth', 'event' or 'any'"):
        normalise_dates(pd.Series(["03/02/1985"]), kind="death")


def test_spreadsheet_serial_numbers():
    # Day 31081 after 1899-12-30 is 1985-02-03 (Excel/LibreOffice count); 36585.0 is 2000-02-29.
    assert normalise_date("31081", today=TODAY) == "1985-02-03"
    assert normalise_date(31081, today=TODAY) == "1985-02-03"
    assert normalise_date("36585.0", today=TODAY) == "2000-02-29"
    # 60000 is in 2064: in the future, so NA.
    assert normalise_date("60000", today=TODAY) is None
