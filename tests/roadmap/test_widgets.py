"""The questionnaire form: one dropdown per question, 'not answered' kept apart from answers."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
import yaml

from rcu_kit.core.config import load_engagement
from rcu_kit.roadmap.questionnaire import QUESTIONS
from rcu_kit.roadmap.widgets import questionnaire_form, questionnaire_widgets, read_widgets


def test_one_dropdown_per_question_with_a_not_answered_choice():
    controls = questionnaire_widgets({"budget": "low", "real_time_needs": False}, "en")
    assert list(controls) == [*QUESTIONS, "notes"]
    assert isinstance(controls["budget"], widgets.Dropdown)
    assert [label for label, _ in controls["budget"].options] == ["— not answered yet —", "low", "medium", "high"]
    assert controls["budget"].value == "low"
    # a "no" the client gave is shown as "no", an unanswered question as not answered
    assert controls["real_time_needs"].value is False
    # (a not-answered choice shows its words: its value is "", never None, which shows blank)
    assert controls["two_way_sync"].value == "" and controls["two_way_sync"].label == \
        "— not answered yet —"
    assert controls["two_way_sync"].description == "two-way synchronisation"
    assert isinstance(controls["notes"], widgets.Textarea)
    controls["team_capacity"].value = "high"
    # only what was answered is read back: the rest stays a default
    assert read_widgets(controls) == {"real_time_needs": False, "budget": "low",
                                      "team_capacity": "high"}


def test_a_bad_answer_in_the_file_is_named():
    with pytest.raises(ValueError, match=r"questionnaire.budget: .*'huge'"):
        questionnaire_widgets({"budget": "huge"})


def test_save_writes_only_the_answers_given(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text("client: Test\nlanguage: fr\n", encoding="utf-8")
    engagement = load_engagement(path)
    form = questionnaire_form(engagement)
    controls = dict(zip([*QUESTIONS, "notes"], form.children[:-1]))
    controls["budget"].value = "high"
    controls["crm_is_central"].value = False
    save = form.children[-1].children[0]
    save.click()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["questionnaire"] == {"crm_is_central": False, "budget": "high"}
    # said in the engagement's language (French here), with how many questions are answered
    assert form.children[-1].children[1].value == \
        "Enregistré dans engagement.yaml : 2 réponse(s) sur 10"
    assert save.description == "Enregistrer les réponses" and \
        controls["notes"].description == "notes de l'atelier"
