"""Executive-summary figures of an engagement, read from what the audit steps saved.

The report's ``index.html`` shows: the sources, the records, the distinct customers, the
duplicate rate, the overlap between sources, the top gaps and the recommended RCU form. The
notebooks compute these (audit, deduplication, gap analysis, roadmap) and save their tables in
the engagement's output folder; this module only *reads* them, defensively: a figure whose file
is absent is ``None`` and the reason is listed in :attr:`ExecutiveSummary.missing`, so the page
says "not available" rather than inventing a number. Rendering lives in
:mod:`rcu_kit.report.html`, charts in :mod:`rcu_kit.report.charts`.

Files read (their locations come from :mod:`rcu_kit.core.paths`, shared with the steps that write them):

- ``crosswalk.csv`` (deduplication step): one row per input record, columns ``source``,
  ``record_id``, ``customer_id``. Gives records, distinct customers, duplicate rate and overlap.
- ``dedup/summary.json`` (deduplication step): ``n_records``, ``n_customers``,
  ``duplicate_rate``, ``overlap_rate``, used when the crosswalk is absent.
- ``audit/inventory.parquet`` (source audit: ``source``, ``rows``), else ``sources_summary.csv``
  (``rcu-kit summary``: ``source``, ``rows_loaded``): the records per source when the
  deduplication has not run.
- ``mapping/findings.csv`` (gap analysis): findings ``kind``, ``key``, ``subject``,
  ``detail_code``, ``detail_params``, ``severity``; those of kind ``gap`` are the gaps, worded in
  the engagement's language (:mod:`rcu_kit.core.wording`).
- ``dedup/summary.json``, key ``estimates`` (``rcu-kit review --labels``): the figures
  re-estimated from a reviewer's labels, each ``{value, low, high}``, shown with their 95 %
  interval; ignored when the deduplication ran again since (its ``model.n_customers`` is no
  longer the crosswalk's count).
- ``roadmap/summary.json`` (roadmap step): ``recommended_form``, one of ``mdm``, ``crm_hosted``,
  ``decision_db``, ``crosswalk``, and ``explanation``, its figures and the codes of its reasons,
  worded in the engagement's language (:func:`rcu_kit.core.wording.word_explanation`).

Examples:
    >>> import pandas as pd
    >>> cw = pd.DataFrame({"source": ["crm", "crm", "web"], "record_id": ["1", "2", "a"],
    ...                    "customer_id": ["C1", "C1", "C1"]})
    >>> figures = crosswalk_figures(cw)
    >>> figures["records"], figures["distinct_customers"], round(figures["duplicate_rate"], 3)
    (3, 1, 0.667)
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
from rcu_kit.core.wording import finding_details, word_explanation

__all__ = ["ExecutiveSummary", "RCU_FORMS", "crosswalk_figures", "overlap_matrix", "top_gaps",
           "read_crosswalk", "collect_summary"]

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
    duplicate_rate: float | None = None
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

    @property
    def n_sources(self) -> int:
        return len(self.sources)


def crosswalk_figures(crosswalk: pd.DataFrame) -> dict[str, Any]:
    """Headline deduplication figures from a crosswalk (``source``, ``record_id``, ``customer_id``).

    Returns:
        ``records`` (rows), ``distinct_customers``, ``duplicate_rate`` (share of records that
        repeat a customer already counted: ``1 - customers / records``),
        ``multi_source_customers`` (customers found in two sources or more), ``overlap_rate``
        (their share of the customers) and ``per_source`` (records and distinct customers per
        source, in order of first appearance).

    Raises:
        ValueError: a required column is missing.
    """
    missing = [c for c in ("source", "record_id", "customer_id") if c not in crosswalk.columns]
    if missing:
        raise ValueError(f"crosswalk: missing column(s) {', '.join(missing)}; expected source, "
                         "record_id, customer_id (one row per input record)")
    records = len(crosswalk)
    customers = int(crosswalk["customer_id"].nunique())
    sources_per_customer = crosswalk.groupby("customer_id", sort=False)["source"].nunique()
    multi = int((sources_per_customer >= 2).sum())
    per_source = (crosswalk.groupby("source", sort=False)
                  .agg(records=("record_id", "size"), customers=("customer_id", "nunique"))
                  .reset_index())
    return {
        "records": records,
        "distinct_customers": customers,
        "duplicate_rate": (1 - customers / records) if records else None,
        "multi_source_customers": multi,
        "overlap_rate": (multi / customers) if customers else None,
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
        for key in ("records", "distinct_customers", "duplicate_rate", "multi_source_customers",
                    "overlap_rate"):
            setattr(summary, key, figures[key])
        summary.overlap = overlap_matrix(crosswalk)
        summary.sources = sources.merge(figures["per_source"], on="source", how="left")
        summary.origins["records"] = str(paths.crosswalk_path(engagement))
        _read_estimates(summary, dedup, engagement)
        return _read_later_steps(summary, engagement)

    summary.missing.append("crosswalk.csv (deduplication step)")
    if dedup is not None:
        summary.records = dedup.get("n_records")
        summary.distinct_customers = dedup.get("n_customers")
        summary.duplicate_rate = dedup.get("duplicate_rate")
        summary.overlap_rate = dedup.get("overlap_rate")
        summary.origins["records"] = str(paths.dedup_summary_path(engagement))
        _read_estimates(summary, dedup, engagement)
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
    summary.estimates = found
    summary.origins["estimates"] = str(paths.dedup_summary_path(engagement))


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
            gaps = top_gaps(_read_csv(findings), language=engagement.language)
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
    else:
        summary.missing.append("roadmap/summary.json (roadmap step)")
    return summary
