"""Flows between systems: the bridges a single customer view lives on.

Each flow of the engagement (``flows``: from, to, both ways or not, sync or async, protocol,
business process, volume per period and peak, owner, supervision) becomes one row of a table with
its peak ratio and the questions scoping must still ask about it; :func:`bridge_summary` counts
the bridges and their kinds, which weigh on the roadmap's cost and on the choice of the RCU's
form (the more bridges, the more the project costs). Computation only: questions are codes,
worded with :func:`rcu_kit.core.i18n.t` (``audit.flow_<code>``); the flow map is
:func:`rcu_kit.audit.charts.flow_map`.

Examples:
    >>> from rcu_kit.core.config import Engagement, Flow
    >>> eng = Engagement(client="x", flows=[Flow(name="web", from_system="Site", to_system="CRM",
    ...                                          mode="sync", owner="DSI", supervision="alertes",
    ...                                          volume_per_period=100, peak=1500)])
    >>> row = flow_table(eng).iloc[0]
    >>> float(row["peak_ratio"]), row["questions"]
    (15.0, 'no_process,sync_peak')
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from rcu_kit.core.config import Engagement

__all__ = ["SYNC_PEAK_RATIO", "flow_table", "bridge_summary", "flows_client_table"]

# a synchronous flow whose busiest period carries this many times its usual volume must be sized
# for the peak, not the average (the question is asked)
SYNC_PEAK_RATIO = 10.0
TABLE_COLUMNS = ["name", "from_system", "to_system", "two_way", "mode", "protocol", "process",
                 "volume_per_period", "period", "peak", "peak_ratio", "owner", "supervision",
                 "questions"]


def _questions(flow: Any) -> list[str]:
    """What is still unknown or risky about one flow, as codes."""
    questions = []
    if not flow.owner.strip():
        questions.append("no_owner")
    if not flow.supervision.strip():
        questions.append("no_supervision")
    if flow.volume_per_period is None:
        questions.append("no_volume")
    if not flow.process.strip():
        questions.append("no_process")
    ratio = _peak_ratio(flow)
    if flow.mode == "sync" and ratio is not None and ratio >= SYNC_PEAK_RATIO:
        questions.append("sync_peak")
    return questions


def _peak_ratio(flow: Any) -> float | None:
    if flow.peak is None or not flow.volume_per_period:
        return None
    return round(flow.peak / flow.volume_per_period, 2)


def flow_table(engagement: Engagement) -> pd.DataFrame:
    """One row per flow, in the engagement's order: its settings, ``peak_ratio`` (peak / usual
    volume, None when either is unknown) and ``questions``, the codes of what scoping must still
    ask, joined by commas: ``no_owner``, ``no_supervision``, ``no_volume``, ``no_process``,
    ``sync_peak`` (synchronous with a peak :data:`SYNC_PEAK_RATIO` times the usual volume or
    more)."""
    rows = [{**{c: getattr(f, c) for c in TABLE_COLUMNS[:10]}, "peak_ratio": _peak_ratio(f),
             "owner": f.owner, "supervision": f.supervision,
             "questions": ",".join(_questions(f))} for f in engagement.flows]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def bridge_summary(engagement: Engagement) -> dict[str, Any]:
    """The bridges of the information system, counted.

    Returns:
        ``flows``; ``systems`` (distinct systems named by a flow); ``hub`` (the system most flows
        touch; None without flows); ``two_way``, ``sync``, ``real_time_two_way`` (synchronous and
        both ways: the costliest kind); ``by_protocol`` (flows per protocol); ``open_questions``
        (flows with at least one question).
    """
    flows = engagement.flows
    touches = Counter(s for f in flows for s in (f.from_system, f.to_system))
    return {
        "flows": len(flows),
        "systems": len(touches),
        "hub": touches.most_common(1)[0][0] if touches else None,
        "two_way": sum(f.two_way for f in flows),
        "sync": sum(f.mode == "sync" for f in flows),
        "real_time_two_way": sum(f.two_way and f.mode == "sync" for f in flows),
        "by_protocol": dict(Counter(f.protocol for f in flows)),
        "open_questions": sum(bool(_questions(f)) for f in flows),
    }


def _period(period: str, language: str) -> str:
    """A flow's period in words (``day`` -> ``jour``); a period the wording lacks stays as given."""
    from rcu_kit.core.i18n import t

    try:
        return t(f"audit.period_{period}", language)
    except KeyError:
        return period


def flows_client_table(engagement: Engagement, language: str | None = None) -> pd.DataFrame:
    """Client-facing :func:`flow_table`: headers, modes, protocols and open questions in
    ``language``, numbers formatted, ``→`` or ``↔`` for the direction."""
    from rcu_kit.core.i18n import fmt_number, t

    lang = language or engagement.language
    table = flow_table(engagement)

    def number(value: Any) -> str:
        return "–" if value is None or value != value else fmt_number(value, lang)

    return pd.DataFrame({
        t("audit.flow_name", lang): table["name"],
        t("audit.flow_route", lang): [f"{a} {'↔' if two else '→'} {b}" for a, b, two in
                                      zip(table["from_system"], table["to_system"], table["two_way"])],
        t("audit.flow_mode", lang): [t(f"audit.flow_mode_{m}", lang) for m in table["mode"]],
        t("audit.flow_protocol", lang): [t(f"audit.flow_protocol_{p}", lang)
                                         for p in table["protocol"]],
        t("audit.flow_process", lang): table["process"].replace("", "–"),
        t("audit.flow_volume", lang): [f"{number(v)} / {_period(p, lang)}"
                                       if v is not None and v == v else "–"
                                       for v, p in zip(table["volume_per_period"], table["period"])],
        t("audit.flow_peak", lang): [number(v) for v in table["peak"]],
        t("audit.flow_owner", lang): table["owner"].replace("", "–"),
        t("audit.flow_questions", lang): ["; ".join(t(f"audit.flow_{q}", lang)
                                                   for q in qs.split(",")) if qs else "–"
                                         for qs in table["questions"]],
    })
