"""Charts of the gap analysis (plotly figures; the figures come from :mod:`rcu_kit.mapping.gaps`).

Examples:
    >>> import pandas as pd
    >>> from rcu_kit.core.config import Attribute, Engagement, Source
    >>> eng = Engagement(client="x", language="en", sources=[Source(name="crm", path="a")],
    ...                  target_model=[Attribute(name="email", label_en="E-mail")])
    >>> matrix = pd.DataFrame({"attribute": ["email"], "source": ["crm"], "mapped": [True],
    ...                        "fill_rate": [0.5], "validity_rate": [1.0], "quality": [0.5]})
    >>> gap_heatmap(eng, matrix).data[0].z
    ([50.0],)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from rcu_kit.core.config import Engagement
from rcu_kit.mapping.gaps import SEVERITIES
from rcu_kit.core.i18n import fmt_percent, plotly_separators, t

__all__ = ["gap_heatmap", "gap_severity_chart"]

_SEVERITY_COLOURS = {"high": "#c0392b", "medium": "#e67e22", "low": "#f1c40f"}


def gap_heatmap(engagement: Engagement, matrix: pd.DataFrame, language: str | None = None) -> go.Figure:
    """Heatmap attribute (rows, target-model order) x source (columns): fill rate x validity rate.

    Unmapped cells are empty and labelled "not mapped"; each cell's hover gives the fill and
    validity rates. No personal data is shown (rates only).
    """
    lang = language or engagement.language
    attrs = [a for a in engagement.target_model if a.name in set(matrix["attribute"])]
    sources = list(dict.fromkeys(matrix["source"]))
    cells = matrix.set_index(["attribute", "source"])
    z, text, hover = [], [], []
    for a in attrs:
        zr, tr, hr = [], [], []
        for s in sources:
            c = cells.loc[(a.name, s)]
            if not bool(c["mapped"]):
                zr.append(np.nan)
                tr.append("")
                hr.append(t("gaps.not_mapped", lang))
                continue
            quality = round(float(c["quality"]) * 100, 1)
            zr.append(quality)
            tr.append(f"{quality:.0f}")
            hr.append(t("gaps.heatmap_hover", lang, fill=fmt_percent(c["fill_rate"], lang),
                        valid=fmt_percent(c["validity_rate"], lang)))
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = go.Figure(go.Heatmap(
        z=z, x=sources, y=[a.label(lang) for a in attrs], text=text, customdata=hover,
        texttemplate="%{text}", hovertemplate="%{y} / %{x}<br>%{customdata}<extra></extra>",
        zmin=0, zmax=100, colorscale="RdYlGn", xgap=2, ygap=2,
        colorbar={"title": {"text": t("gaps.heatmap_colorbar", lang)}}))
    fig.update_layout(separators=plotly_separators(lang),
                      title=t("gaps.heatmap_title", lang), yaxis={"autorange": "reversed"},
                      height=max(320, 28 * len(attrs) + 160), plot_bgcolor="#eeeeee")
    return fig


def gap_severity_chart(engagement: Engagement, gaps: pd.DataFrame, language: str | None = None) -> go.Figure:
    """Stacked bars: number of gaps per kind, split by severity."""
    lang = language or engagement.language
    kinds = list(dict.fromkeys(gaps["gap"])) if len(gaps) else []
    fig = go.Figure()
    for sev in SEVERITIES:
        counts = [int(((gaps["gap"] == k) & (gaps["severity"] == sev)).sum()) for k in kinds]
        fig.add_bar(name=t(f"gaps.level_{sev}", lang), x=[t(f"gaps.kind_{k}", lang) for k in kinds],
                    y=counts, marker_color=_SEVERITY_COLOURS[sev])
    fig.update_layout(separators=plotly_separators(lang),
                      barmode="stack", title=t("gaps.severity_chart_title", lang),
                      yaxis_title=t("gaps.count", lang), legend_title=t("gaps.severity", lang))
    return fig
