"""Tests for rcu_kit.mapping.suggest: name/type/overlap evidence, suggestion, validation, application."""

from __future__ import annotations

import pandas as pd
import pytest

from rcu_kit.core.config import Attribute, Engagement, MappingEntry, Source
from rcu_kit.mapping.suggest import (
    MappingError,
    apply_mapping,
    apply_transform,
    column_types,
    compare_mappings,
    mapping_from_table,
    mapping_table,
    name_score,
    normalise_column_name,
    suggest_mapping,
    suggestions_to_mapping,
    validate_mapping,
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
        "tel_contact": ["x@y.fr", "z@w.com"]})
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
    assert rows.loc[("fid", "tel_contact"), "reason"] == "values look like email (name not recognised)"
    assert rows.loc[("crm", "cp"), "reason"] == "name close to 'cp' (1.00); values look like postcode"
    assert rows.loc[("crm", "id_client"), "reason"] == "record id column"


def test_value_overlap_maps_an_unrecognised_column(audit_types):
    sources = _sources()
    sources["web"] = sources["web"].drop(columns=["Town"])
    table = suggest_mapping(_engagement(), sources, audit=audit_types).set_index(["source", "column"])
    # champ_3's distinct values {LYON, PARIS} (accents and case folded) are all among crm.ville's
    # (PARIS, BOURG EN BRESSE, LYON): overlap 100 %, confidence 0.4 + 0.5 x 1.0 = 0.9.
    assert table.loc[("web", "champ_3"), "attribute"] == "city"
    assert table.loc[("web", "champ_3"), "confidence"] == 0.9
    assert table.loc[("web", "champ_3"), "reason"] == "100% of values shared with crm.ville"


def test_suggestions_use_the_audit_semantic_types_and_french_reasons():
    eng = _engagement("fr")
    sources = {"crm": pd.DataFrame({"id_client": ["1"], "zone": ["x"], "contact": ["?"]})}
    audit = pd.DataFrame({"source": ["crm", "crm"], "column": ["zone", "contact"],
                          "semantic_type": ["postcode", "email"]})
    table = suggest_mapping(eng, sources, audit=audit).set_index("column")
    # the audit says these are a postcode and an e-mail; the names say nothing (type alone: 0.5)
    assert table.loc["zone", "attribute"] == "postcode"
    assert table.loc["contact", "attribute"] == "email"
    assert table.loc["contact", "reason"] == "valeurs de type email (nom non reconnu)"
    with pytest.raises(TypeError, match="source, column, semantic_type"):
        suggest_mapping(eng, sources, audit=pd.DataFrame({"source": ["crm"]}))


def test_min_confidence_leaves_weak_columns_unmapped(audit_types):
    table = suggest_mapping(_engagement(), _sources(), audit=audit_types, min_confidence=0.6).set_index(["source", "column"])
    # the e-mail column named "tel_contact" had only 0.5: now unmapped, with the reason why
    assert table.loc[("fid", "tel_contact"), "attribute"] is None
    assert table.loc[("fid", "tel_contact"), "reason"] == "no attribute fits well enough (best: email 0.50)"


@pytest.mark.parametrize("language, close, weak", [
    ("fr", "nom proche de « telephone » (0,75)", "correspondance trop faible (meilleure: phone 0,75)"),
    ("en", "name close to 'telephone' (0.75)", "no attribute fits well enough (best: phone 0.75)"),
])
def test_reason_scores_in_the_engagement_language(language, close, weak):
    # "telephon" is close to "telephone" (fuzzy 0.941 x 0.8 = 0.7529), no type from the audit:
    # mapped at 0.7529 with min_confidence 0.5, left unmapped at 0.8; the score in the reason
    # has a decimal comma in French
    sources = {"crm": pd.DataFrame({"id_client": ["1"], "telephon": ["0612345678"]})}
    audit = pd.DataFrame({"source": ["crm"], "column": ["telephon"], "semantic_type": [None]})
    kept = suggest_mapping(_engagement(language), sources, audit=audit, min_confidence=0.5)
    assert kept.set_index("column").loc["telephon", "reason"] == close
    left = suggest_mapping(_engagement(language), sources, audit=audit, min_confidence=0.8)
    assert left.set_index("column").loc["telephon", "reason"] == weak


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
    mapping = suggestions_to_mapping(table)
    # 10 mapped columns in crm (id, segment left), 8 in web (id, champ_3 left), 6 in fid (id, POINTS left)
    assert {k: len(v) for k, v in mapping.items()} == {"crm": 10, "web": 8, "fid": 6}
    assert all(not e.validated for es in mapping.values() for e in es)
    eng.mapping = mapping
    again = mapping_from_table(mapping_table(eng))
    assert again == mapping


def test_mapping_from_table_errors_name_the_row():
    table = pd.DataFrame({"source": ["crm", "crm"], "column": ["nom", "cp"],
                          "attribute": ["last_name", "postcode"], "transform": [None, "zero_pad"]})
    with pytest.raises(MappingError, match=r"row 2 \(crm.cp -> postcode\): unknown transform 'zero_pad'"):
        mapping_from_table(table)


# -- validation -------------------------------------------------------------------------------
def test_validate_mapping_names_column_and_attribute():
    eng = _engagement()
    loaded = {"crm": pd.DataFrame({"id_client": ["1"], "nom": ["A"], "mail": ["a@b.fr"]})}
    validate_mapping(eng, loaded, {"crm": [MappingEntry(column="nom", attribute="last_name")]})
    bad = {"crm": [MappingEntry(column="courriel", attribute="email"),
                   MappingEntry(column="nom", attribute="surname")],
           "web": [MappingEntry(column="x", attribute="email")]}
    with pytest.raises(MappingError) as err:
        validate_mapping(eng, loaded, bad)
    message = str(err.value)
    assert ("mapping.crm: column 'courriel' (mapped to 'email') is not in the data of crm; "
            "its columns are: id_client, nom, mail") in message
    assert "mapping.crm: column 'nom' maps to unknown attribute 'surname'; target attributes are: " in message
    assert "mapping.web: source 'web' is not loaded (loaded: crm); it maps 1 column(s)" in message


# -- application ------------------------------------------------------------------------------
def test_apply_mapping_keeps_every_row_and_applies_transforms():
    frame = pd.DataFrame({
        "id": ["A1", None, "A3", "  "],
        "cp": ["1000", "75011", "1000.0", None],
        "naiss": ["1/2/1980", "31/02/1980", "1980-02-01", None],
        "mobile": [None, "0611111111", None, None],
        "fixe": ["0122222222", "0133333333", None, None],
        "nom": [" Dupont ", "", "MARTIN", None]}, dtype=object)
    entries = [MappingEntry(column="cp", attribute="postcode", transform="restore_postcode_zero"),
               MappingEntry(column="naiss", attribute="birth_date", transform="parse_date_dmy"),
               MappingEntry(column="mobile", attribute="phone"),
               MappingEntry(column="fixe", attribute="phone"),
               MappingEntry(column="nom", attribute="last_name", transform="strip")]
    out = apply_mapping(frame, entries, "crm", "id")
    assert list(out.columns) == ["source", "record_id", "postcode", "birth_date", "phone", "last_name"]
    assert out.astype(object).where(out.notna(), None).values.tolist() == [
        # 1000 -> 01000; 1/2/1980 -> ISO; mobile empty so the landline fills phone
        ["crm", "A1", "01000", "1980-02-01", "0122222222", "Dupont"],
        # missing id -> '#2' (its row number); 31/02 is not a date: kept as written;
        # mobile wins over landline; an empty name after strip is NA
        ["crm", "#2", "75011", "31/02/1980", "0611111111", None],
        # spreadsheet float '1000.0' -> 01000; already-ISO date unchanged
        ["crm", "A3", "01000", "1980-02-01", None, "MARTIN"],
        # blank id -> '#4'; an all-empty row is still one output row
        ["crm", "#4", None, None, None, None],
    ]


def test_apply_mapping_without_id_column_numbers_rows():
    frame = pd.DataFrame({"nom": ["A", "B"]}, index=[10, 20])
    out = apply_mapping(frame, [MappingEntry(column="nom", attribute="last_name", transform="upper")], "web")
    assert out.to_dict(orient="list") == {"source": ["web", "web"], "record_id": ["1", "2"],
                                          "last_name": ["A", "B"]}


def test_apply_mapping_missing_column_is_a_clear_error():
    frame = pd.DataFrame({"id": ["1"], "nom": ["A"]})
    with pytest.raises(MappingError, match=r"crm: mapped column\(s\) not in the data: 'prenom' "
                                           r"\(-> 'first_name'\); columns are: id, nom"):
        apply_mapping(frame, [MappingEntry(column="prenom", attribute="first_name")], "crm", "id")
    with pytest.raises(MappingError, match=r"crm: id column 'ident' is not in the data; columns are: id, nom"):
        apply_mapping(frame, [], "crm", "ident")


def test_apply_transform_unknown():
    with pytest.raises(MappingError, match="unknown transform 'lower'"):
        apply_transform(pd.Series(["a"]), "lower")


def test_split_full_name_transform_fills_name_parts():
    frame = pd.DataFrame({"id": ["1", "2", "3", "4"],
                          "client": ["DUPONT Jean", "Jeanne Martin", None, "Mme MARTIN née DUPONT Jeanne"],
                          "nom": [None, None, None, "MARTIN-X"]}, dtype=object)
    entries = [MappingEntry(column="nom", attribute="last_name"),
               MappingEntry(column="client", attribute="full_name", transform="split_full_name")]
    out = apply_mapping(frame, entries, "fact", "id")
    assert list(out.columns) == ["source", "record_id", "last_name", "first_name", "birth_name", "civility"]
    assert out.astype(object).where(out.notna(), None).values.tolist() == [
        # case tells which word is the last name; parts come in the standardiser's upper case
        ["fact", "1", "DUPONT", "JEAN", None, None],
        ["fact", "2", "MARTIN", "JEANNE", None, None],
        ["fact", "3", None, None, None, None],
        # the 'nom' column is listed first, so it wins over the split last name; the married
        # name's "née DUPONT" fills birth_name, "Mme" fills civility
        ["fact", "4", "MARTIN-X", "JEANNE", "DUPONT", "MME"],
    ]


def test_apply_transform_works_per_distinct_value_and_keeps_the_index():
    values = pd.Series(["1000", None, "1000", "75011"], index=[7, 8, 9, 10], dtype=object)
    out = apply_transform(values, "restore_postcode_zero")
    assert out.index.tolist() == [7, 8, 9, 10]
    assert out.tolist() == ["01000", None, "01000", "75011"]
    assert apply_transform(pd.Series([None, None], dtype=object), "upper").tolist() == [None, None]


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
