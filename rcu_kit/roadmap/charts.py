"""Plotly charts of the roadmap: score breakdown, Gantt timeline, value × effort matrix, team load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from rcu_kit.core.i18n import fmt_number, plotly_month_ticks, plotly_separators, t
from rcu_kit.roadmap.scoring import FORMS, Recommendation

__all__ = ["score_breakdown_chart", "gantt_chart", "priority_matrix_chart", "team_load_chart"]

_KIND_COLOURS = {"phase": "#1f4e79", "workstream": "#548235", "parallel": "#bf8f00"}


def score_breakdown_chart(rec: Recommendation, language: str = "fr") -> go.Figure:
    """Stacked bars: each form's score split into the criteria that make it (negative below 0)."""
    fig = go.Figure()
    forms = [t(f"roadmap.form_{f}", language) for f in FORMS]
    for row in rec.contributions.itertuples(index=False):
        values = [getattr(row, f) for f in FORMS]
        if not any(values):
            continue
        fig.add_bar(name=t(f"roadmap.criterion_{row.criterion}", language), x=forms, y=values,
                    hovertemplate="%{x}<br>%{fullData.name}: %{y:+.2f}<extra></extra>")
    totals = rec.scores.set_index("form")["score"]
    fig.add_scatter(x=forms, y=[totals[f] for f in FORMS], mode="markers+text",
                    text=[fmt_number(totals[f], language, 1) for f in FORMS],
                    textposition="top center",
                    marker={"symbol": "diamond", "size": 12, "color": "black"},
                    name=t("roadmap.chart_total", language))
    fig.update_layout(separators=plotly_separators(language),
                      barmode="relative", title=t("roadmap.chart_scores_title", language),
                      yaxis_title=t("roadmap.chart_score", language), legend_title_text="",
                      height=520)
    return fig


def gantt_chart(plan: pd.DataFrame, language: str = "fr",
                parallel: pd.DataFrame | None = None) -> go.Figure:
    """Gantt timeline of the scheduled workstreams (output of :func:`workstreams.schedule`), and
    the projects running in parallel (:func:`workstreams.parallel_projects`) below them, each
    naming the plan items that depend on it: the macro-planning of all the projects."""
    frame = plan.assign(kind_label=[t(f"roadmap.kind_{k}", language) for k in plan["kind"]],
                        start=pd.to_datetime(plan["start"]), finish=pd.to_datetime(plan["finish"]),
                        task=[f"{i} · {label}" for i, label in zip(plan["id"], plan["label"])])
    if parallel is not None and len(parallel):
        others = pd.DataFrame({
            "kind_label": t("roadmap.kind_parallel", language),
            "start": pd.to_datetime(parallel["start"]), "finish": pd.to_datetime(parallel["end"]),
            "task": [f"{name} → {', '.join(items) or '–'}"
                     for name, items in zip(parallel["name"], parallel["items"])],
            "effort_days": 0.0, "n_findings": 0})
        frame = pd.concat([frame, others], ignore_index=True)
    colours = {t(f"roadmap.kind_{k}", language): c for k, c in _KIND_COLOURS.items()}
    fig = px.timeline(frame, x_start="start", x_end="finish", y="task", color="kind_label",
                      color_discrete_map=colours, hover_data={"effort_days": True, "n_findings": True,
                                                              "kind_label": False, "task": False})
    fig.update_yaxes(autorange="reversed", title="")
    if len(frame):  # month names in the report's language
        fig.update_xaxes(**plotly_month_ticks(frame["start"].min(), frame["finish"].max(),
                                               language))
    fig.update_layout(separators=plotly_separators(language),
                      title=t("roadmap.chart_gantt_title", language), legend_title_text="",
                      height=max(360, 28 * len(frame) + 140))
    return fig


def priority_matrix_chart(workstreams: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Value × effort matrix: quick wins top left (high value, low effort)."""
    frame = workstreams.assign(kind_label=[t(f"roadmap.kind_{k}", language)
                                           for k in workstreams["kind"]])
    frame["shown_value"], frame["label_position"] = _spread(frame["effort_days"], frame["value"])
    colours = {t(f"roadmap.kind_{k}", language): c for k, c in _KIND_COLOURS.items()}
    fig = px.scatter(frame, x="effort_days", y="shown_value", color="kind_label", text="id",
                     hover_data={"label": True, "n_findings": True, "kind_label": False,
                                 "shown_value": False},
                     color_discrete_map=colours)
    for trace in fig.data:  # each kind's points keep their own label position
        kind = frame[frame["kind_label"] == trace.name]
        trace.textposition = kind["label_position"].tolist()
    fig.update_traces(marker={"size": 14})
    fig.update_layout(separators=plotly_separators(language),
                      title=t("roadmap.chart_matrix_title", language), legend_title_text="",
                      xaxis_title=t("roadmap.chart_effort", language),
                      yaxis_title=t("roadmap.chart_value", language), height=480)
    fig.update_yaxes(tickvals=[1, 2, 3], ticktext=[t("roadmap.value_low", language),
                                                    t("roadmap.value_medium", language),
                                                    t("roadmap.value_high", language)])
    return fig


def _spread(effort: pd.Series, value: pd.Series, close: float = 0.04
            ) -> tuple[list[float], list[str]]:
    """Points of one value row whose efforts lie within ``close`` of the axis' range of each
    other are spread a little up and down, their labels above and below in turn, so that no two
    labels print over each other (the value row stays readable: at most ±0.15)."""
    span = max(float(effort.max()) - float(effort.min()), 1.0) if len(effort) else 1.0
    shown = [float(v) for v in value]
    where = ["top center"] * len(value)
    for level in pd.unique(value):
        rows = sorted((i for i in range(len(value)) if value.iloc[i] == level),
                      key=lambda i: float(effort.iloc[i]))
        groups: list[list[int]] = []
        for i in rows:
            if groups and float(effort.iloc[i]) - float(effort.iloc[groups[-1][-1]]) < close * span:
                groups[-1].append(i)
            else:
                groups.append([i])
        for group in groups:
            if len(group) < 2:
                continue
            offsets = np.linspace(0.15, -0.15, len(group))
            for k, i in enumerate(group):
                shown[i] = float(level) + float(offsets[k])
                where[i] = "top center" if k % 2 == 0 else "bottom center"
    return shown, where


def team_load_chart(plan: pd.DataFrame, language: str = "fr") -> go.Figure:
    """People busy on each working day of the plan (``plan.attrs["load"]`` and ``["days"]`` from
    :func:`~rcu_kit.roadmap.workstreams.schedule`) against the stated team (a dashed line): the
    load never crosses it."""
    load = list(plan.attrs.get("load", []))
    team = float(plan.attrs.get("team", max(load, default=0)))
    days = list(plan.attrs.get("days", range(len(load))))
    fig = go.Figure()
    fig.add_scatter(x=days, y=load, mode="lines", line_shape="hv",
                    name=t("roadmap.chart_load", language), fill="tozeroy")
    fig.add_hline(y=team, line_dash="dash", annotation_text=t("roadmap.chart_team", language,
                                                              n=fmt_number(team, language)))
    fig.update_layout(separators=plotly_separators(language),
                      title=t("roadmap.chart_load_title", language), showlegend=False,
                      yaxis_title=t("roadmap.chart_people", language), height=360)
    fig.update_yaxes(range=[0, team + 1])
    if days and not isinstance(days[0], (int, np.integer)):  # month names in the language
        fig.update_xaxes(**plotly_month_ticks(min(days), max(days), language))
    return fig
