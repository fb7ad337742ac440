"""Views per role: the role x attribute matrix, data minimisation findings, golden records per view."""

from __future__ import annotations

import pandas as pd

from rcu_kit.core.config import Attribute, Engagement, View
from rcu_kit.vision.views import view_findings, view_matrix

TARGET = [Attribute(name="last_name", gdpr_category="identity", retention="3 ans"),
          Attribute(name="email", gdpr_category="contact", retention=""),
          Attribute(name="health_note", gdpr_category="sensitive", retention="1 an"),
          Attribute(name="segment", gdpr_category="none")]


def _engagement(tmp_path=None) -> Engagement:
    return Engagement(client="x", output_dir=str(tmp_path or "out"), target_model=TARGET, views=[
        # a role given an identity and a sensitive attribute without any purpose
        View(name="Marketing", attributes=["last_name", "health_note", "segment"]),
        # an application that says why: only the e-mail's missing retention is flagged
        View(name="Site web", kind="application", attributes=["email", "last_name"],
             purpose="espace client"),
    ])


def test_matrix_has_one_row_per_attribute_and_one_column_per_view():
    matrix = view_matrix(_engagement())
    assert matrix.index.tolist() == ["last_name", "email", "health_note", "segment"]
    assert matrix["Marketing"].tolist() == [True, False, True, True]
    assert matrix["Site web"].tolist() == [True, True, False, False]


def test_a_role_given_identity_or_sensitive_data_without_purpose_is_flagged():
    found = view_findings(_engagement())
    assert found[["view", "attribute", "issue"]].values.tolist() == [
        ["Marketing", "last_name", "no_purpose"],     # identity, no purpose
        ["Marketing", "health_note", "no_purpose"],   # sensitive, no purpose
        # segment is not personal data: nothing; the web site states its purpose, but the
        # target model gives the e-mail (contact data) no retention
        ["Site web", "email", "no_retention"],
    ]


def test_client_tables_word_the_matrix_and_the_findings(tmp_path):
    from rcu_kit.vision.model import export_vision
    from rcu_kit.vision.views import view_findings_table, views_table

    eng = _engagement(tmp_path)
    table = views_table(eng, "en")
    assert table.columns.tolist() == ["Label", "GDPR category", "Marketing", "Site web"]
    assert table["Marketing"].tolist() == ["✓", "", "✓", "✓"]
    assert table["GDPR category"].tolist()[:2] == ["Identity", "Contact details"]
    found = view_findings_table(eng, "fr")
    assert found.columns.tolist() == ["Vue", "Libellé", "Catégorie RGPD", "Constat"]
    assert found.iloc[0].tolist()[:3] == ["Marketing", "last_name", "Identité"]
    assert found.iloc[2]["Constat"].startswith("donnée personnelle sans durée de conservation")
    # the vision workbook gains the two sheets
    sheets = pd.read_excel(export_vision(eng, tmp_path / "vision.xlsx"), sheet_name=None)
    assert list(sheets)[2:] == ["Vues par rôle", "Minimisation des données"]
    assert sheets["Minimisation des données"].shape == (3, 4)
