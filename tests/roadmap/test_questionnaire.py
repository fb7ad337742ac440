"""The roadmap questionnaire: the workshop's record, each answer answered or by default."""

from __future__ import annotations

import pytest

from rcu_kit.roadmap.questionnaire import QUESTIONS, Questionnaire, answer_status, answered_config


def test_questionnaire_from_config_names_bad_keys():
    with pytest.raises(ValueError, match=r"questionnaire.budget: .*'huge'"):
        Questionnaire.from_config({"budget": "huge"})
    with pytest.raises(ValueError, match=r"questionnaire.colour: "):
        Questionnaire.from_config({"colour": "blue"})
    q = Questionnaire.from_config({"budget": "low"})
    assert "budget" not in q.defaulted({"budget": "low"})
    assert "team_capacity" in q.defaulted({"budget": "low"})


def test_an_empty_answer_is_a_default_not_an_answer():
    # the template lists every question with an empty value (budget: ~) until the workshop
    data = {"budget": None, "team_capacity": "low", "real_time_needs": False, "notes": ""}
    q = Questionnaire.from_config(data)
    assert q.budget == "medium" and q.team_capacity == "low"
    assert answered_config(data) == {"team_capacity": "low", "real_time_needs": False}
    status = answer_status(data)
    # a "no" given by the client is an answer; an empty one is not
    assert status["real_time_needs"] == "answered" and status["budget"] == "default"
    assert list(status) == list(QUESTIONS)
    assert sorted(k for k, v in status.items() if v == "answered") == ["real_time_needs",
                                                                      "team_capacity"]
    assert q.defaulted(data) == [k for k in QUESTIONS if k not in ("real_time_needs",
                                                                   "team_capacity")]


def test_defaults_round_trip_and_every_question_is_described():
    q = Questionnaire.from_config(None)
    # ten questions, all defaulted when nothing was answered (notes is free text, not a question)
    assert len(QUESTIONS) == 10 and q.defaulted(None) == list(QUESTIONS)
    assert set(answer_status(None).values()) == {"default"}
    assert all(QUESTIONS.values())
    assert Questionnaire.from_config(q.to_config()) == q
    assert q.to_config()["budget"] == "medium" and q.to_config()["long_term_reference"] is True
