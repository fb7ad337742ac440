"""Tests for rcu_kit.values.text (the plumbing every standardiser relies on)."""

import numpy as np
import pandas as pd

from rcu_kit.values.text import TEXT, as_text, blank_to_na, choose, extract, \
    fold_ascii_upper, map_values, on_unique, regex_replace


def test_as_text_handles_what_readers_produce():
    raw = pd.Series([" a ", "", "   ", None, np.nan, 1000, 1000.5], index=list("abcdefg"))
    out = as_text(raw)
    assert out.dtype == TEXT and out.index.tolist() == list("abcdefg")
    # blanks and every kind of missing value become <NA>; numbers become their text
    assert out.tolist() == ["a", pd.NA, pd.NA, pd.NA, pd.NA, "1000", "1000.5"]
    dates = as_text(pd.Series(pd.to_datetime(["1985-02-03", None])))
    assert dates.tolist() == ["1985-02-03", pd.NA]


def test_fold_ascii_upper_accents_ligatures_and_spaces():
    raw = pd.Series(["Élodie  Lœuf", "straße", "Æsa", "N’Diaye", "ÇA", None, " "])
    assert fold_ascii_upper(raw).tolist() == ["ELODIE LOEUF", "STRASSE", "AESA", "N'DIAYE",
                                              "CA", pd.NA, pd.NA]


def test_on_unique_computes_once_per_distinct_value_and_maps_back():
    calls = []

    def upper(uniques: pd.Series) -> pd.Series:
        calls.append(len(uniques))
        return uniques.str.upper()

    values = as_text(pd.Series(["a", None, "b", "a", "a"], index=[5, 4, 3, 2, 1]))
    out = on_unique(values, upper)
    assert calls == [2]                                 # "a" and "b", once each
    assert out.index.tolist() == [5, 4, 3, 2, 1]
    assert out.tolist() == ["A", pd.NA, "B", "A", "A"]


def test_on_unique_frames_and_booleans():
    values = as_text(pd.Series(["x", "y", None, "x"]))
    out = on_unique(values, lambda u: pd.DataFrame({"v": u + "!", "is_x": (u == "x").astype(bool)}))
    assert out["v"].tolist() == ["x!", "y!", pd.NA, "x!"]
    assert out["is_x"].tolist() == [True, False, pd.NA, True]


def test_regex_extract_choose_and_lookups_stay_in_arrow():
    text = as_text(pd.Series(["12B RUE", "RUE", None]))
    assert regex_replace(text, r"^(\d+)B ", r"\1 BIS ").tolist() == ["12 BIS RUE", "RUE", pd.NA]
    parts = extract(text, r"^(?P<n>\d+)(?P<s>B)? ?(?P<rest>.*)$")
    assert parts["n"].tolist() == ["12", pd.NA, pd.NA]
    assert parts["rest"].tolist() == ["RUE", pd.NA, pd.NA]
    assert choose(parts["n"].notna(), parts["n"], "none").tolist() == ["12", "none", "none"]
    assert map_values(as_text(pd.Series(["R", "AV", None])), {"AV": "AVENUE"}).tolist() == \
        [pd.NA, "AVENUE", pd.NA]
    assert blank_to_na(as_text(pd.Series(["x"])).str.replace("x", "")).tolist() == [pd.NA]
