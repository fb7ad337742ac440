"""Tests for rcu_kit.vision.widgets: edits made in the widgets reach the engagement file."""

from __future__ import annotations

from pathlib import Path

from rcu_kit.core.config import Engagement, MappingEntry, Source, load_engagement
from rcu_kit.vision.model import start_vision
from rcu_kit.vision.widgets import VisionEditor


def _engagement(tmp_path: Path, **kw) -> Engagement:
    eng = Engagement(client="Test", language="en", base_dir=tmp_path, file=tmp_path / "engagement.yaml",
                     sources=[Source(name="crm", path="a.csv")], **kw)
    return start_vision(eng, "b2c")


def test_editor_shows_the_engagement(tmp_path):
    editor = VisionEditor(_engagement(tmp_path))
    assert [r["name"].value for r in editor.rows][:3] == ["civility", "last_name", "birth_name"]
    assert len(editor.rows) == 14
    assert editor.rows[1]["required"].value is True
    assert editor.definitions["customer"].description == "Customer"


def test_edit_add_remove_and_save(tmp_path):
    eng = _engagement(tmp_path)
    editor = VisionEditor(eng)
    editor.rows[1]["owner"].value = "Service client"
    editor.rows[1]["criticity"].value = "medium"
    editor.definitions["prospect"].value = "Inscrit newsletter sans achat"
    editor.remove_attribute("birth_name")
    editor.new_name.value = "vip"
    editor.add_button.click()
    editor.rows[-1]["criticity"].value = "low"
    editor.save_button.click()
    assert editor.status.value == f"Saved: {tmp_path / 'engagement.yaml'}"
    saved = load_engagement(tmp_path / "engagement.yaml")
    names = [a.name for a in saved.target_model]
    # 14 - birth_name + vip
    assert len(names) == 14 and "birth_name" not in names and names[-1] == "vip"
    assert saved.attribute("last_name").owner == "Service client"
    assert saved.attribute("last_name").criticity == "medium"
    assert saved.attribute("vip").criticity == "low"
    assert saved.definitions["prospect"] == "Inscrit newsletter sans achat"


def test_invalid_edit_is_reported_and_nothing_saved(tmp_path):
    eng = _engagement(tmp_path)
    eng.mapping = {"crm": [MappingEntry(column="mail", attribute="email")]}
    editor = VisionEditor(eng)
    editor.rows[2]["name"].value = "last_name"  # now repeats row 2
    assert editor.save() is None
    assert "row 3: attribute 'last_name' repeats row 2" in editor.status.value
    assert not (tmp_path / "engagement.yaml").exists()
    # removing an attribute the mapping uses is refused, naming the mapping entry
    editor = VisionEditor(eng)
    editor.remove_attribute("email")
    assert editor.save() is None
    assert "mapping.crm: column 'mail' maps to 'email'" in editor.status.value
    assert "email" in [a.name for a in eng.target_model]


def test_one_grid_in_the_engagement_language_with_codes_kept(tmp_path):
    eng = _engagement(tmp_path)
    eng.language = "fr"
    editor = VisionEditor(eng)
    # 10 fields + the remove button per line: a header line and 14 attribute lines, one grid
    assert len(editor.grid.children) == 11 * (1 + 14)
    assert editor.grid.layout.grid_template_columns.count("fr") == 11
    assert "Criticité" in editor.grid.children[6].value
    # the dropdowns show the labels, the value saved stays the code
    last_name = editor.rows[1]
    assert last_name["criticity"].options == (("Haute", "high"), ("Moyenne", "medium"),
                                              ("Faible", "low"))
    assert last_name["criticity"].label == "Haute" and last_name["criticity"].value == "high"
    assert last_name["gdpr_category"].label == "Identité"
    editor.add_attribute("loyalty_tier")
    assert len(editor.grid.children) == 11 * 16
    editor.remove_attribute("loyalty_tier")
    assert len(editor.grid.children) == 11 * 15
    assert editor.to_table().loc[1, ["criticity", "gdpr_category"]].tolist() == ["high", "identity"]


def test_views_editor_edits_the_matrix_and_saves_it(tmp_path):
    from rcu_kit.core.config import View
    from rcu_kit.vision.widgets import ViewsEditor

    eng = _engagement(tmp_path)
    eng.views = [View(name="Service client", attributes=["last_name", "email"],
                      purpose="répondre")]
    eng.file.write_text("client: Test\nlanguage: en\n", encoding="utf-8")
    editor = ViewsEditor(eng)
    column = editor.columns[0]
    assert [a for a, box in column["boxes"].items() if box.value] == ["last_name", "email"]
    assert column["kind"].label == "Role"
    # 1 + 1 view columns; 3 header lines + 14 attributes
    assert len(editor.grid.children) == 2 * (3 + 14)
    editor.add_view("Marketing")
    marketing = editor.columns[1]
    marketing["boxes"]["last_name"].value = True       # identity data, no purpose: 1 finding
    marketing["kind"].value = "application"
    assert len(editor.grid.children) == 3 * (3 + 14)
    path = editor.save()
    assert path == eng.file and "findings: 1" in editor.status.value
    saved = load_engagement(eng.file)
    assert [(v.name, v.kind, v.attributes) for v in saved.views] == [
        ("Service client", "role", ["last_name", "email"]),
        ("Marketing", "application", ["last_name"])]
    # a view whose name was emptied is refused, the file unchanged
    marketing["name"].value = " "
    assert editor.save() is None and "every view needs a name" in editor.status.value
    assert [v.name for v in load_engagement(eng.file).views] == ["Service client", "Marketing"]
