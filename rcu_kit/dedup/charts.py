"""Charts of the deduplication step (plotly; the figures are computed in :mod:`rcu_kit.dedup.figures`).

Each function takes one table from :mod:`rcu_kit.dedup.figures` and the report language and
returns a ``plotly.graph_objects.Figure``; labels come from ``rcu_kit/resources/i18n/dedup.yaml``.
No chart shows a customer's value: only counts, rates and source names.

Examples:
    >>> from rcu_kit.dedup.figures import source_combinations
    >>> fig = upset_chart(source_combinations(crosswalk), "fr")  # doctest: +SKIP
    >>> fig.show()  # doctest: +SKIP
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rcu_kit.core.i18n import fmt_number, plotly_separators, t

__all__ = ["upset_chart", "duplicate_rate_chart", "threshold_chart", "probability_histogram_chart",
           "cluster_size_chart"]

_BLUE, _ORANGE, _GREY, _DARK = "#1565c0", "#ef6c00", "#d0d0d0", "#263238"
_FIXED = ("combination", "n_sources", "customers", "records")


def _threshold_text(value: float, language: str) -> str:
    """A threshold with as many decimals as it has (0.9, 0.95), decimal comma in French.

    Examples:
        >>> _threshold_text(0.9, "en"), _threshold_text(0.95, "fr"), _threshold_text(1, "fr")
        ('0.9', '0,95', '1')
    """
    decimals = max(0, -Decimal(f"{float(value):g}").as_tuple().exponent)
    return fmt_number(value, language, decimals)


def upset_chart(combinations: pd.DataFrame, language: str = "fr", max_combinations: int = 20
                ) -> go.Figure:
    """UpSet-style chart: customers per exact combination of sources, with the dot matrix below.

    Args:
        combinations: :func:`rcu_kit.dedup.figures.source_combinations` (sorted, most customers
            first); its boolean columns are the sources.
        language: ``fr`` or ``en``.
        max_combinations: the largest combinations shown (the title says how many are left out).

    Returns:
        Two stacked subplots sharing the x axis: bars (customers) on top; below, one row per
        source, a dark dot where the combination includes it, joined by a line.
    """
    sources = [c for c in combinations.columns if c not in _FIXED]
    shown = combinations.head(max_combinations)
    x = list(range(len(shown)))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.03,
                        row_heights=[0.62, 0.38])
    fig.add_trace(go.Bar(
        x=x, y=shown["customers"].tolist(), marker_color=_BLUE, text=shown["customers"].tolist(),
        textposition="outside", customdata=shown["combination"].tolist(),
        name=t("dedup.chart_upset_customers", language),
        hovertemplate="%{customdata}<br>%{y:,}<extra></extra>"), row=1, col=1)
    membership = shown[sources].astype(bool).to_numpy()
    for i, flags in enumerate(membership):
        members = [s for s, flag in zip(sources, flags) if flag]
        if len(members) > 1:  # the line first, so the dots are drawn over it
            fig.add_trace(go.Scatter(x=[i] * len(members), y=members, mode="lines",
                                     line={"color": _DARK, "width": 3}, hoverinfo="skip",
                                     showlegend=False), row=2, col=1)
        fig.add_trace(go.Scatter(
            x=[i] * len(sources), y=sources, mode="markers", hoverinfo="skip", showlegend=False,
            marker={"size": 12, "color": [_DARK if s in members else _GREY for s in sources]}),
            row=2, col=1)
    title = t("dedup.chart_upset_title", language)
    if len(combinations) > len(shown):
        title += f" ({len(shown)}/{len(combinations)})"
    fig.update_layout(separators=plotly_separators(language),
                      title=title, showlegend=False, bargap=0.3,
                      height=420 + 28 * len(sources), margin={"l": 140})
    fig.update_yaxes(title_text=t("dedup.chart_upset_customers", language), row=1, col=1)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(sources)),
                     title_text=t("dedup.chart_upset_sources", language), row=2, col=1)
    fig.update_xaxes(showticklabels=False, range=[-0.6, max(len(shown), 1) - 0.4], row=1, col=1)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False,
                     range=[-0.6, max(len(shown), 1) - 0.4], row=2, col=1)
    return fig


def duplicate_rate_chart(per_source: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Per source: duplicates within the source and customers shared with another source (%).

    Args:
        per_source: :func:`rcu_kit.dedup.figures.per_source_figures`.
    """
    sources = per_source["source"].astype(str).tolist()
    rate = (100 * per_source["duplicate_rate"].astype(float)).round(1).tolist()
    shared = (100 * per_source["shared_rate"].astype(float)).round(1).tolist()
    fig = go.Figure([
        go.Bar(x=sources, y=rate, name=t("dedup.chart_duplicates_rate", language),
               marker_color=_ORANGE, text=[fmt_number(v, language, 1) for v in rate],
               textposition="outside"),
        go.Bar(x=sources, y=shared, name=t("dedup.chart_duplicates_shared", language),
               marker_color=_BLUE, text=[fmt_number(v, language, 1) for v in shared],
               textposition="outside"),
    ])
    fig.update_layout(separators=plotly_separators(language),
                      title=t("dedup.chart_duplicates_title", language), barmode="group",
                      yaxis_title="%", yaxis_rangemode="tozero",
                      legend={"orientation": "h", "y": -0.2})
    return fig


def threshold_chart(effect: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Distinct customers and matched pairs against the threshold, the threshold used marked.

    Args:
        effect: :func:`rcu_kit.dedup.figures.threshold_effect` (its ``current`` row is marked).
    """
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = effect["threshold"].astype(float).tolist()
    fig.add_trace(go.Scatter(x=x, y=effect["customers"].tolist(), mode="lines+markers",
                             name=t("dedup.chart_threshold_customers", language),
                             line={"color": _BLUE}), secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=effect["matched_pairs"].tolist(), mode="lines+markers",
                             name=t("dedup.chart_threshold_pairs", language),
                             line={"color": _ORANGE, "dash": "dot"}), secondary_y=True)
    current = effect.loc[effect["current"].astype(bool), "threshold"]
    if len(current):
        value = float(current.iloc[0])
        fig.add_vline(x=value, line_dash="dash", line_color=_DARK,
                      annotation_text=t("dedup.chart_threshold_current", language,
                                        threshold=_threshold_text(value, language)),
                      annotation_position="top left")
    fig.update_layout(separators=plotly_separators(language),
                      title=t("dedup.chart_threshold_title", language),
                      legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(title_text=t("dedup.chart_threshold_x", language))
    for column, secondary in (("customers", False), ("matched_pairs", True)):
        values = effect[column].astype(float)
        # counts: whole-number ticks even when the curve is nearly flat
        small = len(values) and values.max() - values.min() < 10
        fig.update_yaxes(title_text=t(f"dedup.chart_threshold_{'pairs' if secondary else column}",
                                      language),
                         tickformat=",d", dtick=1 if small else None, secondary_y=secondary)
    return fig


def probability_histogram_chart(histogram: pd.DataFrame, threshold: float | None = None,
                                language: str = "fr") -> go.Figure:
    """Candidate pairs per match-probability bin (log scale), the threshold marked.

    Args:
        histogram: :func:`rcu_kit.dedup.figures.probability_histogram`.
        threshold: the threshold used (a vertical line), or None.
    """
    centres = ((histogram["bin_start"] + histogram["bin_end"]) / 2).tolist()
    widths = (histogram["bin_end"] - histogram["bin_start"]).tolist()
    fig = go.Figure(go.Bar(x=centres, y=histogram["pairs"].tolist(), width=widths,
                           marker_color=_BLUE,
                           customdata=list(zip(histogram["bin_start"], histogram["bin_end"])),
                           hovertemplate="[%{customdata[0]:.2f}, %{customdata[1]:.2f}[: "
                                         "%{y:,}<extra></extra>"))
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dash", line_color=_DARK,
                      annotation_text=t("dedup.chart_threshold_current", language,
                                        threshold=_threshold_text(threshold, language)),
                      annotation_position="top left")
    fig.update_layout(separators=plotly_separators(language),
                      title=t("dedup.chart_histogram_title", language), bargap=0.05,
                      xaxis={"title": t("dedup.chart_histogram_x", language), "range": [0, 1]},
                      yaxis={"title": t("dedup.chart_histogram_y", language), "type": "log"})
    return fig


def cluster_size_chart(cluster_sizes: pd.DataFrame, language: str = "fr") -> go.Figure:
    """Customers per number of records (1 = found once, 2 = one duplicate, ...).

    Args:
        cluster_sizes: :func:`rcu_kit.dedup.figures.cluster_size_distribution`.
    """
    fig = go.Figure(go.Bar(x=cluster_sizes["size"].astype(str).tolist(),
                           y=cluster_sizes["customers"].tolist(), marker_color=_BLUE,
                           text=cluster_sizes["customers"].tolist(), textposition="outside"))
    fig.update_layout(separators=plotly_separators(language),
                      title=t("dedup.chart_cluster_title", language),
                      xaxis={"title": t("dedup.chart_cluster_x", language), "type": "category"},
                      yaxis={"title": t("dedup.chart_cluster_y", language), "type": "log"})
    return fig
