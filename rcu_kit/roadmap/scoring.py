"""Which form should the client's RCU take? A transparent, editable scoring.

The four forms (see METHOD.md): a dedicated MDM system, the reference hosted in an existing
transactional tool (CRM / SFA / service), a decision-support database, or the minimal identifier
correspondence table. Each *criterion* turns an answer of the questionnaire or a figure of the
audit into a signal between 0 and 1; each form gives each criterion a weight (positive: the
criterion argues for that form, negative: against it). A form's score is the sum of
``signal × weight``; every contribution is shown, and the weights can be overridden in the
engagement file (``roadmap: {weights: {criterion: {form: weight}}}``).

Examples:
    >>> from rcu_kit.roadmap.questionnaire import Questionnaire
    >>> rec = recommend_form(Questionnaire(budget="low", team_capacity="low",
    ...                                    long_term_reference=False), Evidence(n_sources=3))
    >>> rec.best
    'crosswalk'
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rcu_kit.core.wording import params_json, word_column, word_explanation
from rcu_kit.roadmap.questionnaire import Questionnaire

__all__ = ["FORMS", "DEFAULT_WEIGHTS", "Evidence", "Recommendation", "criteria_signals",
           "recommend_form"]

FORMS = ("mdm", "crm_hosted", "decision_db", "crosswalk")

# criterion -> form -> weight. Positive argues for the form, negative against it.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "many_sources":      {"mdm": 3, "crm_hosted": 0, "decision_db": 1, "crosswalk": -1},
    "format_diversity":  {"mdm": 2, "crm_hosted": -1, "decision_db": 1, "crosswalk": 0},
    "large_volume":      {"mdm": 2, "crm_hosted": -1, "decision_db": 2, "crosswalk": 0},
    "duplicates":        {"mdm": 2, "crm_hosted": 1, "decision_db": 0, "crosswalk": -1},
    "shared_customers":  {"mdm": 2, "crm_hosted": 0, "decision_db": 1, "crosswalk": 1},
    "real_time":         {"mdm": 2, "crm_hosted": 2, "decision_db": -3, "crosswalk": -2},
    "two_way_sync":      {"mdm": 3, "crm_hosted": 1, "decision_db": -2, "crosswalk": -2},
    "operational_use":   {"mdm": 1, "crm_hosted": 3, "decision_db": -2, "crosswalk": 0},
    "analytics_use":     {"mdm": 0, "crm_hosted": -1, "decision_db": 4, "crosswalk": 1},
    "crm_is_central":    {"mdm": -1, "crm_hosted": 4, "decision_db": 0, "crosswalk": 0},
    "has_data_warehouse": {"mdm": 0, "crm_hosted": 0, "decision_db": 3, "crosswalk": 1},
    "crm_project":       {"mdm": 0, "crm_hosted": 3, "decision_db": 0, "crosswalk": 1},
    "long_term":         {"mdm": 2, "crm_hosted": 1, "decision_db": 1, "crosswalk": -3},
    "budget_high":       {"mdm": 3, "crm_hosted": 1, "decision_db": 1, "crosswalk": -1},
    "budget_low":        {"mdm": -4, "crm_hosted": -1, "decision_db": -1, "crosswalk": 4},
    "small_team":        {"mdm": -3, "crm_hosted": 0, "decision_db": -1, "crosswalk": 3},
    "mature_governance": {"mdm": 2, "crm_hosted": 0, "decision_db": 0, "crosswalk": -1},
}

_LEVEL = {"low": 0.0, "medium": 0.5, "high": 1.0}


@dataclass
class Evidence:
    """Figures from the audit, mapping and deduplication steps that inform the choice.

    Attributes:
        n_sources: collection points holding customer data.
        n_formats: distinct extract formats (csv, excel, parquet, sql).
        n_records: records over all sources.
        duplicate_rate: share of records that duplicate another record (0–1), None if unknown.
        overlap_rate: share of distinct customers present in two sources or more, None if unknown.
        real_time_flows: sources whose flow is real-time.
    """

    n_sources: int = 0
    n_formats: int = 1
    n_records: int = 0
    duplicate_rate: float | None = None
    overlap_rate: float | None = None
    real_time_flows: int = 0

    @classmethod
    def from_engagement(cls, engagement, *, n_records: int = 0, duplicate_rate: float | None = None,
                        overlap_rate: float | None = None) -> "Evidence":
        """Evidence from the engagement's sources plus the figures measured by earlier steps."""
        return cls(n_sources=len(engagement.sources),
                   n_formats=len({s.format for s in engagement.sources}) or 1,
                   n_records=n_records,
                   duplicate_rate=duplicate_rate, overlap_rate=overlap_rate,
                   real_time_flows=sum(s.flow == "real-time" for s in engagement.sources))


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _answer(value: Any) -> tuple[str, str]:
    """A questionnaire answer as a basis: code ``basis_answer`` and the answer's key (``true``,
    ``medium``...), worded ``réponse : oui``, ``answer: medium`` (:mod:`rcu_kit.core.wording`)."""
    key = str(value).lower() if isinstance(value, bool) else str(value)
    return "basis_answer", params_json(answer=key)


def criteria_signals(q: Questionnaire, ev: Evidence) -> pd.DataFrame:
    """Each criterion's signal (0–1) and the fact it rests on, as a code and its figures.

    Args:
        q: the questionnaire's answers.
        ev: the figures measured by the earlier steps.

    Returns:
        One row per criterion: ``criterion``, ``signal``, ``basis_code`` and ``basis_params``
        (JSON: the answer or figure used), worded for the client by :meth:`Recommendation.basis`
        (:func:`rcu_kit.core.wording.word`).

    Examples:
        >>> from rcu_kit.core.wording import word_column
        >>> signals = criteria_signals(Questionnaire(), Evidence(n_sources=4, duplicate_rate=0.05))
        >>> rows = signals.set_index("criterion").loc[["many_sources", "duplicates", "long_term"]]
        >>> rows["basis_code"].tolist()
        ['basis_sources', 'basis_duplicates', 'basis_answer']
        >>> word_column(rows["basis_code"], rows["basis_params"], "fr").tolist()
        ['4 sources', '5,0\xa0% de doublons', 'réponse : oui']
    """
    unknown = ("basis_unknown", "{}")
    volume = 0.0 if ev.n_records <= 100_000 else _clamp(math.log10(ev.n_records / 1e5) / math.log10(50))
    real_time = 1.0 if q.real_time_needs else (0.5 if ev.real_time_flows else 0.0)
    rows = [
        ("many_sources", _clamp((ev.n_sources - 2) / 4), ("basis_sources", params_json(n=ev.n_sources))),
        ("format_diversity", _clamp((ev.n_formats - 1) / 3),
         ("basis_formats", params_json(n=ev.n_formats))),
        ("large_volume", volume, ("basis_records", params_json(n=ev.n_records))),
        ("duplicates", 0.0 if ev.duplicate_rate is None else _clamp(ev.duplicate_rate / 0.15),
         unknown if ev.duplicate_rate is None
         else ("basis_duplicates", params_json(rate=ev.duplicate_rate))),
        ("shared_customers", 0.0 if ev.overlap_rate is None else _clamp(ev.overlap_rate / 0.30),
         unknown if ev.overlap_rate is None
         else ("basis_shared", params_json(rate=ev.overlap_rate))),
        ("real_time", real_time,
         ("basis_real_time", params_json(answer=str(bool(q.real_time_needs)).lower(),
                                         flows=ev.real_time_flows))),
        ("two_way_sync", float(q.two_way_sync), _answer(q.two_way_sync)),
        ("operational_use", {"operational": 1.0, "both": 0.5, "analytics": 0.0}[q.objective],
         _answer(q.objective)),
        ("analytics_use", {"operational": 0.0, "both": 0.5, "analytics": 1.0}[q.objective],
         _answer(q.objective)),
        ("crm_is_central", float(q.crm_is_central), _answer(q.crm_is_central)),
        ("has_data_warehouse", float(q.has_data_warehouse), _answer(q.has_data_warehouse)),
        ("crm_project", float(q.crm_replacement_planned), _answer(q.crm_replacement_planned)),
        ("long_term", float(q.long_term_reference), _answer(q.long_term_reference)),
        ("budget_high", _LEVEL[q.budget], _answer(q.budget)),
        ("budget_low", 1.0 - _LEVEL[q.budget] if q.budget == "low" else 0.0, _answer(q.budget)),
        ("small_team", 1.0 - _LEVEL[q.team_capacity], _answer(q.team_capacity)),
        ("mature_governance", _LEVEL[q.data_governance], _answer(q.data_governance)),
    ]
    return pd.DataFrame([(c, s, code, params) for c, s, (code, params) in rows],
                        columns=["criterion", "signal", "basis_code", "basis_params"])


@dataclass
class Recommendation:
    """The scoring's outcome, with everything needed to explain it."""

    best: str
    scores: pd.DataFrame            # form, score, rank
    contributions: pd.DataFrame     # criterion, signal, basis_code, basis_params, one column per form
    weights: dict[str, dict[str, float]] = field(repr=False, default_factory=dict)
    questionnaire: Questionnaire | None = field(repr=False, default=None)
    evidence: Evidence | None = field(repr=False, default=None)

    def basis(self, language: str) -> pd.Series:
        """Criterion -> the fact it rests on, worded in ``language`` (a table without codes: its
        ``basis`` column as it is)."""
        c = self.contributions
        if {"basis_code", "basis_params"} <= set(c.columns):
            return word_column(c["basis_code"], c["basis_params"], language).set_axis(c["criterion"])
        return c.set_index("criterion")["basis"]

    def top_reasons(self, form: str | None = None, n: int = 3) -> pd.DataFrame:
        """The criteria that pushed hardest towards ``form`` (default: the best one): ``criterion``,
        ``basis_code``, ``basis_params`` and ``contribution``."""
        form = form or self.best
        table = self.contributions[["criterion", "basis_code", "basis_params", form]] \
            .rename(columns={form: "contribution"})
        table = table[table["contribution"] > 0]
        return table.sort_values(["contribution", "criterion"], ascending=[False, True]).head(n) \
            .reset_index(drop=True)

    def explanation_figures(self) -> dict[str, Any]:
        """What the explanation says, as codes and numbers (``roadmap/summary.json`` saves it):
        ``form``, ``score``, ``runner_up``, ``margin`` and the ``reasons`` (``criterion``,
        ``basis_code``, ``basis_params`` as a mapping, ``contribution``)."""
        ranked = self.scores.sort_values("rank")
        best, runner_up = ranked.iloc[0], ranked.iloc[1]
        return {"form": self.best, "score": float(best["score"]), "runner_up": str(runner_up["form"]),
                "margin": float(best["score"] - runner_up["score"]),
                "reasons": [{"criterion": r.criterion, "basis_code": r.basis_code,
                             "basis_params": json.loads(r.basis_params),
                             "contribution": float(r.contribution)}
                            for r in self.top_reasons().itertuples()]}

    def explanation(self, language: str = "fr") -> str:
        """One paragraph for the client: the form, its margin, and the main reasons."""
        return word_explanation(self.explanation_figures(), language)


def _merge_weights(overrides: dict[str, Any] | None) -> dict[str, dict[str, float]]:
    weights = {c: dict(w) for c, w in DEFAULT_WEIGHTS.items()}
    for criterion, per_form in (overrides or {}).items():
        if criterion not in weights:
            raise ValueError(f"roadmap.weights: unknown criterion {criterion!r}; known: "
                             f"{', '.join(weights)}")
        if not isinstance(per_form, dict):
            raise ValueError(f"roadmap.weights.{criterion}: expected a mapping form -> weight")
        for form, w in per_form.items():
            if form not in FORMS:
                raise ValueError(f"roadmap.weights.{criterion}: unknown form {form!r}; "
                                 f"forms are: {', '.join(FORMS)}")
            weights[criterion][form] = float(w)
    return weights


def recommend_form(questionnaire: Questionnaire, evidence: Evidence,
                   weights: dict[str, Any] | None = None) -> Recommendation:
    """Score the four RCU forms and pick the best.

    Args:
        questionnaire: the client's answers.
        evidence: figures measured by the audit, mapping and deduplication steps.
        weights: overrides of :data:`DEFAULT_WEIGHTS` (``{criterion: {form: weight}}``).

    Returns:
        The recommendation; ties are broken in the order of :data:`FORMS` (the more complete form
        first), so the result is deterministic.
    """
    w = _merge_weights(weights)
    contrib = criteria_signals(questionnaire, evidence)
    for form in FORMS:
        contrib[form] = [round(sig * w[c][form], 4) for c, sig in zip(contrib["criterion"],
                                                                      contrib["signal"])]
    totals = contrib[list(FORMS)].sum()
    scores = pd.DataFrame({"form": list(FORMS), "score": [round(float(totals[f]), 4) for f in FORMS]})
    order = sorted(range(len(FORMS)), key=lambda i: (-scores.loc[i, "score"], i))
    scores["rank"] = 0
    for rank, i in enumerate(order, start=1):
        scores.loc[i, "rank"] = rank
    best = FORMS[order[0]]
    return Recommendation(best=best, scores=scores, contributions=contrib, weights=w,
                          questionnaire=questionnaire, evidence=evidence)
