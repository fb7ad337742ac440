"""Tests for rcu_kit.values.civility."""

import pandas as pd

from rcu_kit.values.civility import civility_status, normalise_civilities, normalise_civility, \
    sexed_civilities, sexed_civility


def test_every_spelling_of_mister_is_m():
    for raw in ["M", "M.", "m.", "Mr", "MR.", "Monsieur", "MONSIEUR", " monsieur ", "Mister"]:
        assert normalise_civility(raw) == "M", raw
        assert sexed_civility(raw) == "M", raw


def test_every_spelling_of_madam_and_miss_is_mme():
    # Mlle/Mademoiselle count as MME: same person before and after marriage.
    for raw in ["Mme", "MME", "Mme.", "Madame", "MADAME", "Mlle", "Melle", "Mademoiselle", "Mrs"]:
        assert normalise_civility(raw) == "MME", raw
        assert sexed_civility(raw) == "MME", raw


def test_couples_and_titles_are_recognised_but_not_sexed():
    # The audit counts them valid (issue 18): normalised, but matching learns no sex from them.
    expected = {"M. et Mme": "M ET MME", "M/Mme": "M ET MME", "MM": "MM", "Messieurs": "MM",
                "Mesdames": "MMES", "Dr": "DR", "Docteur": "DR", "Me": "ME", "Maître": "ME",
                "Pr.": "PR"}
    for raw, canonical in expected.items():
        assert normalise_civility(raw) == canonical, raw
        assert sexed_civility(raw) is None, raw


def test_unknown_and_blanks_are_na():
    for raw in ["Sir", "H", "1", "", "   ", None, float("nan")]:
        assert normalise_civility(raw) is None, raw


def test_vectorised_keeps_index_and_order():
    values = pd.Series(["Mme", None, "m.", "Docteur", "Mme"], index=[10, 11, 12, 13, 14])
    out = normalise_civilities(values)
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    assert out.tolist() == ["MME", pd.NA, "M", "DR", "MME"]
    assert sexed_civilities(values).tolist() == ["MME", pd.NA, "M", pd.NA, "MME"]


def test_status_and_scalar_follow_the_vectorised_rule():
    values = ["M.", "Mlle", "Dr", "M et Mme", "Sir", "H", "Mme", "Maître", None]
    assert civility_status(pd.Series(values)).tolist() == ["valid"] * 4 + ["invalid"] * 2 + [
        "valid", "valid", pd.NA]
    vectorised = normalise_civilities(pd.Series(values)).tolist()
    assert [normalise_civility(v) for v in values] == [None if v is pd.NA else v for v in vectorised]
