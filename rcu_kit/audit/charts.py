"""Charts of the source audit (plotly figures; computation lives in :mod:`rcu_kit.audit.run`).

Each function takes one audit table and the report language and returns a
``plotly.graph_objects.Figure``; labels come from ``rcu_kit/resources/i18n/audit.yaml``. No
chart shows a customer's value: only rates and counts.

Examples:
    >>> fig = completeness_heatmap(result.kpis, "fr")  # doctest: +SKIP
    >>> fig.show()  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rcu_kit.core.i18n import plotly_percent, plotly_separators, t

__all__ = ["completeness_heatmap", "validity_bars", "volume_bars", "duplicates_bars", "flow_map"]

_COLOURS = {"valid": "#2e7d32", "repairable": "#f9a825", "invalid": "#c62828",
            "rows": "#1565c0", "bad_lines": "#c62828"}


def _ordered_unique(values: pd.Series) -> list[str]:
    return list(dict.fromkeys(values.astype(str)))


def completeness_heatmap(kpis: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Completeness (%) of every column of every source: sources in rows, columns in columns.

    A cell is empty where the source has no such column. Sources keep the audit's order, columns
    their order of first appearance.
    """
    sources = _ordered_unique(kpis["source"]) if len(kpis) else []
    columns = _ordered_unique(kpis["column"]) if len(kpis) else []
    z = np.full((len(sources), len(columns)), np.nan)
    for r in kpis.itertuples(index=False):
        if pd.notna(r.completeness):
            z[sources.index(str(r.source)), columns.index(str(r.column))] = round(100 * r.completeness, 1)
    text = [["" if np.isnan(v) else f"{v:.0f}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=sources, text=text, texttemplate="%{text}", zmin=0, zmax=100,
        colorscale="RdYlGn", colorbar={"title": "%"}, hoverongaps=False,
        hovertemplate=f"{t('audit.axis_source', language)}: %{{y}}<br>"
                      f"{t('audit.axis_column', language)}: %{{x}}<br>"
                      f"{plotly_percent('z:.1f', language)}<extra></extra>"))
    fig.update_layout(separators=plotly_separators(language),
                      title=t("audit.chart_completeness_title", language),
                      xaxis_title=t("audit.axis_column", language),
                      yaxis_title=t("audit.axis_source", language),
                      yaxis={"autorange": "reversed"}, height=max(300, 60 * len(sources) + 200))
    return fig


def validity_bars(kpis: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Valid / repairable / invalid share of the filled values, per source column with a rule."""
    rated = kpis[kpis["validity"].notna() & (kpis["filled"] > 0)] if len(kpis) else kpis
    labels = (rated["source"].astype(str) + " · " + rated["column"].astype(str)).tolist()
    fig = go.Figure()
    for status in ("valid", "repairable", "invalid"):
        share = (rated[status].astype(float) / rated["filled"].astype(float) * 100).round(1) \
            if len(rated) else pd.Series(dtype=float)
        fig.add_bar(y=labels, x=share.tolist(), name=t(f"audit.series_{status}", language),
                    orientation="h", marker_color=_COLOURS[status],
                    hovertemplate=f"%{{y}}: {plotly_percent('x:.1f', language)}<extra>"
                                  + t(f"audit.series_{status}", language) + "</extra>")
    fig.update_layout(separators=plotly_separators(language),
                      title=t("audit.chart_validity_title", language), barmode="stack",
                      xaxis={"title": t("audit.axis_share", language) + " (%)", "range": [0, 100]},
                      yaxis={"autorange": "reversed"}, height=max(300, 22 * len(labels) + 150),
                      legend={"orientation": "h", "y": -0.15})
    return fig


def volume_bars(inventory: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Rows loaded and unreadable lines per source."""
    sources = inventory["source"].astype(str).tolist()
    fig = go.Figure()
    fig.add_bar(x=sources, y=inventory["rows"].tolist(), name=t("audit.series_rows", language),
                marker_color=_COLOURS["rows"])
    fig.add_bar(x=sources, y=inventory["bad_lines"].tolist(), name=t("audit.series_bad_lines", language),
                marker_color=_COLOURS["bad_lines"])
    fig.update_layout(separators=plotly_separators(language),
                      title=t("audit.chart_volume_title", language), barmode="stack",
                      xaxis_title=t("audit.axis_source", language),
                      yaxis_title=t("audit.axis_rows", language))
    return fig


def duplicates_bars(duplicates: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Exact-key duplicate rate per source, one bar per key (e-mail, phone, name + birth date, any)."""
    fig = go.Figure()
    for key in ("email", "phone", "name_birth_date", "any_key"):
        part = duplicates[duplicates["key"] == key] if len(duplicates) else duplicates
        fig.add_bar(x=part["source"].astype(str).tolist() if len(part) else [],
                    y=(part["duplicate_rate"].astype(float) * 100).round(2).tolist() if len(part) else [],
                    name=t(f"audit.key_{key}", language),
                    hovertemplate=f"%{{x}}: {plotly_percent('y:.2f', language)}<extra>"
                                  + t(f"audit.key_{key}", language) + "</extra>")
    fig.update_layout(separators=plotly_separators(language),
                      title=t("audit.chart_duplicates_title", language), barmode="group",
                      xaxis_title=t("audit.axis_source", language),
                      yaxis_title=t("audit.axis_rate", language) + " (%)")
    return fig


def flow_map(flows: pd.DataFrame, language: str = "fr") -> go.Figure:
    """The information system around the customer reference: one node per system, the system most
    flows touch in the middle, one arrow per flow (two heads when it goes both ways), a solid line
    for a synchronous flow and a dashed one for an asynchronous one, wider with the volume.

    Args:
        flows: :func:`rcu_kit.audit.flows.flow_table`.
        language: of the labels.
    """
    fig = go.Figure()
    systems = list(dict.fromkeys([*flows["from_system"], *flows["to_system"]])) if len(flows) else []
    if systems:
        touches = pd.Series([*flows["from_system"], *flows["to_system"]]).value_counts()
        hub = str(touches.index[0])
        others = [s for s in systems if s != hub]
        angles = np.linspace(0, 2 * np.pi, len(others), endpoint=False) + np.pi / 2
        where = {hub: (0.0, 0.0), **{s: (float(np.cos(a)), float(np.sin(a)))
                                      for s, a in zip(others, angles)}}
        volumes = pd.to_numeric(flows["volume_per_period"], errors="coerce").fillna(0)
        top = float(np.log10(volumes.max() + 1)) or 1.0
        for mode in ("sync", "async"):  # one legend entry per kind of line
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", showlegend=True,
                                     name=t(f"audit.flow_mode_{mode}", language),
                                     line={"color": "#1565c0",
                                           "dash": "solid" if mode == "sync" else "dash"}))
        for r, volume in zip(flows.itertuples(index=False), volumes):
            (x0, y0), (x1, y1) = where[r.from_system], where[r.to_system]
            width = 1.5 + 4.5 * float(np.log10(volume + 1)) / top
            # stop short of the node markers (the hub's is larger)
            start = 0.22 if r.from_system == hub else 0.1
            stop = 0.22 if r.to_system == hub else 0.1
            xa, ya = x0 + (x1 - x0) * start, y0 + (y1 - y0) * start
            xb, yb = x1 - (x1 - x0) * stop, y1 - (y1 - y0) * stop
            hover = (f"<b>{r.name}</b><br>{r.from_system} {'↔' if r.two_way else '→'} "
                     f"{r.to_system}<br>{t('audit.flow_protocol', language)}: "
                     f"{t(f'audit.flow_protocol_{r.protocol}', language)}")
            fig.add_trace(go.Scatter(
                x=[xa, xb], y=[ya, yb], mode="lines", showlegend=False, hoverinfo="text",
                text=[hover, hover], line={"width": width, "color": "#1565c0",
                                           "dash": "solid" if r.mode == "sync" else "dash"}))
            fig.add_annotation(x=xb, y=yb, ax=xa, ay=ya, xref="x", yref="y", axref="x",
                               ayref="y", showarrow=True, arrowhead=2, arrowsize=1.2,
                               arrowwidth=max(1.0, width / 2), arrowcolor="#1565c0",
                               arrowside="end+start" if r.two_way else "end", text="")
        def place(system: str) -> str:  # the name away from the arrows
            x, y = where[system]
            if system == hub:
                return "middle center"
            if abs(y) > 0.3:
                return "top center" if y > 0 else "bottom center"
            return "middle right" if x > 0 else "middle left"

        fig.add_trace(go.Scatter(
            x=[where[s][0] for s in systems], y=[where[s][1] for s in systems],
            mode="markers+text", text=systems, textposition=[place(s) for s in systems],
            showlegend=False, hoverinfo="text",
            textfont={"color": ["white" if s == hub else "#263238" for s in systems],
                      "size": [13 if s == hub else 12 for s in systems]},
            marker={"size": [64 if s == hub else 22 for s in systems],
                    "color": ["#2e7d32" if s == hub else "#90a4ae" for s in systems]}))
    fig.update_layout(title=t("audit.chart_flow_map_title", language), height=560,
                      xaxis={"visible": False, "range": [-1.5, 1.5]},
                      yaxis={"visible": False, "range": [-1.35, 1.45], "scaleanchor": "x"},
                      plot_bgcolor="white", legend={"orientation": "h", "y": -0.02})
    return fig
