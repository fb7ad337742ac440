"""Tests of rcu_kit.report.charts: the executive summary's plotly figures."""

from __future__ import annotations

import pandas as pd

from rcu_kit.report.charts import overlap_chart, records_per_source_chart


def test_records_per_source_chart_bars_and_french_labels():
    table = pd.DataFrame({"source": ["crm", "web"], "records": [10, 4], "customers": [8, 4]})
    fig = records_per_source_chart(table, "fr")
    assert [(tr.name, list(tr.x), list(tr.y)) for tr in fig.data] == [
        ("Enregistrements", ["crm", "web"], [10, 4]), ("Clients distincts", ["crm", "web"], [8, 4])]
    assert fig.layout.title.text == "Enregistrements et clients distincts par source"


def test_records_per_source_chart_without_customers_has_one_trace():
    fig = records_per_source_chart(pd.DataFrame({"source": ["crm"], "records": [3]}), "en")
    assert [tr.name for tr in fig.data] == ["Records"]
    assert fig.layout.title.text == "Records per source"
    # Customers column present but empty (the deduplication has not run): still one trace.
    empty = pd.DataFrame({"source": ["crm"], "records": [3], "customers": [None]})
    assert [tr.name for tr in records_per_source_chart(empty, "en").data] == ["Records"]


def test_overlap_chart_heatmap_values():
    m = pd.DataFrame([[2, 1], [1, 3]], index=["crm", "web"], columns=["crm", "web"])
    fig = overlap_chart(m, "en")
    assert fig.data[0].type == "heatmap"
    assert [list(row) for row in fig.data[0].z] == [[2, 1], [1, 3]]
    assert fig.layout.title.text == "Customers shared between sources"


def test_charts_use_the_report_language_separators():
    # plotly's separators: decimal mark then thousands mark, for hovers and axis ticks
    table = pd.DataFrame({"source": ["crm"], "records": [1200], "customers": [1100]})
    m = pd.DataFrame([[2]], index=["crm"], columns=["crm"])
    assert records_per_source_chart(table, "fr").layout.separators == ", "
    assert overlap_chart(m, "fr").layout.separators == ", "
    assert records_per_source_chart(table, "en").layout.separators == ".,"
    assert overlap_chart(m, "en").layout.separators == ".,"
