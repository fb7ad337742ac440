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
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import holidays
import numpy as np
import pandas as pd

from rcu_kit.core.findings import FINDING_COLUMNS
from rcu_kit.core.i18n import t

__all__ = ["PHASE_WEEKS", "PHASE_EFFORT", "WORKSTREAM_EFFORT", "LICENCES", "DAY_RATE", "TEAM",
           "FLOW_WEIGHT", "INIT_DAYS", "GOVERNANCE_FACTOR", "SMALL_TEAM_TRAINING", "DAYS_PER_ROLE",
           "size_class", "workstream_of", "interface_units", "initialisation",
           "organisation_factor", "parallel_projects", "build_workstreams", "schedule", "closed_days", "budget_total"]

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

#: Person-days of each workstream by form, low and high (``interfaces``: per weighted flow,
#: :func:`interface_units`; per source when the engagement lists no flow).
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

#: What one flow weighs in the interfaces workstream, in units of the per-flow effort: a one-way
#: asynchronous flow is 1; both ways adds 0.5 (the CRM must also send: update contact details,
#: trigger or stop billing), synchronous adds 0.5 (an API to build, secure and watch), and a
#: synchronous flow with a peak ``SYNC_PEAK_RATIO`` times its usual volume adds 0.5 more (sized
#: and load-tested for the peak). Without flows in the engagement, each source counts 1.
FLOW_WEIGHT: dict[str, float] = {"base": 1.0, "two_way": 0.5, "sync": 0.5, "sync_peak": 0.5}

#: Initialisation of the new reference (METHOD.md, step 4), person-days. Reference values, to be
#: adjusted with the client:
#:
#: - ``sync``: synchronising each operational system a flow links to the reference (the hub
#:   apart), plus each two-way real-time flow's cut-over (both sides switched together);
#: - ``history``: recovering the history to the stated depth (``roadmap: history_years``,
#:   default 3, the usual retention of a customer without purchase), per started 100,000
#:   records, plus the cleaning the audit asks for before loading: a day per high-severity
#:   quality finding and a day per point of duplicates within the sources;
#: - ``previous_crm``: recovering the previous CRM when one is replaced (questionnaire
#:   ``crm_replacement_planned``, or ``roadmap: previous_crm: true``).
INIT_DAYS: dict[str, float] = {"sync_per_system": 3, "sync_per_two_way": 2, "history_base": 5,
                               "history_per_year": 2, "per_100k": 5, "per_high_finding": 1,
                               "per_duplicate_point": 1, "previous_crm_base": 10}

#: How the client's data governance and team weigh on the governance and organisation
#: workstreams: immature governance 1.5 times the effort (roles and stewardship to create),
#: mature 0.75; a small team needs more training (1.25 on the organisation workstream).
GOVERNANCE_FACTOR: dict[str, float] = {"low": 1.5, "medium": 1.0, "high": 0.75}
SMALL_TEAM_TRAINING = 1.25
#: Training and adoption days per role receiving a view of the reference (``views``, kind role).
DAYS_PER_ROLE = 3

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


def interface_units(flows: pd.DataFrame | None, n_sources: int = 1) -> float:
    """The interfaces workstream's size in flows, each weighted by :data:`FLOW_WEIGHT`.

    Args:
        flows: :func:`rcu_kit.audit.flows.flow_table` (``two_way``, ``mode``, ``questions``);
            None or empty: each source counts one.
        n_sources: the sources, when there are no flows.

    Examples:
        >>> flows = pd.DataFrame({"two_way": [True, False], "mode": ["sync", "async"],
        ...                       "questions": ["sync_peak", ""]})
        >>> interface_units(flows)        # 1 + 0.5 + 0.5 + 0.5, then 1
        3.5
    """
    if flows is None or not len(flows):
        return float(max(n_sources, 1))
    w = FLOW_WEIGHT
    units = 0.0
    for row in flows.itertuples(index=False):
        sync = row.mode == "sync"
        units += w["base"] + w["two_way"] * bool(row.two_way) + w["sync"] * sync \
            + w["sync_peak"] * (sync and "sync_peak" in str(row.questions).split(","))
    return units


def initialisation(*, n_records: int = 0, duplicate_rate: float | None = None,
                   high_findings: int = 0, flows: pd.DataFrame | None = None, n_sources: int = 1,
                   history_years: float = 3, previous_crm: bool = False) -> pd.DataFrame:
    """The initialisation of the new reference, sized from the measured volumes, quality and
    duplicates (:data:`INIT_DAYS`).

    Args:
        n_records: records over all sources.
        duplicate_rate: duplicates within the sources (0-1), None if not measured.
        high_findings: high-severity quality findings of the audit.
        flows: :func:`rcu_kit.audit.flows.flow_table`; the systems to synchronise are those its
            flows name, the hub (the system most flows touch) apart; without flows, the sources.
        n_sources: the sources, when there are no flows.
        history_years: depth of the history to recover.
        previous_crm: a previous CRM is replaced and must be recovered.

    Returns:
        Three rows, ``step`` (``sync``, ``history``, ``previous_crm``), ``item`` (the plan's item
        that carries it: the go-live P5, the recovery workstream W5) and ``days``, with the
        figures used: ``systems``, ``two_way_sync``, ``years``, ``blocks`` (started 100,000
        records), ``high_findings``, ``duplicate_points``.

    Examples:
        >>> init = initialisation(n_records=150_000, duplicate_rate=0.04, high_findings=2,
        ...                       n_sources=3, history_years=3)
        >>> init.set_index("step")["days"].tolist()  # 3 x 3; 5 + 2x3 + 5x2 + 2 + 4; none
        [9.0, 27.0, 0.0]
    """
    d = INIT_DAYS
    if flows is not None and len(flows):
        touches = pd.concat([flows["from_system"], flows["to_system"]]).value_counts()
        systems = max(len(touches) - 1, 0)
        two_way_sync = int((flows["two_way"].astype(bool) & (flows["mode"] == "sync")).sum())
    else:
        systems, two_way_sync = max(n_sources, 1), 0
    blocks = math.ceil(n_records / 100_000) if n_records else 0
    points = int(round((duplicate_rate or 0.0) * 100))
    history = d["history_base"] + d["history_per_year"] * history_years + d["per_100k"] * blocks \
        + d["per_high_finding"] * high_findings + d["per_duplicate_point"] * points
    previous = d["previous_crm_base"] + d["per_100k"] * blocks if previous_crm else 0.0
    rows = [("sync", "P5", d["sync_per_system"] * systems + d["sync_per_two_way"] * two_way_sync),
            ("history", "W5", history), ("previous_crm", "W5", previous)]
    table = pd.DataFrame(rows, columns=["step", "item", "days"]).astype({"days": float})
    return table.assign(systems=systems, two_way_sync=two_way_sync, years=history_years,
                        blocks=blocks, high_findings=high_findings, duplicate_points=points)


def organisation_factor(governance: str = "medium", team_capacity: str = "medium") -> dict[str, float]:
    """How the questionnaire's governance and team answers scale the governance (W4) and
    organisation (W6) workstreams (:data:`GOVERNANCE_FACTOR`, :data:`SMALL_TEAM_TRAINING`).

    Examples:
        >>> organisation_factor("low", "low")
        {'W4': 1.5, 'W6': 1.875}
    """
    g = GOVERNANCE_FACTOR[governance]
    return {"W4": g, "W6": g * (SMALL_TEAM_TRAINING if team_capacity == "low" else 1.0)}


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
                      day_rate: Any = None, licences: Any = None,
                      flows: pd.DataFrame | None = None, init: pd.DataFrame | None = None,
                      governance: str = "medium", team_capacity: str = "medium",
                      roles: int = 0) -> pd.DataFrame:
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
        flows: the engagement's flows (:func:`rcu_kit.audit.flows.flow_table`): the interfaces
            workstream's effort is its per-flow range times :func:`interface_units` (per
            source without flows).
        init: :func:`initialisation`: each step's days are added to the item that carries it
            (synchronisation to the go-live, history and previous CRM to the recovery).
        governance, team_capacity: the questionnaire's answers, scaling the governance and
            organisation workstreams (:func:`organisation_factor`).
        roles: the roles receiving a view of the reference: :data:`DAYS_PER_ROLE` each of
            training and adoption in the organisation workstream (before the scaling).

    Returns:
        One row per item: ``id``, ``key``, ``label``, ``kind`` (phase or workstream), ``causes``
        (tuple of finding keys), ``n_findings``, ``severity`` (the highest of its findings),
        ``effort_low``, ``effort_high``, ``effort_days`` (planned), ``fte`` (people of the team
        it occupies), ``weeks`` (phases: planned duration; workstreams: None), ``budget_low``,
        ``budget_high``, ``value`` and ``depends_on``. ``attrs["licences"]`` holds the licence
        range, ``attrs["size"]`` the size class, ``attrs["interface_units"]`` the weighted
        flows, ``attrs["organisation"]`` the factors of W4 and W6.

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
    units = interface_units(flows, n_sources)
    factors = organisation_factor(governance, team_capacity)
    init_days = {} if init is None else init.groupby("item")["days"].sum().to_dict()
    attached = findings.assign(workstream=[workstream_of(f) for f in findings.to_dict("records")])
    rows: list[dict[str, Any]] = []
    for wid, key, kind, fte, deps, value in _ITEMS:
        mine = attached[attached["workstream"] == wid]
        if kind == "phase":
            weeks = weeks_given.get(key, PHASE_WEEKS[key][form])
            if weeks is None:                           # no tender nor lead time for this form
                continue
            effort = PHASE_EFFORT[key][form]
            extra = float(init_days.get(wid, 0.0))
            effort = (effort[0] + extra, effort[1] + extra)
        else:
            weeks = None
            effort = WORKSTREAM_EFFORT[key][form]
            if key == "interfaces":
                effort = (effort[0] * units, effort[1] * units)
            if key == "change":
                effort = (effort[0] + DAYS_PER_ROLE * roles, effort[1] + DAYS_PER_ROLE * roles)
            if wid in factors:
                effort = (effort[0] * factors[wid], effort[1] * factors[wid])
            extra = float(sum(_FINDING_DAYS.get(s, 0) for s in mine["severity"]))
            extra += float(init_days.get(wid, 0.0))
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
    table.attrs.update(licences=licence, size=size, day_rate=rate, form=form,
                       interface_units=units, organisation=factors)
    return table


PARALLEL_KEYS = ("name", "start", "end", "moves", "affects", "note")
PARALLEL_COLUMNS = ["name", "start", "end", "moves", "note", "flows", "items", "overlaps"]


def _iso(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: expected a date as YYYY-MM-DD, got {value!r}") from None


def parallel_projects(projects: Any, flows: pd.DataFrame | None,
                      plan: pd.DataFrame) -> pd.DataFrame:
    """The projects running beside the RCU that will move its bridges (METHOD.md: a directory
    update, a new call-centre partner, a data warehouse built or dismantled), and what of the
    plan depends on them.

    Args:
        projects: the engagement's ``roadmap: parallel_projects:``, a list of ``name``,
            ``start``, ``end`` (ISO dates), ``moves`` (the systems it changes, as the flows name
            them), optional ``affects`` (plan item ids, added to those found) and ``note``.
        flows: :func:`rcu_kit.audit.flows.flow_table`.
        plan: :func:`schedule`'s output.

    Returns:
        One row per project: its settings, ``flows`` (the flows touching a system it moves),
        ``items`` (plan ids depending on it: the interfaces W2 and the go-live's
        synchronisation P5 when it moves a flow's system, the build P4 too when it moves the hub,
        the system most flows touch, plus ``affects``) and ``overlaps`` (those of ``items``
        running while the project runs: the dates to coordinate).

    Raises:
        ValueError: a malformed project, named with its position and key.
    """
    rows = []
    flows = flows if flows is not None else pd.DataFrame(columns=["name", "from_system", "to_system"])
    # the hub as rcu_kit.audit.flows.bridge_summary names it (ties: the first system named)
    touches = Counter(s for a, b in zip(flows["from_system"], flows["to_system"]) for s in (a, b))
    hub = str(touches.most_common(1)[0][0]).casefold() if touches else None
    dates = plan.set_index("id")[["start", "finish"]] if len(plan) else None
    if projects in (None, ""):
        projects = []
    if not isinstance(projects, list):
        raise ValueError("roadmap.parallel_projects: expected a list of projects (name, start, end, "
                         f"moves), got {type(projects).__name__}")
    for i, project in enumerate(projects):
        where = f"roadmap.parallel_projects[{i}]"
        if not isinstance(project, dict):
            raise ValueError(f"{where}: expected a mapping with name, start, end, moves")
        unknown = set(project) - set(PARALLEL_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; keys are: "
                             f"{', '.join(PARALLEL_KEYS)}")
        name = str(project.get("name") or "").strip()
        if not name:
            raise ValueError(f"{where}.name: every parallel project needs a name")
        where = f"roadmap.parallel_projects[{i}]({name})"
        start = _iso(project.get("start"), f"{where}.start")
        end = _iso(project.get("end"), f"{where}.end")
        if end < start:
            raise ValueError(f"{where}: ends ({end}) before it starts ({start})")
        moves = project.get("moves") or []
        affects = project.get("affects") or []
        if not isinstance(moves, list) or not isinstance(affects, list):
            raise ValueError(f"{where}: moves and affects are lists (systems; plan item ids)")
        known_ids = set(plan["id"]) if len(plan) else set()
        bad = [a for a in affects if a not in known_ids]
        if bad:
            raise ValueError(f"{where}.affects: unknown item(s) {', '.join(map(str, bad))}; the "
                             f"plan's items are: {', '.join(sorted(known_ids))}")
        moved = {str(m).casefold() for m in moves}
        touched = flows[flows["from_system"].astype(str).str.casefold().isin(moved)
                        | flows["to_system"].astype(str).str.casefold().isin(moved)]
        items = []
        if len(touched):
            items += ["W2", "P5"]
            if hub in moved:
                items.append("P4")
        items = [x for x in dict.fromkeys([*items, *affects]) if x in known_ids]
        items.sort(key=lambda x: list(plan["id"]).index(x))
        overlaps = tuple(x for x in items if dates is not None
                         and dates.loc[x, "start"] < end and start < dates.loc[x, "finish"])
        rows.append({"name": name, "start": start, "end": end, "moves": tuple(map(str, moves)),
                     "note": str(project.get("note") or ""), "flows": tuple(touched["name"]),
                     "items": tuple(items), "overlaps": overlaps})
    return pd.DataFrame(rows, columns=PARALLEL_COLUMNS)


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
