"""The registers a scoping deliverable always carries: risks, RACI, data ownership, decisions.

Each is computed from what the engagement states and the earlier steps measured, as codes and
figures; :func:`worded_registers` words them in the engagement's language for the workbook, the
notebook's page and the summary page.

- :func:`risk_register`: one row per risk the evidence raises (a risk without evidence is not
  listed), with its probability, impact, the evidence (code and figures) and the workstream that
  treats it.
- :func:`raci_table`: who is Responsible, Accountable, Consulted, Informed for each item of the
  plan (:data:`RACI`, the method's reference split, overridable in ``roadmap: raci:``).
- :func:`ownership_table`: each target attribute with its owner (target model), the sources that
  provide it and their owners, the views that receive it, and what is missing.
- :func:`decision_log`: the questionnaire's answers as decisions, answered or pending, and the
  other decisions the plan rests on (form, legal basis, history depth, retention, team, budget).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from rcu_kit.core.config import Engagement
from rcu_kit.core.i18n import fmt_number, fmt_percent, t
from rcu_kit.roadmap.questionnaire import QUESTIONS, answer_status

__all__ = ["RACI_ROLES", "RACI", "risk_register", "raci_table", "ownership_table", "decision_log",
           "risk_words", "worded_registers"]

RACI_ROLES = ("sponsor", "business", "dpo", "it", "vendor", "consultant")

#: Reference split of responsibilities per plan item (R responsible, A accountable, C consulted,
#: I informed; "" not involved): the sponsor (the client's management) is accountable for the
#: decisions, the business owners for their data, IT for what runs, the DPO for personal data.
RACI: dict[str, dict[str, str]] = {
    "scoping":         {"sponsor": "A", "business": "C", "dpo": "C", "it": "C", "vendor": "", "consultant": "R"},
    "tender":          {"sponsor": "A", "business": "C", "dpo": "C", "it": "R", "vendor": "I", "consultant": "R"},
    "lead_time":       {"sponsor": "A", "business": "I", "dpo": "I", "it": "R", "vendor": "R", "consultant": "C"},
    "build":           {"sponsor": "I", "business": "C", "dpo": "C", "it": "A", "vendor": "R", "consultant": "C"},
    "go_live":         {"sponsor": "A", "business": "R", "dpo": "I", "it": "R", "vendor": "R", "consultant": "C"},
    "standardisation": {"sponsor": "I", "business": "A", "dpo": "I", "it": "R", "vendor": "R", "consultant": "C"},
    "interfaces":      {"sponsor": "I", "business": "C", "dpo": "I", "it": "A", "vendor": "R", "consultant": "C"},
    "gdpr":            {"sponsor": "I", "business": "R", "dpo": "A", "it": "C", "vendor": "C", "consultant": "C"},
    "governance":      {"sponsor": "A", "business": "R", "dpo": "C", "it": "C", "vendor": "", "consultant": "C"},
    "history":         {"sponsor": "I", "business": "A", "dpo": "C", "it": "R", "vendor": "R", "consultant": "C"},
    "change":          {"sponsor": "A", "business": "R", "dpo": "I", "it": "C", "vendor": "C", "consultant": "C"},
    "excel":           {"sponsor": "I", "business": "A", "dpo": "C", "it": "R", "vendor": "", "consultant": "C"},
}

RISK_COLUMNS = ["id", "risk", "probability", "impact", "evidence_code", "evidence_params",
                "workstream"]
_LEVEL = {"low": 1, "medium": 2, "high": 3}


def _params(**kw: Any) -> str:
    return json.dumps(kw, ensure_ascii=False, sort_keys=True)


def risk_register(roadmap: Any, engagement: Engagement, gdpr: dict[str, Any] | None = None,
                  bridges: dict[str, Any] | None = None) -> pd.DataFrame:
    """The risks the evidence raises, highest first (probability x impact, then the order below).

    Args:
        roadmap: :class:`rcu_kit.roadmap.run.Roadmap`.
        engagement: the engagement (target model owners, questionnaire).
        gdpr: :func:`rcu_kit.roadmap.gdpr.gdpr_figures` (None: the GDPR risks are not judged).
        bridges: :func:`rcu_kit.audit.flows.bridge_summary`.

    Returns:
        ``id`` (R1...), ``risk`` (code), ``probability`` and ``impact`` (low / medium / high),
        ``evidence_code`` and ``evidence_params`` (JSON: the figure that raises it),
        ``workstream`` (the plan item that treats it). Codes, in the order they are judged:
        ``provisional`` (the recommendation rests on default answers), ``duplicates`` (3 % of
        records or more repeat a customer of their source), ``quality`` (high-severity quality
        findings), ``integration`` (flows to build: the first cause of overruns), ``sync_peak``,
        ``flows_open`` (flows without owner, supervision, volume or process), ``parallel``
        (a parallel project overlaps the items it moves), ``consent_conflicts``,
        ``low_consent`` (fewer than half the customers with a readable consent),
        ``retention`` (customers inactive beyond the retention period), ``legal_basis`` (not
        stated), ``minimisation`` (views' findings), ``ownership`` (attributes without owner or
        immature governance), ``duration`` (a plan over 12 months).
    """
    rec = roadmap.recommendation
    ev = roadmap.evidence
    rows: list[tuple[str, str, str, str, str, str]] = []

    def add(code, probability, impact, evidence_code, workstream, **params):
        rows.append((code, probability, impact, evidence_code, _params(**params), workstream))

    if rec.provisional:
        pivots = set(rec.sensitivity().query("changes")["question"])
        open_pivots = len(pivots & set(rec.unanswered))
        add("provisional", "high" if open_pivots else "medium", "high", "ev_unanswered", "P1",
            n=len(rec.unanswered), pivots=open_pivots)
    if ev.duplicate_rate is not None and ev.duplicate_rate >= 0.03:
        add("duplicates", "high" if ev.duplicate_rate >= 0.05 else "medium", "high",
            "ev_duplicates", "W1", rate=ev.duplicate_rate)
    findings = roadmap.findings
    high_quality = int(((findings["kind"] == "quality") & (findings["severity"] == "high")).sum()) \
        if len(findings) else 0
    if high_quality:
        add("quality", "high", "medium", "ev_quality", "W1", n=high_quality)
    bridges = bridges or {}
    if bridges.get("flows"):
        add("integration", "high" if bridges["flows"] >= 5 else "medium", "high", "ev_flows", "W2",
            n=bridges["flows"], two_way=bridges.get("two_way", 0))
    if ev.sync_peaks:
        add("sync_peak", "medium", "high", "ev_sync_peaks", "W2", n=ev.sync_peaks)
    if bridges.get("open_questions"):
        add("flows_open", "medium", "medium", "ev_flows_open", "W2", n=bridges["open_questions"])
    parallel = roadmap.parallel if roadmap.parallel is not None else pd.DataFrame()
    clashing = [r for r in parallel.itertuples() if r.overlaps] if len(parallel) else []
    if clashing:
        add("parallel", "high", "high", "ev_parallel", clashing[0].overlaps[0],
            n=len(clashing), names=", ".join(r.name for r in clashing))
    if gdpr:
        consent = gdpr.get("consent") or {}
        if consent.get("customers_conflicting"):
            add("consent_conflicts", "high", "high", "ev_consent_conflicts", "W3",
                n=consent["customers_conflicting"], customers=consent.get("customers_known"))
        if consent.get("customers") and (consent.get("customers_known") or 0) < consent["customers"] / 2:
            add("low_consent", "high", "medium", "ev_consent_known", "W3",
                rate=(consent.get("customers_known") or 0) / consent["customers"])
        inactive = gdpr.get("inactive") or {}
        if inactive.get("customers_inactive"):
            add("retention", "high", "high", "ev_inactive", "W3", n=inactive["customers_inactive"],
                months=inactive.get("retention_months"))
        if gdpr.get("legal_basis") is None:
            add("legal_basis", "medium", "high", "ev_legal_basis", "W3")
        n_min = sum((gdpr.get("minimisation") or {}).values())
        if n_min:
            add("minimisation", "medium", "medium", "ev_minimisation", "W3", n=n_min)
    no_owner = sum(not a.owner.strip() for a in engagement.target_model)
    if no_owner or roadmap.questionnaire.data_governance == "low":
        add("ownership", "high" if roadmap.questionnaire.data_governance == "low" else "medium",
            "medium", "ev_ownership", "W4", n=no_owner,
            governance=roadmap.questionnaire.data_governance)
    if roadmap.months > 12:
        add("duration", "medium", "medium", "ev_duration", "P4", months=round(roadmap.months, 1))
    table = pd.DataFrame(rows, columns=["risk", "probability", "impact", "evidence_code",
                                        "evidence_params", "workstream"])
    present = set(roadmap.plan["id"]) if len(roadmap.plan) else set()
    table["workstream"] = [w if w in present else "" for w in table["workstream"]]
    table["_rank"] = [-_LEVEL[p] * _LEVEL[i] for p, i in zip(table["probability"], table["impact"])]
    table = table.sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)
    table.insert(0, "id", [f"R{i}" for i in range(1, len(table) + 1)])
    return table[RISK_COLUMNS]


def raci_table(roadmap: Any, overrides: dict[str, Any] | None = None) -> pd.DataFrame:
    """Who does what for each item of the plan: one row per item (plan order), one column per
    role of :data:`RACI_ROLES`, letters R, A, C, I or "".

    Args:
        roadmap: the roadmap (its plan).
        overrides: ``roadmap: raci:``, per item id a mapping role -> letter.

    Raises:
        ValueError: an unknown item, role or letter (named), or an item without exactly one A.
    """
    ids = list(roadmap.plan["id"])
    keys = dict(zip(roadmap.plan["id"], roadmap.plan["key"]))
    table = pd.DataFrame([{"id": i, "key": keys[i], **RACI[keys[i]]} for i in ids])
    for item, roles in (overrides or {}).items():
        if item not in ids:
            raise ValueError(f"roadmap.raci: unknown item {item!r}; items are: {', '.join(ids)}")
        for role, letter in (roles or {}).items():
            if role not in RACI_ROLES:
                raise ValueError(f"roadmap.raci.{item}: unknown role {role!r}; roles are: "
                                 f"{', '.join(RACI_ROLES)}")
            if letter not in ("R", "A", "C", "I", ""):
                raise ValueError(f"roadmap.raci.{item}.{role}: expected R, A, C, I or '', got "
                                 f"{letter!r}")
            table.loc[table["id"] == item, role] = letter
    for row in table.itertuples(index=False):
        accountable = [r for r in RACI_ROLES if getattr(row, r) == "A"]
        if len(accountable) != 1:
            raise ValueError(f"roadmap.raci.{row.id}: an item needs exactly one accountable (A), "
                             f"got {len(accountable)}")
    return table


def ownership_table(engagement: Engagement) -> pd.DataFrame:
    """Who owns each piece of customer data: one row per target attribute (target-model order).

    Returns:
        ``attribute``, ``owner`` (target model), ``criticity``, ``gdpr_category``, ``retention``,
        ``sources`` (those mapping it, engagement order), ``source_owners`` (their owners,
        distinct, in that order), ``views`` (those receiving it) and ``issues`` (codes joined by
        commas: ``no_owner``; ``no_source`` when no source provides it; ``no_retention`` for a
        personal attribute without retention).
    """
    rows = []
    for attribute in engagement.target_model:
        sources = [s.name for s in engagement.sources
                   if any(e.attribute == attribute.name for e in engagement.mapping.get(s.name, []))]
        owners = list(dict.fromkeys(engagement.source(s).owner for s in sources
                                    if engagement.source(s).owner))
        issues = []
        if not attribute.owner.strip():
            issues.append("no_owner")
        if not sources:
            issues.append("no_source")
        if attribute.gdpr_category != "none" and not attribute.retention.strip():
            issues.append("no_retention")
        rows.append({"attribute": attribute.name, "owner": attribute.owner,
                     "criticity": attribute.criticity, "gdpr_category": attribute.gdpr_category,
                     "retention": attribute.retention, "sources": ", ".join(sources),
                     "source_owners": ", ".join(owners),
                     "views": ", ".join(v.name for v in engagement.views
                                        if attribute.name in v.attributes),
                     "issues": ",".join(issues)})
    return pd.DataFrame(rows, columns=["attribute", "owner", "criticity", "gdpr_category",
                                       "retention", "sources", "source_owners", "views", "issues"])


def decision_log(roadmap: Any, engagement: Engagement,
                 gdpr: dict[str, Any] | None = None) -> pd.DataFrame:
    """The decisions the scoping rests on, each ``answered`` (the client or the consultant
    stated it in the engagement) or ``pending`` (a default stands in for it).

    Returns:
        ``id`` (D1...), ``topic`` (a question of the questionnaire, or ``form``,
        ``legal_basis``, ``history_years``, ``retention``, ``team``, ``start_date``,
        ``budget_envelope``), ``status``, ``value`` (answer key or figure as text; "" when none) and
        ``changes_form`` (True when another answer alone would change the recommended form).
    """
    settings = engagement.roadmap or {}
    status = answer_status(engagement.questionnaire)
    rec = roadmap.recommendation
    sens = rec.sensitivity()
    pivots = set(sens.loc[sens["changes"], "question"])
    rows = []
    for question in QUESTIONS:
        value = getattr(roadmap.questionnaire, question)
        key = str(value).lower() if isinstance(value, bool) else str(value)
        rows.append((question, "answered" if status[question] == "answered" else "pending", key,
                     question in pivots))
    gdpr = gdpr or {}
    inactive = gdpr.get("inactive") or {}
    rows += [
        ("form", "answered" if settings.get("form") else "pending", roadmap.form, False),
        ("legal_basis", "answered" if gdpr.get("legal_basis") else "pending",
         gdpr.get("legal_basis") or "", False),
        ("history_years", "answered" if "history_years" in settings else "pending",
         str(roadmap.initialisation["years"].iloc[0]) if roadmap.initialisation is not None else "",
         False),
        ("retention", "answered" if inactive.get("retention_from") in ("setting", "target_model")
         else "pending", "" if inactive.get("retention_months") is None
         else str(inactive["retention_months"]), False),
        ("team", "answered" if settings.get("fte") else "pending", f"{roadmap.team:g}", False),
        ("start_date", "answered" if settings.get("start_date") else "pending",
         min(roadmap.plan["start"]).isoformat(), False),
        ("budget_envelope", "pending", f"{roadmap.budget[0]:.0f}-{roadmap.budget[1]:.0f}", False),
    ]
    table = pd.DataFrame(rows, columns=["topic", "status", "value", "changes_form"])
    table.insert(0, "id", [f"D{i}" for i in range(1, len(table) + 1)])
    return table


def _euros(low: float, high: float, language: str) -> str:
    return f"{fmt_number(low / 1000, language)} – {fmt_number(high / 1000, language)} k€"


def risk_words(risk: dict[str, Any], language: str) -> dict[str, str]:
    """One row of :func:`risk_register` (or of ``roadmap/summary.json``'s ``risks``) worded:
    ``id``, ``risk``, ``evidence``, ``probability``, ``impact``, ``mitigation``, ``workstream``
    (its id)."""
    return {"id": risk["id"], "risk": t(f"roadmap.risk_{risk['risk']}", language),
            "evidence": _evidence(risk["evidence_code"], risk.get("evidence_params") or "{}",
                                  language),
            "probability": t(f"roadmap.value_{risk['probability']}", language),
            "impact": t(f"roadmap.value_{risk['impact']}", language),
            "mitigation": t(f"roadmap.mitigation_{risk['risk']}", language),
            "workstream": risk.get("workstream") or ""}


def _evidence(code: str, params: str, language: str) -> str:
    p = json.loads(params)
    for key in ("rate",):
        if key in p:
            p[key] = fmt_percent(p[key], language, 1)
    for key in ("n", "pivots", "two_way", "customers", "months"):
        if key in p and p[key] is not None:
            p[key] = fmt_number(p[key], language)
    if "governance" in p:
        p["governance"] = t(f"roadmap.answer_{p['governance']}", language)
    return t(f"roadmap.{code}", language, **p)


def worded_registers(roadmap: Any, engagement: Engagement, gdpr: dict[str, Any] | None,
                     bridges: dict[str, Any] | None, language: str) -> dict[str, pd.DataFrame]:
    """The four registers as the client reads them: ``risks``, ``raci``, ``ownership`` and
    ``decisions``, headers and codes in ``language``."""
    def col(key: str) -> str:
        return t(f"roadmap.col_{key}", language)

    risks = risk_register(roadmap, engagement, gdpr, bridges)
    labels = dict(zip(roadmap.plan["id"], roadmap.plan["label"]))
    worded_risks = pd.DataFrame({
        col("id"): risks["id"],
        col("risk"): [t(f"roadmap.risk_{r}", language) for r in risks["risk"]],
        col("evidence"): [_evidence(c, p, language) for c, p in
                          zip(risks["evidence_code"], risks["evidence_params"])],
        col("probability"): [t(f"roadmap.value_{p}", language) for p in risks["probability"]],
        col("impact"): [t(f"roadmap.value_{p}", language) for p in risks["impact"]],
        col("mitigation"): [t(f"roadmap.mitigation_{r}", language) for r in risks["risk"]],
        col("workstream"): [f"{w} · {labels[w]}" if w else "" for w in risks["workstream"]],
    })
    raci = raci_table(roadmap, (engagement.roadmap or {}).get("raci"))
    worded_raci = pd.DataFrame({
        col("id"): raci["id"], col("workstream"): [labels[i] for i in raci["id"]],
        **{t(f"roadmap.role_{r}", language): raci[r] for r in RACI_ROLES}})
    own = ownership_table(engagement)
    names = {a.name: a.label(language) for a in engagement.target_model}
    worded_own = pd.DataFrame({
        col("attribute"): [names[a] for a in own["attribute"]],
        col("owner"): own["owner"].replace("", "–"),
        col("criticity"): [t(f"vision.criticity_{c}", language) for c in own["criticity"]],
        col("gdpr_category"): [t(f"vision.gdpr_{c}", language) for c in own["gdpr_category"]],
        col("retention"): own["retention"].replace("", "–"),
        col("sources"): own["sources"].replace("", "–"),
        col("source_owners"): own["source_owners"].replace("", "–"),
        col("views"): own["views"].replace("", "–"),
        col("issues"): ["; ".join(t(f"roadmap.owner_issue_{i}", language) for i in s.split(","))
                        if s else "–" for s in own["issues"]],
    })
    log = decision_log(roadmap, engagement, gdpr)

    def value(topic: str, raw: str) -> str:
        if topic in QUESTIONS or topic == "legal_basis":
            return t(f"roadmap.answer_{raw}", language) if raw else "–"
        if topic == "form":
            return t(f"roadmap.form_{raw}", language)
        if topic == "history_years":
            return t("roadmap.value_years", language, n=fmt_number(float(raw), language))
        if topic == "retention":
            return t("roadmap.value_months", language, n=raw) if raw else "–"
        if topic == "start_date":
            from rcu_kit.core.i18n import fmt_date
            return fmt_date(raw, language)
        if topic == "budget_envelope":
            low, high = (float(x) for x in raw.split("-"))
            return _euros(low, high, language)
        return t("roadmap.value_people", language, n=raw)

    worded_log = pd.DataFrame({
        col("id"): log["id"],
        col("decision"): [t(f"roadmap.question_{q}", language) if q in QUESTIONS
                          else t(f"roadmap.decision_{q}", language) for q in log["topic"]],
        col("status"): [t(f"roadmap.decision_status_{s}", language) for s in log["status"]],
        col("value"): [value(q, v) for q, v in zip(log["topic"], log["value"])],
        col("changes_form"): [t("roadmap.answer_true" if c else "roadmap.answer_false", language)
                              for c in log["changes_form"]],
    })
    return {"risks": worded_risks, "raci": worded_raci, "ownership": worded_own,
            "decisions": worded_log}
