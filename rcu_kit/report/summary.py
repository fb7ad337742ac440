"""Executive-summary figures of an engagement, read from what the audit steps saved.

The report's ``index.html`` opens on the executive summary (:func:`executive_brief`: findings,
recommendation, decisions expected from the client, next steps), then shows the sources, the
records, the distinct customers, the duplicates *within* the sources, the customers present in
several sources (two separate figures: a customer known to the CRM and to the e-commerce site is
not a duplicate), the top gaps and the recommended RCU form. The
notebooks compute these (audit, deduplication, gap analysis, roadmap) and save their tables in
the engagement's output folder; this module only *reads* them, defensively: a figure whose file
is absent is ``None`` and the reason is listed in :attr:`ExecutiveSummary.missing`, so the page
says "not available" rather than inventing a number. Rendering lives in
:mod:`rcu_kit.report.html`, charts in :mod:`rcu_kit.report.charts`.

Files read (their locations come from :mod:`rcu_kit.core.paths`, shared with the steps that write them):

- ``crosswalk.csv`` (deduplication step): one row per input record, columns ``source``,
  ``record_id``, ``customer_id``. Gives records, distinct customers, duplicates within sources
  and overlap.
- ``dedup/summary.json`` (deduplication step): ``n_records``, ``n_customers``,
  ``duplicate_rate``, ``overlap_rate`` and ``per_source`` (``records``, ``customers``), used
  when the crosswalk is absent; ``customer_split`` (the distinct customers split into customers
  and prospects by the engagement's definition, or why the data cannot tell them apart), shown
  beside the distinct customers when it is about the same crosswalk.
- ``audit/inventory.parquet`` (source audit: ``source``, ``rows``), else ``sources_summary.csv``
  (``rcu-kit summary``: ``source``, ``rows_loaded``): the records per source when the
  deduplication has not run.
- ``mapping/findings.csv`` (gap analysis): findings ``kind``, ``key``, ``subject``,
  ``detail_code``, ``detail_params``, ``severity``; those of kind ``gap`` are the gaps, worded in
  the engagement's language (:mod:`rcu_kit.core.wording`).
- ``dedup/summary.json``, key ``estimates`` (``rcu-kit review --labels``): the figures
  re-estimated from a reviewer's labels, each ``{value, low, high}``, shown with their 95 %
  interval; ignored when the deduplication ran again since (its ``model.n_customers`` is no
  longer the crosswalk's count). Its ``duplicate_rate`` is the overall rate (within and across
  sources): it is kept apart (``overall_duplicate_rate``), never shown as the duplicates.
- ``roadmap/summary.json`` (roadmap step): ``recommended_form``, one of ``mdm``, ``crm_hosted``,
  ``decision_db``, ``crosswalk``, and ``explanation``, its figures and the codes of its reasons,
  worded in the engagement's language (:func:`rcu_kit.core.wording.word_explanation`);
  ``provisional`` and ``unanswered`` (the recommendation rests on default answers), the plan's
  ``months``, ``start_date``, ``end_date``, ``team``, ``budget_low``, ``budget_high``, ``path``;
  ``bridges`` (the flows between systems, counted), ``gdpr`` (consent, retention, legal basis),
  ``risks`` (the risk register) and ``decisions`` (the decision log), shown on the page
  (:func:`registers_brief`).

Examples:
    >>> import pandas as pd
    >>> cw = pd.DataFrame({"source": ["crm", "crm", "web"], "record_id": ["1", "2", "a"],
    ...                    "customer_id": ["C1", "C1", "C1"]})
    >>> figures = crosswalk_figures(cw)
    >>> figures["records"], figures["distinct_customers"], round(figures["duplicate_rate"], 3)
    (3, 1, 0.667)
    >>> figures["within_source_duplicates"], round(figures["within_source_duplicate_rate"], 3)
    (1, 0.333)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from rcu_kit.core import paths
from rcu_kit.core.config import Engagement
from rcu_kit.core.findings import FINDING_COLUMNS
from rcu_kit.core.i18n import fmt_date, fmt_number, fmt_percent, t
from rcu_kit.core.wording import customer_split_sentence, finding_details, word_explanation
from rcu_kit.dedup.figures import duplicate_split, headline_figures, within_source_duplicates

__all__ = ["ExecutiveSummary", "RCU_FORMS", "crosswalk_figures", "overlap_matrix", "top_gaps",
           "read_crosswalk", "collect_summary", "executive_brief", "registers_brief"]

RCU_FORMS = ("mdm", "crm_hosted", "decision_db", "crosswalk")
_SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}


@dataclass
class ExecutiveSummary:
    """The figures of an engagement's executive summary; ``None`` means not available."""

    client: str
    language: str
    generated: datetime
    masked: bool
    sources: pd.DataFrame  # source, system, flow, refresh, records, customers
    records: int | None = None
    distinct_customers: int | None = None
    duplicate_rate: float | None = None  # duplicates *within* the sources (what is cleaned)
    multi_source_customers: int | None = None
    overlap_rate: float | None = None
    overlap: pd.DataFrame | None = None  # source x source: customers present in both
    top_gaps: pd.DataFrame | None = None  # attribute (client label), gap, severity
    recommended_form: str | None = None
    form_explanation: str | None = None  # the roadmap's one-paragraph justification
    left_out: list[str] = field(default_factory=list)  # sources in error when loaded: not audited
    estimates: dict[str, Any] | None = None  # figures re-estimated from labelled pairs (review)
    origins: dict[str, str] = field(default_factory=dict)  # figure -> file it was read from
    missing: list[str] = field(default_factory=list)  # figures not available, with why
    within_source_duplicates: int | None = None  # records repeating a customer of their source
    overall_duplicate_rate: float | None = None  # 1 - customers / records: both effects
    n_gaps: int | None = None  # gaps to the target model (all, not only the top ones)
    n_high_gaps: int | None = None
    provisional: bool = False  # the recommendation rests on default answers
    unanswered: list[str] = field(default_factory=list)  # those questions
    plan: dict[str, Any] | None = None  # the roadmap's months, dates, team, budget, path
    bridges: dict[str, Any] | None = None  # the flows between systems, counted (roadmap step)
    gdpr: dict[str, Any] | None = None  # consent, retention, legal basis (roadmap step)
    risks: list[dict[str, Any]] = field(default_factory=list)  # the risk register, codes
    decision_log: list[dict[str, Any]] = field(default_factory=list)  # decisions, status
    # the distinct customers split into customers and prospects by the engagement's definition
    # (dedup/summary.json's customer_split, its attribute's label added), or why it cannot be
    customer_split: dict[str, Any] | None = None

    @property
    def n_sources(self) -> int:
        return len(self.sources)


def crosswalk_figures(crosswalk: pd.DataFrame) -> dict[str, Any]:
    """Headline deduplication figures from a crosswalk (``source``, ``record_id``, ``customer_id``).

    Returns:
        ``records`` (rows), ``distinct_customers``, ``duplicate_rate`` (share of records that
        repeat a customer already counted: ``1 - customers / records``, both effects),
        ``within_source_duplicates`` and ``within_source_duplicate_rate`` (records repeating a
        customer of the same source, and their share: the duplicates to clean),
        ``multi_source_customers`` (customers found in two sources or more), ``overlap_rate``
        (their share of the customers) and ``per_source`` (records and distinct customers per
        source, in order of first appearance). The rates are
        :func:`rcu_kit.dedup.figures.headline_figures`' and
        :func:`~rcu_kit.dedup.figures.duplicate_split`'s.

    Raises:
        ValueError: a required column is missing.
    """
    missing = [c for c in ("source", "record_id", "customer_id") if c not in crosswalk.columns]
    if missing:
        raise ValueError(f"crosswalk: missing column(s) {', '.join(missing)}; expected source, "
                         "record_id, customer_id (one row per input record)")
    h = {**headline_figures(crosswalk), **duplicate_split(crosswalk)}
    per_source = (crosswalk.groupby("source", sort=False)
                  .agg(records=("record_id", "size"), customers=("customer_id", "nunique"))
                  .reset_index())
    return {
        "records": h["n_records"],
        "distinct_customers": h["n_customers"],
        "duplicate_rate": h["duplicate_rate"],
        "within_source_duplicates": h["n_within_source_duplicates"],
        "within_source_duplicate_rate": h["within_source_duplicate_rate"],
        "multi_source_customers": h["n_multi_source_customers"],
        "overlap_rate": h["overlap_rate"],
        "per_source": per_source,
    }


def overlap_matrix(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Source x source table: distinct customers present in both (diagonal: in the source).

    Examples:
        >>> cw = pd.DataFrame({"source": ["crm", "web", "web"], "record_id": ["1", "a", "b"],
        ...                    "customer_id": ["C1", "C1", "C2"]})
        >>> m = overlap_matrix(cw)
        >>> int(m.loc["crm", "web"]), int(m.loc["web", "web"])
        (1, 2)
    """
    presence = (crosswalk[["customer_id", "source"]].drop_duplicates()
                .assign(one=1)
                .pivot_table(index="customer_id", columns="source", values="one", fill_value=0,
                             aggfunc="max"))
    order = list(dict.fromkeys(crosswalk["source"]))
    presence = presence[order]
    matrix = presence.T.dot(presence)
    matrix.index.name = None
    matrix.columns.name = None
    return matrix.astype(int)


def top_gaps(findings: pd.DataFrame, n: int = 5, language: str = "en") -> pd.DataFrame:
    """The ``n`` most severe gaps among findings (:data:`rcu_kit.core.findings.FINDING_COLUMNS`).

    Returns:
        Columns attribute (the finding's subject), gap (its detail, worded in ``language`` by
        :func:`rcu_kit.core.wording.finding_details`) and severity, most severe first (high,
        medium, low); ties keep the findings' order.

    Raises:
        ValueError: a required column is missing (names them).

    Examples:
        >>> f = pd.DataFrame({"kind": ["gap", "quality", "gap"], "key": ["a", "b", "c"],
        ...                   "subject": ["email", "crm.tel", "birth_name"],
        ...                   "detail_code": ["gap_single", "validity", "gap_missing"],
        ...                   "detail_params": ['{"source": "crm"}', '{"rate": 0.5}', "{}"],
        ...                   "severity": ["medium", "high", "high"]})
        >>> top_gaps(f, language="fr").values.tolist()
        [['birth_name', 'Aucune source ne le fournit', 'high'], ['email', 'Seule la source crm le fournit', 'medium']]
    """
    needed = ("kind", "subject", "detail_code", "detail_params", "severity")
    missing = [c for c in needed if c not in findings.columns]
    if missing:
        raise ValueError(f"findings: missing column(s) {', '.join(missing)}; expected "
                         f"{', '.join(FINDING_COLUMNS)} (re-run the gap analysis)")
    gaps = findings[findings["kind"] == "gap"]
    rank = gaps["severity"].astype(str).str.strip().str.lower().map(_SEVERITY_RANK).fillna(0)
    gaps = gaps.assign(_rank=rank).sort_values("_rank", ascending=False, kind="stable").head(n)
    return pd.DataFrame({"attribute": gaps["subject"].astype(str).tolist(),
                         "gap": finding_details(gaps, language).astype(str).tolist(),
                         "severity": gaps["severity"].astype(str).tolist()})


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def read_crosswalk(engagement: Engagement) -> pd.DataFrame | None:
    """The crosswalk the deduplication step saved, or None when it has not run."""
    path = paths.crosswalk_path(engagement)
    return _read_csv(path) if path.exists() else None


def collect_summary(engagement: Engagement, generated: datetime | None = None) -> ExecutiveSummary:
    """Read every executive-summary figure the engagement's steps have saved.

    Args:
        engagement: the engagement (its output folder is read).
        generated: the report's date (default: now).

    Returns:
        The summary; figures whose inputs are absent are ``None`` and listed in ``missing``.
    """
    sources = pd.DataFrame({
        "source": [s.name for s in engagement.sources],
        "system": [s.system for s in engagement.sources],
        "flow": [s.flow for s in engagement.sources],
        "refresh": [s.refresh for s in engagement.sources],
    })
    summary = ExecutiveSummary(client=engagement.client, language=engagement.language,
                               generated=generated or datetime.now(),
                               masked=engagement.mask_personal_data, sources=sources,
                               left_out=_sources_left_out(engagement))

    crosswalk = read_crosswalk(engagement)
    dedup = _read_json(paths.dedup_summary_path(engagement))
    if crosswalk is not None:
        figures = crosswalk_figures(crosswalk)
        for key in ("records", "distinct_customers", "multi_source_customers", "overlap_rate",
                    "within_source_duplicates"):
            setattr(summary, key, figures[key])
        summary.duplicate_rate = figures["within_source_duplicate_rate"]
        summary.overall_duplicate_rate = figures["duplicate_rate"]
        summary.overlap = overlap_matrix(crosswalk)
        summary.sources = sources.merge(figures["per_source"], on="source", how="left")
        summary.origins["records"] = str(paths.crosswalk_path(engagement))
        _read_estimates(summary, dedup, engagement)
        _read_customer_split(summary, dedup, engagement)
        return _read_later_steps(summary, engagement)

    summary.missing.append("crosswalk.csv (deduplication step)")
    if dedup is not None:
        summary.records = dedup.get("n_records")
        summary.distinct_customers = dedup.get("n_customers")
        # the duplicates within sources, from the per-source figures; never the overall rate
        summary.duplicate_rate = within_source_duplicates(dedup.get("per_source") or [])
        summary.overall_duplicate_rate = dedup.get("duplicate_rate")
        summary.overlap_rate = dedup.get("overlap_rate")
        summary.origins["records"] = str(paths.dedup_summary_path(engagement))
        _read_estimates(summary, dedup, engagement)
        _read_customer_split(summary, dedup, engagement)
    per_source = _records_per_source(engagement)
    if per_source is not None:
        table, origin = per_source
        summary.sources = sources.merge(table, on="source", how="left")
        if summary.records is None:
            summary.records = int(table["records"].sum())
            summary.origins["records"] = origin
    return _read_later_steps(summary, engagement)


def _read_estimates(summary: ExecutiveSummary, dedup: dict[str, Any] | None,
                    engagement: Engagement) -> None:
    """The review's estimates, when they are about the crosswalk the summary shows."""
    found = dedup.get("estimates") if dedup else None
    if not isinstance(found, dict):
        return
    model = (found.get("model") or {}).get("n_customers")
    if model is not None and summary.distinct_customers is not None \
            and round(float(model)) != int(summary.distinct_customers):
        summary.missing.append(f"{paths.dedup_summary_path(engagement)}: the review's estimates "
                               "are about an earlier deduplication (label again or rerun "
                               "`rcu-kit review --labels`)")
        return
    # the review estimates the overall duplicate rate (within and across sources): not the
    # duplicates the page shows, so it is left out of the key figures
    summary.estimates = {k: v for k, v in found.items() if k != "duplicate_rate"}
    summary.origins["estimates"] = str(paths.dedup_summary_path(engagement))


def _read_customer_split(summary: ExecutiveSummary, dedup: dict[str, Any] | None,
                         engagement: Engagement) -> None:
    """The customers and prospects by the engagement's definition, when they are about the
    distinct customers the summary shows (an earlier deduplication's split is left out)."""
    split = dedup.get("customer_split") if dedup else None
    if not isinstance(split, dict) or not split.get("status"):
        return
    if summary.distinct_customers is not None and \
            split.get("n_customers") != int(summary.distinct_customers):
        summary.missing.append(f"{paths.dedup_summary_path(engagement)}: the customers and "
                               "prospects are about an earlier deduplication (rerun it)")
        return
    labels = {a.name: a.label(engagement.language) for a in engagement.target_model}
    summary.customer_split = {**split, "attribute_label": labels.get(split.get("attribute"),
                                                                     split.get("attribute"))}
    summary.origins["customer_split"] = str(paths.dedup_summary_path(engagement))


def _sources_left_out(engagement: Engagement) -> list[str]:
    """The sources whose loading ended in error (``sources_summary.csv``, written by every step
    that loads the sources), in the engagement's order; empty when none or not yet loaded."""
    loaded = paths.sources_summary_path(engagement)
    if not loaded.exists():
        return []
    table = _read_csv(loaded)
    if not {"source", "status"} <= set(table.columns):
        return []
    failed = set(table.loc[table["status"] == "error", "source"].astype(str))
    return [s.name for s in engagement.sources if s.name in failed]


def _records_per_source(engagement: Engagement) -> tuple[pd.DataFrame, str] | None:
    """Rows per source from the audit's inventory, else from ``rcu-kit summary``'s table."""
    inventory = paths.step_dir(engagement, "audit") / "inventory.parquet"
    if inventory.exists():
        table = pd.read_parquet(inventory, columns=["source", "rows"])
        return table.rename(columns={"rows": "records"}).astype({"records": "Int64"}), str(inventory)
    loaded = paths.sources_summary_path(engagement)
    if loaded.exists():
        table = _read_csv(loaded)
        col = "rows_loaded" if "rows_loaded" in table.columns else "rows_read"
        if "source" in table.columns and col in table.columns:
            table = table[["source", col]].rename(columns={col: "records"})
            table["records"] = pd.to_numeric(table["records"]).astype("Int64")
            return table, str(loaded)
    return None


def _read_later_steps(summary: ExecutiveSummary, engagement: Engagement) -> ExecutiveSummary:
    """Top gaps (gap analysis) and recommended form (roadmap)."""
    findings = paths.findings_path(engagement, "mapping")
    if findings.exists():
        try:
            table = _read_csv(findings)
            gaps = top_gaps(table, language=engagement.language)
            every_gap = table[table["kind"] == "gap"].drop_duplicates("key") \
                if "key" in table.columns else table[table["kind"] == "gap"]
            summary.n_gaps = int(len(every_gap))
            summary.n_high_gaps = int((every_gap["severity"] == "high").sum())
            labels = {a.name: a.label(engagement.language) for a in engagement.target_model}
            gaps["attribute"] = gaps["attribute"].map(lambda name: labels.get(name, name))
            summary.top_gaps = gaps
            summary.origins["top_gaps"] = str(findings)
        except ValueError as exc:
            summary.missing.append(f"{findings}: {exc}")
    else:
        summary.missing.append("mapping/findings.csv (gap analysis step)")

    roadmap_summary = paths.roadmap_dir(engagement) / "summary.json"
    roadmap = _read_json(roadmap_summary)
    form = roadmap.get("recommended_form") if roadmap else None
    if form in RCU_FORMS:
        summary.recommended_form = form
        explanation = roadmap.get("explanation")
        if isinstance(explanation, dict):
            try:
                summary.form_explanation = word_explanation(explanation, summary.language)
            except (KeyError, TypeError, ValueError) as exc:
                summary.missing.append(f"{roadmap_summary}: explanation unreadable ({exc!r})")
        elif isinstance(explanation, str):  # saved by an earlier version: the sentence itself
            summary.form_explanation = explanation
        summary.origins["recommended_form"] = str(roadmap_summary)
        summary.provisional = bool(roadmap.get("provisional", False))
        summary.unanswered = [str(q) for q in roadmap.get("unanswered") or []]
        if "months" in roadmap:
            summary.plan = {k: roadmap.get(k) for k in (
                "planned_form", "months", "start_date", "end_date", "team", "budget_low",
                "budget_high", "n_workstreams", "path")}
            summary.plan["pivots"] = (explanation or {}).get("pivots", []) \
                if isinstance(explanation, dict) else []
        if isinstance(roadmap.get("bridges"), dict):
            summary.bridges = roadmap["bridges"]
        if isinstance(roadmap.get("gdpr"), dict):
            summary.gdpr = roadmap["gdpr"]
        summary.risks = [r for r in roadmap.get("risks") or [] if isinstance(r, dict)]
        summary.decision_log = [d for d in roadmap.get("decisions") or [] if isinstance(d, dict)]
    else:
        summary.missing.append("roadmap/summary.json (roadmap step)")
    return summary


def executive_brief(summary: ExecutiveSummary) -> dict[str, Any]:
    """The executive summary a senior consultant signs, worded in the summary's language.

    Only figures the steps measured are stated (a figure not available is left out, never
    guessed); a recommendation resting on default answers is marked provisional and the
    questions still open become the first decision expected from the client.

    Returns:
        ``findings`` (sentences), ``form`` (the recommended form's name or None),
        ``provisional`` (bool), ``recommendation`` (sentences: the form, its path, the
        provisional note, the plan), ``decisions`` and ``next_steps`` (sentences).

    Examples:
        >>> s = ExecutiveSummary(client="C", language="en", generated=datetime(2025, 1, 31),
        ...                      masked=True, sources=pd.DataFrame({"source": ["crm", "web"]}),
        ...                      records=1000, distinct_customers=900, within_source_duplicates=30,
        ...                      duplicate_rate=0.03, multi_source_customers=70, overlap_rate=70 / 900)
        >>> executive_brief(s)["findings"][1]
        'Duplicates within sources: 3.0% of the records (30) repeat a customer of their own source; this is what deduplication must clean.'
    """
    lang = summary.language

    def number(value: Any) -> str:
        return fmt_number(value, lang)

    def percent(value: Any) -> str:
        return fmt_percent(value, lang, 1)

    def estimated(key: str, measured: Any, formatter) -> tuple[str, str]:
        """The figure as the key figures show it: the review's estimate and a note on its
        interval when there is one, else the measured figure and no note."""
        figure = (summary.estimates or {}).get(key)
        if isinstance(figure, dict) and all(figure.get(k) is not None
                                            for k in ("value", "low", "high")):
            return formatter(figure["value"]), t("report.exec_estimated", lang,
                                                 low=formatter(figure["low"]),
                                                 high=formatter(figure["high"]))
        return formatter(measured), ""

    findings: list[str] = []
    if summary.records is not None and summary.distinct_customers is not None:
        customers, note = estimated("n_customers", summary.distinct_customers, number)
        findings.append(t("report.exec_records", lang, records=number(summary.records),
                          sources=number(summary.n_sources), customers=customers, note=note))
        split = summary.customer_split
        if split:  # the engagement's definition of a customer applied, or why it cannot be
            findings[-1] += " " + customer_split_sentence(split, lang, split.get("attribute_label"))
    if summary.duplicate_rate is not None:
        findings.append(
            t("report.exec_within", lang, n=number(summary.within_source_duplicates),
              rate=percent(summary.duplicate_rate)) if summary.within_source_duplicates is not None
            else t("report.exec_within_rate", lang, rate=percent(summary.duplicate_rate)))
    if summary.overlap_rate is not None:
        share, note = estimated("overlap_rate", summary.overlap_rate, percent)
        findings.append(
            t("report.exec_shared", lang, n=number(summary.multi_source_customers), rate=share)
            if summary.multi_source_customers is not None and not note
            else t("report.exec_shared_rate", lang, rate=share, note=note))
    if summary.n_gaps is not None:
        findings.append(t("report.exec_gaps" if summary.n_high_gaps else "report.exec_gaps_none_high",
                          lang, n=number(summary.n_gaps), high=number(summary.n_high_gaps)))

    bridges = summary.bridges or {}
    if bridges.get("flows"):
        findings.append(t("report.exec_bridges", lang, flows=number(bridges["flows"]),
                          systems=number(bridges.get("systems", 0)), hub=bridges.get("hub") or "",
                          two_way=number(bridges.get("two_way", 0)),
                          rt=number(bridges.get("real_time_two_way", 0))))
    gdpr = summary.gdpr or {}
    consent = gdpr.get("consent") or {}
    inactive = gdpr.get("inactive") or {}
    if consent.get("customers"):
        findings.append(t("report.exec_consent", lang,
                          known=percent(consent["customers_known"] / consent["customers"]),
                          sources=", ".join(consent.get("sources") or []),
                          conflicts=number(consent.get("customers_conflicting") or 0)))
    if inactive.get("customers_inactive") is not None and inactive.get("customers_dated"):
        findings.append(t("report.exec_inactive", lang, n=number(inactive["customers_inactive"]),
                          months=number(inactive["retention_months"]),
                          rate=percent(inactive["customers_inactive"] / inactive["customers_dated"])))

    form = t(f"roadmap.form_{summary.recommended_form}", lang) if summary.recommended_form else None
    plan = summary.plan or {}
    recommendation: list[str] = []
    decisions: list[str] = []
    next_steps: list[str] = []
    if form:
        recommendation.append(t("report.exec_form", lang, form=form))
        path = plan.get("path") or []
        if len(path) > 1:
            recommendation.append(t("report.exec_path", lang, steps=" → ".join(
                t(f"roadmap.form_{f}", lang) for f in path)))
        if summary.provisional:
            recommendation.append(t("report.exec_provisional_note", lang,
                                    n=number(len(summary.unanswered))))
        if plan.get("months") is not None:
            recommendation.append(t(
                "report.exec_plan", lang, months=fmt_number(plan["months"], lang),
                start=fmt_date(plan.get("start_date"), lang), end=fmt_date(plan.get("end_date"), lang),
                team=fmt_number(plan.get("team"), lang),
                low=number((plan.get("budget_low") or 0) / 1000),
                high=number((plan.get("budget_high") or 0) / 1000)))
        def questions(names: list[str]) -> str:
            return ", ".join(t(f"roadmap.question_{q}", lang) for q in names)

        pivots = list(dict.fromkeys(p.get("question") for p in plan.get("pivots") or []
                                    if p.get("question")))
        open_pivots = [q for q in pivots if q in summary.unanswered]
        answered_pivots = [q for q in pivots if q not in summary.unanswered]
        other_open = [q for q in summary.unanswered if q not in open_pivots]
        if open_pivots:
            decisions.append(t("report.exec_decide_pivots_open", lang, items=questions(open_pivots)))
        if other_open:
            decisions.append(t("report.exec_decide_answers", lang, items=questions(other_open)))
        if answered_pivots:
            decisions.append(t("report.exec_decide_pivots", lang, items=questions(answered_pivots)))
        decisions.append(t("report.exec_decide_form", lang, form=form))
        risk_codes = {r.get("risk") for r in summary.risks}
        # appoint owners when the register says data lack one (or governance is immature);
        # without a register (an older roadmap), the decision is always asked
        if not summary.risks or "ownership" in risk_codes:
            decisions.append(t("report.exec_decide_owners", lang))
        if summary.gdpr is not None and not summary.gdpr.get("legal_basis"):
            decisions.append(t("report.exec_decide_legal_basis", lang))
        decisions.append(t("report.exec_decide_budget", lang))
        if summary.provisional:
            next_steps.append(t("report.exec_next_workshop", lang))
        if (path and path[0] == "crosswalk") or summary.recommended_form == "crosswalk":
            next_steps.append(t("report.exec_next_crosswalk", lang))
        if summary.duplicate_rate:
            next_steps.append(t("report.exec_next_clean", lang))
        if plan.get("start_date"):
            next_steps.append(t("report.exec_next_scoping", lang,
                                start=fmt_date(plan["start_date"], lang)))
        if (plan.get("planned_form") or summary.recommended_form) != "crosswalk":
            next_steps.append(t("report.exec_next_tender", lang))
    return {"findings": findings, "form": form, "provisional": summary.provisional,
            "recommendation": recommendation, "decisions": decisions, "next_steps": next_steps,
            **registers_brief(summary)}


def registers_brief(summary: ExecutiveSummary) -> dict[str, Any]:
    """The GDPR section, the risk register and the decision log of the summary page, worded in
    the summary's language from ``roadmap/summary.json``.

    Returns:
        ``gdpr`` (rows ``label``, ``value``; empty when the roadmap did not measure it),
        ``risks`` (rows ``id``, ``risk``, ``evidence``, ``probability``, ``impact``,
        ``mitigation``, ``workstream``, highest first), ``decision_counts`` (``answered``,
        ``pending``) and ``pending_decisions`` (the pending decisions' names, those that would
        change the recommended form first).
    """
    from rcu_kit.roadmap.questionnaire import QUESTIONS
    from rcu_kit.roadmap.registers import risk_words
    from rcu_kit.roadmap.run import gdpr_table

    lang = summary.language
    gdpr = []
    if summary.gdpr is not None:
        table = gdpr_table(summary.gdpr, lang)
        gdpr = [{"label": a, "value": b} for a, b in table.itertuples(index=False)]
    risks = []
    for risk in summary.risks:
        try:
            risks.append(risk_words(risk, lang))
        except (KeyError, ValueError, TypeError) as exc:
            summary.missing.append(f"roadmap/summary.json: risk {risk.get('id')} unreadable ({exc!r})")

    def name(topic: str) -> str:
        return t(f"roadmap.question_{topic}" if topic in QUESTIONS else f"roadmap.decision_{topic}",
                 lang)

    log = summary.decision_log
    pending = sorted((d for d in log if d.get("status") == "pending"),
                     key=lambda d: not d.get("changes_form"))
    return {"gdpr": gdpr, "risks": risks,
            "decision_counts": {"answered": sum(d.get("status") == "answered" for d in log),
                                "pending": len(pending)},
            "pending_decisions": [name(d["topic"]) for d in pending if d.get("topic")]}
