"""Tests for rcu_kit.mapping.suggest: name/type/overlap evidence, suggestion, mapping tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rcu_kit.core.config import Attribute, Engagement, MappingEntry, Source
from rcu_kit.core.i18n import t
from rcu_kit.mapping.transforms import MappingError
from rcu_kit.mapping.suggest import (
    column_types,
    compare_mappings,
    mapping_from_table,
    mapping_table,
    name_score,
    normalise_column_name,
    suggest_mapping,
    suggestion_reasons,
    suggestions_to_mapping,
)
from rcu_kit.vision.model import load_target_model


def _engagement(language: str = "en") -> Engagement:
    return Engagement(client="Test", language=language, target_model=load_target_model("b2c"),
                      sources=[Source(name="crm", path="a.csv", id_column="id_client"),
                               Source(name="web", path="b.csv", id_column="customer_id"),
                               Source(name="fid", path="c.csv", id_column="NUM_CARTE")])


def _sources() -> dict[str, pd.DataFrame]:
    crm = pd.DataFrame({
        "id_client": ["1", "2", "3"], "civilite": ["M.", "Mme", "M."],
        "nom": ["DUPONT", "MARTIN", "DURAND"], "prenom": ["Jean", "Anne", "Paul"],
        "email": ["a@b.fr", "c@d.com", None], "tel_mobile": ["0612345678", "06 11 22 33 44", None],
        "adresse": ["12 rue X", "3 av. Y", "1 bd Z"], "cp": ["75011", "1000", "69003"],
        "ville": ["PARIS", "BOURG EN BRESSE", "LYON"],
        "date_naissance": ["01/02/1980", "03/04/1975", "12/12/1990"], "segment": ["A", "B", "A"],
        "date_creation": ["01/01/2020", "02/02/2021", "03/03/2022"]})
    web = pd.DataFrame({
        "customer_id": ["w1", "w2"], "FirstName": ["Jean", "Marc"], "LastName": ["Dupont", "Petit"],
        "Mail": ["a@b.fr", "m@p.fr"], "Phone": ["+33 6 12 34 56 78", "+33612345679"],
        "ZipCode": ["75011", "13001"], "Town": ["Paris", "Marseille"], "newsletter": ["1", "0"],
        "last_order_date": ["2024-01-02", "2023-05-06"],
        # a column nobody would recognise by name, holding cities: found by value overlap
        "champ_3": ["Lyon", "Paris"]})
    fid = pd.DataFrame({
        "NUM_CARTE": ["c1", "c2"], "NOM_PRENOM": ["DUPONT Jean", "MARTIN Anne"], "CP": ["75011", "01000"],
        "LOCALITE": ["PARIS", "BOURG EN BRESSE"], "DATE_ADHESION": ["01/01/2019", "05/05/2018"],
        "TEL": ["0612345678", "0611223344"], "POINTS": ["120", "30"],
        # named like a phone, holds e-mails: the type contradicts the name
        "tel_contact": ["jo@y.fr", "zoe@w.com"]})
    return {"crm": crm, "web": web, "fid": fid}


# -- name evidence ----------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("Date de Naissance", "date_de_naissance"), ("E-Mail", "e_mail"), ("dateNaissance", "date_naissance"),
    ("N° Téléphone", "n_telephone"), ("  CODE_POSTAL ", "code_postal"), ("ZipCode", "zip_code"),
])
def test_normalise_column_name(raw, expected):
    assert normalise_column_name(raw) == expected


@pytest.mark.parametrize("column, synonyms, expected", [
    ("Prénom", ["prenom"], (1.0, "prenom")),              # exact once accents and case are folded
    ("nom_client", ["nom"], (0.95, "nom")),               # "client" qualifies, does not change meaning
    ("Adresse 1", ["adresse"], (0.95, "adresse")),        # a digit suffix is dropped too
    ("tel_mobile_perso2", ["tel"], (0.75, "tel")),        # synonym as a whole word inside the name
    ("telephon", ["telephone"], (0.7529, "telephone")),   # fuzzy: ratio 0.941 x 0.8
    ("segment", ["nom", "prenom"], (0.0, "")),            # nothing in common
])
def test_name_score(column, synonyms, expected):
    assert name_score(column, synonyms) == expected


# -- suggestion -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def audit_types() -> pd.DataFrame:
    """The audit's semantic types of _sources(), detected once for the module."""
    return column_types(_engagement(), _sources())


def test_column_types_keeps_the_audit_decision():
    types = column_types(_engagement(), _sources()).set_index(["source", "column"])
    # 12 + 10 + 8 columns
    assert len(types) == 30
    # a column named like a phone holding e-mails: the audit's values win
    assert tuple(types.loc[("fid", "tel_contact")]) == ("email", "values")
    assert tuple(types.loc[("crm", "cp")]) == ("postcode", "name+values")


def test_suggest_mapping_on_three_sources(audit_types):
    table = suggest_mapping(_engagement(), _sources(), audit=audit_types)
    got = {(r.source, r.column): (r.attribute, r.transform) for r in table.itertuples()}
    assert got == {
        ("crm", "id_client"): (None, None),      # id column: never mapped
        ("crm", "civilite"): ("civility", None),
        ("crm", "nom"): ("last_name", None),
        ("crm", "prenom"): ("first_name", None),
        ("crm", "email"): ("email", None),
        ("crm", "tel_mobile"): ("phone", None),
        ("crm", "adresse"): ("street", None),
        ("crm", "cp"): ("postcode", "restore_postcode_zero"),  # "1000" lost its zero
        ("crm", "ville"): ("city", None),
        ("crm", "date_naissance"): ("birth_date", "parse_date_dmy"),
        ("crm", "segment"): (None, None),        # no attribute for a marketing segment
        ("crm", "date_creation"): ("created_at", "parse_date_dmy"),
        ("web", "customer_id"): (None, None),
        ("web", "FirstName"): ("first_name", None),
        ("web", "LastName"): ("last_name", None),
        ("web", "Mail"): ("email", None),
        ("web", "Phone"): ("phone", None),
        ("web", "ZipCode"): ("postcode", None),  # all five digits: no transform needed
        ("web", "Town"): ("city", None),
        ("web", "newsletter"): ("email_optin", None),
        ("web", "last_order_date"): ("last_activity_at", None),  # ISO dates: nothing to parse
        ("web", "champ_3"): (None, None),        # city already taken by Town in this source
        ("fid", "NUM_CARTE"): (None, None),
        ("fid", "NOM_PRENOM"): ("full_name", "split_full_name"),
        ("fid", "CP"): ("postcode", None),
        ("fid", "LOCALITE"): ("city", None),
        ("fid", "DATE_ADHESION"): ("created_at", "parse_date_dmy"),
        ("fid", "TEL"): ("phone", None),
        ("fid", "POINTS"): (None, None),
        ("fid", "tel_contact"): ("email", None),  # values are e-mails: type alone (0.5) beats the name
    }
    rows = table.set_index(["source", "column"])
    # exact name and fitting type: 1.0; e-mail values in a column named like a phone: the type
    # alone gives 0.5, the name "tel" (0.95 once "contact" is dropped) contradicted by the values
    # falls to 0.95 x 0.3 = 0.285
    assert rows.loc[("crm", "email"), "confidence"] == 1.0
    assert rows.loc[("fid", "tel_contact"), "confidence"] == 0.5
    # the table holds each reason as a code and its figures, worded for whoever reads it
    assert rows.loc[("fid", "tel_contact"), "reason_code"] == "map_type_only"
    assert json.loads(rows.loc[("fid", "tel_contact"), "reason_params"]) == {"type": "email"}
    assert rows.loc[("crm", "cp"), "reason_code"] == "map_name_type"
    assert json.loads(rows.loc[("crm", "cp"), "reason_params"]) == \
        {"synonym": "cp", "score": 1.0, "type": "postcode"}
    assert rows.loc[("crm", "id_client"), ["reason_code", "reason_params"]].tolist() == ["map_id", "{}"]
    reasons = suggestion_reasons(table, "en").set_axis(rows.index)
    assert reasons[("fid", "tel_contact")] == "values look like email (name not recognised)"
    assert reasons[("crm", "cp")] == "name close to 'cp' (1.00); values look like postcode"
    assert reasons[("crm", "id_client")] == "record id column"
    french = suggestion_reasons(table, "fr").set_axis(rows.index)
    assert french[("crm", "cp")] == "nom proche de « cp » (1,00); valeurs de type postcode"


def test_value_overlap_maps_an_unrecognised_column(audit_types):
    sources = _sources()
    sources["web"] = sources["web"].drop(columns=["Town"])
    table = suggest_mapping(_engagement(), sources, audit=audit_types).set_index(["source", "column"])
    # champ_3's distinct values {LYON, PARIS} (accents and case folded) are all among crm.ville's
    # (PARIS, BOURG EN BRESSE, LYON): overlap 100 %, confidence 0.4 + 0.5 x 1.0 = 0.9.
    assert table.loc[("web", "champ_3"), "attribute"] == "city"
    assert table.loc[("web", "champ_3"), "confidence"] == 0.9
    assert table.loc[("web", "champ_3"), "reason_code"] == "map_overlap"
    assert json.loads(table.loc[("web", "champ_3"), "reason_params"]) == {"share": 1.0, "other": "crm.ville"}
    reasons = suggestion_reasons(table, "en").set_axis(table.index)
    assert reasons[("web", "champ_3")] == "100% of values shared with crm.ville"
    assert suggestion_reasons(table, "fr").set_axis(table.index)[("web", "champ_3")] == \
        "100\u00a0% des valeurs communes avec crm.ville"


def test_suggestions_use_the_audit_semantic_types_and_french_reasons():
    eng = _engagement("fr")
    sources = {"crm": pd.DataFrame({"id_client": ["1"], "zone": ["x"], "contact": ["?"]})}
    audit = pd.DataFrame({"source": ["crm", "crm"], "column": ["zone", "contact"],
                          "semantic_type": ["postcode", "email"]})
    table = suggest_mapping(eng, sources, audit=audit).set_index("column")
    # the audit says these are a postcode and an e-mail; the names say nothing (type alone: 0.5)
    assert table.loc["zone", "attribute"] == "postcode"
    assert table.loc["contact", "attribute"] == "email"
    assert suggestion_reasons(table, "fr")["contact"] == "valeurs de type email (nom non reconnu)"
    with pytest.raises(TypeError, match="source, column, semantic_type"):
        suggest_mapping(eng, sources, audit=pd.DataFrame({"source": ["crm"]}))


def test_min_confidence_leaves_weak_columns_unmapped(audit_types):
    table = suggest_mapping(_engagement(), _sources(), audit=audit_types, min_confidence=0.6).set_index(["source", "column"])
    # the e-mail column named "tel_contact" had only 0.5: now unmapped, with the reason why
    assert table.loc[("fid", "tel_contact"), "attribute"] is None
    assert table.loc[("fid", "tel_contact"), "reason_code"] == "map_weak"
    assert suggestion_reasons(table, "en").set_axis(table.index)[("fid", "tel_contact")] == \
        "no attribute fits well enough (best: email 0.50)"


@pytest.mark.parametrize("language, close, weak", [
    ("fr", "nom proche de « telephone » (0,75)", "correspondance trop faible (meilleure: phone 0,75)"),
    ("en", "name close to 'telephone' (0.75)", "no attribute fits well enough (best: phone 0.75)"),
])
def test_reason_scores_in_the_engagement_language(language, close, weak):
    # "telephon" is close to "telephone" (fuzzy 0.941 x 0.8 = 0.7529), no type from the audit:
    # mapped at 0.7529 with min_confidence 0.5, left unmapped at 0.8; the score in the reason
    # has a decimal comma in French. The saved table is the same whatever the language.
    sources = {"crm": pd.DataFrame({"id_client": ["1"], "telephon": ["0612345678"]})}
    audit = pd.DataFrame({"source": ["crm"], "column": ["telephon"], "semantic_type": [None]})
    kept = suggest_mapping(_engagement(language), sources, audit=audit, min_confidence=0.5)
    pd.testing.assert_frame_equal(
        kept, suggest_mapping(_engagement("fr" if language == "en" else "en"), sources, audit=audit))
    assert suggestion_reasons(kept, language).tolist()[1] == close
    left = suggest_mapping(_engagement(language), sources, audit=audit, min_confidence=0.8)
    assert json.loads(left["reason_params"].iloc[1]) == {"attribute": "phone", "score": 0.7529}
    assert suggestion_reasons(left, language).tolist()[1] == weak


@pytest.mark.parametrize("code, params, french, english", [
    # name contradicted by the values: the evidence joined by "; "
    ("map_name_type_conflict", {"synonym": "tel", "score": 0.95, "type": "email"},
     "nom proche de « tel » (0,95); mais valeurs de type email",
     "name close to 'tel' (0.95); but values look like email"),
    # a name whose values mostly do not fit its type: the share as a percentage
    ("map_name_not_type", {"synonym": "cp", "score": 1.0, "type": "postcode", "share": 0.25},
     "nom proche de « cp » (1,00); mais seules 25\u00a0% des valeurs sont de type postcode",
     "name close to 'cp' (1.00); but only 25% of values look like postcode"),
    ("map_name_words", {"share": 0.8, "other": "crm.nom, crm.prenom"},
     "80\u00a0% des valeurs sont des noms et prénoms connus (crm.nom, crm.prenom)",
     "80% of values are known last and first names (crm.nom, crm.prenom)"),
    ("map_none", {}, "aucun attribut ne correspond", "no attribute fits"),
])
def test_every_reason_code_reads_in_french_and_english(code, params, french, english):
    table = pd.DataFrame({"reason_code": [code], "reason_params": [json.dumps(params)]})
    assert suggestion_reasons(table, "fr").tolist() == [french]
    assert suggestion_reasons(table, "en").tolist() == [english]


def test_suggest_mapping_needs_a_target_model():
    eng = Engagement(client="x", sources=[Source(name="crm", path="a")])
    with pytest.raises(ValueError, match="no target_model"):
        suggest_mapping(eng, {"crm": pd.DataFrame({"a": ["1"]})})


def test_compare_mappings_precision_recall():
    expected = {"crm": [MappingEntry(column="nom", attribute="last_name"),
                        MappingEntry(column="prenom", attribute="first_name"),
                        MappingEntry(column="mail", attribute="email")]}
    suggested = {"crm": [MappingEntry(column="nom", attribute="last_name"),
                         MappingEntry(column="prenom", attribute="birth_name"),
                         MappingEntry(column="mail", attribute="email"),
                         MappingEntry(column="ville", attribute="city")]}
    result = compare_mappings(suggested, expected)
    # 2 pairs in common out of 4 suggested and 3 expected
    assert result["precision"] == 0.5
    assert result["recall"] == pytest.approx(2 / 3)
    assert (result["true_positives"], result["false_positives"], result["false_negatives"]) == (2, 2, 1)
    assert result["errors"].values.tolist() == [
        ["crm", "prenom", "birth_name", None], ["crm", "ville", "city", None],
        ["crm", "prenom", None, "first_name"]]


def test_mapping_table_round_trip(audit_types):
    eng = _engagement()
    table = suggest_mapping(eng, _sources(), audit=audit_types)
    mapping = suggestions_to_mapping(table, language="en")
    # 10 mapped columns in crm (id, segment left), 8 in web (id, champ_3 left), 6 in fid (id, POINTS left)
    assert {k: len(v) for k, v in mapping.items()} == {"crm": 10, "web": 8, "fid": 6}
    assert all(not e.validated for es in mapping.values() for e in es)
    # an entry's reason is the suggestion's, worded: a note for the readers of the engagement file
    cp = next(e for e in mapping["crm"] if e.column == "cp")
    assert cp.reason == "name close to 'cp' (1.00); values look like postcode"
    assert next(e for e in suggestions_to_mapping(table, language="fr")["crm"]
                if e.column == "cp").reason == "nom proche de « cp » (1,00); valeurs de type postcode"
    eng.mapping = mapping
    again = mapping_from_table(mapping_table(eng))
    assert again == mapping


def test_mapping_from_table_errors_name_the_row():
    table = pd.DataFrame({"source": ["crm", "crm"], "column": ["nom", "cp"],
                          "attribute": ["last_name", "postcode"], "transform": [None, "zero_pad"]})
    with pytest.raises(MappingError, match=r"row 2 \(crm.cp -> postcode\): unknown transform 'zero_pad'"):
        mapping_from_table(table)


# -- validation -------------------------------------------------------------------------------
def test_suggester_finds_the_whole_demo_mapping(demo_engagement):
    """On the demo the suggester gives exactly the answer key: attributes and transforms."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.sources.demo import demo_mapping
    from rcu_kit.sources.loaders import load_all

    eng = load_engagement(demo_engagement)
    table = suggest_mapping(eng, load_all(eng))
    got = {src: [(e.column, e.attribute, e.transform) for e in entries]
           for src, entries in suggestions_to_mapping(table).items()}
    expected = {src: [(e.column, e.attribute, e.transform) for e in entries]
                for src, entries in demo_mapping().items()}
    assert got == expected
    # and only the five id columns are left unmapped
    assert table.loc[table["attribute"].isna(), "column"].tolist() == [
        "id_client", "customer_id", "NUM_CARTE", "CODE_TIERS", "contact_id"]
    result = compare_mappings(table, demo_mapping())
    assert (result["precision"], result["recall"]) == (1.0, 1.0)


def test_working_mapping_prefers_saved_entries_per_source(audit_types):
    eng = _engagement()
    table = suggest_mapping(eng, _sources(), audit=audit_types)
    eng.mapping = {"crm": [MappingEntry(column="nom", attribute="last_name")]}
    from rcu_kit.mapping.suggest import working_mapping

    used = working_mapping(eng, table)
    # crm: the one saved entry; web and fid: their suggestions (8 and 6 columns)
    assert {k: len(v) for k, v in used.items()} == {"crm": 1, "web": 8, "fid": 6}
    assert {k: len(v) for k, v in working_mapping(eng, table, use_saved=False).items()} == \
        {"crm": 10, "web": 8, "fid": 6}


def test_suggestions_table_is_localised():
    from rcu_kit.mapping.suggest import suggestions_table

    table = pd.DataFrame({"source": ["crm"], "column": ["cp"], "attribute": ["postcode"],
                          "transform": [None], "confidence": [0.875], "reason": ["x"]})
    out = suggestions_table(table, "fr")
    assert out.columns.tolist() == ["Source", "Colonne source", "Attribut cible", "Transformation",
                                    "Confiance", "Justification"]
    assert out.iloc[0].tolist() == ["crm", "cp", "postcode", "", 88.0, "x"]
    # a suggestion table holds the reason as a code: worded in its place
    coded = table.drop(columns=["reason"]).assign(
        reason_code="map_name_type", reason_params='{"synonym": "cp", "score": 1.0, "type": "postcode"}')
    for language, reason in (("fr", "nom proche de « cp » (1,00); valeurs de type postcode"),
                             ("en", "name close to 'cp' (1.00); values look like postcode")):
        out = suggestions_table(coded, language)
        assert out.columns[-1] == t("mapping.reason", language)
        assert out.iloc[0].tolist() == ["crm", "cp", "postcode", "", 88.0, reason]
