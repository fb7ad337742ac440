"""The flows editor: edits made in the widgets reach the engagement file, bad lines are refused."""

from __future__ import annotations

from rcu_kit.audit.widgets import FlowsEditor
from rcu_kit.core.config import Engagement, Flow, load_engagement


def _engagement(tmp_path) -> Engagement:
    path = tmp_path / "engagement.yaml"
    path.write_text("# the client's own comment\nclient: Test\nlanguage: fr\n", encoding="utf-8")
    eng = load_engagement(path)
    eng.flows = [Flow(name="web", from_system="Site", to_system="CRM", mode="sync",
                      volume_per_period=100, peak=2000, owner="DSI", supervision="alertes",
                      process="inscription")]
    return eng


def test_flows_editor_adds_edits_and_saves(tmp_path):
    eng = _engagement(tmp_path)
    editor = FlowsEditor(eng)
    # 12 fields + the remove button: a header line and one flow
    assert len(editor.grid.children) == 13 * 2
    assert editor.rows[0]["mode"].label == "synchrone (temps réel)"
    assert editor.rows[0]["peak"].value == "2000"
    editor.add_flow()
    new = editor.rows[1]
    new["name"].value, new["from_system"].value, new["to_system"].value = "erp", "CRM", "ERP"
    new["two_way"].value = True
    new["volume_per_period"].value = "9 000"       # typed with a thousands separator
    path = editor.save()
    assert path == eng.file
    # 2 flows; the web flow's 20x synchronous peak and the bare erp flow both have questions
    assert editor.status.value == "Enregistré dans engagement.yaml : 2 flux, dont 2 avec des " \
                                  "questions ouvertes"
    saved = load_engagement(eng.file)
    assert [(f.name, f.two_way, f.volume_per_period, f.peak) for f in saved.flows] == [
        ("web", False, 100, 2000), ("erp", True, 9000, None)]
    assert eng.file.read_text(encoding="utf-8").startswith("# the client's own comment")
    # removing a line and saving drops it from the file
    editor.remove_flow(editor.rows[0])
    editor.save()
    assert [f.name for f in load_engagement(eng.file).flows] == ["erp"]


def test_a_bad_line_is_refused_naming_the_flow_and_the_field(tmp_path):
    eng = _engagement(tmp_path)
    editor = FlowsEditor(eng)
    editor.rows[0]["peak"].value = "beaucoup"
    assert editor.save() is None
    assert "flux web : « Pic » doit être un nombre entier (reçu « beaucoup »)" in editor.status.value
    editor.rows[0]["peak"].value = ""
    editor.rows[0]["to_system"].value = "  "
    assert editor.save() is None and "flux web : « Vers » est à renseigner" in editor.status.value
    assert load_engagement(eng.file).flows == []   # nothing written


def test_a_new_flow_takes_the_first_free_name_and_repeated_names_are_said_in_french(tmp_path):
    eng = _engagement(tmp_path)
    editor = FlowsEditor(eng)
    editor.add_flow()
    editor.add_flow()
    # web, flow_1, flow_2; removing flow_1 then adding gives flow_1 again, never a second flow_2
    assert [r["name"].value for r in editor.rows] == ["web", "flow_1", "flow_2"]
    editor.remove_flow(editor.rows[1])
    editor.add_flow()
    assert [r["name"].value for r in editor.rows] == ["web", "flow_2", "flow_1"]
    editor.rows[2]["name"].value = "web"
    for row in editor.rows[1:]:
        row["from_system"].value, row["to_system"].value = "A", "B"
    assert editor.save() is None
    assert "deux flux portent le même nom : web" in editor.status.value
