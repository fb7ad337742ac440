"""The roadmap questionnaire: defaults, validation naming the key, what is still unanswered."""

from __future__ import annotations

import pytest

from rcu_kit.roadmap.questionnaire import QUESTIONS, Questionnaire


def test_questionnaire_from_config_names_bad_keys():
    with pytest.raises(ValueError, match=r"questionnaire.budget: .*'huge'"):
        Questionnaire.from_config({"budget": "huge"})
    with pytest.raises(ValueError, match=r"questionnaire.colour: "):
        Questionnaire.from_config({"colour": "blue"})
    q = Questionnaire.from_config({"budget": "low"})
    assert "budget" not in q.defaulted({"budget": "low"})
    assert "team_capacity" in q.defaulted({"budget": "low"})


def test_defaults_round_trip_and_every_question_is_described():
    q = Questionnaire.from_config(None)
    # ten questions, all defaulted when nothing was answered (notes is free text, not a question)
    assert len(QUESTIONS) == 10 and q.defaulted(None) == list(QUESTIONS)
    assert all(QUESTIONS.values())
    assert Questionnaire.from_config(q.to_config()) == q
    assert q.to_config()["budget"] == "medium" and q.to_config()["long_term_reference"] is True
