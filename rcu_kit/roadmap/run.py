"""Step 4 of the method: the roadmap, from the evidence gathered by the earlier steps.

:func:`build_roadmap` gathers the questionnaire, the figures of the audit, mapping and
deduplication steps (read from the engagement's output folder, see :mod:`rcu_kit.core.paths`), scores
the RCU forms, generates the workstreams and schedules them. Nothing is invented: a step that has
not run yet contributes nothing, and :attr:`Roadmap.missing_evidence` says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from rcu_kit.core.config import Engagement
from rcu_kit.core.excel import write_workbook
from rcu_kit.core.i18n import labels, t
from rcu_kit.core.paths import dedup_summary_path, findings_path, roadmap_dir
from rcu_kit.roadmap.questionnaire import Questionnaire
from rcu_kit.roadmap.scoring import Evidence, Recommendation, recommend_form
from rcu_kit.core.findings import FINDING_COLUMNS, findings_from_dedup
from rcu_kit.core.wording import word_table, worded_findings
from rcu_kit.roadmap.workstreams import build_workstreams, schedule

__all__ = ["client_tables", "pending_inputs", "Roadmap", "collect_findings", "collect_evidence", "build_roadmap", "export_roadmap",
           "FINDING_STEPS"]

# steps whose findings feed the roadmap, in this order
FINDING_STEPS = ("audit", "mapping")


@dataclass
class Roadmap:
    questionnaire: Questionnaire
    evidence: Evidence
    recommendation: Recommendation
    findings: pd.DataFrame
    workstreams: pd.DataFrame
    plan: pd.DataFrame
    missing_evidence: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    ignored_overrides: list[str] = field(default_factory=list)


def _read_dedup_summary(engagement: Engagement) -> dict | None:
    path = dedup_summary_path(engagement)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def collect_findings(engagement: Engagement) -> tuple[pd.DataFrame, list[str]]:
    """All findings saved by earlier steps, and the steps whose findings are missing."""
    frames, missing = [], []
    for step in FINDING_STEPS:
        path = findings_path(engagement, step)
        if path.exists():
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            lacking = set(FINDING_COLUMNS) - set(frame.columns)
            if lacking:
                raise ValueError(f"{path}: lacks column(s) {', '.join(sorted(lacking))}; "
                                 "re-run that step's notebook")
            frames.append(frame[FINDING_COLUMNS])
        else:
            missing.append(step)
    summary = _read_dedup_summary(engagement)
    if summary is None:
        missing.append("dedup")
    else:
        rates = pd.DataFrame(summary.get("per_source", []), columns=["source", "duplicate_rate"])
        frames.append(findings_from_dedup(rates, summary.get("overlap_rate")))
    findings = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS)
    return findings, missing


def collect_evidence(engagement: Engagement) -> Evidence:
    """Evidence for the form scoring from the engagement and the deduplication summary."""
    summary = _read_dedup_summary(engagement) or {}
    return Evidence.from_engagement(engagement, n_records=int(summary.get("n_records", 0)),
                                    duplicate_rate=summary.get("duplicate_rate"),
                                    overlap_rate=summary.get("overlap_rate"))


def _attribute_labels(engagement: Engagement) -> dict[str, str]:
    return {a.name: a.label(engagement.language) for a in engagement.target_model}


def _next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def pending_inputs(roadmap: Roadmap, language: str) -> list[str]:
    """Two lines for the client: the questions answered by default and the steps not run yet.

    Examples:
        >>> pending_inputs(plan, "fr")  # doctest: +SKIP
        ['Questions sans réponse (valeurs par défaut utilisées) : budget', 'Étapes pas encore ... : aucune']
    """
    def items(keys: list[str], prefix: str) -> str:
        names = [t(f"roadmap.{prefix}_{k}", language) if f"roadmap.{prefix}_{k}" in labels() else k
                 for k in keys]
        return ", ".join(names) or t("roadmap.pending_none", language)

    return [t("roadmap.pending_unanswered", language, items=items(roadmap.unanswered, "question")),
            t("roadmap.pending_missing_evidence", language,
              items=items(roadmap.missing_evidence, "step"))]


def build_roadmap(engagement: Engagement, *, start: date | None = None) -> Roadmap:
    """Score the RCU forms, generate and schedule the workstreams for one engagement.

    Settings read from the engagement's ``roadmap:`` section: ``weights`` (form scoring
    overrides), ``workstreams`` (per-id overrides of effort, value, priority, dependencies),
    ``start_date`` (ISO date; default: next Monday) and ``fte`` (people on the project, default 2).
    """
    settings = engagement.roadmap or {}
    q = Questionnaire.from_config(engagement.questionnaire)
    evidence = collect_evidence(engagement)
    rec = recommend_form(q, evidence, settings.get("weights"))
    findings, missing = collect_findings(engagement)
    ws = build_workstreams(findings, language=engagement.language,
                           overrides=settings.get("workstreams"), strict=False,
                           labels=_attribute_labels(engagement))
    if start is None:
        raw = settings.get("start_date")
        start = date.fromisoformat(str(raw)) if raw else _next_monday(date.today())
    plan = schedule(ws, start=start, fte=float(settings.get("fte", 2)))
    return Roadmap(questionnaire=q, evidence=evidence, recommendation=rec, findings=findings,
                   workstreams=ws, plan=plan, missing_evidence=missing,
                   unanswered=q.defaulted(engagement.questionnaire),
                   ignored_overrides=ws.attrs.get("ignored_overrides", []))


def client_tables(roadmap: Roadmap, language: str = "fr") -> dict[str, pd.DataFrame]:
    """The scoring criteria and the scheduled workstreams as the client reads them.

    Headers, criteria, answers, kinds and severities are translated; contributions are rounded
    to one decimal (no ``-0.0``); dependencies are listed as text.

    Returns:
        ``{"criteria": ..., "workstreams": ...}``: one row per criterion (in scoring order) and
        one per scheduled workstream (in plan order).
    """

    from rcu_kit.roadmap.scoring import FORMS

    rec = roadmap.recommendation
    c = rec.contributions
    basis = rec.basis(language)
    criteria = pd.DataFrame({
        t("roadmap.col_criterion", language): [t(f"roadmap.criterion_{k}", language) for k in c["criterion"]],
        t("roadmap.col_basis", language): [basis[k] for k in c["criterion"]],
        **{t(f"roadmap.form_{f}", language): c[f].astype(float).round(1) + 0.0 for f in FORMS},
    })
    p = roadmap.plan
    workstreams = pd.DataFrame({
        t("roadmap.col_id", language): p["id"],
        t("roadmap.col_workstream", language): p["label"],
        t("roadmap.col_kind", language): [t(f"roadmap.kind_{k}", language) for k in p["kind"]],
        t("roadmap.col_cause", language): p["cause"],
        t("roadmap.col_detail", language): p["detail"].fillna(""),
        t("roadmap.col_severity", language): [t(f"roadmap.severity_{k}", language) for k in p["severity"]],
        t("roadmap.col_effort", language): p["effort_days"],
        t("roadmap.col_priority", language): p["priority"],
        t("roadmap.col_depends_on", language): [", ".join(d) for d in p["depends_on"]],
        t("roadmap.col_start", language): p["start"],
        t("roadmap.col_finish", language): p["finish"],
    })
    return {"criteria": criteria, "workstreams": workstreams}


def export_roadmap(roadmap: Roadmap, engagement: Engagement) -> Path:
    """Write the roadmap tables (Excel) and its headline (JSON, for the report's summary).

    The workbook is read by people: the criteria's basis and the findings are worded in the
    engagement's language. ``summary.json`` holds codes and figures: its ``explanation`` is
    :meth:`~rcu_kit.roadmap.scoring.Recommendation.explanation_figures`, which the report words
    (:func:`rcu_kit.core.wording.word_explanation`).
    """
    folder = roadmap_dir(engagement)
    plan = roadmap.plan.assign(depends_on=[", ".join(d) for d in roadmap.plan["depends_on"]])
    workbook = write_workbook(folder / "roadmap.xlsx", {
        "recommendation": roadmap.recommendation.scores.sort_values("rank"),
        "criteria": word_table(roadmap.recommendation.contributions, engagement.language),
        "workstreams": plan,
        "findings": worded_findings(roadmap.findings, engagement.language,
                                    _attribute_labels(engagement)),
    })
    headline = {"recommended_form": roadmap.recommendation.best,
                "explanation": roadmap.recommendation.explanation_figures(),
                "n_workstreams": int(len(roadmap.workstreams)),
                "end_date": max(roadmap.plan["finish"]).isoformat(),
                "missing_evidence": roadmap.missing_evidence}
    (folder / "summary.json").write_text(json.dumps(headline, ensure_ascii=False, indent=2),
                                         encoding="utf-8")
    return workbook
