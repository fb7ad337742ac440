"""The questionnaire form: one widget per question, read back, saved to the engagement file."""

from __future__ import annotations

import ipywidgets as widgets
import yaml

from rcu_kit.core.config import load_engagement
from rcu_kit.roadmap.questionnaire import QUESTIONS, Questionnaire
from rcu_kit.roadmap.widgets import questionnaire_form, questionnaire_widgets, read_widgets


def test_one_widget_per_question_of_the_right_kind():
    controls = questionnaire_widgets(Questionnaire(budget="low"))
    assert list(controls) == [*QUESTIONS, "notes"]
    assert isinstance(controls["real_time_needs"], widgets.Checkbox)
    assert isinstance(controls["budget"], widgets.Dropdown)
    assert controls["budget"].options == ("low", "medium", "high") and controls["budget"].value == "low"
    assert isinstance(controls["notes"], widgets.Textarea)
    controls["team_capacity"].value = "high"
    assert read_widgets(controls) == Questionnaire(budget="low", team_capacity="high")


def test_save_writes_the_answers_to_the_engagement_file(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text("client: Test\nlanguage: fr\n", encoding="utf-8")
    engagement = load_engagement(path)
    form = questionnaire_form(engagement)
    controls = {w.description: w for w in form.children[:-1]}
    controls["budget"].value = "high"
    save = form.children[-1].children[0]
    save.click()
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["questionnaire"]["budget"] == "high"
    assert str(path) in form.children[-1].children[1].value
