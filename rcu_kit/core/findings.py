"""Findings: what each step of the method hands to the roadmap.

A *finding* is one row of a table with columns ``kind`` (gap, quality, dedup), ``key`` (a stable
identifier, e.g. ``gap:birth_name``), ``subject`` (what it is about, e.g. an attribute or a
source), ``detail_code`` and ``detail_params`` (what was found, as a code of
:data:`rcu_kit.core.wording.PHRASES` and its figures in JSON) and ``severity`` (high, medium,
low). The audit, the gap analysis and the deduplication each save theirs
(:func:`rcu_kit.core.paths.findings_path`); the roadmap turns every finding into one workstream
(:mod:`rcu_kit.roadmap.workstreams`). A saved finding holds no sentence, so it does not depend on
the report's language: :func:`rcu_kit.core.wording.finding_details` words it.

Examples:
    >>> from rcu_kit.core.wording import finding_details
    >>> f = findings_from_dedup(pd.DataFrame({"source": ["crm"], "duplicate_rate": [0.06]}))
    >>> f[["key", "detail_code", "detail_params"]].values.tolist()
    [['dedup:crm', 'duplicates', '{"rate": 0.06}']]
    >>> finding_details(f, "fr").tolist()
    ['6,0\xa0% de doublons']
"""

from __future__ import annotations

import pandas as pd

from rcu_kit.core.wording import params_json

__all__ = ["FINDING_COLUMNS", "findings_from_quality", "findings_from_dedup"]

FINDING_COLUMNS = ["kind", "key", "subject", "detail_code", "detail_params", "severity"]


def findings_from_quality(kpis: pd.DataFrame, *, threshold: float = 0.9) -> pd.DataFrame:
    """Findings for columns whose validity is below ``threshold``.

    Args:
        kpis: per source and column: ``source``, ``column``, ``validity`` (0–1, NA when the
            column has no validity rule) and ``semantic_type``.
        threshold: validity under which a column becomes a finding.

    Returns:
        :data:`FINDING_COLUMNS`; code ``validity`` with ``{"rate": validity}``.
    """
    rows = []
    needed = {"source", "column", "validity"}
    missing = needed - set(kpis.columns)
    if missing:
        raise ValueError(f"quality table lacks column(s) {', '.join(sorted(missing))}")
    for r in kpis.dropna(subset=["validity"]).itertuples(index=False):
        if r.validity >= threshold:
            continue
        severity = "high" if r.validity < 0.7 else "medium"
        rows.append({"kind": "quality", "key": f"quality:{r.source}.{r.column}",
                     "subject": f"{r.source}.{r.column}",
                     "detail_code": "validity", "detail_params": params_json(rate=r.validity),
                     "severity": severity})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def findings_from_dedup(duplicate_rates: pd.DataFrame, overlap_rate: float | None = None, *,
                        threshold: float = 0.02) -> pd.DataFrame:
    """Findings from the deduplication step.

    Args:
        duplicate_rates: ``source``, ``duplicate_rate`` (share of the source's records that
            duplicate another record of the same source).
        overlap_rate: share of distinct customers present in two sources or more.
        threshold: duplicate rate from which a source needs a curative deduplication.

    Returns:
        :data:`FINDING_COLUMNS`; codes ``duplicates`` and ``shared_customers`` with ``{"rate": ...}``.
    """
    rows = []
    for r in duplicate_rates.itertuples(index=False):
        if r.duplicate_rate >= threshold:
            severity = "high" if r.duplicate_rate >= 0.10 else "medium"
            rows.append({"kind": "dedup", "key": f"dedup:{r.source}", "subject": r.source,
                         "detail_code": "duplicates",
                         "detail_params": params_json(rate=r.duplicate_rate), "severity": severity})
    if overlap_rate is not None and overlap_rate > 0:
        rows.append({"kind": "dedup", "key": "dedup:cross_source", "subject": "*",
                     "detail_code": "shared_customers", "detail_params": params_json(rate=overlap_rate),
                     "severity": "high" if overlap_rate >= 0.10 else "medium"})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
