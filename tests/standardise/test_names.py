"""Tests for rcu_kit.standardise.names."""

import pandas as pd
import pytest

from rcu_kit.standardise.names import detect_swapped_names, first_name_weights, \
    normalise_first_name, normalise_first_names, normalise_name, normalise_names, parse_name, \
    split_full_name, split_full_names

# A hand-made first-name list (name -> weight) so that the tests do not depend on the packaged one.
FIRST = {"JEAN": 1900.0, "PIERRE": 900.0, "MARIE": 2000.0, "CLAIRE": 300.0, "JEANNE": 400.0,
         "MARTIN": 20.0, "AMADOU": 10.0, "YANN": 50.0, "JEAN PIERRE": 500.0, "DENISE": 300.0}
LAST = {"DUPONT", "MARTIN", "FONTAINE"}


@pytest.mark.parametrize("raw, expected", [
    ("Dupont", "DUPONT"),
    ("  dupont  ", "DUPONT"),
    ("Lefèvre", "LEFEVRE"),
    ("Lœuf", "LOEUF"),                  # œ ligature
    ("Æbischer", "AEBISCHER"),          # æ ligature
    ("Straße", "STRASSE"),              # German sharp s
    ("N'DIAYE", "N DIAYE"),
    ("N’Diaye", "N DIAYE"),             # curly apostrophe
    ("LE GALL", "LE GALL"),
    ("Le-Gall", "LE GALL"),
    ("de la Fontaine", "DE LA FONTAINE"),
    ("D'Artagnan", "D ARTAGNAN"),
    ("Martin-Dupont", "MARTIN DUPONT"),
    ("M. DUPONT", "DUPONT"),
    ("MME DUPONT", "DUPONT"),
    ("Mademoiselle Dupont", "DUPONT"),
    ("DUPONT 2", "DUPONT"),             # digits are noise
    ("XXX", None), ("Inconnu", None), ("NC", None), ("", None), (None, None),
])
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize("raw, last, birth, civility", [
    ("Mme DUPONT épouse MARTIN", "MARTIN", "DUPONT", "MME"),   # born DUPONT, uses MARTIN
    ("DUPONT ep. MARTIN", "MARTIN", "DUPONT", None),
    ("DUPONT EPSE MARTIN", "MARTIN", "DUPONT", None),
    ("Dupont veuve Martin", "MARTIN", "DUPONT", None),
    ("MARTIN née DUPONT", "MARTIN", "DUPONT", None),
    ("MARTIN NEE DUPONT", "MARTIN", "DUPONT", None),
    ("M. LE GALL", "LE GALL", None, "M"),
])
def test_parse_name_extracts_birth_name_and_civility(raw, last, birth, civility):
    assert parse_name(raw) == {"last_name": last, "birth_name": birth, "civility": civility}


def test_name_is_not_cut_on_a_name_containing_a_marker():
    # "NEEL" and "DEPOUSE" contain NEE / EPOUSE but are not the words themselves.
    assert normalise_name("NEEL") == "NEEL"
    assert parse_name("DEPOUSE") == {"last_name": "DEPOUSE", "birth_name": None, "civility": None}


@pytest.mark.parametrize("raw", ["Jean-Pierre", "Jean Pierre", "JEAN PIERRE", "jean-pierre",
                                 " Jean  -  Pierre ", "M. Jean-Pierre"])
def test_compound_first_names(raw):
    assert normalise_first_name(raw) == "JEAN PIERRE"


def test_first_names_with_accents_and_diaereses():
    out = normalise_first_names(pd.Series(["Hélène", "Zoë", "Anaïs", "François", None]))
    assert out.tolist() == ["HELENE", "ZOE", "ANAIS", "FRANCOIS", pd.NA]


@pytest.mark.parametrize("raw, last, first", [
    ("DUPONT Jean", "DUPONT", "JEAN"),                          # case cue: NOM Prénom
    ("Jean DUPONT", "DUPONT", "JEAN"),                          # case cue: Prénom NOM
    ("Jean Dupont", "DUPONT", "JEAN"),                          # list: JEAN is a first name
    ("JEAN DUPONT", "DUPONT", "JEAN"),
    ("DUPONT JEAN", "DUPONT", "JEAN"),
    ("DE LA FONTAINE Marie-Claire", "DE LA FONTAINE", "MARIE CLAIRE"),
    ("Marie de la Fontaine", "DE LA FONTAINE", "MARIE"),        # particles go with the name
    ("Mme DUPONT Jeanne", "DUPONT", "JEANNE"),
    ("DUPONT JEAN PIERRE", "DUPONT", "JEAN PIERRE"),            # compound first name kept whole
    ("PIERRE MARTIN", "MARTIN", "PIERRE"),                      # both known: PIERRE weighs more
    ("MARTIN PIERRE", "MARTIN", "PIERRE"),
    ("DUPONT, Jean", "DUPONT", "JEAN"),                         # comma separates NOM, Prénom
    ("KOWALSKI ZBIGNIEW", "KOWALSKI", "ZBIGNIEW"),              # nothing known: NOM Prénom
    ("N'DIAYE Amadou", "N DIAYE", "AMADOU"),
    ("Dupont", "DUPONT", None),
    ("", None, None),
])
def test_split_full_name(raw, last, first):
    assert split_full_name(raw, first_names=FIRST) == (last, first)


def test_split_full_names_returns_birth_name_and_civility():
    out = split_full_names(pd.Series(["Mme Jeanne MARTIN née DUPONT", "Jeanne DUPONT épouse MARTIN",
                                      None]), first_names=FIRST)
    assert out["last_name"].tolist() == ["MARTIN", "MARTIN", pd.NA]
    assert out["first_name"].tolist() == ["JEANNE", "JEANNE", pd.NA]
    assert out["birth_name"].tolist() == ["DUPONT", "DUPONT", pd.NA]
    assert out["civility"].tolist() == ["MME", pd.NA, pd.NA]


def test_detect_swapped_names():
    index = list("abcdefgh")
    last = pd.Series(["JEAN", "DUPONT", "MARTIN", "PIERRE", None, "JEAN PIERRE", "DENISE", "MARTIN"],
                     index=index)
    first = pd.Series(["DUPONT", "JEAN", "KYLIAN", "JEAN", "DUPONT", "FONTAINE", "MARTIN", "DENISE"],
                      index=index)
    out = detect_swapped_names(last, first, known_first=FIRST, known_last=LAST)
    # a: JEAN is a first name, DUPONT a known last name -> swapped back.
    # b: already right. c: KYLIAN is unknown but MARTIN is a known last name -> left alone.
    # d: both are first names, neither a known last name -> left alone.
    # e: missing last name -> nothing to swap.
    # f: compound first name in the last-name field, FONTAINE a known last name -> swapped.
    # g: both are first names but only MARTIN is also a known last name -> swapped.
    # h: the same pair the right way round -> left alone.
    assert out["name_swapped"].tolist() == [True, False, False, False, False, True, True, False]
    assert out["last_name"].tolist() == ["DUPONT", "DUPONT", "MARTIN", "PIERRE", pd.NA, "FONTAINE",
                                         "MARTIN", "MARTIN"]
    assert out["first_name"].tolist() == ["JEAN", "JEAN", "KYLIAN", "JEAN", "DUPONT",
                                          "JEAN PIERRE", "DENISE", "DENISE"]
    assert out.index.tolist() == index


def test_packaged_first_name_list_is_folded():
    weights = first_name_weights()
    assert "JEAN PIERRE" in weights and "HELENE" in weights
    assert all(name == name.upper() and "-" not in name for name in weights)


def test_vectorised_last_names_keep_index():
    out = normalise_names(pd.Series(["le gall", None, "LE-GALL"], index=[9, 8, 7]))
    assert out.index.tolist() == [9, 8, 7]
    assert out.tolist() == ["LE GALL", pd.NA, "LE GALL"]


def test_birth_name_field_starting_with_nee():
    assert parse_name("née Dupont") == {"last_name": "DUPONT", "birth_name": None, "civility": None}
