"""Workstreams ("chantiers") of the RCU roadmap, their budget and their place on the calendar.

The plan has two kinds of item:

- the *phases* every RCU project goes through (METHOD.md, step 4): scoping, the call for tenders,
  the vendor's lead time (contract and onboarding), the build, and the go-live (initial load,
  synchronisation with the operational systems, stabilisation);
- seven *workstreams* that run beside them: standardisation and deduplication, interfaces and
  flows, GDPR and consent, governance and data ownership, history and previous-CRM recovery,
  change management, retiring the Excel files. Each finding of the earlier steps (gap, quality,
  duplicates) is attached to exactly one workstream (:func:`workstream_of`), which keeps it as a
  cause: the roadmap traces back to the evidence without turning each finding into a workstream.

Durations, efforts and budgets come from stated reference ranges (:data:`PHASE_WEEKS`,
:data:`PHASE_EFFORT`, :data:`WORKSTREAM_EFFORT`, :data:`LICENCES`, :data:`DAY_RATE`) that depend on
the recommended form; the *size* of the engagement picks the point planned within each range
(small: low end, medium: middle, large: high end, :func:`size_class`). Every figure can be
overridden in the engagement file (``roadmap: durations / workstreams / day_rate / licences``).
The ranges are orders of magnitude seen on French CRM / MDM programmes, to be adjusted with the
client; they are not measurements.

:func:`schedule` lays the items out on working days (Monday to Friday, French public holidays and
the Christmas closure excluded), never running more people at once than the stated team, and
never launching or closing a call for tenders over the Christmas period.

The findings table is :data:`rcu_kit.core.findings.FINDING_COLUMNS` (each step writes its own).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import holidays
import numpy as np
import pandas as pd

from rcu_kit.core.findings import FINDING_COLUMNS
from rcu_kit.core.i18n import t

__all__ = ["PHASE_WEEKS", "PHASE_EFFORT", "WORKSTREAM_EFFORT", "LICENCES", "DAY_RATE", "TEAM",
           "size_class", "workstream_of", "build_workstreams", "schedule", "closed_days",
           "budget_total"]

Range = tuple[float, float]

#: Calendar weeks of each phase by form (low, high). No call for tenders nor vendor lead time for a
#: correspondence table (built with the tools already there). A MDM: tender 3-4 months, build 6-12.
PHASE_WEEKS: dict[str, dict[str, Range | None]] = {
    "scoping":     {"mdm": (6, 8), "crm_hosted": (4, 6), "decision_db": (4, 6), "crosswalk": (2, 4)},
    "tender":      {"mdm": (12, 16), "crm_hosted": (6, 10), "decision_db": (8, 12), "crosswalk": None},
    "lead_time":   {"mdm": (6, 8), "crm_hosted": (3, 4), "decision_db": (4, 6), "crosswalk": None},
    "build":       {"mdm": (26, 52), "crm_hosted": (12, 24), "decision_db": (16, 30),
                    "crosswalk": (4, 8)},
    "go_live":     {"mdm": (6, 10), "crm_hosted": (4, 6), "decision_db": (4, 6), "crosswalk": (2, 3)},
}

#: Person-days bought for each phase by form (consultants, integrator), low and high.
PHASE_EFFORT: dict[str, dict[str, Range]] = {
    "scoping":   {"mdm": (30, 45), "crm_hosted": (20, 30), "decision_db": (20, 30), "crosswalk": (10, 15)},
    "tender":    {"mdm": (20, 30), "crm_hosted": (10, 15), "decision_db": (10, 20), "crosswalk": (0, 0)},
    "lead_time": {"mdm": (0, 0), "crm_hosted": (0, 0), "decision_db": (0, 0), "crosswalk": (0, 0)},
    "build":     {"mdm": (300, 700), "crm_hosted": (120, 300), "decision_db": (150, 350),
                  "crosswalk": (20, 40)},
    "go_live":   {"mdm": (40, 80), "crm_hosted": (25, 50), "decision_db": (20, 40), "crosswalk": (5, 10)},
}

#: Person-days of each workstream by form, low and high (``interfaces``: per source).
WORKSTREAM_EFFORT: dict[str, dict[str, Range]] = {
    "standardisation": {"mdm": (40, 80), "crm_hosted": (30, 60), "decision_db": (30, 60),
                        "crosswalk": (15, 30)},
    "interfaces":      {"mdm": (15, 25), "crm_hosted": (10, 20), "decision_db": (8, 15),
                        "crosswalk": (3, 6)},
    "gdpr":            {"mdm": (15, 30), "crm_hosted": (15, 30), "decision_db": (15, 30),
                        "crosswalk": (8, 15)},
    "governance":      {"mdm": (25, 40), "crm_hosted": (15, 25), "decision_db": (15, 25),
                        "crosswalk": (8, 15)},
    "history":         {"mdm": (30, 50), "crm_hosted": (25, 45), "decision_db": (20, 40),
                        "crosswalk": (10, 20)},
    "change":          {"mdm": (30, 50), "crm_hosted": (25, 45), "decision_db": (10, 20),
                        "crosswalk": (5, 10)},
    "excel":           {"mdm": (10, 20), "crm_hosted": (10, 20), "decision_db": (10, 20),
                        "crosswalk": (10, 20)},
}

#: Licences and subscriptions for the first year (euros, low and high) by form.
LICENCES: dict[str, Range] = {"mdm": (100_000, 300_000), "crm_hosted": (15_000, 60_000),
                              "decision_db": (30_000, 90_000), "crosswalk": (0, 0)}

#: Average day rate of the people whose days are counted (euros, low and high).
DAY_RATE: Range = (650, 950)

#: People on the project by the questionnaire's team capacity (``roadmap: fte`` overrides it).
TEAM: dict[str, int] = {"low": 2, "medium": 4, "high": 6}

# extra person-days of a workstream per finding attached to it, by severity
_FINDING_DAYS = {"high": 3, "medium": 1, "low": 0}
_SEVERITY_VALUE = {"high": 3, "medium": 2, "low": 1}

# id, key, kind, client people it occupies, depends on, value (1-3)
_ITEMS: list[tuple[str, str, str, float, tuple[str, ...], int]] = [
    ("P1", "scoping", "phase", 2, (), 3),
    ("P2", "tender", "phase", 1, ("P1",), 3),
    ("P3", "lead_time", "phase", 0, ("P2",), 2),
    ("P4", "build", "phase", 2, ("P3",), 3),
    ("P5", "go_live", "phase", 2, ("P4", "W1", "W2", "W3", "W5", "W6"), 3),
    ("W1", "standardisation", "workstream", 1, ("P1",), 3),
    ("W2", "interfaces", "workstream", 1, ("P3",), 3),
    ("W3", "gdpr", "workstream", 1, ("P1",), 3),
    ("W4", "governance", "workstream", 1, ("P1",), 2),
    ("W5", "history", "workstream", 1, ("W1", "P3"), 2),
    ("W6", "change", "workstream", 1, ("P3",), 2),
    ("W7", "excel", "workstream", 1, ("P5",), 1),
]

_COLUMNS = ["id", "key", "label", "kind", "causes", "n_findings", "severity", "effort_low",
            "effort_high", "effort_days", "fte", "weeks", "budget_low", "budget_high", "value",
            "depends_on"]


def size_class(n_records: int, n_sources: int) -> str:
    """``small`` (up to 100,000 records and 4 sources), ``large`` (over 1,000,000 records or 8
    sources and more) or ``medium``: where in each reference range the plan sits.

    Examples:
        >>> size_class(5_000, 5), size_class(50_000, 3), size_class(2_000_000, 3)
        ('medium', 'small', 'large')
    """
    if n_records > 1_000_000 or n_sources >= 8:
        return "large"
    if n_records <= 100_000 and n_sources <= 4:
        return "small"
    return "medium"


def _point(low: float, high: float, size: str) -> float:
    return {"small": low, "medium": (low + high) / 2, "large": high}[size]


def workstream_of(finding: Mapping[str, Any]) -> str:
    """The workstream a finding belongs to (its id).

    Duplicates (within a source or across sources), poor validity, a poor fill and divergent
    formats are standardisation and deduplication (W1); an attribute no source or a single
    source provides needs a flow (W2, interfaces), unless it is a consent (W3, GDPR).

    Examples:
        >>> workstream_of({"kind": "gap", "subject": "email_optin", "detail_code": "gap_single"})
        'W3'
        >>> workstream_of({"kind": "gap", "subject": "birth_name", "detail_code": "gap_formats"})
        'W1'
    """
    subject = str(finding.get("subject", "")).lower()
    if any(word in subject for word in ("optin", "opt_in", "consent")):
        return "W3"
    if finding.get("kind") == "gap" and finding.get("detail_code") in ("gap_missing", "gap_single"):
        return "W2"
    return "W1"


def _range(value: Any, where: str) -> Range:
    """An override given as a number (low = high) or ``[low, high]``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), float(value)
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) \
            and 0 <= value[0] <= value[1]:
        return float(value[0]), float(value[1])
    raise ValueError(f"{where}: expected a number or [low, high] with 0 <= low <= high, "
                     f"got {value!r}")


def build_workstreams(findings: pd.DataFrame, *, form: str = "mdm", n_records: int = 0,
                      n_sources: int = 1, language: str = "fr",
                      overrides: dict[str, dict[str, Any]] | None = None,
                      durations: dict[str, Any] | None = None,
                      day_rate: Any = None, licences: Any = None) -> pd.DataFrame:
    """The plan's phases and workstreams for ``form``, with efforts and budget ranges.

    Args:
        findings: the findings table (see module docstring); each is attached to one workstream.
        form: the recommended form (``mdm``, ``crm_hosted``, ``decision_db``, ``crosswalk``).
        n_records, n_sources: the engagement's size (:func:`size_class`).
        language: of the labels.
        overrides: per item id, values the consultant changed: ``effort_days`` (a number or
            ``[low, high]``), ``fte``, ``depends_on`` (list of ids), ``label``, ``value``.
        durations: per phase key (``scoping``, ``tender``, ``lead_time``, ``build``,
            ``go_live``), its weeks (a number or ``[low, high]``) instead of :data:`PHASE_WEEKS`.
        day_rate: ``[low, high]`` euros instead of :data:`DAY_RATE`.
        licences: ``[low, high]`` euros instead of :data:`LICENCES`.

    Returns:
        One row per item: ``id``, ``key``, ``label``, ``kind`` (phase or workstream), ``causes``
        (tuple of finding keys), ``n_findings``, ``severity`` (the highest of its findings),
        ``effort_low``, ``effort_high``, ``effort_days`` (planned), ``fte`` (people of the team
        it occupies), ``weeks`` (phases: planned duration; workstreams: None), ``budget_low``,
        ``budget_high``, ``value`` and ``depends_on``. ``attrs["licences"]`` holds the licence
        range, ``attrs["size"]`` the size class.

    Raises:
        ValueError: an unknown form, item id, phase key or override (named).
    """
    missing = set(FINDING_COLUMNS) - set(findings.columns)
    if missing:
        raise ValueError(f"findings table lacks column(s) {', '.join(sorted(missing))}")
    if form not in LICENCES:
        raise ValueError(f"unknown RCU form {form!r}; forms are: {', '.join(LICENCES)}")
    size = size_class(n_records, n_sources)
    rate = _range(day_rate, "roadmap.day_rate") if day_rate is not None else DAY_RATE
    licence = _range(licences, "roadmap.licences") if licences is not None else LICENCES[form]
    weeks_given = {}
    for key, value in (durations or {}).items():
        if key not in PHASE_WEEKS:
            raise ValueError(f"roadmap.durations: unknown phase {key!r}; phases are: "
                             f"{', '.join(PHASE_WEEKS)}")
        weeks_given[key] = _range(value, f"roadmap.durations.{key}")
    findings = findings.drop_duplicates("key")          # a finding listed twice counts once
    attached = findings.assign(workstream=[workstream_of(f) for f in findings.to_dict("records")])
    rows: list[dict[str, Any]] = []
    for wid, key, kind, fte, deps, value in _ITEMS:
        mine = attached[attached["workstream"] == wid]
        if kind == "phase":
            weeks = weeks_given.get(key, PHASE_WEEKS[key][form])
            if weeks is None:                           # no tender nor lead time for this form
                continue
            effort = PHASE_EFFORT[key][form]
        else:
            weeks = None
            effort = WORKSTREAM_EFFORT[key][form]
            if key == "interfaces":
                effort = (effort[0] * max(n_sources, 1), effort[1] * max(n_sources, 1))
            extra = float(sum(_FINDING_DAYS.get(s, 0) for s in mine["severity"]))
            effort = (effort[0] + extra, effort[1] + extra)
        severities = [s for s in mine["severity"] if s in _SEVERITY_VALUE]
        rows.append({"id": wid, "key": key, "label": t(f"roadmap.item_{key}", language),
                     "kind": kind, "causes": tuple(mine["key"]), "n_findings": len(mine),
                     "severity": max(severities, key=_SEVERITY_VALUE.get) if severities else "",
                     "effort_low": float(effort[0]), "effort_high": float(effort[1]),
                     "weeks": None if weeks is None else _point(*weeks, size),
                     "fte": float(fte), "value": value, "depends_on": deps})
    present = {r["id"] for r in rows}
    item_deps = {i[0]: i[4] for i in _ITEMS}

    def resolve(dep: str) -> list[str]:                # a phase left out: what it waited for
        return [dep] if dep in present else [x for d in item_deps[dep] for x in resolve(d)]

    for row in rows:
        row["depends_on"] = tuple(dict.fromkeys(x for d in row["depends_on"] for x in resolve(d)))
    table = pd.DataFrame(rows)
    for wid, changes in (overrides or {}).items():
        if wid not in present:
            raise ValueError(f"roadmap.workstreams: unknown item {wid!r}; known: "
                             f"{', '.join(table['id'])}")
        at = table.index[table["id"] == wid][0]
        for key, val in changes.items():
            if key == "effort_days":
                low, high = _range(val, f"roadmap.workstreams.{wid}.effort_days")
                table.at[at, "effort_low"], table.at[at, "effort_high"] = low, high
            elif key == "fte":
                if not isinstance(val, (int, float)) or val < 0:
                    raise ValueError(f"roadmap.workstreams.{wid}.fte: expected a number of "
                                     f"people >= 0, got {val!r}")
                table.at[at, "fte"] = float(val)
            elif key == "depends_on":
                unknown = set(val) - present
                if unknown:
                    raise ValueError(f"roadmap.workstreams.{wid}.depends_on: unknown id(s) "
                                     f"{', '.join(sorted(unknown))}")
                table.at[at, "depends_on"] = tuple(val)
            elif key in ("label", "value"):
                table.at[at, key] = val
            else:
                raise ValueError(f"roadmap.workstreams.{wid}: cannot set {key!r}; editable: "
                                 "effort_days, fte, depends_on, label, value")
    table["effort_days"] = [_point(lo, hi, size) for lo, hi in
                            zip(table["effort_low"], table["effort_high"])]
    table["budget_low"] = (table["effort_low"] * rate[0]).round(0)
    table["budget_high"] = (table["effort_high"] * rate[1]).round(0)
    table = table[_COLUMNS]
    table.attrs.update(licences=licence, size=size, day_rate=rate, form=form)
    return table


def budget_total(workstreams: pd.DataFrame) -> tuple[float, float]:
    """The programme's budget range in euros: every item's days plus the first year's licences."""
    licence = workstreams.attrs.get("licences", (0.0, 0.0))
    return (float(workstreams["budget_low"].sum() + licence[0]),
            float(workstreams["budget_high"].sum() + licence[1]))


def closed_days(first_year: int, last_year: int) -> list[date]:
    """Days off on the French calendar: public holidays (``holidays.France``) and the Christmas
    closure (24 December to 1 January), for the years given."""
    days = set(holidays.France(years=range(first_year, last_year + 1)))
    for year in range(first_year - 1, last_year + 1):
        days.update(date(year, 12, 24) + timedelta(days=i) for i in range(9))
    return sorted(d for d in days if first_year <= d.year <= last_year)


def _tender_blackout(day: date) -> bool:
    """A call for tenders is neither launched nor closed from 10 December to 6 January: suppliers
    answer poorly over the holidays."""
    return (day.month == 12 and day.day >= 10) or (day.month == 1 and day.day <= 6)


def schedule(workstreams: pd.DataFrame, *, start: date, team: float = 4) -> pd.DataFrame:
    """Lay the items out on working days, within the team's capacity.

    Each item starts once everything it depends on is finished and enough of the team is free
    for its whole duration: at no working day does the sum of ``fte`` of the items running
    exceed ``team``. Items are placed in order (phases first, then workstreams by id), each at
    its earliest feasible day. Working days are Monday to Friday without French public holidays
    and the Christmas closure (:func:`closed_days`). The call for tenders (``tender``) is not
    launched between 10 December and 6 January (its start moves after) and does not close then
    either (its deadline is extended to the first working day after).

    Durations: a phase lasts its planned ``weeks`` (5 working days each); a workstream
    ``effort_days / fte`` working days, rounded up.

    Returns:
        The table plus ``start_day``, ``end_day`` (working-day indexes from ``start``),
        ``start`` and ``finish`` (dates; ``finish`` is the first working day after the item).
        ``attrs["load"]``: people busy on each working day, ``attrs["days"]`` those days,
        ``attrs["team"]`` the team.

    Raises:
        ValueError: a team that cannot staff an item (named), or a dependency cycle.
    """
    if team <= 0:
        raise ValueError(f"roadmap.fte (the project team) must be positive, got {team}")
    too_big = workstreams[workstreams["fte"] > team]
    if len(too_big):
        raise ValueError(f"roadmap: {', '.join(too_big['id'])} need(s) {too_big['fte'].max():g} "
                         f"people at once but the team has {team:g}; lower their fte "
                         "(roadmap.workstreams.ID.fte) or raise roadmap.fte")
    ids = list(workstreams["id"])
    deps = dict(zip(ids, workstreams["depends_on"]))
    fte = dict(zip(ids, workstreams["fte"].astype(float)))
    keys = dict(zip(ids, workstreams["key"]))
    length = {}
    for row in workstreams.itertuples(index=False):
        if row.kind == "phase":
            length[row.id] = max(1, int(round(float(row.weeks) * 5)))
        else:
            length[row.id] = max(1, math.ceil(float(row.effort_days) / max(float(row.fte), 1.0)))
    total = sum(length.values()) + 40                  # room for a tender's extension
    calendar = np.busdaycalendar(holidays=closed_days(start.year, start.year + 2 + total // 200))
    first = np.busday_offset(np.datetime64(start, "D"), 0, roll="forward", busdaycal=calendar)

    def to_date(index: int) -> date:
        return np.busday_offset(first, index, busdaycal=calendar).astype("datetime64[D]").astype(date)

    load = np.zeros(total + 1, dtype=float)
    start_day: dict[str, int] = {}
    end_day: dict[str, int] = {}
    order = sorted(ids, key=lambda i: (i[0] != "P", i))
    pending = list(order)
    while pending:
        ready = [i for i in pending if all(d in end_day for d in deps[i])]
        if not ready:
            raise ValueError(f"dependency cycle among workstreams: {', '.join(sorted(pending))}")
        wid = ready[0]
        pending.remove(wid)
        day = max((end_day[d] for d in deps[wid]), default=0)
        tender = keys[wid] == "tender"
        while True:
            if tender and _tender_blackout(to_date(day)):
                day += 1                                # not launched over Christmas
                continue
            n = length[wid]
            while tender and _tender_blackout(to_date(day + n - 1)):
                n += 1                                  # nor closed: the deadline moves after
            if len(load) < day + n:
                load = np.concatenate([load, np.zeros(day + n - len(load) + 1)])
            busy = load[day:day + n] + fte[wid] > team + 1e-9
            if busy.any():
                day += int(np.flatnonzero(busy)[-1]) + 1
                continue
            break
        load[day:day + n] += fte[wid]
        start_day[wid], end_day[wid] = day, day + n
    out = workstreams.copy()
    out["start_day"] = [start_day[w] for w in ids]
    out["end_day"] = [end_day[w] for w in ids]
    out["start"] = [to_date(start_day[w]) for w in ids]
    out["finish"] = [to_date(end_day[w]) for w in ids]
    out.attrs = dict(workstreams.attrs)
    out.attrs["load"] = load[:max(end_day.values(), default=0)]
    out.attrs["days"] = [d.astype("datetime64[D]").astype(date) for d in np.busday_offset(
        first, np.arange(len(out.attrs["load"])), busdaycal=calendar)]
    out.attrs["team"] = float(team)
    return out
