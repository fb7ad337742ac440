"""The roadmap questionnaire: the record of what the client said in a scoping workshop.

It lives in the engagement file under ``questionnaire:`` and is filled in with the form of
:mod:`rcu_kit.roadmap.widgets` during a workshop. Each question is either ``answered`` (the
client said so: the key is in the file with a value) or ``default`` (not asked yet: the key is
absent or empty, ``budget: ~``). A default still lets the scoring run, but the recommendation
resting on it is *provisional* and says which questions are still open
(:func:`answer_status`); a default is never worded as the client's answer.

Examples:
    >>> q = Questionnaire.from_config({"budget": "low", "real_time_needs": False})
    >>> q.budget, q.team_capacity
    ('low', 'medium')
    >>> status = answer_status({"budget": "low", "team_capacity": None})
    >>> status["budget"], status["team_capacity"]
    ('answered', 'default')
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["Questionnaire", "QUESTIONS", "answer_status", "answered_config"]

Level = Literal["low", "medium", "high"]
Objective = Literal["operational", "analytics", "both"]


def answered_config(data: dict[str, Any] | None) -> dict[str, Any]:
    """The answers actually given: keys with a value (an empty ``budget: ~`` is not an answer)."""
    return {k: v for k, v in (data or {}).items() if v is not None and v != ""}


class Questionnaire(BaseModel):
    """Answers to the scoping questions that drive the choice of RCU form."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    objective: Objective = Field(
        "operational", description="operational (sales, service, marketing use the reference day "
                                   "to day), analytics (customer knowledge), or both")
    real_time_needs: bool = Field(False, description="operational systems must query or update "
                                                     "the reference in real time")
    two_way_sync: bool = Field(False, description="updates must be pushed back to source systems")
    crm_is_central: bool = Field(False, description="one CRM / SFA / service tool is already the "
                                                    "main customer tool and can host the reference")
    has_data_warehouse: bool = Field(False, description="a decision-support database already "
                                                        "consolidates customer data")
    crm_replacement_planned: bool = Field(False, description="a CRM (re)implementation is ongoing "
                                                             "or upcoming")
    long_term_reference: bool = Field(True, description="the reference must last and evolve "
                                                        "(new sources, new consumers)")
    budget: Level = Field("medium", description="budget available for tooling and integration")
    team_capacity: Level = Field("medium", description="people to build, run and maintain it")
    data_governance: Level = Field("medium", description="maturity of data ownership and "
                                                         "stewardship")
    notes: str = ""

    @classmethod
    def from_config(cls, data: dict[str, Any] | None) -> "Questionnaire":
        """Build from the engagement's ``questionnaire:`` mapping (empty values are defaults);
        errors name the key."""
        try:
            return cls.model_validate(answered_config(data))
        except ValidationError as exc:
            problems = "; ".join(
                f"questionnaire.{'.'.join(str(p) for p in e['loc'])}: {e['msg']} (got {e.get('input')!r})"
                for e in exc.errors())
            raise ValueError(f"invalid questionnaire in the engagement file: {problems}") from None

    def defaulted(self, data: dict[str, Any] | None) -> list[str]:
        """The questions the client has not answered yet (their default was used)."""
        given = set(answered_config(data))
        return [name for name in QUESTIONS if name not in given]

    def to_config(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# question -> description, for forms and documentation (notes is free text, not a question)
QUESTIONS: dict[str, str] = {name: field.description or "" for name, field in
                             Questionnaire.model_fields.items() if name != "notes"}


def answer_status(data: dict[str, Any] | None) -> dict[str, str]:
    """Each question's status: ``answered`` (given in the engagement file) or ``default``.

    Args:
        data: the engagement's ``questionnaire:`` mapping.
    """
    given = answered_config(data)
    return {name: "answered" if name in given else "default" for name in QUESTIONS}
