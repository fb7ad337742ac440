"""Audit charts: the figures carry the audit's numbers and localised labels."""

import numpy as np
import pandas as pd

from rcu_kit.audit.charts import completeness_heatmap, duplicates_bars, validity_bars, volume_bars

KPIS = pd.DataFrame({
    "source": ["crm", "crm", "web"], "column": ["email", "cp", "email"],
    "completeness": [0.5, 1.0, 0.25], "validity": [0.8, np.nan, 1.0],
    "filled": [10, 20, 5], "valid": [8, np.nan, 5], "repairable": [1, np.nan, 0], "invalid": [1, np.nan, 0],
})


def test_completeness_heatmap():
    fig = completeness_heatmap(KPIS, "en")
    heat = fig.data[0]
    assert list(heat.y) == ["crm", "web"] and list(heat.x) == ["email", "cp"]
    # web has no 'cp' column: an empty cell, not a zero
    assert heat.z[0].tolist() == [50.0, 100.0]
    assert heat.z[1][0] == 25.0 and np.isnan(heat.z[1][1])
    assert fig.layout.title.text == "Completeness by source and column (%)"


def test_validity_bars_only_columns_with_a_rule():
    fig = validity_bars(KPIS, "fr")
    assert [bar.name for bar in fig.data] == ["Valides", "Réparables", "Invalides"]
    assert list(fig.data[0].y) == ["crm · email", "web · email"]
    # crm.email: 8, 1, 1 of 10 filled
    assert [list(bar.x) for bar in fig.data] == [[80.0, 100.0], [10.0, 0.0], [10.0, 0.0]]


def test_volume_and_duplicates():
    inv = pd.DataFrame({"source": ["crm", "web"], "rows": [100, 50], "bad_lines": [2, 0]})
    fig = volume_bars(inv, "fr")
    assert [list(b.y) for b in fig.data] == [[100, 50], [2, 0]]
    dup = pd.DataFrame({"source": ["crm"] * 4, "key": ["email", "phone", "name_birth_date", "any_key"],
                        "duplicate_rate": [0.1, 0.05, 0.0, 0.125]})
    fig = duplicates_bars(dup, "en")
    assert [b.name for b in fig.data] == ["E-mail", "Phone", "Name + birth date", "Any key"]
    assert [list(b.y) for b in fig.data] == [[10.0], [5.0], [0.0], [12.5]]


def test_empty_tables_give_empty_charts():
    empty = KPIS.iloc[:0]
    assert completeness_heatmap(empty, "fr").data[0].z.shape == (0, 0)
    assert all(len(b.y) == 0 for b in validity_bars(empty, "fr").data)


def test_charts_use_the_report_language_separators():
    # plotly's separators: decimal mark then thousands mark, for hovers and axis ticks
    inv = pd.DataFrame({"source": ["crm"], "rows": [1200], "bad_lines": [0]})
    dup = pd.DataFrame({"source": ["crm"], "key": ["email"], "duplicate_rate": [0.1]})
    for language, separators in (("fr", ", "), ("en", ".,")):
        figs = [completeness_heatmap(KPIS, language), validity_bars(KPIS, language),
                volume_bars(inv, language), duplicates_bars(dup, language)]
        assert [fig.layout.separators for fig in figs] == [separators] * 4


def test_hover_percentages_follow_the_chart_language():
    # French puts a no-break space before %, English none (as fmt_percent writes them)
    dup = pd.DataFrame({"source": ["crm"], "key": ["email"], "duplicate_rate": [0.1]})
    fr = [completeness_heatmap(KPIS, "fr").data[0], validity_bars(KPIS, "fr").data[0],
          duplicates_bars(dup, "fr").data[0]]
    assert [d.hovertemplate for d in fr] == [
        "Source: %{y}<br>Colonne: %{x}<br>%{z:.1f}\u00a0%<extra></extra>",
        "%{y}: %{x:.1f}\u00a0%<extra>Valides</extra>",
        "%{x}: %{y:.2f}\u00a0%<extra>E-mail</extra>"]
    en = [completeness_heatmap(KPIS, "en").data[0], validity_bars(KPIS, "en").data[0],
          duplicates_bars(dup, "en").data[0]]
    assert [d.hovertemplate for d in en] == [
        "Source: %{y}<br>Column: %{x}<br>%{z:.1f}%<extra></extra>",
        "%{y}: %{x:.1f}%<extra>Valid</extra>",
        "%{x}: %{y:.2f}%<extra>E-mail</extra>"]


def test_flow_map_puts_the_hub_in_the_middle_and_draws_each_flow():
    from rcu_kit.audit.charts import flow_map
    from rcu_kit.audit.flows import flow_table
    from rcu_kit.core.config import Engagement, Flow

    flows = flow_table(Engagement(client="x", flows=[
        Flow(name="web", from_system="Site web", to_system="CRM", two_way=True, mode="sync",
             volume_per_period=100),
        Flow(name="erp", from_system="CRM", to_system="ERP")]))
    fig = flow_map(flows, "fr")
    nodes = fig.data[-1]
    assert list(nodes.text) == ["Site web", "CRM", "ERP"]
    hub = list(nodes.text).index("CRM")
    assert (nodes.x[hub], nodes.y[hub]) == (0.0, 0.0) and nodes.marker.size[hub] == 64
    # two legend entries, then one line per flow: solid (sync) then dashed (async)
    lines = [d for d in fig.data[:-1] if not d.showlegend]
    assert [d.line.dash for d in lines] == ["solid", "dash"]
    assert [a.arrowside for a in fig.layout.annotations] == ["end+start", "end"]
    assert fig.layout.title.text == "Flux de données clients entre les systèmes"
    assert len(flow_map(flows.iloc[:0], "en").data) == 0  # no flow: an empty map, no error
