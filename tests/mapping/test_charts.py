"""Tests for rcu_kit.mapping.charts: the heatmap and the severity chart show the computed figures."""

from __future__ import annotations

import math

import pandas as pd

from rcu_kit.core.config import Attribute, Engagement, Source
from rcu_kit.mapping.charts import gap_heatmap, gap_severity_chart


def _engagement(language: str = "en") -> Engagement:
    return Engagement(client="x", language=language,
                      sources=[Source(name="crm", path="a"), Source(name="web", path="b")],
                      target_model=[Attribute(name="email", label_fr="Courriel", label_en="E-mail"),
                                    Attribute(name="phone", label_fr="Téléphone", label_en="Phone")])


def _matrix() -> pd.DataFrame:
    return pd.DataFrame({
        "attribute": ["email", "email", "phone", "phone"], "source": ["crm", "web", "crm", "web"],
        "mapped": [True, True, True, False], "fill_rate": [0.75, 1.0, 0.5, 0.0],
        "validity_rate": [2 / 3, 1.0, float("nan"), float("nan")], "quality": [0.5, 1.0, 0.5, 0.0]})


def test_heatmap_cells_are_quality_percentages_and_unmapped_is_empty():
    fig = gap_heatmap(_engagement(), _matrix())
    trace = fig.data[0]
    assert list(trace.x) == ["crm", "web"]
    assert list(trace.y) == ["E-mail", "Phone"]
    z = [[None if (isinstance(v, float) and math.isnan(v)) else v for v in row] for row in trace.z]
    # quality x 100; phone is not mapped in web: no value, labelled in the hover
    assert z == [[50.0, 100.0], [50.0, None]]
    assert [list(r) for r in trace.customdata] == [
        ["Filled 75%, valid 67%", "Filled 100%, valid 100%"],
        ["Filled 50%, valid n/a", "not mapped"]]
    assert fig.layout.title.text == "Target record coverage: quality per attribute and source"
    fr = gap_heatmap(_engagement("fr"), _matrix())
    assert list(fr.data[0].y) == ["Courriel", "Téléphone"]
    assert fr.data[0].customdata[1][1] == "non mappé"


def test_severity_chart_counts_gaps():
    gaps = pd.DataFrame({"gap": ["poor_quality", "single_source", "single_source"],
                         "severity": ["high", "medium", "low"], "attribute": ["a", "b", "c"]})
    fig = gap_severity_chart(_engagement(), gaps)
    # one trace per severity; bars per gap kind in order of appearance
    assert [tr.name for tr in fig.data] == ["High", "Medium", "Low"]
    assert [list(tr.y) for tr in fig.data] == [[1, 0], [0, 1], [0, 1]]
    assert list(fig.data[0].x) == ["Present but poor", "In one source only"]


def test_charts_use_the_report_language_separators():
    # the engagement's language by default; an explicit language wins
    gaps = pd.DataFrame({"gap": ["single_source"], "severity": ["low"], "attribute": ["a"]})
    assert gap_heatmap(_engagement("fr"), _matrix()).layout.separators == ", "
    assert gap_heatmap(_engagement("fr"), _matrix(), "en").layout.separators == ".,"
    assert gap_severity_chart(_engagement("en"), gaps).layout.separators == ".,"
    assert gap_severity_chart(_engagement("en"), gaps, "fr").layout.separators == ", "
