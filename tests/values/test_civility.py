"""Tests for rcu_kit.values.civility."""

import pandas as pd

from rcu_kit.values.civility import normalise_civilities, normalise_civility


def test_every_spelling_of_mister_is_m():
    for raw in ["M", "M.", "m.", "Mr", "MR.", "Monsieur", "MONSIEUR", " monsieur "]:
        assert normalise_civility(raw) == "M", raw


def test_every_spelling_of_madam_and_miss_is_mme():
    # Mlle/Mademoiselle count as MME: same person before and after marriage.
    for raw in ["Mme", "MME", "Mme.", "Madame", "MADAME", "Mlle", "Melle", "Mademoiselle", "Mrs"]:
        assert normalise_civility(raw) == "MME", raw


def test_couples_titles_and_blanks_are_na():
    for raw in ["M. et Mme", "MM", "Dr", "Me", "1", "", "   ", None, float("nan")]:
        assert normalise_civility(raw) is None, raw


def test_vectorised_keeps_index_and_order():
    values = pd.Series(["Mme", None, "m.", "Docteur", "Mme"], index=[10, 11, 12, 13, 14])
    out = normalise_civilities(values)
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    assert out.tolist() == ["MME", pd.NA, "M", pd.NA, "MME"]
