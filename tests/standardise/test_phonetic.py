"""Tests for rcu_kit.standardise.phonetic (Phonex key, string form)."""

import pandas as pd
import pytest

from rcu_kit.standardise.phonetic import phonetic_key, phonetic_keys


@pytest.mark.parametrize("names, key", [
    # Each group is pronounced the same in French and must share one key.
    (["Lefèvre", "Lefebvre", "Lefeuvre", "LEFEVRE"], "LEFEFR"),   # BV/V -> F, EU -> E
    (["Dupont", "Dupond", "DUPONT"], "TUT1"),                    # final D = final T, ON -> 1
    (["Faure", "Fort"], "FOR"),                                   # AU -> O, final T and E mute
    (["Meyer", "Mayer", "Meier"], "NYR"),                         # EI/AI -> Y, ER -> YR
    (["Philippe", "Filipe", "Phillipe"], "FILIT"),                # PH -> F, P -> T
    (["Thibault", "Thibaut", "Thibaud"], "TIFO"),                 # final AULT/AUT/AUD -> O
    (["Schmitt", "Schmidt", "Chmit"], "5NI"),                     # SCH = CH -> 5
    (["LE GALL", "Legal", "Le-Gall"], "LEKOL"),                   # spaces and hyphens ignored
    (["N'DIAYE", "Ndiaye"], "NTIY"),                              # apostrophe ignored
    (["Michel", "Michèle", "Michelle"], "NI5EL"),
    (["Catherine", "Katherine"], "KOTYRIN"),
    (["Henri", "Henry"], "1RI"),                                  # leading H mute, Y -> I
    (["Marie", "Mary"], "NORI"),
])
def test_french_homophones_share_a_key(names, key):
    assert [phonetic_key(n) for n in names] == [key] * len(names)


def test_different_names_keep_different_keys():
    names = ["Martin", "Bernard", "Dubois", "Durand", "Moreau", "Petit", "Jean", "Jeanne"]
    keys = [phonetic_key(n) for n in names]
    assert keys == ["NORT4", "FYRNOR", "TUF2", "TUR1", "NORO", "TYTI", "GE1", "GE1N"]
    assert len(set(keys)) == len(names)


def test_ligatures_and_eszett_are_transliterated():
    # œ -> OE -> E; ß -> SS -> S (the S is not final: the mute E follows it)
    assert phonetic_key("Lœuvre") == phonetic_key("Leuvre") == "LEFR"
    assert phonetic_key("Straße") == phonetic_key("Strasse") == "STROS"


def test_blank_and_missing_give_na():
    assert phonetic_key("") is None
    assert phonetic_key("---") is None
    assert phonetic_key(None) is None


def test_vectorised_index_and_order():
    out = phonetic_keys(pd.Series(["Dupond", None, "Dupont"], index=["a", "b", "c"]))
    assert out.index.tolist() == ["a", "b", "c"]
    assert out.tolist() == ["TUT1", pd.NA, "TUT1"]
