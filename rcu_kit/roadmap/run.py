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
from rcu_kit.core.i18n import fmt_date, fmt_number, fmt_percent, labels, t
from rcu_kit.core.paths import crosswalk_path, dedup_summary_path, findings_path, roadmap_dir
from rcu_kit.core.findings import FINDING_COLUMNS, findings_from_dedup
from rcu_kit.core.wording import word_table, worded_findings
from rcu_kit.dedup.figures import within_source_duplicates
from rcu_kit.roadmap.questionnaire import Questionnaire, answer_status
from rcu_kit.roadmap.scoring import FORMS, Evidence, Recommendation, recommend_form
from rcu_kit.audit.flows import bridge_summary, flow_table
from rcu_kit.roadmap.gdpr import gdpr_figures, load_gdpr_records
from rcu_kit.roadmap.registers import decision_log, risk_register, worded_registers
from rcu_kit.roadmap.workstreams import (TEAM, budget_total, build_workstreams, initialisation,
                                         parallel_projects, schedule, workstream_of)

__all__ = ["client_tables", "pending_inputs", "Roadmap", "collect_findings", "collect_evidence",
           "build_roadmap", "export_roadmap", "questionnaire_table", "summary_figures",
           "flows_costing", "gdpr_table", "FINDING_STEPS"]

# steps whose findings feed the roadmap, in this order
FINDING_STEPS = ("audit", "mapping")


@dataclass
class Roadmap:
    """One engagement's roadmap: the recommendation, the findings (each with the ``workstream``
    it is attached to), the items with their budget ranges and the plan on the calendar.

    ``form`` is the form planned: the recommended one unless the consultant set
    ``roadmap: form:``. ``team`` is the people on the project (``roadmap: fte``, else from the
    questionnaire's team capacity, :data:`~rcu_kit.roadmap.workstreams.TEAM`).
    """

    questionnaire: Questionnaire
    evidence: Evidence
    recommendation: Recommendation
    findings: pd.DataFrame
    workstreams: pd.DataFrame
    plan: pd.DataFrame
    missing_evidence: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    ignored_overrides: list[str] = field(default_factory=list)
    form: str = ""
    team: float = 0.0
    initialisation: pd.DataFrame | None = None
    parallel: pd.DataFrame | None = None
    gdpr: dict | None = None
    bridges: dict = field(default_factory=dict)
    engagement: Engagement | None = field(default=None, repr=False)

    @property
    def provisional(self) -> bool:
        """True while the recommendation rests on questions answered by default."""
        return self.recommendation.provisional

    @property
    def budget(self) -> tuple[float, float]:
        """The programme's budget range in euros (days and first-year licences)."""
        return budget_total(self.workstreams)

    @property
    def months(self) -> float:
        """The plan's length in months (30.44 days), first start to last finish."""
        return (max(self.plan["finish"]) - min(self.plan["start"])).days / 30.44


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
    """Evidence for the form scoring from the engagement and the deduplication summary.

    The duplicate rate is the one *within* the sources (from ``per_source``), never the overall
    rate, which also counts the customers present in several sources (``overlap_rate``)."""
    summary = _read_dedup_summary(engagement) or {}
    return Evidence.from_engagement(
        engagement, n_records=int(summary.get("n_records", 0)),
        duplicate_rate=within_source_duplicates(summary.get("per_source") or []),
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


def build_roadmap(engagement: Engagement, *, start: date | None = None,
                  records: pd.DataFrame | None = None, read_sources: bool = False,
                  today: date | None = None) -> Roadmap:
    """Score the RCU forms, build and schedule the plan for one engagement.

    Settings read from the engagement's ``roadmap:`` section: ``weights`` (form scoring
    overrides), ``form`` (the form to plan, when the consultant and the client chose another
    than the recommended one), ``workstreams`` (per-id overrides of effort, fte, dependencies,
    label), ``durations`` (phase weeks), ``day_rate`` and ``licences`` (euro ranges),
    ``start_date`` (ISO date; default: next Monday) and ``fte`` (people on the project; default
    from the questionnaire's team capacity: low 2, medium 4, high 6), ``history_years`` (depth
    of history to recover, default 3), ``previous_crm`` (true / false; default the
    questionnaire's ``crm_replacement_planned``), ``parallel_projects``
    (:func:`~rcu_kit.roadmap.workstreams.parallel_projects`), ``gdpr`` (``retention_months``,
    ``legal_basis``, ``reference_date``: :func:`~rcu_kit.roadmap.gdpr.gdpr_figures`) and
    ``raci`` (:func:`~rcu_kit.roadmap.registers.raci_table`).

    Args:
        engagement: the engagement.
        start: the programme's first day.
        records: the sources' records in the common layout, for the GDPR figures (consent,
            activity dates); None: read them from the sources when ``read_sources`` and the
            deduplication has run, else the GDPR figures that need them are not measured.
        read_sources: load the sources again for the GDPR figures.
        today: reference date of the retention count (default: the run's date).
    """
    settings = engagement.roadmap or {}
    q = Questionnaire.from_config(engagement.questionnaire)
    unanswered = q.defaulted(engagement.questionnaire)
    evidence = collect_evidence(engagement)
    rec = recommend_form(q, evidence, settings.get("weights"), unanswered=unanswered)
    findings, missing = collect_findings(engagement)
    findings = findings.drop_duplicates("key").reset_index(drop=True)
    findings["workstream"] = [workstream_of(f) for f in findings.to_dict("records")]
    flows = flow_table(engagement)
    history_years = settings.get("history_years", 3)
    if isinstance(history_years, bool) or not isinstance(history_years, (int, float)) \
            or history_years < 0:
        raise ValueError(f"roadmap.history_years: expected a number of years >= 0 (the depth of "
                         f"history to recover), got {history_years!r}")
    previous = settings.get("previous_crm")
    if previous is not None and not isinstance(previous, bool):
        raise ValueError(f"roadmap.previous_crm: expected true or false, got {previous!r}")
    high_quality = int(((findings["kind"] == "quality") & (findings["severity"] == "high")).sum())
    init = initialisation(n_records=evidence.n_records, duplicate_rate=evidence.duplicate_rate,
                          high_findings=high_quality, flows=flows, n_sources=evidence.n_sources,
                          history_years=float(history_years),
                          previous_crm=q.crm_replacement_planned if previous is None else previous)
    form = settings.get("form") or rec.best
    if form not in FORMS:
        raise ValueError(f"roadmap.form: unknown form {form!r}; forms are: {', '.join(FORMS)}")
    overrides = settings.get("workstreams") or {}
    ws = build_workstreams(findings[FINDING_COLUMNS], form=form, n_records=evidence.n_records,
                           n_sources=evidence.n_sources, language=engagement.language,
                           overrides={k: v for k, v in overrides.items() if k in _ids(form)},
                           durations=settings.get("durations"), day_rate=settings.get("day_rate"),
                           licences=settings.get("licences"), flows=flows, init=init,
                           governance=q.data_governance, team_capacity=q.team_capacity,
                           roles=sum(v.kind == "role" for v in engagement.views))
    ignored = sorted(set(overrides) - _ids(form))
    if start is None:
        raw = settings.get("start_date")
        start = date.fromisoformat(str(raw)) if raw else _next_monday(date.today())
    team = float(settings.get("fte") or TEAM[q.team_capacity])
    plan = schedule(ws, start=start, team=team)
    crosswalk_file = crosswalk_path(engagement)
    crosswalk = pd.read_csv(crosswalk_file, dtype=str, keep_default_na=False) \
        if crosswalk_file.exists() else None
    if records is None and read_sources and crosswalk is not None:
        records = load_gdpr_records(engagement)
    gdpr = gdpr_figures(engagement, records, crosswalk, today=today,
                        settings=settings.get("gdpr"))
    return Roadmap(questionnaire=q, evidence=evidence, recommendation=rec, findings=findings,
                   workstreams=ws, plan=plan, missing_evidence=missing, unanswered=unanswered,
                   ignored_overrides=ignored, form=form, team=team, initialisation=init,
                   parallel=parallel_projects(settings.get("parallel_projects"), flows, plan),
                   gdpr=gdpr, bridges=bridge_summary(engagement), engagement=engagement)


def _ids(form: str) -> set[str]:
    """The item ids a plan for ``form`` has (no tender nor lead time for a correspondence table)."""
    empty = pd.DataFrame(columns=FINDING_COLUMNS)
    return set(build_workstreams(empty, form=form)["id"])


def questionnaire_table(roadmap: Roadmap, engagement: Engagement, language: str) -> pd.DataFrame:
    """The workshop's record: each question, its status (answered / default) and its answer."""
    status = answer_status(engagement.questionnaire)
    q = roadmap.questionnaire
    rows = []
    for name in status:
        value = getattr(q, name)
        key = str(value).lower() if isinstance(value, bool) else str(value)
        rows.append({t("roadmap.col_question", language): t(f"roadmap.question_{name}", language),
                     t("roadmap.col_status", language): t(f"roadmap.status_{status[name]}", language),
                     t("roadmap.col_answer", language): t(f"roadmap.answer_{key}", language)})
    return pd.DataFrame(rows)


def _euros(low: float, high: float, language: str) -> str:
    """A budget range in thousands of euros: ``250 – 740 k€``."""
    return f"{fmt_number(low / 1000, language)} – {fmt_number(high / 1000, language)} k€"


def client_tables(roadmap: Roadmap, language: str = "fr") -> dict[str, pd.DataFrame]:
    """The scoring, its sensitivity, the plan and its budget as the client reads them.

    Headers, criteria, answers and kinds are translated; contributions are rounded to one
    decimal (no ``-0.0``); dependencies are listed as text; budgets read in k€.

    Returns:
        ``criteria`` (one row per criterion, in scoring order), ``sensitivity`` (one row per
        single answer that would change the recommendation), ``workstreams`` (one per scheduled
        item, in plan order) and ``budget`` (one per item, then licences and the total).
    """
    rec = roadmap.recommendation
    c = rec.contributions
    basis = rec.basis(language)
    criteria = pd.DataFrame({
        t("roadmap.col_criterion", language): [t(f"roadmap.criterion_{k}", language) for k in c["criterion"]],
        t("roadmap.col_basis", language): [basis[k] for k in c["criterion"]],
        **{t(f"roadmap.form_{f}", language): c[f].astype(float).round(1) + 0.0 for f in FORMS},
    })
    sens = rec.sensitivity()
    sens = sens[sens["changes"]]
    sensitivity = pd.DataFrame({
        t("roadmap.col_question", language): [t(f"roadmap.question_{q}", language) for q in sens["question"]],
        t("roadmap.col_status", language): [t(f"roadmap.status_{s}", language) for s in sens["status"]],
        t("roadmap.col_answer", language): [t(f"roadmap.answer_{a}", language) for a in sens["current"]],
        t("roadmap.col_alternative", language): [t(f"roadmap.answer_{a}", language) for a in sens["alternative"]],
        t("roadmap.col_form_then", language): [t(f"roadmap.form_{f}", language) for f in sens["best"]],
    })
    p = roadmap.plan
    workstreams = pd.DataFrame({
        t("roadmap.col_id", language): p["id"],
        t("roadmap.col_workstream", language): p["label"],
        t("roadmap.col_kind", language): [t(f"roadmap.kind_{k}", language) for k in p["kind"]],
        t("roadmap.col_findings", language): p["n_findings"],
        t("roadmap.col_fte", language): p["fte"],
        t("roadmap.col_effort", language): p["effort_days"].round(1),
        t("roadmap.col_budget", language): [_euros(lo, hi, language) for lo, hi
                                           in zip(p["budget_low"], p["budget_high"])],
        t("roadmap.col_depends_on", language): [", ".join(d) for d in p["depends_on"]],
        t("roadmap.col_start", language): [fmt_date(d, language) for d in p["start"]],
        t("roadmap.col_finish", language): [fmt_date(d, language) for d in p["finish"]],
    })
    licences = roadmap.workstreams.attrs.get("licences", (0.0, 0.0))
    total = roadmap.budget
    budget = pd.DataFrame({
        t("roadmap.col_workstream", language): [*p["label"], t("roadmap.budget_licences", language),
                                                t("roadmap.budget_total", language)],
        t("roadmap.col_budget", language): [*[_euros(lo, hi, language) for lo, hi in
                                              zip(p["budget_low"], p["budget_high"])],
                                            _euros(*licences, language), _euros(*total, language)],
    })
    return {"criteria": criteria, "sensitivity": sensitivity, "workstreams": workstreams,
            "budget": budget, "initialisation": _initialisation_table(roadmap, language),
            "parallel": _parallel_table(roadmap, language),
            "gdpr": gdpr_table(roadmap.gdpr or {}, language),
            **worded_registers(roadmap, roadmap.engagement, roadmap.gdpr,
                               roadmap.bridges, language)}


def _initialisation_table(roadmap: Roadmap, language: str) -> pd.DataFrame:
    """The initialisation's three steps, their days, the item carrying them (its id) and the
    calculation (the figures of :data:`~rcu_kit.roadmap.workstreams.INIT_DAYS`, which notebook
    05 states in words)."""
    init = roadmap.initialisation
    if init is None:
        return pd.DataFrame()

    def basis(row) -> str:
        if row.step == "previous_crm" and not row.days:
            return t("roadmap.init_basis_none", language)
        return t(f"roadmap.init_basis_{row.step}", language, systems=row.systems,
                 two_way=row.two_way_sync, years=fmt_number(row.years, language),
                 blocks=row.blocks, high=row.high_findings, points=row.duplicate_points)

    return pd.DataFrame({
        t("roadmap.col_step", language): [t(f"roadmap.init_{s}", language) for s in init["step"]],
        t("roadmap.col_days", language): init["days"],
        t("roadmap.col_item", language): list(init["item"]),
        t("roadmap.col_basis_init", language): [basis(r) for r in init.itertuples(index=False)],
    })


def _parallel_table(roadmap: Roadmap, language: str) -> pd.DataFrame:
    """The parallel projects, the flows they move and the plan items depending on them."""
    par = roadmap.parallel if roadmap.parallel is not None else pd.DataFrame()
    labels = dict(zip(roadmap.plan["id"], roadmap.plan["label"]))

    def items(ids) -> str:
        return "; ".join(f"{i} · {labels[i]}" for i in ids) or "–"

    if not len(par):
        return pd.DataFrame(columns=[t(f"roadmap.col_{k}", language) for k in
                                     ("project", "dates", "moves", "flows", "items", "overlaps")])
    return pd.DataFrame({
        t("roadmap.col_project", language): par["name"],
        t("roadmap.col_dates", language): [f"{fmt_date(a, language)} → {fmt_date(b, language)}"
                                          for a, b in zip(par["start"], par["end"])],
        t("roadmap.col_moves", language): [", ".join(m) or "–" for m in par["moves"]],
        t("roadmap.col_flows", language): [", ".join(f) or "–" for f in par["flows"]],
        t("roadmap.col_items", language): [items(i) for i in par["items"]],
        t("roadmap.col_overlaps", language): [items(i) for i in par["overlaps"]],
    })


def flows_costing(roadmap: Roadmap, language: str) -> str:
    """Two sentences for the client: how the bridges size the interfaces workstream, and how the
    questionnaire's governance and team answers scale the governance and organisation ones."""
    b = roadmap.bridges or {}
    ws = roadmap.workstreams
    attrs = ws.attrs
    factors = attrs.get("organisation", {"W4": 1.0, "W6": 1.0})
    roles = sum(v.kind == "role" for v in roadmap.engagement.views) if roadmap.engagement else 0
    w2 = ws.set_index("id").loc["W2"]
    first = t("roadmap.costing_flows" if b.get("flows") else "roadmap.costing_no_flows", language,
              flows=fmt_number(b.get("flows", 0), language),
              systems=fmt_number(b.get("systems", 0), language), hub=b.get("hub") or "",
              two_way=fmt_number(b.get("two_way", 0), language),
              sync=fmt_number(b.get("sync", 0), language),
              units=fmt_number(attrs.get("interface_units", 0), language, 1),
              low=fmt_number(w2["effort_low"], language), high=fmt_number(w2["effort_high"], language))
    def answer(question: str) -> str:
        text = t(f"roadmap.answer_{getattr(roadmap.questionnaire, question)}", language)
        return text + (t("roadmap.by_default", language) if question in roadmap.unanswered else "")

    second = t("roadmap.costing_organisation", language,
               governance=answer("data_governance"), team=answer("team_capacity"),
               w4=fmt_number(factors["W4"], language, 2), w6=fmt_number(factors["W6"], language, 2),
               roles=fmt_number(roles, language))
    return f"{first}\n{second}"


def gdpr_table(gdpr: dict, language: str) -> pd.DataFrame:
    """The GDPR figures as two columns, figure and value, in ``language``: what the data
    measured, "not measurable" with the reason when it could not, and the legal basis as the
    client's answer or a question still open."""
    consent = gdpr.get("consent") or {}
    inactive = gdpr.get("inactive") or {}
    missing = gdpr.get("missing") or []
    na = t("roadmap.gdpr_not_measured", language)

    def why(*codes: str) -> str:
        found = [t(f"roadmap.gdpr_missing_{c}", language) for c in codes if c in missing]
        return f"{na} ({'; '.join(found)})" if found else na

    def share(n, total) -> str:
        if n is None or not total:
            return why("no_consent_attribute", "consent_not_mapped", "no_records", "no_crosswalk")
        return t("roadmap.gdpr_of", language, n=fmt_number(n, language),
                 total=fmt_number(total, language), rate=fmt_percent(n / total, language, 1))

    rows = [
        ("consent_attribute", consent.get("attribute") or why("no_consent_attribute")),
        ("consent_sources", ", ".join(consent.get("sources") or []) or
         why("no_consent_attribute", "consent_not_mapped")),
        ("consent_records", share(consent.get("records_known"), consent.get("records"))),
        ("consent_customers", share(consent.get("customers_known"), consent.get("customers"))),
        ("consent_yes", share(consent.get("customers_yes"), consent.get("customers"))),
        ("consent_conflicts", share(consent.get("customers_conflicting"),
                                    consent.get("customers_known"))),
        ("retention", t("roadmap.value_months", language, n=inactive["retention_months"]) + " ("
         + t(f"roadmap.gdpr_retention_from_{inactive['retention_from']}", language) + ")"
         if inactive.get("retention_months") else why("no_retention")),
        ("inactive", share(inactive.get("customers_inactive"), inactive.get("customers_dated"))
         if inactive.get("customers_inactive") is not None
         else why("no_activity_attribute", "no_retention", "no_records", "no_crosswalk")),
        ("legal_basis", t(f"roadmap.answer_{gdpr['legal_basis']}", language)
         if gdpr.get("legal_basis") else t("roadmap.gdpr_legal_basis_pending", language)),
        ("minimisation", fmt_number(sum((gdpr.get("minimisation") or {}).values()), language)),
    ]
    return pd.DataFrame({t("roadmap.col_figure", language): [t(f"roadmap.gdpr_{k}", language)
                                                            for k, _ in rows],
                         t("roadmap.col_value", language): [v for _, v in rows]})


def summary_figures(roadmap: Roadmap) -> dict:
    """The headline ``roadmap/summary.json`` holds (codes and figures, no sentence).

    Keys: ``recommended_form``, ``planned_form``, ``provisional``, ``unanswered``,
    ``explanation`` (:meth:`~rcu_kit.roadmap.scoring.Recommendation.explanation_figures`),
    ``path``, ``n_workstreams`` (the workstreams, phases apart), ``n_findings``, ``team``,
    ``start_date``, ``end_date``, ``months``, ``budget_low``, ``budget_high`` (euros) and
    ``missing_evidence``; ``bridges`` (:func:`~rcu_kit.audit.flows.bridge_summary`), ``gdpr``
    (:func:`~rcu_kit.roadmap.gdpr.gdpr_figures`), ``initialisation`` (step -> days),
    ``parallel_projects`` (name, items, overlaps), ``risks`` (id, risk, probability, impact,
    evidence_code, evidence_params as JSON text, workstream) and ``decisions`` (id, topic, status, changes_form).
    """
    rec = roadmap.recommendation
    explanation = rec.explanation_figures()
    low, high = roadmap.budget
    return {"recommended_form": rec.best, "planned_form": roadmap.form,
            "provisional": rec.provisional, "unanswered": list(rec.unanswered),
            "explanation": explanation, "path": explanation["path"],
            "n_workstreams": int((roadmap.workstreams["kind"] == "workstream").sum()),
            "n_findings": int(len(roadmap.findings)), "team": roadmap.team,
            "start_date": min(roadmap.plan["start"]).isoformat(),
            "end_date": max(roadmap.plan["finish"]).isoformat(),
            "months": round(roadmap.months, 1), "budget_low": low, "budget_high": high,
            "missing_evidence": roadmap.missing_evidence,
            "bridges": roadmap.bridges, "gdpr": roadmap.gdpr,
            "initialisation": {r.step: float(r.days) for r in roadmap.initialisation.itertuples()}
            if roadmap.initialisation is not None else {},
            "parallel_projects": [{"name": r.name, "items": list(r.items),
                                   "overlaps": list(r.overlaps)}
                                  for r in (roadmap.parallel.itertuples() if roadmap.parallel
                                            is not None else [])],
            "risks": risk_register(roadmap, roadmap.engagement, roadmap.gdpr, roadmap.bridges)
            [["id", "risk", "probability", "impact", "evidence_code", "evidence_params",
              "workstream"]]
            .to_dict("records") if roadmap.engagement is not None else [],
            "decisions": decision_log(roadmap, roadmap.engagement, roadmap.gdpr)
            [["id", "topic", "status", "changes_form"]].to_dict("records")
            if roadmap.engagement is not None else []}


def export_roadmap(roadmap: Roadmap, engagement: Engagement) -> Path:
    """Write the roadmap tables (Excel) and its headline (JSON, for the report's summary).

    The workbook is read by people: the questionnaire with each answer's status, the criteria's
    basis, the sensitivity and the findings are worded in the engagement's language.
    ``summary.json`` holds codes and figures (:func:`summary_figures`), which the report words
    (:func:`rcu_kit.core.wording.word_explanation`).
    """
    language = engagement.language
    folder = roadmap_dir(engagement)
    plan = roadmap.plan.assign(depends_on=[", ".join(d) for d in roadmap.plan["depends_on"]],
                               causes=[", ".join(c) for c in roadmap.plan["causes"]])
    tables = client_tables(roadmap, language)
    workbook = write_workbook(folder / "roadmap.xlsx", {
        "recommendation": roadmap.recommendation.scores.sort_values("rank"),
        "questionnaire": questionnaire_table(roadmap, engagement, language),
        "criteria": word_table(roadmap.recommendation.contributions, language),
        "sensitivity": tables["sensitivity"],
        "workstreams": plan,
        "budget": tables["budget"],
        "initialisation": tables["initialisation"],
        "parallel_projects": tables["parallel"],
        "gdpr": tables["gdpr"],
        "risks": tables["risks"],
        "raci": tables["raci"],
        "data_ownership": tables["ownership"],
        "decisions": tables["decisions"],
        "findings": worded_findings(roadmap.findings, language, _attribute_labels(engagement))
        .assign(workstream=roadmap.findings["workstream"].tolist()),
    })
    (folder / "summary.json").write_text(json.dumps(summary_figures(roadmap), ensure_ascii=False,
                                                    indent=2), encoding="utf-8")
    return workbook
