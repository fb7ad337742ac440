"""Tests for rcu_kit.standardise.countries."""

import pandas as pd

from rcu_kit.standardise.countries import normalise_countries, normalise_country


def test_france_in_every_usual_spelling():
    for raw in ["France", "FRANCE", "france ", "FR", "fr", "FRA", "France métropolitaine"]:
        assert normalise_country(raw) == "FR", raw


def test_neighbours_in_french_english_and_their_own_language():
    assert normalise_country("Belgique") == "BE"
    assert normalise_country("België") == "BE"
    assert normalise_country("Royaume-Uni") == "GB"
    assert normalise_country("UK") == "GB"
    assert normalise_country("Suisse") == "CH"
    assert normalise_country("Deutschland") == "DE"
    assert normalise_country("Côte d'Ivoire") == "CI"
    assert normalise_country("La Réunion") == "RE"


def test_no_default_and_placeholders_are_na():
    # NC = "non communiqué" here, not New Caledonia; nothing becomes FR by default.
    for raw in ["", None, "NC", "NA", "?", "Atlantide", "Europe"]:
        assert normalise_country(raw) is None, raw


def test_vectorised_order():
    out = normalise_countries(pd.Series(["Italie", None, "ESP"], index=[2, 0, 1]))
    assert out.tolist() == ["IT", pd.NA, "ES"]
    assert out.index.tolist() == [2, 0, 1]
