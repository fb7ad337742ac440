"""Plotly charts of the executive summary (computation lives in :mod:`rcu_kit.report.summary`).

Examples:
    >>> import pandas as pd
    >>> table = pd.DataFrame({"source": ["crm", "web"], "records": [10, 4], "customers": [8, 4]})
    >>> fig = records_per_source_chart(table, "en")
    >>> [trace.name for trace in fig.data]
    ['Records', 'Distinct customers']
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from rcu_kit.core.i18n import plotly_separators, t

__all__ = ["records_per_source_chart", "overlap_chart"]

_LAYOUT = dict(template="plotly_white", margin=dict(l=40, r=20, t=60, b=40), height=380)


def records_per_source_chart(sources: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Grouped bars: records and distinct customers per source.

    Args:
        sources: columns ``source``, ``records`` and optionally ``customers``.
        language: ``fr`` or ``en``.
    """
    fig = go.Figure()
    fig.add_bar(name=t("report.records", language), x=sources["source"].tolist(),
                y=sources["records"].tolist())
    with_customers = bool("customers" in sources.columns and sources["customers"].notna().any())
    if with_customers:
        fig.add_bar(name=t("report.distinct_customers", language), x=sources["source"].tolist(),
                    y=sources["customers"].tolist())
    title = "report.records_per_source" if with_customers else "report.records_per_source_only"
    fig.update_layout(separators=plotly_separators(language),
                      title=t(title, language), barmode="group", showlegend=with_customers, **_LAYOUT)
    return fig


def overlap_chart(overlap: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Heatmap source x source of the distinct customers present in both sources."""
    fig = go.Figure(go.Heatmap(z=overlap.to_numpy().tolist(), x=list(overlap.columns),
                               y=list(overlap.index), colorscale="Blues",
                               text=overlap.to_numpy().tolist(), texttemplate="%{text}",
                               hovertemplate="%{y} × %{x}: %{z}<extra></extra>"))
    fig.update_layout(separators=plotly_separators(language),
                      title=t("report.overlap_matrix", language), **_LAYOUT)
    fig.update_yaxes(autorange="reversed")
    return fig
