"""Semantic type detection: column names (French / English) confirmed by the values."""

import json

import pandas as pd
import pytest

from rcu_kit.core.wording import word, word_column
from rcu_kit.values.semantic_types import SEMANTIC_TYPES, detect_semantic_types, name_hint, normalise_name


@pytest.mark.parametrize("column, expected", [
    ("nom", "last_name"), ("NOM", "last_name"), ("Prénom", "first_name"), ("prenom", "first_name"),
    ("nom_prenom", "full_name"), ("customer_name", "full_name"), ("lastName", "last_name"),
    ("tel", "phone"), ("portable", "phone"), ("telephone_fixe", "phone"), ("mobile", "phone"),
    ("cp", "postcode"), ("code_postal", "postcode"), ("CodePostal", "postcode"), ("zip", "postcode"),
    ("courriel", "email"), ("mail", "email"), ("adresse_mail", "email"), ("E-mail", "email"),
    ("date_naiss", "birth_date"), ("Date de naissance", "birth_date"), ("dateNaissance", "birth_date"),
    ("date_creation", "date"), ("created_at", "date"), ("dt_maj", "date"),
    ("siret", "siret"), ("SIREN", "siren"), ("civilite", "civility"),
    ("adresse", "street"), ("adresse1", "street"), ("ville", "city"), ("pays", "country"),
    ("id_client", "id"), ("NUM_CARTE", "id"), ("contact_id", "id"),
    ("newsletter", "boolean"), ("montant_total", "number"), ("segment", "category"),
    ("commentaire", "text"), ("mailing", None), ("valid", None), ("foo", None),
    ("nom_naissance", "last_name"), ("nom_de_jeune_fille", "last_name"),  # birth name, not a date
])
def test_name_hint(column, expected):
    assert name_hint(column) == expected


def test_normalise_name():
    assert normalise_name("Date de Naissance") == "date_de_naissance"
    assert normalise_name("  N° Client ") == "n_client"
    assert normalise_name("telPortable") == "tel_portable"


def detect(frame, overrides=None):
    table = detect_semantic_types(frame, overrides, today="2026-01-01")
    return {r.column: (r.semantic_type, r.confidence, r.method) for r in table.itertuples()}


def test_name_confirmed_by_values():
    frame = pd.DataFrame({
        "tel": ["0612345678", "06 11 22 33 44", "0147000000", "xx"],  # 3 of 4 fit
        "courriel": ["a@b.fr", "c@d.fr", "e@f.fr", "g@h.fr"],          # 4 of 4
    })
    got = detect(frame)
    # confidence = 0.6 + 0.4 x match rate: 0.6 + 0.4 x 0.75 = 0.9; 0.6 + 0.4 x 1 = 1.0
    assert got["tel"] == ("phone", 0.9, "name+values")
    assert got["courriel"] == ("email", 1.0, "name+values")


def test_values_contradict_the_name():
    # 'email_optin' says e-mail, the values are yes/no flags: the values win (0.7 x 1.0)
    frame = pd.DataFrame({"email_optin": ["oui", "non", "oui", "non"]})
    assert detect(frame)["email_optin"] == ("boolean", 0.7, "values")


def test_values_alone_reveal_the_type():
    frame = pd.DataFrame({"col1": ["75011", "69003", "13001"], "col2": ["a@b.fr", "jo@y.com", "z@w.fr"],
                          "col3": ["12/03/1985", "01/01/2000", "31/12/1999"]})
    got = detect(frame)
    # values only: confidence 0.8 x match rate (1.0)
    assert got == {"col1": ("postcode", 0.8, "values"), "col2": ("email", 0.8, "values"),
                   "col3": ("date", 0.8, "values")}


def test_garbage_dates_keep_the_name_with_low_confidence():
    frame = pd.DataFrame({"date_naiss": ["hier", "?", "n/a", "inconnu"]})
    table = detect_semantic_types(frame, today="2026-01-01")
    row = table.iloc[0]
    # nothing fits any type: the name stands, confidence 0.3 + 0.2 x 0 = 0.3, and the reason says so
    assert (row.semantic_type, row.confidence, row.method) == ("birth_date", 0.3, "name")
    assert (row.reason_code, json.loads(row.reason_params)) == ("type_name_check",
                                                                {"hint": "birth_date", "rate": 0.0})
    assert word(row.reason_code, row.reason_params, "en") == \
        "column name suggests birth_date but only 0% of sampled values fit: check this column"


def test_empty_column_and_empty_frame():
    frame = pd.DataFrame({"cp": [None, None], "zz": [None, ""]})
    got = detect(frame)
    assert got["cp"] == ("postcode", 0.5, "name")
    assert got["zz"] == ("text", 0.0, "fallback")
    empty = detect_semantic_types(pd.DataFrame({"nom": pd.Series([], dtype=object)}))
    assert empty[["column", "semantic_type", "method"]].values.tolist() == [["nom", "last_name", "name"]]


def test_categories_and_free_text():
    frame = pd.DataFrame({"x": ["A", "B", "A", "C"] * 10,
                          "y": [f"texte libre numéro {i} !" for i in range(40)]})
    got = detect(frame)
    assert got["x"] == ("category", 0.5, "values")  # 3 distinct values in 40
    assert got["y"] == ("text", 0.3, "fallback")


def test_override_wins_and_is_checked():
    frame = pd.DataFrame({"tel_fixe": ["x"], "code": ["A1"]})
    got = detect(frame, {"code": "category"})
    assert got["code"] == ("category", 1.0, "override")
    with pytest.raises(ValueError, match=r"column 'nope' is not in the extract; its columns are: tel_fixe, code"):
        detect_semantic_types(frame, {"nope": "phone"})
    with pytest.raises(ValueError, match=r"semantic_types.code: unknown semantic type 'telephone'; allowed: email"):
        detect_semantic_types(frame, {"code": "telephone"})


def test_table_columns_and_types_list():
    table = detect_semantic_types(pd.DataFrame({"nom": ["Dupont"]}))
    assert table.columns.tolist() == ["column", "semantic_type", "confidence", "method", "reason_code",
                                      "reason_params", "name_suggestion", "value_match_rate"]
    assert set(table["semantic_type"]) <= set(SEMANTIC_TYPES)


def test_deterministic_given_seed():
    frame = pd.DataFrame({"v": [f"{i:05d}" for i in range(10000)]})
    a = detect_semantic_types(frame, seed=1, sample_size=100)
    b = detect_semantic_types(frame, seed=1, sample_size=100)
    assert a.equals(b)


def test_reasons_in_french():
    frame = pd.DataFrame({"date_naiss": ["hier", "?"], "tel": ["0612345678", "0611223344"],
                          "x": ["a@b.fr", "c@d.fr"]})
    table = detect_semantic_types(frame, today="2026-01-01")
    # the table holds codes and rates: no date parses (0 %); both phones valid (100 %); both
    # values of x are e-mails (100 %)
    assert table["reason_code"].tolist() == ["type_name_check", "type_name_values", "type_values"]
    assert [json.loads(p) for p in table["reason_params"]] == [
        {"hint": "birth_date", "rate": 0.0}, {"hint": "phone", "rate": 1.0},
        {"rate": 1.0, "kind": "email"}]
    # worded in French at display time, with a no-break space before %
    reasons = word_column(table["reason_code"], table["reason_params"], "fr").tolist()
    assert reasons == [
        "le nom de colonne suggère birth_date mais seulement 0\u00a0% des valeurs échantillonnées sont "
        "conformes : vérifier cette colonne",
        "le nom de colonne suggère phone ; 100\u00a0% des valeurs échantillonnées sont conformes",
        "100\u00a0% des valeurs échantillonnées ressemblent à email"]
    overridden = detect_semantic_types(frame, {"x": "text"})
    assert word(overridden["reason_code"].iat[2], overridden["reason_params"].iat[2], "fr") == \
        "fixé par le consultant dans l'engagement (semantic_types)"


def test_free_text_reason_with_its_optional_tail():
    names = ["Jean", "Marie", "Paul", "Anne", "Luc", "Zoé", "Léa", "Tom", "Eve", "Max", "Hugo", "Emma",
             "Louis"]
    # uninformative names; c1: 40 distinct notes with digits (not a category, not names);
    # c2: 40 distinct "first last" names (8 x 5), no name rule on the column name
    frame = pd.DataFrame({"c1": [f"appel {i} x{i * 7}" for i in range(40)],
                          "c2": [f"{a} {b}" for a in names[:8] for b in names[8:]]})
    table = detect_semantic_types(frame).set_index("column")
    assert table["reason_code"].tolist() == ["type_text", "type_text_names"]
    assert table.loc["c2", "reason_params"] == '{"rate": 1.0}'
    words = {c: word(table.loc[c, "reason_code"], table.loc[c, "reason_params"], "en")
             for c in table.index}
    assert words["c1"] == "free text: no name rule and no value pattern fits"
    # the sentence and its tail, the rate formatted by the one percent formatter
    assert words["c2"] == ("free text: no name rule and no value pattern fits (100% of values "
                           "look like names: consider an override)")
    assert word("type_text_names", table.loc["c2", "reason_params"], "fr") == (
        "texte libre : aucune règle de nom ni aucun motif de valeurs ne correspond (100\u00a0% des "
        "valeurs ressemblent à des noms : envisager de fixer le type)")
