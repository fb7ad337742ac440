"""Tests for rcu_kit.vision.model: shipped models, table round trip, edits, saving, templates."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from rcu_kit.core.config import Attribute, ConfigError, Engagement, MappingEntry, Source, load_engagement
from rcu_kit.vision.model import (
    ATTRIBUTE_FIELDS,
    DEFAULT_DEFINITIONS,
    attributes_from_table,
    definitions_table,
    export_vision,
    load_target_model,
    render_target_model_template,
    save_vision,
    set_definitions,
    set_target_model,
    start_vision,
    target_model_table,
    vision_table,
)

REPO = Path(__file__).resolve().parents[2]


def _engagement(tmp_path: Path, **kwargs) -> Engagement:
    return Engagement(client="Test SA", base_dir=tmp_path, file=tmp_path / "engagement.yaml",
                      sources=[Source(name="crm", path="crm.csv")], **kwargs)


def test_b2c_model_is_the_shipped_french_record():
    attrs = load_target_model("b2c")
    # The 14 attributes of rcu_kit/resources/target_models/b2c_fr.yaml, in file order.
    assert [a.name for a in attrs] == [
        "civility", "last_name", "birth_name", "first_name", "birth_date", "email", "phone",
        "street", "postcode", "city", "country", "email_optin", "created_at", "last_activity_at"]
    assert [a.name for a in attrs if a.required] == ["last_name", "first_name"]
    assert load_target_model("b2c")[5].gdpr_category == "contact"  # email


def test_b2b_model_has_company_identifiers_and_contact_role():
    attrs = {a.name: a for a in load_target_model("b2b")}
    assert len(attrs) == 17
    assert attrs["siren"].type == "siren" and attrs["siret"].type == "siret"
    assert attrs["company_name"].required is True
    assert attrs["contact_role"].gdpr_category == "identity"
    # the company data is not personal data, the contact's is
    assert attrs["company_name"].gdpr_category == "none"


def test_unknown_model_kind_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown target model 'b2g'; choose one of: b2c, b2b"):
        load_target_model("b2g")


def test_table_round_trip_is_lossless():
    attrs = load_target_model("b2b")
    table = target_model_table(attrs)
    assert list(table.columns) == list(ATTRIBUTE_FIELDS)
    assert len(table) == 17
    assert attributes_from_table(table) == attrs


def test_table_with_defaults_and_text_booleans():
    table = pd.DataFrame({"name": ["vip", " loyalty_tier "], "required": ["oui", None],
                          "criticity": [None, "low"]})
    attrs = attributes_from_table(table)
    # empty cells take the defaults (criticity medium, type string); "oui" reads as True;
    # surrounding spaces are stripped from names.
    assert attrs == [Attribute(name="vip", required=True),
                     Attribute(name="loyalty_tier", criticity="low")]


def test_table_errors_name_row_attribute_and_column():
    bad = pd.DataFrame({"name": ["email", "phone"], "criticity": ["high", "urgent"]})
    with pytest.raises(ConfigError, match=r"row 2 \(attribute 'phone'\): column 'criticity': "
                                          r"allowed values are 'high', 'medium' or 'low' \(got 'urgent'\)"):
        attributes_from_table(bad)
    with pytest.raises(ConfigError, match=r"row 3: attribute 'email' repeats row 1"):
        attributes_from_table(pd.DataFrame({"name": ["email", "phone", "email"]}))
    with pytest.raises(ConfigError, match=r"row 2: column 'name' is empty"):
        attributes_from_table(pd.DataFrame({"name": ["email", ""]}))
    with pytest.raises(ConfigError, match=r"unknown column\(s\) 'colour'"):
        attributes_from_table(pd.DataFrame({"name": ["email"], "colour": ["red"]}))


def test_set_target_model_refuses_to_orphan_a_mapping(tmp_path):
    eng = _engagement(tmp_path, target_model=load_target_model("b2c"),
                      mapping={"crm": [MappingEntry(column="mail", attribute="email"),
                                       MappingEntry(column="nom_complet", attribute="full_name")]})
    without_email = [a for a in eng.target_model if a.name != "email"]
    with pytest.raises(ConfigError, match=r"mapping.crm: column 'mail' maps to 'email'"):
        set_target_model(eng, without_email)
    assert len(eng.target_model) == 14  # unchanged after the refusal
    # full_name is a derived attribute: it survives any target model edit; birth_name is unused.
    set_target_model(eng, [a for a in eng.target_model if a.name != "birth_name"])
    assert len(eng.target_model) == 13


def test_set_target_model_refuses_to_orphan_a_view(tmp_path):
    from rcu_kit.core.config import View

    eng = _engagement(tmp_path, target_model=load_target_model("b2c"),
                      views=[View(name="Marketing", attributes=["email", "birth_date"])])
    with pytest.raises(ConfigError, match=r"still given to a view: views.Marketing: 'birth_date'\. "
                                          "Change these views first"):
        set_target_model(eng, [a for a in eng.target_model if a.name != "birth_date"])
    assert len(eng.target_model) == 14  # unchanged after the refusal


def test_definitions_edit_and_start_vision(tmp_path):
    eng = _engagement(tmp_path, definitions={"customer": "Acheteur sur 24 mois"})
    start_vision(eng, "b2b")
    # the consultant's customer definition is kept, the two missing terms come from the B2B model
    assert eng.definitions == {"customer": "Acheteur sur 24 mois",
                               "prospect": DEFAULT_DEFINITIONS["b2b"]["prospect"],
                               "target": DEFAULT_DEFINITIONS["b2b"]["target"]}
    assert [a.name for a in eng.target_model][:3] == ["company_name", "siren", "siret"]
    set_definitions(eng, {"prospect": "  ", "dormant": " Client sans achat depuis 36 mois "})
    assert eng.definitions == {"customer": "Acheteur sur 24 mois",
                               "target": DEFAULT_DEFINITIONS["b2b"]["target"],
                               "dormant": "Client sans achat depuis 36 mois"}
    # start_vision does not overwrite an existing target model unless asked
    start_vision(eng, "b2c")
    assert eng.target_model[0].name == "company_name"
    start_vision(eng, "b2c", replace=True)
    assert eng.target_model[0].name == "civility"
    assert eng.definitions["customer"] == DEFAULT_DEFINITIONS["b2c"]["customer"]


def test_save_vision_writes_back_to_the_yaml(tmp_path):
    eng = _engagement(tmp_path)
    start_vision(eng, "b2c")
    eng.target_model[1].owner = "Service client"
    path = save_vision(eng)
    assert path == tmp_path / "engagement.yaml"
    again = load_engagement(path)
    assert again.target_model == eng.target_model
    assert again.attribute("last_name").owner == "Service client"
    assert again.definitions == DEFAULT_DEFINITIONS["b2c"]


def test_client_tables_are_translated(tmp_path):
    eng = _engagement(tmp_path, definitions={"target": "Particuliers", "vip": "Top 5 %"},
                      target_model=[Attribute(name="email", label_fr="E-mail", label_en="E-mail address",
                                              criticity="high", gdpr_category="contact", required=True)])
    fr = vision_table(eng, "fr")
    assert list(fr.columns) == ["Libellé", "Identifiant", "Type", "Définition", "Propriétaire",
                                "Criticité", "Catégorie RGPD", "Durée de conservation", "Obligatoire"]
    assert fr.iloc[0].tolist() == ["E-mail", "email", "string", "", "", "Haute", "Coordonnées", "", "Oui"]
    en = vision_table(eng, "en")
    assert en.iloc[0].tolist()[:1] + en.iloc[0].tolist()[5:] == ["E-mail address", "High",
                                                                  "Contact details", "", "Yes"]
    defs = definitions_table(eng, "en")
    # standard terms first (translated), then the engagement's own terms as written
    assert defs.values.tolist() == [["Target", "Particuliers"], ["vip", "Top 5 %"]]


def test_export_vision_has_one_sheet_per_table(tmp_path):
    eng = _engagement(tmp_path)
    start_vision(eng, "b2c")
    path = export_vision(eng)
    assert path == tmp_path / "output" / "vision.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Définitions partagées", "Fiche client cible"]
    assert wb["Fiche client cible"].max_row == 15  # header + 14 attributes


@pytest.mark.parametrize("kind", ["b2c", "b2b"])
def test_templates_are_generated_from_the_package_models(kind):
    shipped = (REPO / "templates" / f"target_model_{kind}.yaml").read_text(encoding="utf-8")
    assert shipped == render_target_model_template(kind), (
        f"templates/target_model_{kind}.yaml is stale: run `python3.11 tasks.py templates`")
    import yaml

    assert [Attribute.model_validate(x) for x in yaml.safe_load(shipped)] == load_target_model(kind)
