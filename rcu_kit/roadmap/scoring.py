"""Which form should the client's RCU take? A transparent, editable scoring.

The four forms (see METHOD.md): a dedicated MDM system, the reference hosted in an existing
transactional tool (CRM / SFA / service), a decision-support database, or the minimal identifier
correspondence table. Each *criterion* turns an answer of the questionnaire or a figure of the
audit into a signal between 0 and 1; each form gives each criterion a weight (positive: the
criterion argues for that form, negative: against it). A form's score is the sum of
``signal × weight``; every contribution is shown, and the weights can be overridden in the
engagement file (``roadmap: {weights: {criterion: {form: weight}}}``).

Examples:
    >>> from rcu_kit.roadmap.questionnaire import QUESTIONS, Questionnaire
    >>> rec = recommend_form(Questionnaire(budget="low", team_capacity="low",
    ...                                    long_term_reference=False), Evidence(n_sources=3))
    >>> rec.best
    'crosswalk'
"""

from __future__ import annotations

import json
import math
import typing
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rcu_kit.core.wording import params_json, word_column, word_explanation
from rcu_kit.roadmap.questionnaire import QUESTIONS, Questionnaire

__all__ = ["FORMS", "DEFAULT_WEIGHTS", "CRITERION_QUESTION", "Evidence", "Recommendation",
           "criteria_signals", "recommend_form", "progressive_path", "sensitivity_table"]

FORMS = ("mdm", "crm_hosted", "decision_db", "crosswalk")

# criterion -> form -> weight. Positive argues for the form, negative against it. What each row
# says (METHOD.md, "The forms a RCU can take"):
# - many sources and formats call for a dedicated tool; a small volume does not ("no gas factory
#   for a simple need": 5,000 records fit in the CRM or a correspondence table);
# - duplicates *within* sources call for a curative and preventive deduplication, which a MDM or a
#   CRM's duplicate management provides and a correspondence table does not; customers *shared*
#   across sources are normal (one person in several systems) and are what a correspondence table
#   links: the two are separate criteria, never the same effect counted twice;
# - real-time and two-way needs rule out a decision-support database and a passive table;
# - the bridges of the information system (the engagement's flows, rcu_kit.audit.flows): many
#   bridges call for a hub that redistributes by rules; two-way real-time bridges favour a hub /
#   MDM and rule out a passive table or a decision-support database; a synchronous bridge whose
#   peak is ten times its usual volume or more needs a hub sized for peaks, which a CRM's API
#   quotas and a table's batch reloads do not give;
# - a central CRM can host the reference; a CRM project is the moment to do it;
# - the means decide what is sustainable: a MDM needs budget, a team and mature governance.
# A "no" answer or a medium level has signal 0: it argues for nothing.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "many_sources":        {"mdm": 3, "crm_hosted": 0, "decision_db": 1, "crosswalk": 0},
    "format_diversity":    {"mdm": 2, "crm_hosted": -1, "decision_db": 1, "crosswalk": 0},
    "large_volume":        {"mdm": 2, "crm_hosted": -1, "decision_db": 2, "crosswalk": 0},
    "small_volume":        {"mdm": -3, "crm_hosted": 1, "decision_db": -1, "crosswalk": 2},
    "duplicates":          {"mdm": 2, "crm_hosted": 2, "decision_db": 0, "crosswalk": -1},
    "shared_customers":    {"mdm": 1, "crm_hosted": 0, "decision_db": 1, "crosswalk": 2},
    "real_time":           {"mdm": 2, "crm_hosted": 2, "decision_db": -3, "crosswalk": -2},
    "real_time_flows":     {"mdm": 1, "crm_hosted": 1, "decision_db": -1, "crosswalk": -1},
    "two_way_sync":        {"mdm": 3, "crm_hosted": 1, "decision_db": -2, "crosswalk": -2},
    "many_bridges":        {"mdm": 2, "crm_hosted": 0, "decision_db": 0, "crosswalk": -1},
    "real_time_two_way":   {"mdm": 3, "crm_hosted": 1, "decision_db": -2, "crosswalk": -2},
    "sync_peaks":          {"mdm": 1, "crm_hosted": -1, "decision_db": -1, "crosswalk": -1},
    "operational_use":     {"mdm": 1, "crm_hosted": 3, "decision_db": -2, "crosswalk": 0},
    "analytics_use":       {"mdm": 0, "crm_hosted": -1, "decision_db": 4, "crosswalk": 1},
    "crm_is_central":      {"mdm": -2, "crm_hosted": 4, "decision_db": 0, "crosswalk": 0},
    "has_data_warehouse":  {"mdm": 0, "crm_hosted": 0, "decision_db": 3, "crosswalk": 1},
    "crm_project":         {"mdm": 0, "crm_hosted": 3, "decision_db": 0, "crosswalk": 1},
    "long_term":           {"mdm": 2, "crm_hosted": 1, "decision_db": 1, "crosswalk": -3},
    "budget_high":         {"mdm": 3, "crm_hosted": 1, "decision_db": 1, "crosswalk": -1},
    "budget_low":          {"mdm": -5, "crm_hosted": -1, "decision_db": -1, "crosswalk": 4},
    "small_team":          {"mdm": -3, "crm_hosted": 0, "decision_db": -1, "crosswalk": 3},
    "large_team":          {"mdm": 2, "crm_hosted": 0, "decision_db": 1, "crosswalk": -1},
    "mature_governance":   {"mdm": 2, "crm_hosted": 0, "decision_db": 0, "crosswalk": -1},
    "immature_governance": {"mdm": -2, "crm_hosted": 0, "decision_db": 0, "crosswalk": 1},
}

# the question of the questionnaire each criterion reads (None: a figure of the audit)
CRITERION_QUESTION: dict[str, str | None] = {
    "many_sources": None, "format_diversity": None, "large_volume": None, "small_volume": None,
    "duplicates": None, "shared_customers": None, "real_time": "real_time_needs",
    "real_time_flows": None, "two_way_sync": "two_way_sync", "many_bridges": None,
    "real_time_two_way": None, "sync_peaks": None, "operational_use": "objective",
    "analytics_use": "objective", "crm_is_central": "crm_is_central",
    "has_data_warehouse": "has_data_warehouse", "crm_project": "crm_replacement_planned",
    "long_term": "long_term_reference", "budget_high": "budget", "budget_low": "budget",
    "small_team": "team_capacity", "large_team": "team_capacity",
    "mature_governance": "data_governance", "immature_governance": "data_governance",
}


@dataclass
class Evidence:
    """Figures from the audit, mapping and deduplication steps that inform the choice.

    Attributes:
        n_sources: collection points holding customer data.
        n_formats: distinct extract formats (csv, excel, parquet, sql).
        n_records: records over all sources (0: not measured yet).
        duplicate_rate: duplicates *within* the sources: share of the records that repeat a
            customer already in the same source (0–1), None if unknown. A customer present in
            two sources is not a duplicate: that is ``overlap_rate``.
        overlap_rate: share of distinct customers present in two sources or more, None if unknown.
        real_time_flows: real-time flows one way: the synchronous one-way flows of the
            engagement, or without flows described, the sources whose flow is real-time.
        n_flows: the bridges between systems (the engagement's ``flows``).
        real_time_two_way: bridges both synchronous and two-way (the costliest kind).
        sync_peaks: synchronous bridges whose peak is
            :data:`~rcu_kit.audit.flows.SYNC_PEAK_RATIO` times their usual volume or more.
    """

    n_sources: int = 0
    n_formats: int = 1
    n_records: int = 0
    duplicate_rate: float | None = None
    overlap_rate: float | None = None
    real_time_flows: int = 0
    n_flows: int = 0
    real_time_two_way: int = 0
    sync_peaks: int = 0

    @classmethod
    def from_engagement(cls, engagement, *, n_records: int = 0, duplicate_rate: float | None = None,
                        overlap_rate: float | None = None) -> "Evidence":
        """Evidence from the engagement's sources and flows plus the figures measured by earlier
        steps."""
        from rcu_kit.audit.flows import bridge_summary, flow_table

        bridges = bridge_summary(engagement)
        flows = flow_table(engagement)
        # one bridge, one criterion: with flows described, a synchronous one-way flow is a
        # real-time flow and a synchronous two-way one a real-time two-way bridge (never both);
        # without flows, the sources' flow type says which are real time
        real_time_one_way = sum(f.mode == "sync" and not f.two_way for f in engagement.flows) \
            if engagement.flows else sum(s.flow == "real-time" for s in engagement.sources)
        return cls(n_sources=len(engagement.sources),
                   n_formats=len({s.format for s in engagement.sources}) or 1,
                   n_records=n_records,
                   duplicate_rate=duplicate_rate, overlap_rate=overlap_rate,
                   real_time_flows=real_time_one_way,
                   n_flows=bridges["flows"], real_time_two_way=bridges["real_time_two_way"],
                   sync_peaks=int(flows["questions"].str.contains("sync_peak").sum()))


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


_BOOL_SIGNAL = {True: 1.0, False: 0.0}


def criteria_signals(q: Questionnaire, ev: Evidence,
                     defaults: Collection[str] = ()) -> pd.DataFrame:
    """Each criterion's signal (0–1) and the fact it rests on, as a code and its figures.

    A "no" answer, a medium level and an unknown figure all give signal 0: they argue for
    nothing. An answer in ``defaults`` (the client has not answered it) is based on code
    ``basis_default`` ("par défaut : oui", "default: yes"), never worded as the client's answer.

    Args:
        q: the questionnaire's answers.
        ev: the figures measured by the earlier steps.
        defaults: the questions answered by default (:meth:`Questionnaire.defaulted`).

    Returns:
        One row per criterion: ``criterion``, ``signal``, ``basis_code`` and ``basis_params``
        (JSON: the answer or figure used), worded for the client by :meth:`Recommendation.basis`
        (:func:`rcu_kit.core.wording.word`).

    Examples:
        >>> from rcu_kit.core.wording import word_column
        >>> signals = criteria_signals(Questionnaire(), Evidence(n_sources=4, duplicate_rate=0.05),
        ...                            defaults=["budget"])
        >>> rows = signals.set_index("criterion").loc[["many_sources", "duplicates", "long_term",
        ...                                            "budget_high"]]
        >>> rows["basis_code"].tolist()
        ['basis_sources', 'basis_duplicates', 'basis_answer', 'basis_default']
        >>> word_column(rows["basis_code"], rows["basis_params"], "fr").tolist()
        ['4 sources', '5,0\xa0% de doublons dans les sources', 'réponse : oui', 'par défaut : moyen, à confirmer']
    """
    defaulted = set(defaults)

    def answer(question: str) -> tuple[str, str]:
        value = getattr(q, question)
        key = str(value).lower() if isinstance(value, bool) else str(value)
        return ("basis_default" if question in defaulted else "basis_answer"), params_json(answer=key)

    unknown = ("basis_unknown", "{}")
    records = ("basis_records", params_json(n=ev.n_records)) if ev.n_records else unknown
    large = 0.0 if ev.n_records <= 100_000 else _clamp(math.log10(ev.n_records / 1e5) / math.log10(50))
    small = _clamp((100_000 - ev.n_records) / 50_000) if ev.n_records else 0.0
    rows = [
        ("many_sources", _clamp((ev.n_sources - 2) / 4), ("basis_sources", params_json(n=ev.n_sources))),
        ("format_diversity", _clamp((ev.n_formats - 1) / 3),
         ("basis_formats", params_json(n=ev.n_formats))),
        ("large_volume", large, records),
        ("small_volume", small, records),
        ("duplicates", 0.0 if ev.duplicate_rate is None else _clamp(ev.duplicate_rate / 0.10),
         unknown if ev.duplicate_rate is None
         else ("basis_duplicates", params_json(rate=ev.duplicate_rate))),
        ("shared_customers", 0.0 if ev.overlap_rate is None else _clamp(ev.overlap_rate / 0.30),
         unknown if ev.overlap_rate is None
         else ("basis_shared", params_json(rate=ev.overlap_rate))),
        ("real_time", _BOOL_SIGNAL[q.real_time_needs], answer("real_time_needs")),
        ("real_time_flows", _clamp(ev.real_time_flows / 2),
         ("basis_flows", params_json(n=ev.real_time_flows))),
        ("two_way_sync", _BOOL_SIGNAL[q.two_way_sync], answer("two_way_sync")),
        ("many_bridges", _clamp((ev.n_flows - 2) / 6), ("basis_bridges", params_json(n=ev.n_flows))),
        ("real_time_two_way", _clamp(ev.real_time_two_way / 2),
         ("basis_rt_two_way", params_json(n=ev.real_time_two_way))),
        ("sync_peaks", _clamp(float(ev.sync_peaks)), ("basis_sync_peaks", params_json(n=ev.sync_peaks))),
        ("operational_use", {"operational": 1.0, "both": 0.5, "analytics": 0.0}[q.objective],
         answer("objective")),
        ("analytics_use", {"operational": 0.0, "both": 0.5, "analytics": 1.0}[q.objective],
         answer("objective")),
        ("crm_is_central", _BOOL_SIGNAL[q.crm_is_central], answer("crm_is_central")),
        ("has_data_warehouse", _BOOL_SIGNAL[q.has_data_warehouse], answer("has_data_warehouse")),
        ("crm_project", _BOOL_SIGNAL[q.crm_replacement_planned], answer("crm_replacement_planned")),
        ("long_term", _BOOL_SIGNAL[q.long_term_reference], answer("long_term_reference")),
        ("budget_high", float(q.budget == "high"), answer("budget")),
        ("budget_low", float(q.budget == "low"), answer("budget")),
        ("small_team", float(q.team_capacity == "low"), answer("team_capacity")),
        ("large_team", float(q.team_capacity == "high"), answer("team_capacity")),
        ("mature_governance", float(q.data_governance == "high"), answer("data_governance")),
        ("immature_governance", float(q.data_governance == "low"), answer("data_governance")),
    ]
    return pd.DataFrame([(c, s, code, params) for c, s, (code, params) in rows],
                        columns=["criterion", "signal", "basis_code", "basis_params"])


@dataclass
class Recommendation:
    """The scoring's outcome, with everything needed to explain it.

    ``unanswered`` lists the questions answered by default: a recommendation resting on any of
    them is ``provisional`` until the client answers.
    """

    best: str
    scores: pd.DataFrame            # form, score, rank
    contributions: pd.DataFrame     # criterion, signal, basis_code, basis_params, one column per form
    weights: dict[str, dict[str, float]] = field(repr=False, default_factory=dict)
    questionnaire: Questionnaire | None = field(repr=False, default=None)
    evidence: Evidence | None = field(repr=False, default=None)
    unanswered: list[str] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        """True while the recommendation rests on answers the client has not given."""
        return bool(self.unanswered)

    @property
    def margin(self) -> float:
        """Points between the best form and the runner-up."""
        ranked = self.scores.sort_values("rank")["score"].tolist()
        return float(ranked[0] - ranked[1])

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

    def path(self) -> dict[str, Any]:
        """The progressive path towards the recommended form (:func:`progressive_path`)."""
        return progressive_path(self)

    def sensitivity(self) -> pd.DataFrame:
        """Which single answer would change the recommendation (:func:`sensitivity_table`)."""
        return sensitivity_table(self)

    def explanation_figures(self) -> dict[str, Any]:
        """What the explanation says, as codes and numbers (``roadmap/summary.json`` saves it):
        ``form``, ``score``, ``runner_up``, ``margin``, the ``reasons`` (``criterion``,
        ``basis_code``, ``basis_params`` as a mapping, ``contribution``), ``provisional``,
        ``unanswered`` (question names), ``path`` (forms, first step first) and ``pivots``
        (the single answers that would change the form: ``question``, ``answer``, ``status``,
        ``form``)."""
        ranked = self.scores.sort_values("rank")
        best, runner_up = ranked.iloc[0], ranked.iloc[1]
        pivots = self.sensitivity()
        pivots = pivots[pivots["changes"]]
        return {"form": self.best, "score": float(best["score"]), "runner_up": str(runner_up["form"]),
                "margin": float(best["score"] - runner_up["score"]),
                "reasons": [{"criterion": r.criterion, "basis_code": r.basis_code,
                             "basis_params": json.loads(r.basis_params),
                             "contribution": float(r.contribution)}
                            for r in self.top_reasons().itertuples()],
                "provisional": self.provisional, "unanswered": list(self.unanswered),
                "path": self.path()["path"],
                "pivots": [{"question": r.question, "answer": r.alternative, "status": r.status,
                            "form": r.best} for r in pivots.itertuples()]}

    def explanation(self, language: str = "fr") -> str:
        """One paragraph for the client: the form, its margin, and the main reasons."""
        return word_explanation(self.explanation_figures(), language)


def progressive_path(rec: Recommendation) -> dict[str, Any]:
    """The steps towards the recommended form: the minimal correspondence table first when the
    means or the governance are not ready for the target (METHOD.md: the table is "cheap, a
    first step, not durable"; the deduplication step has already built it).

    Rules, each recorded as a reason code:

    - target MDM: start with the table unless governance is mature *and* the team large
      (``path_governance``, ``path_team``); go through the CRM when the CRM is central or being
      replaced (``path_crm``): table → CRM-hosted → MDM;
    - target CRM-hosted: start with the table when customers are shared across three sources or
      more, which keep their own identifiers (``path_shared``), or governance is immature;
    - target correspondence table with a long-lasting reference wanted: the table is a first
      step, then the best durable form (``path_not_durable``);
    - target decision-support database: directly.

    Returns:
        ``path`` (forms, first step first; one form: no intermediate step) and ``reasons``
        (codes).
    """
    q = rec.questionnaire or Questionnaire()
    ev = rec.evidence or Evidence()
    target, path, reasons = rec.best, [rec.best], []
    if target == "mdm":
        if q.data_governance != "high":
            reasons.append("path_governance")
        if q.team_capacity != "high":
            reasons.append("path_team")
        if reasons:
            path = ["crosswalk", "mdm"]
            if q.crm_is_central or q.crm_replacement_planned:
                path = ["crosswalk", "crm_hosted", "mdm"]
                reasons.append("path_crm")
    elif target == "crm_hosted":
        if ev.n_sources >= 3 and (ev.overlap_rate or 0) >= 0.10:
            reasons.append("path_shared")
        if q.data_governance == "low":
            reasons.append("path_governance")
        if reasons:
            path = ["crosswalk", "crm_hosted"]
    elif target == "crosswalk" and q.long_term_reference:
        durable = rec.scores[rec.scores["form"] != "crosswalk"].sort_values("rank").iloc[0]["form"]
        path, reasons = ["crosswalk", str(durable)], ["path_not_durable"]
    return {"path": path, "reasons": reasons}


def _alternatives(question: str) -> tuple[Any, ...]:
    annotation = Questionnaire.model_fields[question].annotation
    return (True, False) if annotation is bool else typing.get_args(annotation)


def sensitivity_table(rec: Recommendation) -> pd.DataFrame:
    """Re-score with each question given each other answer, one at a time.

    Returns:
        One row per (question, other answer): ``question``, ``status`` (``answered`` or
        ``default``), ``current`` and ``alternative`` (answer keys: ``true``, ``low``...),
        ``best`` (the form it would give), ``margin`` (its lead then) and ``changes`` (True when
        the form differs). Questions in the questionnaire's order.
    """
    q = rec.questionnaire or Questionnaire()
    ev = rec.evidence or Evidence()

    def key(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    rows = []
    for question in QUESTIONS:
        current = getattr(q, question)
        for alternative in _alternatives(question):
            if alternative == current:
                continue
            other = recommend_form(q.model_copy(update={question: alternative}), ev, rec.weights,
                                   unanswered=rec.unanswered)
            rows.append({"question": question,
                         "status": "default" if question in rec.unanswered else "answered",
                         "current": key(current), "alternative": key(alternative),
                         "best": other.best, "margin": round(other.margin, 4),
                         "changes": other.best != rec.best})
    return pd.DataFrame(rows, columns=["question", "status", "current", "alternative", "best",
                                       "margin", "changes"])


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
                   weights: dict[str, Any] | None = None, *,
                   unanswered: Collection[str] = ()) -> Recommendation:
    """Score the four RCU forms and pick the best.

    Args:
        questionnaire: the client's answers.
        evidence: figures measured by the audit, mapping and deduplication steps.
        weights: overrides of :data:`DEFAULT_WEIGHTS` (``{criterion: {form: weight}}``).
        unanswered: the questions answered by default (the recommendation is then provisional).

    Returns:
        The recommendation; ties are broken in the order of :data:`FORMS` (the more complete form
        first), so the result is deterministic.
    """
    w = _merge_weights(weights)
    unanswered = [q for q in QUESTIONS if q in set(unanswered)]
    contrib = criteria_signals(questionnaire, evidence, defaults=unanswered)
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
                          questionnaire=questionnaire, evidence=evidence, unanswered=unanswered)
