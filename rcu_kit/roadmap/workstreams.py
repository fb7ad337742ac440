"""Workstreams ("chantiers") of the RCU roadmap and their schedule.

Two kinds of workstream:

- the *standard phases* every RCU project goes through (METHOD.md, step 4): scoping, tool
  selection, implementation, and the initialisation of the new reference (synchronisation with
  operational systems, history recovery, recovery from the previous CRM);
- *data workstreams* generated from the findings of the earlier steps: each gap of the gap
  analysis, each poor-quality column of the audit, each deduplication finding. Every generated
  workstream keeps the finding that caused it (``cause``), so the roadmap traces back to evidence.

Efforts are estimates the consultant edits (``roadmap: {workstreams: {ID: {effort_days: 12}}}``
in the engagement file); :func:`schedule` then lays the workstreams out in time from their
dependencies.

The findings table is :data:`rcu_kit.core.findings.FINDING_COLUMNS` (each step writes its own).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.core.findings import FINDING_COLUMNS
from rcu_kit.core.i18n import t
from rcu_kit.core.wording import finding_details, finding_subjects

__all__ = ["STANDARD_PHASES", "build_workstreams", "schedule"]

_SEVERITY_VALUE = {"high": 3, "medium": 2, "low": 1}
_SEVERITY_EFFORT = {"gap": {"high": 10, "medium": 6, "low": 3},
                    "quality": {"high": 8, "medium": 5, "low": 2},
                    "dedup": {"high": 15, "medium": 10, "low": 5}}

# id, label key, effort (person-days), depends on, value (1–3)
STANDARD_PHASES: list[tuple[str, str, float, tuple[str, ...], int]] = [
    ("P1", "phase_scoping", 20, (), 3),
    ("P2", "phase_tool_selection", 25, ("P1",), 3),
    ("P3", "phase_implementation", 80, ("P2",), 3),
    ("P4", "phase_sync", 30, ("P3",), 3),
    ("P5", "phase_history", 20, ("P3",), 2),
    ("P6", "phase_previous_crm", 25, ("P3",), 2),
]


def build_workstreams(findings: pd.DataFrame, *, language: str = "fr",
                      overrides: dict[str, dict[str, Any]] | None = None,
                      strict: bool = True, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The roadmap's workstreams: standard phases plus one per finding.

    Data workstreams start after scoping (P1) and must be done before the initial load
    (P5, history recovery); deduplication ones also before synchronisation (P4).

    Args:
        findings: the findings table (see module docstring).
        language: of the labels and the details (the findings hold codes, worded by
            :func:`rcu_kit.core.wording.finding_details`).
        overrides: per workstream id, values the consultant changed: ``effort_days``,
            ``priority`` (1 = first), ``value`` (1–3), ``depends_on`` (list of ids), ``label``.
        strict: an override for an id that does not exist is an error; when False it is skipped
            and listed in ``table.attrs["ignored_overrides"]`` (ids of generated workstreams
            exist only once the step that finds them has run).
        labels: attribute name -> label, naming the workstream of a gap (default: the name).

    Returns:
        One row per workstream: ``id``, ``label``, ``kind``, ``cause`` (finding key or
        ``standard``), ``detail``, ``severity``, ``effort_days``, ``value``, ``priority``,
        ``depends_on`` (tuple of ids).
    """
    missing = set(FINDING_COLUMNS) - set(findings.columns)
    if missing:
        raise ValueError(f"findings table lacks column(s) {', '.join(sorted(missing))}")
    rows: list[dict[str, Any]] = []
    for wid, key, effort, deps, value in STANDARD_PHASES:
        rows.append({"id": wid, "label": t(f"roadmap.{key}", language), "kind": "phase",
                     "cause": "standard", "detail": "", "severity": "high", "effort_days": effort,
                     "value": value, "depends_on": deps})
    counters = {"gap": 0, "quality": 0, "dedup": 0}
    prefix = {"gap": "G", "quality": "Q", "dedup": "D"}
    findings = findings.assign(detail=finding_details(findings, language),
                               subject=finding_subjects(findings, labels))
    ordered = findings.assign(_sev=findings["severity"].map(_SEVERITY_VALUE).fillna(0)) \
        .sort_values(["kind", "_sev", "key"], ascending=[True, False, True], kind="stable")
    for f in ordered.itertuples(index=False):
        if f.kind not in counters:
            raise ValueError(f"finding {f.key!r}: unknown kind {f.kind!r}; kinds are gap, quality, dedup")
        if f.severity not in _SEVERITY_VALUE:
            raise ValueError(f"finding {f.key!r}: unknown severity {f.severity!r}; "
                             "allowed: high, medium, low")
        counters[f.kind] += 1
        wid = f"{prefix[f.kind]}{counters[f.kind]}"
        label = t(f"roadmap.ws_{f.kind}", language, subject=f.subject)
        if f.key == "dedup:cross_source":
            label = t("roadmap.ws_cross_source", language)
        deps = ("P1",)
        rows.append({"id": wid, "label": label, "kind": f.kind, "cause": f.key, "detail": f.detail,
                     "severity": f.severity, "effort_days": float(_SEVERITY_EFFORT[f.kind][f.severity]),
                     "value": _SEVERITY_VALUE[f.severity], "depends_on": deps})
    table = pd.DataFrame(rows)
    data_ids = tuple(table.loc[table["kind"] != "phase", "id"])
    dedup_ids = tuple(table.loc[table["kind"] == "dedup", "id"])
    # the initial load needs clean data; synchronisation needs deduplicated identities
    table["depends_on"] = [
        deps + data_ids if wid == "P5" else deps + dedup_ids if wid == "P4" else deps
        for wid, deps in zip(table["id"], table["depends_on"])]
    ignored = sorted(set(overrides or {}) - set(table["id"])) if not strict else []
    overrides = {k: v for k, v in (overrides or {}).items() if k not in ignored}
    for wid, changes in overrides.items():
        if wid not in set(table["id"]):
            raise ValueError(f"roadmap.workstreams: unknown workstream {wid!r}; "
                             f"known: {', '.join(table['id'])}")
        for key, val in changes.items():
            if key not in {"effort_days", "priority", "value", "depends_on", "label"}:
                raise ValueError(f"roadmap.workstreams.{wid}: cannot set {key!r}; editable: "
                                 "effort_days, priority, value, depends_on, label")
            if key == "depends_on":
                unknown = set(val) - set(table["id"])
                if unknown:
                    raise ValueError(f"roadmap.workstreams.{wid}.depends_on: unknown id(s) "
                                     f"{', '.join(sorted(unknown))}")
                val = tuple(val)
            if key == "priority":
                continue
            table.loc[table["id"] == wid, key] = pd.Series([val], index=table.index[table["id"] == wid])
    # priority: value per effort, high value first; phases keep their natural order
    ratio = table["value"] / table["effort_days"].clip(lower=1)
    table["priority"] = ratio.rank(ascending=False, method="first").astype(int)
    for wid, changes in overrides.items():
        if "priority" in changes:
            table.loc[table["id"] == wid, "priority"] = int(changes["priority"])
    table = table[["id", "label", "kind", "cause", "detail", "severity", "effort_days", "value",
                   "priority", "depends_on"]]
    table.attrs["ignored_overrides"] = ignored
    return table


def schedule(workstreams: pd.DataFrame, *, start: date, fte: float = 2.0) -> pd.DataFrame:
    """Lay workstreams out in time: each starts when all it depends on are finished.

    Durations are ``effort_days / fte`` working days (Monday to Friday), rounded up; a start on a
    weekend moves to the next Monday.

    Raises:
        ValueError: a dependency cycle (the message names the workstreams involved).
    """
    if fte <= 0:
        raise ValueError(f"fte must be positive, got {fte}")
    ids = list(workstreams["id"])
    deps = dict(zip(ids, workstreams["depends_on"]))
    effort = dict(zip(ids, workstreams["effort_days"]))
    finish: dict[str, int] = {}
    start_day: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(wid: str) -> int:
        if wid in finish:
            return finish[wid]
        if wid in visiting:
            raise ValueError(f"dependency cycle among workstreams: {', '.join(sorted(visiting))}")
        visiting.add(wid)
        begin = max((visit(d) for d in deps[wid]), default=0)
        visiting.discard(wid)
        start_day[wid] = begin
        finish[wid] = begin + max(1, math.ceil(effort[wid] / fte))
        return finish[wid]

    for wid in ids:
        visit(wid)

    def to_date(working_days: int) -> date:
        day = np.busday_offset(np.datetime64(start, "D"), working_days, roll="forward")
        return day.astype("datetime64[D]").astype(date)

    out = workstreams.copy()
    out["start_day"] = [start_day[w] for w in ids]
    out["end_day"] = [finish[w] for w in ids]
    out["start"] = [to_date(start_day[w]) for w in ids]
    out["finish"] = [to_date(finish[w]) for w in ids]
    return out
