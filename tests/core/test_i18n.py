"""Tests of rcu_kit.core.i18n: labels, and numbers formatted for client text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rcu_kit.core.i18n import fmt_date, fmt_number, fmt_percent, plotly_percent, plotly_separators, t


def test_t_reads_the_topic_files():
    assert t("common.source", "fr") == "Source"
    with pytest.raises(ValueError, match="language must be one of"):
        t("common.source", "de")


def test_fmt_number_decimal_comma_in_french():
    # 12.63 rounded to one decimal is 12.6; French writes it with a comma
    assert fmt_number(12.63, "fr", 1) == "12,6"
    assert fmt_number(12.63, "en", 1) == "12.6"
    # sign=True: "+2,0" for a contribution of 2
    assert fmt_number(2, "fr", 1, sign=True) == "+2,0"
    assert fmt_number(-1.25, "en", 1, sign=True) == "-1.2"  # round half to even: -1.2
    # thousands: narrow no-break space in French, comma in English
    assert fmt_number(1234567, "fr") == "1\u202f234\u202f567"
    assert fmt_number(1234567, "en") == "1,234,567"
    # a value that rounds to zero is never "-0,0"
    assert fmt_number(-0.04, "fr", 1) == "0,0"
    with pytest.raises(ValueError, match="language must be one of"):
        fmt_number(1, "de")


def test_fmt_percent():
    # 0.08 -> 8 %, with a no-break space before % in French
    assert fmt_percent(0.08, "fr") == "8\u00a0%"
    assert fmt_percent(0.08, "en") == "8%"
    assert fmt_percent(0.3333, "fr", 1) == "33,3\u00a0%"


def test_missing_figures_read_not_available():
    # a rate that could not be measured (no validity rule, no value) is None, NaN or pd.NA
    for missing in (None, float("nan"), np.nan, pd.NA):
        assert fmt_percent(missing, "fr") == "n.d." and fmt_percent(missing, "en") == "n/a"
        assert fmt_number(missing, "fr", 1) == "n.d." and fmt_number(missing, "en") == "n/a"


def test_plotly_separators_decimal_then_thousands():
    # plotly reads the first character as the decimal mark, the second as the thousands one
    assert plotly_separators("fr") == ", "
    assert plotly_separators("en") == ".,"
    with pytest.raises(ValueError, match="language must be one of"):
        plotly_separators("de")


def test_fmt_date_day_first_in_french_iso_in_english():
    assert fmt_date("2026-01-31", "fr") == "31/01/2026"
    assert fmt_date(pd.Timestamp("2026-01-31 10:00"), "en") == "2026-01-31"
    assert (fmt_date(None, "fr"), fmt_date(pd.NaT, "en")) == ("n.d.", "n/a")


def test_plotly_percent_reads_like_fmt_percent():
    # the number comes from plotly (its separators set by plotly_separators); the sign is placed
    # as fmt_percent places it: no-break space before % in French, none in English
    assert plotly_percent("z:.1f", "fr") == "%{z:.1f}\u00a0%"
    assert plotly_percent("x:.1f", "en") == "%{x:.1f}%"
