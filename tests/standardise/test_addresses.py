"""Tests for rcu_kit.standardise.addresses."""

import pandas as pd
import pytest

from rcu_kit.standardise.addresses import normalise_cities, normalise_city, parse_street, \
    parse_streets, split_postcode_city


@pytest.mark.parametrize("raw, street, number, suffix, name", [
    ("12 bis av. des Lilas", "12 BIS AVENUE DES LILAS", "12", "BIS", "AVENUE DES LILAS"),
    ("12B av des lilas", "12 BIS AVENUE DES LILAS", "12", "BIS", "AVENUE DES LILAS"),
    ("12 b, Avenue des Lilas", "12 BIS AVENUE DES LILAS", "12", "BIS", "AVENUE DES LILAS"),
    ("3 r. Victor Hugo", "3 RUE VICTOR HUGO", "3", None, "RUE VICTOR HUGO"),
    ("4 T bd du Gal Leclerc", "4 TER BOULEVARD DU GENERAL LECLERC", "4", "TER",
     "BOULEVARD DU GENERAL LECLERC"),
    ("7 quater chem. de la Forêt", "7 QUATER CHEMIN DE LA FORET", "7", "QUATER",
     "CHEMIN DE LA FORET"),
    ("12-14 rue de la Paix", "12 RUE DE LA PAIX", "12", None, "RUE DE LA PAIX"),
    ("0012 allée des Pins", "12 ALLEE DES PINS", "12", None, "ALLEE DES PINS"),
    ("5 pl. St-Michel", "5 PLACE SAINT MICHEL", "5", None, "PLACE SAINT MICHEL"),
    ("8 imp. de l'Église", "8 IMPASSE DE L EGLISE", "8", None, "IMPASSE DE L EGLISE"),
    ("1 BD VOLTAIRE", "1 BOULEVARD VOLTAIRE", "1", None, "BOULEVARD VOLTAIRE"),
    ("rte de Lyon", "ROUTE DE LYON", None, None, "ROUTE DE LYON"),
    ("2 fbg St Antoine", "2 FAUBOURG SAINT ANTOINE", "2", None, "FAUBOURG SAINT ANTOINE"),
    ("Lieu-dit Les Granges", "LIEU DIT LES GRANGES", None, None, "LIEU DIT LES GRANGES"),
    ("9 RES les Tilleuls", "9 RESIDENCE LES TILLEULS", "9", None, "RESIDENCE LES TILLEULS"),
    ("6 sq. Mozart", "6 SQUARE MOZART", "6", None, "SQUARE MOZART"),
    ("11 qu. de Bercy", "11 QUAI DE BERCY", "11", None, "QUAI DE BERCY"),
])
def test_street_lines(raw, street, number, suffix, name):
    assert parse_street(raw) == {"street": street, "street_number": number,
                                 "street_number_suffix": suffix, "street_name": name}


def test_street_type_only_expanded_in_first_position():
    # "R" inside a name is not "RUE"; only the leading type word is a street type.
    assert parse_street("10 rue R Schuman")["street_name"] == "RUE R SCHUMAN"


def test_blank_street_is_all_na():
    assert parse_street("  ") == {"street": None, "street_number": None,
                                  "street_number_suffix": None, "street_name": None}


def test_vectorised_streets_keep_rows():
    out = parse_streets(pd.Series([None, "3 r. Victor Hugo", "3 R VICTOR HUGO"], index=[7, 8, 9]))
    assert out.index.tolist() == [7, 8, 9]
    assert out["street"].tolist() == [pd.NA, "3 RUE VICTOR HUGO", "3 RUE VICTOR HUGO"]


@pytest.mark.parametrize("raw, city", [
    ("Saint-Étienne", "SAINT ETIENNE"),
    ("ST ETIENNE CEDEX 2", "SAINT ETIENNE"),
    ("Ste-Foy-lès-Lyon", "SAINTE FOY LES LYON"),
    ("L'Haÿ-les-Roses", "L HAY LES ROSES"),
    ("PARIS CEDEX 08", "PARIS"),
    ("Paris 15e", "PARIS"),
    ("Lyon 3ème", "LYON"),
    ("75001 PARIS CEDEX 01", "PARIS"),
    ("", None),
])
def test_cities(raw, city):
    assert normalise_city(raw) == city


def test_postcode_and_city_in_one_field():
    out = split_postcode_city(pd.Series(["75001 PARIS CEDEX 01", "Bourg-en-Bresse 01000", "Lyon"]))
    assert out["postcode"].tolist() == ["75001", "01000", pd.NA]
    assert out["city"].tolist() == ["PARIS", "BOURG EN BRESSE", "LYON"]
    assert normalise_cities(pd.Series([None])).tolist() == [pd.NA]
