"""Tests for rcu_kit.mapping.widgets: the consultant's corrections reach the engagement file."""

from __future__ import annotations

import pandas as pd

from rcu_kit.core.config import Attribute, Engagement, MappingEntry, Source, load_engagement
from rcu_kit.mapping.widgets import MappingEditor, editor_rows


def _engagement(tmp_path) -> Engagement:
    return Engagement(client="x", language="en", base_dir=tmp_path, file=tmp_path / "engagement.yaml",
                      sources=[Source(name="crm", path="a.csv"), Source(name="web", path="b.csv")],
                      target_model=[Attribute(name="email", type="email"), Attribute(name="phone", type="phone"),
                                    Attribute(name="last_name"), Attribute(name="first_name")])


def _suggestions() -> pd.DataFrame:
    return pd.DataFrame({
        "source": ["crm", "crm", "crm", "web"], "column": ["mail", "tel", "segment", "nom_complet"],
        "attribute": ["email", "email", None, "full_name"], "transform": [None, None, None, "split_full_name"],
        "confidence": [1.0, 0.5, None, 0.95], "reason": ["name", "values", "none", "name"]})


def _loaded() -> dict[str, pd.DataFrame]:
    return {"crm": pd.DataFrame({"mail": ["a@b.fr"], "tel": ["0612345678"], "segment": ["A"]}),
            "web": pd.DataFrame({"nom_complet": ["DUPONT Jean"]})}


def test_saved_entries_win_over_suggestions(tmp_path):
    eng = _engagement(tmp_path)
    eng.mapping = {"crm": [MappingEntry(column="tel", attribute="phone", reason="checked", validated=True)],
                   "web": [MappingEntry(column="old_col", attribute="last_name")]}
    rows = editor_rows(eng, _suggestions())
    assert rows[["source", "column", "attribute", "validated"]].values.tolist() == [
        ["crm", "mail", "email", False],     # suggestion, not yet validated
        ["crm", "tel", "phone", True],       # the saved entry replaces the suggestion (email)
        ["crm", "segment", None, False],
        ["web", "nom_complet", "full_name", False],
        ["web", "old_col", "last_name", True],  # saved, absent from the suggestions: kept
    ]
    assert rows.loc[1, "reason"] == "checked"
    assert rows.loc[1, "confidence"] == 0.5  # the saved entry had none: the suggestion's


def test_edit_accept_and_save(tmp_path):
    eng = _engagement(tmp_path)
    editor = MappingEditor(eng, _suggestions(), loaded=_loaded())
    assert [editor.tabs.get_title(i) for i in range(2)] == ["crm", "web"]
    editor.rows[1]["attribute"].value = "phone"  # the consultant corrects tel -> phone
    editor.accept_button.click()
    editor.save_button.click()
    assert editor.status.value == f"Mapping saved: {tmp_path / 'engagement.yaml'} (3 mapped columns)"
    saved = load_engagement(tmp_path / "engagement.yaml")
    assert {s: [(e.column, e.attribute, e.transform, e.validated) for e in es]
            for s, es in saved.mapping.items()} == {
        "crm": [("mail", "email", None, True), ("tel", "phone", None, True)],
        "web": [("nom_complet", "full_name", "split_full_name", True)]}
    assert saved.mapping["crm"][0].confidence == 1.0 and saved.mapping["crm"][0].reason == "name"


def test_missing_column_is_reported_and_nothing_saved(tmp_path):
    eng = _engagement(tmp_path)
    loaded = _loaded()
    loaded["crm"] = loaded["crm"].drop(columns=["tel"])
    editor = MappingEditor(eng, _suggestions(), loaded=loaded)
    assert editor.save() is None
    assert ("mapping.crm: column 'tel' (mapped to 'email') is not in the data of crm; "
            "its columns are: mail, segment") in editor.status.value
    assert not (tmp_path / "engagement.yaml").exists()
    assert eng.mapping == {}


def test_coded_suggestions_reach_the_engagement_file_as_worded_notes(tmp_path):
    # the suggester's table holds reason codes; the editor shows them worded in the engagement's
    # language, and that sentence is the note saved with the entry
    eng = _engagement(tmp_path)
    eng.language = "fr"
    coded = _suggestions().drop(columns=["reason"]).assign(
        reason_code=["map_name", "map_type_only", "map_none", "map_name"],
        reason_params=['{"synonym": "mail", "score": 1.0}', '{"type": "email"}', "{}",
                       '{"synonym": "nom_complet", "score": 1.0}'])
    rows = editor_rows(eng, coded)
    assert "reason_code" not in rows.columns
    assert rows["reason"].tolist() == ["nom proche de « mail » (1,00)",
                                       "valeurs de type email (nom non reconnu)",
                                       "aucun attribut ne correspond",
                                       "nom proche de « nom_complet » (1,00)"]
    editor = MappingEditor(eng, coded, loaded=_loaded())
    editor.save_button.click()
    saved = load_engagement(tmp_path / "engagement.yaml")
    assert saved.mapping["crm"][0].reason == "nom proche de « mail » (1,00)"


def test_not_mapped_is_shown_and_a_change_asks_for_validation_again(tmp_path):
    eng = _engagement(tmp_path)
    eng.mapping = {"crm": [MappingEntry(column="mail", attribute="email", confidence=1.0,
                                        validated=True)]}
    editor = MappingEditor(eng, _suggestions(), loaded=_loaded())
    segment = editor.rows[2]
    assert segment["attribute"].label == "(not mapped)" and segment["transform"].label == "(none)"
    mail = editor.rows[0]
    assert mail["validated"].value is True
    mail["attribute"].value = ""          # the consultant unmaps the validated e-mail column
    assert mail["validated"].value is False and mail["confidence"] is None
    assert mail["reason"] == "changed by hand"
    editor.save()
    saved = load_engagement(tmp_path / "engagement.yaml")
    # mail is no longer mapped; tel keeps the suggestion (email), not validated
    assert [(e.column, e.attribute, e.validated) for e in saved.mapping["crm"]] == [
        ("tel", "email", False)]
